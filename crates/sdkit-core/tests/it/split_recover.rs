//! A security domain built from parts (fresh master key, Shamir split, shares wrapped to the
//! sample custodians' certificates, items under KDF-derived keys) survives serialization and
//! opens with every quorum; one wrong share among three is routed around and named.

use crate::common;
use crate::fixtures::{cert_thumbprint, key};
use rand_core::TryRng;
use rsa::PrivateKey;
use sdkit_core::domain::{DataItem, EncShare};
use sdkit_core::jwe::CompactJwe;
use sdkit_core::recover::{self, CertificateMatch, HolderKey, HolderStatus, RecoverError};
use sdkit_core::shamir::{self, Quorum, Share};
use sdkit_core::{MasterKey, SecurityDomain, SysRng, kdf, share};
use zeroize::Zeroizing;

const TAGS: [&str; 4] = [
    "hsm_backup",
    "base_enclave_backup",
    "partition_enclave_backup",
    "notes for custodians.txt",
];

struct Built {
    master: MasterKey,
    plaintexts: Vec<Vec<u8>>,
    sd: SecurityDomain,
}

fn random_bytes(len: usize) -> Vec<u8> {
    let mut v = vec![0u8; len];
    SysRng.try_fill_bytes(&mut v).unwrap();
    v
}

fn guid() -> String {
    let b = random_bytes(16);
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

/// Builds an SD with M = 2 of the three sample certificates. `bad_share_1` replaces holder 1's
/// payload by a well-formed share with one value changed.
fn build(bad_share_1: bool) -> Built {
    let mut rng = SysRng;
    let master = MasterKey::random(&mut rng).unwrap();
    let quorum = Quorum::new(2, 3).unwrap();
    let mut shares = shamir::split(master.expose(), quorum, &mut rng).unwrap();
    if bad_share_1 {
        let mut ys = Zeroizing::new(shares[0].values().to_vec());
        ys[7] = (ys[7] + 1) % 257;
        shares[0] = Share::new(1, ys).unwrap();
    }
    let enc_shares: Vec<EncShare> = shares
        .iter()
        .enumerate()
        .map(|(i, s)| {
            assert_eq!(usize::from(s.x()), i + 1);
            let public = key(i + 1).to_public_key();
            let payload = share::encode(s);
            assert_eq!(payload.len(), 64);
            EncShare {
                thumbprint: cert_thumbprint(i + 1),
                jwe: CompactJwe::encrypt_rsa_oaep_256(&public, &guid(), &payload, &mut rng)
                    .unwrap(),
            }
        })
        .collect();
    let plaintexts: Vec<Vec<u8>> = [8148usize, 869, 2925, 1]
        .iter()
        .map(|&n| random_bytes(n))
        .collect();
    let items: Vec<DataItem> = TAGS
        .iter()
        .zip(&plaintexts)
        .map(|(tag, p)| DataItem {
            tag: (*tag).to_owned(),
            jwe: CompactJwe::encrypt_dir(&kdf::derive_item_key(&master, tag), tag, p, &mut rng)
                .unwrap(),
        })
        .collect();
    let sd = SecurityDomain::from_parts(items, enc_shares, quorum).unwrap();
    Built {
        master,
        plaintexts,
        sd,
    }
}

/// Holders `holders` (1-based) of `keys`, with their certificates' thumbprints or without.
fn holder_keys<'k>(
    keys: &'k [PrivateKey],
    holders: &[usize],
    with_certs: bool,
) -> Vec<HolderKey<'k>> {
    holders
        .iter()
        .map(|&i| HolderKey {
            key: &keys[i - 1],
            certificate: with_certs.then(|| cert_thumbprint(i)),
        })
        .collect()
}

fn open(
    sd: &SecurityDomain,
    keys: &[PrivateKey],
    holders: &[usize],
    with_certs: bool,
) -> Vec<recover::HolderOpening> {
    recover::open_shares(sd, &holder_keys(keys, holders, with_certs))
}

#[test]
fn built_domain_round_trips_and_opens_with_every_quorum() {
    let built = build(false);
    let json = built.sd.to_json();
    let parsed = SecurityDomain::parse(json.as_bytes()).unwrap();
    assert!(parsed.findings().is_empty(), "{:?}", parsed.findings());
    assert_eq!(parsed, built.sd);
    assert_eq!(parsed.to_json(), json);
    assert_eq!(parsed.version(), Some(2));
    assert_eq!(parsed.quorum(), Quorum::new(2, 3).unwrap());
    assert!(parsed.quorum().within_managed_hsm_limits());
    for i in 1..=3 {
        assert_eq!(parsed.share_for(&cert_thumbprint(i)), Some(i - 1));
    }

    let keys: Vec<PrivateKey> = (1..=3).map(key).collect();
    let quorums: [&[usize]; 9] = [
        &[1, 2],
        &[2, 1],
        &[1, 3],
        &[3, 1],
        &[2, 3],
        &[3, 2],
        &[1, 2, 3],
        &[3, 1, 2],
        &[2, 3, 1],
    ];
    let mut ran = 0;
    for holders in quorums {
        for with_certs in [false, true] {
            let openings = open(&parsed, &keys, holders, with_certs);
            for (o, &i) in openings.iter().zip(holders) {
                assert_eq!(
                    o.status,
                    HolderStatus::Opened {
                        share_index: i - 1,
                        x: i as u8
                    }
                );
                let want = if with_certs {
                    CertificateMatch::Matched
                } else {
                    CertificateMatch::NotGiven
                };
                assert_eq!(o.certificate, want);
            }
            let rec = recover::combine(&parsed, &openings).unwrap();
            assert!(
                rec.master_key().ct_eq(&built.master),
                "{holders:?}: wrong master key"
            );
            let want_basis: Vec<u8> = holders[..2].iter().map(|&i| i as u8).collect();
            assert_eq!(rec.basis, want_basis);
            assert!(rec.off_polynomial.is_empty());
            assert!(rec.all_items_authentic());
            for ((item, tag), p) in rec.items.iter().zip(TAGS).zip(&built.plaintexts) {
                assert_eq!(item.tag, tag);
                assert_eq!(item.plaintext.as_ref().unwrap().expose(), &p[..]);
            }
            ran += 1;
        }
    }
    assert_eq!(ran, 18);

    // One key is not a quorum.
    let openings = open(&parsed, &keys, &[3], false);
    assert_eq!(
        recover::combine(&parsed, &openings).unwrap_err(),
        RecoverError::NotEnoughShares { have: 1, need: 2 }
    );
}

#[test]
fn one_wrong_share_is_routed_around_and_named() {
    let built = build(true);
    let json = built.sd.to_json();
    let sd = SecurityDomain::parse(json.as_bytes()).unwrap();
    let keys: Vec<PrivateKey> = (1..=3).map(key).collect();
    let mut ran = 0;
    for holders in [[1usize, 2, 3], [2, 3, 1], [3, 1, 2], [1, 3, 2]] {
        let openings = open(&sd, &keys, &holders, false);
        // The wrong share is well-formed and authenticates under sd1's key: only the
        // polynomial check can tell.
        assert!(
            openings
                .iter()
                .all(|o| matches!(o.status, HolderStatus::Opened { .. }))
        );
        let rec = recover::combine(&sd, &openings).unwrap();
        assert!(
            rec.master_key().ct_eq(&built.master),
            "{holders:?}: wrong master key"
        );
        assert!(rec.all_items_authentic());
        let mut basis = rec.basis.clone();
        basis.sort_unstable();
        assert_eq!(basis, vec![2, 3], "{holders:?}: the basis must avoid x = 1");
        assert_eq!(rec.off_polynomial, vec![1], "{holders:?}");
        ran += 1;
    }
    // With the wrong share in every available quorum, nothing authenticates.
    for holders in [[1usize, 2], [3, 1]] {
        let openings = open(&sd, &keys, &holders, true);
        assert_eq!(
            recover::combine(&sd, &openings).unwrap_err(),
            RecoverError::NoAuthenticatingQuorum { tried: 1 },
            "{holders:?}"
        );
        ran += 1;
    }
    assert_eq!(ran, 6);
}

#[test]
fn the_order_of_the_keys_does_not_change_what_is_recovered() {
    // Keys are searched in parallel and finish in any order; whatever order they are given
    // in, with or without certificates, and whether one share is off the polynomial (the
    // second SD: x = 1), the master key and every item come out the same.
    let keys: Vec<PrivateKey> = (1..=3).map(key).collect();
    let mut ran = 0;
    for wrong_share in [false, true] {
        let built = build(wrong_share);
        let sd = SecurityDomain::parse(built.sd.to_json().as_bytes()).unwrap();
        let reference = recover::run(&sd, &holder_keys(&keys, &[1, 2, 3], false));
        let want = common::summary_without_basis(&reference.recovery);
        assert!(reference.recovery.is_ok());
        for holders in [[1usize, 2, 3], [2, 3, 1], [3, 1, 2], [1, 3, 2]] {
            for with_certs in [false, true] {
                let outcome = recover::run(&sd, &holder_keys(&keys, &holders, with_certs));
                assert_eq!(outcome.openings.len(), 3);
                assert_eq!(
                    common::summary_without_basis(&outcome.recovery),
                    want,
                    "{holders:?}, certificates: {with_certs}, wrong share: {wrong_share}"
                );
                ran += 1;
            }
        }
    }
    assert_eq!(ran, 16);
}
