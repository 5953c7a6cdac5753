//! The test vectors, read from one place: the repository's own `test-vectors/` directory
//! (never `../shared` or anything outside the repository).

use rsa::PrivateKey;
use rsa::pkcs8::DecodePrivateKey;
use sdkit_core::Thumbprint;
use serde_json::Value;

/// The repository's `test-vectors` directory.
pub const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../test-vectors");

/// Reads `test-vectors/<rel>`.
pub fn read(rel: &str) -> Vec<u8> {
    let path = format!("{VECTORS}/{rel}");
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

/// Reads `test-vectors/azure-sd/<name>` (the real Azure samples and the keys that open them).
pub fn azure_sd(name: &str) -> Vec<u8> {
    read(&format!("azure-sd/{name}"))
}

/// The PKCS#8 PEM private key `test-vectors/azure-sd/<name>`.
pub fn rsa_key(name: &str) -> PrivateKey {
    let pem = String::from_utf8(azure_sd(name)).unwrap();
    PrivateKey::from_pkcs8_pem(&pem).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Custodian `i`'s private key (`azure-sd/sd{i}.pem`, i = 1..=3).
pub fn key(i: usize) -> PrivateKey {
    rsa_key(&format!("sd{i}.pem"))
}

/// The DER of the PEM certificate `test-vectors/azure-sd/<name>`.
pub fn cert_der(name: &str) -> Vec<u8> {
    let pem = String::from_utf8(azure_sd(name)).unwrap();
    let b64: String = pem
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with("-----"))
        .collect();
    <base64ct::Base64 as base64ct::Encoding>::decode_vec(&b64).unwrap()
}

/// SHA-256 of the DER of custodian `i`'s certificate (`azure-sd/sd{i}.cer`).
pub fn cert_thumbprint(i: usize) -> Thumbprint {
    Thumbprint::of_certificate_der(&cert_der(&format!("sd{i}.cer")))
}

/// Parses `test-vectors/wycheproof/<name>` (a Wycheproof JSON test file).
pub fn wycheproof(name: &str) -> Value {
    let path = format!("wycheproof/{name}");
    serde_json::from_slice(&read(&path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}
