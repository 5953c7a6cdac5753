//! Hash-chained JSON-lines files on disk (the drill ledger and the transcript): read and
//! verify, or verify and append one line, rewriting the file atomically so a crash never
//! leaves half a line.

use crate::error::{CliError, Exit};
use crate::io::{self, OutFile, write_all_atomic};
use crate::render::sha256_hex;
use sdkit_core::chain::{self, MAX_LOG_BYTES};
use serde_json::{Map, Value};
use std::path::Path;

/// Reads and verifies a log; returns its records and the file's SHA-256 (hex).
pub fn load(
    path: &Path,
    kind: &str,
    what: &str,
) -> Result<(Vec<Map<String, Value>>, String), CliError> {
    let bytes = io::read_bounded(path, MAX_LOG_BYTES as u64, what)?;
    let records = chain::verify(&bytes, kind)
        .map_err(|e| CliError::new(Exit::CheckFailed, format!("{}: {e}", path.display())))?;
    Ok((records, sha256_hex(&bytes)))
}

/// Appends `record` (a new log is created when `path` does not exist); returns the new
/// line's hash. A log that does not verify is left untouched.
pub fn append(
    path: &Path,
    kind: &str,
    what: &str,
    record: Map<String, Value>,
) -> Result<String, CliError> {
    let existing = match std::fs::metadata(path) {
        Ok(_) => io::read_bounded(path, MAX_LOG_BYTES as u64, what)?,
        Err(_) => Vec::new(),
    };
    let (line, hash) = chain::append_line(&existing, kind, record).map_err(|e| {
        CliError::input(
            path,
            format!("the {what} does not verify, so nothing was appended: {e}"),
        )
        .hint(format!(
            "check it with `sdkit {what} verify`; start a new file if it was damaged"
        ))
    })?;
    let mut bytes = existing;
    bytes.extend_from_slice(line.as_bytes());
    write_all_atomic(
        &[OutFile {
            path: path.to_owned(),
            bytes: &bytes,
            secret: false,
        }],
        true,
    )?;
    Ok(hash)
}
