package marketgen

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/listingscan/listingscan/listing"
	"github.com/longbridgeapp/opencc"
	"golang.org/x/text/width"
)

// loaded is a listing read back from a generated corpus, with the directory
// its image references are relative to.
type loaded struct {
	l   listing.Listing
	dir string
}

var (
	metaRe = regexp.MustCompile(`<meta (?:name|property)="([^"]+)" content="([^"]*)">`)
	imgRe  = regexp.MustCompile(`<img src="([^"]+)">`)
)

// readCorpus loads every listing below root the way the scanner's loaders
// will: JSON arrays, JSON Lines, single objects and saved pages. Lines and
// files that are not listings are returned as problems.
func readCorpus(t *testing.T, root string) (map[string]loaded, []string) {
	t.Helper()
	out := map[string]loaded{}
	var problems []string
	add := func(l listing.Listing, dir string) {
		if _, dup := out[l.ID]; dup {
			t.Errorf("listing %s appears twice", l.ID)
		}
		out[l.ID] = loaded{l: l, dir: dir}
	}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		dir := filepath.Dir(p)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		switch {
		case rel == "truth.ndjson":
		case strings.HasSuffix(p, ".jsonl"):
			sc := bufio.NewScanner(bytes.NewReader(data))
			sc.Buffer(nil, 1<<20)
			for n := 1; sc.Scan(); n++ {
				var l listing.Listing
				if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
					problems = append(problems, fmt.Sprintf("%s:%d", rel, n))
					continue
				}
				add(l, dir)
			}
		case strings.HasSuffix(p, ".json"):
			var ls []listing.Listing
			if bytes.HasPrefix(bytes.TrimSpace(data), []byte("[")) {
				if err := json.Unmarshal(data, &ls); err != nil {
					problems = append(problems, rel)
				}
			} else {
				var l listing.Listing
				if err := json.Unmarshal(data, &l); err != nil {
					problems = append(problems, rel)
				}
				ls = append(ls, l)
			}
			for _, l := range ls {
				add(l, dir)
			}
		case strings.HasSuffix(p, ".html"):
			meta := map[string][]string{}
			for _, m := range metaRe.FindAllStringSubmatch(string(data), -1) {
				meta[m[1]] = append(meta[m[1]], html.UnescapeString(m[2]))
			}
			if len(meta["listing:id"]) == 0 || !strings.Contains(string(data), `"@type": "Product"`) {
				problems = append(problems, rel)
				return nil
			}
			at, _ := time.Parse(time.RFC3339, meta["listing:published_at"][0])
			add(listing.Listing{
				ID: meta["listing:id"][0], Title: meta["og:title"][0], Images: meta["og:image"],
				Provider: listing.Provider{ID: meta["listing:provider_id"][0]}, Category: meta["listing:category"][0],
				PublishedAt: at, DescriptionHTML: string(data),
			}, dir)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out, problems
}

func readTruth(t *testing.T, root string) []TruthLine {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "truth.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	var out []TruthLine
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var tl TruthLine
		if err := json.Unmarshal([]byte(line), &tl); err != nil {
			t.Fatalf("truth line %q: %v", line, err)
		}
		out = append(out, tl)
	}
	return out
}

// readGroups parses the allow-listed provider groups of listingscan.yaml.
func readGroups(t *testing.T, root string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "listingscan.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	group := map[string]string{}
	for _, m := range regexp.MustCompile(`- \[(P-[^,]+), (P-[^\]]+)\]`).FindAllStringSubmatch(string(data), -1) {
		group[m[1]], group[m[2]] = m[1], m[1]
	}
	return group
}

func shingles(s string) map[string]bool {
	rs := NormalizeTitle(StripZeroWidth(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(s, "")))
	out := map[string]bool{}
	for i := 0; i+4 <= len(rs); i++ {
		out[string(rs[i:i+4])] = true
	}
	return out
}

func containment(a, b string) float64 {
	sa, sb := shingles(a), shingles(b)
	if len(sa) == 0 || len(sb) == 0 {
		return 0
	}
	n := 0
	for g := range sa {
		if sb[g] {
			n++
		}
	}
	return float64(n) / float64(min(len(sa), len(sb)))
}

// checkTruth verifies that truth lines name existing listings, that planted
// copies are later listings by other companies, that look-alikes are what
// they claim, and that a copy pair shares nothing the truth does not list.
func checkTruth(t *testing.T, root string, ls map[string]loaded, truth []TruthLine) {
	t.Helper()
	group := readGroups(t, root)
	company := func(p string) string {
		if g, ok := group[p]; ok {
			return g
		}
		return p
	}
	declared := map[[2]string][]string{}
	for _, tl := range truth {
		a, okA := ls[tl.ListingID]
		b, okB := ls[tl.OtherListingID]
		if !okA || !okB {
			t.Errorf("truth line %+v names a missing listing", tl)
			continue
		}
		if !a.l.PublishedAt.After(b.l.PublishedAt) {
			t.Errorf("%s (%s) is not later than %s (%s)", a.l.ID, a.l.PublishedAt, b.l.ID, b.l.PublishedAt)
		}
		pa, pb := a.l.Provider.ID, b.l.Provider.ID
		switch {
		case tl.Expect && company(pa) == company(pb):
			t.Errorf("planted copy %s→%s within one company (%s, %s)", tl.ListingID, tl.OtherListingID, pa, pb)
		case tl.Transform == "same_provider" && pa != pb:
			t.Errorf("same_provider pair %s/%s has providers %s, %s", a.l.ID, b.l.ID, pa, pb)
		case tl.Transform == "provider_group" && (pa == pb || company(pa) != company(pb)):
			t.Errorf("provider_group pair %s/%s: %s and %s are not allow-listed accounts of one company", a.l.ID, b.l.ID, pa, pb)
		case !tl.Expect && tl.Transform != "same_provider" && tl.Transform != "provider_group" && company(pa) == company(pb):
			t.Errorf("look-alike %s/%s within one company", a.l.ID, b.l.ID)
		}
		if tl.Rule == listing.RuleCopyImage {
			img := filepath.Join(root, filepath.FromSlash(tl.Image))
			other := filepath.Join(root, filepath.FromSlash(tl.OtherImage))
			if !ownsImage(a, img) || !ownsImage(b, other) {
				t.Errorf("%s: images %s / %s are not the listings' own", tl.Transform, tl.Image, tl.OtherImage)
			}
			for _, p := range []string{img, other} {
				if _, err := os.Stat(p); err != nil {
					t.Errorf("%s: %v", tl.Transform, err)
				}
			}
		}
		if tl.Expect {
			k := [2]string{tl.ListingID, tl.OtherListingID}
			declared[k] = append(declared[k], tl.Rule)
		}
	}
	t2s, err := opencc.New("t2s")
	if err != nil {
		t.Fatal(err)
	}
	// view is what a reader sees: evasions undone.
	view := func(s string) string {
		s = strings.Map(HomoglyphLatin, width.Fold.String(StripZeroWidth(s)))
		if v, err := t2s.Convert(s); err == nil {
			s = v
		}
		return s
	}
	for k, rules := range declared {
		a, b := ls[k[0]].l, ls[k[1]].l
		if slices.Contains(rules, listing.RuleCopyTitle) {
			if s := TitleSimilarity(view(a.Title), view(b.Title)); s < 0.75 {
				t.Errorf("%s/%s: declared title copy has similarity %.2f (%q, %q)", a.ID, b.ID, s, a.Title, b.Title)
			}
		}
		if slices.Contains(rules, listing.RuleCopyDescription) {
			if c := containment(view(a.DescriptionHTML), view(b.DescriptionHTML)); c < 0.45 {
				t.Errorf("%s/%s: declared description copy has overlap %.2f", a.ID, b.ID, c)
			}
		}
		if !slices.Contains(rules, listing.RuleCopyTitle) {
			if s := TitleSimilarity(a.Title, b.Title); s >= honestTitleMax {
				t.Errorf("%s/%s: undeclared title similarity %.2f (%q, %q)", a.ID, b.ID, s, a.Title, b.Title)
			}
		}
		if !slices.Contains(rules, listing.RuleCopyDescription) {
			if c := containment(a.DescriptionHTML, b.DescriptionHTML); c >= 0.5 {
				t.Errorf("%s/%s: undeclared description overlap %.2f", a.ID, b.ID, c)
			}
		}
		if !slices.Contains(rules, listing.RuleCopyImage) {
			for _, ia := range a.Images {
				da, _ := os.ReadFile(filepath.Join(ls[k[0]].dir, ia))
				for _, ib := range b.Images {
					db, _ := os.ReadFile(filepath.Join(ls[k[1]].dir, ib))
					if bytes.Equal(da, db) {
						t.Errorf("%s/%s: undeclared identical image %s", a.ID, b.ID, ia)
					}
				}
			}
		}
	}
}

func ownsImage(l loaded, path string) bool {
	for _, ref := range l.l.Images {
		if filepath.Join(l.dir, filepath.FromSlash(ref)) == path {
			return true
		}
	}
	return false
}

func TestEvalCorpus(t *testing.T) {
	const n = 2
	dir := t.TempDir()
	sum, err := WriteEval(context.Background(), dir, EvalOptions{Split: "tune", N: n, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	ls, problems := readCorpus(t, dir)
	if len(problems) > 0 {
		t.Errorf("unreadable input: %v", problems)
	}
	if len(ls) != sum.Listings {
		t.Errorf("read %d listings, summary says %d", len(ls), sum.Listings)
	}
	truth := readTruth(t, dir)
	checkTruth(t, dir, ls, truth)

	counts := map[string]int{}
	listingsPer := map[string]map[string]bool{}
	for _, tl := range truth {
		key := fmt.Sprintf("%s/%v", tl.Transform, tl.Expect)
		counts[key]++
		if listingsPer[tl.Transform] == nil {
			listingsPer[tl.Transform] = map[string]bool{}
		}
		listingsPer[tl.Transform][tl.ListingID] = true
		if tl.Rule == listing.RuleCopyImage && tl.Expect {
			if imgs := ls[tl.ListingID].l.Images; len(imgs) != 1 {
				t.Errorf("image copy %s has %d images, want only the copied one", tl.ListingID, len(imgs))
			}
		}
	}
	for _, name := range ImageTransforms {
		if counts[name+"/true"] != n {
			t.Errorf("%s: %d copies, want %d", name, counts[name+"/true"], n)
		}
	}
	for _, name := range TextTransforms {
		if len(listingsPer[name]) != n {
			t.Errorf("%s: %d copies, want %d", name, len(listingsPer[name]), n)
		}
	}
	for _, kind := range []string{"lookalike_title", "boilerplate", "lookalike_screen", "same_provider", "provider_group"} {
		if len(listingsPer[kind]) != n {
			t.Errorf("%s: %d look-alikes, want %d", kind, len(listingsPer[kind]), n)
		}
	}
	checkHonestTitles(t, ls, truth, readGroups(t, dir))
}

// checkHonestTitles asserts that titles of different companies resemble each
// other only where the truth plants a copy.
func checkHonestTitles(t *testing.T, ls map[string]loaded, truth []TruthLine, group map[string]string) {
	t.Helper()
	planted := map[[2]string]bool{}
	for _, tl := range truth {
		planted[[2]string{tl.ListingID, tl.OtherListingID}] = true
		planted[[2]string{tl.OtherListingID, tl.ListingID}] = true
	}
	company := func(p string) string {
		if g, ok := group[p]; ok {
			return g
		}
		return p
	}
	// Copies of one original resemble each other through it: compare each
	// listing with the originals only.
	copyOf := map[string]string{}
	for _, tl := range truth {
		if tl.Expect {
			copyOf[tl.ListingID] = tl.OtherListingID
		}
	}
	var ids []string
	for id := range ls {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for i, x := range ids {
		for _, y := range ids[i+1:] {
			a, b := ls[x].l, ls[y].l
			if company(a.Provider.ID) == company(b.Provider.ID) || planted[[2]string{x, y}] {
				continue
			}
			if copyOf[x] != "" && (copyOf[x] == copyOf[y] || planted[[2]string{copyOf[x], y}]) {
				continue
			}
			if copyOf[y] != "" && planted[[2]string{copyOf[y], x}] {
				continue
			}
			if s := TitleSimilarity(a.Title, b.Title); s >= 0.6 {
				t.Errorf("honest titles too alike (%.2f): %s %q / %s %q", s, x, a.Title, y, b.Title)
			}
		}
	}
}

func TestEvalDeterministic(t *testing.T) {
	gen := func(split string) string {
		dir := t.TempDir()
		if _, err := WriteEval(context.Background(), dir, EvalOptions{Split: split, N: 1, Workers: 2}); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	a, b := gen("tune"), gen("tune")
	files := 0
	err := filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(a, p)
		da, _ := os.ReadFile(p)
		db, err := os.ReadFile(filepath.Join(b, rel))
		if err != nil {
			return err
		}
		if !bytes.Equal(da, db) {
			t.Errorf("%s differs between two runs with one seed", rel)
		}
		files++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 20 {
		t.Errorf("compared only %d files", files)
	}
	h := gen("holdout")
	ta, _ := os.ReadFile(filepath.Join(a, "listings.jsonl"))
	th, _ := os.ReadFile(filepath.Join(h, "listings.jsonl"))
	if bytes.Equal(ta, th) {
		t.Error("tune and holdout splits are identical")
	}
	var la, lh listing.Listing
	_ = json.Unmarshal(bytes.SplitN(ta, []byte("\n"), 2)[0], &la)
	_ = json.Unmarshal(bytes.SplitN(th, []byte("\n"), 2)[0], &lh)
	if la.Title == lh.Title || la.ID == lh.ID {
		t.Errorf("splits share their first listing: %s %q / %s %q", la.ID, la.Title, lh.ID, lh.Title)
	}
}

func TestWriteEvalRejectsBadOptions(t *testing.T) {
	for _, o := range []EvalOptions{{Split: "train", N: 1}, {Split: "tune", N: -3}, {Split: "tune", N: 100000}} {
		if _, err := WriteEval(context.Background(), t.TempDir(), o); err == nil {
			t.Errorf("%+v: want error", o)
		}
	}
}

// marketDir generates the marketplace once per test binary run.
func marketDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("marketgen-test-%d", os.Getpid()))
	if _, err := os.Stat(filepath.Join(dir, "truth.ndjson")); err == nil {
		return dir
	}
	if _, err := WriteMarket(context.Background(), dir, MarketOptions{Workers: 2}); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestMain(m *testing.M) {
	code := m.Run()
	os.RemoveAll(filepath.Join(os.TempDir(), fmt.Sprintf("marketgen-test-%d", os.Getpid())))
	os.Exit(code)
}

func TestMarket(t *testing.T) {
	dir := marketDir(t)
	ls, problems := readCorpus(t, dir)
	slices.Sort(problems)
	if want := []string{"broken/cut-off.html", "broken/partial.jsonl:2"}; !slices.Equal(problems, want) {
		t.Errorf("unreadable input %v, want exactly %v", problems, want)
	}
	providers, categories := map[string]bool{}, map[string]bool{}
	good, compliantHours := 0, 0
	for _, x := range ls {
		if strings.HasPrefix(x.dir, filepath.Join(dir, "broken")) {
			continue
		}
		good++
		providers[x.l.Provider.ID] = true
		categories[x.l.Category] = true
		if y := x.l.PublishedAt.Year(); y < 2025 || y > 2026 {
			t.Errorf("%s published %s", x.l.ID, x.l.PublishedAt)
		}
		if x.l.Service.Hours == "周一至周日 09:00-18:00" {
			compliantHours++
		}
	}
	if good < 48 || len(providers) < 10 {
		t.Errorf("%d listings from %d providers, want at least 48 from 10", good, len(providers))
	}
	for _, c := range Categories {
		if !categories[c] {
			t.Errorf("no listing in category %s", c)
		}
	}
	if compliantHours*2 < good {
		t.Errorf("only %d of %d listings serve 09:00-18:00 daily", compliantHours, good)
	}
	truth := readTruth(t, dir)
	checkTruth(t, dir, ls, truth)
	checkHonestTitles(t, ls, truth, readGroups(t, dir))
	seen := map[string]bool{}
	for _, tl := range truth {
		seen[fmt.Sprintf("%s/%v", tl.Transform, tl.Expect)] = true
	}
	for _, name := range append(append([]string(nil), ImageTransforms...), TextTransforms...) {
		if !seen[name+"/true"] {
			t.Errorf("no planted %s copy", name)
		}
	}
	for _, kind := range []string{"lookalike_title", "boilerplate", "lookalike_screen", "same_provider", "provider_group"} {
		if !seen[kind+"/false"] {
			t.Errorf("no %s look-alike", kind)
		}
	}
}

func TestMarketFiles(t *testing.T) {
	dir := marketDir(t)
	pages, _ := filepath.Glob(filepath.Join(dir, "pages", "*.html"))
	if len(pages) < 2 || len(pages) > 3 {
		t.Errorf("%d saved pages, want 2–3", len(pages))
	}
	for _, p := range pages {
		data, _ := os.ReadFile(p)
		for _, want := range []string{`<meta property="og:title"`, `<meta name="listing:provider_id" content="P-`, `<meta name="listing:published_at"`,
			`<script type="application/ld+json">`, `"@type": "Product"`, `"sku": "L-`, `"image": [`, `<img class="gallery-item" src="img/`} {
			if !bytes.Contains(data, []byte(want)) {
				t.Errorf("%s lacks %s", filepath.Base(p), want)
			}
		}
	}
	for _, p := range []string{"listings.json", "listings.jsonl", "listingscan.yaml", "truth.ndjson"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Error(err)
		}
	}
	if singles, _ := filepath.Glob(filepath.Join(dir, "stores", "*", "L-*.json")); len(singles) < 5 {
		t.Errorf("%d single-object listing files, want several", len(singles))
	}
	yaml, _ := os.ReadFile(filepath.Join(dir, "listingscan.yaml"))
	if !bytes.Contains(yaml, []byte("allow_provider_groups:\n  - [P-09, P-10]\n")) {
		t.Errorf("listingscan.yaml does not allow-list P-09 with P-10:\n%s", yaml)
	}
	// The broken listing's first picture is a cut-off JPEG; its second is fine.
	bad, _ := filepath.Glob(filepath.Join(dir, "broken", "L-*.json"))
	if len(bad) != 1 {
		t.Fatalf("broken listings %v, want one", bad)
	}
	var l listing.Listing
	data, _ := os.ReadFile(bad[0])
	if err := json.Unmarshal(data, &l); err != nil || len(l.Images) != 2 {
		t.Fatalf("broken listing: %v, images %v", err, l.Images)
	}
	for i, ref := range l.Images {
		b, _ := os.ReadFile(filepath.Join(dir, "broken", ref))
		_, err := DecodeImage(b)
		if (i == 0) != (err != nil) {
			t.Errorf("image %s decode error %v", ref, err)
		}
	}
	for _, x := range imgRe.FindAllStringSubmatch(l.DescriptionHTML, -1) {
		if !slices.Contains(l.Images, x[1]) {
			t.Errorf("description image %s is not a listing image", x[1])
		}
	}
}

// TestMarketMatchesCommitted keeps testdata/marketplace in step with the
// generator. Pictures depend on the installed font; text files do not.
func TestMarketMatchesCommitted(t *testing.T) {
	committed := filepath.Join("..", "..", "testdata", "marketplace")
	if _, err := os.Stat(filepath.Join(committed, "truth.ndjson")); err != nil {
		t.Skip("testdata/marketplace not generated yet")
	}
	dir := marketDir(t)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		switch filepath.Ext(p) {
		case ".json", ".jsonl", ".html", ".yaml", ".md":
		default:
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		want, err := os.ReadFile(filepath.Join(committed, rel))
		if err != nil {
			t.Errorf("%s is not committed: run go run ./cmd/marketgen market -out testdata/marketplace", rel)
			return nil
		}
		got, _ := os.ReadFile(p)
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the generator's output: run go run ./cmd/marketgen market -out testdata/marketplace", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestTextStaysDistinct checks that the phrase bank is large enough: every
// title and description was drawn without giving up on distinctness.
func TestTextStaysDistinct(t *testing.T) {
	c, err := newCorpus(TuneSeed, "T", 5, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := planEval(c, "T", 16); err != nil {
		t.Fatal(err)
	}
	m, err := newCorpus(DefaultMarketSeed, "", 4, 1001)
	if err != nil {
		t.Fatal(err)
	}
	if err := planMarket(m); err != nil {
		t.Fatal(err)
	}
	if c.gen.fallbacks+m.gen.fallbacks != 0 {
		t.Errorf("%d eval and %d market texts were handed out without meeting the distinctness rules", c.gen.fallbacks, m.gen.fallbacks)
	}
	titles := map[string]string{}
	for _, e := range c.entries {
		if prev, dup := titles[e.l.Title]; dup && prev != e.l.Provider.ID {
			t.Errorf("title %q used by %s and %s", e.l.Title, prev, e.l.Provider.ID)
		}
		titles[e.l.Title] = e.l.Provider.ID
	}
}
