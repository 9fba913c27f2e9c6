package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/spf13/cobra"

	"github.com/listingscan/listingscan/listing"
	"github.com/listingscan/listingscan/scanner"
)

func newScanCmd() *cobra.Command {
	var (
		format, out, failOn, config string
		shard                       string
		allowPrivate                bool
		workers                     int
		incremental, indexOnly      bool
	)
	var templates string
	cmd := &cobra.Command{
		Use:   "scan [INPUT...]",
		Short: "Index listings and report copies between providers",
		Long: `scan reads listings from files and directories (JSON, JSON Lines, saved HTML
pages; a directory means every .json, .jsonl and .html file below it), indexes
them in the store and reports every copy finding that involves them.

With --templates DIR the listings are also held against the template
catalogue in DIR (each sub-directory an exported mini-program, each *.json
file a template.json): template.missing, consistency.screenshot,
consistency.metadata, copy.template and privacy.sensitive_field run only
then. copy.store needs no templates and always runs.

Exit status: 0 when the scan completed (input errors are reported, not
fatal), 1 when findings at or above --fail-on exist, 2 on usage or
configuration errors, 4 when the scan could not complete.`,
		Example: `  listingscan scan testdata/marketplace --config testdata/marketplace.yaml
  listingscan scan catalogue/ --format jsonl --out findings.jsonl --fail-on high`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, inputs []string) error {
			ctx := cmd.Context()
			f, err := scanner.ParseFormat(format)
			if err != nil {
				return usageError("%v", err)
			}
			var threshold *listing.Severity
			if failOn != "" {
				sev, err := listing.ParseSeverity(failOn)
				if err != nil {
					return usageError("--fail-on: %v", err)
				}
				threshold = &sev
			}
			cfg, err := scanner.LoadConfig(config)
			if err != nil {
				return usageError("%v", err)
			}
			if templates != "" {
				if info, err := os.Stat(templates); err != nil || !info.IsDir() {
					return usageError("--templates %s: not a readable directory", templates)
				}
			}
			for _, in := range inputs {
				if _, err := os.Stat(in); err != nil {
					return usageError("input %v", err)
				}
			}
			w := cmd.OutOrStdout()
			if out != "" {
				file, err := os.Create(out)
				if err != nil {
					return usageError("--out: %v", err)
				}
				defer file.Close()
				w = file
			}
			var sh scanner.Shard
			if shard != "" {
				if sh, err = scanner.ParseShard(shard); err != nil {
					return usageError("--shard: %v", err)
				}
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
				scanner.WithWorkers(workers),
				scanner.WithImageSource(&listing.ImageSource{AllowPrivate: allowPrivate}),
				scanner.WithTemplates(templates),
				scanner.WithProgress(newProgress(cmd.ErrOrStderr())),
				scanner.WithShard(sh),
				scanner.WithIncremental(incremental),
				scanner.WithIndexOnly(indexOnly),
				scanner.WithLogger(slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: slog.LevelWarn}))),
			)...)
			if err != nil {
				return usageError("%v", err)
			}
			res, err := sc.Scan(ctx, inputs)
			if err != nil {
				return err
			}
			if err := closeCache(); err != nil {
				slog.Warn("image cache not saved", "err", err)
			}
			if err := scanner.WriteReport(w, f, res); err != nil {
				return &exitError{code: exitIncomplete, err: fmt.Errorf("write report: %w", err)}
			}
			if f != scanner.FormatText && len(res.InputErrors) > 0 {
				reportInputErrors(cmd.ErrOrStderr(), res.InputErrors)
			}
			if threshold != nil && res.Count(*threshold) > 0 {
				return errFindings
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&format, "format", "text", "output format: text, json or jsonl")
	fl.StringVarP(&out, "out", "o", "", "write the report to this file instead of standard output")
	fl.StringVar(&failOn, "fail-on", "", "exit 1 when a finding of this severity or higher exists (info, low, medium, high, critical)")
	fl.StringVar(&config, "config", "", "YAML config: allow-listed provider groups and thresholds")
	fl.StringVar(&templates, "templates", "", "template catalogue directory; without it the template rules (all but copy.store) do not run")
	fl.BoolVar(&allowPrivate, "allow-private-images", false, "allow fetching images from loopback and private addresses")
	fl.IntVar(&workers, "workers", 0, "listings processed at once (default: number of cores)")
	fl.BoolVar(&incremental, "incremental", false, "skip listings unchanged since they were stored (their findings stand) and match only the changed ones; run a full scan after changing the config or templates")
	fl.BoolVar(&indexOnly, "index-only", false, "fingerprint and store the listings without running any rule (seeds a store; findings are left as they are)")
	addImageCacheFlag(fl)
	fl.StringVar(&shard, "shard", "", "scan only shard i of n (i/n, e.g. 2/3): n workers against one store split the catalogue by listing id")
	return cmd
}

// reportInputErrors lists input errors on stderr when stdout carries
// machine-readable findings.
func reportInputErrors(w io.Writer, errs []listing.InputError) {
	fmt.Fprintf(w, "listingscan: %d input errors (skipped, everything else was scanned):\n", len(errs))
	for _, e := range errs {
		fmt.Fprintf(w, "  %s\n", e.Error())
	}
}
