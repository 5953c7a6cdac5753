#!/bin/sh
# Ensures a Python virtual environment with pyca `cryptography` exists for
# the interoperability tests (crates/sdkit-certs/tests/it/interop_python.rs).
#
#   scripts/interop/ensure-venv.sh        # creates/repairs target/interop-venv
#
# Idempotent: creates the venv only if it is missing or broken, and runs pip
# only if `import cryptography` fails in it. On success prints the venv's
# python path on stdout and exits 0; on failure explains what to install on
# stderr and exits non-zero.
#
# Environment:
#   SDKIT_INTEROP_VENV          venv directory (default: <repo>/target/interop-venv)
#   SDKIT_INTEROP_CRYPTOGRAPHY  pip requirement to install (default: cryptography),
#                               e.g. "cryptography==42.0.8" to test an older release
#                               (delete the venv first to switch versions)
set -eu

repo=$(CDPATH= cd -- "$(dirname -- "$0")/../.." && pwd)
venv=${SDKIT_INTEROP_VENV:-"$repo/target/interop-venv"}
requirement=${SDKIT_INTEROP_CRYPTOGRAPHY:-cryptography}
python="$venv/bin/python"

fail() {
    printf 'ensure-venv: %s\n' "$*" >&2
    exit 1
}

command -v python3 >/dev/null 2>&1 ||
    fail "python3 is not installed; install it (Debian/Ubuntu: apt-get install python3 python3-venv python3-pip)"

mkdir -p "$(dirname -- "$venv")"

# Serialise concurrent runs (e.g. two `cargo test` processes) when flock exists.
if command -v flock >/dev/null 2>&1 && [ -z "${SDKIT_INTEROP_LOCKED:-}" ]; then
    SDKIT_INTEROP_LOCKED=1 exec flock "$venv.lock" "$0" "$@"
fi

if ! "$python" -c 'import sys' >/dev/null 2>&1; then
    rm -rf -- "$venv"
    printf 'ensure-venv: creating %s\n' "$venv" >&2
    python3 -m venv "$venv" >&2 ||
        fail "'python3 -m venv' failed; install the venv module (Debian/Ubuntu: apt-get install python3-venv)"
fi

if ! "$python" -c 'import cryptography' >/dev/null 2>&1; then
    "$python" -m pip --version >/dev/null 2>&1 ||
        fail "pip is not available in $venv; install it (Debian/Ubuntu: apt-get install python3-pip python3-venv), then delete $venv and retry"
    printf 'ensure-venv: installing %s into %s\n' "$requirement" "$venv" >&2
    "$python" -m pip install --disable-pip-version-check --quiet "$requirement" >&2 ||
        fail "'pip install $requirement' failed (no network access to PyPI?); install it manually with: $python -m pip install $requirement"
    "$python" -c 'import cryptography' >/dev/null 2>&1 ||
        fail "cryptography was installed but cannot be imported in $venv"
fi

printf '%s\n' "$python"
