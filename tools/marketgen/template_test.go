package marketgen

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/listingscan/listingscan/listing"
)

// TestWriteTemplatesFixtureIsCommitted: the catalogue under
// testdata/templates is exactly what the generator writes, so it can be
// regenerated instead of edited by hand:
//
//	go run ./cmd/marketgen templates -out testdata/templates -split fixture -n 8
func TestWriteTemplatesFixtureIsCommitted(t *testing.T) {
	dir := t.TempDir()
	sum, err := WriteTemplates(context.Background(), dir, TemplateOptions{Split: "fixture", N: 8})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"listings.jsonl", "truth.ndjson"} {
		got, err := os.ReadFile(filepath.Join(dir, listingsDir, name))
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join("../../testdata/templates", listingsDir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from testdata/templates; regenerate the fixture", name)
		}
	}
	rules := map[string]int{}
	for _, tl := range sum.Truth {
		if tl.Expect {
			rules[tl.Rule]++
		}
	}
	for _, r := range []string{ruleTemplateMissing, ruleScreenshot, ruleMetadata, ruleCopyTemplate, rulePrivacy, ruleCopyStore} {
		if rules[r] == 0 {
			t.Errorf("no planted %s", r)
		}
	}
	ts, bad, err := listing.LoadTemplates(context.Background(), dir)
	if err != nil || len(bad) > 0 {
		t.Fatalf("generated catalogue does not load: %v %v", err, bad)
	}
	formats := map[listing.TemplateFormat]bool{}
	for _, tp := range ts {
		formats[tp.Format] = true
	}
	if !formats[listing.TemplateJSON] || !formats[listing.TemplateExport] {
		t.Errorf("formats written: %v, want both", formats)
	}
}

func TestWriteTemplatesSplitsDiffer(t *testing.T) {
	read := func(split string) []byte {
		dir := t.TempDir()
		if _, err := WriteTemplates(context.Background(), dir, TemplateOptions{Split: split, N: 4}); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(dir, listingsDir, "listings.jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	if bytes.Equal(read("tune"), read("holdout")) {
		t.Error("tune and holdout splits are the same corpus")
	}
	if _, err := WriteTemplates(context.Background(), t.TempDir(), TemplateOptions{Split: "other", N: 4}); err == nil {
		t.Error("unknown split accepted")
	}
}
