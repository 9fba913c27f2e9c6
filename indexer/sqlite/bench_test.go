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

// BenchmarkCandidates measures one listing's candidate query (its title
// and description bands) against stores of growing size, and the load of
// every listing's sketch (three images of six variants) that builds the
// scanner's image index.
//
//	go test ./indexer/sqlite -run '^$' -bench Candidates -benchtime 200x
func BenchmarkCandidates(b *testing.B) {
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
					Keys:    bandKeys(rng), Digest: "d", Sketch: randomSketch(rng),
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
			keys := bandKeys(rng)
			var found int
			b.Run("query", func(b *testing.B) {
				for b.Loop() {
					cs, err := s.Candidates(ctx, indexer.CandidateQuery{Keys: keys})
					if err != nil {
						b.Fatal(err)
					}
					found = len(cs)
				}
				b.ReportMetric(float64(len(keys)), "keys/query")
				b.ReportMetric(float64(found), "candidates/query")
			})
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

// bandKeys are the LSH band keys of a title (48) and a description (70).
func bandKeys(rng *rand.Rand) []string {
	keys := make([]string, 0, 118)
	for band := range 48 {
		keys = append(keys, fmt.Sprintf("tt1b%d:%016x", band, rng.Uint64()))
	}
	for band := range 70 {
		keys = append(keys, fmt.Sprintf("td1b%d:%016x", band, rng.Uint64()))
	}
	return keys
}

// randomSketch is three images of six variants, 17 bytes each.
func randomSketch(rng *rand.Rand) []byte {
	sk := make([]byte, 3*6*17)
	for i := range sk {
		sk[i] = byte(rng.Uint32())
	}
	return sk
}
