package listing

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzDecodeJSON decodes one listing object the way a request body or a
// queue message arrives. A listing it accepts must be valid, must encode
// (the store writes it) and must read back with the same prices, whatever
// text the prices held.
func FuzzDecodeJSON(f *testing.F) {
	for _, name := range []string{"object.json", "prices.json", "missing.json"} {
		data, err := os.ReadFile(filepath.Join("testdata/load", name))
		if err != nil {
			f.Fatal(err)
		}
		if bytes.HasPrefix(bytes.TrimSpace(data), []byte("{")) {
			f.Add(data)
		}
	}
	f.Add([]byte(`{"id":7,"provider":{"id":"P-1"},"title":"点餐","price":{"plans":[{"price":"NaN","list_price":1e999}]}}`))
	f.Add([]byte(`{"id":"L","provider":{"id":"P"},"title":"t","price":"免费","published_at":"2026年1月2日"}`))
	f.Add([]byte("{\"id\":\"L\",\"provider\":{\"id\":\"P\"},\"title\":\"\xff\xfe\"}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := DecodeJSON(data)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		if verr := l.Validate(); verr != nil {
			t.Fatalf("DecodeJSON accepted an invalid listing: %v", verr)
		}
		doc, err := json.Marshal(&l)
		if err != nil {
			t.Fatalf("accepted listing does not encode: %v", err)
		}
		var back Listing
		if err := json.Unmarshal(doc, &back); err != nil {
			t.Fatalf("encoded listing does not decode: %v\n%s", err, doc)
		}
		if len(back.Price.Plans) != len(l.Price.Plans) {
			t.Fatalf("round trip changed the plans: %d, want %d", len(back.Price.Plans), len(l.Price.Plans))
		}
		for i, p := range l.Price.Plans {
			if back.Price.Plans[i] != p {
				t.Fatalf("round trip changed plan %d: %+v, want %+v", i, back.Price.Plans[i], p)
			}
		}
	})
}

// FuzzWalkFile writes fuzzed bytes under each listing extension, and under
// an unknown one named explicitly, and walks them: whatever a file holds,
// the walk reports or emits, and never fails.
func FuzzWalkFile(f *testing.F) {
	for _, name := range []string{"load/array.json", "load/lines.jsonl", "load/truncated.json", "html/jsonld.html"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("\xef\xbb\xbf<html><script type=\"application/ld+json\">{\"@type\":\"Product\"}</script>"))
	f.Add([]byte("[{\"id\":1},\n{\"id\""))
	opts := LoadOptions{MaxFileBytes: 64 << 10, MaxLineBytes: 4 << 10, MaxHTMLBytes: 64 << 10}
	// One directory for every input, rewritten each time: a fuzz worker
	// runs inputs one after another.
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, name := range []string{"a.json", "b.jsonl", "c.html", "d.txt"} {
			if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		// The directory yields the three listing files; d.txt, named
		// explicitly, is sniffed as JSON or HTML.
		paths := []string{dir, filepath.Join(dir, "d.txt")}
		const files = 4
		got := 0
		err := Walk(context.Background(), paths, opts, func(l Listing) error {
			if err := l.Validate(); err != nil {
				t.Errorf("emitted an invalid listing: %v", err)
			}
			if l.Source == "" {
				t.Errorf("listing %s has no source", l.ID)
			}
			got++
			return nil
		}, func(e InputError) {
			got++
			if e.File == "" || !strings.HasPrefix(e.File, dir) || e.Err == nil {
				t.Errorf("input error without file or reason: %#v", e)
			}
		})
		if err != nil {
			t.Fatalf("Walk: %v", err)
		}
		if got < files {
			t.Errorf("%d files yielded %d listings and errors; every file yields at least one", files, got)
		}
	})
}
