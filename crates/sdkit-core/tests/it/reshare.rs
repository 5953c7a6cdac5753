//! `reshare` moves an SD's items to new custodians: every quorum of the new keys opens the
//! same plaintexts under the same tags, in the same order; the old keys open nothing in it;
//! and every custody, SD or recovery it must not accept is refused with the reason.
//!
//! The property test draws new custodians from a pool of RSA-2048 keys generated once per
//! test binary (key generation is the slow part), and recovers each new SD with every
//! `M`-subset of its keys through [`recover::run`], each key remembering its RSA decryptions
//! ([`Remembering`]) so that `C(N, M)` recoveries cost `N` RSA operations.

use crate::fixtures::{azure_sd, key};
use crate::shamir_props::SplitMix64;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use sdkit_core::aead::DecryptError;
use sdkit_core::assemble::{BuildError, Recipient, build_security_domain};
use sdkit_core::content::ContentDigest;
use sdkit_core::drill::ItemContent;
use sdkit_core::recover::{self, HolderKey, HolderStatus, RecoverError, Recovery, binomial};
use sdkit_core::reshare::{self, CustodyError, Limits, NewCustody, ReshareError};
use sdkit_core::shamir::QuorumError;
use sdkit_core::tag::Tag;
use sdkit_core::{OaepDecryptKey, Quorum, SecurityDomain, SysRng, Thumbprint};
use serde_json::Value;
use std::cell::Cell;
use std::sync::{Mutex, OnceLock};
use zeroize::Zeroizing;

/// How many RSA-2048 keys the pool holds: 3 old custodians and up to 10 new ones.
const POOL: usize = 13;
/// The old custodians in the property test: pool keys `0..OLD`.
const OLD: usize = 3;

/// [`POOL`] RSA-2048 private keys, generated once (in parallel) for every test here.
fn pool() -> &'static [rsa::PrivateKey] {
    static KEYS: OnceLock<Vec<rsa::PrivateKey>> = OnceLock::new();
    KEYS.get_or_init(|| {
        std::thread::scope(|s| {
            let handles: Vec<_> = (0..POOL)
                .map(|_| s.spawn(|| rsa::PrivateKey::new(&mut SysRng, 2048).unwrap()))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        })
    })
}

/// A stand-in certificate thumbprint for pool key `i` (a thumbprint only names a share).
fn thumbprint(i: usize) -> Thumbprint {
    Thumbprint::of_certificate_der(format!("reshare test certificate {i}").as_bytes())
}

/// Pool key `i` as a recipient.
fn recipient(i: usize) -> Recipient {
    Recipient {
        key: pool()[i].to_public_key(),
        thumbprint: thumbprint(i),
    }
}

/// Pool keys `range` as recipients, in order.
fn recipients(range: core::ops::Range<usize>) -> Vec<Recipient> {
    range.map(recipient).collect()
}

/// What one RSA decryption gave.
type Decrypted = Result<Zeroizing<Vec<u8>>, DecryptError>;

/// A pool key that decrypts each ciphertext once and then answers from memory: the share
/// search, recombination and item decryption of [`recover::run`] still run in full on every
/// call, only the (deterministic) RSA operation is not repeated.
struct Remembering {
    key: &'static rsa::PrivateKey,
    seen: Mutex<Vec<(Vec<u8>, Decrypted)>>,
}

impl Remembering {
    fn new(i: usize) -> Self {
        Remembering {
            key: &pool()[i],
            seen: Mutex::new(Vec::new()),
        }
    }
}

impl OaepDecryptKey for Remembering {
    fn modulus_len(&self) -> usize {
        self.key.modulus_len()
    }

    fn decrypt_oaep_sha256(&self, ciphertext: &[u8]) -> Decrypted {
        let mut seen = self.seen.lock().unwrap();
        if let Some((_, r)) = seen.iter().find(|(c, _)| c == ciphertext) {
            return r.clone();
        }
        let r = self.key.decrypt_oaep_sha256(ciphertext);
        seen.push((ciphertext.to_vec(), r.clone()));
        r
    }
}

/// Every `m`-subset of `0..n`, each in increasing order.
fn subsets(n: usize, m: usize) -> Vec<Vec<usize>> {
    if m == 0 {
        return vec![Vec::new()];
    }
    if n < m {
        return Vec::new();
    }
    // Those without n - 1, then those with it.
    let mut out = subsets(n - 1, m);
    for mut s in subsets(n - 1, m - 1) {
        s.push(n - 1);
        out.push(s);
    }
    out
}

/// Recovers `sd` with `keys`, each given with its certificate's thumbprint.
fn recover_with(sd: &SecurityDomain, keys: &[(&dyn OaepDecryptKey, Thumbprint)]) -> Recovery {
    let hk: Vec<HolderKey<'_>> = keys
        .iter()
        .map(|(key, t)| HolderKey {
            key: *key,
            certificate: Some(*t),
        })
        .collect();
    recover::run(sd, &hk).recovery.unwrap()
}

/// The plaintext of each item, in order (panics on an item that did not authenticate).
fn plaintexts(rec: &Recovery) -> Vec<(String, Vec<u8>)> {
    rec.items
        .iter()
        .map(|i| {
            (
                i.tag.clone(),
                i.plaintext.as_ref().unwrap().expose().to_vec(),
            )
        })
        .collect()
}

/// Opens nothing: each key finds no share, so there is no quorum.
fn assert_opens_nothing(sd: &SecurityDomain, keys: &[&dyn OaepDecryptKey]) {
    let hk: Vec<HolderKey<'_>> = keys
        .iter()
        .map(|key| HolderKey {
            key: *key,
            certificate: None,
        })
        .collect();
    let outcome = recover::run(sd, &hk);
    for o in &outcome.openings {
        assert_eq!(o.status, HolderStatus::NoShare);
    }
    assert_eq!(
        outcome.recovery.unwrap_err(),
        RecoverError::NotEnoughShares {
            have: 0,
            need: sd.quorum().required()
        }
    );
}

// ---------------------------------------------------------------------------------------------
// The property: every quorum of the new keys opens the old plaintexts, the old keys nothing.

/// Tags from a safe alphabet (spaces and punctuation included), plaintexts of 0 to 2000
/// bytes, often empty.
fn items() -> impl Strategy<Value = Vec<(String, Vec<u8>)>> {
    let plaintext = prop_oneof![
        1 => Just(Vec::new()),
        4 => proptest::collection::vec(any::<u8>(), 0..2000),
    ];
    proptest::collection::btree_map("[A-Za-z0-9_][A-Za-z0-9_ .=+-]{0,23}", plaintext, 1..=4)
        .prop_map(|m| m.into_iter().collect::<Vec<_>>())
        .prop_shuffle()
}

/// (N, M, items, seed) with 3 <= N <= 10 and 2 <= M <= N: every quorum Azure accepts.
fn case() -> impl Strategy<Value = (usize, usize, Vec<(String, Vec<u8>)>, u64)> {
    (3usize..=10)
        .prop_flat_map(|n| (Just(n), 2..=n))
        .prop_flat_map(|(n, m)| (Just(n), Just(m), items(), any::<u64>()))
}

/// Builds a 2-of-3 SD of `items` to the old pool keys, reshares it to `n` new ones with
/// quorum `m`, and checks every `m`-subset of the new keys, `m - 1` of them, the old keys on
/// the new SD and the new keys on the old.
fn check_reshare(n: usize, m: usize, items: &[(String, Vec<u8>)], seed: u64) {
    let mut rng = SplitMix64(seed);
    let tags: Vec<Tag> = items.iter().map(|(t, _)| Tag::new(t).unwrap()).collect();
    let secrets: Vec<(&Tag, &[u8])> = tags
        .iter()
        .zip(items)
        .map(|(t, (_, p))| (t, p.as_slice()))
        .collect();
    let old = build_security_domain(
        &secrets,
        &recipients(0..OLD),
        Quorum::new(2, OLD).unwrap(),
        &mut rng,
    )
    .unwrap();
    let old_rec = recover_with(
        &old,
        &[(&pool()[0], thumbprint(0)), (&pool()[2], thumbprint(2))],
    );
    assert_eq!(plaintexts(&old_rec), items);

    let new_range = OLD..OLD + n;
    let custody = NewCustody::new(recipients(new_range.clone()), m, Limits::Azure).unwrap();
    let reshared = reshare::reshare(&old, &old_rec, &custody, &mut rng).unwrap();

    // The proof: every subset recombined (C(10, 5) = 252 is far below the cap), each item's
    // content digest that of the old plaintext.
    assert_eq!(
        reshared.proof.subsets_recombined as u128,
        binomial(n, m),
        "{n} {m}"
    );
    assert!(!reshared.proof.by_polynomial);
    let want: Vec<(String, ItemContent)> = items
        .iter()
        .map(|(t, p)| {
            (
                t.clone(),
                ItemContent {
                    len: p.len(),
                    digest: ContentDigest::of(t, p),
                },
            )
        })
        .collect();
    assert_eq!(reshared.proof.items, want);

    // The file as written: M of N, each share for its certificate in order, same tags.
    let new = SecurityDomain::parse(reshared.json.as_bytes()).unwrap();
    assert_eq!(new.to_json(), reshared.json);
    assert_eq!(new.quorum(), Quorum::new(m, n).unwrap());
    assert_eq!(new.version(), Some(2));
    let share_names: Vec<Thumbprint> = new.shares().iter().map(|s| s.thumbprint).collect();
    let want_names: Vec<Thumbprint> = new_range.clone().map(thumbprint).collect();
    assert_eq!(share_names, want_names);

    // Every M-subset of the new keys recovers one master key (not the old) and every item.
    let keys: Vec<Remembering> = new_range.clone().map(Remembering::new).collect();
    let mut master: Option<[u8; 32]> = None;
    let all = subsets(n, m);
    assert_eq!(all.len() as u128, binomial(n, m));
    for subset in &all {
        let chosen: Vec<(&dyn OaepDecryptKey, Thumbprint)> = subset
            .iter()
            .map(|&i| (&keys[i] as &dyn OaepDecryptKey, thumbprint(OLD + i)))
            .collect();
        let rec = recover_with(&new, &chosen);
        assert!(rec.off_polynomial.is_empty(), "subset {subset:?}");
        assert_eq!(plaintexts(&rec), items, "subset {subset:?}");
        let k = *rec.master_key().expose();
        assert_eq!(*master.get_or_insert(k), k, "subset {subset:?}");
        assert!(!rec.master_key().ct_eq(old_rec.master_key()));
    }

    // M - 1 of them are not a quorum.
    let short: Vec<HolderKey<'_>> = (0..m - 1)
        .map(|i| HolderKey {
            key: &keys[i],
            certificate: Some(thumbprint(OLD + i)),
        })
        .collect();
    assert_eq!(
        recover::run(&new, &short).recovery.unwrap_err(),
        RecoverError::NotEnoughShares {
            have: m - 1,
            need: m
        }
    );

    // The old keys open nothing in the new SD; the new keys nothing in the old.
    let old_keys: Vec<Remembering> = (0..OLD).map(Remembering::new).collect();
    let old_dyn: Vec<&dyn OaepDecryptKey> =
        old_keys.iter().map(|k| k as &dyn OaepDecryptKey).collect();
    assert_opens_nothing(&new, &old_dyn);
    let new_dyn: Vec<&dyn OaepDecryptKey> = keys.iter().map(|k| k as &dyn OaepDecryptKey).collect();
    assert_opens_nothing(&old, &new_dyn);
}

#[test]
fn every_new_quorum_opens_the_old_items_and_no_old_key_opens_anything() {
    const CASES: u32 = 16;
    let ran = Cell::new(0u32);
    TestRunner::new(Config {
        cases: CASES,
        failure_persistence: None,
        ..Config::default()
    })
    .run(&case(), |(n, m, items, seed)| {
        check_reshare(n, m, &items, seed);
        ran.set(ran.get() + 1);
        Ok(())
    })
    .unwrap();
    assert_eq!(ran.get(), CASES);
}

#[test]
fn the_largest_and_smallest_azure_quorums() {
    // The corners the random cases may miss: 2 of 10, 10 of 10, 2 of 3, 3 of 3, and the
    // most subsets (5 of 10: 252).
    let items = vec![
        ("hsm_backup".to_owned(), vec![0xA5; 1500]),
        ("empty".to_owned(), Vec::new()),
    ];
    for (i, (n, m)) in [(10, 2), (10, 10), (3, 2), (3, 3), (10, 5)]
        .into_iter()
        .enumerate()
    {
        check_reshare(n, m, &items, i as u64);
    }
}

// ---------------------------------------------------------------------------------------------
// The real SD.

const SD2023: &str = "sd-2023-11-07_15e0e830.json";
const SD2020: &str = "sd-2020-09-15_df516d79.json";

fn parse(bytes: &[u8]) -> SecurityDomain {
    SecurityDomain::parse(bytes).unwrap()
}

/// Recovers a real SD with its custodians sd1 and sd2.
fn recover_real(sd: &SecurityDomain) -> Recovery {
    let (k1, k2) = (key(1), key(2));
    let hk = [
        HolderKey {
            key: &k1,
            certificate: None,
        },
        HolderKey {
            key: &k2,
            certificate: None,
        },
    ];
    recover::run(sd, &hk).recovery.unwrap()
}

/// The real 2023 SD's JSON after `edit`.
fn edited_real(edit: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut v: Value = serde_json::from_slice(&azure_sd(SD2023)).unwrap();
    edit(&mut v);
    serde_json::to_vec(&v).unwrap()
}

/// Why resharing `old` (recovered as `rec`) to [`four_new`] was refused. (Without the
/// `Reshared`, whose debug form is a whole SD, in the message if it was not.)
fn refusal(old: &SecurityDomain, rec: &Recovery) -> ReshareError {
    reshare::reshare(old, rec, &four_new(), &mut SysRng)
        .map(|r| r.proof)
        .unwrap_err()
}

/// A 3-of-4 custody of pool keys 3..7.
fn four_new() -> NewCustody {
    NewCustody::new(recipients(3..7), 3, Limits::Azure).unwrap()
}

#[test]
fn real_sd_keeps_version_kdf_tags_order_and_plaintexts_under_a_new_master_key() {
    let old = parse(&azure_sd(SD2023));
    let old_rec = recover_real(&old);
    let reshared = reshare::reshare(&old, &old_rec, &four_new(), &mut SysRng).unwrap();
    let json = &reshared.json;
    assert!(json.starts_with("{\"EncData\":{\"data\":[{\"compact_jwe\":\""));
    assert!(json.contains("],\"kdf\":\"sp108_kdf\"},\"SharedKeys\":{\"enc_shares\":["));
    assert!(json.ends_with(",\"key_algorithm\":\"shamir_share\",\"required\":3},\"version\":2}"));
    let new = parse(json.as_bytes());
    assert_eq!(new.version(), old.version());
    assert!(new.findings().is_empty(), "{:?}", new.findings());
    let tags = |sd: &SecurityDomain| sd.items().iter().map(|i| i.tag.clone()).collect::<Vec<_>>();
    assert_eq!(
        tags(&new),
        [
            "hsm_backup",
            "base_enclave_backup",
            "partition_enclave_backup"
        ]
    );
    assert_eq!(tags(&new), tags(&old));
    assert_eq!(reshared.proof.subsets_recombined, 4);

    // Pool keys 3, 5 and 6 (with certificates) recover the same plaintexts under another key.
    let keys: Vec<(&dyn OaepDecryptKey, Thumbprint)> = [3, 5, 6]
        .iter()
        .map(|&i| (&pool()[i] as &dyn OaepDecryptKey, thumbprint(i)))
        .collect();
    let new_rec = recover_with(&new, &keys);
    assert_eq!(plaintexts(&new_rec), plaintexts(&old_rec));
    assert!(!new_rec.master_key().ct_eq(old_rec.master_key()));
    for ((tag, c), (t, p)) in reshared.proof.items.iter().zip(plaintexts(&old_rec)) {
        assert_eq!(*tag, t);
        assert_eq!(c.digest, ContentDigest::of(&t, &p));
        assert_eq!(c.len, p.len());
    }

    // sd1, sd2 and sd3 open nothing in it.
    let (k1, k2, k3) = (key(1), key(2), key(3));
    assert_opens_nothing(&new, &[&k1, &k2, &k3]);
}

#[test]
fn a_missing_version_and_kdf_stay_missing() {
    let bytes = edited_real(|v| {
        v.as_object_mut().unwrap().remove("version");
        v["EncData"].as_object_mut().unwrap().remove("kdf");
    });
    let old = parse(&bytes);
    assert_eq!(old.version(), None);
    reshare::check_version(&old).unwrap();
    let reshared = reshare::reshare(&old, &recover_real(&old), &four_new(), &mut SysRng).unwrap();
    assert!(!reshared.json.contains("\"kdf\""), "{}", reshared.json);
    assert!(!reshared.json.contains("\"version\""));
    assert_eq!(parse(reshared.json.as_bytes()).version(), None);
}

#[test]
fn an_unknown_version_is_refused() {
    let old = parse(&edited_real(|v| v["version"] = Value::from(3)));
    assert_eq!(old.version(), Some(3));
    assert_eq!(
        reshare::check_version(&old).unwrap_err(),
        ReshareError::UnknownVersion(3)
    );
    // The shares are the real file's, so the old quorum recovers it; reshare still refuses.
    let rec = recover_real(&old);
    assert_eq!(refusal(&old, &rec), ReshareError::UnknownVersion(3));
    assert!(
        ReshareError::UnknownVersion(3)
            .to_string()
            .contains("version is 3; sdkit reshares only version 2")
    );
}

#[test]
fn an_item_that_does_not_authenticate_is_refused() {
    // Alter one base64url character of base_enclave_backup's ciphertext: the other items
    // vouch for the master key, this one fails its tag.
    let bytes = edited_real(|v| {
        let jwe = v["EncData"]["data"][1]["compact_jwe"].as_str().unwrap();
        let mut parts: Vec<String> = jwe.split('.').map(str::to_owned).collect();
        let c = parts[3].remove(10);
        parts[3].insert(10, if c == 'A' { 'B' } else { 'A' });
        v["EncData"]["data"][1]["compact_jwe"] = Value::from(parts.join("."));
    });
    let old = parse(&bytes);
    let rec = recover_real(&old);
    assert!(rec.items[0].plaintext.is_ok() && rec.items[1].plaintext.is_err());
    let err = refusal(&old, &rec);
    assert_eq!(
        err,
        ReshareError::ItemNotAuthentic {
            tag: "base_enclave_backup".into()
        }
    );
    assert!(err.to_string().contains("\"base_enclave_backup\""));
}

#[test]
fn a_recovery_of_another_sd_is_refused() {
    let sd2023 = parse(&azure_sd(SD2023));
    // Another item list: a split SD with one item "a".
    let a = Tag::new("a").unwrap();
    let other = build_security_domain(
        &[(&a, b"x")],
        &recipients(0..3),
        Quorum::new(2, 3).unwrap(),
        &mut SysRng,
    )
    .unwrap();
    let other_rec = recover_with(
        &other,
        &[(&pool()[0], thumbprint(0)), (&pool()[1], thumbprint(1))],
    );
    assert_eq!(refusal(&sd2023, &other_rec), ReshareError::RecoveryMismatch);
    // The 2020 SD has the same three tags in the same order, and other contents under
    // another master key: its recovery is not the 2023 file's either.
    let rec2020 = recover_real(&parse(&azure_sd(SD2020)));
    assert_eq!(refusal(&sd2023, &rec2020), ReshareError::RecoveryMismatch);
}

// ---------------------------------------------------------------------------------------------
// Custody: the quorums and recipients NewCustody takes under each limit.

/// `NewCustody::new` of `n` distinct recipients (pool keys, then stand-ins beyond the pool),
/// reduced to its error.
fn custody(n: usize, m: usize, limits: Limits) -> Result<(), CustodyError> {
    let r: Vec<Recipient> = (0..n)
        .map(|i| Recipient {
            key: pool()[i % POOL].to_public_key(),
            thumbprint: thumbprint(i),
        })
        .collect();
    NewCustody::new(r, m, limits).map(|c| {
        assert_eq!(c.quorum(), Quorum::new(m, n).unwrap());
        assert_eq!(c.recipients().len(), n);
    })
}

#[test]
fn custody_limits_azure_and_format() {
    let outside = |required, total| Err(CustodyError::OutsideAzureLimits { required, total });
    let quorum = |e| Err(CustodyError::Quorum(e));
    // (N, M, under Limits::Azure, under Limits::Format)
    let cases = [
        (3, 2, Ok(()), Ok(())),
        (10, 10, Ok(()), Ok(())),
        (10, 2, Ok(()), Ok(())),
        (2, 2, outside(2, 2), Ok(())),
        (11, 2, outside(2, 11), Ok(())),
        (11, 11, outside(11, 11), Ok(())),
        (
            3,
            1,
            quorum(QuorumError::RequiredTooSmall { required: 1 }),
            quorum(QuorumError::RequiredTooSmall { required: 1 }),
        ),
        (
            4,
            5,
            quorum(QuorumError::RequiredExceedsTotal {
                required: 5,
                total: 4,
            }),
            quorum(QuorumError::RequiredExceedsTotal {
                required: 5,
                total: 4,
            }),
        ),
        (
            128,
            2,
            quorum(QuorumError::TooManyShares { total: 128 }),
            quorum(QuorumError::TooManyShares { total: 128 }),
        ),
    ];
    for (n, m, azure, format) in cases {
        assert_eq!(custody(n, m, Limits::Azure), azure, "{m} of {n}, Azure");
        assert_eq!(custody(n, m, Limits::Format), format, "{m} of {n}, format");
    }
    assert!(
        CustodyError::OutsideAzureLimits {
            required: 2,
            total: 11
        }
        .to_string()
        .contains("2 of 11 is outside what Azure Managed HSM accepts")
    );
}

#[test]
fn a_recipient_given_twice_is_refused() {
    let twice = vec![recipient(3), recipient(4), recipient(3)];
    for limits in [Limits::Azure, Limits::Format] {
        assert_eq!(
            NewCustody::new(twice.clone(), 2, limits).unwrap_err(),
            CustodyError::Recipient(BuildError::DuplicateRecipient {
                first: 0,
                second: 2
            })
        );
    }
}

#[test]
fn a_1024_bit_recipient_is_refused() {
    let small = rsa::PrivateKey::new(&mut SysRng, 1024).unwrap();
    let r = vec![
        recipient(3),
        Recipient {
            key: small.to_public_key(),
            thumbprint: thumbprint(99),
        },
        recipient(4),
    ];
    for limits in [Limits::Azure, Limits::Format] {
        let err = NewCustody::new(r.clone(), 2, limits).unwrap_err();
        assert_eq!(
            err,
            CustodyError::Recipient(BuildError::RecipientKeyTooSmall {
                index: 1,
                bits: 1024
            })
        );
        assert!(
            err.to_string()
                .contains("certificate 2 has an RSA-1024 key")
        );
    }
}
