package scanner

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/listingscan/listingscan/listing"
)

func single(rule, id string) listing.Finding {
	return listing.Finding{ID: listing.FindingID(rule, id), Rule: rule, ListingID: id}
}

// One corpus may label copies (pairs) and single-listing violations and
// traps side by side.
func TestEvaluateSingleListingLabels(t *testing.T) {
	no := false
	truth := []TruthLine{
		{Rule: "copy.title", ListingID: "L-2", OtherListingID: "L-1", Transform: "traditional"},
		{Rule: RuleOffplatformContact, ListingID: "L-3", Transform: "phone.homophone"},
		{Rule: RuleOffplatformContact, ListingID: "L-4", Transform: "wechat.vx"},
		{Rule: RuleServiceHours, ListingID: "L-5", Transform: "hours.weekdays"},
		{Rule: RuleOffplatformContact, ListingID: "L-6", Transform: "trap.price", Expect: &no},
		{Rule: RuleOffplatformContact, ListingID: "L-7", Transform: "trap.wechat_product", Expect: &no},
	}
	findings := []listing.Finding{
		{ID: "x", Rule: "copy.title", ListingID: "L-2", OtherListingID: "L-1"},
		single(RuleOffplatformContact, "L-3"),
		single(RuleOffplatformContact, "L-7"), // a trap flagged
		single(RuleServiceHours, "L-5"),
		single(RuleQualityTags, "L-1"), // rule not labelled: unscored
	}
	ev := Evaluate(findings, truth)
	got := map[string]Tally{}
	for _, r := range ev.ByRule {
		got[r.Name] = r
	}
	if c := got[RuleOffplatformContact]; c.TP != 1 || c.FP != 1 || c.FN != 1 {
		t.Errorf("contact tally = %+v, want TP 1 FP 1 FN 1", c)
	}
	if c := got[RuleServiceHours]; c.TP != 1 || c.FP != 0 || c.FN != 0 {
		t.Errorf("hours tally = %+v", c)
	}
	if c := got["copy.title"]; c.TP != 1 {
		t.Errorf("copy tally = %+v", c)
	}
	if _, ok := got[RuleQualityTags]; ok || len(ev.Unscored) != 1 || ev.Unscored[0].TP != 1 {
		t.Errorf("unlabelled rule scored: by rule %+v, unscored %+v", ev.ByRule, ev.Unscored)
	}
	if r := ev.TrapRate(); r != 0.5 {
		t.Errorf("trap rate = %v, want 0.5", r)
	}
	var buf bytes.Buffer
	ev.WriteText(&buf)
	for _, want := range []string{"trap false-positive rate: 0.5000", "missed offplatform.contact", "L-4"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, buf.String())
		}
	}
}

func TestReadTruthSingleListingLines(t *testing.T) {
	p := filepath.Join(t.TempDir(), "truth.ndjson")
	data := `{"rule":"offplatform.contact","listing_id":"L-1","transform":"qq.plain"}
{"listing_id":"L-2","transform":"trap.date","expect":false}
{"rule":"copy.image","listing_id":"L-3","other_listing_id":"L-1","transform":"mirror"}
`
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	tr, err := ReadTruth(p)
	if err != nil || len(tr) != 3 {
		t.Fatalf("ReadTruth = %v, %v", tr, err)
	}
	if err := os.WriteFile(p, []byte(`{"listing_id":"L-1","transform":"x"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadTruth(p); err == nil || !strings.Contains(err.Error(), "rule") {
		t.Errorf("a positive line without rule: err = %v", err)
	}
}
