package main

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Listings are handled as raw JSON objects here: the suite changes a few
// fields and must keep every other field exactly as the generator wrote
// it.
type rawListing map[string]json.RawMessage

func (l rawListing) str(field string) string {
	var s string
	json.Unmarshal(l[field], &s)
	return s
}

func (l rawListing) set(field string, v any) {
	raw, _ := json.Marshal(v)
	l[field] = raw
}

// eachListing calls fn with every listing of a JSON Lines file.
func eachListing(path string, fn func(rawListing) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for line := 1; sc.Scan(); line++ {
		var l rawListing
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			return fmt.Errorf("%s:%d: %w", path, line, err)
		}
		if err := fn(l); err != nil {
			return err
		}
	}
	return sc.Err()
}

// mutate copies a listings file, changing the title, summary and
// updated_at of a given share of the listings, as a day of providers'
// edits would: the input of an incremental scan.
func mutate(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("mutate", flag.ContinueOnError)
	in := fs.String("in", "", "listings.jsonl to read")
	out := fs.String("out", "", "listings.jsonl to write (in the same directory, so image paths hold)")
	share := fs.Float64("share", 0.01, "share of listings to change")
	seed := fs.Uint64("seed", 1, "random seed")
	if err := fs.Parse(args); err != nil {
		return err
	}
	f, err := os.Create(*out)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	rng := rand.New(rand.NewPCG(*seed, 7))
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	changed, total := 0, 0
	err = eachListing(*in, func(l rawListing) error {
		total++
		if rng.Float64() < *share {
			changed++
			l.set("title", l.str("title")+"（2026新版）")
			l.set("summary", l.str("summary")+"本次更新优化了首页加载速度。")
			l.set("updated_at", now)
		}
		raw, err := json.Marshal(l)
		if err != nil {
			return err
		}
		w.Write(raw)
		return w.WriteByte('\n')
	})
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("mutate: %w", err)
	}
	return json.NewEncoder(stdout).Encode(map[string]int{"listings": total, "changed": changed})
}

// drafts writes pre-publish drafts taken from a corpus: updates of live
// listings by their own provider (same id, a new sentence: they should
// pass unless the listing is itself a copy) and re-uploads of live
// listings by a new provider (new id: copies, they must be blocked).
// Images travel inside the draft as data URLs, as a publishing pipeline
// posts them.
func drafts(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("drafts", flag.ContinueOnError)
	in := fs.String("in", "", "listings.jsonl of the indexed corpus")
	out := fs.String("out", "", "directory to write the drafts to")
	n := fs.Int("n", 200, "drafts to write")
	seed := fs.Uint64("seed", 2, "random seed")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	var all []rawListing
	total := 0
	rng := rand.New(rand.NewPCG(*seed, 11))
	// Reservoir sampling keeps memory flat whatever the corpus size.
	err := eachListing(*in, func(l rawListing) error {
		total++
		if len(all) < *n {
			all = append(all, l)
		} else if j := rng.IntN(total); j < *n {
			all[j] = l
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("drafts: %w", err)
	}
	base := filepath.Dir(*in)
	kinds := map[string]int{}
	for i, l := range all {
		var imgs []string
		json.Unmarshal(l["images"], &imgs)
		for k, ref := range imgs {
			data, err := os.ReadFile(filepath.Join(base, ref))
			if err != nil {
				return fmt.Errorf("drafts: %w", err)
			}
			imgs[k] = "data:" + mimeOf(ref) + ";base64," + base64.StdEncoding.EncodeToString(data)
		}
		l.set("images", imgs)
		kind := "update"
		if i%2 == 1 {
			kind = "copy"
			l.set("id", fmt.Sprintf("L-DRAFT-%05d", i))
			l.set("provider", map[string]string{"id": fmt.Sprintf("P-DRAFT-%03d", i%50), "name": "杭州新开张网络科技有限公司"})
			delete(l, "published_at")
			delete(l, "updated_at")
		} else {
			l.set("summary", l.str("summary")+"新增会员积分兑换功能。")
		}
		kinds[kind]++
		raw, err := json.MarshalIndent(l, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(*out, fmt.Sprintf("%s-%05d.json", kind, i)), raw, 0o644); err != nil {
			return err
		}
	}
	return json.NewEncoder(stdout).Encode(kinds)
}

func mimeOf(ref string) string {
	switch strings.ToLower(filepath.Ext(ref)) {
	case ".jpg", ".jpeg":
		return "image/jpeg"
	case ".gif":
		return "image/gif"
	default:
		return "image/png"
	}
}
