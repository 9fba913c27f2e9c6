// Package server is listingscan's HTTP face: the JSON API that reviewers'
// tools, publishing pipelines and ingest jobs call, the review UI under
// /ui/, and /metrics for Prometheus.
//
// Every request but /healthz and /metrics carries a bearer token (the UI
// keeps it in a session cookie after a login form). Tokens have roles:
// publisher (pre-publish check only), reviewer (read findings, record
// verdicts), admin (everything, including ingest). Request bodies are
// bounded, errors are JSON with a message, and nothing a client sends is
// concatenated into a store query: filters go to the store as typed fields.
package server

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/listingscan/listingscan/indexer"
	"github.com/listingscan/listingscan/listing"
	"github.com/listingscan/listingscan/scanner"
)

// Store is what the service needs of the catalogue: findings to page
// through, verdicts to record, and listings to show beside them.
type Store interface {
	Findings(ctx context.Context, q indexer.FindingQuery) ([]listing.Finding, error)
	Get(ctx context.Context, ids []string) ([]indexer.Entry, error)
	Stats(ctx context.Context) (indexer.Stats, error)
	Ping(ctx context.Context) error
	indexer.Reviews
}

// Ingester scans listings that an admin posts, as a batch scan would.
type Ingester interface {
	ScanListings(ctx context.Context, ls []listing.Listing) (*scanner.Result, error)
}

// Checker gives pre-publish verdicts on drafts.
type Checker interface {
	Check(ctx context.Context, draft listing.Listing, record bool) (*scanner.CheckResult, error)
}

// ImageReader reads the bytes of an image a listing refers to, relative to
// the file the listing came from (listing.ImageSource does, with its size,
// time and address limits).
type ImageReader interface {
	Read(ctx context.Context, baseFile, ref string) ([]byte, error)
}

// Config wires a Server. Store and Tokens are required.
type Config struct {
	Store  Store
	Tokens *Tokens
	// Ingester serves POST /v1/listings; without one it answers 501.
	Ingester Ingester
	// Checker serves POST /v1/check; without one it answers 501.
	Checker Checker
	// Images serves listing images to the review UI; without one the UI
	// shows image names only.
	Images ImageReader
	Logger *slog.Logger
	// Registry collects the service's metrics; a new one when nil, so
	// that two servers in one process do not share counters.
	Registry *prometheus.Registry
	// MaxBodyBytes bounds a request body (DefaultMaxBodyBytes when zero);
	// ingest gets MaxIngestBytes (DefaultMaxIngestBytes when zero).
	MaxBodyBytes   int64
	MaxIngestBytes int64
	// SecureCookies marks the UI's session cookie Secure, for a service
	// behind TLS.
	SecureCookies bool
}

// Request body limits.
const (
	DefaultMaxBodyBytes   = 64 << 10
	DefaultMaxIngestBytes = 16 << 20
	// maxCheckBytes bounds a draft: a listing with a long description.
	maxCheckBytes   = 2 << 20
	maxPageSize     = 500
	defaultPageSize = 50
)

//go:embed templates/*.html static/*
var assets embed.FS

// Server serves the API and the review UI. Create it with New.
type Server struct {
	cfg      Config
	log      *slog.Logger
	mux      *http.ServeMux
	metrics  *metrics
	sessions *sessions
	pages    *template.Template
	// ingest serialises ingest scans: each one is a whole batch scan.
	ingest sync.Mutex
}

// New makes a server.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil || cfg.Tokens == nil {
		return nil, errors.New("server: a store and tokens are required")
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.MaxIngestBytes <= 0 {
		cfg.MaxIngestBytes = DefaultMaxIngestBytes
	}
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg:      cfg,
		log:      log,
		mux:      http.NewServeMux(),
		metrics:  newMetrics(cfg.Registry),
		sessions: newSessions(12 * time.Hour),
		pages:    pages,
	}
	s.routes()
	return s, nil
}

// Metrics is the registry the server's metrics are in, for callers that
// add their own (scan counters of a serve process that also scans).
func (s *Server) Metrics() *prometheus.Registry { return s.cfg.Registry }

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	s.mux.ServeHTTP(w, r)
}

func (s *Server) routes() {
	m := s.mux
	m.HandleFunc("GET /healthz", s.healthz)
	m.Handle("GET /metrics", s.metrics.handler(s.cfg.Registry))
	m.Handle("GET /v1/findings", s.api(permRead, "findings", s.listFindings))
	m.Handle("GET /v1/findings/{id}", s.api(permRead, "finding", s.getFinding))
	m.Handle("POST /v1/findings/{id}/verdict", s.api(permVerdict, "verdict", s.postVerdict))
	m.Handle("GET /v1/listings/{id}/matches", s.api(permRead, "matches", s.listingMatches))
	m.Handle("POST /v1/listings", s.api(permIngest, "ingest", s.postListings))
	m.Handle("POST /v1/check", s.api(permCheck, "check", s.postCheck))
	s.uiRoutes()
}

// apiError is an error with the HTTP status it maps to.
type apiError struct {
	status int
	msg    string
}

func (e *apiError) Error() string { return e.msg }

func errStatus(status int, format string, args ...any) error {
	return &apiError{status: status, msg: fmt.Sprintf(format, args...)}
}

// api wraps a JSON handler: authentication, the role check, the body
// limit, metrics, and errors written as JSON.
func (s *Server) api(p permission, route string, h func(http.ResponseWriter, *http.Request, Principal) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		code := s.serveAPI(w, r, p, h)
		s.metrics.request(route, code, time.Since(start))
	})
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, p permission, h func(http.ResponseWriter, *http.Request, Principal) error) int {
	who, ok := s.cfg.Tokens.lookup(bearer(r))
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer realm="listingscan"`)
		return writeError(w, http.StatusUnauthorized, "a valid bearer token is required")
	}
	if !who.Role.may(p) {
		return writeError(w, http.StatusForbidden, fmt.Sprintf("the %s role may not do this", who.Role))
	}
	limit := s.cfg.MaxBodyBytes
	switch p {
	case permIngest:
		limit = s.cfg.MaxIngestBytes
	case permCheck:
		limit = max(limit, maxCheckBytes)
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	if err := h(rec, r, who); err != nil {
		return s.writeErr(rec, r, err)
	}
	return rec.status
}

// writeErr maps an error to a status and a JSON body. Store failures are
// logged and counted, and their details stay out of the response.
func (s *Server) writeErr(w http.ResponseWriter, r *http.Request, err error) int {
	var ae *apiError
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &ae):
		return writeError(w, ae.status, ae.msg)
	case errors.As(err, &tooBig):
		return writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body over %d bytes", tooBig.Limit))
	case errors.Is(err, indexer.ErrNotFound):
		return writeError(w, http.StatusNotFound, "not found")
	case errors.Is(err, context.Canceled):
		return writeError(w, 499, "request cancelled")
	default:
		s.metrics.storeErrors.Inc()
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		return writeError(w, http.StatusInternalServerError, "internal error; see the service log")
	}
}

func writeError(w http.ResponseWriter, status int, msg string) int {
	writeJSON(w, status, map[string]string{"error": msg})
	return status
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	enc.Encode(v)
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.cfg.Store.Ping(ctx); err != nil {
		s.metrics.storeErrors.Inc()
		s.log.Warn("health check: store unreachable", "err", err)
		writeError(w, http.StatusServiceUnavailable, "store unreachable")
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// findingQuery reads the filters of a findings request. Unknown values are
// client errors, not empty results.
func findingQuery(r *http.Request) (indexer.FindingQuery, error) {
	v := r.URL.Query()
	q := indexer.FindingQuery{
		Rule:       v.Get("rule"),
		ProviderID: v.Get("provider"),
		ListingID:  v.Get("listing"),
		After:      v.Get("cursor"),
		Limit:      defaultPageSize,
	}
	if st := v.Get("status"); st != "" {
		switch listing.Status(st) {
		case listing.StatusOpen, listing.StatusConfirmed, listing.StatusDismissed:
			q.Status = listing.Status(st)
		default:
			return q, errStatus(http.StatusBadRequest, "status must be open, confirmed or dismissed")
		}
	}
	if sev := v.Get("severity"); sev != "" {
		s, err := listing.ParseSeverity(sev)
		if err != nil {
			return q, errStatus(http.StatusBadRequest, "%v", err)
		}
		q.MinSeverity = s
	}
	if ms := v.Get("min_score"); ms != "" {
		f, err := strconv.ParseFloat(ms, 64)
		if err != nil || f < 0 || f > 1 {
			return q, errStatus(http.StatusBadRequest, "min_score must be a number within 0..1")
		}
		q.MinScore = f
	}
	for name, dst := range map[string]*time.Time{"since": &q.Since, "until": &q.Until} {
		if t := v.Get(name); t != "" {
			parsed, err := time.Parse(time.RFC3339, t)
			if err != nil {
				return q, errStatus(http.StatusBadRequest, "%s must be an RFC 3339 time", name)
			}
			*dst = parsed
		}
	}
	if l := v.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > maxPageSize {
			return q, errStatus(http.StatusBadRequest, "limit must be within 1..%d", maxPageSize)
		}
		q.Limit = n
	}
	if q.After != "" {
		if _, _, err := indexer.ParseFindingCursor(q.After); err != nil {
			return q, errStatus(http.StatusBadRequest, "malformed cursor")
		}
	}
	return q, nil
}

// findingsPage is one page of a findings query.
type findingsPage struct {
	Findings   []listing.Finding `json:"findings"`
	NextCursor string            `json:"next_cursor,omitempty"`
}

// page runs q one row past its limit, to know whether another page exists.
func (s *Server) page(ctx context.Context, q indexer.FindingQuery) (findingsPage, error) {
	want := q.Limit
	q.Limit++
	fs, err := s.cfg.Store.Findings(ctx, q)
	if err != nil {
		return findingsPage{}, err
	}
	p := findingsPage{Findings: fs}
	if len(fs) > want {
		p.Findings = fs[:want]
		p.NextCursor = indexer.FindingCursor(fs[want-1])
	}
	if p.Findings == nil {
		p.Findings = []listing.Finding{}
	}
	return p, nil
}

func (s *Server) listFindings(w http.ResponseWriter, r *http.Request, _ Principal) error {
	q, err := findingQuery(r)
	if err != nil {
		return err
	}
	p, err := s.page(r.Context(), q)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

// findingDetail is a finding with its verdict history.
type findingDetail struct {
	Finding  listing.Finding   `json:"finding"`
	Verdicts []listing.Verdict `json:"verdicts"`
}

func (s *Server) detail(ctx context.Context, id string) (findingDetail, error) {
	f, err := s.cfg.Store.Finding(ctx, id)
	if err != nil {
		return findingDetail{}, err
	}
	vs, err := s.cfg.Store.Verdicts(ctx, id)
	if err != nil {
		return findingDetail{}, err
	}
	if vs == nil {
		vs = []listing.Verdict{}
	}
	return findingDetail{Finding: f, Verdicts: vs}, nil
}

func (s *Server) getFinding(w http.ResponseWriter, r *http.Request, _ Principal) error {
	d, err := s.detail(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

// verdictRequest is the body of POST /v1/findings/{id}/verdict.
type verdictRequest struct {
	Status string `json:"status"`
	Note   string `json:"note"`
}

// maxNoteRunes bounds a reviewer's note.
const maxNoteRunes = 2000

func (s *Server) postVerdict(w http.ResponseWriter, r *http.Request, who Principal) error {
	var req verdictRequest
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	d, err := s.recordVerdict(r.Context(), r.PathValue("id"), req, who)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

// recordVerdict validates and stores a verdict; the API and the UI share
// it.
func (s *Server) recordVerdict(ctx context.Context, id string, req verdictRequest, who Principal) (findingDetail, error) {
	status, err := listing.ParseVerdictStatus(req.Status)
	if err != nil {
		return findingDetail{}, errStatus(http.StatusBadRequest, "%v", err)
	}
	if n := len([]rune(req.Note)); n > maxNoteRunes {
		return findingDetail{}, errStatus(http.StatusBadRequest, "note is %d characters, at most %d", n, maxNoteRunes)
	}
	if _, err := s.cfg.Store.SetVerdict(ctx, listing.Verdict{
		FindingID: id, Status: status, Reviewer: who.Name, Note: strings.TrimSpace(req.Note), At: time.Now().UTC(),
	}); err != nil {
		return findingDetail{}, err
	}
	s.metrics.verdicts.WithLabelValues(string(status)).Inc()
	return s.detail(ctx, id)
}

// decodeBody reads one JSON value, refusing unknown fields and trailing
// data.
func decodeBody(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return err
		}
		return errStatus(http.StatusBadRequest, "malformed JSON body: %v", err)
	}
	if dec.More() {
		return errStatus(http.StatusBadRequest, "malformed JSON body: more than one value")
	}
	return nil
}

// listingSummary is what the API says about a listing beside a finding.
type listingSummary struct {
	ID           string    `json:"id"`
	Title        string    `json:"title"`
	ProviderID   string    `json:"provider_id"`
	ProviderName string    `json:"provider_name,omitempty"`
	PublishedAt  time.Time `json:"published_at,omitzero"`
	Images       []string  `json:"images,omitempty"`
}

func summarize(l listing.Listing) listingSummary {
	return listingSummary{ID: l.ID, Title: l.Title, ProviderID: l.Provider.ID, ProviderName: l.Provider.Name,
		PublishedAt: l.FirstSeen(), Images: l.Images}
}

// match is one listing matched with the one asked about.
type match struct {
	Finding listing.Finding `json:"finding"`
	Other   *listingSummary `json:"other,omitempty"`
}

// maxMatches bounds the findings listed for one listing.
const maxMatches = 200

func (s *Server) listingMatches(w http.ResponseWriter, r *http.Request, _ Principal) error {
	ctx := r.Context()
	id := r.PathValue("id")
	entries, err := s.cfg.Store.Get(ctx, []string{id})
	if err != nil {
		return err
	}
	if len(entries) == 0 {
		return errStatus(http.StatusNotFound, "listing %s is not in the catalogue", id)
	}
	fs, err := s.cfg.Store.Findings(ctx, indexer.FindingQuery{ListingID: id, Limit: maxMatches})
	if err != nil {
		return err
	}
	others := map[string]bool{}
	var ids []string
	for _, f := range fs {
		o := otherSide(f, id)
		if o != "" && !others[o] {
			others[o] = true
			ids = append(ids, o)
		}
	}
	stored, err := s.cfg.Store.Get(ctx, ids)
	if err != nil {
		return err
	}
	byID := map[string]listingSummary{}
	for _, e := range stored {
		byID[e.Listing.ID] = summarize(e.Listing)
	}
	out := struct {
		Listing listingSummary `json:"listing"`
		Matches []match        `json:"matches"`
	}{Listing: summarize(entries[0].Listing), Matches: []match{}}
	for _, f := range fs {
		m := match{Finding: f}
		if o, ok := byID[otherSide(f, id)]; ok {
			m.Other = &o
		}
		out.Matches = append(out.Matches, m)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// otherSide is the listing of a pair finding that is not id.
func otherSide(f listing.Finding, id string) string {
	if f.ListingID == id {
		return f.OtherListingID
	}
	return f.ListingID
}

// maxIngestListings bounds one ingest request.
const maxIngestListings = 10000

func (s *Server) postListings(w http.ResponseWriter, r *http.Request, _ Principal) error {
	if s.cfg.Ingester == nil {
		return errStatus(http.StatusNotImplemented, "this service does not ingest listings")
	}
	var raw json.RawMessage
	if err := decodeBody(r, &raw); err != nil {
		return err
	}
	var items []json.RawMessage
	if t := strings.TrimSpace(string(raw)); strings.HasPrefix(t, "[") {
		if err := json.Unmarshal(raw, &items); err != nil {
			return errStatus(http.StatusBadRequest, "malformed JSON body: %v", err)
		}
	} else {
		items = []json.RawMessage{raw}
	}
	if len(items) == 0 || len(items) > maxIngestListings {
		return errStatus(http.StatusBadRequest, "post 1 to %d listings", maxIngestListings)
	}
	var ls []listing.Listing
	var rejected []map[string]string
	for i, item := range items {
		l, err := listing.DecodeJSON(item)
		if err != nil {
			rejected = append(rejected, map[string]string{"index": strconv.Itoa(i), "listing_id": l.ID, "error": err.Error()})
			continue
		}
		l.Source = ""
		ls = append(ls, l)
	}
	s.ingest.Lock()
	res, err := s.cfg.Ingester.ScanListings(r.Context(), ls)
	s.ingest.Unlock()
	if err != nil {
		return err
	}
	s.metrics.scans.Inc()
	for _, f := range res.Findings {
		s.metrics.findings.WithLabelValues(f.Rule).Inc()
	}
	var inputErrs []string
	for _, e := range res.InputErrors {
		inputErrs = append(inputErrs, e.Error())
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"listings": res.Listings, "rejected": rejected, "input_errors": inputErrs, "findings": res.Findings,
	})
	return nil
}

func (s *Server) postCheck(w http.ResponseWriter, r *http.Request, _ Principal) error {
	if s.cfg.Checker == nil {
		return errStatus(http.StatusNotImplemented, "this service does not check drafts")
	}
	record := false
	if v := r.URL.Query().Get("record"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return errStatus(http.StatusBadRequest, "record must be true or false")
		}
		record = b
	}
	var raw json.RawMessage
	if err := decodeBody(r, &raw); err != nil {
		return err
	}
	draft, err := listing.DecodeJSON(raw)
	if err != nil {
		return errStatus(http.StatusBadRequest, "draft listing: %v", err)
	}
	draft.Source = ""
	start := time.Now()
	res, err := s.cfg.Checker.Check(r.Context(), draft, record)
	if err != nil {
		return err
	}
	s.metrics.checks.WithLabelValues(string(res.Decision)).Observe(time.Since(start).Seconds())
	writeJSON(w, http.StatusOK, res)
	return nil
}
