package main

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/listingscan/listingscan/scanner"
)

func newRulesCmd() *cobra.Command {
	var format string
	var defaultConfig bool
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "List the rules, or print the documented default config",
		Long: `rules prints the catalogue of rules: each rule's name (what findings and the
"rules:" section of a config file call it), its default severity and what it
catches. With --default-config it prints the built-in configuration instead,
every key with a comment: a starting point for --config FILE.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w := cmd.OutOrStdout()
			if defaultConfig {
				_, err := w.Write(scanner.DefaultConfigYAML())
				return err
			}
			rules := scanner.Rules()
			switch format {
			case "json":
				enc := json.NewEncoder(w)
				enc.SetIndent("", "  ")
				enc.SetEscapeHTML(false)
				return enc.Encode(rules)
			case "text":
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "RULE\tSEVERITY\tMEANING")
				for _, r := range rules {
					fmt.Fprintf(tw, "%s\t%s\t%s\n", r.Name, r.Severity, r.Meaning)
				}
				return tw.Flush()
			default:
				return usageError("--format %q: want text or json", format)
			}
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	cmd.Flags().BoolVar(&defaultConfig, "default-config", false, "print the documented default configuration (YAML)")
	return cmd
}
