#!/usr/bin/env bash
# The real Azure CLI as an oracle for sdkit (run by .ci/run after cargo test).
#
#   bash scripts/az-oracle.sh
#
# Direction A: `az keyvault security-domain restore-blob` must read SD files
#   written by `sdkit split` (keys from `sdkit keygen`, plain and encrypted),
#   and its restore blob must open with `sdkit open-blob` to the original
#   secrets byte for byte.
# Direction B: for the real HSM-made SDs in test-vectors/azure-sd/, az's blob
#   and `sdkit restore-blob`'s blob must open to the same plaintexts (with the
#   expected sizes and hashes) and have the same JSON layout.
# Reshare: `sdkit reshare` moves each of those SDs to four new custodians (3
#   of 4); az restore-blob must open the new file with three of the new keys
#   to the old file's plaintexts byte for byte, the old keys must open
#   nothing in it (and the new ones nothing in the old file), and
#   `sdkit drill --same-contents-as` must accept the old file's drill report
#   and refuse the other SD's (see the section).
# az commands: every `az` command that README.md and docs/*.md show, that
#   sdkit's sources hold (string literals, doc comments) and that
#   `sdkit restore-blob` prints must get through az's own argument parser
#   (extracted at run time, so edited docs are covered; see the section).
#
# Needs python3 with the venv module, network access to PyPI on the first run
# (to build target/az-venv, about 300 MB; later runs reuse it), cargo, and
# scripts/az-oracle/{blobcheck.py,azcommands.py,constraints.txt}. No Azure
# login, no network at test time: restore-blob is an offline command, the
# other az commands stop at the login they lack, and az's own version check
# is seeded away (azcommands.py seed-config).
#
# Environment:
#   AZ_ORACLE_KEEP=1      keep the work directory target/az-oracle-tmp/run.* (it
#                         holds throw-away keys and test plaintexts)
#   AZ_ORACLE_UNPINNED=1  install without scripts/az-oracle/constraints.txt
#   SDKIT_BIN=PATH        test this sdkit binary instead of building one
#
# Output: a summary table, then a last line "N passed, K failed". Exit status
# 0 when everything passed, 1 when a case failed, 2 when the oracle could not
# be set up (build or install failure: the message says what to fix).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

AZ_CLI_VERSION=2.91.0
# azure-common is not a dependency of azure-cli-core, but azure-cli-core's
# error handler imports it: without it every az *failure* (wrong password,
# bad MAC, ...) ends in "ModuleNotFoundError: No module named 'azure.common'"
# instead of az's own message. Successful restore-blob runs do not need it,
# nor anything else from azure-cli's full dependency list
# (azure-mgmt-keyvault, ... are only used by the online commands;
# azure-keyvault-securitydomain: see below); cryptography comes in through
# azure-cli-core.
AZURE_COMMON_VERSION=1.1.28
# azure-keyvault-securitydomain is the one package the online security-domain
# commands (upload, download, init-recovery, wait) need besides the core to
# get from their arguments to the login: their handler's client factory
# imports it before it asks for credentials. Without it, a command az parsed
# fine ends in "ModuleNotFoundError: No module named 'azure.keyvault'"
# instead of "Please run 'az login' to setup account.", and the az-commands
# section could not tell a good command from a broken venv. Its dependencies
# (azure-core, isodate, typing-extensions) already come with the core.
AZ_KV_SD_VERSION=1.0.0b1
# The Key Vault data-plane clients, at the versions azure-cli 2.91.0 requires: the
# `az keyvault secret|key|certificate ...` commands import them before they ask for a login,
# and docs/CEREMONY.md shows `az keyvault secret download` (a PKCS#12 export), so the
# az-commands section can check that command's arguments too.
AZ_KV_DATA=(azure-keyvault-keys==4.12.0b2 azure-keyvault-secrets==4.7.0
    azure-keyvault-certificates==4.7.0 azure-keyvault-administration==4.8.0b2)
venv="$repo/target/az-venv"
py="$venv/bin/python"
constraints="$repo/scripts/az-oracle/constraints.txt"
helper="$repo/scripts/az-oracle/blobcheck.py"
azcmds="$repo/scripts/az-oracle/azcommands.py"
vectors="$repo/test-vectors/azure-sd"
oracle_cert="$vectors/cli-oracle/oracle-exchange.pem"
oracle_key="$vectors/cli-oracle/oracle-exchange-key.pem"

t_start=$(date +%s)
say() { printf 'az-oracle: %s\n' "$*"; }
setup_fail() {
    if declare -F cleanup >/dev/null; then cleanup; fi
    printf '\naz-oracle: SETUP FAILED: %s\n' "$1" >&2
    shift
    for line in "$@"; do printf '  %s\n' "$line" >&2; done
    printf '0 passed, 1 failed\n'
    exit 2
}

mkdir -p "$repo/target"
# One run at a time: the venv and target/az-oracle-tmp are shared.
exec 9>"$repo/target/az-oracle.lock"
if command -v flock >/dev/null 2>&1; then
    flock 9
fi

# ---------------------------------------------------------------- sdkit build
# The dev profile, not --release: .ci/run has just run `cargo test`, which
# built the same dev-profile artifacts, so this is a no-op of a second or two,
# while --release (thin LTO, codegen-units = 1) would compile everything again
# for minutes on 2 cores. Dependencies are opt-level 3 in the dev profile
# (Cargo.toml), so RSA keygen and decryption are fast anyway.
if [ -n "${SDKIT_BIN:-}" ]; then
    sdkit=$SDKIT_BIN
    [ -x "$sdkit" ] || setup_fail "SDKIT_BIN=$sdkit is not an executable file"
else
    say "building sdkit (cargo build -p sdkit-cli --locked)"
    # The binary's path as cargo reports it: CARGO_TARGET_DIR (or a cargo
    # config) may put it elsewhere than target/, and target/debug/sdkit
    # would then be a stale build or none.
    build_json=$(cargo build -q -p sdkit-cli --locked --message-format=json-render-diagnostics) ||
        setup_fail "cargo build -p sdkit-cli --locked failed" "fix the build error above, then rerun"
    sdkit=$(printf '%s\n' "$build_json" | sed -n 's/.*"executable":"\([^"]*\/sdkit\)".*/\1/p' | tail -n 1)
    [ -n "$sdkit" ] && [ -x "$sdkit" ] ||
        setup_fail "cargo build -p sdkit-cli did not report an sdkit executable (got '$sdkit')"
fi

# ---------------------------------------------------------------- az venv
pins="azure-cli==$AZ_CLI_VERSION azure-common==$AZURE_COMMON_VERSION | azure-cli-core==$AZ_CLI_VERSION msrest azure-keyvault-securitydomain==$AZ_KV_SD_VERSION ${AZ_KV_DATA[*]}"
if [ "${AZ_ORACLE_UNPINNED:-}" = 1 ]; then
    pin_args=()
    pins="$pins | unpinned"
else
    pin_args=(-c "$constraints")
    pins="$pins | $(sha256sum "$constraints" | cut -c1-16)"
fi
stamp_want="$pins | $(python3 -c 'import sys; print(sys.version.split()[0])' 2>/dev/null || echo none)"
stamp="$venv/.az-oracle-stamp"

# venv_probe [CONSTRAINTS]: imports what restore-blob and the az-commands
# section need, checks the installed CLI versions and, given a constraints
# file, every pin in it.
venv_probe() {
    "$py" - "$AZ_CLI_VERSION" "$AZURE_COMMON_VERSION" "$AZ_KV_SD_VERSION" "$@" <<'PY'
import sys
from importlib.metadata import version, PackageNotFoundError
import azure.cli.core, azure.common, msrest, cryptography  # noqa: F401
import azure.keyvault.securitydomain  # noqa: F401
import azure.keyvault.keys, azure.keyvault.secrets, azure.keyvault.certificates  # noqa: F401
import azure.keyvault.administration  # noqa: F401
want = {"azure-cli": sys.argv[1], "azure-cli-core": sys.argv[1], "azure-common": sys.argv[2],
        "azure-keyvault-securitydomain": sys.argv[3]}
if len(sys.argv) > 4:
    for line in open(sys.argv[4]):
        line = line.split("#")[0].strip()
        if line:
            name, ver = line.split("==")
            want[name] = ver
for dist, ver in want.items():
    try:
        got = version(dist)
    except PackageNotFoundError:
        sys.exit(f"{dist} is not installed")
    if got != ver:
        sys.exit(f"{dist} is {got}, not {ver}")
PY
}
venv_ok() {
    [ -x "$py" ] || return 1
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$stamp_want" ]; then
        venv_probe >/dev/null 2>&1
        return
    fi
    # No stamp (or an old one), e.g. scripts/bench-compare.sh built the venv
    # with the same recipe: adopt it if every pin is installed.
    [ "${AZ_ORACLE_UNPINNED:-}" != 1 ] && venv_probe "$constraints" >/dev/null 2>&1 &&
        printf '%s' "$stamp_want" >"$stamp"
}

if venv_ok; then
    say "reusing $venv (azure-cli $AZ_CLI_VERSION)"
else
    t_install=$(date +%s)
    command -v python3 >/dev/null 2>&1 ||
        setup_fail "python3 is not installed" "Debian/Ubuntu: apt-get install python3 python3-venv"
    say "installing azure-cli $AZ_CLI_VERSION (light: azure-cli-core + msrest + azure-keyvault-securitydomain) into $venv"
    rm -rf "$venv"
    log="$repo/target/az-venv-install.log"
    python3 -m venv "$venv" >"$log" 2>&1 ||
        setup_fail "'python3 -m venv $venv' failed (log: $log)" \
            "install the venv module (Debian/Ubuntu: apt-get install python3-venv), then rerun"
    pip=("$py" -m pip --disable-pip-version-check --no-input)
    # Step 1: the CLI's command modules without azure-cli's ~100 dependencies.
    # pip then warns "azure-cli 2.91.0 requires six..., which is not
    # installed": expected with --no-deps, restore-blob needs none of them.
    if ! "${pip[@]}" install --progress-bar off --no-deps "${pin_args[@]}" \
        "azure-cli==$AZ_CLI_VERSION" "azure-common==$AZURE_COMMON_VERSION" >>"$log" 2>&1; then
        tail -n 20 "$log" >&2
        setup_fail "pip install --no-deps azure-cli==$AZ_CLI_VERSION azure-common==$AZURE_COMMON_VERSION failed (full log: $log)" \
            "is PyPI reachable? (pip honours HTTPS_PROXY / PIP_INDEX_URL)" \
            "to retry from scratch: rm -rf $venv && bash scripts/az-oracle.sh"
    fi
    # Step 2: the core (knack, msal, cryptography, ...) and the security-domain
    # client, with dependencies. pip's exit status is what counts; its "ERROR:
    # pip's dependency resolver does not currently take into account ..."
    # followed by "azure-cli 2.91.0 requires X, which is not installed" lines
    # is the expected result of step 1's --no-deps. What restore-blob needs is
    # checked right after.
    if ! "${pip[@]}" install --progress-bar off "${pin_args[@]}" "azure-cli-core==$AZ_CLI_VERSION" msrest \
        "azure-keyvault-securitydomain==$AZ_KV_SD_VERSION" "${AZ_KV_DATA[@]}" >>"$log" 2>&1; then
        tail -n 20 "$log" >&2
        setup_fail "pip install azure-cli-core==$AZ_CLI_VERSION msrest azure-keyvault-securitydomain==$AZ_KV_SD_VERSION failed (full log: $log)" \
            "is PyPI reachable? if a pin in scripts/az-oracle/constraints.txt has no wheel for this Python," \
            "rerun with AZ_ORACLE_UNPINNED=1 and refresh the pins (see the file's header)"
    fi
    if ! venv_probe >>"$log" 2>&1; then
        tail -n 5 "$log" >&2
        setup_fail "the az venv was installed but a module does not import (log: $log)" \
            "install the missing module pinned (add it to this script and constraints.txt), then rm -rf $venv and rerun"
    fi
    if ! AZURE_CONFIG_DIR=$(mktemp -d) "$py" -m azure.cli keyvault security-domain restore-blob --help >>"$log" 2>&1; then
        tail -n 5 "$log" >&2
        setup_fail "'python -m azure.cli keyvault security-domain restore-blob --help' fails in $venv (log: $log)" \
            "if it names a missing module, install it pinned (add it to this script and constraints.txt), then rm -rf $venv and rerun"
    fi
    # A correct online command must get through az to the login it lacks.
    check_cache=$(mktemp -d)
    if ! "$py" "$azcmds" check "$check_cache" "install check" \
        "az keyvault security-domain upload --hsm-name <HSM> --sd-file blob.json --restore-blob" >>"$log" 2>&1; then
        tail -n 8 "$log" >&2
        setup_fail "az in $venv does not reach the login step for a correct upload command (log: $log)" \
            "if it names a missing module, install it pinned (add it to this script and constraints.txt), then rm -rf $venv and rerun"
    fi
    rm -rf "$check_cache"
    printf '%s' "$stamp_want" >"$stamp"
    say "installed in $(($(date +%s) - t_install)) s"
fi

# ---------------------------------------------------------------- work dir
mkdir -p "$repo/target/az-oracle-tmp"
work=$(mktemp -d "$repo/target/az-oracle-tmp/run.XXXXXX")
cleanup() {
    trap - EXIT
    if [ "${AZ_ORACLE_KEEP:-}" = 1 ]; then
        say "kept $work (AZ_ORACLE_KEEP=1); it holds test keys and plaintexts"
    else
        rm -rf "$work"
        rmdir "$repo/target/az-oracle-tmp" 2>/dev/null || true
    fi
}
trap cleanup EXIT

# az, offline: a fresh config dir, no login, no telemetry, no prompts.
export AZURE_CONFIG_DIR="$work/az-config"
export AZURE_CORE_COLLECT_TELEMETRY=no AZURE_CORE_SURVEY_MESSAGE=no AZURE_CORE_NO_COLOR=yes
export AZURE_CORE_ONLY_SHOW_ERRORS=yes AZURE_CORE_DISABLE_PROGRESS_BAR=yes
mkdir -p "$AZURE_CONFIG_DIR"
# Without this, az's first start in a fresh config dir asks
# azcliprod.blob.core.windows.net for the latest CLI version (even for the
# offline restore-blob; offline it fails fast, but it is network traffic).
"$py" "$azcmds" seed-config "$AZURE_CONFIG_DIR" ||
    setup_fail "azcommands.py seed-config $AZURE_CONFIG_DIR failed"

az_restore_blob() {
    "$py" -m azure.cli keyvault security-domain restore-blob "$@"
}

# ---------------------------------------------------------------- case runner
results=()
npass=0
nfail=0

# run_case NAME FUNCTION ARGS...: runs FUNCTION in a subshell with errexit and
# a private directory ($cdir), output to a log; the log is shown on failure.
# A case prints its one-line detail for the table on fd 3.
run_case() {
    local name=$1
    shift
    local cdir="$work/case-$((${#results[@]} + 1))"
    mkdir -p "$cdir"
    local t0 rc detail
    t0=$(date +%s.%N)
    set +e
    (
        set -euo pipefail
        cd "$cdir"
        "$@"
    ) >"$cdir.log" 2>&1 3>"$cdir.detail"
    rc=$?
    set -e
    local secs
    secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    detail=$(tail -n 1 "$cdir.detail" 2>/dev/null || true)
    if [ $rc -eq 0 ]; then
        npass=$((npass + 1))
        results+=("$(printf '%-4s  %-38s %5ss  %s' PASS "$name" "$secs" "$detail")")
        say "PASS  $name ($secs s)"
    else
        nfail=$((nfail + 1))
        results+=("$(printf '%-4s  %-38s %5ss  %s' FAIL "$name" "$secs" "see log above")")
        say "FAIL  $name ($secs s); last lines of its log:"
        tail -n 25 "$cdir.log" | sed 's/^/    | /'
    fi
}

# Fails the current case with a message.
fail() {
    printf 'FAILED: %s\n' "$*" >&2
    exit 1
}

# run CMD...: echo, run, and fail the case with the command line on error.
run() {
    printf '+ %s\n' "$*"
    "$@" || fail "exit $?: $*"
}

# run_out PREFIX CMD...: like run, with stdout and stderr also kept in
# PREFIX.stdout and PREFIX.stderr.
run_out() {
    local prefix=$1
    shift
    printf '+ %s\n' "$*"
    local rc=0
    "$@" >"$prefix.stdout" 2>"$prefix.stderr" || rc=$?
    cat "$prefix.stdout" "$prefix.stderr"
    [ $rc -eq 0 ] || fail "exit $rc: $*"
}

# compare_dirs GOT WANT: same file names, identical bytes.
compare_dirs() {
    local got=$1 want=$2
    [ "$(cd "$got" && ls | sort)" = "$(cd "$want" && ls | sort)" ] ||
        fail "$got has files [$(cd "$got" && ls | tr '\n' ' ')], expected [$(cd "$want" && ls | tr '\n' ' ')]"
    local f
    for f in "$want"/*; do
        cmp -s "$f" "$got/$(basename "$f")" || fail "$got/$(basename "$f") differs from $f"
    done
}

# ---------------------------------------------------------------- shared inputs
# Random secrets of various sizes; each case copies the ones it uses into
# expected/<tag>.bin, so the opened blob must equal that directory exactly.
mkdir -p "$work/secrets"
head -c 1 /dev/urandom >"$work/secrets/1B"
head -c 100 /dev/urandom >"$work/secrets/100B"
head -c 16 /dev/urandom >"$work/secrets/16B"
head -c 65536 /dev/urandom >"$work/secrets/64KiB"
head -c 8148 /dev/urandom >"$work/secrets/8148B"
: >"$work/secrets/0B"

say "making the drill exchange key (sdkit exchange-key)"
"$sdkit" exchange-key --out-dir "$work/ex" >/dev/null ||
    setup_fail "sdkit exchange-key --out-dir $work/ex failed"
ex_cert="$work/ex/exchange.cer"
ex_key="$work/ex/exchange-key.pem"

# ---------------------------------------------------------------- direction A
# a_split DIR QUORUM "TAG=SIZE..." CERT...: writes DIR/sd.json and
# DIR/expected/<tag>.bin.
a_split() {
    local dir=$1 quorum=$2 items=$3
    shift 3
    mkdir -p "$dir/expected"
    local args=() item tag size
    for item in $items; do
        tag=${item%%=*}
        size=${item#*=}
        cp "$work/secrets/$size" "$dir/expected/$tag.bin"
        args+=(--in "$tag=$work/secrets/$size")
    done
    local c
    for c in "$@"; do args+=(--cert "$c"); done
    run "$sdkit" split "${args[@]}" --quorum "$quorum" --out "$dir/sd.json"
}

# a_check DIR LABEL KEYFILE... [-- PASSWORD...]: az restore-blob with those
# keys (in that order), open az's blob with sdkit, compare with the inputs;
# then the same with sdkit restore-blob, and compare the two blobs' layout.
a_check() {
    local dir=$1 label=$2
    shift 2
    local keys=() pws=()
    while [ $# -gt 0 ] && [ "$1" != -- ]; do keys+=("$1"); shift; done
    [ $# -gt 0 ] && shift && pws=("$@")
    local out="$dir/$label"
    mkdir -p "$out"
    local pwargs=()
    [ ${#pws[@]} -gt 0 ] && pwargs=(--passwords "${pws[@]}")
    run az_restore_blob --sd-file "$dir/sd.json" --sd-exchange-key "$ex_cert" \
        --sd-wrapping-keys "${keys[@]}" "${pwargs[@]}" --sd-file-restore-blob "$out/az-blob.json"
    run "$sdkit" open-blob "$out/az-blob.json" --exchange-private-key "$ex_key" --out-dir "$out/az-opened"
    compare_dirs "$out/az-opened" "$dir/expected"
    # sdkit's own restore-blob on the same SD and keys, for the layout check.
    local kargs=() k
    for k in "${keys[@]}"; do kargs+=(--key "$k"); done
    local pfargs=() i=0 p
    for p in "${pws[@]}"; do
        i=$((i + 1))
        printf '%s\n' "$p" >"$out/pass$i"
        pfargs+=(--passphrase-file "$out/pass$i")
    done
    run "$sdkit" restore-blob "$dir/sd.json" "${kargs[@]}" "${pfargs[@]}" --exchange-key "$ex_cert" --out "$out/sdkit-blob.json"
    run "$sdkit" open-blob "$out/sdkit-blob.json" --exchange-private-key "$ex_key" --out-dir "$out/sdkit-opened"
    compare_dirs "$out/sdkit-opened" "$dir/expected"
    run "$py" "$helper" shape "$ex_cert" "$out/az-blob.json" "$out/sdkit-blob.json"
}

# case_a N M BITS ITEMS SUBSETS...: keygen N unencrypted keys, split with
# quorum M, then a_check for each subset ("3,1" = keys 3 then 1).
case_a() {
    local n=$1 m=$2 bits=$3 items=$4
    shift 4
    run "$sdkit" keygen --holders "$n" --bits "$bits" --no-passphrase --out-dir keys
    local certs=() i
    for i in $(seq 1 "$n"); do certs+=("$PWD/keys/sd-key$i.cer"); done
    a_split "$PWD" "$m" "$items" "${certs[@]}"
    local subset keys
    for subset in "$@"; do
        keys=()
        for i in ${subset//,/ }; do keys+=("$PWD/keys/sd-key$i.pem"); done
        a_check "$PWD" "keys-${subset//,/-}" "${keys[@]}"
    done
    local nitems
    nitems=$(echo "$items" | wc -w)
    echo "items: $nitems; key orders: $*" >&3
}

# Encrypted PKCS#8 keys, one passphrase for all holders, az --passwords.
case_a_encrypted_one() {
    printf 'correct horse battery staple\n' >pass
    run "$sdkit" keygen --holders 3 --bits 2048 --passphrase-file pass --out-dir keys
    grep -q 'BEGIN ENCRYPTED PRIVATE KEY' keys/sd-key1.pem || fail "keygen did not write an encrypted PKCS#8 key"
    a_split "$PWD" 2 "hsm_backup=8148B my-secret=100B" "$PWD"/keys/sd-key{1,2,3}.cer
    local pw='correct horse battery staple'
    a_check "$PWD" keys-3-1 "$PWD/keys/sd-key3.pem" "$PWD/keys/sd-key1.pem" -- "$pw" "$pw"
    a_check "$PWD" keys-1-2 "$PWD/keys/sd-key1.pem" "$PWD/keys/sd-key2.pem" -- "$pw" "$pw"
    echo "encrypted PKCS#8, az --passwords; key orders: 3,1 1,2" >&3
}

# Encrypted keys, a different passphrase per holder (one non-ASCII, UTF-8),
# matched by position in --passwords.
case_a_encrypted_each() {
    printf 'first-pass\n' >p1
    printf 'p\xc3\xa4ssw\xc3\xb6rd zwei\n' >p2
    printf '3rd!pass\n' >p3
    run "$sdkit" keygen --holders 3 --bits 2048 --passphrase-file p1 --passphrase-file p2 --passphrase-file p3 --out-dir keys
    a_split "$PWD" 2 "hsm_backup=1B" "$PWD"/keys/sd-key{1,2,3}.cer
    a_check "$PWD" keys-2-3 "$PWD/keys/sd-key2.pem" "$PWD/keys/sd-key3.pem" -- "$(head -n1 p2)" "$(head -n1 p3)"
    a_check "$PWD" keys-3-1 "$PWD/keys/sd-key3.pem" "$PWD/keys/sd-key1.pem" -- "$(head -n1 p3)" "$(head -n1 p1)"
    echo "one passphrase per key (incl. UTF-8); key orders: 2,3 3,1" >&3
}

# Holders with RSA-2048, 3072 and 4096 keys; holder 2's certificate is given
# to split as DER (the thumbprint must still match az's PEM .cer).
case_a_mixed() {
    run "$sdkit" keygen --holders 1 --bits 2048 --no-passphrase --prefix h1- --out-dir keys
    run "$sdkit" keygen --holders 1 --bits 3072 --no-passphrase --prefix h2- --out-dir keys
    run "$sdkit" keygen --holders 1 --bits 4096 --no-passphrase --prefix h3- --out-dir keys
    run "$py" "$helper" der keys/h2-1.cer h2.der
    a_split "$PWD" 2 "base_enclave_backup=16B partition_enclave_backup=100B" \
        "$PWD/keys/h1-1.cer" "$PWD/h2.der" "$PWD/keys/h3-1.cer"
    a_check "$PWD" keys-3-2 "$PWD/keys/h3-1.pem" "$PWD/keys/h2-1.pem"
    a_check "$PWD" keys-1-3 "$PWD/keys/h1-1.pem" "$PWD/keys/h3-1.pem"
    echo "RSA 2048/3072/4096, one cert as DER; key orders: 3,2 1,3" >&3
}

# The oracle is not vacuous: az must reject an sdkit SD whose first item's
# A256CBC-HS512 tag has one flipped bit (so az really checks sdkit's tags).
case_a_tamper() {
    run "$sdkit" keygen --holders 3 --bits 2048 --no-passphrase --out-dir keys
    a_split "$PWD" 2 "hsm_backup=100B" "$PWD"/keys/sd-key{1,2,3}.cer
    run az_restore_blob --sd-file sd.json --sd-exchange-key "$ex_cert" \
        --sd-wrapping-keys "$PWD/keys/sd-key1.pem" "$PWD/keys/sd-key2.pem" --sd-file-restore-blob good.json
    run "$py" "$helper" tamper sd.json bad-sd.json
    printf '+ az restore-blob on bad-sd.json (must fail)\n'
    if az_restore_blob --sd-file bad-sd.json --sd-exchange-key "$ex_cert" \
        --sd-wrapping-keys "$PWD/keys/sd-key1.pem" "$PWD/keys/sd-key2.pem" --sd-file-restore-blob bad.json; then
        fail "az accepted an SD with a corrupted item tag"
    fi
    [ ! -e bad.json ] || fail "az wrote a blob for an SD with a corrupted item tag"
    printf '+ sdkit drill on bad-sd.json (must fail)\n'
    if "$sdkit" drill bad-sd.json --key keys/sd-key1.pem --key keys/sd-key2.pem; then
        fail "sdkit drill accepted an SD with a corrupted item tag"
    fi
    echo "az and sdkit both reject a flipped tag bit" >&3
}

# N and M outside what a Managed HSM makes (N 3..10, M 2..10): az
# restore-blob only checks 2 <= required <= 10, so N=2 and N=12 SDs must
# round-trip, and M=11 must be refused by az (sdkit split only warns).
case_a_limits() {
    run "$sdkit" keygen --holders 12 --bits 2048 --no-passphrase --out-dir keys
    local certs=() i
    for i in $(seq 1 12); do certs+=("$PWD/keys/sd-key$i.cer"); done
    mkdir n2 n12 m11
    a_split "$PWD/n2" 2 "hsm_backup=100B" "${certs[@]:0:2}"
    a_check "$PWD/n2" keys-2-1 "$PWD/keys/sd-key2.pem" "$PWD/keys/sd-key1.pem"
    a_split "$PWD/n12" 2 "hsm_backup=100B" "${certs[@]}"
    a_check "$PWD/n12" keys-12-11 "$PWD/keys/sd-key12.pem" "$PWD/keys/sd-key11.pem"
    a_split "$PWD/m11" 11 "hsm_backup=1B" "${certs[@]}"
    local keys=()
    for i in $(seq 1 11); do keys+=("$PWD/keys/sd-key$i.pem"); done
    printf '+ az restore-blob on an 11-of-12 SD (must fail)\n'
    if az_restore_blob --sd-file m11/sd.json --sd-exchange-key "$ex_cert" \
        --sd-wrapping-keys "${keys[@]}" --sd-file-restore-blob m11/az-blob.json; then
        fail "az accepted required = 11"
    fi
    echo "n2 m2 and n12 m2 round-trip; az refuses m11" >&3
}

# ---------------------------------------------------------------- direction B
# case_b SD EXPECT_SPECS KEY_A KEY_B [LOOSE_REF...]
case_b() {
    local sd=$1 specs=$2 ka=$3 kb=$4
    shift 4
    mkdir -p keys
    cp "$vectors/$ka.pem" "$vectors/$ka.cer" "$vectors/$kb.pem" "$vectors/$kb.cer" keys/
    run az_restore_blob --sd-file "$sd" --sd-exchange-key "$oracle_cert" \
        --sd-wrapping-keys "$PWD/keys/$ka.pem" "$PWD/keys/$kb.pem" --sd-file-restore-blob az-blob.json
    run_out restore-blob "$sdkit" restore-blob "$sd" --key "keys/$ka.pem" --key "keys/$kb.pem" \
        --exchange-key "$oracle_cert" --out ours.json
    # What it printed names the az commands to run next (upload, wait): the
    # az-commands section checks them, from the first B case that gets here.
    if [ ! -e "$work/printed/restore-blob.stdout" ]; then
        mkdir -p "$work/printed"
        cp restore-blob.stdout restore-blob.stderr "$work/printed/"
    fi
    run "$sdkit" open-blob az-blob.json --exchange-private-key "$oracle_key" --out-dir az-opened
    run "$sdkit" open-blob ours.json --exchange-private-key "$oracle_key" --out-dir ours-opened
    # shellcheck disable=SC2086 # specs is a word list
    run "$py" "$helper" expect az-opened $specs
    compare_dirs ours-opened az-opened
    # Third opinion: sdkit reading the SD directly.
    run "$sdkit" recover "$sd" --key "keys/$ka.pem" --key "keys/$kb.pem" --out-dir recovered
    compare_dirs recovered az-opened
    local refs=("$@") stored=()
    if [ ${#refs[@]} -gt 0 ] && [ "${refs[0]}" != --loose-ek ]; then
        stored=("${refs[0]}")
        refs=("${refs[@]:1}")
        run "$sdkit" open-blob "${stored[0]}" --exchange-private-key "$oracle_key" --out-dir stored-opened
        compare_dirs stored-opened az-opened
    fi
    run "$py" "$helper" shape "$oracle_cert" az-blob.json ours.json "${stored[@]}" "${refs[@]}"
    local extra=""
    [ ${#stored[@]} -gt 0 ] && extra=", = stored az blob"
    echo "plaintexts az = sdkit = recover, sizes+hashes ok; layout same${extra}" >&3
}

say "running the cases"
run_case "A n3 m2 (2048)" case_a 3 2 2048 \
    "hsm_backup=64KiB my-secret=1B base_enclave_backup=100B" 1,2 2,1 3,1 2,3 3,2,1
run_case "A n5 m3 (2048)" case_a 5 3 2048 \
    "my-secret=100B hsm_backup=1B db.root=16B" 1,2,3 5,3,1 2,4,5 4,1,3 5,4,3,2
run_case "A n4 m4 (2048)" case_a 4 4 2048 "hsm_backup=64KiB" 1,2,3,4 4,3,2,1 2,4,1,3
run_case "A n10 m2 (2048)" case_a 10 2 2048 \
    "hsm_backup=100B base_enclave_backup=64KiB partition_enclave_backup=8148B my-secret=1B empty=0B" \
    1,2 10,1 3,7 9,5
run_case "A encrypted keys, one passphrase" case_a_encrypted_one
run_case "A encrypted keys, per-key passwords" case_a_encrypted_each
run_case "A mixed RSA sizes + DER cert" case_a_mixed
run_case "A outside HSM limits (n2, n12, m11)" case_a_limits
run_case "A tampered tag rejected" case_a_tamper

sd2020="$vectors/sd-2020-09-15_df516d79.json"
sd2023="$vectors/sd-2023-11-07_15e0e830.json"
exp2020="hsm_backup=8148:ee3198b862520ed1 base_enclave_backup=869:0286399088a164ba partition_enclave_backup=2925:8a6121a6bfe4f8e9"
exp2023="hsm_backup=8532:09d796b3924b73bf base_enclave_backup=968:57d6d2754ab561ff partition_enclave_backup=3105:a5ccbe18d22cca88"
up2020="$vectors/upload-request-2020-09-15_df516d79.json"
up2023="$vectors/upload-request-2023-11-07_15e0e830.json"
stored2023="$vectors/cli-oracle/restore-blob_sd-2023-11-07_sd1-sd2.json"
for pair in "sd1 sd2" "sd1 sd3" "sd2 sd3"; do
    # shellcheck disable=SC2086 # pair is two words
    run_case "B 2020-09-15 ${pair/ /+}" case_b "$sd2020" "$exp2020" $pair --loose-ek "$up2020"
done
for pair in "sd1 sd2" "sd1 sd3" "sd2 sd3"; do
    # shellcheck disable=SC2086 # pair is two words
    run_case "B 2023-11-07 ${pair/ /+}" case_b "$sd2023" "$exp2023" $pair "$stored2023" --loose-ek "$up2023"
done

# ---------------------------------------------------------------- reshare
# `sdkit reshare` moves each real SD (2 of 3, custodians sd1..sd3) to four
# new custodians, 3 of 4 (plain RSA-2048 keys from `sdkit keygen`; the old
# quorum sd1+sd2 opens it). Three cases per SD, the later two on the first
# one's files in $work/reshare-<date>:
#   reshare: the new file keeps the old one's layout and items and reuses
#     none of its randomness (blobcheck.py reshared); az restore-blob opens
#     it with three new keys that are not the first three; az's blob opens
#     with `sdkit open-blob` to exactly what `sdkit recover` gets from the
#     old file, with the sizes and hashes direction B expects.
#   keys: the old keys open no share of the new file and the new keys none
#     of the old one: `sdkit drill` exits 4 with every key "no_share" (it
#     tries every share, not just the one its certificate names), and az
#     restore-blob fails with "Insufficient shares available.".
#   same contents: `sdkit drill NEW --same-contents-as` the old quorum's
#     `sdkit --json drill` report of the old file exits 0; against the other
#     real SD's report, exit 1 with every item named.

# expect_exit CODE CMD...: echo (on stderr, so CMD's stdout can be
# redirected), run, and fail the case unless CMD exits with exactly CODE (a
# panic, 101, or a signal is not the refusal expected).
expect_exit() {
    local want=$1
    shift
    printf '+ %s (must exit %s)\n' "$*" "$want" >&2
    local rc=0
    "$@" || rc=$?
    [ $rc -eq "$want" ] || fail "exit $rc, not $want: $*"
}

# az_no_quorum SD OUT KEY...: az restore-blob must refuse SD with these keys
# for want of shares (not for any other reason) and write no OUT.
az_no_quorum() {
    local sd=$1 out=$2
    shift 2
    printf '+ az restore-blob %s with %s (must fail: no shares)\n' "$sd" "$*"
    local rc=0
    az_restore_blob --sd-file "$sd" --sd-exchange-key "$oracle_cert" \
        --sd-wrapping-keys "$@" --sd-file-restore-blob "$out" >"$out.log" 2>&1 || rc=$?
    cat "$out.log"
    [ $rc -ne 0 ] || fail "az made a restore blob of $sd with $*"
    [ ! -e "$out" ] || fail "az failed but wrote $out"
    grep -q 'Insufficient shares available' "$out.log" ||
        fail "az failed (exit $rc), but not with 'Insufficient shares available.'"
}

# case_r_reshare RDIR SD EXPECT_SPECS AZ_KEYS: AZ_KEYS is the new keys az
# gets, in that order ("4,1,3" = n4, n1, n3).
case_r_reshare() {
    local rdir=$1 sd=$2 specs=$3 azkeys=$4
    mkdir -p "$rdir/old"
    cd "$rdir"
    cp "$vectors"/sd{1,2,3}.pem "$vectors"/sd{1,2,3}.cer old/
    run "$sdkit" keygen --holders 4 --bits 2048 --no-passphrase --prefix n --out-dir new
    run_out old-drill "$sdkit" --json drill "$sd" --key old/sd1.pem --key old/sd2.pem
    mv old-drill.stdout old-drill.json
    run "$sdkit" reshare "$sd" --key old/sd1.pem --key old/sd2.pem \
        --cert new/n1.cer --cert new/n2.cer --cert new/n3.cer --cert new/n4.cer --quorum 3 --out new.json
    run "$py" "$helper" reshared "$sd" new.json 3 new/n{1,2,3,4}.cer
    local keys=() i
    for i in ${azkeys//,/ }; do keys+=("$PWD/new/n$i.pem"); done
    run az_restore_blob --sd-file new.json --sd-exchange-key "$oracle_cert" \
        --sd-wrapping-keys "${keys[@]}" --sd-file-restore-blob az-blob.json
    run "$sdkit" open-blob az-blob.json --exchange-private-key "$oracle_key" --out-dir az-opened
    run "$sdkit" recover "$sd" --key old/sd1.pem --key old/sd2.pem --out-dir old-recovered
    # shellcheck disable=SC2086 # specs is a word list
    run "$py" "$helper" expect az-opened $specs
    compare_dirs az-opened old-recovered
    echo "3 of 4; az with n${azkeys//,/,n}: plaintexts = recover(old), sizes+hashes ok" >&3
}

# case_r_keys RDIR SD
case_r_keys() {
    local rdir=$1 sd=$2
    [ -s "$rdir/new.json" ] || fail "no $rdir/new.json: the reshare case above failed"
    cd "$rdir"
    expect_exit 4 "$sdkit" --json drill new.json --key old/sd1.pem --key old/sd2.pem --key old/sd3.pem \
        >old-keys-new-sd.json
    run "$py" "$helper" drill-report old-keys-new-sd.json no-share
    expect_exit 4 "$sdkit" --json drill "$sd" --key new/n1.pem --key new/n2.pem --key new/n3.pem \
        >new-keys-old-sd.json
    run "$py" "$helper" drill-report new-keys-old-sd.json no-share
    az_no_quorum new.json old-keys-blob.json "$PWD"/old/sd{1,2,3}.pem
    az_no_quorum "$sd" new-keys-blob.json "$PWD"/new/n{1,2,3}.pem
    echo "sd1..3 open nothing in new, n1..3 nothing in old (sdkit exit 4, az refuses)" >&3
}

# case_r_same RDIR OTHER_SD
case_r_same() {
    local rdir=$1 other=$2
    [ -s "$rdir/new.json" ] || fail "no $rdir/new.json: the reshare case above failed"
    cd "$rdir"
    run "$sdkit" drill new.json --key new/n2.pem --key new/n3.pem --key new/n4.pem \
        --same-contents-as old-drill.json
    run_out other-drill "$sdkit" --json drill "$other" --key old/sd1.pem --key old/sd2.pem
    mv other-drill.stdout other-drill.json
    expect_exit 1 "$sdkit" --json drill new.json --key new/n2.pem --key new/n3.pem --key new/n4.pem \
        --same-contents-as other-drill.json >vs-other.json
    run "$py" "$helper" drill-report vs-other.json other-contents
    echo "n2+n3+n4: = old's drill report (exit 0), != $(basename "$other")'s (exit 1)" >&3
}

# r_cases DATE SD EXPECT_SPECS OTHER_SD AZ_KEYS: the three cases for one SD.
r_cases() {
    local date=$1 sd=$2 specs=$3 other=$4 azkeys=$5
    local rdir="$work/reshare-$date"
    run_case "R $date reshare, az n${azkeys//,/+n}" case_r_reshare "$rdir" "$sd" "$specs" "$azkeys"
    run_case "R $date old/new keys open nothing" case_r_keys "$rdir" "$sd"
    run_case "R $date drill --same-contents-as" case_r_same "$rdir" "$other"
}
r_cases 2020-09-15 "$sd2020" "$exp2020" "$sd2023" 1,3,4
r_cases 2023-11-07 "$sd2023" "$exp2023" "$sd2020" 4,2,1

# ---------------------------------------------------------------- az commands
# Every az command sdkit documents or prints must get through the real az's
# argument parser: a wrong one (e.g. `upload --hsm-name <HSM> --restore-blob
# FILE`: in az, --restore-blob is a flag and --sd-file is required) fails
# when a person pastes it during a recovery, so it fails here first.
#
# Method (azcommands.py check): az runs each command with a fresh empty
# AZURE_CONFIG_DIR (no login) in an empty working directory, <placeholders>
# filled in (contoso-hsm). With correct arguments az gets through argparse
# and the argument validators to the command's handler, whose client factory
# asks for the login: "ERROR: Please run 'az login' to setup account.", exit
# 1. Wrong arguments stop in argparse, exit 2 ("ERROR: the following
# arguments are required: --sd-file", "ERROR: unrecognized arguments: ...",
# "ERROR: argument --sd-quorum: invalid int value: 'M'"), or in a validator,
# exit 1 ("ERROR: Please specify --vault-name or --hsm-name."). To be sure
# which, the runner also prints a marker when az calls the handler, and a
# pass needs both the marker and the login error. The offline restore-blob
# is stopped at its handler (it would run on whatever the command names).
# az's validators for these commands do not look at files (upload's
# --sd-file, download's .cer files and init-recovery's exchange.cer are only
# opened after the login), so no files are made for them.
#
# Offline: az makes no connection before the login step, except its version
# check on a fresh config dir (seeded away by the runner) and, for a command
# it does not know, a look in its extension index; the runner blocks every
# IPv4/IPv6 connect and name lookup in the az process and fails the command
# if az tries one (checked with strace: no AF_INET/AF_INET6 connect). Each command has a 30 s timeout (it takes
# about 0.3 s). One az process per distinct command, one after the other:
# az starts in about 0.3 s here, so the ~10 commands take a few seconds, and
# a fresh process per command is what a person pasting it gets, which one
# long-lived get_default_cli() reused across invocations would not be.
#
# Where the commands come from (extracted now, so edits are covered):
# README.md and docs/*.md (code blocks and inline code), sdkit's Rust
# sources outside tests (string literals and doc comments, which are its
# --help), and what `sdkit restore-blob` printed in direction B. A mention
# without any option or with "..." (`az ... restore-blob`, or a command
# named in a sentence) is not a command; the extraction logs what it skips.
# Each kind must yield at least one command, so this can never check nothing.

# case_az_extract KIND TSV ARGS...: azcommands.py extract KIND ARGS... into
# TSV (source<TAB>command per line).
case_az_extract() {
    local kind=$1 tsv=$2
    shift 2
    printf '+ azcommands.py extract %s %s\n' "$kind" "$*"
    "$py" "$azcmds" extract "$kind" "$@" >"$tsv" 2>skipped.txt ||
        { cat skipped.txt; fail "azcommands.py extract $kind failed"; }
    cat skipped.txt
    local n nskip
    n=$(wc -l <"$tsv")
    nskip=$(grep -c '^skipped' skipped.txt || true)
    printf 'found %s:\n' "$n"
    sed 's/\t/: /; s/^/  /' "$tsv"
    [ "$n" -gt 0 ] || fail "no az command found ($kind): the extraction is broken or the commands moved; this check must not test nothing"
    echo "$n commands; $nskip mentions skipped (no option, or ...)" >&3
}

# case_az_command SOURCE COMMAND: az must accept COMMAND's arguments.
case_az_command() {
    "$py" "$azcmds" check "$work/az-parse-cache" "$1" "$2"
    echo "$2" >&3
}

say "checking the az commands in the docs, the sources and sdkit's output"
t_az=$(date +%s.%N)
azlists=("$work/az-docs.tsv" "$work/az-rust.tsv" "$work/az-printed.tsv")
: >"${azlists[0]}"
: >"${azlists[1]}"
: >"${azlists[2]}"
run_case "az commands in README.md, docs/*.md" case_az_extract docs "${azlists[0]}" "$repo"
run_case "az commands in crates/*/src" case_az_extract rust "${azlists[1]}" "$repo"
if [ -e "$work/printed/restore-blob.stdout" ]; then
    run_case "az commands sdkit restore-blob printed" case_az_extract printed "${azlists[2]}" \
        "sdkit restore-blob stdout=$work/printed/restore-blob.stdout" \
        "sdkit restore-blob stderr=$work/printed/restore-blob.stderr"
else
    run_case "az commands sdkit restore-blob printed" fail \
        "no sdkit restore-blob output was captured: every direction B case failed before it ran"
fi
for tsv in "${azlists[@]}"; do
    while IFS=$'\t' read -r src cmd; do
        run_case "az ${src#crates/}" case_az_command "$src" "$cmd" </dev/null
    done <"$tsv"
done
say "az commands checked in $(awk -v a="$t_az" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"

# ---------------------------------------------------------------- summary
cleanup
echo
echo "az CLI oracle (azure-cli $AZ_CLI_VERSION, $("$sdkit" -V)), $(($(date +%s) - t_start)) s"
printf '%-4s  %-38s %6s  %s\n' "" case time detail
for r in "${results[@]}"; do echo "$r"; done
echo "$npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
