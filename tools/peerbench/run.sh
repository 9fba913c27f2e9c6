#!/usr/bin/env bash
# Compares listingscan's image prints and text candidate keys with the peers a
# user would pick instead (goimagehash; Python imagehash, Pillow, datasketch)
# on the same generated corpus, in one run, and prints one markdown report.
#
#   tools/peerbench/run.sh [-n LISTINGS_PER_SPLIT] [-dir EXISTING_CORPUS] [-reps R] [-out DIR]
#
#   -n    base listings of the generated corpus (marketgen eval -n; default 20)
#   -dir  measure an existing marketgen eval corpus instead of generating one
#   -reps passes per step, each item's fastest counts (default 3; 1 is
#         quickest, more steadies figures on a busy machine)
#   -out  keep the raw JSON lines (go.jsonl, py.jsonl, texts.jsonl) in DIR
#
# Needs Go and python3 with venv. The Python packages, pinned in
# requirements.txt, go into a venv under
# ${XDG_CACHE_HOME:-$HOME/.cache}/listingscan/peerbench-venv; nothing else is
# fetched beyond PyPI and the Go module proxy.
set -euo pipefail

usage() {
	sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

n=20
dir=""
keep=""
reps=3
while [ $# -gt 0 ]; do
	case "$1" in
	-n) [ $# -ge 2 ] || usage; n="$2"; shift 2 ;;
	-dir) [ $# -ge 2 ] || usage; dir="$2"; shift 2 ;;
	-out) [ $# -ge 2 ] || usage; keep="$2"; shift 2 ;;
	-reps) [ $# -ge 2 ] || usage; reps="$2"; shift 2 ;;
	-h | --help) usage ;;
	*) echo "run.sh: unknown argument $1" >&2; usage ;;
	esac
done
case "$n" in
'' | *[!0-9]* | 0*) echo "run.sh: -n wants a positive number, got '$n'" >&2; exit 2 ;;
esac
case "$reps" in
'' | *[!0-9]* | 0*) echo "run.sh: -reps wants a positive number, got '$reps'" >&2; exit 2 ;;
esac

if [ -n "$dir" ]; then
	if [ ! -d "$dir/img" ] || [ ! -f "$dir/listings.jsonl" ]; then
		echo "run.sh: $dir is not a marketgen eval corpus (want img/ and listings.jsonl)" >&2
		exit 2
	fi
	dir="$(cd "$dir" && pwd)"
fi

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

venv="${XDG_CACHE_HOME:-$HOME/.cache}/listingscan/peerbench-venv"
if [ ! -x "$venv/bin/python" ]; then
	echo "run.sh: creating $venv" >&2
	mkdir -p "$(dirname "$venv")"
	python3 -m venv "$venv"
fi
# Reinstall only when the pins change.
if ! cmp -s "$here/requirements.txt" "$venv/peerbench-requirements.txt"; then
	echo "run.sh: installing pinned Python packages" >&2
	"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt"
	cp "$here/requirements.txt" "$venv/peerbench-requirements.txt"
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

if [ -z "$dir" ]; then
	echo "run.sh: generating corpus (marketgen eval -split tune -n $n)" >&2
	go run ./cmd/marketgen eval -out "$tmp/corpus" -split tune -n "$n" >&2
	dir="$tmp/corpus"
	label="marketgen eval -split tune -n $n"
else
	label="$dir"
fi

go build -o "$tmp/gobench" ./tools/peerbench/gobench
echo "run.sh: Go side" >&2
"$tmp/gobench" -corpus "$dir" -results "$tmp/go.jsonl" -texts "$tmp/texts.jsonl" -reps "$reps"

echo "run.sh: Python side" >&2
OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \
	"$venv/bin/python" "$here/peers.py" bench --corpus "$dir" --texts "$tmp/texts.jsonl" --out "$tmp/py.jsonl" --reps "$reps"

if [ -n "$keep" ]; then
	mkdir -p "$keep"
	cp "$tmp/go.jsonl" "$tmp/py.jsonl" "$tmp/texts.jsonl" "$keep/"
fi

"$venv/bin/python" "$here/peers.py" table --go-version "$(go version)" --corpus "$label" "$tmp/go.jsonl" "$tmp/py.jsonl"
