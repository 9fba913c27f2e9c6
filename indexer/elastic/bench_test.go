package elastic_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/listingscan/listingscan/indexer"
	"github.com/listingscan/listingscan/indexer/sqlite"
	"github.com/listingscan/listingscan/listing"
)

// Synthetic catalogue entries shaped like the scanner's: a 2 KB
// fingerprint and a sketch of two images of six variants (17 bytes each),
// a title, a description digest and 118 band key fingerprints (8 bytes
// each).
const benchSketch = 2*6*17 + 200 + 118*8

var benchPad = strings.Repeat("9f3a", 512)

func benchEntry(rng *rand.Rand, i int) indexer.Entry {
	sketch := make([]byte, benchSketch)
	for i := range sketch {
		sketch[i] = byte(rng.Uint32())
	}
	id := fmt.Sprintf("L-%07d", i)
	return indexer.Entry{
		Listing: listing.Listing{
			ID: id, Provider: listing.Provider{ID: fmt.Sprintf("P-%04d", i%2000), Name: "深圳前海数智科技有限公司"},
			Title: "智慧餐饮点餐小程序 扫码点餐 会员积分", Tags: []string{"餐饮", "点餐"}, Category: "餐饮",
			Summary:   "支持堂食扫码点餐、外卖配送、会员储值与积分营销，一站式门店数字化方案。",
			UpdatedAt: time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC),
		},
		Print:  []byte("print " + benchPad),
		Digest: "d-" + id,
		Sketch: sketch,
	}
}

func fill(b *testing.B, s indexer.Store, n int, seed uint64) {
	b.Helper()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(seed, uint64(n)))
	batch := make([]indexer.Entry, 0, 1000)
	for i := range n {
		batch = append(batch, benchEntry(rng, i))
		if len(batch) == cap(batch) || i == n-1 {
			if err := s.Put(ctx, batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
}

// BenchmarkPut measures bulk writes of 500-listing batches, as a scan's
// index phase sends them, into a growing index.
//
//	LISTINGSCAN_TEST_ES=$(tools/searchnode/searchnode.sh url) go test ./indexer/elastic -run '^$' -bench Put -benchtime 40x
func BenchmarkPut(b *testing.B) {
	s := openTest(b)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(7, 7))
	next := 0
	written := 0
	start := time.Now()
	for b.Loop() {
		batch := make([]indexer.Entry, 500)
		for i := range batch {
			batch[i] = benchEntry(rng, next)
			next++
		}
		if err := s.Put(ctx, batch); err != nil {
			b.Fatal(err)
		}
		written += len(batch)
	}
	b.ReportMetric(float64(written)/time.Since(start).Seconds(), "listings/s")
}

// BenchmarkSketches measures what a scanner reads to build its candidate
// indexes: every listing's sketch, from stores of 10,000 and 100,000
// listings, on the engine and, for comparison, on the embedded store with
// the same data.
//
//	LISTINGSCAN_TEST_ES=$(tools/searchnode/searchnode.sh url) go test ./indexer/elastic -run '^$' -bench Sketches -benchtime 5x -timeout 60m
func BenchmarkSketches(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		for _, backend := range []string{"sqlite", "elasticsearch"} {
			b.Run(fmt.Sprintf("store=%s/listings=%d", backend, n), func(b *testing.B) {
				var s indexer.Store
				if backend == "sqlite" {
					lite, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "s.db"))
					if err != nil {
						b.Fatal(err)
					}
					defer lite.Close()
					s = lite
				} else {
					s = openTest(b)
				}
				fill(b, s, n, 1)
				ctx := context.Background()
				found := 0
				for b.Loop() {
					found = 0
					err := s.Sketches(ctx, time.Time{}, func(sk indexer.StoredSketch) error {
						found += len(sk.Sketch) / benchSketch
						return nil
					})
					if err != nil {
						b.Fatal(err)
					}
				}
				if found != n {
					b.Fatalf("read %d sketches, want %d", found, n)
				}
			})
		}
	}
}
