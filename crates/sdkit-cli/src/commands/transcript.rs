//! `sdkit transcript verify` and `sdkit transcript render`.

use crate::cli::TranscriptCommand;
use crate::error::{CliError, Exit};
use crate::io::{OutFile, refuse_input_as_output, write_all_atomic};
use crate::keys::load_cert;
use crate::render::{Output, Report};
use crate::transcript::{load, render, render_html};
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
            html,
            certs,
            paper,
            force,
        } => {
            // Even with --force, the record never replaces the transcript it is made from.
            for p in [dest, html].into_iter().flatten() {
                refuse_input_as_output(p, &[file], "record")?;
            }
            if dest.is_some() && dest == html {
                return Err(CliError::usage(
                    "--out and --html name the same file: give each its own",
                ));
            }
            let log = load(file)?;
            let records = &log.records;
            let markdown = render(file, &log);
            let page = match html {
                Some(_) => {
                    let extra = certs
                        .iter()
                        .map(|c| load_cert(c))
                        .collect::<Result<Vec<_>, _>>()?;
                    Some(render_html(file, &log, &extra, *paper)?)
                }
                None => None,
            };
            let mut files = Vec::new();
            if let Some(p) = dest {
                files.push(OutFile {
                    path: p.clone(),
                    bytes: markdown.as_bytes(),
                    secret: false,
                });
            }
            if let (Some(p), Some(page)) = (html, &page) {
                files.push(OutFile {
                    path: p.clone(),
                    bytes: page.as_bytes(),
                    secret: false,
                });
            }
            write_all_atomic(&files, *force)?;
            if dest.is_none() && html.is_none() && !out.json {
                // The Markdown document itself, unfolded: it is the output, not a report.
                print!("{markdown}");
                return Ok(Exit::Ok);
            }
            out.report(&Rendered {
                file,
                out: dest.as_deref(),
                html: html.as_deref(),
                steps: records.len(),
                markdown,
            });
            Ok(Exit::Ok)
        }
    }
}

/// What `transcript render` made: the Markdown record, written to a file or printed, and the
/// HTML page when asked for.
struct Rendered<'a> {
    file: &'a Path,
    out: Option<&'a Path>,
    html: Option<&'a Path>,
    steps: usize,
    markdown: String,
}

impl Report for Rendered<'_> {
    fn text(&self) -> String {
        let mut text = String::new();
        for p in [self.out, self.html].into_iter().flatten() {
            text.push_str(&format!("Wrote {} ({} steps).\n", p.display(), self.steps));
        }
        if text.is_empty() {
            text.clone_from(&self.markdown);
        }
        text
    }

    fn json(&self) -> Value {
        if self.out.is_none() && self.html.is_none() {
            return json!({ "command": "transcript render", "markdown": self.markdown });
        }
        let mut v = json!({
            "command": "transcript render",
            "file": self.file.display().to_string(),
        });
        if let Some(p) = self.out {
            v["out"] = json!(p.display().to_string());
        }
        if let Some(p) = self.html {
            v["html"] = json!(p.display().to_string());
        }
        v
    }
}
