package sqlite_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/listingscan/listingscan/indexer"
	"github.com/listingscan/listingscan/indexer/sqlite"
	"github.com/listingscan/listingscan/listing"
	"github.com/listingscan/listingscan/similarity"
)

// BenchmarkCandidates measures one listing's candidate query (three images'
// pHash neighbourhoods at the default radius plus its text bands) against
// stores of growing size.
//
//	go test ./indexer/sqlite -run '^$' -bench Candidates -benchtime 200x
func BenchmarkCandidates(b *testing.B) {
	radius := similarity.DefaultImageThresholds().PHash
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
				var keys []string
				for range 3 {
					keys = append(keys, similarity.HashKeys(similarity.ImageKeyPrefix, rng.Uint64())...)
				}
				for band := range 20 {
					keys = append(keys, fmt.Sprintf("td1b%d:%016x", band, rng.Uint64()))
				}
				batch = append(batch, indexer.Entry{
					Listing: listing.Listing{ID: fmt.Sprintf("L-%07d", i), Provider: listing.Provider{ID: fmt.Sprintf("P-%04d", i%2000)}, Title: "t"},
					Keys:    keys, Digest: "d",
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
			var keys []string
			for range 3 {
				keys = append(keys, similarity.HashQueryKeys(similarity.ImageKeyPrefix, rng.Uint64(), radius)...)
			}
			for band := range 20 {
				keys = append(keys, fmt.Sprintf("td1b%d:%016x", band, rng.Uint64()))
			}
			var found int
			for b.Loop() {
				cs, err := s.Candidates(ctx, keys)
				if err != nil {
					b.Fatal(err)
				}
				found = len(cs)
			}
			b.ReportMetric(float64(len(keys)), "keys/query")
			b.ReportMetric(float64(found), "candidates/query")
		})
	}
}
