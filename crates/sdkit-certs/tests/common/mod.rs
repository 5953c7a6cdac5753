//! Shared helpers for the integration tests: fixture access only from the
//! repository's own `test-vectors/` directory.
#![allow(dead_code)]

/// The repository's `test-vectors` directory.
pub const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../test-vectors");

/// Passphrase of every encrypted fixture in `test-vectors/keys/`.
pub const PASSPHRASE: &[u8] = b"correct horse";

/// Reads `test-vectors/<rel>`.
pub fn read(rel: &str) -> Vec<u8> {
    let path = format!("{VECTORS}/{rel}");
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

/// Reads `test-vectors/azure-sd/<name>`.
pub fn azure(name: &str) -> Vec<u8> {
    read(&format!("azure-sd/{name}"))
}

/// Reads `test-vectors/keys/<name>`.
pub fn keys(name: &str) -> Vec<u8> {
    read(&format!("keys/{name}"))
}

/// Converts LF line endings to CRLF.
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
