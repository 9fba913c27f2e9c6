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
