//! A SHA-256 digest of a file or a log line, as people compare it: lower-case hex.
//!
//! SD files, restore blobs, transcripts, ledgers and every file a ceremony touches are named
//! by their SHA-256, and the hash-chained logs link lines by it. One type for all of them
//! means a digest is parsed (and refused) once, where it enters, instead of being carried as
//! a string that each use decodes and quietly gives up on. (Certificates are named by their
//! own type, [`Thumbprint`](crate::Thumbprint), base64url as the SD writes it.)

use core::fmt;
use core::str::FromStr;

/// SHA-256 output.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sha256Digest([u8; 32]);

/// Number of hex digits in a digest.
const HEX_LEN: usize = 64;

impl Sha256Digest {
    /// All zeros: the `prev` of a hash-chained log's first line, and the head of an empty log.
    pub const ZERO: Sha256Digest = Sha256Digest([0; 32]);

    /// Hashes `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        Self(crate::provider::sha256(bytes))
    }

    /// Wraps 32 digest bytes computed elsewhere.
    pub const fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The digest bytes.
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Lower-case hex, 64 digits: the form sdkit prints and records.
    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Parses 64 hex digits, in either case (people copy digests from other tools).
    ///
    /// # Errors
    /// [`DigestParseError`] for a wrong length or a character that is not a hex digit.
    pub fn from_hex(text: &str) -> Result<Self, DigestParseError> {
        let mut nibbles = [0u8; HEX_LEN];
        let mut count = 0;
        for (position, character) in text.char_indices() {
            let Some(value) = character.to_digit(16) else {
                return Err(DigestParseError::NotHex {
                    character,
                    position,
                });
            };
            if let Some(slot) = nibbles.get_mut(count) {
                // A hex digit's value is below 16.
                *slot = value as u8;
            }
            count += 1;
        }
        if count != HEX_LEN {
            return Err(DigestParseError::WrongLength { len: text.len() });
        }
        let mut out = [0u8; 32];
        for (byte, pair) in out.iter_mut().zip(nibbles.chunks_exact(2)) {
            *byte = (pair[0] << 4) | pair[1];
        }
        Ok(Self(out))
    }
}

/// Lower-case hex.
impl fmt::Display for Sha256Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for Sha256Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sha256Digest({})", self.to_hex())
    }
}

/// Same as [`Sha256Digest::from_hex`].
impl FromStr for Sha256Digest {
    type Err = DigestParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_hex(s)
    }
}

/// As its lower-case hex string, the form in every JSON report and log.
impl serde::Serialize for Sha256Digest {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_hex())
    }
}

/// Why a string is not a hex SHA-256 digest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DigestParseError {
    /// Not 64 hex digits.
    WrongLength {
        /// Length found, in bytes.
        len: usize,
    },
    /// A character that is not a hex digit.
    NotHex {
        /// The character.
        character: char,
        /// Its byte offset in the input.
        position: usize,
    },
}

impl fmt::Display for DigestParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::WrongLength { len } => write!(
                f,
                "a SHA-256 digest is {HEX_LEN} hex digits, got {len} characters"
            ),
            Self::NotHex {
                character,
                position,
            } => write!(
                f,
                "{character:?} at position {position} is not a hex digit (a SHA-256 digest is {HEX_LEN} hex digits)"
            ),
        }
    }
}

impl std::error::Error for DigestParseError {}

#[cfg(test)]
mod tests {
    use super::*;

    // SHA-256("abc"), FIPS 180-2 test vector.
    const ABC_HEX: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    #[test]
    fn known_vector_and_forms() {
        let d = Sha256Digest::of(b"abc");
        assert_eq!(d.to_hex(), ABC_HEX);
        assert_eq!(d.to_string(), ABC_HEX);
        assert_eq!(format!("{d:?}"), format!("Sha256Digest({ABC_HEX})"));
        assert_eq!(serde_json::to_value(d).unwrap(), ABC_HEX);
        assert_eq!(Sha256Digest::from_bytes(*d.as_bytes()), d);
        assert_eq!(Sha256Digest::ZERO.to_hex(), "0".repeat(64));
    }

    #[test]
    fn parses_either_case() {
        let d = Sha256Digest::of(b"abc");
        assert_eq!(Sha256Digest::from_hex(ABC_HEX), Ok(d));
        assert_eq!(Sha256Digest::from_hex(&ABC_HEX.to_uppercase()), Ok(d));
        assert_eq!(ABC_HEX.parse::<Sha256Digest>(), Ok(d));
        for n in 0..=255u8 {
            let bytes = [n; 32];
            let hex = Sha256Digest::from_bytes(bytes).to_hex();
            assert_eq!(Sha256Digest::from_hex(&hex).unwrap().as_bytes(), &bytes);
            assert_eq!(
                Sha256Digest::from_hex(&hex.to_uppercase())
                    .unwrap()
                    .as_bytes(),
                &bytes
            );
        }
    }

    #[test]
    fn refuses_what_is_not_a_digest() {
        assert_eq!(
            Sha256Digest::from_hex(""),
            Err(DigestParseError::WrongLength { len: 0 })
        );
        assert_eq!(
            Sha256Digest::from_hex(&ABC_HEX[..63]),
            Err(DigestParseError::WrongLength { len: 63 })
        );
        assert_eq!(
            Sha256Digest::from_hex(&format!("{ABC_HEX}0")),
            Err(DigestParseError::WrongLength { len: 65 })
        );
        let g = format!("g{}", &ABC_HEX[1..]);
        assert_eq!(
            Sha256Digest::from_hex(&g),
            Err(DigestParseError::NotHex {
                character: 'g',
                position: 0
            })
        );
        let spaced = format!(" {}", &ABC_HEX[1..]);
        assert!(matches!(
            Sha256Digest::from_hex(&spaced),
            Err(DigestParseError::NotHex { character: ' ', .. })
        ));
        let err = Sha256Digest::from_hex("é").unwrap_err();
        assert!(err.to_string().contains("not a hex digit"), "{err}");
    }
}
