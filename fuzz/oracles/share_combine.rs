// The `share_combine` oracle, shared by `fuzz/fuzz_targets/share_combine.rs` and the corpus
// replay in `crates/sdkit-core/tests/it/fuzz_corpus.rs` (both `include!` this file; keep it free
// of inner attributes and `//!` comments).
//
// Share payloads and Shamir recombination on arbitrary bytes: never panic.
//
// Input: `[required, words - 1, payload…]`; the payload is cut into chunks of `2·words`
// bytes (at most 32), each decoded with `share::decode`. Oracles:
// * a chunk that decodes re-encodes to itself, and `Share::new` accepts its values;
// * `off_polynomial` only names shares after the first `required`;
// * when it names none, every share is on one polynomial, so the reversed set recombines to
//   the same result;
// * a secret that recombines splits again (fresh randomness) and recombines to itself.

use sdkit_core::shamir::{self, Quorum, Share, ShareSet};
use sdkit_core::{SysRng, share};
use zeroize::Zeroizing;

pub const MAX_SHARES: usize = 32;

/// What the oracle saw in one input.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ShareOutcome {
    /// Hex of the recombined secret.
    pub secret: Option<String>,
    /// What `off_polynomial` named.
    pub off: Vec<u8>,
}

pub fn oracle(data: &[u8]) -> ShareOutcome {
    let mut out = ShareOutcome::default();
    let [required, words, payload @ ..] = data else {
        return out;
    };
    let required = usize::from(*required);
    let chunk = 2 * (usize::from(*words) + 1);
    let mut shares = Vec::new();
    for c in payload.chunks(chunk).take(MAX_SHARES) {
        let Ok(s) = share::decode(c) else {
            continue;
        };
        assert_eq!(&share::encode(&s)[..], c, "encode(decode(x)) != x");
        let rebuilt = Share::new(usize::from(s.x()), Zeroizing::new(s.values().to_vec()))
            .expect("a decoded share is a valid share");
        assert_eq!(rebuilt.values(), s.values());
        shares.push(s);
    }
    let Ok(set) = ShareSet::new(shares.clone()) else {
        return out;
    };
    let combined = set.combine(required);
    let off = set.off_polynomial(required);
    let need = required.max(2).min(set.len());
    for x in &off {
        assert!(
            set.shares()[need..].iter().any(|s| s.x() == *x),
            "off_polynomial named x = {x}, not a share after the basis"
        );
    }
    if let Ok(secret) = &combined {
        assert_eq!(secret.len(), set.secret_len());
    }
    if off.is_empty() && set.len() > need {
        let mut reversed = shares;
        reversed.reverse();
        let reversed = ShareSet::new(reversed).expect("same shares, other order");
        assert_eq!(
            reversed.combine(required),
            combined,
            "shares on one polynomial recombine differently"
        );
    }
    if let Ok(secret) = &combined {
        let quorum = Quorum::new(need, need + 1).expect("2 <= need <= 32");
        let fresh = shamir::split(secret, quorum, &mut SysRng).expect("split");
        for s in &fresh {
            let bytes = share::encode(s);
            let back = share::decode(&bytes).expect("encoded shares decode");
            assert_eq!(back.values(), s.values());
        }
        let fresh = ShareSet::new(fresh).expect("split makes a valid set");
        assert_eq!(&fresh.combine(need).expect("recombines"), secret);
        assert!(fresh.off_polynomial(need).is_empty());
        out.secret = Some(secret.iter().map(|b| format!("{b:02x}")).collect());
    }
    out.off = off;
    out
}
