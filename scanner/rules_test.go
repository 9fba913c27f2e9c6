package scanner

import (
	"os"
	"strings"
	"testing"

	"github.com/listingscan/listingscan/listing"
)

func TestRuleSettingsApply(t *testing.T) {
	off, high := false, listing.SeverityCritical
	cfg := DefaultConfig()
	cfg.Rules = map[string]RuleSettings{
		listing.RuleCopyTitle: {Enabled: &off},
		listing.RuleCopyImage: {Severity: &high},
	}
	if err := cfg.validate(); err != nil {
		t.Fatal(err)
	}
	in := []listing.Finding{
		{Rule: listing.RuleCopyTitle, Severity: listing.SeverityMedium},
		{Rule: listing.RuleCopyImage, Severity: listing.SeverityHigh},
		{Rule: listing.RuleCopyDescription, Severity: listing.SeverityHigh},
	}
	got := cfg.applyRuleSettings(in)
	if len(got) != 2 {
		t.Fatalf("got %d findings, want 2 (copy.title switched off): %+v", len(got), got)
	}
	if got[0].Rule != listing.RuleCopyImage || got[0].Severity != listing.SeverityCritical {
		t.Errorf("copy.image finding = %+v, want severity critical", got[0])
	}
	if got[1].Severity != listing.SeverityHigh {
		t.Errorf("copy.description severity = %v, want its default high", got[1].Severity)
	}
}

func TestRuleSettingsUnknownRule(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Rules = map[string]RuleSettings{"copy.imgae": {}}
	err := cfg.validate()
	if err == nil || !strings.Contains(err.Error(), "copy.imgae") {
		t.Fatalf("validate = %v, want an error naming the misspelt rule", err)
	}
}

func TestRuleSettingsFromYAML(t *testing.T) {
	path := t.TempDir() + "/rules.yaml"
	writeFile(t, path, "rules:\n  copy.title:\n    enabled: false\n  copy.image:\n    severity: critical\n")
	cfg, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.RuleEnabled(listing.RuleCopyTitle) {
		t.Error("copy.title still enabled")
	}
	if s := cfg.Rules[listing.RuleCopyImage].Severity; s == nil || *s != listing.SeverityCritical {
		t.Errorf("copy.image severity = %v, want critical", s)
	}
}

func TestRulesCatalogueNamesAreUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range Rules() {
		if seen[r.Name] {
			t.Errorf("rule %s listed twice", r.Name)
		}
		seen[r.Name] = true
		if r.Meaning == "" {
			t.Errorf("rule %s has no meaning", r.Name)
		}
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
