//! `load_private_key` and `private_key_is_encrypted` over every fixture in
//! `test-vectors/keys/` (see its README for how each was made) and the real
//! Azure sample keys.

use crate::fixtures::{PASSPHRASE, azure_sd, keys, to_crlf};
use base64ct::{Base64, Encoding};
use der::Decode;
use sdkit_certs::{
    InputKind, KeyFormat, KeyLoadError, PrivateKey, load_certificate, load_private_key,
    private_key_is_encrypted,
};

fn load(bytes: &[u8]) -> Result<PrivateKey, KeyLoadError> {
    load_private_key(bytes, None)
}

fn load_pw(bytes: &[u8]) -> Result<PrivateKey, KeyLoadError> {
    load_private_key(bytes, Some(PASSPHRASE))
}

/// SubjectPublicKeyInfo of the sd1 key, the reference for every re-encoding.
fn sd1_spki() -> Vec<u8> {
    load(&azure_sd("sd1.pem")).unwrap().public_key_der()
}

fn pem(label: &str, der: &[u8]) -> Vec<u8> {
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        Base64::encode_string(der)
    )
    .into_bytes()
}

#[test]
fn azure_sample_keys_load_and_match_their_certificates() {
    for i in 1..=3 {
        let key = load(&azure_sd(&format!("sd{i}.pem"))).unwrap();
        assert_eq!(key.format(), KeyFormat::Pkcs8Pem);
        assert!(!key.was_encrypted());
        assert_eq!(key.bits(), 2048);
        for j in 1..=3 {
            let cert = load_certificate(&azure_sd(&format!("sd{j}.cer"))).unwrap();
            assert_eq!(
                cert.matches_private_key(&key),
                i == j,
                "sd{i}.pem vs sd{j}.cer"
            );
            assert_eq!(cert.public_key_der() == key.public_key_der(), i == j);
        }
    }
    let oracle = load(&azure_sd("cli-oracle/oracle-exchange-key.pem")).unwrap();
    let oracle_cert = load_certificate(&azure_sd("cli-oracle/oracle-exchange.pem")).unwrap();
    assert!(oracle_cert.matches_private_key(&oracle));
}

#[test]
fn every_plain_encoding_of_sd1_loads_to_the_same_key() {
    let cases = [
        ("sd1.pkcs1.pem", KeyFormat::Pkcs1Pem),
        ("sd1.pkcs8.der", KeyFormat::Pkcs8Der),
        ("sd1.pkcs1.der", KeyFormat::Pkcs1Der),
        ("sd1.crlf.pem", KeyFormat::Pkcs8Pem),
        ("sd1.cert-then-key.pem", KeyFormat::Pkcs8Pem),
    ];
    let spki = sd1_spki();
    for (file, format) in cases {
        let key = load(&keys(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(key.format(), format, "{file}");
        assert!(!key.was_encrypted(), "{file}");
        assert_eq!(key.public_key_der(), spki, "{file}");
        assert!(!private_key_is_encrypted(&keys(file)), "{file}");
        // A passphrase given for an unencrypted key is ignored.
        assert!(load_pw(&keys(file)).is_ok(), "{file}");
    }
}

#[test]
fn every_encrypted_encoding_of_sd1_decrypts() {
    let cases = [
        ("sd1.pbkdf2-aes256.pem", KeyFormat::EncryptedPkcs8Pem),
        ("sd1.pbkdf2-aes256.der", KeyFormat::EncryptedPkcs8Der),
        ("sd1.pbkdf2-sha1-aes128.pem", KeyFormat::EncryptedPkcs8Pem),
        ("sd1.scrypt-aes256.pem", KeyFormat::EncryptedPkcs8Pem),
    ];
    let spki = sd1_spki();
    for (file, format) in cases {
        let bytes = keys(file);
        if crate::fixtures::FIPS && file.contains("scrypt") {
            // Refused before any passphrase is asked for, with the reason.
            let refused = load(&bytes).unwrap_err();
            assert!(
                matches!(refused, KeyLoadError::NotFipsApproved { .. }),
                "{refused:?}"
            );
            assert!(
                refused.to_string().contains("openssl pkcs8 -topk8"),
                "{refused}"
            );
            continue;
        }
        assert!(private_key_is_encrypted(&bytes), "{file}");
        assert_eq!(
            load(&bytes).unwrap_err(),
            KeyLoadError::PassphraseRequired,
            "{file}"
        );
        let wrong = load_private_key(&bytes, Some(b"correct horse battery"));
        assert_eq!(wrong.unwrap_err(), KeyLoadError::WrongPassphrase, "{file}");
        let empty = load_private_key(&bytes, Some(b""));
        assert_eq!(empty.unwrap_err(), KeyLoadError::WrongPassphrase, "{file}");
        let key = load_pw(&bytes).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(key.format(), format, "{file}");
        assert!(key.was_encrypted(), "{file}");
        assert_eq!(key.public_key_der(), spki, "{file}");
    }
}

#[test]
fn encrypted_pem_next_to_a_certificate_is_found() {
    let mut bytes = azure_sd("sd1.cer");
    bytes.extend_from_slice(b"\nsome notes\n");
    bytes.extend_from_slice(&keys("sd1.pbkdf2-aes256.pem"));
    assert!(private_key_is_encrypted(&bytes));
    assert_eq!(load_pw(&bytes).unwrap().public_key_der(), sd1_spki());
}

#[test]
fn unsupported_encryption_is_reported_without_a_passphrase() {
    let cases = [
        (
            "sd1.legacy-aes256.pem",
            "legacy OpenSSL PEM encryption (AES-256-CBC)",
        ),
        (
            "sd1.pbes2-des3.pem",
            "des-ede3-cbc (OID 1.2.840.113549.3.7)",
        ),
        (
            "sd1.pbe-sha1-3des.pem",
            "PKCS#12 pbeWithSHAAnd3-KeyTripleDES-CBC",
        ),
    ];
    for (file, expected) in cases {
        let bytes = keys(file);
        assert!(private_key_is_encrypted(&bytes), "{file}");
        for passphrase in [None, Some(PASSPHRASE)] {
            match load_private_key(&bytes, passphrase) {
                Err(KeyLoadError::UnsupportedEncryption { scheme }) => {
                    assert!(scheme.contains(expected), "{file}: {scheme}");
                }
                other => panic!("{file}: expected UnsupportedEncryption, got {other:?}"),
            }
        }
        let message = load(&bytes).unwrap_err().to_string();
        assert!(
            message.contains("openssl pkcs8 -topk8 -v2 aes-256-cbc"),
            "{message}"
        );
    }
}

#[test]
fn non_rsa_keys_are_named() {
    let cases = [
        ("ec-p256.pem", "EC id-ecPublicKey (OID 1.2.840.10045.2.1)"),
        ("ec-p256.sec1.pem", "EC (PEM \"EC PRIVATE KEY\")"),
        ("ed25519.pem", "Ed25519 (OID 1.3.101.112)"),
    ];
    for (file, expected) in cases {
        let err = load(&keys(file)).unwrap_err();
        assert_eq!(
            err,
            KeyLoadError::NotRsa {
                algorithm: expected.to_owned()
            },
            "{file}"
        );
        assert!(err.to_string().contains("not RSA"));
    }
}

#[test]
fn small_rsa_keys_are_refused() {
    let err = load(&keys("rsa1024.pem")).unwrap_err();
    assert_eq!(err, KeyLoadError::TooSmall { bits: 1024 });
    assert!(err.to_string().contains("at least 2048 bits"), "{err}");
}

#[test]
fn wrong_kinds_of_file_say_what_they_are() {
    let cases: [(&str, Vec<u8>, InputKind); 8] = [
        ("sd1.cer (PEM)", azure_sd("sd1.cer"), InputKind::Certificate),
        ("sd1.cer.der", keys("sd1.cer.der"), InputKind::Certificate),
        (
            "sd1.cer.text.pem",
            keys("sd1.cer.text.pem"),
            InputKind::Certificate,
        ),
        ("sd1.pub.pem", keys("sd1.pub.pem"), InputKind::PublicKey),
        (
            "sd1.rsapub.pem",
            keys("sd1.rsapub.pem"),
            InputKind::PublicKey,
        ),
        ("sd1.pub.der", keys("sd1.pub.der"), InputKind::PublicKey),
        ("garbage.txt", keys("garbage.txt"), InputKind::Unrecognized),
        (
            "transfer-key response",
            azure_sd("transfer-key-response-2023-11-07_15e0e830.json"),
            InputKind::Json,
        ),
    ];
    for (name, bytes, found) in cases {
        assert_eq!(
            load(&bytes).unwrap_err(),
            KeyLoadError::NotAKey {
                found: found.clone()
            },
            "{name}"
        );
        assert!(!private_key_is_encrypted(&bytes), "{name}");
    }
    let cert_msg = load(&azure_sd("sd1.cer")).unwrap_err().to_string();
    assert!(
        cert_msg.contains("certificate, not a private key"),
        "{cert_msg}"
    );
    let pub_msg = load(&keys("sd1.pub.pem")).unwrap_err().to_string();
    assert!(pub_msg.contains("public key"), "{pub_msg}");
    let other =
        load(b"-----BEGIN OPENSSH PRIVATE KEY-----\naGk=\n-----END OPENSSH PRIVATE KEY-----\n");
    assert_eq!(
        other.unwrap_err(),
        KeyLoadError::NotAKey {
            found: InputKind::PrivateKey
        }
    );
    assert_eq!(
        load(b"").unwrap_err(),
        KeyLoadError::NotAKey {
            found: InputKind::Unrecognized
        }
    );
}

#[test]
fn damaged_encodings_are_malformed() {
    let cert_der = keys("sd1.cer.der");
    let pkcs8_der = keys("sd1.pkcs8.der");
    let pkcs1_der = keys("sd1.pkcs1.der");
    let cases = [
        ("cert labelled PRIVATE KEY", pem("PRIVATE KEY", &cert_der)),
        (
            "PKCS#8 labelled RSA PRIVATE KEY",
            pem("RSA PRIVATE KEY", &pkcs8_der),
        ),
        (
            "PKCS#1 labelled PRIVATE KEY",
            pem("PRIVATE KEY", &pkcs1_der),
        ),
        ("truncated PKCS#8", pem("PRIVATE KEY", &pkcs8_der[..600])),
        (
            "PKCS#1 labelled ENCRYPTED",
            pem("ENCRYPTED PRIVATE KEY", &pkcs1_der),
        ),
        (
            "unterminated PEM",
            b"-----BEGIN PRIVATE KEY-----\nMIIE\n".to_vec(),
        ),
        (
            "non-base64 PEM",
            b"-----BEGIN PRIVATE KEY-----\nMII*\n-----END PRIVATE KEY-----\n".to_vec(),
        ),
    ];
    for (name, bytes) in cases {
        match load(&bytes) {
            Err(KeyLoadError::Malformed(reason)) => assert!(!reason.is_empty(), "{name}"),
            other => panic!("{name}: expected Malformed, got {other:?}"),
        }
    }
}

#[test]
fn inconsistent_rsa_numbers_are_invalid() {
    let der = keys("sd1.pkcs1.der");
    let parsed = pkcs1::RsaPrivateKeyRef::from_der(&der).unwrap();
    for (name, component) in [
        ("private exponent", parsed.private_exponent.as_bytes()),
        ("prime1", parsed.prime1.as_bytes()),
    ] {
        let at = der
            .windows(component.len())
            .position(|w| w == component)
            .unwrap();
        let mut damaged = der.clone();
        damaged[at + component.len() / 2] ^= 0x01;
        match load(&damaged) {
            Err(KeyLoadError::InvalidRsaKey(reason)) => {
                assert!(!reason.is_empty(), "{name}");
            }
            other => panic!("{name}: expected InvalidRsaKey, got {other:?}"),
        }
        // Same through PEM.
        assert!(matches!(
            load(&pem("RSA PRIVATE KEY", &damaged)),
            Err(KeyLoadError::InvalidRsaKey(_))
        ));
    }
}

#[test]
fn pem_quirks_around_keys() {
    let sd1 = azure_sd("sd1.pem");
    let spki = sd1_spki();
    // Junk before and after (e.g. pasted from a terminal), CRLF, no final
    // newline, BOM.
    let mut junk = b"\xEF\xBB\xBFHere is my key:\r\n".to_vec();
    junk.extend_from_slice(&to_crlf(&sd1));
    junk.extend_from_slice(b"(end of key)");
    assert_eq!(load(&junk).unwrap().public_key_der(), spki);
    let trimmed = String::from_utf8(sd1).unwrap();
    assert_eq!(
        load(trimmed.trim_end().as_bytes())
            .unwrap()
            .public_key_der(),
        spki
    );
    // Re-wrapped at 65 columns like init-recovery output.
    let body: String = trimmed
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    let wrapped: Vec<&str> = body
        .as_bytes()
        .chunks(65)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    let rewrapped = format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----",
        wrapped.join("\n")
    );
    assert_eq!(load(rewrapped.as_bytes()).unwrap().public_key_der(), spki);
}

#[test]
fn debug_output_is_fixed_and_small() {
    let key = load_pw(&keys("sd1.pbkdf2-aes256.pem")).unwrap();
    assert_eq!(
        format!("{key:?}"),
        "PrivateKey { format: EncryptedPkcs8Pem, bits: 2048, encrypted: true, .. }"
    );
    assert_eq!(
        KeyFormat::EncryptedPkcs8Pem.to_string(),
        "encrypted PKCS#8 PEM"
    );
}
