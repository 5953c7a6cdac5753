//! Shared rendering helpers: hashes, dates, and how reports reach stdout.

use serde_json::Value;
use std::time::SystemTime;

/// `YYYY-MM-DD` (UTC) for a point in time; dates before 1970 are shown as such too.
pub fn date(t: SystemTime) -> String {
    sdkit_core::utc::date(t)
}

/// `YYYY-MM-DDTHH:MM:SSZ` (UTC), for ledgers and transcripts.
pub fn rfc3339(t: SystemTime) -> String {
    sdkit_core::utc::format(t)
}

/// A read-aloud form of a hash: its first 66 bits as six words of the BIP-39 English list
/// (2048 words, 11 bits each), so two witnesses can compare by voice. Six words give 66
/// bits: enough to catch any accidental or deliberate mismatch a person could be shown.
pub fn words(digest: &[u8]) -> String {
    let list = bip39::Language::English.word_list();
    let mut bits: u128 = 0;
    for (i, b) in digest.iter().take(9).enumerate() {
        bits |= u128::from(*b) << (8 * (8 - i));
    }
    // The first 72 bits now sit in the low 72 bits, most significant first; take 66.
    (0..6)
        .map(|k| {
            let shift = 72 - 11 * (k + 1);
            list[((bits >> shift) & 0x7ff) as usize]
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// Validity status of a certificate now: "valid", "expired", "not yet valid", or
/// "expires in N days" when within 90 days.
pub fn validity_status(not_before: SystemTime, not_after: SystemTime) -> String {
    let now = SystemTime::now();
    if now < not_before {
        "not yet valid".into()
    } else if now > not_after {
        "expired".into()
    } else {
        let days = not_after
            .duration_since(now)
            .map(|d| d.as_secs() / 86_400)
            .unwrap_or(0);
        if days <= 90 {
            format!("expires in {days} days")
        } else {
            "valid".into()
        }
    }
}

/// The widest line sdkit prints on its own (a path or hash longer than that stays whole).
pub const TEXT_COLUMNS: usize = 100;

/// Text from an input (a tag, a `kid`, a subject, a file name) as it may be shown: every
/// control and invisible layout character, newlines included, as a visible escape such as
/// `\u{a}` or `\u{202e}`, so it can neither start a line of its own nor reorder the text.
pub fn shown(text: &str) -> String {
    crate::html::neutralise(text)
}

/// A path as it may be shown ([`shown`]).
pub trait ShowPath {
    /// The path, lossily decoded, with control and invisible characters escaped.
    fn shown(&self) -> String;
}

impl ShowPath for std::path::Path {
    fn shown(&self) -> String {
        shown(&self.to_string_lossy())
    }
}

/// The last guard before a terminal: every control and invisible layout character except
/// the newlines sdkit writes itself becomes a visible escape. An escape sequence, a carriage
/// return or a bidi override that reached a message through some input cannot clear the
/// screen, overwrite a line or reorder one; newlines in inputs are escaped where the input
/// is interpolated ([`shown`]).
pub fn terminal_safe(text: &str) -> std::borrow::Cow<'_, str> {
    if !text
        .chars()
        .any(|c| c != '\n' && crate::html::is_neutralised(c))
    {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if c != '\n' && crate::html::is_neutralised(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// JSON text with the invisible layout characters (bidi overrides, zero-width characters)
/// written as `\uXXXX` escapes: the same document for a parser, but a person reading it
/// sees them. serde_json already escapes control characters.
fn json_safe(text: String) -> String {
    if !text.chars().any(crate::html::is_invisible_layout) {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if crate::html::is_invisible_layout(c) {
            // Every such character is in the Basic Multilingual Plane: one \uXXXX escape.
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// Folds every line longer than [`TEXT_COLUMNS`] at spaces; continuation lines are indented
/// four more spaces than the line they continue. Command lines meant to be copied (`az ...`,
/// `sdkit ...`) are left whole, so they still paste as one command.
pub fn wrap(text: &str) -> String {
    let text = terminal_safe(text);
    let text = text.as_ref();
    let mut out = String::with_capacity(text.len() + 16);
    for line in text.split_inclusive('\n') {
        let (body, newline) = match line.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (line, ""),
        };
        let indent = body.len() - body.trim_start().len();
        let trimmed = body.trim_start();
        let is_command = trimmed.starts_with("az ") || trimmed.starts_with("sdkit ");
        if body.chars().count() <= TEXT_COLUMNS || is_command {
            out.push_str(line);
            continue;
        }
        let cont = " ".repeat(indent + 4);
        let mut current = body[..indent].to_owned();
        let mut width = indent;
        let mut first_word = true;
        for word in trimmed.split(' ') {
            let w = word.chars().count();
            if !first_word && width + 1 + w > TEXT_COLUMNS {
                out.push_str(current.trim_end());
                out.push('\n');
                current = cont.clone();
                width = cont.len();
            } else if !first_word {
                current.push(' ');
                width += 1;
            }
            current.push_str(word);
            width += w;
            first_word = false;
        }
        out.push_str(&current);
        out.push_str(newline);
    }
    out
}

/// Prints one message on stderr, folded as [`wrap`] folds.
pub fn eprint_wrapped(message: &str) {
    eprint!("{}", wrap(&format!("{message}\n")));
}

/// How a command's result is shown.
#[derive(Clone, Copy)]
pub struct Output {
    /// JSON on stdout instead of text.
    pub json: bool,
    /// No text report (errors and warnings still go to stderr; JSON is still printed).
    pub quiet: bool,
    /// Colour the verdict lines (only on a terminal, never with `NO_COLOR` set).
    pub colour: bool,
}

/// A command's outcome as one value, rendered twice: text for people, JSON for scripts.
/// Both come from the same fields, so they cannot disagree.
pub trait Report {
    /// The text report (without a verdict line when the command failed: the error is that).
    fn text(&self) -> String;
    /// The JSON report (docs/JSON.md); `ok` and `error` are added where it is printed.
    fn json(&self) -> Value;
}

impl Output {
    /// Decides colour from the environment: stdout must be a terminal and `NO_COLOR` unset.
    pub fn new(json: bool, quiet: bool) -> Output {
        use std::io::IsTerminal;
        let colour = !json
            && std::io::stdout().is_terminal()
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        Output {
            json,
            quiet,
            colour,
        }
    }

    /// Prints a command's report, with `"ok": true` in its JSON. Only the form that is
    /// printed is rendered (a 127-key drill's text and JSON took a few milliseconds together).
    pub fn report(self, report: &dyn Report) {
        if self.json {
            let mut json = report.json();
            if let Some(o) = json.as_object_mut() {
                o.insert("ok".into(), Value::Bool(true));
            }
            self.print_json(json);
        } else if !self.quiet {
            self.print_text(&report.text());
        }
    }

    /// Prints the report: the JSON value, or the text lines.
    pub fn emit(self, json: Value, text: &str) {
        if self.json {
            self.print_json(json);
        } else if !self.quiet {
            self.print_text(text);
        }
    }

    /// Prints one JSON document. Every one says which crypto module this binary runs on
    /// (`crypto`, docs/JSON.md), added here, the one place JSON reaches stdout.
    fn print_json(self, mut json: Value) {
        if let Some(o) = json.as_object_mut() {
            o.entry("crypto").or_insert_with(sdkit_certs::crypto_module);
        }
        println!(
            "{}",
            json_safe(serde_json::to_string_pretty(&json).unwrap_or_else(|_| json.to_string()))
        );
    }

    /// Prints text lines, folded, coloured on a terminal.
    fn print_text(self, text: &str) {
        let text = wrap(text);
        if self.colour {
            print!("{}", colourise(&text));
        } else {
            print!("{text}");
        }
    }
}

impl Output {
    /// Prints a failed command: its report, if it made one, on stdout (with `--json`, the
    /// report with the error inside, or the error alone: always one JSON document), and the
    /// error once on stderr.
    pub fn emit_error(self, e: &crate::error::CliError) {
        match &e.report {
            Some(r) => {
                let mut json = r.json.clone();
                if let Some(o) = json.as_object_mut() {
                    o.insert("ok".into(), Value::Bool(false));
                    o.insert("error".into(), e.json());
                }
                self.emit(json, &r.text);
            }
            None if self.json => {
                self.emit(serde_json::json!({ "ok": false, "error": e.json() }), "");
            }
            None => {}
        }
        eprint!("{}", wrap(&format!("{e}\n")));
    }
}

/// Greens lines that report success and reds those that report failure.
fn colourise(text: &str) -> String {
    const OK: [&str; 4] = ["OK:", "DRILL PASSED", "VERIFIED", "PASSED"];
    const BAD: [&str; 5] = ["FAILED", "BAD:", "PROBLEMS", "problem:", "DOES NOT MATCH"];
    let mut out = String::with_capacity(text.len() + 64);
    for line in text.split_inclusive('\n') {
        let t = line.trim_start();
        if BAD
            .iter()
            .any(|p| t.starts_with(p) || line.contains(&format!(" {p}")))
        {
            out.push_str(&format!(
                "\x1b[31m{}\x1b[0m{}",
                line.trim_end_matches('\n'),
                if line.ends_with('\n') { "\n" } else { "" }
            ));
        } else if OK.iter().any(|p| t.starts_with(p)) {
            out.push_str(&format!(
                "\x1b[32m{}\x1b[0m{}",
                line.trim_end_matches('\n'),
                if line.ends_with('\n') { "\n" } else { "" }
            ));
        } else {
            out.push_str(line);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn read_aloud_words() {
        // 0x00.. -> six times "abandon"; all-ones -> six times "zoo".
        assert_eq!(
            words(&[0u8; 32]),
            "abandon-abandon-abandon-abandon-abandon-abandon"
        );
        assert_eq!(words(&[0xffu8; 32]), "zoo-zoo-zoo-zoo-zoo-zoo");
        // 0x00 0x20 -> first word index 1 ("ability"), second index 0.
        let mut d = [0u8; 32];
        d[1] = 0x20;
        assert_eq!(words(&d).split('-').next(), Some("ability"));
        assert_eq!(
            rfc3339(UNIX_EPOCH + Duration::from_secs(1_598_601_051)),
            "2020-08-28T07:50:51Z"
        );
    }

    #[test]
    fn long_lines_fold_at_spaces_and_commands_stay_whole() {
        let long = format!("  warning: {}", "word ".repeat(40));
        let folded = wrap(&format!("{long}\nshort\n"));
        assert!(
            folded.lines().all(|l| l.chars().count() <= TEXT_COLUMNS),
            "{folded}"
        );
        assert!(
            folded
                .lines()
                .nth(1)
                .is_some_and(|l| l.starts_with("      word"))
        );
        assert!(folded.ends_with("short\n"));
        assert_eq!(
            folded.split_whitespace().collect::<Vec<_>>(),
            long.split_whitespace().chain(["short"]).collect::<Vec<_>>()
        );
        let cmd = format!(
            "  az keyvault security-domain upload --sd-file {}",
            "d/".repeat(60)
        );
        assert_eq!(wrap(&cmd), cmd);
        let unbreakable = "x".repeat(150);
        assert_eq!(wrap(&unbreakable), unbreakable);
    }

    #[test]
    fn dates() {
        assert_eq!(date(UNIX_EPOCH), "1970-01-01");
        assert_eq!(
            date(UNIX_EPOCH + Duration::from_secs(1_598_601_051)),
            "2020-08-28"
        );
        assert_eq!(
            date(UNIX_EPOCH + Duration::from_secs(951_782_400)),
            "2000-02-29"
        );
        assert_eq!(date(UNIX_EPOCH - Duration::from_secs(86_400)), "1969-12-31");
    }
}
