package main

import (
	"bytes"
	"image"
	_ "image/gif"
	_ "image/jpeg"
	_ "image/png"
	"os"
	"path/filepath"
	"testing"

	_ "golang.org/x/image/webp"
)

// TestFixturesBreakAsIntended decodes every image fixture with the standard
// decoders: the broken ones must fail, the sound ones must decode, so the
// corpus tests what it claims to.
func TestFixturesBreakAsIntended(t *testing.T) {
	imgs, err := images()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		decode bool
	}{
		{"truncated.jpg", false}, {"corrupt.jpg", false},
		{"truncated.png", false}, {"corrupt.png", false},
		{"truncated.gif", false}, {"corrupt.gif", false},
		{"truncated.webp", false}, {"corrupt.webp", false},
		{"empty.png", false}, {"logo.svg", false}, {"login.png", false},
		{"animated.gif", true}, {"photo-png.jpg", true}, {"flat.webp", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, ok := imgs[tt.name]
			if !ok {
				t.Fatalf("no fixture %s", tt.name)
			}
			_, _, err := image.Decode(bytes.NewReader(data))
			if (err == nil) != tt.decode {
				t.Errorf("decode %s: err = %v, want decodable = %v", tt.name, err, tt.decode)
			}
		})
	}
	t.Run("bomb.png", func(t *testing.T) {
		data := imgs["bomb.png"]
		cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("bomb header: %v", err)
		}
		if cfg.Width*cfg.Height < 1e10 || len(data) > 4096 {
			t.Errorf("bomb declares %dx%d in %d bytes, want >= 1e10 pixels in <= 4 KiB", cfg.Width, cfg.Height, len(data))
		}
	})
}

// TestCommittedCorpusIsCurrent regenerates the corpus and compares it with
// testdata/bad, so the committed files never drift from the generator.
func TestCommittedCorpusIsCurrent(t *testing.T) {
	c, err := build()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join("..", "..", "testdata", "bad")
	total := 0
	for name, want := range c.files {
		got, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil {
			t.Errorf("%v (run: go run ./tools/badgen -out testdata/bad)", err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("testdata/bad/%s differs from the generator's output (run: go run ./tools/badgen -out testdata/bad)", name)
		}
		total += len(want)
	}
	if total > 512<<10 {
		t.Errorf("corpus is %d bytes; keep committed fixtures under 512 KiB", total)
	}
}
