package scanner

import (
	"bufio"
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
	Resumed     int               `json:"resumed"`
	Unchanged   int               `json:"unchanged"`
	Decoded     int               `json:"images_decoded"`
	Cached      int               `json:"images_cached"`
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
		return writeJSONReport(w, newJSONReport(r))
	default:
		return writeText(w, r)
	}
}

// newJSONReport is the --format json view of r.
func newJSONReport(r *Result) jsonReport {
	rep := jsonReport{
		Listings: r.Listings, Candidates: r.Candidates, Resumed: r.Resumed, Unchanged: r.Unchanged,
		Decoded: r.ImagesDecoded, Cached: r.ImagesCached, ElapsedMS: r.Elapsed.Milliseconds(),
		Findings: r.Findings, InputErrors: []inputErrorJSON{},
	}
	if rep.Findings == nil {
		rep.Findings = []listing.Finding{}
	}
	for _, e := range r.InputErrors {
		rep.InputErrors = append(rep.InputErrors, inputErrorJSON{File: e.File, Line: e.Line, ListingID: e.ListingID, Reason: errText(e)})
	}
	return rep
}

// writeJSONReport writes rep exactly as a JSON encoder indenting by two
// spaces writes it whole, but one finding at a time: a catalogue scan's
// report runs to hundreds of megabytes (286 MB for the 100k scale corpus),
// and encoding it whole held it, and its indented copy, in memory at once.
func writeJSONReport(w io.Writer, rep jsonReport) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	findings, inputErrors := rep.Findings, rep.InputErrors
	rep.Findings, rep.InputErrors = nil, nil
	head, err := indented(rep, "")
	if err != nil {
		return err
	}
	// head ends with the two arrays' fields, null here; they are written
	// below.
	cut := strings.LastIndex(head, ",\n  \"findings\"")
	if cut < 0 {
		return fmt.Errorf("encode report: unexpected header %q", head)
	}
	bw.WriteString(head[:cut])
	bw.WriteString(",\n  \"findings\": ")
	if err := writeJSONArray(bw, len(findings), func(i int) any { return &findings[i] }); err != nil {
		return err
	}
	bw.WriteString(",\n  \"input_errors\": ")
	if err := writeJSONArray(bw, len(inputErrors), func(i int) any { return &inputErrors[i] }); err != nil {
		return err
	}
	bw.WriteString("\n}\n")
	return bw.Flush()
}

// writeJSONArray writes n elements as an indented array one level down
// from the top.
func writeJSONArray(bw *bufio.Writer, n int, elem func(int) any) error {
	if n == 0 {
		_, err := bw.WriteString("[]")
		return err
	}
	bw.WriteString("[\n")
	for i := range n {
		s, err := indented(elem(i), "    ")
		if err != nil {
			return err
		}
		bw.WriteString("    ")
		bw.WriteString(s)
		if i < n-1 {
			bw.WriteString(",")
		}
		bw.WriteString("\n")
	}
	_, err := bw.WriteString("  ]")
	return err
}

// indented encodes v as the report's encoder does (HTML left as it is,
// two spaces a level), its lines after the first starting with prefix.
func indented(v any, prefix string) (string, error) {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent(prefix, "  ")
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
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
	if r.Unchanged > 0 {
		fmt.Fprintf(&b, "Incremental: %d more listings were unchanged since they were stored and were skipped; their findings stand.\n", r.Unchanged)
	}
	if r.Resumed > 0 {
		fmt.Fprintf(&b, "%d of them were unchanged since an earlier run and resumed from the store (not fingerprinted again).\n", r.Resumed)
	}
	if r.ImagesDecoded+r.ImagesCached > 0 {
		fmt.Fprintf(&b, "Images: %d decoded, %d taken from the image cache.\n", r.ImagesDecoded, r.ImagesCached)
	}
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
		head := fmt.Sprintf("%s (%s)", f.ListingID, f.ProviderID)
		if f.OtherListingID != "" {
			head += fmt.Sprintf(" copies %s (%s)", f.OtherListingID, f.OtherProviderID)
		}
		fmt.Fprintf(w, "  %-6s %-16s %s, score %.2f  [%s, %s]\n",
			strings.ToUpper(f.Severity.String()), f.Rule, head, f.Score, f.Status, f.ID)
		for _, line := range evidenceLines(f) {
			fmt.Fprintf(w, "         %s\n", line)
		}
	}
}

// evidenceLines says in a line or two what a finding rests on.
func evidenceLines(f listing.Finding) []string {
	ev := f.Evidence
	var out []string
	if ev.Image != "" {
		line := fmt.Sprintf("image %s matches %s", ev.Image, ev.OtherImage)
		if f.Rule != listing.RuleCopyImage {
			line = fmt.Sprintf("closest image pair %s / %s", ev.Image, ev.OtherImage)
		}
		if ev.Distance != nil {
			line += fmt.Sprintf(", distance %d", *ev.Distance)
		}
		if ev.Transform != "" {
			line += " (" + ev.Transform + ")"
		}
		if ev.MatchedPairs > 1 {
			line += fmt.Sprintf(", %d matching image pairs", ev.MatchedPairs)
		}
		out = append(out, line)
	}
	switch {
	case f.Rule == listing.RuleCopyTitle:
		out = append(out, fmt.Sprintf("title %q vs %q, similarity %.2f", ev.Text, ev.OtherText, ev.Similarity))
	case len(ev.Spans) > 0:
		line := fmt.Sprintf("similarity %.2f, shared text: %q", ev.Similarity, clip(ev.Spans[0].Text, 40))
		if len(ev.Spans) > 1 {
			line += fmt.Sprintf(" and %d more", len(ev.Spans)-1)
		}
		out = append(out, line)
	case ev.Text != "" && len(ev.Matches) == 0:
		// With matches, each is quoted below; Text only joins them.
		out = append(out, clip(ev.Text, 80))
	}
	var tmpl []string
	if ev.TemplateID != "" {
		t := "template " + ev.TemplateID
		if ev.OtherTemplateID != "" {
			t += " clones " + ev.OtherTemplateID
		}
		tmpl = append(tmpl, t)
	}
	if len(ev.Pages) > 0 {
		tmpl = append(tmpl, "pages "+clip(strings.Join(ev.Pages, ", "), 60))
	}
	if ev.DataSource != "" || ev.Field != "" {
		tmpl = append(tmpl, fmt.Sprintf("field %s.%s", ev.DataSource, ev.Field))
	}
	if ev.Claim != "" {
		tmpl = append(tmpl, fmt.Sprintf("claims %q", clip(ev.Claim, 40)))
	}
	if ev.Lacks != "" {
		tmpl = append(tmpl, "but lacks "+clip(ev.Lacks, 60))
	}
	if len(tmpl) > 0 && ev.Text == "" {
		// Rules that describe their finding in Text already said this.
		out = append(out, strings.Join(tmpl, "; "))
	}
	for i, m := range ev.Matches {
		if i == 3 {
			out = append(out, fmt.Sprintf("and %d more matches", len(ev.Matches)-i))
			break
		}
		line := fmt.Sprintf("%s in %s", m.Kind, m.Field)
		if m.Text != "" {
			line += fmt.Sprintf(": %q", clip(m.Text, 40))
		}
		if m.Value != "" && m.Value != m.Text {
			line += " → " + clip(m.Value, 60)
		}
		out = append(out, line)
	}
	return out
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
