// Command badgen writes the bad-input corpus that proves a scan survives
// hostile and broken input: truncated and corrupt images of every decoded
// format, a decompression bomb, empty and mislabelled files, SVG, malformed
// JSON lines between good ones, absurd prices, a 10,000-character title,
// 1,000 tags, invalid UTF-8 and deeply nested JSON and HTML.
//
//	go run ./tools/badgen -out testdata/bad
//
// The output is deterministic, so the committed corpus can be checked
// against a fresh run. Next to the inputs it writes expect.ndjson: one line
// per listing a scan must index ({"listing": id}) and one per input error it
// must report ({"file", "line", "listing", "reason"}, reason being a
// fragment of the message). The scanner does not read *.ndjson files found
// in a directory, so the manifest is not itself input.
package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
)

func main() {
	out := flag.String("out", "testdata/bad", "directory to write the corpus to (created; existing corpus files are replaced)")
	flag.Parse()
	if err := Write(*out); err != nil {
		slog.Error("badgen", "err", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "badgen: wrote the bad-input corpus to %s\n", *out)
}
