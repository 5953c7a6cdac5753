//! What `ledger verify` and `transcript verify` say: the chain held, the head to compare with
//! the one written down at the ceremony, and, with `--expect-head`, whether it is that one.

use crate::chain_file::Log;
use crate::error::{CliError, Exit};
use crate::head::ExpectedHead;
use crate::render::ShowPath;
use crate::render::{Output, Report, words};
use serde_json::{Value, json};
use std::fmt::Write;
use std::path::Path;

/// A verified chained log: what it holds, its head, and whether that is the head expected.
struct LogView<'a> {
    command: &'a str,
    file: &'a Path,
    log: &'a Log,
    summary: &'a str,
    extra: Value,
    expect: Option<&'a ExpectedHead>,
}

impl LogView<'_> {
    /// `None` without `--expect-head`.
    fn head_matches(&self) -> Option<bool> {
        self.expect.map(|e| e.matches(&self.log.head))
    }
}

impl Report for LogView<'_> {
    fn text(&self) -> String {
        let mut text = String::new();
        let _ = writeln!(
            text,
            "Chain intact: {} holds {}.",
            self.file.shown(),
            self.summary
        );
        let _ = writeln!(text, "  head       {}", self.log.head);
        let _ = writeln!(text, "  read aloud {}", words(self.log.head.as_bytes()));
        match (self.expect, self.head_matches()) {
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
        text
    }

    fn json(&self) -> Value {
        let mut report = json!({
            "command": self.command,
            "file": self.file.shown().to_string(),
            "sha256": self.log.file_sha256,
            "sha256_words": words(self.log.file_sha256.as_bytes()),
            "head": self.log.head,
            "head_words": words(self.log.head.as_bytes()),
            "expected_head": self.expect.map(ToString::to_string),
            "head_matches": self.head_matches(),
        });
        if let (Some(r), Value::Object(e)) = (report.as_object_mut(), self.extra.clone()) {
            r.extend(e);
        }
        report
    }
}

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
    let view = LogView {
        command,
        file,
        log,
        summary,
        extra,
        expect,
    };
    if let (Some(e), Some(false)) = (expect, view.head_matches()) {
        return Err(CliError::new(
            Exit::CheckFailed,
            format!(
                "{}: its head {} ({}) is not the one expected ({e})",
                file.shown(),
                &log.head.to_hex()[..16],
                words(log.head.as_bytes())
            ),
        )
        .hint(
            "the file's last line was edited or removed, lines were added, or this is another file",
        )
        .with(&view));
    }
    out.report(&view);
    Ok(Exit::Ok)
}
