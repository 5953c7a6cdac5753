#!/usr/bin/env bash
# Runs every cargo-fuzz target for a while and prints what it found.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]     (SECONDS per target, default 60; all targets)
#
# Needs nightly and cargo-fuzz (`cargo install cargo-fuzz`). Not part of .ci/run: it takes
# minutes per target. New inputs go to fuzz/target/corpus-work/<target> (ignored by git),
# seeded from the committed fuzz/corpus/<target>, which stays small; crash, timeout and
# slow-unit inputs go to fuzz/artifacts/<target>/. One log per target in
# fuzz/target/fuzz-logs/.
#
# Per target it prints executions, libFuzzer's final coverage (cov = edges, ft = features),
# new corpus inputs, the slowest input's time, crashes (crash/leak/timeout/oom artifacts, or
# a run that failed without one) and slow inputs (> SLOW seconds, default 1, saved as
# slow-unit-*). Exit status: 0 when no target crashed, 1 when any did, 2 when the targets do
# not build.
#
# Environment: TIMEOUT (s, default 30: one input running longer is a crash), SLOW (s,
# default 1), RSS_MB (default 2048), FUZZ_TOOLCHAIN (default nightly).
set -uo pipefail

secs="${1:-60}"
shift || true
case "$secs" in
'' | *[!0-9]*)
    echo "usage: $0 [SECONDS] [TARGET...]" >&2
    exit 2
    ;;
esac
timeout_s="${TIMEOUT:-30}"
slow_s="${SLOW:-1}"
rss_mb="${RSS_MB:-2048}"
toolchain="+${FUZZ_TOOLCHAIN:-nightly}"

cd "$(dirname "$0")/../fuzz" || exit 2

if [ "$#" -gt 0 ]; then
    targets=("$@")
else
    mapfile -t targets < <(cargo "$toolchain" fuzz list)
fi
if [ "${#targets[@]}" -eq 0 ]; then
    echo "no fuzz targets found" >&2
    exit 2
fi

echo "== building the fuzz targets"
if ! cargo "$toolchain" fuzz build; then
    echo "fuzz targets do not build" >&2
    exit 2
fi

mkdir -p target/fuzz-logs
rows=()
any_crash=0
for t in "${targets[@]}"; do
    work="target/corpus-work/$t"
    art="artifacts/$t"
    log="target/fuzz-logs/$t.log"
    mkdir -p "$work" "$art" "corpus/$t"
    before="$(ls "$art")"
    dict=()
    [ -f "$t.dict" ] && dict=("-dict=$t.dict")
    echo "== $t: ${secs}s (log: fuzz/$log)"
    cargo "$toolchain" fuzz run "$t" "$work" "corpus/$t" -- \
        -max_total_time="$secs" -timeout="$timeout_s" -rss_limit_mb="$rss_mb" \
        -report_slow_units="$slow_s" -print_final_stats=1 "${dict[@]}" >"$log" 2>&1
    rc=$?
    new="$(comm -13 <(printf '%s\n' "$before" | sort) <(ls "$art" | sort))"
    crashes="$(printf '%s\n' "$new" | grep -cE '^(crash|leak|timeout|oom)-' || true)"
    slow="$(printf '%s\n' "$new" | grep -c '^slow-unit-' || true)"
    if [ "$rc" -ne 0 ] && [ "$crashes" -eq 0 ]; then
        crashes=1 # failed without an artifact (e.g. a build error): count it
    fi
    [ "$crashes" -gt 0 ] && any_crash=1
    execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)"
    rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n1)"
    added="$(sed -n 's/^stat::new_units_added: *//p' "$log" | tail -n1)"
    slowest="$(sed -n 's/^stat::slowest_unit_time_sec: *//p' "$log" | tail -n1)"
    cov="$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -n1 | awk '{print $2 "/" $4}')"
    rows+=("$(printf '%-14s %5s %12s %8s %13s %6s %8s %8s %5s' "$t" "$secs" \
        "${execs:-?}" "${rate:-?}" "${cov:-?}" "${added:-?}" "${slowest:-?}" "$crashes" "$slow")")
    if [ -n "$new" ]; then
        printf '%s\n' "$new" | sed "s|^|   new artifact: fuzz/$art/|"
    fi
    if [ "$crashes" -gt 0 ]; then
        echo "   $t FAILED (exit $rc); the end of its log:"
        tail -n 40 "$log" | sed 's/^/   | /'
    fi
done

echo
printf '%-14s %5s %12s %8s %13s %6s %8s %8s %5s\n' target secs executions exec/s "cov/ft" "new" "slowest" crashes slow
for r in "${rows[@]}"; do
    echo "$r"
done
if [ "$any_crash" -ne 0 ]; then
    echo "crashes found: inputs are in fuzz/artifacts/<target>/" >&2
    exit 1
fi
