package elastic

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/listingscan/listingscan/indexer"
	"github.com/listingscan/listingscan/listing"
)

// listingDoc is a listing document as stored.
type listingDoc struct {
	ID           string          `json:"id"`
	ProviderID   string          `json:"provider_id"`
	ProviderName string          `json:"provider_name,omitempty"`
	TemplateID   string          `json:"template_id,omitempty"`
	Category     string          `json:"category,omitempty"`
	Tags         []string        `json:"tags,omitempty"`
	Title        string          `json:"title"`
	Summary      string          `json:"summary,omitempty"`
	Description  string          `json:"description,omitempty"`
	PublishedAt  *time.Time      `json:"published_at,omitempty"`
	UpdatedAt    *time.Time      `json:"updated_at,omitempty"`
	FirstSeen    *time.Time      `json:"first_seen,omitempty"`
	StoredAt     time.Time       `json:"stored_at"`
	Digest       string          `json:"digest"`
	Listing      json.RawMessage `json:"listing"`
	Print        []byte          `json:"print"`
	Sketch       []byte          `json:"sketch,omitempty"`
	// Source is the file the listing was read from, which its image
	// references are relative to. The listing's JSON leaves it out.
	Source string `json:"source,omitempty"`
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}

// version is the external version of a listing: its updated_at in
// milliseconds, else its published_at, else 0.
func version(l *listing.Listing) int64 {
	for _, t := range []time.Time{l.UpdatedAt, l.PublishedAt} {
		if ms := t.UnixMilli(); !t.IsZero() && ms > 0 {
			return ms
		}
	}
	return 0
}

// Put writes entries in bulk, keyed by listing id and versioned by
// updated_at (see the package documentation). The next candidate query
// sees them. It returns a *BulkError naming the entries
// that could not be written after retries; the others are written.
func (s *Store) Put(ctx context.Context, entries []indexer.Entry) error {
	if len(entries) == 0 {
		return nil
	}
	now := time.Now().UTC()
	ops := make([]op, 0, len(entries))
	seen := make(map[string]int, len(entries))
	for _, e := range entries {
		l := e.Listing
		raw, err := json.Marshal(&l)
		if err != nil {
			return fmt.Errorf("elasticsearch %s: encode listing %s: %w", s.url, l.ID, err)
		}
		print := e.Print
		if print == nil {
			print = []byte{}
		}
		doc := listingDoc{
			ID: l.ID, ProviderID: l.Provider.ID, ProviderName: l.Provider.Name, TemplateID: l.TemplateID,
			Category: l.Category, Tags: l.Tags, Title: l.Title, Summary: l.Summary, Description: l.DescriptionHTML,
			PublishedAt: timePtr(l.PublishedAt), UpdatedAt: timePtr(l.UpdatedAt), FirstSeen: timePtr(l.FirstSeen()),
			StoredAt: now, Digest: e.Digest, Listing: raw, Print: print,
			Sketch: e.Sketch, Source: l.Source,
		}
		body, err := json.Marshal(&doc)
		if err != nil {
			return fmt.Errorf("elasticsearch %s: encode listing %s: %w", s.url, l.ID, err)
		}
		v := version(&l)
		o := op{action: "index", id: l.ID, body: body, version: &v, versionType: "external_gte"}
		// Within one call the last entry of an id wins, as in a sequence of puts.
		if i, dup := seen[l.ID]; dup {
			ops[i] = o
			continue
		}
		seen[l.ID] = len(ops)
		ops = append(ops, o)
	}
	got, err := s.bulk(ctx, s.listings, ops)
	if err != nil {
		return fmt.Errorf("elasticsearch %s: put listings: %w", s.url, err)
	}
	failed := map[string]outcome{}
	for _, o := range ops {
		r := got[o.id]
		switch {
		case r.ok():
		case r.status == http.StatusConflict:
			s.log.Info("stored listing is newer; this version is not written", "listing", o.id, "version", *o.version)
		default:
			failed[o.id] = r
		}
	}
	if len(failed) < len(ops) {
		s.written.Add(1)
	}
	if len(failed) > 0 {
		return fmt.Errorf("elasticsearch %s: %w", s.url, failedError("put listings", len(ops), failed))
	}
	return nil
}

// mgetChunk bounds the ids per multi-get and the terms per query.
const mgetChunk = 1000

func chunks(ids []string, n int, fn func(part []string) error) error {
	for start := 0; start < len(ids); start += n {
		if err := fn(ids[start:min(start+n, len(ids))]); err != nil {
			return err
		}
	}
	return nil
}

// mget fetches the sources of ids from the listings index, with only the
// given source fields, each decoded into a T as the response is read.
func mget[T any](ctx context.Context, s *Store, ids []string, fields []string, fn func(id string, src *T) error) error {
	return chunks(ids, mgetChunk, func(part []string) error {
		body, err := json.Marshal(map[string]any{"ids": part})
		if err != nil {
			return err
		}
		res, err := s.es.Mget(bytes.NewReader(body), s.es.Mget.WithContext(ctx), s.es.Mget.WithIndex(s.listings),
			s.es.Mget.WithSourceIncludes(fields...))
		if err != nil {
			return err
		}
		var out struct {
			Docs []struct {
				ID     string          `json:"_id"`
				Found  bool            `json:"found"`
				Source *T              `json:"_source"`
				Error  json.RawMessage `json:"error"`
			} `json:"docs"`
		}
		if err := decode(res, "mget", &out); err != nil {
			return err
		}
		for _, d := range out.Docs {
			if len(d.Error) > 0 {
				return fmt.Errorf("mget %s: %s", d.ID, d.Error)
			}
			if d.Found && d.Source != nil {
				if err := fn(d.ID, d.Source); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// Get returns the stored entries for ids, in the order of ids, skipping
// unknown ids.
func (s *Store) Get(ctx context.Context, ids []string) ([]indexer.Entry, error) {
	byID := make(map[string]indexer.Entry, len(ids))
	err := mget(ctx, s, ids, []string{"digest", "listing", "print", "source"}, func(id string, d *listingDoc) error {
		e := indexer.Entry{Digest: d.Digest, Print: d.Print}
		if err := json.Unmarshal(d.Listing, &e.Listing); err != nil {
			return fmt.Errorf("decode listing %s: %w", id, err)
		}
		e.Listing.Source = d.Source
		byID[id] = e
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("elasticsearch %s: get listings: %w", s.url, err)
	}
	return indexer.InOrder(ids, byID), nil
}

// Prints returns the stored prints of the known ids.
func (s *Store) Prints(ctx context.Context, ids []string) (map[string][]byte, error) {
	type printDoc struct {
		Print []byte `json:"print"`
	}
	out := make(map[string][]byte, len(ids))
	err := mget(ctx, s, ids, []string{"print"}, func(id string, d *printDoc) error {
		out[id] = d.Print
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("elasticsearch %s: prints: %w", s.url, err)
	}
	return out, nil
}

// Digests returns the content digests of the known ids.
func (s *Store) Digests(ctx context.Context, ids []string) (map[string]string, error) {
	type digestDoc struct {
		Digest string `json:"digest"`
	}
	out := make(map[string]string, len(ids))
	err := mget(ctx, s, ids, []string{"digest"}, func(id string, d *digestDoc) error {
		out[id] = d.Digest
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("elasticsearch %s: digests: %w", s.url, err)
	}
	return out, nil
}

// searchPage is how many hits one page of a paged search returns.
const searchPage = 5000

// Sketches yields the sketches of the listings stored at or after since,
// in pages sorted by id, with only the two fields needed from the source.
func (s *Store) Sketches(ctx context.Context, since time.Time, fn func(indexer.StoredSketch) error) error {
	if err := s.visible(ctx); err != nil {
		return fmt.Errorf("elasticsearch %s: sketches: %w", s.url, err)
	}
	q := map[string]any{"match_all": map[string]any{}}
	if !since.IsZero() {
		q = map[string]any{"range": map[string]any{"stored_at": map[string]any{"gte": since.UTC().Format(time.RFC3339Nano)}}}
	}
	extra := map[string]any{"_source": []string{"provider_id", "sketch"}}
	err := s.search(ctx, s.listings, q, extra, []any{map[string]any{"id": "asc"}}, nil, 0, func(h hit) error {
		var doc struct {
			ProviderID string `json:"provider_id"`
			Sketch     []byte `json:"sketch"`
		}
		if err := json.Unmarshal(h.Source, &doc); err != nil {
			return fmt.Errorf("decode sketch of %s: %w", h.ID, err)
		}
		return fn(indexer.StoredSketch{ListingID: h.ID, ProviderID: doc.ProviderID, Sketch: doc.Sketch})
	})
	if err != nil {
		return fmt.Errorf("elasticsearch %s: sketches: %w", s.url, err)
	}
	return nil
}

// hit is one search hit.
type hit struct {
	ID     string          `json:"_id"`
	Source json.RawMessage `json:"_source"`
	Sort   []any           `json:"sort"`
}

// scan runs query on index and calls fn for every hit, in pages sorted by
// the id field, without the source: the id comes from the sort value. Each
// page is one bounded request.
func (s *Store) scan(ctx context.Context, index string, query map[string]any, fn func(hit) error) error {
	req := map[string]any{"_source": false, "stored_fields": "_none_"}
	return s.search(ctx, index, query, req, []any{map[string]any{"id": "asc"}}, nil, 0, func(h hit) error {
		if h.ID == "" && len(h.Sort) > 0 {
			h.ID, _ = h.Sort[0].(string)
		}
		return fn(h)
	})
}

// search runs query sorted by sort (which must end in a unique field) and
// calls fn for each hit after the sort values after (none: from the start),
// paging with search_after, stopping after limit hits when limit > 0. extra
// are further request body fields (source filtering).
func (s *Store) search(ctx context.Context, index string, query map[string]any, extra map[string]any, sort []any, after []any, limit int, fn func(hit) error) error {
	seen := 0
	for {
		size := searchPage
		if limit > 0 {
			size = min(size, limit-seen)
		}
		req := map[string]any{"query": query, "sort": sort, "size": size, "track_total_hits": false}
		for k, v := range extra {
			req[k] = v
		}
		if after != nil {
			req["search_after"] = after
		}
		body, err := json.Marshal(req)
		if err != nil {
			return err
		}
		res, err := s.es.Search(s.es.Search.WithContext(ctx), s.es.Search.WithIndex(index), s.es.Search.WithBody(bytes.NewReader(body)))
		if err != nil {
			return err
		}
		var out struct {
			Hits struct {
				Hits []hit `json:"hits"`
			} `json:"hits"`
		}
		if err := decode(res, "search "+index, &out); err != nil {
			return err
		}
		for _, h := range out.Hits.Hits {
			if err := fn(h); err != nil {
				return err
			}
		}
		seen += len(out.Hits.Hits)
		if len(out.Hits.Hits) < size || (limit > 0 && seen >= limit) {
			return nil
		}
		after = out.Hits.Hits[len(out.Hits.Hits)-1].Sort
	}
}

// Stats counts listings and findings.
func (s *Store) Stats(ctx context.Context) (indexer.Stats, error) {
	var st indexer.Stats
	if err := s.visible(ctx); err != nil {
		return st, fmt.Errorf("elasticsearch %s: stats: %w", s.url, err)
	}
	body := `{"size":0,"track_total_hits":true,"aggs":{"updated":{"max":{"field":"stored_at"}}}}`
	res, err := s.es.Search(s.es.Search.WithContext(ctx), s.es.Search.WithIndex(s.listings), s.es.Search.WithBody(bytes.NewReader([]byte(body))))
	if err != nil {
		return st, fmt.Errorf("elasticsearch %s: stats: %w", s.url, err)
	}
	var out struct {
		Hits struct {
			Total struct {
				Value int `json:"value"`
			} `json:"total"`
		} `json:"hits"`
		Aggs struct {
			Updated struct {
				Value *float64 `json:"value"`
			} `json:"updated"`
		} `json:"aggregations"`
	}
	if err := decode(res, "stats", &out); err != nil {
		return st, fmt.Errorf("elasticsearch %s: %w", s.url, err)
	}
	st.Listings = out.Hits.Total.Value
	if out.Aggs.Updated.Value != nil {
		st.Updated = time.UnixMilli(int64(*out.Aggs.Updated.Value)).UTC()
	}
	res, err = s.es.Count(s.es.Count.WithContext(ctx), s.es.Count.WithIndex(s.findings))
	if err != nil {
		return st, fmt.Errorf("elasticsearch %s: stats: %w", s.url, err)
	}
	var n struct {
		Count int `json:"count"`
	}
	if err := decode(res, "count findings", &n); err != nil {
		return st, fmt.Errorf("elasticsearch %s: %w", s.url, err)
	}
	st.Findings = n.Count
	return st, nil
}

// Ping checks that the engine answers and the listings index exists, with
// one HEAD request: what a health check should spend.
func (s *Store) Ping(ctx context.Context) error {
	res, err := s.es.Indices.Exists([]string{s.listings}, s.es.Indices.Exists.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("elasticsearch %s: ping: %w", s.url, err)
	}
	defer drain(res)
	if res.IsError() {
		return fmt.Errorf("elasticsearch %s: ping: %s", s.url, res.Status())
	}
	return nil
}
