//! `sdkit transcript verify` and `sdkit transcript render`.

use crate::cli::TranscriptCommand;
use crate::error::{CliError, Exit};
use crate::io::{OutFile, write_all_atomic};
use crate::render::{Output, Report};
use crate::transcript::{load, render};
use serde_json::{Value, json};
use std::path::Path;

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
            let markdown = render(file, &log);
            if let Some(p) = dest {
                write_all_atomic(
                    &[OutFile {
                        path: p.clone(),
                        bytes: markdown.as_bytes(),
                        secret: false,
                    }],
                    *force,
                )?;
            }
            if dest.is_none() && !out.json {
                // The Markdown document itself, unfolded: it is the output, not a report.
                print!("{markdown}");
                return Ok(Exit::Ok);
            }
            out.report(&Rendered {
                file,
                out: dest.as_deref(),
                steps: records.len(),
                markdown,
            });
            Ok(Exit::Ok)
        }
    }
}

/// What `transcript render` made: the Markdown record, written to a file or printed.
struct Rendered<'a> {
    file: &'a Path,
    out: Option<&'a Path>,
    steps: usize,
    markdown: String,
}

impl Report for Rendered<'_> {
    fn text(&self) -> String {
        match self.out {
            Some(p) => format!("Wrote {} ({} steps).\n", p.display(), self.steps),
            None => self.markdown.clone(),
        }
    }

    fn json(&self) -> Value {
        match self.out {
            Some(p) => json!({
                "command": "transcript render",
                "file": self.file.display().to_string(),
                "out": p.display().to_string(),
            }),
            None => json!({ "command": "transcript render", "markdown": self.markdown }),
        }
    }
}
