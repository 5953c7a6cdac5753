//! The custody register: entries that follow from each other, read back by `review`; what
//! is refused (a private key, text that could be key material, a hand-off from someone who
//! holds nothing); and a chain that breaks visibly when a line is edited, removed or
//! reordered with `sed`, as anyone with the file could.

use crate::common::*;
use crate::fixtures::*;
use serde_json::Value;
use std::fs;
use std::path::Path;
use std::process::Command;

fn record(reg: &Path, item: &[&str], holder: &str, medium: &str, location: &str) -> Sdkit {
    sdkit(["custody", "record", "--register"])
        .arg(reg)
        .arg(item[0])
        .arg(item[1])
        .arg("--holder")
        .arg(holder)
        .arg("--medium")
        .arg(medium)
        .arg("--location")
        .arg(location)
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A register: each key held, one hand-off, this SD's copy held, an old SD's copy destroyed.
/// Returns the head printed after the last entry.
fn build(reg: &Path) -> String {
    let (c1, c2, sd, old) = (cert(1), cert(2), SD2023.path(), SD2020.path());
    let x5t3 = "IqNczYeUNDRJ4XnvwsMw6JZW3lk-czwnTZ1HE5r6TIc";
    record(
        reg,
        &["--cert", path(&c1)],
        "Alice Smith",
        "smart card",
        "safe A",
    )
    .run()
    .code(OK)
    .out_has(&[
        "Recorded in",
        "entry 1",
        "Alice Smith holds key",
        "write the head down",
    ]);
    record(
        reg,
        &["--cert", path(&c2)],
        "Bob Jones",
        "USB stick, sealed bag 0412",
        "bank box 17",
    )
    .run()
    .code(OK);
    record(
        reg,
        &["--x5t-256", x5t3],
        "Carol White",
        "smart card",
        "safe B",
    )
    .run()
    .code(OK);
    record(
        reg,
        &["--sd", path(&sd)],
        "Alice Smith",
        "USB stick",
        "safe A",
    )
    .run()
    .code(OK);
    record(reg, &["--sd", path(&old)], "Bob Jones", "paper", "desk")
        .run()
        .code(OK);
    sdkit(["custody", "handoff", "--register"])
        .arg(reg)
        .arg("--cert")
        .arg(&c1)
        .args_from(&[
            "--from",
            "Alice Smith",
            "--to",
            "Dave Green",
            "--witness",
            "Erin Black",
        ])
        .arg("--location")
        .arg("safe C")
        .run()
        .code(OK)
        .out_has(&[
            "Alice Smith handed key",
            "to Dave Green, witnessed by Erin Black",
        ]);
    let last = sdkit(["custody", "destroy", "--register"])
        .arg(reg)
        .arg("--sd")
        .arg(&old)
        .args_from(&[
            "--holder",
            "Bob Jones",
            "--witness",
            "Erin Black",
            "--method",
            "shredded",
        ])
        .json()
        .run();
    last.code(OK);
    let v = last.json();
    assert_eq!(v["entries"], 7);
    assert_eq!(v["entry"]["event"], "destroy");
    v["head"].as_str().unwrap().to_owned()
}

trait ArgsFrom {
    fn args_from(self, a: &[&str]) -> Self;
}

impl ArgsFrom for Sdkit {
    fn args_from(mut self, a: &[&str]) -> Self {
        for x in a {
            self = self.arg(x);
        }
        self
    }
}

#[test]
fn the_register_records_hand_offs_and_destructions_and_review_reads_it() {
    let dir = tempdir();
    let reg = dir.path().join("custody.jsonl");
    let head = build(&reg);
    sdkit(["custody", "verify"])
        .arg(&reg)
        .arg("--expect-head")
        .arg(&head)
        .run()
        .code(OK)
        .out_has(&[
            "chain intact",
            "7 entries (5 held, 1 hand-off(s), 1 destroyed)",
            "3 key copy(ies) and 1 SD copy(ies) held now",
            "VERIFIED",
        ]);
    // Every line is a hash-chained record of its own kind that names keys by thumbprint and
    // SD copies by SHA-256.
    for l in lines(&reg) {
        let v: Value = serde_json::from_str(&l).unwrap();
        assert_eq!(v["type"], "sdkit-custody-register");
        assert!(v["prev"].as_str().unwrap().len() == 64);
        assert!(v["item"]["x5t_256"].is_string() || v["item"]["sha256"].is_string());
    }
    let run = sdkit(["review"])
        .arg(SD2023.path())
        .certs(&[cert(1), cert(2), cert(3)])
        .arg("--register")
        .arg(&reg)
        .arg("--fail-on")
        .arg("error")
        .run();
    run.code(OK).out_has(&[
        "held by: Dave Green (smart card, safe C)",
        "held by: Bob Jones (USB stick, sealed bag 0412, bank box 17)",
        "held by: Carol White (smart card, safe B)",
        "Copies of this SD file:",
        "Alice Smith (USB stick, safe A)",
    ]);
    let v = sdkit(["review"])
        .arg(SD2023.path())
        .arg("--register")
        .arg(&reg)
        .json()
        .run()
        .json();
    assert_eq!(v["shares"][0]["holders"][0]["holder"], "Dave Green");
    assert_eq!(v["register"]["records"], 7);
    let codes: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(
        !codes.contains(&"no_holder") && !codes.contains(&"no_register"),
        "{codes:?}"
    );
    assert!(!codes.contains(&"other_sd_copies_held"), "{codes:?}");
    // A key nobody holds any more is an error: its share is lost.
    sdkit(["custody", "destroy", "--register"])
        .arg(&reg)
        .arg("--x5t-256")
        .arg("IqNczYeUNDRJ4XnvwsMw6JZW3lk-czwnTZ1HE5r6TIc")
        .args_from(&["--holder", "Carol White", "--witness", "Erin Black"])
        .run()
        .code(OK);
    sdkit(["review"])
        .arg(SD2023.path())
        .arg("--register")
        .arg(&reg)
        .arg("--fail-on")
        .arg("error")
        .run()
        .code(CHECK_FAILED)
        .out_has(&["1. error: share 3", "every copy of this key destroyed"]);
    // Every key gone: the file can no longer be opened, said first.
    for (c, holder) in [(cert(2), "Bob Jones"), (cert(1), "Dave Green")] {
        sdkit(["custody", "destroy", "--register"])
            .arg(&reg)
            .arg("--cert")
            .arg(c)
            .args_from(&["--holder", holder, "--witness", "Erin Black"])
            .run()
            .code(OK);
    }
    sdkit(["review"])
        .arg(SD2023.path())
        .arg("--register")
        .arg(&reg)
        .run()
        .code(CHECK_FAILED)
        .out_has(&[
            "1. error: only 0 of the 3 keys are left, fewer than the quorum of 2",
            "held by: nobody: every copy destroyed",
            "no quorum is left in this file",
        ]);
}

#[test]
fn what_is_not_custody_is_refused_and_nothing_is_written() {
    let dir = tempdir();
    let reg = dir.path().join("custody.jsonl");
    // A private key where a certificate is expected: refused, the register not created.
    let run = record(&reg, &["--cert", path(&key(1))], "Alice", "card", "safe").run();
    run.code(INPUT)
        .err_has(&["private key", "never holds key material"]);
    assert!(!reg.exists());
    // Text that could carry key material.
    let pem_body = fs::read_to_string(key(1))
        .unwrap()
        .lines()
        .nth(1)
        .unwrap()
        .to_owned();
    for (opt, value) in [
        ("--note", "-----BEGIN PRIVATE KEY-----"),
        ("--note", pem_body.as_str()),
        ("--note", "two\nlines"),
    ] {
        let r = record(&reg, &["--cert", path(&cert(1))], "Alice", "card", "safe")
            .arg(format!("{opt}={value}"))
            .run();
        r.code(USAGE).err_has(&["--note"]);
        assert!(!r.stderr.contains(&pem_body), "{r}");
    }
    sdkit(["custody", "record", "--register"])
        .arg(&reg)
        .arg("--cert")
        .arg(cert(1))
        .arg(format!("--holder={pem_body}"))
        .args_from(&["--medium", "card", "--location", "safe"])
        .run()
        .code(USAGE)
        .err_has(&["--holder", "could be key material"]);
    assert!(!reg.exists());
    // Exactly one item; --when not in the future.
    sdkit(["custody", "record", "--register"])
        .arg(&reg)
        .args_from(&["--holder", "A", "--medium", "m", "--location", "l"])
        .run()
        .code(USAGE);
    record(&reg, &["--cert", path(&cert(1))], "Alice", "card", "safe")
        .arg("--sd")
        .arg(SD2023.path())
        .run()
        .code(USAGE);
    record(&reg, &["--cert", path(&cert(1))], "Alice", "card", "safe")
        .args_from(&["--when", "2999-01-01"])
        .run()
        .code(USAGE)
        .err_has(&["in the future"]);
    record(&reg, &["--sd-sha256", "abc"], "Alice", "card", "safe")
        .run()
        .code(USAGE);
    assert!(!reg.exists());
    // A hand-off from someone who holds nothing does not follow from the register.
    record(&reg, &["--cert", path(&cert(1))], "Alice", "card", "safe")
        .args_from(&["--when", "2026-01-02"])
        .run()
        .code(OK);
    let before = fs::read(&reg).unwrap();
    sdkit(["custody", "handoff", "--register"])
        .arg(&reg)
        .arg("--cert")
        .arg(cert(1))
        .args_from(&["--from", "Mallory", "--to", "Eve", "--witness", "Trent"])
        .run()
        .code(CHECK_FAILED)
        .err_has(&["not recorded", "\"Mallory\" holds no copy"]);
    sdkit(["custody", "destroy", "--register"])
        .arg(&reg)
        .arg("--cert")
        .arg(cert(2))
        .args_from(&["--holder", "Alice", "--witness", "Trent"])
        .run()
        .code(CHECK_FAILED);
    assert_eq!(fs::read(&reg).unwrap(), before);
    let line: Value = serde_json::from_str(&lines(&reg)[0]).unwrap();
    assert_eq!(line["when"], "2026-01-02T00:00:00Z");
}

fn sed(script: &str, file: &Path) {
    let ok = Command::new("sed")
        .arg("-i")
        .arg(script)
        .arg(file)
        .status()
        .unwrap()
        .success();
    assert!(ok, "sed {script}");
}

#[test]
fn editing_removing_or_reordering_any_line_breaks_the_chain_visibly() {
    let dir = tempdir();
    let good = dir.path().join("good.jsonl");
    let head = build(&good);
    let n = lines(&good).len();
    assert_eq!(n, 7);
    let tampered = dir.path().join("tampered.jsonl");
    // Each line edited, each line removed, each pair of neighbours swapped.
    let mut cases: Vec<(String, String)> = Vec::new();
    for i in 1..=n {
        cases.push((
            format!("edit line {i}"),
            format!("{i}s/\"version\":1/\"version\":2/"),
        ));
        cases.push((format!("remove line {i}"), format!("{i}d")));
        if i < n {
            cases.push((
                format!("swap lines {i} and {}", i + 1),
                format!("{i}{{h;d}};{}{{G}}", i + 1),
            ));
        }
    }
    // A more natural edit: the name of who holds a key.
    cases.push(("rename a holder".into(), "2s/Bob Jones/Mallory/".into()));
    for (what, script) in &cases {
        fs::copy(&good, &tampered).unwrap();
        sed(script, &tampered);
        assert_ne!(
            fs::read(&tampered).unwrap(),
            fs::read(&good).unwrap(),
            "{what}"
        );
        let verify = sdkit(["custody", "verify"])
            .arg(&tampered)
            .arg("--expect-head")
            .arg(&head)
            .run();
        verify.code(CHECK_FAILED);
        let err = unfold(&verify.stderr);
        assert!(
            err.contains("the chain breaks at line") || err.contains("is not the one expected"),
            "{what}: {verify}"
        );
        // A broken chain: review refuses it too, and nothing can be appended to it. (An
        // edit to the last line or its removal shows only against the head written down.)
        if err.contains("the chain breaks") {
            sdkit(["review"])
                .arg(SD2023.path())
                .arg("--register")
                .arg(&tampered)
                .arg("--fail-on")
                .arg("error")
                .run()
                .code(CHECK_FAILED)
                .err_has(&["the chain breaks"]);
            let before = fs::read(&tampered).unwrap();
            record(
                &tampered,
                &["--cert", path(&cert(3))],
                "Zed",
                "card",
                "safe",
            )
            .run()
            .code(INPUT)
            .err_has(&["does not verify", "sdkit custody verify"]);
            assert_eq!(fs::read(&tampered).unwrap(), before, "{what}");
        } else {
            assert!(
                what.contains(&format!("line {n}")),
                "{what}: only the head showed it"
            );
        }
    }
    // Without --expect-head, a broken middle shows on its own; an edit to the last line
    // shows only against the head written down, which verify prints and asks for.
    fs::copy(&good, &tampered).unwrap();
    sed("3s/Carol White/Mallory/", &tampered);
    sdkit(["custody", "verify"])
        .arg(&tampered)
        .run()
        .code(CHECK_FAILED)
        .err_has(&["the chain breaks at line 4"]);
    fs::copy(&good, &tampered).unwrap();
    sed("$s/shredded/kept/", &tampered);
    sdkit(["custody", "verify"])
        .arg(&tampered)
        .run()
        .code(OK)
        .out_has(&["compare this head with the one written down"]);
}
