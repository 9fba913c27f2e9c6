package scanner_test

import (
	"strings"

	"github.com/listingscan/listingscan/scanner"
)

// copyRulesOnly switches off every rule but the copy rules, for tests about
// copies whose minimal listings would otherwise draw policy findings (no
// price plans, no service hours).
func copyRulesOnly(cfg scanner.Config) scanner.Config {
	off := false
	rules := map[string]scanner.RuleSettings{}
	for name, s := range cfg.Rules {
		rules[name] = s
	}
	for _, r := range scanner.Rules() {
		if !strings.HasPrefix(r.Name, "copy.") {
			rules[r.Name] = scanner.RuleSettings{Enabled: &off}
		}
	}
	cfg.Rules = rules
	return cfg
}
