//! The review as one printed page (the HTML page module of `transcript render --html`): the
//! same facts and findings as the text and JSON, with each custodian's QR codes so a witness
//! can check the paper against the certificate files, and lines to sign.

use super::{ReviewView, level_name};
use crate::html::{CERTIFICATE_CODES_NOTE, Cell, Page, Paper, QrError};
use crate::render::{date, rfc3339, words};
use sdkit_core::review::Level;

fn badge(level: Level) -> Cell {
    Cell::Badge {
        text: level_name(level).to_owned(),
        class: match level {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Note => "info",
        }
        .to_owned(),
    }
}

fn code(s: impl Into<String>) -> Cell {
    Cell::Code(s.into())
}

/// The page for a review.
pub fn render(v: &ReviewView<'_>, paper: Paper) -> Result<String, QrError> {
    let (loaded, sd) = (v.loaded, &v.loaded.sd);
    let fail_on = level_name(v.args.fail_on.into());
    let failing = v.failing().len();
    let mut page = Page::new("Security-domain quarterly review", paper);
    let log_cell = |seen: &Option<super::LogSeen>| match seen {
        Some(l) => code(format!(
            "{}: {} record(s); head {} ({})",
            l.file.display(),
            l.records,
            l.head.to_hex(),
            words(l.head.as_bytes())
        )),
        None => Cell::Text("none given".into()),
    };
    page.facts(&[
        ("Security domain", code(v.sd())),
        ("SHA-256", code(loaded.digest.to_hex())),
        (
            "SHA-256 read aloud",
            Cell::Words(words(loaded.digest.as_bytes())),
        ),
        ("Reviewed as of", Cell::Text(rfc3339(v.now))),
        ("Quorum", Cell::Text(v.quorum_words())),
        ("Azure's limits", Cell::Text(v.limits_words())),
        ("Ledger", log_cell(&v.ledger)),
        ("Custody register", log_cell(&v.register)),
        (
            "Verdict",
            Cell::Badge {
                text: if failing == 0 {
                    format!("OK: no finding at or above {fail_on}")
                } else {
                    format!("{failing} finding(s) at or above {fail_on}")
                },
                class: if failing == 0 { "ok" } else { "error" }.to_owned(),
            },
        ),
    ]);
    page.paragraph(
        "Compare each head with the one written down when its log was last appended to: a \
         hash chain cannot show an edit to its last line on its own.",
    );

    page.heading(2, "Findings, most serious first");
    if v.report.findings.is_empty() {
        page.paragraph("None.");
    } else {
        let rows: Vec<Vec<Cell>> = v
            .report
            .findings
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let (what, todo) = v.words_for(f);
                vec![
                    Cell::Text((i + 1).to_string()),
                    badge(f.level()),
                    Cell::Text(what),
                    Cell::Text(todo),
                ]
            })
            .collect();
        page.table(&["#", "level", "finding", "what to do"], &rows);
    }

    page.heading(2, "Custodians");
    page.paragraph(CERTIFICATE_CODES_NOTE);
    page.paragraph("A share whose certificate was not given shows only its thumbprint's code.");
    for i in 0..v.report.shares.len() {
        let tp = sd.shares()[i].thumbprint;
        let cert = v.cert_of(i);
        let heading = match cert {
            Some(c) => format!("Share {}: {}", i + 1, c.cert.subject()),
            None => format!("Share {} (no certificate given)", i + 1),
        };
        let mut extra = Vec::new();
        if let Some(c) = cert {
            extra.push((
                "Key",
                Cell::Text(format!("RSA-{}", c.cert.key_bits().unwrap_or(0))),
            ));
            extra.push((
                "Valid",
                Cell::Text(format!(
                    "{} to {}: {}",
                    date(c.cert.not_before()),
                    date(c.cert.not_after()),
                    super::validity(c, v.now)
                )),
            ));
        }
        extra.push(("Last proven", Cell::Text(v.proven_words(i))));
        extra.push(("Held by", Cell::Text(v.held_words(i))));
        let file = cert.map(|c| c.path.display().to_string());
        page.certificate_card(
            &heading,
            file.as_deref(),
            &tp,
            cert.map(|c| c.cert.der()),
            &extra,
        )?;
    }

    if let Some(copies) = &v.report.sd_copies {
        page.heading(2, "Copies of this security domain");
        if copies.is_empty() {
            page.paragraph("None recorded in the register.");
        } else {
            let rows: Vec<Vec<Cell>> = copies
                .iter()
                .map(|h| {
                    vec![
                        Cell::Text(h.holder.clone()),
                        Cell::Text(h.medium.clone()),
                        Cell::Text(h.location.clone()),
                        Cell::Text(h.since.clone()),
                    ]
                })
                .collect();
            page.table(&["holder", "medium", "location", "since"], &rows);
        }
    }

    page.heading(2, "Sign-off");
    page.paragraph(
        "Signed by those who reviewed the findings above. Write beside the signatures what \
         was done about each finding, or why it stays until the next review.",
    );
    let custodians: Vec<String> = (1..=v.report.shares.len())
        .map(|i| format!("Custodian of share {i}"))
        .collect();
    let mut roles: Vec<&str> = vec!["Reviewer", "Witness"];
    roles.extend(custodians.iter().map(String::as_str));
    page.signature_lines(&roles);
    Ok(page.finish())
}
