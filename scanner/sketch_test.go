package scanner

import (
	"bytes"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/listingscan/listingscan/similarity"
)

func TestListingSketchRoundTrip(t *testing.T) {
	images := similarity.Sketch(bytes.Repeat([]byte{7}, 2*17))
	cases := []textSketch{
		{title: "智慧餐厅点餐小程序", rawTitle: "智慧餐厅·点餐小程序", firstSeen: time.Date(2026, 3, 4, 5, 6, 7, 8, time.UTC),
			descRunes: 420, desc: similarity.DigestShingles([]uint64{1, 2, 3}), keys: []uint64{0, 1 << 63, ^uint64(0)}},
		{title: "旧时光", firstSeen: time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC)},
		{title: "", descRunes: 0},
	}
	for _, want := range cases {
		for _, imgs := range []similarity.Sketch{images, nil} {
			gotImages, got, err := decodeSketch(want.encode(imgs))
			if err != nil {
				t.Fatalf("decode %+v: %v", want, err)
			}
			if !bytes.Equal(gotImages, imgs) || got.title != want.title || got.descRunes != want.descRunes || !bytes.Equal(got.desc, want.desc) ||
				!slices.Equal(got.keys, want.keys) || got.rawTitle != want.rawTitle || !got.firstSeen.Equal(want.firstSeen) {
				t.Errorf("round trip of %+v with %d image bytes: got %+v, %d image bytes", want, len(imgs), got, len(gotImages))
			}
		}
	}
}

func TestListingSketchRejectsForeignBytes(t *testing.T) {
	good := textSketch{title: "企业官网", descRunes: 80, desc: similarity.DigestShingles([]uint64{9}), keys: []uint64{5, 6}}.encode(similarity.Sketch(bytes.Repeat([]byte{1}, 17)))
	for name, raw := range map[string][]byte{
		"empty":                  nil,
		"image sketch of v3":     bytes.Repeat([]byte{1}, 17),
		"truncated":              good[:len(good)-3],
		"key count too large":    append(bytes.Clone(good[:len(good)-17]), 3, 0, 0, 0, 0, 0, 0, 0, 0),
		"version 2":              append([]byte("LSK2"), good[4:]...),
		"trailing bytes":         append(bytes.Clone(good), 0),
		"image sketch misshapen": textSketch{}.encode(similarity.Sketch{1, 2, 3}),
	} {
		if _, _, err := decodeSketch(raw); !errors.Is(err, errSketch) {
			t.Errorf("%s: err = %v, want errSketch", name, err)
		}
	}
}

func FuzzDecodeSketch(f *testing.F) {
	f.Add(textSketch{title: "点餐", descRunes: 50, desc: similarity.DigestShingles([]uint64{1})}.encode(similarity.Sketch(bytes.Repeat([]byte{3}, 17))))
	f.Add([]byte("LSK3\x00\x00\x00\x00\x00\x00\x00"))
	f.Add([]byte("LSK3\x00\x00\x00\x00\x00\x02\x01\x00\x00\x00\x00\x00\x00\x00\x00"))
	f.Add([]byte("LSK3\xff\xff\xff\xff\x0f"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		images, text, err := decodeSketch(raw)
		if err != nil {
			return
		}
		// What decodes survives encoding and decoding again.
		images2, text2, err := decodeSketch(text.encode(images))
		if err != nil || !bytes.Equal(images2, images) || text2.title != text.title || text2.descRunes != text.descRunes || !bytes.Equal(text2.desc, text.desc) || !slices.Equal(text2.keys, text.keys) ||
			text2.rawTitle != text.rawTitle || !text2.firstSeen.Equal(text.firstSeen) {
			t.Fatalf("re-encoded sketch differs: %v", err)
		}
		if err := images.Validate(); err != nil {
			t.Fatalf("decoded image sketch invalid: %v", err)
		}
	})
}

func TestTextMayMatch(t *testing.T) {
	cfg := DefaultConfig()
	text := func(seed uint64, n int) []uint64 {
		out := make([]uint64, n)
		for i := range out {
			out[i] = seed*1_000_003 + uint64(i)*7919
		}
		return out
	}
	titled := func(s string) textSketch {
		return textSketch{title: s, titleRunes: runeLen(s), titleSet: similarity.RuneSetOf(s)}
	}
	orig := text(1, 500)
	partial := append(append([]uint64{}, orig[:300]...), text(2, 200)...)
	cases := []struct {
		name string
		a, b textSketch
		want bool
	}{
		{"copied title", titled("智慧餐厅扫码点餐小程序"), titled("智慧餐厅扫码點餐小程序"), true},
		{"generic title of the category", titled("智慧餐厅扫码点餐小程序"), titled("企业官网展示小程序模板"), false},
		{"short titles are never copies", titled("点餐"), titled("点餐"), false},
		{"60% of a description", textSketch{descRunes: 800, desc: similarity.DigestShingles(orig)}, textSketch{descRunes: 800, desc: similarity.DigestShingles(partial)}, true},
		{"unrelated descriptions", textSketch{descRunes: 800, desc: similarity.DigestShingles(orig)}, textSketch{descRunes: 800, desc: similarity.DigestShingles(text(3, 500))}, false},
		{"description too short to judge", textSketch{descRunes: 10, desc: similarity.DigestShingles(orig)}, textSketch{descRunes: 800, desc: similarity.DigestShingles(orig)}, false},
	}
	for _, tc := range cases {
		if got := cfg.titleMayMatch(tc.a, tc.b) || cfg.descriptionMayMatch(tc.a, tc.b); got != tc.want {
			t.Errorf("%s: may match = %v, want %v", tc.name, got, tc.want)
		}
	}
}
