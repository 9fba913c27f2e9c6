package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/listingscan/listingscan/indexer"
	"github.com/listingscan/listingscan/indexer/sqlite"
	"github.com/listingscan/listingscan/indexer/storetest"
	"github.com/listingscan/listingscan/listing"
)

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) indexer.Store {
		s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "store.db"))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestReviewsContract(t *testing.T) {
	storetest.RunReviews(t, func(t *testing.T) storetest.ReviewStore {
		s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "store.db"))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestReopenKeepsData(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sub", "store.db")
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	e := indexer.Entry{Listing: listing.Listing{ID: "L-1", Provider: listing.Provider{ID: "P-1"}, Title: "点餐"}, Keys: []string{"k"}, Digest: "x"}
	if err := s.Put(ctx, []indexer.Entry{e}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.Candidates(ctx, []string{"k"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ListingID != "L-1" {
		t.Errorf("after reopen got %d candidates, want 1", len(got))
	}
}
