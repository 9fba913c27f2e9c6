package scanner

import (
	"slices"
	"testing"

	"github.com/listingscan/listingscan/indexer"
	"github.com/listingscan/listingscan/similarity"
)

// TestTextCandidates checks the in-memory text candidates: ranked by keys
// shared, ties by id, cut at the limit, stock keys proposing nothing, and a
// listing stored again since the catalogue was loaded found through its
// new keys only.
func TestTextCandidates(t *testing.T) {
	k := func(name string) uint64 { return similarity.KeyFingerprint(name) }
	stored := func(id string, keys ...string) indexer.StoredSketch {
		fps := make([]uint64, len(keys))
		for i, name := range keys {
			fps[i] = k(name)
		}
		return indexer.StoredSketch{ListingID: id, ProviderID: "P-" + id, Sketch: textSketch{title: id, keys: fps}.encode(nil)}
	}
	c := newImageCatalogue(nil, DefaultConfig().Image)
	base, err := c.build([]indexer.StoredSketch{
		stored("L-1", "k1", "k2", "k3"),
		stored("L-2", "k2", "k3"),
		stored("L-3", "k3"),
		stored("L-4", "other"),
		stored("L-5", "old"),
		{ListingID: "L-9", ProviderID: "P-9", Sketch: []byte("unreadable")},
	})
	if err != nil {
		t.Fatal(err)
	}
	recent, err := c.build([]indexer.StoredSketch{stored("L-5", "new", "k3"), stored("L-0", "k2", "k3")})
	if err != nil {
		t.Fatal(err)
	}
	snap := newSnapshot(base, recent)
	ids := func(cs []candidate) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.listingID)
		}
		return out
	}
	for _, tc := range []struct {
		name        string
		keys        []string
		limit, max  int
		want        []string
		wantTopHits int
	}{
		{"ranked by keys shared, ties by id", []string{"k1", "k2", "k3", "unknown"}, 10, 100, []string{"L-1", "L-0", "L-2", "L-3", "L-5"}, 3},
		{"cut at the limit", []string{"k1", "k2", "k3"}, 2, 100, []string{"L-1", "L-0"}, 3},
		{"keys held by more than max propose nothing", []string{"k1", "k2", "k3"}, 10, 2, []string{"L-1"}, 1},
		{"a re-stored listing is found by its new keys", []string{"new"}, 10, 100, []string{"L-5"}, 1},
		{"and not by its old ones", []string{"old"}, 10, 100, nil, 0},
		{"no keys", nil, 10, 100, nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fps := make([]uint64, len(tc.keys))
			for i, name := range tc.keys {
				fps[i] = k(name)
			}
			got := snap.textCandidates(fps, tc.limit, tc.max)
			if !slices.Equal(ids(got), tc.want) {
				t.Fatalf("candidates = %v, want %v", ids(got), tc.want)
			}
			if len(got) > 0 && (got[0].hits != tc.wantTopHits || got[0].providerID != "P-"+got[0].listingID) {
				t.Errorf("first candidate %+v, want %d hits", got[0], tc.wantTopHits)
			}
		})
	}
	if _, ok := snap.text("L-9"); ok {
		t.Error("a listing with an unreadable sketch has a text sketch")
	}
}
