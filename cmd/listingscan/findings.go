package main

import (
	"encoding/json"

	"github.com/spf13/cobra"

	"github.com/listingscan/listingscan/indexer"
	"github.com/listingscan/listingscan/listing"
	"github.com/listingscan/listingscan/scanner"
)

func newFindingsCmd() *cobra.Command {
	var (
		q              indexer.FindingQuery
		status, format string
	)
	cmd := &cobra.Command{
		Use:   "findings",
		Short: "List stored findings",
		Long:  "findings lists the findings kept in the store by earlier scans, highest score first.",
		Example: `  listingscan findings --rule copy.image --min-score 0.9
  listingscan findings --provider P-04 --status open --format jsonl`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f, err := scanner.ParseFormat(format)
			if err != nil {
				return usageError("%v", err)
			}
			if status != "" {
				switch s := listing.Status(status); s {
				case listing.StatusOpen, listing.StatusConfirmed, listing.StatusDismissed:
					q.Status = s
				default:
					return usageError("--status %q: want open, confirmed or dismissed", status)
				}
			}
			store, err := openStore(cmd.Context(), cmd)
			if err != nil {
				return err
			}
			defer store.Close()
			fs, err := store.Findings(cmd.Context(), q)
			if err != nil {
				return &exitError{code: exitIncomplete, err: err}
			}
			w := cmd.OutOrStdout()
			switch f {
			case scanner.FormatJSONL:
				return scanner.WriteFindings(w, fs)
			case scanner.FormatJSON:
				if fs == nil {
					fs = []listing.Finding{}
				}
				enc := json.NewEncoder(w)
				enc.SetEscapeHTML(false)
				enc.SetIndent("", "  ")
				return enc.Encode(fs)
			default:
				scanner.WriteFindingsText(w, fs)
				return nil
			}
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&q.Rule, "rule", "", "only this rule, e.g. copy.image")
	fl.StringVar(&q.ProviderID, "provider", "", "only findings involving this provider")
	fl.StringVar(&q.ListingID, "listing", "", "only findings involving this listing")
	fl.StringVar(&status, "status", "", "only this status: open, confirmed or dismissed")
	fl.Float64Var(&q.MinScore, "min-score", 0, "only findings scoring at least this")
	fl.IntVar(&q.Limit, "limit", 0, "at most this many findings")
	fl.StringVar(&format, "format", "text", "output format: text, json or jsonl")
	return cmd
}
