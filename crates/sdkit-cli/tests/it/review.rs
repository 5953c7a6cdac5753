//! The quarterly review of the real SD: a custodian whose key was last proven 120 days ago
//! and expired certificates are both found, ranked, and fail the run (exit 1) unless
//! `--fail-on error`, which still prints them.
//!
//! A drill cannot be run in the past, so the old ledger record is written by
//! [`append_past_drill`] through the same code the CLI uses (the chain's `append_line`, the
//! share commitments of `sdkit_core::evidence`), with only its time set back; the recent
//! record is appended by a real `sdkit drill --ledger`, which verifies the chain first.

use crate::common::*;
use crate::fixtures::*;
use sdkit_core::chain;
use sdkit_core::evidence::share_commitment;
use sdkit_core::recover::{self, HolderKey, HolderStatus};
use sdkit_core::{SecurityDomain, utc};
use serde_json::{Map, Value, json};
use std::fs;
use std::path::Path;
use std::time::SystemTime;

/// Appends the record `sdkit drill SD --key k(ns)... --ledger LEDGER` would have written
/// `days_ago` days ago.
pub fn append_past_drill(ledger: &Path, sd_path: &Path, ns: &[usize], days_ago: u64) {
    let bytes = fs::read(sd_path).unwrap();
    let sd = SecurityDomain::parse(&bytes).unwrap();
    let sha = sdkit_core::digest::Sha256Digest::of(&bytes);
    let keys: Vec<sdkit_certs::PrivateKey> = ns
        .iter()
        .map(|&i| sdkit_certs::load_private_key(&fs::read(key(i)).unwrap(), None).unwrap())
        .collect();
    let hk: Vec<HolderKey<'_>> = keys
        .iter()
        .map(|k| HolderKey {
            key: k,
            certificate: None,
        })
        .collect();
    let shares: Vec<Value> = recover::open_shares(&sd, &hk)
        .iter()
        .map(|o| {
            let (HolderStatus::Opened { share_index, x }, Some(share)) = (&o.status, o.share())
            else {
                panic!("key did not open a share")
            };
            json!({
                "share": share_index + 1,
                "x": x,
                "x5t_256": sd.shares()[*share_index].thumbprint.to_base64url(),
                "status": "ok",
                "commitment": hex::encode(share_commitment(sha.as_bytes(), share)),
            })
        })
        .collect();
    let mut rec = Map::new();
    rec.insert("version".into(), json!(1));
    rec.insert(
        "time".into(),
        json!(utc::format(SystemTime::now() - utc::days(days_ago))),
    );
    rec.insert("sd_file".into(), json!(sd_path.display().to_string()));
    rec.insert("sd_sha256".into(), json!(sha));
    rec.insert("required".into(), json!(sd.quorum().required()));
    rec.insert("total".into(), json!(sd.quorum().total()));
    rec.insert("result".into(), json!("passed"));
    rec.insert("shares".into(), Value::Array(shares));
    let mut log = fs::read(ledger).unwrap_or_default();
    let (line, _) = chain::append_line(&log, "sdkit-drill-ledger", rec).unwrap();
    log.extend_from_slice(line.as_bytes());
    fs::write(ledger, log).unwrap();
}

/// A ledger in which all three custodians were proven 120 days ago and only 1 and 2 since.
fn stale_ledger(dir: &Path) -> std::path::PathBuf {
    let ledger = dir.join("drills.jsonl");
    append_past_drill(&ledger, &SD2023.path(), &[1, 2, 3], 120);
    sdkit(["drill"])
        .arg(SD2023.path())
        .keys(&[key(1), key(2)])
        .arg("--ledger")
        .arg(&ledger)
        .run()
        .code(OK);
    sdkit(["ledger", "verify"])
        .arg(&ledger)
        .run()
        .code(OK)
        .out_has(&["2 drill record(s) (2 passed)"]);
    ledger
}

fn review(ledger: &Path) -> Sdkit {
    sdkit(["review"])
        .arg(SD2023.path())
        .certs(&[cert(1), cert(2), cert(3)])
        .arg("--ledger")
        .arg(ledger)
}

#[test]
fn a_stale_custodian_and_expired_certificates_fail_the_review_ranked() {
    let dir = tempdir();
    let ledger = stale_ledger(dir.path());
    let sha = sha256_hex(&fs::read(SD2023.path()).unwrap());

    let run = review(&ledger).run();
    run.code(CHECK_FAILED)
        .err_has(&["finding(s) at or above warning", "last proven 120 days ago"])
        .out_has(&[
            "any 2 of 3 custodians open it; losing 2 keys loses the HSM (1 can be lost)",
            "Azure Managed HSM takes 3 to 10 certificates",
            "within limits",
            &sha,
            "last proven 120 days ago",
            "certificate expired on 2021-08-28",
            "Azure does not check this at restore",
            "--record",
            "or run a drill with this key among the keys",
        ]);
    // Ranked: the stale key (warning) first, then the expired certificates (warnings), then
    // notes; the custodian is named by certificate subject and file.
    let text = unfold(&run.stdout);
    let stale = text
        .find("1. warning: share 3")
        .expect("stale key ranked first");
    let expired = text
        .find("2. warning: share 1")
        .expect("expired certificate second");
    let note = text
        .find(": note:")
        .or_else(|| text.find(". note:"))
        .unwrap();
    assert!(stale < expired && expired < note, "{run}");
    assert!(!text.contains("ok: no finding"), "{run}");

    let j = review(&ledger).json().run();
    j.code(CHECK_FAILED);
    let v = j.json();
    assert_eq!(v["ok"], false);
    assert_eq!(v["highest"], "warning");
    assert_eq!(v["sha256"], sha);
    assert_eq!(
        (
            v["required"].clone(),
            v["shares_total"].clone(),
            v["can_lose"].clone()
        ),
        (json!(2), json!(3), json!(1))
    );
    let findings = v["findings"].as_array().unwrap();
    let codes: Vec<(&str, &str, Value)> = findings
        .iter()
        .map(|f| {
            (
                f["level"].as_str().unwrap(),
                f["code"].as_str().unwrap(),
                f["share"].clone(),
            )
        })
        .collect();
    assert_eq!(codes[0], ("warning", "not_proven_recently", json!(3)));
    for (i, c) in codes[1..4].iter().enumerate() {
        assert_eq!(*c, ("warning", "certificate_expired", json!(i + 1)));
    }
    assert!(codes[4..].iter().all(|c| c.0 == "note"), "{codes:?}");
    assert!(codes.contains(&("note", "key_size_small", json!(1))));
    assert!(codes.contains(&("note", "no_register", Value::Null)));
    assert!(
        findings
            .iter()
            .all(|f| !f["action"].as_str().unwrap().is_empty())
    );
    assert_eq!(v["shares"][2]["last_proven"]["days_ago"], 120);
    assert_eq!(v["shares"][0]["last_proven"]["days_ago"], 0);
    assert_eq!(v["shares"][0]["last_proven"]["this_sd"], true);
    assert_eq!(v["ledger"]["passed_drills_of_this_sd"], 2);
    assert_eq!(v["error"]["kind"], "check_failed");

    // --fail-on error: the same findings, printed, and exit 0.
    let ok = review(&ledger).arg("--fail-on").arg("error").run();
    ok.code(OK).out_has(&[
        "1. warning: share 3",
        "last proven 120 days ago",
        "certificate expired on 2021-08-28",
        "OK: no finding at or above error",
    ]);
    let v = review(&ledger)
        .arg("--fail-on")
        .arg("error")
        .json()
        .run()
        .json();
    assert_eq!(v["ok"], true);
    assert_eq!(v["findings"].as_array().unwrap().len(), findings.len());

    // A longer --max-age: the stale key is no longer a finding; the certificates still are.
    let v = review(&ledger)
        .arg("--max-age")
        .arg("180")
        .json()
        .run()
        .json();
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["code"] != "not_proven_recently")
    );
    assert_eq!(v["findings"][0]["code"], "certificate_expired");
}

#[test]
fn without_ledger_or_certificates_the_review_says_what_it_cannot_know() {
    let run = sdkit(["review"]).arg(SD2023.path()).run();
    run.code(CHECK_FAILED).out_has(&[
        "last proven: not known (no ledger)",
        "held by: not known (no register)",
        "1. warning: no ledger given",
        "no certificates given",
    ]);
    sdkit(["review"])
        .arg(SD2023.path())
        .arg("--fail-on")
        .arg("error")
        .run()
        .code(OK);
    // --fail-on note fails on anything; a bad level is a usage error.
    sdkit(["review"])
        .arg(SD2023.path())
        .arg("--fail-on")
        .arg("loud")
        .run()
        .code(USAGE);
    // A private key where a certificate is expected is refused, and not echoed.
    sdkit(["review"])
        .arg(SD2023.path())
        .arg("--cert")
        .arg(key(1))
        .run()
        .code(INPUT)
        .err_has(&["private key", "not a certificate"]);
}

/// The printed review, as a person sees it: headless Chromium (network off) prints it to an
/// A4 PDF and renders it to PNG; every QR code decodes (zbarimg) to exactly one custodian's
/// thumbprint or certificate, each once; the findings table and the signature lines are
/// there; and the page is written even though the review fails.
#[test]
fn the_printed_review_shows_the_findings_and_every_code_decodes() {
    use crate::printed_record::{
        assert_self_contained, chromium, decode_all, der_of, media_box, tool,
    };
    use base64ct::{Base64UrlUnpadded, Encoding};
    use sha2::{Digest, Sha256};
    use std::collections::BTreeMap;
    let chrome = tool("chromium", "chromium");
    let zbarimg = tool("zbarimg", "zbar-tools");
    let dir = tempdir();
    let d = dir.path();
    let ledger = stale_ledger(d);
    let page = d.join("review.html");
    review(&ledger)
        .arg("--html")
        .arg(&page)
        .run()
        .code(CHECK_FAILED)
        .out_has(&["wrote", "review.html"]);
    // An existing page is kept unless --force.
    review(&ledger).arg("--html").arg(&page).run().code(OUTPUT);
    let v = review(&ledger)
        .arg("--html")
        .arg(&page)
        .arg("--force")
        .json()
        .run()
        .json();
    assert_eq!(v["html"], page.display().to_string());
    // The page never replaces an input.
    review(&ledger)
        .arg("--html")
        .arg(&ledger)
        .arg("--force")
        .run()
        .code(OUTPUT);
    assert_eq!(lines(&ledger).len(), 2);

    let html = fs::read_to_string(&page).unwrap();
    assert_self_contained(&html);
    for needle in [
        "<h2>Findings, most serious first</h2>",
        "<h2>Custodians</h2>",
        "<h2>Sign-off</h2>",
        "last proven 120 days ago",
        "Custodian of share 3",
    ] {
        assert!(html.contains(needle), "{needle}");
    }
    let mut want: BTreeMap<Vec<u8>, String> = BTreeMap::new();
    for i in 1..=3 {
        let der = der_of(&cert(i));
        let tp = Base64UrlUnpadded::encode_string(&Sha256::digest(&der));
        want.insert(tp.into_bytes(), format!("thumbprint of sd{i}.cer"));
        want.insert(der, format!("sd{i}.cer"));
    }
    assert_eq!(
        html.matches("<svg").count(),
        want.len(),
        "codes on the page"
    );

    let profile = d.join("chromium-profile");
    let pdf = d.join("review.pdf");
    chromium(
        &chrome,
        &profile,
        &[
            format!("--print-to-pdf={}", pdf.display()),
            "--no-pdf-header-footer".into(),
        ],
        &page,
    );
    let (w, h) = media_box(&fs::read(&pdf).unwrap());
    assert!(
        (w - 595.3).abs() < 2.0 && (h - 841.9).abs() < 2.0,
        "A4: {w} x {h} pt"
    );
    let png = d.join("review.png");
    chromium(
        &chrome,
        &profile,
        &[
            format!("--screenshot={}", png.display()),
            "--force-device-scale-factor=2".into(),
            "--window-size=1000,7000".into(),
        ],
        &page,
    );
    let mut seen: BTreeMap<Vec<u8>, usize> = BTreeMap::new();
    for code in decode_all(&zbarimg, &png, &want) {
        *seen.entry(code).or_default() += 1;
    }
    for (payload, what) in &want {
        assert_eq!(seen.get(payload), Some(&1), "{what}");
    }
}

#[test]
fn a_custodians_recorded_check_proves_their_key_for_the_review_but_vouches_for_no_share() {
    let dir = tempdir();
    let ledger = stale_ledger(dir.path());
    // Custodian 3, whose key was last proven 120 days ago, checks it alone and records it.
    sdkit(["check"])
        .arg(SD2023.path())
        .arg("--key")
        .arg(key(3))
        .arg("--record")
        .arg(&ledger)
        .run()
        .code(OK)
        .err_has(&["ledger: recorded this check in"]);
    sdkit(["ledger", "verify"])
        .arg(&ledger)
        .run()
        .code(OK)
        .out_has(&["2 drill record(s) (2 passed), 1 check record(s)"]);
    // The review now sees share 3 proven today: only the certificates' findings remain.
    let run = review(&ledger).run();
    let text = unfold(&run.stdout);
    assert!(!text.contains("last proven 120 days ago"), "{run}");
    assert!(text.contains("certificate expired"), "{run}");
    // `check --ledger` still vouches for the share only by the drill that saw it beside the
    // others (120 days ago), never by the custodian's own check.
    let r = sdkit(["check", "--json"])
        .arg(SD2023.path())
        .arg("--key")
        .arg(key(3))
        .arg("--ledger")
        .arg(&ledger)
        .run();
    r.code(OK);
    let v = r.json();
    let when = v["ledger"]["drill_time"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(!when.is_empty(), "{}", r.stdout);
    let today = sdkit_core::utc::format(SystemTime::now());
    assert_ne!(
        &when[..10],
        &today[..10],
        "vouched by today's check: {}",
        r.stdout
    );
}
