//! The printed ceremony record (`transcript render --html`), tested as a person sees it:
//! headless Chromium, with the network off, prints the demo's record to PDF and renders it
//! to PNG, and every QR code in the PNG decodes (zbarimg) to exactly the thumbprint or
//! certificate it stands for. Chromium and zbarimg are required: without them the test
//! fails and says how to install them (`.ci/run` installs them).

use crate::common::*;
use crate::fixtures::{SD2020, cert};
use assert_cmd::Command;
use base64ct::{Base64, Base64UrlUnpadded, Encoding};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A browser or decoder run is bounded, so that a wedged tool fails the test instead of
/// hanging it; the limit is far above what either needs.
const TOOL_TIMEOUT: Duration = Duration::from_secs(180);

/// The tool's path, or a failure that says which Debian package provides it.
pub fn tool(name: &str, package: &str) -> PathBuf {
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!(
                "`{name}` is not installed; the printed-record test needs it. Install it with: \
                 apt-get update && apt-get install -y {package}   (.ci/run does this)"
            )
        })
}

/// Chromium, headless, with the network off: every host name resolves to nothing, any
/// proxy is unreachable, and no background service starts.
pub fn chromium(chrome: &Path, profile: &Path, args: &[String], page: &Path) {
    let out = Command::new(chrome)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-sync",
            "--hide-scrollbars",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--proxy-server=127.0.0.1:9",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(page)
        .timeout(TOOL_TIMEOUT)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn zbar(zbarimg: &Path, png: &Path, args: &[&str]) -> Vec<u8> {
    let out = Command::new(zbarimg)
        .args(["--nodbus", "-q", "-Sdisable", "-Sqrcode.enable"])
        .args(args)
        .arg(png)
        .timeout(TOOL_TIMEOUT)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "zbarimg found no QR code in {}: {}",
        png.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Every QR code zbarimg finds in `png`, as the exact bytes each holds, checked against the
/// payloads `want` names. zbarimg's binary mode (`-Sbinary`: the bytes as encoded, with no
/// guess at a character set) writes the symbols' data back to back, with no separator, so
/// its output is cut where each known payload ends; the symbols are counted in a second,
/// XML, pass. Bytes that match no payload, or a count that differs, fail the test.
pub fn decode_all(zbarimg: &Path, png: &Path, want: &BTreeMap<Vec<u8>, String>) -> Vec<Vec<u8>> {
    let xml = String::from_utf8_lossy(&zbar(zbarimg, png, &["--xml"])).into_owned();
    let symbols = xml.matches("<symbol ").count();
    let raw = zbar(zbarimg, png, &["--raw", "-Sbinary"]);
    let mut found = Vec::new();
    let mut rest = raw.as_slice();
    while !rest.is_empty() {
        let hit = want
            .keys()
            .find(|p| rest.starts_with(p))
            .unwrap_or_else(|| {
                panic!(
                    "a code decodes to bytes no certificate or thumbprint starts with: {:?}",
                    String::from_utf8_lossy(&rest[..rest.len().min(80)])
                )
            });
        found.push(hit.clone());
        rest = &rest[hit.len()..];
    }
    assert_eq!(
        found.len(),
        symbols,
        "symbols found vs payloads decoded\n{xml}"
    );
    found
}

/// A certificate file's DER (PEM or DER on disk).
pub fn der_of(path: &Path) -> Vec<u8> {
    let bytes = fs::read(path).unwrap();
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return bytes;
    };
    let b64: String = text
        .lines()
        .skip_while(|l| !l.starts_with("-----BEGIN CERTIFICATE"))
        .skip(1)
        .take_while(|l| !l.starts_with("-----END"))
        .collect();
    Base64::decode_vec(&b64).unwrap()
}

/// What each code must hold: every certificate the demo made, as its DER and as its
/// thumbprint (`x5t#S256`, base64url), each named for the failure message.
fn expected(demo: &Path) -> BTreeMap<Vec<u8>, String> {
    let mut want = BTreeMap::new();
    for sub in ["keys", "exchange"] {
        for e in fs::read_dir(demo.join(sub)).unwrap().flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "cer") {
                let der = der_of(&p);
                let tp = Base64UrlUnpadded::encode_string(&Sha256::digest(&der));
                want.insert(tp.into_bytes(), format!("thumbprint of {}", p.display()));
                want.insert(der, format!("certificate {}", p.display()));
            }
        }
    }
    want
}

/// The page loads nothing: no script, no external reference of any kind.
pub fn assert_self_contained(html: &str) {
    let lower = html.to_ascii_lowercase();
    for banned in [
        "<script", "http:", "https:", "src=", "href=", "url(", "@import", "<link", "<img",
        "<iframe", "<object", "<embed",
    ] {
        assert!(!lower.contains(banned), "the page contains {banned:?}");
    }
}

/// The paper size of a PDF's first page, in points, from its `/MediaBox`.
pub fn media_box(pdf: &[u8]) -> (f64, f64) {
    let text = String::from_utf8_lossy(pdf);
    let at = text.find("/MediaBox").expect("PDF has a MediaBox");
    let nums: Vec<f64> = text[at..]
        .split(['[', ']'])
        .nth(1)
        .unwrap()
        .split_whitespace()
        .map(|n| n.parse().unwrap())
        .collect();
    (nums[2] - nums[0], nums[3] - nums[1])
}

#[test]
fn every_qr_code_of_the_printed_demo_record_decodes_to_what_it_stands_for() {
    let chrome = tool("chromium", "chromium");
    let zbarimg = tool("zbarimg", "zbar-tools");
    let dir = tempdir();
    let demo = dir.path().join("demo");
    sdkit(["demo", "--dir"]).arg(&demo).slow().run().code(OK);
    let transcript = demo.join("transcript.jsonl");
    let page = dir.path().join("record.html");
    sdkit(["transcript", "render"])
        .arg(&transcript)
        .arg("--html")
        .arg(&page)
        .run()
        .code(OK)
        .out_has(&["wrote"]);
    let html = fs::read_to_string(&page).unwrap();
    assert_self_contained(&html);
    let want = expected(&demo);
    // Every certificate shows twice (its thumbprint, itself), and nothing else is a code.
    assert_eq!(
        html.matches("<svg").count(),
        want.len(),
        "codes on the page"
    );
    for heading in ["Steps", "Artifacts", "Custody changes", "Sign-off"] {
        assert!(html.contains(&format!("<h2>{heading}</h2>")), "{heading}");
    }

    let profile = dir.path().join("chromium-profile");
    let pdf = dir.path().join("record.pdf");
    let png = dir.path().join("record.png");
    chromium(
        &chrome,
        &profile,
        &[
            format!("--print-to-pdf={}", pdf.display()),
            "--no-pdf-header-footer".into(),
        ],
        &page,
    );
    let pdf_bytes = fs::read(&pdf).unwrap();
    assert!(pdf_bytes.starts_with(b"%PDF"), "not a PDF");
    let (w, h) = media_box(&pdf_bytes);
    assert!(
        (w - 595.3).abs() < 2.0 && (h - 841.9).abs() < 2.0,
        "A4: {w} x {h} pt"
    );
    // Twice the CSS resolution, as a phone camera sees a printed page well enough; tall
    // enough for every code (they come before the long tables).
    chromium(
        &chrome,
        &profile,
        &[
            format!("--screenshot={}", png.display()),
            "--force-device-scale-factor=2".into(),
            "--window-size=1000,5000".into(),
        ],
        &page,
    );
    let mut seen: BTreeMap<Vec<u8>, usize> = BTreeMap::new();
    for d in decode_all(&zbarimg, &png, &want) {
        *seen.entry(d).or_default() += 1;
    }
    for (payload, what) in &want {
        assert_eq!(
            seen.get(payload),
            Some(&1),
            "{what}: decoded {} time(s)",
            seen.get(payload).unwrap_or(&0)
        );
    }

    // US Letter: the same page laid out for the other sheet.
    let letter = dir.path().join("letter.html");
    sdkit(["transcript", "render"])
        .arg(&transcript)
        .arg("--html")
        .arg(&letter)
        .arg("--paper")
        .arg("letter")
        .run()
        .code(OK);
    let letter_pdf = dir.path().join("letter.pdf");
    chromium(
        &chrome,
        &profile,
        &[format!("--print-to-pdf={}", letter_pdf.display())],
        &letter,
    );
    let (w, h) = media_box(&fs::read(&letter_pdf).unwrap());
    assert!(
        (w - 612.0).abs() < 2.0 && (h - 792.0).abs() < 2.0,
        "Letter: {w} x {h} pt"
    );

    certificates_moved_given_or_changed(&demo, &transcript, want.len());
}

/// Where certificates come from when the files are no longer as recorded.
fn certificates_moved_given_or_changed(demo: &Path, transcript: &Path, all_codes: usize) {
    let dir = tempdir();
    let render = |out: &str, certs: &[PathBuf]| {
        let page = dir.path().join(out);
        let run = sdkit(["transcript", "render"])
            .arg(transcript)
            .arg("--html")
            .arg(&page)
            .certs(certs)
            .run();
        (run, page)
    };
    // A newcomer's certificate moved away: the reshare still names them by thumbprint, so
    // the page shows their thumbprint's code, without the certificate's.
    let moved = dir.path().join("newcomer1-moved.cer");
    fs::rename(demo.join("keys/newcomer1.cer"), &moved).unwrap();
    let (run, page) = render("moved.html", &[]);
    run.code(OK);
    let html = fs::read_to_string(page).unwrap();
    assert!(html.contains("Custodian named by thumbprint only"));
    assert_eq!(html.matches("<svg").count(), all_codes - 1);
    // Given with --cert, it is back whole.
    let (run, page) = render("given.html", std::slice::from_ref(&moved));
    run.code(OK);
    let html = fs::read_to_string(page).unwrap();
    assert!(!html.contains("Custodian named by thumbprint only"));
    assert_eq!(html.matches("<svg").count(), all_codes);
    // A certificate the ceremony never used is refused.
    let (run, page) = render("stranger.html", &[cert(1)]);
    run.code(INPUT).err_has(&["not one the transcript names"]);
    assert!(!page.exists());
    // A recorded certificate whose file changed since is listed apart, never shown as the
    // ceremony's.
    fs::copy(cert(1), demo.join("keys/custodian3.cer")).unwrap();
    let (run, page) = render("changed.html", &[]);
    run.code(OK);
    let html = fs::read_to_string(page).unwrap();
    let changed = html
        .split("differ now")
        .nth(1)
        .expect("changed files listed");
    assert!(changed.contains("custodian3.cer"));
    assert!(
        !html.contains("sdkit DEMO custodian 3<"),
        "the changed file is not shown"
    );
}

/// A file name made to forge a record: a new line starting a heading, a table row, a script,
/// and a right-to-left override that would show `exe.jpg` as `gpj.exe` (no `/`: a file
/// name cannot hold one).
const HOSTILE: &str =
    "evil\n# Forged heading\n| 9 | in | forged row |<script>alert(1)\u{202e}gpj.exe.cer";

#[test]
fn a_hostile_file_name_shows_escaped_in_markdown_and_html() {
    let dir = tempdir();
    let hostile = dir.path().join(HOSTILE);
    fs::copy(cert(1), &hostile).unwrap();
    let transcript = dir.path().join("t.jsonl");
    sdkit(["--transcript"])
        .arg(&transcript)
        .arg("inspect")
        .arg(SD2020.path())
        .certs(&[hostile.clone(), cert(2), cert(3)])
        .run()
        .code(OK);
    let md = sdkit(["transcript", "render"]).arg(&transcript).run();
    md.code(OK);
    let md = md.stdout;
    assert!(!md.contains('\u{202e}') && md.contains("\\u{202e}"), "{md}");
    // Markup is shown only inside code spans, where Markdown shows it as text.
    for l in md.lines() {
        for (i, part) in l.split('`').enumerate() {
            assert!(
                i % 2 == 1 || !part.contains("<script"),
                "markup outside code: {l}"
            );
        }
    }
    assert!(
        !md.lines()
            .any(|l| l.starts_with("# Forged") || l.starts_with("| 9 |")),
        "{md}"
    );
    // Every table row has as many cells as its header.
    let mut columns = 0;
    for l in md.lines() {
        if !l.starts_with('|') {
            columns = 0;
            continue;
        }
        let cells = l
            .match_indices('|')
            .filter(|(i, _)| !l[..*i].ends_with('\\'))
            .count();
        if columns == 0 {
            columns = cells;
        }
        assert_eq!(cells, columns, "a row with a forged cell: {l}");
    }
    // Neither record replaces the transcript it is made from, even with --force.
    let before = fs::read(&transcript).unwrap();
    for flag in ["--out", "--html"] {
        sdkit(["transcript", "render"])
            .arg(&transcript)
            .arg(flag)
            .arg(&transcript)
            .arg("--force")
            .run()
            .code(OUTPUT)
            .err_has(&["an input of this command"]);
    }
    assert_eq!(fs::read(&transcript).unwrap(), before);
    let page = dir.path().join("r.html");
    sdkit(["transcript", "render"])
        .arg(&transcript)
        .arg("--html")
        .arg(&page)
        .run()
        .code(OK);
    let html = fs::read_to_string(&page).unwrap();
    assert_self_contained(&html);
    assert!(!html.contains('\u{202e}') && html.contains("\\u{202e}"));
    assert!(html.contains("&lt;script&gt;") && !html.contains("<script"));
    assert!(!html.contains("<h1>Forged") && !html.contains("\n# Forged"));
    // A header and one row for each file read (the SD, three certificates): no forged row.
    let artifacts = html.split("<h2>Artifacts</h2>").nth(1).unwrap();
    let table = artifacts.split("</table>").next().unwrap();
    assert_eq!(table.matches("<tr>").count(), 5, "{table}");
    // The certificates are shown, the hostile one from its path too, with their codes.
    assert_eq!(html.matches("<svg").count(), 6);
    assert!(html.contains("# Forged heading"));
}
