//! The share payload inside each holder's JWE: `L` little-endian `u16` words, one per secret
//! byte, each `(x << 9) | y` with x in bits 15..9 and y (0..=256) in bits 8..0.
//!
//! The `az` CLI's own encoder shifts x by 8, which is wrong and never runs (the HSM makes the
//! shares); this module always writes `<< 9`, which the HSM and the CLI's decoder read.

use crate::shamir::{Share, ShareError};
use core::fmt;
use zeroize::Zeroizing;

/// Why a decrypted share payload is not a valid share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShareDecodeError {
    /// Empty or odd length: not a sequence of 16-bit words.
    BadLength {
        /// The payload length in bytes.
        len: usize,
    },
    /// Words disagree about x: the payload is corrupt or spliced from several shares.
    MixedX {
        /// x of the first word.
        first: u8,
        /// Index of the first word that disagrees.
        word: usize,
    },
    /// x = 0 would make the share the secret itself.
    ZeroX,
    /// A y value above 256 is not an element of GF(257).
    ValueOutOfField {
        /// Index of the first offending word.
        word: usize,
    },
}

impl fmt::Display for ShareDecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ShareDecodeError::BadLength { len } => {
                write!(
                    f,
                    "share payload is {len} bytes, not a non-empty whole number of 16-bit words"
                )
            }
            ShareDecodeError::MixedX { first, word } => write!(
                f,
                "share payload mixes x coordinates (word {word} differs from x = {first}): it is corrupt"
            ),
            ShareDecodeError::ZeroX => {
                f.write_str("share payload has x = 0, which no holder can have")
            }
            ShareDecodeError::ValueOutOfField { word } => {
                write!(
                    f,
                    "share payload word {word} holds a value above 256: it is corrupt"
                )
            }
        }
    }
}

impl std::error::Error for ShareDecodeError {}

/// Decodes a share payload.
///
/// # Errors
/// [`ShareDecodeError`] for a bad length, mixed or zero x, or y above 256.
pub fn decode(payload: &[u8]) -> Result<Share, ShareDecodeError> {
    if payload.is_empty() || !payload.len().is_multiple_of(2) {
        return Err(ShareDecodeError::BadLength { len: payload.len() });
    }
    let mut ys = Zeroizing::new(Vec::with_capacity(payload.len() / 2));
    let mut x_first = None;
    // Structure errors (x) are about public layout; y checks avoid early exit per value.
    let mut first_bad_y = None;
    for (i, pair) in payload.chunks_exact(2).enumerate() {
        let word = u16::from_le_bytes([pair[0], pair[1]]);
        let x = (word >> 9) as u8;
        let y = word & 0x1FF;
        match x_first {
            None => x_first = Some(x),
            Some(first) if first != x => return Err(ShareDecodeError::MixedX { first, word: i }),
            Some(_) => {}
        }
        if y > 256 && first_bad_y.is_none() {
            first_bad_y = Some(i);
        }
        ys.push(y);
    }
    if let Some(word) = first_bad_y {
        return Err(ShareDecodeError::ValueOutOfField { word });
    }
    let x = x_first.unwrap_or(0);
    if x == 0 {
        return Err(ShareDecodeError::ZeroX);
    }
    Share::new(usize::from(x), ys).map_err(|e| match e {
        ShareError::BadX { .. } => ShareDecodeError::ZeroX,
        ShareError::ValueOutOfField => ShareDecodeError::ValueOutOfField { word: 0 },
        ShareError::Empty => ShareDecodeError::BadLength { len: 0 },
    })
}

/// Encodes a share as its payload bytes (secret: zeroized on drop).
pub fn encode(share: &Share) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(Vec::with_capacity(share.len() * 2));
    let x = u16::from(share.x()) << 9;
    for &y in share.values() {
        out.extend_from_slice(&(x | y).to_le_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_y_256_and_x_127() {
        let words: [u16; 3] = [(127 << 9) | 256, (127 << 9), (127 << 9) | 5];
        let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
        let share = decode(&bytes).unwrap();
        assert_eq!(share.x(), 127);
        assert_eq!(share.values(), &[256, 0, 5]);
        assert_eq!(&encode(&share)[..], &bytes[..]);
    }

    #[test]
    fn rejects_malformed() {
        assert_eq!(
            decode(&[]).unwrap_err(),
            ShareDecodeError::BadLength { len: 0 }
        );
        assert_eq!(
            decode(&[1, 2, 3]).unwrap_err(),
            ShareDecodeError::BadLength { len: 3 }
        );
        let mixed: Vec<u8> = [(1u16 << 9) | 3, (2 << 9) | 3]
            .iter()
            .flat_map(|w| w.to_le_bytes())
            .collect();
        assert_eq!(
            decode(&mixed).unwrap_err(),
            ShareDecodeError::MixedX { first: 1, word: 1 }
        );
        let zero: Vec<u8> = [3u16, 4].iter().flat_map(|w| w.to_le_bytes()).collect();
        assert_eq!(decode(&zero).unwrap_err(), ShareDecodeError::ZeroX);
        let big: Vec<u8> = [(1u16 << 9) | 257]
            .iter()
            .flat_map(|w| w.to_le_bytes())
            .collect();
        assert_eq!(
            decode(&big).unwrap_err(),
            ShareDecodeError::ValueOutOfField { word: 0 }
        );
    }
}
