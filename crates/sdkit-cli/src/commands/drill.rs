//! `sdkit drill`: a restore rehearsal in memory. Recovers the master key from the given keys,
//! authenticates every item, and proves that every quorum of the opened shares gives the same
//! master key, by checking that every share lies on the polynomial a quorum fixes (which is
//! equivalent, and costs N·M operations instead of one recombination per subset).

use super::ledger::{ShareEntry, append_drill};
use super::{LoadedSd, describe_holder, holder_ok, load_sd};
use crate::cli::DrillArgs;
use crate::error::{CliError, Exit};
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
        loaded.sha256
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
    Ok(QuorumRun {
        loaded,
        keys,
        openings,
        recovery,
        text,
        holders,
        holder_problems,
    })
}

/// Turns a failed recombination into the error the user sees.
pub fn recover_error(sd_path: &Path, e: &RecoverError) -> CliError {
    CliError::new(Exit::Crypto, format!("{}: {e}", sd_path.display()))
}

/// Runs `drill`.
pub fn run(args: &DrillArgs, out: Output) -> Result<Exit, CliError> {
    if let Some(ledger_path) = &args.ledger {
        super::ledger::check_appendable(ledger_path)?;
    }
    let run = run_quorum(&args.sd, &args.keys_paths, &args.keys.passphrase_files)?;
    let mut text = run.text;
    let rec = match run.recovery {
        Ok(r) => r,
        Err(e) => {
            let mut err = recover_error(&args.sd, &e);
            if out.json {
                // One JSON document on stdout: the report carries the error (main must not
                // print a second one), and stderr still says what went wrong.
                out.emit(
                    &json!({
                        "command": "drill",
                        "file": args.sd.display().to_string(),
                        "holders": run.holders,
                        "ok": false,
                        "error": { "kind": err.exit.name(), "exit_code": err.exit as u8, "message": err.message, "hint": err.hint },
                    }),
                    "",
                );
                eprintln!("{err}");
                eprint_lines(&run.holder_problems);
                return Ok(err.exit);
            }
            print!("{text}");
            for p in &run.holder_problems {
                err.message.push_str("\n  ");
                err.message.push_str(p);
            }
            return Err(err);
        }
    };
    let sd = &run.loaded.sd;
    let need = sd.quorum().required();
    let opened = run.openings.iter().filter(|o| holder_ok(o)).count();
    let holders_ok = opened == run.openings.len();
    let consistent = rec.off_polynomial.is_empty();
    let mut off = Vec::new();
    let _ = writeln!(
        text,
        "Master key recovered from shares x = {:?} (not shown).",
        rec.basis
    );
    if consistent {
        let subsets = recover::binomial(opened, need);
        let _ = writeln!(
            text,
            "Every quorum: all {opened} opened shares lie on one polynomial, so each of the {subsets} {need}-of-{opened} subsets recovers the same master key."
        );
    } else {
        for x in &rec.off_polynomial {
            let who = run
                .openings
                .iter()
                .zip(&run.keys)
                .find(|(o, _)| o.share().is_some_and(|s| s.x() == *x))
                .map(|(_, k)| k.path.display().to_string())
                .unwrap_or_default();
            let _ = writeln!(
                text,
                "  BAD: share x = {x} (opened by {who}) is off the polynomial: it is corrupt or from another secret"
            );
            off.push(format!(
                "share x = {x} (opened by {who}) is off the polynomial: it is corrupt or from another secret"
            ));
        }
    }
    let _ = writeln!(text, "Items:");
    let items = super::describe_items(&rec.items, &mut text);
    let mut problems = run.holder_problems.clone();
    for it in &rec.items {
        if let Err(e) = &it.plaintext {
            problems.push(format!("item {:?} did not authenticate: {e}", it.tag));
        }
    }
    let items_ok = rec.all_items_authentic();
    let mut exhaustive_json = Value::Null;
    let mut exhaustive_ok = true;
    if args.exhaustive {
        let report = recover::every_subset(sd, &run.openings, &rec).map_err(|e| {
            CliError::usage(format!("--exhaustive refused: {e}"))
                .hint("run the drill without --exhaustive")
        })?;
        exhaustive_ok = report.disagreeing.is_empty();
        if exhaustive_ok {
            let _ = writeln!(
                text,
                "Exhaustive: all {} subsets of {need} recombined one by one to the same master key.",
                report.subsets
            );
        } else {
            for xs in &report.disagreeing {
                let _ = writeln!(
                    text,
                    "  BAD: the subset x = {xs:?} recombines to a different master key"
                );
                problems.push(format!(
                    "the subset x = {xs:?} recombines to a different master key"
                ));
            }
        }
        exhaustive_json = json!({ "subsets": report.subsets, "disagreeing_x": report.disagreeing });
    }
    let ok = holders_ok && consistent && items_ok && exhaustive_ok;
    let mut ledger_json = Value::Null;
    if let Some(ledger_path) = &args.ledger {
        let sd_hash = run.loaded.digest;
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
                    commitment: hex::encode(share_commitment(&sd_hash, share)),
                }),
                _ => None,
            })
            .collect();
        let hash = append_drill(
            ledger_path,
            &args.sd,
            &run.loaded.sha256,
            need,
            sd.quorum().total(),
            ok,
            &entries,
        )?;
        let _ = writeln!(
            text,
            "Ledger: appended this drill ({} share commitments) to {}; record hash {} ({}).",
            entries.len(),
            ledger_path.display(),
            &hash[..16],
            words_hex(&hash)
        );
        ledger_json = json!({ "file": ledger_path.display().to_string(), "record_sha256": hash, "commitments": entries.len() });
    }
    let _ = writeln!(
        text,
        "{}",
        if ok {
            "DRILL PASSED: every key opened its share, every quorum agrees, every item authenticated."
        } else {
            "DRILL FAILED: see the lines above."
        }
    );
    let report = json!({
        "command": "drill",
        "file": args.sd.display().to_string(),
        "sha256": run.loaded.sha256,
        "required": need,
        "shares_total": sd.quorum().total(),
        "holders": run.holders,
        "basis_x": rec.basis,
        "off_polynomial_x": rec.off_polynomial,
        "every_quorum_agrees": consistent,
        "exhaustive": exhaustive_json,
        "ledger": ledger_json,
        "items": items,
        "ok": ok,
    });
    out.emit(&report, &text);
    if !ok {
        problems.extend(off);
        eprintln!("error: {}: drill failed", args.sd.display());
        eprint_lines(&problems);
    }
    Ok(if !items_ok {
        Exit::Crypto
    } else if ok {
        Exit::Ok
    } else {
        Exit::CheckFailed
    })
}

fn eprint_lines(lines: &[String]) {
    for l in lines {
        eprintln!("  {l}");
    }
}
