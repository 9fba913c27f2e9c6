package scanner_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/listingscan/listingscan/scanner"
	"github.com/listingscan/listingscan/tools/marketgen"
)

var updatePolicyGolden = flag.Bool("update-policy-golden", false, "rewrite testdata/policy/expected.golden")

// isPolicyRule reports whether a finding belongs to the single-listing
// rules whose expectations testdata/policy holds.
func isPolicyRule(rule string) bool {
	for _, p := range []string{"offplatform.", "consistency.price", "service.", "oauth.", "quality."} {
		if strings.HasPrefix(rule, p) {
			return true
		}
	}
	return false
}

// The hand-curated marketplace in testdata/policy plants every
// single-listing rule at least once next to honest traps; its findings
// (rule, listing and what was matched) are a golden file a reviewer reads.
func TestPolicyGolden(t *testing.T) {
	dir := filepath.Join("..", "testdata", "policy")
	sc, err := scanner.New(mustStore(t), scanner.DefaultConfig(), scanner.WithWorkers(2))
	if err != nil {
		t.Fatal(err)
	}
	res, err := sc.Scan(context.Background(), []string{filepath.Join(dir, "listings.jsonl")})
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, f := range res.Findings {
		if !isPolicyRule(f.Rule) {
			continue
		}
		var kinds []string
		for _, m := range f.Evidence.Matches {
			v := m.Value
			if f.Rule == scanner.RuleQualityImage {
				v = "" // the reason names the file by a path that depends on where the test runs
			}
			kinds = append(kinds, m.Field+"="+m.Kind+":"+strings.ReplaceAll(v, "\n", `\n`))
		}
		lines = append(lines, fmt.Sprintf("%s %s %s", f.ListingID, f.Rule, strings.Join(kinds, " | ")))
	}
	slices.Sort(lines)
	got := strings.Join(lines, "\n") + "\n"
	golden := filepath.Join(dir, "expected.golden")
	if *updatePolicyGolden {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("read golden (run with -update-policy-golden to create it): %v", err)
	}
	if got != string(want) {
		t.Errorf("findings differ from %s (run with -update-policy-golden after checking):\n--- got\n%s--- want\n%s", golden, got, want)
	}

	// The golden file agrees with the labelled truth: every planted
	// violation found, no trap flagged.
	truth, err := scanner.ReadTruth(filepath.Join(dir, "truth.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	ev := scanner.Evaluate(res.Findings, truth)
	for _, r := range ev.ByRule {
		if isPolicyRule(r.Name) && (r.FP > 0 || r.FN > 0) {
			t.Errorf("%s: %d false, %d missed", r.Name, r.FP, r.FN)
		}
	}
	if ev.TrapRate() != 0 {
		t.Errorf("trap listings flagged: rate %.3f", ev.TrapRate())
	}
}

// A generated policy corpus (every rule under many disguises, and traps)
// is scanned and scored: precision and recall of every single-listing rule
// at least 0.95, and at most 1% of the trap listings flagged.
func TestPolicyCorpusAccuracy(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and scans a labelled corpus; run without -short")
	}
	dir := t.TempDir()
	fonts, _ := marketgen.LoadFonts(context.Background(), marketgen.DefaultFontPath) // block glyphs without it
	if _, err := marketgen.WritePolicy(context.Background(), dir, marketgen.PolicyOptions{Split: "tune", N: 300, Seed: 5, Fonts: fonts}); err != nil {
		t.Fatal(err)
	}
	truth, err := scanner.ReadTruth(filepath.Join(dir, "truth.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	sc, err := scanner.New(mustStore(t), scanner.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	res, err := sc.Scan(context.Background(), []string{filepath.Join(dir, "listings.jsonl")})
	if err != nil {
		t.Fatal(err)
	}
	ev := scanner.Evaluate(res.Findings, truth)
	for _, r := range ev.ByRule {
		if !isPolicyRule(r.Name) {
			continue
		}
		if r.Precision() < 0.95 || r.Recall() < 0.95 {
			t.Errorf("%s: precision %.3f recall %.3f (TP %d FP %d FN %d)", r.Name, r.Precision(), r.Recall(), r.TP, r.FP, r.FN)
		}
	}
	if rate := ev.TrapRate(); rate > 0.01 {
		t.Errorf("trap false-positive rate %.3f, want at most 0.01", rate)
	}
	for _, m := range ev.Missed {
		t.Logf("missed %s %s %s", m.Rule, m.Transform, m.ListingID)
	}
}
