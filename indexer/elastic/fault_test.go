package elastic_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/listingscan/listingscan/indexer"
	"github.com/listingscan/listingscan/indexer/elastic"
	"github.com/listingscan/listingscan/indexer/elastic/esfault"
	"github.com/listingscan/listingscan/listing"
	"github.com/listingscan/listingscan/scanner"
)

// fastRetries keeps fault tests short: few attempts, short waits, and one
// bulk request per round so that requests can be counted.
func fastRetries(retries int) elastic.Config {
	return elastic.Config{MaxRetries: retries, BulkWorkers: 1, RetryBackoff: func(int) time.Duration { return 20 * time.Millisecond }}
}

// entries makes n listings with a fingerprint of about 1 KB each, so that a
// batch is a bulk request of realistic size.
func entries(n int) []indexer.Entry {
	out := make([]indexer.Entry, n)
	pad := strings.Repeat("0123456789abcdef", 64)
	for i := range out {
		id := fmt.Sprintf("L-%05d", i)
		out[i] = indexer.Entry{
			Listing: listing.Listing{
				ID: id, Provider: listing.Provider{ID: fmt.Sprintf("P-%03d", i%50), Name: "杭州云启科技"},
				Title: "餐饮点餐小程序 第" + fmt.Sprint(i) + "版", Tags: []string{"餐饮", "点餐"},
				UpdatedAt: time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC),
			},
			Print:  []byte(fmt.Sprintf("print of %s %s", id, pad)),
			Sketch: []byte("sketch of " + id),
			Digest: "d-" + id,
		}
	}
	return out
}

func listingCount(t *testing.T, s indexer.Store) int {
	t.Helper()
	st, err := s.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st.Listings
}

func newHTTPProxy(t *testing.T, target string) *esfault.HTTP {
	t.Helper()
	p, err := esfault.NewHTTP(target)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

func newTCPProxy(t *testing.T, target string) *esfault.TCP {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p, err := esfault.NewTCP(u.Host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

// TestThrottledBulkRequestsAreRetried answers the first bulk requests with
// 429: the client waits and sends them again, and everything is written.
func TestThrottledBulkRequestsAreRetried(t *testing.T) {
	url := engineURL(t)
	ctx := context.Background()
	proxy := newHTTPProxy(t, url)
	s := openAt(t, proxy.URL(), testPrefix(t), fastRetries(3))
	cases := []struct {
		name     string
		throttle int
	}{
		{"one throttled request", 1},
		{"three throttled requests, the retry limit", 3},
	}
	written := 0
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := len(proxy.Bulks())
			proxy.Throttle(c.throttle)
			es := entries(300)[written : written+100]
			if err := s.Put(ctx, es); err != nil {
				t.Fatalf("put: %v", err)
			}
			written += 100
			if got := len(proxy.Bulks()) - before; got != c.throttle+1 {
				t.Errorf("engine got %d bulk requests, want %d (throttled %d, then one that passed)", got, c.throttle+1, c.throttle)
			}
			if n := listingCount(t, s); n != written {
				t.Errorf("store holds %d listings, want %d", n, written)
			}
		})
	}
	t.Run("throttled beyond the retry limit fails loudly", func(t *testing.T) {
		before := len(proxy.Bulks())
		proxy.Throttle(100)
		defer proxy.Throttle(0)
		err := s.Put(ctx, entries(300)[written:])
		var be *elastic.BulkError
		if !errors.As(err, &be) || len(be.IDs) != 100 || !strings.Contains(err.Error(), "100 of 100 items failed") {
			t.Fatalf("put = %v, want a bulk error naming all 100 items", err)
		}
		// Each of 1+3 rounds is one request retried 3 times by the client.
		if got := len(proxy.Bulks()) - before; got != 16 {
			t.Errorf("engine got %d bulk requests, want 16", got)
		}
	})
}

// TestRejectedItemsAreRetriedOrReported makes the engine reject single
// documents of a bulk request.
func TestRejectedItemsAreRetriedOrReported(t *testing.T) {
	url := engineURL(t)
	ctx := context.Background()
	es := entries(200)
	cases := []struct {
		name       string
		fail       map[string]int
		times      int
		wantErr    bool
		wantFailed []string
		wantBulks  int
		wantRetry  int // items in the second bulk request
	}{
		{
			name: "throttled items succeed on the next round",
			fail: map[string]int{"L-00003": 429, "L-00050": 429, "L-00120": 503}, times: 1,
			wantBulks: 2, wantRetry: 3,
		},
		{
			name: "items rejected as malformed fail without retry",
			fail: map[string]int{"L-00007": 400, "L-00199": 400}, times: -1,
			wantErr: true, wantFailed: []string{"L-00007", "L-00199"}, wantBulks: 1,
		},
		{
			name: "items that stay unavailable fail after the last round",
			fail: map[string]int{"L-00001": 503, "L-00002": 400}, times: -1,
			wantErr: true, wantFailed: []string{"L-00001", "L-00002"}, wantBulks: 3, wantRetry: 1,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			proxy := newHTTPProxy(t, url)
			s := openAt(t, proxy.URL(), testPrefix(t), fastRetries(2))
			proxy.FailItems(c.fail, c.times)
			err := s.Put(ctx, es)
			bulks := proxy.Bulks()
			if len(bulks) != c.wantBulks {
				t.Errorf("engine got %d bulk requests, want %d", len(bulks), c.wantBulks)
			}
			if c.wantRetry > 0 && len(bulks) > 1 && len(bulks[1]) != c.wantRetry {
				t.Errorf("second bulk request carried %d items %v, want %d", len(bulks[1]), bulks[1], c.wantRetry)
			}
			if !c.wantErr {
				if err != nil {
					t.Fatalf("put: %v", err)
				}
				return
			}
			var be *elastic.BulkError
			if !errors.As(err, &be) || !slices.Equal(be.IDs, c.wantFailed) {
				t.Fatalf("put = %v, want a bulk error naming %v", err, c.wantFailed)
			}
			want := fmt.Sprintf("%d of %d items failed", len(c.wantFailed), len(es))
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not say %q", err, want)
			}
		})
	}
}

// TestEngineStoppingMidBulkFailsLoudly cuts every connection in the middle
// of a bulk request body and, separately, lets connections hang without an
// answer: the write must fail with every item accounted for, and a scan
// must fail as a store failure rather than report success.
func TestEngineStoppingMidBulkFailsLoudly(t *testing.T) {
	url := engineURL(t)
	ctx := context.Background()
	es := entries(300) // about 450 KB of bulk body

	t.Run("connection cut mid-body", func(t *testing.T) {
		proxy := newTCPProxy(t, url)
		s := openAt(t, proxy.URL(), testPrefix(t), fastRetries(2))
		if err := s.Put(ctx, es[:10]); err != nil { // a small write passes
			t.Fatalf("put before the fault: %v", err)
		}
		proxy.CutAfter(64 << 10)
		err := s.Put(ctx, es)
		var be *elastic.BulkError
		if !errors.As(err, &be) || len(be.IDs) != len(es) || !strings.Contains(err.Error(), "300 of 300 items failed") {
			t.Fatalf("put = %v, want a bulk error naming all 300 items", err)
		}
		// 3 rounds, each one request tried 3 times by the client.
		if got := proxy.Cuts(); got != 9 {
			t.Errorf("proxy cut %d requests, want 9", got)
		}
		proxy.CutAfter(0)
		if n := listingCount(t, s); n != 10 {
			t.Errorf("store holds %d listings after the failed write, want the 10 written before", n)
		}
		// Once the engine is back, the same write goes through.
		if err := s.Put(ctx, es); err != nil {
			t.Fatalf("put after recovery: %v", err)
		}
		if n := listingCount(t, s); n != len(es) {
			t.Errorf("store holds %d listings, want %d", n, len(es))
		}
	})

	t.Run("engine accepts but never answers", func(t *testing.T) {
		proxy := newTCPProxy(t, url)
		cfg := fastRetries(1)
		cfg.RequestTimeout = 500 * time.Millisecond
		s := openAt(t, proxy.URL(), testPrefix(t), cfg)
		proxy.Silence(true)
		before := proxy.Conns()
		err := s.Put(ctx, es[:50])
		var be *elastic.BulkError
		if !errors.As(err, &be) || len(be.IDs) != 50 {
			t.Fatalf("put = %v, want a bulk error naming all 50 items", err)
		}
		// Each timed-out attempt closes its connection, so connections
		// count attempts; the client may reuse one across its own retries,
		// so only "retried at all" is certain.
		if got := proxy.Conns() - before; got < 2 {
			t.Errorf("%d attempts reached the proxy, want the write retried", got)
		}
	})

	t.Run("scan over a failing engine is a store failure", func(t *testing.T) {
		proxy := newTCPProxy(t, url)
		s := openAt(t, proxy.URL(), testPrefix(t), fastRetries(1))
		dir := t.TempDir()
		var lines []string
		for i := range 400 {
			l := listing.Listing{
				ID: fmt.Sprintf("L-%04d", i), Provider: listing.Provider{ID: fmt.Sprintf("P-%02d", i%40), Name: "成都蓉城数智科技"},
				Title:           fmt.Sprintf("社区团购小程序 %d 号方案", i),
				DescriptionHTML: "<p>支持团长管理、商品预售、订单核销与售后服务，提供完整的社区团购运营方案。</p>",
			}
			b, err := json.Marshal(&l)
			if err != nil {
				t.Fatal(err)
			}
			lines = append(lines, string(b))
		}
		if err := os.WriteFile(filepath.Join(dir, "listings.jsonl"), []byte(strings.Join(lines, "\n")), 0o644); err != nil {
			t.Fatal(err)
		}
		proxy.CutAfter(32 << 10)
		sc, err := scanner.New(s, scanner.DefaultConfig(), scanner.WithWorkers(2))
		if err != nil {
			t.Fatal(err)
		}
		res, err := sc.Scan(ctx, []string{dir})
		if !errors.Is(err, scanner.ErrStore) || res != nil {
			t.Fatalf("scan = %v, %v; want a store failure and no result", res, err)
		}
		if !strings.Contains(err.Error(), "items failed") {
			t.Errorf("error %q does not account for the failed items", err)
		}
	})
}
