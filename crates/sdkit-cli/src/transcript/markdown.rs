//! The Markdown ceremony record. Every recorded string goes through `markdown_code` or
//! `markdown_text`, so a hostile file name or command line stays inside its own cell.

use super::record::{Named, Record, Shown};
use crate::html::{markdown_code as code, markdown_text as text};
use std::fmt::Write;

/// The roles that sign the record, in the order their lines are printed.
pub const SIGNERS: [&str; 6] = [
    "Ceremony administrator",
    "Witness",
    "Witness",
    "Custodian",
    "Custodian",
    "Custodian",
];

/// The first `digits` characters of a recorded hash (all of it when shorter).
pub fn prefix(s: &Shown, digits: usize) -> &str {
    s.text.get(..digits).unwrap_or(&s.text)
}

/// The Markdown ceremony record.
pub fn render(rec: &Record) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "# Key ceremony record\n");
    let _ = writeln!(md, "- Transcript: {}", code(&rec.path));
    let _ = writeln!(md, "- Transcript SHA-256: `{}`", rec.file_sha256);
    let _ = writeln!(md, "- Steps: {}, chain verified", rec.steps.len());
    let _ = writeln!(md, "- Head (hash of the last step): `{}`", rec.head);
    let _ = writeln!(md, "- Head read aloud: **{}**", rec.head_words());
    let _ = writeln!(
        md,
        "\nCompare the head with the one written down when the last step ran: a hash chain \
         cannot show an edit to its last step on its own.\n"
    );
    let _ = writeln!(md, "## sdkit binary\n");
    let _ = writeln!(md, "| version | binary SHA-256 | read aloud |");
    let _ = writeln!(md, "|---|---|---|");
    for (version, sha) in &rec.binaries {
        let (hash, spoken) = match sha {
            None => ("(not recorded)".to_owned(), String::new()),
            Some(s) => (code(&s.text), s.spoken().to_owned()),
        };
        let _ = writeln!(md, "| {} | {hash} | {spoken} |", text(version));
    }
    let _ = writeln!(md, "\n## Steps\n");
    let _ = writeln!(
        md,
        "| # | time (UTC) | command | result | step hash | read aloud |"
    );
    let _ = writeln!(md, "|---|---|---|---|---|---|");
    for (i, s) in rec.steps.iter().enumerate() {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} |",
            i + 1,
            text(&s.time),
            code(&s.command.join(" ")),
            text(&s.result),
            code(prefix(&s.hash, 16)),
            s.hash.spoken()
        );
    }
    let _ = writeln!(md, "\n## Artifacts\n");
    let _ = writeln!(
        md,
        "| step | direction | file | bytes | SHA-256 | read aloud |"
    );
    let _ = writeln!(md, "|---|---|---|---|---|---|");
    for a in &rec.artifacts {
        let (hash, spoken) = match &a.sha256 {
            Some(s) => (code(&s.text), s.spoken().to_owned()),
            None => ("(secret: not hashed)".to_owned(), String::new()),
        };
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {hash} | {spoken} |",
            a.step,
            a.direction,
            code(&a.path),
            a.size
        );
    }
    custody_changes(&mut md, rec);
    let _ = writeln!(md, "\n## Sign-off\n");
    let _ = writeln!(
        md,
        "We witnessed the steps above and compared the artifact hashes.\n"
    );
    for role in SIGNERS {
        let _ = writeln!(
            md,
            "{role}: ______________________  Signature: ______________  Date: __________\n"
        );
    }
    md
}

fn custody_changes(md: &mut String, rec: &Record) {
    if rec.custody_changes.is_empty() {
        return;
    }
    let _ = writeln!(md, "\n## Custody changes\n");
    for c in &rec.custody_changes {
        let _ = writeln!(md, "### Step {}: reshare\n", c.step);
        for (label, (path, sha, required, total)) in [("Old", &c.old_sd), ("New", &c.new_sd)] {
            let _ = writeln!(
                md,
                "- {label} SD {}, SHA-256 {} ({required} of {total})",
                code(path),
                code(sha)
            );
        }
        let lists: [(&str, &[Named]); 2] = [
            ("Old custodians' keys that opened a share", &c.keys_used),
            (
                "New custodians' certificates, in share order",
                &c.new_certificates,
            ),
        ];
        for (title, list) in lists {
            let _ = writeln!(md, "- {title}:");
            for e in list {
                let _ = writeln!(md, "  - {} x5t_256 {}", code(&e.file), code(&e.x5t_256));
            }
        }
        let _ = writeln!(md);
    }
}
