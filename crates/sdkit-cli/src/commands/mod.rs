//! One module per command. Each loads its inputs, calls the libraries, and returns the exit
//! code after printing its report.

pub mod blob;
pub mod check;
pub mod demo;
pub mod drill;
pub mod inspect;
pub mod keygen;
pub mod ledger;
pub mod log_verify;
pub mod recover;
pub mod shell;
pub mod split;
pub mod transcript;

use crate::error::CliError;
use crate::io;
use crate::keys::LoadedKey;
use sdkit_core::SecurityDomain;
use sdkit_core::domain::MAX_SD_BYTES;
use sdkit_core::recover::{CertificateMatch, HolderOpening, HolderStatus};
use serde_json::{Value, json};
use sha2::Digest;
use std::path::Path;

/// A parsed SD and the facts about its file.
pub struct LoadedSd {
    /// The parsed domain.
    pub sd: SecurityDomain,
    /// SHA-256 of the file (what ledger commitments are bound to).
    pub digest: [u8; 32],
    /// File size in bytes.
    pub size: usize,
}

impl LoadedSd {
    /// SHA-256 of the file, lower-case hex (as shown to people and recorded in ledgers).
    pub fn sha256(&self) -> String {
        hex::encode(self.digest)
    }
}

impl AsRef<SecurityDomain> for LoadedSd {
    fn as_ref(&self) -> &SecurityDomain {
        &self.sd
    }
}

/// Reads and parses an SD file, naming the file in any error.
pub fn load_sd(path: &Path) -> Result<LoadedSd, CliError> {
    let bytes = io::read_bounded(path, MAX_SD_BYTES as u64, "security-domain file")?;
    let sd = SecurityDomain::parse(&bytes).map_err(|e| match what_else(&bytes) {
        Some((what, hint)) => {
            CliError::input(path, format!("this is {what}, not a security domain")).hint(hint)
        }
        None => CliError::input(path, format!("not a usable security domain: {e}"))
            .hint("give the file `az keyvault security-domain download` wrote; if it was edited or truncated, download it again"),
    })?;
    let digest: [u8; 32] = sha2::Sha256::digest(&bytes).into();
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

/// Whether a holder's outcome is fully good.
pub fn holder_ok(o: &HolderOpening) -> bool {
    matches!(o.status, HolderStatus::Opened { .. })
}

/// One line of text and one JSON object per holder.
pub fn describe_holder(
    sd: &SecurityDomain,
    key: &LoadedKey,
    o: &HolderOpening,
    paths: &[&Path],
) -> (String, Value) {
    let cert_note = match o.certificate {
        CertificateMatch::NotGiven => "",
        CertificateMatch::Matched => " (matched by its certificate)",
        CertificateMatch::NotInDomain => " (its certificate is not one of this SD's)",
        CertificateMatch::KeyDidNotOpenItsShare => {
            " (its certificate names a share the key did not open)"
        }
    };
    let (text, status, extra) = match &o.status {
        HolderStatus::Opened { share_index, x } => (
            format!(
                "opens share {} (x = {x}, x5t_256 {}){cert_note}",
                share_index + 1,
                sd.shares()[*share_index].thumbprint
            ),
            "opened",
            json!({ "share": share_index + 1, "x": x, "x5t_256": sd.shares()[*share_index].thumbprint.to_base64url() }),
        ),
        HolderStatus::Malformed { share_index, error } => (
            format!(
                "share {} decrypts but is malformed: {error}",
                share_index + 1
            ),
            "malformed",
            json!({ "share": share_index + 1, "x5t_256": sd.shares()[*share_index].thumbprint.to_base64url(), "error": error.to_string() }),
        ),
        HolderStatus::Duplicate {
            share_index,
            first_holder,
        } => (
            format!(
                "opens share {}, which {} already opened: the same key was given twice",
                share_index + 1,
                paths
                    .get(*first_holder)
                    .map(|p| p.display().to_string())
                    .unwrap_or_default()
            ),
            "duplicate",
            json!({ "share": share_index + 1, "same_as": paths.get(*first_holder).map(|p| p.display().to_string()) }),
        ),
        HolderStatus::NoShare => (
            format!(
                "opens no share of this security domain: it is not one of its custodians' keys{cert_note}"
            ),
            "no_share",
            json!({}),
        ),
    };
    let mut obj = json!({
        "key": key.path.display().to_string(),
        "status": status,
        "certificate": key.cert.as_ref().map(|c| c.path.display().to_string()),
        "certificate_match": match o.certificate {
            CertificateMatch::NotGiven => "not_given",
            CertificateMatch::Matched => "matched",
            CertificateMatch::NotInDomain => "not_in_domain",
            CertificateMatch::KeyDidNotOpenItsShare => "key_did_not_open_its_share",
        },
        "key_bits": key.key.bits(),
        "key_encrypted": key.key.was_encrypted(),
        "certificate_problem": key.cert_problem.as_ref().map(|c| c.code()),
    });
    if let (Some(o), Value::Object(e)) = (obj.as_object_mut(), extra) {
        o.extend(e);
    }
    let line = format!("  {}: {text}\n", key.path.display());
    (line, obj)
}

/// Writes every authenticated item as `<dir>/<tag>.bin` (mode 0600, all or nothing), adds a
/// "Wrote" list to the report text, and returns the JSON list of files written.
pub fn write_plaintexts(
    dir: &Path,
    items: &[sdkit_core::recover::RecoveredItem],
    force: bool,
    text: &mut String,
) -> Result<Vec<Value>, CliError> {
    use std::fmt::Write;
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
    let _ = writeln!(text, "Wrote (mode 0600):");
    Ok(files
        .iter()
        .map(|f| {
            let _ = writeln!(text, "  {} ({} bytes)", f.path.display(), f.bytes.len());
            json!({ "file": f.path.display().to_string(), "bytes": f.bytes.len() })
        })
        .collect())
}

/// One line of text and one JSON object per recovered item: authentic (with its size) or
/// why not.
pub fn describe_items(
    items: &[sdkit_core::recover::RecoveredItem],
    text: &mut String,
) -> Vec<Value> {
    use std::fmt::Write;
    items
        .iter()
        .map(|it| match &it.plaintext {
            Ok(p) => {
                let _ = writeln!(text, "  {:<28} authentic, {} bytes", it.tag, p.len());
                json!({ "tag": it.tag, "authentic": true, "bytes": p.len() })
            }
            Err(e) => {
                let _ = writeln!(text, "  {:<28} FAILED: {e}", it.tag);
                json!({ "tag": it.tag, "authentic": false, "error": e.to_string() })
            }
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
                source.display(),
                bad.tag
            ),
        )
        .hint(hint)),
    }
}
