package elastic_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/listingscan/listingscan/indexer"
	"github.com/listingscan/listingscan/indexer/elastic"
	"github.com/listingscan/listingscan/indexer/sqlite"
	"github.com/listingscan/listingscan/listing"
	"github.com/listingscan/listingscan/scanner"
)

// marketplace is the small realistic marketplace shipped with the tests.
var marketplace = filepath.Join("..", "..", "testdata", "marketplace")

// scanWith scans the marketplace into store and returns the run's result.
func scanWith(t *testing.T, store indexer.Store, opts ...scanner.Option) *scanner.Result {
	t.Helper()
	res, err := scan(store, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// scan is scanWith for goroutines other than the test's.
func scan(store indexer.Store, opts ...scanner.Option) (*scanner.Result, error) {
	sc, err := scanner.New(store, scanner.DefaultConfig(), append([]scanner.Option{scanner.WithWorkers(4)}, opts...)...)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := sc.Scan(ctx, []string{marketplace})
	if err != nil {
		return nil, fmt.Errorf("scan: %w", err)
	}
	return res, nil
}

// canonical renders findings as sorted JSON lines without the detection
// time, which differs between runs.
func canonical(t *testing.T, fs []listing.Finding) []string {
	t.Helper()
	out := make([]string, 0, len(fs))
	for _, f := range fs {
		f.DetectedAt = time.Time{}
		b, err := json.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(b))
	}
	slices.Sort(out)
	return out
}

func storedFindings(t *testing.T, s indexer.Store) []string {
	t.Helper()
	fs, err := s.Findings(context.Background(), indexer.FindingQuery{})
	if err != nil {
		t.Fatal(err)
	}
	return canonical(t, fs)
}

func sameLines(t *testing.T, what string, got, want []string) {
	t.Helper()
	if slices.Equal(got, want) {
		return
	}
	for _, l := range want {
		if !slices.Contains(got, l) {
			t.Errorf("%s: missing %s", what, l)
		}
	}
	for _, l := range got {
		if !slices.Contains(want, l) {
			t.Errorf("%s: extra %s", what, l)
		}
	}
	t.Errorf("%s: %d findings, want %d", what, len(got), len(want))
}

func openSQLite(t *testing.T) indexer.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "store.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// runScoped are the rules decided over the listings of one run rather than
// through the store: a provider pair's copy.store finding names each
// provider's earliest listing of the run. A shard sees its own listings
// only, so for these the shards must find the same findings, while the
// listings a finding names may differ.
var runScoped = map[string]bool{"copy.store": true, "copy.template": true}

// comparable renders findings for comparing shards with one scan: in full,
// except run-scoped ones by rule and id.
func comparable(t *testing.T, fs []listing.Finding) []string {
	t.Helper()
	var full []listing.Finding
	var out []string
	for _, f := range fs {
		if runScoped[f.Rule] {
			out = append(out, f.Rule+" "+f.ID)
			continue
		}
		full = append(full, f)
	}
	out = append(out, canonical(t, full)...)
	slices.Sort(out)
	return out
}

// TestScanAcrossBackendsAndShards scans the marketplace into the embedded
// store and into the engine, whose reports and stored findings must be the
// same line for line; then three shards scan it into fresh indices at the
// same time, and the findings they leave together must
// be those of the one unsharded scan.
func TestScanAcrossBackendsAndShards(t *testing.T) {
	if testing.Short() {
		t.Skip("long: scans the sample marketplace five times; the full pass runs it against the engine")
	}
	url := engineURL(t)
	ctx := context.Background()
	lite := openSQLite(t)
	want := scanWith(t, lite)
	if len(want.Findings) == 0 {
		t.Fatal("the marketplace gave no findings; the comparisons would prove nothing")
	}
	es := openTest(t)
	got := scanWith(t, es)

	t.Run("engine and embedded store agree", func(t *testing.T) {
		sameLines(t, "scan report", canonical(t, got.Findings), canonical(t, want.Findings))
		sameLines(t, "stored findings", storedFindings(t, es), storedFindings(t, lite))
		if got.Candidates != want.Candidates || got.Listings != want.Listings {
			t.Errorf("engine verified %d pairs of %d listings, embedded store %d of %d",
				got.Candidates, got.Listings, want.Candidates, want.Listings)
		}
		esStats, err := es.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		liteStats, err := lite.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if esStats.Listings != liteStats.Listings || esStats.Findings != liteStats.Findings {
			t.Errorf("engine holds %+v, embedded store %+v", esStats, liteStats)
		}
	})

	stored, err := es.Findings(ctx, indexer.FindingQuery{})
	if err != nil {
		t.Fatal(err)
	}
	whole := comparable(t, stored)
	const n = 3
	// At once is the harder order: a pair split between two shards is found
	// only by the shard that matches second, and the other shard must not
	// resolve it. (One after another is the same with the order fixed;
	// scanner's shard tests cover the cleanup rule deterministically.)
	for _, c := range []struct {
		name       string
		concurrent bool
	}{
		{"three shards at once", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			prefix := testPrefix(t)
			var (
				wg       sync.WaitGroup
				mu       sync.Mutex
				scanned  int
				resolved int
			)
			for i := 1; i <= n; i++ {
				// Each shard is its own worker with its own connection.
				s := openAt(t, url, prefix, elastic.Config{})
				run := func() {
					res, err := scan(s, scanner.WithShard(scanner.Shard{Index: i, Count: n}))
					if err != nil {
						t.Errorf("shard %d/%d: %v", i, n, err)
						return
					}
					mu.Lock()
					scanned += res.Listings
					resolved += res.Saved.Resolved
					mu.Unlock()
				}
				if c.concurrent {
					wg.Go(run)
				} else {
					run()
				}
			}
			wg.Wait()
			if scanned != got.Listings {
				t.Errorf("shards scanned %d listings together, the catalogue has %d", scanned, got.Listings)
			}
			if resolved != 0 {
				t.Errorf("shards resolved %d findings of each other", resolved)
			}
			fs, err := openAt(t, url, prefix, elastic.Config{}).Findings(ctx, indexer.FindingQuery{})
			if err != nil {
				t.Fatal(err)
			}
			sameLines(t, "findings of all shards", comparable(t, fs), whole)
		})
	}
}
