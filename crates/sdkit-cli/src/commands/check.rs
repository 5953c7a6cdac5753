//! `sdkit check`: one custodian, alone, proves that their key opens a well-formed share, and
//! with `--ledger` that it is the very share a recorded drill found good.

use super::ledger::{self, LedgerMatch, lookup};
use super::{describe_holder, holder_ok, load_sd};
use crate::cli::CheckArgs;
use crate::error::{CliError, Exit};
use crate::hygiene;
use crate::keys::{KeysOpened, load_keys_and_open};
use crate::render::Output;
use sdkit_core::evidence::share_commitment;
use sdkit_core::recover::HolderStatus;
use serde_json::{Value, json};
use std::fmt::Write;

/// Runs `check`.
pub fn run(args: &CheckArgs, out: Output) -> Result<Exit, CliError> {
    // The ledger is read first: a ledger that cannot be read fails before any passphrase.
    let ledger_log = args.ledger.as_deref().map(ledger::load).transpose()?;
    let KeysOpened {
        sd: loaded,
        keys,
        openings,
        ..
    } = load_keys_and_open(
        || load_sd(&args.sd),
        std::slice::from_ref(&args.key),
        &args.keys.passphrase_files,
    )?;
    let sd = &loaded.sd;
    let paths = [args.key.as_path()];
    let (line, mut holder) = describe_holder(sd, &keys[0], &openings[0], &paths);
    let o = &openings[0];
    let mut text = format!(
        "Security domain {} (quorum {} of {})\n",
        args.sd.display(),
        sd.quorum().required(),
        sd.quorum().total()
    );
    text.push_str(&line);
    if let (HolderStatus::Opened { share_index, x }, Some(share)) = (&o.status, o.share()) {
        let _ = writeln!(
            text,
            "  share is well-formed: x = {x}, {} secret bytes, every word carries the same x",
            share.len()
        );
        if usize::from(*x) != share_index + 1 {
            let _ = writeln!(
                text,
                "  note: share {} carries x = {x}; Azure numbers shares 1..N in order",
                share_index + 1
            );
        }
        if let Some(h) = holder.as_object_mut() {
            h.insert("secret_bytes".into(), json!(share.len()));
        }
    }
    // What the ledger says, when asked and when there is a share to compare.
    let mut ledger_json = Value::Null;
    let mut failure: Option<CliError> = None;
    let shown_key = args.key.display();
    if let (Some(path), Some(log), HolderStatus::Opened { x, .. }, Some(share)) =
        (&args.ledger, &ledger_log, &o.status, o.share())
    {
        let mine = hex::encode(share_commitment(&loaded.digest, share));
        let (status, line) = match lookup(
            log,
            &sdkit_core::digest::Sha256Digest::from_bytes(loaded.digest),
            *x,
            &mine,
        ) {
            LedgerMatch::Matches(t) => (
                "matches",
                format!("OK: this share is the one the drill of {t} recorded as good"),
            ),
            LedgerMatch::Differs(t) => {
                failure = Some(
                    CliError::new(
                        Exit::CheckFailed,
                        format!(
                            "{shown_key}: share x = {x} differs from the one the drill of {t} recorded in {}: this SD file or the share was altered since",
                            path.display()
                        ),
                    )
                    .hint("compare the SD file's SHA-256 with the one recorded at the drill; download the security domain again"),
                );
                (
                    "differs",
                    format!("DIFFERS from the share the drill of {t} recorded"),
                )
            }
            LedgerMatch::NotRecorded { drills_of_this_sd } => {
                failure = Some(
                    CliError::new(
                        Exit::CheckFailed,
                        format!(
                            "{shown_key}: not recorded: none of the {drills_of_this_sd} drill(s) of this SD file in {} included this key's share (x = {x}), so the ledger cannot vouch for it",
                            path.display()
                        ),
                    )
                    .hint(format!(
                        "run a drill that includes this key with --ledger {}, then check again",
                        path.display()
                    )),
                );
                (
                    "not_recorded",
                    format!(
                        "NOT RECORDED: no drill of this SD file ({drills_of_this_sd} in the ledger) included this share"
                    ),
                )
            }
        };
        let _ = writeln!(text, "  ledger {}: {line}", path.display());
        ledger_json =
            json!({ "file": path.display().to_string(), "status": status, "commitment": mine });
    }
    let mut warnings = hygiene::keys(&keys);
    warnings.extend(hygiene::quorum(sd.quorum()));
    warnings.print();
    if !holder_ok(o) {
        failure = Some(
            CliError::new(
                Exit::CheckFailed,
                format!(
                    "{} (security domain {})",
                    line.lines().next().unwrap_or_default().trim(),
                    args.sd.display()
                ),
            )
            .hint("check that this is the custodian key whose certificate was given to `az keyvault security-domain download`"),
        );
    }
    let report = json!({
        "command": "check",
        "file": args.sd.display().to_string(),
        "sha256": loaded.sha256(),
        "required": sd.quorum().required(),
        "shares_total": sd.quorum().total(),
        "holder": holder,
        "ledger": ledger_json,
        "warnings": warnings.json(),
        "ok": failure.is_none(),
    });
    if let Some(e) = failure {
        return Err(e.with_report(report, text));
    }
    let _ = writeln!(
        text,
        "OK: this key opens its share{}",
        if args.ledger.is_some() {
            ", the one a recorded drill found good"
        } else {
            ""
        }
    );
    out.emit(&report, &text);
    Ok(Exit::Ok)
}
