package main

import (
	"context"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/listingscan/listingscan/indexer"
	"github.com/listingscan/listingscan/indexer/sqlite"
)

const defaultStore = "sqlite:listingscan.db"

// openStore opens the store named by --store, $LISTINGSCAN_STORE or the
// default embedded file.
func openStore(ctx context.Context, cmd *cobra.Command) (indexer.Store, error) {
	url, _ := cmd.Flags().GetString("store")
	if url == "" {
		url = os.Getenv("LISTINGSCAN_STORE")
	}
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
		return nil, usageError("--store %s: the Elasticsearch store is not available in this build", url)
	default:
		return nil, usageError("--store %q: want sqlite:PATH or http(s)://host:port", url)
	}
}
