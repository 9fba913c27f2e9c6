package scanner

// templateRuleInfo are the rules that hold listings against the templates
// they sell, and providers' stores against each other.
func templateRuleInfo() []RuleInfo { return nil }
