//! base64url as the format uses it: written without padding, read with or without it.
//!
//! Azure writes every JWE part and thumbprint unpadded; the `az` CLI appends `===` before
//! decoding, so padded input is tolerated here too. Anything else (the standard alphabet,
//! whitespace, non-canonical trailing bits) is rejected, because a parser that guesses is a
//! parser that two tools read differently.
//!
//! `base64ct` is the workspace's one base64 crate (docs/DESIGN.md, "Crate boundaries"): its
//! constant-time decoder is slower than a table-driven one (about 2 ns a character here),
//! which costs a real security domain's parse some tens of microseconds and the 1.5 MB
//! N = 127 benchmark SD about 3 ms of CPU, beside the keys' parsing, against milliseconds
//! of RSA in every command that opens shares.

use base64ct::{Base64UrlUnpadded, Encoding};
use core::fmt;

/// A string that is not valid base64url.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Base64UrlError;

impl fmt::Display for Base64UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not valid base64url (expected A-Z a-z 0-9 - _ with no line breaks)")
    }
}

impl std::error::Error for Base64UrlError {}

/// Decodes base64url, with or without `=` padding.
///
/// # Errors
/// [`Base64UrlError`] for any character outside the URL-safe alphabet, a length that cannot
/// be base64, or non-zero trailing bits.
pub fn decode(text: &str) -> Result<Vec<u8>, Base64UrlError> {
    let trimmed = text.trim_end_matches('=');
    let padding = text.len() - trimmed.len();
    // At most two padding characters, and only where padding belongs.
    if padding > 2 || (padding > 0 && !text.len().is_multiple_of(4)) {
        return Err(Base64UrlError);
    }
    Base64UrlUnpadded::decode_vec(trimmed).map_err(|_| Base64UrlError)
}

/// Encodes as base64url without padding.
pub fn encode(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_padding() {
        for len in 0..40 {
            let v: Vec<u8> = (0..len as u8).collect();
            let s = encode(&v);
            assert!(!s.contains('='));
            assert_eq!(decode(&s).unwrap(), v);
            let pad = (4 - s.len() % 4) % 4;
            let padded = format!("{s}{}", "=".repeat(pad));
            assert_eq!(decode(&padded).unwrap(), v);
        }
    }

    proptest::proptest! {
        /// Every byte string round-trips.
        #[test]
        fn any_bytes_round_trip(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..100)) {
            proptest::prop_assert_eq!(decode(&encode(&bytes)).unwrap(), bytes);
        }
    }

    #[test]
    fn rejects_bad_input() {
        for bad in ["a", "ab+c", "ab/c", "ab c", "ab\nc", "abc===", "YQ=", "YR"] {
            assert!(decode(bad).is_err(), "{bad:?} accepted");
        }
    }
}
