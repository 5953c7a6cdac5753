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

/// One Wycheproof RSAES-OAEP decryption case.
pub struct OaepCase {
    /// `<file> tcId <n>`, for assertion messages.
    pub at: String,
    pub msg: Vec<u8>,
    pub ct: Vec<u8>,
    pub label: Vec<u8>,
    /// Wycheproof's verdict: `valid` (true) or `invalid` (false).
    pub valid: bool,
    pub comment: String,
}

/// The cases of `rsa_oaep_<bits>_sha256_mgf1sha256_test.json`, each group's with its key
/// (checked to be SHA-256, MGF1-SHA-256 and `bits` long), and the file's declared number of
/// tests, for runners that must prove they ran them all.
pub fn wycheproof_oaep_sha256(bits: usize) -> (Vec<(PrivateKey, Vec<OaepCase>)>, usize) {
    use rsa::traits::PublicKeyParts;
    let name = format!("rsa_oaep_{bits}_sha256_mgf1sha256_test.json");
    let doc = wycheproof(&name);
    assert_eq!(doc["schema"], "rsaes_oaep_decrypt_schema_v1.json", "{name}");
    let hex_field = |t: &Value, field: &str| {
        hex::decode(
            t[field]
                .as_str()
                .unwrap_or_else(|| panic!("{name}: {field} missing")),
        )
        .unwrap()
    };
    let mut groups = Vec::new();
    for group in doc["testGroups"].as_array().unwrap() {
        assert_eq!(group["sha"], "SHA-256", "{name}");
        assert_eq!(group["mgf"], "MGF1", "{name}");
        assert_eq!(group["mgfSha"], "SHA-256", "{name}");
        assert_eq!(group["keySize"].as_u64(), Some(bits as u64), "{name}");
        let der = hex_field(group, "privateKeyPkcs8");
        let key = PrivateKey::from_pkcs8_der(&der)
            .unwrap_or_else(|e| panic!("{name}: privateKeyPkcs8 does not load: {e}"));
        assert_eq!(key.size() * 8, bits, "{name}: modulus size");
        let cases = group["tests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                let at = format!("{name} tcId {}", t["tcId"].as_u64().unwrap());
                let valid = match t["result"].as_str().unwrap() {
                    "valid" => true,
                    "invalid" => false,
                    other => panic!("{at}: unexpected result {other:?}"),
                };
                OaepCase {
                    msg: hex_field(t, "msg"),
                    ct: hex_field(t, "ct"),
                    label: hex_field(t, "label"),
                    valid,
                    comment: t["comment"].as_str().unwrap_or("").to_owned(),
                    at,
                }
            })
            .collect();
        groups.push((key, cases));
    }
    let declared = doc["numberOfTests"].as_u64().unwrap() as usize;
    (groups, declared)
}
