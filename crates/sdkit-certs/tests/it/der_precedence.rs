//! A file that is one whole DER structure is read as DER, even when PEM text of another key
//! or certificate hides inside it (found by fuzzing; OpenSSL and pyca read the outer one).

use crate::fixtures::{azure_sd, keys};
use sdkit_certs::{
    KeyFormat, Thumbprint, load_certificate, load_private_key, private_key_is_encrypted,
};

#[test]
fn der_certificate_with_embedded_pem_is_the_outer_certificate() {
    let bytes = keys("der-cert-embedding-pem.cer");
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
    let bytes = keys("der-key-embedding-pem.der");
    assert!(!private_key_is_encrypted(&bytes));
    let key = load_private_key(&bytes, None).unwrap();
    assert_eq!(key.format(), KeyFormat::Pkcs8Der);
    let sd1 = load_certificate(&azure_sd("sd1.cer")).unwrap();
    let sd2 = load_certificate(&azure_sd("sd2.cer")).unwrap();
    assert!(sd1.matches_private_key(&key));
    assert!(!sd2.matches_private_key(&key));
}
