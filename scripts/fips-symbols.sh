#!/usr/bin/env bash
# Inspects a `fips` sdkit binary: its AES, HMAC, SHA-256, SP 800-108 KDF, PBKDF2, RSA and
# random-number code must be AWS-LC's FIPS module, and no code from RustCrypto's `aes`,
# `cbc`, `hmac` or `kbkdf` crates, nor the non-FIPS AWS-LC (aws-lc-sys), may be in it
# (docs/SECURITY.md, "FIPS"; issue 18).
#
#   bash scripts/fips-symbols.sh          builds target/fips/release/sdkit (--features fips,
#                                         with line tables), checks it, prints its path
#   bash scripts/fips-symbols.sh BIN      checks BIN (it needs DWARF line tables:
#                                         CARGO_PROFILE_RELEASE_DEBUG=line-tables-only)
#
# How: `nm` lists the FIPS module's exported functions (AWS-LC prefixes every symbol with
# its crate and version: aws_lc_fips_0_13_17_*, aws-lc-sys's with aws_lc_0_*). The DWARF
# line tables name every source file that contributed machine code to the binary, inlined
# or not, so a RustCrypto crate whose source directory is absent from them has no code in
# the binary at all. `sha2` is reported, not refused: the `rsa` crate's PKCS#1 v1.5 verifier
# hashes with it when `keygen --pkcs11` checks a token's signature (docs/SECURITY.md says so),
# and it is on none of the paths above (those call the module through sdkit_core::provider).
#
# Needs: nm and objdump (binutils), and for the build cargo, CMake and Go.
# Exit status: 0 all checks passed, 1 a check failed, 2 a tool or the binary is missing.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

for tool in nm objdump; do
    command -v "$tool" >/dev/null 2>&1 || {
        echo "fips-symbols: $tool is missing (Debian: apt-get install binutils)" >&2
        exit 2
    }
done

if [ $# -ge 1 ]; then
    bin=$1
else
    export CARGO_TARGET_DIR="$repo/target/fips"
    echo "fips-symbols: building the fips binary with line tables in $CARGO_TARGET_DIR" >&2
    CARGO_PROFILE_RELEASE_DEBUG=line-tables-only \
        cargo build -q --release --locked -p sdkit-cli --features fips >&2
    bin="$CARGO_TARGET_DIR/release/sdkit"
fi
[ -x "$bin" ] || { echo "fips-symbols: no binary at $bin" >&2; exit 2; }

failed=0
fail() { echo "FAIL: $*" >&2; failed=1; }
pass() { echo "ok:   $*" >&2; }

symbols=$(nm "$bin" 2>/dev/null | awk '{print $NF}')
prefix=$(printf '%s\n' "$symbols" | sed -n 's/^\(aws_lc_fips_[0-9_]*_\)FIPS_mode$/\1/p' | head -n1)
if [ -z "$prefix" ]; then
    fail "no AWS-LC FIPS module in $bin (no aws_lc_fips_*_FIPS_mode symbol): not a fips build?"
else
    for fn in FIPS_mode AES_cbc_encrypt HMAC_Init_ex SHA256_Update KBKDF_ctr_hmac \
        PKCS5_PBKDF2_HMAC RAND_bytes RSA_generate_key_fips EVP_PKEY_encrypt EVP_PKEY_decrypt \
        BORINGSSL_integrity_test; do
        if printf '%s\n' "$symbols" | grep -qx "${prefix}${fn}\|${fn}"; then
            pass "$fn is the FIPS module's (${prefix}${fn})"
        else
            fail "$fn: not found as ${prefix}${fn}"
        fi
    done
fi
if printf '%s\n' "$symbols" | grep -q '^aws_lc_0_'; then
    fail "the non-FIPS AWS-LC (aws-lc-sys, aws_lc_0_* symbols) is linked in"
else
    pass "no non-FIPS AWS-LC (aws_lc_0_*) symbol"
fi

# Source directories in the line tables (objdump prints each CU's directory and file table).
dirs=$(objdump --dwarf=rawline "$bin" 2>/dev/null | grep -oE '/[A-Za-z0-9_.+-]+-[0-9]+\.[0-9]+\.[0-9]+[A-Za-z0-9.+-]*/' | sort -u)
if ! printf '%s\n' "$dirs" | grep -q '/sdkit\|/rsa-0\.'; then
    if [ -z "$(objdump --dwarf=rawline "$bin" 2>/dev/null | head -c 1)" ]; then
        echo "fips-symbols: $bin has no DWARF line tables; build it with" \
            "CARGO_PROFILE_RELEASE_DEBUG=line-tables-only (or run without an argument)" >&2
        exit 2
    fi
fi
for crate in aes cbc hmac kbkdf; do
    found=$(printf '%s\n' "$dirs" | grep -E "^/${crate}-[0-9]" || true)
    if [ -n "$found" ]; then
        fail "RustCrypto $crate code is in the binary ($(echo $found))"
    else
        pass "no code from RustCrypto's $crate"
    fi
done
sha2=$(printf '%s\n' "$dirs" | grep -E '^/sha2-[0-9]' || true)
if [ -n "$sha2" ]; then
    echo "note: RustCrypto sha2 is in the binary ($(echo $sha2)): the rsa crate's PKCS#1 v1.5" \
        "verifier, used by keygen --pkcs11 to check a token's signature" >&2
else
    echo "note: no code from RustCrypto's sha2" >&2
fi

if [ "$failed" -ne 0 ]; then
    echo "fips-symbols: $bin failed the checks above" >&2
    exit 1
fi
echo "fips-symbols: $bin: every approved primitive is the FIPS module's" >&2
printf '%s\n' "$bin"
