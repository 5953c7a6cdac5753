//! Wycheproof RSAES-OAEP (SHA-256, MGF1-SHA-256) vectors through the RSA backend this build
//! uses (`sdkit_certs::RSA_BACKEND`): keys loaded by `load_private_key` from Wycheproof's
//! PKCS#8 DER, ciphertexts decrypted through the `OaepDecryptKey` trait that drills use.
//! sdkit-core's own Wycheproof test runs the same vectors through the pure-Rust `rsa` crate,
//! so with the default features both backends are checked on every test run.
//!
//! The one place the backends differ: RFC 8017 §7.1.2 step 3g says to reject a leading
//! octet `Y != 0` ("First byte is 1"). AWS-LC rejects it; rsa 0.10 deliberately ignores it
//! (see sdkit-core/tests/it/wycheproof_rsa_oaep.rs). Either way the share's A256CBC-HS512 tag
//! still has to verify, so the difference cannot let a forged share through.

use crate::fixtures::wycheproof;
use sdkit_certs::{RSA_BACKEND, load_private_key};
use sdkit_core::OaepDecryptKey;
use sdkit_core::jwe::rsa_oaep_256_decrypt;
use serde_json::Value;

/// What one file exercised.
#[derive(Debug, Default, PartialEq, Eq)]
struct Counts {
    decrypted: usize,
    rejected: usize,
    labelled_rejected: usize,
    first_byte_1: usize,
}

fn hex_field(t: &Value, name: &str) -> Vec<u8> {
    hex::decode(t[name].as_str().unwrap_or_else(|| panic!("{name} missing"))).unwrap()
}

fn strict_backend() -> bool {
    RSA_BACKEND.starts_with("AWS-LC")
}

fn run_file(bits: usize) -> Counts {
    let name = format!("rsa_oaep_{bits}_sha256_mgf1sha256_test.json");
    let doc = wycheproof(&name);
    let mut counts = Counts::default();
    for group in doc["testGroups"].as_array().unwrap() {
        let key = load_private_key(&hex_field(group, "privateKeyPkcs8"), None)
            .unwrap_or_else(|e| panic!("{name}: the key does not load on {RSA_BACKEND}: {e}"));
        assert_eq!(key.bits(), bits, "{name}");
        assert_eq!(key.modulus_len() * 8, bits, "{name}");
        for t in group["tests"].as_array().unwrap() {
            let id = t["tcId"].as_u64().unwrap();
            let (msg, ct, label) = (
                hex_field(t, "msg"),
                hex_field(t, "ct"),
                hex_field(t, "label"),
            );
            let valid = t["result"] == "valid";
            let ours = key.decrypt_oaep_sha256(&ct);
            // The same through the function the exchange key uses.
            assert_eq!(
                ours.as_ref().ok().map(|p| p.to_vec()),
                rsa_oaep_256_decrypt(&key, &ct)
                    .ok()
                    .map(|p| p.expose().to_vec()),
                "{name} tcId {id}"
            );
            if !label.is_empty() {
                assert!(
                    ours.is_err(),
                    "{name} tcId {id}: labelled ciphertext accepted"
                );
                counts.labelled_rejected += 1;
            } else if t["comment"] == "First byte is 1" {
                assert!(!valid, "{name} tcId {id}");
                if strict_backend() {
                    assert!(ours.is_err(), "{name} tcId {id}: AWS-LC accepted Y != 0");
                } else {
                    assert_eq!(ours.unwrap().as_slice(), &msg[..], "{name} tcId {id}");
                }
                counts.first_byte_1 += 1;
            } else if valid {
                let p = ours.unwrap_or_else(|e| panic!("{name} tcId {id}: {e}"));
                assert_eq!(p.as_slice(), &msg[..], "{name} tcId {id}");
                counts.decrypted += 1;
            } else {
                assert!(
                    ours.is_err(),
                    "{name} tcId {id}: invalid ciphertext accepted"
                );
                counts.rejected += 1;
            }
        }
    }
    counts
}

/// Each file: 37 cases, 10 valid without a label, 18 invalid without a label plus the
/// leading-octet case, and 8 with a label (which the empty-label operation must refuse).
const EXPECTED: Counts = Counts {
    decrypted: 10,
    rejected: 18,
    labelled_rejected: 8,
    first_byte_1: 1,
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

#[test]
fn backend_name_matches_the_feature() {
    assert_eq!(cfg!(feature = "aws-lc"), strict_backend(), "{RSA_BACKEND}");
}
