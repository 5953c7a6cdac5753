//! Interoperability with Python `cryptography` (pyca), the library behind
//! `az keyvault security-domain`: if pyca reads our key files and
//! certificates, so can the official fallback tooling.
//!
//! The tests run `scripts/interop/ensure-venv.sh`, which creates
//! `target/interop-venv` and installs `cryptography` into it when needed
//! (network access to PyPI on first run), then drive
//! `scripts/interop/pyca_check.py` with that venv's Python. When the venv
//! cannot be made the tests FAIL with the script's instructions instead of
//! skipping, so CI cannot silently stop checking.
//!
//! scrypt: pyca reads our PBES2-scrypt keys (verified by hand with
//! cryptography 42.0.8, 48.0.0 and 50.0.2). Should some release not, [`pyca_reads_our_encrypted_keys`]
//! still requires that our DEFAULT key-derivation choice is readable, which
//! is what users get unless they ask otherwise.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use rsa::traits::PublicKeyParts;
use sdkit_certs::{
    Certificate, CertificateParams, GeneratedKey, KeySize, PbeKdf, certificate_pem,
    certificate_pem_az_style, generate_rsa_key, private_key_pem_encrypted,
    private_key_pem_unencrypted, self_signed_certificate,
};
use serde_json::Value;
use sha2::Sha256;

const PASS: &str = "pyca interop pass phrase";

/// The workspace root (this crate lives in `crates/sdkit-certs`).
fn workspace_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .unwrap()
}

/// The venv's python, created once per test run.
fn python() -> &'static Path {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(|| {
        let script = workspace_root().join("scripts/interop/ensure-venv.sh");
        let out = Command::new("sh")
            .arg(&script)
            .output()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot run {}: {e} (a POSIX `sh` is required)",
                    script.display()
                )
            });
        assert!(
            out.status.success(),
            "{} failed, so the Python interoperability tests cannot run:\n{}\n\
             Fix the problem above (python3 with the venv module and pip, and network access \
             to PyPI on the first run), or prepare the venv by hand: \
             `python3 -m venv target/interop-venv && target/interop-venv/bin/pip install \
             cryptography`.",
            script.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        let python = PathBuf::from(String::from_utf8(out.stdout).unwrap().trim());
        assert!(python.exists(), "{} does not exist", python.display());
        python
    })
}

/// Runs `pyca_check.py args...`; returns its JSON report (`ok` true or
/// false), failing on anything else (crash, bad usage).
fn pyca(args: &[&Path]) -> Value {
    let helper = workspace_root().join("scripts/interop/pyca_check.py");
    let out = Command::new(python())
        .arg(&helper)
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "pyca_check.py {args:?} printed no JSON ({e}): {stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert_eq!(
        out.status.success(),
        report["ok"] == true,
        "exit status and report disagree: {report}"
    );
    report
}

fn pyca_ok(args: &[&Path]) -> Value {
    let report = pyca(args);
    assert_eq!(report["ok"], true, "pyca_check.py {args:?}: {report}");
    report
}

/// One RSA-2048 key and certificate for the whole file.
fn fixture() -> &'static (GeneratedKey, Certificate) {
    static FIXTURE: OnceLock<(GeneratedKey, Certificate)> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let key = generate_rsa_key(KeySize::Rsa2048).unwrap();
        let params = CertificateParams {
            subject: "CN=SD Key 1,O=Contoso,C=AU".into(),
            validity_days: 365,
        };
        let cert = self_signed_certificate(&key, &params).unwrap();
        (key, cert)
    })
}

struct Files {
    dir: tempfile::TempDir,
}

impl Files {
    fn new() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("sdkit-interop-python-")
            .tempdir()
            .unwrap();
        Self { dir }
    }

    fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }
}

fn modulus_hex(key: &GeneratedKey) -> String {
    hex::encode(key.public_key().n_bytes())
        .trim_start_matches('0')
        .to_owned()
}

#[test]
fn pyca_reads_our_encrypted_keys() {
    let (key, _) = fixture();
    let files = Files::new();
    let pass = files.write("pass.txt", PASS);
    let wrong = files.write("wrong.txt", "not it");
    let no_password = Path::new("-");
    let version = pyca_ok(&[Path::new("version")]);
    eprintln!("pyca cryptography {}", version["version"]);

    let plain = files.write(
        "plain.pem",
        private_key_pem_unencrypted(key).unwrap().as_bytes(),
    );
    let report = pyca_ok(&[Path::new("key"), &plain, no_password]);
    assert_eq!(report["bits"], 2048);
    assert_eq!(report["n_hex"], modulus_hex(key));

    let mut readable = Vec::new();
    for (kdf, name) in [
        (PbeKdf::Pbkdf2Sha256, "pbkdf2.pem"),
        (PbeKdf::Scrypt, "scrypt.pem"),
    ] {
        if !crate::fixtures::kdf_in_build(kdf) {
            continue;
        }
        let pem = private_key_pem_encrypted(key, PASS.as_bytes(), kdf).unwrap();
        let file = files.write(name, pem.as_bytes());
        let report = pyca(&[Path::new("key"), &file, &pass]);
        if report["ok"] == true {
            assert_eq!(report["n_hex"], modulus_hex(key), "{kdf:?}");
            readable.push(kdf);
            // Refusals must be for the right reason.
            let bad = pyca(&[Path::new("key"), &file, &wrong]);
            assert_eq!(bad["ok"], false, "{kdf:?}: wrong passphrase accepted");
            let none = pyca(&[Path::new("key"), &file, no_password]);
            let error = none["error"].as_str().unwrap();
            assert!(error.starts_with("TypeError"), "{kdf:?}: {error}");
        } else {
            eprintln!(
                "NOTE: pyca {} cannot read {kdf:?} keys: {}",
                version["version"], report["error"]
            );
        }
    }
    assert!(
        readable.contains(&PbeKdf::Pbkdf2Sha256),
        "pyca must read PBKDF2 keys"
    );
    assert!(
        readable.contains(&PbeKdf::default()),
        "pyca {} cannot read keys in our DEFAULT format {:?}",
        version["version"],
        PbeKdf::default()
    );
}

#[test]
fn pyca_reads_our_certificates_the_way_we_do() {
    let (_, cert) = fixture();
    let files = Files::new();
    let standard = files.write("cert.pem", certificate_pem(cert));
    let az_style = files.write("cert-az.pem", certificate_pem_az_style(cert));
    let thumbprint = hex::encode(cert.thumbprint().as_bytes());
    for file in [&standard, &az_style] {
        let r = pyca_ok(&[Path::new("cert"), file]);
        assert_eq!(r["sha256_hex"], thumbprint.as_str());
        assert_eq!(r["subject"], "CN=SD Key 1,O=Contoso,C=AU");
        assert_eq!(r["version"], "v3");
        // pyca prints the serial as an integer, so without the leading zero nibble that a
        // random serial has one time in 16 (the DER bytes start 0x0X).
        assert_eq!(
            r["serial_hex"],
            cert.serial_hex().trim_start_matches('0'),
            "serial"
        );
        assert_eq!(r["signature_hash"], "sha256");
        assert_eq!(r["key_usage"]["critical"], true);
        assert_eq!(r["key_usage"]["key_encipherment"], true);
        assert_eq!(r["key_usage"]["data_encipherment"], false);
        assert_eq!(r["key_usage"]["digital_signature"], false);
        assert_eq!(r["key_usage"]["key_cert_sign"], false);
        assert_eq!(r["basic_constraints"]["critical"], true);
        assert_eq!(r["basic_constraints"]["ca"], false);
        assert_eq!(r["ski_critical"], false);
        assert_eq!(r["ski_is_rfc5280_method1"], true);
    }
}

/// What `az keyvault security-domain` does with a custodian's key: unwrap
/// an RSA-OAEP-256 share addressed to the certificate.
#[test]
fn pyca_unwraps_oaep_sha256_with_our_encrypted_key() {
    let (key, cert) = fixture();
    let files = Files::new();
    let pass = files.write("pass.txt", PASS);
    let pem = private_key_pem_encrypted(key, PASS.as_bytes(), PbeKdf::default()).unwrap();
    let key_file = files.write("key.pem", pem.as_bytes());
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret).unwrap();
    let ciphertext = cert
        .rsa_public_key()
        .unwrap()
        .oaep_encrypt::<Sha256>(&secret)
        .unwrap();
    let ct_file = files.write("share.bin", ciphertext);
    let r = pyca_ok(&[Path::new("decrypt"), &key_file, &pass, &ct_file]);
    assert_eq!(r["plaintext_hex"], hex::encode(secret));
}
