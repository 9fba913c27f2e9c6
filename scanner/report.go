package scanner

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/listingscan/listingscan/listing"
)

// Format is how findings are written.
type Format string

// Output formats. JSON Lines is the contract other tools read; text is for
// people.
const (
	FormatText  Format = "text"
	FormatJSON  Format = "json"
	FormatJSONL Format = "jsonl"
)

// ParseFormat checks a --format value.
func ParseFormat(s string) (Format, error) {
	switch f := Format(s); f {
	case FormatText, FormatJSON, FormatJSONL:
		return f, nil
	}
	return "", fmt.Errorf("unknown format %q (want text, json or jsonl)", s)
}

// WriteFindings writes findings one JSON object per line.
func WriteFindings(w io.Writer, findings []listing.Finding) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for i := range findings {
		if err := enc.Encode(&findings[i]); err != nil {
			return err
		}
	}
	return nil
}

// jsonReport is the shape of --format json: the findings and what the run did.
type jsonReport struct {
	Listings    int               `json:"listings"`
	Candidates  int               `json:"candidates"`
	ElapsedMS   int64             `json:"elapsed_ms"`
	Findings    []listing.Finding `json:"findings"`
	InputErrors []inputErrorJSON  `json:"input_errors"`
}

type inputErrorJSON struct {
	File      string `json:"file"`
	Line      int    `json:"line,omitempty"`
	ListingID string `json:"listing_id,omitempty"`
	Reason    string `json:"reason"`
}

// WriteReport writes a scan result in format.
func WriteReport(w io.Writer, format Format, r *Result) error {
	switch format {
	case FormatJSONL:
		return WriteFindings(w, r.Findings)
	case FormatJSON:
		rep := jsonReport{
			Listings: r.Listings, Candidates: r.Candidates, ElapsedMS: r.Elapsed.Milliseconds(),
			Findings: r.Findings, InputErrors: []inputErrorJSON{},
		}
		if rep.Findings == nil {
			rep.Findings = []listing.Finding{}
		}
		for _, e := range r.InputErrors {
			rep.InputErrors = append(rep.InputErrors, inputErrorJSON{File: e.File, Line: e.Line, ListingID: e.ListingID, Reason: errText(e)})
		}
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	default:
		return writeText(w, r)
	}
}

func errText(e listing.InputError) string {
	if e.Err == nil {
		return "unknown error"
	}
	return e.Err.Error()
}

// writeText is the summary a person reads after a scan.
func writeText(w io.Writer, r *Result) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Scanned %d listings in %s: %d candidate pairs verified, %d findings, %d input errors.\n",
		r.Listings, r.Elapsed.Round(1e6), r.Candidates, len(r.Findings), len(r.InputErrors))
	if len(r.Findings) > 0 {
		b.WriteString("\nFindings (most urgent first):\n")
		WriteFindingsText(&b, r.Findings)
	}
	if len(r.InputErrors) > 0 {
		b.WriteString("\nInput errors (these were skipped; everything else was scanned):\n")
		for _, e := range r.InputErrors {
			fmt.Fprintf(&b, "  %s\n", e.Error())
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteFindingsText writes findings for a person: one headline per finding
// and the evidence indented below it.
func WriteFindingsText(w io.Writer, findings []listing.Finding) {
	for _, f := range findings {
		fmt.Fprintf(w, "  %-6s %-16s %s (%s) copies %s (%s), score %.2f  [%s, %s]\n",
			strings.ToUpper(f.Severity.String()), f.Rule, f.ListingID, f.ProviderID,
			f.OtherListingID, f.OtherProviderID, f.Score, f.Status, f.ID)
		ev := f.Evidence
		switch f.Rule {
		case listing.RuleCopyImage:
			d := 0
			if ev.Distance != nil {
				d = *ev.Distance
			}
			line := fmt.Sprintf("image %s matches %s, distance %d", ev.Image, ev.OtherImage, d)
			if ev.Transform != "" {
				line += " (" + ev.Transform + ")"
			}
			if ev.MatchedPairs > 1 {
				line += fmt.Sprintf(", %d matching image pairs", ev.MatchedPairs)
			}
			fmt.Fprintf(w, "         %s\n", line)
		case listing.RuleCopyTitle:
			fmt.Fprintf(w, "         title %q vs %q, similarity %.2f\n", ev.Text, ev.OtherText, ev.Similarity)
		default:
			fmt.Fprintf(w, "         similarity %.2f", ev.Similarity)
			if len(ev.Spans) > 0 {
				fmt.Fprintf(w, ", shared text: %q", clip(ev.Spans[0].Text, 40))
				if len(ev.Spans) > 1 {
					fmt.Fprintf(w, " and %d more", len(ev.Spans)-1)
				}
			}
			fmt.Fprintln(w)
		}
	}
}

// clip shortens s to at most n characters for a one-line summary; the
// findings JSON keeps the whole span.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
