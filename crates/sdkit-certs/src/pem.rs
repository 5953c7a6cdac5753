//! A lenient PEM reader.
//!
//! Strict RFC 7468 readers (`pem-rfc7468`, and therefore `der`, `pkcs8` and
//! `x509-cert`) reject files that real users have:
//!
//! * `az keyvault security-domain init-recovery` writes the exchange
//!   certificate with 65-character base64 lines and no final newline;
//! * `openssl x509 -text` puts a human-readable dump before the block;
//! * Windows tools write CRLF line endings (and sometimes a UTF-8 BOM);
//! * legacy OpenSSL keys carry `Proc-Type:`/`DEK-Info:` headers.
//!
//! The `pem` crate is not used because it keeps the base64 text and decoded
//! bytes in ordinary `String`/`Vec` buffers; a block may hold a private key,
//! so here both live in [`Zeroizing`] buffers.

use core::fmt;

use base64ct::{Base64, Base64Unpadded, Encoding};
use zeroize::Zeroizing;

/// One `-----BEGIN label-----` ... `-----END label-----` block.
///
/// `Debug` shows the label, headers and the length of the decoded bytes, never
/// the bytes themselves, because they may be a private key.
#[derive(Clone)]
pub struct PemBlock {
    /// The label between `BEGIN ` and the closing dashes, e.g. `CERTIFICATE`.
    pub label: String,
    /// RFC 1421 headers (`Name: value`) found before the base64 body, in
    /// order, with surrounding whitespace trimmed. Empty for modern PEM.
    pub headers: Vec<(String, String)>,
    /// The decoded body, zeroed on drop since it may be private-key DER.
    pub der: Zeroizing<Vec<u8>>,
}

impl PemBlock {
    /// The value of the first header called `name` (ASCII case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

impl fmt::Debug for PemBlock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PemBlock")
            .field("label", &self.label)
            .field("headers", &self.headers)
            .field("der_len", &self.der.len())
            .finish()
    }
}

/// Why PEM text could not be decoded. Line numbers are 1-based; messages
/// never quote the offending text, which may be part of a private key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PemError {
    /// A `BEGIN` line has no matching `END` line before the input ends or
    /// another `BEGIN` line starts (usually a truncated copy-paste).
    Unterminated {
        /// Label of the unterminated block.
        label: String,
        /// Line of its `BEGIN`.
        line: usize,
    },
    /// The `END` label differs from the `BEGIN` label.
    MismatchedEnd {
        /// Label on the `BEGIN` line.
        begin: String,
        /// Label on the `END` line.
        end: String,
        /// Line of the `END`.
        line: usize,
    },
    /// A body line holds a character that is not base64 (or a header line
    /// appears after the base64 body has started).
    InvalidCharacter {
        /// Label of the block.
        label: String,
        /// Line of the offending character.
        line: usize,
    },
    /// The body characters are all base64 but do not decode (bad length or
    /// misplaced padding), typically a truncated or edited block.
    InvalidBase64 {
        /// Label of the block.
        label: String,
    },
}

impl fmt::Display for PemError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unterminated { label, line } => write!(
                f,
                "PEM block \"{label}\" starting at line {line} has no matching END line (is the file truncated?)"
            ),
            Self::MismatchedEnd { begin, end, line } => write!(
                f,
                "PEM block \"{begin}\" is closed by \"END {end}\" at line {line}"
            ),
            Self::InvalidCharacter { label, line } => write!(
                f,
                "PEM block \"{label}\" has a non-base64 character at line {line}"
            ),
            Self::InvalidBase64 { label } => write!(
                f,
                "PEM block \"{label}\" is not valid base64 (is it truncated or edited?)"
            ),
        }
    }
}

impl std::error::Error for PemError {}

/// Decodes every PEM block in `text`, tolerating the quirks listed in the
/// module docs: any base64 line width, a missing final newline, LF or CRLF,
/// a leading UTF-8 BOM, indentation, text before, between and after blocks,
/// and RFC 1421 headers (`Proc-Type:`, `DEK-Info:`).
///
/// Returns an empty vector when `text` contains no `-----BEGIN` line at all,
/// so that callers can fall back to treating the input as DER.
///
/// # Errors
/// [`PemError`] when a block is opened but is unterminated, mislabelled at
/// its end, or its body is not base64.
pub fn decode_pem_lenient(text: &[u8]) -> Result<Vec<PemBlock>, PemError> {
    let text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text);
    let mut blocks = Vec::new();
    let mut open: Option<OpenBlock> = None;

    for (index, raw) in text.split(|&b| b == b'\n').enumerate() {
        let line_no = index + 1;
        let line = raw.trim_ascii();
        let Some(block) = open.as_mut() else {
            if let Some(label) = marker_label(line, b"-----BEGIN ") {
                open = Some(OpenBlock::new(label, line_no, text.len()));
            }
            continue;
        };
        if let Some(end) = marker_label(line, b"-----END ").or_else(|| {
            // An END line with a broken tail still ends the block; report it.
            line.strip_prefix(b"-----END ")
                .map(|rest| String::from_utf8_lossy(rest).into_owned())
        }) {
            if end != block.label {
                return Err(PemError::MismatchedEnd {
                    begin: block.label.clone(),
                    end,
                    line: line_no,
                });
            }
            if let Some(done) = open.take() {
                blocks.push(done.finish()?);
            }
            continue;
        }
        if line.starts_with(b"-----BEGIN ") {
            return Err(PemError::Unterminated {
                label: block.label.clone(),
                line: block.line,
            });
        }
        block.push_line(raw, line, line_no)?;
    }

    match open {
        Some(block) => Err(PemError::Unterminated {
            label: block.label,
            line: block.line,
        }),
        None => Ok(blocks),
    }
}

/// If `line` is `prefix` + label + `-----` with a printable-ASCII label,
/// returns the label.
fn marker_label(line: &[u8], prefix: &[u8]) -> Option<String> {
    let label = line.strip_prefix(prefix)?.strip_suffix(b"-----")?;
    if label.iter().all(|b| (0x20..0x7f).contains(b)) {
        String::from_utf8(label.to_vec()).ok()
    } else {
        None
    }
}

/// A block between its `BEGIN` and `END` lines.
struct OpenBlock {
    label: String,
    line: usize,
    headers: Vec<(String, String)>,
    /// The last line was a header, so an indented line continues it.
    in_header: bool,
    /// Concatenated base64 characters; as secret as the decoded key.
    body: Zeroizing<Vec<u8>>,
}

impl OpenBlock {
    /// `max_body` bounds the body's length (the length of the whole text will do): the body
    /// is allocated once at that size, because a growing `Vec` would leave copies of the
    /// key's base64 behind in freed memory that `Zeroizing` never wipes.
    fn new(label: String, line: usize, max_body: usize) -> Self {
        Self {
            label,
            line,
            headers: Vec::new(),
            in_header: false,
            body: Zeroizing::new(Vec::with_capacity(max_body)),
        }
    }

    /// Adds one body line: `raw` is untrimmed (to see RFC 1421 continuation
    /// indentation), `line` is trimmed.
    fn push_line(&mut self, raw: &[u8], line: &[u8], line_no: usize) -> Result<(), PemError> {
        if line.is_empty() {
            // The blank line that separates headers from the body, or noise.
            self.in_header = false;
            return Ok(());
        }
        let indented = raw.first().is_some_and(|b| *b == b' ' || *b == b'\t');
        if self.in_header && indented {
            if let Some((_, value)) = self.headers.last_mut() {
                value.push_str(String::from_utf8_lossy(line).trim());
            }
            return Ok(());
        }
        if self.body.is_empty() {
            if let Some(colon) = line.iter().position(|&b| b == b':') {
                let name = String::from_utf8_lossy(&line[..colon]).trim().to_owned();
                let value = String::from_utf8_lossy(&line[colon + 1..])
                    .trim()
                    .to_owned();
                self.headers.push((name, value));
                self.in_header = true;
                return Ok(());
            }
        }
        self.in_header = false;
        for &b in line {
            if b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'=' {
                self.body.push(b);
            } else if !b.is_ascii_whitespace() {
                return Err(PemError::InvalidCharacter {
                    label: self.label.clone(),
                    line: line_no,
                });
            }
        }
        Ok(())
    }

    fn finish(self) -> Result<PemBlock, PemError> {
        let invalid = || PemError::InvalidBase64 {
            label: self.label.clone(),
        };
        let mut der = Zeroizing::new(vec![0u8; self.body.len() / 4 * 3 + 3]);
        let decoded_len = match Base64::decode(&*self.body, &mut der) {
            Ok(decoded) => decoded.len(),
            // Tolerate a missing `=` padding, never a misplaced one.
            Err(_) if !self.body.contains(&b'=') => Base64Unpadded::decode(&*self.body, &mut der)
                .map_err(|_| invalid())?
                .len(),
            Err(_) => return Err(invalid()),
        };
        der.truncate(decoded_len);
        Ok(PemBlock {
            label: self.label,
            headers: self.headers,
            der,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    const HELLO_B64: &str = "aGVsbG8gd29ybGQ="; // "hello world"

    fn one(text: &str) -> PemBlock {
        let mut blocks = decode_pem_lenient(text.as_bytes()).expect("decodes");
        assert_eq!(blocks.len(), 1);
        blocks.remove(0)
    }

    #[test]
    fn a_key_body_is_never_reallocated() {
        // A reallocation would leave a copy of the key's base64 in freed, unwiped memory.
        let line = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2";
        let text = format!(
            "-----BEGIN PRIVATE KEY-----\n{}-----END PRIVATE KEY-----\n",
            format!("{line}\n").repeat(40)
        );
        let mut block = OpenBlock::new("PRIVATE KEY".into(), 1, text.len());
        let (start, capacity) = (block.body.as_ptr(), block.body.capacity());
        for (n, l) in text.lines().enumerate().skip(1).take(40) {
            block.push_line(l.as_bytes(), l.as_bytes(), n + 1).unwrap();
        }
        assert_eq!(block.body.len(), 40 * line.len());
        assert_eq!(
            (block.body.as_ptr(), block.body.capacity()),
            (start, capacity)
        );
        assert_eq!(one(&text).der.len(), 40 * line.len() / 4 * 3);
    }

    #[test]
    fn plain_block() {
        let b = one(&format!(
            "-----BEGIN X-----\n{HELLO_B64}\n-----END X-----\n"
        ));
        assert_eq!(b.label, "X");
        assert!(b.headers.is_empty());
        assert_eq!(&b.der[..], b"hello world");
    }

    #[test]
    fn odd_widths_crlf_no_final_newline_bom_indent() {
        let text = "\u{feff}-----BEGIN X-----\r\naGVsbG8\r\n  gd29y\r\nbGQ=\r\n-----END X-----";
        assert_eq!(&one(text).der[..], b"hello world");
    }

    #[test]
    fn missing_padding_is_tolerated() {
        let b = one("-----BEGIN X-----\naGVsbG8gd29ybGQ\n-----END X-----");
        assert_eq!(&b.der[..], b"hello world");
    }

    #[test]
    fn junk_around_and_between_blocks() {
        let text = format!(
            "Certificate:\n  Data: x\n-----BEGIN A-----\n{HELLO_B64}\n-----END A-----\nbetween\n\
             -----BEGIN B-----\naGk=\n-----END B-----\ntrailing: junk\n"
        );
        let blocks = decode_pem_lenient(text.as_bytes()).expect("decodes");
        let labels: Vec<_> = blocks.iter().map(|b| b.label.as_str()).collect();
        assert_eq!(labels, ["A", "B"]);
        assert_eq!(&blocks[1].der[..], b"hi");
    }

    #[test]
    fn legacy_headers_with_continuation() {
        let text = format!(
            "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,\n 00FF\n\n{HELLO_B64}\n-----END RSA PRIVATE KEY-----\n"
        );
        let b = one(&text);
        assert_eq!(b.header("proc-type"), Some("4,ENCRYPTED"));
        assert_eq!(b.header("DEK-Info"), Some("AES-256-CBC,00FF"));
        assert_eq!(&b.der[..], b"hello world");
    }

    #[test]
    fn no_blocks_is_empty_not_error() {
        assert!(
            decode_pem_lenient(b"\x30\x82\x01\x00binary")
                .expect("ok")
                .is_empty()
        );
        assert!(decode_pem_lenient(b"").expect("ok").is_empty());
    }

    #[test]
    fn errors() {
        let unterminated = decode_pem_lenient(b"x\n-----BEGIN A-----\naGk=\n").err();
        assert_eq!(
            unterminated,
            Some(PemError::Unterminated {
                label: "A".into(),
                line: 2
            })
        );
        let nested = decode_pem_lenient(b"-----BEGIN A-----\naGk=\n-----BEGIN B-----\n").err();
        assert!(matches!(nested, Some(PemError::Unterminated { .. })));
        let mismatched = decode_pem_lenient(b"-----BEGIN A-----\naGk=\n-----END B-----\n").err();
        assert_eq!(
            mismatched,
            Some(PemError::MismatchedEnd {
                begin: "A".into(),
                end: "B".into(),
                line: 3
            })
        );
        let bad_char = decode_pem_lenient(b"-----BEGIN A-----\naGk=\na*b\n-----END A-----\n").err();
        assert_eq!(
            bad_char,
            Some(PemError::InvalidCharacter {
                label: "A".into(),
                line: 3
            })
        );
        let header_after_body =
            decode_pem_lenient(b"-----BEGIN A-----\naGk=\nX: y\n-----END A-----").err();
        assert!(matches!(
            header_after_body,
            Some(PemError::InvalidCharacter { .. })
        ));
        let bad_b64 = decode_pem_lenient(b"-----BEGIN A-----\naG=k\n-----END A-----\n").err();
        assert_eq!(bad_b64, Some(PemError::InvalidBase64 { label: "A".into() }));
        let truncated = decode_pem_lenient(b"-----BEGIN A-----\naGVsb\n-----END A-----\n").err();
        assert!(matches!(truncated, Some(PemError::InvalidBase64 { .. })));
    }

    #[test]
    fn debug_hides_body() {
        let b = one("-----BEGIN X-----\nc2VjcmV0\n-----END X-----");
        assert_eq!(&b.der[..], b"secret");
        let dbg = format!("{b:?}");
        assert!(dbg.contains("der_len: 6"), "{dbg}");
        assert!(!dbg.contains("115"), "{dbg}"); // b's' as a number
    }
}
