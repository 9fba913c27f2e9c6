package server_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/listingscan/listingscan/listing"
)

// browser starts headless Chromium for one test. Without a Chromium the
// test skips, unless LISTINGSCAN_REQUIRE_BROWSER is set (as CI does): there
// a missing browser is a failure, not a skip.
func browser(t *testing.T) context.Context {
	t.Helper()
	path := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		if os.Getenv("LISTINGSCAN_REQUIRE_BROWSER") != "" {
			t.Fatal("no Chromium found and LISTINGSCAN_REQUIRE_BROWSER is set; install Debian's chromium package")
		}
		t.Skip("no Chromium found; install Debian's chromium package to run the review UI tests")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelCtx(); cancelAlloc() })
	// The first run starts the browser; it must not carry a timeout, which
	// would stop the browser with it.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start %s: %v", path, err)
	}
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancelTimeout)
	return ctx
}

// do runs browser steps, failing the test on the first error.
func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

// get runs one browser action and returns its value.
func get[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func login(t *testing.T, ctx context.Context, base, token string) {
	t.Helper()
	do(t, ctx,
		chromedp.Navigate(base+"/ui/queue"),
		chromedp.WaitVisible(chromedp.ID("token")),
		chromedp.SendKeys(chromedp.ID("token"), token),
		chromedp.Submit(chromedp.ID("login")),
	)
	settle(t, ctx, `location.pathname !== "/ui/login" || document.getElementById("error") !== null`)
}

// settle waits until a page has loaded and cond holds on it. A form post
// replaces the page, so evaluating while the old one goes away fails; those
// failures are retried.
func settle(t *testing.T, ctx context.Context, cond string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.readyState === "complete" && (`+cond+`)`))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("page did not settle on %s: %v", cond, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestReviewerWalksTheQueue opens the queue, opens a finding from it with
// the keyboard, records a verdict with a note and checks it persisted.
func TestReviewerWalksTheQueue(t *testing.T) {
	f := newFixture(t)
	ctx := browser(t)
	login(t, ctx, f.url, reviewerToken)

	do(t, ctx, chromedp.WaitVisible(chromedp.ID("queue")))
	rows := get(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("tr.row").length`))
	var p page
	f.call(t, "GET", "/v1/findings?status=open&limit=500", reviewerToken, "", &p)
	if rows != len(p.Findings) || rows < 2 {
		t.Fatalf("queue shows %d rows, the API has %d open findings", rows, len(p.Findings))
	}

	// The second row, opened with j then o.
	do(t, ctx, chromedp.KeyEvent("j"), chromedp.KeyEvent("o"))
	settle(t, ctx, `document.getElementById("verdict") !== null`)
	heading := get(t, ctx, chromedp.Text(chromedp.CSS("h1")))
	url := get(t, ctx, chromedp.Location())
	want := p.Findings[1]
	if !strings.Contains(url, "/ui/findings/"+want.ID) || !strings.Contains(heading, want.Rule) {
		t.Fatalf("j o opened %s (%q), want the second finding %s (%s)", url, heading, want.ID, want.Rule)
	}

	do(t, ctx,
		chromedp.SendKeys(chromedp.ID("note"), "两张截图一致，确认抄袭"),
		chromedp.Click(chromedp.ID("confirm")),
	)
	settle(t, ctx, `document.getElementById("history") !== null`)
	if status := get(t, ctx, chromedp.Text(chromedp.ID("status"))); status != string(listing.StatusConfirmed) {
		t.Errorf("page shows status %q after confirming", status)
	}
	var d detail
	f.call(t, "GET", "/v1/findings/"+want.ID, reviewerToken, "", &d)
	if d.Finding.Status != listing.StatusConfirmed || len(d.Verdicts) != 1 ||
		d.Verdicts[0].Reviewer != "审核员小王" || d.Verdicts[0].Note != "两张截图一致，确认抄袭" {
		t.Errorf("verdict not persisted: %+v", d)
	}

	// The confirmed finding left the open queue.
	do(t, ctx, chromedp.Navigate(f.url+"/ui/queue"), chromedp.WaitVisible(chromedp.ID("queue")))
	if rows := get(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("tr.row").length`)); rows != len(p.Findings)-1 {
		t.Errorf("open queue shows %d rows after a verdict, want %d", rows, len(p.Findings)-1)
	}
}

// TestFindingPageShowsEvidence checks the side-by-side page of an image
// copy: both listings, who was first, the matched pair highlighted with its
// distance, and images that actually load.
func TestFindingPageShowsEvidence(t *testing.T) {
	f := newFixture(t)
	var p page
	f.call(t, "GET", "/v1/findings?listing=L-1025&rule=copy.image", reviewerToken, "", &p)
	if len(p.Findings) != 1 {
		t.Fatalf("want the planted image copy, got %d", len(p.Findings))
	}
	fd := p.Findings[0]
	ctx := browser(t)
	login(t, ctx, f.url, reviewerToken)
	do(t, ctx,
		chromedp.Navigate(f.url+"/ui/findings/"+fd.ID),
		chromedp.WaitVisible(chromedp.ID("side-1")),
	)
	sides := get(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("section.side").length`))
	matched := get(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("figure.matched").length`))
	firstBadge := get(t, ctx, chromedp.Text(chromedp.CSS("#side-1 h2")))
	distance := get(t, ctx, chromedp.Text(chromedp.ID("distance")))
	get(t, ctx, chromedp.Poll[chromedp.Void](`Array.from(document.querySelectorAll("figure.matched img")).every(i => i.complete && i.naturalWidth > 0)`,
		chromedp.WithPollingTimeout(20*time.Second)))
	loaded := get(t, ctx, chromedp.Evaluate[int](`Array.from(document.querySelectorAll("figure img")).filter(i => i.complete && i.naturalWidth > 0).length`))
	if sides != 2 || matched != 2 {
		t.Errorf("%d sides and %d highlighted images, want 2 and 2", sides, matched)
	}
	if !strings.Contains(firstBadge, "L-1001") || !strings.Contains(firstBadge, "first") {
		t.Errorf("the original side says %q, want L-1001 marked first", firstBadge)
	}
	if distance == "" || distance != jsonInt(fd.Evidence.Distance) {
		t.Errorf("distance shown %q, evidence %v", distance, fd.Evidence.Distance)
	}
	if loaded < 2 {
		t.Errorf("%d images loaded", loaded)
	}
}

func jsonInt(p *int) string {
	if p == nil {
		return ""
	}
	b, _ := json.Marshal(*p)
	return string(b)
}

// TestMaliciousTitleIsShownAsText ingests a copy whose title and
// description carry markup and script, and checks the page shows them as
// text and runs none of it.
func TestMaliciousTitleIsShownAsText(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	orig, err := f.store.Get(ctx, []string{"L-1009"})
	if err != nil || len(orig) != 1 {
		t.Fatalf("seed listing: %v", err)
	}
	evil := `<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">` + orig[0].Listing.Title
	body, _ := json.Marshal(map[string]any{
		"id": "L-6666", "provider": map[string]string{"id": "P-66", "name": `<b onmouseover="alert(1)">恶意</b>`},
		"title": evil, "description_html": orig[0].Listing.DescriptionHTML + `<p><script>window.__pwned=3</script></p>`,
		"published_at": "2026-11-02T10:00:00+08:00",
	})
	var res struct {
		Findings []listing.Finding `json:"findings"`
	}
	if code := f.call(t, "POST", "/v1/listings", adminToken, string(body), &res); code != 200 {
		t.Fatalf("ingest status %d", code)
	}
	id := ""
	for _, x := range res.Findings {
		if x.ListingID == "L-6666" && x.Rule == listing.RuleCopyDescription {
			id = x.ID
		}
	}
	if id == "" {
		t.Fatalf("the copy was not reported: %+v", res.Findings)
	}
	bctx := browser(t)
	login(t, bctx, f.url, reviewerToken)
	do(t, bctx,
		chromedp.Navigate(f.url+"/ui/findings/"+id),
		chromedp.WaitVisible(chromedp.ID("side-0")),
		chromedp.Sleep(300*time.Millisecond),
	)
	title := get(t, bctx, chromedp.Text(chromedp.CSS("#side-0 .title")))
	provider := get(t, bctx, chromedp.Text(chromedp.CSS("#side-0 .provider")))
	if pwned := get(t, bctx, chromedp.Evaluate[bool](`window.__pwned !== undefined`)); pwned {
		t.Error("script from a listing ran in the review UI")
	}
	if !strings.Contains(title, "<script>window.__pwned=1</script>") || !strings.Contains(provider, `<b onmouseover=`) {
		t.Errorf("markup is not shown as text: title %q, provider %q", title, provider)
	}
}

// TestPublisherCannotUseTheUI logs in with a publisher token.
func TestPublisherCannotUseTheUI(t *testing.T) {
	f := newFixture(t)
	ctx := browser(t)
	login(t, ctx, f.url, publisherToken)
	do(t, ctx, chromedp.WaitVisible(chromedp.ID("error")))
	if msg := get(t, ctx, chromedp.Text(chromedp.ID("error"))); !strings.Contains(msg, "may not review") {
		t.Errorf("publisher login says %q", msg)
	}
}
