//! From custodians' keys to the master key and every authenticated item.
//!
//! Two steps, so a caller can report on each holder before anything is combined:
//! 1. [`open_shares`]: each key finds its share. With the holder's certificate thumbprint
//!    the share is found directly (as `az` does); without one, the key is tried against every
//!    share, so a custodian does not need the `.cer` file beside the key. A key is tried
//!    against a share only when the share's wrapped key is as long as the key's modulus.
//!    [`ShareOpener`] does the same one key at a time, for callers that load keys in parallel
//!    and want each key's share opened as soon as that key is ready.
//! 2. [`combine`]: recombine the opened shares, authenticate the first item under the
//!    derived key, then decrypt and authenticate every item. If the first `M` shares do not
//!    authenticate (one is corrupt), other `M`-subsets are tried, so one bad share among
//!    more than `M` does not stop recovery, and it is named as off the polynomial.
//!    [`combine_after`] does the same, starting from the first `M` keys' shares if a
//!    [`ShareOpener`] already recombined them while the last keys were still unwrapping.

use crate::domain::SecurityDomain;
use crate::jwe::JweDecryptError;
use crate::kdf::derive_item_key;
use crate::oaep_key::OaepDecryptKey;
use crate::par;
use crate::secret::{MASTER_KEY_LEN, MasterKey, Plaintext};
use crate::shamir::{CombineError, Share, ShareSet, ShareSetError};
use crate::share::{self, ShareDecodeError};
use crate::thumbprint::Thumbprint;
use core::fmt;
use core::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

/// The most `M`-subsets tried when the first does not authenticate.
pub const MAX_SUBSETS_TRIED: usize = 10_000;

/// One custodian's key, and their certificate's thumbprint when it is at hand.
#[derive(Clone, Copy)]
pub struct HolderKey<'a> {
    /// The RSA private key, on whichever backend loaded it.
    pub key: &'a dyn OaepDecryptKey,
    /// SHA-256 thumbprint of the holder's certificate, if known.
    pub certificate: Option<Thumbprint>,
}

/// How the holder's certificate related to the SD.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertificateMatch {
    /// No certificate was given; shares were tried one by one.
    NotGiven,
    /// The certificate's thumbprint names a share, and the key opened it.
    Matched,
    /// The certificate's thumbprint is not in this SD.
    NotInDomain,
    /// The certificate names a share, but the key did not open it (the key does not belong to
    /// this certificate, or the share is damaged).
    KeyDidNotOpenItsShare,
}

/// What one key did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HolderStatus {
    /// Opened share `share_index` (0-based position in `enc_shares`), which has x = `x`.
    Opened {
        /// Position in `SharedKeys.enc_shares`.
        share_index: usize,
        /// The share's x coordinate.
        x: u8,
    },
    /// The share decrypted and authenticated but its payload is not a valid share.
    Malformed {
        /// Position in `SharedKeys.enc_shares`.
        share_index: usize,
        /// What is wrong with it.
        error: ShareDecodeError,
    },
    /// The key opened a share that an earlier key had already opened: the same key twice.
    Duplicate {
        /// Position in `SharedKeys.enc_shares`.
        share_index: usize,
        /// Index (in the caller's list) of the earlier key.
        first_holder: usize,
    },
    /// The key opened no share of this SD.
    NoShare,
}

/// One key's outcome.
#[derive(Debug, Clone)]
pub struct HolderOpening {
    /// What happened.
    pub status: HolderStatus,
    /// How its certificate related to the SD.
    pub certificate: CertificateMatch,
    share: Option<Share>,
}

impl HolderOpening {
    /// The decoded share when [`HolderStatus::Opened`].
    pub fn share(&self) -> Option<&Share> {
        self.share.as_ref()
    }
}

/// Tries `key` on share `index`: `Ok(payload)` when it decrypts and authenticates.
fn try_share(sd: &SecurityDomain, key: &dyn OaepDecryptKey, index: usize) -> Option<Plaintext> {
    let jwe = &sd.shares()[index].jwe;
    if jwe.encrypted_key().len() != key.modulus_len() {
        return None;
    }
    jwe.decrypt_rsa_oaep_256(key).ok()
}

/// What one key's search found, before duplicates are resolved.
struct Found {
    certificate: CertificateMatch,
    share: Option<(usize, Plaintext)>,
}

/// Finds the share `hk` opens: its certificate's share first; then the shares no other key
/// has claimed yet, then the claimed ones (only a duplicate key gets that far). Claiming
/// keeps a drill of N keys without certificates at about N RSA operations instead of N²/2.
fn find_share(sd: &SecurityDomain, hk: &HolderKey<'_>, claimed: &[AtomicBool]) -> Found {
    let by_cert = hk.certificate.map(|t| sd.share_for(&t));
    let mut certificate = match by_cert {
        None => CertificateMatch::NotGiven,
        Some(None) => CertificateMatch::NotInDomain,
        Some(Some(_)) => CertificateMatch::Matched,
    };
    let claim = |i: usize| {
        if let Some(c) = claimed.get(i) {
            c.store(true, Ordering::Relaxed);
        }
    };
    if let Some(Some(i)) = by_cert {
        match try_share(sd, hk.key, i) {
            Some(p) => {
                claim(i);
                return Found {
                    certificate,
                    share: Some((i, p)),
                };
            }
            None => certificate = CertificateMatch::KeyDidNotOpenItsShare,
        }
    }
    let skip = by_cert.flatten();
    let is_claimed = |i: usize| claimed.get(i).is_some_and(|c| c.load(Ordering::Relaxed));
    let mut order: Vec<usize> = (0..sd.shares().len())
        .filter(|&i| Some(i) != skip)
        .collect();
    // Stable sort: unclaimed shares first, each group in file order.
    order.sort_by_key(|&i| is_claimed(i));
    let share = order
        .into_iter()
        .find_map(|i| try_share(sd, hk.key, i).map(|p| (i, p)));
    if let Some((i, _)) = &share {
        claim(*i);
    }
    Found { certificate, share }
}

/// Opens shares one key at a time, from any thread, as keys become ready: a caller that
/// loads keys in parallel can start on a key's share as soon as that key is loaded, instead
/// of waiting for the slowest key ([`open_shares`] is the batch form).
///
/// [`ShareOpener::find`] for each key (in any order, on any threads), then
/// [`ShareOpener::finish`] with the results in the caller's key order. Shares found are
/// claimed, so a key without a certificate tries the unclaimed shares first and a drill of N
/// keys without certificates costs about N RSA operations instead of N²/2. The opener holds
/// only those claims, not the SD, so a caller can build it together with the SD it loads.
pub struct ShareOpener {
    claimed: Vec<AtomicBool>,
    /// With [`ShareOpener::recombining_early`]: the first `M` keys' shares, as they open.
    first_quorum: Vec<OnceLock<Option<(usize, Share)>>>,
    /// Set by the one thread that recombines early.
    early_started: AtomicBool,
    early: OnceLock<EarlyRecombination>,
}

/// What [`ShareOpener::find`] found for one key; hand it back to [`ShareOpener::finish`].
/// Holds the decrypted share (a secret) until then, so it has no `Debug`.
pub struct FoundShare(Found);

/// The master key and items recombined from the first `M` keys' shares while the other keys
/// were still at work, for [`combine_after`]. Holds secrets, so it has no `Debug`.
pub struct EarlyRecombination {
    /// The share each of the first `M` keys opened (positions in `enc_shares`).
    share_indices: Vec<usize>,
    outcome: Attempt,
}

impl ShareOpener {
    /// Starts opening the shares of `sd`; nothing is claimed yet.
    pub fn new(sd: &SecurityDomain) -> Self {
        ShareOpener {
            claimed: (0..sd.shares().len())
                .map(|_| AtomicBool::new(false))
                .collect(),
            first_quorum: Vec::new(),
            early_started: AtomicBool::new(false),
            early: OnceLock::new(),
        }
    }

    /// Also recombines early: as soon as the first `M` keys (in the caller's order) have each
    /// opened a share, the thread that opened the last of them recombines those shares and
    /// authenticates the items, while other threads still work on the remaining keys.
    ///
    /// In a drill of 3 keys on 2 cores one core unwraps two shares and the other sits idle
    /// for the second; the recombination moves into that idle time instead of following the
    /// last unwrap. Pass the result of [`ShareOpener::finish_early`] to [`combine_after`].
    #[must_use]
    pub fn recombining_early(mut self, sd: &SecurityDomain) -> Self {
        self.first_quorum = (0..sd.quorum().required())
            .map(|_| OnceLock::new())
            .collect();
        self
    }

    /// Finds the share `key` opens in `sd`, the SD this opener was made for (one RSA
    /// operation when its certificate names a share). Claims only order the shares a key
    /// tries; every share is still tried, so they never change what is found. `key_index` is
    /// the key's position in the order the results will be given to [`ShareOpener::finish`].
    pub fn find(&self, sd: &SecurityDomain, key_index: usize, key: &HolderKey<'_>) -> FoundShare {
        let found = find_share(sd, key, &self.claimed);
        if let Some(slot) = self.first_quorum.get(key_index) {
            let share = found
                .share
                .as_ref()
                .and_then(|(i, payload)| share::decode(payload.expose()).ok().map(|s| (*i, s)));
            let _ = slot.set(share);
            // Two threads filling the last two slots at once must not both miss the other's
            // share (each storing, then loading the other slot): a full fence orders them.
            core::sync::atomic::fence(Ordering::SeqCst);
            self.recombine_if_ready(sd);
        }
        FoundShare(found)
    }

    /// Recombines the first `M` keys' shares once all of them are in, each a distinct share.
    fn recombine_if_ready(&self, sd: &SecurityDomain) {
        let mut first = Vec::with_capacity(self.first_quorum.len());
        for slot in &self.first_quorum {
            match slot.get() {
                Some(Some(found)) => first.push(found),
                // Not in yet, or this key opened nothing usable: combine works it out.
                _ => return,
            }
        }
        if self.early_started.swap(true, Ordering::AcqRel) {
            return;
        }
        let share_indices: Vec<usize> = first.iter().map(|(i, _)| *i).collect();
        // Shares that cannot form a set (a repeated x) leave it all to `combine`, which also
        // checks the secret's length and that there are items before it uses this.
        let Ok(set) = ShareSet::new(first.iter().map(|(_, s)| s.clone()).collect()) else {
            return;
        };
        let outcome = attempt(sd, &set, set.len());
        let _ = self.early.set(EarlyRecombination {
            share_indices,
            outcome,
        });
    }

    /// Decodes each found share and names duplicates: `found[i]` must be key `i`'s result.
    /// A key that opened the same share as an earlier key (in this order) is its duplicate.
    pub fn finish(self, found: Vec<FoundShare>) -> Vec<HolderOpening> {
        self.finish_early(found).0
    }

    /// [`ShareOpener::finish`], with the early recombination if one was made.
    pub fn finish_early(
        self,
        found: Vec<FoundShare>,
    ) -> (Vec<HolderOpening>, Option<EarlyRecombination>) {
        let openings = decode_all(found.into_iter().map(|FoundShare(f)| f));
        (openings, self.early.into_inner())
    }
}

/// Finds and decodes each key's share. Never fails as a whole: every key gets a status.
/// Each key is tried against a share at most once, and keys are searched in parallel; keys
/// with a certificate go first, so their shares are claimed before trial decryption starts.
pub fn open_shares(sd: &SecurityDomain, keys: &[HolderKey<'_>]) -> Vec<HolderOpening> {
    let opener = ShareOpener::new(sd);
    let mut queue: Vec<usize> = (0..keys.len()).collect();
    queue.sort_by_key(|&i| keys[i].certificate.is_none());
    let found = par::map(&queue, |&i| opener.find(sd, i, &keys[i]));
    let mut by_key: Vec<(usize, FoundShare)> = queue.into_iter().zip(found).collect();
    by_key.sort_by_key(|(i, _)| *i);
    opener.finish(by_key.into_iter().map(|(_, f)| f).collect())
}

/// Turns each key's search result (in key order) into its status and decoded share.
fn decode_all(found: impl Iterator<Item = Found>) -> Vec<HolderOpening> {
    let mut out: Vec<HolderOpening> = Vec::new();
    for found in found {
        let (status, share) = match found.share {
            None => (HolderStatus::NoShare, None),
            Some((share_index, payload)) => {
                let earlier = out.iter().position(|o| match o.status {
                    HolderStatus::Opened { share_index: s, .. }
                    | HolderStatus::Malformed { share_index: s, .. }
                    | HolderStatus::Duplicate { share_index: s, .. } => s == share_index,
                    HolderStatus::NoShare => false,
                });
                match (earlier, share::decode(payload.expose())) {
                    (Some(first_holder), _) => (
                        HolderStatus::Duplicate {
                            share_index,
                            first_holder,
                        },
                        None,
                    ),
                    (None, Ok(s)) => (
                        HolderStatus::Opened {
                            share_index,
                            x: s.x(),
                        },
                        Some(s),
                    ),
                    (None, Err(error)) => (HolderStatus::Malformed { share_index, error }, None),
                }
            }
        };
        out.push(HolderOpening {
            status,
            certificate: found.certificate,
            share,
        });
    }
    out
}

/// One data item after recovery.
#[derive(Debug)]
pub struct RecoveredItem {
    /// The item's tag.
    pub tag: String,
    /// Its plaintext, or why it did not authenticate.
    pub plaintext: Result<Plaintext, JweDecryptError>,
}

/// The result of a successful recombination.
#[derive(Debug)]
pub struct Recovery {
    master: MasterKey,
    /// x of the shares the master key was interpolated from.
    pub basis: Vec<u8>,
    /// x of opened shares that do not lie on the basis polynomial (corrupt or foreign).
    pub off_polynomial: Vec<u8>,
    /// Every item, in SD order.
    pub items: Vec<RecoveredItem>,
}

impl Recovery {
    /// The recovered master key (secret).
    pub fn master_key(&self) -> &MasterKey {
        &self.master
    }

    /// True when every item authenticated.
    pub fn all_items_authentic(&self) -> bool {
        self.items.iter().all(|i| i.plaintext.is_ok())
    }
}

/// Why recombination failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecoverError {
    /// Fewer usable shares than the quorum.
    NotEnoughShares {
        /// Usable shares.
        have: usize,
        /// `required`.
        need: usize,
    },
    /// Opened shares cannot be combined (repeated x, unequal lengths).
    IncompatibleShares(ShareSetError),
    /// The recombined secret is not a 32-byte master key.
    WrongSecretLength {
        /// Its length.
        len: usize,
    },
    /// No quorum of the opened shares gives a key that authenticates the first item.
    NoAuthenticatingQuorum {
        /// How many `M`-subsets were tried.
        tried: usize,
    },
}

impl fmt::Display for RecoverError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecoverError::NotEnoughShares { have, need } => write!(
                f,
                "only {have} usable share(s) but this security domain needs {need}: give at least {need} custodians' keys that open distinct shares"
            ),
            RecoverError::IncompatibleShares(e) => {
                write!(f, "the opened shares cannot be combined: {e}")
            }
            RecoverError::WrongSecretLength { len } => {
                write!(
                    f,
                    "the shares hold a {len}-byte secret, not a {MASTER_KEY_LEN}-byte master key"
                )
            }
            RecoverError::NoAuthenticatingQuorum { tried } => write!(
                f,
                "no quorum of the opened shares ({tried} combination(s) tried) gives a master key that authenticates the data: shares are corrupt or belong to another security domain"
            ),
        }
    }
}

impl std::error::Error for RecoverError {}

/// `M`-subsets of `0..n` in lexicographic order, the identity subset first.
fn subsets(n: usize, m: usize) -> impl Iterator<Item = Vec<usize>> {
    let mut next = (m <= n).then(|| (0..m).collect::<Vec<_>>());
    core::iter::from_fn(move || {
        let current = next.take()?;
        let mut c = current.clone();
        let mut i = m;
        while i > 0 {
            i -= 1;
            if c[i] < n - m + i {
                c[i] += 1;
                for j in i + 1..m {
                    c[j] = c[j - 1] + 1;
                }
                next = Some(c);
                break;
            }
        }
        Some(current)
    })
}

/// Recombines opened shares and authenticates every item.
///
/// # Errors
/// [`RecoverError`] when no authenticated master key can be formed.
pub fn combine(sd: &SecurityDomain, openings: &[HolderOpening]) -> Result<Recovery, RecoverError> {
    combine_after(sd, openings, None)
}

/// [`combine`], reusing the recombination a [`ShareOpener`] made early (see
/// [`ShareOpener::recombining_early`]) when it holds the same shares as the first subset
/// [`combine`] would try; then only the consistency of the other shares is left to check.
/// The result is the same as [`combine`]'s in every case.
///
/// # Errors
/// [`RecoverError`] when no authenticated master key can be formed.
pub fn combine_after(
    sd: &SecurityDomain,
    openings: &[HolderOpening],
    early: Option<EarlyRecombination>,
) -> Result<Recovery, RecoverError> {
    let need = sd.quorum().required();
    let shares: Vec<Share> = openings.iter().filter_map(|o| o.share.clone()).collect();
    if shares.len() < need {
        return Err(RecoverError::NotEnoughShares {
            have: shares.len(),
            need,
        });
    }
    let all = ShareSet::new(shares).map_err(RecoverError::IncompatibleShares)?;
    if all.secret_len() != MASTER_KEY_LEN {
        return Err(RecoverError::WrongSecretLength {
            len: all.secret_len(),
        });
    }
    if sd.items().is_empty() {
        // parse and from_parts refuse an SD without items; nothing could vouch for a key.
        return Err(RecoverError::NoAuthenticatingQuorum { tried: 0 });
    }
    // The early recombination stands for the first subset when it was made from exactly the
    // shares that subset holds: the first `M` keys each opened the share it recorded.
    let mut early = early.filter(|e| {
        e.share_indices.len() == need
            && openings.len() >= need
            && openings.iter().zip(&e.share_indices).all(|(o, &i)| {
                matches!(o.status, HolderStatus::Opened { share_index, .. } if share_index == i)
            })
    });
    let mut tried = 0;
    for subset in subsets(all.len(), need).take(MAX_SUBSETS_TRIED) {
        tried += 1;
        // Put the subset first, the rest after, so the consistency check runs against it.
        let mut ordered: Vec<Share> = subset.iter().map(|&i| all.shares()[i].clone()).collect();
        ordered.extend(
            (0..all.len())
                .filter(|i| !subset.contains(i))
                .map(|i| all.shares()[i].clone()),
        );
        let Ok(set) = ShareSet::new(ordered) else {
            continue;
        };
        let outcome = match early.take() {
            Some(e) => e.outcome,
            None => attempt(sd, &set, need),
        };
        match outcome {
            Attempt::Rejected => continue,
            Attempt::Failed(e) => return Err(e),
            Attempt::Vouched { master, items } => {
                return Ok(Recovery {
                    basis: set.shares()[..need].iter().map(Share::x).collect(),
                    off_polynomial: set.off_polynomial(need),
                    master,
                    items,
                });
            }
        }
    }
    Err(RecoverError::NoAuthenticatingQuorum { tried })
}

/// What recombining the first `M` shares of a set gave.
enum Attempt {
    /// No master key: the shares are not a byte string, or no item authenticates under the
    /// key they give. Another subset may do better.
    Rejected,
    /// Recombination cannot succeed with any subset.
    Failed(RecoverError),
    /// A master key that authenticated at least one item, and every item's result.
    Vouched {
        master: MasterKey,
        items: Vec<RecoveredItem>,
    },
}

/// Recombines the first `need` shares of `set` and decrypts every item under the key.
fn attempt(sd: &SecurityDomain, set: &ShareSet, need: usize) -> Attempt {
    let secret = match set.combine(need) {
        Ok(s) => s,
        Err(CombineError::NotAByte) => return Attempt::Rejected,
        Err(CombineError::NotEnoughShares { have, need }) => {
            return Attempt::Failed(RecoverError::NotEnoughShares { have, need });
        }
    };
    let Some(master) = MasterKey::from_slice(&secret) else {
        return Attempt::Failed(RecoverError::WrongSecretLength { len: secret.len() });
    };
    // Any item that authenticates vouches for the master key (a 256-bit tag under a key
    // derived from it); then every item is decrypted and reported on its own, so one
    // damaged item is named instead of being blamed on the shares.
    let items: Vec<RecoveredItem> = sd
        .items()
        .iter()
        .map(|it| RecoveredItem {
            tag: it.tag.clone(),
            plaintext: it.jwe.decrypt_dir(&derive_item_key(&master, &it.tag)),
        })
        .collect();
    if items.iter().any(|i| i.plaintext.is_ok()) {
        Attempt::Vouched { master, items }
    } else {
        Attempt::Rejected
    }
}

/// The result of recombining every `M`-subset one by one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExhaustiveReport {
    /// How many subsets were recombined.
    pub subsets: usize,
    /// The x coordinates of each subset that gave a different master key (or none at all).
    pub disagreeing: Vec<Vec<u8>>,
}

/// Why the exhaustive check was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TooManySubsets {
    /// How many subsets there would be (saturating).
    pub count: u128,
}

impl fmt::Display for TooManySubsets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} subsets is more than the {MAX_SUBSETS_TRIED} an exhaustive check will recombine; the default check (every share on one polynomial) proves the same in N x M steps",
            self.count
        )
    }
}

impl std::error::Error for TooManySubsets {}

/// Binomial coefficient, saturating.
pub fn binomial(n: usize, k: usize) -> u128 {
    if k > n {
        return 0;
    }
    (0..k).fold(1u128, |acc, i| {
        acc.saturating_mul((n - i) as u128) / (i as u128 + 1)
    })
}

/// Recombines every `M`-subset of the opened shares and compares each result with
/// `recovery`'s master key in constant time.
///
/// # Errors
/// [`TooManySubsets`] above [`MAX_SUBSETS_TRIED`] subsets.
pub fn every_subset(
    sd: &SecurityDomain,
    openings: &[HolderOpening],
    recovery: &Recovery,
) -> Result<ExhaustiveReport, TooManySubsets> {
    let need = sd.quorum().required();
    let shares: Vec<&Share> = openings.iter().filter_map(|o| o.share.as_ref()).collect();
    let count = binomial(shares.len(), need);
    if count > MAX_SUBSETS_TRIED as u128 {
        return Err(TooManySubsets { count });
    }
    let mut report = ExhaustiveReport {
        subsets: 0,
        disagreeing: Vec::new(),
    };
    for subset in subsets(shares.len(), need) {
        report.subsets += 1;
        let chosen: Vec<Share> = subset.iter().map(|&i| shares[i].clone()).collect();
        let xs: Vec<u8> = chosen.iter().map(Share::x).collect();
        let same = ShareSet::new(chosen)
            .ok()
            .and_then(|set| set.combine(need).ok())
            .and_then(|secret| MasterKey::from_slice(&secret))
            .is_some_and(|master| master.ct_eq(&recovery.master));
        if !same {
            report.disagreeing.push(xs);
        }
    }
    Ok(report)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use rsa::pkcs8::DecodePrivateKey;

    #[test]
    fn an_early_recombination_stands_for_the_first_subset_only_when_it_matches() {
        let sd = SecurityDomain::parse(include_bytes!(
            "../../../test-vectors/azure-sd/sd-2023-11-07_15e0e830.json"
        ))
        .unwrap();
        let pems = [
            include_str!("../../../test-vectors/azure-sd/sd1.pem"),
            include_str!("../../../test-vectors/azure-sd/sd2.pem"),
            include_str!("../../../test-vectors/azure-sd/sd3.pem"),
        ];
        let keys: Vec<rsa::PrivateKey> = pems
            .iter()
            .map(|p| rsa::PrivateKey::from_pkcs8_pem(p).unwrap())
            .collect();
        let hk: Vec<HolderKey<'_>> = keys
            .iter()
            .map(|k| HolderKey {
                key: k,
                certificate: None,
            })
            .collect();
        let openings = open_shares(&sd, &hk);
        let basis = |early| combine_after(&sd, &openings, early).unwrap().basis;
        assert_eq!(basis(None), vec![1, 2]);
        // Standing for the subset of shares 1 and 2, a rejected early attempt moves
        // recombination on to the next subset, as a corrupt share among them would.
        let rejected = |share_indices| EarlyRecombination {
            share_indices,
            outcome: Attempt::Rejected,
        };
        assert_eq!(basis(Some(rejected(vec![0, 1]))), vec![1, 3]);
        // Made from other shares than the first two keys opened: ignored.
        assert_eq!(basis(Some(rejected(vec![1, 0]))), vec![1, 2]);
        assert_eq!(basis(Some(rejected(vec![0, 2]))), vec![1, 2]);
        assert_eq!(basis(Some(rejected(vec![0]))), vec![1, 2]);
    }

    #[test]
    fn binomials() {
        assert_eq!(binomial(5, 3), 10);
        assert_eq!(binomial(10, 5), 252);
        assert_eq!(binomial(3, 4), 0);
        assert!(binomial(127, 64) > 10_000);
    }

    #[test]
    fn subsets_enumerates_all() {
        let all: Vec<Vec<usize>> = subsets(5, 3).collect();
        assert_eq!(all.len(), 10);
        assert_eq!(all[0], vec![0, 1, 2]);
        assert_eq!(all[9], vec![2, 3, 4]);
        assert_eq!(subsets(3, 3).count(), 1);
        assert_eq!(subsets(2, 3).count(), 0);
    }
}
