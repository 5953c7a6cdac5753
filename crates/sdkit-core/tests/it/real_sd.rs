//! Both real Azure-made security domains open with every pair of the three keys and with all
//! three, giving the published master keys and payload hashes.

use crate::fixtures::{azure_sd, cert_thumbprint, key, rsa_key};
use rsa::PrivateKey;
use sdkit_core::SecurityDomain;
use sdkit_core::recover::{self, CertificateMatch, HolderKey, HolderStatus};
use sha2::{Digest, Sha256};

struct Expected {
    file: &'static str,
    master: &'static str,
    lens: [usize; 3],
    hash16: [&'static str; 3],
}

const SAMPLES: [Expected; 2] = [
    Expected {
        file: "sd-2020-09-15_df516d79.json",
        master: "976bf29e712f1144c4bc65193dd52c15bf708a0c717421837e3fa964e78e7be7",
        lens: [8148, 869, 2925],
        hash16: ["ee3198b862520ed1", "0286399088a164ba", "8a6121a6bfe4f8e9"],
    },
    Expected {
        file: "sd-2023-11-07_15e0e830.json",
        master: "ac57c2ec05b73881b9e3a9f806122dacf276fc3479b8247aba6cf75d6b7a0163",
        lens: [8532, 968, 3105],
        hash16: ["09d796b3924b73bf", "57d6d2754ab561ff", "a5ccbe18d22cca88"],
    },
];

fn check(sample: &Expected, sd: &SecurityDomain, holders: &[usize], with_certs: bool) {
    let keys: Vec<PrivateKey> = holders.iter().map(|&i| key(i)).collect();
    let hk: Vec<HolderKey<'_>> = keys
        .iter()
        .zip(holders)
        .map(|(k, &i)| HolderKey {
            key: k,
            certificate: with_certs.then(|| cert_thumbprint(i)),
        })
        .collect();
    let openings = recover::open_shares(sd, &hk);
    for (o, &i) in openings.iter().zip(holders) {
        assert_eq!(
            o.status,
            HolderStatus::Opened {
                share_index: i - 1,
                x: i as u8
            },
            "{} key {i}",
            sample.file
        );
        let want = if with_certs {
            CertificateMatch::Matched
        } else {
            CertificateMatch::NotGiven
        };
        assert_eq!(o.certificate, want);
    }
    let rec = recover::combine(sd, &openings).unwrap();
    assert_eq!(
        hex::encode(rec.master_key().expose()),
        sample.master,
        "{} {holders:?}",
        sample.file
    );
    assert!(rec.off_polynomial.is_empty());
    for (j, item) in rec.items.iter().enumerate() {
        let p = item.plaintext.as_ref().unwrap();
        assert_eq!(p.len(), sample.lens[j]);
        assert_eq!(
            &hex::encode(Sha256::digest(p.expose()))[..16],
            sample.hash16[j]
        );
    }
}

#[test]
fn every_pair_and_all_three_open_both_samples() {
    for sample in &SAMPLES {
        let sd = SecurityDomain::parse(&azure_sd(sample.file)).unwrap();
        assert_eq!(sd.quorum().required(), 2);
        assert_eq!(sd.quorum().total(), 3);
        assert!(sd.findings().is_empty(), "{:?}", sd.findings());
        for holders in [
            [1, 2].as_slice(),
            &[1, 3],
            &[2, 3],
            &[3, 1],
            &[1, 2, 3],
            &[3, 2, 1],
        ] {
            check(sample, &sd, holders, false);
        }
        check(sample, &sd, &[2, 3], true);
    }
}

#[test]
fn real_files_reserialize_byte_for_byte() {
    for sample in &SAMPLES {
        let bytes = azure_sd(sample.file);
        let sd = SecurityDomain::parse(&bytes).unwrap();
        assert_eq!(sd.to_json().as_bytes(), &bytes[..], "{}", sample.file);
    }
}

#[test]
fn wrapped_form_is_accepted_and_reported() {
    let bytes = azure_sd(SAMPLES[0].file);
    let wrapped =
        serde_json::json!({ "value": String::from_utf8(bytes.clone()).unwrap() }).to_string();
    let sd = SecurityDomain::parse(wrapped.as_bytes()).unwrap();
    assert_eq!(sd.findings(), &[sdkit_core::domain::Finding::Wrapped]);
    assert_eq!(sd.to_json().as_bytes(), &bytes[..]);
}

#[test]
fn one_key_is_not_a_quorum_and_wrong_key_opens_nothing() {
    let sd = SecurityDomain::parse(&azure_sd(SAMPLES[1].file)).unwrap();
    let k1 = key(1);
    let openings = recover::open_shares(
        &sd,
        &[HolderKey {
            key: &k1,
            certificate: None,
        }],
    );
    assert!(matches!(
        openings[0].status,
        HolderStatus::Opened { x: 1, .. }
    ));
    assert_eq!(
        recover::combine(&sd, &openings).unwrap_err(),
        recover::RecoverError::NotEnoughShares { have: 1, need: 2 }
    );
    // The same key twice is named, not silently combined into a wrong key.
    let openings = recover::open_shares(
        &sd,
        &[
            HolderKey {
                key: &k1,
                certificate: None,
            },
            HolderKey {
                key: &k1,
                certificate: None,
            },
        ],
    );
    assert_eq!(
        openings[1].status,
        HolderStatus::Duplicate {
            share_index: 0,
            first_holder: 0
        }
    );
    // A key from elsewhere opens nothing.
    let other = rsa_key("cli-oracle/oracle-exchange-key.pem");
    let openings = recover::open_shares(
        &sd,
        &[HolderKey {
            key: &other,
            certificate: Some(cert_thumbprint(1)),
        }],
    );
    assert_eq!(openings[0].status, HolderStatus::NoShare);
    assert_eq!(
        openings[0].certificate,
        CertificateMatch::KeyDidNotOpenItsShare
    );
}
