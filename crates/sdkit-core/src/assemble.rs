//! Writing a new security domain for a user's own secrets (`sdkit split`): the same format
//! Azure writes, so the same tools (sdkit, and the `az` CLI's `restore-blob`) open it.
//!
//! A fresh random 32-byte master key is split M-of-N over GF(257) (x = 1..N in recipient
//! order, as the HSM numbers custodians), each share is wrapped to one recipient's RSA key
//! with RSA-OAEP-256 + A256CBC-HS512, and each secret becomes a `dir` JWE under the key the
//! SP 800-108 KDF derives from the master key and the secret's tag.

use crate::domain::{DataItem, EncShare, SecurityDomain};
use crate::jwe::CompactJwe;
use crate::kdf::derive_item_key;
use crate::secret::MasterKey;
use crate::shamir::{self, Quorum, Share};
use crate::share;
use crate::tag::Tag;
use crate::thumbprint::Thumbprint;
use core::fmt;
use rsa::PublicKey;
use rsa::traits::PublicKeyParts;

/// The smallest recipient key accepted (the `az` CLI refuses smaller certificates).
pub const MIN_RECIPIENT_KEY_BITS: usize = 2048;

/// One custodian: the public key from their certificate, and the certificate's thumbprint.
#[derive(Debug, Clone)]
pub struct Recipient {
    /// RSA public key.
    pub key: PublicKey,
    /// SHA-256 thumbprint of the certificate (written as `x5t_256`).
    pub thumbprint: Thumbprint,
}

/// Why a new SD could not be built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BuildError {
    /// The quorum is for another number of shares than there are recipients.
    RecipientCount {
        /// N of the quorum.
        shares: usize,
        /// How many recipients were given.
        recipients: usize,
    },
    /// Nothing to protect.
    NoItems,
    /// Two items share a tag.
    DuplicateTag {
        /// The tag.
        tag: String,
    },
    /// The same certificate was given twice, or two certificates hold the same key (that
    /// custodian would hold two shares).
    DuplicateRecipient {
        /// First position (0-based).
        first: usize,
        /// Second position.
        second: usize,
    },
    /// A recipient key is too small.
    RecipientKeyTooSmall {
        /// Position (0-based).
        index: usize,
        /// Its size.
        bits: usize,
    },
    /// The random generator or an RSA operation failed.
    Encrypt,
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::RecipientCount { shares, recipients } => write!(
                f,
                "the quorum is for {shares} shares but {recipients} recipients were given"
            ),
            BuildError::NoItems => {
                f.write_str("there is nothing to split: give at least one secret")
            }
            BuildError::DuplicateTag { tag } => write!(f, "tag {tag:?} is given twice"),
            BuildError::DuplicateRecipient { first, second } => {
                write!(
                    f,
                    "certificates {} and {} are the same certificate or hold the same key",
                    first + 1,
                    second + 1
                )
            }
            BuildError::RecipientKeyTooSmall { index, bits } => write!(
                f,
                "certificate {} has an RSA-{bits} key; at least {MIN_RECIPIENT_KEY_BITS} bits are required",
                index + 1
            ),
            BuildError::Encrypt => {
                f.write_str("encryption failed: the random generator or an RSA operation failed")
            }
        }
    }
}

impl std::error::Error for BuildError {}

/// A random GUID-shaped `kid`, as current HSMs write on share JWEs (the value is opaque).
fn random_kid<R: rand_core::TryCryptoRng + ?Sized>(rng: &mut R) -> Result<String, BuildError> {
    let mut b = [0u8; 16];
    rng.try_fill_bytes(&mut b)
        .map_err(|_| BuildError::Encrypt)?;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    ))
}

/// Builds a new SD protecting `items` (tag, secret), any `quorum.required()` of `recipients`
/// opening it. The types carry the rules for a quorum ([`Quorum::new`]) and for a tag
/// ([`Tag::new`]); what is checked here is how they fit together.
///
/// # Errors
/// [`BuildError`] for a quorum of another size than `recipients`, no items, a repeated tag,
/// a repeated or small recipient key, or a failing RNG.
pub fn build_security_domain<R: rand_core::TryCryptoRng + ?Sized>(
    items: &[(&Tag, &[u8])],
    recipients: &[Recipient],
    quorum: Quorum,
    rng: &mut R,
) -> Result<SecurityDomain, BuildError> {
    let items: Vec<(&str, &[u8])> = items.iter().map(|(t, s)| (t.as_str(), *s)).collect();
    assemble(&items, recipients, quorum, rng).map(|a| a.sd)
}

/// A freshly built SD with what went into it, so that `reshare` can prove the file before
/// anyone relies on it.
pub(crate) struct Assembled {
    /// The new SD.
    pub sd: SecurityDomain,
    /// Its master key.
    pub master: MasterKey,
    /// The shares, in recipient order (before wrapping).
    pub shares: Vec<Share>,
}

/// Checks how recipients, quorum and items fit together (see [`build_security_domain`]).
pub(crate) fn check_recipients(recipients: &[Recipient], quorum: Quorum) -> Result<(), BuildError> {
    if quorum.total() != recipients.len() {
        return Err(BuildError::RecipientCount {
            shares: quorum.total(),
            recipients: recipients.len(),
        });
    }
    for (i, r) in recipients.iter().enumerate() {
        if r.key.size() * 8 < MIN_RECIPIENT_KEY_BITS {
            return Err(BuildError::RecipientKeyTooSmall {
                index: i,
                bits: r.key.size() * 8,
            });
        }
        if let Some(first) = recipients[..i]
            .iter()
            .position(|o| o.thumbprint == r.thumbprint || o.key == r.key)
        {
            return Err(BuildError::DuplicateRecipient { first, second: i });
        }
    }
    Ok(())
}

/// [`build_security_domain`] for tags already known to be an SD's (`reshare` keeps the old
/// file's tags as they are), returning the master key and shares as well.
pub(crate) fn assemble<R: rand_core::TryCryptoRng + ?Sized>(
    items: &[(&str, &[u8])],
    recipients: &[Recipient],
    quorum: Quorum,
    rng: &mut R,
) -> Result<Assembled, BuildError> {
    check_recipients(recipients, quorum)?;
    if items.is_empty() {
        return Err(BuildError::NoItems);
    }
    for (i, (tag, _)) in items.iter().enumerate() {
        if items[..i].iter().any(|(t, _)| t == tag) {
            return Err(BuildError::DuplicateTag {
                tag: (*tag).to_owned(),
            });
        }
    }

    let master = MasterKey::random(rng).map_err(|_| BuildError::Encrypt)?;
    let shares = shamir::split(master.expose(), quorum, rng).map_err(|_| BuildError::Encrypt)?;
    let mut enc_shares = Vec::with_capacity(recipients.len());
    for (share, r) in shares.iter().zip(recipients) {
        let payload = share::encode(share);
        let kid = random_kid(rng)?;
        let jwe = CompactJwe::encrypt_rsa_oaep_256(&r.key, &kid, &payload, rng)
            .map_err(|_| BuildError::Encrypt)?;
        enc_shares.push(EncShare {
            thumbprint: r.thumbprint,
            jwe,
        });
    }
    let mut data = Vec::with_capacity(items.len());
    for (tag, secret) in items {
        let jwe = CompactJwe::encrypt_dir(&derive_item_key(&master, tag), tag, secret, rng)
            .map_err(|_| BuildError::Encrypt)?;
        data.push(DataItem {
            tag: (*tag).to_owned(),
            jwe,
        });
    }
    // The checks above cover every rule from_parts enforces, so this cannot fail; map it
    // anyway rather than assume.
    let sd =
        SecurityDomain::from_parts(data, enc_shares, quorum).map_err(|_| BuildError::Encrypt)?;
    Ok(Assembled { sd, master, shares })
}
