// Command scalebench measures what only shows at catalogue scale; its
// script run.sh drives the whole suite (see docs/BENCHMARKS.md).
//
//	scalebench selfjoin -hashes FILE [-radius 8] [-workers N] [-brute]
//	scalebench measure -- COMMAND [ARG...]
//	scalebench mutate -in listings.jsonl -out changed.jsonl [-share 0.01]
//	scalebench drafts -in listings.jsonl -out DIR [-n 200]
//
// "selfjoin" finds every pair of near hashes in a file written by
// `marketgen hashes` with the in-memory multi-index and, with -brute, by
// comparing every pair, and prints one JSON object: the times, the pairs
// found and how many of the planted pairs were among them. "measure" runs
// a command and reports its wall time and peak memory. "mutate" changes a
// share of a corpus's listings for an incremental scan; "drafts" writes
// pre-publish drafts (updates and copies of live listings) for loadtest.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: scalebench selfjoin|measure|mutate|drafts ... (see the package documentation)")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "selfjoin":
		err = selfJoin(ctx, os.Args[2:], os.Stdout)
	case "measure":
		err = measure(ctx, os.Args[2:], os.Stderr)
	case "mutate":
		err = mutate(os.Args[2:], os.Stdout)
	case "drafts":
		err = drafts(os.Args[2:], os.Stdout)
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "scalebench:", err)
		os.Exit(1)
	}
}
