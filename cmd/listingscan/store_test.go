package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	mathrand "math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/listingscan/listingscan/indexer/elastic"
	"github.com/listingscan/listingscan/indexer/elastic/esfault"
	"github.com/listingscan/listingscan/listing"
)

// testEngine returns the engine of LISTINGSCAN_TEST_ES, or skips with how
// to run these tests.
func testEngine(t *testing.T) string {
	t.Helper()
	u := os.Getenv("LISTINGSCAN_TEST_ES")
	if u == "" {
		t.Skip("LISTINGSCAN_TEST_ES is not set; run the Elasticsearch tests with:\n" +
			"  tools/searchnode/searchnode.sh start\n" +
			"  export LISTINGSCAN_TEST_ES=$(tools/searchnode/searchnode.sh url)")
	}
	return u
}

// enginePrefix is a fresh index prefix whose indices are dropped when the
// test ends.
func enginePrefix(t *testing.T, engine string) string {
	t.Helper()
	var b [6]byte
	rand.Read(b[:])
	prefix := "lstest-cli-" + hex.EncodeToString(b[:])
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		s, err := elastic.Open(ctx, elastic.Config{URL: engine, IndexPrefix: prefix})
		if err != nil {
			t.Errorf("clean up %s: %v", prefix, err)
			return
		}
		if err := s.DeleteIndices(ctx); err != nil {
			t.Errorf("clean up %s: %v", prefix, err)
		}
	})
	return prefix
}

// copiedCatalogue writes text-only listings in pairs: in each pair one
// provider copied the other's title and description. Texts of different
// pairs are drawn at random, so there is no wording common to many
// providers: quick to scan, with findings that do not depend on which
// listings one run sees.
func copiedCatalogue(t *testing.T, n int) string {
	t.Helper()
	const pool = "餐饮点单会员积分商城预约到店外卖配送营销裂变拼团秒杀优惠券储值核销门店管理库存采购财务报表员工排班客户画像数据分析直播带货社群运营物业缴费报修访客停车健身课程私教教育题库作业考试医疗挂号问诊药品酒店客房民宿旅游景区票务汽修保养洗车宠物美容美发美甲摄影婚庆家政保洁搬家维修"
	chars := []rune(pool)
	rng := mathrand.New(mathrand.NewPCG(5, 5))
	text := func(n int) string {
		out := make([]rune, n)
		for i := range out {
			out[i] = chars[rng.IntN(len(chars))]
		}
		return string(out)
	}
	dir := t.TempDir()
	var lines []string
	var title, desc string
	for i := range n {
		if i%2 == 0 {
			title, desc = text(14), text(90)
		}
		l := listing.Listing{
			ID:              fmt.Sprintf("L-%04d", i),
			Provider:        listing.Provider{ID: fmt.Sprintf("P-%03d", i), Name: text(6) + "科技有限公司"},
			Title:           title,
			DescriptionHTML: "<p>" + desc + "</p>",
			PublishedAt:     time.Date(2026, 1, 1+i%2, 0, 0, 0, 0, time.UTC),
		}
		b, err := json.Marshal(&l)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, string(b))
	}
	if err := os.WriteFile(filepath.Join(dir, "listings.jsonl"), []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestElasticsearchStoreFromTheCommandLine(t *testing.T) {
	engine := testEngine(t)
	in := copiedCatalogue(t, 40)
	var whole []string // finding ids of one unsharded scan

	t.Run("scan and findings through --store", func(t *testing.T) {
		prefix := enginePrefix(t, engine)
		code, out, errOut := cli(t, "scan", in, "--store", engine, "--es-index-prefix", prefix, "--format", "jsonl")
		if code != exitOK {
			t.Fatalf("scan exit %d: %s", code, errOut)
		}
		scanned := readFindings(t, out)
		if len(scanned) == 0 {
			t.Fatal("scan of copied listings reported nothing")
		}
		code, out, errOut = cli(t, "findings", "--store", engine, "--es-index-prefix", prefix, "--format", "jsonl")
		if code != exitOK {
			t.Fatalf("findings exit %d: %s", code, errOut)
		}
		stored := readFindings(t, out)
		if len(stored) != len(scanned) {
			t.Errorf("findings lists %d, scan reported %d", len(stored), len(scanned))
		}
		whole = findingIDs(stored)
	})

	t.Run("LISTINGSCAN_STORE and three shards", func(t *testing.T) {
		if whole == nil {
			t.Fatal("needs the unsharded scan above, which failed")
		}
		prefix := enginePrefix(t, engine)
		t.Setenv("LISTINGSCAN_STORE", engine)
		t.Setenv("LISTINGSCAN_ES_INDEX_PREFIX", prefix)
		for i := 1; i <= 3; i++ {
			if code, _, errOut := cli(t, "scan", in, "--shard", fmt.Sprintf("%d/3", i), "--format", "jsonl"); code != exitOK {
				t.Fatalf("shard %d/3 exit %d: %s", i, code, errOut)
			}
		}
		code, out, errOut := cli(t, "findings", "--format", "jsonl")
		if code != exitOK {
			t.Fatalf("findings exit %d: %s", code, errOut)
		}
		fs := readFindings(t, out)
		if got := findingIDs(fs); !slices.Equal(got, whole) {
			t.Errorf("three shards left %d findings, one scan %d", len(got), len(whole))
			for _, f := range fs {
				if !slices.Contains(whole, f.ID) {
					t.Errorf("extra %s %s %s %s", f.Rule, f.ListingID, f.OtherListingID, f.Evidence.Text)
				}
			}
		}
	})

	t.Run("engine failing mid-write exits 4", func(t *testing.T) {
		u, err := url.Parse(engine)
		if err != nil {
			t.Fatal(err)
		}
		proxy, err := esfault.NewTCP(u.Host)
		if err != nil {
			t.Fatal(err)
		}
		defer proxy.Close()
		proxy.CutAfter(4 << 10) // opening the store passes, the bulk write is cut
		prefix := enginePrefix(t, engine)
		code, out, errOut := cli(t, "scan", in, "--store", proxy.URL(), "--es-index-prefix", prefix, "--format", "jsonl")
		if code != exitIncomplete {
			t.Fatalf("exit %d, want %d; stderr: %s", code, exitIncomplete, errOut)
		}
		if out != "" || !strings.Contains(errOut, "could not complete") || !strings.Contains(errOut, "40 of 40 items failed") {
			t.Errorf("stdout %q, stderr %q: want no report and every listing accounted for", out, errOut)
		}
	})
}

func findingIDs(fs []listing.Finding) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.ID
	}
	slices.Sort(out)
	return out
}

func TestStoreSelectionErrors(t *testing.T) {
	in := copiedCatalogue(t, 2)
	cases := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"unknown scheme", []string{"scan", in, "--store", "mysql://x"}, exitUsage, "want sqlite:PATH or http(s)://host:port"},
		{"bad shard", []string{"scan", in, "--store", "sqlite:" + filepath.Join(t.TempDir(), "s.db"), "--shard", "4/3"}, exitUsage, "--shard"},
		{"missing CA file", []string{"findings", "--store", "https://127.0.0.1:1", "--es-ca-cert", "/nonexistent/ca.pem"}, exitUsage, "--es-ca-cert"},
		{"engine not listening", []string{"findings", "--store", "http://127.0.0.1:1"}, exitIncomplete, "unreachable"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, errOut := cli(t, c.args...)
			if code != c.wantCode || !strings.Contains(errOut, c.wantErr) {
				t.Errorf("exit %d, stderr %q; want exit %d mentioning %q", code, errOut, c.wantCode, c.wantErr)
			}
		})
	}
}
