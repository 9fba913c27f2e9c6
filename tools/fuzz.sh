#!/usr/bin/env bash
# Runs every fuzz target of the module for a bounded time each, for CI.
#
#   tools/fuzz.sh              # all targets within FUZZ_BUDGET (default 150s)
#   FUZZTIME=2m tools/fuzz.sh  # each target for 2 minutes, by hand
#   tools/fuzz.sh FuzzLoadJSON # only the named targets
#
# Targets are found with `go test -list`, so a new Fuzz function is picked
# up without editing this script. Unless FUZZTIME is set, the budget is
# shared equally among the targets (at least 5s each), so adding targets
# does not lengthen CI. A crash makes go test write the input to
# PKG/testdata/fuzz/TARGET/ (commit it: it becomes a regression test that
# plain `go test` runs) and this script exit 1 after running the rest.
set -euo pipefail
cd "$(dirname "$0")/.."

only=("$@")
start=$(date +%s)

runs=()
for dir in $(grep -rl --include='*_test.go' '^func Fuzz' . | xargs -n1 dirname | sort -u); do
	for target in $(go test -list '^Fuzz' "$dir" | grep '^Fuzz' || true); do
		if ((${#only[@]} > 0)) && [[ ! " ${only[*]} " == *" $target "* ]]; then
			continue
		fi
		runs+=("$dir $target")
	done
done
if ((${#runs[@]} == 0)); then
	echo "fuzz: no targets" >&2
	exit 1
fi
if [[ -n "${FUZZTIME:-}" ]]; then
	fuzztime="$FUZZTIME"
else
	per=$((${FUZZ_BUDGET:-150} / ${#runs[@]}))
	fuzztime="$((per < 5 ? 5 : per))s"
fi

failed=()
for run in "${runs[@]}"; do
	read -r dir target <<<"$run"
	log=$(mktemp)
	status=0
	# -short: a package's TestMain may prepare fixtures for its long tests,
	# and every fuzz worker process runs it.
	go test -short -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$dir" >"$log" 2>&1 || status=$?
	# The engine's counters lag for slow targets; the last one printed is
	# a lower bound.
	execs=$(grep -o 'execs: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo 0)
	if ((status == 0)); then
		printf 'ok    %-28s %-14s >= %8s execs in %s\n' "$target" "$dir" "$execs" "$fuzztime"
	elif ! grep -q 'Failing input written' "$log" && grep -q '^    context deadline exceeded$' "$log"; then
		# The fuzzing engine of Go 1.26 can report its own -fuzztime
		# deadline as a failure when a worker is mid-input
		# (go.dev/issue/75804); no input failed, so it is not one.
		printf 'ok    %-28s %-14s >= %8s execs in %s (engine deadline race, no failing input)\n' "$target" "$dir" "$execs" "$fuzztime"
	else
		printf 'FAIL  %-28s %-14s\n' "$target" "$dir"
		sed 's/^/      /' "$log" | tail -40
		failed+=("$dir:$target")
	fi
	rm -f "$log"
done

echo "fuzz: ${#runs[@]} targets, ${#failed[@]} failed, $(($(date +%s) - start))s"
if ((${#failed[@]} > 0)); then
	printf '  %s\n' "${failed[@]}"
	exit 1
fi
