package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"no command", nil, 2, "usage"},
		{"unknown command", []string{"serve"}, 2, "unknown command"},
		{"missing out", []string{"market"}, 2, "-out is required"},
		{"bad flag", []string{"eval", "-bogus"}, 2, "flag provided but not defined"},
		{"bad split", []string{"eval", "-out", "x", "-split", "train", "-font", "/nonexistent"}, 1, "want tune or holdout"},
		{"help", []string{"help"}, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(context.Background(), tt.args, &stdout, &stderr); code != tt.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.code, stderr.String())
			}
			if !strings.Contains(stderr.String()+stdout.String(), tt.msg) {
				t.Errorf("output %q lacks %q", stderr.String()+stdout.String(), tt.msg)
			}
		})
	}
}

func TestRunEval(t *testing.T) {
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"eval", "-out", dir, "-split", "holdout", "-n", "1", "-font", "/nonexistent"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	for _, f := range []string{"listings.jsonl", "truth.ndjson", "listingscan.yaml"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	if !strings.Contains(stderr.String(), "drawing text as blocks") || !strings.Contains(stderr.String(), "listings=") {
		t.Errorf("log lacks the font warning or the summary: %s", stderr.String())
	}
}
