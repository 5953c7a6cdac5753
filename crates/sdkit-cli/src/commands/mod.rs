//! One module per command. Each loads its inputs, calls the libraries, and returns the exit
//! code after printing its report.

pub mod blob;
pub mod check;
pub mod custody;
pub mod demo;
pub mod drill;
pub mod holders;
pub mod inspect;
pub mod keygen;
pub mod keygen_token;
pub mod ledger;
pub mod log_verify;
pub mod quorum;
pub mod recover;
pub mod reshare;
pub mod review;
pub mod shell;
pub mod split;
pub mod tokens;
pub mod transcript;

use crate::error::CliError;
use crate::io;
use crate::render::ShowPath;
use crate::render::shown;
use sdkit_core::SecurityDomain;
use sdkit_core::digest::Sha256Digest;
use sdkit_core::domain::MAX_SD_BYTES;
use sdkit_core::drill::ItemResult;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// A parsed SD and the facts about its file.
pub struct LoadedSd {
    /// The parsed domain.
    pub sd: SecurityDomain,
    /// SHA-256 of the file (what ledger commitments are bound to; shown in lower-case hex).
    pub digest: Sha256Digest,
    /// File size in bytes.
    pub size: usize,
}

impl AsRef<SecurityDomain> for LoadedSd {
    fn as_ref(&self) -> &SecurityDomain {
        &self.sd
    }
}

/// Reads and parses an SD file, naming the file in any error.
pub fn load_sd(path: &Path) -> Result<LoadedSd, CliError> {
    parse_sd(path, &read_sd(path)?)
}

/// Reads an SD file (bounded; recorded for the transcript).
pub fn read_sd(path: &Path) -> Result<Vec<u8>, CliError> {
    io::read_bounded(path, MAX_SD_BYTES as u64, "security-domain file")
}

/// Parses the bytes of the SD file at `path`, naming the file in any error.
pub fn parse_sd(path: &Path, bytes: &[u8]) -> Result<LoadedSd, CliError> {
    let sd = SecurityDomain::parse(bytes).map_err(|e| match what_else(bytes) {
        Some((what, hint)) => {
            CliError::input(path, format!("this is {what}, not a security domain")).hint(hint)
        }
        None => CliError::input(path, format!("not a usable security domain: {e}"))
            .hint("give the file `az keyvault security-domain download` wrote; if it was edited or truncated, download it again"),
    })?;
    let digest = Sha256Digest::of(bytes);
    Ok(LoadedSd {
        digest,
        size: bytes.len(),
        sd,
    })
}

/// What a file given as a security domain is instead, when it is one of the other files of
/// a ceremony (people pass the wrong one more than any other mistake), with what to do.
fn what_else(bytes: &[u8]) -> Option<(&'static str, &'static str)> {
    use sdkit_certs::{CertLoadError, InputKind};
    if sdkit_core::blob::RestoreBlob::parse(bytes).is_ok() {
        return Some((
            "a restore blob (what `restore-blob` writes for a new HSM)",
            "open it with `sdkit open-blob BLOB --exchange-private-key KEY`, or give the security-domain file `az keyvault security-domain download` wrote",
        ));
    }
    let found = match sdkit_certs::load_certificate(bytes) {
        Ok(_) => InputKind::Certificate,
        Err(CertLoadError::NotACertificate { found }) => found,
        Err(_) => return None,
    };
    let hint = "give the security-domain file (JSON) `az keyvault security-domain download` wrote; keys go with --key, certificates with --cert";
    match found {
        InputKind::Certificate => Some(("a certificate", hint)),
        InputKind::PrivateKey => Some(("a private key", hint)),
        InputKind::PublicKey => Some(("a public key", hint)),
        InputKind::CertificateRequest => Some(("a certificate signing request", hint)),
        _ => None,
    }
}

/// Files written by a command: each path and its size.
#[derive(Default)]
pub struct Written(pub Vec<(PathBuf, usize)>);

impl Written {
    /// The "Wrote" list for the text report (nothing when nothing was written).
    pub fn text(&self) -> String {
        if self.0.is_empty() {
            return String::new();
        }
        let mut text = String::from("Wrote (mode 0600):\n");
        for (path, bytes) in &self.0 {
            text.push_str(&format!("  {} ({bytes} bytes)\n", path.shown()));
        }
        text
    }

    /// `written[]` for JSON: `{ file, bytes }`.
    pub fn json(&self) -> Vec<Value> {
        self.0
            .iter()
            .map(|(path, bytes)| json!({ "file": path.shown().to_string(), "bytes": bytes }))
            .collect()
    }
}

/// Writes every authenticated item as `<dir>/<tag>.bin` (mode 0600, all or nothing).
pub fn write_plaintexts(
    dir: &Path,
    items: &[sdkit_core::recover::RecoveredItem],
    force: bool,
) -> Result<Written, CliError> {
    io::ensure_dir(dir)?;
    let files: Vec<io::OutFile<'_>> = items
        .iter()
        .filter_map(|i| {
            i.plaintext.as_ref().ok().map(|p| io::OutFile {
                path: dir.join(format!("{}.bin", i.tag)),
                bytes: p.expose(),
                secret: true,
            })
        })
        .collect();
    io::write_all_atomic(&files, force)?;
    Ok(Written(
        files.into_iter().map(|f| (f.path, f.bytes.len())).collect(),
    ))
}

/// One line per item: authentic (with its size and content digest) or why not.
pub fn items_text(items: &[ItemResult]) -> String {
    items
        .iter()
        .map(|it| match &it.content {
            Ok(c) => format!(
                "  {:<28} authentic, {} bytes\n    content digest {}\n",
                shown(&it.tag),
                c.len,
                c.digest
            ),
            Err(e) => format!("  {:<28} FAILED: {e}\n", shown(&it.tag)),
        })
        .collect()
}

/// One JSON object per item (docs/JSON.md: `tag`, `authentic`, `bytes` and `content_digest`,
/// or `error`).
pub fn items_json(items: &[ItemResult]) -> Vec<Value> {
    items
        .iter()
        .map(|it| match &it.content {
            Ok(c) => json!({
                "tag": it.tag,
                "authentic": true,
                "bytes": c.len,
                "content_digest": c.digest,
            }),
            Err(e) => json!({ "tag": it.tag, "authentic": false, "error": e.to_string() }),
        })
        .collect()
}

/// Refuses to go on unless every item authenticated: nothing is written from a file that
/// was altered. `source` is the SD or blob the items came from.
pub fn require_authentic(
    items: &[sdkit_core::recover::RecoveredItem],
    source: &Path,
    not_written: &str,
    hint: &str,
) -> Result<(), CliError> {
    match items.iter().find(|i| i.plaintext.is_err()) {
        None => Ok(()),
        Some(bad) => Err(CliError::new(
            crate::error::Exit::Crypto,
            format!(
                "{}: item {:?} did not authenticate; {not_written}",
                source.shown(),
                bad.tag
            ),
        )
        .hint(hint)),
    }
}
