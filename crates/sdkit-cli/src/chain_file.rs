//! Hash-chained JSON-lines files on disk (the drill ledger and the transcript): read and
//! verify, check before a command's work that a line could be appended, or verify and append
//! one line, rewriting the file atomically so a crash never leaves half a line.

use crate::error::{CliError, Exit};
use crate::io::{self, OutFile};
use crate::render::ShowPath;
use sdkit_core::chain::{self, MAX_LOG_BYTES};
use sdkit_core::digest::Sha256Digest;
use serde_json::{Map, Value};
use std::path::Path;

/// A log that verified.
pub struct Log {
    /// Its records, in order.
    pub records: Vec<Map<String, Value>>,
    /// SHA-256 of the whole file.
    pub file_sha256: Sha256Digest,
    /// The hash of its last line: what witnesses wrote down when it was appended.
    pub head: Sha256Digest,
}

/// Reads and verifies a log.
pub fn load(path: &Path, kind: &str, what: &str) -> Result<Log, CliError> {
    let bytes = io::read_bounded(path, MAX_LOG_BYTES as u64, what)?;
    let records = chain::verify(&bytes, kind)
        .map_err(|e| CliError::new(Exit::CheckFailed, format!("{}: {e}", path.shown())))?;
    Ok(Log {
        records,
        file_sha256: Sha256Digest::of(&bytes),
        head: chain::head(&bytes),
    })
}

fn read_existing(path: &Path, kind: &str, what: &str) -> Result<Vec<u8>, CliError> {
    let existing = match std::fs::symlink_metadata(path) {
        Ok(_) => io::read_bounded(path, MAX_LOG_BYTES as u64, what)?,
        Err(_) => Vec::new(),
    };
    chain::verify(&existing, kind).map_err(|e| {
        CliError::input(
            path,
            format!("the {what} does not verify, so nothing can be appended to it: {e}"),
        )
        .hint(format!(
            "check it with `sdkit {what} verify`; give a new file if it was damaged"
        ))
    })?;
    Ok(existing)
}

/// Fails, before a command does any work, when a line could not be appended to `path`
/// later: an existing log that does not verify, or a place that cannot be written. A
/// command must not write keys or plaintexts and then fail to record that it did.
pub fn check_appendable(path: &Path, kind: &str, what: &str) -> Result<(), CliError> {
    read_existing(path, kind, what)?;
    io::probe_output_file(path, what)
}

/// Appends `record` (a new log is created when `path` does not exist); returns the new
/// head. A log that does not verify is left untouched.
pub fn append(
    path: &Path,
    kind: &str,
    what: &str,
    record: Map<String, Value>,
) -> Result<Sha256Digest, CliError> {
    let existing = read_existing(path, kind, what)?;
    let (line, hash) = chain::append_line(&existing, kind, record)
        .map_err(|e| CliError::output(path, format!("cannot append to the {what}: {e}")))?;
    let mut bytes = existing;
    bytes.extend_from_slice(line.as_bytes());
    io::append_log_atomic(&OutFile {
        path: path.to_owned(),
        bytes: &bytes,
        secret: false,
    })?;
    Ok(hash)
}
