//! PKCS#12 files (`test-vectors/pkcs12/`, made by OpenSSL 3.0 from the real Azure sample
//! keys; see its README): which open, with what, and how the others fail.

use crate::fixtures::{azure_sd, read};
use sdkit_certs::{
    InputKind, KeyFormat, KeyLoadError, PKCS12_REEXPORT_COMMAND, Pkcs12Error, PrivateKey,
    load_certificate, load_private_key, private_key_is_encrypted,
};

/// Password of every protected fixture in `test-vectors/pkcs12/`.
const PASSWORD: &[u8] = b"drill-pass";

fn p12(name: &str) -> Vec<u8> {
    read(&format!("pkcs12/{name}"))
}

/// Asserts `key` is the Azure sample key `sd<i>` and carries sd<i>.cer.
fn assert_is_sample(key: &PrivateKey, i: u32, what: &str) {
    let pem = load_private_key(&azure_sd(&format!("sd{i}.pem")), None).unwrap();
    assert_eq!(key.public_key_der(), pem.public_key_der(), "{what}");
    assert_eq!(key.format(), KeyFormat::Pkcs12, "{what}");
    let cer = load_certificate(&azure_sd(&format!("sd{i}.cer"))).unwrap();
    let embedded = key
        .certificate()
        .expect("the file's certificate comes with the key");
    assert_eq!(embedded.thumbprint(), cer.thumbprint(), "{what}");
    assert_eq!(embedded.der(), cer.der(), "{what}");
}

const PROTECTED: [(&str, u32); 4] = [
    ("sd1.aes256.p12", 1),
    ("sd2.aes256.pfx", 2),
    ("sd1.3des-sha1.p12", 1),
    ("sd2.3des-sha256mac.p12", 2),
];

#[test]
fn aes_and_3des_exports_open_with_their_password_and_carry_the_certificate() {
    for (file, i) in PROTECTED {
        let bytes = p12(file);
        assert!(private_key_is_encrypted(&bytes), "{file}");
        assert_eq!(
            load_private_key(&bytes, None).unwrap_err(),
            KeyLoadError::PassphraseRequired,
            "{file}"
        );
        let key = load_private_key(&bytes, Some(PASSWORD)).unwrap();
        assert!(key.was_encrypted(), "{file}");
        assert_is_sample(&key, i, file);
    }
}

#[test]
fn a_wrong_password_is_the_wrong_passphrase_error() {
    for (file, _) in PROTECTED {
        let err = load_private_key(&p12(file), Some(b"drill-pass ")).unwrap_err();
        assert_eq!(err, KeyLoadError::WrongPassphrase, "{file}");
        assert!(err.to_string().contains("wrong passphrase"), "{err}");
    }
}

#[test]
fn rc2_40_is_refused_before_any_password_with_the_reexport_command() {
    let bytes = p12("sd1.rc2-40.p12");
    // Refused whether or not a password is given, so nobody is asked for one in vain.
    for pass in [None, Some(PASSWORD)] {
        let err = load_private_key(&bytes, pass).unwrap_err();
        let KeyLoadError::Pkcs12(Pkcs12Error::LegacyEncryption { scheme }) = &err else {
            panic!("expected LegacyEncryption, got {err:?}");
        };
        assert_eq!(
            scheme,
            "pbeWithSHAAnd40BitRC2-CBC (OID 1.2.840.113549.1.12.1.6)"
        );
        let text = err.to_string();
        assert!(text.contains(PKCS12_REEXPORT_COMMAND), "{text}");
        assert!(text.contains("-keypbe AES-256-CBC"), "{text}");
    }
    assert!(!private_key_is_encrypted(&bytes));
}

#[test]
fn an_export_without_password_opens_without_one() {
    let bytes = p12("sd1.empty-password.p12");
    assert!(!private_key_is_encrypted(&bytes));
    let key = load_private_key(&bytes, None).unwrap();
    assert!(!key.was_encrypted());
    assert_is_sample(&key, 1, "empty password");
}

#[test]
fn the_keys_own_certificate_is_chosen_from_a_chain() {
    let key = load_private_key(&p12("sd1.with-chain.p12"), Some(PASSWORD)).unwrap();
    assert_is_sample(&key, 1, "with chain");
}

#[test]
fn a_file_of_certificates_only_says_so() {
    assert_eq!(
        load_private_key(&p12("sd1.cert-only.p12"), Some(PASSWORD)).unwrap_err(),
        KeyLoadError::Pkcs12(Pkcs12Error::NoPrivateKey { certificates: 1 })
    );
}

#[test]
fn a_pkcs12_file_given_as_a_certificate_is_named() {
    assert_eq!(
        load_certificate(&p12("sd1.aes256.p12")).unwrap_err(),
        sdkit_certs::CertLoadError::NotACertificate {
            found: InputKind::Pkcs12
        }
    );
}

#[test]
fn truncated_files_are_damaged_pkcs12_never_a_panic() {
    let bytes = p12("sd1.aes256.p12");
    for len in 0..bytes.len() {
        let cut = &bytes[..len];
        for pass in [None, Some(PASSWORD)] {
            let err = load_private_key(cut, pass).unwrap_err();
            if len >= 8 {
                assert!(
                    matches!(err, KeyLoadError::Pkcs12(Pkcs12Error::Malformed(_))),
                    "{len}: {err:?}"
                );
            }
        }
    }
}

#[test]
fn damaged_bytes_give_an_error_never_a_panic() {
    for file in ["sd1.aes256.p12", "sd1.3des-sha1.p12"] {
        let bytes = p12(file);
        for at in (0..bytes.len()).step_by(7) {
            let mut bad = bytes.clone();
            bad[at] ^= 0x5a;
            assert!(
                load_private_key(&bad, Some(PASSWORD)).is_err(),
                "{file}: byte {at} flipped"
            );
        }
    }
}

/// `sd1.aes256.p12` rebuilt by `edit` (its AuthenticatedSafe's parts, and its MAC).
fn rebuilt(
    edit: impl FnOnce(&mut Vec<pkcs12::cms::content_info::ContentInfo>, &mut Option<pkcs12::MacData>),
) -> Vec<u8> {
    use der::asn1::{Any, OctetString};
    use der::{Decode, Encode};
    let mut pfx = pkcs12::Pfx::from_der(&p12("sd1.aes256.p12")).unwrap();
    let octets: OctetString = pfx.auth_safe.content.decode_as().unwrap();
    let mut parts = pkcs12::AuthenticatedSafe::from_der(octets.as_bytes()).unwrap();
    edit(&mut parts, &mut pfx.mac_data);
    let octets = OctetString::new(parts.to_der().unwrap()).unwrap();
    pfx.auth_safe.content = Any::encode_from(&octets).unwrap();
    pfx.to_der().unwrap()
}

#[test]
fn the_rebuilding_helper_changes_nothing_by_itself() {
    let same = rebuilt(|_, _| {});
    assert_eq!(same, p12("sd1.aes256.p12"));
}

#[test]
fn a_file_without_mac_opens_with_its_password_only() {
    let bytes = rebuilt(|_, mac| *mac = None);
    assert_eq!(
        load_private_key(&bytes, None).unwrap_err(),
        KeyLoadError::PassphraseRequired
    );
    assert_is_sample(
        &load_private_key(&bytes, Some(PASSWORD)).unwrap(),
        1,
        "no MAC",
    );
    assert_eq!(
        load_private_key(&bytes, Some(b"not it")).unwrap_err(),
        KeyLoadError::WrongPassphrase
    );
}

#[test]
fn many_encrypted_parts_are_refused_before_any_key_derivation() {
    let bytes = rebuilt(|parts, _| {
        let encrypted = parts[0].clone();
        parts.extend(std::iter::repeat_n(encrypted, 9));
    });
    // The certificates' part ten times, and the shrouded key.
    for pass in [None, Some(PASSWORD)] {
        assert_eq!(
            load_private_key(&bytes, pass).unwrap_err(),
            KeyLoadError::Pkcs12(Pkcs12Error::TooManyEncryptedParts { count: 11 })
        );
    }
}

#[test]
fn ber_indefinite_length_is_refused_by_name() {
    let der = p12("sd1.aes256.p12");
    // `30 82 LL LL body` as `30 80 body 00 00`.
    let mut ber = vec![0x30, 0x80];
    ber.extend_from_slice(&der[4..]);
    ber.extend_from_slice(&[0, 0]);
    let err = load_private_key(&ber, Some(PASSWORD)).unwrap_err();
    let KeyLoadError::Pkcs12(Pkcs12Error::UnsupportedScheme { scheme }) = &err else {
        panic!("expected UnsupportedScheme, got {err:?}");
    };
    assert!(scheme.contains("BER indefinite-length"), "{scheme}");
    assert!(err.to_string().contains(PKCS12_REEXPORT_COMMAND));
}

#[test]
fn a_password_given_for_an_export_without_one_is_ignored() {
    // As for an unencrypted PEM key: the CLI may hold a passphrase file for all keys.
    let key = load_private_key(&p12("sd1.empty-password.p12"), Some(PASSWORD)).unwrap();
    assert!(!key.was_encrypted());
    assert_is_sample(&key, 1, "empty password, a password given");
}

/// The key-loading fuzz oracle (`fuzz/oracles/pem_der_keys.rs`), over PKCS#12 inputs.
mod oracle {
    include!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fuzz/oracles/pem_der_keys.rs"
    ));
}

#[test]
fn the_fuzz_oracle_holds_for_every_fixture_and_its_truncations() {
    let files = [
        "sd1.aes256.p12",
        "sd2.aes256.pfx",
        "sd1.3des-sha1.p12",
        "sd2.3des-sha256mac.p12",
        "sd1.rc2-40.p12",
        "sd1.empty-password.p12",
        "sd1.with-chain.p12",
        "sd1.cert-only.p12",
    ];
    for file in files {
        let bytes = p12(file);
        let whole = oracle::oracle(&bytes);
        // Not a certificate, not JSON, not PEM: a PKCS#12 file is only a key file.
        assert!(!whole.cert && !whole.jwk_cert, "{file}");
        assert_eq!(whole.pem_blocks, Some(0), "{file}");
        let opens_alone = file == "sd1.empty-password.p12";
        assert_eq!(whole.key.is_ok(), opens_alone, "{file}: {:?}", whole.key);
        assert_eq!(whole.key_with_pw, opens_alone, "{file}");
        for len in (0..bytes.len()).step_by(61) {
            oracle::oracle(&bytes[..len]);
        }
    }
}
