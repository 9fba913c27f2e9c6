package scanner_test

import (
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/listingscan/listingscan/listing"
	"github.com/listingscan/listingscan/scanner"
)

// smallCatalogue writes listings whose small pictures and texts are shared
// across providers in known ways, cheap enough to scan under the race
// detector.
func smallCatalogue(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "img"), 0o755); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, 7))
	const pictures = 12
	for i := range pictures {
		m := image.NewRGBA(image.Rect(0, 0, 96, 160))
		draw.Draw(m, m.Rect, image.NewUniform(color.RGBA{uint8(rng.IntN(256)), uint8(rng.IntN(256)), 200, 255}), image.Point{}, draw.Src)
		for range 14 {
			x, y := rng.IntN(80), rng.IntN(150)
			c := color.RGBA{uint8(rng.IntN(256)), uint8(rng.IntN(256)), uint8(rng.IntN(256)), 255}
			draw.Draw(m, image.Rect(x, y, x+4+rng.IntN(40), y+4+rng.IntN(30)), image.NewUniform(c), image.Point{}, draw.Src)
		}
		f, err := os.Create(filepath.Join(dir, "img", fmt.Sprintf("p%d.png", i)))
		if err != nil {
			t.Fatal(err)
		}
		if err := png.Encode(f, m); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	titles := []string{"悦享轻食扫码点餐会员一体化小程序", "云栖社区团购接龙与自提点管理", "智慧物业报事报修与缴费平台", "在线问诊与慢病随访一体化系统"}
	base := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	f, err := os.Create(filepath.Join(dir, "listings.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	enc := json.NewEncoder(f)
	for i := range 36 {
		l := listing.Listing{
			ID:          fmt.Sprintf("L-%03d", i),
			Provider:    listing.Provider{ID: fmt.Sprintf("P-%d", i%9)},
			Title:       fmt.Sprintf("%s 第%d版", titles[i%len(titles)], i),
			Images:      []string{fmt.Sprintf("img/p%d.png", i%pictures), fmt.Sprintf("img/p%d.png", (i*5+1)%pictures)},
			PublishedAt: base.Add(time.Duration(i) * time.Hour),
		}
		if err := enc.Encode(&l); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestParallelScanMatchesSerial scans the same catalogue with one worker and
// with many: the findings must be identical. Run under the race detector,
// it also checks the workers share the store, the image cache and the
// pair bookkeeping safely.
func TestParallelScanMatchesSerial(t *testing.T) {
	dir := smallCatalogue(t)
	input := []string{filepath.Join(dir, "listings.jsonl")}
	var runs [][]string
	for _, workers := range []int{1, 8} {
		sc, err := scanner.New(mustStore(t), scanner.DefaultConfig(), scanner.WithWorkers(workers))
		if err != nil {
			t.Fatal(err)
		}
		res, err := sc.Scan(context.Background(), input)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.InputErrors) > 0 {
			t.Fatalf("input errors: %v", res.InputErrors)
		}
		runs = append(runs, ids(res.Findings))
	}
	if len(runs[0]) == 0 {
		t.Fatal("the shared pictures produced no findings")
	}
	if !slices.Equal(runs[0], runs[1]) {
		t.Errorf("8 workers found %d findings, 1 worker %d", len(runs[1]), len(runs[0]))
	}
}

func TestScanIsCancellable(t *testing.T) {
	dir := smallCatalogue(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	sc, err := scanner.New(mustStore(t), scanner.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sc.Scan(ctx, []string{dir}); err == nil {
		t.Error("a cancelled scan reported success")
	}
}

// TestConcurrentChecksShareTheImageIndex checks drafts from many
// goroutines at once against a scanned catalogue, some of them recorded:
// every draft that re-uses a catalogue picture is found, and a recorded
// draft is found by the checks that follow it, without waiting for the
// image index to refresh from the store. Under the race detector it also
// checks the index snapshots and their refresh are shared safely.
func TestConcurrentChecksShareTheImageIndex(t *testing.T) {
	dir := smallCatalogue(t)
	ctx := context.Background()
	sc, err := scanner.New(mustStore(t), scanner.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sc.Scan(ctx, []string{filepath.Join(dir, "listings.jsonl")}); err != nil {
		t.Fatal(err)
	}
	draft := func(id, provider, picture string) listing.Listing {
		return listing.Listing{
			ID: id, Provider: listing.Provider{ID: provider}, Title: "全新上线的门店管理小程序 " + id,
			Images: []string{picture}, Source: filepath.Join(dir, "drafts.json"),
		}
	}
	imageFound := func(res *scanner.CheckResult, other string) bool {
		for _, f := range res.Reasons {
			if f.Rule == listing.RuleCopyImage && (other == "" || f.OtherListingID == other || f.ListingID == other) {
				return true
			}
		}
		return false
	}
	errs := make(chan error, 16)
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			d := draft(fmt.Sprintf("L-D%02d", g), fmt.Sprintf("P-NEW-%d", g), fmt.Sprintf("img/p%d.png", g%12))
			res, err := sc.Check(ctx, d, g%4 == 0)
			switch {
			case err != nil:
				errs <- err
			case !imageFound(res, ""):
				errs <- fmt.Errorf("draft %s re-uses a catalogue picture but got %s with %d reasons", d.ID, res.Decision, len(res.Reasons))
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	// A picture the catalogue did not have, recorded by one provider, is
	// then found in another provider's draft.
	fresh := filepath.Join(dir, "img", "fresh.png")
	m := image.NewRGBA(image.Rect(0, 0, 96, 160))
	draw.Draw(m, m.Rect, image.NewUniform(color.RGBA{30, 160, 90, 255}), image.Point{}, draw.Src)
	for i := range 10 {
		draw.Draw(m, image.Rect(8*i, 14*i, 8*i+20, 14*i+12), image.NewUniform(color.RGBA{uint8(25 * i), 20, 200, 255}), image.Point{}, draw.Src)
	}
	f, err := os.Create(fresh)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, m); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if res, err := sc.Check(ctx, draft("L-FIRST", "P-FIRST", "img/fresh.png"), true); err != nil || imageFound(res, "") {
		t.Fatalf("first use of a new picture: %+v, %v", res, err)
	}
	res, err := sc.Check(ctx, draft("L-SECOND", "P-SECOND", "img/fresh.png"), false)
	if err != nil {
		t.Fatal(err)
	}
	if !imageFound(res, "L-FIRST") {
		t.Errorf("the recorded draft's picture was not found again: %s, %+v", res.Decision, res.Reasons)
	}
}
