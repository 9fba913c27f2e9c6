package listing

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// Severity orders findings by how urgently a person should look at them.
type Severity int

// Severities from least to most urgent. The zero value is SeverityInfo.
const (
	SeverityInfo Severity = iota
	SeverityLow
	SeverityMedium
	SeverityHigh
	SeverityCritical
)

var severityNames = [...]string{"info", "low", "medium", "high", "critical"}

func (s Severity) String() string {
	if s < 0 || int(s) >= len(severityNames) {
		return fmt.Sprintf("severity(%d)", int(s))
	}
	return severityNames[s]
}

// ParseSeverity reads a severity name as written in findings and flags.
func ParseSeverity(name string) (Severity, error) {
	for i, n := range severityNames {
		if strings.EqualFold(name, n) {
			return Severity(i), nil
		}
	}
	return 0, fmt.Errorf("unknown severity %q (want one of %s)", name, strings.Join(severityNames[:], ", "))
}

// MarshalText writes the severity by name.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a severity by name.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Status is where a finding stands in review. Scans create open findings;
// reviewers confirm or dismiss them.
type Status string

// Review states of a finding.
const (
	StatusOpen      Status = "open"
	StatusConfirmed Status = "confirmed"
	StatusDismissed Status = "dismissed"
)

// Rule names, as fixed by the findings format.
const (
	RuleCopyImage       = "copy.image"
	RuleCopyTitle       = "copy.title"
	RuleCopyDescription = "copy.description"
)

// Finding is one rule that holds for one listing, or for one pair of listings
// for the copy rules. Its ID is stable: the same rule over the same listings
// gives the same ID in every run, so re-scans update findings instead of
// adding duplicates and reviewers' verdicts stay attached.
type Finding struct {
	ID              string    `json:"id"`
	Rule            string    `json:"rule"`
	Severity        Severity  `json:"severity"`
	Score           float64   `json:"score"`
	ListingID       string    `json:"listing_id"`
	ProviderID      string    `json:"provider_id"`
	OtherListingID  string    `json:"other_listing_id,omitempty"`
	OtherProviderID string    `json:"other_provider_id,omitempty"`
	First           string    `json:"first,omitempty"`
	Status          Status    `json:"status"`
	Evidence        Evidence  `json:"evidence"`
	DetectedAt      time.Time `json:"detected_at,omitzero"`
}

// Evidence is what a reviewer needs to check a finding without the tool:
// the matched image pair and its distance, the matched text spans.
type Evidence struct {
	Image        string  `json:"image,omitempty"`
	OtherImage   string  `json:"other_image,omitempty"`
	Distance     *int    `json:"distance,omitempty"`
	MatchedPairs int     `json:"matched_pairs,omitempty"`
	Transform    string  `json:"transform,omitempty"`
	Text         string  `json:"text,omitempty"`
	OtherText    string  `json:"other_text,omitempty"`
	Spans        []Span  `json:"spans,omitempty"`
	Similarity   float64 `json:"similarity,omitempty"`
	// Matches are what a single-listing rule found, each quoted from the
	// field it was found in: contact strings, QR payloads, the price plan
	// or service line at fault.
	Matches []Match `json:"matches,omitempty"`

	// Template evidence: the template a listing sells (and, for
	// copy.template, the template it clones), the pages or images compared,
	// the data source and field that collects personal data, and for
	// consistency rules the listing's claim and what the template lacks.
	TemplateID      string   `json:"template_id,omitempty"`
	OtherTemplateID string   `json:"other_template_id,omitempty"`
	Pages           []string `json:"pages,omitempty"`
	DataSource      string   `json:"datasource,omitempty"`
	Field           string   `json:"field,omitempty"`
	Claim           string   `json:"claim,omitempty"`
	Lacks           string   `json:"lacks,omitempty"`
}

// Match is one thing a single-listing rule found in a listing. Text is
// quoted as written, Start and End are rune offsets into Field's text, and
// Value is the normalised reading a reviewer checks against (the digits of
// a disguised phone number, the host of a link, the reason a price is
// wrong).
type Match struct {
	Field string `json:"field"`
	Kind  string `json:"kind"`
	Text  string `json:"text,omitempty"`
	Value string `json:"value,omitempty"`
	Start int    `json:"start,omitempty"`
	End   int    `json:"end,omitempty"`
}

// Span is a stretch of text that two listings share, quoted from the blamed
// listing with its rune offsets, and from the other listing where it occurs.
type Span struct {
	Text       string `json:"text"`
	Start      int    `json:"start"`
	End        int    `json:"end"`
	OtherStart int    `json:"other_start"`
	OtherEnd   int    `json:"other_end"`
}

// FindingID is the stable identity of a finding. Pair rules do not depend on
// which listing is blamed, so a pair keeps its identity when publish dates are
// corrected.
func FindingID(rule string, listingIDs ...string) string {
	ids := append([]string(nil), listingIDs...)
	if len(ids) == 2 && ids[1] < ids[0] {
		ids[0], ids[1] = ids[1], ids[0]
	}
	h := sha256.New()
	h.Write([]byte(rule))
	for _, id := range ids {
		h.Write([]byte{0})
		h.Write([]byte(id))
	}
	return hex.EncodeToString(h.Sum(nil))[:20]
}

// Verdict is a reviewer's decision on a finding. Verdicts are kept as a
// history: the finding's status is the latest one, and the earlier ones
// say who changed their mind and why.
type Verdict struct {
	FindingID string    `json:"finding_id"`
	Status    Status    `json:"status"`
	Reviewer  string    `json:"reviewer"`
	Note      string    `json:"note,omitempty"`
	At        time.Time `json:"at"`
}

// Reopened is the status a verdict records to put a reviewed finding back
// in the queue; the finding itself becomes open again.
const Reopened Status = "reopened"

// ParseVerdictStatus reads the decision a reviewer may record.
func ParseVerdictStatus(s string) (Status, error) {
	switch Status(s) {
	case StatusConfirmed, StatusDismissed, Reopened:
		return Status(s), nil
	}
	return "", fmt.Errorf("unknown verdict %q (want confirmed, dismissed or reopened)", s)
}
