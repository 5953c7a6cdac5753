//! Why a token or a key on it could not be used.
//!
//! Messages name the module or token and never the PIN (which no variant carries).

use core::fmt;
use std::path::PathBuf;

/// Why a PKCS#11 module, token or key could not be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenError {
    /// The module file could not be loaded as a shared library, or it has no PKCS#11 entry
    /// point (`C_GetFunctionList`): it is not a PKCS#11 module.
    ModuleLoad {
        /// The path given.
        path: PathBuf,
        /// The loader's reason.
        why: String,
    },
    /// The module loaded but refused to start (`C_Initialize`).
    ModuleInit {
        /// The path given.
        path: PathBuf,
        /// The module's return value.
        why: String,
    },
    /// No token present matches the URI.
    NoToken {
        /// The tokens that are present (labels), to say what is there instead.
        present: Vec<String>,
    },
    /// More than one token matches the URI.
    AmbiguousToken {
        /// The matching tokens' labels and serials.
        matching: Vec<String>,
    },
    /// The PIN was refused.
    PinIncorrect,
    /// The token's user PIN is locked (too many wrong PINs).
    PinLocked,
    /// The token's user PIN has expired or was never set.
    PinUnusable,
    /// No private key on the token matches the URI's object/id.
    NoKey,
    /// More than one private key matches the URI.
    AmbiguousKey {
        /// How many matched.
        count: usize,
    },
    /// The key is not an RSA key.
    NotRsa,
    /// The key's modulus is outside the sizes sdkit accepts.
    KeySize {
        /// Its size in bits.
        bits: usize,
    },
    /// An object with the id or label a new key would get is on the token already.
    IdInUse {
        /// The label.
        label: String,
        /// The id, %-encoded.
        id: String,
    },
    /// The token refused a generation or signing parameter (the detail is the module's).
    Unsupported(String),
    /// The self-signed certificate of a key made on the token could not be made.
    Certificate(String),
    /// Any other failure reported by the module: the PKCS#11 function and return value.
    Device(String),
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenError::ModuleLoad { path, why } => write!(
                f,
                "{} cannot be loaded as a PKCS#11 module: {why}",
                path.display()
            ),
            TokenError::ModuleInit { path, why } => {
                write!(
                    f,
                    "the PKCS#11 module {} did not start: {why}",
                    path.display()
                )
            }
            TokenError::NoToken { present } if present.is_empty() => {
                f.write_str("no token is present (no slot holds an initialised token)")
            }
            TokenError::NoToken { present } => write!(
                f,
                "no token matches the URI; present: {}",
                present.join(", ")
            ),
            TokenError::AmbiguousToken { matching } => write!(
                f,
                "several tokens match the URI ({}): add token= or serial=",
                matching.join(", ")
            ),
            TokenError::PinIncorrect => f.write_str("the token refused the PIN"),
            TokenError::PinLocked => f.write_str("the token's user PIN is locked"),
            TokenError::PinUnusable => {
                f.write_str("the token's user PIN is not set or has expired")
            }
            TokenError::NoKey => f.write_str("no RSA private key on the token matches the URI"),
            TokenError::AmbiguousKey { count } => write!(
                f,
                "{count} private keys on the token match the URI: add id= or object="
            ),
            TokenError::NotRsa => f.write_str("the key on the token is not an RSA key"),
            TokenError::KeySize { bits } => write!(
                f,
                "the key on the token is RSA-{bits}; sdkit accepts {}..{} bits",
                crate::MIN_RSA_BITS,
                crate::MAX_RSA_BITS
            ),
            TokenError::IdInUse { label, id } => write!(
                f,
                "the token already holds an object labelled {label} or with id {id}"
            ),
            TokenError::Unsupported(why) => write!(f, "the token refused: {why}"),
            TokenError::Certificate(why) => write!(f, "the certificate could not be made: {why}"),
            TokenError::Device(why) => write!(f, "the token failed: {why}"),
        }
    }
}

impl std::error::Error for TokenError {}

/// Maps a module's failure onto what the user can act on.
pub(crate) fn from_cryptoki(e: &cryptoki::error::Error) -> TokenError {
    use cryptoki::error::{Error, RvError};
    match e {
        Error::Pkcs11(RvError::PinIncorrect | RvError::PinInvalid | RvError::PinLenRange, _) => {
            TokenError::PinIncorrect
        }
        Error::Pkcs11(RvError::PinLocked, _) => TokenError::PinLocked,
        Error::Pkcs11(RvError::PinExpired | RvError::UserPinNotInitialized, _) => {
            TokenError::PinUnusable
        }
        Error::Pkcs11(rv, func) => TokenError::Device(format!("{func} returned {rv:?}")),
        other => TokenError::Device(other.to_string()),
    }
}
