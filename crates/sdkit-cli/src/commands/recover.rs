//! `sdkit recover`: writes each item's plaintext as `<DIR>/<tag>.bin`, only after every item
//! authenticated, atomically, mode 0600, never overwriting without `--force`.

use super::drill::{recover_error, run_quorum_with};
use super::load_sd;
use crate::cli::RecoverArgs;
use crate::error::{CliError, Exit};
use crate::io::{probe_output_dir, refuse_existing};
use crate::render::Output;
use sdkit_core::domain::is_safe_file_name;
use serde_json::json;
use std::fmt::Write;

/// Runs `recover`.
pub fn run(args: &RecoverArgs, out: Output) -> Result<Exit, CliError> {
    // Tags come from an untrusted file: refuse unusable ones before any passphrase prompt,
    // recombination or writing.
    let load_and_check_tags = || {
        let pre = load_sd(&args.sd)?;
        if let Some(bad) = pre.sd.items().iter().find(|it| !is_safe_file_name(&it.tag)) {
            return Err(CliError::input(
                &args.sd,
                format!("item tag {:?} is not a plain file name (path separators, \"..\", control characters or empty); refusing to write it", bad.tag),
            )
            .hint("this file did not come from Azure as-is; inspect it with `sdkit inspect`"));
        }
        // Every output, checked before anybody is asked for a passphrase.
        let outs: Vec<_> = pre
            .sd
            .items()
            .iter()
            .map(|it| args.out_dir.join(format!("{}.bin", it.tag)))
            .collect();
        refuse_existing(outs.iter().map(|p| p.as_path()), args.force)?;
        probe_output_dir(&args.out_dir, "recovered plaintexts")?;
        Ok(pre)
    };
    let run = run_quorum_with(
        load_and_check_tags,
        &args.sd,
        &args.keys_paths,
        &args.keys.passphrase_files,
    )?;
    let warnings = &run.warnings;
    warnings.print();
    let mut text = run.text;
    let report = json!({
        "command": "recover",
        "file": args.sd.display().to_string(),
        "sha256": run.loaded.sha256(),
        "holders": run.holders,
        "warnings": warnings.json(),
    });
    let rec = match run.recovery {
        Ok(r) => r,
        Err(e) => {
            return Err(recover_error(&args.sd, &e, &run.holder_problems).with_report(report, text));
        }
    };
    super::require_authentic(
        &rec.items,
        &args.sd,
        "nothing was written",
        "the file was altered or damaged: download the security domain again",
    )
    .map_err(|e| e.with_report(report.clone(), text.clone()))?;
    let written = super::write_plaintexts(&args.out_dir, &rec.items, args.force, &mut text)?;
    let skipped = run.openings.iter().filter(|o| !super::holder_ok(o)).count();
    if skipped > 0 || !rec.off_polynomial.is_empty() {
        let _ = writeln!(
            text,
            "Recovered, but {skipped} key(s) were skipped and {} share(s) are off the polynomial: see above.",
            rec.off_polynomial.len()
        );
    }
    let mut report = report;
    if let Some(r) = report.as_object_mut() {
        r.insert("off_polynomial_x".into(), json!(rec.off_polynomial));
        r.insert("written".into(), json!(written));
        r.insert("ok".into(), json!(true));
    }
    out.emit(&report, &text);
    Ok(Exit::Ok)
}
