//! Key and certificate generation and writing, checked through this crate's
//! own loaders and an independent parse of the certificate with `x509-cert`.
//!
//! RSA key generation is slow, so the whole file generates one RSA-2048 key
//! (shared) and one RSA-4096 key (the exchange-key test).

use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use crate::fixtures::azure_sd;
use der::{Decode, Encode};
use pkcs8::EncryptedPrivateKeyInfoRef;
use pkcs8::pkcs5::{EncryptionScheme, pbes2};
use rsa::pkcs1v15::{Signature, VerifyingKey};
use sha1::{Digest, Sha1};
use sha2::Sha256;
use signature::Verifier;
use x509_cert::ext::pkix::{BasicConstraints, KeyUsage, KeyUsages, SubjectKeyIdentifier};

use sdkit_certs::{
    Certificate, CertificateParams, GenerateError, GeneratedKey, KeyFormat, KeyLoadError, KeySize,
    NOT_BEFORE_BACKDATE, PBKDF2_ITERATIONS, PbeKdf, certificate_der, certificate_pem,
    certificate_pem_az_style, generate_exchange_key, generate_rsa_key, load_certificate,
    load_private_key, private_key_pem_encrypted, private_key_pem_unencrypted,
    self_signed_certificate,
};

const PASS: &[u8] = b"generate test passphrase";

/// The one RSA-2048 key of this file.
fn key() -> &'static GeneratedKey {
    static KEY: OnceLock<GeneratedKey> = OnceLock::new();
    KEY.get_or_init(|| generate_rsa_key(KeySize::Rsa2048).unwrap())
}

fn params(subject: &str, validity_days: u32) -> CertificateParams {
    CertificateParams {
        subject: subject.to_owned(),
        validity_days,
    }
}

fn cert(subject: &str, days: u32) -> Certificate {
    self_signed_certificate(key(), &params(subject, days)).unwrap()
}

fn secs(t: SystemTime) -> u64 {
    t.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs()
}

#[test]
fn generated_key_has_the_asked_size_and_loads_back() {
    let pem = private_key_pem_unencrypted(key()).unwrap();
    assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
    assert!(pem.ends_with("-----END PRIVATE KEY-----\n"));
    assert!(pem.lines().all(|l| l.len() <= 64));
    let loaded = load_private_key(pem.as_bytes(), None).unwrap();
    assert_eq!(loaded.format(), KeyFormat::Pkcs8Pem);
    assert_eq!(loaded.bits(), 2048);
}

#[test]
fn certificate_loads_with_our_loader_and_matches_the_key() {
    let cert = cert("CN=SD Key 1", 365);
    let pem = certificate_pem(&cert);
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----\n"));
    assert!(pem.ends_with("-----END CERTIFICATE-----\n"));
    assert!(pem.lines().all(|l| l.len() <= 64));

    let from_pem = load_certificate(pem.as_bytes()).unwrap();
    let from_der = load_certificate(&certificate_der(&cert)).unwrap();
    assert_eq!(from_pem.der(), cert.der());
    assert_eq!(from_der.der(), cert.der());
    // The thumbprint is a function of the DER, so it survives re-encoding.
    assert_eq!(from_pem.thumbprint(), cert.thumbprint());
    assert_eq!(from_der.thumbprint(), cert.thumbprint());
    assert_eq!(cert.thumbprint().to_base64url().len(), 43);
    assert_eq!(cert.thumbprint().to_hex_fingerprint().len(), 95);

    let key =
        load_private_key(private_key_pem_unencrypted(key()).unwrap().as_bytes(), None).unwrap();
    assert!(from_pem.matches_private_key(&key));
    assert_eq!(from_pem.key_bits(), Some(2048));
    assert_eq!(from_pem.subject(), "CN=SD Key 1");
    assert_eq!(from_pem.issuer(), "CN=SD Key 1");
}

#[test]
fn certificate_is_v3_self_signed_with_sha256_rsa() {
    let cert = cert("CN=x,O=y,C=AU", 30);
    assert_eq!(cert.subject(), "CN=x,O=y,C=AU");
    let x509 = cert.x509();
    let tbs = x509.tbs_certificate();
    assert_eq!(tbs.version(), x509_cert::certificate::Version::V3);
    assert_eq!(tbs.subject(), tbs.issuer());
    let sha256_with_rsa = der::asn1::ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
    assert_eq!(x509.signature_algorithm().oid, sha256_with_rsa);
    assert_eq!(tbs.signature().oid, sha256_with_rsa);
    // RFC 4055: NULL parameters for sha256WithRSAEncryption.
    assert_eq!(
        x509.signature_algorithm().parameters,
        Some(der::Any::from(der::asn1::Null))
    );

    // The self-signature verifies with the certificate's own public key.
    let verifier = VerifyingKey::<Sha256>::new(cert.rsa_public_key().unwrap());
    let signature = Signature::try_from(x509.signature().raw_bytes()).unwrap();
    let tbs_der = tbs.to_der().unwrap();
    verifier.verify(&tbs_der, &signature).unwrap();
    let mut tampered = tbs_der.clone();
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    assert!(verifier.verify(&tampered, &signature).is_err());
}

#[test]
fn extensions_are_present_with_the_right_criticality() {
    let cert = cert("CN=SD Key 1", 365);
    let tbs = cert.x509().tbs_certificate();
    let exts = tbs.extensions().unwrap();
    assert_eq!(exts.len(), 3);

    let (critical, basic) = tbs.get_extension::<BasicConstraints>().unwrap().unwrap();
    assert!(critical);
    assert!(!basic.ca);
    assert_eq!(basic.path_len_constraint, None);

    let (critical, usage) = tbs.get_extension::<KeyUsage>().unwrap().unwrap();
    assert!(critical);
    assert_eq!(usage, KeyUsage(KeyUsages::KeyEncipherment.into()));
    assert!(usage.key_encipherment());
    assert!(!usage.digital_signature() && !usage.key_cert_sign());

    let (critical, ski) = tbs
        .get_extension::<SubjectKeyIdentifier>()
        .unwrap()
        .unwrap();
    assert!(!critical);
    // RFC 5280 4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING
    // contents (the PKCS#1 RSAPublicKey), not of the whole SPKI.
    let spki = tbs.subject_public_key_info();
    let expected = Sha1::digest(spki.subject_public_key.raw_bytes());
    assert_eq!(ski.0.as_bytes(), expected.as_slice());
}

#[test]
fn serial_is_random_positive_and_16_bytes() {
    let a = cert("CN=SD Key 1", 365);
    let b = cert("CN=SD Key 1", 365);
    for c in [&a, &b] {
        let serial = c.x509().tbs_certificate().serial_number().as_bytes();
        assert_eq!(serial.len(), 16);
        assert!(serial[0] != 0 && serial[0] & 0x80 == 0, "{serial:02x?}");
        assert_eq!(c.serial_hex().len(), 32);
    }
    assert_ne!(a.serial_hex(), b.serial_hex());
    // Same key and subject, different serial: different thumbprints.
    assert_ne!(a.thumbprint(), b.thumbprint());
}

#[test]
fn validity_runs_from_just_before_now_for_the_asked_days() {
    for days in [1, 365, 36_500] {
        let before = secs(SystemTime::now());
        let cert = cert("CN=SD Key 1", days);
        let after = secs(SystemTime::now());
        let not_before = secs(cert.not_before());
        let not_after = secs(cert.not_after());
        let backdate = NOT_BEFORE_BACKDATE.as_secs();
        assert!(
            (before - backdate..=after - backdate).contains(&not_before),
            "{days}: notBefore {not_before} not in [{before}, {after}] - {backdate}"
        );
        let span = u64::from(days) * 86_400;
        assert!(
            (before + span..=after + span).contains(&not_after),
            "{days}: notAfter {not_after}"
        );
    }
}

#[test]
fn invalid_parameters_are_refused_with_a_reason() {
    for days in [0, 36_501, u32::MAX] {
        assert_eq!(
            self_signed_certificate(key(), &params("CN=x", days)).unwrap_err(),
            GenerateError::InvalidValidity { days }
        );
    }
    for (subject, reason) in [
        ("", "empty"),
        ("CN=", "empty value"),
        ("SD Key 1", "ATTRIBUTE=value"),
        ("BOGUS=1", "ATTRIBUTE=value"),
    ] {
        let err = self_signed_certificate(key(), &params(subject, 1)).unwrap_err();
        assert!(
            matches!(&err, GenerateError::InvalidSubject { subject: s, .. } if s == subject),
            "{subject:?}: {err:?}"
        );
        assert!(err.to_string().contains(reason), "{subject:?}: {err}");
    }
}

#[test]
fn keys_below_2048_bits_get_no_certificate() {
    let small = GeneratedKey::from(rsa::PrivateKey::new(&mut getrandom::SysRng, 1024).unwrap());
    assert_eq!(
        self_signed_certificate(&small, &params("CN=x", 1)).unwrap_err(),
        GenerateError::UnsupportedKeySize { bits: 1024 }
    );
}

#[test]
fn key_size_refuses_1024() {
    let err = KeySize::try_from(1024).unwrap_err();
    assert_eq!(err, GenerateError::UnsupportedKeySize { bits: 1024 });
    assert_eq!(
        err.to_string(),
        "unsupported RSA key size 1024; allowed sizes are 2048, 3072 and 4096 bits"
    );
    assert_eq!(KeySize::try_from(4096), Ok(KeySize::Rsa4096));
}

/// The KDF parameters actually written into an encrypted key file.
fn written_kdf(pem: &str) -> pbes2::Kdf {
    let block = &sdkit_certs::decode_pem_lenient(pem.as_bytes()).unwrap()[0];
    assert_eq!(block.label, "ENCRYPTED PRIVATE KEY");
    let info = EncryptedPrivateKeyInfoRef::from_der(&block.der).unwrap();
    let EncryptionScheme::Pbes2(params) = info.encryption_algorithm else {
        panic!("not PBES2");
    };
    assert!(matches!(
        params.encryption,
        pbes2::EncryptionScheme::Aes256Cbc { .. }
    ));
    params.kdf
}

#[test]
fn encrypted_keys_round_trip_with_both_kdfs() {
    assert_eq!(PbeKdf::default(), PbeKdf::Pbkdf2Sha256);
    let reference = load_private_key(private_key_pem_unencrypted(key()).unwrap().as_bytes(), None)
        .unwrap()
        .public_key_der();
    for kdf in [PbeKdf::Pbkdf2Sha256, PbeKdf::Scrypt] {
        if !crate::fixtures::kdf_in_build(kdf) {
            let refused = private_key_pem_encrypted(key(), PASS, kdf).unwrap_err();
            assert!(
                refused.to_string().contains("not a FIPS-approved"),
                "{refused}"
            );
            continue;
        }
        let pem = private_key_pem_encrypted(key(), PASS, kdf).unwrap();
        assert!(pem.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----\n"));
        assert!(pem.ends_with("-----END ENCRYPTED PRIVATE KEY-----\n"));
        assert!(sdkit_certs::private_key_is_encrypted(pem.as_bytes()));

        let loaded = load_private_key(pem.as_bytes(), Some(PASS)).unwrap();
        assert_eq!(loaded.format(), KeyFormat::EncryptedPkcs8Pem);
        assert_eq!(loaded.public_key_der(), reference, "{kdf:?}");
        assert_eq!(
            load_private_key(pem.as_bytes(), Some(b"wrong passphrase")).unwrap_err(),
            KeyLoadError::WrongPassphrase,
            "{kdf:?}"
        );
        assert_eq!(
            load_private_key(pem.as_bytes(), None).unwrap_err(),
            KeyLoadError::PassphraseRequired
        );

        match (kdf, written_kdf(&pem)) {
            (PbeKdf::Pbkdf2Sha256, pbes2::Kdf::Pbkdf2(p)) => {
                assert_eq!(p.iteration_count, PBKDF2_ITERATIONS);
                assert_eq!(p.salt.as_bytes().len(), 16);
                assert_eq!(p.prf, pbes2::Pbkdf2Prf::HmacWithSha256);
            }
            (PbeKdf::Scrypt, pbes2::Kdf::Scrypt(s)) => {
                assert_eq!(
                    (s.cost_parameter, s.block_size, s.parallelization),
                    (16_384, 8, 1)
                );
                assert_eq!(s.salt.as_bytes().len(), 16);
            }
            (kdf, written) => panic!("{kdf:?} wrote {written:?}"),
        }
    }
    // Fresh salt and IV every time (scrypt where the build has it: the cheaper KDF).
    let kdf = if crate::fixtures::FIPS {
        PbeKdf::Pbkdf2Sha256
    } else {
        PbeKdf::Scrypt
    };
    let a = private_key_pem_encrypted(key(), PASS, kdf).unwrap();
    let b = private_key_pem_encrypted(key(), PASS, kdf).unwrap();
    assert_ne!(*a, *b);
}

#[test]
fn empty_passphrase_is_refused() {
    for kdf in [PbeKdf::Pbkdf2Sha256, PbeKdf::Scrypt] {
        assert_eq!(
            private_key_pem_encrypted(key(), b"", kdf).unwrap_err(),
            GenerateError::EmptyPassphrase
        );
    }
}

#[test]
fn az_style_pem_reproduces_real_init_recovery_files() {
    for file in ["sdex.pem", "exchange-key-2023-11-07_15e0e830.pem"] {
        let original = azure_sd(file);
        let cert = load_certificate(&original).unwrap();
        assert_eq!(
            certificate_pem_az_style(&cert).as_bytes(),
            original.as_slice(),
            "{file}"
        );
    }
}

/// The only RSA-4096 generation in the test suite.
#[test]
fn exchange_key_looks_like_the_hsm_transfer_key() {
    let (key, cert) = generate_exchange_key().unwrap();
    assert_eq!(cert.subject(), "CN=transfer-key");
    assert_eq!(cert.issuer(), "CN=transfer-key");
    assert_eq!(cert.key_bits(), Some(4096));
    let real = load_certificate(&azure_sd("sdex.pem")).unwrap();
    assert_eq!(cert.subject(), real.subject());
    assert_eq!(
        cert.x509().signature_algorithm(),
        real.x509().signature_algorithm()
    );
    let lifetime = cert.not_after().duration_since(cert.not_before()).unwrap();
    assert_eq!(
        lifetime,
        Duration::from_secs(30 * 86_400) + NOT_BEFORE_BACKDATE
    );

    let az = certificate_pem_az_style(&cert);
    assert!(!az.ends_with('\n'));
    let lines: Vec<&str> = az.split('\n').collect();
    assert_eq!(lines[0], "-----BEGIN CERTIFICATE-----");
    assert_eq!(*lines.last().unwrap(), "-----END CERTIFICATE-----");
    let body = &lines[1..lines.len() - 1];
    assert!(body[..body.len() - 1].iter().all(|l| l.len() == 65));
    assert!((1..=65).contains(&body.last().unwrap().len()));
    assert_eq!(load_certificate(az.as_bytes()).unwrap().der(), cert.der());

    let loaded =
        load_private_key(private_key_pem_unencrypted(&key).unwrap().as_bytes(), None).unwrap();
    assert!(cert.matches_private_key(&loaded));
}
