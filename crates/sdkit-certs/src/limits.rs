//! The numbers this crate accepts: RSA sizes for loading and for generating, and how long a
//! generated certificate may be valid. A leaf module, so that the operations and the errors
//! that quote these limits both read them from here instead of from each other.

use core::fmt;

/// Smallest RSA modulus accepted, in bits. Smaller keys are refused
/// outright: the key protects an HSM's entire security domain.
pub const MIN_RSA_BITS: usize = 2048;

/// Largest RSA modulus accepted, in bits: the limit of both RSA backends (Managed HSM itself
/// takes wrapping keys up to 4096 bits).
pub const MAX_RSA_BITS: usize = 8192;

/// Longest validity accepted, in days (about 100 years). Expiry does not
/// stop a key from opening a security domain, so long lives are legitimate;
/// this bound only catches typos.
pub const MAX_VALIDITY_DAYS: u32 = 36_500;

/// RSA modulus sizes offered for generated keys.
///
/// The default is [`KeySize::Rsa3072`]: about 128-bit security (NIST SP
/// 800-57 part 1), which NIST considers adequate beyond 2030, whereas 2048
/// bits (112-bit security) is only approved until then. A wrapping key may
/// sit in a safe for many years before it is needed, so the margin is worth
/// the slightly slower generation and decryption. Azure accepts any of the
/// three for security-domain wrapping keys.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeySize {
    /// 2048 bits: the minimum Azure and this crate accept; fastest.
    Rsa2048,
    /// 3072 bits: the default.
    #[default]
    Rsa3072,
    /// 4096 bits: the size of the HSM's own exchange key.
    Rsa4096,
}

impl KeySize {
    /// Every offered size, smallest first.
    pub const ALL: [KeySize; 3] = [Self::Rsa2048, Self::Rsa3072, Self::Rsa4096];

    /// The allowed sizes as shown in error messages and help text.
    pub const ALLOWED_DESCRIPTION: &'static str = "2048, 3072 and 4096 bits";

    /// The modulus length in bits.
    pub const fn bits(self) -> usize {
        match self {
            Self::Rsa2048 => 2048,
            Self::Rsa3072 => 3072,
            Self::Rsa4096 => 4096,
        }
    }
}

/// `RSA-3072` style.
impl fmt::Display for KeySize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RSA-{}", self.bits())
    }
}
