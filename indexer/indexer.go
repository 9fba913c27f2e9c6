// Package indexer defines what a listing store keeps and how it is asked for
// candidates. Its sub-packages are the stores: indexer/sqlite (embedded, the
// default) and indexer/elastic (Elasticsearch, for scale).
//
// A store does not understand similarity. It keeps, per listing, the listing
// itself, an opaque fingerprint the scanner verifies candidates against, and
// an opaque sketch. The scanner reads every sketch once and finds
// candidates in memory (image hashes, text band keys); a store only hands
// back what it was given, which is why both stores give the same candidates
// for the same input.
package indexer

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/listingscan/listingscan/listing"
)

// Entry is everything a store keeps about one listing.
type Entry struct {
	Listing listing.Listing
	// Print is the scanner's fingerprint of the listing (image hashes, text
	// signatures), opaque bytes so stores never depend on how it is made.
	Print []byte
	// Digest identifies the listing's content (fields and image bytes). An
	// unchanged digest means an incremental scan may skip the listing.
	Digest string
	// Sketch is the small part of the print the scanner keeps in memory
	// for the whole catalogue (image hashes without their detail), also
	// opaque. Stores return it from Sketches only, never from Get.
	Sketch []byte
}

// StoredSketch is one listing's sketch as Sketches yields it.
type StoredSketch struct {
	ListingID  string
	ProviderID string
	Sketch     []byte
}

// FindingQuery selects findings. Zero fields do not filter. Results come in
// one stable order — score descending, then id — so that a reviewer paging
// through a queue sees every finding once.
type FindingQuery struct {
	Rule        string
	ProviderID  string
	ListingID   string
	Status      listing.Status
	MinScore    float64
	MinSeverity listing.Severity
	// Since and Until bound the time a finding was first detected
	// (Since inclusive, Until exclusive).
	Since, Until time.Time
	// After is a cursor (FindingCursor of the last finding of the previous
	// page): only findings after it in the order are returned.
	After string
	Limit int
}

// FindingCursor is the position of f in the findings order, for
// FindingQuery.After. It is opaque to callers.
func FindingCursor(f listing.Finding) string {
	return strconv.FormatFloat(f.Score, 'g', -1, 64) + "~" + f.ID
}

// ParseFindingCursor reads a cursor made by FindingCursor.
func ParseFindingCursor(c string) (score float64, id string, err error) {
	s, id, ok := strings.Cut(c, "~")
	if !ok || id == "" {
		return 0, "", fmt.Errorf("malformed cursor %q", c)
	}
	score, err = strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, "", fmt.Errorf("malformed cursor %q: %w", c, err)
	}
	return score, id, nil
}

// SaveResult counts what SaveFindings changed.
type SaveResult struct {
	Inserted int // findings not seen before
	Updated  int // findings already stored, refreshed
	Resolved int // open findings of the scope that no longer hold, removed
	Reopened int // dismissed findings reopened because a listing changed
}

// Stats describes a store's contents.
type Stats struct {
	Listings int
	Findings int
	Updated  time.Time
}

// ErrNotFound is returned when a listing or finding does not exist.
var ErrNotFound = errors.New("not found")

// Store is the contract both backends satisfy; the shared contract tests in
// indexer/storetest run against each.
type Store interface {
	// Put inserts or replaces entries.
	Put(ctx context.Context, entries []Entry) error
	// Get returns the stored entries with the given ids, skipping unknown ids.
	Get(ctx context.Context, ids []string) ([]Entry, error)
	// Prints returns the stored print of each known id, without its
	// listing: a scanner knows what it needs of a candidate's listing
	// from its sketch, and reads only the print to verify it.
	Prints(ctx context.Context, ids []string) (map[string][]byte, error)
	// Digests returns the stored content digest of each known id.
	Digests(ctx context.Context, ids []string) (map[string]string, error)
	// Sketches calls fn for every listing stored at or after since (every
	// listing for the zero time), with its sketch, which may be empty. The
	// scanner builds its in-memory candidate indexes from them, and
	// refreshes them with the listings written since the last call.
	Sketches(ctx context.Context, since time.Time, fn func(StoredSketch) error) error
	// SaveFindings stores findings by id, keeping a reviewed finding's
	// status, and sets each finding's Status to the stored one. A dismissed
	// finding is reopened when one of its listings changed (its digest)
	// since the verdict. Open findings that involve a listing in scope and
	// are not in findings no longer hold and are removed; reviewed ones are
	// kept.
	SaveFindings(ctx context.Context, scope []string, findings []listing.Finding) (SaveResult, error)
	// Findings returns findings matching q, highest score first.
	Findings(ctx context.Context, q FindingQuery) ([]listing.Finding, error)
	// Stats counts what the store holds.
	Stats(ctx context.Context) (Stats, error)
	// Ping reports whether the store answers, at the cost of a request,
	// not of counting it as Stats does: what a health check calls.
	Ping(ctx context.Context) error
	Close() error
}

// Reviews is what a store keeps of reviewers' work: verdicts and their
// history. A verdict sticks: later scans keep a confirmed finding confirmed
// and a dismissed one dismissed, unless one of its listings changes.
type Reviews interface {
	// Finding returns one finding, or ErrNotFound.
	Finding(ctx context.Context, id string) (listing.Finding, error)
	// SetVerdict records v and sets the finding's status: confirmed or
	// dismissed, or open again for a reopened verdict. It returns the
	// finding as it is now, or ErrNotFound.
	SetVerdict(ctx context.Context, v listing.Verdict) (listing.Finding, error)
	// Verdicts returns the finding's verdict history, oldest first.
	Verdicts(ctx context.Context, findingID string) ([]listing.Verdict, error)
}

// VerdictStatus checks a verdict and gives the status it sets on its
// finding: confirmed or dismissed as given, open again for a reopened one.
// Every store uses it, so all accept the same verdicts.
func VerdictStatus(v listing.Verdict) (listing.Status, error) {
	if strings.TrimSpace(v.Reviewer) == "" {
		return "", fmt.Errorf("verdict on %s: no reviewer", v.FindingID)
	}
	switch v.Status {
	case listing.StatusConfirmed, listing.StatusDismissed:
		return v.Status, nil
	case listing.Reopened:
		return listing.StatusOpen, nil
	}
	return "", fmt.Errorf("verdict on %s: unknown status %q", v.FindingID, v.Status)
}

// InOrder lists the entries found for ids in the order of ids, each once,
// skipping ids that were not found: what Get returns in every store.
func InOrder(ids []string, found map[string]Entry) []Entry {
	out := make([]Entry, 0, len(found))
	for _, id := range ids {
		if e, ok := found[id]; ok {
			out = append(out, e)
			delete(found, id)
		}
	}
	return out
}
