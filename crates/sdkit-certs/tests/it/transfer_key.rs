//! `load_certificate_from_jwk_json` on the real `GET /securitydomain/upload`
//! responses, and its consistency checks.

use crate::fixtures::azure_sd;
use sdkit_certs::{CertLoadError, load_certificate, load_certificate_from_jwk_json};
use serde_json::{Value, json};

const RESPONSE_2023: &str = "transfer-key-response-2023-11-07_15e0e830.json";
const RESPONSE_2020: &str = "transfer-key-response-2020-09-15_df516d79.json";

/// The JWK object inside a response's `transfer_key` string.
fn inner_jwk(response: &str) -> Value {
    let outer: Value = serde_json::from_slice(&azure_sd(response)).unwrap();
    serde_json::from_str(outer["transfer_key"].as_str().unwrap()).unwrap()
}

fn malformed_reason(bytes: &[u8]) -> String {
    match load_certificate_from_jwk_json(bytes) {
        Err(CertLoadError::Malformed(reason)) => reason,
        other => panic!("expected Malformed, got {other:?}"),
    }
}

#[test]
fn response_2023_matches_the_init_recovery_pem() {
    let from_json = load_certificate_from_jwk_json(&azure_sd(RESPONSE_2023)).unwrap();
    let from_pem = load_certificate(&azure_sd("exchange-key-2023-11-07_15e0e830.pem")).unwrap();
    assert_eq!(from_json.der(), from_pem.der());
    let jwk = inner_jwk(RESPONSE_2023);
    assert_eq!(
        from_pem.thumbprint().to_base64url(),
        jwk["x5t#S256"].as_str().unwrap()
    );
    assert_eq!(from_json.key_bits(), Some(4096));
}

#[test]
fn response_2020_loads_with_its_thumbprint() {
    let cert = load_certificate_from_jwk_json(&azure_sd(RESPONSE_2020)).unwrap();
    assert_eq!(
        cert.thumbprint().to_base64url(),
        "mrS6NHes89-vGY0tQpZKPkF2AfVjvLiwWFOwmX5B_-Q"
    );
    assert_eq!(cert.sha1_thumbprint_b64url(), "HGaNOEUJ1-4wMoEkR-sEEgULzeA");
}

#[test]
fn bare_jwk_and_object_transfer_key_are_accepted() {
    let expected = load_certificate_from_jwk_json(&azure_sd(RESPONSE_2023)).unwrap();
    let jwk = inner_jwk(RESPONSE_2023);
    let bare = serde_json::to_vec(&jwk).unwrap();
    assert_eq!(
        load_certificate_from_jwk_json(&bare).unwrap().der(),
        expected.der()
    );
    let as_object = serde_json::to_vec(&json!({"key_format": "jwk", "transfer_key": jwk})).unwrap();
    assert_eq!(
        load_certificate_from_jwk_json(&as_object).unwrap().der(),
        expected.der()
    );
    // Only x5c is required.
    let minimal = serde_json::to_vec(&json!({"x5c": jwk["x5c"]})).unwrap();
    assert_eq!(
        load_certificate_from_jwk_json(&minimal).unwrap().der(),
        expected.der()
    );
}

#[test]
fn inconsistent_jwk_fields_are_refused() {
    let other_n = inner_jwk(RESPONSE_2020)["n"].clone();
    for (field, value) in [
        (
            "x5t#S256",
            json!("mrS6NHes89-vGY0tQpZKPkF2AfVjvLiwWFOwmX5B_-Q"),
        ),
        ("x5t#S256", json!("not a thumbprint")),
        ("x5t", json!("HGaNOEUJ1-4wMoEkR-sEEgULzeA")),
        ("n", other_n),
        ("e", json!("AAEAAQ")), // 65537 with a leading zero byte is fine...
    ] {
        let mut jwk = inner_jwk(RESPONSE_2023);
        jwk[field] = value.clone();
        let bytes = serde_json::to_vec(&jwk).unwrap();
        if value == json!("AAEAAQ") {
            // ...leading zeros do not change the number.
            assert!(load_certificate_from_jwk_json(&bytes).is_ok());
            jwk["e"] = json!("Aw");
            let bytes = serde_json::to_vec(&jwk).unwrap();
            assert!(malformed_reason(&bytes).contains("JWK's e does not match"));
            continue;
        }
        let reason = malformed_reason(&bytes);
        assert!(
            reason.contains(&format!("JWK's {field} does not match")),
            "{field}: {reason}"
        );
    }
}

#[test]
fn unusable_json_is_malformed() {
    let x5c = inner_jwk(RESPONSE_2023)["x5c"].clone();
    let mut not_standard_b64 = x5c.clone();
    not_standard_b64[0] = json!(x5c[0].as_str().unwrap().replace('+', "-").replace('/', "_"));
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("not JSON", b"MIIF...".to_vec(), "not valid JSON"),
        ("array", b"[1,2]".to_vec(), "expected a JSON object"),
        (
            "wrong key_format",
            br#"{"key_format":"pem","transfer_key":"{}"}"#.to_vec(),
            "key_format",
        ),
        (
            "transfer_key not JSON",
            br#"{"key_format":"jwk","transfer_key":"nope"}"#.to_vec(),
            "transfer_key is not JSON",
        ),
        (
            "transfer_key a number",
            br#"{"transfer_key":5}"#.to_vec(),
            "neither a JSON string nor an object",
        ),
        ("no x5c", br#"{"kty":"RSA"}"#.to_vec(), "no x5c"),
        ("empty x5c", br#"{"x5c":[]}"#.to_vec(), "no x5c"),
        (
            "x5c number",
            br#"{"x5c":[1]}"#.to_vec(),
            "x5c[0] is not a string",
        ),
        (
            "x5c base64url",
            serde_json::to_vec(&json!({ "x5c": not_standard_b64 })).unwrap(),
            "not standard base64",
        ),
        (
            "x5c not a certificate",
            br#"{"x5c":["MAMCAQE="]}"#.to_vec(),
            "not a valid X.509 certificate",
        ),
    ];
    for (name, bytes, expected) in cases {
        let reason = malformed_reason(&bytes);
        assert!(reason.contains(expected), "{name}: {reason}");
    }
}
