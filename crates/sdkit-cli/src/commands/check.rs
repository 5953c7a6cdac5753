//! `sdkit check`: one custodian, alone, proves that their key opens a well-formed share.

use super::ledger::{LedgerMatch, lookup};
use super::{describe_holder, holder_ok, load_sd};
use crate::cli::CheckArgs;
use crate::error::{CliError, Exit};
use crate::hygiene;
use crate::keys::{KeysOpened, load_keys_and_open};
use crate::render::Output;
use sdkit_core::evidence::share_commitment;
use sdkit_core::recover::HolderStatus;
use serde_json::json;
use std::fmt::Write;

/// Runs `check`.
pub fn run(args: &CheckArgs, out: Output) -> Result<Exit, CliError> {
    // One key is fewer than any quorum, so nothing is recombined early.
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
    let ok = holder_ok(o);
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
    let mut ledger_json = serde_json::Value::Null;
    let mut ledger_ok = true;
    if let (Some(ledger_path), HolderStatus::Opened { x, .. }, Some(share)) =
        (&args.ledger, &o.status, o.share())
    {
        let sd_hash: [u8; 32] = hex::decode(&loaded.sha256)
            .ok()
            .and_then(|v| v.try_into().ok())
            .unwrap_or([0u8; 32]);
        let mine = hex::encode(share_commitment(&sd_hash, share));
        let (verdict, status) = match lookup(ledger_path, &loaded.sha256, *x, &mine)? {
            LedgerMatch::Matches(t) => (
                format!("OK: this share is the one the drill of {t} recorded as good"),
                "matches",
            ),
            LedgerMatch::Differs(t) => {
                ledger_ok = false;
                (
                    format!(
                        "DOES NOT MATCH: the drill of {t} recorded a different share x = {x}: this SD or share was altered since"
                    ),
                    "differs",
                )
            }
            LedgerMatch::NotRecorded => {
                ledger_ok = false;
                (
                    format!(
                        "FAILED: no drill in the ledger recorded a good share x = {x} for this exact SD file; run a drill with --ledger first"
                    ),
                    "not_recorded",
                )
            }
        };
        let _ = writeln!(text, "  ledger {}: {verdict}", ledger_path.display());
        ledger_json = json!({ "file": ledger_path.display().to_string(), "status": status, "commitment": mine });
    }
    let mut warnings = hygiene::key(&keys[0]);
    warnings.extend(hygiene::quorum(sd.quorum()));
    hygiene::write_text(&mut text, &warnings);
    let ok = ok && ledger_ok;
    let _ = writeln!(
        text,
        "{}",
        if ok {
            "OK: this key opens its share"
        } else {
            "FAILED: this key does not give a usable share"
        }
    );
    let report = json!({
        "command": "check",
        "file": args.sd.display().to_string(),
        "sha256": loaded.sha256,
        "required": sd.quorum().required(),
        "shares_total": sd.quorum().total(),
        "holder": holder,
        "ledger": ledger_json,
        "warnings": warnings.iter().map(hygiene::Warning::json).collect::<Vec<_>>(),
        "ok": ok,
    });
    out.emit(&report, &text);
    if !ok {
        eprintln!(
            "error: {} (security domain {})",
            line.lines().next().unwrap_or_default().trim(),
            args.sd.display()
        );
    }
    Ok(if ok { Exit::Ok } else { Exit::CheckFailed })
}
