//! The ceremony record as one model, read once from a verified transcript: the Markdown and
//! the HTML renderers both show this, so they cannot disagree about what happened.

use crate::chain_file::Log;
use crate::render::words;
use sdkit_core::digest::Sha256Digest;
use serde_json::{Map, Value};
use std::path::Path;

/// A hash as recorded, with its read-aloud words. The chain checks `prev` but not the other
/// hash fields, so text that is not a SHA-256 digest is kept as it is and has no words: it
/// is never read aloud as nothing.
#[derive(Debug, Clone)]
pub struct Shown {
    /// The recorded text.
    pub text: String,
    /// Six read-aloud words, or `None` when the text is not a SHA-256 digest.
    pub words: Option<String>,
}

impl Shown {
    fn of(recorded: &str) -> Shown {
        Shown {
            text: recorded.to_owned(),
            words: Sha256Digest::from_hex(recorded)
                .ok()
                .map(|d| words(d.as_bytes())),
        }
    }

    /// The words, or the reason there are none.
    pub fn spoken(&self) -> &str {
        self.words.as_deref().unwrap_or("(not a SHA-256 digest)")
    }
}

/// One command of the ceremony.
#[derive(Debug)]
pub struct Step {
    /// Its time as recorded (RFC 3339, UTC).
    pub time: String,
    /// The command line, secrets already redacted when it was recorded.
    pub command: Vec<String>,
    /// Its result (`ok`, `check-failed`, ...).
    pub result: String,
    /// Its own hash: the next step's `prev`, or the head.
    pub hash: Shown,
}

/// A file a step read or wrote.
#[derive(Debug)]
pub struct Artifact {
    /// 1-based step number.
    pub step: usize,
    /// `in` or `out`.
    pub direction: &'static str,
    /// The path as given on the command line.
    pub path: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its SHA-256, or `None` for a secret file (recorded by size only).
    pub sha256: Option<Shown>,
}

/// A certificate or key named by thumbprint in a step's details.
#[derive(Debug, Clone)]
pub struct Named {
    /// The file as given.
    pub file: String,
    /// Its `x5t#S256` thumbprint, base64url, as recorded.
    pub x5t_256: String,
}

/// A `reshare` step: which SD replaced which, under which keys, for which certificates.
#[derive(Debug)]
pub struct CustodyChange {
    /// 1-based step number.
    pub step: usize,
    /// The old SD's path, SHA-256 and quorum (required, total).
    pub old_sd: (String, String, u64, u64),
    /// The new SD's path, SHA-256 and quorum (required, total).
    pub new_sd: (String, String, u64, u64),
    /// The old custodians' keys that opened a share, with the share's certificate thumbprint.
    pub keys_used: Vec<Named>,
    /// The new custodians' certificates, in share order.
    pub new_certificates: Vec<Named>,
}

/// Everything a printed record shows.
#[derive(Debug)]
pub struct Record {
    /// The transcript's path as given.
    pub path: String,
    /// SHA-256 of the whole transcript file.
    pub file_sha256: Sha256Digest,
    /// The hash of the last step.
    pub head: Sha256Digest,
    /// Each distinct sdkit build that ran: version and binary SHA-256 (`None`: not recorded).
    pub binaries: Vec<(String, Option<Shown>)>,
    /// The steps in order.
    pub steps: Vec<Step>,
    /// Every file read or written, in step order.
    pub artifacts: Vec<Artifact>,
    /// The `reshare` steps.
    pub custody_changes: Vec<CustodyChange>,
}

/// `0.1.0, AWS-LC-FIPS 3.6.0 (FIPS mode on)`: the sdkit version and, where the record names
/// it, the crypto module that did the work (what an auditor asks; docs/SECURITY.md, "FIPS").
fn version_and_module(r: &Map<String, Value>) -> String {
    let version = text(r, "sdkit_version");
    let Some(crypto) = r.get("crypto").and_then(Value::as_object) else {
        return version;
    };
    let module = text(crypto, "module");
    let module_version = text(crypto, "version");
    let mode = match crypto.get("fips_mode").and_then(Value::as_bool) {
        Some(true) => "FIPS mode on",
        _ => "FIPS mode off",
    };
    format!("{version}, {module} {module_version} ({mode})")
}

fn text(r: &Map<String, Value>, k: &str) -> String {
    r.get(k).and_then(Value::as_str).unwrap_or("").to_owned()
}

/// Each record's own hash: the next record's `prev`, and the head for the last one.
fn step_hashes(log: &Log) -> Vec<String> {
    let mut out: Vec<String> = log
        .records
        .iter()
        .skip(1)
        .map(|r| text(r, "prev"))
        .collect();
    if !log.records.is_empty() {
        out.push(log.head.to_hex());
    }
    out
}

fn named(d: &Value, key: &str) -> Vec<Named> {
    d.get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|e| Named {
            file: e
                .get("file")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned(),
            x5t_256: e
                .get("x5t_256")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned(),
        })
        .collect()
}

fn custody_change(step: usize, d: &Value) -> CustodyChange {
    let t = |k: &str| d.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
    let n = |k: &str| d.get(k).and_then(Value::as_u64).unwrap_or(0);
    CustodyChange {
        step,
        old_sd: (
            t("old_sd"),
            t("old_sd_sha256"),
            n("old_required"),
            n("old_shares_total"),
        ),
        new_sd: (
            t("new_sd"),
            t("new_sd_sha256"),
            n("required"),
            n("shares_total"),
        ),
        keys_used: named(d, "keys_used"),
        new_certificates: named(d, "new_certificates"),
    }
}

impl Record {
    /// The record of a verified transcript read from `path`.
    pub fn of(path: &Path, log: &Log) -> Record {
        let records = &log.records;
        let mut binaries: Vec<(String, Option<Shown>)> = Vec::new();
        for r in records {
            let sha = text(r, "binary_sha256");
            let b = (
                version_and_module(r),
                (!sha.is_empty()).then(|| Shown::of(&sha)),
            );
            if !binaries.iter().any(|(v, s)| {
                *v == b.0 && s.as_ref().map(|s| &s.text) == b.1.as_ref().map(|s| &s.text)
            }) {
                binaries.push(b);
            }
        }
        let steps = records
            .iter()
            .zip(step_hashes(log))
            .map(|(r, hash)| Step {
                time: text(r, "time"),
                command: r
                    .get("command")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(Value::as_str)
                            .map(str::to_owned)
                            .collect()
                    })
                    .unwrap_or_default(),
                result: text(r, "result"),
                hash: Shown::of(&hash),
            })
            .collect();
        let mut artifacts = Vec::new();
        for (i, r) in records.iter().enumerate() {
            for (direction, key) in [("in", "inputs"), ("out", "outputs")] {
                for f in r.get(key).and_then(Value::as_array).into_iter().flatten() {
                    artifacts.push(Artifact {
                        step: i + 1,
                        direction,
                        path: f
                            .get("path")
                            .and_then(Value::as_str)
                            .unwrap_or("")
                            .to_owned(),
                        size: f.get("size").and_then(Value::as_u64).unwrap_or(0),
                        sha256: f.get("sha256").and_then(Value::as_str).map(Shown::of),
                    });
                }
            }
        }
        let custody_changes = records
            .iter()
            .enumerate()
            .filter_map(|(i, r)| r.get("details").map(|d| (i + 1, d)))
            .filter(|(_, d)| d.get("kind").and_then(Value::as_str) == Some("reshare"))
            .map(|(step, d)| custody_change(step, d))
            .collect();
        Record {
            path: path.display().to_string(),
            file_sha256: log.file_sha256,
            head: log.head,
            binaries,
            steps,
            artifacts,
            custody_changes,
        }
    }

    /// The head's read-aloud words.
    pub fn head_words(&self) -> String {
        words(self.head.as_bytes())
    }
}
