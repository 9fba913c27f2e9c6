package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/listingscan/listingscan/listing"
	"github.com/listingscan/listingscan/scanner"
)

// exitReview is the exit status of a draft that needs a person's review.
const exitReview = 3

func newCheckCmd() *cobra.Command {
	var (
		format, config, templates string
		record, allowPrivate      bool
	)
	cmd := &cobra.Command{
		Use:   "check DRAFT.json",
		Short: "Decide whether a draft listing may be published",
		Long: `check runs every rule on one draft listing against the indexed catalogue
and decides: pass (exit 0), review (exit 3) or block (exit 1), with the
findings behind the decision. Usage errors exit 2; a store that cannot be
reached exits 4.

Nothing is written unless --record is given. A draft with the id of a
listing already in the catalogue is an update of it and is compared with
every other listing. Which severities block and which need review is set in
the config file (check.block, check.review).`,
		Example: `  listingscan check draft.json --store sqlite:listingscan.db
  listingscan check draft.json --format json --templates templates/`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if format != "text" && format != "json" {
				return usageError("--format %q: want text or json", format)
			}
			cfg, err := scanner.LoadConfig(config)
			if err != nil {
				return usageError("%v", err)
			}
			if _, err := os.Stat(args[0]); err != nil {
				return usageError("draft %v", err)
			}
			ls, bad, err := listing.Load(ctx, args, listing.LoadOptions{})
			if err != nil {
				return usageError("draft %s: %v", args[0], err)
			}
			if len(bad) > 0 {
				return usageError("draft %s", bad[0].Error())
			}
			if len(ls) != 1 {
				return usageError("draft %s holds %d listings; check takes exactly one", args[0], len(ls))
			}
			store, err := openStore(ctx, cmd)
			if err != nil {
				return err
			}
			defer store.Close()
			cacheOpts, closeCache, err := openImageCache(ctx, cmd, store)
			if err != nil {
				return err
			}
			defer closeCache()
			sc, err := scanner.New(store, cfg, append(cacheOpts,
				scanner.WithImageSource(&listing.ImageSource{AllowPrivate: allowPrivate}),
				scanner.WithTemplates(templates),
				scanner.WithLogger(slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: slog.LevelWarn}))),
			)...)
			if err != nil {
				return usageError("%v", err)
			}
			res, err := sc.Check(ctx, ls[0], record)
			if err != nil {
				if errors.Is(err, scanner.ErrStore) {
					return err
				}
				return &exitError{code: exitIncomplete, err: err}
			}
			w := cmd.OutOrStdout()
			if format == "json" {
				enc := json.NewEncoder(w)
				enc.SetIndent("", "  ")
				if err := enc.Encode(res); err != nil {
					return &exitError{code: exitIncomplete, err: err}
				}
			} else {
				writeCheckText(w, res)
			}
			switch res.Decision {
			case scanner.DecisionBlock:
				return &exitError{code: exitFindings, err: errDecided}
			case scanner.DecisionReview:
				return &exitError{code: exitReview, err: errDecided}
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&format, "format", "text", "output format: text or json")
	fl.StringVar(&config, "config", "", "YAML config: thresholds, rules, and which severities block or need review")
	fl.StringVar(&templates, "templates", "", "template catalogue directory; without it the template rules do not run")
	fl.BoolVar(&record, "record", false, "index the draft and save its findings, as a scan would")
	fl.BoolVar(&allowPrivate, "allow-private-images", false, "allow fetching images from loopback and private addresses")
	addImageCacheFlag(fl)
	return cmd
}

// errDecided marks an exit status that carries a decision, not a failure;
// nothing is printed for it.
var errDecided = errors.New("decided")

func writeCheckText(w io.Writer, res *scanner.CheckResult) {
	fmt.Fprintf(w, "%s: %s (%d reasons, %d candidates, %.1f ms)\n",
		strings.ToUpper(string(res.Decision)), res.ListingID, len(res.Reasons), res.Candidates, res.ElapsedMS)
	if len(res.Reasons) > 0 {
		scanner.WriteFindingsText(w, res.Reasons)
	}
	for _, e := range res.InputErrors {
		fmt.Fprintf(w, "  input error: %s\n", e)
	}
	if res.Recorded {
		fmt.Fprintln(w, "recorded in the store")
	}
}
