//! Custodian keys on PKCS#11 tokens (smart cards, YubiKeys, network and USB HSMs).
//!
//! The URI grammar ([`Pkcs11Uri`]) is always compiled, so a build without token support can
//! still tell a user that a `pkcs11:` argument needs it. Everything that talks to a module is
//! behind the `pkcs11` feature (on by default) and goes through the `cryptoki` crate, whose
//! API is safe: the vendor's module is loaded at run time, never linked.

mod uri;
pub use uri::{
    ObjectType, PKCS11_SCHEME, Pkcs11Uri, UriError, is_pkcs11_uri, percent_encode,
    percent_encode_all,
};

#[cfg(feature = "pkcs11")]
mod error;
#[cfg(feature = "pkcs11")]
mod key;
#[cfg(feature = "pkcs11")]
mod keygen;
#[cfg(feature = "pkcs11")]
mod module;
#[cfg(feature = "pkcs11")]
pub use error::TokenError;
#[cfg(feature = "pkcs11")]
pub use key::TokenKey;
#[cfg(feature = "pkcs11")]
pub use keygen::TokenKeySpec;
#[cfg(feature = "pkcs11")]
pub use module::{ObjectKind, TokenInfo, TokenModule, TokenObject};
