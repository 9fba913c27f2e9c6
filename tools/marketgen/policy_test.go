package marketgen

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/listingscan/listingscan/listing"
)

func TestWritePolicy(t *testing.T) {
	out := t.TempDir()
	sum, err := WritePolicy(context.Background(), out, PolicyOptions{Split: "tune", N: 90})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Listings != 90 {
		t.Fatalf("%d listings, want 90", sum.Listings)
	}
	f, err := os.Open(filepath.Join(out, "truth.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rules := map[string]bool{}
	traps := 0
	var qrLines []PolicyTruthLine
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var tl PolicyTruthLine
		if err := json.Unmarshal(sc.Bytes(), &tl); err != nil {
			t.Fatalf("truth line %q: %v", sc.Text(), err)
		}
		if strings.Contains(sc.Text(), "other_listing_id") {
			t.Errorf("single-listing truth line names another listing: %s", sc.Text())
		}
		rules[tl.Rule] = true
		if !tl.Expect {
			traps++
		}
		if tl.Rule == "offplatform.qr" && tl.Expect {
			qrLines = append(qrLines, tl)
		}
	}
	for _, r := range []string{"offplatform.contact", "offplatform.qr", "consistency.price", "service.hours", "service.missing",
		"oauth.unreviewed", "quality.title_length", "quality.tags", "quality.summary_length", "quality.image_unreadable"} {
		if !rules[r] {
			t.Errorf("no listing plants %s", r)
		}
	}
	if traps == 0 {
		t.Error("no traps")
	}

	// Every listing loads, and every planted QR code decodes from its image.
	byID := map[string]listing.Listing{}
	err = listing.Walk(context.Background(), []string{filepath.Join(out, "listings.jsonl")}, listing.LoadOptions{},
		func(l listing.Listing) error { byID[l.ID] = l; return nil },
		func(e listing.InputError) { t.Errorf("input error: %v", e) })
	if err != nil {
		t.Fatal(err)
	}
	if len(byID) != 90 {
		t.Errorf("loaded %d listings, want 90", len(byID))
	}
	for _, tl := range qrLines {
		l := byID[tl.ListingID]
		if len(l.Images) == 0 {
			t.Errorf("%s plants %s without an image", l.ID, tl.Transform)
			continue
		}
		data, err := os.ReadFile(filepath.Join(out, l.Images[0]))
		if err != nil {
			t.Fatal(err)
		}
		img, err := DecodeImage(data)
		if err != nil {
			t.Fatal(err)
		}
		bmp, err := gozxing.NewBinaryBitmapFromImage(img)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true}); err != nil {
			t.Errorf("%s (%s): planted QR code does not decode: %v", l.ID, tl.Transform, err)
		}
	}
}

func TestWritePolicyRejectsBadOptions(t *testing.T) {
	for _, o := range []PolicyOptions{{Split: "train"}, {Split: "tune", N: -1}} {
		if _, err := WritePolicy(context.Background(), t.TempDir(), o); err == nil {
			t.Errorf("WritePolicy(%+v) succeeded", o)
		}
	}
}
