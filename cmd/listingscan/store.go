package main

import (
	"context"
	"log/slog"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/listingscan/listingscan/indexer"
	"github.com/listingscan/listingscan/indexer/elastic"
	"github.com/listingscan/listingscan/indexer/sqlite"
	"github.com/listingscan/listingscan/scanner"
)

const defaultStore = "sqlite:listingscan.db"

// addStoreFlags adds the store selection and the Elasticsearch connection
// flags shared by every subcommand that opens a store. Each flag falls back
// to an environment variable, so secrets need not appear on the command line.
func addStoreFlags(fl *pflag.FlagSet) {
	fl.String("store", "", "where the catalogue is kept: sqlite:PATH or http(s)://host:9200 (default $LISTINGSCAN_STORE or sqlite:listingscan.db)")
	fl.String("es-user", "", "Elasticsearch basic-auth user (default $LISTINGSCAN_ES_USER)")
	fl.String("es-password", "", "Elasticsearch basic-auth password (default $LISTINGSCAN_ES_PASSWORD; prefer the variable)")
	fl.String("es-api-key", "", "Elasticsearch API key, base64 id:key (default $LISTINGSCAN_ES_API_KEY; prefer the variable)")
	fl.String("es-ca-cert", "", "PEM file of the certificate authority of an https cluster (default $LISTINGSCAN_ES_CA_CERT)")
	fl.String("es-index-prefix", "", "prefix of the Elasticsearch indices and aliases (default $LISTINGSCAN_ES_INDEX_PREFIX or listingscan)")
}

// setting is a flag's value, else the environment variable's.
func setting(cmd *cobra.Command, flag, env string) string {
	if v, _ := cmd.Flags().GetString(flag); v != "" {
		return v
	}
	return os.Getenv(env)
}

// openStore opens the store named by --store, $LISTINGSCAN_STORE or the
// default embedded file.
func openStore(ctx context.Context, cmd *cobra.Command) (indexer.Store, error) {
	url := setting(cmd, "store", "LISTINGSCAN_STORE")
	if url == "" {
		url = defaultStore
	}
	switch {
	case strings.HasPrefix(url, "sqlite:"):
		path := strings.TrimPrefix(url, "sqlite:")
		if path == "" {
			return nil, usageError("--store sqlite: needs a file path, e.g. sqlite:listingscan.db")
		}
		s, err := sqlite.Open(ctx, path)
		if err != nil {
			return nil, &exitError{code: exitIncomplete, err: err}
		}
		return s, nil
	case strings.HasPrefix(url, "http://"), strings.HasPrefix(url, "https://"):
		cfg := elastic.Config{
			URL:         url,
			Username:    setting(cmd, "es-user", "LISTINGSCAN_ES_USER"),
			Password:    setting(cmd, "es-password", "LISTINGSCAN_ES_PASSWORD"),
			APIKey:      setting(cmd, "es-api-key", "LISTINGSCAN_ES_API_KEY"),
			CACertFile:  setting(cmd, "es-ca-cert", "LISTINGSCAN_ES_CA_CERT"),
			IndexPrefix: setting(cmd, "es-index-prefix", "LISTINGSCAN_ES_INDEX_PREFIX"),
			Logger:      slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: slog.LevelWarn})),
		}
		if cfg.CACertFile != "" {
			if _, err := os.Stat(cfg.CACertFile); err != nil {
				return nil, usageError("--es-ca-cert: %v", err)
			}
		}
		s, err := elastic.Open(ctx, cfg)
		if err != nil {
			return nil, &exitError{code: exitIncomplete, err: err}
		}
		return s, nil
	default:
		return nil, usageError("--store %q: want sqlite:PATH or http(s)://host:port", url)
	}
}

// addImageCacheFlag adds --image-cache to commands that fingerprint images.
func addImageCacheFlag(fl *pflag.FlagSet) {
	fl.String("image-cache", "", "file that keeps image hashes across runs by content digest, or \"off\" (default: inside the sqlite store's file; none for Elasticsearch)")
}

// openImageCache opens the cache --image-cache names, and returns the
// scanner options that use it and a function that flushes and closes it.
func openImageCache(ctx context.Context, cmd *cobra.Command, store indexer.Store) ([]scanner.Option, func() error, error) {
	path, _ := cmd.Flags().GetString("image-cache")
	var (
		c   *sqlite.ImageCache
		err error
	)
	switch {
	case path == "off":
		return nil, func() error { return nil }, nil
	case path != "":
		c, err = sqlite.OpenImageCache(ctx, path)
	default:
		s, ok := store.(*sqlite.Store)
		if !ok {
			return nil, func() error { return nil }, nil
		}
		c, err = s.ImageCache(ctx)
	}
	if err != nil {
		return nil, nil, &exitError{code: exitIncomplete, err: err}
	}
	return []scanner.Option{scanner.WithImageCache(c)}, c.Close, nil
}
