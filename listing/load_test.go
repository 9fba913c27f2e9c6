package listing

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// wantInputError describes one reported input error.
type wantInputError struct {
	file      string // base name of the file
	line      int
	listingID string
	is        error  // errors.Is target, optional
	contains  string // substring of the message, optional
}

func checkInputErrors(t *testing.T, got []InputError, want []wantInputError) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d input errors, want %d:\n%s", len(got), len(want), formatInputErrors(got))
	}
	for i, w := range want {
		g := got[i]
		if filepath.Base(g.File) != w.file || g.Line != w.line || g.ListingID != w.listingID {
			t.Errorf("input error %d = %s:%d listing %q, want %s:%d listing %q (%v)", i, filepath.Base(g.File), g.Line, g.ListingID, w.file, w.line, w.listingID, g)
		}
		if w.is != nil && !errors.Is(g, w.is) {
			t.Errorf("input error %d = %v, want it to wrap %v", i, g, w.is)
		}
		if w.contains != "" && !strings.Contains(g.Error(), w.contains) {
			t.Errorf("input error %d = %q, want it to mention %q", i, g.Error(), w.contains)
		}
	}
}

func formatInputErrors(errs []InputError) string {
	var b strings.Builder
	for _, e := range errs {
		b.WriteString("  " + e.Error() + "\n")
	}
	return b.String()
}

func ids(ls []Listing) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = l.ID
	}
	return out
}

func TestLoad(t *testing.T) {
	tests := []struct {
		name     string
		paths    []string
		wantIDs  []string
		wantErrs []wantInputError
	}{
		{
			name:    "single object",
			paths:   []string{"testdata/load/object.json"},
			wantIDs: []string{"L-1001"},
		},
		{
			name:    "array of objects",
			paths:   []string{"testdata/load/array.json"},
			wantIDs: []string{"L-2001", "2002"},
		},
		{
			name:    "JSON Lines with a malformed line between good ones",
			paths:   []string{"testdata/load/lines.jsonl"},
			wantIDs: []string{"L-3001", "L-3003", "L-3004"},
			wantErrs: []wantInputError{
				{file: "lines.jsonl", line: 3, contains: "malformed JSON"},
				{file: "lines.jsonl", line: 5, contains: "JSON array, want an object"},
			},
		},
		{
			name:    "JSON Lines under a .json name",
			paths:   []string{"testdata/load/concatenated.json"},
			wantIDs: []string{"L-7001", "L-7002"},
		},
		{
			name:    "missing required fields fail only their listing",
			paths:   []string{"testdata/load/missing.json"},
			wantIDs: []string{"L-4001"},
			wantErrs: []wantInputError{
				{file: "missing.json", line: 3, listingID: "L-4002", is: ErrMissingField, contains: "provider.id"},
				{file: "missing.json", line: 4, listingID: "L-4003", is: ErrMissingField, contains: "title"},
				{file: "missing.json", line: 5, is: ErrMissingField, contains: "missing required field: id"},
				{file: "missing.json", line: 6, listingID: "L-4005", contains: "field tags: JSON string where an array is expected"},
			},
		},
		{
			name:     "empty file",
			paths:    []string{"testdata/load/empty.json"},
			wantErrs: []wantInputError{{file: "empty.json", is: ErrNoListing, contains: "file is empty"}},
		},
		{
			name:     "empty array",
			paths:    []string{"testdata/load/empty-array.json"},
			wantErrs: []wantInputError{{file: "empty-array.json", is: ErrNoListing}},
		},
		{
			name:     "truncated object is one error at the point of truncation",
			paths:    []string{"testdata/load/truncated.json"},
			wantErrs: []wantInputError{{file: "truncated.json", line: 6, contains: "malformed JSON"}},
		},
		{
			name:     "unreadable time",
			paths:    []string{"testdata/load/bad-time.json"},
			wantErrs: []wantInputError{{file: "bad-time.json", line: 1, listingID: "L-8001", contains: `unrecognised time "去年春天"`}},
		},
		{
			name:     "a file holding a string",
			paths:    []string{"testdata/load/scalar.json"},
			wantErrs: []wantInputError{{file: "scalar.json", contains: "file holds a JSON string"}},
		},
		{
			name:    "directory, recursively, in lexical order, other files ignored",
			paths:   []string{"testdata/load/dir"},
			wantIDs: []string{"D-1", "D-2", "D-3", "D-4", "D-5"},
			wantErrs: []wantInputError{
				{file: "empty.jsonl", is: ErrNoListing},
			},
		},
		{
			name:    "paths in the order given",
			paths:   []string{"testdata/load/dir/zz/d.json", "testdata/load/object.json"},
			wantIDs: []string{"D-5", "L-1001"},
		},
		{
			name:    "file named explicitly is sniffed: HTML",
			paths:   []string{"testdata/load/saved-page.txt"},
			wantIDs: []string{"L-9100"},
		},
		{
			name:     "file named explicitly is sniffed: JSON",
			paths:    []string{"testdata/load/dir/sub/notes.txt"},
			wantErrs: []wantInputError{{file: "notes.txt", line: 1, contains: "malformed JSON"}},
		},
		{
			name:     "missing path",
			paths:    []string{"testdata/load/no-such-file.json", "testdata/load/object.json"},
			wantIDs:  []string{"L-1001"},
			wantErrs: []wantInputError{{file: "no-such-file.json", is: fs.ErrNotExist}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, bad, err := Load(context.Background(), tt.paths, LoadOptions{})
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if g := ids(got); !reflect.DeepEqual(g, tt.wantIDs) && (len(g) > 0 || len(tt.wantIDs) > 0) {
				t.Errorf("ids = %q, want %q", g, tt.wantIDs)
			}
			checkInputErrors(t, bad, tt.wantErrs)
			for _, l := range got {
				if l.Source == "" {
					t.Errorf("listing %s has no Source", l.ID)
				}
			}
		})
	}
}

func TestLoadKeepsEveryField(t *testing.T) {
	got, bad, err := Load(context.Background(), []string{"testdata/load/object.json"}, LoadOptions{})
	if err != nil || len(bad) != 0 || len(got) != 1 {
		t.Fatalf("Load = %d listings, %v, %v", len(got), bad, err)
	}
	l := got[0]
	want := Listing{
		ID:              "L-1001",
		Provider:        Provider{ID: "P-01", Name: "杭州云栈科技有限公司", Logo: "img/p01.png", Intro: "专注餐饮数字化十年，服务门店超过三千家。"},
		TemplateID:      "T-77",
		Title:           "餐饮点餐小程序（扫码点餐 + 会员积分）",
		Tags:            []string{"餐饮", "点餐", "会员"},
		Category:        "餐饮",
		Summary:         "门店扫码点餐、外卖配送、会员积分一体化，开箱即用。",
		DescriptionHTML: `<p>支持堂食扫码点餐、外卖配送、会员积分。</p><img src="img/d1.png">`,
		Images:          []string{"img/L-1001-1.png", "https://cdn.example.com/x.jpg"},
		Price:           Price{Plans: []PricePlan{{Name: "基础版", Duration: "1年", Unit: "套", ListPrice: "1999.0", Price: "1599.0"}}},
		Service:         Service{AfterSales: "提供安装部署与一年免费升级", Hours: "周一至周日 09:00-18:00", Channels: []string{"在线客服", "电话"}},
		OAuth:           OAuth{Enabled: true},
		PublishedAt:     time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		UpdatedAt:       time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC),
		Source:          "testdata/load/object.json",
	}
	extra := l.Extra
	l.Extra = nil
	if !reflect.DeepEqual(l, want) {
		t.Errorf("listing =\n%+v\nwant\n%+v", l, want)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(extra, &raw); err != nil {
		t.Fatalf("Extra is not a JSON object: %v", err)
	}
	if string(raw["x_sales_rank"]) != "17" || string(raw["seo"]) != `{"keywords":["点餐系统","小程序"]}` {
		t.Errorf("Extra lost unknown fields: x_sales_rank=%s seo=%s", raw["x_sales_rank"], raw["seo"])
	}
	if _, ok := raw["title"]; !ok {
		t.Errorf("Extra should hold the whole object as read, got %s", extra)
	}
}

func TestLoadLenientValues(t *testing.T) {
	cst := time.FixedZone("CST", 8*60*60)
	got, bad, err := Load(context.Background(), []string{"testdata/load/array.json", "testdata/load/prices.json", "testdata/load/lines.jsonl"}, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]Listing{}
	for _, l := range got {
		byID[l.ID] = l
	}
	if len(bad) != 2 { // the two bad lines of lines.jsonl
		t.Errorf("input errors:\n%s", formatInputErrors(bad))
	}
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"numeric provider id", byID["2002"].Provider.ID, "2"},
		{"numeric string price", byID["2002"].Price.Plans[0].Price, json.Number("899")},
		{"date without zone is China time", byID["2002"].PublishedAt, time.Date(2026, 2, 3, 0, 0, 0, 0, cst)},
		{"date and time without zone", byID["L-2001"].PublishedAt, time.Date(2026, 2, 1, 10, 0, 0, 0, cst)},
		{"Unix seconds", byID["L-3004"].PublishedAt, time.Unix(1767225600, 0).UTC()},
		{"non-numeric price kept as evidence", byID["L-3003"].Price.Plans[0].Price, json.Number("免费")},
		{"price plans kept as written", byID["L-5001"].Price.Plans, []PricePlan{
			{Name: "免费版", Price: "免费"},
			{Name: "基础版", ListPrice: "1,999", Price: "-1"},
			{Name: "旗舰版", ListPrice: "1e308", Price: "3999.00"},
			{Name: "定制版"},
			{Name: "奇怪版", Price: "true"},
		}},
		{"bare price is one plan", byID["L-5002"].Price.Plans, []PricePlan{{Price: "99"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !reflect.DeepEqual(tt.got, tt.want) {
				t.Errorf("got %#v, want %#v", tt.got, tt.want)
			}
		})
	}
}

func TestLoadLimits(t *testing.T) {
	dir := t.TempDir()
	long := filepath.Join(dir, "long.jsonl")
	content := `{"id":"A","provider":{"id":"P"},"title":"短行"}` + "\n" +
		`{"id":"B","provider":{"id":"P"},"title":"` + strings.Repeat("长", 700) + `"}` + "\n" +
		`{"id":"C","provider":{"id":"P"},"title":"又一短行"}`
	if err := os.WriteFile(long, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		paths    []string
		opts     LoadOptions
		wantIDs  []string
		wantErrs []wantInputError
	}{
		{
			name:     "file over MaxFileBytes",
			paths:    []string{"testdata/load/object.json"},
			opts:     LoadOptions{MaxFileBytes: 512},
			wantErrs: []wantInputError{{file: "object.json", is: ErrTooLarge, contains: "over the size limit of 512 bytes"}},
		},
		{
			name:    "file within MaxFileBytes",
			paths:   []string{"testdata/load/object.json"},
			opts:    LoadOptions{MaxFileBytes: 4096},
			wantIDs: []string{"L-1001"},
		},
		{
			name:     "line over MaxLineBytes costs only that line",
			paths:    []string{long},
			opts:     LoadOptions{MaxLineBytes: 1024},
			wantIDs:  []string{"A", "C"},
			wantErrs: []wantInputError{{file: "long.jsonl", line: 2, is: ErrTooLarge, contains: "line is longer than 1 KiB"}},
		},
		{
			name:     "page over MaxHTMLBytes",
			paths:    []string{"testdata/html/og.html"},
			opts:     LoadOptions{MaxHTMLBytes: 100},
			wantErrs: []wantInputError{{file: "og.html", is: ErrTooLarge}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, bad, err := Load(context.Background(), tt.paths, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if g := ids(got); !reflect.DeepEqual(g, tt.wantIDs) && (len(g) > 0 || len(tt.wantIDs) > 0) {
				t.Errorf("ids = %q, want %q", g, tt.wantIDs)
			}
			checkInputErrors(t, bad, tt.wantErrs)
		})
	}
}

func TestWalkStops(t *testing.T) {
	t.Run("cancelled context", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		n := 0
		err := Walk(ctx, []string{"testdata/load/dir"}, LoadOptions{}, func(Listing) error { n++; return nil }, nil)
		if !errors.Is(err, context.Canceled) || n != 0 {
			t.Errorf("Walk = %v after %d listings, want context.Canceled before any", err, n)
		}
	})
	t.Run("emit error", func(t *testing.T) {
		stop := errors.New("store is full")
		n := 0
		err := Walk(context.Background(), []string{"testdata/load/dir"}, LoadOptions{}, func(Listing) error {
			n++
			if n == 2 {
				return stop
			}
			return nil
		}, nil)
		if !errors.Is(err, stop) || n != 2 {
			t.Errorf("Walk = %v after %d listings, want the emit error after 2", err, n)
		}
	})
	t.Run("invalid selector is a configuration error", func(t *testing.T) {
		err := Walk(context.Background(), []string{"testdata/load/dir"}, LoadOptions{Selectors: HTMLSelectors{Title: "h1["}}, nil, nil)
		if err == nil || !strings.Contains(err.Error(), "selector title") {
			t.Errorf("Walk = %v, want an error naming the title selector", err)
		}
	})
	t.Run("deterministic order", func(t *testing.T) {
		a, _, _ := Load(context.Background(), []string{"testdata/load"}, LoadOptions{})
		b, _, _ := Load(context.Background(), []string{"testdata/load"}, LoadOptions{})
		if len(a) == 0 || !reflect.DeepEqual(ids(a), ids(b)) {
			t.Errorf("two walks differ or are empty:\n%q\n%q", ids(a), ids(b))
		}
	})
}

func TestInputErrorString(t *testing.T) {
	tests := []struct {
		name string
		err  InputError
		want string
	}{
		{"file only", InputError{File: "a.json", Err: ErrNoListing}, "a.json: no listing found"},
		{"file and line", InputError{File: "a.jsonl", Line: 3, Err: errors.New("malformed JSON")}, "a.jsonl:3: malformed JSON"},
		{"listing", InputError{File: "a.json", Line: 2, ListingID: "L-1", Err: ErrMissingField}, "a.json:2: listing L-1: missing required field"},
		{"no reason", InputError{File: "a.json"}, "a.json: invalid input"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDecodeJSON(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		wantID   string
		wantErr  string
		wantTime time.Time
	}{
		{name: "minimal listing", in: `{"id":"L-1","provider":{"id":"P-1"},"title":"点餐"}`, wantID: "L-1"},
		{name: "ids trimmed", in: `{"id":" L-1 ","provider":{"id":"P-1"},"title":"点餐"}`, wantID: "L-1"},
		{name: "BOM", in: "\uFEFF" + `{"id":"L-1","provider":{"id":"P-1"},"title":"点餐"}`, wantID: "L-1"},
		{name: "array", in: `[{"id":"L-1"}]`, wantErr: "JSON array, want an object"},
		{name: "empty", in: "  ", wantErr: "empty listing"},
		{name: "boolean id", in: `{"id":true,"provider":{"id":"P-1"},"title":"点餐"}`, wantErr: "string or number"},
		{name: "milliseconds", in: `{"id":"L-1","provider":{"id":"P-1"},"title":"点餐","updated_at":1767225600000}`, wantID: "L-1", wantTime: time.UnixMilli(1767225600000).UTC()},
		{name: "Chinese date", in: `{"id":"L-1","provider":{"id":"P-1"},"title":"点餐","updated_at":"2026年1月2日"}`, wantID: "L-1", wantTime: time.Date(2026, 1, 2, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))},
		{name: "Chinese date with zero-padded month and a time", in: `{"id":"L-1","provider":{"id":"P-1"},"title":"点餐","updated_at":"2026年04月01日 10:00"}`, wantID: "L-1", wantTime: time.Date(2026, 4, 1, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))},
		{name: "time of the wrong type", in: `{"id":"L-1","provider":{"id":"P-1"},"title":"点餐","published_at":{}}`, wantID: "L-1", wantErr: "field published_at: JSON object where a time is expected"},
		{name: "price array", in: `{"id":"L-1","provider":{"id":"P-1"},"title":"点餐","price":[1]}`, wantID: "L-1", wantErr: "price is an array"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := DecodeJSON([]byte(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("DecodeJSON error = %v, want %q", err, tt.wantErr)
				}
			} else if err != nil {
				t.Fatalf("DecodeJSON: %v", err)
			}
			if l.ID != tt.wantID {
				t.Errorf("ID = %q, want %q", l.ID, tt.wantID)
			}
			if !tt.wantTime.IsZero() && !l.UpdatedAt.Equal(tt.wantTime) {
				t.Errorf("UpdatedAt = %v, want %v", l.UpdatedAt, tt.wantTime)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		l       Listing
		wantErr string
	}{
		{"complete", Listing{ID: "L-1", Provider: Provider{ID: "P-1"}, Title: "点餐"}, ""},
		{"nothing", Listing{}, "missing required field: id, provider.id, title"},
		{"blank title", Listing{ID: "L-1", Provider: Provider{ID: "P-1"}, Title: " \t"}, "missing required field: title"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.l.Validate()
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("Validate = %v, want nil", err)
			case tt.wantErr != "" && (err == nil || err.Error() != tt.wantErr || !errors.Is(err, ErrMissingField)):
				t.Errorf("Validate = %v, want %q wrapping ErrMissingField", err, tt.wantErr)
			}
		})
	}
}

func FuzzLoadJSON(f *testing.F) {
	for _, name := range []string{"object.json", "array.json", "lines.jsonl", "missing.json", "prices.json", "truncated.json"} {
		data, err := os.ReadFile(filepath.Join("testdata/load", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("{\"id\":1}\n\n[\n\"\xff\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ctx := context.Background()
		check := func(l Listing) error {
			if err := l.Validate(); err != nil {
				t.Errorf("emitted an invalid listing: %v", err)
			}
			return nil
		}
		var lines, reported int
		report := func(e InputError) {
			reported++
			if e.Line < 0 || e.Error() == "" {
				t.Errorf("bad input error %#v", e)
			}
		}
		if err := decodeJSONLines(ctx, bytes.NewReader(data), "fuzz.jsonl", 1<<10, func(l Listing) error { lines++; return check(l) }, report); err != nil {
			t.Fatalf("decodeJSONLines: %v", err)
		}
		if err := decodeJSONData(ctx, data, "fuzz.json", 1<<10, check, report); err != nil {
			t.Fatalf("decodeJSONData: %v", err)
		}
		if lines > bytes.Count(data, []byte{'\n'})+1 {
			t.Errorf("%d listings from %d lines", lines, bytes.Count(data, []byte{'\n'})+1)
		}
	})
}

func BenchmarkDecodeJSON(b *testing.B) {
	data, err := os.ReadFile("testdata/load/object.json")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := DecodeJSON(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeJSONLines(b *testing.B) {
	one, err := os.ReadFile("testdata/load/object.json")
	if err != nil {
		b.Fatal(err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, one); err != nil {
		b.Fatal(err)
	}
	var data bytes.Buffer
	for range 1000 {
		data.Write(compact.Bytes())
		data.WriteByte('\n')
	}
	b.SetBytes(int64(data.Len()))
	ctx := context.Background()
	for b.Loop() {
		n := 0
		err := decodeJSONLines(ctx, bytes.NewReader(data.Bytes()), "bench.jsonl", DefaultMaxLineBytes,
			func(Listing) error { n++; return nil }, func(e InputError) { b.Fatal(e) })
		if err != nil || n != 1000 {
			b.Fatalf("%d listings, %v", n, err)
		}
	}
}
