//! No `Debug` or `Display` output of keys, PEM blocks or errors may contain
//! the passphrase or any private-key material, whatever the input.

use crate::fixtures::{PASSPHRASE, azure_sd, keys};
use der::Decode;
use sdkit_certs::{decode_pem_lenient, load_certificate, load_private_key};

/// Strings that would betray sd1's private key or the passphrase if they
/// showed up in output: the passphrase, pieces of the private numbers in
/// hex (both cases) and decimal-ish byte lists, and lines of the PEM body.
fn forbidden() -> Vec<String> {
    let mut out = vec![
        String::from_utf8(PASSPHRASE.to_vec()).unwrap(),
        "horse".to_owned(),
    ];
    let der = keys("sd1.pkcs1.der");
    let key = pkcs1::RsaPrivateKeyRef::from_der(&der).unwrap();
    for secret in [
        key.private_exponent.as_bytes(),
        key.prime1.as_bytes(),
        key.prime2.as_bytes(),
        key.exponent1.as_bytes(),
        key.coefficient.as_bytes(),
    ] {
        let piece = &secret[8..16];
        out.push(hex::encode(piece));
        out.push(hex::encode_upper(piece));
        out.push(format!("{}, {}, {}", piece[0], piece[1], piece[2]));
    }
    for file in [
        azure_sd("sd1.pem"),
        keys("sd1.pbkdf2-aes256.pem"),
        keys("sd1.legacy-aes256.pem"),
    ] {
        let text = String::from_utf8(file).unwrap();
        out.extend(
            text.lines()
                .filter(|l| l.len() == 64 && !l.contains(' '))
                .map(|l| l[..24].to_owned()),
        );
    }
    out
}

fn assert_clean(context: &str, output: &str, forbidden: &[String]) {
    for f in forbidden {
        assert!(
            !output.contains(f.as_str()),
            "{context}: output contains secret material {f:?}: {output}"
        );
    }
}

#[test]
fn loading_outputs_never_contain_secrets() {
    let forbidden = forbidden();
    let inputs = [
        azure_sd("sd1.pem"),
        keys("sd1.pkcs1.pem"),
        keys("sd1.pkcs1.der"),
        keys("sd1.pkcs8.der"),
        keys("sd1.pbkdf2-aes256.pem"),
        keys("sd1.pbkdf2-aes256.der"),
        keys("sd1.scrypt-aes256.pem"),
        keys("sd1.legacy-aes256.pem"),
        keys("sd1.pbes2-des3.pem"),
        keys("sd1.pbe-sha1-3des.pem"),
        keys("sd1.cert-then-key.pem"),
        // Damaged inputs: truncated key DER, key DER under the wrong label,
        // and a PEM key with a bad character in the middle.
        keys("sd1.pkcs1.der")[..700].to_vec(),
        [
            b"-----BEGIN CERTIFICATE-----\n".as_slice(),
            &azure_sd("sd1.pem")[28..],
        ]
        .concat(),
        azure_sd("sd1.pem")
            .iter()
            .enumerate()
            .map(|(i, b)| if i == 300 { b'*' } else { *b })
            .collect(),
    ];
    for (i, bytes) in inputs.iter().enumerate() {
        for passphrase in [None, Some(PASSPHRASE), Some(b"wrong".as_slice())] {
            let context = format!("input {i}, passphrase given: {}", passphrase.is_some());
            match load_private_key(bytes, passphrase) {
                Ok(key) => assert_clean(&context, &format!("{key:?}"), &forbidden),
                Err(e) => assert_clean(&context, &format!("{e} {e:?}"), &forbidden),
            }
            if let Err(e) = load_certificate(bytes) {
                assert_clean(&context, &format!("{e} {e:?}"), &forbidden);
            }
        }
        match decode_pem_lenient(bytes) {
            Ok(blocks) => assert_clean("pem", &format!("{blocks:?}"), &forbidden),
            Err(e) => assert_clean("pem", &format!("{e} {e:?}"), &forbidden),
        }
    }
}

#[test]
fn forbidden_list_is_meaningful() {
    // Guard against a vacuous test: the forbidden strings really are in the
    // key's own encodings.
    let forbidden = forbidden();
    assert!(forbidden.len() > 20);
    let pem = String::from_utf8(azure_sd("sd1.pem")).unwrap();
    assert!(forbidden.iter().any(|f| pem.contains(f.as_str())));
    let der_hex = hex::encode(keys("sd1.pkcs1.der"));
    assert!(forbidden.iter().any(|f| der_hex.contains(f.as_str())));
}
