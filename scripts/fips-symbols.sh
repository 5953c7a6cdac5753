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
# the binary at all. `sha2` may stay for one use only, checked against the line tables: the `rsa`
# crate's PKCS#1 v1.5 verifier, with which `keygen --pkcs11` checks a signature the token
# made (docs/SECURITY.md says so); the paths above call the module (sdkit_core::provider).
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
    # Here-strings, not pipes: `grep -q` stops reading at the first match, and with pipefail
    # the writer's SIGPIPE would count as a failure.
    for fn in FIPS_mode EVP_aes_256_cbc EVP_EncryptInit_ex EVP_DecryptInit_ex HMAC_Init_ex \
        SHA256_Update KBKDF_ctr_hmac PKCS5_PBKDF2_HMAC RAND_bytes RSA_generate_key_fips \
        EVP_PKEY_encrypt EVP_PKEY_decrypt; do
        if grep -qx "${prefix}${fn}" <<<"$symbols"; then
            pass "$fn is the FIPS module's (${prefix}${fn})"
        else
            fail "$fn: not found as ${prefix}${fn}"
        fi
    done
    # The module's power-on integrity check over its own code (unprefixed by design).
    if grep -qx "BORINGSSL_integrity_test" <<<"$symbols"; then
        pass "the module's integrity self-test is linked (BORINGSSL_integrity_test)"
    else
        fail "no BORINGSSL_integrity_test: the module's integrity check is missing"
    fi
fi
if grep -q '^aws_lc_0_' <<<"$symbols"; then
    fail "the non-FIPS AWS-LC (aws-lc-sys, aws_lc_0_* symbols) is linked in"
else
    pass "no non-FIPS AWS-LC (aws_lc_0_*) symbol"
fi

# Crates with code in the binary, from the DWARF: each compilation unit's directory (code a
# crate compiled itself) and every directory in the line tables' directory tables (code
# inlined elsewhere). A crate's directory is named <crate>-<version>.
lines=$(objdump --dwarf=rawline "$bin" 2>/dev/null || true)
if ! grep -q "The Directory Table" <<<"$lines"; then
    echo "fips-symbols: $bin has no DWARF line tables; build it with" \
        "CARGO_PROFILE_RELEASE_DEBUG=line-tables-only (or run without an argument)" >&2
    exit 2
fi
crate_dir='[a-z0-9_]+(-[a-z0-9_]+)*-[0-9]+\.[0-9]+\.[0-9]+[^/[:space:]]*'
dirs=$({
    grep -E $'^  [0-9]+\t' <<<"$lines"
    objdump --dwarf=info "$bin" 2>/dev/null | grep 'DW_AT_comp_dir' | sed 's/.*: //'
} | grep -oE "(^|/|[[:space:]])$crate_dir" | sed -E 's@^[/[:blank:]]+@@' | sort -u || true)
if ! grep -q '^rsa-' <<<"$dirs"; then
    fail "could not read crate directories from the line tables (no rsa crate found)"
fi
for crate in aes cbc hmac kbkdf getrandom scrypt pbkdf2; do
    found=$(grep -E "^${crate}-[0-9]" <<<"$dirs" || true)
    if [ -n "$found" ]; then
        fail "RustCrypto $crate code is in the binary ($(echo $found))"
    else
        pass "no code from RustCrypto's $crate"
    fi
done
# sha2 may remain for one use only: the rsa crate's PKCS#1 v1.5 verifier, with which
# `keygen --pkcs11` checks the signature a token made. Every address of sha2 code inlined
# into another crate must sit in that function (sha2's own compression function, which it
# calls, is sha2's compilation unit).
sha2_addrs=$(grep -q '^sha2-' <<<"$dirs" && objdump --dwarf=decodedline "$bin" 2>/dev/null |
    awk '/^\/.*:$/ {cur=$0; next} /^[^ ]+ +[0-9]+ +0x/ { if (cur ~ /\/sha2-[0-9]/) print $3 }' |
    sort -u || true)
if [ -z "$sha2_addrs" ]; then
    pass "no code from RustCrypto's sha2"
else
    # The function each address belongs to in the binary (what the code was inlined into).
    callers=$(for a in $sha2_addrs; do
        objdump -d -C --start-address="$a" --stop-address="$((a + 1))" "$bin" |
            sed -n 's/^[0-9a-f]* <\(.*\)+0x[0-9a-f]*>:$/\1/p; s/^[0-9a-f]* <\(.*\)>:$/\1/p'
    done | sort -u)
    if [ -n "$callers" ] && ! grep -vq 'token::keygen::TokenSigner' <<<"$callers"; then
        pass "RustCrypto sha2 is used only by keygen --pkcs11's check of a token's signature"
    else
        fail "RustCrypto sha2 code is reached from: $(echo $callers)"
    fi
fi

if [ "$failed" -ne 0 ]; then
    echo "fips-symbols: $bin failed the checks above" >&2
    exit 1
fi
echo "fips-symbols: $bin: every approved primitive is the FIPS module's" >&2
printf '%s\n' "$bin"
