//! `sdkit drill`: a restore rehearsal in memory. Recovers the master key from the given keys,
//! authenticates every item, and proves that every quorum of the opened shares gives the same
//! master key, by checking that every share lies on the polynomial a quorum fixes (which is
//! equivalent, and costs N·M operations instead of one recombination per subset).

use super::ledger::{ShareEntry, append_drill};
use super::{LoadedSd, describe_holder, holder_ok, load_sd};
use crate::cli::DrillArgs;
use crate::error::{CliError, Exit};
use crate::hygiene;
use crate::keys::{KeysOpened, LoadedKey, load_keys_and_open};
use crate::render::{Output, words_hex};
use sdkit_core::evidence::share_commitment;
use sdkit_core::recover::{self, HolderOpening, HolderStatus, RecoverError, Recovery};
use serde_json::{Value, json};
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// Everything a quorum command learned, ready to render.
pub struct QuorumRun {
    /// The SD.
    pub loaded: LoadedSd,
    /// The keys, in the order given.
    pub keys: Vec<LoadedKey>,
    /// What each key did.
    pub openings: Vec<HolderOpening>,
    /// Recombination result.
    pub recovery: Result<Recovery, RecoverError>,
    /// Text so far (holders).
    pub text: String,
    /// JSON holders.
    pub holders: Vec<Value>,
    /// One line per key that did not open a usable share, naming the key and why.
    pub holder_problems: Vec<String>,
    /// Hygiene warnings about the keys (and their certificates) and the quorum.
    pub warnings: hygiene::Warnings,
}

/// Loads the SD and keys, opens shares, recombines. Shared by `drill` and `restore-blob`.
pub fn run_quorum(
    sd_path: &Path,
    key_paths: &[PathBuf],
    passphrase_files: &[PathBuf],
) -> Result<QuorumRun, CliError> {
    run_quorum_with(|| load_sd(sd_path), sd_path, key_paths, passphrase_files)
}

/// [`run_quorum`] with the caller's own way to load (and check) the SD. `load` runs while the
/// keys start loading on the other cores; its error, or too few keys for the SD's quorum, is
/// reported before any key's error and before anybody is asked for a passphrase.
pub fn run_quorum_with(
    load: impl FnOnce() -> Result<LoadedSd, CliError>,
    sd_path: &Path,
    key_paths: &[PathBuf],
    passphrase_files: &[PathBuf],
) -> Result<QuorumRun, CliError> {
    let load_and_count = || {
        let loaded = load()?;
        let need = loaded.sd.quorum().required();
        if key_paths.len() < need {
            return Err(CliError::new(
                Exit::Crypto,
                format!(
                    "{} needs {need} of its {} custodians' keys; {} given",
                    sd_path.display(),
                    loaded.sd.quorum().total(),
                    key_paths.len()
                ),
            )
            .hint(format!(
                "give at least {need} --key options, each a different custodian's key"
            )));
        }
        Ok(loaded)
    };
    let KeysOpened {
        sd: loaded,
        keys,
        openings,
        early,
    } = load_keys_and_open(load_and_count, key_paths, passphrase_files)?;
    let need = loaded.sd.quorum().required();
    let paths: Vec<&Path> = key_paths.iter().map(PathBuf::as_path).collect();
    let mut text = format!(
        "Security domain {} (quorum {} of {}, SHA-256 {})\nKeys:\n",
        sd_path.display(),
        need,
        loaded.sd.quorum().total(),
        loaded.sha256()
    );
    let mut holders = Vec::new();
    let mut holder_problems = Vec::new();
    for (k, o) in keys.iter().zip(&openings) {
        let (line, j) = describe_holder(&loaded.sd, k, o, &paths);
        if !holder_ok(o) {
            holder_problems.extend(line.lines().next().map(|l| l.trim().to_owned()));
        }
        text.push_str(&line);
        holders.push(j);
    }
    let recovery = recover::combine_after(&loaded.sd, &openings, early);
    let mut warnings = hygiene::keys(&keys);
    warnings.extend(hygiene::quorum(loaded.sd.quorum()));
    Ok(QuorumRun {
        loaded,
        keys,
        openings,
        recovery,
        text,
        holders,
        holder_problems,
        warnings,
    })
}

/// Turns a failed recombination into the error the user sees, with the keys that gave no
/// usable share (the reason there is no quorum).
pub fn recover_error(sd_path: &Path, e: &RecoverError, holder_problems: &[String]) -> CliError {
    let mut message = format!("{}: {e}", sd_path.display());
    for p in holder_problems {
        message.push_str("\n  ");
        message.push_str(p);
    }
    CliError::new(Exit::Crypto, message)
}

/// The every-quorum line, for people: `opened` shares lie on one polynomial of degree
/// `need - 1`.
fn every_quorum_line(opened: usize, need: usize) -> String {
    if opened == need {
        format!("Every quorum: the {opened} keys given agree (they are one quorum).")
    } else {
        format!(
            "Every quorum: any {need} of the {opened} keys given recover the same master key ({} combinations; their shares lie on one polynomial).",
            recover::binomial(opened, need)
        )
    }
}

/// The shares no key of this drill opened, named by their certificate where a `.cer` file
/// beside the keys matches (`sd-key3.cer`), else by thumbprint.
fn untested_shares(run: &QuorumRun, key_paths: &[PathBuf]) -> Vec<(usize, Option<PathBuf>)> {
    let sd = &run.loaded.sd;
    let tested: Vec<usize> = run
        .openings
        .iter()
        .filter_map(|o| match o.status {
            HolderStatus::Opened { share_index, .. }
            | HolderStatus::Malformed { share_index, .. }
            | HolderStatus::Duplicate { share_index, .. } => Some(share_index),
            HolderStatus::NoShare => None,
        })
        .collect();
    let beside = crate::keys::certificates_beside(key_paths);
    (0..sd.shares().len())
        .filter(|i| !tested.contains(i))
        .map(|i| {
            let tp = sd.shares()[i].thumbprint;
            (
                i,
                beside
                    .iter()
                    .find(|(_, t)| *t == tp)
                    .map(|(p, _)| p.clone()),
            )
        })
        .collect()
}

/// Runs `drill`.
pub fn run(args: &DrillArgs, out: Output) -> Result<Exit, CliError> {
    if let Some(ledger_path) = &args.ledger {
        super::ledger::check_appendable(ledger_path)?;
    }
    let run = run_quorum(&args.sd, &args.keys_paths, &args.keys.passphrase_files)?;
    let warnings = &run.warnings;
    warnings.print();
    let mut text = run.text.clone();
    let rec = match &run.recovery {
        Ok(r) => r,
        Err(e) => {
            let err = recover_error(&args.sd, e, &run.holder_problems);
            let report = json!({
                "command": "drill",
                "file": args.sd.display().to_string(),
                "sha256": run.loaded.sha256(),
                "holders": run.holders,
                "warnings": warnings.json(),
            });
            return Err(err.with_report(report, text));
        }
    };
    let sd = &run.loaded.sd;
    let need = sd.quorum().required();
    let opened = run.openings.iter().filter(|o| holder_ok(o)).count();
    let holders_ok = opened == run.openings.len();
    let consistent = rec.off_polynomial.is_empty();
    let mut problems = run.holder_problems.clone();
    let _ = writeln!(
        text,
        "Master key recovered from shares x = {:?} (not shown).",
        rec.basis
    );
    if consistent {
        let _ = writeln!(text, "{}", every_quorum_line(opened, need));
    } else {
        for x in &rec.off_polynomial {
            let who = run
                .openings
                .iter()
                .zip(&run.keys)
                .find(|(o, _)| o.share().is_some_and(|s| s.x() == *x))
                .map(|(_, k)| k.path.display().to_string())
                .unwrap_or_default();
            let line = format!(
                "share x = {x} (opened by {who}) is off the polynomial: it is corrupt or from another secret"
            );
            let _ = writeln!(text, "  BAD: {line}");
            problems.push(line);
        }
    }
    let _ = writeln!(text, "Items:");
    let items = super::describe_items(&rec.items, &mut text);
    for it in &rec.items {
        if let Err(e) = &it.plaintext {
            problems.push(format!("item {:?} did not authenticate: {e}", it.tag));
        }
    }
    let items_ok = rec.all_items_authentic();
    let mut exhaustive_json = Value::Null;
    if args.exhaustive {
        let report = recover::every_subset(sd, &run.openings, rec).map_err(|e| {
            CliError::usage(format!("--exhaustive refused: {e}"))
                .hint("run the drill without --exhaustive")
        })?;
        if report.disagreeing.is_empty() {
            let _ = writeln!(
                text,
                "Exhaustive: all {} subsets of {need} recombined one by one to the same master key.",
                report.subsets
            );
        } else {
            for xs in &report.disagreeing {
                let line = format!("the subset x = {xs:?} recombines to a different master key");
                let _ = writeln!(text, "  BAD: {line}");
                problems.push(line);
            }
        }
        exhaustive_json = json!({ "subsets": report.subsets, "disagreeing_x": report.disagreeing });
    }
    let untested = untested_shares(&run, &args.keys_paths);
    if !untested.is_empty() {
        let _ = writeln!(text, "Not tested by this drill:");
        for (i, cert) in &untested {
            let name = cert.as_ref().and_then(|p| p.file_name()).map_or_else(
                || format!("x5t_256 {}", sd.shares()[*i].thumbprint),
                |n| n.to_string_lossy().into_owned(),
            );
            let _ = writeln!(
                text,
                "  share {} ({name}) not tested: run a drill that includes its custodian's key",
                i + 1
            );
        }
    }
    let ok = problems.is_empty();
    let mut ledger_json = Value::Null;
    if let Some(ledger_path) = &args.ledger {
        let entries: Vec<ShareEntry> = run
            .openings
            .iter()
            .filter_map(|o| match (&o.status, o.share()) {
                (HolderStatus::Opened { share_index, x }, Some(share)) => Some(ShareEntry {
                    share: share_index + 1,
                    x: *x,
                    x5t_256: sd.shares()[*share_index].thumbprint.to_base64url(),
                    status: if rec.off_polynomial.contains(x) {
                        "off_polynomial"
                    } else {
                        "ok"
                    },
                    commitment: hex::encode(share_commitment(&run.loaded.digest, share)),
                }),
                _ => None,
            })
            .collect();
        let head = append_drill(
            ledger_path,
            &args.sd,
            &sdkit_core::digest::Sha256Digest::from_bytes(run.loaded.digest),
            need,
            sd.quorum().total(),
            ok,
            &entries,
        )?;
        let _ = writeln!(
            text,
            "Ledger: recorded this drill ({} share commitments) in {}.",
            entries.len(),
            ledger_path.display()
        );
        let _ = writeln!(
            text,
            "  new head {} ({}): write it down",
            &head.to_hex()[..16],
            words_hex(&head.to_hex())
        );
        ledger_json = json!({ "file": ledger_path.display().to_string(), "head": head, "head_words": words_hex(&head.to_hex()), "commitments": entries.len() });
    }
    let report = json!({
        "command": "drill",
        "file": args.sd.display().to_string(),
        "sha256": run.loaded.sha256(),
        "required": need,
        "shares_total": sd.quorum().total(),
        "holders": run.holders,
        "basis_x": rec.basis,
        "off_polynomial_x": rec.off_polynomial,
        "every_quorum_agrees": consistent,
        "exhaustive": exhaustive_json,
        "untested_shares": untested.iter().map(|(i, cert)| json!({ "share": i + 1, "x5t_256": sd.shares()[*i].thumbprint.to_base64url(), "certificate": cert.as_ref().map(|p| p.display().to_string()) })).collect::<Vec<_>>(),
        "ledger": ledger_json,
        "items": items,
        "warnings": warnings.json(),
        "ok": ok,
    });
    if !ok {
        let mut message = format!("{}: drill failed:", args.sd.display());
        for p in &problems {
            message.push_str("\n  ");
            message.push_str(p);
        }
        let exit = if items_ok {
            Exit::CheckFailed
        } else {
            Exit::Crypto
        };
        return Err(CliError::new(exit, message)
            .hint(if holders_ok {
                "download the security domain again; if it stays, the file was damaged or altered"
            } else {
                "give each custodian's own key; a key that opens no share is not one of this SD's"
            })
            .with_report(report, text));
    }
    let _ = writeln!(
        text,
        "DRILL PASSED: every key opened its share, every quorum agrees, every item authenticated."
    );
    out.emit(&report, &text);
    Ok(Exit::Ok)
}
