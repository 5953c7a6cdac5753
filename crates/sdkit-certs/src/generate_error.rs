//! Errors from making keys and certificates and from writing them out.
//!
//! As with loading, no message ever includes key material or a passphrase:
//! the strings carried here come from the caller's own (public) inputs such
//! as the subject, or from library error kinds that describe structure only.

use core::fmt;

use crate::limits::{KeySize, MAX_VALIDITY_DAYS};

/// Why a key, certificate or key file could not be produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GenerateError {
    /// An RSA size other than the ones [`KeySize`] offers.
    UnsupportedKeySize {
        /// The size asked for, in bits.
        bits: usize,
    },
    /// The operating system's random number generator failed. Nothing
    /// sensible can be generated without it; retrying rarely helps.
    Random(String),
    /// RSA key generation failed for a reason other than randomness.
    KeyGeneration(String),
    /// The certificate subject is empty or not an RFC 4514 name.
    InvalidSubject {
        /// The subject as given (it is public: it goes into the certificate).
        subject: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The validity period is outside 1 to [`MAX_VALIDITY_DAYS`] days.
    ///
    InvalidValidity {
        /// The number of days asked for.
        days: u32,
    },
    /// Assembling or signing the certificate failed.
    Certificate(String),
    /// An empty passphrase was given for an encrypted key file, which would
    /// look protected while protecting nothing.
    EmptyPassphrase,
    /// Encoding or encrypting the private key failed (e.g. an `rsa` key
    /// with more than two primes, which PKCS#8 writers here do not emit).
    KeyEncoding(String),
}

impl fmt::Display for GenerateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnsupportedKeySize { bits } => write!(
                f,
                "unsupported RSA key size {bits}; allowed sizes are {}",
                KeySize::ALLOWED_DESCRIPTION
            ),
            Self::Random(reason) => write!(
                f,
                "the operating system's random number generator failed: {reason}"
            ),
            Self::KeyGeneration(reason) => write!(f, "RSA key generation failed: {reason}"),
            Self::InvalidSubject { subject, reason } => write!(
                f,
                "invalid certificate subject {subject:?}: {reason} (expected an RFC 4514 name \
                 such as \"CN=SD Key 1\" or \"CN=SD Key 1,O=Example,C=AU\")"
            ),
            Self::InvalidValidity { days } => write!(
                f,
                "invalid certificate validity of {days} days; it must be between 1 and {} days",
                MAX_VALIDITY_DAYS
            ),
            Self::Certificate(reason) => {
                write!(f, "could not build the certificate: {reason}")
            }
            Self::EmptyPassphrase => f.write_str(
                "the passphrase is empty; an encrypted key needs a non-empty passphrase (or \
                 write the key unencrypted on purpose)",
            ),
            Self::KeyEncoding(reason) => {
                write!(f, "could not encode the private key: {reason}")
            }
        }
    }
}

impl std::error::Error for GenerateError {}
