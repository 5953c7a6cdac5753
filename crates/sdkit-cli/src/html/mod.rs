//! A printable record as one self-contained HTML page: inline CSS (with a print stylesheet
//! for A4 or US Letter), inline SVG QR codes, no script and no external resource, so the
//! file opens the same on an offline machine years later and prints as it looks.
//!
//! Every string that reaches the page through [`Page`] passes [`escape`]; callers never
//! write markup themselves.

mod escape;
mod qr;

pub use escape::{escape, markdown_code, markdown_text};
pub use qr::QrError;

use crate::render::words;
use sdkit_core::thumbprint::Thumbprint;
use std::fmt::Write;

/// The sheet the page is laid out for. Both print with 15 mm margins; content is sized to
/// the narrower A4 width, so either sheet holds it without scaling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Paper {
    /// ISO A4, 210 x 297 mm.
    A4,
    /// US Letter, 8.5 x 11 in.
    Letter,
}

impl Paper {
    fn css_size(self) -> &'static str {
        match self {
            Paper::A4 => "A4",
            Paper::Letter => "letter",
        }
    }
}

/// One table cell.
#[derive(Debug, Clone)]
pub enum Cell {
    /// Running text.
    Text(String),
    /// A command, path or hash: monospace, broken anywhere rather than overflowing the page.
    Code(String),
    /// Read-aloud words: bold, so a witness finds them while someone reads.
    Words(String),
    /// Text shown as a severity or verdict badge (`class` picks its colour: one of `ok`,
    /// `info`, `warning`, `error`; anything else shows plain).
    Badge {
        /// The badge's text.
        text: String,
        /// Its style class.
        class: String,
    },
}

/// A QR code with what it stands for, for [`Page::qr_codes`].
#[derive(Debug, Clone)]
pub struct Qr {
    /// What the code holds, as a witness reads it under the code (e.g. "thumbprint").
    pub caption: String,
    /// The exact bytes encoded.
    pub payload: Vec<u8>,
}

impl Qr {
    /// A custodian's thumbprint code: the `x5t#S256` text (base64url), as the SD and `az`
    /// name the certificate, so a scan compares with the printed thumbprint character for
    /// character.
    pub fn thumbprint(tp: &Thumbprint) -> Qr {
        Qr {
            caption: "thumbprint".into(),
            payload: tp.to_base64url().into_bytes(),
        }
    }

    /// A certificate's code: its DER bytes (binary mode; a 4096-bit key's certificate, about
    /// 1.3 kB, still fits one code), whose SHA-256 is the thumbprint.
    pub fn certificate(der: &[u8]) -> Qr {
        Qr {
            caption: "certificate (DER)".into(),
            payload: der.to_vec(),
        }
    }
}

/// What a page with [`Page::certificate_card`]s says about their codes, once, before them.
pub const CERTIFICATE_CODES_NOTE: &str = "Each certificate's first code holds its thumbprint \
    (x5t#S256, base64url: the SHA-256 of the certificate), the second the certificate itself \
    (DER bytes). Scan the second, hash it, and compare with the thumbprint and with the \
    custodian's file; read the fingerprint words aloud to compare with the custodian's own.";

/// A page under construction. Sections are appended in order; [`Page::finish`] closes it.
#[derive(Debug)]
pub struct Page {
    title: String,
    paper: Paper,
    body: String,
}

const STYLE: &str = include_str!("style.css");

impl Page {
    /// A page titled `title` (shown as its first heading and in the browser's tab).
    pub fn new(title: &str, paper: Paper) -> Page {
        Page {
            title: title.to_owned(),
            paper,
            body: String::new(),
        }
    }

    /// A section heading: `level` 2 starts a section, 3 a subsection (others are clamped).
    pub fn heading(&mut self, level: u8, text: &str) {
        let l = level.clamp(2, 4);
        let _ = writeln!(self.body, "<h{l}>{}</h{l}>", escape(text));
    }

    /// A paragraph of running text.
    pub fn paragraph(&mut self, text: &str) {
        let _ = writeln!(self.body, "<p>{}</p>", escape(text));
    }

    /// A two-column list of facts (label, value), e.g. a file's name, size and SHA-256.
    pub fn facts(&mut self, rows: &[(&str, Cell)]) {
        self.body.push_str("<table class=\"facts\">\n");
        for (label, value) in rows {
            let _ = writeln!(
                self.body,
                "<tr><th scope=\"row\">{}</th>{}</tr>",
                escape(label),
                cell(value)
            );
        }
        self.body.push_str("</table>\n");
    }

    /// A table with a header row. A row shorter than the header is padded with empty cells.
    pub fn table(&mut self, headers: &[&str], rows: &[Vec<Cell>]) {
        self.body.push_str("<table class=\"grid\">\n<thead><tr>");
        for h in headers {
            let _ = write!(self.body, "<th scope=\"col\">{}</th>", escape(h));
        }
        self.body.push_str("</tr></thead>\n<tbody>\n");
        for row in rows {
            self.body.push_str("<tr>");
            for c in row {
                self.body.push_str(&cell(c));
            }
            for _ in row.len()..headers.len() {
                self.body.push_str("<td></td>");
            }
            self.body.push_str("</tr>\n");
        }
        self.body.push_str("</tbody>\n</table>\n");
    }

    /// A block that is kept on one sheet when printed: a heading, its facts and its QR codes
    /// side by side (e.g. one custodian or one certificate).
    pub fn card(
        &mut self,
        heading: &str,
        facts: &[(&str, Cell)],
        codes: &[Qr],
    ) -> Result<(), QrError> {
        let _ = writeln!(
            self.body,
            "<section class=\"card\">\n<h3>{}</h3>",
            escape(heading)
        );
        self.facts(facts);
        self.qr_codes(codes)?;
        self.body.push_str("</section>\n");
        Ok(())
    }

    /// A certificate's card, the same wherever a custodian is shown: `heading` (usually the
    /// subject), the file, the thumbprint (`x5t#S256`), its six read-aloud words, then
    /// `extra` facts (validity, when the key was last proven, who holds it, ...), and the QR
    /// codes of the thumbprint and, when `der` is given, of the certificate itself.
    pub fn certificate_card(
        &mut self,
        heading: &str,
        file: Option<&str>,
        thumbprint: &Thumbprint,
        der: Option<&[u8]>,
        extra: &[(&str, Cell)],
    ) -> Result<(), QrError> {
        let mut facts: Vec<(&str, Cell)> = Vec::with_capacity(extra.len() + 4);
        if let Some(f) = file {
            facts.push(("File", Cell::Code(f.to_owned())));
        }
        facts.push((
            "Thumbprint (x5t#S256)",
            Cell::Code(thumbprint.to_base64url()),
        ));
        facts.push((
            "Fingerprint read aloud",
            Cell::Words(words(thumbprint.as_bytes())),
        ));
        if let Some(d) = der {
            facts.push((
                "Certificate",
                Cell::Text(format!("{} bytes (DER)", d.len())),
            ));
        }
        facts.extend(extra.iter().cloned());
        let mut codes = vec![Qr::thumbprint(thumbprint)];
        codes.extend(der.map(Qr::certificate));
        self.card(heading, &facts, &codes)
    }

    /// QR codes in a row, each captioned. Fails, adding nothing, when a payload is too long
    /// for one code.
    pub fn qr_codes(&mut self, codes: &[Qr]) -> Result<(), QrError> {
        let mut html = String::from("<div class=\"codes\">\n");
        for q in codes {
            let caption = escape(&q.caption);
            let _ = writeln!(
                html,
                "<figure>{}<figcaption>{caption}</figcaption></figure>",
                qr::svg(&q.payload, &caption)?
            );
        }
        html.push_str("</div>\n");
        self.body.push_str(&html);
        Ok(())
    }

    /// Signature and date lines, one per role, kept together on the last sheet.
    pub fn signature_lines(&mut self, roles: &[&str]) {
        self.body.push_str("<section class=\"signatures\">\n");
        for role in roles {
            let _ = writeln!(
                self.body,
                "<div class=\"sign\"><span class=\"role\">{}</span>\
                 <span class=\"line\">Name</span><span class=\"line\">Signature</span>\
                 <span class=\"line short\">Date</span></div>",
                escape(role)
            );
        }
        self.body.push_str("</section>\n");
    }

    /// The complete document.
    pub fn finish(self) -> String {
        let title = escape(&self.title);
        format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>{title}</title>\n<style>\n@page {{ size: {} portrait; margin: 15mm; }}\n{STYLE}</style>\n\
             </head>\n<body>\n<main>\n<h1>{title}</h1>\n{}</main>\n</body>\n</html>\n",
            self.paper.css_size(),
            self.body
        )
    }
}

fn cell(c: &Cell) -> String {
    match c {
        Cell::Text(t) => format!("<td>{}</td>", escape(t)),
        Cell::Code(t) => format!("<td><code>{}</code></td>", escape(t)),
        Cell::Words(t) => format!("<td><strong class=\"words\">{}</strong></td>", escape(t)),
        Cell::Badge { text, class } => {
            let class = match class.as_str() {
                "ok" | "info" | "warning" | "error" => class.as_str(),
                _ => "plain",
            };
            format!(
                "<td><span class=\"badge {class}\">{}</span></td>",
                escape(text)
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_is_self_contained_and_escaped() {
        let mut p = Page::new("T <x>", Paper::Letter);
        p.heading(2, "h\n<h1>forged</h1>");
        p.table(
            &["a", "b"],
            &[vec![Cell::Code("x</td></tr><tr><td>y".into())]],
        );
        p.card(
            "c",
            &[("k", Cell::Words("w".into()))],
            &[Qr {
                caption: "cap".into(),
                payload: b"payload".to_vec(),
            }],
        )
        .unwrap();
        p.signature_lines(&["Witness"]);
        let html = p.finish();
        assert!(html.contains("size: letter portrait"));
        assert!(!html.contains("<h1>forged"));
        assert!(!html.contains("</td></tr><tr><td>y"));
        assert_eq!(html.matches("<tr>").count(), 3, "{html}");
        for banned in ["<script", "http:", "https:", "src=", "url(", "@import"] {
            assert!(!html.contains(banned), "{banned} in page");
        }
    }
}
