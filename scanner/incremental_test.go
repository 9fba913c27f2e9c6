package scanner_test

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/listingscan/listingscan/indexer"
	"github.com/listingscan/listingscan/listing"
	"github.com/listingscan/listingscan/scanner"
)

// TestIncrementalScanTouchesOnlyChangedListings scans a catalogue, changes
// one listing so that it copies another's picture, and scans again with
// WithIncremental: only that listing is fingerprinted and matched, its
// new finding is found against the unchanged catalogue, and the findings
// of the unchanged listings stay in the store.
func TestIncrementalScanTouchesOnlyChangedListings(t *testing.T) {
	ctx := context.Background()
	dir := smallCatalogue(t)
	input := filepath.Join(dir, "listings.jsonl")
	store := mustStore(t)
	sc, err := scanner.New(store, scanner.DefaultConfig(), scanner.WithIncremental(true))
	if err != nil {
		t.Fatal(err)
	}
	first, err := sc.Scan(ctx, []string{input})
	if err != nil {
		t.Fatal(err)
	}
	if first.Unchanged != 0 || first.Listings != 36 || len(first.Findings) == 0 {
		t.Fatalf("first scan: %d listings, %d unchanged, %d findings", first.Listings, first.Unchanged, len(first.Findings))
	}

	again, err := sc.Scan(ctx, []string{input})
	if err != nil {
		t.Fatal(err)
	}
	if again.Unchanged != 36 || again.Listings != 0 || again.ImagesDecoded != 0 {
		t.Fatalf("unchanged rescan: %d listings, %d unchanged, %d images decoded", again.Listings, again.Unchanged, again.ImagesDecoded)
	}

	// L-035 now shows the picture of L-000 instead of its own.
	ls := readListings(t, input)
	changed := ls[35]
	changed.Images = []string{ls[0].Images[0]}
	changed.Title += "（新版）"
	ls[35] = changed
	writeListings(t, input, ls)
	res, err := sc.Scan(ctx, []string{input})
	if err != nil {
		t.Fatal(err)
	}
	if res.Unchanged != 35 || res.Listings != 1 {
		t.Fatalf("after one change: %d listings scanned, %d unchanged; want 1 and 35", res.Listings, res.Unchanged)
	}
	for _, f := range res.Findings {
		if f.ListingID != changed.ID && f.OtherListingID != changed.ID {
			t.Errorf("finding %s (%s, %s) does not involve the changed listing", f.ID, f.ListingID, f.OtherListingID)
		}
	}
	if !slices.ContainsFunc(res.Findings, func(f listing.Finding) bool {
		return f.Rule == listing.RuleCopyImage && (f.OtherListingID == ls[0].ID || f.ListingID == ls[0].ID)
	}) {
		t.Errorf("the copied picture was not found against the unchanged catalogue: %v", ids(res.Findings))
	}
	stored, err := store.Findings(ctx, indexer.FindingQuery{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range first.Findings {
		if f.ListingID == changed.ID || f.OtherListingID == changed.ID {
			continue
		}
		if !slices.ContainsFunc(stored, func(s listing.Finding) bool { return s.ID == f.ID }) {
			t.Errorf("finding %s between unchanged listings was dropped", f.ID)
		}
	}
}

func readListings(t *testing.T, path string) []listing.Listing {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []listing.Listing
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var l listing.Listing
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatal(err)
		}
		out = append(out, l)
	}
	return out
}

func writeListings(t *testing.T, path string, ls []listing.Listing) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	enc := json.NewEncoder(f)
	for i := range ls {
		if err := enc.Encode(&ls[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}
