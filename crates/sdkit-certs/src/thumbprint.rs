//! The SHA-256 certificate thumbprint (JOSE `x5t#S256`).
//!
//! A security domain names each custodian's wrapping key by the thumbprint
//! of its certificate (the `x5t_256` fields), so this is how a file on disk
//! is matched to a share. Users compare thumbprints by eye, so both the
//! base64url form used in the JSON and the colon-separated hex form that
//! `openssl x509 -fingerprint -sha256` prints are provided.

use core::fmt;
use core::str::FromStr;

use base64ct::{Base64UrlUnpadded, Encoding};
use sha2::{Digest, Sha256};

/// SHA-256 over a certificate's DER encoding.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Thumbprint([u8; 32]);

/// Length of the unpadded base64url form of a [`Thumbprint`].
const B64_LEN: usize = 43;

impl Thumbprint {
    /// Computes the thumbprint of a certificate given as DER.
    pub fn from_cert_der(der: &[u8]) -> Self {
        Self(Sha256::digest(der).into())
    }

    /// Wraps an already computed SHA-256 value (e.g. from `sdkit-core`'s own
    /// thumbprint type).
    pub const fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The raw 32 bytes.
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Unpadded base64url, 43 characters: the form in `x5t#S256` and in a
    /// security domain's `x5t_256` fields.
    pub fn to_base64url(&self) -> String {
        Base64UrlUnpadded::encode_string(&self.0)
    }

    /// Parses the base64url form. Trailing `=` padding is tolerated (some
    /// tools add it); anything else must be exactly 43 base64url characters.
    ///
    /// # Errors
    /// [`ThumbprintError`] for a wrong length, a character outside the
    /// base64url alphabet, or non-canonical trailing bits.
    pub fn parse_base64url(s: &str) -> Result<Self, ThumbprintError> {
        let trimmed = s.trim_end_matches('=');
        if let Some((position, character)) = trimmed
            .char_indices()
            .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
        {
            return Err(ThumbprintError::InvalidCharacter {
                character,
                position,
            });
        }
        if trimmed.len() != B64_LEN {
            return Err(ThumbprintError::WrongLength { len: trimmed.len() });
        }
        let mut out = [0u8; 32];
        Base64UrlUnpadded::decode(trimmed, &mut out).map_err(|_| ThumbprintError::NonCanonical)?;
        Ok(Self(out))
    }

    /// Colon-separated uppercase hex, as `openssl x509 -noout -fingerprint
    /// -sha256` prints it (e.g. `AB:CD:...`, 95 characters).
    pub fn to_hex_fingerprint(&self) -> String {
        let mut out = String::with_capacity(32 * 3);
        for (i, b) in self.0.iter().enumerate() {
            if i > 0 {
                out.push(':');
            }
            out.push_str(&format!("{b:02X}"));
        }
        out
    }
}

impl From<[u8; 32]> for Thumbprint {
    fn from(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }
}

/// The base64url form.
impl fmt::Display for Thumbprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_base64url())
    }
}

/// Same as [`Thumbprint::parse_base64url`].
impl FromStr for Thumbprint {
    type Err = ThumbprintError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse_base64url(s)
    }
}

/// Why a string is not a base64url SHA-256 thumbprint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ThumbprintError {
    /// Not 43 characters (after removing `=` padding).
    WrongLength {
        /// Length found.
        len: usize,
    },
    /// A character outside the base64url alphabet (`A-Z a-z 0-9 - _`).
    /// `+` or `/` here means standard base64 was given instead.
    InvalidCharacter {
        /// The character.
        character: char,
        /// Its byte offset in the input.
        position: usize,
    },
    /// The last character carries bits beyond the 32 bytes, so this is not
    /// the encoding of any SHA-256 value (usually a typo in the last
    /// character).
    NonCanonical,
}

impl fmt::Display for ThumbprintError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::WrongLength { len } => write!(
                f,
                "a SHA-256 thumbprint is {B64_LEN} base64url characters, got {len}"
            ),
            Self::InvalidCharacter {
                character: c @ ('+' | '/'),
                position,
            } => write!(
                f,
                "'{c}' at position {position} is standard base64, not base64url (use '-' for '+' \
                 and '_' for '/')"
            ),
            Self::InvalidCharacter {
                character,
                position,
            } => write!(
                f,
                "{character:?} at position {position} is not a base64url character"
            ),
            Self::NonCanonical => {
                f.write_str("not a valid base64url SHA-256 thumbprint (check the last character)")
            }
        }
    }
}

impl std::error::Error for ThumbprintError {}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    // SHA-256("abc"), FIPS 180-2 test vector.
    const ABC_HEX: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    const ABC_B64URL: &str = "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0";

    #[test]
    fn known_vector() {
        let t = Thumbprint::from_cert_der(b"abc");
        assert_eq!(hex::encode(t.as_bytes()), ABC_HEX);
        assert_eq!(t.to_base64url(), ABC_B64URL);
        assert_eq!(t.to_string(), ABC_B64URL);
        assert_eq!(
            t.to_hex_fingerprint(),
            "BA:78:16:BF:8F:01:CF:EA:41:41:40:DE:5D:AE:22:23:B0:03:61:A3:96:17:7A:9C:B4:10:FF:61:F2:00:15:AD"
        );
    }

    #[test]
    fn parse_round_trip_and_padding() {
        let t = Thumbprint::from_cert_der(b"abc");
        assert_eq!(Thumbprint::parse_base64url(ABC_B64URL), Ok(t));
        assert_eq!(
            Thumbprint::parse_base64url(&format!("{ABC_B64URL}=")),
            Ok(t)
        );
        assert_eq!(ABC_B64URL.parse::<Thumbprint>(), Ok(t));
        assert_eq!(Thumbprint::from_bytes(*t.as_bytes()), t);
        assert_eq!(Thumbprint::from(*t.as_bytes()), t);
    }

    #[test]
    fn parse_errors() {
        assert_eq!(
            Thumbprint::parse_base64url(&ABC_B64URL[..42]),
            Err(ThumbprintError::WrongLength { len: 42 })
        );
        assert_eq!(
            Thumbprint::parse_base64url(""),
            Err(ThumbprintError::WrongLength { len: 0 })
        );
        let standard = ABC_B64URL.replace('-', "+");
        let err = Thumbprint::parse_base64url(&standard).expect_err("standard alphabet");
        assert_eq!(
            err,
            ThumbprintError::InvalidCharacter {
                character: '+',
                position: 9
            }
        );
        assert!(err.to_string().contains("standard base64"));
        // Last char '0' → 'b' sets trailing bits that no 32-byte value has.
        let noncanonical = format!("{}b", &ABC_B64URL[..42]);
        assert_eq!(
            Thumbprint::parse_base64url(&noncanonical),
            Err(ThumbprintError::NonCanonical)
        );
        assert!(matches!(
            Thumbprint::parse_base64url(&format!(" {ABC_B64URL}")),
            Err(ThumbprintError::InvalidCharacter {
                character: ' ',
                position: 0
            })
        ));
    }
}
