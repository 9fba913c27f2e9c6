package elastic

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/elastic/go-elasticsearch/v8/esutil"
)

// op is one bulk action on one document.
type op struct {
	action      string // index, update, delete
	id          string
	body        []byte
	version     *int64
	versionType string
}

// outcome is what the engine finally answered for one document.
type outcome struct {
	status int    // HTTP status of the item; 0 when no answer arrived
	result string // created, updated, noop, deleted, not_found
	reason string // error type and reason, for failures
}

// ok is true for an item the engine applied.
func (o outcome) ok() bool { return o.status >= 200 && o.status < 300 }

// retryable is true for an item that may succeed when sent again: no
// answer, throttled, or a server-side failure.
func (o outcome) retryable() bool {
	return o.status == 0 || o.status == http.StatusTooManyRequests || o.status >= 500
}

// bulkFlushBytes keeps requests well below the engine's default
// http.max_content_length (100 MB) and the client's memory modest.
const bulkFlushBytes = 4 << 20

// bulk sends ops to index and returns each document's final outcome by id.
// Items failing with a retryable outcome are sent again, up to s.retries
// more rounds with backoff. Non-retryable outcomes are returned as they
// are; callers decide which of them are failures (a 409 may be expected).
func (s *Store) bulk(ctx context.Context, index string, ops []op) (map[string]outcome, error) {
	final := make(map[string]outcome, len(ops))
	pending := ops
	for round := 0; len(pending) > 0; round++ {
		if round > 0 {
			wait := s.backoff(round)
			s.log.Warn("elasticsearch bulk items retried", "url", s.url, "index", index, "items", len(pending), "round", round, "wait", wait)
			select {
			case <-ctx.Done():
				return final, ctx.Err()
			case <-time.After(wait):
			}
		}
		got, err := s.bulkOnce(ctx, index, pending)
		if err != nil {
			return final, err
		}
		var again []op
		for _, o := range pending {
			r := got[o.id]
			final[o.id] = r
			if !r.ok() && r.retryable() && round < s.retries {
				again = append(again, o)
			}
		}
		if ctx.Err() != nil {
			return final, ctx.Err()
		}
		pending = again
	}
	return final, nil
}

// bulkOnce sends ops once through a BulkIndexer. An item without an
// answer (the request failed after the client's own retries) has status 0.
func (s *Store) bulkOnce(ctx context.Context, index string, ops []op) (map[string]outcome, error) {
	var (
		mu       sync.Mutex
		got      = make(map[string]outcome, len(ops))
		flushErr error
	)
	bi, err := esutil.NewBulkIndexer(esutil.BulkIndexerConfig{
		Client:        s.es,
		Index:         index,
		NumWorkers:    s.workers,
		FlushBytes:    bulkFlushBytes,
		FlushInterval: time.Hour, // flushed by size and at Close only
		OnError: func(_ context.Context, err error) {
			mu.Lock()
			if flushErr == nil {
				flushErr = err
			}
			mu.Unlock()
		},
	})
	if err != nil {
		return nil, fmt.Errorf("bulk %s: %w", index, err)
	}
	for _, o := range ops {
		item := esutil.BulkIndexerItem{
			Action:      o.action,
			DocumentID:  o.id,
			Version:     o.version,
			VersionType: o.versionType,
			OnSuccess: func(_ context.Context, _ esutil.BulkIndexerItem, r esutil.BulkIndexerResponseItem) {
				mu.Lock()
				got[o.id] = outcome{status: r.Status, result: r.Result}
				mu.Unlock()
			},
			OnFailure: func(_ context.Context, _ esutil.BulkIndexerItem, r esutil.BulkIndexerResponseItem, err error) {
				oc := outcome{status: r.Status, result: r.Result}
				switch {
				case err != nil:
					oc.status = 0
					oc.reason = err.Error()
				case r.Status == http.StatusNotFound && r.Result == "not_found":
					oc.reason = "not found"
				default:
					oc.reason = strings.TrimSpace(r.Error.Type + ": " + r.Error.Reason)
				}
				mu.Lock()
				got[o.id] = oc
				mu.Unlock()
			},
		}
		if o.body != nil {
			item.Body = bytes.NewReader(o.body)
		}
		if err := bi.Add(ctx, item); err != nil {
			bi.Close(context.WithoutCancel(ctx))
			return nil, fmt.Errorf("bulk %s: queue %s: %w", index, o.id, err)
		}
	}
	if err := bi.Close(ctx); err != nil {
		return nil, fmt.Errorf("bulk %s: %w", index, err)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, o := range ops {
		if _, ok := got[o.id]; !ok {
			reason := "no response"
			if flushErr != nil {
				reason = flushErr.Error()
			}
			got[o.id] = outcome{reason: reason}
		}
	}
	return got, nil
}

// failedError counts and names the items of a write that did not apply.
// At most 20 ids are listed; the count is always exact.
func failedError(what string, total int, failed map[string]outcome) error {
	ids := make([]string, 0, len(failed))
	for id := range failed {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	shown := ids[:min(len(ids), 20)]
	more := ""
	if len(ids) > len(shown) {
		more = fmt.Sprintf(" and %d more", len(ids)-len(shown))
	}
	first := failed[ids[0]]
	return &BulkError{
		IDs: ids,
		msg: fmt.Sprintf("%s: %d of %d items failed (%s%s); first failure %s: status %d: %s",
			what, len(ids), total, strings.Join(shown, ", "), more, ids[0], first.status, first.reason),
	}
}

// BulkError reports the documents a bulk write could not store after its
// retries. The call wrote every other document.
type BulkError struct {
	// IDs are the ids of the documents not written, sorted.
	IDs []string
	msg string
}

func (e *BulkError) Error() string { return e.msg }
