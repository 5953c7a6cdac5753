#!/usr/bin/env bash
# Whole-process comparison of sdkit with the tools it replaces, and a scaling run.
#
#   bash scripts/bench-compare.sh
#
# Measures the median wall time of RUNS runs and the peak resident memory (max RSS) of:
#   (a) `sdkit restore-blob` vs `az keyvault security-domain restore-blob` (azure-cli
#       2.91.0 from target/az-venv), on the real SD test-vectors/azure-sd/sd-2023-11-07_*.json
#       with custodian keys sd1+sd2 and the real 4096-bit HSM exchange certificate;
#   (b) `sdkit keygen --holders 3 --bits 3072 --no-passphrase` vs three
#       `openssl req -newkey rsa:3072 -nodes -x509 ...` run one after another;
#   (c) `sdkit drill` with all 3 keys on the same SD vs the RSA floor: the RSA-2048
#       private-key operations the drill needs (3 share unwraps: each key's .cer sits beside
#       it, so no key is tried against a foreign share) times the per-operation time of
#       `openssl speed -seconds 1 rsa2048` (its sign/s rate); and the same drill against
#       three `openssl pkeyutl -decrypt` processes that only unwrap the 3 share keys (what
#       OpenSSL alone would need, a lower bound for an OpenSSL-based drill); and against
#       crates/sdkit-certs/examples/bare_unwrap.rs, one process that does nothing but load
#       the 3 keys into AWS-LC and unwrap the 3 share keys on all cores (no SD, no shares,
#       no recombination: a lower bound for any AWS-LC-based drill), timed in the same
#       rounds against the same floor;
#   (d) scaling: an SD made by `sdkit split` with N=127, M=64 (RSA-2048 keys from `sdkit
#       keygen`) protecting 1 MiB of random data, drilled with all 127 keys and with
#       exactly 64, and once with all 127 keys but without their .cer files.
# then prints a table (also written to target/bench-compare/results.md) and checks the
# targets of docs/PERFORMANCE.md.
#
# Timing: runs are timed by `hyperfine -N` (no shell: from spawning the command to its
# exit, nothing else), each command after one untimed warm-up run, in batches of at most 5
# runs per command; when two commands are compared their batches take turns to go first,
# so that other work on the machine slows both alike. The table shows the median and the
# fastest run. An earlier version timed each run with bash's $EPOCHREALTIME around the
# command, which also times bash forking itself: 0.3-0.6 ms more per run here
# (`/usr/bin/true` 0.94 ms that way, 0.65 ms with hyperfine -N, same minute). Memory comes
# from one extra, untimed run under GNU time (%M: max RSS in KiB of the process and every
# descendant it waited for), which also warms the page cache.
#
# Needs: cargo, GNU time at /usr/bin/time, openssl, python3 (to cut the wrapped share keys
# out of the SD for (c), to read hyperfine's JSON, and with venv to build the az venv when
# target/az-venv is missing: PyPI access, about 300 MB), and hyperfine: when it is not on
# PATH the script installs hyperfine 1.20.0 from crates.io into target/bench-tools with
# `cargo install` (about a minute, once). As root on Debian/Ubuntu, missing `time` /
# `openssl` / `python3` packages are installed with apt-get; otherwise the script stops and
# says what to install.
#
# Environment:
#   RUNS=N          runs per measurement (default 15; the median is reported)
#   SCALE_RUNS=N    runs per scaling measurement (default 3)
#   KEYGEN_RUNS=N   runs of each keygen measurement (default 9: generation time is random)
#   ROUNDS=N        rounds of (c), each `openssl speed` then RUNS/ROUNDS (at least 5) drills
#                   and as many runs of the bare AWS-LC process (default 5 rounds)
#   SKIP_AZ=1       skip (a) (no az venv needed)
#   SKIP_SCALE=1    skip (d)
#   SDKIT_BIN=PATH  measure this binary instead of building one with scripts/build-release.sh
#                   (the static release binary on Linux/glibc; on other systems it is
#                   target/release/sdkit)
#
# Exit status: 0 when every measurement ran (targets missed are reported, not fatal),
# 1 when a measured command failed, 2 when a tool is missing and could not be installed.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

RUNS=${RUNS:-15}
SCALE_RUNS=${SCALE_RUNS:-3}
KEYGEN_RUNS=${KEYGEN_RUNS:-9}
ROUNDS=${ROUNDS:-5}
vectors="$repo/test-vectors/azure-sd"
sd_real="$vectors/sd-2023-11-07_15e0e830.json"
exchange_cert="$vectors/exchange-key-2023-11-07_15e0e830.pem"
out_dir="$repo/target/bench-compare"
results="$out_dir/results.md"
mkdir -p "$out_dir"

say() { printf 'bench-compare: %s\n' "$*" >&2; }
die() {
    local code=$1
    shift
    printf 'bench-compare: ERROR: %s\n' "$1" >&2
    shift
    for line in "$@"; do printf '  %s\n' "$line" >&2; done
    exit "$code"
}

if [ -z "${EPOCHREALTIME:-}" ]; then
    die 2 "bash 5 or later is needed (\$EPOCHREALTIME is not set)"
fi

# ---------------------------------------------------------------- tools
apt_updated=0
apt_install() {
    local pkg=$1 why=$2
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        say "installing $pkg with apt-get ($why)"
        if [ $apt_updated = 0 ]; then
            apt-get update -qq >/dev/null 2>&1 || true
            apt_updated=1
        fi
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$pkg" >/dev/null 2>&1 ||
            die 2 "apt-get install $pkg failed" "install it by hand ($why), then rerun"
    else
        die 2 "$why is missing" "Debian/Ubuntu: sudo apt-get install $pkg; other systems: install the package that provides it, then rerun"
    fi
}

gnu_time=/usr/bin/time
if ! [ -x "$gnu_time" ] || ! "$gnu_time" -f '%e %M' true >/dev/null 2>&1; then
    apt_install time "GNU time (/usr/bin/time with -f)"
fi
"$gnu_time" -f '%e %M' true >/dev/null 2>&1 || die 2 "$gnu_time does not accept -f: GNU time is required"
command -v openssl >/dev/null 2>&1 || apt_install openssl "the openssl command"
command -v python3 >/dev/null 2>&1 || apt_install python3 "python3"
command -v cargo >/dev/null 2>&1 || die 2 "cargo is not installed" "install Rust (rustup), then rerun"
hyperfine=$(command -v hyperfine || true)
if [ -z "$hyperfine" ]; then
    hyperfine="$repo/target/bench-tools/bin/hyperfine"
    if ! [ -x "$hyperfine" ]; then
        say "installing hyperfine 1.20.0 into target/bench-tools (cargo install, about a minute)"
        cargo install -q --locked --root "$repo/target/bench-tools" hyperfine@1.20.0 >"$out_dir/hyperfine-install.log" 2>&1 ||
            die 2 "cargo install hyperfine failed (log: $out_dir/hyperfine-install.log)" \
                "is crates.io reachable? or install hyperfine yourself (it is used from PATH), then rerun"
    fi
fi
say "timing with $("$hyperfine" --version) -N"

# ---------------------------------------------------------------- sdkit
if [ -n "${SDKIT_BIN:-}" ]; then
    sdkit=$SDKIT_BIN
    [ -x "$sdkit" ] || die 2 "SDKIT_BIN=$sdkit is not executable"
else
    # The binary the README tells custodians to carry: static on Linux/glibc.
    say "building sdkit with scripts/build-release.sh (several minutes the first time)"
    sdkit=$(bash "$repo/scripts/build-release.sh") || die 1 "scripts/build-release.sh failed"
fi
# Row (c')'s bare AWS-LC process, built and linked as the sdkit binary is.
bare=$(bash "$repo/scripts/build-release.sh" --example bare_unwrap 2>/dev/null) ||
    die 1 "building crates/sdkit-certs/examples/bare_unwrap.rs failed" "run: bash scripts/build-release.sh --example bare_unwrap"
linkage=$(file -b "$sdkit" 2>/dev/null | grep -o 'static-pie linked\|statically linked\|dynamically linked' || true)
say "measuring $("$sdkit" -V) at $sdkit (${linkage:-linkage unknown})"

# ---------------------------------------------------------------- measuring
# Setups (files to remove before a run) are scripts, because hyperfine runs them itself
# before every run: `bash SCRIPT`. NO_SETUP is none.
NO_SETUP=

# q WORD...: one command line that hyperfine -N splits back into these words.
q() { printf '%q ' "$@"; }

# hf_times RUNS SETUP CMDLINE...: RUNS timed runs of each command line (made by q), each
# after one untimed warm-up run, by hyperfine -N; SETUP runs before every run. Sets the
# arrays HF_TIMES_0, HF_TIMES_1, ... (seconds) for the command lines in order. A failing
# command stops the script, after running it once more to show its output.
hf_times() {
    local runs=$1 setup=$2 line i=0 prep=()
    shift 2
    [ -z "$setup" ] || prep=(--prepare "$(q bash "$setup")")
    if ! "$hyperfine" -N --warmup 1 --runs "$runs" --style none --export-json "$out_dir/run.json" \
        "${prep[@]}" -- "$@" >"$out_dir/hyperfine.log" 2>&1; then
        tail -n 20 "$out_dir/hyperfine.log" >&2
        for line in "$@"; do
            [ -z "$setup" ] || bash "$setup"
            eval "$line" >"$out_dir/last.log" 2>&1 || { tail -n 20 "$out_dir/last.log" >&2; die 1 "command failed: $line"; }
        done
        die 1 "hyperfine failed (log above)"
    fi
    while IFS= read -r line; do
        read -ra "HF_TIMES_$i" <<<"$line"
        i=$((i + 1))
    done < <(python3 -c 'import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(" ".join("%.9f" % t for t in r["times"]))' "$out_dir/run.json")
}

# rss_once LABEL SETUP CMD...: one untimed run under GNU time; sets RUN_RSS (max RSS, KiB).
# Each measurement starts with one such run, which also warms the page cache.
rss_once() {
    local label=$1 setup=$2
    shift 2
    [ -z "$setup" ] || bash "$setup"
    if ! "$gnu_time" -f '%M' -o "$out_dir/time.out" "$@" >"$out_dir/last.log" 2>&1; then
        tail -n 20 "$out_dir/last.log" >&2
        die 1 "$label: command failed: $*"
    fi
    RUN_RSS=$(tail -n 1 "$out_dir/time.out")
}

# median NUMBER...: prints the median.
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.6f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# summarize LABEL RSS_KIB TIME...: sets MED_S (median), MIN_S, MAX_S, RSS_KIB and logs.
summarize() {
    local label=$1 sorted
    RSS_KIB=$2
    shift 2
    sorted=$(printf '%s\n' "$@" | sort -g)
    MED_S=$(median "$@")
    MIN_S=$(printf '%s\n' "$sorted" | head -n 1)
    MAX_S=$(printf '%s\n' "$sorted" | tail -n 1)
    say "$(printf '%-44s median %8.3f s  (min %.3f, max %.3f, %d runs)  peak RSS %6.1f MiB' \
        "$label" "$MED_S" "$MIN_S" "$MAX_S" $# "$(mib "$RSS_KIB")")"
}

# measure LABEL RUNS SETUP CMD...: CMD once under GNU time for memory, then RUNS timed
# runs; sets MED_S, MIN_S, MAX_S and RSS_KIB.
measure() {
    local label=$1 runs=$2 setup=$3
    shift 3
    rss_once "$label" "$setup" "$@"
    hf_times "$runs" "$setup" "$(q "$@")"
    summarize "$label" "$RUN_RSS" "${HF_TIMES_0[@]}"
}

# measure_ab RUNS SETUP LABEL_A ARRAY_A LABEL_B ARRAY_B: like measure for two commands
# (given as names of arrays), in chunks of up to 5 runs each that alternate which command
# goes first, so that load from other processes hits both alike. Sets A_MED A_MIN A_MAX
# A_RSS and B_*.
measure_ab() {
    local runs=$1 setup=$2 la=$3 lb=$5 rsa rsb ta=() tb=() done_runs=0 chunk a b
    local -n _cmd_a=$4 _cmd_b=$6
    rss_once "$la" "$setup" "${_cmd_a[@]}"
    rsa=$RUN_RSS
    rss_once "$lb" "$setup" "${_cmd_b[@]}"
    rsb=$RUN_RSS
    a=$(q "${_cmd_a[@]}") b=$(q "${_cmd_b[@]}")
    while [ "$done_runs" -lt "$runs" ]; do
        chunk=$((runs - done_runs))
        [ "$chunk" -le 5 ] || chunk=5
        if [ $((done_runs / 5 % 2)) = 0 ]; then
            hf_times "$chunk" "$setup" "$a" "$b"
            ta+=("${HF_TIMES_0[@]}") tb+=("${HF_TIMES_1[@]}")
        else
            hf_times "$chunk" "$setup" "$b" "$a"
            tb+=("${HF_TIMES_0[@]}") ta+=("${HF_TIMES_1[@]}")
        fi
        done_runs=$((done_runs + chunk))
    done
    summarize "$la" "$rsa" "${ta[@]}"
    A_MED=$MED_S A_MIN=$MIN_S A_MAX=$MAX_S A_RSS=$RSS_KIB
    summarize "$lb" "$rsb" "${tb[@]}"
    B_MED=$MED_S B_MIN=$MIN_S B_MAX=$MAX_S B_RSS=$RSS_KIB
}
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
ms() { awk -v s="$1" 'BEGIN { printf "%.1f", s * 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }

rows=()
row() { rows+=("$(printf '| %s | %s | %s | %s | %s |' "$@")"); }
verdicts=()

# ---------------------------------------------------------------- inputs
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
work="$out_dir/work"
rm -rf "$work"
mkdir -p "$work/keys"
for i in 1 2 3; do cp "$vectors/sd$i.pem" "$vectors/sd$i.cer" "$work/keys/"; done

# ---------------------------------------------------------------- (a) restore-blob
rm_blob="$work/rm-blob.sh"
printf 'rm -f %q %q\n' "$work/blob-az.json" "$work/blob-sdkit.json" >"$rm_blob"
if [ "${SKIP_AZ:-}" != 1 ]; then
    venv="$repo/target/az-venv"
    py="$venv/bin/python"
    az_ok() { "$py" -c 'import azure.cli.core, azure.common, msrest, cryptography' >/dev/null 2>&1; }
    # scripts/az-oracle.sh holds this lock while it (re)builds the venv.
    exec 9>"$repo/target/az-oracle.lock"
    command -v flock >/dev/null 2>&1 && flock 9
    if [ -x "$py" ] && az_ok; then
        say "reusing $venv"
    else
        # Nearly the recipe of scripts/az-oracle.sh (which owns the venv and rebuilds it
        # when its pins or stamp differ): azure-cli without its ~100 dependencies, the
        # core with its own, azure-common for az's error handler, pins from
        # scripts/az-oracle/constraints.txt when present. restore-blob, the one command
        # timed here, does not need the oracle's azure-keyvault-securitydomain.
        command -v python3 >/dev/null 2>&1 || apt_install python3 "python3"
        python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || apt_install python3-venv "the python3 venv module"
        say "creating $venv (azure-cli 2.91.0; about a minute, ~300 MB from PyPI)"
        log="$out_dir/az-venv-install.log"
        rm -rf "$venv"
        python3 -m venv "$venv" >"$log" 2>&1 || die 2 "python3 -m venv failed (log: $log)" "apt-get install python3-venv, then rerun"
        pin=()
        [ -f "$repo/scripts/az-oracle/constraints.txt" ] && pin=(-c "$repo/scripts/az-oracle/constraints.txt")
        pip=("$py" -m pip --disable-pip-version-check --no-input install --progress-bar off)
        "${pip[@]}" --no-deps "${pin[@]}" azure-cli==2.91.0 azure-common==1.1.28 >>"$log" 2>&1 &&
            "${pip[@]}" "${pin[@]}" azure-cli-core==2.91.0 msrest >>"$log" 2>&1 ||
            die 2 "pip install failed (log: $log)" "is PyPI reachable? or rerun with SKIP_AZ=1"
        az_ok || die 2 "the az venv does not import (log: $log)" "rm -rf $venv and rerun, or SKIP_AZ=1"
    fi
    exec 9>&-
    az_cfg="$out_dir/az-config"
    mkdir -p "$az_cfg"
    export AZURE_CONFIG_DIR="$az_cfg"
    export AZURE_CORE_COLLECT_TELEMETRY=no AZURE_CORE_SURVEY_MESSAGE=no AZURE_CORE_NO_COLOR=yes
    export AZURE_CORE_ONLY_SHOW_ERRORS=yes AZURE_CORE_DISABLE_PROGRESS_BAR=yes
    # One unmeasured az run first: Python writes its .pyc caches and az its config.
    "$py" -m azure.cli keyvault security-domain restore-blob --sd-file "$sd_real" \
        --sd-exchange-key "$exchange_cert" --sd-wrapping-keys "$work/keys/sd1.pem" "$work/keys/sd2.pem" \
        --sd-file-restore-blob "$work/blob-az.json" >"$out_dir/last.log" 2>&1 ||
        { cat "$out_dir/last.log" >&2; die 1 "az restore-blob failed"; }
fi
sdkit_blob=("$sdkit" -q restore-blob "$sd_real" --key "$work/keys/sd1.pem" --key "$work/keys/sd2.pem"
    --exchange-key "$exchange_cert" --out "$work/blob-sdkit.json")
if [ "${SKIP_AZ:-}" != 1 ]; then
    az_blob=("$py" -m azure.cli keyvault security-domain restore-blob --sd-file "$sd_real"
        --sd-exchange-key "$exchange_cert" --sd-wrapping-keys "$work/keys/sd1.pem" "$work/keys/sd2.pem"
        --sd-file-restore-blob "$work/blob-az.json")
    measure_ab "$RUNS" "$rm_blob" "az restore-blob (sd1+sd2)" az_blob "sdkit restore-blob (sd1+sd2)" sdkit_blob
    az_s=$A_MED az_rss=$A_RSS az_min=$A_MIN
    sk_s=$B_MED sk_rss=$B_RSS sk_min=$B_MIN
else
    measure "sdkit restore-blob (sd1+sd2)" "$RUNS" "$rm_blob" "${sdkit_blob[@]}"
    sk_s=$MED_S sk_rss=$RSS_KIB sk_min=$MIN_S
fi
if [ "${SKIP_AZ:-}" != 1 ]; then
    speedup=$(ratio "$az_s" "$sk_s")
    row "(a) restore-blob, real SD, 2 keys, RSA-4096 exchange cert" "az $(ms "$az_s") ms (min $(ms "$az_min"))" "sdkit $(ms "$sk_s") ms (min $(ms "$sk_min"))" \
        "sdkit ${speedup}x faster" "az $(mib "$az_rss") / sdkit $(mib "$sk_rss") MiB"
    # The verdicts compare unrounded numbers: 29.96x must not pass as "30.0x".
    if awk -v a="$az_s" -v b="$sk_s" 'BEGIN { exit !(a / b >= 30) }'; then
        verdicts+=("MET     restore-blob >= 30x faster than az: ${speedup}x")
    else
        verdicts+=("NOT MET restore-blob >= 30x faster than az: ${speedup}x")
    fi
else
    row "(a) restore-blob, real SD, 2 keys, RSA-4096 exchange cert" "(az skipped)" "sdkit $(ms "$sk_s") ms (min $(ms "$sk_min"))" "" "sdkit $(mib "$sk_rss") MiB"
fi
if [ "$sk_rss" -lt 16384 ]; then
    verdicts+=("MET     restore-blob peak RSS < 16 MiB: $(mib "$sk_rss") MiB")
else
    verdicts+=("NOT MET restore-blob peak RSS < 16 MiB: $(mib "$sk_rss") MiB")
fi

# ---------------------------------------------------------------- (b) keygen
kg="$work/keygen"
fresh_kg="$work/fresh-kg.sh"
printf 'rm -rf %q && mkdir -p %q\n' "$kg" "$kg" >"$fresh_kg"
cat >"$work/openssl-keygen.sh" <<'EOF'
set -e
cd "$1"
for i in 1 2 3; do
    openssl req -newkey rsa:3072 -nodes -keyout "k$i.pem" -x509 -days 365 -out "c$i.pem" \
        -subj "/CN=SD Key $i" 2>/dev/null
done
EOF
openssl_kg=(bash "$work/openssl-keygen.sh" "$kg")
sdkit_kg=("$sdkit" -q keygen --holders 3 --bits 3072 --no-passphrase --out-dir "$kg")
measure_ab "$KEYGEN_RUNS" "$fresh_kg" "openssl req x3 (RSA-3072)" openssl_kg \
    "sdkit keygen --holders 3 --bits 3072" sdkit_kg
os_s=$A_MED os_rss=$A_RSS os_min=$A_MIN os_max=$A_MAX
kg_s=$B_MED kg_rss=$B_RSS kg_min=$B_MIN kg_max=$B_MAX
row "(b) 3 custodian keys + certs, RSA-3072" "openssl $(ms "$os_s") ms ($(ms "$os_min")-$(ms "$os_max"))" \
    "sdkit $(ms "$kg_s") ms ($(ms "$kg_min")-$(ms "$kg_max"))" "openssl/sdkit $(ratio "$os_s" "$kg_s")" \
    "openssl $(mib "$os_rss") / sdkit $(mib "$kg_rss") MiB"
if awk -v a="$kg_s" -v b="$os_s" 'BEGIN { exit !(a <= b) }'; then
    verdicts+=("MET     keygen of 3 no slower than openssl: $(ms "$kg_s") ms vs $(ms "$os_s") ms (median of $KEYGEN_RUNS; generation time is random)")
else
    verdicts+=("NOT MET keygen of 3 no slower than openssl: $(ms "$kg_s") ms vs $(ms "$os_s") ms (median of $KEYGEN_RUNS; generation time is random)")
fi

# ---------------------------------------------------------------- (c) drill vs RSA floor
# The wrapped share keys, cut out of the SD by each certificate's x5t#S256 thumbprint, for
# the processes below that do only the RSA work: (c')'s bare AWS-LC process and (c''')'s
# OpenSSL commands.
python3 - "$sd_real" "$work/keys" <<'PY' || die 1 "could not extract the wrapped share keys"
import base64, hashlib, json, sys
sd, keys = json.load(open(sys.argv[1])), sys.argv[2]
shares = {s["x5t_256"]: s["enc_key"] for s in sd["SharedKeys"]["enc_shares"]}
for i in (1, 2, 3):
    pem = open(f"{keys}/sd{i}.cer").read()
    der = base64.b64decode("".join(l for l in pem.splitlines() if l and not l.startswith("-----")))
    x5t = base64.urlsafe_b64encode(hashlib.sha256(der).digest()).rstrip(b"=").decode()
    wrapped = shares[x5t].split(".")[1]
    with open(f"{keys}/share{i}.key.bin", "wb") as out:
        out.write(base64.urlsafe_b64decode(wrapped + "=" * (-len(wrapped) % 4)))
PY
# The floor moves with the machine: `openssl speed rsa2048` gave anything from 1419 to 2597
# signs/s here within an hour. So the drill is timed in ROUNDS rounds, each right after its
# own 1-second `openssl speed`, and each round's ratio uses that round's rate; the verdict is
# the median of the rounds' ratios (the table also shows their range). The scaling floors in
# (d) use the fastest rate seen, the strictest floor.
say "drill vs openssl speed rsa2048 in $ROUNDS paired rounds (about $((ROUNDS + 2)) s)"
# speed_rate: one `openssl speed -seconds 1 rsa2048`; prints its sign/s. The header names
# the columns ("sign verify sign/s verify/s", OpenSSL 3.2+ adds encrypt/decrypt); the data
# row has three more words in front ("rsa 2048 bits").
speed_rate() {
    local speed_out rate
    speed_out=$(openssl speed -seconds 1 rsa2048 2>/dev/null)
    rate=$(printf '%s\n' "$speed_out" | awk '
        /sign\/s/ { for (i = 1; i <= NF; i++) if ($i == "sign/s") col = i + 3 }
        col && /^rsa +2048 +bits/ { print $col; exit }')
    [ -n "$rate" ] || die 1 "could not parse openssl speed output:" "$speed_out"
    printf '%s\n' "$rate"
}
rsa_ops=3
drill_cmd=("$sdkit" -q drill "$sd_real" --key "$work/keys/sd1.pem" --key "$work/keys/sd2.pem"
    --key "$work/keys/sd3.pem")
per_round=$(((RUNS + ROUNDS - 1) / ROUNDS))
[ "$per_round" -ge 5 ] || per_round=5
rss_once "sdkit drill" "$NO_SETUP" "${drill_cmd[@]}"
dr_rss=$RUN_RSS
bare_cmd=("$bare" "$work/keys/sd1.pem" "$work/keys/share1.key.bin" "$work/keys/sd2.pem"
    "$work/keys/share2.key.bin" "$work/keys/sd3.pem" "$work/keys/share3.key.bin")
rss_once "bare AWS-LC unwrap" "$NO_SETUP" "${bare_cmd[@]}"
bare_rss=$RUN_RSS
# per_round_ratio RATE T...: the median of the times T against the floor at RATE signs/s.
per_round_ratio() {
    local r=$1
    shift
    awk -v t="$(median "$@")" -v r="$r" -v n="$rsa_ops" 'BEGIN { printf "%.3f", t * r / n }'
}
rates=() round_ratios=() drill_times=() bare_ratios=() bare_times=()
drill_line=$(q "${drill_cmd[@]}") bare_line=$(q "${bare_cmd[@]}")
for ((r = 0; r < ROUNDS; r++)); do
    rate=$(speed_rate)
    rates+=("$rate")
    # The drill and the bare process right after each other, taking turns to go first.
    if [ $((r % 2)) = 0 ]; then
        hf_times "$per_round" "$NO_SETUP" "$drill_line" "$bare_line"
        times=("${HF_TIMES_0[@]}") btimes=("${HF_TIMES_1[@]}")
    else
        hf_times "$per_round" "$NO_SETUP" "$bare_line" "$drill_line"
        times=("${HF_TIMES_1[@]}") btimes=("${HF_TIMES_0[@]}")
    fi
    drill_times+=("${times[@]}")
    bare_times+=("${btimes[@]}")
    round_ratios+=("$(per_round_ratio "$rate" "${times[@]}")")
    bare_ratios+=("$(per_round_ratio "$rate" "${btimes[@]}")")
done
summarize "sdkit drill, 3 keys (certs beside keys)" "$dr_rss" "${drill_times[@]}"
dr_s=$MED_S dr_min=$MIN_S
rate_med=$(median "${rates[@]}")
sign_rate=$(printf '%s\n' "${rates[@]}" | sort -g | tail -n 1)
floor_s=$(awk -v r="$rate_med" -v n="$rsa_ops" 'BEGIN { printf "%.6f", n / r }')
dr_ratio_raw=$(median "${round_ratios[@]}")
dr_ratio=$(printf '%.2f' "$dr_ratio_raw")
ratio_lo=$(printf '%s\n' "${round_ratios[@]}" | sort -g | head -n 1)
ratio_hi=$(printf '%s\n' "${round_ratios[@]}" | sort -g | tail -n 1)
say "openssl speed rsa2048 sign/s per round: ${rates[*]}; drill/floor per round: ${round_ratios[*]}"
summarize "bare AWS-LC unwrap, 3 keys (RSA only)" "$bare_rss" "${bare_times[@]}"
bare_s=$MED_S bare_min=$MIN_S
bare_ratio=$(printf '%.2f' "$(median "${bare_ratios[@]}")")
bare_lo=$(printf '%s\n' "${bare_ratios[@]}" | sort -g | head -n 1)
bare_hi=$(printf '%s\n' "${bare_ratios[@]}" | sort -g | tail -n 1)
say "bare AWS-LC unwrap/floor per round: ${bare_ratios[*]}"
# Process start-up alone (exec, dynamic loading, sdkit's own set-up), as the same harness
# sees it: a part of every command's time that no RSA speed-up removes.
measure "sdkit --version (process start-up)" "$RUNS" "$NO_SETUP" "$sdkit" --version
start_s=$MED_S start_min=$MIN_S start_rss=$RSS_KIB
# Any process at all, as this harness starts it (bash fork + exec + exit): the part of every
# whole-process number that is the machine's, not sdkit's.
true_bin=$(type -P true)
measure "$true_bin (any process)" "$RUNS" "$NO_SETUP" "$true_bin"
true_s=$MED_S true_min=$MIN_S
row "(c) drill, real SD, 3 keys vs RSA floor ($ROUNDS rounds, each paired with its own \`openssl speed\`)" \
    "floor $(ms "$floor_s") ms ($rsa_ops x RSA-2048 private op; openssl speed $(printf '%s\n' "${rates[@]}" | sort -g | head -n 1)-$sign_rate/s, median $rate_med/s)" \
    "sdkit $(ms "$dr_s") ms (min $(ms "$dr_min"))" \
    "${dr_ratio}x the floor (rounds ${ratio_lo}-${ratio_hi}x)" "sdkit $(mib "$dr_rss") MiB"
if awk -v r="$dr_ratio_raw" 'BEGIN { exit !(r <= 3) }'; then
    verdicts+=("MET     drill within 3x of the RSA floor: ${dr_ratio}x (median of $ROUNDS paired rounds; ${ratio_lo}-${ratio_hi}x)")
else
    verdicts+=("NOT MET drill within 3x of the RSA floor: ${dr_ratio}x (median of $ROUNDS paired rounds; ${ratio_lo}-${ratio_hi}x; $(ms "$dr_s") ms vs $(ms "$floor_s") ms; a bare AWS-LC process doing only the RSA work: ${bare_ratio}x)")
fi
# What no AWS-LC-based drill can go below here: a process that only loads the 3 keys and
# unwraps the 3 share keys on all cores. Its distance from the floor is process start-up plus
# AWS-LC's per-key costs (key check, blinding set-up); sdkit's distance from it is everything
# else a drill does (arguments, reading the SD, certificates, shares, recombination, items).
row "(c') drill vs a bare AWS-LC process doing only its RSA work (load 3 keys, unwrap 3 share keys, all cores)" \
    "bare $(ms "$bare_s") ms (min $(ms "$bare_min")): ${bare_ratio}x the floor (rounds ${bare_lo}-${bare_hi}x)" \
    "sdkit $(ms "$dr_s") ms" "sdkit +$(ms "$(awk -v a="$dr_s" -v b="$bare_s" 'BEGIN { printf "%.6f", a - b }')") ms ($(ratio "$dr_s" "$bare_s")x)" \
    "bare $(mib "$bare_rss") / sdkit $(mib "$dr_rss") MiB"
proc_floor_s=$(awk -v a="$floor_s" -v b="$start_s" 'BEGIN { printf "%.6f", a + b }')
row "(c'') same drill vs start-up + RSA floor" \
    "$(ms "$proc_floor_s") ms ($(ms "$start_s") ms \`sdkit --version\` + $(ms "$floor_s") ms)" "sdkit $(ms "$dr_s") ms" \
    "$(ratio "$dr_s" "$proc_floor_s")x" ""
row "start-up: sdkit --version" "" "$(ms "$start_s") ms (min $(ms "$start_min"))" "" "$(mib "$start_rss") MiB"
row "any process: $true_bin" "" "$(ms "$true_s") ms (min $(ms "$true_min"))" "" ""
# What a user would do instead with OpenSSL alone: unwrap each custodian's share key with
# `openssl pkeyutl`, one process per key (RSA only: no share decryption, no recombination,
# no item authentication, so a lower bound for an OpenSSL-based drill).
cat >"$work/openssl-unwrap.sh" <<'SH'
set -e
for i in 1 2 3; do
    openssl pkeyutl -decrypt -inkey "$1/sd$i.pem" -in "$1/share$i.key.bin" -out /dev/null \
        -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha256
done
SH
openssl_unwrap=(bash "$work/openssl-unwrap.sh" "$work/keys")
measure_ab "$RUNS" "$NO_SETUP" "openssl pkeyutl -decrypt x3 (RSA only)" openssl_unwrap \
    "sdkit drill, 3 keys (alternating with it)" drill_cmd
row "(c''') drill vs OpenSSL only unwrapping the 3 share keys, one \`openssl pkeyutl\` per key" \
    "openssl $(ms "$A_MED") ms (min $(ms "$A_MIN"))" "sdkit $(ms "$B_MED") ms (min $(ms "$B_MIN"))" \
    "sdkit $(ratio "$A_MED" "$B_MED")x faster" "openssl $(mib "$A_RSS") / sdkit $(mib "$B_RSS") MiB"
if [ "$dr_rss" -lt 16384 ]; then
    verdicts+=("MET     drill peak RSS < 16 MiB: $(mib "$dr_rss") MiB")
else
    verdicts+=("NOT MET drill peak RSS < 16 MiB: $(mib "$dr_rss") MiB")
fi

# ---------------------------------------------------------------- (d) scaling
if [ "${SKIP_SCALE:-}" != 1 ]; then
    sc="$out_dir/scale-127"
    # Keys are reused across runs of this script (127 RSA-2048 keys take a while).
    if ! [ -f "$sc/keys/sd-key127.cer" ]; then
        rm -rf "$sc"
        mkdir -p "$sc"
        say "sdkit keygen --holders 127 --bits 2048 (once; reused from $sc later)"
        t0=$EPOCHREALTIME
        "$sdkit" -q keygen --holders 127 --bits 2048 --no-passphrase --out-dir "$sc/keys" ||
            die 1 "keygen of 127 keys failed"
        say "  took $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s"
    fi
    head -c 1048576 /dev/urandom >"$sc/data.bin"
    certs=()
    for i in $(seq 1 127); do certs+=(--cert "$sc/keys/sd-key$i.cer"); done
    rm_sd="$work/rm-sd.sh"
    printf 'rm -f %q\n' "$sc/sd.json" >"$rm_sd"
    measure "sdkit split N=127 M=64, 1 MiB" 1 "$rm_sd" \
        "$sdkit" -q split --in "data=$sc/data.bin" "${certs[@]}" --quorum 64 --out "$sc/sd.json"
    split_s=$MED_S split_rss=$RSS_KIB
    row "(d) split N=127 M=64, 1 MiB item" "" "$(ms "$split_s") ms (1 run)" "" "$(mib "$split_rss") MiB"
    sd_kib=$(($(stat -c %s "$sc/sd.json") / 1024))
    for n in 127 64; do
        keys=()
        for i in $(seq 1 "$n"); do keys+=(--key "$sc/keys/sd-key$i.pem"); done
        measure "sdkit drill N=127 M=64, $n keys" "$SCALE_RUNS" "$NO_SETUP" \
            "$sdkit" -q drill "$sc/sd.json" "${keys[@]}"
        floor_n=$(awk -v r="$sign_rate" -v n="$n" 'BEGIN { printf "%.6f", n / r }')
        row "(d) drill N=127 M=64 (${sd_kib} KiB SD, 1 MiB item), $n keys" \
            "floor $(ms "$floor_n") ms ($n RSA-2048 ops)" "sdkit $(ms "$MED_S") ms (min $(ms "$MIN_S"))" \
            "$(ratio "$MED_S" "$floor_n")x the floor" "sdkit $(mib "$RSS_KIB") MiB"
    done
    # The same 127 keys without their .cer files: each key is tried against the shares no
    # other key has claimed yet, so a drill costs a little more than 127 RSA operations
    # (without claiming, key i would cost i operations: 127*128/2 = 8128).
    rm -rf "$sc/nocert"
    mkdir -p "$sc/nocert"
    cp "$sc"/keys/*.pem "$sc/nocert/"
    keys=()
    for i in $(seq 1 127); do keys+=(--key "$sc/nocert/sd-key$i.pem"); done
    measure "sdkit drill N=127 M=64, 127 keys, no .cer" 1 "$NO_SETUP" \
        "$sdkit" -q drill "$sc/sd.json" "${keys[@]}"
    floor_n=$(awk -v r="$sign_rate" 'BEGIN { printf "%.6f", 127 / r }')
    row "(d) same, 127 keys without their .cer files (1 run)" \
        "floor $(ms "$floor_n") ms (127 RSA-2048 ops at least)" \
        "sdkit $(ms "$MED_S") ms" "$(ratio "$MED_S" "$floor_n")x the floor" "sdkit $(mib "$RSS_KIB") MiB"
fi

# ---------------------------------------------------------------- report
{
    echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'),"
    echo "$(rustc --version), $("$sdkit" -V) (${linkage:-linkage unknown}), $(openssl version | cut -d' ' -f1-2); medians of $RUNS runs (drill vs floor: $ROUNDS rounds of $per_round, keygen: $KEYGEN_RUNS, scaling: $SCALE_RUNS), timed by $("$hyperfine" --version) -N;"
    echo "load average before: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews the numbers)."
    echo
    echo "| measurement | baseline | sdkit | ratio | peak RSS |"
    echo "|---|---|---|---|---|"
    printf '%s\n' "${rows[@]}"
    echo
    echo "Targets:"
    printf -- '- %s\n' "${verdicts[@]}"
} >"$results"
echo
cat "$results"
echo
say "written to $results"
