package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/listingscan/listingscan/indexer/sqlite"
)

func TestImageCacheKeepsValuesAcrossOpens(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		open func(t *testing.T, path string) (*sqlite.ImageCache, func())
	}{
		{"file of its own", func(t *testing.T, path string) (*sqlite.ImageCache, func()) {
			c, err := sqlite.OpenImageCache(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			return c, func() {
				if err := c.Close(); err != nil {
					t.Fatal(err)
				}
			}
		}},
		{"inside the store", func(t *testing.T, path string) (*sqlite.ImageCache, func()) {
			s, err := sqlite.Open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			c, err := s.ImageCache(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return c, func() {
				if err := c.Close(); err != nil {
					t.Fatal(err)
				}
				s.Close()
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "c.db")
			c, done := tc.open(t, path)
			// More than one batch, so some values are flushed by Put and
			// the rest by Close.
			for i := range 1300 {
				if err := c.Put(ctx, fmt.Sprintf("k%d", i), []byte(fmt.Sprintf("v%d", i))); err != nil {
					t.Fatal(err)
				}
			}
			if v, ok, err := c.Get(ctx, "k1299"); err != nil || !ok || string(v) != "v1299" {
				t.Fatalf("unflushed value: %q %v %v", v, ok, err)
			}
			if err := c.Put(ctx, "k3", []byte("replaced")); err != nil {
				t.Fatal(err)
			}
			done()

			c, done = tc.open(t, path)
			defer done()
			for key, want := range map[string]string{"k0": "v0", "k3": "replaced", "k1299": "v1299"} {
				if v, ok, err := c.Get(ctx, key); err != nil || !ok || string(v) != want {
					t.Errorf("%s after reopening: %q %v %v, want %q", key, v, ok, err, want)
				}
			}
			if _, ok, err := c.Get(ctx, "absent"); err != nil || ok {
				t.Errorf("absent key: found %v, err %v", ok, err)
			}
		})
	}
}
