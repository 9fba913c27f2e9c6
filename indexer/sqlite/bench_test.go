package sqlite_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/listingscan/listingscan/indexer"
	"github.com/listingscan/listingscan/indexer/sqlite"
	"github.com/listingscan/listingscan/listing"
)

// BenchmarkSketches measures the load of every listing's sketch (three
// images of six variants, a title, a description digest and 118 band key
// fingerprints) that builds the scanner's candidate indexes, from stores of
// growing size.
//
//	go test ./indexer/sqlite -run '^$' -bench Sketches -benchtime 20x
func BenchmarkSketches(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("listings=%d", n), func(b *testing.B) {
			ctx := context.Background()
			s, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "s.db"))
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			rng := rand.New(rand.NewPCG(1, uint64(n)))
			batch := make([]indexer.Entry, 0, 1000)
			for i := range n {
				batch = append(batch, indexer.Entry{
					Listing: listing.Listing{ID: fmt.Sprintf("L-%07d", i), Provider: listing.Provider{ID: fmt.Sprintf("P-%04d", i%2000)}, Title: "t"},
					Digest:  "d", Sketch: randomSketch(rng),
				})
				if len(batch) == cap(batch) {
					if err := s.Put(ctx, batch); err != nil {
						b.Fatal(err)
					}
					batch = batch[:0]
				}
			}
			if err := s.Put(ctx, batch); err != nil {
				b.Fatal(err)
			}
			found := 0
			b.Run("all sketches", func(b *testing.B) {
				for b.Loop() {
					found = 0
					if err := s.Sketches(ctx, time.Time{}, func(sk indexer.StoredSketch) error {
						found++
						return nil
					}); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(found), "sketches")
			})
		})
	}
}

// randomSketch is three images of six variants, 17 bytes each, with the
// text part of a listing sketch.
func randomSketch(rng *rand.Rand) []byte {
	sk := make([]byte, 3*6*17+200+118*8)
	for i := range sk {
		sk[i] = byte(rng.Uint32())
	}
	return sk
}
