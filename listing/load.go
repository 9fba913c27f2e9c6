package listing

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Read limits used when LoadOptions leaves a limit at zero. They keep one bad
// or hostile file from exhausting memory: the whole-file formats (.json,
// .html) are read into memory, JSON Lines are read one line at a time.
const (
	DefaultMaxFileBytes int64 = 64 << 20
	DefaultMaxLineBytes int   = 16 << 20
	DefaultMaxHTMLBytes int64 = 16 << 20
)

// Errors an InputError may wrap, so that callers can tell the kinds of bad
// input apart with errors.Is.
var (
	// ErrTooLarge means a file, line, page or image exceeded its read limit.
	ErrTooLarge = errors.New("over the size limit")
	// ErrNoListing means a file held no listing at all (empty file, empty
	// array, a page with nothing recognisable).
	ErrNoListing = errors.New("no listing found")
)

// InputError is one piece of input that could not be turned into a listing:
// a file, a line of a file, or one listing of a file. A scan reports it and
// goes on with the rest of the input, so one bad line never stops a run.
type InputError struct {
	File      string // path of the file, as given or as found below a directory
	Line      int    // 1-based line where the bad input starts; 0 for the whole file
	ListingID string // id of the listing when it could be read, else empty
	Err       error
}

// Error reads "file:line: listing ID: reason", leaving out what is unknown.
func (e InputError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.ListingID != "" {
		fmt.Fprintf(&b, "listing %s: ", e.ListingID)
	}
	if e.Err != nil {
		b.WriteString(e.Err.Error())
	} else {
		b.WriteString("invalid input")
	}
	return printable(b.String())
}

// printable escapes control characters, so that text taken from a listing
// (an id, a fragment quoted by a parser) cannot move the cursor, recolour
// or retitle the terminal an operator reads a report in.
func printable(s string) string {
	if !strings.ContainsFunc(s, unicode.IsControl) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if unicode.IsControl(r) {
			fmt.Fprintf(&b, "\\u%04x", r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// maxIDBytes bounds the identifiers of a listing: ids travel into keys,
// finding ids, file names of reports and terminals.
const maxIDBytes = 256

// ErrBadIdentifier means a listing, provider or template id holds control
// characters or is longer than any real marketplace id.
var ErrBadIdentifier = errors.New("bad identifier")

// checkIdentifiers refuses ids that no marketplace issues: control
// characters (terminal escapes, NUL) or more than maxIDBytes bytes.
func checkIdentifiers(l *Listing) error {
	for _, f := range []struct{ name, v string }{
		{"id", l.ID}, {"provider.id", l.Provider.ID}, {"template_id", l.TemplateID},
	} {
		if len(f.v) > maxIDBytes {
			return fmt.Errorf("field %s: %w: %d bytes, more than %d", f.name, ErrBadIdentifier, len(f.v), maxIDBytes)
		}
		if i := strings.IndexFunc(f.v, unicode.IsControl); i >= 0 {
			r, _ := utf8.DecodeRuneInString(f.v[i:])
			return fmt.Errorf("field %s: %w: control character U+%04X", f.name, ErrBadIdentifier, r)
		}
	}
	return nil
}

// Unwrap gives errors.Is access to the reason.
func (e InputError) Unwrap() error { return e.Err }

// LoadOptions bounds what the loaders read and says how to read saved HTML
// pages. The zero value uses the Default limits and reads HTML pages through
// JSON-LD and meta tags only.
type LoadOptions struct {
	// MaxFileBytes bounds a .json file, which is read whole. JSON Lines
	// files are streamed and bounded per line instead, so a catalogue export
	// of any size can be scanned as .jsonl.
	MaxFileBytes int64
	// MaxLineBytes bounds one line of a JSON Lines file.
	MaxLineBytes int
	// MaxHTMLBytes bounds a saved HTML page.
	MaxHTMLBytes int64
	// Selectors name the page elements that hold listing fields when the
	// page's JSON-LD and meta tags do not.
	Selectors HTMLSelectors
}

func (o LoadOptions) maxFileBytes() int64 {
	if o.MaxFileBytes > 0 {
		return o.MaxFileBytes
	}
	return DefaultMaxFileBytes
}

func (o LoadOptions) maxLineBytes() int {
	if o.MaxLineBytes > 0 {
		return o.MaxLineBytes
	}
	return DefaultMaxLineBytes
}

func (o LoadOptions) maxHTMLBytes() int64 {
	if o.MaxHTMLBytes > 0 {
		return o.MaxHTMLBytes
	}
	return DefaultMaxHTMLBytes
}

// fileKind is how a file's content is read.
type fileKind int

const (
	kindNone  fileKind = iota
	kindJSON           // an object, an array of objects, or JSON Lines
	kindLines          // JSON Lines, streamed
	kindHTML           // a saved listing page
	kindSniff          // JSON, or HTML when the content starts with markup
)

// kindOf says how a file is read from its name. Inside a directory only the
// three listing extensions count; a file named explicitly with another
// extension is read as HTML when its content starts with markup, else as
// JSON.
func kindOf(path string, explicit bool) fileKind {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".json":
		return kindJSON
	case ".jsonl":
		return kindLines
	case ".html":
		return kindHTML
	case ".ndjson":
		if explicit {
			return kindLines
		}
	case ".htm":
		if explicit {
			return kindHTML
		}
	default:
		if explicit {
			return kindSniff
		}
	}
	return kindNone
}

// IsListingFile reports whether a directory walk reads the file at path as
// listings (by its extension: .json, .jsonl, .html). Files named one by one
// are read whatever their name.
func IsListingFile(path string) bool { return kindOf(path, false) != kindNone }

// Load reads every listing below paths into memory. It suits tests and small
// inputs; a scan over a catalogue uses Walk.
func Load(ctx context.Context, paths []string, opts LoadOptions) ([]Listing, []InputError, error) {
	var (
		listings []Listing
		bad      []InputError
	)
	err := Walk(ctx, paths, opts,
		func(l Listing) error { listings = append(listings, l); return nil },
		func(e InputError) { bad = append(bad, e) })
	return listings, bad, err
}

// Walk streams the listings held by paths to emit, in a deterministic order:
// paths in the order given, the files below a directory in lexical order, the
// listings of a file in file order. A path may be a file or a directory; a
// directory means every .json, .jsonl and .html file below it.
//
// Bad input never stops the walk: each unreadable file, malformed line or
// listing missing a required field is passed to report, and the walk goes on.
// Walk returns an error only when it cannot go on: ctx is done, emit failed,
// or the selectors in opts are invalid (a configuration error, found before
// anything is read).
func Walk(ctx context.Context, paths []string, opts LoadOptions, emit func(Listing) error, report func(InputError)) error {
	if err := opts.Selectors.Validate(); err != nil {
		return err
	}
	if emit == nil {
		emit = func(Listing) error { return nil }
	}
	if report == nil {
		report = func(InputError) {}
	}
	w := walker{opts: opts, emit: emit, report: report}
	for _, p := range paths {
		if err := ctx.Err(); err != nil {
			return err
		}
		info, err := os.Stat(p)
		if err != nil {
			report(InputError{File: p, Err: err})
			continue
		}
		if !info.IsDir() {
			if err := w.file(ctx, p, kindOf(p, true)); err != nil {
				return err
			}
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				// An unreadable directory is reported and skipped; the
				// rest of the tree is still read.
				report(InputError{File: path, Err: err})
				return nil
			}
			if d.IsDir() {
				return ctx.Err()
			}
			kind := kindOf(path, false)
			if kind == kindNone {
				return nil
			}
			if info, err := os.Stat(path); err != nil {
				report(InputError{File: path, Err: err})
				return nil
			} else if !info.Mode().IsRegular() {
				// A FIFO or device named *.json would block or never end.
				report(InputError{File: path, Err: fmt.Errorf("not a regular file (%s)", info.Mode().Type())})
				return nil
			}
			return w.file(ctx, path, kind)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// walker carries the callbacks of one Walk and counts what a file yields, so
// that a file holding nothing at all can be reported as such.
type walker struct {
	opts   LoadOptions
	emit   func(Listing) error
	report func(InputError)
}

// fileResult counts the outcome of reading one file.
type fileResult struct {
	listings int
	reported int
}

// file reads one file; the error it returns is fatal for the walk.
func (w *walker) file(ctx context.Context, path string, kind fileKind) error {
	var res fileResult
	emit := func(l Listing) error {
		res.listings++
		return w.emit(l)
	}
	report := func(e InputError) {
		res.reported++
		w.report(e)
	}

	f, err := os.Open(path)
	if err != nil {
		report(InputError{File: path, Err: err})
		return nil
	}
	defer f.Close()

	switch kind {
	case kindLines:
		err = decodeJSONLines(ctx, f, path, w.opts.maxLineBytes(), emit, report)
	case kindHTML:
		var data []byte
		data, err = readBounded(f, w.opts.maxHTMLBytes(), "page")
		if err != nil {
			report(InputError{File: path, Err: err})
			return nil
		}
		err = emitHTML(data, path, w.opts.Selectors, emit, report)
	default:
		var data []byte
		data, err = readBounded(f, w.opts.maxFileBytes(), "file")
		if err != nil {
			if errors.Is(err, ErrTooLarge) {
				err = fmt.Errorf("%w (name JSON Lines files *.jsonl to stream them)", err)
			}
			report(InputError{File: path, Err: err})
			return nil
		}
		if kind == kindSniff && firstByte(data) == '<' {
			if int64(len(data)) > w.opts.maxHTMLBytes() {
				report(InputError{File: path, Err: fmt.Errorf("page is %s: %w of %s", byteSize(int64(len(data))), ErrTooLarge, byteSize(w.opts.maxHTMLBytes()))})
				return nil
			}
			err = emitHTML(data, path, w.opts.Selectors, emit, report)
		} else {
			err = decodeJSONData(ctx, data, path, w.opts.maxLineBytes(), emit, report)
		}
	}
	if err != nil {
		return err
	}
	if res.listings == 0 && res.reported == 0 {
		w.report(InputError{File: path, Err: ErrNoListing})
	}
	return nil
}

// emitHTML reads one saved page, which holds exactly one listing.
func emitHTML(data []byte, path string, sel HTMLSelectors, emit func(Listing) error, report func(InputError)) error {
	l, err := DecodeHTML(data, path, sel)
	if err == nil {
		err = checkIdentifiers(&l)
	}
	if err != nil {
		report(InputError{File: path, ListingID: l.ID, Err: err})
		return nil
	}
	return emit(l)
}

// readBounded reads all of r, failing with ErrTooLarge past max bytes. It
// reads at most max+1 bytes whatever r holds.
func readBounded(r io.Reader, max int64, what string) ([]byte, error) {
	if f, ok := r.(*os.File); ok {
		if info, err := f.Stat(); err == nil && info.Mode().IsRegular() && info.Size() > max {
			return nil, fmt.Errorf("%s is %s: %w of %s", what, byteSize(info.Size()), ErrTooLarge, byteSize(max))
		}
	}
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", what, err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%s is larger than %s: %w", what, byteSize(max), ErrTooLarge)
	}
	return data, nil
}

// byteSize writes a byte count the way limits are configured.
func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	default:
		return fmt.Sprintf("%d bytes", n)
	}
}

// utf8BOM is the byte order mark some editors put before UTF-8 text.
const utf8BOM = "\xEF\xBB\xBF"

// firstByte is the first byte of data that is not white space or a BOM.
func firstByte(data []byte) byte {
	data = bytes.TrimLeft(bytes.TrimPrefix(data, []byte(utf8BOM)), " \t\r\n")
	if len(data) == 0 {
		return 0
	}
	return data[0]
}

// decodeJSONData reads a .json file: one object, an array of objects, or
// JSON Lines under a .json name. Syntax errors in an array stop the file at
// the bad element; the elements before it are kept.
func decodeJSONData(ctx context.Context, data []byte, file string, maxLine int, emit func(Listing) error, report func(InputError)) error {
	data = bytes.TrimPrefix(data, []byte(utf8BOM))
	trimmed := bytes.TrimSpace(data)
	switch {
	case len(trimmed) == 0:
		report(InputError{File: file, Err: fmt.Errorf("file is empty: %w", ErrNoListing)})
		return nil
	case trimmed[0] == '[':
		return decodeArray(ctx, data, file, emit, report)
	case json.Valid(trimmed):
		if trimmed[0] != '{' {
			report(InputError{File: file, Err: fmt.Errorf("file holds a JSON %s, want an object, an array of objects or JSON Lines", jsonKind(trimmed[0]))})
			return nil
		}
		return emitListing(data, file, lineAt(data, bytes.IndexByte(data, '{')), emit, report)
	case looksLikeLines(data):
		return decodeJSONLines(ctx, bytes.NewReader(data), file, maxLine, emit, report)
	default:
		report(InputError{File: file, Line: syntaxErrorLine(data), Err: fmt.Errorf("malformed JSON: %w", jsonSyntaxError(trimmed))})
		return nil
	}
}

// looksLikeLines says whether a file that is not one JSON value is JSON
// Lines: its first non-empty line must be a complete value by itself. A
// single pretty-printed object that is truncated fails this test and is
// reported once, not once per line.
func looksLikeLines(data []byte) bool {
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		return json.Valid(line)
	}
	return false
}

// jsonSyntaxError is the error json.Valid does not give.
func jsonSyntaxError(data []byte) error {
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	return errors.New("invalid JSON")
}

// syntaxErrorLine is the line of the first syntax error in data, or 0.
func syntaxErrorLine(data []byte) int {
	var v any
	var se *json.SyntaxError
	if err := json.Unmarshal(data, &v); errors.As(err, &se) {
		return lineAt(data, int(se.Offset))
	}
	return 0
}

// lineAt is the 1-based line of byte offset off in data.
func lineAt(data []byte, off int) int {
	if off < 0 {
		off = 0
	}
	if off > len(data) {
		off = len(data)
	}
	return bytes.Count(data[:off], []byte{'\n'}) + 1
}

// jsonKind names the JSON type that starts with b, for error messages.
func jsonKind(b byte) string {
	switch b {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	default:
		return "number"
	}
}

// decodeArray reads a JSON array of listings element by element, so that a
// listing that fails validation costs only itself.
func decodeArray(ctx context.Context, data []byte, file string, emit func(Listing) error, report func(InputError)) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if _, err := dec.Token(); err != nil {
		report(InputError{File: file, Err: fmt.Errorf("malformed JSON: %w", err)})
		return nil
	}
	for dec.More() {
		if err := ctx.Err(); err != nil {
			return err
		}
		start := int(dec.InputOffset())
		for start < len(data) && strings.IndexByte(" \t\r\n,", data[start]) >= 0 {
			start++
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			line := lineAt(data, start)
			var se *json.SyntaxError
			if errors.As(err, &se) {
				line = lineAt(data, int(se.Offset))
			}
			report(InputError{File: file, Line: line, Err: fmt.Errorf("malformed JSON, rest of the file skipped: %w", err)})
			return nil
		}
		if err := emitListing(raw, file, lineAt(data, start), emit, report); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		report(InputError{File: file, Line: lineAt(data, int(dec.InputOffset())), Err: fmt.Errorf("malformed JSON at the end of the array: %w", err)})
		return nil
	}
	if rest := bytes.TrimSpace(data[dec.InputOffset():]); len(rest) > 0 {
		report(InputError{File: file, Line: lineAt(data, int(dec.InputOffset())), Err: errors.New("unexpected data after the array")})
	}
	return nil
}

// emitListing decodes one listing object and passes it on, or reports why it
// cannot be a listing.
func emitListing(raw []byte, file string, line int, emit func(Listing) error, report func(InputError)) error {
	l, err := DecodeJSON(raw)
	if err != nil {
		report(InputError{File: file, Line: line, ListingID: l.ID, Err: err})
		return nil
	}
	l.Source = file
	return emit(l)
}

// DecodeJSON reads one listing object the way the file loaders do, for
// listings that arrive some other way (a request body, a queue message). It is
// lenient where marketplace exports vary and strict where a listing would be
// meaningless:
//
//   - id, provider.id and template_id may be JSON strings or numbers;
//   - a price or list price may be a number, a numeric string or any other
//     text ("免费"), which is kept verbatim in the json.Number for the price
//     rule to judge, so json.Number values of a loaded listing are not
//     always valid numbers; a bare number or string in place of the price
//     object is read as one unnamed plan;
//   - published_at and updated_at may be RFC 3339, "2006-01-02 15:04:05",
//     "2006-01-02", "2006年1月2日" or Unix seconds or milliseconds; times
//     without a zone are China Standard Time, the marketplace's zone;
//   - unknown fields are ignored, and Extra keeps the whole object as read.
//
// A listing missing id, provider.id or title is an error wrapping
// ErrMissingField; the returned listing then still carries what was read, so
// the error can name the listing.
func DecodeJSON(data []byte) (Listing, error) {
	trimmed := bytes.TrimSpace(bytes.TrimPrefix(data, []byte(utf8BOM)))
	if len(trimmed) == 0 {
		return Listing{}, errors.New("empty listing")
	}
	if trimmed[0] != '{' {
		return Listing{}, fmt.Errorf("listing is a JSON %s, want an object", jsonKind(trimmed[0]))
	}
	var w wireListing
	if err := json.Unmarshal(trimmed, &w); err != nil {
		return Listing{ID: bestEffortID(trimmed)}, decodeError(err)
	}
	l := w.Listing
	l.ID = strings.TrimSpace(string(w.ID))
	l.Provider = Provider{
		ID:    strings.TrimSpace(string(w.Provider.ID)),
		Name:  w.Provider.Name,
		Logo:  w.Provider.Logo,
		Intro: w.Provider.Intro,
	}
	l.TemplateID = strings.TrimSpace(string(w.TemplateID))
	l.Price = Price{Plans: w.Price.Plans}
	for _, t := range []struct {
		dst  *time.Time
		raw  json.RawMessage
		name string
	}{{&l.PublishedAt, w.PublishedAt, "published_at"}, {&l.UpdatedAt, w.UpdatedAt, "updated_at"}} {
		v, err := parseJSONTime(t.raw)
		if err != nil {
			return l, fmt.Errorf("field %s: %w", t.name, err)
		}
		*t.dst = v
	}
	var extra bytes.Buffer
	if err := json.Compact(&extra, trimmed); err == nil {
		l.Extra = json.RawMessage(extra.Bytes())
	}
	if err := l.Validate(); err != nil {
		return l, err
	}
	if err := checkIdentifiers(&l); err != nil {
		return l, err
	}
	return l, nil
}

// decodeError rewrites the decoder's errors in terms of the listing's fields
// rather than the Go types that read them.
func decodeError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		field := strings.TrimPrefix(te.Field, "Listing.")
		if field == "" {
			field = "listing"
		}
		return fmt.Errorf("field %s: JSON %s where %s is expected", field, te.Value, goTypeName(te.Type.String()))
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("malformed JSON: %w", err)
	}
	return fmt.Errorf("decode listing: %w", err)
}

// goTypeName names a Go type in JSON terms.
func goTypeName(t string) string {
	switch {
	case strings.HasPrefix(t, "[]"):
		return "an array"
	case t == "string":
		return "a string"
	case t == "bool":
		return "a boolean"
	case strings.HasPrefix(t, "int"), strings.HasPrefix(t, "float"), t == "json.Number":
		return "a number"
	default:
		return "an object"
	}
}

// bestEffortID is the id of a listing that failed to decode, so the error can
// name it.
func bestEffortID(data []byte) string {
	var v struct {
		ID json.RawMessage `json:"id"`
	}
	if json.Unmarshal(data, &v) != nil {
		return ""
	}
	var id flexString
	if id.UnmarshalJSON(v.ID) != nil {
		return ""
	}
	return strings.TrimSpace(string(id))
}

// wireListing is a Listing as exports write it. Its own fields shadow those
// of the embedded Listing that need lenient decoding.
type wireListing struct {
	Listing
	ID          flexString      `json:"id"`
	Provider    wireProvider    `json:"provider"`
	TemplateID  flexString      `json:"template_id"`
	Price       wirePrice       `json:"price"`
	PublishedAt json.RawMessage `json:"published_at"`
	UpdatedAt   json.RawMessage `json:"updated_at"`
}

type wireProvider struct {
	ID    flexString `json:"id"`
	Name  string     `json:"name"`
	Logo  string     `json:"logo"`
	Intro string     `json:"intro"`
}

// flexString reads a JSON string or number as text; null is empty.
type flexString string

func (s *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*s = ""
	case b[0] == '"':
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = flexString(v)
	case b[0] == '-' || (b[0] >= '0' && b[0] <= '9'):
		*s = flexString(b)
	default:
		return fmt.Errorf("JSON %s where a string or number is expected", jsonKind(b[0]))
	}
	return nil
}

// wirePrice reads the price object, or a bare price as a single plan.
type wirePrice struct {
	Plans []PricePlan
}

func (p *wirePrice) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		p.Plans = nil
	case b[0] == '{':
		var v struct {
			Plans []wirePlan `json:"plans"`
		}
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		p.Plans = make([]PricePlan, 0, len(v.Plans))
		for _, w := range v.Plans {
			p.Plans = append(p.Plans, PricePlan{
				Name:      string(w.Name),
				Duration:  string(w.Duration),
				Unit:      string(w.Unit),
				ListPrice: rawNumber(w.ListPrice),
				Price:     rawNumber(w.Price),
			})
		}
		if len(p.Plans) == 0 {
			p.Plans = nil
		}
	case b[0] == '[':
		return errors.New("price is an array, want an object with plans")
	default:
		p.Plans = []PricePlan{{Price: rawNumber(b)}}
	}
	return nil
}

// MarshalJSON writes a plan so that it always encodes: a price that is a
// valid JSON number is written as a number, any other text the loader kept
// ("免费", "NaN") as a string. encoding/json refuses to write an invalid
// json.Number, which would make one odd price fail a whole scan.
func (p PricePlan) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Name      string          `json:"name"`
		Duration  string          `json:"duration,omitempty"`
		Unit      string          `json:"unit,omitempty"`
		ListPrice json.RawMessage `json:"list_price,omitempty"`
		Price     json.RawMessage `json:"price,omitempty"`
	}{p.Name, p.Duration, p.Unit, priceJSON(p.ListPrice), priceJSON(p.Price)})
}

// UnmarshalJSON reads a plan as MarshalJSON writes it, and as exports
// write it: prices may be numbers or text.
func (p *PricePlan) UnmarshalJSON(b []byte) error {
	var w wirePlan
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*p = PricePlan{Name: string(w.Name), Duration: string(w.Duration), Unit: string(w.Unit),
		ListPrice: rawNumber(w.ListPrice), Price: rawNumber(w.Price)}
	return nil
}

// priceJSON is the JSON form of a kept price: empty, a number, or a string.
func priceJSON(n json.Number) json.RawMessage {
	s := string(n)
	if s == "" {
		return nil
	}
	if (s[0] == '-' || (s[0] >= '0' && s[0] <= '9')) && json.Valid([]byte(s)) {
		return json.RawMessage(s)
	}
	q, _ := json.Marshal(s) // a Go string always encodes
	return q
}

type wirePlan struct {
	Name      flexString      `json:"name"`
	Duration  flexString      `json:"duration"`
	Unit      flexString      `json:"unit"`
	ListPrice json.RawMessage `json:"list_price"`
	Price     json.RawMessage `json:"price"`
}

// rawNumber keeps a price as written: numbers verbatim, strings unquoted
// whatever they say, null as empty, anything else as its JSON text.
func rawNumber(b json.RawMessage) json.Number {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		return ""
	case b[0] == '"':
		var s string
		if json.Unmarshal(b, &s) != nil {
			return json.Number(b)
		}
		return json.Number(strings.TrimSpace(s))
	default:
		var c bytes.Buffer
		if json.Compact(&c, b) != nil {
			return json.Number(b)
		}
		return json.Number(c.String())
	}
}

// parseJSONTime reads a time written as a JSON string or number; null
// and absence are the zero time.
func parseJSONTime(b json.RawMessage) (time.Time, error) {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		return time.Time{}, nil
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return time.Time{}, err
		}
		return parseTime(s)
	case b[0] == '-' || (b[0] >= '0' && b[0] <= '9'):
		return parseTime(string(b))
	default:
		return time.Time{}, fmt.Errorf("JSON %s where a time is expected", jsonKind(b[0]))
	}
}

// chinaStandardTime is the marketplace's zone, used for times written
// without one.
func chinaStandardTime() *time.Location { return time.FixedZone("CST", 8*60*60) }

// parseTime reads a publish or update time. Empty text is the zero time.
func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		switch {
		case n > 1e11 && n < 1e14: // milliseconds
			return time.UnixMilli(n).UTC(), nil
		case n >= 0 && n <= 1e11:
			return time.Unix(n, 0).UTC(), nil
		default:
			return time.Time{}, fmt.Errorf("time %q is out of range", s)
		}
	}
	if v, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return v, nil
	}
	for _, layout := range []string{
		"2006-01-02T15:04:05",
		"2006-01-02 15:04:05",
		"2006-01-02 15:04",
		"2006-01-02",
		"2006/01/02 15:04:05",
		"2006/01/02",
		"2006年1月2日 15:04:05",
		"2006年1月2日 15:04",
		"2006年1月2日",
	} {
		if v, err := time.ParseInLocation(layout, s, chinaStandardTime()); err == nil {
			return v, nil
		}
	}
	return time.Time{}, fmt.Errorf("unrecognised time %q (want RFC 3339, e.g. 2026-01-02T03:04:05Z)", s)
}
