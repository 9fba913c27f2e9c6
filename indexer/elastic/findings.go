package elastic

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/listingscan/listingscan/indexer"
	"github.com/listingscan/listingscan/listing"
)

// findingDoc is a finding as stored. Evidence is kept as JSON text: an
// update replaces it whole, where an object would be merged field by field.
type findingDoc struct {
	ID              string    `json:"id"`
	Rule            string    `json:"rule"`
	Severity        int       `json:"severity"`
	Score           float64   `json:"score"`
	ListingID       string    `json:"listing_id"`
	ProviderID      string    `json:"provider_id"`
	OtherListingID  string    `json:"other_listing_id"`
	OtherProviderID string    `json:"other_provider_id"`
	First           string    `json:"first"`
	Status          string    `json:"status,omitempty"`
	Evidence        string    `json:"evidence"`
	DetectedAt      time.Time `json:"detected_at,omitzero"`
}

// finding is the finding d stores.
func (d *findingDoc) finding() (listing.Finding, error) {
	f := listing.Finding{
		ID: d.ID, Rule: d.Rule, Severity: listing.Severity(d.Severity), Score: d.Score, ListingID: d.ListingID,
		ProviderID: d.ProviderID, OtherListingID: d.OtherListingID, OtherProviderID: d.OtherProviderID,
		First: d.First, Status: listing.Status(d.Status), DetectedAt: d.DetectedAt,
	}
	if err := json.Unmarshal([]byte(d.Evidence), &f.Evidence); err != nil {
		return f, fmt.Errorf("decode evidence of %s: %w", d.ID, err)
	}
	return f, nil
}

// SaveFindings resolves the open findings of scope that are not in
// findings, then upserts findings by id. An update refreshes everything but
// the review status and the first detection time, so a reviewer's verdict
// survives re-scans; a new finding starts open unless it carries a status.
// A dismissed finding whose listings changed since its last verdict is
// reopened, and the reopening recorded in its history.
func (s *Store) SaveFindings(ctx context.Context, scope []string, findings []listing.Finding) (indexer.SaveResult, error) {
	var res indexer.SaveResult
	keep := make(map[string]bool, len(findings))
	for _, f := range findings {
		keep[f.ID] = true
	}
	var stale []op
	staleSeen := map[string]bool{}
	err := chunks(scope, mgetChunk, func(part []string) error {
		q := map[string]any{"bool": map[string]any{
			"filter": []any{
				map[string]any{"term": map[string]any{"status": string(listing.StatusOpen)}},
				map[string]any{"bool": map[string]any{"should": []any{
					map[string]any{"terms": map[string]any{"listing_id": part}},
					map[string]any{"terms": map[string]any{"other_listing_id": part}},
				}, "minimum_should_match": 1}},
			},
		}}
		return s.scan(ctx, s.findings, q, func(h hit) error {
			if !keep[h.ID] && !staleSeen[h.ID] {
				staleSeen[h.ID] = true
				stale = append(stale, op{action: "delete", id: h.ID})
			}
			return nil
		})
	})
	if err != nil {
		return res, fmt.Errorf("elasticsearch %s: save findings: stale findings: %w", s.url, err)
	}
	failed := map[string]outcome{}
	if len(stale) > 0 {
		got, err := s.bulk(ctx, s.findings, stale)
		if err != nil {
			return res, fmt.Errorf("elasticsearch %s: save findings: resolve: %w", s.url, err)
		}
		for _, o := range stale {
			switch r := got[o.id]; {
			case r.ok():
				res.Resolved++
			case r.status == http.StatusNotFound: // removed meanwhile by another scan
			default:
				failed[o.id] = r
			}
		}
	}
	ids := make([]string, 0, len(findings))
	for _, f := range findings {
		ids = append(ids, f.ID)
	}
	stored, err := s.statuses(ctx, ids)
	if err != nil {
		return res, fmt.Errorf("elasticsearch %s: save findings: %w", s.url, err)
	}
	reopen, err := s.changedSinceVerdict(ctx, findings, stored)
	if err != nil {
		return res, fmt.Errorf("elasticsearch %s: save findings: %w", s.url, err)
	}
	ops := make([]op, 0, len(findings))
	index := make(map[string]int, len(findings))
	for i := range findings {
		f := &findings[i]
		// The caller learns the status that holds: the stored one of a
		// known finding, open for a new one.
		if st, ok := stored[f.ID]; ok {
			f.Status = st
		} else if f.Status == "" {
			f.Status = listing.StatusOpen
		}
		_, reopened := reopen[f.ID]
		if reopened {
			f.Status = listing.StatusOpen
		}
		ev, err := json.Marshal(f.Evidence)
		if err != nil {
			return res, fmt.Errorf("elasticsearch %s: encode evidence of %s: %w", s.url, f.ID, err)
		}
		doc := findingDoc{
			ID: f.ID, Rule: f.Rule, Severity: int(f.Severity), Score: f.Score, ListingID: f.ListingID,
			ProviderID: f.ProviderID, OtherListingID: f.OtherListingID, OtherProviderID: f.OtherProviderID,
			First: f.First, Evidence: string(ev),
		}
		if reopened {
			doc.Status = string(listing.StatusOpen)
		}
		upsert := doc
		upsert.Status = string(f.Status)
		if upsert.Status == "" {
			upsert.Status = string(listing.StatusOpen)
		}
		upsert.DetectedAt = f.DetectedAt.UTC()
		if f.DetectedAt.IsZero() {
			upsert.DetectedAt = time.Now().UTC()
		}
		body, err := json.Marshal(map[string]any{"doc": doc, "upsert": upsert})
		if err != nil {
			return res, fmt.Errorf("elasticsearch %s: encode finding %s: %w", s.url, f.ID, err)
		}
		o := op{action: "update", id: f.ID, body: body}
		if i, dup := index[f.ID]; dup {
			ops[i] = o
			continue
		}
		index[f.ID] = len(ops)
		ops = append(ops, o)
	}
	if len(ops) > 0 {
		got, err := s.bulk(ctx, s.findings, ops)
		if err != nil {
			return res, fmt.Errorf("elasticsearch %s: save findings: %w", s.url, err)
		}
		for _, o := range ops {
			switch r := got[o.id]; {
			case r.ok() && r.result == "created":
				res.Inserted++
			case r.ok():
				res.Updated++
			default:
				failed[o.id] = r
			}
		}
	}
	var errs []error
	if len(failed) > 0 {
		errs = append(errs, failedError("save findings", len(stale)+len(ops), failed))
	}
	if err := s.recordReopenings(ctx, reopen, failed, &res); err != nil {
		errs = append(errs, fmt.Errorf("save findings: %w", err))
	}
	if err := s.refresh(ctx, s.findings); err != nil {
		errs = append(errs, fmt.Errorf("save findings: %w", err))
	}
	if err := errors.Join(errs...); err != nil {
		return res, fmt.Errorf("elasticsearch %s: %w", s.url, err)
	}
	return res, nil
}

// statuses returns the stored status of each known finding id.
func (s *Store) statuses(ctx context.Context, ids []string) (map[string]listing.Status, error) {
	out := make(map[string]listing.Status, len(ids))
	err := chunks(ids, mgetChunk, func(part []string) error {
		body, err := json.Marshal(map[string]any{"ids": part})
		if err != nil {
			return err
		}
		res, err := s.es.Mget(bytes.NewReader(body), s.es.Mget.WithContext(ctx), s.es.Mget.WithIndex(s.findings),
			s.es.Mget.WithSourceIncludes("status"))
		if err != nil {
			return fmt.Errorf("stored statuses: %w", err)
		}
		var got struct {
			Docs []struct {
				ID     string `json:"_id"`
				Found  bool   `json:"found"`
				Source struct {
					Status string `json:"status"`
				} `json:"_source"`
			} `json:"docs"`
		}
		if err := decode(res, "stored statuses", &got); err != nil {
			return err
		}
		for _, d := range got.Docs {
			if d.Found {
				out[d.ID] = listing.Status(d.Source.Status)
			}
		}
		return nil
	})
	return out, err
}

// Findings returns findings matching q, highest score first, ties by id.
// Without a limit every match is returned, in bounded pages.
func (s *Store) Findings(ctx context.Context, q indexer.FindingQuery) ([]listing.Finding, error) {
	var filter []any
	term := func(field, value string) map[string]any {
		return map[string]any{"term": map[string]any{field: value}}
	}
	either := func(a, b, value string) map[string]any {
		return map[string]any{"bool": map[string]any{"should": []any{term(a, value), term(b, value)}, "minimum_should_match": 1}}
	}
	if q.Rule != "" {
		filter = append(filter, term("rule", q.Rule))
	}
	if q.ProviderID != "" {
		filter = append(filter, either("provider_id", "other_provider_id", q.ProviderID))
	}
	if q.ListingID != "" {
		filter = append(filter, either("listing_id", "other_listing_id", q.ListingID))
	}
	if q.Status != "" {
		filter = append(filter, term("status", string(q.Status)))
	}
	if q.MinScore > 0 {
		filter = append(filter, map[string]any{"range": map[string]any{"score": map[string]any{"gte": q.MinScore}}})
	}
	if q.MinSeverity > 0 {
		filter = append(filter, map[string]any{"range": map[string]any{"severity": map[string]any{"gte": int(q.MinSeverity)}}})
	}
	if !q.Since.IsZero() || !q.Until.IsZero() {
		r := map[string]any{"format": "strict_date_optional_time_nanos"}
		if !q.Since.IsZero() {
			r["gte"] = q.Since.UTC().Format(time.RFC3339Nano)
		}
		if !q.Until.IsZero() {
			r["lt"] = q.Until.UTC().Format(time.RFC3339Nano)
		}
		filter = append(filter, map[string]any{"range": map[string]any{"detected_at": r}})
	}
	var after []any
	if q.After != "" {
		score, id, err := indexer.ParseFindingCursor(q.After)
		if err != nil {
			return nil, err
		}
		after = []any{score, id}
	}
	query := map[string]any{"match_all": map[string]any{}}
	if len(filter) > 0 {
		query = map[string]any{"bool": map[string]any{"filter": filter}}
	}
	sort := []any{map[string]any{"score": "desc"}, map[string]any{"id": "asc"}}
	var out []listing.Finding
	err := s.search(ctx, s.findings, query, nil, sort, after, q.Limit, func(h hit) error {
		var d findingDoc
		if err := json.Unmarshal(h.Source, &d); err != nil {
			return fmt.Errorf("decode finding %s: %w", h.ID, err)
		}
		f, err := d.finding()
		if err != nil {
			return err
		}
		out = append(out, f)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("elasticsearch %s: findings: %w", s.url, err)
	}
	return out, nil
}

// recordReopenings records a "reopened" verdict for each finding reopened
// by a save (those whose update did not fail) and counts them in res.
func (s *Store) recordReopenings(ctx context.Context, reopen map[string]string, failed map[string]outcome, res *indexer.SaveResult) error {
	ops := make([]op, 0, len(reopen))
	for id, basis := range reopen {
		if _, bad := failed[id]; bad {
			continue
		}
		res.Reopened++
		o, err := s.verdictOp(listing.Verdict{FindingID: id, Status: listing.Reopened, Reviewer: systemReviewer,
			Note: reopenNote, At: time.Now()}, basis)
		if err != nil {
			return err
		}
		ops = append(ops, o)
	}
	if len(ops) == 0 {
		return nil
	}
	got, err := s.bulk(ctx, s.verdicts, ops)
	if err != nil {
		return fmt.Errorf("record reopenings: %w", err)
	}
	failedV := map[string]outcome{}
	for _, o := range ops {
		if r := got[o.id]; !r.ok() {
			failedV[o.id] = r
		}
	}
	var errs []error
	if len(failedV) > 0 {
		errs = append(errs, failedError("record reopenings", len(ops), failedV))
	}
	if err := s.refresh(ctx, s.verdicts); err != nil {
		errs = append(errs, fmt.Errorf("record reopenings: %w", err))
	}
	return errors.Join(errs...)
}
