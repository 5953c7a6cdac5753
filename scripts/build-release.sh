#!/usr/bin/env bash
# Builds the sdkit binary to carry to a ceremony laptop, and prints its path.
#
# The build is reproducible and auditable (docs/DESIGN.md, "Static release binary"):
# - On Linux with glibc (x86_64 or aarch64) the binary is linked statically (static-pie,
#   `-C target-feature=+crt-static`): one file that runs on any Linux of that architecture
#   whatever its glibc version or installed libraries, which is what an offline laptop needs,
#   and each command starts about 0.5 ms sooner (no shared libraries to map; measured in
#   docs/PERFORMANCE.md). Everywhere else it is `cargo build --release` with the rest below.
# - No build path ends up in the binary: rustc remaps the checkout (/sdkit), the target
#   directory (/target), the crates.io sources (/crates), the rest of CARGO_HOME (/cargo) and
#   the toolchain (/rust/toolchain); aws-lc-sys maps its own C sources' paths. So the same
#   commit built in two directories gives the same bytes (scripts/verify-release.sh).
# - The compiler is the one rust-toolchain.toml pins; SOURCE_DATE_EPOCH is the commit's time.
# - The dependency list (every crate and version compiled in) is embedded in the binary's
#   `.dep-v0` section by `cargo auditable` (cargo-auditable 0.7.7; installed with
#   `cargo install` into target/release-tools, or $SDKIT_RELEASE_TOOLS, when missing).
#   `rust-audit-info BIN` (installed beside it) or `cargo audit bin BIN` reads it back.
# - AWS-LC is built without its CPU-jitter entropy collector (AWS_LC_SYS_NO_JITTER_ENTROPY=1,
#   set here explicitly, not left to .cargo/config.toml): it cost ~30 ms of CPU in every
#   process that does RSA (docs/DESIGN.md, "RSA backend").
# - With --fips, every approved operation runs on AWS-LC's FIPS 140-3 module (`--features
#   fips`; aws-lc-fips-sys, whose build needs CMake and Go besides a C compiler). Its entropy
#   source stays as validated: AWS_LC_FIPS_SYS_NO_JITTER_ENTROPY is unset here, never set.
#   The FIPS binary goes to its own directory (<target dir>/fips/...) so the two builds do not
#   rebuild each other (docs/DESIGN.md, "FIPS build"; docs/SECURITY.md, "FIPS").
# - Beside the binary, BIN.build-info records what built it (rustc -vV, cc, glibc, features,
#   commit and whether the tree was dirty, SOURCE_DATE_EPOCH, the binary's SHA-256). It holds
#   nothing time- or path-dependent, so two builds of a commit write the same file.
#
# Usage: bash scripts/build-release.sh        (prints the binary's path on stdout; its
#                                              SHA-256 and build-info path on stderr)
#        bash scripts/build-release.sh --fips
#            the same binary with `--features fips` (docs/SECURITY.md, "FIPS")
#        bash scripts/build-release.sh --example NAME
#            builds sdkit-certs' example NAME the same way instead (scripts/bench-compare.sh
#            times examples/bare_unwrap.rs beside sdkit, so both must be linked alike); no
#            build-info
#
# Why not make every `cargo build --release` static: cargo applies a host-wide
# `crt-static` to proc-macro crates too, and those cannot be built static ("cannot produce
# proc-macro ... does not support these crate types"). Naming the target explicitly (as
# here) keeps the flag off the build's own tools. docs/DESIGN.md, "Static release binary".
#
# Environment: CARGO_TARGET_DIR moves the output as for cargo; SDKIT_RELEASE_TOOLS names the
# directory for cargo-auditable and rust-audit-info (default <target dir>/release-tools).
# RUSTFLAGS and CARGO_ENCODED_RUSTFLAGS are ignored (unset): they would replace the flags
# above and make the binary depend on the caller's shell.
#
# Exit status: 0 built, 1 the build failed, 2 a needed tool (cargo, rustc, cc, git for
# build-info's commit is optional) is missing or cargo-auditable could not be installed.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

AUDITABLE_VERSION=0.7.7
AUDIT_INFO_VERSION=0.5.4

# What to build: the sdkit binary (default or FIPS), or an example of sdkit-certs.
what=(-p sdkit-cli) out_name=sdkit example= fips=
case "${1:-}" in
    "") ;;
    --fips)
        fips=yes what+=(--features fips)
        for tool in cmake go; do
            if ! command -v "$tool" >/dev/null 2>&1; then
                echo "build-release: --fips needs $tool to build AWS-LC's FIPS module; install it" \
                    "(Debian: apt-get install cmake golang-go), then rerun" >&2
                exit 2
            fi
        done
        ;;
    --example)
        example=${2:?build-release: --example needs a name}
        what=(-p sdkit-certs --example "$example") out_name="examples/$example"
        ;;
    *)
        echo "build-release: unknown argument $1 (usage: build-release.sh [--fips | --example NAME])" >&2
        exit 2
        ;;
esac

for tool in cargo rustc; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "build-release: $tool is not installed; install Rust with rustup, then rerun" >&2
        exit 2
    fi
done
if ! rustc -V >/dev/null 2>&1; then
    echo "build-release: rustc does not run here; rust-toolchain.toml pins" \
        "$(sed -n 's/^channel = //p' rust-toolchain.toml): \`rustup toolchain install\` it" >&2
    exit 2
fi

host=$(rustc -vV | sed -n 's/^host: //p')
# Where cargo puts its output (CARGO_TARGET_DIR or a cargo config may move it from target/).
target_dir=$(cargo metadata --no-deps --format-version 1 --locked 2>/dev/null |
    sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
[ -n "$target_dir" ] || target_dir="$repo/target"
mkdir -p "$target_dir"
target_dir=$(cd "$target_dir" && pwd)
# Release tools are shared; the FIPS build has its own output tree.
tools=${SDKIT_RELEASE_TOOLS:-$target_dir/release-tools}
if [ -n "$fips" ]; then
    target_dir="$target_dir/fips"
    mkdir -p "$target_dir"
    export CARGO_TARGET_DIR="$target_dir"
fi

# cargo-auditable (and rust-audit-info, to read its result back), pinned, installed once.
installed() { grep -qs "^\"$1 $2 " "$tools/.crates.toml" && [ -x "$tools/bin/$1" ]; }
for pin in "cargo-auditable $AUDITABLE_VERSION" "rust-audit-info $AUDIT_INFO_VERSION"; do
    read -r tool tool_version <<<"$pin"
    installed "$tool" "$tool_version" && continue
    echo "build-release: installing $tool $tool_version into $tools (once)" >&2
    if ! cargo install -q --locked --version "$tool_version" --root "$tools" "$tool"; then
        echo "build-release: could not install $tool $tool_version (crates.io unreachable?); install" \
            "it with \`cargo install --locked --version $tool_version --root $tools $tool\`" >&2
        exit 2
    fi
done
export PATH="$tools/bin:$PATH"

# Every path a build directory could leave in the binary, mapped to a fixed name. rustc
# applies the last matching prefix, so the more specific maps come later.
cargo_home=${CARGO_HOME:-$HOME/.cargo}
sysroot=$(rustc --print sysroot)
remaps=("$cargo_home=/cargo" "${RUSTUP_HOME:-$HOME/.rustup}=/rust" "$sysroot=/rust/toolchain"
    "$repo=/sdkit")
# Each registry's sources (the directory name hashes the registry's URL, which differs with
# a mirror): Cargo.lock takes every dependency from crates.io.
for src in "$cargo_home"/registry/src/*/; do
    [ -d "$src" ] && remaps+=("${src%/}=/crates")
done
remaps+=("$target_dir=/target")

toml_str() { local s=${1//\\/\\\\}; printf '"%s"' "${s//\"/\\\"}"; }
flags=()
case "$host" in
    x86_64-unknown-linux-gnu | aarch64-unknown-linux-gnu)
        flags+=("-C" "target-feature=+crt-static") link="static (-C target-feature=+crt-static)"
        target_args=(--target "$host") out_dir="$target_dir/$host/release"
        echo "build-release: building a static binary for $host (several minutes the first time)" >&2
        ;;
    *)
        target_args=() out_dir="$target_dir/release" link="dynamic"
        echo "build-release: building for $host (not linux-gnu: dynamic, as cargo builds it)" >&2
        ;;
esac
for m in "${remaps[@]}"; do flags+=("--remap-path-prefix=$m"); done
rustflags=
for f in "${flags[@]}"; do rustflags+="${rustflags:+, }$(toml_str "$f")"; done

unset RUSTFLAGS CARGO_ENCODED_RUSTFLAGS
# aws-lc-sys reads the target-specific name first; only the plain one is ours.
unset "AWS_LC_SYS_NO_JITTER_ENTROPY_${host//-/_}"
export AWS_LC_SYS_NO_JITTER_ENTROPY=1
# The FIPS module's entropy source is part of what was validated: never switched off here.
unset AWS_LC_FIPS_SYS_NO_JITTER_ENTROPY "AWS_LC_FIPS_SYS_NO_JITTER_ENTROPY_${host//-/_}"
commit=unknown dirty=unknown
if command -v git >/dev/null 2>&1 && git rev-parse --verify -q HEAD >/dev/null 2>&1; then
    commit=$(git rev-parse HEAD)
    # Tracked changes or new files (ignored ones, like target/, do not count).
    if [ -n "$(git status --porcelain)" ]; then dirty=yes; else dirty=no; fi
    SOURCE_DATE_EPOCH=$(git log -1 --format=%ct HEAD)
    export SOURCE_DATE_EPOCH
fi

if ! cargo auditable build -q --release --locked "${what[@]}" "${target_args[@]}" \
    --config "target.$host.rustflags = [$rustflags]"; then
    echo "build-release: cargo build failed (see above)" >&2
    exit 1
fi
bin="$out_dir/$out_name"
if [ -n "$example" ]; then
    [ -x "$bin" ] || { echo "build-release: $bin was not built" >&2; exit 1; }
    printf '%s\n' "$bin"
    exit 0
fi
# The binary must run here and say what it is; a static link that silently produced a
# broken binary would otherwise only show on the ceremony laptop.
if ! version=$("$bin" -V); then
    echo "build-release: the built binary $bin does not run" >&2
    exit 1
fi

sha=$(sha256sum "$bin" | cut -d' ' -f1)
{
    echo "# What built $out_name (scripts/build-release.sh); identical for every build of a commit."
    echo "binary: $out_name"
    echo "sha256: $sha"
    echo "version: $version"
    echo "commit: $commit"
    echo "dirty: $dirty"
    echo "source-date-epoch: ${SOURCE_DATE_EPOCH:-unset}"
    if [ -n "$fips" ]; then
        echo "features: default + fips (AWS-LC FIPS module)"
        echo "aws-lc-fips-sys: entropy as validated (CPU-jitter entropy collector on)"
    else
        echo "features: default (aws-lc)"
        echo "aws-lc-sys: AWS_LC_SYS_NO_JITTER_ENTROPY=1 (no CPU-jitter entropy collector)"
    fi
    echo "link: $link"
    echo "paths: --remap-path-prefix of the checkout, target dir, CARGO_HOME, toolchain"
    echo "cargo: $(cargo -V)"
    echo "cargo-auditable: $AUDITABLE_VERSION"
    echo "cc: $("${CC:-cc}" --version 2>/dev/null | head -n1 || echo unknown)"
    echo "libc: $(getconf GNU_LIBC_VERSION 2>/dev/null || echo unknown)"
    echo "rustc -vV:"
    rustc -vV | sed 's/^/  /'
} >"$bin.build-info"
echo "build-release: $version: $bin" >&2
echo "build-release: sha256 $sha; build record in $bin.build-info" >&2
[ "$dirty" = no ] || echo "build-release: warning: the working tree has uncommitted" \
    "changes (or no git): this binary is not the commit's" >&2
printf '%s\n' "$bin"
