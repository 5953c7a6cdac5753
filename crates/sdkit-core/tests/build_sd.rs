#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `build_security_domain` writes SDs that every quorum opens, in Azure's format.

use rsa::PrivateKey;
use rsa::pkcs8::DecodePrivateKey;
use sdkit_core::assemble::{BuildError, Recipient, build_security_domain};
use sdkit_core::recover::{self, HolderKey};
use sdkit_core::{SecurityDomain, SysRng, Thumbprint};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../test-vectors/azure-sd/");

fn key(i: usize) -> PrivateKey {
    PrivateKey::from_pkcs8_pem(&std::fs::read_to_string(format!("{DIR}sd{i}.pem")).unwrap())
        .unwrap()
}

fn recipient(i: usize) -> Recipient {
    let pem = std::fs::read_to_string(format!("{DIR}sd{i}.cer")).unwrap();
    let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let der = <base64ct::Base64 as base64ct::Encoding>::decode_vec(&b64).unwrap();
    Recipient {
        key: key(i).to_public_key(),
        thumbprint: Thumbprint::of_certificate_der(&der),
    }
}

#[test]
fn every_pair_opens_a_new_two_of_three() {
    let secrets: [(&str, &[u8]); 2] = [
        ("db-root", b"correct horse battery staple"),
        ("big", &[7u8; 5000]),
    ];
    let recips = [recipient(1), recipient(2), recipient(3)];
    let sd = build_security_domain(&secrets, &recips, 2, &mut SysRng).unwrap();
    let text = sd.to_json();
    assert!(text.starts_with("{\"EncData\":{\"data\":[{\"compact_jwe\":\"eyJhbGciOiJkaXIi"));
    assert!(text.ends_with(",\"key_algorithm\":\"shamir_share\",\"required\":2},\"version\":2}"));
    let sd = SecurityDomain::parse(text.as_bytes()).unwrap();
    assert!(
        !sd.findings()
            .contains(&sdkit_core::domain::Finding::OutsideManagedHsmLimits)
    );
    let keys = [key(1), key(2), key(3)];
    for pair in [[0, 1], [0, 2], [2, 1]] {
        let hk: Vec<HolderKey<'_>> = pair
            .iter()
            .map(|&i| HolderKey {
                key: &keys[i],
                certificate: None,
            })
            .collect();
        let openings = recover::open_shares(&sd, &hk);
        let rec = recover::combine(&sd, &openings).unwrap();
        for (item, (tag, secret)) in rec.items.iter().zip(secrets) {
            assert_eq!(item.tag, tag);
            assert_eq!(item.plaintext.as_ref().unwrap().expose(), secret);
        }
    }
}

#[test]
fn refuses_what_cannot_work() {
    let r = [recipient(1), recipient(2), recipient(3)];
    let one: [(&str, &[u8]); 1] = [("a", b"x")];
    assert!(matches!(
        build_security_domain(&one, &r, 4, &mut SysRng),
        Err(BuildError::Quorum(_))
    ));
    assert!(matches!(
        build_security_domain(&one, &r, 1, &mut SysRng),
        Err(BuildError::Quorum(_))
    ));
    assert_eq!(
        build_security_domain(&[], &r, 2, &mut SysRng).unwrap_err(),
        BuildError::NoItems
    );
    let dup: [(&str, &[u8]); 2] = [("a", b"x"), ("a", b"y")];
    assert_eq!(
        build_security_domain(&dup, &r, 2, &mut SysRng).unwrap_err(),
        BuildError::DuplicateTag { tag: "a".into() }
    );
    for bad in ["", "../x", "a/b", ".hidden", "clé"] {
        let items: [(&str, &[u8]); 1] = [(bad, b"x")];
        assert!(
            matches!(
                build_security_domain(&items, &r, 2, &mut SysRng),
                Err(BuildError::BadTag { .. })
            ),
            "{bad:?}"
        );
    }
    let twice = [recipient(1), recipient(1)];
    assert_eq!(
        build_security_domain(&one, &twice, 2, &mut SysRng).unwrap_err(),
        BuildError::DuplicateRecipient {
            first: 0,
            second: 1
        }
    );
}
