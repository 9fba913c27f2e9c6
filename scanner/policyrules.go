package scanner

// policyRuleInfo are the rules that judge one listing on its own: contact
// details that steer buyers off the platform, prices, service promises,
// OAuth review and field limits.
func policyRuleInfo() []RuleInfo { return nil }
