//! What `ledger verify` and `transcript verify` say: the chain held, the head to compare with
//! the one written down at the ceremony, and, with `--expect-head`, whether it is that one.

use crate::chain_file::Log;
use crate::error::{CliError, Exit};
use crate::head::ExpectedHead;
use crate::render::{Output, words};
use serde_json::{Value, json};
use std::fmt::Write;
use std::path::Path;

/// Prints the verification of `log` (`summary` says what it holds, e.g. "3 drill records
/// (3 passed)"); `extra` goes into the JSON report. A head other than `expect` is a failed
/// check: the file was edited at its end, cut short, or is not the one recorded.
pub fn report(
    command: &str,
    file: &Path,
    log: &Log,
    summary: &str,
    extra: Value,
    expect: Option<&ExpectedHead>,
    out: Output,
) -> Result<Exit, CliError> {
    let head_words = words(log.head.as_bytes());
    let mut text = String::new();
    let _ = writeln!(text, "Chain intact: {} holds {summary}.", file.display());
    let _ = writeln!(text, "  head       {}", log.head);
    let _ = writeln!(text, "  read aloud {head_words}");
    let head_matches = expect.map(|e| e.matches(&log.head));
    match (expect, head_matches) {
        (Some(e), Some(true)) => {
            let _ = writeln!(text, "VERIFIED: the head is the one expected ({e}).");
        }
        (Some(_), _) => {}
        (None, _) => {
            let _ = writeln!(
                text,
                "A chain cannot show an edit to its last line, or lines cut from its end:"
            );
            let _ = writeln!(
                text,
                "compare this head with the one written down at the ceremony (or pass"
            );
            let _ = writeln!(text, "--expect-head HASH_OR_WORDS to compare it here).");
        }
    }
    let mut report = json!({
        "command": command,
        "file": file.display().to_string(),
        "sha256": log.file_sha256,
        "sha256_words": words(log.file_sha256.as_bytes()),
        "head": log.head,
        "head_words": head_words,
        "expected_head": expect.map(ToString::to_string),
        "head_matches": head_matches,
        "ok": head_matches != Some(false),
    });
    if let (Some(r), Value::Object(e)) = (report.as_object_mut(), extra) {
        r.extend(e);
    }
    if let (Some(e), Some(false)) = (expect, head_matches) {
        return Err(CliError::new(
            Exit::CheckFailed,
            format!(
                "{}: its head {} ({head_words}) is not the one expected ({e})",
                file.display(),
                &log.head.to_hex()[..16]
            ),
        )
        .hint(
            "the file's last line was edited or removed, lines were added, or this is another file",
        )
        .with_report(report, text));
    }
    out.emit(&report, &text);
    Ok(Exit::Ok)
}
