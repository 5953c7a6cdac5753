//! From custodians' keys to the master key and every authenticated item.
//!
//! [`run`] is the one trip a quorum command makes: its caller has read the SD and loaded the
//! keys, and gets back what each key did and what the shares gave. It is two steps, kept
//! apart so each can be reported on and tested:
//! 1. [`open_shares`] ([`open`]): each key finds and opens its share, keys in parallel;
//! 2. [`combine()`] ([`combine`](mod@combine)): the shares give the master key, which must
//!    authenticate the items; every item is decrypted and authenticated on its own.
//!
//! [`every_subset`] is the optional exhaustive check a drill can add.

pub mod combine;
pub mod open;

pub use combine::{
    ExhaustiveReport, MAX_SUBSETS_TRIED, RecoverError, RecoveredItem, Recovery, TooManySubsets,
    binomial, combine, every_subset,
};
pub use open::{CertificateMatch, HolderKey, HolderOpening, HolderStatus, open_shares};

use crate::domain::SecurityDomain;

/// What a set of keys did with an SD: each key's share, and what the shares gave.
pub struct QuorumOutcome {
    /// What each key did, in the order the keys were given.
    pub openings: Vec<HolderOpening>,
    /// The recombination: the master key and every item, or why there is none.
    pub recovery: Result<Recovery, RecoverError>,
}

/// Opens each key's share and recombines: [`open_shares`] then [`combine()`].
pub fn run(sd: &SecurityDomain, keys: &[HolderKey<'_>]) -> QuorumOutcome {
    let openings = open_shares(sd, keys);
    let recovery = combine(sd, &openings);
    QuorumOutcome { openings, recovery }
}
