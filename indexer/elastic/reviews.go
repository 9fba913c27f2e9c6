package elastic

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/listingscan/listingscan/indexer"
	"github.com/listingscan/listingscan/listing"
)

// The review UI and the CLI reach verdicts through indexer.Reviews, with the
// same behaviour on both stores.
var _ indexer.Reviews = (*Store)(nil)

// systemReviewer signs the verdicts the store records itself.
const systemReviewer = "listingscan"

// reopenNote explains the verdict recorded when a scan reopens a dismissal.
const reopenNote = "a listing changed since it was dismissed"

// verdictDoc is a verdict as stored. Seq orders a finding's history (the
// time of recording, strictly increasing within a store); Basis is what the
// verdict was given on: the content digests of the finding's two listings
// then, "<digest>|<other digest>", empty for a listing not stored. A
// dismissal holds while the basis does.
type verdictDoc struct {
	ID        string    `json:"id"`
	FindingID string    `json:"finding_id"`
	Status    string    `json:"status"`
	Reviewer  string    `json:"reviewer"`
	Note      string    `json:"note"`
	At        time.Time `json:"at"`
	Seq       int64     `json:"seq"`
	Basis     string    `json:"basis"`
}

// nextSeq returns an order key above every one this store handed out: the
// time in nanoseconds, moved on by one when the clock has not.
func (s *Store) nextSeq() int64 {
	for {
		last := s.lastSeq.Load()
		next := max(time.Now().UnixNano(), last+1)
		if s.lastSeq.CompareAndSwap(last, next) {
			return next
		}
	}
}

// verdictOp is the bulk operation that records v given on basis.
func (s *Store) verdictOp(v listing.Verdict, basis string) (op, error) {
	seq := s.nextSeq()
	var r [4]byte
	if _, err := rand.Read(r[:]); err != nil {
		return op{}, fmt.Errorf("verdict id: %w", err)
	}
	at := v.At
	if at.IsZero() {
		at = time.Now()
	}
	d := verdictDoc{
		ID:        fmt.Sprintf("%s~%d~%s", v.FindingID, seq, hex.EncodeToString(r[:])),
		FindingID: v.FindingID, Status: string(v.Status), Reviewer: v.Reviewer, Note: v.Note,
		At: at.UTC(), Seq: seq, Basis: basis,
	}
	body, err := json.Marshal(&d)
	if err != nil {
		return op{}, fmt.Errorf("encode verdict on %s: %w", v.FindingID, err)
	}
	return op{action: "index", id: d.ID, body: body}, nil
}

// bases returns the basis of each finding as the listings stand now.
func (s *Store) bases(ctx context.Context, fs []listing.Finding) (map[string]string, error) {
	ids := make([]string, 0, 2*len(fs))
	for _, f := range fs {
		for _, id := range []string{f.ListingID, f.OtherListingID} {
			if id != "" {
				ids = append(ids, id)
			}
		}
	}
	digests, err := s.Digests(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(fs))
	for _, f := range fs {
		out[f.ID] = digests[f.ListingID] + "|" + digests[f.OtherListingID]
	}
	return out, nil
}

// latestBases returns the basis of the latest verdict of each finding that
// has one.
func (s *Store) latestBases(ctx context.Context, ids []string) (map[string]string, error) {
	out := make(map[string]string, len(ids))
	err := chunks(ids, mgetChunk, func(part []string) error {
		body, err := json.Marshal(map[string]any{
			"size":  0,
			"query": map[string]any{"terms": map[string]any{"finding_id": part}},
			"aggs": map[string]any{"by": map[string]any{
				"terms": map[string]any{"field": "finding_id", "size": len(part)},
				"aggs": map[string]any{"last": map[string]any{"top_hits": map[string]any{
					"size":    1,
					"sort":    []any{map[string]any{"seq": "desc"}, map[string]any{"id": "desc"}},
					"_source": map[string]any{"includes": []string{"basis"}},
				}}},
			}},
		})
		if err != nil {
			return err
		}
		res, err := s.es.Search(s.es.Search.WithContext(ctx), s.es.Search.WithIndex(s.verdicts), s.es.Search.WithBody(bytes.NewReader(body)))
		if err != nil {
			return fmt.Errorf("latest verdicts: %w", err)
		}
		var got struct {
			Aggs struct {
				By struct {
					Buckets []struct {
						Key  string `json:"key"`
						Last struct {
							Hits struct {
								Hits []struct {
									Source struct {
										Basis string `json:"basis"`
									} `json:"_source"`
								} `json:"hits"`
							} `json:"hits"`
						} `json:"last"`
					} `json:"buckets"`
				} `json:"by"`
			} `json:"aggregations"`
		}
		if err := decode(res, "latest verdicts", &got); err != nil {
			return err
		}
		for _, b := range got.Aggs.By.Buckets {
			if len(b.Last.Hits.Hits) > 0 {
				out[b.Key] = b.Last.Hits.Hits[0].Source.Basis
			}
		}
		return nil
	})
	return out, err
}

// changedSinceVerdict returns, for each stored dismissed finding among
// findings whose listings changed since its latest verdict, the basis it
// has now. A dismissal without any verdict (made by an older version of
// the store) is kept.
func (s *Store) changedSinceVerdict(ctx context.Context, findings []listing.Finding, stored map[string]listing.Status) (map[string]string, error) {
	var dismissed []listing.Finding
	seen := map[string]bool{}
	for _, f := range findings {
		if stored[f.ID] == listing.StatusDismissed && !seen[f.ID] {
			seen[f.ID] = true
			dismissed = append(dismissed, f)
		}
	}
	if len(dismissed) == 0 {
		return nil, nil
	}
	ids := make([]string, len(dismissed))
	for i, f := range dismissed {
		ids[i] = f.ID
	}
	then, err := s.latestBases(ctx, ids)
	if err != nil {
		return nil, err
	}
	now, err := s.bases(ctx, dismissed)
	if err != nil {
		return nil, fmt.Errorf("listings of dismissed findings: %w", err)
	}
	out := map[string]string{}
	for _, id := range ids {
		if b, ok := then[id]; ok && b != now[id] {
			out[id] = now[id]
		}
	}
	return out, nil
}

// Finding returns one finding, or an error wrapping indexer.ErrNotFound.
func (s *Store) Finding(ctx context.Context, id string) (listing.Finding, error) {
	if id == "" {
		return listing.Finding{}, fmt.Errorf("finding %q: %w", id, indexer.ErrNotFound)
	}
	res, err := s.es.Get(s.findings, id, s.es.Get.WithContext(ctx))
	if err != nil {
		return listing.Finding{}, fmt.Errorf("elasticsearch %s: finding %s: %w", s.url, id, err)
	}
	if res.StatusCode == http.StatusNotFound {
		drain(res)
		return listing.Finding{}, fmt.Errorf("finding %s: %w", id, indexer.ErrNotFound)
	}
	var got struct {
		Found  bool       `json:"found"`
		Source findingDoc `json:"_source"`
	}
	if err := decode(res, "finding "+id, &got); err != nil {
		return listing.Finding{}, fmt.Errorf("elasticsearch %s: %w", s.url, err)
	}
	if !got.Found {
		return listing.Finding{}, fmt.Errorf("finding %s: %w", id, indexer.ErrNotFound)
	}
	f, err := got.Source.finding()
	if err != nil {
		return listing.Finding{}, fmt.Errorf("elasticsearch %s: %w", s.url, err)
	}
	return f, nil
}

// SetVerdict records v, sets the finding's status (open again for a
// reopened verdict) and returns the finding as it is now. The verdict is
// visible to the next Verdicts call.
func (s *Store) SetVerdict(ctx context.Context, v listing.Verdict) (listing.Finding, error) {
	status, err := indexer.VerdictStatus(v)
	if err != nil {
		return listing.Finding{}, err
	}
	if v.FindingID == "" {
		return listing.Finding{}, fmt.Errorf("finding %q: %w", v.FindingID, indexer.ErrNotFound)
	}
	body, err := json.Marshal(map[string]any{"doc": map[string]any{"status": string(status)}})
	if err != nil {
		return listing.Finding{}, fmt.Errorf("verdict on %s: %w", v.FindingID, err)
	}
	res, err := s.es.Update(s.findings, v.FindingID, bytes.NewReader(body), s.es.Update.WithContext(ctx),
		s.es.Update.WithRefresh("true"))
	if err != nil {
		return listing.Finding{}, fmt.Errorf("elasticsearch %s: verdict on %s: %w", s.url, v.FindingID, err)
	}
	if res.StatusCode == http.StatusNotFound {
		text := errorText(res)
		drain(res)
		if strings.Contains(text, "document_missing_exception") {
			return listing.Finding{}, fmt.Errorf("finding %s: %w", v.FindingID, indexer.ErrNotFound)
		}
		return listing.Finding{}, fmt.Errorf("elasticsearch %s: verdict on %s: %s", s.url, v.FindingID, text)
	}
	var updated struct{}
	if err := decode(res, "set status of "+v.FindingID, &updated); err != nil {
		return listing.Finding{}, fmt.Errorf("elasticsearch %s: verdict: %w", s.url, err)
	}
	f, err := s.Finding(ctx, v.FindingID)
	if err != nil {
		return listing.Finding{}, err
	}
	b, err := s.bases(ctx, []listing.Finding{f})
	if err != nil {
		return listing.Finding{}, fmt.Errorf("elasticsearch %s: verdict on %s: %w", s.url, v.FindingID, err)
	}
	o, err := s.verdictOp(v, b[f.ID])
	if err != nil {
		return listing.Finding{}, fmt.Errorf("elasticsearch %s: %w", s.url, err)
	}
	res, err = s.es.Index(s.verdicts, bytes.NewReader(o.body), s.es.Index.WithContext(ctx), s.es.Index.WithDocumentID(o.id),
		s.es.Index.WithRefresh("true"))
	if err != nil {
		return listing.Finding{}, fmt.Errorf("elasticsearch %s: record verdict on %s: %w", s.url, v.FindingID, err)
	}
	var indexed struct{}
	if err := decode(res, "record verdict on "+v.FindingID, &indexed); err != nil {
		return listing.Finding{}, fmt.Errorf("elasticsearch %s: %w", s.url, err)
	}
	return f, nil
}

// Verdicts returns a finding's verdict history, oldest first.
func (s *Store) Verdicts(ctx context.Context, findingID string) ([]listing.Verdict, error) {
	query := map[string]any{"bool": map[string]any{"filter": map[string]any{"term": map[string]any{"finding_id": findingID}}}}
	sort := []any{map[string]any{"seq": "asc"}, map[string]any{"id": "asc"}}
	var out []listing.Verdict
	err := s.search(ctx, s.verdicts, query, nil, sort, nil, 0, func(h hit) error {
		var d verdictDoc
		if err := json.Unmarshal(h.Source, &d); err != nil {
			return fmt.Errorf("decode verdict %s: %w", h.ID, err)
		}
		out = append(out, listing.Verdict{FindingID: d.FindingID, Status: listing.Status(d.Status), Reviewer: d.Reviewer,
			Note: d.Note, At: d.At})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("elasticsearch %s: verdicts of %s: %w", s.url, findingID, err)
	}
	return out, nil
}
