//! Replays every input in `fuzz/corpus/pem_der_keys/` (seeds and any crash inputs kept there)
//! through the oracle of `fuzz/fuzz_targets/pem_der_keys.rs`, so `cargo test` guards what
//! fuzzing found without the main workspace depending on libfuzzer. The oracle below is a copy
//! of the target's body that also returns what it saw; keep the two in step.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use base64ct::{Base64, Encoding};
use sdkit_certs::{
    Certificate, KeyLoadError, MIN_RSA_BITS, Thumbprint, decode_pem_lenient, load_certificate,
    load_certificate_from_jwk_json, load_private_key, private_key_is_encrypted,
};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const CORPUS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fuzz/corpus/pem_der_keys"
);

fn check_certificate(cert: &Certificate) {
    let _ = (cert.subject(), cert.issuer(), cert.serial_hex());
    let _ = (cert.not_before(), cert.not_after(), cert.key_bits());
    let _ = (cert.public_key_der(), cert.sha1_thumbprint_b64url());
    let _ = cert.rsa_public_key();
    assert_eq!(cert.thumbprint(), Thumbprint::from_cert_der(cert.der()));
    let again = load_certificate(cert.der()).expect("a loaded certificate's DER loads again");
    assert_eq!(again.der(), cert.der());
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// What the oracle saw in one input.
#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    /// `load_private_key(x, None)`: `Ok(())` or the error.
    key: Result<(), KeyLoadError>,
    /// `load_private_key(x, Some(b"pw"))` loaded a key.
    key_with_pw: bool,
    /// `load_certificate` loaded a certificate.
    cert: bool,
    /// `load_certificate_from_jwk_json` loaded a certificate.
    jwk_cert: bool,
    /// `decode_pem_lenient` block count, or `None` on error.
    pem_blocks: Option<usize>,
}

fn pem_der_keys_oracle(data: &[u8]) -> Outcome {
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

fn corpus_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(Path::new(CORPUS))
        .unwrap()
        .map(|f| f.unwrap().path())
        .filter(|f| {
            f.is_file()
                && !f
                    .file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with('.'))
        })
        .collect();
    files.sort();
    files
}

#[test]
fn replay_pem_der_keys_corpus() {
    let files = corpus_files();
    assert!(
        files.len() >= 20,
        "the pem_der_keys seed corpus is missing: {} files",
        files.len()
    );
    let mut results = Vec::new();
    for f in &files {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        let data = std::fs::read(f).unwrap();
        let start = Instant::now();
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| pem_der_keys_oracle(&data)))
            .unwrap_or_else(|_| panic!("fuzz/corpus/pem_der_keys/{name} fails the oracle"));
        let took = start.elapsed();
        if took > Duration::from_secs(1) {
            eprintln!("slow input: fuzz/corpus/pem_der_keys/{name} took {took:?}");
        }
        results.push((name, outcome));
    }
    let of = |name: &str| -> &Outcome {
        results
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, o)| o)
            .unwrap_or_else(|| panic!("corpus file {name} is missing"))
    };
    for key in [
        "sd1.pkcs1.pem",
        "sd1.pkcs8.der",
        "sd1.pkcs1.der",
        "sd1.crlf.pem",
        "sd1.cert-then-key.pem",
    ] {
        assert_eq!(of(key).key, Ok(()), "{key}");
        assert!(of(key).key_with_pw, "{key}");
    }
    // Encrypted with the passphrase "pw": refused without it, loaded with it.
    for key in ["sd2.pbkdf2-1iter-pw.pem", "sd2.pbkdf2-1iter-pw.der"] {
        assert_eq!(of(key).key, Err(KeyLoadError::PassphraseRequired), "{key}");
        assert!(of(key).key_with_pw, "{key}");
    }
    // Encrypted with another passphrase.
    for key in [
        "sd1.pbkdf2-aes256.der",
        "sd1.pbkdf2-sha1-aes128.pem",
        "sd1.scrypt-aes256.pem",
    ] {
        assert_eq!(of(key).key, Err(KeyLoadError::PassphraseRequired), "{key}");
        assert!(!of(key).key_with_pw, "{key}");
    }
    for cert in [
        "sd1.cer.der",
        "sd1.cer.text.pem",
        "sd1.cert-then-key.pem",
        "ec-p256.cer",
        "sdex-az-65col.pem",
    ] {
        assert!(of(cert).cert, "{cert}");
    }
    assert!(of("transfer-key-response-2020.json").jwk_cert);
    assert_eq!(of("sd1.cert-then-key.pem").pem_blocks, Some(2));
    assert_eq!(of("garbage.txt").pem_blocks, Some(0));
    assert!(matches!(
        of("garbage.txt").key,
        Err(KeyLoadError::NotAKey { .. })
    ));
}
