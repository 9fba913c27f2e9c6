// Command gobench measures listingscan's image prints and text candidate
// keys, and goimagehash's pHash, on a generated evaluation corpus, for
// tools/peerbench/run.sh to set beside the Python peers (peers.py).
//
// Everything runs on one goroutine with GOMAXPROCS 1 (unless -procs says
// otherwise), so the figures are per core and comparable with single-threaded
// Python. Encoded images are read into memory first: no timing includes disk
// reads.
//
// Usage:
//
//	gobench -corpus DIR -results go.jsonl -texts texts.jsonl
//
// It writes one JSON object per measurement to -results, and to -texts the
// visible title and description of every listing with listingscan's
// shingles, so that peers.py hashes exactly the same texts.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image"
	_ "image/gif"
	_ "image/jpeg"
	_ "image/png"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/corona10/goimagehash"
	_ "golang.org/x/image/webp"

	"github.com/listingscan/listingscan/listing"
	"github.com/listingscan/listingscan/similarity"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "gobench:", err)
		os.Exit(1)
	}
}

// ImageResult is one image measurement: seconds spent on N images.
type ImageResult struct {
	Kind    string  `json:"kind"` // "image"
	Side    string  `json:"side"` // "go"
	Tool    string  `json:"tool"`
	Step    string  `json:"step"`
	N       int     `json:"n"`
	Seconds float64 `json:"seconds"`
	Procs   int     `json:"procs"`
	Reps    int     `json:"reps"`
}

// TextResult is one text measurement of one field. Candidate figures are
// absent for a row that only times signatures.
type TextResult struct {
	Kind        string  `json:"kind"` // "text"
	Side        string  `json:"side"` // "go"
	Field       string  `json:"field"`
	Tool        string  `json:"tool"`
	Shingles    string  `json:"shingles"`
	Banding     string  `json:"banding"`
	N           int     `json:"n"`
	SigSeconds  float64 `json:"sig_seconds"`
	CandSeconds float64 `json:"cand_seconds,omitempty"`
	Candidates  *int    `json:"candidates,omitempty"`
	Planted     int     `json:"planted,omitempty"`
	PlantedHit  *int    `json:"planted_found,omitempty"`
	Lookalike   int     `json:"lookalike,omitempty"`
	LookHit     *int    `json:"lookalike_found,omitempty"`
	// Missed counts, by text evasion, the planted copies that are not
	// candidates.
	Missed map[string]int `json:"missed,omitempty"`
	Procs  int            `json:"procs"`
	Reps   int            `json:"reps"`
}

// TextRecord is one listing's texts as both sides hash them.
type TextRecord struct {
	ID            string   `json:"id"`
	Title         string   `json:"title"`
	Description   string   `json:"description"`
	TitleShingles []uint64 `json:"title_shingles"`
	DescShingles  []uint64 `json:"description_shingles"`
}

// maxImageFiles bounds how many images one run reads.
const maxImageFiles = 20000

func run(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("gobench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	corpus := fs.String("corpus", "", "evaluation corpus written by marketgen eval")
	results := fs.String("results", "", "JSON lines of results (default stdout)")
	texts := fs.String("texts", "", "where to write the extracted texts for peers.py")
	procs := fs.Int("procs", 1, "GOMAXPROCS while measuring")
	reps := fs.Int("reps", 1, "passes per step; each item's fastest pass counts")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *corpus == "" {
		return errors.New("-corpus is required")
	}
	if *reps < 1 || *reps > 100 {
		return fmt.Errorf("-reps %d: want 1–100", *reps)
	}
	runtime.GOMAXPROCS(*procs)
	log := slog.New(slog.NewTextHandler(stderr, nil))

	var out io.Writer = os.Stdout
	if *results != "" {
		f, err := os.Create(*results)
		if err != nil {
			return fmt.Errorf("create results: %w", err)
		}
		defer f.Close()
		out = f
	}
	enc := json.NewEncoder(out)

	imgs, err := readImages(filepath.Join(*corpus, "img"))
	if err != nil {
		return err
	}
	log.Info("images", "n", len(imgs))
	imageResults, err := benchImages(imgs, *reps)
	if err != nil {
		return err
	}
	for _, r := range imageResults {
		r.Procs = *procs
		if err := enc.Encode(r); err != nil {
			return fmt.Errorf("write result: %w", err)
		}
	}
	imgs = nil

	recs, err := loadTexts(ctx, *corpus)
	if err != nil {
		return err
	}
	truth, err := loadTruth(*corpus)
	if err != nil {
		return err
	}
	log.Info("texts", "listings", len(recs))
	textResults, err := benchTexts(recs, truth, *reps)
	if err != nil {
		return err
	}
	for _, r := range textResults {
		r.Procs, r.Reps = *procs, *reps
		if err := enc.Encode(r); err != nil {
			return fmt.Errorf("write result: %w", err)
		}
	}
	if *texts != "" {
		if err := writeTexts(*texts, recs); err != nil {
			return err
		}
	}
	return nil
}

type encoded struct {
	name string
	data []byte
}

// readImages reads every image file of dir into memory, sorted by name.
func readImages(dir string) ([]encoded, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read images: %w", err)
	}
	var imgs []encoded
	for _, e := range entries {
		switch strings.ToLower(filepath.Ext(e.Name())) {
		case ".jpg", ".jpeg", ".png", ".gif", ".webp":
		default:
			continue
		}
		if !e.Type().IsRegular() {
			continue
		}
		if len(imgs) == maxImageFiles {
			return nil, fmt.Errorf("read images: more than %d files in %s", maxImageFiles, dir)
		}
		name := filepath.Join(dir, e.Name())
		data, err := readBounded(name, similarity.DefaultMaxImageBytes)
		if err != nil {
			return nil, err
		}
		imgs = append(imgs, encoded{name, data})
	}
	if len(imgs) == 0 {
		return nil, fmt.Errorf("read images: no images in %s", dir)
	}
	return imgs, nil
}

func readBounded(name string, limit int64) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("read %s: larger than %d bytes", name, limit)
	}
	return data, nil
}

// warmup is how many images (or texts) each step processes untimed first,
// so that lazily built tables and the first heap growth are not charged to
// it.
const warmup = 3

// benchImages times each step over all images, reps passes, and adds up
// each image's fastest time: on a shared machine the slower passes measure
// the neighbours. Any error is fatal to the run: every image of a generated
// corpus must decode.
func benchImages(imgs []encoded, reps int) ([]ImageResult, error) {
	steps := []struct {
		tool, what string
		f          func([]byte) (time.Duration, error)
	}{
		{"Go image.Decode", "decode", func(data []byte) (time.Duration, error) {
			t := time.Now()
			_, _, err := image.Decode(bytes.NewReader(data))
			return time.Since(t), err
		}},
		{"listingscan FingerprintImage", "decode + print", func(data []byte) (time.Duration, error) {
			t := time.Now()
			_, err := similarity.FingerprintImage(data, similarity.ImageLimits{})
			return time.Since(t), err
		}},
		{"goimagehash PerceptionHash", "hash (decoded)", func(data []byte) (time.Duration, error) {
			img, _, err := image.Decode(bytes.NewReader(data))
			if err != nil {
				return 0, err
			}
			t := time.Now()
			_, err = goimagehash.PerceptionHash(img)
			return time.Since(t), err
		}},
	}
	var res []ImageResult
	for _, s := range steps {
		for _, e := range imgs[:min(warmup, len(imgs))] {
			if _, err := s.f(e.data); err != nil {
				return nil, fmt.Errorf("%s: %s: %w", s.tool, e.name, err)
			}
		}
		best := make([]time.Duration, len(imgs))
		for rep := range reps {
			for i, e := range imgs {
				d, err := s.f(e.data)
				if err != nil {
					return nil, fmt.Errorf("%s: %s: %w", s.tool, e.name, err)
				}
				if rep == 0 || d < best[i] {
					best[i] = d
				}
			}
		}
		var total time.Duration
		for _, d := range best {
			total += d
		}
		res = append(res, ImageResult{Kind: "image", Side: "go", Tool: s.tool, Step: s.what, N: len(imgs), Seconds: total.Seconds(), Reps: reps})
	}
	return res, nil
}

// loadTexts reads the corpus listings and extracts the visible description
// text the scanner fingerprints.
func loadTexts(ctx context.Context, corpus string) ([]TextRecord, error) {
	ls, problems, err := listing.Load(ctx, []string{filepath.Join(corpus, "listings.jsonl")}, listing.LoadOptions{})
	if err != nil {
		return nil, fmt.Errorf("load listings: %w", err)
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("load listings: %d bad inputs, first: %v", len(problems), problems[0])
	}
	recs := make([]TextRecord, 0, len(ls))
	for _, l := range ls {
		d, err := listing.ParseDescription(l.DescriptionHTML)
		if err != nil {
			return nil, fmt.Errorf("listing %s: %w", l.ID, err)
		}
		recs = append(recs, TextRecord{ID: l.ID, Title: l.Title, Description: d.Text})
	}
	return recs, nil
}

// pair is an unordered pair of listing ids, smaller first.
type pair [2]string

func mkPair(a, b string) pair {
	if b < a {
		a, b = b, a
	}
	return pair{a, b}
}

// truthPairs are the labelled pairs of one field: planted copies and honest
// look-alikes.
type truthPairs struct {
	copies, lookalikes map[pair]bool
	transform          map[pair]string // of each copy
}

func loadTruth(corpus string) (map[string]truthPairs, error) {
	name := filepath.Join(corpus, "truth.ndjson")
	if _, err := os.Stat(name); err != nil {
		name = filepath.Join(corpus, "truth.jsonl")
	}
	data, err := readBounded(name, 256<<20)
	if err != nil {
		return nil, fmt.Errorf("truth: %w", err)
	}
	fields := map[string]string{listing.RuleCopyTitle: "title", listing.RuleCopyDescription: "description"}
	out := map[string]truthPairs{}
	for _, f := range fields {
		out[f] = truthPairs{copies: map[pair]bool{}, lookalikes: map[pair]bool{}, transform: map[pair]string{}}
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for line := 1; sc.Scan(); line++ {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var t struct {
			Rule           string `json:"rule"`
			ListingID      string `json:"listing_id"`
			OtherListingID string `json:"other_listing_id"`
			Transform      string `json:"transform"`
			Expect         bool   `json:"expect"`
		}
		if err := json.Unmarshal(sc.Bytes(), &t); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, line, err)
		}
		f, ok := fields[t.Rule]
		if !ok {
			continue
		}
		p := mkPair(t.ListingID, t.OtherListingID)
		if t.Expect {
			out[f].copies[p] = true
			out[f].transform[p] = t.Transform
		} else {
			out[f].lookalikes[p] = true
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return out, nil
}

// benchTexts times listingscan's text fingerprints, field by field, and
// the candidate pairs their keys give; each loop's fastest of reps passes
// counts.
func benchTexts(recs []TextRecord, truth map[string]truthPairs, reps int) ([]TextResult, error) {
	fp, err := similarity.NewTextFingerprinter()
	if err != nil {
		return nil, fmt.Errorf("text fingerprinter: %w", err)
	}
	type field struct {
		name  string
		lsh   similarity.LSH
		print func(*TextRecord) similarity.TextFingerprint
		sh    func(*TextRecord) *[]uint64
	}
	fields := []field{
		{"title", similarity.TitleLSH(), func(r *TextRecord) similarity.TextFingerprint { return fp.Title(r.Title) },
			func(r *TextRecord) *[]uint64 { return &r.TitleShingles }},
		{"description", similarity.DescriptionLSH(), func(r *TextRecord) similarity.TextFingerprint { return fp.Description(r.Description) },
			func(r *TextRecord) *[]uint64 { return &r.DescShingles }},
	}
	var res []TextResult
	for _, f := range fields {
		banding := fmt.Sprintf("K=%d, %d bands x %d rows", f.lsh.K, f.lsh.Bands, f.lsh.Rows)
		for i := range recs[:min(warmup, len(recs))] {
			f.print(&recs[i])
		}
		keys := make([][]string, len(recs))
		sig := fastest(reps, func() {
			for i := range recs {
				p := f.print(&recs[i])
				keys[i] = p.Keys
				*f.sh(&recs[i]) = p.Shingles
			}
		})
		var pairs map[pair]bool
		cand := fastest(reps, func() { pairs = candidates(recs, keys) })

		n := 0
		for _, k := range keys {
			if len(k) > 0 {
				n++
			}
		}
		tp := truth[f.name]
		res = append(res, TextResult{
			Kind: "text", Side: "go", Field: f.name, Tool: "listingscan",
			Shingles: "listingscan normaliser + shingles", Banding: banding, N: n,
			SigSeconds: sig.Seconds(), CandSeconds: cand.Seconds(), Candidates: ptr(len(pairs)),
			Planted: len(tp.copies), PlantedHit: ptr(hits(pairs, tp.copies)),
			Lookalike: len(tp.lookalikes), LookHit: ptr(hits(pairs, tp.lookalikes)),
			Missed: missed(pairs, tp),
		})

		// MinHash and band keys alone, from the shingles just computed:
		// the part datasketch replaces when given the same shingles.
		only := fastest(reps, func() {
			for i := range recs {
				f.lsh.Keys(*f.sh(&recs[i]))
			}
		})
		res = append(res, TextResult{
			Kind: "text", Side: "go", Field: f.name, Tool: "listingscan MinHash+bands only",
			Shingles: "listingscan shingles (given)", Banding: banding, N: n,
			SigSeconds: only.Seconds(),
		})
	}
	return res, nil
}

func ptr(v int) *int { return &v }

// fastest runs f reps times and returns its shortest run.
func fastest(reps int, f func()) time.Duration {
	var best time.Duration
	for rep := range reps {
		t := time.Now()
		f()
		if d := time.Since(t); rep == 0 || d < best {
			best = d
		}
	}
	return best
}

// candidates are the pairs of listings that share at least one key, found
// through an in-memory map from key to listings.
func candidates(recs []TextRecord, keys [][]string) map[pair]bool {
	byKey := map[string][]int{}
	for i, ks := range keys {
		for _, k := range ks {
			byKey[k] = append(byKey[k], i)
		}
	}
	pairs := map[pair]bool{}
	for _, ids := range byKey {
		for a := range ids {
			for _, b := range ids[a+1:] {
				if ids[a] != b {
					pairs[mkPair(recs[ids[a]].ID, recs[b].ID)] = true
				}
			}
		}
	}
	return pairs
}

func hits(cands, want map[pair]bool) int {
	n := 0
	for p := range want {
		if cands[p] {
			n++
		}
	}
	return n
}

func missed(cands map[pair]bool, tp truthPairs) map[string]int {
	out := map[string]int{}
	for p := range tp.copies {
		if !cands[p] {
			out[tp.transform[p]]++
		}
	}
	return out
}

func writeTexts(name string, recs []TextRecord) error {
	f, err := os.Create(name)
	if err != nil {
		return fmt.Errorf("create texts: %w", err)
	}
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, r := range recs {
		if err := enc.Encode(r); err != nil {
			f.Close()
			return fmt.Errorf("write texts: %w", err)
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("write texts: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write texts: %w", err)
	}
	return nil
}
