// Package indexer defines what a listing store keeps and how it is asked for
// candidates. Its sub-packages are the stores: indexer/sqlite (embedded, the
// default) and indexer/elastic (Elasticsearch, for scale).
//
// A store does not understand similarity. It keeps, per listing, the listing
// itself, an opaque fingerprint the scanner verifies candidates against, and
// a set of string keys. Finding candidates is an exact lookup of keys — the
// scanner makes the keys so that near-duplicates share at least one — which
// is why both stores return the same candidates for the same input.
package indexer

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/listingscan/listingscan/listing"
)

// Entry is everything a store keeps about one listing.
type Entry struct {
	Listing listing.Listing
	// Print is the scanner's fingerprint of the listing (image hashes, text
	// signatures), kept opaque so stores never depend on how it is made.
	Print json.RawMessage
	// Keys are the candidate keys: two listings that share a key are
	// compared, two that share none never are.
	Keys []string
	// Digest identifies the listing's content (fields and image bytes). An
	// unchanged digest means an incremental scan may skip the listing.
	Digest string
}

// Candidate is a stored listing that shares keys with a query.
type Candidate struct {
	ListingID  string
	ProviderID string
	// Hits is how many of the query's keys the candidate shares.
	Hits int
}

// FindingQuery selects findings. Zero fields do not filter.
type FindingQuery struct {
	Rule       string
	ProviderID string
	ListingID  string
	Status     listing.Status
	MinScore   float64
	Limit      int
}

// SaveResult counts what SaveFindings changed.
type SaveResult struct {
	Inserted int // findings not seen before
	Updated  int // findings already stored, refreshed
	Resolved int // open findings of the scope that no longer hold, removed
}

// Stats describes a store's contents.
type Stats struct {
	Listings int
	Keys     int
	Findings int
	Updated  time.Time
}

// ErrNotFound is returned when a listing or finding does not exist.
var ErrNotFound = errors.New("not found")

// Store is the contract both backends satisfy; the shared contract tests in
// indexer/storetest run against each.
type Store interface {
	// Put inserts or replaces entries. A replaced listing's old keys are
	// removed, so it is no longer found through keys it lost.
	Put(ctx context.Context, entries []Entry) error
	// Get returns the stored entries with the given ids, skipping unknown ids.
	Get(ctx context.Context, ids []string) ([]Entry, error)
	// Digests returns the stored content digest of each known id.
	Digests(ctx context.Context, ids []string) (map[string]string, error)
	// Candidates returns the listings that share at least one key.
	Candidates(ctx context.Context, keys []string) ([]Candidate, error)
	// SaveFindings stores findings by id, keeping a reviewed finding's
	// status. Open findings that involve a listing in scope and are not in
	// findings no longer hold and are removed; reviewed ones are kept.
	SaveFindings(ctx context.Context, scope []string, findings []listing.Finding) (SaveResult, error)
	// Findings returns findings matching q, highest score first.
	Findings(ctx context.Context, q FindingQuery) ([]listing.Finding, error)
	// Stats counts what the store holds.
	Stats(ctx context.Context) (Stats, error)
	Close() error
}

// SortCandidates puts the candidates sharing most keys first, ties by id, so
// that every store returns candidates in the same order.
func SortCandidates(cs []Candidate) {
	slices.SortFunc(cs, func(a, b Candidate) int {
		if a.Hits != b.Hits {
			return b.Hits - a.Hits
		}
		return strings.Compare(a.ListingID, b.ListingID)
	})
}
