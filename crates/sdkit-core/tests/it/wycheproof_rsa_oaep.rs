//! Wycheproof RSAES-OAEP (SHA-256, MGF1-SHA-256) decryption vectors for 2048-, 3072- and
//! 4096-bit keys, run through `sdkit_core::jwe::rsa_oaep_256_decrypt` (empty label, the only
//! label the security-domain format uses). Vectors with a non-empty label are checked with
//! rsa's labelled OAEP, and our empty-label function must reject every one of them.
//!
//! One documented exception: rsa 0.10 deliberately ignores the leading OAEP octet `Y`
//! (RFC 8017 §7.1.2 step 3g says to reject `Y != 0`), following
//! draft-irtf-cfrg-rsa-guidance §7, and its own Wycheproof test rewrites the
//! "First byte is 1" case to valid. That case is pinned here as *accepted with the right
//! message*, so a change in rsa's behaviour shows up as a test failure, not silently.

use crate::fixtures::wycheproof;
use rsa::pkcs8::DecodePrivateKey;
use rsa::traits::PublicKeyParts;
use rsa::{Oaep, PrivateKey};
use sdkit_core::jwe::rsa_oaep_256_decrypt;
use serde_json::Value;
use sha2::Sha256;

/// What one file exercised.
#[derive(Debug, Default, PartialEq, Eq)]
struct Counts {
    valid: usize,
    invalid: usize,
    labelled: usize,
    first_byte_ignored: usize,
}

fn hex_field(t: &Value, name: &str) -> Vec<u8> {
    hex::decode(t[name].as_str().unwrap_or_else(|| panic!("{name} missing"))).unwrap()
}

fn run_file(bits: usize) -> Counts {
    let name = format!("rsa_oaep_{bits}_sha256_mgf1sha256_test.json");
    let doc = wycheproof(&name);
    assert_eq!(doc["schema"], "rsaes_oaep_decrypt_schema_v1.json", "{name}");
    let mut counts = Counts::default();
    for group in doc["testGroups"].as_array().unwrap() {
        assert_eq!(group["sha"], "SHA-256", "{name}");
        assert_eq!(group["mgf"], "MGF1", "{name}");
        assert_eq!(group["mgfSha"], "SHA-256", "{name}");
        assert_eq!(group["keySize"].as_u64(), Some(bits as u64), "{name}");
        let der = hex_field(group, "privateKeyPkcs8");
        let key = PrivateKey::from_pkcs8_der(&der)
            .unwrap_or_else(|e| panic!("{name}: privateKeyPkcs8 does not load: {e}"));
        assert_eq!(key.size() * 8, bits, "{name}: modulus size");
        for t in group["tests"].as_array().unwrap() {
            let id = t["tcId"].as_u64().unwrap();
            let msg = hex_field(t, "msg");
            let ct = hex_field(t, "ct");
            let label = hex_field(t, "label");
            let valid = match t["result"].as_str().unwrap() {
                "valid" => true,
                "invalid" => false,
                other => panic!("{name} tcId {id}: unexpected result {other:?}"),
            };
            let ours = rsa_oaep_256_decrypt(&key, &ct);
            if t["comment"] == "First byte is 1" {
                assert!(!valid && label.is_empty(), "{name} tcId {id}");
                let p = ours.unwrap_or_else(|e| {
                    panic!("{name} tcId {id}: rsa now rejects Y != 0 ({e}); update this test")
                });
                assert_eq!(p.expose(), &msg[..], "{name} tcId {id}");
                counts.first_byte_ignored += 1;
            } else if label.is_empty() {
                if valid {
                    let p = ours.unwrap_or_else(|e| panic!("{name} tcId {id}: {e}"));
                    assert_eq!(p.expose(), &msg[..], "{name} tcId {id}");
                } else {
                    assert!(
                        ours.is_err(),
                        "{name} tcId {id}: invalid ciphertext accepted"
                    );
                }
            } else {
                counts.labelled += 1;
                assert!(
                    ours.is_err(),
                    "{name} tcId {id}: empty-label decryption accepted a labelled ciphertext"
                );
                let theirs = key.decrypt(Oaep::<Sha256>::new_with_label(label.clone()), &ct);
                if valid {
                    let p = theirs.unwrap_or_else(|e| panic!("{name} tcId {id}: {e}"));
                    assert_eq!(p, msg, "{name} tcId {id}");
                } else {
                    assert!(
                        theirs.is_err(),
                        "{name} tcId {id}: invalid ciphertext accepted"
                    );
                }
            }
            if valid {
                counts.valid += 1;
            } else {
                counts.invalid += 1;
            }
        }
    }
    counts
}

/// Each file has 37 cases: 18 valid (8 of them with a label) and 19 invalid (one of which is
/// the leading-octet case rsa accepts by design).
const EXPECTED: Counts = Counts {
    valid: 18,
    invalid: 19,
    labelled: 8,
    first_byte_ignored: 1,
};

#[test]
fn rsa_oaep_2048() {
    assert_eq!(run_file(2048), EXPECTED);
}

#[test]
fn rsa_oaep_3072() {
    assert_eq!(run_file(3072), EXPECTED);
}

#[test]
fn rsa_oaep_4096() {
    assert_eq!(run_file(4096), EXPECTED);
}
