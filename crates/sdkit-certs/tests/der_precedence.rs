#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! A file that is one whole DER structure is read as DER, even when PEM text of another key
//! or certificate hides inside it (found by fuzzing; OpenSSL and pyca read the outer one).

use sdkit_certs::{
    KeyFormat, Thumbprint, load_certificate, load_private_key, private_key_is_encrypted,
};

const KEYS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../test-vectors/keys/");
const SD: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../test-vectors/azure-sd/");

#[test]
fn der_certificate_with_embedded_pem_is_the_outer_certificate() {
    let bytes = std::fs::read(format!("{KEYS}der-cert-embedding-pem.cer")).unwrap();
    let cert = load_certificate(&bytes).unwrap();
    assert_eq!(cert.der(), &bytes[..]);
    assert_eq!(cert.thumbprint(), Thumbprint::of_certificate_der(&bytes));
    assert!(
        cert.subject().contains("outer-der-cert"),
        "{}",
        cert.subject()
    );
}

#[test]
fn der_key_with_embedded_pem_is_the_outer_key() {
    let bytes = std::fs::read(format!("{KEYS}der-key-embedding-pem.der")).unwrap();
    assert!(!private_key_is_encrypted(&bytes));
    let key = load_private_key(&bytes, None).unwrap();
    assert_eq!(key.format(), KeyFormat::Pkcs8Der);
    let sd1 = load_certificate(&std::fs::read(format!("{SD}sd1.cer")).unwrap()).unwrap();
    let sd2 = load_certificate(&std::fs::read(format!("{SD}sd2.cer")).unwrap()).unwrap();
    assert!(sd1.matches_private_key(&key));
    assert!(!sd2.matches_private_key(&key));
}
