package server

import (
	"bytes"
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"html/template"
	"image"
	"image/jpeg"
	"io/fs"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"golang.org/x/image/draw"

	"github.com/listingscan/listingscan/indexer"
	"github.com/listingscan/listingscan/listing"
	"github.com/listingscan/listingscan/similarity"
)

const (
	sessionCookie = "listingscan_session"
	// thumbSide is the longest side of an image as the UI shows it.
	thumbSide = 360
	// countCap bounds the findings counted for the queue's tallies.
	countCap = 10000
)

// thumbLimits bound the images the UI decodes.
var thumbLimits = similarity.ImageLimits{MaxBytes: 20 << 20, MaxPixels: 40_000_000}

func parsePages() (*template.Template, error) {
	t, err := template.New("pages").Funcs(template.FuncMap{
		"pct":   func(x float64) string { return fmt.Sprintf("%.0f%%", x*100) },
		"date":  func(t time.Time) string { return t.Format("2006-01-02 15:04") },
		"upper": strings.ToUpper,
		"deref": func(p *int) int {
			if p == nil {
				return 0
			}
			return *p
		},
	}).ParseFS(assets, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("server: parse templates: %w", err)
	}
	return t, nil
}

func (s *Server) uiRoutes() {
	m := s.mux
	static, _ := fs.Sub(assets, "static")
	m.Handle("GET /ui/static/", http.StripPrefix("/ui/static/", http.FileServerFS(static)))
	m.HandleFunc("GET /ui/{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/ui/queue", http.StatusSeeOther)
	})
	m.HandleFunc("GET /ui/login", s.loginPage)
	m.HandleFunc("POST /ui/login", s.login)
	m.Handle("POST /ui/logout", s.ui(s.logout))
	m.Handle("GET /ui/queue", s.ui(s.queuePage))
	m.Handle("GET /ui/findings/{id}", s.ui(s.findingPage))
	m.Handle("POST /ui/findings/{id}/verdict", s.ui(s.verdictForm))
	m.Handle("GET /ui/image", s.ui(s.thumbnail))
}

// ui wraps a page handler: a reviewer's session is required; without one
// a page view goes to the login form.
func (s *Server) ui(h func(http.ResponseWriter, *http.Request, session) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'")
		w.Header().Set("Referrer-Policy", "same-origin")
		c, err := r.Cookie(sessionCookie)
		var sess session
		ok := err == nil
		if ok {
			sess, ok = s.sessions.get(c.Value)
		}
		if !ok {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/ui/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			s.errorPage(w, http.StatusUnauthorized, "请先登录 (log in first)")
			return
		}
		if !sess.who.Role.may(permRead) {
			s.errorPage(w, http.StatusForbidden, "此令牌无审核权限 (this token may not review)")
			return
		}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes)
			if subtle.ConstantTimeCompare([]byte(r.PostFormValue("csrf")), []byte(sess.csrf)) != 1 {
				s.errorPage(w, http.StatusForbidden, "表单已过期，请刷新后重试 (form expired)")
				return
			}
		}
		if err := h(w, r, sess); err != nil {
			var ae *apiError
			switch {
			case errors.As(err, &ae):
				s.errorPage(w, ae.status, ae.msg)
			case errors.Is(err, indexer.ErrNotFound):
				s.errorPage(w, http.StatusNotFound, "找不到 (not found)")
			default:
				s.metrics.storeErrors.Inc()
				s.log.Error("page failed", "path", r.URL.Path, "err", err)
				s.errorPage(w, http.StatusInternalServerError, "内部错误 (internal error; see the service log)")
			}
		}
	})
}

func (s *Server) render(w http.ResponseWriter, status int, name string, data any) {
	var buf bytes.Buffer
	if err := s.pages.ExecuteTemplate(&buf, name, data); err != nil {
		s.log.Error("render page", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func (s *Server) errorPage(w http.ResponseWriter, status int, msg string) {
	s.render(w, status, "error.html", map[string]any{"Status": status, "Message": msg})
}

// safeNext keeps a post-login redirect inside the UI.
func safeNext(next string) string {
	if strings.HasPrefix(next, "/ui/") && !strings.HasPrefix(next, "//") && !strings.Contains(next, "\\") {
		return next
	}
	return "/ui/queue"
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, http.StatusOK, "login.html", map[string]any{"Next": safeNext(r.URL.Query().Get("next"))})
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes)
	who, ok := s.cfg.Tokens.lookup(strings.TrimSpace(r.PostFormValue("token")))
	next := safeNext(r.PostFormValue("next"))
	switch {
	case !ok:
		s.render(w, http.StatusUnauthorized, "login.html", map[string]any{"Next": next, "Error": "令牌无效 (invalid token)"})
		return
	case !who.Role.may(permRead):
		s.render(w, http.StatusForbidden, "login.html", map[string]any{"Next": next, "Error": "此令牌无审核权限 (this token may not review)"})
		return
	}
	id, _ := s.sessions.start(who)
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: id, Path: "/ui/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: s.cfg.SecureCookies, MaxAge: int(s.sessions.ttl.Seconds())})
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, _ session) error {
	if c, err := r.Cookie(sessionCookie); err == nil {
		s.sessions.end(c.Value)
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/ui/", MaxAge: -1, HttpOnly: true})
	http.Redirect(w, r, "/ui/login", http.StatusSeeOther)
	return nil
}

// tally is one filter value with the number of findings it selects.
type tally struct {
	Name   string
	Count  int
	Capped bool
	URL    string
	Active bool
}

// count counts the findings q selects, up to countCap.
func (s *Server) count(ctx context.Context, q indexer.FindingQuery) (int, bool, error) {
	q.Limit, q.After = countCap+1, ""
	fs, err := s.cfg.Store.Findings(ctx, q)
	if err != nil {
		return 0, false, err
	}
	return min(len(fs), countCap), len(fs) > countCap, nil
}

// withParam is the queue URL of the current filters with one changed.
func withParam(v url.Values, key, value string) string {
	c := url.Values{}
	for k, vs := range v {
		if k != "cursor" {
			c[k] = vs
		}
	}
	if value == "" {
		c.Del(key)
	} else {
		c.Set(key, value)
	}
	return "/ui/queue?" + c.Encode()
}

func (s *Server) queuePage(w http.ResponseWriter, r *http.Request, sess session) error {
	ctx := r.Context()
	v := r.URL.Query()
	if !v.Has("status") {
		v.Set("status", string(listing.StatusOpen))
		r.URL.RawQuery = v.Encode()
	}
	q, err := findingQuery(r)
	if err != nil {
		return err
	}
	p, err := s.page(ctx, q)
	if err != nil {
		return err
	}
	var statuses []tally
	for _, st := range []listing.Status{listing.StatusOpen, listing.StatusConfirmed, listing.StatusDismissed} {
		cq := q
		cq.Status = st
		n, capped, err := s.count(ctx, cq)
		if err != nil {
			return err
		}
		statuses = append(statuses, tally{Name: string(st), Count: n, Capped: capped, URL: withParam(v, "status", string(st)), Active: q.Status == st})
	}
	rq := q
	rq.Rule = ""
	rq.Limit, rq.After = countCap, ""
	all, err := s.cfg.Store.Findings(ctx, rq)
	if err != nil {
		return err
	}
	byRule := map[string]int{}
	for _, f := range all {
		byRule[f.Rule]++
	}
	rules := []tally{{Name: "全部 all", Count: len(all), URL: withParam(v, "rule", ""), Active: q.Rule == ""}}
	names := make([]string, 0, len(byRule))
	for n := range byRule {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		rules = append(rules, tally{Name: n, Count: byRule[n], URL: withParam(v, "rule", n), Active: q.Rule == n})
	}
	next := ""
	if p.NextCursor != "" {
		nv := url.Values{}
		for k, vs := range v {
			nv[k] = vs
		}
		nv.Set("cursor", p.NextCursor)
		next = "/ui/queue?" + nv.Encode()
	}
	s.render(w, http.StatusOK, "queue.html", map[string]any{
		"Who": sess.who, "CSRF": sess.csrf, "Findings": p.Findings, "Statuses": statuses, "Rules": rules,
		"Severities": []string{"low", "medium", "high", "critical"},
		"Query":      q, "Provider": v.Get("provider"), "Severity": v.Get("severity"), "MinScore": v.Get("min_score"),
		"Next": next, "Filtered": v.Get("cursor") != "", "QueueURL": withParam(v, "cursor", ""),
	})
	return nil
}

// segment is a stretch of text, highlighted when it is shared with the
// other listing.
type segment struct {
	Text string
	Hit  bool
}

// highlight splits text at the places where any of the quoted passages
// occur. Passages are quoted from normalised text, so a passage that the
// listing wrote differently (traditional characters, full-width forms) is
// listed as evidence but cannot be marked in place.
func highlight(text string, passages []string) []segment {
	hit := make([]bool, len(text))
	for _, p := range passages {
		if p == "" {
			continue
		}
		for from := 0; from < len(text); {
			i := strings.Index(text[from:], p)
			if i < 0 {
				break
			}
			for k := from + i; k < from+i+len(p); k++ {
				hit[k] = true
			}
			from += i + len(p)
		}
	}
	var out []segment
	start := 0
	for i := 1; i <= len(text); i++ {
		if i == len(text) || hit[i] != hit[start] {
			out = append(out, segment{Text: text[start:i], Hit: hit[start]})
			start = i
		}
	}
	return out
}

// sidePage is one listing of a finding as the finding page shows it.
type sidePage struct {
	Listing     listing.Listing
	Known       bool
	First       bool
	Title       []segment
	Description []segment
	Images      []imagePage
}

type imagePage struct {
	Ref     string
	URL     string
	Matched bool
}

func (s *Server) side(l listing.Listing, known, first bool, matched string, passages []string) sidePage {
	sp := sidePage{Listing: l, Known: known, First: first}
	if !known {
		return sp
	}
	sp.Title = highlight(l.Title, passages)
	if d, err := listing.ParseDescription(l.DescriptionHTML); err == nil {
		sp.Description = highlight(d.Text, passages)
	}
	for _, ref := range l.Images {
		ip := imagePage{Ref: ref, Matched: ref == matched}
		if s.cfg.Images != nil {
			ip.URL = "/ui/image?" + url.Values{"listing": {l.ID}, "ref": {ref}}.Encode()
		}
		sp.Images = append(sp.Images, ip)
	}
	return sp
}

func (s *Server) findingPage(w http.ResponseWriter, r *http.Request, sess session) error {
	ctx := r.Context()
	d, err := s.detail(ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	f := d.Finding
	ids := []string{f.ListingID}
	if f.OtherListingID != "" {
		ids = append(ids, f.OtherListingID)
	}
	entries, err := s.cfg.Store.Get(ctx, ids)
	if err != nil {
		return err
	}
	byID := map[string]listing.Listing{}
	for _, e := range entries {
		byID[e.Listing.ID] = e.Listing
	}
	var passages []string
	for _, sp := range f.Evidence.Spans {
		passages = append(passages, sp.Text)
	}
	for _, m := range f.Evidence.Matches {
		passages = append(passages, m.Text)
	}
	if f.Rule == listing.RuleCopyTitle {
		passages = append(passages, f.Evidence.Text, f.Evidence.OtherText)
	}
	l, ok := byID[f.ListingID]
	if !ok {
		l = listing.Listing{ID: f.ListingID, Provider: listing.Provider{ID: f.ProviderID}}
	}
	sides := []sidePage{s.side(l, ok, false, f.Evidence.Image, passages)}
	if f.OtherListingID != "" {
		o, ok := byID[f.OtherListingID]
		if !ok {
			o = listing.Listing{ID: f.OtherListingID, Provider: listing.Provider{ID: f.OtherProviderID}}
		}
		sides = append(sides, s.side(o, ok, f.First == f.OtherListingID, f.Evidence.OtherImage, passages))
		if f.First == f.ListingID {
			sides[0].First = true
		}
	}
	s.render(w, http.StatusOK, "finding.html", map[string]any{
		"Who": sess.who, "CSRF": sess.csrf, "F": f, "Verdicts": d.Verdicts, "Sides": sides,
		"Back": safeNext(r.URL.Query().Get("back")),
	})
	return nil
}

func (s *Server) verdictForm(w http.ResponseWriter, r *http.Request, sess session) error {
	if !sess.who.Role.may(permVerdict) {
		return errStatus(http.StatusForbidden, "此令牌不能记录结论 (this token may not record verdicts)")
	}
	id := r.PathValue("id")
	req := verdictRequest{Status: r.PostFormValue("status"), Note: r.PostFormValue("note")}
	if _, err := s.recordVerdict(r.Context(), id, req, sess.who); err != nil {
		return err
	}
	back := safeNext(r.PostFormValue("back"))
	http.Redirect(w, r, "/ui/findings/"+url.PathEscape(id)+"?back="+url.QueryEscape(back), http.StatusSeeOther)
	return nil
}

// thumbnail serves a listing image, decoded within limits and re-encoded
// small: the UI never passes a file's bytes through, so a listing cannot
// make it serve anything that is not an image it names.
func (s *Server) thumbnail(w http.ResponseWriter, r *http.Request, _ session) error {
	if s.cfg.Images == nil {
		return errStatus(http.StatusNotFound, "images are not served")
	}
	ctx, cancel := context.WithTimeout(r.Context(), 15*time.Second)
	defer cancel()
	id, ref := r.URL.Query().Get("listing"), r.URL.Query().Get("ref")
	entries, err := s.cfg.Store.Get(ctx, []string{id})
	if err != nil {
		return err
	}
	if len(entries) == 0 {
		return indexer.ErrNotFound
	}
	l := entries[0].Listing
	if !slices.Contains(l.Images, ref) && ref != l.Provider.Logo {
		return errStatus(http.StatusNotFound, "listing %s has no image %s", id, ref)
	}
	data, err := s.cfg.Images.Read(ctx, l.Source, ref)
	if err != nil {
		return errStatus(http.StatusBadGateway, "图片无法读取 (image unreadable): %v", err)
	}
	img, _, err := similarity.DecodeImage(data, thumbLimits)
	if err != nil {
		return errStatus(http.StatusUnprocessableEntity, "图片无法解码 (image undecodable): %v", err)
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, shrink(img, thumbSide), &jpeg.Options{Quality: 85}); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("Cache-Control", "private, max-age=300")
	w.Write(buf.Bytes())
	return nil
}

// shrink fits img into side x side, keeping its aspect ratio.
func shrink(img image.Image, side int) image.Image {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= side && h <= side {
		return img
	}
	if w >= h {
		w, h = side, max(1, h*side/w)
	} else {
		w, h = max(1, w*side/h), side
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.ApproxBiLinear.Scale(dst, dst.Bounds(), img, b, draw.Src, nil)
	return dst
}
