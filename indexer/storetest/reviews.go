package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/listingscan/listingscan/indexer"
	"github.com/listingscan/listingscan/listing"
)

// ReviewStore is a store that also keeps reviewers' verdicts.
type ReviewStore interface {
	indexer.Store
	indexer.Reviews
}

// ReviewOpener returns a new, empty store that keeps verdicts.
type ReviewOpener func(t *testing.T) ReviewStore

// RunReviews runs the contract of verdicts, finding lookups and paging.
func RunReviews(t *testing.T, open ReviewOpener) {
	ctx := context.Background()
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

	// seeded stores two listings and the copy finding between them.
	seeded := func(t *testing.T) (ReviewStore, listing.Finding) {
		s := open(t)
		t.Cleanup(func() { s.Close() })
		if err := s.Put(ctx, []indexer.Entry{entry("L-1", "P-1", t0), entry("L-2", "P-2", t0.Add(time.Hour))}); err != nil {
			t.Fatal(err)
		}
		f := finding(listing.RuleCopyImage, "L-2", "L-1", 0.9)
		if _, err := s.SaveFindings(ctx, []string{"L-1", "L-2"}, []listing.Finding{f}); err != nil {
			t.Fatal(err)
		}
		return s, f
	}
	rescan := func(t *testing.T, s ReviewStore, f listing.Finding) listing.Finding {
		t.Helper()
		fs := []listing.Finding{f}
		if _, err := s.SaveFindings(ctx, []string{"L-1", "L-2"}, fs); err != nil {
			t.Fatal(err)
		}
		got, err := s.Finding(ctx, f.ID)
		if err != nil {
			t.Fatal(err)
		}
		if fs[0].Status != got.Status {
			t.Errorf("SaveFindings reported status %q, stored %q", fs[0].Status, got.Status)
		}
		return got
	}

	t.Run("a finding is found by id", func(t *testing.T) {
		s, f := seeded(t)
		got, err := s.Finding(ctx, f.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != f.ID || got.ListingID != "L-2" || got.Status != listing.StatusOpen {
			t.Errorf("finding = %+v", got)
		}
		if _, err := s.Finding(ctx, "no-such-finding"); !errors.Is(err, indexer.ErrNotFound) {
			t.Errorf("unknown finding: err = %v, want ErrNotFound", err)
		}
	})

	t.Run("verdicts set the status and keep a history", func(t *testing.T) {
		s, f := seeded(t)
		steps := []struct {
			status listing.Status
			want   listing.Status
		}{
			{listing.StatusDismissed, listing.StatusDismissed},
			{listing.Reopened, listing.StatusOpen},
			{listing.StatusConfirmed, listing.StatusConfirmed},
		}
		for i, st := range steps {
			got, err := s.SetVerdict(ctx, listing.Verdict{FindingID: f.ID, Status: st.status, Reviewer: "审核员甲", Note: fmt.Sprintf("第%d次", i+1)})
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != st.want {
				t.Errorf("after %s: status %q, want %q", st.status, got.Status, st.want)
			}
		}
		hist, err := s.Verdicts(ctx, f.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(hist) != 3 || hist[0].Status != listing.StatusDismissed || hist[2].Status != listing.StatusConfirmed ||
			hist[1].Reviewer != "审核员甲" || hist[2].Note != "第3次" || hist[0].At.IsZero() {
			t.Errorf("history = %+v", hist)
		}
		if _, err := s.SetVerdict(ctx, listing.Verdict{FindingID: "no-such-finding", Status: listing.StatusConfirmed, Reviewer: "x"}); !errors.Is(err, indexer.ErrNotFound) {
			t.Errorf("verdict on unknown finding: err = %v, want ErrNotFound", err)
		}
		if _, err := s.SetVerdict(ctx, listing.Verdict{FindingID: f.ID, Status: "maybe", Reviewer: "x"}); err == nil {
			t.Error("unknown verdict status accepted")
		}
	})

	t.Run("a confirmed finding stays confirmed across re-scans", func(t *testing.T) {
		s, f := seeded(t)
		if _, err := s.SetVerdict(ctx, listing.Verdict{FindingID: f.ID, Status: listing.StatusConfirmed, Reviewer: "r"}); err != nil {
			t.Fatal(err)
		}
		if got := rescan(t, s, f); got.Status != listing.StatusConfirmed {
			t.Errorf("status after re-scan = %q, want confirmed", got.Status)
		}
		// Even a scan that no longer finds it keeps the reviewed finding.
		if _, err := s.SaveFindings(ctx, []string{"L-1", "L-2"}, nil); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Finding(ctx, f.ID); err != nil || got.Status != listing.StatusConfirmed {
			t.Errorf("reviewed finding after a scan without it: %+v, %v", got, err)
		}
	})

	t.Run("a dismissed pair is not raised again unless a listing changes", func(t *testing.T) {
		s, f := seeded(t)
		if _, err := s.SetVerdict(ctx, listing.Verdict{FindingID: f.ID, Status: listing.StatusDismissed, Reviewer: "r", Note: "同一模板的正常截图"}); err != nil {
			t.Fatal(err)
		}
		if got := rescan(t, s, f); got.Status != listing.StatusDismissed {
			t.Fatalf("status after unchanged re-scan = %q, want dismissed", got.Status)
		}
		changed := entry("L-2", "P-2", t0.Add(time.Hour))
		changed.Digest = "d-L-2-edited"
		if err := s.Put(ctx, []indexer.Entry{changed}); err != nil {
			t.Fatal(err)
		}
		fs := []listing.Finding{f}
		res, err := s.SaveFindings(ctx, []string{"L-2"}, fs)
		if err != nil {
			t.Fatal(err)
		}
		if res.Reopened != 1 || fs[0].Status != listing.StatusOpen {
			t.Errorf("after the listing changed: result %+v, status %q; want it reopened", res, fs[0].Status)
		}
		hist, err := s.Verdicts(ctx, f.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(hist) != 2 || hist[1].Status != listing.Reopened {
			t.Errorf("history = %+v, want the dismissal then a reopening", hist)
		}
	})

	t.Run("pages cover every finding once in a stable order", func(t *testing.T) {
		s := open(t)
		defer s.Close()
		var fs []listing.Finding
		for i := range 23 {
			f := finding(listing.RuleCopyImage, fmt.Sprintf("L-%02d", i+10), "L-01", float64(i%4)/4+0.2)
			f.Severity = listing.Severity(i % 4)
			f.DetectedAt = t0.Add(time.Duration(i) * time.Minute)
			fs = append(fs, f)
		}
		if _, err := s.SaveFindings(ctx, nil, fs); err != nil {
			t.Fatal(err)
		}
		all, err := s.Findings(ctx, indexer.FindingQuery{})
		if err != nil {
			t.Fatal(err)
		}
		var paged []listing.Finding
		q := indexer.FindingQuery{Limit: 5}
		for range 10 {
			page, err := s.Findings(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			paged = append(paged, page...)
			q.After = indexer.FindingCursor(page[len(page)-1])
		}
		if len(paged) != len(all) {
			t.Fatalf("paging returned %d findings, all at once %d", len(paged), len(all))
		}
		for i := range all {
			if paged[i].ID != all[i].ID {
				t.Fatalf("page order differs at %d: %s vs %s", i, paged[i].ID, all[i].ID)
			}
		}
		cases := []struct {
			name string
			q    indexer.FindingQuery
			want int
		}{
			{"min severity high", indexer.FindingQuery{MinSeverity: listing.SeverityHigh}, 5},
			{"since", indexer.FindingQuery{Since: t0.Add(20 * time.Minute)}, 3},
			{"until", indexer.FindingQuery{Until: t0.Add(2 * time.Minute)}, 2},
			{"window", indexer.FindingQuery{Since: t0.Add(5 * time.Minute), Until: t0.Add(10 * time.Minute)}, 5},
		}
		for _, c := range cases {
			got, err := s.Findings(ctx, c.q)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != c.want {
				t.Errorf("%s: %d findings, want %d", c.name, len(got), c.want)
			}
		}
		if _, err := s.Findings(ctx, indexer.FindingQuery{After: "garbage"}); err == nil {
			t.Error("a malformed cursor was accepted")
		}
	})
}
