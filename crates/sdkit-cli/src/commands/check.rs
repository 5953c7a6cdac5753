//! `sdkit check`: one custodian, alone, proves that their key opens a well-formed share.

use super::{describe_holder, holder_keys, holder_ok, load_sd};
use crate::cli::CheckArgs;
use crate::error::{CliError, Exit};
use crate::keys::load_keys;
use crate::render::Output;
use sdkit_core::recover::{self, HolderStatus};
use serde_json::json;
use std::fmt::Write;

/// Runs `check`.
pub fn run(args: &CheckArgs, out: Output) -> Result<Exit, CliError> {
    let loaded = load_sd(&args.sd)?;
    let sd = &loaded.sd;
    let keys = load_keys(std::slice::from_ref(&args.key), &args.keys.passphrase_files)?;
    let openings = recover::open_shares(sd, &holder_keys(&keys));
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
