// Command marketgen writes the synthetic marketplaces listingscan is tested
// and tuned on.
//
//	marketgen market -out testdata/marketplace
//	marketgen eval -out /tmp/eval-tune -split tune -n 100
//	marketgen policy -out /tmp/policy-holdout -split holdout -n 600
//	marketgen templates -out /tmp/tpl-holdout -split holdout -n 100
//	marketgen synth -out /tmp/synth-100k -n 100000 -workers 2
//	marketgen hashes -out /tmp/hashes-1m.bin -n 1000000
//
// "market" writes the small marketplace committed under testdata; "eval"
// writes a labelled evaluation corpus (not committed) whose tune and holdout
// splits come from different seeds, so the holdout never influences tuning;
// "policy" writes a labelled corpus for the single-listing rules (contact
// details, QR codes, prices, service hours, field limits) with traps.
// "templates" writes a template catalogue (template.json files and exported
// mini-programs) with listings selling it and labels for the template rules
// and copy.store; "-split fixture -n 8" is the catalogue committed under
// testdata/templates. "synth" writes a scale corpus of any size (small
// drawn images, or none) with about 2% image copies, 2% text copies and 5%
// honest look-alikes; "hashes" writes 64-bit image hashes with planted
// near-duplicate pairs for self-join benchmarks.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"time"

	"github.com/listingscan/listingscan/tools/marketgen"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const usage = `usage:
  marketgen market -out DIR [-seed N] [-font PATH] [-workers N]
  marketgen eval -out DIR -split tune|holdout [-n N] [-seed N] [-font PATH] [-workers N]
  marketgen policy -out DIR -split tune|holdout [-n N] [-seed N] [-font PATH] [-workers N]
  marketgen templates -out DIR -split tune|holdout|fixture [-n N] [-seed N]
  marketgen synth -out DIR -n N [-seed N] [-images small|none] [-workers N]
  marketgen hashes -out FILE -n N [-seed N] [-pairs P] [-radius R]
`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	fs := flag.NewFlagSet("marketgen "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "output directory (required)")
	seed := fs.Uint64("seed", 0, "random seed (0: the default for the command and split)")
	fontPath := fs.String("font", marketgen.DefaultFontPath, "CJK font (TrueType/OpenType or .ttc); text is drawn as blocks when missing")
	workers := fs.Int("workers", 0, "drawing goroutines (0: GOMAXPROCS)")
	var split *string
	var n *int
	var images *string
	var pairs, radius *int
	switch args[0] {
	case "market":
	case "eval":
		split = fs.String("split", "", "tune or holdout (required)")
		n = fs.Int("n", 100, "number of base listings")
	case "policy":
		split = fs.String("split", "", "tune or holdout (required)")
		n = fs.Int("n", 600, "number of listings")
	case "templates":
		split = fs.String("split", "", "tune, holdout or fixture (required)")
		n = fs.Int("n", 100, "number of base templates")
	case "synth":
		n = fs.Int("n", 10000, "number of listings")
		images = fs.String("images", "small", "small drawn images, or none")
	case "hashes":
		n = fs.Int("n", 1000000, "number of hashes")
		pairs = fs.Int("pairs", 1000, "planted near-duplicate pairs")
		radius = fs.Int("radius", 8, "largest planted Hamming distance (planted distances are even)")
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "marketgen: unknown command %q\n%s", args[0], usage)
		return 2
	}
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *out == "" {
		fmt.Fprintln(stderr, "marketgen: -out is required")
		return 2
	}
	switch args[0] {
	case "synth":
		fonts, err := marketgen.LoadFonts(ctx, *fontPath)
		if err != nil {
			log.Warn("no CJK font; provider logos are drawn with blocks and look alike", "err", err)
			fonts = nil
		}
		return runSynth(ctx, *out, marketgen.SynthOptions{N: *n, Seed: *seed, Images: *images, Workers: *workers, Logger: log, Fonts: fonts}, stderr)
	case "hashes":
		return runHashes(ctx, *out, *n, *seed, *pairs, *radius, log, stderr)
	}
	if args[0] == "templates" {
		start := time.Now()
		sum, err := marketgen.WriteTemplates(ctx, *out, marketgen.TemplateOptions{Split: *split, N: *n, Seed: *seed, Logger: log})
		if err != nil {
			fmt.Fprintf(stderr, "marketgen: %v\n", err)
			return 1
		}
		log.Info("written", "dir", *out, "listings", sum.Listings, "providers", sum.Providers, "files", sum.Files,
			"bytes", sum.Bytes, "truth", len(sum.Truth), "elapsed", time.Since(start).Round(time.Millisecond))
		return 0
	}
	fonts, err := marketgen.LoadFonts(ctx, *fontPath)
	if err != nil {
		log.Warn("no CJK font; drawing text as blocks", "err", err)
		fonts = nil
	}
	start := time.Now()
	var sum *marketgen.Summary
	switch args[0] {
	case "market":
		sum, err = marketgen.WriteMarket(ctx, *out, marketgen.MarketOptions{Seed: *seed, Fonts: fonts, Workers: *workers, Logger: log})
	case "eval":
		sum, err = marketgen.WriteEval(ctx, *out, marketgen.EvalOptions{Split: *split, N: *n, Seed: *seed, Fonts: fonts, Workers: *workers, Logger: log})
	case "policy":
		sum, err = marketgen.WritePolicy(ctx, *out, marketgen.PolicyOptions{Split: *split, N: *n, Seed: *seed, Fonts: fonts, Workers: *workers, Logger: log})
	}
	if err != nil {
		fmt.Fprintf(stderr, "marketgen: %v\n", err)
		return 1
	}
	expect := 0
	for _, t := range sum.Truth {
		if t.Expect {
			expect++
		}
	}
	log.Info("written", "dir", *out, "listings", sum.Listings, "providers", sum.Providers, "images", sum.Images,
		"files", sum.Files, "bytes", sum.Bytes, "findings", expect, "lookalikes", len(sum.Truth)-expect, "elapsed", time.Since(start).Round(time.Millisecond))
	return 0
}

func runSynth(ctx context.Context, out string, o marketgen.SynthOptions, stderr io.Writer) int {
	start := time.Now()
	log := o.Logger
	sum, err := marketgen.WriteSynth(ctx, out, o)
	if err != nil {
		fmt.Fprintf(stderr, "marketgen: %v\n", err)
		return 1
	}
	log.Info("written", "dir", out, "listings", sum.Listings, "providers", sum.Providers, "images", sum.Images,
		"image_copies", sum.ImageCopies, "text_copies", sum.TextCopies, "lookalikes", sum.Lookalikes, "truth", sum.Truth,
		"elapsed", time.Since(start).Round(time.Millisecond))
	return 0
}

func runHashes(ctx context.Context, out string, n int, seed uint64, pairs, radius int, log *slog.Logger, stderr io.Writer) int {
	start := time.Now()
	planted, err := marketgen.WriteHashes(ctx, out, marketgen.HashOptions{N: n, Seed: seed, Pairs: pairs, Radius: radius})
	if err != nil {
		fmt.Fprintf(stderr, "marketgen: %v\n", err)
		return 1
	}
	log.Info("written", "file", out, "hashes", n, "pairs", len(planted), "truth", out+".truth.jsonl",
		"elapsed", time.Since(start).Round(time.Millisecond))
	return 0
}
