package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/listingscan/listingscan/indexer"
	"github.com/listingscan/listingscan/indexer/sqlite"
	"github.com/listingscan/listingscan/listing"
	"github.com/listingscan/listingscan/scanner"
	"github.com/listingscan/listingscan/server"
)

const market = "../testdata/marketplace"

// Tokens of the test service, one per role.
const (
	publisherToken = "pub-0123456789abcdef"
	reviewerToken  = "rev-0123456789abcdef"
	adminToken     = "adm-0123456789abcdef"
)

// subset are listings of the sample marketplace with planted copies between
// them: L-1025 copies L-1001's image and title, L-1026 an image of L-1003.
var subset = []string{"L-1001", "L-1003", "L-1025", "L-1026", "L-1009"}

// fixture is a running service over a real store that a real scan filled.
type fixture struct {
	url   string
	store *sqlite.Store
}

// seedDB is a store file that a real scan of the subset filled, made once
// per test binary; each fixture works on its own copy.
var seedDB string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "serverseed")
	if err != nil {
		panic(err)
	}
	seedDB = filepath.Join(dir, "seed.db")
	err = seed(seedDB)
	code := 1
	if err == nil {
		code = m.Run()
	} else {
		fmt.Fprintln(os.Stderr, "seed store:", err)
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

func seed(path string) error {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, path)
	if err != nil {
		return err
	}
	defer store.Close()
	sc, err := scanner.New(store, scanner.DefaultConfig())
	if err != nil {
		return err
	}
	all, _, err := listing.Load(ctx, []string{market}, listing.LoadOptions{})
	if err != nil {
		return err
	}
	var ls []listing.Listing
	for _, l := range all {
		if slices.Contains(subset, l.ID) {
			ls = append(ls, l)
		}
	}
	res, err := sc.ScanListings(ctx, ls)
	if err != nil {
		return err
	}
	if len(ls) != len(subset) || len(res.Findings) < 3 {
		return fmt.Errorf("seed scan of %d listings found %d findings, want the planted copies; input errors: %v", len(ls), len(res.Findings), res.InputErrors)
	}
	return nil
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "store.db")
	data, err := os.ReadFile(seedDB)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	store, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	images := &listing.ImageSource{}
	sc, err := scanner.New(store, scanner.DefaultConfig(), scanner.WithImageSource(images))
	if err != nil {
		t.Fatal(err)
	}
	tokens, err := server.ReadTokens(strings.NewReader(fmt.Sprintf(
		"publisher %s 发布流水线\nreviewer %s 审核员小王\nadmin %s 管理员\n", publisherToken, reviewerToken, adminToken)))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Config{Store: store, Tokens: tokens, Ingester: sc, Checker: sc, Images: images,
		Logger: slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return &fixture{url: hs.URL, store: store}
}

// call makes one API request and decodes the JSON answer into out.
func (f *fixture) call(t *testing.T, method, path, token, body string, out any) int {
	t.Helper()
	req, err := http.NewRequest(method, f.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); strings.HasPrefix(path, "/v1/") && !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s %s: content type %q, want JSON", method, path, ct)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: %d, body is not JSON: %v\n%s", method, path, resp.StatusCode, err, data)
		}
	}
	return resp.StatusCode
}

type page struct {
	Findings   []listing.Finding `json:"findings"`
	NextCursor string            `json:"next_cursor"`
}

type detail struct {
	Finding  listing.Finding   `json:"finding"`
	Verdicts []listing.Verdict `json:"verdicts"`
}

func TestAuthAndRoles(t *testing.T) {
	f := newFixture(t)
	cases := []struct {
		name, method, path, token, body string
		want                            int
	}{
		{"no token", "GET", "/v1/findings", "", "", http.StatusUnauthorized},
		{"wrong token", "GET", "/v1/findings", "not-a-token-at-all-really", "", http.StatusUnauthorized},
		{"publisher may not read findings", "GET", "/v1/findings", publisherToken, "", http.StatusForbidden},
		{"reviewer reads findings", "GET", "/v1/findings", reviewerToken, "", http.StatusOK},
		{"admin reads findings", "GET", "/v1/findings", adminToken, "", http.StatusOK},
		{"publisher may not record verdicts", "POST", "/v1/findings/x/verdict", publisherToken, `{"status":"confirmed"}`, http.StatusForbidden},
		{"reviewer may not ingest", "POST", "/v1/listings", reviewerToken, `{}`, http.StatusForbidden},
		{"no token may not ingest", "POST", "/v1/listings", "", `{}`, http.StatusUnauthorized},
		{"health needs no token", "GET", "/healthz", "", "", http.StatusOK},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var body map[string]any
			got := f.call(t, c.method, c.path, c.token, c.body, &body)
			if got != c.want {
				t.Errorf("status %d, want %d (%v)", got, c.want, body)
			}
			if got >= 400 && body["error"] == "" {
				t.Errorf("error response without a message: %v", body)
			}
		})
	}
}

func TestFindingsQueryAndPaging(t *testing.T) {
	f := newFixture(t)
	var all page
	if code := f.call(t, "GET", "/v1/findings?limit=500", reviewerToken, "", &all); code != 200 {
		t.Fatalf("status %d", code)
	}
	if len(all.Findings) < 3 || all.NextCursor != "" {
		t.Fatalf("all findings: %d, next %q", len(all.Findings), all.NextCursor)
	}
	var walked []string
	path := "/v1/findings?limit=2"
	for range 50 {
		var p page
		if code := f.call(t, "GET", path, reviewerToken, "", &p); code != 200 {
			t.Fatalf("status %d", code)
		}
		for _, fd := range p.Findings {
			walked = append(walked, fd.ID)
		}
		if p.NextCursor == "" {
			break
		}
		path = "/v1/findings?limit=2&cursor=" + p.NextCursor
	}
	if len(walked) != len(all.Findings) {
		t.Fatalf("paging walked %d findings, want %d", len(walked), len(all.Findings))
	}
	for i, fd := range all.Findings {
		if walked[i] != fd.ID {
			t.Fatalf("page order differs at %d", i)
		}
	}

	filters := []struct {
		query string
		ok    func(listing.Finding) bool
	}{
		{"rule=copy.image", func(x listing.Finding) bool { return x.Rule == listing.RuleCopyImage }},
		{"provider=" + all.Findings[0].ProviderID, func(x listing.Finding) bool {
			return x.ProviderID == all.Findings[0].ProviderID || x.OtherProviderID == all.Findings[0].ProviderID
		}},
		{"listing=L-1025", func(x listing.Finding) bool { return x.ListingID == "L-1025" || x.OtherListingID == "L-1025" }},
		{"severity=high", func(x listing.Finding) bool { return x.Severity >= listing.SeverityHigh }},
		{"min_score=0.9", func(x listing.Finding) bool { return x.Score >= 0.9 }},
		{"status=open", func(x listing.Finding) bool { return x.Status == listing.StatusOpen }},
		{"since=2000-01-01T00:00:00Z&until=2999-01-01T00:00:00Z", func(listing.Finding) bool { return true }},
	}
	for _, c := range filters {
		t.Run(c.query, func(t *testing.T) {
			var p page
			if code := f.call(t, "GET", "/v1/findings?"+c.query, reviewerToken, "", &p); code != 200 {
				t.Fatalf("status %d", code)
			}
			if len(p.Findings) == 0 {
				t.Fatal("filter selected nothing")
			}
			for _, x := range p.Findings {
				if !c.ok(x) {
					t.Errorf("finding %s (%s %s) does not match %s", x.ID, x.Rule, x.ListingID, c.query)
				}
			}
		})
	}
	for _, bad := range []string{"status=maybe", "severity=urgent", "min_score=2", "limit=0", "limit=100000", "cursor=nonsense", "since=yesterday"} {
		var e map[string]string
		if code := f.call(t, "GET", "/v1/findings?"+bad, reviewerToken, "", &e); code != http.StatusBadRequest || e["error"] == "" {
			t.Errorf("%s: status %d %v, want 400 with a message", bad, code, e)
		}
	}
}

func TestVerdictsAreRecordedAndKept(t *testing.T) {
	f := newFixture(t)
	var p page
	f.call(t, "GET", "/v1/findings?listing=L-1025&rule=copy.image", reviewerToken, "", &p)
	if len(p.Findings) != 1 {
		t.Fatalf("want the planted image copy of L-1025, got %d findings", len(p.Findings))
	}
	id := p.Findings[0].ID

	var d detail
	if code := f.call(t, "POST", "/v1/findings/"+id+"/verdict", reviewerToken, `{"status":"dismissed","note":"同一模板，正常截图"}`, &d); code != 200 {
		t.Fatalf("verdict status %d", code)
	}
	if d.Finding.Status != listing.StatusDismissed || len(d.Verdicts) != 1 || d.Verdicts[0].Reviewer != "审核员小王" || d.Verdicts[0].Note != "同一模板，正常截图" {
		t.Errorf("after dismissal: %+v", d)
	}
	f.call(t, "POST", "/v1/findings/"+id+"/verdict", adminToken, `{"status":"reopened"}`, &d)
	f.call(t, "POST", "/v1/findings/"+id+"/verdict", reviewerToken, `{"status":"confirmed"}`, &d)
	var got detail
	if code := f.call(t, "GET", "/v1/findings/"+id, reviewerToken, "", &got); code != 200 {
		t.Fatalf("get status %d", code)
	}
	if got.Finding.Status != listing.StatusConfirmed || len(got.Verdicts) != 3 || got.Verdicts[1].Status != listing.Reopened || got.Verdicts[1].Reviewer != "管理员" {
		t.Errorf("history not kept: %+v", got)
	}

	bad := []struct {
		name, id, body string
		want           int
	}{
		{"unknown finding", "no-such-id", `{"status":"confirmed"}`, http.StatusNotFound},
		{"unknown verdict", id, `{"status":"maybe"}`, http.StatusBadRequest},
		{"unknown field", id, `{"status":"confirmed","reviewer":"someone else"}`, http.StatusBadRequest},
		{"not JSON", id, `confirmed`, http.StatusBadRequest},
		{"too large", id, `{"status":"confirmed","note":"` + strings.Repeat("长", 40000) + `"}`, http.StatusRequestEntityTooLarge},
		{"note too long", id, `{"status":"confirmed","note":"` + strings.Repeat("长", 2001) + `"}`, http.StatusBadRequest},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			var e map[string]string
			if code := f.call(t, "POST", "/v1/findings/"+c.id+"/verdict", reviewerToken, c.body, &e); code != c.want || e["error"] == "" {
				t.Errorf("status %d %v, want %d with a message", code, e, c.want)
			}
		})
	}
	if code := f.call(t, "GET", "/v1/findings/no-such-id", reviewerToken, "", nil); code != http.StatusNotFound {
		t.Errorf("unknown finding: %d, want 404", code)
	}
}

func TestListingMatches(t *testing.T) {
	f := newFixture(t)
	var m struct {
		Listing struct {
			ID    string `json:"id"`
			Title string `json:"title"`
		} `json:"listing"`
		Matches []struct {
			Finding listing.Finding `json:"finding"`
			Other   *struct {
				ID         string `json:"id"`
				ProviderID string `json:"provider_id"`
			} `json:"other"`
		} `json:"matches"`
	}
	if code := f.call(t, "GET", "/v1/listings/L-1001/matches", reviewerToken, "", &m); code != 200 {
		t.Fatalf("status %d", code)
	}
	if m.Listing.ID != "L-1001" || m.Listing.Title == "" || len(m.Matches) == 0 {
		t.Fatalf("matches = %+v", m)
	}
	found := false
	for _, x := range m.Matches {
		if x.Other != nil && x.Other.ID == "L-1025" && x.Finding.First == "L-1001" {
			found = true
		}
	}
	if !found {
		t.Errorf("L-1001's copy by L-1025 is not among its matches: %+v", m.Matches)
	}
	if code := f.call(t, "GET", "/v1/listings/L-none/matches", reviewerToken, "", nil); code != http.StatusNotFound {
		t.Errorf("unknown listing: %d, want 404", code)
	}
}

func TestIngestScansPostedListings(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	orig, err := f.store.Get(ctx, []string{"L-1009"})
	if err != nil || len(orig) != 1 {
		t.Fatalf("seed listing: %v", err)
	}
	copied := map[string]any{
		"id": "L-9001", "provider": map[string]string{"id": "P-99", "name": "仿冒科技"},
		"title": orig[0].Listing.Title, "description_html": orig[0].Listing.DescriptionHTML,
		"published_at": "2026-11-01T10:00:00+08:00",
		"price":        map[string]any{"plans": []map[string]any{{"name": "标准版", "list_price": 999, "price": 699}}},
	}
	body, _ := json.Marshal([]any{copied, map[string]any{"id": "L-9002"}})
	var res struct {
		Listings int               `json:"listings"`
		Rejected []map[string]any  `json:"rejected"`
		Findings []listing.Finding `json:"findings"`
	}
	if code := f.call(t, "POST", "/v1/listings", adminToken, string(body), &res); code != 200 {
		t.Fatalf("status %d: %+v", code, res)
	}
	if res.Listings != 1 || len(res.Rejected) != 1 {
		t.Errorf("ingest scanned %d listings and rejected %d, want 1 and 1 (a listing without provider and title)", res.Listings, len(res.Rejected))
	}
	rules := map[string]bool{}
	for _, x := range res.Findings {
		if x.ListingID == "L-9001" && x.OtherListingID == "L-1009" {
			rules[x.Rule] = true
		}
	}
	if !rules[listing.RuleCopyTitle] || !rules[listing.RuleCopyDescription] {
		t.Errorf("the posted copy of L-1009 was not reported: %+v", res.Findings)
	}
	stored, err := f.store.Findings(ctx, indexer.FindingQuery{ListingID: "L-9001"})
	if err != nil || len(stored) == 0 {
		t.Errorf("ingest findings not stored: %v", err)
	}
	var metrics bytes.Buffer
	resp, err := http.Get(f.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(&metrics, resp.Body)
	resp.Body.Close()
	for _, want := range []string{"listingscan_scans_total 1", `listingscan_findings_total{rule="copy.title"}`, "listingscan_http_request_duration_seconds_bucket"} {
		if !strings.Contains(metrics.String(), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

// TestPagesRender walks the review UI over plain HTTP with a session
// cookie: every page renders, forms carry the CSRF token, and a post
// without it is refused.
func TestPagesRender(t *testing.T) {
	f := newFixture(t)
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Jar: jar}
	fetch := func(method, path string, form url.Values) (int, string) {
		t.Helper()
		var resp *http.Response
		var err error
		if method == "POST" {
			resp, err = c.PostForm(f.url+path, form)
		} else {
			resp, err = c.Get(f.url + path)
		}
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := fetch("GET", "/ui/queue", nil); code != 200 || !strings.Contains(body, `id="login"`) {
		t.Fatalf("without a session the queue should lead to the login form: %d", code)
	}
	if code, body := fetch("POST", "/ui/login", url.Values{"token": {"wrong-token-0123456789"}}); code != http.StatusUnauthorized || !strings.Contains(body, "invalid token") {
		t.Errorf("wrong token: %d", code)
	}
	code, body := fetch("POST", "/ui/login", url.Values{"token": {reviewerToken}, "next": {"/ui/queue?rule=copy.image"}})
	if code != 200 || !strings.Contains(body, `id="queue"`) || !strings.Contains(body, "copy.image") {
		t.Fatalf("queue after login: %d\n%s", code, body)
	}
	var p page
	f.call(t, "GET", "/v1/findings?limit=500", reviewerToken, "", &p)
	for _, fd := range p.Findings {
		code, body := fetch("GET", "/ui/findings/"+fd.ID, nil)
		if code != 200 || !strings.Contains(body, fd.ListingID) || !strings.Contains(body, `name="csrf"`) {
			t.Errorf("finding page %s (%s): %d", fd.ID, fd.Rule, code)
		}
	}
	for _, q := range []string{"?status=confirmed", "?status=dismissed&severity=high", "?provider=P-01&min_score=0.5", "?limit=1"} {
		if code, _ := fetch("GET", "/ui/queue"+q, nil); code != 200 {
			t.Errorf("queue%s: %d", q, code)
		}
	}
	if code, _ := fetch("GET", "/ui/findings/no-such-finding", nil); code != http.StatusNotFound {
		t.Errorf("unknown finding page: %d", code)
	}
	if code, _ := fetch("POST", "/ui/findings/"+p.Findings[0].ID+"/verdict", url.Values{"status": {"confirmed"}}); code != http.StatusForbidden {
		t.Errorf("verdict without CSRF token: %d, want 403", code)
	}
	img := "/ui/image?" + url.Values{"listing": {"L-1001"}, "ref": {"img/L-1001-1.jpg"}}.Encode()
	resp, err := c.Get(f.url + img)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/jpeg" {
		t.Errorf("thumbnail: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, ref := range []string{"../listings.jsonl", "/etc/passwd"} {
		bad := "/ui/image?" + url.Values{"listing": {"L-1001"}, "ref": {ref}}.Encode()
		if code, _ := fetch("GET", bad, nil); code != http.StatusNotFound {
			t.Errorf("image %s not named by the listing: %d, want 404", ref, code)
		}
	}
}

// TestCheckDrafts posts the sample drafts: a clean one passes, a copied one
// is blocked, one with a copied title goes to review; and many checks at
// once are safe (this package's tests run under the race detector in CI).
func TestCheckDrafts(t *testing.T) {
	f := newFixture(t)
	draft := func(name string) string {
		t.Helper()
		data, err := os.ReadFile(filepath.Join("../testdata/drafts", name+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatal(err)
		}
		delete(m, "images") // relative to the draft's file, which a posted draft has not
		out, _ := json.Marshal(m)
		return string(out)
	}
	type result struct {
		Decision string            `json:"decision"`
		Reasons  []listing.Finding `json:"reasons"`
		Recorded bool              `json:"recorded"`
	}
	cases := []struct {
		name, want, rule string
	}{
		{"clean", "pass", ""},
		{"copied", "block", listing.RuleCopyDescription},
		{"borderline", "review", listing.RuleCopyTitle},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var r result
			if code := f.call(t, "POST", "/v1/check", publisherToken, draft(c.name), &r); code != 200 {
				t.Fatalf("status %d", code)
			}
			if r.Decision != c.want || r.Recorded {
				t.Errorf("decision %q (recorded %v), want %q", r.Decision, r.Recorded, c.want)
			}
			if c.rule != "" {
				found := false
				for _, x := range r.Reasons {
					if x.Rule == c.rule && x.OtherListingID == "L-1009" && x.OtherProviderID != "" {
						found = true
					}
				}
				if !found {
					t.Errorf("no %s reason naming L-1009 and its provider: %+v", c.rule, r.Reasons)
				}
			}
		})
	}
	if n, err := f.store.Findings(context.Background(), indexer.FindingQuery{ListingID: "L-D002"}); err != nil || len(n) != 0 {
		t.Errorf("a check without record wrote %d findings (%v)", len(n), err)
	}

	t.Run("record", func(t *testing.T) {
		var r result
		f.call(t, "POST", "/v1/check?record=true", publisherToken, draft("copied"), &r)
		got, err := f.store.Findings(context.Background(), indexer.FindingQuery{ListingID: "L-D002"})
		if !r.Recorded || err != nil || len(got) == 0 {
			t.Errorf("recorded %v, %d findings stored (%v)", r.Recorded, len(got), err)
		}
		// The draft is in the catalogue now; checking it again must not
		// match its own stored version.
		f.call(t, "POST", "/v1/check", publisherToken, draft("copied"), &r)
		for _, x := range r.Reasons {
			if x.OtherListingID != "" && x.OtherListingID == x.ListingID {
				t.Errorf("the draft matched itself: %+v", x)
			}
		}
	})

	t.Run("errors", func(t *testing.T) {
		for _, c := range []struct {
			name, token, body string
			want              int
		}{
			{"reviewer may not check", reviewerToken, draft("clean"), http.StatusForbidden},
			{"not a listing", publisherToken, `{"id":"L-X"}`, http.StatusBadRequest},
			{"not JSON", publisherToken, `{"id":`, http.StatusBadRequest},
			{"too large", publisherToken, `{"id":"L-X","title":"` + strings.Repeat("大", 1<<20) + `"}`, http.StatusRequestEntityTooLarge},
		} {
			var e map[string]string
			if code := f.call(t, "POST", "/v1/check", c.token, c.body, &e); code != c.want || e["error"] == "" {
				t.Errorf("%s: %d %v, want %d with a message", c.name, code, e, c.want)
			}
		}
	})

	t.Run("concurrent", func(t *testing.T) {
		var wg sync.WaitGroup
		errs := make(chan string, 24)
		for i := range 24 {
			name := cases[i%len(cases)]
			wg.Go(func() {
				req, _ := http.NewRequest("POST", f.url+"/v1/check", strings.NewReader(draft(name.name)))
				req.Header.Set("Authorization", "Bearer "+publisherToken)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					errs <- err.Error()
					return
				}
				defer resp.Body.Close()
				var r result
				if err := json.NewDecoder(resp.Body).Decode(&r); err != nil || r.Decision != name.want {
					errs <- fmt.Sprintf("%s: %q %v", name.name, r.Decision, err)
				}
			})
		}
		wg.Wait()
		close(errs)
		for e := range errs {
			t.Error(e)
		}
	})
}
