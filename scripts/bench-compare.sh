#!/usr/bin/env bash
# The whole-process measurements behind docs/PERFORMANCE.md's table:
#   [RUNS=15 ROUNDS=5 KEYGEN_RUNS=9 SCALE_RUNS=3 BA_RUNS=60] bash scripts/bench-compare.sh
#   BEFORE_BIN=/path/to/old/sdkit bash scripts/bench-compare.sh   (adds a before/after table)
# (a) restore-blob vs `az keyvault security-domain restore-blob` (azure-cli 2.91.0), real SD;
# (b) keygen of 3 RSA-3072 keys + certificates vs three `openssl req -newkey rsa:3072 -x509`;
# (c) 3-key drill of the real SD vs the RSA floor (3 RSA-2048 ops at `openssl speed`'s rate,
#     which drifts, so ROUNDS rounds each follow their own `openssl speed`) and (c') vs
#     bare_unwrap (crates/sdkit-certs/examples: only loads the keys and unwraps the share
#     keys) in the same rounds; (c'') a drill with 3 passphrase-encrypted keys;
# (d) split N=127 M=64 over 1 MiB, drills with 127 and 64 keys vs the floor.
# BEFORE_BIN also runs the drills of (c), (c'') and (d, 127 keys) with that binary, BA_RUNS
# runs each in batches of 5 interleaved with the new one's (on a noisy VM a few batches are not
# enough to see a 5% difference). Timing: `hyperfine -N`, one warm-up, batches of at most 5
# runs; memory: one more run under GNU time (%M). Output: stdout and target/bench-compare/results.md.
# Needs cargo, GNU time, openssl, python3 (and PyPI, ~300 MB, if the az venv is missing) and
# hyperfine (`cargo install`ed into target/bench-tools if not on PATH); as root on Debian/Ubuntu
# missing packages come from apt-get. Also: SKIP_AZ=1, SKIP_SCALE=1, SDKIT_BIN (default: built
# by scripts/build-release.sh), AZ_VENV (default target/az-venv, shared with az-oracle.sh).
# Exit status: 0 all ran (missed targets are reported), 1 a command failed, 2 a tool missing.
# SC2034/SC2153: command arrays go to bench by name and bench sets MED_i etc.; SC2016: bash -c's
# script in (b) is single-quoted on purpose.
# shellcheck disable=SC2016,SC2034,SC2153
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
RUNS=${RUNS:-15} ROUNDS=${ROUNDS:-5} KEYGEN_RUNS=${KEYGEN_RUNS:-9} SCALE_RUNS=${SCALE_RUNS:-3} BA_RUNS=${BA_RUNS:-60}
vectors="$repo/test-vectors/azure-sd"
sd_real="$vectors/sd-2023-11-07_15e0e830.json"
exchange_cert="$vectors/exchange-key-2023-11-07_15e0e830.pem"
out_dir="$repo/target/bench-compare" work="$repo/target/bench-compare/work"
mkdir -p "$out_dir"

say() { printf 'bench-compare: %s\n' "$*" >&2; }
# die CODE MESSAGE [HINT...]
die() {
    printf 'bench-compare: ERROR: %s\n' "$2" >&2
    [ $# -lt 3 ] || printf '  %s\n' "${@:3}" >&2
    exit "$1"
}

# ---------------------------------------------------------------- tools
# apt_install PACKAGE WHAT: as root with apt-get, installs it; otherwise says what to install.
apt_install() {
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        die 2 "$2 is missing" "Debian/Ubuntu: sudo apt-get install $1; elsewhere the package that provides it"
    fi
    say "installing $1 with apt-get ($2)"
    apt-get update -qq >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null 2>&1 || die 2 "apt-get install $1 failed"
}
gnu_time=/usr/bin/time
"$gnu_time" -f '%M' true >/dev/null 2>&1 || apt_install time "GNU time (/usr/bin/time with -f)"
"$gnu_time" -f '%M' true >/dev/null 2>&1 || die 2 "$gnu_time does not accept -f: GNU time is needed"
command -v openssl >/dev/null 2>&1 || apt_install openssl "the openssl command"
command -v python3 >/dev/null 2>&1 || apt_install python3 "python3"
command -v cargo >/dev/null 2>&1 || die 2 "cargo is not installed" "install Rust (rustup), then rerun"
hyperfine=$(command -v hyperfine || echo "$repo/target/bench-tools/bin/hyperfine")
if ! [ -x "$hyperfine" ]; then
    say "installing hyperfine 1.20.0 into target/bench-tools (cargo install, about a minute)"
    cargo install -q --locked --root "$repo/target/bench-tools" hyperfine@1.20.0 >"$out_dir/hyperfine-install.log" 2>&1 ||
        die 2 "cargo install hyperfine failed (log: $out_dir/hyperfine-install.log)" "is crates.io reachable? or put hyperfine on PATH"
fi
if [ -z "${SDKIT_BIN:-}" ]; then
    say "building sdkit with scripts/build-release.sh (several minutes the first time)"
    SDKIT_BIN=$(bash scripts/build-release.sh) || die 1 "scripts/build-release.sh failed"
fi
sdkit=$SDKIT_BIN before=${BEFORE_BIN:-}
[ -x "$sdkit" ] || die 2 "SDKIT_BIN=$sdkit is not executable"
[ -z "$before" ] || [ -x "$before" ] || die 2 "BEFORE_BIN=$before is not executable"
# Built and linked as the sdkit binary is, so that their start-up costs compare.
bare=$(bash scripts/build-release.sh --example bare_unwrap 2>/dev/null) ||
    die 1 "building crates/sdkit-certs/examples/bare_unwrap.rs failed" "run: bash scripts/build-release.sh --example bare_unwrap"
linkage=$(file -b "$sdkit" 2>/dev/null | grep -o 'static-pie linked\|statically linked\|dynamically linked' || true)
say "measuring $("$sdkit" -V) at $sdkit (${linkage:-linkage unknown}) with $("$hyperfine" -V) -N"
[ -z "$before" ] || say "before/after against $("$before" -V) at $before"

# ---------------------------------------------------------------- measuring
q() { printf '%q ' "$@"; } # one command line that hyperfine -N splits back into words
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.6f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
lowest() { printf '%s\n' "$@" | sort -g | head -n 1; }
highest() { printf '%s\n' "$@" | sort -g | tail -n 1; }
range() { printf '%s-%s' "$(lowest "$@")" "$(highest "$@")"; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
ms() { awk -v s="$1" 'BEGIN { printf "%.1f", s * 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
tm() { printf '%s ms (min %s)' "$(ms "$1")" "$(ms "$2")"; }

# bench RUNS SETUP ARRAY [ARRAY]: one or two commands, given as names of arrays; SETUP (a
# script, or empty) runs before each run. Each command runs once under GNU time (peak RSS;
# also warms the page cache and shows a failure's output), then RUNS times by hyperfine
# after a warm-up; two commands in batches of up to 5 that take turns going first (FLIP=1:
# the second first), so that other load slows both alike. Sets MED_i, MIN_i, RSS_i (KiB)
# and the array T_i (seconds) for the i-th command.
bench() {
    local runs=$1 setup=$2 n=0 chunk flip i ref med line times lines=() prep=()
    shift 2
    T_0=() T_1=()
    [ -z "$setup" ] || prep=(--prepare "$(q bash "$setup")")
    for ((i = 0; i < $#; i++)); do
        ref="${*:i+1:1}[@]"
        [ -z "$setup" ] || bash "$setup"
        "$gnu_time" -f '%M' -o "$out_dir/time.out" "${!ref}" >"$out_dir/last.log" 2>&1 ||
            { tail -n 20 "$out_dir/last.log" >&2; die 1 "command failed: ${!ref}"; }
        printf -v "RSS_$i" %s "$(tail -n 1 "$out_dir/time.out")"
        lines[i]=$(q "${!ref}")
    done
    while [ "$n" -lt "$runs" ]; do
        chunk=$((runs - n < 5 ? runs - n : 5)) flip=$((($# - 1) * ((n / 5 + ${FLIP:-0}) % 2)))
        "$hyperfine" -N --warmup 1 --runs "$chunk" --style none --export-json "$out_dir/run.json" "${prep[@]}" \
            -- "${lines[flip]}" "${lines[@]:1-flip:$# - 1}" >"$out_dir/hyperfine.log" 2>&1 ||
            { tail -n 20 "$out_dir/hyperfine.log" >&2; die 1 "hyperfine failed (log above)"; }
        i=$flip
        while IFS= read -r line; do
            read -ra times <<<"$line"
            if [ "$i" = 0 ]; then T_0+=("${times[@]}"); else T_1+=("${times[@]}"); fi
            i=$((1 - i))
        done < <(python3 -c 'import json, sys
for r in json.load(open(sys.argv[1]))["results"]: print(" ".join("%.9f" % t for t in r["times"]))' "$out_dir/run.json")
        n=$((n + chunk))
    done
    for ((i = 0; i < $#; i++)); do
        ref="T_${i}[@]" && med=$(median "${!ref}")
        printf -v "MED_$i" %s "$med"
        printf -v "MIN_$i" %s "$(lowest "${!ref}")"
        ref="RSS_$i" && say "$(printf '%-12s' "${*:i+1:1}") median $(ms "$med") ms of $runs, peak RSS $(mib "${!ref}") MiB"
    done
}

rows=() ba_rows=() verdicts=()
row() { rows+=("$(printf '| %s | %s | %s | %s | %s |' "$@")"); }
# check AWK_CONDITION TEXT: a target met or not, judged on unrounded numbers.
check() { if awk "BEGIN { exit !($1) }"; then verdicts+=("MET     $2"); else verdicts+=("NOT MET $2"); fi; }

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
rm -rf "$work"
mkdir -p "$work/keys" "$work/enc" "$work/keygen"
for i in 1 2 3; do cp "$vectors/sd$i.pem" "$vectors/sd$i.cer" "$work/keys/"; done

# ---------------------------------------------------------------- (a) restore-blob
printf 'rm -f %q %q\n' "$work/blob-az.json" "$work/blob-sdkit.json" >"$work/rm-blob.sh"
sdkit_blob=("$sdkit" -q restore-blob "$sd_real" --key "$work/keys/sd1.pem" --key "$work/keys/sd2.pem"
    --exchange-key "$exchange_cert" --out "$work/blob-sdkit.json")
label="(a) restore-blob, real SD, 2 keys, RSA-4096 exchange cert"
if [ "${SKIP_AZ:-}" != 1 ]; then
    venv=${AZ_VENV:-$repo/target/az-venv} && py="$venv/bin/python"
    az_ok() { "$py" -c 'import azure.cli.core, azure.common, msrest, cryptography' >/dev/null 2>&1; }
    exec 9>"$(dirname "$venv")/az-oracle.lock" # scripts/az-oracle.sh holds it while it builds
    command -v flock >/dev/null 2>&1 && flock 9
    if ! az_ok; then # scripts/az-oracle.sh's recipe, less the oracle's securitydomain package
        python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || apt_install python3-venv "the python3 venv module"
        say "creating $venv (azure-cli 2.91.0; about a minute, ~300 MB from PyPI)"
        log="$out_dir/az-venv-install.log" pin=() pip=("$py" -m pip --disable-pip-version-check --no-input install)
        [ -f scripts/az-oracle/constraints.txt ] && pin=(-c scripts/az-oracle/constraints.txt)
        rm -rf "$venv"
        { python3 -m venv "$venv" && "${pip[@]}" --no-deps "${pin[@]}" azure-cli==2.91.0 azure-common==1.1.28 &&
            "${pip[@]}" "${pin[@]}" azure-cli-core==2.91.0 msrest; } >"$log" 2>&1 ||
            die 2 "making the az venv failed (log: $log)" "is PyPI reachable? or rerun with SKIP_AZ=1"
        az_ok || die 2 "the az venv does not import (log: $log)" "rm -rf $venv and rerun, or SKIP_AZ=1"
    fi
    exec 9>&-
    mkdir -p "$out_dir/az-config"
    export AZURE_CONFIG_DIR="$out_dir/az-config" AZURE_CORE_COLLECT_TELEMETRY=no AZURE_CORE_SURVEY_MESSAGE=no
    export AZURE_CORE_NO_COLOR=yes AZURE_CORE_ONLY_SHOW_ERRORS=yes AZURE_CORE_DISABLE_PROGRESS_BAR=yes
    az_blob=("$py" -m azure.cli keyvault security-domain restore-blob --sd-file "$sd_real"
        --sd-exchange-key "$exchange_cert" --sd-wrapping-keys "$work/keys/sd1.pem" "$work/keys/sd2.pem"
        --sd-file-restore-blob "$work/blob-az.json")
    # Once unmeasured: Python writes its .pyc caches and az its config.
    "${az_blob[@]}" >"$out_dir/last.log" 2>&1 || { cat "$out_dir/last.log" >&2; die 1 "az restore-blob failed"; }
    bench "$RUNS" "$work/rm-blob.sh" az_blob sdkit_blob
    row "$label" "az $(tm "$MED_0" "$MIN_0")" "$(tm "$MED_1" "$MIN_1")" \
        "sdkit $(ratio "$MED_0" "$MED_1")x faster" "az $(mib "$RSS_0") / sdkit $(mib "$RSS_1") MiB"
    check "$MED_0 / $MED_1 >= 30" "restore-blob >= 30x faster than az: $(ratio "$MED_0" "$MED_1")x"
    RSS_0=$RSS_1
else
    bench "$RUNS" "$work/rm-blob.sh" sdkit_blob
    row "$label" "(az skipped)" "$(tm "$MED_0" "$MIN_0")" "" "$(mib "$RSS_0") MiB"
fi
check "$RSS_0 < 16384" "restore-blob peak RSS < 16 MiB: $(mib "$RSS_0") MiB"

# ---------------------------------------------------------------- (b) keygen
kg="$work/keygen"
printf 'rm -rf %q && mkdir -p %q\n' "$kg" "$kg" >"$work/fresh-kg.sh"
script='for i in 1 2 3; do openssl req -newkey rsa:3072 -nodes -keyout "$1/k$i.pem" -x509 -days 365'
script+=' -out "$1/c$i.pem" -subj "/CN=SD Key $i" 2>/dev/null || exit 1; done' # one line: hyperfine splits it
openssl_kg=(bash -c "$script" openssl-keygen "$kg")
sdkit_kg=("$sdkit" -q keygen --holders 3 --bits 3072 --no-passphrase --out-dir "$kg")
bench "$KEYGEN_RUNS" "$work/fresh-kg.sh" openssl_kg sdkit_kg
row "(b) 3 custodian keys + certs, RSA-3072 (random: median of $KEYGEN_RUNS)" "openssl $(tm "$MED_0" "$MIN_0")" \
    "$(tm "$MED_1" "$MIN_1")" "sdkit $(ratio "$MED_0" "$MED_1")x faster" "openssl $(mib "$RSS_0") / sdkit $(mib "$RSS_1") MiB"
check "$MED_1 <= $MED_0" "keygen of 3 no slower than openssl: $(ms "$MED_1") vs $(ms "$MED_0") ms"

# ---------------------------------------------------------------- (c) 3-key drill
# bare_unwrap's inputs: the wrapped share keys, found in the SD by each certificate's thumbprint.
python3 - "$sd_real" "$work/keys" <<'PY' || die 1 "could not extract the wrapped share keys"
import base64, hashlib, json, sys
sd, keys = json.load(open(sys.argv[1])), sys.argv[2]
shares = {s["x5t_256"]: s["enc_key"] for s in sd["SharedKeys"]["enc_shares"]}
for i in (1, 2, 3):
    pem = open(f"{keys}/sd{i}.cer").read()
    der = base64.b64decode("".join(l for l in pem.splitlines() if l and not l.startswith("-----")))
    wrapped = shares[base64.urlsafe_b64encode(hashlib.sha256(der).digest()).rstrip(b"=").decode()].split(".")[1]
    open(f"{keys}/share{i}.key.bin", "wb").write(base64.urlsafe_b64decode(wrapped + "=" * (-len(wrapped) % 4)))
PY
drill_cmd=("$sdkit" -q drill "$sd_real" --key "$work/keys/sd1.pem" --key "$work/keys/sd2.pem" --key "$work/keys/sd3.pem")
bare_cmd=("$bare")
for i in 1 2 3; do bare_cmd+=("$work/keys/sd$i.pem" "$work/keys/share$i.key.bin"); done
# At least 20 runs of each per round: they take milliseconds, and with 5 a round's ratio to
# bare_unwrap swung from 1.25x to 1.69x within one run on the noisy VM.
per_round=$(((RUNS + ROUNDS - 1) / ROUNDS))
[ "$per_round" -ge 20 ] || per_round=20
rates=() floor_ratios=() bare_ratios=() dts=() bts=()
for ((r = 0; r < ROUNDS; r++)); do
    # -mr: "+F2:index:bits:sign/s:verify/s..."
    rate=$(openssl speed -mr -seconds 1 rsa2048 2>/dev/null | awk -F: '/^\+F2:/ { printf "%.0f", $4; exit }')
    [ -n "$rate" ] || die 1 "could not read the sign/s of \`openssl speed -mr -seconds 1 rsa2048\`"
    say "round $((r + 1)) of $ROUNDS: openssl speed rsa2048 $rate sign/s"
    FLIP=$((r % 2)) bench "$per_round" "" drill_cmd bare_cmd
    rates+=("$rate") dts+=("${T_0[@]}") bts+=("${T_1[@]}")
    floor_ratios+=("$(awk -v t="$MED_0" -v r="$rate" 'BEGIN { printf "%.2f", t * r / 3 }')")
    bare_ratios+=("$(ratio "$MED_0" "$MED_1")")
done
dr_med=$(median "${dts[@]}") dr_min=$(lowest "${dts[@]}") dr_rss=$RSS_0 rate_max=$(highest "${rates[@]}")
row "(c) drill, real SD, 3 keys vs RSA floor ($ROUNDS rounds, each after its own \`openssl speed\`)" \
    "floor $(awk -v r="$(median "${rates[@]}")" 'BEGIN { printf "%.1f", 3000 / r }') ms (3 RSA-2048 ops at $(range "${rates[@]}") sign/s)" \
    "$(tm "$dr_med" "$dr_min")" "$(median "${floor_ratios[@]}")x the floor (rounds $(range "${floor_ratios[@]}"))" "$(mib "$dr_rss") MiB"
bare_ratio=$(median "${bare_ratios[@]}")
row "(c') same drill vs bare_unwrap (load 3 keys, unwrap 3 share keys, all cores), same rounds" \
    "bare $(tm "$(median "${bts[@]}")" "$(lowest "${bts[@]}")")" "$(tm "$dr_med" "$dr_min")" \
    "${bare_ratio}x bare (rounds $(range "${bare_ratios[@]}"))" "bare $(mib "$RSS_1") / sdkit $(mib "$dr_rss") MiB"
check "$bare_ratio <= 1.5" "3-key drill within 1.5x of bare_unwrap: ${bare_ratio}x (median of $ROUNDS rounds)"
check "$dr_rss < 16384" "drill peak RSS < 16 MiB: $(mib "$dr_rss") MiB"
version_cmd=("$sdkit" --version)
bench "$RUNS" "" version_cmd
row "start-up: \`sdkit --version\`" "" "$(tm "$MED_0" "$MIN_0")" "" "$(mib "$RSS_0") MiB"

# ---------------------------------------------------------------- (c'') encrypted keys
enc="$work/enc"
printf 'bench-compare passphrase\n' >"$enc/pass.txt"
head -c 12288 /dev/urandom >"$enc/item.bin"
{ "$sdkit" -q keygen --holders 3 --bits 2048 --passphrase-file "$enc/pass.txt" --out-dir "$enc" &&
    "$sdkit" -q split --in "item=$enc/item.bin" --quorum 2 --out "$enc/sd.json" \
        --cert "$enc/sd-key1.cer" --cert "$enc/sd-key2.cer" --cert "$enc/sd-key3.cer"; } >"$out_dir/last.log" 2>&1 ||
    { cat "$out_dir/last.log" >&2; die 1 "making 3 encrypted keys and an SD for them failed"; }
enc_args=(-q drill "$enc/sd.json" --passphrase-file "$enc/pass.txt"
    --key "$enc/sd-key1.pem" --key "$enc/sd-key2.pem" --key "$enc/sd-key3.pem")
enc_cmd=("$sdkit" "${enc_args[@]}")
bench "$RUNS" "" enc_cmd
row "(c'') drill, 3 encrypted RSA-2048 keys (--passphrase-file), 12 KiB item" "plain keys (c) $(ms "$dr_med") ms" \
    "$(tm "$MED_0" "$MIN_0")" "$(ratio "$MED_0" "$dr_med")x (c)" "$(mib "$RSS_0") MiB"

# ---------------------------------------------------------------- (d) N=127
if [ "${SKIP_SCALE:-}" != 1 ]; then
    sc="$out_dir/scale-127"
    if ! [ -f "$sc/keys/sd-key127.cer" ]; then # 127 RSA-2048 keys take a while: kept for later runs
        rm -rf "$sc"
        say "sdkit keygen --holders 127 --bits 2048 (once; kept in $sc)"
        "$sdkit" -q keygen --holders 127 --bits 2048 --no-passphrase --out-dir "$sc/keys" 2>"$out_dir/last.log" ||
            { cat "$out_dir/last.log" >&2; die 1 "keygen of 127 keys failed"; }
    fi
    head -c 1048576 /dev/urandom >"$sc/data.bin"
    certs=() keys127=()
    for i in $(seq 1 127); do certs+=(--cert "$sc/keys/sd-key$i.cer") keys127+=(--key "$sc/keys/sd-key$i.pem"); done
    printf 'rm -f %q\n' "$sc/sd.json" >"$work/rm-sd.sh"
    split_cmd=("$sdkit" -q split --in "data=$sc/data.bin" "${certs[@]}" --quorum 64 --out "$sc/sd.json")
    bench 1 "$work/rm-sd.sh" split_cmd
    row "(d) split N=127 M=64, 1 MiB item (1 run)" "" "$(ms "$MED_0") ms" "" "$(mib "$RSS_0") MiB"
    for n in 127 64; do
        scale_cmd=("$sdkit" -q drill "$sc/sd.json" "${keys127[@]:0:2*n}")
        bench "$SCALE_RUNS" "" scale_cmd
        floor=$(awk -v r="$rate_max" -v n="$n" 'BEGIN { printf "%.6f", n / r }') # the fastest rate: the strictest floor
        row "(d) drill N=127 M=64, $n keys" "floor $(ms "$floor") ms ($n ops at $rate_max/s)" "$(tm "$MED_0" "$MIN_0")" \
            "$(ratio "$MED_0" "$floor")x the floor" "$(mib "$RSS_0") MiB"
        check "$MED_0 / $floor <= 3" "drill within 3x of the RSA floor for N >= 10 ($n keys): $(ratio "$MED_0" "$floor")x"
    done
fi

# ---------------------------------------------------------------- before/after
# ba LABEL LIMIT ARGS...: the old and the new binary with ARGS; new/old must be <= LIMIT.
ba() {
    old_cmd=("$before" "${@:3}") new_cmd=("$sdkit" "${@:3}")
    say "before/after: $1"
    bench "$BA_RUNS" "" old_cmd new_cmd
    ba_rows+=("$(printf '| %s | %s | %s | %sx (fastest %sx) | %s / %s MiB |' "$1" "$(tm "$MED_0" "$MIN_0")" \
        "$(tm "$MED_1" "$MIN_1")" "$(ratio "$MED_1" "$MED_0")" "$(ratio "$MIN_1" "$MIN_0")" "$(mib "$RSS_0")" "$(mib "$RSS_1")")")
    check "$MED_1 / $MED_0 <= $2" "$1: after/before <= $2x: $(ratio "$MED_1" "$MED_0")x"
}
if [ -n "$before" ]; then
    ba "drill, real SD, 3 keys" 1.3 "${drill_cmd[@]:1}"
    ba "drill, 3 encrypted keys" 1.0 "${enc_args[@]}"
    [ "${SKIP_SCALE:-}" = 1 ] || ba "drill N=127, 127 keys" 1.0 -q drill "$sc/sd.json" "${keys127[@]}"
fi

# ---------------------------------------------------------------- report
{
    echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') at commit $(git describe --always --dirty 2>/dev/null || echo unknown)" \
        "on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')), load average $load_before before," \
        "$(cut -d' ' -f1-3 /proc/loadavg) after; $("$sdkit" -V) (${linkage:-linkage unknown}), $(openssl version | cut -d' ' -f1-2);" \
        "medians of $RUNS runs (keygen $KEYGEN_RUNS, N=127 $SCALE_RUNS; (c) $ROUNDS rounds of $per_round; before/after $BA_RUNS), $("$hyperfine" -V) -N."
    printf '\n| measurement | baseline | sdkit | ratio | peak RSS |\n|---|---|---|---|---|\n'
    printf '%s\n' "${rows[@]}"
    if [ -n "$before" ]; then
        printf '\nBefore: %s (%s); after: %s.\n\n' "$("$before" -V)" "$before" "$sdkit"
        printf '| drill | before | after | after/before | peak RSS before / after |\n|---|---|---|---|---|\n'
        printf '%s\n' "${ba_rows[@]}"
    fi
    printf '\nTargets:\n'
    printf -- '- %s\n' "${verdicts[@]}"
} | tee "$out_dir/results.md"
say "written to $out_dir/results.md"
