package scanner

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"github.com/listingscan/listingscan/similarity"
)

// samplePrint is a print with every field set, as a listing with two
// images (one unreadable), QR codes and an unparsable description gives.
func samplePrint() *Print {
	p := &Print{
		Version: printVersion,
		Title:   "智慧餐厅扫码点餐小程序",
		Desc:    "支持堂食外卖一体化，会员储值与积分营销，后厨打印自动分单。",
		DescSh:  []uint64{1, 1 << 63, 42, ^uint64(0)},
		Problem: []InputIssue{{Ref: "images/broken.png", Reason: "fingerprint image: unexpected EOF"}, {Ref: "description_html", Reason: "html larger than 2 MiB"}},
		Images: []ImageFact{
			{Ref: "images/home.png", Digest: "0f1e2d3c4b5a69788796a5b4c3d2e1f0", QR: []string{"https://weixin.qq.com/r/abc", "二维码"},
				Print: similarity.ImagePrint{Version: similarity.ImagePrintVersion, Width: 750, Height: 1334, Variants: []similarity.ImageVariant{
					{Kind: similarity.VariantFull, PHash: 0x8f3a, DHash: 1 << 63},
					{Kind: similarity.VariantTopCut, Mirrored: true, PHash: ^uint64(0), DHash: 7},
					{Kind: similarity.VariantKind("future-cut"), PHash: 3, DHash: 4},
				}, Detail: []byte{0, 1, 2, 0xff, 0x80}}},
			{Ref: "https://cdn.example.com/banner.jpg", Err: "fetch: status 404"},
			{Ref: "images/flat.png", Digest: "00", Print: similarity.ImagePrint{Version: 1, Width: 16, Height: 16, LowInfo: "flat"}},
		},
	}
	p.derive()
	return p
}

func TestPrintRoundTrip(t *testing.T) {
	for name, want := range map[string]*Print{
		"every field": samplePrint(),
		"empty":       {Version: printVersion},
		"title only":  {Version: printVersion, Title: "旧时光"},
	} {
		want.derive()
		got, err := decodePrint(want.encode())
		if err != nil {
			t.Fatalf("%s: decode: %v", name, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: round trip changed the print:\n got %+v\nwant %+v", name, got, want)
		}
	}
}

func TestDecodePrintOfAnotherVersion(t *testing.T) {
	for name, raw := range map[string][]byte{
		"JSON of version 6": []byte(`{"v":6,"title":"点餐"}`),
		"empty":             nil,
		"version 8":         append([]byte("LSP8"), samplePrint().encode()[4:]...),
	} {
		if p, err := decodePrint(raw); p != nil || err != nil {
			t.Errorf("%s: got %v, %v; want no print and no error", name, p, err)
		}
	}
}

func TestDecodePrintRejectsDamage(t *testing.T) {
	good := samplePrint().encode()
	withDigest := func(d []byte) []byte {
		p := &Print{Version: printVersion, digest: d}
		return p.encode()
	}
	for name, raw := range map[string][]byte{
		"truncated":          good[:len(good)-3],
		"magic only":         []byte("LSP7"),
		"trailing bytes":     append(bytes.Clone(good), 0),
		"huge shingle count": append([]byte("LSP7\x00\x00\x00"), 0xff, 0xff, 0xff, 0xff, 0x0f),
		"huge image count":   append([]byte("LSP7\x00\x00\x00\x00\x00"), 0xff, 0xff, 0x03, 1, 2, 3),
		"digest of odd size": withDigest([]byte{1, 2, 3}),
		"width out of range": append([]byte("LSP7\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00"), 0xff, 0xff, 0xff, 0xff, 0xff, 0x01),
	} {
		if _, err := decodePrint(raw); !errors.Is(err, errPrint) {
			t.Errorf("%s: err = %v, want errPrint", name, err)
		}
	}
}

func FuzzDecodePrint(f *testing.F) {
	f.Add(samplePrint().encode())
	f.Add((&Print{Version: printVersion, Title: "点餐"}).encode())
	f.Add([]byte("LSP7\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		p, err := decodePrint(raw)
		if err != nil || p == nil {
			return
		}
		// What decodes survives encoding and decoding again.
		again, err := decodePrint(p.encode())
		if err != nil || !reflect.DeepEqual(again, p) {
			t.Fatalf("re-encoded print differs (%v):\n got %+v\nwant %+v", err, again, p)
		}
	})
}
