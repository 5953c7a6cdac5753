//! Errors from [`load_private_key`](crate::load_private_key).
//!
//! Each message says what is wrong and what the user can do about it, and
//! none ever includes key bytes or the passphrase: the reasons carried in
//! variants are built only from structure (labels, OIDs, bit counts, DER
//! error kinds).

use core::fmt;

use crate::limits::MIN_RSA_BITS;
use crate::{InputKind, Pkcs12Error};

/// Why a private key could not be loaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyLoadError {
    /// The input holds no private key: it is a certificate, a public key,
    /// some other PEM block, or unrecognisable bytes.
    NotAKey {
        /// What the input was instead.
        found: InputKind,
    },
    /// The key is encrypted and no passphrase was given. Prompt and retry.
    PassphraseRequired,
    /// Decryption of the encrypted PKCS#8 key failed, or a PKCS#12 file's MAC does not
    /// verify with the password. A wrong passphrase and a damaged file look the same, so
    /// the message names both.
    WrongPassphrase,
    /// A `fips` build met a key file that needs an algorithm outside the FIPS module's
    /// approved services (scrypt, PKCS#12's KDF and legacy bags); other builds read it.
    NotFipsApproved {
        /// Non-secret name of the algorithm, e.g. `scrypt (PBES2 with scrypt)`.
        scheme: String,
    },
    /// The key is encrypted with a scheme this crate does not implement
    /// (legacy OpenSSL `Proc-Type: 4,ENCRYPTED` PEM, PBES1, PKCS#12 PBE,
    /// 3DES, or an excessive key-derivation cost).
    UnsupportedEncryption {
        /// Non-secret description of the scheme, e.g.
        /// `legacy OpenSSL PEM encryption (AES-256-CBC)`.
        scheme: String,
    },
    /// The key is not an RSA key (EC, Ed25519, DSA, RSASSA-PSS, ...).
    NotRsa {
        /// The algorithm's name and OID, or the PEM label it came from.
        algorithm: String,
    },
    /// The key's encoding is damaged: bad PEM, or DER that does not parse
    /// as the structure its label or shape promises.
    Malformed(String),
    /// The DER parsed but the RSA numbers are inconsistent or unsupported
    /// (e.g. primes do not multiply to the modulus, multi-prime RSA).
    InvalidRsaKey(String),
    /// A PKCS#12 file (`.pfx`/`.p12`) that cannot give a key for another reason than its
    /// password: legacy 40-bit encryption, an unsupported scheme, no key or several, damage.
    Pkcs12(Pkcs12Error),
    /// The RSA modulus is shorter than [`MIN_RSA_BITS`], too weak for
    /// protecting a security domain.
    TooSmall {
        /// Modulus length in bits.
        bits: usize,
    },
}

const EXPECTED: &str = "expected an RSA private key: PEM \"PRIVATE KEY\", \"RSA PRIVATE KEY\" \
                        or \"ENCRYPTED PRIVATE KEY\", the same as DER, or PKCS#12 (.pfx/.p12)";

impl fmt::Display for KeyLoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotAKey {
                found: found @ InputKind::Certificate,
            } => write!(
                f,
                "this file holds {found}, not a private key; use the private key that matches \
                 the certificate ({EXPECTED})"
            ),
            Self::NotAKey {
                found: found @ InputKind::PublicKey,
            } => write!(
                f,
                "this file holds {found}; the private key is needed ({EXPECTED})"
            ),
            Self::NotAKey { found } => {
                write!(f, "no private key found: the input is {found} ({EXPECTED})")
            }
            Self::PassphraseRequired => {
                f.write_str("the private key is encrypted: a passphrase is required")
            }
            Self::WrongPassphrase => {
                f.write_str("could not decrypt the private key: wrong passphrase or damaged file")
            }
            Self::NotFipsApproved { scheme } => {
                f.write_str(&crate::provider::not_approved_message(scheme))
            }
            Self::UnsupportedEncryption { scheme } => write!(
                f,
                "the private key is encrypted with {scheme}, which is not supported; convert it \
                 with: openssl pkcs8 -topk8 -v2 aes-256-cbc -in OLD.pem -out NEW.pem"
            ),
            Self::NotRsa { algorithm } => write!(
                f,
                "the private key is {algorithm}, not RSA; security-domain keys must be RSA"
            ),
            Self::Malformed(reason) => {
                write!(f, "the private key file is damaged or not a key: {reason}")
            }
            Self::InvalidRsaKey(reason) => write!(
                f,
                "the RSA private key is invalid ({reason}); the file may be damaged"
            ),
            Self::Pkcs12(e) => e.fmt(f),
            Self::TooSmall { bits } => write!(
                f,
                "the RSA key has only {bits} bits; security-domain keys need at least \
                 {MIN_RSA_BITS} bits"
            ),
        }
    }
}

impl std::error::Error for KeyLoadError {}
