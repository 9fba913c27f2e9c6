package scanner

import (
	"context"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"

	"github.com/listingscan/listingscan/indexer"
	"github.com/listingscan/listingscan/listing"
)

// Shard is one of Count disjoint parts of the catalogue, numbered from 1,
// so that Count workers scanning the same inputs against one store split
// the work between them. A listing belongs to the shard picked by a stable
// hash of its id: the split does not depend on input order, file layout or
// which worker starts first. The zero value is the whole catalogue.
//
// Each shard fingerprints, indexes and matches only its own listings. A
// pair split between two shards is found by whichever shard matches after
// both listings are in the store: each shard indexes before it matches, so
// whichever of the two matches second sees the other's listing. Run the
// shards one after the other or at the same time; together they find what
// one unsharded scan finds.
//
// Two things differ from an unsharded scan. Boilerplate weights are learned
// from the shard's own listings, so with very common wording a shard may
// weigh it differently than the whole catalogue would. And a shard never
// resolves a stale finding whose other listing belongs to another shard: it
// may not have seen that listing's latest version, and deleting it would
// undo the other shard's work. Such findings are resolved by the next
// unsharded scan.
type Shard struct {
	Index, Count int
}

// ParseShard reads "i/n" with 1 <= i <= n.
func ParseShard(s string) (Shard, error) {
	i, n, ok := strings.Cut(s, "/")
	if !ok {
		return Shard{}, fmt.Errorf("shard %q: want i/n, e.g. 2/3", s)
	}
	idx, err1 := strconv.Atoi(strings.TrimSpace(i))
	cnt, err2 := strconv.Atoi(strings.TrimSpace(n))
	if err1 != nil || err2 != nil || cnt < 1 || idx < 1 || idx > cnt {
		return Shard{}, fmt.Errorf("shard %q: want i/n with 1 <= i <= n, e.g. 2/3", s)
	}
	return Shard{Index: idx, Count: cnt}, nil
}

func (sh Shard) String() string {
	if sh.Count <= 1 {
		return "1/1"
	}
	return fmt.Sprintf("%d/%d", sh.Index, sh.Count)
}

// whole is true when the shard is the entire catalogue.
func (sh Shard) whole() bool { return sh.Count <= 1 }

// Owns reports whether the listing with id belongs to this shard.
func (sh Shard) Owns(id string) bool {
	if sh.whole() {
		return true
	}
	h := fnv.New64a()
	h.Write([]byte(id))
	return int(h.Sum64()%uint64(sh.Count)) == sh.Index-1
}

// keep returns the listings of ls the shard owns, in their order.
func (sh Shard) keep(ls []listing.Listing) []listing.Listing {
	if sh.whole() {
		return ls
	}
	out := ls[:0:0]
	for _, l := range ls {
		if sh.Owns(l.ID) {
			out = append(out, l)
		}
	}
	return out
}

// WithShard makes the scanner work on one shard of its inputs (see Shard).
func WithShard(sh Shard) Option {
	return func(s *Scanner) {
		if sh.whole() {
			return
		}
		s.store = &shardStore{Store: s.store, shard: sh}
	}
}

// shardOf is the shard a scanner works on: WithShard wraps its store.
func shardOf(st indexer.Store) Shard {
	if ss, ok := st.(*shardStore); ok {
		return ss.shard
	}
	return Shard{}
}

// shardStore keeps a shard's stale-finding cleanup to findings between its
// own listings: open findings of the scope that involve another shard's
// listing and that this run did not produce are saved again unchanged
// instead of being resolved.
type shardStore struct {
	indexer.Store
	shard Shard
}

func (st *shardStore) SaveFindings(ctx context.Context, scope []string, findings []listing.Finding) (indexer.SaveResult, error) {
	inScope := make(map[string]bool, len(scope))
	for _, id := range scope {
		inScope[id] = true
	}
	produced := make(map[string]bool, len(findings))
	for _, f := range findings {
		produced[f.ID] = true
	}
	open, err := st.Store.Findings(ctx, indexer.FindingQuery{Status: listing.StatusOpen})
	if err != nil {
		return indexer.SaveResult{}, fmt.Errorf("shard %s: open findings: %w", st.shard, err)
	}
	kept := 0
	all := findings
	for _, f := range open {
		if produced[f.ID] || !(inScope[f.ListingID] || inScope[f.OtherListingID]) {
			continue
		}
		if st.shard.Owns(f.ListingID) && (f.OtherListingID == "" || st.shard.Owns(f.OtherListingID)) {
			continue // both sides are ours: this run decides
		}
		if kept == 0 {
			all = append([]listing.Finding(nil), findings...)
		}
		all = append(all, f)
		kept++
	}
	res, err := st.Store.SaveFindings(ctx, scope, all)
	res.Updated -= min(kept, res.Updated)
	return res, err
}
