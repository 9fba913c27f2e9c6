// Package elastic is the listing store on Elasticsearch, for catalogues too
// large for one machine and for many scanners working at once
// (`listingscan scan --shard i/n`).
//
// # Indices
//
// A store is three indices behind three aliases, named from a prefix
// (default "listingscan"):
//
//	listingscan-listings  →  listingscan-listings-v1
//	listingscan-findings  →  listingscan-findings-v1
//	listingscan-verdicts  →  listingscan-verdicts-v1
//
// Every request goes through the alias, so a later mapping change can build
// a -v2 index and move the alias without touching readers. Open creates a
// missing index with its explicit mapping and alias; concurrent openers
// racing to create it are harmless.
//
// A listing document keeps the listing itself, the scanner's fingerprint
// and sketch (stored, not indexed), and
// the searchable fields (ids and providers as keywords, title and texts with
// the standard analyser, dates). Findings live in their own index, one
// document per finding id; reviewers' verdicts in a third, one document per
// verdict, so that a finding's history survives re-scans.
//
// Open also adds fields a newer mapping has to an existing index (adding
// fields is compatible), so a store written by an older version keeps
// accepting documents.
//
// # Writes
//
// Writes go through esutil.BulkIndexer. Requests failing with 429 or 5xx,
// or without a response, are retried by the client with exponential
// backoff; items the engine rejects one by one with 429 or 5xx are retried
// in further rounds. Whatever still fails makes the call return an error
// that counts and names the failed items: nothing is silently dropped.
//
// What a call wrote is visible to the next search, as a scan's match phase
// needs: listing writes are refreshed by the first search after them (one
// refresh for a whole index phase, not one per batch), findings at the end
// of each save. Multi-gets (Get, Digests) are real-time anyway.
//
// # Versions
//
// A listing's document id is its listing id and its version is its
// updated_at (milliseconds since 1970; published_at when updated_at is
// missing; 0 when both are), written with version_type external_gte. So:
//   - re-putting a listing, for example when a bulk request is retried after
//     a lost response, is harmless;
//   - a listing whose content changed while its updated_at did not (images
//     replaced at the same address, a re-fingerprint after an upgrade) is
//     replaced: equal versions are accepted and the last write wins, which
//     is what the embedded store does too;
//   - an older updated_at than the stored one is not written: the engine
//     answers 409 and the newer stored listing stays. This is counted as
//     skipped, not failed, since the store holds a newer truth; a scan of
//     the older copy still checks that copy against the catalogue.
package elastic

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/elastic/go-elasticsearch/v8"
	"github.com/elastic/go-elasticsearch/v8/esapi"

	"github.com/listingscan/listingscan/indexer"
)

// DefaultIndexPrefix names the indices when Config.IndexPrefix is empty.
const DefaultIndexPrefix = "listingscan"

// schemaVersion is the suffix of the concrete index names. Bump it when a
// mapping changes incompatibly; the aliases keep readers unaware.
const schemaVersion = "v1"

// Config says how to reach the engine and which indices to use. Only URL
// is required.
type Config struct {
	// URL of one node or load balancer, e.g. http://127.0.0.1:9200.
	// Credentials in the URL (https://user:pass@host:9200) are used too.
	URL string
	// Username and Password are for HTTP basic authentication.
	Username, Password string
	// APIKey is a base64 "id:key" API key; it takes precedence over basic
	// authentication.
	APIKey string
	// CACertFile is a PEM file with the certificate authority of a cluster
	// using its own TLS certificates.
	CACertFile string
	// IndexPrefix names the indices and aliases (DefaultIndexPrefix when
	// empty). Separate prefixes keep separate catalogues on one cluster.
	IndexPrefix string
	// Replicas is the replica count of indices Open creates; nil leaves the
	// cluster's default.
	Replicas *int
	// MaxRetries bounds the attempts per request beyond the first, and the
	// rounds for items rejected one by one (default 3).
	MaxRetries int
	// RetryBackoff is the wait before retry attempt n (1-based). Default:
	// 200 ms doubling, at most 5 s.
	RetryBackoff func(attempt int) time.Duration
	// BulkWorkers is how many bulk requests one write sends at once
	// (default 2).
	BulkWorkers int
	// RequestTimeout bounds the wait for a response's headers, so that an
	// engine that accepts connections but stops answering fails the request
	// (and lets it be retried) instead of hanging the scan. Default 60 s.
	RequestTimeout time.Duration
	// Logger receives retries and skipped stale versions. Nil discards.
	Logger *slog.Logger
}

// Store is the Elasticsearch-backed indexer.Store. It is safe for
// concurrent use.
type Store struct {
	es       *elasticsearch.Client
	url      string
	listings string // alias
	findings string // alias
	verdicts string // alias
	retries  int
	workers  int
	backoff  func(int) time.Duration
	log      *slog.Logger
	// written counts writes to the listings index; refreshed is the count
	// the last completed refresh covers. A search refreshes first when they
	// differ, under refreshMu so that concurrent searches wait for it.
	written   atomic.Int64
	refreshed atomic.Int64
	refreshMu sync.Mutex
	// lastSeq is the order key of the last verdict this store recorded.
	lastSeq atomic.Int64
}

var _ indexer.Store = (*Store)(nil)

func defaultBackoff(attempt int) time.Duration {
	d := 200 * time.Millisecond << min(attempt-1, 5)
	return min(d, 5*time.Second)
}

// Open connects to the engine, checks that it answers, and creates the
// indices and aliases that are missing.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.URL == "" {
		return nil, errors.New("elasticsearch: no URL")
	}
	prefix := cfg.IndexPrefix
	if prefix == "" {
		prefix = DefaultIndexPrefix
	}
	if prefix != strings.ToLower(prefix) || strings.ContainsAny(prefix, ` "*\<|,>/?#:`) {
		return nil, fmt.Errorf("elasticsearch %s: index prefix %q: want lower case without spaces or any of \"*\\<|,>/?#:", redact(cfg.URL), prefix)
	}
	s := &Store{
		url:      redact(cfg.URL),
		listings: prefix + "-listings",
		findings: prefix + "-findings",
		verdicts: prefix + "-verdicts",
		retries:  cfg.MaxRetries,
		workers:  max(cfg.BulkWorkers, 0),
		backoff:  cfg.RetryBackoff,
		log:      cfg.Logger,
	}
	if s.retries <= 0 {
		s.retries = 3
	}
	if s.workers == 0 {
		s.workers = 2
	}
	if s.backoff == nil {
		s.backoff = defaultBackoff
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	timeout := cfg.RequestTimeout
	if timeout <= 0 {
		timeout = 60 * time.Second
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.ResponseHeaderTimeout = timeout
	// The engine sits next to the scanner; gzip on every multi-get of
	// candidate prints cost more CPU on both sides than the bytes it saved.
	transport.DisableCompression = true
	esCfg := elasticsearch.Config{
		Addresses:     []string{cfg.URL},
		Username:      cfg.Username,
		Password:      cfg.Password,
		APIKey:        cfg.APIKey,
		Transport:     transport,
		RetryOnStatus: []int{http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout},
		MaxRetries:    s.retries,
		RetryBackoff: func(attempt int) time.Duration {
			d := s.backoff(attempt)
			s.log.Warn("elasticsearch request retried", "url", s.url, "attempt", attempt, "wait", d)
			return d
		},
	}
	if cfg.CACertFile != "" {
		pem, err := os.ReadFile(cfg.CACertFile)
		if err != nil {
			return nil, fmt.Errorf("elasticsearch %s: CA certificate: %w", s.url, err)
		}
		esCfg.CACert = pem
	}
	es, err := elasticsearch.NewClient(esCfg)
	if err != nil {
		return nil, fmt.Errorf("elasticsearch %s: %w", s.url, err)
	}
	s.es = es
	if err := s.ping(ctx); err != nil {
		return nil, err
	}
	for _, ix := range []struct {
		alias   string
		mapping string
	}{{s.listings, listingsMapping}, {s.findings, findingsMapping}, {s.verdicts, verdictsMapping}} {
		if err := s.ensureIndex(ctx, ix.alias, ix.mapping, cfg.Replicas); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// redact hides the password of a URL with credentials.
func redact(u string) string {
	at := strings.LastIndex(u, "@")
	scheme := strings.Index(u, "://")
	if at < 0 || scheme < 0 || at < scheme {
		return u
	}
	return u[:scheme+3] + "…@" + u[at+1:]
}

// ping asks for cluster health: the engine's root endpoint may be absent.
func (s *Store) ping(ctx context.Context) error {
	res, err := s.es.Cluster.Health(s.es.Cluster.Health.WithContext(ctx), s.es.Cluster.Health.WithTimeout(10*time.Second))
	if err != nil {
		return fmt.Errorf("elasticsearch %s: unreachable: %w", s.url, err)
	}
	defer drain(res)
	if res.IsError() {
		return fmt.Errorf("elasticsearch %s: cluster health: %s", s.url, errorText(res))
	}
	return nil
}

const listingsMapping = `{
  "dynamic": "strict",
  "properties": {
    "id":            {"type": "keyword"},
    "provider_id":   {"type": "keyword"},
    "provider_name": {"type": "text"},
    "template_id":   {"type": "keyword"},
    "category":      {"type": "keyword"},
    "tags":          {"type": "keyword"},
    "title":         {"type": "text"},
    "summary":       {"type": "text"},
    "description":   {"type": "text"},
    "published_at":  {"type": "date"},
    "updated_at":    {"type": "date"},
    "first_seen":    {"type": "date"},
    "stored_at":     {"type": "date"},
    "digest":        {"type": "keyword", "index": false},
    "listing":       {"type": "object", "enabled": false},
    "print":         {"type": "binary"},
    "sketch":        {"type": "binary"},
    "source":        {"type": "keyword", "index": false, "doc_values": false}
  }
}`

const findingsMapping = `{
  "dynamic": "strict",
  "properties": {
    "id":                {"type": "keyword"},
    "rule":              {"type": "keyword"},
    "severity":          {"type": "integer"},
    "score":             {"type": "double"},
    "listing_id":        {"type": "keyword"},
    "provider_id":       {"type": "keyword"},
    "other_listing_id":  {"type": "keyword"},
    "other_provider_id": {"type": "keyword"},
    "first":             {"type": "keyword"},
    "status":            {"type": "keyword"},
    "evidence":          {"type": "keyword", "index": false, "doc_values": false},
    "detected_at":       {"type": "date_nanos"}
  }
}`

const verdictsMapping = `{
  "dynamic": "strict",
  "properties": {
    "id":         {"type": "keyword"},
    "finding_id": {"type": "keyword"},
    "status":     {"type": "keyword"},
    "reviewer":   {"type": "keyword"},
    "note":       {"type": "text", "index": false},
    "at":         {"type": "date"},
    "seq":        {"type": "long"},
    "basis":      {"type": "keyword"}
  }
}`

// ensureIndex creates alias's versioned index with mapping when the alias
// does not exist yet, and adds the mapping's new fields to it when it does.
func (s *Store) ensureIndex(ctx context.Context, alias, mapping string, replicas *int) error {
	res, err := s.es.Indices.ExistsAlias([]string{alias}, s.es.Indices.ExistsAlias.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("elasticsearch %s: check alias %s: %w", s.url, alias, err)
	}
	drain(res)
	switch res.StatusCode {
	case http.StatusOK:
		res, err := s.es.Indices.PutMapping([]string{alias}, strings.NewReader(mapping), s.es.Indices.PutMapping.WithContext(ctx))
		if err != nil {
			return fmt.Errorf("elasticsearch %s: update mapping of %s: %w", s.url, alias, err)
		}
		defer drain(res)
		if res.IsError() {
			return fmt.Errorf("elasticsearch %s: update mapping of %s: %s", s.url, alias, errorText(res))
		}
		return nil
	case http.StatusNotFound:
	default:
		return fmt.Errorf("elasticsearch %s: check alias %s: status %d", s.url, alias, res.StatusCode)
	}
	index := alias + "-" + schemaVersion
	settings := map[string]any{"number_of_shards": 1}
	if replicas != nil {
		settings["number_of_replicas"] = *replicas
	}
	body, err := json.Marshal(map[string]any{
		"settings": settings,
		"mappings": json.RawMessage(mapping),
		"aliases":  map[string]any{alias: map[string]any{"is_write_index": true}},
	})
	if err != nil {
		return fmt.Errorf("encode mapping of %s: %w", index, err)
	}
	res, err = s.es.Indices.Create(index, s.es.Indices.Create.WithContext(ctx), s.es.Indices.Create.WithBody(bytes.NewReader(body)))
	if err != nil {
		return fmt.Errorf("elasticsearch %s: create index %s: %w", s.url, index, err)
	}
	defer drain(res)
	if !res.IsError() {
		return nil
	}
	text := errorText(res)
	if !strings.Contains(text, "resource_already_exists_exception") {
		return fmt.Errorf("elasticsearch %s: create index %s: %s", s.url, index, text)
	}
	// Another opener created it first, or the alias was removed by hand:
	// (re)attach the alias, which is idempotent.
	res2, err := s.es.Indices.PutAlias([]string{index}, alias, s.es.Indices.PutAlias.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("elasticsearch %s: alias %s: %w", s.url, alias, err)
	}
	defer drain(res2)
	if res2.IsError() {
		return fmt.Errorf("elasticsearch %s: alias %s: %s", s.url, alias, errorText(res2))
	}
	return nil
}

// DeleteIndices drops the store's indices and aliases. It exists for tests
// and for retiring a catalogue; the store is unusable afterwards.
func (s *Store) DeleteIndices(ctx context.Context) error {
	idx := []string{s.listings + "-" + schemaVersion, s.findings + "-" + schemaVersion, s.verdicts + "-" + schemaVersion}
	res, err := s.es.Indices.Delete(idx, s.es.Indices.Delete.WithContext(ctx), s.es.Indices.Delete.WithIgnoreUnavailable(true))
	if err != nil {
		return fmt.Errorf("elasticsearch %s: delete indices: %w", s.url, err)
	}
	defer drain(res)
	if res.IsError() {
		return fmt.Errorf("elasticsearch %s: delete indices: %s", s.url, errorText(res))
	}
	return nil
}

// Close makes the last writes visible to other readers and releases idle
// connections. The engine keeps the data.
func (s *Store) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := s.visible(ctx)
	if t, ok := s.es.Transport.(interface{ CloseIdleConnections() }); ok {
		t.CloseIdleConnections()
	}
	if err != nil {
		return fmt.Errorf("elasticsearch %s: close: %w", s.url, err)
	}
	return nil
}

// refresh makes the writes to alias visible to searches.
func (s *Store) refresh(ctx context.Context, alias string) error {
	res, err := s.es.Indices.Refresh(s.es.Indices.Refresh.WithContext(ctx), s.es.Indices.Refresh.WithIndex(alias))
	if err != nil {
		return fmt.Errorf("refresh %s: %w", alias, err)
	}
	defer drain(res)
	if res.IsError() {
		return fmt.Errorf("refresh %s: %s", alias, errorText(res))
	}
	return nil
}

// visible refreshes the listings index when it was written since the last
// refresh, so that a search sees every write that completed before it.
// Consecutive writes (a scan's index phase) pay for one refresh, not one
// each. Multi-gets are real-time and need none.
func (s *Store) visible(ctx context.Context) error {
	if s.refreshed.Load() >= s.written.Load() {
		return nil
	}
	s.refreshMu.Lock()
	defer s.refreshMu.Unlock()
	w := s.written.Load()
	if s.refreshed.Load() >= w {
		return nil // refreshed by a concurrent search meanwhile
	}
	if err := s.refresh(ctx, s.listings); err != nil {
		return err
	}
	s.refreshed.Store(w)
	return nil
}

// maxBody bounds how much of a response is read.
const maxBody = 256 << 20

// decode reads a successful JSON response into v, or turns an error
// response into an error.
func decode(res *esapi.Response, what string, v any) error {
	defer drain(res)
	if res.IsError() {
		return fmt.Errorf("%s: %s", what, errorText(res))
	}
	if err := json.NewDecoder(io.LimitReader(res.Body, maxBody)).Decode(v); err != nil {
		return fmt.Errorf("%s: decode response: %w", what, err)
	}
	return nil
}

// errorText is the status and the start of an error response's body.
func errorText(res *esapi.Response) string {
	if res.Body == nil {
		return res.Status()
	}
	b, _ := io.ReadAll(io.LimitReader(res.Body, 2048))
	return strings.TrimSpace(res.Status() + " " + string(b))
}

func drain(res *esapi.Response) {
	if res != nil && res.Body != nil {
		io.Copy(io.Discard, io.LimitReader(res.Body, maxBody))
		res.Body.Close()
	}
}
