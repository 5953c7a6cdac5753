//! The certificates a printed record shows. A transcript names certificates by path and
//! SHA-256 only (and, for `reshare`, by thumbprint), so their bytes come from the files at
//! render time: every recorded file that is still there, unchanged (same SHA-256 as
//! recorded) and parses as a certificate, plus the files given with `--cert` for
//! certificates that were moved, each of which must be one the transcript names. A custodian
//! named only by thumbprint is still shown, with the thumbprint's code and no certificate's.

use super::record::Record;
use crate::error::CliError;
use crate::io::MAX_KEY_BYTES;
use crate::keys::LoadedCert;
use sdkit_core::digest::Sha256Digest;
use sdkit_core::thumbprint::Thumbprint;
use std::path::{Path, PathBuf};

/// A certificate whose bytes are on the page.
#[derive(Debug)]
pub struct Shown {
    /// The file it was read from.
    pub path: String,
    /// Subject, RFC 4514.
    pub subject: String,
    /// The DER bytes: what its QR code holds, and what the thumbprint is the SHA-256 of.
    pub der: Vec<u8>,
    /// `x5t#S256`.
    pub thumbprint: Thumbprint,
    /// Where the transcript names it: "step 3 in", "step 17: new custodian 2", ...
    pub named: Vec<String>,
}

/// A custodian the transcript names by thumbprint whose certificate was not found.
#[derive(Debug)]
pub struct ThumbprintOnly {
    /// The recorded thumbprint (base64url).
    pub x5t_256: String,
    /// The thumbprint's bytes, when the recorded text is a valid thumbprint.
    pub thumbprint: Option<Thumbprint>,
    /// Where the transcript names it, and by which file.
    pub named: Vec<String>,
}

/// All the certificates of a record.
#[derive(Debug, Default)]
pub struct Certificates {
    /// Certificates with their bytes.
    pub shown: Vec<Shown>,
    /// Thumbprints without a certificate.
    pub thumbprint_only: Vec<ThumbprintOnly>,
    /// Recorded certificate files whose content differs now from what the transcript
    /// recorded (shown as a note, never as the recorded certificate).
    pub changed: Vec<String>,
}

/// Where a recorded path is now: as given, or, for a relative path that is not found from
/// here, beside the transcript (where a ceremony directory usually keeps both).
fn locate(recorded: &str, transcript: &Path) -> Option<PathBuf> {
    let p = PathBuf::from(recorded);
    if p.is_file() {
        return Some(p);
    }
    let beside = transcript.parent()?.join(&p);
    (p.is_relative() && beside.is_file()).then_some(beside)
}

/// A small regular file's bytes, read without following a FIFO or a device.
fn read_small(path: &Path) -> Option<Vec<u8>> {
    let meta = std::fs::metadata(path).ok()?;
    (meta.is_file() && meta.len() <= MAX_KEY_BYTES)
        .then(|| std::fs::read(path).ok())
        .flatten()
}

impl Certificates {
    fn add(&mut self, path: String, cert: &sdkit_certs::Certificate, named: String) {
        let thumbprint = cert.thumbprint();
        if let Some(s) = self.shown.iter_mut().find(|s| s.thumbprint == thumbprint) {
            if !s.named.contains(&named) {
                s.named.push(named);
            }
            return;
        }
        self.shown.push(Shown {
            path,
            subject: cert.subject(),
            der: cert.der().to_vec(),
            thumbprint,
            named: vec![named],
        });
    }

    /// The certificates of `rec`, read from the recorded files and from `extra` (`--cert`).
    pub fn gather(rec: &Record, transcript: &Path, extra: &[LoadedCert]) -> Result<Self, CliError> {
        let mut out = Certificates::default();
        // `--cert` files first, so that a moved certificate is shown from where it was given.
        for c in extra {
            // The file as given, or its DER (a certificate recorded as DER, given as PEM).
            let hashes = [
                read_small(&c.path).map(|b| Sha256Digest::of(&b).to_hex()),
                Some(Sha256Digest::of(c.cert.der()).to_hex()),
            ];
            let tp = c.thumbprint().to_base64url();
            let by_file = rec.artifacts.iter().find(|a| {
                a.sha256
                    .as_ref()
                    .is_some_and(|s| hashes.iter().flatten().any(|h| *h == s.text))
            });
            let by_thumbprint = rec.custody_changes.iter().find(|ch| {
                ch.keys_used
                    .iter()
                    .chain(&ch.new_certificates)
                    .any(|n| n.x5t_256 == tp)
            });
            let named = match (by_file, by_thumbprint) {
                (Some(a), _) => format!("step {} {} (as {})", a.step, a.direction, a.path),
                (None, Some(ch)) => format!("step {}: named by thumbprint", ch.step),
                (None, None) => {
                    return Err(CliError::input(
                        &c.path,
                        "this certificate is not one the transcript names (no recorded file has its SHA-256 and no step names its thumbprint)",
                    )
                    .hint("give only certificates the ceremony used: the record shows what the transcript recorded"));
                }
            };
            out.add(c.path.display().to_string(), &c.cert, named);
        }
        for a in &rec.artifacts {
            let Some(recorded) = &a.sha256 else { continue };
            let Some(found) = locate(&a.path, transcript) else {
                continue;
            };
            let Some(bytes) = read_small(&found) else {
                continue;
            };
            let Ok(cert) = sdkit_certs::load_certificate(&bytes) else {
                continue;
            };
            let shown = found.display().to_string();
            if Sha256Digest::of(&bytes).to_hex() == recorded.text {
                let named = if a.path == shown {
                    format!("step {} {}", a.step, a.direction)
                } else {
                    format!("step {} {} (as {})", a.step, a.direction, a.path)
                };
                out.add(shown, &cert, named);
            } else if !out.changed.contains(&shown) {
                out.changed.push(shown);
            }
        }
        for ch in &rec.custody_changes {
            let lists = [
                ("old custodian's key", &ch.keys_used),
                ("new custodian", &ch.new_certificates),
            ];
            for (role, list) in lists {
                for (i, n) in list.iter().enumerate() {
                    let named = format!("step {}: {role} {}", ch.step, i + 1);
                    let with_file = format!("{named} ({})", n.file);
                    if let Some(s) = out
                        .shown
                        .iter_mut()
                        .find(|s| s.thumbprint.to_base64url() == n.x5t_256)
                    {
                        s.named
                            .push(if n.file == s.path { named } else { with_file });
                    } else if let Some(t) = out
                        .thumbprint_only
                        .iter_mut()
                        .find(|t| t.x5t_256 == n.x5t_256)
                    {
                        t.named.push(with_file);
                    } else {
                        out.thumbprint_only.push(ThumbprintOnly {
                            x5t_256: n.x5t_256.clone(),
                            thumbprint: Thumbprint::parse(&n.x5t_256).ok(),
                            named: vec![with_file],
                        });
                    }
                }
            }
        }
        Ok(out)
    }
}
