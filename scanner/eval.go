package scanner

import (
	"bufio"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/listingscan/listingscan/listing"
)

// TruthLine is one label of an evaluation corpus. With OtherListingID it
// is a pair: a copy the scan must report (Expect true, the default) or an
// honest look-alike it must not (Expect false). Without it, it is one
// listing for a single-listing rule: a violation the scan must report under
// Rule, or a trap (Expect false) — honest text that looks like a violation
// (a price, a date, "微信支付") — on which Rule, or when Rule is empty any
// labelled single-listing rule, must not fire. Transform names what was
// done to the material: "mirror", "jpeg35", "traditional", "boilerplate",
// "phone.homophone", "trap.price", …
type TruthLine struct {
	Rule           string `json:"rule,omitempty"`
	ListingID      string `json:"listing_id"`
	OtherListingID string `json:"other_listing_id,omitempty"`
	Transform      string `json:"transform"`
	Expect         *bool  `json:"expect,omitempty"`
}

func (t TruthLine) positive() bool { return t.Expect == nil || *t.Expect }

// ReadTruth reads a truth file (JSON Lines).
func ReadTruth(path string) ([]TruthLine, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read truth: %w", err)
	}
	defer f.Close()
	var out []TruthLine
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var t TruthLine
		if err := json.Unmarshal([]byte(line), &t); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		if t.ListingID == "" || (t.positive() && t.Rule == "") {
			return nil, fmt.Errorf("%s:%d: a truth line needs listing_id and, for a finding the scan must report, rule", path, n)
		}
		out = append(out, t)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read truth %s: %w", path, err)
	}
	return out, nil
}

// Tally counts outcomes for one rule or one transformation.
type Tally struct {
	Name string `json:"name"`
	TP   int    `json:"tp"`
	FP   int    `json:"fp"`
	FN   int    `json:"fn"`
}

// Precision is TP/(TP+FP), 1 when nothing was reported.
func (t Tally) Precision() float64 {
	if t.TP+t.FP == 0 {
		return 1
	}
	return float64(t.TP) / float64(t.TP+t.FP)
}

// Recall is TP/(TP+FN), 1 when nothing was expected.
func (t Tally) Recall() float64 {
	if t.TP+t.FN == 0 {
		return 1
	}
	return float64(t.TP) / float64(t.TP+t.FN)
}

// Evaluation compares a scan's findings with labelled truth.
type Evaluation struct {
	ByRule      []Tally `json:"by_rule"`
	ByTransform []Tally `json:"by_transform"`
	// LookAlikes counts, per kind of honest look-alike, the pairs labelled
	// as not copies and how many of them were flagged anyway (FP).
	LookAlikes []Tally `json:"look_alikes"`
	// Traps counts, per kind of trap, the listings labelled as traps for
	// single-listing rules (TP) and how many of them were flagged (FP).
	Traps []Tally `json:"traps,omitempty"`
	// Unscored counts (in TP) the findings of rules the truth does not
	// label at all, such as policy findings in a corpus made to measure
	// copies; they are neither right nor wrong.
	Unscored []Tally `json:"unscored,omitempty"`
	// WrongDirection counts true findings that blamed the original.
	WrongDirection int `json:"wrong_direction"`
	// Missed and Unexpected list the individual errors for inspection.
	Missed     []TruthLine       `json:"missed,omitempty"`
	Unexpected []listing.Finding `json:"unexpected,omitempty"`
}

func pairKey(rule, a, b string) string {
	return rule + "|" + min(a, b) + "|" + max(a, b)
}

// Evaluate scores findings against truth. A finding is a true positive
// when the truth lists the same rule for the same pair of listings.
func Evaluate(findings []listing.Finding, truth []TruthLine) *Evaluation {
	byRule := map[string]*Tally{}
	byTransform := map[string]*Tally{}
	lookAlike := map[string]*Tally{}
	trapTally := map[string]*Tally{}
	unscored := map[string]*Tally{}
	tally := func(m map[string]*Tally, name string) *Tally {
		if m[name] == nil {
			m[name] = &Tally{Name: name}
		}
		return m[name]
	}
	want := map[string]TruthLine{}
	negative := map[string]string{} // unordered pair -> look-alike kind
	labelled := map[string]bool{}   // rules the truth speaks about
	var traps []TruthLine
	for _, t := range truth {
		if t.Rule != "" {
			labelled[t.Rule] = true
		}
		if t.OtherListingID == "" && !t.positive() {
			traps = append(traps, t)
			tally(trapTally, t.Transform).TP++ // TP here counts trap listings
			continue
		}
		if t.positive() {
			want[pairKey(t.Rule, t.ListingID, t.OtherListingID)] = t
			tally(byRule, t.Rule)
			tally(byTransform, t.Transform)
			continue
		}
		negative[pairKey("", t.ListingID, t.OtherListingID)] = t.Transform
		tally(lookAlike, t.Transform).TP++ // TP here counts labelled look-alike pairs
	}
	ev := &Evaluation{}
	found := map[string]bool{}
	flaggedNegatives := map[string]bool{}
	single := map[string]bool{} // rule|listing of single-listing findings, and "|listing" for any
	for _, f := range findings {
		if f.OtherListingID == "" {
			if !labelled[f.Rule] {
				tally(unscored, f.Rule).TP++
				continue
			}
			single[f.Rule+"|"+f.ListingID] = true
			single["|"+f.ListingID] = true
			k := pairKey(f.Rule, f.ListingID, "")
			if _, ok := want[k]; ok {
				found[k] = true
				tally(byRule, f.Rule).TP++
				tally(byTransform, want[k].Transform).TP++
				continue
			}
			tally(byRule, f.Rule).FP++
			ev.Unexpected = append(ev.Unexpected, f)
			continue
		}
		if !labelled[f.Rule] {
			tally(unscored, f.Rule).TP++
			continue
		}
		k := pairKey(f.Rule, f.ListingID, f.OtherListingID)
		if t, ok := want[k]; ok {
			found[k] = true
			tally(byRule, f.Rule).TP++
			tally(byTransform, t.Transform).TP++
			if f.ListingID != t.ListingID {
				ev.WrongDirection++
			}
			continue
		}
		tally(byRule, f.Rule).FP++
		ev.Unexpected = append(ev.Unexpected, f)
		pk := pairKey("", f.ListingID, f.OtherListingID)
		if kind, ok := negative[pk]; ok && !flaggedNegatives[pk] {
			flaggedNegatives[pk] = true
			tally(lookAlike, kind).FP++
		}
	}
	for k, t := range want {
		if !found[k] {
			tally(byRule, t.Rule).FN++
			tally(byTransform, t.Transform).FN++
			ev.Missed = append(ev.Missed, t)
		}
	}
	for _, t := range traps {
		if single[t.Rule+"|"+t.ListingID] {
			tally(trapTally, t.Transform).FP++
		}
	}
	ev.ByRule = sorted(byRule)
	ev.Traps = sorted(trapTally)
	ev.Unscored = sorted(unscored)
	ev.ByTransform = sorted(byTransform)
	ev.LookAlikes = sorted(lookAlike)
	slices.SortFunc(ev.Missed, func(a, b TruthLine) int {
		return cmp.Or(cmp.Compare(a.Transform, b.Transform), cmp.Compare(a.ListingID, b.ListingID))
	})
	return ev
}

func sorted(m map[string]*Tally) []Tally {
	out := make([]Tally, 0, len(m))
	for _, t := range m {
		out = append(out, *t)
	}
	slices.SortFunc(out, func(a, b Tally) int { return cmp.Compare(a.Name, b.Name) })
	return out
}

// Total sums the per-rule tallies.
func (e *Evaluation) Total() Tally {
	t := Tally{Name: "all"}
	for _, r := range e.ByRule {
		t.TP += r.TP
		t.FP += r.FP
		t.FN += r.FN
	}
	return t
}

// TrapRate is the share of trap listings that were flagged, 0 without
// traps.
func (e *Evaluation) TrapRate() float64 {
	n, fp := 0, 0
	for _, t := range e.Traps {
		n += t.TP
		fp += t.FP
	}
	if n == 0 {
		return 0
	}
	return float64(fp) / float64(n)
}

// WriteText writes the evaluation as tables a person reads.
func (e *Evaluation) WriteText(w io.Writer) {
	fmt.Fprintf(w, "%-22s %6s %6s %6s %10s %8s\n", "rule", "TP", "FP", "FN", "precision", "recall")
	for _, t := range append(slices.Clone(e.ByRule), e.Total()) {
		fmt.Fprintf(w, "%-22s %6d %6d %6d %10.4f %8.4f\n", t.Name, t.TP, t.FP, t.FN, t.Precision(), t.Recall())
	}
	fmt.Fprintf(w, "\n%-22s %6s %6s %8s\n", "transformation", "copies", "found", "recall")
	for _, t := range e.ByTransform {
		fmt.Fprintf(w, "%-22s %6d %6d %8.4f\n", t.Name, t.TP+t.FN, t.TP, t.Recall())
	}
	if len(e.LookAlikes) > 0 {
		fmt.Fprintf(w, "\n%-22s %6s %8s\n", "honest look-alikes", "pairs", "flagged")
		for _, t := range e.LookAlikes {
			fmt.Fprintf(w, "%-22s %6d %8d\n", t.Name, t.TP, t.FP)
		}
	}
	if len(e.Traps) > 0 {
		fmt.Fprintf(w, "\n%-22s %6s %8s\n", "traps", "count", "flagged")
		n := 0
		for _, t := range e.Traps {
			fmt.Fprintf(w, "%-22s %6d %8d\n", t.Name, t.TP, t.FP)
			n += t.TP
		}
		fmt.Fprintf(w, "trap false-positive rate: %.4f (%d trap listings)\n", e.TrapRate(), n)
	}
	for _, t := range e.Unscored {
		fmt.Fprintf(w, "not labelled in this corpus, not scored: %d %s findings\n", t.TP, t.Name)
	}
	fmt.Fprintf(w, "\nblamed the original instead of the copy: %d\n", e.WrongDirection)
	const show = 15
	for i, m := range e.Missed {
		if i == show {
			fmt.Fprintf(w, "  … %d more missed\n", len(e.Missed)-show)
			break
		}
		if m.OtherListingID == "" {
			fmt.Fprintf(w, "  missed %-16s %-14s %s\n", m.Rule, m.Transform, m.ListingID)
			continue
		}
		fmt.Fprintf(w, "  missed %-16s %-14s %s copies %s\n", m.Rule, m.Transform, m.ListingID, m.OtherListingID)
	}
	for i, f := range e.Unexpected {
		if i == show {
			fmt.Fprintf(w, "  … %d more unexpected\n", len(e.Unexpected)-show)
			break
		}
		if f.OtherListingID == "" {
			fmt.Fprintf(w, "  unexpected %-16s %s: %s\n", f.Rule, f.ListingID, clipRunes(f.Evidence.Text, 80))
			continue
		}
		fmt.Fprintf(w, "  unexpected %-16s %s vs %s score %.3f %s\n", f.Rule, f.ListingID, f.OtherListingID, f.Score, f.Evidence.Transform)
	}
}
