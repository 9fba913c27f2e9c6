package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/listingscan/listingscan/listing"
	"github.com/listingscan/listingscan/scanner"
	"github.com/listingscan/listingscan/server"
)

func newServeCmd() *cobra.Command {
	var (
		templates            string
		addr, tokens, config string
		allowPrivate, secure bool
	)
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the review UI and the HTTP API",
		Long: `serve runs the HTTP service over the store: the JSON API (findings,
verdicts, listing matches, ingest), the review UI under /ui/, /healthz and
/metrics.

Every API request and the UI need a bearer token. Tokens come from --tokens
FILE or $LISTINGSCAN_TOKENS, one per line (semicolons separate lines in the
variable): ROLE TOKEN [NAME], where ROLE is publisher (pre-publish checks
only), reviewer (read findings, record verdicts) or admin (everything,
including ingest). NAME signs the verdicts recorded with the token.

The service listens on 127.0.0.1 unless --addr says otherwise; put it behind
a TLS proxy (and pass --secure-cookies) before exposing it.`,
		Example: `  printf 'reviewer %s 审核员小王\n' "$(openssl rand -hex 16)" > tokens.txt
  listingscan serve --tokens tokens.txt --store sqlite:listingscan.db
  # then open http://127.0.0.1:8080/ui/ and log in with the token`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			toks, err := server.LoadTokens(tokens, "LISTINGSCAN_TOKENS")
			if err != nil {
				return usageError("%v", err)
			}
			cfg, err := scanner.LoadConfig(config)
			if err != nil {
				return usageError("%v", err)
			}
			log := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: slog.LevelInfo}))
			store, err := openStore(ctx, cmd)
			if err != nil {
				return err
			}
			defer store.Close()
			rs, ok := store.(server.Store)
			if !ok {
				return usageError("the store %T does not keep reviewers' verdicts", store)
			}
			images := &listing.ImageSource{AllowPrivate: allowPrivate}
			if templates != "" {
				if info, err := os.Stat(templates); err != nil || !info.IsDir() {
					return usageError("--templates %s: not a readable directory", templates)
				}
			}
			cacheOpts, closeCache, err := openImageCache(ctx, cmd, store)
			if err != nil {
				return err
			}
			defer closeCache()
			sc, err := scanner.New(store, cfg, append(cacheOpts,
				scanner.WithImageSource(images), scanner.WithLogger(log), scanner.WithTemplates(templates))...)
			if err != nil {
				return usageError("%v", err)
			}
			srv, err := server.New(server.Config{
				Store: rs, Tokens: toks, Ingester: sc, Checker: sc, Images: images, Logger: log, SecureCookies: secure,
			})
			if err != nil {
				return usageError("%v", err)
			}
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return usageError("--addr: %v", err)
			}
			return serve(ctx, ln, srv, log)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&addr, "addr", "127.0.0.1:8080", "address to listen on")
	fl.StringVar(&tokens, "tokens", "", "file of bearer tokens, one `ROLE TOKEN [NAME]` per line (default $LISTINGSCAN_TOKENS)")
	fl.StringVar(&config, "config", "", "YAML config for scans of ingested listings")
	fl.BoolVar(&allowPrivate, "allow-private-images", false, "allow fetching images from loopback and private addresses")
	fl.BoolVar(&secure, "secure-cookies", false, "mark the UI session cookie Secure (the service is behind TLS)")
	fl.StringVar(&templates, "templates", "", "template catalogue directory for the template rules of checks and ingested listings (re-read every 30 s)")
	addImageCacheFlag(fl)
	return cmd
}

// serve runs the HTTP server until ctx ends, then drains requests for up
// to ten seconds.
func serve(ctx context.Context, ln net.Listener, h http.Handler, log *slog.Logger) error {
	hs := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      5 * time.Minute, // ingest scans a batch before answering
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	log.Info("serving", "addr", "http://"+ln.Addr().String(), "ui", "http://"+ln.Addr().String()+"/ui/")
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return &exitError{code: exitIncomplete, err: fmt.Errorf("serve: %w", err)}
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdown); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return &exitError{code: exitIncomplete, err: fmt.Errorf("shut down: %w", err)}
	}
	return nil
}
