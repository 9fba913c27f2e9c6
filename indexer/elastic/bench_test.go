package elastic_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/listingscan/listingscan/indexer"
	"github.com/listingscan/listingscan/indexer/sqlite"
	"github.com/listingscan/listingscan/listing"
)

// Synthetic catalogue entries shaped like the scanner's: the LSH band keys
// of a title and a description (118 keys), a 2 KB fingerprint and a
// sketch of two images of six variants.
const (
	benchTitleBands = 48
	benchDescBands  = 70
	benchSketch     = 2 * 6 * 17
)

var benchPad = strings.Repeat("9f3a", 512)

func benchEntry(rng *rand.Rand, i int) indexer.Entry {
	keys := benchBandKeys(rng)
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
		Print:  json.RawMessage(fmt.Sprintf(`{"v":3,"pad":%q}`, benchPad)),
		Keys:   keys,
		Digest: "d-" + id,
		Sketch: sketch,
	}
}

func benchBandKeys(rng *rand.Rand) []string {
	keys := make([]string, 0, benchTitleBands+benchDescBands)
	for band := range benchTitleBands {
		keys = append(keys, fmt.Sprintf("tt1b%d:%016x", band, rng.Uint64()))
	}
	for band := range benchDescBands {
		keys = append(keys, fmt.Sprintf("td1b%d:%016x", band, rng.Uint64()))
	}
	return keys
}

// benchQuery is one listing's candidate query: its band keys.
func benchQuery(rng *rand.Rand) []string {
	return benchBandKeys(rng)
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

// BenchmarkCandidates measures one listing's candidate query against
// stores of 10,000 and 100,000 listings, on the engine and, for
// comparison, on the embedded store with the same data and queries. Besides
// ns/op it reports the 50th and 99th percentile latency in milliseconds.
//
//	LISTINGSCAN_TEST_ES=$(tools/searchnode/searchnode.sh url) go test ./indexer/elastic -run '^$' -bench Candidates -benchtime 200x -timeout 60m
func BenchmarkCandidates(b *testing.B) {
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
				benchCandidates(b, s)
			})
		}
	}
}

func benchCandidates(b *testing.B, s indexer.Store) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(2, 2))
	queries := make([][]string, 64)
	for i := range queries {
		queries[i] = benchQuery(rng)
	}
	// The first search after the fill pays for its refresh; keep it out.
	if _, err := s.Candidates(ctx, indexer.CandidateQuery{Keys: queries[0]}); err != nil {
		b.Fatal(err)
	}
	var lat []time.Duration
	found, i := 0, 0
	for b.Loop() {
		t0 := time.Now()
		cs, err := s.Candidates(ctx, indexer.CandidateQuery{Keys: queries[i%len(queries)]})
		if err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
		found += len(cs)
		i++
	}
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(len(queries[0])), "keys/query")
	b.ReportMetric(float64(found)/float64(i), "candidates/query")
}
