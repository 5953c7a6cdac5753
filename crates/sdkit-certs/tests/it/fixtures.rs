//! The test vectors, read from one place: the repository's own `test-vectors/` directory
//! (never `../shared` or anything outside the repository).

use serde_json::Value;

/// The repository's `test-vectors` directory.
pub const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../test-vectors");

/// True in a `fips` build, which refuses scrypt and PKCS#12 key files (docs/SECURITY.md,
/// "FIPS"); tests of those formats assert the refusal there instead.
pub const FIPS: bool = cfg!(feature = "fips");

/// Whether this build writes and reads key files with `kdf` (a `fips` build has no scrypt).
pub fn kdf_in_build(kdf: sdkit_certs::PbeKdf) -> bool {
    !(FIPS && kdf == sdkit_certs::PbeKdf::Scrypt)
}

/// Passphrase of every encrypted fixture in `test-vectors/keys/`.
pub const PASSPHRASE: &[u8] = b"correct horse";

/// Reads `test-vectors/<rel>`.
pub fn read(rel: &str) -> Vec<u8> {
    let path = format!("{VECTORS}/{rel}");
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

/// Reads `test-vectors/azure-sd/<name>` (the real Azure samples and the keys that open them).
pub fn azure_sd(name: &str) -> Vec<u8> {
    read(&format!("azure-sd/{name}"))
}

/// Reads `test-vectors/keys/<name>` (one key or certificate in many encodings).
pub fn keys(name: &str) -> Vec<u8> {
    read(&format!("keys/{name}"))
}

/// Parses `test-vectors/wycheproof/<name>` (a Wycheproof JSON test file).
pub fn wycheproof(name: &str) -> Value {
    let path = format!("wycheproof/{name}");
    serde_json::from_slice(&read(&path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Converts LF line endings to CRLF (a fixture as a Windows tool would write it).
pub fn to_crlf(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 32);
    for &b in bytes {
        if b == b'\n' {
            out.push(b'\r');
        }
        out.push(b);
    }
    out
}
