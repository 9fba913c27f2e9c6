package scanner

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/listingscan/listingscan/indexer"
	"github.com/listingscan/listingscan/similarity"
)

// The catalogue.
//
// Image candidates come from an index of every stored listing's image
// hashes held in memory (similarity.ImageIndex over the stores' sketches,
// about 300 bytes a listing), not from store keys: a copy may sit 8 bits
// away on a hash, and a store asked for every key within 8 bits of a hash
// would read thousands of rows per image. In memory the same search costs
// microseconds.
//
// Text candidates come from an in-memory index of the same listings' band
// key fingerprints (similarity.KeyIndex, about 950 bytes a listing), also
// read from the sketches. Asked of the store, the two band-key queries of
// each listing were a quarter of a batch scan's time and a seventh of a
// pre-publish check's.
//
// The index is loaded once from the store (Sketches) and then kept
// current: this scanner's own writes are added as they happen, and
// listings written by other processes are read back, at most every
// catalogueRefresh, as those stored since the previous read (minus
// catalogueSlack, for writes whose transaction started before and
// committed after). Recent listings sit in a small second index, which
// also shadows their older selves in the main one; once there are many of
// them, the whole index is loaded again.

const (
	catalogueRefresh = time.Second
	catalogueSlack   = 10 * time.Second
	// recentLimit bounds the second index before a full reload: a tenth of
	// the catalogue, at least recentFloor listings.
	recentFloor = 4096
)

// errTooManyRecent stops a refresh that has found enough changed listings
// to warrant loading the whole index again.
var errTooManyRecent = errors.New("too many recent listings")

// imageCatalogue is the scanner's view of every stored listing's images.
// It is safe for concurrent use.
type imageCatalogue struct {
	store      indexer.Store
	thresholds similarity.ImageThresholds

	snap atomic.Pointer[catalogueSnapshot]

	mu        sync.Mutex   // serialises loads and refreshes
	watermark time.Time    // the next refresh reads listings stored from here
	checked   atomic.Int64 // when the store was last read, in Unix nanoseconds
	recent    map[string]indexer.StoredSketch
}

// catalogueSnapshot is an immutable state of the catalogue that queries
// read without locks.
type catalogueSnapshot struct {
	base, recent *sketchIndex
	// shadowed marks the positions of base whose listings recent holds
	// newer; nil when recent is empty.
	shadowed []bool
	// counters are hitCounters sized for base and recent, reused across
	// text candidate queries.
	counters sync.Pool
}

// newSnapshot is the snapshot of base with recent's listings over it.
func newSnapshot(base, recent *sketchIndex) *catalogueSnapshot {
	s := &catalogueSnapshot{base: base, recent: recent}
	for id := range recent.byID {
		if pos, ok := base.byID[id]; ok && pos >= 0 {
			if s.shadowed == nil {
				s.shadowed = make([]bool, len(base.ids))
			}
			s.shadowed[pos] = true
		}
	}
	return s
}

// sketchIndex is an ImageIndex and a KeyIndex with the listings their
// owners stand for and their text sketches.
type sketchIndex struct {
	ids, providers []string
	// rank orders the positions as their ids sort: candidates tied at a
	// cut are taken in id order, and comparing ranks costs less than
	// comparing ids.
	rank  []int32
	texts []textSketch
	byID  map[string]int32 // position in ids
	index *similarity.ImageIndex
	keys  *similarity.KeyIndex

	// weights is the boilerplate learnt from a sample of these listings
	// (boilerplate.go), once, when first needed.
	weightsMu sync.Mutex
	weights   *sampleWeights
}

func newImageCatalogue(store indexer.Store, t similarity.ImageThresholds) *imageCatalogue {
	return &imageCatalogue{store: store, thresholds: t}
}

// build indexes sketches. A listing whose sketch cannot be read (stored
// by an older version, whose print is not used either) is left out until
// it is scanned again.
func (c *imageCatalogue) build(sketches []indexer.StoredSketch) (*sketchIndex, error) {
	x := &sketchIndex{byID: make(map[string]int32, len(sketches))}
	raw := make([]similarity.Sketch, 0, len(sketches))
	keys := make([][]uint64, 0, len(sketches))
	for _, sk := range sketches {
		images, text, err := decodeSketch(sk.Sketch)
		if err != nil {
			continue
		}
		x.byID[sk.ListingID] = int32(len(x.ids))
		x.ids = append(x.ids, sk.ListingID)
		x.providers = append(x.providers, sk.ProviderID)
		keys = append(keys, text.keys)
		text.keys = nil
		x.texts = append(x.texts, text)
		raw = append(raw, images)
	}
	idx, err := similarity.NewImageIndex(c.thresholds, raw)
	if err != nil {
		return nil, err
	}
	x.index = idx
	byID := make([]int32, len(x.ids))
	for i := range byID {
		byID[i] = int32(i)
	}
	slices.SortFunc(byID, func(a, b int32) int { return strings.Compare(x.ids[a], x.ids[b]) })
	x.rank = make([]int32, len(x.ids))
	for r, pos := range byID {
		x.rank[pos] = int32(r)
	}
	if x.keys, err = similarity.NewKeyIndex(keys); err != nil {
		return nil, err
	}
	return x, nil
}

// current returns a snapshot no older than catalogueRefresh, reading the
// store when it is due; fresh forces the read (a batch scan that has just
// written its listings).
func (c *imageCatalogue) current(ctx context.Context, fresh bool) (*catalogueSnapshot, error) {
	due := func() bool { return fresh || time.Since(time.Unix(0, c.checked.Load())) >= catalogueRefresh }
	if snap := c.snap.Load(); snap != nil && !due() {
		return snap, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if snap := c.snap.Load(); snap != nil && !due() {
		return snap, nil // another caller refreshed while this one waited
	}
	start := time.Now()
	if c.snap.Load() == nil {
		if err := c.reload(ctx, start); err != nil {
			return nil, err
		}
		return c.snap.Load(), nil
	}
	// Once the recent listings outgrow the second index the whole index is
	// loaded again, so reading more of them would be read twice.
	limit := max(recentFloor, len(c.snap.Load().base.ids)/10)
	err := c.store.Sketches(ctx, c.watermark, func(sk indexer.StoredSketch) error {
		c.recent[sk.ListingID] = sk
		if len(c.recent) > limit {
			return errTooManyRecent
		}
		return nil
	})
	if errors.Is(err, errTooManyRecent) {
		if err := c.reload(ctx, start); err != nil {
			return nil, err
		}
		return c.snap.Load(), nil
	}
	if err != nil {
		return nil, fmt.Errorf("%w: refresh image index: %w", ErrStore, err)
	}
	c.checked.Store(start.UnixNano())
	c.watermark = start.Add(-catalogueSlack)
	if err := c.publishRecent(); err != nil {
		return nil, err
	}
	return c.snap.Load(), nil
}

// reload reads every sketch and replaces the snapshot. Called with mu held.
func (c *imageCatalogue) reload(ctx context.Context, start time.Time) error {
	var all []indexer.StoredSketch
	err := c.store.Sketches(ctx, time.Time{}, func(sk indexer.StoredSketch) error {
		all = append(all, sk)
		return nil
	})
	if err != nil {
		return fmt.Errorf("%w: load image index: %w", ErrStore, err)
	}
	base, err := c.build(all)
	if err != nil {
		return fmt.Errorf("%w: load image index: %w", ErrStore, err)
	}
	empty, _ := c.build(nil)
	c.recent = map[string]indexer.StoredSketch{}
	c.checked.Store(start.UnixNano())
	c.watermark = start.Add(-catalogueSlack)
	c.snap.Store(newSnapshot(base, empty))
	return nil
}

// publishRecent rebuilds the second index from c.recent. Called with mu
// held.
func (c *imageCatalogue) publishRecent() error {
	sks := make([]indexer.StoredSketch, 0, len(c.recent))
	for _, sk := range c.recent {
		sks = append(sks, sk)
	}
	recent, err := c.build(sks)
	if err != nil {
		return fmt.Errorf("%w: refresh image index: %w", ErrStore, err)
	}
	// Listings in recent without a readable sketch still shadow the base.
	for _, sk := range sks {
		if _, ok := recent.byID[sk.ListingID]; !ok {
			recent.byID[sk.ListingID] = -1
		}
	}
	c.snap.Store(newSnapshot(c.snap.Load().base, recent))
	return nil
}

// wrote adds entries this scanner has just stored, so that the next query
// sees them without waiting for a refresh. Before the first load there is
// nothing to add to: the load will read them.
func (c *imageCatalogue) wrote(entries []indexer.Entry) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.snap.Load() == nil {
		return nil
	}
	for _, e := range entries {
		c.recent[e.Listing.ID] = indexer.StoredSketch{ListingID: e.Listing.ID, ProviderID: e.Listing.Provider.ID, Sketch: e.Sketch}
	}
	return c.publishRecent()
}

// maxImageCandidates bounds the image candidates of one listing, per
// index, the nearest kept: a stock picture that hundreds of listings show
// made each of them a candidate, and one check verified a thousand pairs.
// On the 100k scale corpus every labelled image copy found with the 64
// nearest is found with the 32 nearest too, and the slowest pre-publish
// checks, drafts among many screens of one layout, read and verify up to
// a third fewer candidates (docs/BENCHMARKS.md, "Pre-publish check").
const maxImageCandidates = 32

// maxLogoCandidates bounds the logos copy.store compares one store's logo
// with, the nearest kept: a stock badge shared by hundreds of stores made
// every pair of them a candidate.
const maxLogoCandidates = 64

// candidates returns the stored listings whose images may match sketch,
// the images of listing id, as store candidates. joined, when not nil, is
// the main index's candidates of all its listings (joinImages); it answers
// for id when the index holds id with the same sketch.
func (s *catalogueSnapshot) candidates(id string, sketch similarity.Sketch, joined [][]int32) []candidate {
	if len(sketch) == 0 {
		return nil
	}
	var out []candidate
	for _, o := range s.recent.index.Candidates(sketch, maxImageCandidates) {
		out = append(out, candidate{listingID: s.recent.ids[o], providerID: s.recent.providers[o], hits: 1, via: viaImage})
	}
	var base []int32
	if o, ok := s.base.byID[id]; ok && joined != nil && s.base.index.Holds(o, sketch) {
		base = joined[o]
	} else {
		base = s.base.index.Candidates(sketch, maxImageCandidates)
	}
	for _, o := range base {
		if !s.isShadowed(o) {
			id := s.base.ids[o]
			out = append(out, candidate{listingID: id, providerID: s.base.providers[o], hits: 1, via: viaImage})
		}
	}
	return out
}

// joinImages returns the image candidates of every listing of the main
// index (ImageIndex.CandidatesOfAll) when a batch of n listings is large
// enough for that to cost less than asking for each, and nil otherwise.
// Joining the index of the 100k scale corpus took a third of the CPU time
// of querying it for every listing (45 s against 139 s), so the join pays
// from a third of the catalogue.
func (s *catalogueSnapshot) joinImages(n, workers int) [][]int32 {
	if n < len(s.base.ids)/3 || n < recentFloor {
		return nil
	}
	return s.base.index.CandidatesOfAll(maxImageCandidates, workers)
}

// candidate is a stored listing that may match a query listing.
type candidate struct {
	listingID, providerID string
	// hits is how many of the query's keys it shares (1 for an image
	// candidate).
	hits int
	// via says what proposed it: viaTitle, viaDescription or viaImage.
	via uint8
	// text is its text sketch, when the text index proposed it.
	text *textSketch
}

const (
	viaTitle uint8 = 1 << iota
	viaDescription
	viaImage
)

// textCandidates returns the stored listings that share most of keys (key
// fingerprints of one text field), at most limit of them, those sharing
// most first, ties by id. A key held by more than maxPostings listings is
// stock wording and proposes nothing.
func (s *catalogueSnapshot) textCandidates(keys []uint64, limit, maxPostings int) []candidate {
	hc, _ := s.counters.Get().(*hitCounter)
	if hc == nil {
		hc = &hitCounter{hits: [2][]uint8{make([]uint8, len(s.base.ids)), make([]uint8, len(s.recent.ids))}}
	}
	defer s.counters.Put(hc)
	indexes := [2]*sketchIndex{s.base, s.recent}
	for _, k := range keys {
		inBase, inRecent := s.base.keys.Holders(k), s.recent.keys.Holders(k)
		if inBase.Len()+inRecent.Len() > maxPostings {
			continue
		}
		for which, h := range [2]similarity.KeyHolders{inBase, inRecent} {
			for i := range h.Len() {
				hc.add(which, h.Item(i))
			}
		}
	}
	byID := func(a, b hitRef) int {
		if a.which == b.which {
			return cmp.Compare(indexes[a.which].rank[a.pos], indexes[b.which].rank[b.pos])
		}
		return strings.Compare(indexes[a.which].ids[a.pos], indexes[b.which].ids[b.pos])
	}
	kept := hc.take(limit, byID, func(r hitRef) bool {
		return r.which == 0 && s.isShadowed(r.pos)
	})
	// Most hits first, ties by id.
	slices.SortFunc(kept, func(a, b hitRef) int {
		return cmp.Or(cmp.Compare(b.hits, a.hits), byID(a, b))
	})
	out := make([]candidate, len(kept))
	for i, r := range kept {
		x := indexes[r.which]
		out[i] = candidate{listingID: x.ids[r.pos], providerID: x.providers[r.pos], hits: int(r.hits), text: &x.texts[r.pos]}
	}
	return out
}

// isShadowed reports whether recent holds a newer sketch of the listing at
// position pos of base.
func (s *catalogueSnapshot) isShadowed(pos int32) bool {
	return s.shadowed != nil && s.shadowed[pos]
}

// hitCounter counts the keys each listing of a snapshot shares with one
// query, in dense arrays by position (0: base index, 1: recent): a query
// with common words meets thousands of holders, and counting them in a map
// was most of the cost of a text candidate query at 100,000 listings.
// Counts saturate at 255; a query has at most 70 keys.
type hitCounter struct {
	hits    [2][]uint8
	touched []hitRef
	// perHits groups the touched listings by their hits in take, kept
	// for the next query.
	perHits [256][]hitRef
}

// hitRef is one listing met by a query.
type hitRef struct {
	which int
	pos   int32
	hits  uint8
}

func (c *hitCounter) add(which int, pos int32) {
	if c.hits[which][pos] == 0 {
		c.touched = append(c.touched, hitRef{which: which, pos: pos})
	}
	if c.hits[which][pos] < 255 {
		c.hits[which][pos]++
	}
}

// take returns the limit listings with most hits, ties broken by byID,
// leaving out those skip rejects, and clears the counter for the next
// query. Only the listings tied at the cut are sorted.
func (c *hitCounter) take(limit int, byID func(a, b hitRef) int, skip func(hitRef) bool) []hitRef {
	perHits := &c.perHits
	for h := range perHits {
		perHits[h] = perHits[h][:0]
	}
	for _, r := range c.touched {
		r.hits = c.hits[r.which][r.pos]
		c.hits[r.which][r.pos] = 0
		if !skip(r) {
			perHits[r.hits] = append(perHits[r.hits], r)
		}
	}
	c.touched = c.touched[:0]
	var out []hitRef
	for h := 255; h > 0 && len(out) < limit; h-- {
		group := perHits[h]
		if len(out)+len(group) > limit {
			slices.SortFunc(group, byID)
			group = group[:limit-len(out)]
		}
		out = append(out, group...)
	}
	return out
}

// text returns the text sketch of a stored listing; ok is false when the
// catalogue does not know it (stored since the last refresh, or without a
// readable sketch).
func (s *catalogueSnapshot) text(id string) (textSketch, bool) {
	t, _, ok := s.sketch(id)
	return t, ok
}

// sketch returns a stored listing's text sketch and provider.
func (s *catalogueSnapshot) sketch(id string) (textSketch, string, bool) {
	for _, x := range []*sketchIndex{s.recent, s.base} {
		if i, ok := x.byID[id]; ok {
			if i < 0 {
				return textSketch{}, "", false
			}
			return x.texts[i], x.providers[i], true
		}
	}
	return textSketch{}, "", false
}
