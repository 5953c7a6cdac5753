//! Hash-chained JSON-lines logs: the drill ledger and the ceremony transcript.
//!
//! Each line is one compact JSON object whose `"prev"` member is the lower-case hex SHA-256
//! of the previous line's bytes (without its newline); the first line's `prev` is 64 zeros.
//! Removing, reordering or editing any line but the last breaks the chain at the next line;
//! the last line (and the removal of lines at the end) shows only against the log's [`head`],
//! the hash of its last line, which every append prints and witnesses write down.

use crate::digest::Sha256Digest;
use core::fmt;
use serde_json::{Map, Value};

/// `prev` of the first line ([`Sha256Digest::ZERO`] in hex).
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The largest chained log read (a ceremony's worth of lines is a few hundred KiB).
pub const MAX_LOG_BYTES: usize = 16 * 1024 * 1024;

/// Why a log does not verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainError {
    /// Larger than [`MAX_LOG_BYTES`].
    TooLarge,
    /// Not UTF-8 text.
    NotText,
    /// The file does not end with a newline: the last line was cut short.
    Truncated,
    /// A line is not a JSON object.
    NotJson {
        /// 1-based line number.
        line: usize,
    },
    /// A line has no string `prev`.
    MissingPrev {
        /// 1-based line number.
        line: usize,
    },
    /// A line's `prev` is not the hash of the line before: a line was removed, inserted,
    /// reordered or edited.
    Broken {
        /// 1-based line number whose `prev` does not match.
        line: usize,
    },
    /// A line is not of the expected kind (its `type` member).
    WrongType {
        /// 1-based line number.
        line: usize,
    },
}

impl fmt::Display for ChainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChainError::TooLarge => write!(f, "larger than {MAX_LOG_BYTES} bytes"),
            ChainError::NotText => f.write_str("not UTF-8 text"),
            ChainError::Truncated => f.write_str(
                "the last line is incomplete (no final newline): the file was cut short",
            ),
            ChainError::NotJson { line } => write!(f, "line {line} is not a JSON object"),
            ChainError::MissingPrev { line } => write!(f, "line {line} has no \"prev\" hash"),
            ChainError::Broken { line } => write!(
                f,
                "the chain breaks at line {line}: a line before it was removed, inserted, reordered or edited"
            ),
            ChainError::WrongType { line } => {
                write!(f, "line {line} is not a record of this kind of log")
            }
        }
    }
}

impl std::error::Error for ChainError {}

/// SHA-256 of one line's bytes (without its newline); the next line's `prev` is its hex.
pub fn line_hash(line: &str) -> Sha256Digest {
    Sha256Digest::of(line.as_bytes())
}

/// Verifies a whole log and returns its records, in order. `kind` is the required `type`.
///
/// # Errors
/// [`ChainError`] naming the first line at fault.
pub fn verify(bytes: &[u8], kind: &str) -> Result<Vec<Map<String, Value>>, ChainError> {
    if bytes.len() > MAX_LOG_BYTES {
        return Err(ChainError::TooLarge);
    }
    let text = core::str::from_utf8(bytes).map_err(|_| ChainError::NotText)?;
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let Some(body) = text.strip_suffix('\n') else {
        return Err(ChainError::Truncated);
    };
    // Compared as text: `prev` must be exactly the lower-case hex sdkit writes.
    let mut prev = GENESIS.to_owned();
    let mut out = Vec::new();
    for (i, line) in body.split('\n').enumerate() {
        let n = i + 1;
        let value: Value =
            serde_json::from_str(line).map_err(|_| ChainError::NotJson { line: n })?;
        let Value::Object(obj) = value else {
            return Err(ChainError::NotJson { line: n });
        };
        if obj.get("type").and_then(Value::as_str) != Some(kind) {
            return Err(ChainError::WrongType { line: n });
        }
        match obj.get("prev").and_then(Value::as_str) {
            None => return Err(ChainError::MissingPrev { line: n }),
            Some(p) if p != prev => return Err(ChainError::Broken { line: n }),
            Some(_) => {}
        }
        prev = line_hash(line).to_hex();
        out.push(obj);
    }
    Ok(out)
}

/// The log's head: the hash of its last line ([`Sha256Digest::ZERO`] for an empty log). Every append
/// prints it; it is what witnesses write down, since a chain alone cannot show that its
/// last line was edited or removed: only a head recorded elsewhere can.
///
/// Call it on a log that [`verify`] accepted; on other bytes it hashes whatever follows the
/// last complete line break.
pub fn head(log: &[u8]) -> Sha256Digest {
    match core::str::from_utf8(log)
        .ok()
        .and_then(|t| t.strip_suffix('\n'))
    {
        Some(body) => body
            .rsplit('\n')
            .next()
            .map_or(Sha256Digest::ZERO, line_hash),
        None => Sha256Digest::ZERO,
    }
}

/// The line to append to `existing` (which must verify): `record` with `type` first and
/// `prev` last, compact, with its trailing newline. Returns the line and its hash.
///
/// # Errors
/// [`ChainError`] when `existing` does not verify; nothing should then be appended.
pub fn append_line(
    existing: &[u8],
    kind: &str,
    record: Map<String, Value>,
) -> Result<(String, Sha256Digest), ChainError> {
    verify(existing, kind)?;
    let prev = head(existing);
    let mut obj = Map::new();
    obj.insert("type".into(), Value::String(kind.to_owned()));
    obj.extend(
        record
            .into_iter()
            .filter(|(k, _)| k != "type" && k != "prev"),
    );
    obj.insert("prev".into(), Value::String(prev.to_hex()));
    let line = Value::Object(obj).to_string();
    let hash = line_hash(&line);
    Ok((format!("{line}\n"), hash))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(n: u64) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("n".into(), Value::from(n));
        m
    }

    #[test]
    fn append_verify_and_detect_tampering() {
        let mut log = Vec::new();
        for n in 0..4 {
            let (line, _) = append_line(&log, "t", rec(n)).unwrap();
            log.extend_from_slice(line.as_bytes());
        }
        assert_eq!(verify(&log, "t").unwrap().len(), 4);
        let text = String::from_utf8(log.clone()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        // Removed middle line.
        let removed = format!("{}\n{}\n{}\n", lines[0], lines[2], lines[3]);
        assert_eq!(
            verify(removed.as_bytes(), "t").unwrap_err(),
            ChainError::Broken { line: 2 }
        );
        // Edited line.
        let edited = text.replacen("\"n\":1", "\"n\":7", 1);
        assert_eq!(
            verify(edited.as_bytes(), "t").unwrap_err(),
            ChainError::Broken { line: 3 }
        );
        // Reordered.
        let swapped = format!("{}\n{}\n{}\n{}\n", lines[0], lines[2], lines[1], lines[3]);
        assert!(verify(swapped.as_bytes(), "t").is_err());
        // Truncated and wrong kind.
        assert_eq!(
            verify(&log[..log.len() - 1], "t").unwrap_err(),
            ChainError::Truncated
        );
        assert_eq!(
            verify(&log, "other").unwrap_err(),
            ChainError::WrongType { line: 1 }
        );
        // Appending to a broken log is refused.
        assert!(append_line(removed.as_bytes(), "t", rec(9)).is_err());
        assert_eq!(verify(b"", "t").unwrap().len(), 0);
    }

    #[test]
    fn head_is_the_hash_of_the_last_line_and_moves_with_every_edit() {
        assert_eq!(head(b""), Sha256Digest::ZERO);
        assert_eq!(head(b"").to_hex(), GENESIS);
        let mut log = Vec::new();
        let mut hashes = Vec::new();
        for n in 0..3 {
            let (line, hash) = append_line(&log, "t", rec(n)).unwrap();
            log.extend_from_slice(line.as_bytes());
            assert_eq!(head(&log), hash);
            hashes.push(hash);
        }
        // Editing the last line keeps the chain valid: only the head shows it.
        let text = String::from_utf8(log.clone()).unwrap();
        let edited = text.replacen("\"n\":2", "\"n\":9", 1);
        assert!(verify(edited.as_bytes(), "t").is_ok());
        assert_ne!(head(edited.as_bytes()), hashes[2]);
        // Dropping the last line too: the head goes back to the previous line's.
        let dropped: String = text.lines().take(2).map(|l| format!("{l}\n")).collect();
        assert!(verify(dropped.as_bytes(), "t").is_ok());
        assert_eq!(head(dropped.as_bytes()), hashes[1]);
    }
}
