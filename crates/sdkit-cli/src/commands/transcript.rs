//! `sdkit transcript verify` and `sdkit transcript render`.

use crate::cli::TranscriptCommand;
use crate::error::{CliError, Exit};
use crate::io::{OutFile, write_all_atomic};
use crate::render::{Output, words_hex};
use crate::transcript::{load, render};
use serde_json::json;

/// Runs a `transcript` subcommand.
pub fn run(cmd: &TranscriptCommand, out: Output) -> Result<Exit, CliError> {
    match cmd {
        TranscriptCommand::Verify { file } => {
            let (records, hash) = load(file)?;
            let failed = records
                .iter()
                .filter(|r| r.get("exit_code").and_then(serde_json::Value::as_u64) != Some(0))
                .count();
            let text = format!(
                "VERIFIED: {} holds {} step(s) ({} did not succeed), chain intact.\n  file SHA-256 {hash}\n  read aloud   {}\n",
                file.display(),
                records.len(),
                failed,
                words_hex(&hash)
            );
            out.emit(
                &json!({ "command": "transcript verify", "file": file.display().to_string(), "steps": records.len(), "unsuccessful_steps": failed, "sha256": hash, "words": words_hex(&hash), "ok": true }),
                &text,
            );
            Ok(Exit::Ok)
        }
        TranscriptCommand::Render {
            file,
            out: dest,
            force,
        } => {
            let (records, hash) = load(file)?;
            let md = render(file, &records, &hash);
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
