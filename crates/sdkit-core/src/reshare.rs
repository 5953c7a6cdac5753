//! Moving a security domain to new custodians offline (`sdkit reshare`).
//!
//! What a new HSM receives on restore is the items, re-encrypted for it, and nothing of the
//! SD's share set. So an SD whose items have the same tags and plaintexts, under a fresh
//! master key split to other certificates, restores the same HSM. The old quorum opens the
//! old file ([`crate::recover::run`]); [`reshare`] draws a fresh master key, re-encrypts
//! every item under it, splits it to the new certificates, and proves the result in memory
//! before the caller writes a byte: the file parses back to itself, every `M`-subset of the
//! new shares gives the new key, and every item decrypts to the old plaintext.
//!
//! What cannot be proven here is that each new custodian's *private* key opens their share
//! (only they hold it): `sdkit check` with their key, then a drill by the new quorum, does
//! that (docs/CEREMONY.md, "Rotating custodians").

use crate::assemble::{self, BuildError, Recipient};
use crate::content::ContentDigest;
use crate::domain::{FORMAT_VERSION, SecurityDomain};
use crate::drill::ItemContent;
use crate::kdf::derive_item_key;
use crate::recover::{MAX_SUBSETS_TRIED, Recovery, binomial, combine};
use crate::secret::MasterKey;
use crate::shamir::{Quorum, QuorumError, Share, ShareSet};
use crate::share;
use core::fmt;
use rsa::traits::PublicKeyParts;

/// Which quorums a new custody may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limits {
    /// What Azure Managed HSM accepts: 3 to 10 certificates, M from 2 to 10.
    Azure,
    /// Anything the format can express (2 to 127 shares): for SDs that are not for Azure.
    Format,
}

/// The new custodians and quorum, checked once: distinct RSA keys of at least 2048 bits, a
/// quorum the format can express and, unless asked otherwise, one Azure accepts.
#[derive(Debug, Clone)]
pub struct NewCustody {
    recipients: Vec<Recipient>,
    quorum: Quorum,
}

/// Why a new custody was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CustodyError {
    /// M and N do not form a quorum (M < 2, M > N, N > 127).
    Quorum(QuorumError),
    /// A quorum Azure Managed HSM would not accept (N outside 3..=10 or M outside 2..=10).
    OutsideAzureLimits {
        /// M.
        required: usize,
        /// N.
        total: usize,
    },
    /// A certificate given twice, or a key under 2048 bits.
    Recipient(BuildError),
}

impl fmt::Display for CustodyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CustodyError::Quorum(e) => e.fmt(f),
            CustodyError::OutsideAzureLimits { required, total } => write!(
                f,
                "a quorum of {required} of {total} is outside what Azure Managed HSM accepts (3 to 10 certificates, a quorum of 2 to 10)"
            ),
            CustodyError::Recipient(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for CustodyError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CustodyError::Quorum(e) => Some(e),
            CustodyError::Recipient(e) => Some(e),
            CustodyError::OutsideAzureLimits { .. } => None,
        }
    }
}

impl NewCustody {
    /// Checks `required` of `recipients` as a new custody under `limits`.
    ///
    /// # Errors
    /// [`CustodyError`] for a quorum outside the format or (with [`Limits::Azure`]) outside
    /// Azure's limits, a repeated certificate, or a key under 2048 bits.
    pub fn new(
        recipients: Vec<Recipient>,
        required: usize,
        limits: Limits,
    ) -> Result<NewCustody, CustodyError> {
        let quorum = Quorum::new(required, recipients.len()).map_err(CustodyError::Quorum)?;
        if limits == Limits::Azure && !quorum.within_managed_hsm_limits() {
            return Err(CustodyError::OutsideAzureLimits {
                required,
                total: recipients.len(),
            });
        }
        assemble::check_recipients(&recipients, quorum).map_err(CustodyError::Recipient)?;
        Ok(NewCustody { recipients, quorum })
    }

    /// The quorum.
    pub fn quorum(&self) -> Quorum {
        self.quorum
    }

    /// The recipients, in share order (share `i + 1` goes to recipient `i`).
    pub fn recipients(&self) -> &[Recipient] {
        &self.recipients
    }
}

/// Why an SD could not be reshared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReshareError {
    /// The old SD's `version` is one sdkit does not know; its items might mean something else.
    UnknownVersion(u64),
    /// An item of the old SD did not authenticate under the recovered key: resharing would
    /// drop or corrupt it.
    ItemNotAuthentic {
        /// Its tag (from the file: untrusted text).
        tag: String,
    },
    /// The recovery handed in is not the old SD's: another item list, or a master key that
    /// does not open the old items to the recovered plaintexts (another SD with the same tags,
    /// as every Azure SD has).
    RecoveryMismatch,
    /// The random generator or an RSA operation failed.
    Build(BuildError),
    /// The new file failed its own proof. This is a bug or failing hardware, never the
    /// user's input: nothing is written.
    ProofFailed(ProofFailure),
}

/// Which part of the in-memory proof of a new SD failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProofFailure {
    /// The serialized file does not parse back to the same bytes.
    FileDoesNotRoundTrip,
    /// Share `index` is not for the right certificate, x, or does not decode.
    Share {
        /// 0-based share index.
        index: usize,
    },
    /// A subset of the new shares (x coordinates) does not give the new master key.
    Subset {
        /// The subset's x coordinates.
        x: Vec<u8>,
    },
    /// An item does not decrypt to the old plaintext (or is missing, or out of order).
    Item {
        /// Its tag.
        tag: String,
    },
    /// The new master key equals the old one: the random generator is broken.
    MasterKeyNotFresh,
}

impl fmt::Display for ReshareError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReshareError::UnknownVersion(v) => write!(
                f,
                "the security domain's version is {v}; sdkit reshares only version {FORMAT_VERSION} (what Azure writes)"
            ),
            ReshareError::ItemNotAuthentic { tag } => write!(
                f,
                "item {tag:?} does not authenticate under the recovered master key, so it cannot be carried over"
            ),
            ReshareError::RecoveryMismatch => {
                f.write_str("the recovered items are not this security domain's")
            }
            ReshareError::Build(e) => e.fmt(f),
            ReshareError::ProofFailed(p) => write!(
                f,
                "the new security domain failed its own check ({}); nothing was written. This is a bug or failing hardware: please report it",
                match p {
                    ProofFailure::FileDoesNotRoundTrip =>
                        "the file does not parse back to itself".to_owned(),
                    ProofFailure::Share { index } => format!("share {}", index + 1),
                    ProofFailure::Subset { x } => format!("the shares x = {x:?}"),
                    ProofFailure::Item { tag } => format!("item {tag:?}"),
                    ProofFailure::MasterKeyNotFresh => "the master key is not fresh".to_owned(),
                }
            ),
        }
    }
}

impl std::error::Error for ReshareError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ReshareError::Build(e) => Some(e),
            _ => None,
        }
    }
}

/// What the in-memory proof of a new SD checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReshareProof {
    /// How many `M`-subsets of the new shares were recombined and found to give the new key.
    pub subsets_recombined: usize,
    /// True when there were too many subsets to recombine each (over
    /// [`MAX_SUBSETS_TRIED`]): every share was then checked to lie on the polynomial through
    /// the first `M`, which proves the same (any `M` points of a degree `M - 1` polynomial
    /// determine it).
    pub by_polynomial: bool,
    /// Each item's tag, length and content digest, in file order: equal in the old and new SD.
    pub items: Vec<(String, ItemContent)>,
}

/// A new SD for the new custody, proven.
#[derive(Debug)]
pub struct Reshared {
    /// The new SD.
    pub sd: SecurityDomain,
    /// Its file, exactly as it must be written (compact JSON, Azure's layout).
    pub json: String,
    /// What was proven about it.
    pub proof: ReshareProof,
}

/// Re-encrypts `old`'s items (recovered as `recovery` by the old quorum) under a fresh master
/// key split to `custody`, keeping the tags, their order, the plaintexts, and the file's
/// `version` and `kdf` fields, then proves the result (see the module doc).
///
/// # Errors
/// [`ReshareError`] for an unknown version, an item that did not authenticate, a recovery of
/// another SD, a failing RNG or RSA operation, or a failed proof.
pub fn reshare<R: rand_core::TryCryptoRng + ?Sized>(
    old: &SecurityDomain,
    recovery: &Recovery,
    custody: &NewCustody,
    rng: &mut R,
) -> Result<Reshared, ReshareError> {
    check_version(old)?;
    if recovery.items.len() != old.items().len()
        || recovery
            .items
            .iter()
            .zip(old.items())
            .any(|(r, o)| r.tag != o.tag)
    {
        return Err(ReshareError::RecoveryMismatch);
    }
    let mut items: Vec<(&str, &[u8])> = Vec::with_capacity(recovery.items.len());
    for it in &recovery.items {
        match &it.plaintext {
            Ok(p) => items.push((it.tag.as_str(), p.expose())),
            Err(_) => {
                return Err(ReshareError::ItemNotAuthentic {
                    tag: it.tag.clone(),
                });
            }
        }
    }
    // Equal tags do not make it this SD's recovery (every Azure SD has the same three): its
    // master key must open each old item to the plaintext carried over.
    for ((tag, plaintext), o) in items.iter().zip(old.items()) {
        let opens = o
            .jwe
            .decrypt_dir(&derive_item_key(recovery.master_key(), tag))
            .is_ok_and(|p| bool::from(subtle::ConstantTimeEq::ct_eq(p.expose(), *plaintext)));
        if !opens {
            return Err(ReshareError::RecoveryMismatch);
        }
    }
    let assembled = assemble::assemble(&items, &custody.recipients, custody.quorum, rng)
        .map_err(ReshareError::Build)?;
    let sd = assembled.sd.with_layout_of(old);
    let json = sd.to_json();
    let proof = prove(
        &json,
        &items,
        custody,
        &assembled.master,
        &assembled.shares,
        recovery.master_key(),
    )
    .map_err(ReshareError::ProofFailed)?;
    Ok(Reshared { sd, json, proof })
}

/// Refuses an SD whose `version` sdkit does not know (a missing one is kept missing), so a
/// caller can refuse it before anyone is asked for a passphrase.
///
/// # Errors
/// [`ReshareError::UnknownVersion`].
pub fn check_version(old: &SecurityDomain) -> Result<(), ReshareError> {
    match old.version() {
        Some(v) if v != FORMAT_VERSION => Err(ReshareError::UnknownVersion(v)),
        _ => Ok(()),
    }
}

/// The in-memory proof of a new SD file (see [`ReshareProof`]).
fn prove(
    json: &str,
    items: &[(&str, &[u8])],
    custody: &NewCustody,
    master: &MasterKey,
    shares: &[Share],
    old_master: &MasterKey,
) -> Result<ReshareProof, ProofFailure> {
    if master.ct_eq(old_master) {
        return Err(ProofFailure::MasterKeyNotFresh);
    }
    // The file as written, read back as any reader will.
    let parsed = SecurityDomain::parse(json.as_bytes())
        .ok()
        .filter(|sd| sd.to_json() == json && sd.quorum() == custody.quorum)
        .ok_or(ProofFailure::FileDoesNotRoundTrip)?;

    // Each wrapped share is for its certificate, numbered as the HSM numbers custodians.
    if parsed.shares().len() != shares.len() || shares.len() != custody.recipients.len() {
        return Err(ProofFailure::FileDoesNotRoundTrip);
    }
    for (index, ((enc, share), r)) in parsed
        .shares()
        .iter()
        .zip(shares)
        .zip(&custody.recipients)
        .enumerate()
    {
        let decodes = share::decode(&share::encode(share))
            .is_ok_and(|d| d.x() == share.x() && d.values() == share.values());
        if enc.thumbprint != r.thumbprint
            || usize::from(share.x()) != index + 1
            || enc.jwe.encrypted_key().len() != r.key.size()
            || !decodes
        {
            return Err(ProofFailure::Share { index });
        }
    }

    // Every M-subset gives the new master key, or (too many to try) every share is on the
    // polynomial through the first M, which gives the key.
    let need = custody.quorum.required();
    let gives_master = |chosen: Vec<Share>| {
        ShareSet::new(chosen)
            .ok()
            .and_then(|set| set.combine(need).ok())
            .and_then(|secret| MasterKey::from_slice(&secret))
            .is_some_and(|k| k.ct_eq(master))
    };
    let by_polynomial = binomial(shares.len(), need) > MAX_SUBSETS_TRIED as u128;
    let mut subsets_recombined = 0;
    if by_polynomial {
        let all = ShareSet::new(shares.to_vec()).map_err(|_| ProofFailure::Subset {
            x: shares.iter().map(Share::x).collect(),
        })?;
        if !gives_master(shares[..need].to_vec()) || !all.off_polynomial(need).is_empty() {
            return Err(ProofFailure::Subset {
                x: all.off_polynomial(need),
            });
        }
        subsets_recombined = 1;
    } else {
        for subset in combine::subsets(shares.len(), need) {
            let chosen: Vec<Share> = subset.iter().map(|&i| shares[i].clone()).collect();
            if !gives_master(chosen) {
                return Err(ProofFailure::Subset {
                    x: subset.iter().map(|&i| shares[i].x()).collect(),
                });
            }
            subsets_recombined += 1;
        }
    }

    // Every item of the file, in order, decrypts under the new key to the old plaintext.
    if parsed.items().len() != items.len() {
        return Err(ProofFailure::FileDoesNotRoundTrip);
    }
    let mut digests = Vec::with_capacity(items.len());
    for (item, (tag, old)) in parsed.items().iter().zip(items) {
        let same = item.tag == *tag
            && item
                .jwe
                .decrypt_dir(&derive_item_key(master, tag))
                .is_ok_and(|p| bool::from(subtle::ConstantTimeEq::ct_eq(p.expose(), *old)));
        if !same {
            return Err(ProofFailure::Item {
                tag: (*tag).to_owned(),
            });
        }
        digests.push((
            (*tag).to_owned(),
            ItemContent {
                len: old.len(),
                digest: ContentDigest::of(tag, old),
            },
        ));
    }
    Ok(ReshareProof {
        subsets_recombined,
        by_polynomial,
        items: digests,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    //! Each way [`prove`] can fail, reached by handing it a file, shares or items that do not
    //! fit: `reshare` itself never should.

    use super::*;
    use crate::assemble::Assembled;
    use crate::oaep_key::sd1_test_key;
    use crate::thumbprint::Thumbprint;
    use getrandom::SysRng;
    use zeroize::Zeroizing;

    const ITEMS: [(&str, &[u8]); 2] = [("a", b"one"), ("b", b"")];

    /// `n` recipients: sd1's modulus with `n` different public exponents, under `n` stand-in
    /// thumbprints. The proof never decrypts a share, so distinct keys that nobody can use
    /// serve (two certificates for one key are refused, and RSA key generation is slow).
    fn recipients(n: usize) -> Vec<Recipient> {
        let modulus = sd1_test_key().to_public_key().n().as_ref().clone();
        (0..n)
            .map(|i| Recipient {
                key: rsa::PublicKey::new(
                    modulus.clone(),
                    rsa::BoxedUint::from(65_537u64 + 2 * i as u64),
                )
                .unwrap(),
                thumbprint: Thumbprint::of_certificate_der(&[i as u8]),
            })
            .collect()
    }

    /// `m` of `n`, assembled, with its file.
    fn assembled(m: usize, n: usize) -> (NewCustody, Assembled, String) {
        let custody = NewCustody::new(recipients(n), m, Limits::Format).unwrap();
        let a =
            assemble::assemble(&ITEMS, &custody.recipients, custody.quorum, &mut SysRng).unwrap();
        let json = a.sd.to_json();
        (custody, a, json)
    }

    fn other_master() -> MasterKey {
        MasterKey::random(&mut SysRng).unwrap()
    }

    /// `share` with one value changed (a well-formed share off the polynomial).
    fn corrupt(share: &Share) -> Share {
        let mut ys = Zeroizing::new(share.values().to_vec());
        ys[0] = (ys[0] + 1) % 257;
        Share::new(usize::from(share.x()), ys).unwrap()
    }

    #[test]
    fn a_sound_file_is_proven_subset_by_subset() {
        let (custody, a, json) = assembled(2, 3);
        let proof = prove(
            &json,
            &ITEMS,
            &custody,
            &a.master,
            &a.shares,
            &other_master(),
        )
        .unwrap();
        assert_eq!(proof.subsets_recombined, 3);
        assert!(!proof.by_polynomial);
        assert_eq!(proof.items.len(), 2);
        assert_eq!(proof.items[1].0, "b");
        assert_eq!(proof.items[1].1.len, 0);
        assert_eq!(proof.items[1].1.digest, ContentDigest::of("b", b""));
    }

    #[test]
    fn too_many_subsets_are_proven_by_the_polynomial() {
        // C(20, 10) = 184,756 subsets, over the cap.
        let (custody, a, json) = assembled(10, 20);
        let proof = prove(
            &json,
            &ITEMS,
            &custody,
            &a.master,
            &a.shares,
            &other_master(),
        )
        .unwrap();
        assert!(proof.by_polynomial);
        assert_eq!(proof.subsets_recombined, 1);
        // A share off the polynomial is named.
        let mut shares = a.shares.clone();
        shares[14] = corrupt(&shares[14]);
        assert_eq!(
            prove(&json, &ITEMS, &custody, &a.master, &shares, &other_master()).unwrap_err(),
            ProofFailure::Subset { x: vec![15] }
        );
    }

    #[test]
    fn a_master_key_equal_to_the_old_one_is_refused() {
        let (custody, a, json) = assembled(2, 3);
        assert_eq!(
            prove(&json, &ITEMS, &custody, &a.master, &a.shares, &a.master).unwrap_err(),
            ProofFailure::MasterKeyNotFresh
        );
    }

    #[test]
    fn a_file_that_does_not_read_back_is_refused() {
        let (custody, a, json) = assembled(2, 3);
        let check = |json: &str| {
            prove(
                json,
                &ITEMS,
                &custody,
                &a.master,
                &a.shares,
                &other_master(),
            )
            .unwrap_err()
        };
        // Not byte for byte, another quorum, not an SD, another number of items.
        assert_eq!(
            check(&format!("{json} ")),
            ProofFailure::FileDoesNotRoundTrip
        );
        assert_eq!(
            check(&json.replace("\"required\":2", "\"required\":3")),
            ProofFailure::FileDoesNotRoundTrip
        );
        assert_eq!(check("{}"), ProofFailure::FileDoesNotRoundTrip);
        assert_eq!(
            prove(
                &json,
                &ITEMS[..1],
                &custody,
                &a.master,
                &a.shares,
                &other_master()
            )
            .unwrap_err(),
            ProofFailure::FileDoesNotRoundTrip
        );
    }

    #[test]
    fn a_share_for_another_certificate_or_x_is_refused() {
        let (custody, a, json) = assembled(2, 3);
        // The certificates in another order: share 1 is not for the first one.
        let mut r = custody.recipients.clone();
        r.rotate_left(1);
        let rotated = NewCustody::new(r, 2, Limits::Format).unwrap();
        assert_eq!(
            prove(
                &json,
                &ITEMS,
                &rotated,
                &a.master,
                &a.shares,
                &other_master()
            )
            .unwrap_err(),
            ProofFailure::Share { index: 0 }
        );
        // The shares in another order: share 1 has x = 3.
        let mut shares = a.shares.clone();
        shares.reverse();
        assert_eq!(
            prove(&json, &ITEMS, &custody, &a.master, &shares, &other_master()).unwrap_err(),
            ProofFailure::Share { index: 0 }
        );
    }

    #[test]
    fn a_subset_that_gives_another_key_is_named() {
        let (custody, a, json) = assembled(2, 3);
        let mut shares = a.shares.clone();
        shares[2] = corrupt(&shares[2]);
        // {1, 2} is fine; {1, 3} is the first subset with the corrupt share.
        assert_eq!(
            prove(&json, &ITEMS, &custody, &a.master, &shares, &other_master()).unwrap_err(),
            ProofFailure::Subset { x: vec![1, 3] }
        );
        // Under another master key no subset agrees.
        assert_eq!(
            prove(
                &json,
                &ITEMS,
                &custody,
                &other_master(),
                &a.shares,
                &other_master()
            )
            .unwrap_err(),
            ProofFailure::Subset { x: vec![1, 2] }
        );
    }

    #[test]
    fn an_item_with_other_contents_or_tag_is_named() {
        let (custody, a, json) = assembled(2, 3);
        let check = |items: &[(&str, &[u8])]| {
            prove(
                &json,
                items,
                &custody,
                &a.master,
                &a.shares,
                &other_master(),
            )
            .unwrap_err()
        };
        assert_eq!(
            check(&[("a", b"one"), ("b", b"x")]),
            ProofFailure::Item { tag: "b".into() }
        );
        assert_eq!(
            check(&[("b", b""), ("a", b"one")]),
            ProofFailure::Item { tag: "b".into() }
        );
        let e = ReshareError::ProofFailed(ProofFailure::Item { tag: "b".into() }).to_string();
        assert!(e.contains("(item \"b\"); nothing was written"), "{e}");
    }
}
