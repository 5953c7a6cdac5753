//! A `fips` build (docs/SECURITY.md, "FIPS"): the module is in FIPS mode and names itself,
//! key files that need non-approved algorithms are refused with the reason and a way out, and
//! the keys it writes are ones it reads. Compiled only with `--features fips`.

use crate::fixtures::{PASSPHRASE, keys, read};
use sdkit_certs::{
    KeyLoadError, KeySize, PbeKdf, check_fips_mode, crypto_module, generate_rsa_key,
    load_private_key, private_key_pem_encrypted,
};

#[test]
fn the_module_is_in_fips_mode_and_says_so() {
    check_fips_mode().expect("a fips build runs only on a module in FIPS mode");
    let m = crypto_module();
    assert_eq!(m["module"], "AWS-LC-FIPS", "{m}");
    assert_eq!(m["fips_mode"], true, "{m}");
    assert!(
        m["version"].as_str().is_some_and(|v| v.starts_with("3.")),
        "{m}"
    );
    assert_eq!(sdkit_certs::RSA_BACKEND, "AWS-LC-FIPS");
}

#[test]
fn scrypt_keys_are_refused_before_a_passphrase_with_the_way_to_convert_them() {
    let bytes = keys("sd1.scrypt-aes256.pem");
    for pass in [None, Some(PASSPHRASE)] {
        let err = load_private_key(&bytes, pass).unwrap_err();
        assert!(
            matches!(err, KeyLoadError::NotFipsApproved { .. }),
            "{err:?}"
        );
        let msg = err.to_string();
        for needle in [
            "scrypt",
            "not a FIPS-approved",
            "openssl pkcs8 -topk8 -v2 aes-256-cbc",
        ] {
            assert!(msg.contains(needle), "{needle:?} missing from: {msg}");
        }
    }
    // The same key with PBKDF2 opens.
    load_private_key(&keys("sd1.pbkdf2-aes256.pem"), Some(PASSPHRASE)).unwrap();
    load_private_key(&keys("sd1.pbkdf2-sha1-aes128.pem"), Some(PASSPHRASE)).unwrap();
}

#[test]
fn every_pkcs12_file_is_refused_whatever_its_encryption() {
    for name in [
        "sd1.aes256.p12",
        "sd2.aes256.pfx",
        "sd1.3des-sha1.p12",
        "sd2.3des-sha256mac.p12",
        "sd1.empty-password.p12",
        "sd1.rc2-40.p12",
        "sd1.with-chain.p12",
    ] {
        let bytes = read(&format!("pkcs12/{name}"));
        for pass in [None, Some(&b"drill-pass"[..])] {
            let err = load_private_key(&bytes, pass).unwrap_err();
            assert!(
                matches!(err, KeyLoadError::NotFipsApproved { .. }),
                "{name}: {err:?}"
            );
            let msg = err.to_string();
            assert!(
                msg.contains("PKCS#12") && msg.contains("openssl pkcs12"),
                "{msg}"
            );
        }
    }
}

#[test]
fn small_keys_are_refused_as_in_every_build() {
    let err = load_private_key(&keys("rsa1024.pem"), None).unwrap_err();
    assert!(
        matches!(err, KeyLoadError::TooSmall { bits: 1024 }),
        "{err:?}"
    );
    assert!(err.to_string().contains("2048"), "{err}");
}

#[test]
fn keys_are_written_with_pbkdf2_on_the_module_and_read_back() {
    let key = generate_rsa_key(KeySize::Rsa2048).unwrap();
    assert!(private_key_pem_encrypted(&key, b"pw", PbeKdf::Scrypt).is_err());
    let pem = private_key_pem_encrypted(&key, b"pw", PbeKdf::Pbkdf2Sha256).unwrap();
    let loaded = load_private_key(pem.as_bytes(), Some(b"pw")).unwrap();
    assert_eq!(loaded.bits(), 2048);
    assert_eq!(
        load_private_key(pem.as_bytes(), Some(b"not pw")).unwrap_err(),
        KeyLoadError::WrongPassphrase
    );
}
