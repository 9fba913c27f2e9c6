package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

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
	e := indexer.Entry{Listing: listing.Listing{ID: "L-1", Provider: listing.Provider{ID: "P-1"}, Title: "点餐"}, Digest: "x", Sketch: []byte("sketch of L-1")}
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
	var got []indexer.StoredSketch
	err = s.Sketches(ctx, time.Time{}, func(sk indexer.StoredSketch) error {
		got = append(got, sk)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ListingID != "L-1" || string(got[0].Sketch) != "sketch of L-1" {
		t.Errorf("after reopen got sketches %+v, want L-1's", got)
	}
}

// A store written before sketches had their own table keeps them: opening
// it moves them over once. Its text keys, no longer used, are dropped.
func TestOpenMigratesOlderStores(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.ExecContext(ctx, `CREATE TABLE listings (id TEXT PRIMARY KEY, provider_id TEXT NOT NULL, first_seen TEXT NOT NULL,
		digest TEXT NOT NULL, doc BLOB NOT NULL, print BLOB NOT NULL, stored_at TEXT NOT NULL);
		INSERT INTO listings VALUES ('L-1', 'P-1', '2026-01-01T00:00:00.000000000Z', 'd', '{"id":"L-1"}', 'null', '2026-01-02T00:00:00.000000000Z');
		ALTER TABLE listings ADD COLUMN source TEXT NOT NULL DEFAULT '';
		ALTER TABLE listings ADD COLUMN sketch BLOB;
		UPDATE listings SET sketch = x'0102';
		CREATE TABLE keys (key TEXT NOT NULL, listing_id TEXT NOT NULL, provider_id TEXT NOT NULL,
			PRIMARY KEY (key, listing_id)) WITHOUT ROWID;
		INSERT INTO keys VALUES ('tt4b0:00', 'L-1', 'P-1');`)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	for range 2 { // the second open finds nothing left to move
		s, err := sqlite.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		var got []indexer.StoredSketch
		err = s.Sketches(ctx, time.Time{}, func(sk indexer.StoredSketch) error {
			got = append(got, sk)
			return nil
		})
		s.Close()
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].ListingID != "L-1" || got[0].ProviderID != "P-1" || string(got[0].Sketch) != "\x01\x02" {
			t.Fatalf("sketches after migration = %+v", got)
		}
	}
	db, err = sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var tables, version int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE name = 'keys'`).Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&version); err != nil {
		t.Fatal(err)
	}
	if tables != 0 || version != 2 {
		t.Errorf("after migration: keys table present %d, schema version %d; want 0, 2", tables, version)
	}
}
