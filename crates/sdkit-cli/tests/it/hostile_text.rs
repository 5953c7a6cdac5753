//! What custodians read cannot be forged: text from a file (a tag, a file name) with a
//! newline, an escape sequence, a carriage return or a bidi override is shown escaped on the
//! terminal, in JSON, and never as a line of its own.

use crate::common::*;
use crate::fixtures::*;
use serde_json::Value;
use std::fs;

/// A fake verdict, a screen clear, a carriage return and a right-to-left override.
const HOSTILE: &str = "x\nDRILL PASSED: forged\u{1b}[2J\rOK\u{202e}gpj.exe";

/// No raw control or bidi character and no forged line in what a person reads.
fn assert_clean(what: &str, text: &str) {
    for c in ['\u{1b}', '\r', '\u{202e}', '\0'] {
        assert!(!text.contains(c), "{what}: raw {c:?} in\n{text}");
    }
    for line in text.lines() {
        assert!(
            !line.trim_start().starts_with("DRILL PASSED: forged"),
            "{what}: forged line {line:?} in\n{text}"
        );
    }
}

#[test]
fn a_hostile_tag_is_shown_escaped_by_inspect_and_drill() {
    let dir = tempdir();
    let mut sd: Value = serde_json::from_slice(&fs::read(SD2023.path()).unwrap()).unwrap();
    sd["EncData"]["data"][0]["tag"] = Value::String(HOSTILE.into());
    let path = dir.path().join("hostile-tag.json");
    fs::write(&path, sd.to_string()).unwrap();

    let r = sdkit(["inspect"]).arg(&path).run();
    assert_clean("inspect", &format!("{}{}", r.stdout, r.stderr));
    assert!(
        r.stdout.contains("x\\u{a}DRILL PASSED: forged"),
        "{}",
        r.stdout
    );

    // The tag no longer matches the item's key, so the drill fails, naming the item.
    let r = sdkit(["drill"]).arg(&path).keys(&[key(1), key(2)]).run();
    assert_ne!(r.code, Some(OK));
    assert_clean("drill", &format!("{}{}", r.stdout, r.stderr));

    // JSON keeps the exact text for programs, but a person reading it sees escapes.
    let r = sdkit(["inspect", "--json"]).arg(&path).run();
    assert_clean("inspect --json", &r.stdout);
    assert!(r.stdout.contains("\\u202e"), "{}", r.stdout);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(
        v.to_string().contains('\u{202e}'),
        "the JSON value is exact"
    );
}

#[test]
fn a_hostile_key_file_name_is_shown_escaped() {
    let dir = tempdir();
    let named = dir.path().join(format!("{HOSTILE}.pem"));
    fs::copy(key(1), &named).unwrap();
    let r = sdkit(["drill"])
        .arg(SD2023.path())
        .keys(&[named, key(2)])
        .run();
    assert_eq!(r.code, Some(OK), "{r}");
    assert_clean("drill", &format!("{}{}", r.stdout, r.stderr));
    // The real verdict is there, once, on a line of its own.
    let verdicts = r
        .stdout
        .lines()
        .filter(|l| l.starts_with("DRILL PASSED"))
        .count();
    assert_eq!(verdicts, 1, "{}", r.stdout);
}

/// The real SD with `edit` applied, in a fresh directory.
fn edited_sd(edit: impl FnOnce(&mut Value)) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempdir();
    let mut sd: Value = serde_json::from_slice(&fs::read(SD2023.path()).unwrap()).unwrap();
    edit(&mut sd);
    let path = dir.path().join("sd.json");
    fs::write(&path, sd.to_string()).unwrap();
    (dir, path)
}

#[test]
fn a_drill_fails_what_a_restore_would_fail() {
    // Declares 3 of 3, but its shares are 2-of-3: any two custodians restore it.
    let (_d, lying) = edited_sd(|sd| sd["SharedKeys"]["required"] = 3.into());
    let r = sdkit(["drill"])
        .arg(&lying)
        .keys(&[key(1), key(2), key(3)])
        .run();
    assert_eq!(r.code, Some(CHECK_FAILED), "{r}");
    assert!(
        r.stderr
            .contains("recombine with fewer than the 3 custodians"),
        "{}",
        r.stderr
    );

    // Shares 1 and 2 swap labels: each key still opens a share, but az, which finds a
    // custodian's share by the certificate beside the key, would open the wrong one.
    let (_d, swapped) = edited_sd(|sd| {
        let shares = sd["SharedKeys"]["enc_shares"].as_array_mut().unwrap();
        let first = shares[0]["x5t_256"].clone();
        shares[0]["x5t_256"] = shares[1]["x5t_256"].clone();
        shares[1]["x5t_256"] = first;
    });
    let r = sdkit(["drill"]).arg(&swapped).keys(&[key(1), key(2)]).run();
    assert_eq!(r.code, Some(CHECK_FAILED), "{r}");
    let stderr = r.stderr.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        stderr.contains("labelled for another certificate"),
        "{stderr}"
    );
}
