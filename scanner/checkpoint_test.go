package scanner_test

import (
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/listingscan/listingscan/indexer/sqlite"
	"github.com/listingscan/listingscan/listing"
	"github.com/listingscan/listingscan/scanner"
)

// findingsJSON is the findings as a reviewer sees them, detection time
// left out, so two runs can be compared in full.
func findingsJSON(t *testing.T, fs []listing.Finding) []string {
	t.Helper()
	out := make([]string, len(fs))
	for i, f := range fs {
		b, err := json.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		delete(m, "detected_at")
		b, _ = json.Marshal(m)
		out[i] = string(b)
	}
	slices.Sort(out)
	return out
}

// TestResumeReusesUnchangedListings scans a catalogue, then scans it again:
// the second run reuses every stored print and reports the same findings.
// Changing one image file makes exactly the listings that show it be
// fingerprinted again.
func TestResumeReusesUnchangedListings(t *testing.T) {
	dir := smallCatalogue(t)
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "store.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	sc, err := scanner.New(store, scanner.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	input := []string{filepath.Join(dir, "listings.jsonl")}
	first, err := sc.Scan(ctx, input)
	if err != nil {
		t.Fatal(err)
	}
	if first.Resumed != 0 || first.Listings == 0 || len(first.Findings) == 0 {
		t.Fatalf("first scan: %d listings, %d resumed, %d findings; want a fresh scan with findings", first.Listings, first.Resumed, len(first.Findings))
	}
	want := findingsJSON(t, first.Findings)

	second, err := sc.Scan(ctx, input)
	if err != nil {
		t.Fatal(err)
	}
	if second.Resumed != second.Listings {
		t.Errorf("unchanged catalogue: %d of %d listings resumed, want all", second.Resumed, second.Listings)
	}
	if got := findingsJSON(t, second.Findings); !slices.Equal(got, want) {
		t.Errorf("resumed scan reports different findings:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// Rewrite p0.png with other pixels: the listings showing it must be
	// fingerprinted again, the others resumed.
	showing := 0
	all, _, err := listing.Load(ctx, input, listing.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range all {
		if slices.Contains(l.Images, "img/p0.png") {
			showing++
		}
	}
	m := image.NewRGBA(image.Rect(0, 0, 64, 64))
	for y := range 64 {
		for x := range 64 {
			m.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 4), uint8(x ^ y), 255})
		}
	}
	f, err := os.Create(filepath.Join(dir, "img", "p0.png"))
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, m); err != nil {
		t.Fatal(err)
	}
	f.Close()
	third, err := sc.Scan(ctx, input)
	if err != nil {
		t.Fatal(err)
	}
	if showing == 0 || third.Resumed != third.Listings-showing {
		t.Errorf("after changing an image shown by %d listings: %d of %d resumed, want %d", showing, third.Resumed, third.Listings, third.Listings-showing)
	}

	// Without resuming, the same catalogue gives the same findings as the
	// resumed run. A full fingerprinting pass costs minutes under the race
	// detector, so the -short pass stops here.
	if testing.Short() {
		return
	}
	fresh, err := scanner.New(store, scanner.DefaultConfig(), scanner.WithResume(false))
	if err != nil {
		t.Fatal(err)
	}
	again, err := fresh.Scan(ctx, input)
	if err != nil {
		t.Fatal(err)
	}
	if again.Resumed != 0 {
		t.Errorf("WithResume(false) resumed %d listings", again.Resumed)
	}
	if got, want := findingsJSON(t, again.Findings), findingsJSON(t, third.Findings); !slices.Equal(got, want) {
		t.Errorf("fresh and resumed scans of the changed catalogue differ: %d and %d findings", len(got), len(want))
	}
}
