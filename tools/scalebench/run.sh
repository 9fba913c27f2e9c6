#!/usr/bin/env bash
# Scale suite: generates a synthetic marketplace and measures, on this
# machine, what docs/BENCHMARKS.md reports under "Scale":
#   1. seeding a store with the catalogue (scan --index-only), decoding
#      every image once into the image cache; with -es, Elasticsearch too;
#   2. incremental scans after 1% and 10% of the listings changed;
#   3. with -full, full scans (every rule over every listing) into fresh
#      stores with the image cache warm;
#   4. pre-publish check latency through `listingscan serve` + loadtest;
#   5. the self-join of a million hashes next to brute force (-brute).
#
# usage: tools/scalebench/run.sh [-n 100000] [-es URL] [-work DIR] [-full] [-brute] [-rate 5] [-duration 40s]
# Results are JSON lines in WORK/results.jsonl and a summary on stdout.
set -euo pipefail
cd "$(dirname "$0")/../.."

n=100000
es=""
work=""
brute=""
full=""
# The check latency figures of docs/BENCHMARKS.md: every one of the 200
# drafts posted once, at 5 a second.
rate=5
duration=40s
while [ $# -gt 0 ]; do
	case "$1" in
	-n) n=$2; shift 2 ;;
	-es) es=$2; shift 2 ;;
	-work) work=$2; shift 2 ;;
	-brute) brute=-brute; shift ;;
	-full) full=1; shift ;;
	-rate) rate=$2; shift 2 ;;
	-duration) duration=$2; shift 2 ;;
	*) echo "usage: $0 [-n N] [-es URL] [-work DIR] [-full] [-brute] [-rate R] [-duration D]" >&2; exit 2 ;;
	esac
done
work=${work:-$(mktemp -d /tmp/scalebench.XXXXXX)}
mkdir -p "$work/bin"
results=$work/results.jsonl
: >"$results"

go build -o "$work/bin/listingscan" ./cmd/listingscan
go build -o "$work/bin/marketgen" ./cmd/marketgen
go build -o "$work/bin/scalebench" ./tools/scalebench
ls="$work/bin/listingscan"
sb="$work/bin/scalebench"

# step NAME COMMAND...: runs COMMAND under measure, appends
# {"step":NAME, wall, rss...} and the command's JSON report when it wrote one.
step() {
	local name=$1; shift
	echo "== $name" >&2
	"$sb" measure -- "$@" 2>"$work/$name.measure" || { cat "$work/$name.measure" >&2; return 1; }
	python3 - "$name" "$work/$name.measure" "$work/$name.json" >>"$results" <<'PY'
import json, os, sys
name, measure, report = sys.argv[1:4]
m = json.loads(open(measure).read().strip().splitlines()[-1])
row = {"step": name, "wall_s": round(m["wall_s"], 2), "max_rss_mib": round(m.get("max_rss_mib", 0), 1)}
if os.path.exists(report):
    r = json.load(open(report))
    for k in ("listings", "unchanged", "candidates", "images_decoded", "images_cached", "resumed"):
        if k in r:
            row[k] = r[k]
    row["findings"] = len(r.get("findings") or [])
print(json.dumps(row))
PY
	tail -n 1 "$results" >&2
}

corpus=$work/corpus
if [ ! -f "$corpus/listings.jsonl" ]; then
	step generate "$work/bin/marketgen" synth -out "$corpus" -n "$n" -workers "$(nproc)"
fi

# 1. Seed: every image decoded (filling the image cache), listings stored,
# no rule run.
rm -f "$work"/seed.db* "$work"/images.db*
step seed-sqlite "$ls" scan "$corpus/listings.jsonl" --index-only --store "sqlite:$work/seed.db" --image-cache "$work/images.db" --format json --out "$work/seed-sqlite.json"
if [ -n "$es" ]; then
	prefix="scale$n"
	curl -fsS -X DELETE "$es/${prefix}-*" >/dev/null 2>&1 || true
	step seed-es "$ls" scan "$corpus/listings.jsonl" --index-only --store "$es" --es-index-prefix "$prefix" --image-cache "$work/images.db" --format json --out "$work/seed-es.json"
fi

# 2. Incremental: 1% and then 10% of the listings change; only those are
# fingerprinted and matched against the whole catalogue.
for share in 0.01 0.10; do
	"$sb" mutate -in "$corpus/listings.jsonl" -out "$corpus/changed-$share.jsonl" -share "$share" -seed 7 >>"$work/mutate.log"
	cp "$work/seed.db" "$work/incr.db"
	rm -f "$work"/incr.db-*
	step "scan-incremental-$share" "$ls" scan "$corpus/changed-$share.jsonl" --incremental --store "sqlite:$work/incr.db" --image-cache "$work/images.db" --format json --out "$work/scan-incremental-$share.json"
	rm -f "$corpus/changed-$share.jsonl"
done

# 3. Full scans with the image cache warm, into fresh stores (with -full:
# they run every rule over every listing and take long).
if [ -n "$full" ]; then
	rm -f "$work"/full.db*
	step scan-full-sqlite "$ls" scan "$corpus/listings.jsonl" --store "sqlite:$work/full.db" --image-cache "$work/images.db" --format json --out "$work/scan-full-sqlite.json"
	if [ -n "$es" ]; then
		curl -fsS -X DELETE "$es/full$n-*" >/dev/null 2>&1 || true
		step scan-full-es "$ls" scan "$corpus/listings.jsonl" --store "$es" --es-index-prefix "full$n" --image-cache "$work/images.db" --format json --out "$work/scan-full-es.json"
	fi
fi

# 4. Pre-publish checks: updates and copies of live listings, posted with
# their images inline, at a fixed rate.
"$sb" drafts -in "$corpus/listings.jsonl" -out "$work/drafts" -n 200 >"$work/drafts.log"
token=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf 'publisher %s bench\n' "$token" >"$work/tokens"
check_latency() {
	local name=$1; shift
	local port=$1; shift
	"$ls" serve --addr "127.0.0.1:$port" --tokens "$work/tokens" --image-cache "$work/images.db" "$@" 2>"$work/$name.serve.log" &
	local pid=$!
	for _ in $(seq 1 100); do
		curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
		sleep 0.2
	done
	# One pass warms the service (the image index is loaded on first use).
	LISTINGSCAN_TOKEN=$token "$ls" loadtest "$work"/drafts/*.json --url "http://127.0.0.1:$port" --rate 20 --duration 3s >/dev/null 2>&1 || true
	echo "== $name" >&2
	LISTINGSCAN_TOKEN=$token "$ls" loadtest "$work"/drafts/*.json --url "http://127.0.0.1:$port" --rate "$rate" --duration "$duration" --format json >"$work/$name.json"
	kill "$pid"; wait "$pid" 2>/dev/null || true
	python3 -c 'import json,sys; r=json.load(open(sys.argv[2])); r["step"]=sys.argv[1]; print(json.dumps(r))' "$name" "$work/$name.json" >>"$results"
	tail -n 1 "$results" >&2
}
shift $# || true
check_latency check-sqlite 18431 --store "sqlite:$work/seed.db"
if [ -n "$es" ]; then
	check_latency check-es 18432 --store "$es" --es-index-prefix "scale$n"
fi

# 5. Self-join of a million hashes.
"$work/bin/marketgen" hashes -out "$work/hashes-1m.bin" -n 1000000 >/dev/null
"$sb" selfjoin -hashes "$work/hashes-1m.bin" $brute | python3 -c 'import json,sys; r=json.load(sys.stdin); r["step"]="selfjoin-1m"; print(json.dumps(r))' >>"$results"
tail -n 1 "$results" >&2

echo "results: $results"
cat "$results"
