//! `load_certificate` and `Certificate` accessors, checked against values
//! printed by `openssl x509` for the same files.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::fixtures::{azure_sd, keys, to_crlf};
use base64ct::{Base64, Encoding};
use rsa::traits::PublicKeyParts;
use sdkit_certs::{
    CertLoadError, Certificate, InputKind, Thumbprint, load_certificate, load_private_key,
};

const SD1_X5T_S256: &str = "vODZF4xDVWHyFob2nfI5Li1MPOmEhVJqlnojTK_HuYg";
const EXCHANGE_2023_X5T_S256: &str = "EYpOgZ46VIlntTxqBJ3dZsDA-nb1Mg4_0PozS-BIuEI";

fn at(unix: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(unix)
}

#[test]
fn sd1_certificate_matches_openssl() {
    let cert = load_certificate(&azure_sd("sd1.cer")).unwrap();
    assert_eq!(cert.thumbprint().to_base64url(), SD1_X5T_S256);
    assert_eq!(
        cert.thumbprint().to_hex_fingerprint(),
        "BC:E0:D9:17:8C:43:55:61:F2:16:86:F6:9D:F2:39:2E:2D:4C:3C:E9:84:85:52:6A:96:7A:23:4C:AF:C7:B9:88"
    );
    assert_eq!(cert.sha1_thumbprint_b64url(), "cye2mtUJBDlJBovxl3IJio2chKE");
    assert_eq!(
        cert.subject(),
        "O=Internet Widgits Pty Ltd,ST=Some-State,C=AU"
    );
    assert_eq!(cert.issuer(), cert.subject());
    assert_eq!(
        cert.serial_hex(),
        "2FAE07454C2BA7054C2B3257D57744CA875BFF79"
    );
    assert_eq!(cert.not_before(), at(1_598_601_051)); // Aug 28 07:50:51 2020 GMT
    assert_eq!(cert.not_after(), at(1_630_137_051)); // Aug 28 07:50:51 2021 GMT
    assert_eq!(cert.key_bits(), Some(2048));
    assert_eq!(
        Thumbprint::of_certificate_der(cert.der()).to_base64url(),
        SD1_X5T_S256
    );
    assert_eq!(
        format!("{cert:?}"),
        format!(
            "Certificate {{ subject: \"O=Internet Widgits Pty Ltd,ST=Some-State,C=AU\", \
             thumbprint: \"{SD1_X5T_S256}\", .. }}"
        )
    );
}

#[test]
fn der_pem_crlf_and_text_dump_give_the_same_certificate() {
    let der = keys("sd1.cer.der");
    let variants = [
        ("DER", der.clone()),
        ("PEM", azure_sd("sd1.cer")),
        ("CRLF PEM", to_crlf(&azure_sd("sd1.cer"))),
        ("openssl x509 -text output", keys("sd1.cer.text.pem")),
        (
            "PEM with junk after, no final newline",
            [azure_sd("sd1.cer").trim_ascii_end(), b"\ntrailing words"].concat(),
        ),
        (
            "X509 CERTIFICATE label",
            format!(
                "-----BEGIN X509 CERTIFICATE-----\n{}\n-----END X509 CERTIFICATE-----",
                Base64::encode_string(&der)
            )
            .into_bytes(),
        ),
        (
            "TRUSTED CERTIFICATE with trailing trust data",
            format!(
                "-----BEGIN TRUSTED CERTIFICATE-----\n{}\n-----END TRUSTED CERTIFICATE-----",
                Base64::encode_string(&[der.as_slice(), &[0x30, 0x00]].concat())
            )
            .into_bytes(),
        ),
        ("certificate after its key", keys("sd1.cert-then-key.pem")),
    ];
    for (name, bytes) in variants {
        let cert = load_certificate(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(cert.der(), der.as_slice(), "{name}");
    }
}

#[test]
fn first_certificate_block_wins() {
    let both = [azure_sd("sd2.cer"), azure_sd("sd1.cer")].concat();
    let cert = load_certificate(&both).unwrap();
    assert_eq!(
        cert.der(),
        load_certificate(&azure_sd("sd2.cer")).unwrap().der()
    );
}

#[test]
fn init_recovery_style_pem_loads() {
    // 65-column lines and no final newline: strict RFC 7468 readers fail.
    for name in ["sdex.pem", "exchange-key-2023-11-07_15e0e830.pem"] {
        let bytes = azure_sd(name);
        assert_ne!(bytes.last(), Some(&b'\n'), "{name} fixture changed");
        assert!(
            bytes.split(|b| *b == b'\n').nth(1).unwrap().len() == 65,
            "{name} fixture changed"
        );
        assert!(
            x509_cert::Certificate::load_pem_chain(&bytes).is_err(),
            "{name}: strict parser now accepts it; the lenient reader may be unnecessary"
        );
        let cert = load_certificate(&bytes).unwrap();
        assert_eq!(cert.key_bits(), Some(4096), "{name}");
        let crlf = load_certificate(&to_crlf(&bytes)).unwrap();
        assert_eq!(crlf.der(), cert.der(), "{name}");
    }
    let sdex = load_certificate(&azure_sd("sdex.pem")).unwrap();
    assert_eq!(sdex.subject(), "CN=transfer-key");
    assert_eq!(sdex.serial_hex(), "01");
    assert_eq!(
        sdex.thumbprint().to_base64url(),
        "DgKyj72PBn91O7ObV4YqFth4JGVKEdUpTEDn3qrkGT8"
    );

    let exchange = load_certificate(&azure_sd("exchange-key-2023-11-07_15e0e830.pem")).unwrap();
    assert_eq!(exchange.thumbprint().to_base64url(), EXCHANGE_2023_X5T_S256);
    assert_eq!(
        exchange.sha1_thumbprint_b64url(),
        "ZdPrDTQ151hm5OV2vuI9NOao7fY"
    );
    assert_eq!(
        exchange.subject(),
        "CN=test-mhsm-sd22jvavgs3gpj.managedhsm.azure.net"
    );
    assert_eq!(exchange.not_before(), at(1_699_283_657)); // Nov  6 15:14:17 2023 GMT
    assert_eq!(exchange.not_after(), at(1_730_819_657)); // Nov  5 15:14:17 2024 GMT
    assert_eq!(
        exchange.rsa_public_key().unwrap(),
        exchange.rsa_public_key().unwrap()
    );
}

#[test]
fn oracle_exchange_certificate_and_key() {
    let cert = load_certificate(&azure_sd("cli-oracle/oracle-exchange.pem")).unwrap();
    assert_eq!(cert.subject(), "CN=test-exchange");
    assert_eq!(
        cert.thumbprint().to_base64url(),
        "fuNASErSvkfOTEMDJrPpuOHppxahHLWWoRauo5ZdZ1g"
    );
    let key = load_private_key(&azure_sd("cli-oracle/oracle-exchange-key.pem"), None).unwrap();
    assert!(cert.matches_private_key(&key));
    assert_eq!(cert.public_key_der(), key.public_key_der());
    let sd1 = load_private_key(&azure_sd("sd1.pem"), None).unwrap();
    assert!(!cert.matches_private_key(&sd1));
}

#[test]
fn rsa_public_key_is_the_keys_public_half() {
    let cert = load_certificate(&azure_sd("sd1.cer")).unwrap();
    let key = load_private_key(&azure_sd("sd1.pem"), None).unwrap();
    let public = cert.rsa_public_key().unwrap();
    assert_eq!(public.n_bytes().as_ref(), key.modulus());
    assert_eq!(public.e_bytes().as_ref(), key.public_exponent());
}

#[test]
fn ec_certificate_is_not_rsa() {
    let cert = load_certificate(&keys("ec-p256.cer")).unwrap();
    assert_eq!(cert.subject(), "CN=ec-test");
    assert_eq!(
        cert.rsa_public_key().unwrap_err(),
        CertLoadError::NotRsa {
            algorithm: "EC id-ecPublicKey (OID 1.2.840.10045.2.1)".into()
        }
    );
    assert_eq!(cert.key_bits(), None);
    let rsa_key = load_private_key(&azure_sd("sd1.pem"), None).unwrap();
    assert!(!cert.matches_private_key(&rsa_key));
}

#[test]
fn wrong_kinds_of_file_say_what_they_are() {
    let cases: [(&str, Vec<u8>, InputKind); 8] = [
        ("PKCS#8 PEM key", azure_sd("sd1.pem"), InputKind::PrivateKey),
        (
            "PKCS#8 DER key",
            keys("sd1.pkcs8.der"),
            InputKind::PrivateKey,
        ),
        (
            "PKCS#1 DER key",
            keys("sd1.pkcs1.der"),
            InputKind::PrivateKey,
        ),
        (
            "encrypted DER key",
            keys("sd1.pbkdf2-aes256.der"),
            InputKind::PrivateKey,
        ),
        ("public key PEM", keys("sd1.pub.pem"), InputKind::PublicKey),
        ("public key DER", keys("sd1.pub.der"), InputKind::PublicKey),
        ("garbage", keys("garbage.txt"), InputKind::Unrecognized),
        (
            "JSON",
            azure_sd("transfer-key-response-2020-09-15_df516d79.json"),
            InputKind::Json,
        ),
    ];
    for (name, bytes, found) in cases {
        assert_eq!(
            load_certificate(&bytes).unwrap_err(),
            CertLoadError::NotACertificate { found },
            "{name}"
        );
    }
    let msg = load_certificate(&azure_sd("sd1.pem"))
        .unwrap_err()
        .to_string();
    assert!(msg.contains("private key, not a certificate"), "{msg}");
}

#[test]
fn damaged_certificates_are_malformed() {
    let der = keys("sd1.cer.der");
    let truncated_pem = format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        Base64::encode_string(&der[..400])
    );
    let cases = [
        ("truncated DER", der[..400].to_vec()),
        ("DER with trailing byte", [der.as_slice(), &[0]].concat()),
        ("truncated DER in PEM", truncated_pem.into_bytes()),
        (
            "unterminated PEM",
            b"-----BEGIN CERTIFICATE-----\nMIIB\n".to_vec(),
        ),
    ];
    for (name, bytes) in cases {
        match load_certificate(&bytes) {
            Err(CertLoadError::Malformed(reason)) => assert!(!reason.is_empty(), "{name}"),
            other => panic!("{name}: expected Malformed, got {other:?}"),
        }
    }
    assert!(matches!(
        Certificate::from_der(b"\x30\x03\x02\x01\x01"),
        Err(CertLoadError::Malformed(_))
    ));
}
