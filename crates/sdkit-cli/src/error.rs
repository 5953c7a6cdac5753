//! What the CLI says when something goes wrong: a message that names the file, holder or
//! field, what to do about it, and the exit code.

use crate::render::ShowPath;
use std::fmt;
use std::path::Path;

/// Exit codes (documented in `--help` and README).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Everything held.
    Ok = 0,
    /// A check did not hold.
    CheckFailed = 1,
    /// Usage error.
    Usage = 2,
    /// An input could not be read or parsed.
    Input = 3,
    /// Cryptographic failure.
    Crypto = 4,
    /// An output could not be written or was refused.
    Output = 5,
}

impl Exit {
    /// Short machine-readable name for JSON output.
    pub fn name(self) -> &'static str {
        match self {
            Exit::Ok => "ok",
            Exit::CheckFailed => "check_failed",
            Exit::Usage => "usage",
            Exit::Input => "input",
            Exit::Crypto => "crypto",
            Exit::Output => "output",
        }
    }
}

/// A failure the user can act on.
#[derive(Debug)]
pub struct CliError {
    /// Which exit code.
    pub exit: Exit,
    /// What went wrong, naming the file, holder or field.
    pub message: String,
    /// What to do about it.
    pub hint: Option<String>,
    /// The report of a command that ran and found a failure: printed on stdout as its text,
    /// or, with `--json`, as the one JSON document (with this error inside), so a failure
    /// is said once on stderr and the details once on stdout.
    pub report: Option<Box<FailedReport>>,
}

/// What a failed command found, for [`CliError::report`].
#[derive(Debug)]
pub struct FailedReport {
    /// The JSON report (its `ok` is set to false and an `error` member added).
    pub json: serde_json::Value,
    /// The text report, without a verdict line: the error on stderr is the verdict.
    pub text: String,
}

impl CliError {
    /// A new error.
    pub fn new(exit: Exit, message: impl Into<String>) -> Self {
        CliError {
            exit,
            message: message.into(),
            hint: None,
            report: None,
        }
    }

    /// Attaches the report of the command that failed.
    pub fn with_report(mut self, json: serde_json::Value, text: impl Into<String>) -> Self {
        self.report = Some(Box::new(FailedReport {
            json,
            text: text.into(),
        }));
        self
    }

    /// Attaches a command's report, rendered as text and JSON.
    pub fn with(self, report: &dyn crate::render::Report) -> Self {
        self.with_report(report.json(), report.text())
    }

    /// The JSON error object.
    pub fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "kind": self.exit.name(),
            "exit_code": self.exit as u8,
            "message": self.message,
            "hint": self.hint,
        })
    }

    /// Adds what to do.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// An input file problem.
    pub fn input(path: &Path, what: impl fmt::Display) -> Self {
        CliError::new(Exit::Input, format!("{}: {what}", path.shown()))
    }

    /// An output file problem.
    pub fn output(path: &Path, what: impl fmt::Display) -> Self {
        CliError::new(Exit::Output, format!("{}: {what}", path.shown()))
    }

    /// A usage problem.
    pub fn usage(what: impl Into<String>) -> Self {
        CliError::new(Exit::Usage, what)
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error: {}", self.message)?;
        if let Some(h) = &self.hint {
            write!(f, "\n  hint: {h}")?;
        }
        Ok(())
    }
}
