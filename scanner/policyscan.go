package scanner

import (
	"context"
	"fmt"
	"sync"

	"github.com/listingscan/listingscan/listing"
)

// qrSearch is how the fingerprint phase looks for QR codes: nil when
// offplatform.qr is switched off, so no time is spent on it.
func (c Config) qrSearch() *QRConfig {
	if !c.RuleEnabled(RuleOffplatformQR) {
		return nil
	}
	q := c.Policy.QR
	return &q
}

// policyFindings runs the single-listing rules over every listing of the
// run.
func (s *Scanner) policyFindings(ctx context.Context, sides []side) ([]listing.Finding, error) {
	rules, err := newPolicyRules(s.cfg.Policy)
	if err != nil {
		return nil, fmt.Errorf("policy rules: %w", err)
	}
	var (
		mu  sync.Mutex
		out []listing.Finding
	)
	err = parallel(ctx, s.workers, len(sides), func(_ context.Context, i int) error {
		fs := rules.check(sides[i].l, sides[i].p)
		mu.Lock()
		out = append(out, fs...)
		mu.Unlock()
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
