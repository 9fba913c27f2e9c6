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
		{"synth image size", []string{"synth", "-out", "x", "-images", "large"}, 1, "want small or none"},
		{"synth listings", []string{"synth", "-out", "x", "-n", "0"}, 1, "want 1–10000000"},
		{"hashes radius", []string{"hashes", "-out", "x", "-n", "10", "-pairs", "2", "-radius", "1"}, 1, "want 2–32"},
		{"hashes pairs", []string{"hashes", "-out", "x", "-n", "10"}, 1, "want 0–5"},
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

func TestRunSynthAndHashes(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name  string
		args  []string
		files map[string]int64 // file → exact size, or -1 for any
	}{
		{"synth", []string{"synth", "-out", dir, "-n", "60", "-workers", "2"},
			map[string]int64{"listings.jsonl": -1, "truth.ndjson": -1}},
		{"synth without images", []string{"synth", "-out", filepath.Join(dir, "text"), "-n", "60", "-images", "none"},
			map[string]int64{"text/listings.jsonl": -1}},
		{"hashes", []string{"hashes", "-out", filepath.Join(dir, "h.bin"), "-n", "1000", "-pairs", "10"},
			map[string]int64{"h.bin": 8000, "h.bin.truth.jsonl": -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(context.Background(), tt.args, &stdout, &stderr); code != 0 {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
			if !strings.Contains(stderr.String(), "msg=written") {
				t.Errorf("no summary logged: %s", stderr.String())
			}
			for f, size := range tt.files {
				info, err := os.Stat(filepath.Join(dir, f))
				if err != nil {
					t.Fatal(err)
				}
				if size >= 0 && info.Size() != size || info.Size() == 0 {
					t.Errorf("%s has %d bytes, want %d", f, info.Size(), size)
				}
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "text", "img")); !os.IsNotExist(err) {
		t.Errorf("-images none wrote img/: %v", err)
	}
}
