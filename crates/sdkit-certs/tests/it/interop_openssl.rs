//! Interoperability with the OpenSSL command-line tool: what we write,
//! OpenSSL reads (certificate, self-signature, both encrypted-key formats,
//! RSA-OAEP-256 in both directions), and what `openssl req` writes, we read.
//!
//! These tests need `openssl` (1.1.1 or 3.x) on `PATH`. They fail, rather
//! than skip, when it is missing, so CI cannot silently stop checking
//! interoperability: install it with `apt-get install openssl`.
//!
//! Note on `openssl verify`: it does NOT check the signature of a
//! self-signed certificate that is its own trust anchor, so a plain
//! `openssl verify -CAfile cert.pem cert.pem` prints `OK` even for a
//! certificate with a corrupted signature. `-check_ss_sig` makes it check;
//! [`openssl_verifies_the_self_signature`] proves the difference with a
//! tampered copy. Our certificates lack `keyCertSign` (they are not CAs),
//! which OpenSSL accepts for a self-signed trust anchor, even with
//! `-x509_strict`.

use sdkit_core::OaepDecryptKey;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use sdkit_certs::{
    Certificate, CertificateParams, GeneratedKey, KeySize, PbeKdf, certificate_der,
    certificate_pem, certificate_pem_az_style, generate_rsa_key, load_certificate,
    load_private_key, private_key_pem_encrypted, private_key_pem_unencrypted,
    self_signed_certificate,
};
use sha2::Sha256;

const PASS: &str = "interop pass phrase";
const OAEP_SHA256: [&str; 6] = [
    "-pkeyopt",
    "rsa_padding_mode:oaep",
    "-pkeyopt",
    "rsa_oaep_md:sha256",
    "-pkeyopt",
    "rsa_mgf1_md:sha256",
];

/// One RSA-2048 key and certificate for the whole file.
fn fixture() -> &'static (GeneratedKey, Certificate) {
    static FIXTURE: OnceLock<(GeneratedKey, Certificate)> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let key = generate_rsa_key(KeySize::Rsa2048).unwrap();
        let params = CertificateParams {
            subject: "CN=SD Key 1".into(),
            validity_days: 365,
        };
        let cert = self_signed_certificate(&key, &params).unwrap();
        (key, cert)
    })
}

/// Runs `openssl args...` in `dir`, failing with instructions if OpenSSL
/// is not installed.
fn openssl_raw(dir: &Path, args: &[&str]) -> Output {
    match Command::new("openssl").args(args).current_dir(dir).output() {
        Ok(out) => out,
        Err(e) if e.kind() == ErrorKind::NotFound => panic!(
            "the `openssl` command is not on PATH; these interoperability tests need it. \
             Install it (Debian/Ubuntu: `apt-get install openssl`) and re-run `cargo test`."
        ),
        Err(e) => panic!("cannot run openssl: {e}"),
    }
}

/// Runs `openssl args...` in `dir` and insists on success; returns stdout.
fn openssl(dir: &Path, args: &[&str]) -> Vec<u8> {
    let out = openssl_raw(dir, args);
    assert!(
        out.status.success(),
        "openssl {} failed ({}):\n{}",
        args.join(" "),
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn openssl_text(dir: &Path, args: &[&str]) -> String {
    String::from_utf8(openssl(dir, args)).unwrap()
}

fn tempdir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("sdkit-interop-openssl-")
        .tempdir()
        .unwrap()
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn random_32() -> [u8; 32] {
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret).unwrap();
    secret
}

#[test]
fn openssl_reads_our_certificate_and_its_extensions() {
    let (_, cert) = fixture();
    let dir = tempdir();
    write(dir.path(), "cert.pem", certificate_pem(cert));
    write(dir.path(), "cert.der", certificate_der(cert));
    write(dir.path(), "cert-az.pem", certificate_pem_az_style(cert));

    let text = openssl_text(dir.path(), &["x509", "-noout", "-text", "-in", "cert.pem"]);
    for expected in [
        "Version: 3 (0x2)",
        "Signature Algorithm: sha256WithRSAEncryption",
        "Issuer: CN = SD Key 1",
        "Subject: CN = SD Key 1",
        "Public-Key: (2048 bit)",
        "X509v3 Basic Constraints: critical",
        "CA:FALSE",
        "X509v3 Key Usage: critical",
        "Key Encipherment",
        "X509v3 Subject Key Identifier",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    assert!(!text.contains("Digital Signature"), "{text}");

    // OpenSSL agrees on the thumbprint and serial, whichever encoding it
    // reads (PEM, DER, and the 65-column `az` layout).
    let fingerprint = format!(
        "sha256 Fingerprint={}\n",
        cert.thumbprint().to_hex_fingerprint()
    );
    for (file, form) in [
        ("cert.pem", "PEM"),
        ("cert.der", "DER"),
        ("cert-az.pem", "PEM"),
    ] {
        let args = [
            "x509",
            "-noout",
            "-inform",
            form,
            "-in",
            file,
            "-fingerprint",
            "-sha256",
        ];
        assert_eq!(openssl_text(dir.path(), &args), fingerprint, "{file}");
    }
    let serial = openssl_text(
        dir.path(),
        &["x509", "-noout", "-serial", "-in", "cert.pem"],
    );
    assert_eq!(serial, format!("serial={}\n", cert.serial_hex()));
}

#[test]
fn openssl_verifies_the_self_signature() {
    let (_, cert) = fixture();
    let dir = tempdir();
    write(dir.path(), "cert.pem", certificate_pem(cert));
    let mut bad_der = cert.der().to_vec();
    let last = bad_der.len() - 1;
    bad_der[last] ^= 0x01; // inside the signature BIT STRING
    let bad = Certificate::from_der(&bad_der).unwrap();
    write(dir.path(), "bad.pem", certificate_pem(&bad));

    let ok = openssl_text(
        dir.path(),
        &[
            "verify",
            "-x509_strict",
            "-check_ss_sig",
            "-CAfile",
            "cert.pem",
            "cert.pem",
        ],
    );
    assert_eq!(ok, "cert.pem: OK\n");

    // Without -check_ss_sig the broken signature goes unnoticed...
    let lax = openssl_raw(dir.path(), &["verify", "-CAfile", "bad.pem", "bad.pem"]);
    assert!(
        lax.status.success(),
        "OpenSSL changed: plain verify now checks self-signatures"
    );
    // ...with it, OpenSSL rejects it: the check above is meaningful.
    let strict = openssl_raw(
        dir.path(),
        &["verify", "-check_ss_sig", "-CAfile", "bad.pem", "bad.pem"],
    );
    assert!(!strict.status.success());
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&strict.stdout),
        String::from_utf8_lossy(&strict.stderr)
    );
    assert!(report.contains("signature failure"), "{report}");
}

#[test]
fn openssl_reads_our_encrypted_keys_with_both_kdfs() {
    let (key, _) = fixture();
    let dir = tempdir();
    write(dir.path(), "pass.txt", PASS);
    write(dir.path(), "wrong.txt", "not the pass phrase");
    write(
        dir.path(),
        "plain.pem",
        private_key_pem_unencrypted(key).unwrap().as_bytes(),
    );
    let reference = openssl(
        dir.path(),
        &["pkey", "-in", "plain.pem", "-pubout", "-outform", "DER"],
    );
    assert_eq!(
        reference,
        load_private_key(&std::fs::read(dir.path().join("plain.pem")).unwrap(), None)
            .unwrap()
            .public_key_der()
    );
    for (kdf, file) in [
        (PbeKdf::Pbkdf2Sha256, "pbkdf2.pem"),
        (PbeKdf::Scrypt, "scrypt.pem"),
    ] {
        if !crate::fixtures::kdf_in_build(kdf) {
            continue;
        }
        let pem = private_key_pem_encrypted(key, PASS.as_bytes(), kdf).unwrap();
        write(dir.path(), file, pem.as_bytes());
        openssl(
            dir.path(),
            &["pkey", "-in", file, "-passin", "file:pass.txt", "-noout"],
        );
        let public = openssl(
            dir.path(),
            &[
                "pkey",
                "-in",
                file,
                "-passin",
                "file:pass.txt",
                "-pubout",
                "-outform",
                "DER",
            ],
        );
        assert_eq!(public, reference, "{kdf:?}");
        let wrong = openssl_raw(
            dir.path(),
            &["pkey", "-in", file, "-passin", "file:wrong.txt", "-noout"],
        );
        assert!(
            !wrong.status.success(),
            "{kdf:?}: wrong passphrase accepted"
        );
    }
}

#[test]
fn oaep_sha256_from_openssl_to_us() {
    let (key, cert) = fixture();
    let dir = tempdir();
    write(dir.path(), "cert.pem", certificate_pem(cert));
    let encrypted = private_key_pem_encrypted(key, PASS.as_bytes(), PbeKdf::default()).unwrap();
    let secret = random_32();
    write(dir.path(), "secret.bin", secret);
    let mut args = vec![
        "pkeyutl",
        "-encrypt",
        "-certin",
        "-inkey",
        "cert.pem",
        "-in",
        "secret.bin",
    ];
    args.extend(OAEP_SHA256);
    let ciphertext = openssl(dir.path(), &args);
    assert_eq!(ciphertext.len(), 256);

    let ours = load_private_key(encrypted.as_bytes(), Some(PASS.as_bytes())).unwrap();
    let plaintext = ours.decrypt_oaep_sha256(&ciphertext).unwrap();
    assert_eq!(plaintext.as_slice(), secret);
}

#[test]
fn oaep_sha256_from_us_to_openssl() {
    let (key, cert) = fixture();
    let dir = tempdir();
    write(dir.path(), "pass.txt", PASS);
    for kdf in [PbeKdf::Pbkdf2Sha256, PbeKdf::Scrypt] {
        if !crate::fixtures::kdf_in_build(kdf) {
            continue;
        }
        let pem = private_key_pem_encrypted(key, PASS.as_bytes(), kdf).unwrap();
        write(dir.path(), "key.pem", pem.as_bytes());
        let secret = random_32();
        let public = load_certificate(certificate_pem(cert).as_bytes())
            .unwrap()
            .rsa_public_key()
            .unwrap();
        write(
            dir.path(),
            "ct.bin",
            public.oaep_encrypt::<Sha256>(&secret).unwrap(),
        );
        let mut args = vec![
            "pkeyutl",
            "-decrypt",
            "-inkey",
            "key.pem",
            "-passin",
            "file:pass.txt",
            "-in",
            "ct.bin",
        ];
        args.extend(OAEP_SHA256);
        assert_eq!(openssl(dir.path(), &args), secret, "{kdf:?}");
    }
}

#[test]
fn we_read_what_openssl_req_writes() {
    let dir = tempdir();
    openssl(
        dir.path(),
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "k.pem",
            "-x509",
            "-days",
            "365",
            "-out",
            "c.pem",
            "-subj",
            "/CN=SD Key 1",
        ],
    );
    let key = load_private_key(&std::fs::read(dir.path().join("k.pem")).unwrap(), None).unwrap();
    let cert = load_certificate(&std::fs::read(dir.path().join("c.pem")).unwrap()).unwrap();
    assert!(cert.matches_private_key(&key));
    assert_eq!(cert.subject(), "CN=SD Key 1");
    assert_eq!(key.bits(), 2048);
    let fingerprint = openssl_text(
        dir.path(),
        &["x509", "-noout", "-in", "c.pem", "-fingerprint", "-sha256"],
    );
    assert_eq!(
        fingerprint,
        format!(
            "sha256 Fingerprint={}\n",
            cert.thumbprint().to_hex_fingerprint()
        )
    );

    // And the same key re-encrypted by OpenSSL (PBKDF2 and scrypt) loads too.
    write(dir.path(), "pass.txt", PASS);
    for (file, extra) in [
        ("k-pbkdf2.pem", &["-v2", "aes-256-cbc"][..]),
        ("k-scrypt.pem", &["-scrypt"][..]),
    ] {
        let mut args = vec![
            "pkcs8",
            "-topk8",
            "-in",
            "k.pem",
            "-passout",
            "file:pass.txt",
            "-out",
            file,
        ];
        args.extend(extra);
        openssl(dir.path(), &args);
        let bytes = std::fs::read(dir.path().join(file)).unwrap();
        if crate::fixtures::FIPS && file == "k-scrypt.pem" {
            let refused = load_private_key(&bytes, Some(PASS.as_bytes())).unwrap_err();
            assert!(
                matches!(refused, sdkit_certs::KeyLoadError::NotFipsApproved { .. }),
                "{refused:?}"
            );
            continue;
        }
        let reloaded = load_private_key(&bytes, Some(PASS.as_bytes())).unwrap();
        assert!(cert.matches_private_key(&reloaded), "{file}");
    }
}
