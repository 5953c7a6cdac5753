//! The printed ceremony record: the same [`Record`] as the Markdown, as one HTML page, with
//! each certificate's and custodian's QR codes so a witness can check the paper against the
//! files with a phone.

use super::certs::Certificates;
use super::markdown::{SIGNERS, prefix};
use super::record::{Named, Record, Shown};
use crate::html::{CERTIFICATE_CODES_NOTE, Cell, Page, Paper, QrError};
use crate::render::words;

fn code(s: &str) -> Cell {
    Cell::Code(s.to_owned())
}

fn spoken(s: &Shown) -> Cell {
    match &s.words {
        Some(w) => Cell::Words(w.clone()),
        None => Cell::Text("(not a SHA-256 digest)".to_owned()),
    }
}

fn result_badge(result: &str) -> Cell {
    Cell::Badge {
        text: result.to_owned(),
        class: if result == "ok" { "ok" } else { "error" }.to_owned(),
    }
}

/// The HTML ceremony record of `rec`, with the certificates found for it.
pub fn render(rec: &Record, certs: &Certificates, paper: Paper) -> Result<String, QrError> {
    let mut page = Page::new("Key ceremony record", paper);
    page.facts(&[
        ("Transcript", code(&rec.path)),
        ("Transcript SHA-256", code(&rec.file_sha256.to_hex())),
        (
            "Steps",
            Cell::Text(format!("{}, chain verified", rec.steps.len())),
        ),
        ("Head (hash of the last step)", code(&rec.head.to_hex())),
        ("Head read aloud", Cell::Words(rec.head_words())),
    ]);
    page.paragraph(
        "Compare the head with the one written down when the last step ran: a hash chain \
         cannot show an edit to its last step on its own.",
    );
    // The certificates come first: who the custodians are is what a witness checks before
    // following the steps, and a long ceremony's tables then do not push the codes far down.
    certificates(&mut page, certs)?;
    page.heading(2, "sdkit binary");
    let rows: Vec<Vec<Cell>> = rec
        .binaries
        .iter()
        .map(|(version, sha)| match sha {
            Some(s) => vec![Cell::Text(version.clone()), code(&s.text), spoken(s)],
            None => vec![
                Cell::Text(version.clone()),
                Cell::Text("(not recorded)".into()),
            ],
        })
        .collect();
    page.table(&["version", "binary SHA-256", "read aloud"], &rows);
    page.heading(2, "Steps");
    let rows: Vec<Vec<Cell>> = rec
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            vec![
                Cell::Text((i + 1).to_string()),
                Cell::Text(s.time.clone()),
                code(&s.command.join(" ")),
                result_badge(&s.result),
                code(prefix(&s.hash, 16)),
                spoken(&s.hash),
            ]
        })
        .collect();
    page.table(
        &[
            "#",
            "time (UTC)",
            "command",
            "result",
            "step hash",
            "read aloud",
        ],
        &rows,
    );
    page.heading(2, "Artifacts");
    let rows: Vec<Vec<Cell>> = rec
        .artifacts
        .iter()
        .map(|a| {
            let (hash, said) = match &a.sha256 {
                Some(s) => (code(&s.text), spoken(s)),
                None => (
                    Cell::Text("(secret: not hashed)".into()),
                    Cell::Text(String::new()),
                ),
            };
            vec![
                Cell::Text(a.step.to_string()),
                Cell::Text(a.direction.to_owned()),
                code(&a.path),
                Cell::Text(a.size.to_string()),
                hash,
                said,
            ]
        })
        .collect();
    page.table(
        &[
            "step",
            "direction",
            "file",
            "bytes",
            "SHA-256",
            "read aloud",
        ],
        &rows,
    );
    custody_changes(&mut page, rec);
    page.heading(2, "Sign-off");
    page.paragraph("We witnessed the steps above and compared the artifact hashes.");
    page.signature_lines(&SIGNERS);
    Ok(page.finish())
}

fn certificates(page: &mut Page, certs: &Certificates) -> Result<(), QrError> {
    if certs.shown.is_empty() && certs.thumbprint_only.is_empty() && certs.changed.is_empty() {
        return Ok(());
    }
    page.heading(2, "Certificates and custodians");
    page.paragraph(CERTIFICATE_CODES_NOTE);
    for c in &certs.shown {
        page.certificate_card(
            &c.subject,
            Some(&c.path),
            &c.thumbprint,
            Some(&c.der),
            &[("Named by the transcript", Cell::Text(c.named.join(", ")))],
        )?;
    }
    let missing = || {
        (
            "Certificate",
            Cell::Text("not found at render time: give its file with --cert to print it".into()),
        )
    };
    for t in &certs.thumbprint_only {
        let named = ("Named by the transcript", Cell::Text(t.named.join(", ")));
        match &t.thumbprint {
            Some(tp) => page.certificate_card(
                "Custodian named by thumbprint only",
                None,
                tp,
                None,
                &[missing(), named],
            )?,
            None => page.card(
                "Custodian named by an invalid thumbprint",
                &[
                    ("Thumbprint (x5t#S256)", code(&t.x5t_256)),
                    missing(),
                    named,
                ],
                &[],
            )?,
        }
    }
    if !certs.changed.is_empty() {
        page.paragraph(
            "These certificate files differ now from what the transcript recorded, so they \
             are not shown as the ceremony's:",
        );
        let rows: Vec<Vec<Cell>> = certs.changed.iter().map(|p| vec![code(p)]).collect();
        page.table(&["file"], &rows);
    }
    Ok(())
}

fn named_rows(list: &[Named]) -> Vec<Vec<Cell>> {
    list.iter()
        .enumerate()
        .map(|(i, n)| {
            let said = match sdkit_core::thumbprint::Thumbprint::parse(&n.x5t_256) {
                Ok(t) => Cell::Words(words(t.as_bytes())),
                Err(_) => Cell::Text("(not a valid thumbprint)".into()),
            };
            vec![
                Cell::Text((i + 1).to_string()),
                code(&n.file),
                code(&n.x5t_256),
                said,
            ]
        })
        .collect()
}

fn custody_changes(page: &mut Page, rec: &Record) {
    if rec.custody_changes.is_empty() {
        return;
    }
    page.heading(2, "Custody changes");
    for c in &rec.custody_changes {
        page.heading(3, &format!("Step {}: reshare", c.step));
        let sd = |(path, sha, required, total): &(String, String, u64, u64)| {
            Cell::Code(format!("{path}  SHA-256 {sha}  ({required} of {total})"))
        };
        page.facts(&[("Old SD", sd(&c.old_sd)), ("New SD", sd(&c.new_sd))]);
        let headers = ["#", "file", "x5t#S256", "read aloud"];
        page.paragraph("Old custodians' keys that opened a share:");
        page.table(&headers, &named_rows(&c.keys_used));
        page.paragraph("New custodians' certificates, in share order:");
        page.table(&headers, &named_rows(&c.new_certificates));
    }
}
