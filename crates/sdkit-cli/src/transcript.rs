//! The ceremony transcript: one hash-chained JSON line per command, with every input and
//! output file's SHA-256, the command line (secrets redacted), sdkit's version and the hash
//! of its own binary, the result, and the previous line's hash. `transcript verify` checks
//! the chain, `transcript render` prints a Markdown record for witnesses to sign.

use crate::chain_file::{self, Log};
use crate::error::{CliError, Exit};
use crate::io::{self, FileRecord};
use crate::render::{rfc3339, words};
use sdkit_core::digest::Sha256Digest;
use serde_json::{Map, Value, json};
use std::fmt::Write;
use std::path::Path;
use std::time::SystemTime;

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

/// Each record's own hash: the next record's `prev`, and the head for the last one.
fn step_hashes(log: &Log) -> Vec<String> {
    let mut out: Vec<String> = log
        .records
        .iter()
        .skip(1)
        .map(|r| {
            r.get("prev")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned()
        })
        .collect();
    if !log.records.is_empty() {
        out.push(log.head.to_hex());
    }
    out
}

/// A hex digest from a record, as the Markdown shows it: its first `digits` characters and its
/// read-aloud words. The chain checks `prev` but not the other hash fields, so text that is
/// not a SHA-256 digest is shown as it is and said to be none, never read aloud as nothing.
fn shown(recorded: &str, digits: usize) -> (String, String) {
    let text = recorded.get(..digits).unwrap_or(recorded).to_owned();
    match Sha256Digest::from_hex(recorded) {
        Ok(d) => (text, words(d.as_bytes())),
        Err(_) => (text, "(not a SHA-256 digest)".to_owned()),
    }
}

/// The Markdown ceremony record.
pub fn render(path: &Path, log: &Log) -> String {
    let records = &log.records;
    let s =
        |r: &Map<String, Value>, k: &str| r.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
    let mut md = String::new();
    let _ = writeln!(md, "# Key ceremony record\n");
    let _ = writeln!(md, "- Transcript: `{}`", path.display());
    let _ = writeln!(md, "- Transcript SHA-256: `{}`", log.file_sha256);
    let _ = writeln!(md, "- Steps: {}, chain verified", records.len());
    let _ = writeln!(md, "- Head (hash of the last step): `{}`", log.head);
    let _ = writeln!(md, "- Head read aloud: **{}**", words(log.head.as_bytes()));
    let _ = writeln!(
        md,
        "\nCompare the head with the one written down when the last step ran: a hash chain \
         cannot show an edit to its last step on its own.\n"
    );
    let mut binaries: Vec<(String, String)> = Vec::new();
    for r in records {
        let b = (s(r, "sdkit_version"), s(r, "binary_sha256"));
        if !binaries.contains(&b) {
            binaries.push(b);
        }
    }
    let _ = writeln!(md, "## sdkit binary\n");
    let _ = writeln!(md, "| version | binary SHA-256 | read aloud |");
    let _ = writeln!(md, "|---|---|---|");
    for (version, sha) in &binaries {
        let (hash, spoken) = if sha.is_empty() {
            ("(not recorded)".to_owned(), String::new())
        } else {
            let (hex, spoken) = shown(sha, sha.len());
            (format!("`{hex}`"), spoken)
        };
        let _ = writeln!(md, "| {version} | {hash} | {spoken} |");
    }
    let _ = writeln!(md, "\n## Steps\n");
    let _ = writeln!(
        md,
        "| # | time (UTC) | command | result | step hash | read aloud |"
    );
    let _ = writeln!(md, "|---|---|---|---|---|---|");
    for (i, (r, hash)) in records.iter().zip(step_hashes(log)).enumerate() {
        let (prefix, spoken) = shown(&hash, 16);
        let cmd: Vec<String> = r
            .get("command")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        let _ = writeln!(
            md,
            "| {} | {} | `{}` | {} | `{}` | {} |",
            i + 1,
            s(r, "time"),
            cmd.join(" ").replace('|', "\\|"),
            s(r, "result"),
            prefix,
            spoken
        );
    }
    let _ = writeln!(md, "\n## Artifacts\n");
    let _ = writeln!(
        md,
        "| step | direction | file | bytes | SHA-256 | read aloud |"
    );
    let _ = writeln!(md, "|---|---|---|---|---|---|");
    for (i, r) in records.iter().enumerate() {
        for (dir, key) in [("in", "inputs"), ("out", "outputs")] {
            for f in r.get(key).and_then(Value::as_array).into_iter().flatten() {
                let path = f.get("path").and_then(Value::as_str).unwrap_or("");
                let size = f.get("size").and_then(Value::as_u64).unwrap_or(0);
                let (hash, spoken) = match f.get("sha256").and_then(Value::as_str) {
                    Some(h) => {
                        let (hex, spoken) = shown(h, h.len());
                        (format!("`{hex}`"), spoken)
                    }
                    None => ("(secret: not hashed)".to_owned(), String::new()),
                };
                let _ = writeln!(
                    md,
                    "| {} | {dir} | `{path}` | {size} | {hash} | {spoken} |",
                    i + 1
                );
            }
        }
    }
    custody_changes(&mut md, records);
    let _ = writeln!(md, "\n## Sign-off\n");
    let _ = writeln!(
        md,
        "We witnessed the steps above and compared the artifact hashes.\n"
    );
    for role in [
        "Ceremony administrator",
        "Witness",
        "Witness",
        "Custodian",
        "Custodian",
        "Custodian",
    ] {
        let _ = writeln!(
            md,
            "{role}: ______________________  Signature: ______________  Date: __________\n"
        );
    }
    md
}

/// The custody changes (`reshare` steps) a transcript records: which SD was replaced by
/// which, under which keys, for which certificates.
fn custody_changes(md: &mut String, records: &[Map<String, Value>]) {
    let changes: Vec<(usize, &Value)> = records
        .iter()
        .enumerate()
        .filter_map(|(i, r)| r.get("details").map(|d| (i, d)))
        .filter(|(_, d)| d.get("kind").and_then(Value::as_str) == Some("reshare"))
        .collect();
    if changes.is_empty() {
        return;
    }
    let text = |d: &Value, k: &str| d.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
    let num = |d: &Value, k: &str| d.get(k).and_then(Value::as_u64).unwrap_or(0);
    let _ = writeln!(md, "\n## Custody changes\n");
    for (i, d) in changes {
        let _ = writeln!(md, "### Step {}: reshare\n", i + 1);
        let _ = writeln!(
            md,
            "- Old SD SHA-256: `{}` ({} of {})",
            text(d, "old_sd_sha256"),
            num(d, "old_required"),
            num(d, "old_total")
        );
        let _ = writeln!(
            md,
            "- New SD SHA-256: `{}` ({} of {})",
            text(d, "new_sd_sha256"),
            num(d, "required"),
            num(d, "total")
        );
        for (key, title) in [
            ("keys_used", "Old custodians' keys that opened a share"),
            (
                "new_certificates",
                "New custodians' certificates, in share order",
            ),
        ] {
            let _ = writeln!(md, "- {title}:");
            for e in d.get(key).and_then(Value::as_array).into_iter().flatten() {
                let _ = writeln!(
                    md,
                    "  - `{}` x5t_256 `{}`",
                    text(e, "file"),
                    text(e, "x5t_256")
                );
            }
        }
        let _ = writeln!(md);
    }
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
