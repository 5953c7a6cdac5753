//! The ceremony transcript: one hash-chained JSON line per command, with every input and
//! output file's SHA-256, the command line (secrets redacted), sdkit's version and the hash
//! of its own binary, the result, and the previous line's hash. `transcript verify` checks
//! the chain, `transcript render` prints a Markdown record, or writes a printable HTML page,
//! for witnesses to sign.

use crate::chain_file::{self, Log};
use crate::error::{CliError, Exit};
use crate::html::Paper;
use crate::io::{self, FileRecord};
use crate::keys::LoadedCert;
use crate::render::rfc3339;
use sdkit_core::digest::Sha256Digest;
use serde_json::{Map, Value, json};
use std::path::Path;
use std::time::SystemTime;

mod certs;
mod markdown;
mod page;
mod record;

use certs::Certificates;
use record::Record;

/// The `type` of transcript lines.
pub const KIND: &str = "sdkit-transcript";

/// Options whose value is secret and must never be written down (none take a secret value
/// today: passphrases come from files or prompts; this is the guard for any that might).
const SECRET_OPTIONS: [&str; 3] = ["--passphrase", "--password", "--secret"];

/// The command line with the values of secret options replaced.
pub fn redact(argv: &[String]) -> Vec<String> {
    let mut out = Vec::with_capacity(argv.len());
    let mut hide_next = false;
    for a in argv {
        if hide_next {
            out.push("[REDACTED]".to_owned());
            hide_next = false;
        } else if let Some((flag, _)) = a
            .split_once('=')
            .filter(|(f, _)| SECRET_OPTIONS.contains(f))
        {
            out.push(format!("{flag}=[REDACTED]"));
        } else {
            hide_next = SECRET_OPTIONS.contains(&a.as_str());
            out.push(redact_pin_value(a));
        }
    }
    out
}

/// A `pkcs11:` URI's `pin-value=` (which sdkit refuses, but only after the command line has
/// been recorded) with its value replaced.
fn redact_pin_value(arg: &str) -> String {
    match arg.split_once("pin-value=") {
        Some((before, after)) => {
            let rest = after.find(['&', ';']).map_or("", |i| &after[i..]);
            format!("{before}pin-value=[REDACTED]{rest}")
        }
        None => arg.to_owned(),
    }
}

/// SHA-256 of the running sdkit binary, so the record says which build ran.
fn binary_sha256() -> Option<Sha256Digest> {
    let exe = std::env::current_exe().ok()?;
    std::fs::read(exe).ok().map(|b| Sha256Digest::of(&b))
}

fn files_json(list: &[FileRecord]) -> Value {
    Value::Array(
        list.iter()
            .map(|f| {
                json!({
                    "path": f.path.display().to_string(),
                    "size": f.size,
                    "sha256": f.sha256,
                    "secret": f.sha256.is_none(),
                })
            })
            .collect(),
    )
}

/// Appends one line for a finished command (atomically: the new file replaces the old whole).
pub fn append(
    path: &Path,
    argv: &[String],
    exit: Exit,
    error: Option<&str>,
) -> Result<Sha256Digest, CliError> {
    let (inputs, outputs) = io::take_file_records();
    let mut record = Map::new();
    record.insert("version".into(), json!(1));
    record.insert("time".into(), json!(rfc3339(SystemTime::now())));
    record.insert("sdkit_version".into(), json!(env!("CARGO_PKG_VERSION")));
    record.insert("binary_sha256".into(), json!(binary_sha256()));
    record.insert("crypto".into(), sdkit_certs::crypto_module());
    record.insert("command".into(), json!(redact(argv)));
    record.insert("inputs".into(), files_json(&inputs));
    record.insert("outputs".into(), files_json(&outputs));
    record.insert("exit_code".into(), json!(exit as u8));
    record.insert("result".into(), json!(exit.name()));
    if let Some(e) = error {
        record.insert("error".into(), json!(e));
    }
    if let Some(details) = io::take_details() {
        record.insert("details".into(), details);
    }
    let hash = chain_file::append(path, KIND, "transcript", record)?;
    let _ = io::take_file_records();
    let _ = io::take_details();
    Ok(hash)
}

/// Fails before a command's work when its record could not be appended to `path`.
pub fn check_appendable(path: &Path) -> Result<(), CliError> {
    chain_file::check_appendable(path, KIND, "transcript")
}

/// Reads and verifies a transcript.
pub fn load(path: &Path) -> Result<Log, CliError> {
    chain_file::load(path, KIND, "transcript")
}

/// The Markdown ceremony record.
pub fn render(path: &Path, log: &Log) -> String {
    markdown::render(&Record::of(path, log))
}

/// The HTML ceremony record, with the certificates it names read from their files (and from
/// `extra`, the `--cert` files, each of which must be one the transcript names).
pub fn render_html(
    path: &Path,
    log: &Log,
    extra: &[LoadedCert],
    paper: Paper,
) -> Result<String, CliError> {
    let rec = Record::of(path, log);
    let certs = Certificates::gather(&rec, path, extra)?;
    page::render(&rec, &certs, paper).map_err(|e| CliError::new(Exit::Input, e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn redacts_secret_option_values() {
        let argv: Vec<String> = [
            "sdkit",
            "x",
            "--passphrase",
            "hunter2",
            "--password=pw",
            "--key",
            "k.pem",
            "--key",
            "pkcs11:id=%01?pin-value=4321&module-path=/m.so",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        let r = redact(&argv);
        assert!(!r.iter().any(|a| a.contains("hunter2") || a.contains("=pw")));
        assert!(r.contains(&"k.pem".to_owned()));
        assert!(!r.iter().any(|a| a.contains("4321")));
        assert!(r.contains(&"pkcs11:id=%01?pin-value=[REDACTED]&module-path=/m.so".to_owned()));
    }
}
