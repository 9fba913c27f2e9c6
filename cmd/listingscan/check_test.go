package main

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/listingscan/listingscan/scanner"
)

// TestCheckDraftExitCodes is the pre-publish hook on the sample drafts,
// against the indexed sample marketplace: a clean draft passes (0), a
// copied one is blocked (1), a copied title asks for review (3), and
// nothing is written without --record.
func TestCheckDraftExitCodes(t *testing.T) {
	long(t)
	store := "sqlite:" + filepath.Join(t.TempDir(), "catalogue.db")
	if code, _, errOut := cli(t, "scan", market, "--config", marketCfg, "--store", store); code != exitOK {
		t.Fatalf("seed scan exit %d: %s", code, errOut)
	}
	_, before, _ := cli(t, "findings", "--store", store, "--format", "jsonl")
	cases := []struct {
		draft    string
		code     int
		decision scanner.Decision
	}{
		{"clean", exitOK, scanner.DecisionPass},
		{"copied", exitFindings, scanner.DecisionBlock},
		{"borderline", exitReview, scanner.DecisionReview},
	}
	for _, c := range cases {
		t.Run(c.draft, func(t *testing.T) {
			path := filepath.Join("../../testdata/drafts", c.draft+".json")
			code, out, errOut := cli(t, "check", path, "--store", store, "--config", marketCfg, "--format", "json")
			if code != c.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, c.code, out, errOut)
			}
			var res scanner.CheckResult
			if err := json.Unmarshal([]byte(out), &res); err != nil {
				t.Fatalf("output is not a check result: %v\n%s", err, out)
			}
			if res.Decision != c.decision || res.Recorded {
				t.Errorf("decision %s recorded %v, want %s", res.Decision, res.Recorded, c.decision)
			}
			if c.decision != scanner.DecisionPass && len(res.Reasons) == 0 {
				t.Error("a decision without reasons")
			}
			if code, text, _ := cli(t, "check", path, "--store", store, "--config", marketCfg); code != c.code || text == "" {
				t.Errorf("text format: exit %d, output %q", code, text)
			}
		})
	}
	if _, after, _ := cli(t, "findings", "--store", store, "--format", "jsonl"); after != before {
		t.Error("checks without --record changed the stored findings")
	}
	for _, args := range [][]string{
		{"check"},
		{"check", "../../testdata/drafts/none.json", "--store", store},
		{"check", "../../testdata/drafts/clean.json", "--format", "xml", "--store", store},
		{"check", market + "/listings.jsonl", "--store", store},
	} {
		if code, _, errOut := cli(t, args...); code != exitUsage || errOut == "" {
			t.Errorf("%v: exit %d (%q), want %d with a reason", args, code, errOut, exitUsage)
		}
	}
}
