//go:build unix

package listing

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestWalkSkipsFIFO puts a named pipe called listings.json next to a good
// file: reading it would block the scan forever, so it is reported and the
// good file is still read.
func TestWalkSkipsFIFO(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "listings.json"), 0o644); err != nil {
		t.Fatalf("mkfifo: %v", err)
	}
	good := `{"id":"L-1","provider":{"id":"P-1"},"title":"餐饮点餐小程序"}`
	if err := os.WriteFile(filepath.Join(dir, "good.json"), []byte(good), 0o644); err != nil {
		t.Fatal(err)
	}
	ls, bad, err := Load(context.Background(), []string{dir}, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ls) != 1 || ls[0].ID != "L-1" {
		t.Errorf("loaded %d listings, want L-1", len(ls))
	}
	if len(bad) != 1 || !strings.Contains(bad[0].Error(), "not a regular file") {
		t.Errorf("input errors %v, want the FIFO reported as not a regular file", bad)
	}
}
