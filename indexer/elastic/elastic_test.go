package elastic_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/listingscan/listingscan/indexer"
	"github.com/listingscan/listingscan/indexer/elastic"
	"github.com/listingscan/listingscan/indexer/storetest"
	"github.com/listingscan/listingscan/listing"
)

// engineURL returns the engine the tests run against, from
// LISTINGSCAN_TEST_ES. Without it the test is skipped with instructions;
// with it, an unreachable engine fails the test in open.
func engineURL(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv("LISTINGSCAN_TEST_ES")
	if u == "" {
		tb.Skip("LISTINGSCAN_TEST_ES is not set; run the Elasticsearch tests with:\n" +
			"  tools/searchnode/searchnode.sh start\n" +
			"  export LISTINGSCAN_TEST_ES=$(tools/searchnode/searchnode.sh url)")
	}
	return u
}

// testPrefix is an index prefix no other test uses.
func testPrefix(tb testing.TB) string {
	var b [6]byte
	rand.Read(b[:])
	name := strings.ToLower(strings.NewReplacer("/", "-", " ", "-", "=", "-", ",", "-").Replace(tb.Name()))
	if len(name) > 40 {
		name = name[:40]
	}
	return "lstest-" + name + "-" + hex.EncodeToString(b[:])
}

// openAt opens a store at url with a fresh prefix and drops its indices
// when the test ends.
func openAt(tb testing.TB, url, prefix string, cfg elastic.Config) *elastic.Store {
	tb.Helper()
	cfg.URL = url
	cfg.IndexPrefix = prefix
	zero := 0
	cfg.Replicas = &zero
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := elastic.Open(ctx, cfg)
	if err != nil {
		tb.Fatalf("open the engine given by LISTINGSCAN_TEST_ES: %v", err)
	}
	tb.Cleanup(func() {
		// A store opened through a fault injector cannot drop its indices;
		// the test that made it drops them through the engine itself.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		drop, err := elastic.Open(ctx, elastic.Config{URL: engineURLOrEmpty(), IndexPrefix: prefix, Replicas: &zero})
		if err != nil {
			tb.Errorf("clean up %s: %v", prefix, err)
			return
		}
		if err := drop.DeleteIndices(ctx); err != nil {
			tb.Errorf("clean up %s: %v", prefix, err)
		}
	})
	return s
}

func engineURLOrEmpty() string { return os.Getenv("LISTINGSCAN_TEST_ES") }

// openTest opens a fresh store on the test engine.
func openTest(tb testing.TB) *elastic.Store {
	tb.Helper()
	return openAt(tb, engineURL(tb), testPrefix(tb), elastic.Config{})
}

func TestContract(t *testing.T) {
	engineURL(t)
	storetest.Run(t, func(t *testing.T) indexer.Store { return openTest(t) })
}

func TestReviewsContract(t *testing.T) {
	engineURL(t)
	storetest.RunReviews(t, func(t *testing.T) storetest.ReviewStore { return openTest(t) })
}

func TestOpenUnreachableFails(t *testing.T) {
	ctx := context.Background()
	_, err := elastic.Open(ctx, elastic.Config{URL: "http://127.0.0.1:1", MaxRetries: 1, RetryBackoff: func(int) time.Duration { return time.Millisecond }})
	if err == nil || !strings.Contains(err.Error(), "unreachable") {
		t.Fatalf("open of a closed port = %v, want an unreachable error", err)
	}
}

func TestOpenRejectsBadPrefix(t *testing.T) {
	_, err := elastic.Open(context.Background(), elastic.Config{URL: "http://127.0.0.1:1", IndexPrefix: "Upper Case"})
	if err == nil || !strings.Contains(err.Error(), "index prefix") {
		t.Fatalf("open with a bad prefix = %v, want a prefix error", err)
	}
}

func TestReopenKeepsDataAndIndices(t *testing.T) {
	url := engineURL(t)
	prefix := testPrefix(t)
	ctx := context.Background()
	s := openAt(t, url, prefix, elastic.Config{})
	e := indexer.Entry{
		Listing: listing.Listing{ID: "L-1", Provider: listing.Provider{ID: "P-1"}, Title: "餐饮点餐小程序",
			UpdatedAt: time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)},
		Digest: "x", Sketch: []byte("sketch of L-1"),
	}
	if err := s.Put(ctx, []indexer.Entry{e}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = openAt(t, url, prefix, elastic.Config{})
	got := sketches(t, s)
	if len(got) != 1 || string(got["L-1"]) != "sketch of L-1" {
		t.Errorf("after reopen got sketches %q, want L-1's", got)
	}
}

// sketches returns every stored sketch by listing id.
func sketches(t *testing.T, s indexer.Store) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := s.Sketches(context.Background(), time.Time{}, func(sk indexer.StoredSketch) error {
		out[sk.ListingID] = sk.Sketch
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestVersions pins down what external versioning from updated_at means for
// re-puts: equal versions replace (content may change without updated_at
// moving), older versions are skipped without error, newer ones replace.
func TestVersions(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	day := func(d int) time.Time { return time.Date(2026, 1, d, 0, 0, 0, 0, time.UTC) }
	put := func(updated time.Time, digest string) {
		t.Helper()
		e := indexer.Entry{
			Listing: listing.Listing{ID: "L-1", Provider: listing.Provider{ID: "P-1"}, Title: "会员积分商城", UpdatedAt: updated},
			Digest:  digest, Sketch: []byte("sk-" + digest),
		}
		if err := s.Put(ctx, []indexer.Entry{e}); err != nil {
			t.Fatalf("put %s: %v", digest, err)
		}
	}
	digest := func() string {
		t.Helper()
		d, err := s.Digests(ctx, []string{"L-1"})
		if err != nil {
			t.Fatal(err)
		}
		return d["L-1"]
	}
	cases := []struct {
		name    string
		updated time.Time
		digest  string
		want    string
	}{
		{"first put", day(5), "v5", "v5"},
		{"same updated_at, new content replaces", day(5), "v5b", "v5b"},
		{"older updated_at is skipped", day(3), "v3", "v5b"},
		{"newer updated_at replaces", day(9), "v9", "v9"},
		{"same content again is harmless", day(9), "v9", "v9"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			put(c.updated, c.digest)
			if got := digest(); got != c.want {
				t.Errorf("stored digest %q, want %q", got, c.want)
			}
			if got := sketches(t, s); string(got["L-1"]) != "sk-"+c.want {
				t.Errorf("stored sketch %q, want that of %s", got["L-1"], c.want)
			}
		})
	}
}

// TestListingSourceRoundTrip checks that the file a listing was read from
// survives the store (the listing's JSON leaves it out), also in a listings
// index created before the store kept it: Open adds the field.
func TestListingSourceRoundTrip(t *testing.T) {
	url := engineURL(t)
	ctx := context.Background()
	// oldListings is the listings mapping as it was before the source field.
	const oldListings = `{"settings":{"number_of_shards":1,"number_of_replicas":0},
"mappings":{"dynamic":"strict","properties":{
"id":{"type":"keyword"},"provider_id":{"type":"keyword"},"provider_name":{"type":"text"},
"template_id":{"type":"keyword"},"category":{"type":"keyword"},"tags":{"type":"keyword"},
"title":{"type":"text"},"summary":{"type":"text"},"description":{"type":"text"},
"published_at":{"type":"date"},"updated_at":{"type":"date"},"first_seen":{"type":"date"},
"stored_at":{"type":"date"},"digest":{"type":"keyword","index":false},"keys":{"type":"keyword"},
"key_count":{"type":"integer"},"listing":{"type":"object","enabled":false},"print":{"type":"binary"}}},
"aliases":{"%s-listings":{"is_write_index":true}}}`
	cases := []struct {
		name     string
		preexist bool
	}{
		{"new indices", false},
		{"listings index without the field", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			prefix := testPrefix(t)
			if c.preexist {
				req, err := http.NewRequestWithContext(ctx, http.MethodPut, url+"/"+prefix+"-listings-v1",
					strings.NewReader(fmt.Sprintf(oldListings, prefix)))
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("Content-Type", "application/json")
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					t.Fatalf("create the old listings index: %s", res.Status)
				}
			}
			s := openAt(t, url, prefix, elastic.Config{})
			defer s.Close()
			e := indexer.Entry{
				Listing: listing.Listing{ID: "L-7", Provider: listing.Provider{ID: "P-7", Name: "杭州云栈科技"},
					Title: "门店预约小程序", Source: "market/listings/L-7/listing.json"},
				Digest: "d-L-7",
			}
			if err := s.Put(ctx, []indexer.Entry{e}); err != nil {
				t.Fatal(err)
			}
			got, err := s.Get(ctx, []string{"L-7"})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0].Listing.Source != e.Listing.Source || got[0].Listing.Title != e.Listing.Title {
				t.Errorf("got %+v, want the listing with source %q", got, e.Listing.Source)
			}
		})
	}
}
