package marketgen

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io/fs"
	"math/bits"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/listingscan/listingscan/listing"
	"github.com/listingscan/listingscan/similarity"
)

// readTree maps every file below dir to its bytes.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		files[filepath.ToSlash(rel)] = data
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestWriteSynthDeterministic(t *testing.T) {
	ctx := context.Background()
	write := func(seed uint64, workers int) map[string][]byte {
		dir := t.TempDir()
		if _, err := WriteSynth(ctx, dir, SynthOptions{N: 300, Seed: seed, Workers: workers}); err != nil {
			t.Fatal(err)
		}
		return readTree(t, dir)
	}
	a, b := write(7, 1), write(7, 3)
	if len(a) != len(b) {
		t.Fatalf("%d files with 1 worker, %d with 3", len(a), len(b))
	}
	for name, data := range a {
		if !bytes.Equal(data, b[name]) {
			t.Errorf("%s differs between runs of the same seed", name)
		}
	}
	c := write(8, 2)
	if bytes.Equal(a["listings.jsonl"], c["listings.jsonl"]) {
		t.Error("seeds 7 and 8 wrote the same listings")
	}
}

// synthCorpus is a generated corpus read back.
type synthCorpus struct {
	dir      string
	sum      *SynthSummary
	listings []listing.Listing
	byID     map[string]*listing.Listing
	truth    []TruthLine
	// role of each planted listing: "image", "text" or "lookalike".
	role map[string]string
}

func loadSynth(t *testing.T, dir string, sum *SynthSummary) *synthCorpus {
	t.Helper()
	ls, bad, err := listing.Load(context.Background(), []string{filepath.Join(dir, "listings.jsonl")}, listing.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range bad {
		t.Errorf("input error: %v", e)
	}
	c := &synthCorpus{dir: dir, sum: sum, listings: ls, byID: map[string]*listing.Listing{}, role: map[string]string{}}
	for i := range ls {
		c.byID[ls[i].ID] = &ls[i]
	}
	f, err := os.Open(filepath.Join(dir, SynthTruthFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var tl TruthLine
		if err := json.Unmarshal(sc.Bytes(), &tl); err != nil {
			t.Fatalf("truth line %q: %v", sc.Text(), err)
		}
		c.truth = append(c.truth, tl)
		switch {
		case !tl.Expect:
			c.role[tl.ListingID] = "lookalike"
		case tl.Rule == listing.RuleCopyImage:
			c.role[tl.ListingID] = "image"
		default:
			c.role[tl.ListingID] = "text"
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestWriteSynthCorpus(t *testing.T) {
	const n = 2000
	dir := t.TempDir()
	sum, err := WriteSynth(context.Background(), dir, SynthOptions{N: n, Seed: 11})
	if err != nil {
		t.Fatal(err)
	}
	c := loadSynth(t, dir, sum)
	if len(c.listings) != n {
		t.Fatalf("loaded %d listings, want %d", len(c.listings), n)
	}

	t.Run("shares", func(t *testing.T) {
		count := map[string]int{}
		for _, r := range c.role {
			count[r]++
		}
		for _, tt := range []struct {
			role   string
			lo, hi int // of n
			summed int
		}{
			{"image", 26, 54, sum.ImageCopies},
			{"text", 26, 54, sum.TextCopies},
			{"lookalike", 70, 130, sum.Lookalikes},
		} {
			if got := count[tt.role]; got < tt.lo || got > tt.hi {
				t.Errorf("%s: %d of %d listings, want %d–%d", tt.role, got, n, tt.lo, tt.hi)
			}
			if count[tt.role] != tt.summed {
				t.Errorf("%s: summary says %d, truth %d", tt.role, tt.summed, count[tt.role])
			}
		}
		if sum.Truth != len(c.truth) {
			t.Errorf("summary says %d truth lines, file has %d", sum.Truth, len(c.truth))
		}
	})

	t.Run("fields", func(t *testing.T) {
		names := map[string]string{}
		companies := map[string]bool{}
		for i, l := range c.listings {
			if want := listingID(i); l.ID != want {
				t.Fatalf("listing %d has id %s, want %s", i, l.ID, want)
			}
			if n := utf8.RuneCountInString(l.Title); n < 10 || n > 30 {
				t.Errorf("%s: title %q has %d characters", l.ID, l.Title, n)
			}
			if len(l.Tags) < 2 || len(l.Tags) > 5 {
				t.Errorf("%s: %d tags", l.ID, len(l.Tags))
			}
			if len(l.Price.Plans) < 1 || len(l.Price.Plans) > 3 {
				t.Errorf("%s: %d price plans", l.ID, len(l.Price.Plans))
			}
			if l.Category == "" || l.Summary == "" || l.Provider.Name == "" || l.Provider.Logo == "" {
				t.Errorf("%s: empty category, summary or provider", l.ID)
			}
			if l.PublishedAt.Before(synthStart) || l.PublishedAt.After(synthStart.Add(synthSpan)) || l.UpdatedAt.Before(l.PublishedAt) {
				t.Errorf("%s: published %v, updated %v", l.ID, l.PublishedAt, l.UpdatedAt)
			}
			if i > 0 && l.PublishedAt.Before(c.listings[i-1].PublishedAt) {
				t.Errorf("%s published before the listing ahead of it", l.ID)
			}
			if prev, ok := names[l.Provider.ID]; ok && prev != l.Provider.Name {
				t.Errorf("provider %s named %q and %q", l.Provider.ID, prev, l.Provider.Name)
			}
			if _, ok := names[l.Provider.ID]; !ok && companies[l.Provider.Name] {
				t.Errorf("two providers named %q", l.Provider.Name)
			}
			names[l.Provider.ID] = l.Provider.Name
			companies[l.Provider.Name] = true

			d, err := listing.ParseDescription(l.DescriptionHTML)
			if err != nil {
				t.Fatalf("%s: %v", l.ID, err)
			}
			// Evasions of copied text change its length (spaces between
			// characters, a partial copy); everything else is within
			// marketplace sizes.
			if c.role[l.ID] != "text" {
				visible := utf8.RuneCountInString(strings.ReplaceAll(d.Text, "\n", ""))
				if visible < 300 || visible > 1500 {
					t.Errorf("%s: description has %d visible characters", l.ID, visible)
				}
				if !strings.Contains(l.DescriptionHTML, "<p>") || !strings.Contains(l.DescriptionHTML, "<ul>") {
					t.Errorf("%s: description without paragraphs and lists", l.ID)
				}
			}
		}
		if len(names) > n/25 || len(names) < n/25*9/10 {
			t.Errorf("%d providers, want about %d", len(names), n/25)
		}
	})

	t.Run("images", func(t *testing.T) {
		seen := 0
		check := func(owner, ref string) {
			data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(ref)))
			if err != nil {
				t.Errorf("%s: %v", owner, err)
				return
			}
			img, err := DecodeImage(data)
			if err != nil {
				t.Errorf("%s: %s: %v", owner, ref, err)
				return
			}
			if b := img.Bounds(); b.Dx() > smallBannerW*14/10 || b.Dy() > smallScreenH*14/10 {
				t.Errorf("%s: %s is %v, not small", owner, ref, b)
			}
			seen++
		}
		logos := map[string]bool{}
		for _, l := range c.listings {
			if len(l.Images) < 1 || len(l.Images) > 2 {
				t.Errorf("%s: %d images", l.ID, len(l.Images))
			}
			for _, ref := range l.Images {
				check(l.ID, ref)
				if !strings.Contains(l.DescriptionHTML, `<img src="`+l.Images[len(l.Images)-1]+`">`) {
					t.Errorf("%s: description does not show its detail picture", l.ID)
				}
			}
			if !logos[l.Provider.Logo] {
				logos[l.Provider.Logo] = true
				check(l.Provider.ID, l.Provider.Logo)
			}
		}
		if seen != sum.Images {
			t.Errorf("listings reference %d images and logos, summary says %d", seen, sum.Images)
		}
	})

	t.Run("truth", func(t *testing.T) {
		for _, tl := range c.truth {
			l, o := c.byID[tl.ListingID], c.byID[tl.OtherListingID]
			if l == nil || o == nil {
				t.Fatalf("truth names unknown listings: %+v", tl)
			}
			if !o.PublishedAt.Before(l.PublishedAt) {
				t.Errorf("%+v: the blamed listing is not the later one", tl)
			}
			if l.Provider.ID == o.Provider.ID || l.Category != o.Category {
				t.Errorf("%+v: same provider or other category", tl)
			}
			if tl.Expect != (c.role[tl.ListingID] != "lookalike") {
				t.Errorf("%+v: mixes planted copies and look-alikes", tl)
			}
			switch tl.Rule {
			case listing.RuleCopyImage:
				if !slices.Contains(l.Images, tl.Image) || !slices.Contains(o.Images, tl.OtherImage) {
					t.Errorf("%+v: images not shown by the listings", tl)
				}
			case listing.RuleCopyTitle:
				want := map[string]int{"title_edit1": 1, "title_edit2": 2}[tl.Transform]
				got := runeDistance([]rune(l.Title), []rune(o.Title))
				if tl.Expect && got != want {
					t.Errorf("%+v: titles %q and %q are %d edits apart", tl, l.Title, o.Title, got)
				}
				if !tl.Expect && TitleSimilarity(l.Title, o.Title) >= honestTitleMax {
					t.Errorf("%+v: look-alike titles %q and %q too similar", tl, l.Title, o.Title)
				}
			case listing.RuleCopyDescription:
				if tl.Expect && l.DescriptionHTML == o.DescriptionHTML {
					t.Errorf("%+v: description copied without the evasion", tl)
				}
			default:
				t.Errorf("unexpected rule %q", tl.Rule)
			}
		}
	})

	t.Run("pictures look alike only when planted", func(t *testing.T) {
		prints := map[string]similarity.ImagePrint{}
		print := func(ref string) similarity.ImagePrint {
			if p, ok := prints[ref]; ok {
				return p
			}
			data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(ref)))
			if err != nil {
				t.Fatal(err)
			}
			p, err := similarity.FingerprintImage(data, similarity.ImageLimits{})
			if err != nil {
				t.Fatalf("%s: %v", ref, err)
			}
			prints[ref] = p
			return p
		}
		found, copies, alike := 0, 0, 0
		for _, tl := range c.truth {
			if tl.Rule == listing.RuleCopyImage && !tl.Expect {
				// A trap for the scanner, not a defect of the corpus.
				if _, ok := similarity.MatchImages(print(tl.Image), print(tl.OtherImage)); ok {
					alike++
				}
			}
			if tl.Rule == listing.RuleCopyImage && tl.Expect {
				copies++
				if _, ok := similarity.MatchImages(print(tl.Image), print(tl.OtherImage)); ok {
					found++
				} else {
					t.Logf("copy not matched: %s", tl.Transform)
				}
			}
		}
		// Originals of unrelated listings, each against every other.
		unrelated := 250
		if testing.Short() {
			unrelated = 80
		}
		var refs []string
		for _, l := range c.listings {
			if c.role[l.ID] == "" && len(refs) < unrelated {
				refs = append(refs, l.Images[0])
			}
		}
		falses := 0
		for i := range refs {
			for j := i + 1; j < len(refs); j++ {
				if _, ok := similarity.MatchImages(print(refs[i]), print(refs[j])); ok {
					falses++
					t.Logf("unrelated pictures match: %s %s", refs[i], refs[j])
				}
			}
		}
		t.Logf("planted copies matched: %d of %d; look-alikes matched: %d; unrelated pairs matched: %d of %d",
			found, copies, alike, falses, len(refs)*(len(refs)-1)/2)
		if found < copies*8/10 {
			t.Errorf("only %d of %d planted copies match their source", found, copies)
		}
		if falses > 0 {
			t.Errorf("%d pairs of unrelated pictures match", falses)
		}
	})
}

func TestWriteSynthNoImages(t *testing.T) {
	dir := t.TempDir()
	sum, err := WriteSynth(context.Background(), dir, SynthOptions{N: 3000, Images: "none", Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "img")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("img/ exists without images: %v", err)
	}
	c := loadSynth(t, dir, sum)
	if len(c.listings) != 3000 || sum.Images != 0 || sum.ImageCopies != 0 {
		t.Errorf("%d listings, summary %+v", len(c.listings), sum)
	}
	for _, l := range c.listings {
		if len(l.Images) > 0 || l.Provider.Logo != "" || strings.Contains(l.DescriptionHTML, "<img") {
			t.Fatalf("%s refers to images", l.ID)
		}
	}
	for _, tl := range c.truth {
		if tl.Rule == listing.RuleCopyImage {
			t.Fatalf("image truth without images: %+v", tl)
		}
	}
	if sum.TextCopies == 0 || sum.Lookalikes == 0 {
		t.Errorf("no planted text: %+v", sum)
	}
}

func TestWriteSynthOptions(t *testing.T) {
	tests := []struct {
		name string
		o    SynthOptions
		msg  string
	}{
		{"no listings", SynthOptions{N: 0}, "want 1–10000000"},
		{"too many", SynthOptions{N: 20_000_000}, "want 1–10000000"},
		{"image size", SynthOptions{N: 10, Images: "large"}, "want small or none"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := WriteSynth(context.Background(), t.TempDir(), tt.o)
			if err == nil || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %v, want %q", err, tt.msg)
			}
		})
	}
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := WriteSynth(ctx, t.TempDir(), SynthOptions{N: 10}); !errors.Is(err, context.Canceled) {
			t.Errorf("error %v, want cancellation", err)
		}
	})
	t.Run("one listing", func(t *testing.T) {
		sum, err := WriteSynth(context.Background(), t.TempDir(), SynthOptions{N: 1})
		if err != nil || sum.Listings != 1 || sum.Truth != 0 {
			t.Errorf("summary %+v, error %v", sum, err)
		}
	})
}

func TestWriteHashes(t *testing.T) {
	const n, pairs = 200_000, 1000
	file := filepath.Join(t.TempDir(), "hashes.bin")
	got, err := WriteHashes(context.Background(), file, HashOptions{N: n, Pairs: pairs, Radius: 8})
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) != 8*n {
		t.Fatalf("%d bytes, want %d", len(data), 8*n)
	}
	hash := func(i int) uint64 { return binary.LittleEndian.Uint64(data[8*i:]) }
	for i := 0; i < n; i++ {
		if c := bits.OnesCount64(hash(i)); c != 32 {
			t.Fatalf("hash %d has %d bits set", i, c)
		}
	}

	// The truth file says what WriteHashes returned.
	f, err := os.Open(file + ".truth.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var truth []HashPair
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var p HashPair
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			t.Fatalf("truth line %q: %v", sc.Text(), err)
		}
		truth = append(truth, p)
	}
	if !slices.Equal(truth, got) || len(truth) != pairs {
		t.Fatalf("truth file has %d pairs, returned %d, want %d", len(truth), len(got), pairs)
	}
	used := map[int]bool{}
	dists := map[int]int{}
	for k, p := range truth {
		if d := bits.OnesCount64(hash(p.A) ^ hash(p.B)); d != p.Distance {
			t.Errorf("pair %+v: distance %d", p, d)
		}
		if p.Distance%2 != 0 || p.Distance < 2 || p.Distance > 8 || p.A >= p.B {
			t.Errorf("pair %+v out of range", p)
		}
		if used[p.A] || used[p.B] {
			t.Errorf("pair %+v shares a hash with another pair", p)
		}
		if k > 0 && truth[k-1].A > p.A {
			t.Errorf("pairs not in order of a")
		}
		used[p.A], used[p.B] = true, true
		dists[p.Distance]++
	}
	for _, d := range []int{2, 4, 6, 8} {
		if dists[d] < pairs/4*7/10 {
			t.Errorf("distance %d planted %d times of %d", d, dists[d], pairs)
		}
	}

	again := filepath.Join(t.TempDir(), "again.bin")
	if _, err := WriteHashes(context.Background(), again, HashOptions{N: n, Pairs: pairs, Radius: 8}); err != nil {
		t.Fatal(err)
	}
	if data2, err := os.ReadFile(again); err != nil || !bytes.Equal(data, data2) {
		t.Errorf("the same seed wrote other hashes (%v)", err)
	}
}

func TestWriteHashesOptions(t *testing.T) {
	tests := []struct {
		name string
		o    HashOptions
		msg  string
	}{
		{"too few", HashOptions{N: 1, Radius: 8}, "want 2–100000000"},
		{"too many pairs", HashOptions{N: 10, Pairs: 6, Radius: 8}, "want 0–5"},
		{"radius too small", HashOptions{N: 10, Pairs: 1, Radius: 1}, "want 2–32"},
		{"radius too large", HashOptions{N: 10, Pairs: 1, Radius: 40}, "want 2–32"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := WriteHashes(context.Background(), filepath.Join(t.TempDir(), "h.bin"), tt.o)
			if err == nil || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %v, want %q", err, tt.msg)
			}
		})
	}
}

func BenchmarkWriteSynth(b *testing.B) {
	for _, images := range []string{"small", "none"} {
		b.Run(images, func(b *testing.B) {
			for b.Loop() {
				if _, err := WriteSynth(context.Background(), b.TempDir(), SynthOptions{N: 1000, Images: images, Workers: 1}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkWriteHashes(b *testing.B) {
	for b.Loop() {
		if _, err := WriteHashes(context.Background(), filepath.Join(b.TempDir(), "h.bin"), HashOptions{N: 1_000_000, Pairs: 1000, Radius: 8}); err != nil {
			b.Fatal(err)
		}
	}
}
