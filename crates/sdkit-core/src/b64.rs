//! base64url as the format uses it: written without padding, read with or without it.
//!
//! Azure writes every JWE part and thumbprint unpadded; the `az` CLI appends `===` before
//! decoding, so padded input is tolerated here too. Anything else (the standard alphabet,
//! whitespace, non-canonical trailing bits) is rejected, because a parser that guesses is a
//! parser that two tools read differently.
//!
//! Everything decoded here is public (JWE headers, wrapped keys, IVs, ciphertexts, tags and
//! thumbprints), so it is decoded with the `base64` crate's table-driven decoder, several
//! times faster than `base64ct`'s constant-time one, which stays for secrets (PEM keys):
//! decoding a security domain's 15 KB of base64url was half the time of reading it, on the
//! drill's critical path. Encoding, rare and short, stays on `base64ct`.

use base64::Engine;
use base64::alphabet::URL_SAFE;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64ct::{Base64UrlUnpadded, Encoding};
use core::fmt;

/// base64url without padding (the caller strips and checks it), canonical trailing bits only.
const URL_UNPADDED_STRICT: GeneralPurpose = GeneralPurpose::new(
    &URL_SAFE,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::RequireNone)
        .with_decode_allow_trailing_bits(false),
);

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
    URL_UNPADDED_STRICT
        .decode(trimmed)
        .map_err(|_| Base64UrlError)
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
        /// Accepts exactly what `base64ct`'s strict unpadded decoder accepts (after the
        /// padding rule), with the same bytes: strings over the alphabet plus a few
        /// characters it must refuse.
        #[test]
        fn agrees_with_base64ct(text in "[A-Za-z0-9_+/= -]{0,40}") {
            let trimmed = text.trim_end_matches('=');
            let padding = text.len() - trimmed.len();
            let want = if padding > 2 || (padding > 0 && !text.len().is_multiple_of(4)) {
                None
            } else {
                Base64UrlUnpadded::decode_vec(trimmed).ok()
            };
            proptest::prop_assert_eq!(decode(&text).ok(), want);
        }

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
