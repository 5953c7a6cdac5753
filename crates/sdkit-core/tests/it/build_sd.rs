//! `build_security_domain` writes SDs that every quorum opens, in Azure's format.

use crate::fixtures::{cert_thumbprint, key};
use sdkit_core::assemble::{BuildError, Recipient, build_security_domain};
use sdkit_core::recover::{self, HolderKey};
use sdkit_core::tag::Tag;
use sdkit_core::{Quorum, SecurityDomain, SysRng};

fn tag(text: &str) -> Tag {
    Tag::new(text).unwrap()
}

fn recipient(i: usize) -> Recipient {
    Recipient {
        key: key(i).to_public_key(),
        thumbprint: cert_thumbprint(i),
    }
}

#[test]
fn every_pair_opens_a_new_two_of_three() {
    let (root, big) = (tag("db-root"), tag("big"));
    let secrets: [(&Tag, &[u8]); 2] = [
        (&root, b"correct horse battery staple"),
        (&big, &[7u8; 5000]),
    ];
    let recips = [recipient(1), recipient(2), recipient(3)];
    let two_of_three = Quorum::new(2, 3).unwrap();
    let sd = build_security_domain(&secrets, &recips, two_of_three, &mut SysRng).unwrap();
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
            assert_eq!(item.tag, tag.as_str());
            assert_eq!(item.plaintext.as_ref().unwrap().expose(), secret);
        }
    }
}

#[test]
fn refuses_what_cannot_work() {
    let r = [recipient(1), recipient(2), recipient(3)];
    let a = tag("a");
    let one: [(&Tag, &[u8]); 1] = [(&a, b"x")];
    let two_of_three = Quorum::new(2, 3).unwrap();
    assert_eq!(
        build_security_domain(&one, &r, Quorum::new(2, 4).unwrap(), &mut SysRng).unwrap_err(),
        BuildError::RecipientCount {
            shares: 4,
            recipients: 3
        }
    );
    assert_eq!(
        build_security_domain(&[], &r, two_of_three, &mut SysRng).unwrap_err(),
        BuildError::NoItems
    );
    let dup: [(&Tag, &[u8]); 2] = [(&a, b"x"), (&a, b"y")];
    assert_eq!(
        build_security_domain(&dup, &r, two_of_three, &mut SysRng).unwrap_err(),
        BuildError::DuplicateTag { tag: "a".into() }
    );
    let twice = [recipient(1), recipient(1)];
    assert_eq!(
        build_security_domain(&one, &twice, Quorum::new(2, 2).unwrap(), &mut SysRng).unwrap_err(),
        BuildError::DuplicateRecipient {
            first: 0,
            second: 1
        }
    );
}
