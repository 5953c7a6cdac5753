//! The type of a newly generated key pair, apart from the loaded
//! [`PrivateKey`](crate::PrivateKey). A leaf module: generation returns it, certificate
//! signing and the key writers take it.

use core::fmt;

use rsa::traits::PublicKeyParts;

/// A freshly generated RSA key pair: what
/// [`self_signed_certificate`](crate::self_signed_certificate) signs with and what
/// [`private_key_pem_encrypted`](crate::private_key_pem_encrypted) writes out.
///
/// Its own type, not the loaded [`PrivateKey`](crate::PrivateKey): a loaded key lives on the
/// build's RSA backend and only decrypts shares, while a new key signs its certificate and is
/// serialised, which the `rsa` crate does. Callers need no `rsa` dependency of their own.
/// `Debug` shows only the size; the `rsa` key inside wipes its numbers on drop.
pub struct GeneratedKey(rsa::PrivateKey);

impl GeneratedKey {
    /// Modulus length in bits.
    pub fn bits(&self) -> usize {
        self.0.size() * 8
    }

    /// The public half, e.g. to encrypt a test share to the new key.
    pub fn public_key(&self) -> rsa::PublicKey {
        self.0.to_public_key()
    }

    /// The `rsa` key inside, for signing and serialising in this crate.
    pub(crate) fn rsa(&self) -> &rsa::PrivateKey {
        &self.0
    }
}

/// Wraps a key made with the `rsa` crate directly (tests, other sizes); the functions that
/// take a [`GeneratedKey`] still check its size.
impl From<rsa::PrivateKey> for GeneratedKey {
    fn from(key: rsa::PrivateKey) -> Self {
        Self(key)
    }
}

impl fmt::Debug for GeneratedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GeneratedKey")
            .field("bits", &self.bits())
            .finish_non_exhaustive()
    }
}
