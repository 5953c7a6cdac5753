//! `sdkit transcript verify` and `sdkit transcript render`.

use crate::cli::TranscriptCommand;
use crate::error::{CliError, Exit};
use crate::io::{OutFile, write_all_atomic};
use crate::render::Output;
use crate::transcript::{load, render};
use serde_json::json;

/// Runs a `transcript` subcommand.
pub fn run(cmd: &TranscriptCommand, out: Output) -> Result<Exit, CliError> {
    match cmd {
        TranscriptCommand::Verify { file, expect_head } => {
            let log = load(file)?;
            let failed = log
                .records
                .iter()
                .filter(|r| r.get("exit_code").and_then(serde_json::Value::as_u64) != Some(0))
                .count();
            super::log_verify::report(
                "transcript verify",
                file,
                &log,
                &format!("{} step(s) ({failed} did not succeed)", log.records.len()),
                json!({ "steps": log.records.len(), "unsuccessful_steps": failed }),
                expect_head.as_ref(),
                out,
            )
        }
        TranscriptCommand::Render {
            file,
            out: dest,
            force,
        } => {
            let log = load(file)?;
            let records = &log.records;
            let md = render(file, &log);
            match dest {
                Some(p) => {
                    write_all_atomic(
                        &[OutFile {
                            path: p.clone(),
                            bytes: md.as_bytes(),
                            secret: false,
                        }],
                        *force,
                    )?;
                    out.emit(
                        &json!({ "command": "transcript render", "file": file.display().to_string(), "out": p.display().to_string(), "ok": true }),
                        &format!("Wrote {} ({} steps).\n", p.display(), records.len()),
                    );
                }
                None => {
                    if out.json {
                        out.emit(
                            &json!({ "command": "transcript render", "markdown": md, "ok": true }),
                            "",
                        );
                    } else {
                        print!("{md}");
                    }
                }
            }
            Ok(Exit::Ok)
        }
    }
}
