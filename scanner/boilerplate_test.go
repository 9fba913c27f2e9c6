package scanner_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/listingscan/listingscan/listing"
	"github.com/listingscan/listingscan/scanner"
)

// chineseText writes n sentences of random common characters: text no
// other call shares.
func chineseText(rng *rand.Rand, n int) string {
	var b strings.Builder
	for range n {
		for range 18 {
			b.WriteRune(rune(0x4e00 + rng.IntN(0x5000)))
		}
		b.WriteString("。")
	}
	return b.String()
}

// A check learns which wording is boilerplate from the whole catalogue, not
// from the few candidates it reads: a draft whose description is a
// paragraph 80 providers use passes, and a draft that copies one provider's
// own paragraph is blocked.
func TestCheckLearnsBoilerplateFromTheCatalogue(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(11, 12))
	stock := chineseText(rng, 8) // shared by the whole category
	published := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	var catalogue []listing.Listing
	var own []string
	for i := range 80 {
		own = append(own, chineseText(rng, 8))
		catalogue = append(catalogue, listing.Listing{
			ID:              fmt.Sprintf("L-%03d", i),
			Provider:        listing.Provider{ID: fmt.Sprintf("P-%03d", i)},
			Title:           fmt.Sprintf("第%d号门店管理系统", i),
			DescriptionHTML: "<p>" + stock + "</p><p>" + own[i] + "</p>",
			PublishedAt:     published.Add(time.Duration(i) * time.Hour),
		})
	}
	cfg := scanner.DefaultConfig()
	cfg.BoilerplateFullUpTo, cfg.BoilerplateZeroFrom = 10, 50
	sc, err := scanner.New(mustStore(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	res, err := sc.ScanListings(ctx, catalogue)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range res.Findings {
		if f.Rule == listing.RuleCopyDescription {
			t.Fatalf("the catalogue itself: %s %s vs %s", f.Rule, f.ListingID, f.OtherListingID)
		}
	}

	draft := func(id, desc string) listing.Listing {
		return listing.Listing{ID: id, Provider: listing.Provider{ID: "P-NEW-" + id}, Title: "全新的预约小程序" + id, DescriptionHTML: "<p>" + desc + "</p>"}
	}
	descFindings := func(r *scanner.CheckResult) []string {
		var out []string
		for _, f := range r.Reasons {
			if f.Rule == listing.RuleCopyDescription {
				out = append(out, f.OtherListingID+f.ListingID)
			}
		}
		return out
	}

	stockOnly, err := sc.Check(ctx, draft("D-1", stock+chineseText(rng, 1)), false)
	if err != nil {
		t.Fatal(err)
	}
	if got := descFindings(stockOnly); len(got) != 0 {
		t.Errorf("a draft of category wording: description findings %v, decision %s", got, stockOnly.Decision)
	}

	copied, err := sc.Check(ctx, draft("D-2", own[7]+chineseText(rng, 1)), false)
	if err != nil {
		t.Fatal(err)
	}
	if got := descFindings(copied); len(got) != 1 || !strings.Contains(got[0], "L-007") || copied.Decision != scanner.DecisionBlock {
		t.Errorf("a draft copying L-007's own paragraph: description findings %v, decision %s", got, copied.Decision)
	}
}

// A check decides a candidate that only its title could match from the
// catalogue's sketch, without reading it: the finding is the one a batch
// scan of the same listings makes from the stored documents.
func TestCheckTitleOnlyCandidateFromSketch(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(21, 22))
	published := time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)
	var catalogue []listing.Listing
	for i := range 30 {
		catalogue = append(catalogue, listing.Listing{
			ID:              fmt.Sprintf("L-%03d", i),
			Provider:        listing.Provider{ID: fmt.Sprintf("P-%03d", i)},
			Title:           fmt.Sprintf("第%d号%s", i, chineseText(rng, 1)[:24]),
			DescriptionHTML: "<p>" + chineseText(rng, 8) + "</p>",
			PublishedAt:     published.Add(time.Duration(i) * time.Hour),
		})
	}
	catalogue[7].Title = "云栖智慧餐厅扫码点餐小程序·旗舰版"
	draft := listing.Listing{
		ID: "D-1", Provider: listing.Provider{ID: "P-NEW"}, Title: "云栖智慧餐厅扫码点単小程序·旗舰版",
		DescriptionHTML: "<p>" + chineseText(rng, 8) + "</p>", PublishedAt: published.Add(100 * time.Hour),
	}
	titleFinding := func(fs []listing.Finding) *listing.Finding {
		for i, f := range fs {
			if f.Rule == listing.RuleCopyTitle && f.ListingID == "D-1" {
				return &fs[i]
			}
		}
		return nil
	}

	sc, err := scanner.New(mustStore(t), scanner.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sc.ScanListings(ctx, catalogue); err != nil {
		t.Fatal(err)
	}
	res, err := sc.Check(ctx, draft, false)
	if err != nil {
		t.Fatal(err)
	}
	got := titleFinding(res.Reasons)
	if got == nil {
		t.Fatalf("no title finding for the draft: %+v", res.Reasons)
	}

	batch, err := scanner.New(mustStore(t), scanner.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	all, err := batch.ScanListings(ctx, append(slices.Clone(catalogue), draft))
	if err != nil {
		t.Fatal(err)
	}
	want := titleFinding(all.Findings)
	if want == nil {
		t.Fatal("the batch scan found no title copy")
	}
	if got.ID != want.ID || got.Score != want.Score || got.First != "L-007" || got.OtherProviderID != "P-007" ||
		got.Evidence.Text != want.Evidence.Text || got.Evidence.OtherText != catalogue[7].Title ||
		!slices.Equal(got.Evidence.Spans, want.Evidence.Spans) {
		t.Errorf("check finding %+v\nbatch finding %+v", got, want)
	}
}
