//! Secret values: wiped on drop, never printed.
//!
//! Each type wipes its bytes on drop (`zeroize`) and implements `Debug` by hand so that a
//! stray `{:?}` in a log line or panic message prints a placeholder, never the bytes. The
//! fixed-size keys keep their bytes on the heap so that moving them does not copy them.
//! None implements `Display`, `Clone` is deliberate where present (the copy is wiped too).

use core::fmt;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// Length of the security-domain master key in bytes (every real SD uses 32).
pub const MASTER_KEY_LEN: usize = 32;

/// `N` secret bytes in one heap allocation from construction to drop, so moving the value
/// that holds them copies a pointer, not the bytes: a key held inline would leave unwiped
/// copies in the stack frames it passed through. Filled in place, wiped on drop.
#[derive(Zeroize, ZeroizeOnDrop)]
struct KeyBytes<const N: usize>(Box<[u8; N]>);

impl<const N: usize> KeyBytes<N> {
    fn zeroed() -> Self {
        Self(Box::new([0u8; N]))
    }

    fn from_array(bytes: &[u8; N]) -> Self {
        let mut key = Self::zeroed();
        key.0.copy_from_slice(bytes);
        key
    }

    fn from_slice(bytes: &[u8]) -> Option<Self> {
        <&[u8; N]>::try_from(bytes).ok().map(Self::from_array)
    }

    fn expose(&self) -> &[u8; N] {
        &self.0
    }

    fn random<R: rand_core::TryCryptoRng + ?Sized>(rng: &mut R) -> Result<Self, R::Error> {
        let mut key = Self::zeroed();
        rng.try_fill_bytes(&mut key.0[..])?;
        Ok(key)
    }
}

/// A second allocation holding the same bytes, wiped on drop like the first.
impl<const N: usize> Clone for KeyBytes<N> {
    fn clone(&self) -> Self {
        let mut key = Self::zeroed();
        key.0.copy_from_slice(&self.0[..]);
        key
    }
}

/// The security domain's master key: the secret that Shamir shares split. Its bytes stay in
/// one heap allocation (see `KeyBytes`).
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct MasterKey(KeyBytes<MASTER_KEY_LEN>);

impl MasterKey {
    /// Copies raw key bytes in. The argument is the caller's copy, for the caller to wipe;
    /// for bytes already in a buffer, [`MasterKey::from_slice`] makes no copy of its own.
    pub fn from_bytes(bytes: [u8; MASTER_KEY_LEN]) -> Self {
        Self(KeyBytes::from_array(&bytes))
    }

    /// Copies a 32-byte slice straight into the key's allocation; `None` for any other
    /// length.
    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        KeyBytes::from_slice(bytes).map(Self)
    }

    /// Draws a fresh random master key.
    ///
    /// # Errors
    /// Fails only when the random generator fails.
    pub fn random<R: rand_core::TryCryptoRng + ?Sized>(rng: &mut R) -> Result<Self, R::Error> {
        KeyBytes::random(rng).map(Self)
    }

    /// The key bytes. Callers must not copy them into non-zeroizing storage.
    pub fn expose(&self) -> &[u8; MASTER_KEY_LEN] {
        self.0.expose()
    }

    /// Constant-time equality, for the every-quorum proof.
    pub fn ct_eq(&self, other: &MasterKey) -> bool {
        use subtle::ConstantTimeEq;
        self.0.expose().ct_eq(other.0.expose()).into()
    }
}

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterKey([REDACTED])")
    }
}

/// Length of an A256CBC-HS512 content-encryption key: 32 bytes MAC key, then 32 bytes AES key.
pub const CEK_LEN: usize = 64;

/// A 64-byte A256CBC-HS512 content-encryption key (derived by the KDF or unwrapped by RSA).
/// Its bytes stay in one heap allocation, as a [`MasterKey`]'s do.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Cek(KeyBytes<CEK_LEN>);

impl Cek {
    /// Copies raw key bytes in (the argument is the caller's copy, for the caller to wipe).
    pub fn from_bytes(bytes: [u8; CEK_LEN]) -> Self {
        Self(KeyBytes::from_array(&bytes))
    }

    /// Copies a 64-byte slice straight into the key's allocation; `None` for any other
    /// length.
    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        KeyBytes::from_slice(bytes).map(Self)
    }

    /// Draws a fresh random CEK.
    ///
    /// # Errors
    /// Fails only when the random generator fails.
    pub fn random<R: rand_core::TryCryptoRng + ?Sized>(rng: &mut R) -> Result<Self, R::Error> {
        KeyBytes::random(rng).map(Self)
    }

    /// MAC key: the first half, per RFC 7518 §5.2.2.1.
    pub fn mac_key(&self) -> &[u8] {
        &self.0.expose()[..CEK_LEN / 2]
    }

    /// AES-256 key: the second half.
    pub fn enc_key(&self) -> &[u8] {
        &self.0.expose()[CEK_LEN / 2..]
    }

    /// All 64 bytes (to wrap it with RSA).
    pub fn expose(&self) -> &[u8; CEK_LEN] {
        self.0.expose()
    }
}

impl fmt::Debug for Cek {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Cek([REDACTED])")
    }
}

/// Decrypted payload bytes: an HSM backup, a share payload, or a user's own secret.
#[derive(Clone, Default)]
pub struct Plaintext(Zeroizing<Vec<u8>>);

impl Plaintext {
    /// Takes ownership of bytes (they are wiped when this value drops).
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(Zeroizing::new(bytes))
    }

    /// The bytes. Callers must not copy them into non-zeroizing storage.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    /// Length in bytes (not secret).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Plaintext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Plaintext([REDACTED; {} bytes])", self.0.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let m = MasterKey::from_bytes([0xAB; 32]);
        let c = Cek::from_bytes([0xCD; 64]);
        let p = Plaintext::new(vec![0xEF; 5]);
        for s in [format!("{m:?}"), format!("{c:?}"), format!("{p:?}")] {
            assert!(s.contains("REDACTED"), "{s}");
            for needle in ["ab", "AB", "171", "cd", "CD", "205", "ef", "EF", "239"] {
                assert!(!s.contains(needle), "{s} leaks {needle}");
            }
        }
    }

    #[test]
    fn cek_halves() {
        let mut b = [0u8; 64];
        for (i, v) in b.iter_mut().enumerate() {
            *v = i as u8;
        }
        let c = Cek::from_bytes(b);
        assert_eq!(c.mac_key(), &b[..32]);
        assert_eq!(c.enc_key(), &b[32..]);
        assert!(Cek::from_slice(&b[..63]).is_none());
        assert_eq!(Cek::from_slice(&b).map(|c| *c.expose()), Some(b));
        assert_eq!(c.clone().expose(), c.expose());
    }

    #[test]
    fn master_key_from_slice_takes_exactly_32_bytes() {
        let b: Vec<u8> = (0..33).collect();
        assert!(MasterKey::from_slice(&b).is_none());
        assert!(MasterKey::from_slice(&b[..31]).is_none());
        let m = MasterKey::from_slice(&b[..32]).map(|m| *m.expose());
        assert_eq!(m.as_ref().map(|m| &m[..]), Some(&b[..32]));
        let k = MasterKey::from_bytes([9; 32]);
        assert!(k.clone().ct_eq(&k));
        assert!(!k.ct_eq(&MasterKey::from_bytes([8; 32])));
    }
}
