package scanner_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/listingscan/listingscan/indexer/sqlite"
	"github.com/listingscan/listingscan/scanner"
	"github.com/listingscan/listingscan/tools/marketgen"
)

// BenchmarkScanGrowth scans labelled corpora whose catalogue grows tenfold
// and reports the candidate pairs verified per listing: with selective keys
// it stays flat instead of growing with the catalogue, which is what keeps
// a scan linear.
//
//	go test ./scanner -run '^$' -bench ScanGrowth -benchtime 1x
func BenchmarkScanGrowth(b *testing.B) {
	fonts, _ := marketgen.LoadFonts(context.Background(), "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
	for _, n := range []int{10, 100} {
		dir := b.TempDir()
		if _, err := marketgen.WriteEval(context.Background(), dir, marketgen.EvalOptions{Split: "tune", N: n, Seed: 99, Fonts: fonts}); err != nil {
			b.Fatal(err)
		}
		cfg, err := scanner.LoadConfig(filepath.Join(dir, "listingscan.yaml"))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("bases=%d", n), func(b *testing.B) {
			var res *scanner.Result
			for b.Loop() {
				path := filepath.Join(b.TempDir(), "s.db")
				store, err := sqlite.Open(context.Background(), path)
				if err != nil {
					b.Fatal(err)
				}
				sc, err := scanner.New(store, cfg)
				if err != nil {
					b.Fatal(err)
				}
				res, err = sc.Scan(context.Background(), []string{filepath.Join(dir, "listings.jsonl")})
				if err != nil {
					b.Fatal(err)
				}
				store.Close()
				os.Remove(path)
			}
			b.ReportMetric(float64(res.Listings), "listings")
			b.ReportMetric(res.CandidatesPerListing(), "candidates/listing")
			b.ReportMetric(float64(res.Listings)/res.Elapsed.Seconds(), "listings/s")
		})
	}
}
