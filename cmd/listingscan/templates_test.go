package main

import (
	"path/filepath"
	"strings"
	"testing"
)

const (
	templates        = "../../testdata/templates"
	templateListings = "../../testdata/templates/_listings"
)

// TestScanWithTemplates: --templates runs the template rules over the
// catalogue; every planted violation of the fixture is reported.
func TestScanWithTemplates(t *testing.T) {
	long(t)
	store := "sqlite:" + filepath.Join(t.TempDir(), "s.db")
	code, out, errOut := cli(t, "scan", templateListings, "--templates", templates, "--store", store, "--format", "jsonl")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	rules := map[string]int{}
	for _, f := range readFindings(t, out) {
		rules[f.Rule]++
	}
	for _, r := range []string{"template.missing", "consistency.screenshot", "consistency.metadata", "copy.template", "privacy.sensitive_field", "copy.store"} {
		if rules[r] == 0 {
			t.Errorf("no %s finding; got %v", r, rules)
		}
	}
}

func TestEvalWithTemplates(t *testing.T) {
	long(t)
	code, out, errOut := cli(t, "eval", templateListings, "--templates", templates, "--format", "text")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) == 6 && f[0] == "all" {
			if f[2] != "0" || f[3] != "0" {
				t.Errorf("template fixture not scored perfectly: %s", line)
			}
			return
		}
	}
	t.Errorf("no total line in:\n%s", out)
}

func TestTemplatesFlag(t *testing.T) {
	store := "sqlite:" + filepath.Join(t.TempDir(), "s.db")
	code, _, errOut := cli(t, "scan", templateListings, "--templates", filepath.Join(t.TempDir(), "none"), "--store", store)
	if code != exitUsage || !strings.Contains(errOut, "--templates") {
		t.Errorf("missing catalogue: exit %d, stderr %q; want %d naming --templates", code, errOut, exitUsage)
	}
	code, out, _ := cli(t, "scan", "--help")
	if code != exitOK || !strings.Contains(out, "--templates") || !strings.Contains(out, "copy.store") {
		t.Errorf("scan --help does not explain --templates:\n%s", out)
	}
}
