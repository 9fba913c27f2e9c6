package scanner

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/listingscan/listingscan/indexer"
	"github.com/listingscan/listingscan/listing"
)

// Decision is the verdict of a pre-publish check.
type Decision string

// The decisions a check gives, from least to most severe.
const (
	DecisionPass   Decision = "pass"
	DecisionReview Decision = "review"
	DecisionBlock  Decision = "block"
)

// CheckConfig says which findings stop a draft. A draft with a finding at
// or above Block is blocked; one with a finding at or above Review (and
// none at Block) goes to a person; anything less passes, its findings
// still listed as reasons.
type CheckConfig struct {
	Block  listing.Severity `yaml:"block" json:"block"`
	Review listing.Severity `yaml:"review" json:"review"`
}

// DefaultCheckConfig blocks high and critical findings and sends medium
// ones to review.
func DefaultCheckConfig() CheckConfig {
	return CheckConfig{Block: listing.SeverityHigh, Review: listing.SeverityMedium}
}

func (c CheckConfig) validate() error {
	if c.Review > c.Block {
		return fmt.Errorf("check.review (%s) must not be above check.block (%s)", c.Review, c.Block)
	}
	return nil
}

// decide turns findings into a decision.
func (c CheckConfig) decide(fs []listing.Finding) Decision {
	d := DecisionPass
	for _, f := range fs {
		switch {
		case f.Severity >= c.Block:
			return DecisionBlock
		case f.Severity >= c.Review:
			d = DecisionReview
		}
	}
	return d
}

// CheckResult is the verdict on one draft with its reasons: every finding
// the rules raised, each naming the matched listing and its provider for
// the copy rules.
type CheckResult struct {
	Decision    Decision          `json:"decision"`
	ListingID   string            `json:"listing_id"`
	Reasons     []listing.Finding `json:"reasons"`
	InputErrors []string          `json:"input_errors,omitempty"`
	Candidates  int               `json:"candidates"`
	Recorded    bool              `json:"recorded"`
	ElapsedMS   float64           `json:"elapsed_ms"`
}

// Check runs every rule on a draft listing against the catalogue in the
// store and decides whether it may be published. It writes nothing unless
// record is set; then the draft is indexed and its findings saved as a scan
// would. A draft with the id of a listing already in the catalogue is an
// update of it: it is compared with every other listing, never with its
// own stored version. A draft without publish or update time counts as
// published now, so it is the one blamed for any copy. Check is safe for
// concurrent use.
func (s *Scanner) Check(ctx context.Context, draft listing.Listing, record bool) (*CheckResult, error) {
	start := time.Now()
	if draft.FirstSeen().IsZero() {
		draft.PublishedAt = start.UTC()
	}
	entry, p, err := s.fp.fingerprint(ctx, draft)
	if err != nil {
		return nil, fmt.Errorf("fingerprint %s: %w", draft.ID, err)
	}
	me := side{l: &entry.Listing, p: p}
	out := &CheckResult{ListingID: draft.ID, Reasons: []listing.Finding{}}
	for _, pr := range p.Problem {
		out.InputErrors = append(out.InputErrors, fmt.Sprintf("%s: %s", pr.Ref, pr.Reason))
	}

	images, err := s.images.current(ctx, false)
	if err != nil {
		return nil, err
	}
	// A candidate that only its title proposed, and whose description its
	// digest rules out, can only be a title copy: that is decided from its
	// sketch, without reading it from the store.
	var order []string
	via := map[string]uint8{}
	providers := map[string]string{}
	for _, c := range s.candidates(images, me, nil) {
		if c.listingID == draft.ID || s.groups.related(draft.Provider.ID, c.providerID) {
			continue
		}
		if _, seen := via[c.listingID]; !seen {
			order = append(order, c.listingID)
			providers[c.listingID] = c.providerID
		}
		via[c.listingID] |= c.via
	}
	mine := me.p.textSketch()
	var ids []string
	var titleOnly []side
	for _, id := range order {
		if via[id] == viaTitle {
			if o, ok := images.text(id); ok && !s.cfg.descriptionMayMatch(mine, o) {
				titleOnly = append(titleOnly, o.titleSide(id, providers[id]))
				continue
			}
		}
		ids = append(ids, id)
	}
	weights, err := s.boilerplate(ctx, images)
	if err != nil {
		return nil, err
	}
	rules := &copyRules{cfg: s.cfg, weights: weights}
	me = rules.withWeights(me)
	findings, read, err := s.verifyCandidates(ctx, images, rules, me, ids)
	if err != nil {
		return nil, err
	}
	for _, o := range titleOnly {
		findings = append(findings, rules.check(me, o, nil)...) // no images to decode
	}
	out.Candidates = read + len(titleOnly)
	// A stored listing published after the draft may look like the copy;
	// the check is about the draft, so only findings that involve it as the
	// later listing, or as either side of a pair, are kept.
	res := &Result{}
	tf, err := s.templateFindings(ctx, []side{me}, res)
	if err != nil {
		return nil, err
	}
	pf, err := s.policyFindings(ctx, []side{me})
	if err != nil {
		return nil, err
	}
	findings = append(append(findings, tf...), pf...)
	for _, e := range res.InputErrors {
		out.InputErrors = append(out.InputErrors, e.Error())
	}
	findings = s.cfg.applyRuleSettings(findings)
	SortFindings(findings)
	if record {
		if err := s.store.Put(ctx, []indexer.Entry{entry}); err != nil {
			return nil, fmt.Errorf("%w: record %s: %w", ErrStore, draft.ID, err)
		}
		if _, err := s.store.SaveFindings(ctx, []string{draft.ID}, findings); err != nil {
			return nil, fmt.Errorf("%w: record findings of %s: %w", ErrStore, draft.ID, err)
		}
		if err := s.images.wrote([]indexer.Entry{entry}); err != nil {
			return nil, err
		}
		out.Recorded = true
	}
	out.Reasons = slices.Clip(append(out.Reasons, findings...))
	out.Decision = s.cfg.Check.decide(findings)
	out.ElapsedMS = float64(time.Since(start).Microseconds()) / 1000
	return out, nil
}

// verifyCandidates reads the stored listings ids from the store and runs
// the copy rules on each pair of me and one of them; ids holds no
// listing of a provider related to me's. A draft's candidates
// are read and verified in parts on all workers: a draft among many
// same-layout screens spends most of its check verifying images, and the
// store reads of one part overlap the verification of another. The
// candidates are dealt out to the parts in turn, since those the images
// proposed, which cost the most to verify, come last. It returns the
// findings and how many candidates were read.
func (s *Scanner) verifyCandidates(ctx context.Context, snap *catalogueSnapshot, rules *copyRules, me side, ids []string) ([]listing.Finding, int, error) {
	n := min(2*s.workers, (len(ids)+checkPart-1)/checkPart)
	dealt := make([][]string, n)
	for i, id := range ids {
		dealt[i%n] = append(dealt[i%n], id)
	}
	parts := make([][]listing.Finding, n)
	read := make([]int, n)
	err := parallel(ctx, s.workers, n, func(ctx context.Context, i int) error {
		others, err := s.stored(ctx, snap, dealt[i])
		if err != nil {
			return err
		}
		read[i] = len(others)
		details := s.detailCache() // the draft's images are decoded once a part
		for _, o := range others {
			parts[i] = append(parts[i], rules.check(me, o, details)...)
		}
		s.putDetailCache(details)
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	total := 0
	for _, r := range read {
		total += r
	}
	return slices.Concat(parts...), total, nil
}

// checkPart is the fewest candidates a check reads and verifies as one
// part: fewer would make the store answer more queries than the
// verification saves.
const checkPart = 8
