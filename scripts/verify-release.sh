#!/usr/bin/env bash
# Checks that the release binary is reproducible: the commit checked out here, built twice by
# scripts/build-release.sh from two fresh clones in different directories, gives the same
# bytes. Then anyone who builds the commit can confirm the SHA-256 of the binary a custodian
# carries (docs/CEREMONY.md, step 0).
#
# What it does, under <target dir>/verify-release/:
#   1. `git clone`s the repository twice and checks out HEAD's commit in each, at two paths
#      of different lengths (a/sdkit and bb/second-build/sdkit), each clone building into its
#      own target directory (inside the first clone; outside the second), so nothing is
#      shared between the builds but the toolchain and the downloaded crate sources.
#   2. Builds each with scripts/build-release.sh (several minutes each on 2 cores).
#   3. Compares the two binaries byte for byte and prints both SHA-256 values; on a
#      difference it lists the ELF sections that differ. Also compares the two build-info
#      records.
#   4. Checks that no build path (either clone, either target dir, this checkout, CARGO_HOME,
#      RUSTUP_HOME, HOME) occurs in the binary.
#   5. Reads the embedded dependency list back (`rust-audit-info`, which build-release.sh
#      installs beside cargo-auditable) and checks it names sdkit-cli and aws-lc-rs.
# On success the binary and its build-info are kept as verify-release/sdkit and
# verify-release/sdkit.build-info and the clones are deleted (VERIFY_RELEASE_KEEP=1 keeps them).
#
# Usage: bash scripts/verify-release.sh [--allow-dirty] [--fips]
#   The working tree must be clean: the clones build HEAD's commit, so uncommitted changes
#   would not be in them. --allow-dirty verifies HEAD anyway, with a warning. --fips verifies
#   the FIPS binary (`build-release.sh --fips`; needs CMake and Go) instead, under
#   <target dir>/verify-release-fips/.
# Not run by .ci/run: it takes two full release builds (about 6 minutes on 2 cores).
#
# Exit status: 0 the two builds are identical and every check passed; 1 the builds differ,
# a build path is in the binary, or the dependency list does not read back; 2 it could not
# verify (not a git checkout, a dirty tree, git or cargo missing, a clone or a build failed).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
say() { echo "verify-release: $*" >&2; }
die() { say "$2"; exit "$1"; }

allow_dirty= fips=
for arg in "$@"; do
    case "$arg" in
        --allow-dirty) allow_dirty=1 ;;
        --fips) fips=--fips ;;
        *) die 2 "unknown argument $arg (usage: verify-release.sh [--allow-dirty] [--fips])" ;;
    esac
done
kept=sdkit
for tool in git cargo sha256sum python3; do
    command -v "$tool" >/dev/null 2>&1 || die 2 "$tool is not installed"
done
commit=$(git rev-parse --verify -q HEAD) || die 2 "$repo is not a git checkout with a commit"
if [ -n "$(git status --porcelain)" ]; then
    [ -n "$allow_dirty" ] || die 2 "the working tree has uncommitted changes, which the clones
would not have: commit or stash them, or pass --allow-dirty to verify HEAD ($commit) anyway"
    say "warning: the working tree has uncommitted changes; verifying HEAD ($commit) without them"
fi

target_dir=$(cargo metadata --no-deps --format-version 1 --locked 2>/dev/null |
    sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
[ -n "$target_dir" ] || target_dir="$repo/target"
work="$target_dir/verify-release${fips:+-fips}"
rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
# Both builds share the release tools (cargo-auditable, rust-audit-info), installed once.
export SDKIT_RELEASE_TOOLS="$target_dir/release-tools"
unset CARGO_TARGET_DIR CARGO_BUILD_TARGET_DIR

# build NAME CLONE_DIR TARGET_DIR: clones HEAD's commit into CLONE_DIR and builds it there.
build() {
    local name=$1 clone=$2 target=$3 log="$work/$1.log" bin
    say "build $name: cloning $commit into $clone"
    mkdir -p "$(dirname "$clone")"
    git clone -q --no-hardlinks "$repo" "$clone" >"$log" 2>&1 ||
        die 2 "build $name: could not clone $repo (log: $log)"
    # HEAD may be a detached commit that no branch holds: then fetch it by name.
    if ! git -C "$clone" checkout -q --detach "$commit" >>"$log" 2>&1; then
        { git -C "$clone" fetch -q "$repo" "$commit" &&
            git -C "$clone" checkout -q --detach "$commit"; } >>"$log" 2>&1 ||
            die 2 "build $name: could not check out $commit (log: $log)"
    fi
    say "build $name: building in $clone (target dir $target; log: $log)"
    bin=$(CARGO_TARGET_DIR="$target" bash "$clone/scripts/build-release.sh" $fips 2>>"$log") ||
        { tail -n 20 "$log" >&2; die 2 "build $name: build-release.sh failed (log: $log)"; }
    printf '%s\n' "$bin"
}
t0=$(date +%s)
bin_a=$(build A "$work/a/sdkit" "$work/a/sdkit/target")
bin_b=$(build B "$work/bb/second-build/sdkit" "$work/bb/target-outside")
say "both builds done in $(($(date +%s) - t0)) s"

failed=0
sha_a=$(sha256sum "$bin_a" | cut -d' ' -f1)
sha_b=$(sha256sum "$bin_b" | cut -d' ' -f1)
echo "build A: $sha_a  $bin_a"
echo "build B: $sha_b  $bin_b"
if cmp -s "$bin_a" "$bin_b"; then
    echo "identical: yes"
else
    echo "identical: NO"
    failed=1
    if command -v readelf >/dev/null && command -v objcopy >/dev/null; then
        echo "sections that differ (name: A B):"
        for s in $(readelf -SW "$bin_a" | sed -n 's/^ *\[ *[0-9]*\] \([^ ]*\) .*/\1/p'); do
            objcopy -O binary --only-section="$s" "$bin_a" "$work/section-a" 2>/dev/null || :
            objcopy -O binary --only-section="$s" "$bin_b" "$work/section-b" 2>/dev/null || :
            ha=$(sha256sum <"$work/section-a") hb=$(sha256sum <"$work/section-b")
            [ "$ha" = "$hb" ] || echo "  $s: ${ha:0:16} ${hb:0:16}"
        done
    fi
fi
if ! diff -u "$bin_a.build-info" "$bin_b.build-info" >"$work/build-info.diff"; then
    echo "build-info records differ:"
    cat "$work/build-info.diff"
    failed=1
fi

# No build path may be in the binary (each build's own, and this machine's usual ones).
paths=("$work/a/sdkit" "$work/bb/second-build/sdkit" "$work/bb/target-outside" "$repo"
    "$target_dir" "${CARGO_HOME:-$HOME/.cargo}" "${RUSTUP_HOME:-$HOME/.rustup}")
[ "${#HOME}" -gt 1 ] && paths+=("$HOME")
found=0
for p in "${paths[@]}"; do
    for bin in "$bin_a" "$bin_b"; do
        if grep -qaF -- "$p" "$bin"; then
            echo "build path in $bin: $p"
            found=1
        fi
    done
done
if [ "$found" = 0 ]; then echo "build paths in the binary: none"; else failed=1; fi

# The embedded dependency list must read back and name the crates that matter.
deps="$work/dependencies.json"
if "$SDKIT_RELEASE_TOOLS/bin/rust-audit-info" "$bin_a" >"$deps" 2>"$work/audit-info.err" &&
    python3 - "$deps" "$fips" <<'EOF'; then
import json, sys
pkgs = {p["name"]: p["version"] for p in json.load(open(sys.argv[1]))["packages"]}
sys_crate = "aws-lc-fips-sys" if sys.argv[2] == "--fips" else "aws-lc-sys"
missing = [n for n in ("sdkit-cli", "sdkit-certs", "sdkit-core", "aws-lc-rs", sys_crate) if n not in pkgs]
if missing:
    print("embedded dependency list: missing " + ", ".join(missing))
    sys.exit(1)
print(f"embedded dependency list: {len(pkgs)} crates, sdkit-cli {pkgs['sdkit-cli']}, "
      f"aws-lc-rs {pkgs['aws-lc-rs']}, {sys_crate} {pkgs[sys_crate]}")
EOF
    :
else
    echo "embedded dependency list: does not read back ($(cat "$work/audit-info.err"))"
    failed=1
fi

if [ "$failed" != 0 ]; then
    say "NOT verified: see above (clones kept under $work)"
    exit 1
fi
cp "$bin_a" "$work/$kept"
cp "$bin_a.build-info" "$work/$kept.build-info"
[ "${VERIFY_RELEASE_KEEP:-}" = 1 ] || rm -rf "$work/a" "$work/bb"
say "verified: commit $commit builds reproducibly to sha256 $sha_a"
say "the binary and its build-info: $work/$kept, $work/$kept.build-info"
