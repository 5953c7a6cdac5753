//! The head a witness wrote down, given back as `--expect-head`: a hash chain cannot show an
//! edit to its last line or lines cut from its end, so `ledger verify` and `transcript
//! verify` compare the file's head with the one recorded at the ceremony.

use crate::render::words;
use sdkit_core::digest::Sha256Digest;
use std::fmt;
use std::str::FromStr;

/// The fewest hex digits accepted: what sdkit prints after every append.
pub const MIN_HEX_DIGITS: usize = 16;

/// A head as written down: a hex prefix of the hash, or its six read-aloud words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExpectedHead {
    /// Lower-case hex, 16 to 64 digits: a prefix of the head.
    Hex(String),
    /// The six BIP-39 words, lower case.
    Words(Vec<String>),
}

impl FromStr for ExpectedHead {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let t = s.trim().to_ascii_lowercase();
        if t.bytes().all(|b| b.is_ascii_hexdigit()) && !t.is_empty() {
            return if (MIN_HEX_DIGITS..=64).contains(&t.len()) {
                Ok(ExpectedHead::Hex(t))
            } else {
                Err(format!(
                    "{} hex digits: give at least the first {MIN_HEX_DIGITS} (as sdkit printed them) and at most 64",
                    t.len()
                ))
            };
        }
        let words: Vec<String> = t
            .split(|c: char| c == '-' || c == ',' || c.is_whitespace())
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect();
        if words.len() == 6
            && words
                .iter()
                .all(|w| w.bytes().all(|b| b.is_ascii_lowercase()))
        {
            Ok(ExpectedHead::Words(words))
        } else {
            Err("give the head's hash (at least its first 16 hex digits) or its six read-aloud words"
                .to_owned())
        }
    }
}

impl ExpectedHead {
    /// Whether `head` is the one written down.
    pub fn matches(&self, head: &Sha256Digest) -> bool {
        match self {
            ExpectedHead::Hex(prefix) => head.to_hex().starts_with(prefix.as_str()),
            ExpectedHead::Words(w) => words(head.as_bytes()) == w.join("-"),
        }
    }
}

impl fmt::Display for ExpectedHead {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExpectedHead::Hex(h) => f.write_str(h),
            ExpectedHead::Words(w) => f.write_str(&w.join("-")),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const HEAD: &str = "00200000000000000000000000000000000000000000000000000000000000ff";

    fn digest(hex: &str) -> Sha256Digest {
        Sha256Digest::from_hex(hex).unwrap()
    }

    #[test]
    fn hex_prefixes_and_words_match_only_their_head() {
        let words = words(digest(HEAD).as_bytes());
        for good in [
            HEAD.to_owned(),
            HEAD[..16].to_owned(),
            HEAD[..16].to_uppercase(),
            words.clone(),
            words.replace('-', " "),
            format!("  {}  ", words.to_uppercase()),
        ] {
            let e: ExpectedHead = good.parse().unwrap();
            assert!(e.matches(&digest(HEAD)), "{good}");
        }
        let other = "10200000000000000000000000000000000000000000000000000000000000ff";
        for e in [HEAD[..16].to_owned(), words] {
            assert!(!e.parse::<ExpectedHead>().unwrap().matches(&digest(other)));
        }
    }

    #[test]
    fn refuses_what_cannot_identify_a_head() {
        for bad in [
            "",
            "abc",
            &HEAD[..15],
            "one two three",
            "a-b-c-d-e-f-g",
            "é-b-c-d-e-f",
        ] {
            assert!(bad.parse::<ExpectedHead>().is_err(), "{bad:?}");
        }
        let too_long = format!("{HEAD}0");
        assert!(too_long.parse::<ExpectedHead>().is_err());
    }
}
