//! The certificate thumbprint that links a share to its custodian.
//!
//! `x5t_256` in the SD file is base64url (unpadded) of SHA-256 over the custodian's
//! certificate DER. It is the only link between a share and a key: the JWE `kid` is opaque.
//! This is the one thumbprint type of the workspace: sdkit-certs computes it for the
//! certificates it loads and re-exports it, so the CLI never converts between two.
//!
//! Users compare thumbprints by eye, so besides the base64url form of the JSON there is the
//! colon-separated hex form that `openssl x509 -fingerprint -sha256` prints.

use crate::b64;
use base64ct::{Base64UrlUnpadded, Encoding};
use core::fmt;
use core::str::FromStr;

/// SHA-256 over a certificate's DER encoding (JOSE `x5t#S256`, Azure `x5t_256`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Thumbprint([u8; 32]);

/// Length of the unpadded base64url form of a [`Thumbprint`].
const B64_LEN: usize = 43;

impl Thumbprint {
    /// Computes the thumbprint of a DER-encoded certificate.
    pub fn of_certificate_der(der: &[u8]) -> Self {
        Self(crate::provider::sha256(der))
    }

    /// Wraps 32 digest bytes computed elsewhere.
    pub const fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// Parses the base64url form found in SD files and JWKs: 43 characters, or 44 with the
    /// one `=` of padding some tools add (the `az` CLI pads before decoding).
    ///
    /// # Errors
    /// [`ThumbprintError`] for a character outside the base64url alphabet, a wrong length,
    /// or non-canonical trailing bits.
    pub fn parse(text: &str) -> Result<Self, ThumbprintError> {
        let trimmed = text.strip_suffix('=').unwrap_or(text);
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

    /// The digest bytes.
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// base64url without padding, 43 characters: the form written into SD files.
    pub fn to_base64url(&self) -> String {
        b64::encode(&self.0)
    }

    /// Lower-case hex, 64 characters.
    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Colon-separated upper-case hex, as `openssl x509 -noout -fingerprint -sha256` prints
    /// it (`AB:CD:...`, 95 characters), for people comparing against that output.
    pub fn to_hex_fingerprint(&self) -> String {
        let pairs: Vec<String> = self.0.iter().map(|b| format!("{b:02X}")).collect();
        pairs.join(":")
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

impl fmt::Debug for Thumbprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Thumbprint({})", self.to_base64url())
    }
}

/// Same as [`Thumbprint::parse`].
impl FromStr for Thumbprint {
    type Err = ThumbprintError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// Why a string is not a base64url SHA-256 thumbprint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ThumbprintError {
    /// Not 43 characters (after removing one `=` of padding).
    WrongLength {
        /// Length found.
        len: usize,
    },
    /// A character outside the base64url alphabet (`A-Z a-z 0-9 - _`), or padding other
    /// than one final `=`. `+` or `/` here means standard base64 was given instead.
    InvalidCharacter {
        /// The character.
        character: char,
        /// Its byte offset in the input.
        position: usize,
    },
    /// The last character carries bits beyond the 32 bytes, so this is not the encoding of
    /// any SHA-256 value (usually a typo in the last character).
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
mod tests {
    use super::*;

    // SHA-256("abc"), FIPS 180-2 test vector.
    const ABC_HEX: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    const ABC_B64URL: &str = "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0";

    #[test]
    fn known_vector() {
        let t = Thumbprint::of_certificate_der(b"abc");
        assert_eq!(t.to_hex(), ABC_HEX);
        assert_eq!(t.to_base64url(), ABC_B64URL);
        assert_eq!(t.to_string(), ABC_B64URL);
        assert_eq!(format!("{t:?}"), format!("Thumbprint({ABC_B64URL})"));
        assert_eq!(
            t.to_hex_fingerprint(),
            "BA:78:16:BF:8F:01:CF:EA:41:41:40:DE:5D:AE:22:23:B0:03:61:A3:96:17:7A:9C:B4:10:FF:61:F2:00:15:AD"
        );
    }

    #[test]
    fn parse_round_trip_and_padding() {
        let t = Thumbprint::of_certificate_der(b"abc");
        assert_eq!(Thumbprint::parse(ABC_B64URL), Ok(t));
        assert_eq!(Thumbprint::parse(&format!("{ABC_B64URL}=")), Ok(t));
        assert_eq!(ABC_B64URL.parse::<Thumbprint>(), Ok(t));
        assert_eq!(Thumbprint::from_bytes(*t.as_bytes()), t);
        assert_eq!(Thumbprint::from(*t.as_bytes()), t);
    }

    #[test]
    fn parse_errors() {
        assert_eq!(
            Thumbprint::parse(&ABC_B64URL[..42]),
            Err(ThumbprintError::WrongLength { len: 42 })
        );
        assert_eq!(
            Thumbprint::parse(""),
            Err(ThumbprintError::WrongLength { len: 0 })
        );
        assert_eq!(
            Thumbprint::parse(&format!("{ABC_B64URL}AAAA")),
            Err(ThumbprintError::WrongLength { len: 47 })
        );
        // Only one `=` of padding: 43 characters need exactly one.
        assert_eq!(
            Thumbprint::parse(&format!("{ABC_B64URL}==")),
            Err(ThumbprintError::InvalidCharacter {
                character: '=',
                position: 43
            })
        );
        let standard = ABC_B64URL.replace('-', "+");
        let err = Thumbprint::parse(&standard).unwrap_err();
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
            Thumbprint::parse(&noncanonical),
            Err(ThumbprintError::NonCanonical)
        );
        assert_eq!(
            Thumbprint::parse(&format!(" {ABC_B64URL}")),
            Err(ThumbprintError::InvalidCharacter {
                character: ' ',
                position: 0
            })
        );
    }
}
