package scanner

import (
	"fmt"
	"slices"
	"strings"

	"github.com/listingscan/listingscan/listing"
)

// RuleInfo describes one rule of the catalogue: what `listingscan rules`
// prints, and what a rule config may name.
type RuleInfo struct {
	Name     string           `json:"name"`
	Severity listing.Severity `json:"severity"` // default severity of its findings
	Meaning  string           `json:"meaning"`
}

// copyRuleInfo are the rules that compare two listings' material.
var copyRuleInfo = []RuleInfo{
	{listing.RuleCopyImage, listing.SeverityHigh, "A listing image is a near-duplicate of an image of an earlier listing by another provider: re-encoded, resized, cropped, padded, mirrored, watermarked or colour-shifted."},
	{listing.RuleCopyTitle, listing.SeverityMedium, "The title is reused from an earlier listing by another provider, also when disguised with zero-width characters, full-width forms, homoglyphs, traditional characters or inserted punctuation."},
	{listing.RuleCopyDescription, listing.SeverityHigh, "The description, or a large part of it, is reused from an earlier listing by another provider; wording many providers share (marketplace boilerplate) does not count."},
}

// Rules is the catalogue of every rule listingscan knows, in the order
// `listingscan rules` prints them.
func Rules() []RuleInfo {
	out := slices.Concat(copyRuleInfo, policyRuleInfo(), templateRuleInfo())
	slices.SortStableFunc(out, func(a, b RuleInfo) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// ruleInfo finds a rule of the catalogue by name. A name ending in ".*"
// names a family (quality.*).
func ruleInfo(name string) (RuleInfo, bool) {
	for _, r := range Rules() {
		if r.Name == name {
			return r, true
		}
	}
	return RuleInfo{}, false
}

// RuleSettings is an operator's say over one rule: switch it off, or give
// its findings another severity. Unset fields keep the rule's defaults.
type RuleSettings struct {
	Enabled  *bool             `yaml:"enabled,omitempty" json:"enabled,omitempty"`
	Severity *listing.Severity `yaml:"severity,omitempty" json:"severity,omitempty"`
}

// validateRules checks that every configured rule exists, so that a
// misspelt rule name is an error and not a silently ignored setting.
func validateRules(rules map[string]RuleSettings) error {
	for name := range rules {
		if !knownRuleOrFamily(name) {
			return fmt.Errorf("rules: unknown rule %q (listingscan rules lists them)", name)
		}
	}
	return nil
}

func knownRuleOrFamily(name string) bool {
	if _, ok := ruleInfo(name); ok {
		return true
	}
	if family, ok := strings.CutSuffix(name, ".*"); ok {
		for _, r := range Rules() {
			if strings.HasPrefix(r.Name, family+".") {
				return true
			}
		}
	}
	return false
}

// ruleSetting finds the settings that apply to a rule: its own entry, or
// its family's ("quality.*").
func ruleSetting(rules map[string]RuleSettings, name string) (RuleSettings, bool) {
	if s, ok := rules[name]; ok {
		return s, true
	}
	if i := strings.LastIndexByte(name, '.'); i > 0 {
		if s, ok := rules[name[:i]+".*"]; ok {
			return s, true
		}
	}
	return RuleSettings{}, false
}

// RuleEnabled reports whether findings of the rule are reported. Rules are
// on unless the config switches them off.
func (c Config) RuleEnabled(name string) bool {
	s, ok := ruleSetting(c.Rules, name)
	return !ok || s.Enabled == nil || *s.Enabled
}

// applyRuleSettings drops findings of disabled rules and gives the others
// the severity the config asks for. Every rule goes through it, so no rule
// can forget the operator's settings.
func (c Config) applyRuleSettings(fs []listing.Finding) []listing.Finding {
	out := fs[:0]
	for _, f := range fs {
		if !c.RuleEnabled(f.Rule) {
			continue
		}
		if s, ok := ruleSetting(c.Rules, f.Rule); ok && s.Severity != nil {
			f.Severity = *s.Severity
		}
		out = append(out, f)
	}
	return out
}
