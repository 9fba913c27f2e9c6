package scanner

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/listingscan/listingscan/indexer"
	"github.com/listingscan/listingscan/listing"
	"github.com/listingscan/listingscan/similarity"
)

// Resuming a scan.
//
// Fingerprinting (reading, decoding and hashing every image) is most of the
// cost of a scan, and its result is already in the store for every listing
// an earlier run indexed, whether that run completed or was killed halfway.
// Each listing's store digest is therefore a resume key computed without
// reading any image: the print version, the listing's fields as loaded, and
// the version of each image it refers to (path, size and modification time
// of a local file; the address of a remote one). A listing whose stored
// digest equals its resume key reuses its stored print and is not written to
// the store again; every other listing is fingerprinted and indexed as
// usual. Matching and saving findings always cover every listing of the run,
// so a resumed run reports exactly what an uninterrupted one does. Anything
// that changes what fingerprint computes for the same listing and images
// (a hash variant, a normaliser table, a setting fed to it) must bump
// printVersion, or stored prints made the old way would be resumed.
//
// Fingerprinted entries are written to the store while fingerprinting goes
// on, every checkpointBatch entries or checkpointEvery, whichever comes
// first, so a run killed during its longest phase loses at most the last
// few seconds of work. The store writes each batch of entries, and all
// findings of a run, in one transaction: a run killed at any point leaves
// whole batches behind, which the next run resumes from. Matching starts
// only when every listing of the run is in the store, so writing early
// changes no finding.

// imageVersioner is implemented by image readers that can name the version
// of an image without reading it (listing.ImageSource). Without it, nothing
// is resumed.
type imageVersioner interface {
	Version(baseFile, ref string) string
}

// WithResume turns resuming from the store on or off (default on). Off
// fingerprints every listing again, for runs that must measure or verify
// fingerprinting itself.
func WithResume(on bool) Option {
	return func(s *Scanner) { s.noResume = !on }
}

// checkpoint is what one scan reuses from the store: per listing of the
// run, its resume key and, when the stored print is still valid, the stored
// entry.
type checkpoint struct {
	keys    []string
	resumed []*resumedEntry
	count   int

	// The writer of fresh entries during fingerprinting.
	store   indexer.Store
	entries []indexer.Entry
	mu      sync.Mutex
	pending []int
	last    time.Time
	written []bool
}

// Checkpoint pacing: fresh entries go to the store in batches of this
// many, or at least this often.
const (
	checkpointBatch = 100
	checkpointEvery = 2 * time.Second
)

type resumedEntry struct {
	entry indexer.Entry
	print *Print
}

// loadCheckpoint computes the resume keys of ls and fetches the stored
// entries whose digest matches. A store that cannot answer is a store
// failure, as it would be later in the scan.
func (s *Scanner) loadCheckpoint(ctx context.Context, ls []listing.Listing) (*checkpoint, error) {
	cp := &checkpoint{
		keys: make([]string, len(ls)), resumed: make([]*resumedEntry, len(ls)),
		store: s.store, written: make([]bool, len(ls)), last: time.Now(),
	}
	if s.noResume {
		return cp, nil
	}
	keys, stored, err := s.storedState(ctx, ls)
	if err != nil || keys == nil {
		return cp, err
	}
	cp.keys = keys
	var want []int
	for i, l := range ls {
		if d, ok := stored[l.ID]; ok && d == cp.keys[i] {
			want = append(want, i)
		}
	}
	for start := 0; start < len(want); start += putBatch {
		part := want[start:min(start+putBatch, len(want))]
		partIDs := make([]string, len(part))
		for j, i := range part {
			partIDs[j] = ls[i].ID
		}
		entries, err := s.store.Get(ctx, partIDs)
		if err != nil {
			return nil, fmt.Errorf("%w: read checkpoint: %w", ErrStore, err)
		}
		byID := make(map[string]*indexer.Entry, len(entries))
		for k := range entries {
			byID[entries[k].Listing.ID] = &entries[k]
		}
		for _, i := range part {
			e, ok := byID[ls[i].ID]
			if !ok || e.Digest != cp.keys[i] {
				continue // changed since Digests was read: fingerprint it
			}
			if r := s.resumeEntry(ls[i], e, cp.keys[i]); r != nil {
				cp.resumed[i] = r
				cp.count++
			}
		}
	}
	return cp, nil
}

// storedState computes the resume keys of ls and reads the digests the
// store holds for them. Without an image reader that can name image
// versions it returns no keys: nothing can be known unchanged.
func (s *Scanner) storedState(ctx context.Context, ls []listing.Listing) ([]string, map[string]string, error) {
	v, ok := s.fp.images.(imageVersioner)
	if !ok || len(ls) == 0 {
		return nil, nil, nil
	}
	keys := make([]string, len(ls))
	err := parallel(ctx, s.workers, len(ls), func(_ context.Context, i int) error {
		key, err := resumeKey(v, ls[i])
		if err != nil {
			return err
		}
		keys[i] = key
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	ids := make([]string, len(ls))
	for i, l := range ls {
		ids[i] = l.ID
	}
	stored, err := s.store.Digests(ctx, ids)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: read checkpoint: %w", ErrStore, err)
	}
	return keys, stored, nil
}

// WithIncremental makes scans skip the listings that are unchanged since
// they were stored (same fields, same image versions, same print version):
// they are neither fingerprinted, nor matched, nor rescoped, and their
// stored findings stand. Only the changed and new listings are matched,
// against the whole catalogue, so a scan after a small change costs in
// proportion to the change. Rules that look at a whole run (copy.store,
// copy.template, boilerplate weights) see only the changed listings; a
// change of configuration or templates needs a full scan.
func WithIncremental(on bool) Option {
	return func(s *Scanner) { s.incremental = on }
}

// changed keeps the listings of ls the store does not hold as they are,
// and counts the others.
func (s *Scanner) changed(ctx context.Context, ls []listing.Listing) ([]listing.Listing, int, error) {
	keys, stored, err := s.storedState(ctx, ls)
	if err != nil || keys == nil {
		return ls, 0, err
	}
	out := ls[:0:0]
	for i, l := range ls {
		if d, ok := stored[l.ID]; !ok || d != keys[i] {
			out = append(out, l)
		}
	}
	return out, len(ls) - len(out), nil
}

// resumeEntry rebuilds a listing's entry from its stored print, or returns
// nil when the print cannot be reused (unreadable, another version, or text
// the current normaliser reads differently).
func (s *Scanner) resumeEntry(l listing.Listing, stored *indexer.Entry, key string) *resumedEntry {
	p, err := decodePrint(stored.Print)
	if err != nil || p == nil {
		return nil
	}
	desc, _ := listing.ParseDescription(l.DescriptionHTML) // its error is in the stored print's problems
	title := s.fp.text.Title(l.Title)
	body := s.fp.text.Description(desc.Text)
	if title.Normalized != p.Title || body.Normalized != p.Desc {
		return nil
	}
	p.titleKeys, p.descKeys = similarity.KeyFingerprints(title.Keys), similarity.KeyFingerprints(body.Keys)
	return &resumedEntry{
		entry: indexer.Entry{Listing: l, Print: stored.Print, Digest: key, Sketch: p.sketch(&l)},
		print: p,
	}
}

// take fills entry i from the checkpoint when it was resumed.
func (cp *checkpoint) take(i int, entries []indexer.Entry, sides []side) bool {
	r := cp.resumed[i]
	if r == nil {
		return false
	}
	entries[i] = r.entry
	r.entry = indexer.Entry{} // entries[i] holds it now; keep one copy
	sides[i] = side{l: &entries[i].Listing, p: r.print}
	return true
}

// stamp gives a freshly fingerprinted entry its resume key, so that the
// next run can resume it.
func (cp *checkpoint) stamp(i int, e *indexer.Entry) {
	if cp.keys[i] != "" {
		e.Digest = cp.keys[i]
	}
}

// track makes entries the slice fresh entries are written from.
func (cp *checkpoint) track(entries []indexer.Entry) { cp.entries = entries }

// fresh records that entries[i] was fingerprinted, and writes the pending
// entries to the store when a batch is full or the last write is
// checkpointEvery old.
func (cp *checkpoint) fresh(ctx context.Context, i int) error {
	cp.mu.Lock()
	cp.pending = append(cp.pending, i)
	var batch []int
	if len(cp.pending) >= checkpointBatch || time.Since(cp.last) >= checkpointEvery {
		batch, cp.pending, cp.last = cp.pending, nil, time.Now()
	}
	cp.mu.Unlock()
	if batch == nil {
		return nil
	}
	es := make([]indexer.Entry, len(batch))
	for j, k := range batch {
		es[j] = cp.entries[k]
	}
	if err := cp.store.Put(ctx, es); err != nil {
		return fmt.Errorf("%w: index listings: %w", ErrStore, err)
	}
	cp.mu.Lock()
	for _, k := range batch {
		cp.written[k] = true
		// Stored: the encoded print and sketch are not needed again,
		// and a large run would otherwise hold all of them.
		cp.entries[k].Print, cp.entries[k].Sketch = nil, nil
	}
	cp.mu.Unlock()
	return nil
}

// toIndex are the entries the store does not hold yet: neither resumed
// nor written during fingerprinting.
func (cp *checkpoint) toIndex(entries []indexer.Entry) []indexer.Entry {
	cp.mu.Lock()
	defer cp.mu.Unlock()
	out := make([]indexer.Entry, 0, len(entries))
	for i := range entries {
		if cp.resumed[i] == nil && !cp.written[i] {
			out = append(out, entries[i])
		}
	}
	return out
}

// resumeKey identifies what fingerprinting l would read: its fields and the
// versions of its images, under the current print version.
func resumeKey(v imageVersioner, l listing.Listing) (string, error) {
	doc, err := json.Marshal(&l)
	if err != nil {
		return "", fmt.Errorf("encode listing %s: %w", l.ID, err)
	}
	h := sha256.New()
	h.Write(doc)
	seen := map[string]bool{}
	for _, ref := range append(slices.Clone(l.Images), listing.DescriptionImages(l.DescriptionHTML)...) {
		if ref == "" || seen[ref] {
			continue
		}
		seen[ref] = true
		h.Write([]byte{0})
		h.Write([]byte(ref))
		h.Write([]byte{0})
		h.Write([]byte(v.Version(l.Source, ref)))
	}
	return fmt.Sprintf("%d:r:%x", printVersion, h.Sum(nil)[:16]), nil
}
