package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"

	"github.com/spf13/cobra"

	"github.com/listingscan/listingscan/indexer/sqlite"
	"github.com/listingscan/listingscan/listing"
	"github.com/listingscan/listingscan/scanner"
)

func newEvalCmd() *cobra.Command {
	var truthPath, config, format string
	var templates string
	cmd := &cobra.Command{
		Use:   "eval DIR",
		Short: "Measure precision and recall on a labelled corpus",
		Long: `eval scans the listings in DIR into a fresh temporary store and compares the
findings with the labelled truth (default DIR/truth.ndjson): precision and
recall per rule, recall per transformation or evasion, and how many honest
look-alikes were flagged. Truth lines without other_listing_id label one
listing for a single-listing rule (offplatform.contact, service.hours …): a
violation it must report, or a trap (expect false) it must not flag; traps
are reported with their false-positive rate. Rules the truth never names are
not scored. Corpora are made with:

  go run ./cmd/marketgen eval -out DIR -split holdout
  go run ./cmd/marketgen policy -out DIR -split holdout -n 1500
  go run ./cmd/marketgen templates -out DIR -split holdout -n 100
    (then: listingscan eval DIR/_listings --templates DIR)`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			dir := args[0]
			if truthPath == "" {
				truthPath = filepath.Join(dir, "truth.ndjson")
			}
			truth, err := scanner.ReadTruth(truthPath)
			if err != nil {
				return usageError("%v", err)
			}
			cfg, err := scanner.LoadConfig(config)
			if err != nil {
				return usageError("%v", err)
			}
			inputs, err := corpusInputs(dir, truthPath)
			if err != nil {
				return usageError("%v", err)
			}
			tmp, err := os.MkdirTemp("", "listingscan-eval-")
			if err != nil {
				return &exitError{code: exitIncomplete, err: err}
			}
			defer os.RemoveAll(tmp)
			store, err := sqlite.Open(ctx, filepath.Join(tmp, "eval.db"))
			if err != nil {
				return &exitError{code: exitIncomplete, err: err}
			}
			defer store.Close()
			if templates != "" {
				// A catalogue inside the corpus holds templates, not listings.
				tplAbs, _ := filepath.Abs(templates)
				inputs = slices.DeleteFunc(inputs, func(p string) bool {
					abs, _ := filepath.Abs(p)
					return abs == tplAbs
				})
			}
			cacheOpts, closeCache, err := openImageCache(ctx, cmd, store)
			if err != nil {
				return err
			}
			defer closeCache()
			sc, err := scanner.New(store, cfg, append(cacheOpts,
				scanner.WithProgress(newProgress(cmd.ErrOrStderr())), scanner.WithTemplates(templates))...)
			if err != nil {
				return usageError("%v", err)
			}
			res, err := sc.Scan(ctx, inputs)
			if err != nil {
				return err
			}
			ev := scanner.Evaluate(res.Findings, truth)
			w := cmd.OutOrStdout()
			if format == "json" {
				enc := json.NewEncoder(w)
				enc.SetIndent("", "  ")
				enc.SetEscapeHTML(false)
				return enc.Encode(ev)
			}
			reportInputErrors(cmd.ErrOrStderr(), res.InputErrors)
			ev.WriteText(w)
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&truthPath, "truth", "", "labelled truth file (default DIR/truth.ndjson)")
	fl.StringVar(&config, "config", "", "YAML config to evaluate (default: built-in thresholds)")
	fl.StringVar(&format, "format", "text", "output format: text or json")
	addImageCacheFlag(fl)
	fl.StringVar(&templates, "templates", "", "template catalogue directory (a directory inside DIR is then not read as listings)")
	return cmd
}

// corpusInputs lists what a scan of dir would read but the truth file, so
// labels are never read as listings (nor the corpus's README or config,
// which a file named on its own would be).
func corpusInputs(dir, truthPath string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	truthAbs, _ := filepath.Abs(truthPath)
	var out []string
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		if abs, _ := filepath.Abs(p); abs == truthAbs || (!e.IsDir() && !listing.IsListingFile(p)) {
			continue
		}
		out = append(out, p)
	}
	return out, nil
}
