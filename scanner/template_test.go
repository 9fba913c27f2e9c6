package scanner_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/listingscan/listingscan/indexer/sqlite"
	"github.com/listingscan/listingscan/listing"
	"github.com/listingscan/listingscan/scanner"
)

// templateFixture is the committed template catalogue; its listings and
// labels live in its _listings directory.
const templateFixture = "../testdata/templates"

var templateRules = []string{
	scanner.RuleTemplateMissing, scanner.RuleConsistencyScreenshot, scanner.RuleConsistencyMetadata,
	scanner.RuleCopyTemplate, scanner.RulePrivacySensitiveField, scanner.RuleCopyStore,
}

func scanTemplates(t *testing.T, templates string) *scanner.Result {
	t.Helper()
	store, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "store.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	sc, err := scanner.New(store, scanner.DefaultConfig(), scanner.WithTemplates(templates))
	if err != nil {
		t.Fatal(err)
	}
	res, err := sc.Scan(context.Background(), []string{filepath.Join(templateFixture, "_listings")})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func findingKey(rule, a, b string) string {
	if b != "" && b < a {
		a, b = b, a
	}
	return rule + " " + a + " " + b
}

// TestTemplateRulesGolden: scanning the fixture with its catalogue reports
// every planted violation exactly once and nothing else under the template
// rules, with evidence a reviewer can check.
func TestTemplateRulesGolden(t *testing.T) {
	truth, err := scanner.ReadTruth(filepath.Join(templateFixture, "_listings", "truth.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	res := scanTemplates(t, templateFixture)
	if len(res.InputErrors) > 0 {
		t.Errorf("input errors on the fixture: %v", res.InputErrors)
	}
	want := map[string]scanner.TruthLine{}
	seenRules := map[string]bool{}
	for _, tl := range truth {
		if tl.Expect == nil || *tl.Expect {
			want[findingKey(tl.Rule, tl.ListingID, tl.OtherListingID)] = tl
			seenRules[tl.Rule] = true
		}
	}
	for _, r := range templateRules {
		if !seenRules[r] {
			t.Errorf("fixture plants no %s violation", r)
		}
	}
	got := map[string]int{}
	for _, f := range res.Findings {
		if !slices.Contains(templateRules, f.Rule) {
			continue
		}
		other := ""
		if f.Rule == scanner.RuleCopyTemplate || f.Rule == scanner.RuleCopyStore {
			other = f.OtherListingID
		}
		k := findingKey(f.Rule, f.ListingID, other)
		got[k]++
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected %s on %s %s: %+v", f.Rule, f.ListingID, f.OtherListingID, f.Evidence)
		}
		checkTemplateEvidence(t, f)
	}
	for k, tl := range want {
		if got[k] != 1 {
			t.Errorf("%s on %s (%s): reported %d times, want once", tl.Rule, tl.ListingID, tl.Transform, got[k])
		}
	}
}

// checkTemplateEvidence: each rule's finding names what a reviewer needs.
func checkTemplateEvidence(t *testing.T, f listing.Finding) {
	t.Helper()
	e := f.Evidence
	var missing []string
	need := func(ok bool, what string) {
		if !ok {
			missing = append(missing, what)
		}
	}
	switch f.Rule {
	case scanner.RuleTemplateMissing:
		need(e.Text != "", "reason")
	case scanner.RuleConsistencyScreenshot:
		need(e.Image != "" && e.OtherImage != "", "closest image pair")
		need(e.Distance != nil, "distance")
		need(len(e.Pages) > 0, "pages compared")
		need(e.TemplateID != "", "template id")
	case scanner.RuleConsistencyMetadata:
		need(e.Claim != "" && e.Lacks != "", "claim and what the template lacks")
		need(e.TemplateID != "", "template id")
	case scanner.RuleCopyTemplate:
		need(e.TemplateID != "" && e.OtherTemplateID != "", "both template ids")
		need(f.OtherListingID != "" && f.First == f.OtherListingID, "the original's listing")
		need(e.Similarity > 0, "similarity")
	case scanner.RulePrivacySensitiveField:
		need(e.TemplateID != "" && e.DataSource != "" && e.Field != "", "template, data source and field")
	case scanner.RuleCopyStore:
		need(e.Claim != "" && len(e.Matches) > 0, "what was copied")
		need(f.OtherListingID != "" && f.OtherProviderID != "", "the original store")
	}
	if len(missing) > 0 {
		t.Errorf("%s on %s lacks evidence: %s (%+v)", f.Rule, f.ListingID, strings.Join(missing, ", "), e)
	}
}

// TestTemplateRulesNeedCatalogue: without --templates only copy.store of
// the template rules runs.
func TestTemplateRulesNeedCatalogue(t *testing.T) {
	res := scanTemplates(t, "")
	stores := 0
	for _, f := range res.Findings {
		switch {
		case f.Rule == scanner.RuleCopyStore:
			stores++
		case slices.Contains(templateRules, f.Rule):
			t.Errorf("%s ran without a template catalogue: %s", f.Rule, f.ListingID)
		}
	}
	if stores == 0 {
		t.Error("copy.store did not run without a template catalogue")
	}
}

// TestTemplateRuleSettings: the operator's rule settings apply to the
// template rules like to every other.
func TestTemplateRuleSettings(t *testing.T) {
	store, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "store.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	cfg := scanner.DefaultConfig()
	off, low := false, listing.SeverityLow
	cfg.Rules = map[string]scanner.RuleSettings{
		scanner.RuleTemplateMissing: {Enabled: &off},
		"consistency.*":             {Severity: &low},
	}
	sc, err := scanner.New(store, cfg, scanner.WithTemplates(templateFixture))
	if err != nil {
		t.Fatal(err)
	}
	res, err := sc.Scan(context.Background(), []string{filepath.Join(templateFixture, "_listings")})
	if err != nil {
		t.Fatal(err)
	}
	consistency := 0
	for _, f := range res.Findings {
		if f.Rule == scanner.RuleTemplateMissing {
			t.Errorf("disabled rule reported: %s", f.ListingID)
		}
		if strings.HasPrefix(f.Rule, "consistency.") {
			consistency++
			if f.Severity != listing.SeverityLow {
				t.Errorf("%s severity %v, want low", f.Rule, f.Severity)
			}
		}
	}
	if consistency == 0 {
		t.Error("no consistency finding to check the severity of")
	}
}

// TestTemplateRulesInCatalogue: every template rule is in the catalogue
// with a severity and a meaning.
func TestTemplateRulesInCatalogue(t *testing.T) {
	byName := map[string]scanner.RuleInfo{}
	for _, r := range scanner.Rules() {
		byName[r.Name] = r
	}
	for _, name := range templateRules {
		r, ok := byName[name]
		if !ok || r.Meaning == "" {
			t.Errorf("rule %s missing from Rules() or without meaning", name)
		}
	}
}

// TestTemplateConfigValidation: bad template settings are configuration
// errors, not silently ignored.
func TestTemplateConfigValidation(t *testing.T) {
	tests := []struct {
		name string
		edit func(*scanner.Config)
	}{
		{"clone similarity above 1", func(c *scanner.Config) { c.Templates.CloneSimilarity = 1.5 }},
		{"unknown personal data kind", func(c *scanner.Config) {
			c.Templates.SensitiveAllow = map[string][]string{"shoe_size": {"零售电商"}}
		}},
		{"negative logo distance", func(c *scanner.Config) { c.Templates.StoreLogoDistance = -1 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := scanner.DefaultConfig()
			tt.edit(&cfg)
			if _, err := scanner.New(nil, cfg); err == nil || !strings.Contains(err.Error(), "templates") {
				t.Errorf("New accepted the config: %v", err)
			}
		})
	}
	if _, err := scanner.New(nil, scanner.DefaultConfig()); err != nil {
		t.Errorf("default config rejected: %v", err)
	}
}
