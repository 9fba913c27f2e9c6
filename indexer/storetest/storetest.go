// Package storetest is the contract every indexer.Store must meet. Each
// backend's tests call Run with a function that opens an empty store, so the
// embedded store and Elasticsearch are held to exactly the same behaviour.
package storetest

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/listingscan/listingscan/indexer"
	"github.com/listingscan/listingscan/listing"
)

// Opener returns a new, empty store. Run closes it.
type Opener func(t *testing.T) indexer.Store

func entry(id, provider string, published time.Time) indexer.Entry {
	return indexer.Entry{
		Listing: listing.Listing{
			ID:          id,
			Provider:    listing.Provider{ID: provider, Name: "服务商" + provider},
			Title:       "标题 " + id,
			Tags:        []string{"餐饮"},
			PublishedAt: published,
		},
		Print:  []byte("print\x00\xff of " + id),
		Digest: "d-" + id,
	}
}

func finding(rule, a, b string, score float64) listing.Finding {
	d := 3
	return listing.Finding{
		ID: listing.FindingID(rule, a, b), Rule: rule, Severity: listing.SeverityHigh, Score: score,
		ListingID: a, ProviderID: "P-" + a, OtherListingID: b, OtherProviderID: "P-" + b, First: b,
		Status:   listing.StatusOpen,
		Evidence: listing.Evidence{Image: "img/" + a + ".png", OtherImage: "img/" + b + ".png", Distance: &d},
	}
}

// Run runs the whole contract against stores made by open.
func Run(t *testing.T, open Opener) {
	ctx := context.Background()
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

	t.Run("ping answers on an empty and a filled store", func(t *testing.T) {
		s := open(t)
		defer s.Close()
		if err := s.Ping(ctx); err != nil {
			t.Fatalf("ping empty store: %v", err)
		}
		if err := s.Put(ctx, []indexer.Entry{entry("L-1", "P-1", t0)}); err != nil {
			t.Fatal(err)
		}
		if err := s.Ping(ctx); err != nil {
			t.Fatalf("ping: %v", err)
		}
	})
	t.Run("put and get round-trip", func(t *testing.T) {
		s := open(t)
		defer s.Close()
		in := entry("L-1", "P-1", t0)
		in.Listing.Price.Plans = []listing.PricePlan{{Name: "基础版", ListPrice: "1999", Price: "1599"}}
		if err := s.Put(ctx, []indexer.Entry{in}); err != nil {
			t.Fatal(err)
		}
		got, err := s.Get(ctx, []string{"L-1", "missing"})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 {
			t.Fatalf("got %d entries, want 1", len(got))
		}
		g := got[0]
		if g.Listing.ID != "L-1" || g.Listing.Provider.ID != "P-1" || g.Listing.Title != in.Listing.Title ||
			!g.Listing.PublishedAt.Equal(t0) || g.Digest != in.Digest || string(g.Listing.Price.Plans[0].Price) != "1599" {
			t.Errorf("round trip changed the entry: %+v", g)
		}
		if !bytes.Equal(g.Print, in.Print) {
			t.Errorf("print = %q, want the stored fingerprint %q", g.Print, in.Print)
		}
		d, err := s.Digests(ctx, []string{"L-1", "missing"})
		if err != nil {
			t.Fatal(err)
		}
		if len(d) != 1 || d["L-1"] != "d-L-1" {
			t.Errorf("digests = %v", d)
		}
		prints, err := s.Prints(ctx, []string{"L-1", "missing"})
		if err != nil {
			t.Fatal(err)
		}
		if len(prints) != 1 || !bytes.Equal(prints["L-1"], in.Print) {
			t.Errorf("prints = %q, want only L-1's %q", prints, in.Print)
		}
	})

	t.Run("sketches are yielded whole, and since the time asked", func(t *testing.T) {
		s := open(t)
		defer s.Close()
		a, b, c := entry("L-1", "P-1", t0), entry("L-2", "P-2", t0), entry("L-3", "P-3", t0)
		a.Sketch = []byte{0, 1, 2, 0xff, 17}
		c.Sketch = []byte{9}
		if err := s.Put(ctx, []indexer.Entry{a, b}); err != nil {
			t.Fatal(err)
		}
		collect := func(since time.Time) map[string]indexer.StoredSketch {
			t.Helper()
			out := map[string]indexer.StoredSketch{}
			err := s.Sketches(ctx, since, func(sk indexer.StoredSketch) error {
				out[sk.ListingID] = sk
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			return out
		}
		all := collect(time.Time{})
		if len(all) != 2 || !slices.Equal(all["L-1"].Sketch, a.Sketch) || all["L-1"].ProviderID != "P-1" || len(all["L-2"].Sketch) != 0 {
			t.Fatalf("sketches = %+v", all)
		}
		mark := time.Now()
		time.Sleep(20 * time.Millisecond)
		a.Sketch = []byte{7, 7}
		if err := s.Put(ctx, []indexer.Entry{a, c}); err != nil {
			t.Fatal(err)
		}
		since := collect(mark)
		if len(since) != 2 || !slices.Equal(since["L-1"].Sketch, []byte{7, 7}) || !slices.Equal(since["L-3"].Sketch, c.Sketch) {
			t.Fatalf("sketches since the second put = %+v, want L-1 (replaced) and L-3", since)
		}
		if got, err := s.Get(ctx, []string{"L-1"}); err != nil || len(got) != 1 || got[0].Digest != a.Digest {
			t.Fatalf("get after the sketch changed: %+v, %v", got, err)
		}
	})

	t.Run("a replaced listing is replaced", func(t *testing.T) {
		s := open(t)
		defer s.Close()
		if err := s.Put(ctx, []indexer.Entry{entry("L-1", "P-1", t0)}); err != nil {
			t.Fatal(err)
		}
		changed := entry("L-1", "P-1", t0)
		changed.Digest = "d2"
		if err := s.Put(ctx, []indexer.Entry{changed}); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Get(ctx, []string{"L-1"}); err != nil || len(got) != 1 || got[0].Digest != "d2" {
			t.Errorf("get after the change: %+v, %v", got, err)
		}
		st, err := s.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.Listings != 1 {
			t.Errorf("stats = %+v, want 1 listing", st)
		}
	})

	t.Run("many ids in one call", func(t *testing.T) {
		s := open(t)
		defer s.Close()
		var es []indexer.Entry
		var all []string
		for i := range 1500 {
			id := fmt.Sprintf("L-%04d", i)
			es = append(es, entry(id, "P-1", t0))
			all = append(all, id)
		}
		if err := s.Put(ctx, es); err != nil {
			t.Fatal(err)
		}
		entries, err := s.Get(ctx, all)
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 1500 || entries[1499].Listing.ID != "L-1499" {
			t.Errorf("get returned %d entries", len(entries))
		}
		digests, err := s.Digests(ctx, all)
		if err != nil || len(digests) != 1500 || digests["L-0042"] != "d-L-0042" {
			t.Errorf("digests: %d, %v", len(digests), err)
		}
		prints, err := s.Prints(ctx, all)
		if err != nil || len(prints) != 1500 || !bytes.Equal(prints["L-1499"], es[1499].Print) {
			t.Errorf("prints: %d, %v", len(prints), err)
		}
	})

	t.Run("findings are idempotent and keep reviews", func(t *testing.T) {
		s := open(t)
		defer s.Close()
		a := finding(listing.RuleCopyImage, "L-2", "L-1", 0.9)
		b := finding(listing.RuleCopyTitle, "L-3", "L-1", 0.8)
		res, err := s.SaveFindings(ctx, []string{"L-1", "L-2", "L-3"}, []listing.Finding{a, b})
		if err != nil {
			t.Fatal(err)
		}
		if res.Inserted != 2 || res.Updated != 0 || res.Resolved != 0 {
			t.Errorf("first save = %+v", res)
		}
		res, err = s.SaveFindings(ctx, []string{"L-1", "L-2", "L-3"}, []listing.Finding{a, b})
		if err != nil {
			t.Fatal(err)
		}
		if res.Inserted != 0 || res.Updated != 2 {
			t.Errorf("second save = %+v, want 2 updated", res)
		}
		all, err := s.Findings(ctx, indexer.FindingQuery{})
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 2 || all[0].ID != a.ID || all[0].Evidence.Distance == nil || *all[0].Evidence.Distance != 3 {
			t.Fatalf("findings = %+v", all)
		}
		if all[0].Severity != listing.SeverityHigh || all[0].First != "L-1" || all[0].OtherProviderID != "P-L-1" {
			t.Errorf("finding fields lost: %+v", all[0])
		}
	})

	t.Run("findings that no longer hold are resolved", func(t *testing.T) {
		s := open(t)
		defer s.Close()
		a := finding(listing.RuleCopyImage, "L-2", "L-1", 0.9)
		b := finding(listing.RuleCopyImage, "L-3", "L-1", 0.8)
		c := finding(listing.RuleCopyImage, "L-5", "L-4", 0.8)
		if _, err := s.SaveFindings(ctx, nil, []listing.Finding{a, b, c}); err != nil {
			t.Fatal(err)
		}
		// Re-scan of L-2 and L-3: only a still holds; c is outside the scope and stays.
		res, err := s.SaveFindings(ctx, []string{"L-2", "L-3"}, []listing.Finding{a})
		if err != nil {
			t.Fatal(err)
		}
		if res.Resolved != 1 {
			t.Errorf("resolved %d, want 1", res.Resolved)
		}
		all, _ := s.Findings(ctx, indexer.FindingQuery{})
		var got []string
		for _, f := range all {
			got = append(got, f.ListingID)
		}
		slices.Sort(got)
		if !slices.Equal(got, []string{"L-2", "L-5"}) {
			t.Errorf("remaining findings for %v, want L-2 and L-5", got)
		}
	})

	t.Run("finding filters", func(t *testing.T) {
		s := open(t)
		defer s.Close()
		fs := []listing.Finding{
			finding(listing.RuleCopyImage, "L-2", "L-1", 0.95),
			finding(listing.RuleCopyTitle, "L-2", "L-1", 0.85),
			finding(listing.RuleCopyDescription, "L-4", "L-3", 0.60),
		}
		if _, err := s.SaveFindings(ctx, nil, fs); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name string
			q    indexer.FindingQuery
			want int
		}{
			{"all", indexer.FindingQuery{}, 3},
			{"by rule", indexer.FindingQuery{Rule: listing.RuleCopyTitle}, 1},
			{"by blamed provider", indexer.FindingQuery{ProviderID: "P-L-4"}, 1},
			{"by other provider", indexer.FindingQuery{ProviderID: "P-L-1"}, 2},
			{"by listing", indexer.FindingQuery{ListingID: "L-1"}, 2},
			{"by status", indexer.FindingQuery{Status: listing.StatusOpen}, 3},
			{"by missing status", indexer.FindingQuery{Status: listing.StatusDismissed}, 0},
			{"by min score", indexer.FindingQuery{MinScore: 0.8}, 2},
			{"limited", indexer.FindingQuery{Limit: 1}, 1},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				got, err := s.Findings(ctx, c.q)
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != c.want {
					t.Errorf("got %d findings, want %d", len(got), c.want)
				}
				for i := 1; i < len(got); i++ {
					if got[i].Score > got[i-1].Score {
						t.Errorf("not ordered by score: %v then %v", got[i-1].Score, got[i].Score)
					}
				}
			})
		}
	})
}
