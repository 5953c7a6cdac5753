//! The drill ledger: a hash-chained JSON-lines file with one record per drill (date, SD file
//! hash, M, N, result, and a commitment per share that reveals nothing about it). A custodian
//! later proves their share is the one that passed a drill with `check --ledger`.

use crate::chain_file::{self, Log, append};
use crate::cli::LedgerCommand;
use crate::error::{CliError, Exit};
use crate::render::ShowPath;
use crate::render::{Output, rfc3339};
use sdkit_core::digest::Sha256Digest;
use serde_json::{Map, Value, json};
use std::path::Path;
use std::time::SystemTime;

/// The `type` of ledger lines.
pub const KIND: &str = "sdkit-drill-ledger";

/// One share's line in a drill record.
pub struct ShareEntry {
    /// 1-based position in `enc_shares`.
    pub share: usize,
    /// x coordinate.
    pub x: u8,
    /// The certificate thumbprint the SD names.
    pub x5t_256: String,
    /// "ok", or what was wrong.
    pub status: &'static str,
    /// Hex commitment.
    pub commitment: String,
}

/// Fails before a drill's work when its record could not be appended to `path`.
pub fn check_appendable(path: &Path) -> Result<(), CliError> {
    chain_file::check_appendable(path, KIND, "ledger")
}

/// The `record` field of a check's line; a drill's line has none (older ledgers hold only
/// drills).
const CHECK_RECORD: &str = "check";

/// Whether a ledger line records one custodian's `check`, not a drill.
pub fn is_check(rec: &Map<String, Value>) -> bool {
    rec.get("record").and_then(Value::as_str) == Some(CHECK_RECORD)
}

/// Appends a drill record; returns the ledger's new head.
pub fn append_drill(
    path: &Path,
    sd_file: &Path,
    sd_sha256: &Sha256Digest,
    required: usize,
    total: usize,
    passed: bool,
    shares: &[ShareEntry],
) -> Result<Sha256Digest, CliError> {
    append_record(
        path, None, sd_file, sd_sha256, required, total, passed, shares,
    )
}

/// Appends one custodian's passed check (their share, and its commitment); returns the
/// ledger's new head.
pub fn append_check(
    path: &Path,
    sd_file: &Path,
    sd_sha256: &Sha256Digest,
    required: usize,
    total: usize,
    share: &ShareEntry,
) -> Result<Sha256Digest, CliError> {
    append_record(
        path,
        Some(CHECK_RECORD),
        sd_file,
        sd_sha256,
        required,
        total,
        true,
        std::slice::from_ref(share),
    )
}

#[allow(clippy::too_many_arguments)] // one record's fields, named at both call sites
fn append_record(
    path: &Path,
    record: Option<&str>,
    sd_file: &Path,
    sd_sha256: &Sha256Digest,
    required: usize,
    total: usize,
    passed: bool,
    shares: &[ShareEntry],
) -> Result<Sha256Digest, CliError> {
    let mut rec = Map::new();
    rec.insert("version".into(), json!(1));
    if let Some(r) = record {
        rec.insert("record".into(), json!(r));
    }
    rec.insert("time".into(), json!(rfc3339(SystemTime::now())));
    rec.insert("sd_file".into(), json!(sd_file.shown().to_string()));
    rec.insert("sd_sha256".into(), json!(sd_sha256));
    rec.insert("required".into(), json!(required));
    rec.insert("total".into(), json!(total));
    rec.insert(
        "result".into(),
        json!(if passed { "passed" } else { "failed" }),
    );
    rec.insert(
        "shares".into(),
        Value::Array(
            shares
                .iter()
                .map(|s| {
                    json!({ "share": s.share, "x": s.x, "x5t_256": s.x5t_256, "status": s.status, "commitment": s.commitment })
                })
                .collect(),
        ),
    );
    append(path, KIND, "ledger", rec)
}

/// The SHA-256 digest a record holds at `v`, if it holds one.
fn digest_at(v: Option<&Value>) -> Option<Sha256Digest> {
    v.and_then(Value::as_str)
        .and_then(|s| Sha256Digest::from_hex(s).ok())
}

/// Reads a ledger, verifying the chain and that every record is well-formed.
pub fn load(path: &Path) -> Result<Log, CliError> {
    let log = chain_file::load(path, KIND, "ledger")?;
    for (i, r) in log.records.iter().enumerate() {
        let shares_ok = r.get("shares").and_then(Value::as_array).is_some_and(|a| {
            a.iter().all(|s| {
                digest_at(s.get("commitment")).is_some()
                    && s.get("x").and_then(Value::as_u64).is_some()
            })
        });
        if digest_at(r.get("sd_sha256")).is_none() || !shares_ok {
            return Err(CliError::new(
                Exit::CheckFailed,
                format!(
                    "{}: record {} is malformed (sd_sha256 or share commitments)",
                    path.shown(),
                    i + 1
                ),
            ));
        }
    }
    Ok(log)
}

/// What the ledger says about one share of one SD.
pub enum LedgerMatch {
    /// A drill recorded this exact share as good (time of that drill).
    Matches(String),
    /// A drill recorded a different good share for this x (time of that drill).
    Differs(String),
    /// No drill of this SD file covered this share: this custodian's key was not among the
    /// keys of any recorded drill of this exact file (or its share was not good then).
    NotRecorded {
        /// How many drills of this exact SD file the ledger holds.
        drills_of_this_sd: usize,
    },
}

/// Looks up the newest drill of `sd_sha256` that recorded share `x` as good (authenticated
/// and on the polynomial; the drill as a whole may have failed for another key) and compares
/// commitments.
pub fn lookup(log: &Log, sd_sha256: &Sha256Digest, x: u8, commitment: &str) -> LedgerMatch {
    let of_this_sd =
        |rec: &&Map<String, Value>| digest_at(rec.get("sd_sha256")) == Some(*sd_sha256);
    // Only a drill saw the share beside the others (on one polynomial); a check did not.
    for rec in log
        .records
        .iter()
        .rev()
        .filter(of_this_sd)
        .filter(|r| !is_check(r))
    {
        let entry = rec.get("shares").and_then(Value::as_array).and_then(|a| {
            a.iter().find(|s| {
                s.get("x").and_then(Value::as_u64) == Some(u64::from(x))
                    && s.get("status").and_then(Value::as_str) == Some("ok")
            })
        });
        let Some(recorded) = entry
            .and_then(|e| e.get("commitment"))
            .and_then(Value::as_str)
        else {
            continue;
        };
        let time = rec
            .get("time")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        return if recorded == commitment {
            LedgerMatch::Matches(time)
        } else {
            LedgerMatch::Differs(time)
        };
    }
    LedgerMatch::NotRecorded {
        drills_of_this_sd: log
            .records
            .iter()
            .filter(of_this_sd)
            .filter(|r| !is_check(r))
            .count(),
    }
}

/// Runs `ledger verify`.
pub fn run(cmd: &LedgerCommand, out: Output) -> Result<Exit, CliError> {
    let LedgerCommand::Verify { file, expect_head } = cmd;
    let log = load(file)?;
    let checks = log.records.iter().filter(|r| is_check(r)).count();
    let drills = log.records.len() - checks;
    let passed = log
        .records
        .iter()
        .filter(|r| !is_check(r) && r.get("result").and_then(Value::as_str) == Some("passed"))
        .count();
    let mut summary = format!("{drills} drill record(s) ({passed} passed)");
    if checks > 0 {
        summary.push_str(&format!(", {checks} check record(s)"));
    }
    super::log_verify::report(
        "ledger verify",
        file,
        &log,
        &summary,
        json!({ "records": log.records.len(), "drills": drills, "passed": passed, "checks": checks }),
        expect_head.as_ref(),
        out,
    )
}
