#!/usr/bin/env bash
# Builds the sdkit binary to carry to a ceremony laptop, and prints its path.
#
# On Linux with glibc (x86_64 or aarch64) the binary is linked statically (static-pie,
# `-C target-feature=+crt-static`): one file that runs on any Linux of that architecture
# whatever its glibc version or installed libraries, which is what an offline laptop needs,
# and each command starts about 0.5 ms sooner (no shared libraries to map; measured in
# docs/PERFORMANCE.md). Everywhere else this is the plain `cargo build --release`.
#
# Usage: bash scripts/build-release.sh        (prints the binary's path on stdout)
#        bash scripts/build-release.sh --example NAME
#            builds sdkit-certs' example NAME the same way instead (scripts/bench-compare.sh
#            times examples/bare_unwrap.rs beside sdkit, so both must be linked alike)
#
# Why not make every `cargo build --release` static: cargo applies a host-wide
# `crt-static` to proc-macro crates too, and those cannot be built static ("cannot produce
# proc-macro ... does not support these crate types"). Naming the target explicitly (as
# here) keeps the flag off the build's own tools. docs/DESIGN.md, "Static release binary".
#
# Exit status: 0 built, 1 the build failed, 2 cargo or rustc missing.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

# What to build: the sdkit binary, or an example of sdkit-certs.
what=(-p sdkit-cli) out_name=sdkit example=
case "${1:-}" in
    "") ;;
    --example)
        example=${2:?build-release: --example needs a name}
        what=(-p sdkit-certs --example "$example") out_name="examples/$example"
        ;;
    *)
        echo "build-release: unknown argument $1 (usage: build-release.sh [--example NAME])" >&2
        exit 2
        ;;
esac

for tool in cargo rustc; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "build-release: $tool is not installed; install Rust with rustup, then rerun" >&2
        exit 2
    fi
done

host=$(rustc -vV | sed -n 's/^host: //p')
# Where cargo puts its output (CARGO_TARGET_DIR or a cargo config may move it from target/).
target_dir=$(cargo metadata --no-deps --format-version 1 --locked 2>/dev/null |
    sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
[ -n "$target_dir" ] || target_dir="$repo/target"
case "$host" in
    x86_64-unknown-linux-gnu | aarch64-unknown-linux-gnu)
        echo "build-release: building a static binary for $host (several minutes the first time)" >&2
        if ! cargo build -q --release --locked "${what[@]}" --target "$host" \
            --config "target.$host.rustflags = [\"-C\", \"target-feature=+crt-static\"]"; then
            echo "build-release: cargo build failed (see above)" >&2
            exit 1
        fi
        bin="$target_dir/$host/release/$out_name"
        ;;
    *)
        echo "build-release: building for $host (not linux-gnu: dynamic, as cargo builds it)" >&2
        if ! cargo build -q --release --locked "${what[@]}"; then
            echo "build-release: cargo build failed (see above)" >&2
            exit 1
        fi
        bin="$target_dir/release/$out_name"
        ;;
esac
if [ -n "$example" ]; then
    [ -x "$bin" ] || { echo "build-release: $bin was not built" >&2; exit 1; }
    printf '%s\n' "$bin"
    exit 0
fi
# The binary must run here and say what it is; a static link that silently produced a
# broken binary would otherwise only show on the ceremony laptop.
if ! version=$("$bin" --version); then
    echo "build-release: the built binary $bin does not run" >&2
    exit 1
fi
echo "build-release: $version: $bin" >&2
printf '%s\n' "$bin"
