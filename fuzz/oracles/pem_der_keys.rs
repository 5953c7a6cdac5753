// The `pem_der_keys` oracle, shared by `fuzz/fuzz_targets/pem_der_keys.rs` and the corpus
// replay in `crates/sdkit-certs/tests/it/fuzz_corpus.rs` (both `include!` this file; keep it free
// of inner attributes and `//!` comments).
//
// Key and certificate loading on arbitrary bytes must not panic. Oracles:
// * a passphrase changes nothing unless the key asks for one: `load_private_key(x, None)` and
//   `load_private_key(x, Some(b"pw"))` agree (same key, or the same error) except when the
//   first says `PassphraseRequired`, and then `private_key_is_encrypted(x)` is true;
// * a loaded key is at least `MIN_RSA_BITS`, and `private_key_is_encrypted` is false for it;
// * a loaded certificate's accessors do not panic, its thumbprint is SHA-256 of its DER, and
//   that DER loads again to the same certificate (also for `load_certificate_from_jwk_json`);
// * input that is a DER certificate loads as exactly that certificate (not as a PEM block
//   found inside it);
// * `decode_pem_lenient` returns no blocks for text without `-----BEGIN `, and the blocks it
//   returns, written out again as plain PEM, decode to the same labels and bytes.

use base64ct::{Base64, Encoding};
use sdkit_certs::{
    Certificate, KeyLoadError, MIN_RSA_BITS, Thumbprint, decode_pem_lenient, load_certificate,
    load_certificate_from_jwk_json, load_private_key, private_key_is_encrypted,
};

fn check_certificate(cert: &Certificate) {
    let _ = (cert.subject(), cert.issuer(), cert.serial_hex());
    let _ = (cert.not_before(), cert.not_after(), cert.key_bits());
    let _ = (cert.public_key_der(), cert.sha1_thumbprint_b64url());
    let _ = cert.rsa_public_key();
    assert_eq!(cert.thumbprint(), Thumbprint::of_certificate_der(cert.der()));
    let again = load_certificate(cert.der()).expect("a loaded certificate's DER loads again");
    assert_eq!(again.der(), cert.der());
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// What the oracle saw in one input.
#[derive(Debug, PartialEq, Eq)]
pub struct Outcome {
    /// `load_private_key(x, None)`: `Ok(())` or the error.
    pub key: Result<(), KeyLoadError>,
    /// `load_private_key(x, Some(b"pw"))` loaded a key.
    pub key_with_pw: bool,
    /// `load_certificate` loaded a certificate.
    pub cert: bool,
    /// `load_certificate_from_jwk_json` loaded a certificate.
    pub jwk_cert: bool,
    /// `decode_pem_lenient` block count, or `None` on error.
    pub pem_blocks: Option<usize>,
}

pub fn oracle(data: &[u8]) -> Outcome {
    let encrypted = private_key_is_encrypted(data);
    let plain = load_private_key(data, None);
    let with_pw = load_private_key(data, Some(b"pw"));
    match (&plain, &with_pw) {
        (Ok(a), Ok(b)) => {
            assert!(a.bits() >= MIN_RSA_BITS);
            assert!(!a.was_encrypted());
            assert!(
                !encrypted,
                "a key that loads without a passphrase is called encrypted"
            );
            assert_eq!(a.public_key_der(), b.public_key_der());
            assert_eq!(a.format(), b.format());
            let _ = format!("{a:?}");
        }
        (Err(KeyLoadError::PassphraseRequired), other) => {
            assert!(encrypted, "PassphraseRequired, but not called encrypted");
            if let Ok(k) = other {
                assert!(k.was_encrypted() && k.bits() >= MIN_RSA_BITS);
            }
        }
        (Err(a), Err(b)) => {
            assert_eq!(a, b, "the passphrase changed the error");
            let _ = a.to_string();
        }
        (a, b) => panic!("the passphrase changed the result: {a:?} vs {b:?}"),
    }
    let certificate = load_certificate(data);
    if Certificate::from_der(data).is_ok() {
        let loaded = certificate.as_ref().expect("a DER certificate loads");
        assert!(
            loaded.der() == data,
            "a DER certificate loads as another certificate"
        );
    }
    if let Ok(cert) = &certificate {
        check_certificate(cert);
        if let Ok(key) = &plain {
            let _ = cert.matches_private_key(key);
        }
    }
    let jwk_cert = load_certificate_from_jwk_json(data);
    if let Ok(cert) = &jwk_cert {
        check_certificate(cert);
    }
    let pem_blocks = match decode_pem_lenient(data) {
        Ok(blocks) => {
            if !contains(data, b"-----BEGIN ") {
                assert!(blocks.is_empty(), "blocks found without a BEGIN line");
            }
            let mut pem = String::new();
            for b in &blocks {
                pem.push_str(&format!("-----BEGIN {}-----\n", b.label));
                let b64 = Base64::encode_string(&b.der);
                for line in b64.as_bytes().chunks(64) {
                    pem.push_str(core::str::from_utf8(line).expect("base64 is ASCII"));
                    pem.push('\n');
                }
                pem.push_str(&format!("-----END {}-----\n", b.label));
            }
            let again = decode_pem_lenient(pem.as_bytes()).expect("re-encoded PEM decodes");
            assert_eq!(again.len(), blocks.len());
            for (a, b) in again.iter().zip(&blocks) {
                assert_eq!(a.label, b.label);
                assert_eq!(&a.der[..], &b.der[..]);
            }
            Some(blocks.len())
        }
        Err(e) => {
            let _ = e.to_string();
            None
        }
    };
    Outcome {
        key: plain.map(|_| ()),
        key_with_pw: with_pw.is_ok(),
        cert: certificate.is_ok(),
        jwk_cert: jwk_cert.is_ok(),
        pem_blocks,
    }
}
