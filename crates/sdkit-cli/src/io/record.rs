//! The files a command read and wrote, for its transcript record: secret files by path and
//! size only, others with their SHA-256.

use sdkit_core::digest::Sha256Digest;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

/// A file a command read or wrote, for the transcript.
#[derive(Debug, Clone)]
pub struct FileRecord {
    /// The path as given.
    pub path: PathBuf,
    /// SHA-256 of the contents; `None` for secret files (a hash of a short secret,
    /// such as a passphrase, could be guessed back).
    pub sha256: Option<Sha256Digest>,
    /// Size in bytes.
    pub size: usize,
}

/// What the current command wants its transcript record to say besides its files (for
/// `reshare`: who held the old SD, who holds the new one, the quorum).
static DETAILS: Mutex<Option<serde_json::Value>> = Mutex::new(None);

/// Sets the current command's transcript details (replacing any earlier ones).
pub fn record_details(details: serde_json::Value) {
    if let Ok(mut d) = DETAILS.lock() {
        *d = Some(details);
    }
}

/// Takes (and clears) the current command's transcript details.
pub fn take_details() -> Option<serde_json::Value> {
    DETAILS.lock().ok().and_then(|mut d| d.take())
}

/// Whether the current command keeps a transcript record: only then are the files it reads
/// and writes listed (and hashed; a 127-custodian SD is 1.5 MiB).
static RECORDING: AtomicBool = AtomicBool::new(false);

/// Starts (or stops) listing the files the current command reads and writes, and forgets
/// any listed before.
pub fn record_files(on: bool) {
    RECORDING.store(on, Ordering::Relaxed);
    let _ = take_file_records();
}

/// Files read and written by the current command.
static INPUTS: Mutex<Vec<FileRecord>> = Mutex::new(Vec::new());
static OUTPUTS: Mutex<Vec<FileRecord>> = Mutex::new(Vec::new());

fn record(list: &Mutex<Vec<FileRecord>>, path: &Path, bytes: &[u8], secret: bool) {
    if !RECORDING.load(Ordering::Relaxed) {
        return;
    }
    if let Ok(mut v) = list.lock() {
        v.push(FileRecord {
            path: path.to_owned(),
            sha256: (!secret).then(|| Sha256Digest::of(bytes)),
            size: bytes.len(),
        });
    }
}

/// Takes (and clears) the files read and written since the last call.
pub fn take_file_records() -> (Vec<FileRecord>, Vec<FileRecord>) {
    let take = |m: &Mutex<Vec<FileRecord>>| {
        m.lock()
            .map(|mut v| std::mem::take(&mut *v))
            .unwrap_or_default()
    };
    (take(&INPUTS), take(&OUTPUTS))
}

/// Records a file read (secret files without a hash).
pub(super) fn record_input(path: &Path, bytes: &[u8], secret: bool) {
    record(&INPUTS, path, bytes, secret);
}

/// Records a file written (secret files without a hash).
pub(super) fn record_output(path: &Path, bytes: &[u8], secret: bool) {
    record(&OUTPUTS, path, bytes, secret);
}
