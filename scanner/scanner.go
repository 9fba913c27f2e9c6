// Package scanner runs the marketplace rules over listings: the batch scan
// the integrity team runs from cron, and the pieces a single pre-publish
// check reuses.
//
// A scan has three phases. Fingerprint: every input listing is loaded, its
// images decoded once (or their facts taken from the image cache) and
// hashed, its text normalised and signed. Index: the prints and sketches
// go to the store. Match: each listing gathers candidates from the
// in-memory catalogue of every stored listing's sketch (catalogue.go) —
// the listings sharing its title or description band keys (a bounded
// number per field, ranked by keys shared, stock keys left out), kept only
// if their text sketches allow a copy (sketch.go), and the nearest
// listings whose image hashes are near its own — and only those candidates
// are verified exactly.
//
// Complexity: fingerprinting is O(n) in listings (and images). Matching
// makes two key-index lookups (a binary search per key) and one image
// index query per listing, so it is O(n · k log N) plus O(c) exact
// verifications, where c is the number of candidate pairs that survive
// the sketches. No step compares all pairs: c counts only pairs that share
// a key or near image hashes and whose sketches do not rule a copy out, so
// it grows with the number of near-duplicates in the catalogue. Screens
// built from one layout are near-duplicates to a 64-bit hash, which is why
// c still grows with the catalogue when many listings share a layout
// (measured in docs/BENCHMARKS.md).
package scanner

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/listingscan/listingscan/indexer"
	"github.com/listingscan/listingscan/listing"
	"github.com/listingscan/listingscan/similarity"
)

// putBatch is how many entries go to the store per write.
const putBatch = 500

// Progress is told how far a long phase has come. The command line shows it
// as a bar on a terminal; elsewhere it is a no-op.
type Progress interface {
	Phase(name string, total int)
	Add(n int)
	Done()
}

type noProgress struct{}

func (noProgress) Phase(string, int) {}
func (noProgress) Add(int)           {}
func (noProgress) Done()             {}

// Scanner checks listings against the rules, using a store for the
// catalogue. Create it with New.
type Scanner struct {
	store    indexer.Store
	cfg      Config
	groups   groups
	fp       *fingerprinter
	workers  int
	progress Progress
	log      *slog.Logger
	loadOpts listing.LoadOptions
	noResume bool // fingerprint every listing again (WithResume(false))
	// templateDir is the template catalogue (WithTemplates); empty means
	// the template rules do not run.
	templateDir string
	// images finds image candidates among every stored listing.
	images *imageCatalogue
	// templates caches the template catalogue between checks.
	templates templateCatalogue
	// persist keeps image facts across runs (WithImageCache); nil: none.
	persist ImageCache
	// incremental skips listings unchanged since they were stored
	// (WithIncremental).
	incremental bool
	// indexOnly stops a scan once its listings are stored (WithIndexOnly).
	indexOnly bool
	// details keeps the image detail caches of finished comparisons for
	// the next, which reuse their working memory.
	details sync.Pool
}

// WithIndexOnly makes scans fingerprint and store their listings and stop
// there: no rule runs and no finding changes. It seeds a new store with a
// catalogue (a later scan or check matches against it) and measures
// indexing on its own.
func WithIndexOnly(on bool) Option {
	return func(s *Scanner) { s.indexOnly = on }
}

// Option changes how a Scanner works.
type Option func(*Scanner)

// WithWorkers sets how many listings are processed at once (default: all
// cores).
func WithWorkers(n int) Option {
	return func(s *Scanner) {
		if n > 0 {
			s.workers = n
		}
	}
}

// WithProgress reports progress of long phases.
func WithProgress(p Progress) Option {
	return func(s *Scanner) {
		if p != nil {
			s.progress = p
		}
	}
}

// WithLogger sets where the scanner logs.
func WithLogger(l *slog.Logger) Option {
	return func(s *Scanner) {
		if l != nil {
			s.log = l
		}
	}
}

// WithImageSource sets how image references are read (local files, and
// remote fetches with their limits).
func WithImageSource(src *listing.ImageSource) Option {
	return func(s *Scanner) {
		if src != nil {
			s.fp.images = src
		}
	}
}

// WithLoadOptions sets how input files are read.
func WithLoadOptions(o listing.LoadOptions) Option {
	return func(s *Scanner) { s.loadOpts = o }
}

// New makes a scanner over store with cfg.
func New(store indexer.Store, cfg Config, opts ...Option) (*Scanner, error) {
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	text, err := similarity.NewTextFingerprinter()
	if err != nil {
		return nil, fmt.Errorf("text normaliser: %w", err)
	}
	s := &Scanner{
		store:    store,
		cfg:      cfg,
		groups:   cfg.groups(),
		fp:       &fingerprinter{images: &listing.ImageSource{}, text: text, cache: newHashCache(), qr: cfg.qrSearch()},
		workers:  runtime.GOMAXPROCS(0),
		progress: noProgress{},
		log:      slog.New(slog.DiscardHandler),
		images:   newImageCatalogue(store, cfg.Image),
	}
	for _, o := range opts {
		o(s)
	}
	s.fp.persist, s.fp.log = s.persist, s.log
	return s, nil
}

// Result is what one scan did.
type Result struct {
	// Findings are the findings that hold for the scanned listings,
	// ordered by severity, then score, then id.
	Findings []listing.Finding
	// InputErrors are files, lines, listings and images that could not be
	// read. They did not stop the scan.
	InputErrors []listing.InputError
	Listings    int // listings scanned
	Candidates  int // candidate pairs verified exactly
	Resumed     int // listings unchanged since an earlier, possibly interrupted, run: stored prints reused
	// Unchanged counts the listings an incremental scan skipped
	// (WithIncremental): read, found unchanged in the store, not touched.
	Unchanged int
	// ImagesDecoded counts the images decoded and fingerprinted;
	// ImagesCached those whose facts came from the image cache instead.
	ImagesDecoded, ImagesCached int
	Saved                       indexer.SaveResult
	Elapsed                     time.Duration
}

// CandidatesPerListing is the average number of other listings each
// scanned listing was verified against: flat as the catalogue grows when
// candidate keys are selective.
func (r *Result) CandidatesPerListing() float64 {
	if r.Listings == 0 {
		return 0
	}
	return float64(r.Candidates) / float64(r.Listings)
}

// Count returns how many findings have at least severity min. Findings a
// reviewer dismissed do not count: they are not raised again.
func (r *Result) Count(min listing.Severity) int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity >= min && f.Status != listing.StatusDismissed {
			n++
		}
	}
	return n
}

// ErrStore marks failures of the store, as opposed to bad input: the scan
// could not complete.
var ErrStore = errors.New("store failure")

// Scan loads the listings under inputs, indexes them and reports every copy
// finding that involves at least one of them. copy.store compares the
// stores of the providers of these listings, and with a template catalogue
// (WithTemplates) the template rules hold these listings against the
// templates they sell.
func (s *Scanner) Scan(ctx context.Context, inputs []string) (*Result, error) {
	start := time.Now()
	res := &Result{}
	var ls []listing.Listing
	seen := map[string]string{}
	err := listing.Walk(ctx, inputs, s.loadOpts, func(l listing.Listing) error {
		if prev, dup := seen[l.ID]; dup {
			res.InputErrors = append(res.InputErrors, listing.InputError{
				File: l.Source, ListingID: l.ID,
				Err: fmt.Errorf("duplicate listing id %s, first read from %s; this one is skipped", l.ID, prev),
			})
			return nil
		}
		seen[l.ID] = l.Source
		// No rule reads the object as read (Extra), which is as large
		// as the listing itself, and a scan holds every listing.
		l.Extra = nil
		ls = append(ls, l)
		return nil
	}, func(e listing.InputError) { res.InputErrors = append(res.InputErrors, e) })
	if err != nil {
		return nil, fmt.Errorf("load inputs: %w", err)
	}
	s.log.Info("loaded listings", "listings", len(ls), "input_errors", len(res.InputErrors))
	if sh := shardOf(s.store); !sh.whole() {
		ls = sh.keep(ls)
		s.log.Info("shard selected", "shard", sh, "listings", len(ls))
	}
	return s.scanListings(ctx, ls, res, start)
}

// ScanListings scans listings that are already in memory, such as those a
// client posts to the service, exactly as Scan scans files. A listing id
// that occurs twice is an input error; the first one is scanned.
func (s *Scanner) ScanListings(ctx context.Context, ls []listing.Listing) (*Result, error) {
	start := time.Now()
	res := &Result{}
	seen := map[string]bool{}
	unique := make([]listing.Listing, 0, len(ls))
	for _, l := range ls {
		if seen[l.ID] {
			res.InputErrors = append(res.InputErrors, listing.InputError{
				File: l.Source, ListingID: l.ID, Err: fmt.Errorf("duplicate listing id %s; this one is skipped", l.ID),
			})
			continue
		}
		seen[l.ID] = true
		unique = append(unique, l)
	}
	return s.scanListings(ctx, unique, res, start)
}

// scanListings fingerprints, indexes and matches loaded listings and saves
// what it finds; res already holds the input errors of loading.
func (s *Scanner) scanListings(ctx context.Context, ls []listing.Listing, res *Result, start time.Time) (*Result, error) {
	if s.incremental {
		var err error
		if ls, res.Unchanged, err = s.changed(ctx, ls); err != nil {
			return nil, err
		}
		s.log.Info("incremental scan", "changed", len(ls), "unchanged", res.Unchanged)
	}
	decoded, reused := s.fp.decoded.Load(), s.fp.reused.Load()
	sides, entries, cp, err := s.fingerprintAll(ctx, ls)
	if err != nil {
		return nil, err
	}
	res.ImagesDecoded = int(s.fp.decoded.Load() - decoded)
	res.ImagesCached = int(s.fp.reused.Load() - reused)
	for _, sd := range sides {
		for _, pr := range sd.p.Problem {
			res.InputErrors = append(res.InputErrors, listing.InputError{
				File: sd.l.Source, ListingID: sd.l.ID, Err: fmt.Errorf("%s: %s", pr.Ref, pr.Reason),
			})
		}
	}
	if err := s.index(ctx, cp.toIndex(entries)); err != nil {
		return nil, err
	}
	// Stored: the encoded prints and sketches are not needed again (sides
	// hold the decoded prints), and at catalogue scale they are most of
	// the memory.
	for i := range entries {
		entries[i].Print, entries[i].Sketch = nil, nil
	}
	if s.indexOnly {
		res.Listings, res.Resumed, res.Elapsed = len(sides), cp.count, time.Since(start)
		return res, nil
	}
	tf, err := s.templateFindings(ctx, sides, res)
	if err != nil {
		return nil, err
	}
	pf, err := s.policyFindings(ctx, sides)
	if err != nil {
		return nil, err
	}
	// The rules that read a listing's description as written have run;
	// matching reads prints. Dropping the HTML before the match lowers a
	// 100k scan's largest live heap from 2.25 to 1.80 GB.
	for _, sd := range sides {
		sd.l.DescriptionHTML = ""
	}
	findings, candidates, err := s.match(ctx, sides, res.Unchanged > 0)
	if err != nil {
		return nil, err
	}
	findings = slices.Concat(findings, tf, pf)
	SortFindings(findings)
	findings = s.cfg.applyRuleSettings(findings)
	scope := make([]string, len(sides))
	for i, sd := range sides {
		scope[i] = sd.l.ID
	}
	res.Saved, err = s.store.SaveFindings(ctx, scope, findings)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrStore, err)
	}
	res.Findings = findings
	res.Listings = len(sides)
	res.Resumed = cp.count
	res.Candidates = candidates
	res.Elapsed = time.Since(start)
	return res, nil
}

// fingerprintAll computes prints of all listings on all workers, keeping
// input order. Listings unchanged since an earlier run reuse their stored
// prints (see checkpoint.go).
func (s *Scanner) fingerprintAll(ctx context.Context, ls []listing.Listing) ([]side, []indexer.Entry, *checkpoint, error) {
	cp, err := s.loadCheckpoint(ctx, ls)
	if err != nil {
		return nil, nil, nil, err
	}
	sides := make([]side, len(ls))
	entries := make([]indexer.Entry, len(ls))
	cp.track(entries)
	s.progress.Phase("fingerprint", len(ls))
	defer s.progress.Done()
	err = parallel(ctx, s.workers, len(ls), func(ctx context.Context, i int) error {
		if cp.take(i, entries, sides) {
			s.progress.Add(1)
			return nil
		}
		e, p, err := s.fp.fingerprint(ctx, ls[i])
		if err != nil {
			return fmt.Errorf("fingerprint %s: %w", ls[i].ID, err)
		}
		cp.stamp(i, &e)
		entries[i] = e
		sides[i] = side{l: &entries[i].Listing, p: p}
		if err := cp.fresh(ctx, i); err != nil {
			return err
		}
		s.progress.Add(1)
		return nil
	})
	return sides, entries, cp, err
}

func (s *Scanner) index(ctx context.Context, entries []indexer.Entry) error {
	s.progress.Phase("index", len(entries))
	defer s.progress.Done()
	for start := 0; start < len(entries); start += putBatch {
		end := min(start+putBatch, len(entries))
		if err := s.store.Put(ctx, entries[start:end]); err != nil {
			return fmt.Errorf("%w: index listings: %w", ErrStore, err)
		}
		s.progress.Add(end - start)
	}
	return nil
}

// match verifies every listing against its candidates. A pair is verified
// once, however many of its keys led to it and from which side. Boilerplate
// is learnt from the listings of the run, or, when the run holds only part
// of the catalogue (partial: an incremental scan that skipped listings),
// from a sample of the catalogue.
func (s *Scanner) match(ctx context.Context, sides []side, partial bool) ([]listing.Finding, int, error) {
	// Each pair is verified once. A pair of two listings of the run is
	// claimed by their positions in sides (2.5 million pairs at 100k
	// listings); a stored listing is met only by listings of the run, each
	// of which claims it once. A pair's findings, whose ids name the rule
	// and the pair, are therefore found once and gathered without a map.
	var (
		mu       sync.Mutex
		done     = map[[2]int32]bool{}
		out      []listing.Finding
		verified int
	)
	claim := func(a, b int32) bool {
		k := [2]int32{min(a, b), max(a, b)}
		mu.Lock()
		defer mu.Unlock()
		if done[k] {
			return false
		}
		done[k] = true
		verified++
		return true
	}
	claimStored := func(seen map[string]bool, id string) bool {
		if seen[id] {
			return false
		}
		seen[id] = true
		mu.Lock()
		verified++
		mu.Unlock()
		return true
	}
	images, err := s.images.current(ctx, true)
	if err != nil {
		return nil, 0, err
	}
	var weights similarity.Weights
	if partial {
		if weights, err = s.boilerplate(ctx, images); err != nil {
			return nil, 0, err
		}
	} else {
		weights = s.weights(sides)
	}
	rules := &copyRules{cfg: s.cfg, weights: weights}
	// Every listing of the run meets several candidates: its description
	// weights are looked up once, here.
	sides = slices.Clone(sides)
	err = parallel(ctx, s.workers, len(sides), func(_ context.Context, i int) error {
		sides[i] = rules.withWeights(sides[i])
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	inRun := make(map[string]int32, len(sides))
	for i, sd := range sides {
		inRun[sd.l.ID] = int32(i)
	}
	joined := images.joinImages(len(sides), s.workers)
	s.progress.Phase("match", len(sides))
	defer s.progress.Done()
	err = parallel(ctx, s.workers, len(sides), func(ctx context.Context, i int) error {
		me := sides[i]
		cands := s.candidates(images, me, joined)
		var others []side
		var fetch []string
		var seenStored map[string]bool
		for _, c := range cands {
			if c.listingID == me.l.ID || s.groups.related(me.l.Provider.ID, c.providerID) {
				continue
			}
			if o, ok := inRun[c.listingID]; ok {
				if claim(int32(i), o) {
					others = append(others, sides[o])
				}
				continue
			}
			if seenStored == nil {
				seenStored = map[string]bool{}
			}
			if claimStored(seenStored, c.listingID) {
				fetch = append(fetch, c.listingID)
			}
		}
		stored, err := s.stored(ctx, images, fetch)
		if err != nil {
			return err
		}
		others = append(others, stored...)
		var found []listing.Finding
		details := s.detailCache()
		for _, o := range others {
			if s.groups.related(me.l.Provider.ID, o.l.Provider.ID) {
				continue
			}
			found = append(found, rules.check(me, o, details)...)
		}
		s.putDetailCache(details)
		mu.Lock()
		out = append(out, found...)
		mu.Unlock()
		s.progress.Add(1)
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	SortFindings(out)
	return out, verified, nil
}

// detailCache lends a cache for one listing's comparisons; putDetailCache
// takes it back once they are done.
func (s *Scanner) detailCache() *similarity.DetailCache {
	if c, ok := s.details.Get().(*similarity.DetailCache); ok {
		return c
	}
	return &similarity.DetailCache{}
}

func (s *Scanner) putDetailCache(c *similarity.DetailCache) {
	c.Forget()
	s.details.Put(c)
}

// candidates are the stored listings that may match me: those sharing
// its title band keys whose titles the title rule could call copied; those
// sharing most of its description band keys, unless their digests rule a
// copy out; and those whose images are near its own. All of it is decided
// in the catalogue's memory (catalogue.go, sketch.go), so only the
// candidates left are read from the store. joined is the catalogue's
// image candidates of a batch (catalogueSnapshot.joinImages), or nil.
func (s *Scanner) candidates(images *catalogueSnapshot, me side, joined [][]int32) []candidate {
	mine := me.p.textSketch()
	fields := []struct {
		keys  []uint64 // fingerprints
		limit int
		may   func(a, b textSketch) bool
		via   uint8
	}{
		{me.p.titleKeys, maxTitleCandidates, s.cfg.titleMayMatch, viaTitle},
		{me.p.descKeys, maxDescCandidates, s.cfg.descriptionMayMatch, viaDescription},
	}
	var out []candidate
	for _, f := range fields {
		for _, c := range images.textCandidates(f.keys, f.limit, maxKeyPostings) {
			if f.may(mine, *c.text) {
				c.via = f.via
				out = append(out, c)
			}
		}
	}
	return append(out, images.candidates(me.l.ID, me.p.imageSketch(), joined)...)
}

// Text candidates per listing. The limits were measured on the 100k
// synthetic marketplace (docs/BENCHMARKS.md), against the 2,007 labelled
// description copies and 2,007 title copies, each copy asking for its
// original:
//
//   - maxKeyPostings: a band key held by more than 100 listings is stock
//     wording and proposes nothing; every copy still shares a rarer key with
//     its original.
//   - maxDescCandidates: ranked by description keys shared, every original
//     is among its copy's first 16 candidates (all but one among the first
//     2), out of a median of 670. Checks and incremental scans learn
//     boilerplate from the catalogue (boilerplate.go), not from these few.
//   - maxTitleCandidates: ranked by title keys shared, every original is
//     among the first 128 of a median of 216 (generic titles share keys
//     with many); titles are judged exactly in memory, so the margin is
//     cheap.
const (
	maxKeyPostings     = 100
	maxDescCandidates  = 32
	maxTitleCandidates = 512
)

// stored loads listings of the catalogue that are not part of this run:
// their prints from the store, and what the rules read of the listings
// themselves from their sketches in snap, so the listings are not read.
func (s *Scanner) stored(ctx context.Context, snap *catalogueSnapshot, ids []string) ([]side, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	prints, err := s.store.Prints(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("%w: load candidates: %w", ErrStore, err)
	}
	out := make([]side, 0, len(prints))
	for _, id := range ids {
		raw, ok := prints[id]
		if !ok {
			continue
		}
		t, provider, ok := snap.sketch(id)
		if !ok {
			continue // its sketch is unreadable, and its print is not used either
		}
		p, err := decodePrint(raw)
		if err != nil {
			s.log.Warn("stored fingerprint unreadable; listing skipped until re-scanned", "listing", id, "err", err)
			continue
		}
		if p == nil {
			continue // fingerprinted by another version; it is re-done when that listing is scanned again
		}
		out = append(out, side{l: t.listing(id, provider), p: p})
	}
	return out, nil
}

// weights learns which description shingles are boilerplate: those used by
// many distinct providers in this catalogue.
func (s *Scanner) weights(sides []side) similarity.Weights {
	b := similarity.NewWeightsBuilder(s.cfg.weights())
	for _, sd := range sides {
		b.Add(sd.l.Provider.ID, sd.p.DescSh)
	}
	return b.Build()
}

// SortFindings orders findings most urgent first: severity, score, then id.
func SortFindings(fs []listing.Finding) {
	slices.SortFunc(fs, func(a, b listing.Finding) int {
		return cmp.Or(
			cmp.Compare(b.Severity, a.Severity),
			cmp.Compare(b.Score, a.Score),
			cmp.Compare(a.Rule, b.Rule),
			cmp.Compare(a.ID, b.ID),
		)
	})
}

// parallel runs fn for 0..n-1 on workers goroutines and returns the first
// error, cancelling the rest.
func parallel(ctx context.Context, workers, n int, fn func(context.Context, int) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	next := make(chan int)
	var wg sync.WaitGroup
	for range max(1, min(workers, n)) {
		wg.Go(func() {
			for i := range next {
				if err := fn(ctx, i); err != nil {
					cancel(err)
				}
			}
		})
	}
feed:
	for i := range n {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return ctx.Err()
}
