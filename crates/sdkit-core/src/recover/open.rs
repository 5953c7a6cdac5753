//! Step one of recovery: each custodian's key finds and opens its share.

use crate::domain::SecurityDomain;
use crate::oaep_key::OaepDecryptKey;
use crate::secret::Plaintext;
use crate::shamir::Share;
use crate::share::{self, ShareDecodeError};
use crate::thumbprint::Thumbprint;
use core::sync::atomic::{AtomicBool, Ordering};
use rayon::prelude::*;

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

impl HolderStatus {
    /// The share the key reached (opened, malformed or a duplicate's), if any.
    pub fn share_index(&self) -> Option<usize> {
        match self {
            HolderStatus::Opened { share_index, .. }
            | HolderStatus::Malformed { share_index, .. }
            | HolderStatus::Duplicate { share_index, .. } => Some(*share_index),
            HolderStatus::NoShare => None,
        }
    }
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

/// Finds and decodes each key's share. Never fails as a whole: every key gets a status, in
/// the order the keys were given.
///
/// Keys are searched in parallel. Each key tries each share at most once: the share its
/// certificate names first (one RSA operation, as `az` matches shares), then the shares no
/// other key has claimed, then the claimed ones (only a duplicate key gets that far). Keys
/// with a certificate are started first, so their shares are claimed before the keys without
/// one start trying; a drill of N keys without certificates costs about N RSA operations
/// instead of N²/2. Claims only order the tries, never what is found.
pub fn open_shares(sd: &SecurityDomain, keys: &[HolderKey<'_>]) -> Vec<HolderOpening> {
    let claimed: Vec<AtomicBool> = sd.shares().iter().map(|_| AtomicBool::new(false)).collect();
    let mut queue: Vec<usize> = (0..keys.len()).collect();
    queue.sort_by_key(|&i| keys[i].certificate.is_none());
    // rayon's pool: results in input order, a panic reaches the caller (docs/DESIGN.md,
    // "Parallelism").
    let found: Vec<Found> = queue
        .par_iter()
        .map(|&i| find_share(sd, &keys[i], &claimed))
        .collect();
    let mut by_key: Vec<(usize, Found)> = queue.into_iter().zip(found).collect();
    by_key.sort_by_key(|(i, _)| *i);
    decode_all(by_key.into_iter().map(|(_, f)| f))
}

/// Turns each key's search result (in key order) into its status and decoded share.
fn decode_all(found: impl Iterator<Item = Found>) -> Vec<HolderOpening> {
    let mut out: Vec<HolderOpening> = Vec::new();
    for found in found {
        let (status, share) = match found.share {
            None => (HolderStatus::NoShare, None),
            Some((share_index, payload)) => {
                let earlier = out
                    .iter()
                    .position(|o| o.status.share_index() == Some(share_index));
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::aead::DecryptError;
    use core::sync::atomic::AtomicUsize;
    use rsa::pkcs8::DecodePrivateKey;
    use zeroize::Zeroizing;

    /// A key that counts its RSA operations and which ciphertexts it saw.
    struct Counting {
        key: rsa::PrivateKey,
        operations: AtomicUsize,
        seen: std::sync::Mutex<Vec<Vec<u8>>>,
    }

    impl OaepDecryptKey for Counting {
        fn modulus_len(&self) -> usize {
            self.key.modulus_len()
        }
        fn decrypt_oaep_sha256(
            &self,
            ciphertext: &[u8],
        ) -> Result<Zeroizing<Vec<u8>>, DecryptError> {
            self.operations.fetch_add(1, Ordering::Relaxed);
            self.seen.lock().unwrap().push(ciphertext.to_vec());
            self.key.decrypt_oaep_sha256(ciphertext)
        }
    }

    fn setup() -> (SecurityDomain, Vec<Counting>, Vec<Thumbprint>) {
        let sd = SecurityDomain::parse(include_bytes!(
            "../../../../test-vectors/azure-sd/sd-2023-11-07_15e0e830.json"
        ))
        .unwrap();
        let keys = [
            include_str!("../../../../test-vectors/azure-sd/sd1.pem"),
            include_str!("../../../../test-vectors/azure-sd/sd2.pem"),
            include_str!("../../../../test-vectors/azure-sd/sd3.pem"),
        ]
        .iter()
        .map(|p| Counting {
            key: rsa::PrivateKey::from_pkcs8_pem(p).unwrap(),
            operations: AtomicUsize::new(0),
            seen: std::sync::Mutex::new(Vec::new()),
        })
        .collect();
        let thumbprints = sd.shares().iter().map(|s| s.thumbprint).collect();
        (sd, keys, thumbprints)
    }

    #[test]
    fn a_key_with_its_certificate_costs_one_rsa_operation() {
        let (sd, keys, tps) = setup();
        // Given in reverse, each with its own certificate.
        let hk: Vec<HolderKey<'_>> = (0..3)
            .rev()
            .map(|i| HolderKey {
                key: &keys[i],
                certificate: Some(tps[i]),
            })
            .collect();
        let openings = open_shares(&sd, &hk);
        for (o, want) in openings.iter().zip([2usize, 1, 0]) {
            assert_eq!(
                o.status,
                HolderStatus::Opened {
                    share_index: want,
                    x: want as u8 + 1
                }
            );
            assert_eq!(o.certificate, CertificateMatch::Matched);
        }
        assert!(
            keys.iter()
                .all(|k| k.operations.load(Ordering::Relaxed) == 1)
        );
    }

    #[test]
    fn without_certificates_each_key_tries_each_share_at_most_once() {
        let (sd, keys, _) = setup();
        // Two copies of the first key too: a duplicate searches every share.
        let order = [0usize, 1, 2, 0];
        let hk: Vec<HolderKey<'_>> = order
            .iter()
            .map(|&i| HolderKey {
                key: &keys[i],
                certificate: None,
            })
            .collect();
        let openings = open_shares(&sd, &hk);
        assert!(matches!(
            openings[3].status,
            HolderStatus::Duplicate {
                first_holder: 0,
                ..
            }
        ));
        for k in &keys {
            let seen = k.seen.lock().unwrap();
            let distinct: std::collections::HashSet<&Vec<u8>> = seen.iter().collect();
            // The first key appears twice in the list: each copy tries a share at most once.
            let copies = if core::ptr::eq(k, &keys[0]) { 2 } else { 1 };
            assert!(seen.len() <= 3 * copies, "{} tries", seen.len());
            assert!(distinct.len() <= 3);
            if copies == 1 {
                assert_eq!(seen.len(), distinct.len(), "a share tried twice");
            }
        }
    }
}
