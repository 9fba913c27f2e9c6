package scanner

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/listingscan/listingscan/listing"
)

// TestWriteReportJSONStreams holds the streamed JSON report to what one
// indenting encoder writes for the whole report, byte for byte: consumers
// of --format json must not see the change.
func TestWriteReportJSONStreams(t *testing.T) {
	d := 3
	copied := listing.Finding{
		ID: "f1", Rule: listing.RuleCopyImage, Severity: listing.SeverityHigh, Score: 0.91,
		ListingID: "L-2", ProviderID: "P-2", OtherListingID: "L-1", OtherProviderID: "P-1", First: "L-1",
		Status: listing.StatusOpen,
		Evidence: listing.Evidence{Image: "img/a.png", OtherImage: "img/b.png", Distance: &d, MatchedPairs: 2,
			Transform: "mirrored", Text: "智慧餐厅<点餐> & 外卖", Spans: []listing.Span{{Text: "点餐小程序", Start: 1, End: 6}}},
	}
	hours := listing.Finding{ID: "f2", Rule: "service.hours", Severity: listing.SeverityLow, ListingID: "L-3", ProviderID: "P-3", Status: listing.StatusOpen}
	broken := listing.InputError{File: "broken/x.jsonl", Line: 4, Err: errors.New("unexpected end of JSON input")}
	cases := []struct {
		name string
		res  Result
	}{
		{"empty", Result{}},
		{"findings only", Result{Findings: []listing.Finding{copied, hours}, Listings: 3, Candidates: 2}},
		{"one finding and errors", Result{
			Findings: []listing.Finding{copied}, InputErrors: []listing.InputError{broken, {File: "y.html", ListingID: "L-9"}},
			Listings: 5, Resumed: 1, Unchanged: 2, ImagesDecoded: 4, ImagesCached: 6, Elapsed: 1500 * time.Millisecond,
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got bytes.Buffer
			if err := WriteReport(&got, FormatJSON, &tc.res); err != nil {
				t.Fatal(err)
			}
			want := wholeReport(t, &tc.res)
			if !bytes.Equal(got.Bytes(), want) {
				t.Errorf("streamed report differs from the whole encoding:\n got: %s\nwant: %s", got.Bytes(), want)
			}
			var back jsonReport
			if err := json.Unmarshal(got.Bytes(), &back); err != nil {
				t.Fatalf("report does not parse: %v", err)
			}
			if len(back.Findings) != len(tc.res.Findings) || len(back.InputErrors) != len(tc.res.InputErrors) {
				t.Errorf("parsed %d findings and %d input errors, want %d and %d",
					len(back.Findings), len(back.InputErrors), len(tc.res.Findings), len(tc.res.InputErrors))
			}
		})
	}
}

// wholeReport encodes r's report in one piece, as the report was written
// before it was streamed.
func wholeReport(t *testing.T, r *Result) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(newJSONReport(r)); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
