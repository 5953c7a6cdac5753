//! Step two of recovery: the opened shares give the master key, which must authenticate the
//! items; and the optional check that every `M`-subset gives the same key.

use super::open::HolderOpening;
use crate::domain::SecurityDomain;
use crate::jwe::JweDecryptError;
use crate::kdf::derive_item_key;
use crate::secret::{MASTER_KEY_LEN, MasterKey, Plaintext};
use crate::shamir::{CombineError, Share, ShareSet, ShareSetError};
use core::fmt;

/// The most `M`-subsets tried when the first does not authenticate.
pub const MAX_SUBSETS_TRIED: usize = 10_000;

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
    /// The opened shares all lie on a polynomial of lower degree than the SD's quorum
    /// declares, so fewer keys than `M` recombine this master key
    /// ([`ShareSet::recombines_below`]).
    pub recombines_below: bool,
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

impl std::error::Error for RecoverError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            RecoverError::IncompatibleShares(e) => Some(e),
            _ => None,
        }
    }
}

/// `M`-subsets of `0..n` in lexicographic order, the identity subset first.
pub(crate) fn subsets(n: usize, m: usize) -> impl Iterator<Item = Vec<usize>> {
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
/// The first `M` shares (in key order) are tried first; if they give no key that
/// authenticates an item (one of them is corrupt), other `M`-subsets are tried, up to
/// [`MAX_SUBSETS_TRIED`], so one bad share among more than `M` does not stop recovery, and
/// the shares off the winning polynomial are named.
///
/// # Errors
/// [`RecoverError`] when no authenticated master key can be formed.
pub fn combine(sd: &SecurityDomain, openings: &[HolderOpening]) -> Result<Recovery, RecoverError> {
    let need = sd.quorum().required();
    let shares: Vec<Share> = openings.iter().filter_map(|o| o.share().cloned()).collect();
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
        match attempt(sd, &set, need) {
            Attempt::Rejected => continue,
            Attempt::Failed(e) => return Err(e),
            Attempt::Vouched { master, items } => {
                let consistency = set.consistency(need);
                return Ok(Recovery {
                    basis: set.shares()[..need].iter().map(Share::x).collect(),
                    off_polynomial: consistency.off_polynomial,
                    recombines_below: consistency.recombines_below,
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
    let shares: Vec<&Share> = openings.iter().filter_map(|o| o.share()).collect();
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
