//! `sdkit recover`: writes each item's plaintext as `<DIR>/<tag>.bin`, only after every item
//! authenticated, atomically, mode 0600, never overwriting without `--force`.

use super::holders::heading;
use super::quorum::{QuorumRun, recover_error, run_quorum_with};
use super::{Written, parse_sd};
use crate::cli::RecoverArgs;
use crate::error::{CliError, Exit};
use crate::io::{probe_output_dir, refuse_existing};
use crate::render::ShowPath;
use crate::render::{Output, Report};
use sdkit_core::domain::is_safe_file_name;
use serde_json::{Value, json};
use std::path::Path;

/// What `recover` did: the keys, and the files it wrote (none when it failed).
struct RecoverView<'a> {
    sd_path: &'a Path,
    run: &'a QuorumRun,
    written: Written,
}

impl Report for RecoverView<'_> {
    fn text(&self) -> String {
        let holders = self.run.holders();
        let mut text = heading(self.sd_path, &self.run.loaded.sd, &self.run.loaded.digest);
        text.push_str(&holders.text());
        text.push_str(&self.written.text());
        let off = self
            .run
            .outcome
            .recovery
            .as_ref()
            .map_or(0, |r| r.off_polynomial.len());
        if !self.written.0.is_empty() && (holders.skipped() > 0 || off > 0) {
            text.push_str(&format!(
                "Recovered, but {} key(s) were skipped and {off} share(s) are off the polynomial: see above.\n",
                holders.skipped()
            ));
        }
        text
    }

    fn json(&self) -> Value {
        json!({
            "command": "recover",
            "file": self.sd_path.shown().to_string(),
            "sha256": self.run.loaded.digest,
            "holders": self.run.holders().json(),
            "warnings": self.run.warnings.json(),
            "off_polynomial_x": self.run.outcome.recovery.as_ref().ok().map(|r| &r.off_polynomial),
            "written": self.written.json(),
        })
    }
}

/// Runs `recover`.
pub fn run(args: &RecoverArgs, out: Output) -> Result<Exit, CliError> {
    // Tags come from an untrusted file: refuse unusable ones before any passphrase prompt,
    // recombination or writing.
    let load_and_check_tags = |bytes: &[u8]| {
        let pre = parse_sd(&args.sd, bytes)?;
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
    let run = run_quorum_with(load_and_check_tags, &args.sd, &args.keys_paths, &args.keys)?;
    run.warnings.print();
    let mut view = RecoverView {
        sd_path: &args.sd,
        run: &run,
        written: Written::default(),
    };
    let rec = match &run.outcome.recovery {
        Ok(r) => r,
        Err(e) => {
            let problems = run.holders().problems();
            return Err(recover_error(&args.sd, e, &problems).with(&view));
        }
    };
    super::require_authentic(
        &rec.items,
        &args.sd,
        "nothing was written",
        "the file was altered or damaged: download the security domain again",
    )
    .map_err(|e| e.with(&view))?;
    view.written = super::write_plaintexts(&args.out_dir, &rec.items, args.force)?;
    out.report(&view);
    Ok(Exit::Ok)
}
