//! `sdkit split`: a new SD for the user's own secrets, which `inspect`, `check`, `drill` and
//! `recover` then treat like Azure's, and the inputs it refuses before writing anything.

use crate::common::*;
use crate::fixtures::*;
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// Two secrets: binary (every byte value) and text.
fn secrets(dir: &Path) -> (PathBuf, PathBuf) {
    let bin: Vec<u8> = (0..=255u8).cycle().take(1000).collect();
    (
        write_file(dir, "f1.bin", bin),
        write_file(dir, "f2.txt", "db root password\n"),
    )
}

/// `split --in a=F1 --in b=F2 --cert ... --quorum M --out S`.
fn split_cmd(f1: &Path, f2: &Path, certs: &[PathBuf], quorum: usize, out: &Path) -> Sdkit {
    let mut a = std::ffi::OsString::from("a=");
    a.push(f1);
    let mut b = std::ffi::OsString::from("b=");
    b.push(f2);
    sdkit(["split", "--in"])
        .arg(a)
        .arg("--in")
        .arg(b)
        .certs(certs)
        .arg("--quorum")
        .arg(quorum.to_string())
        .arg("--out")
        .arg(out)
}

/// Recovers `sd` with the custodians `ns` into a new directory and checks it holds exactly
/// a.bin = F1 and b.bin = F2.
fn recovers_to(sd: &Path, ns: &[usize], dir: &Path, f1: &Path, f2: &Path) {
    let keys: Vec<PathBuf> = ns.iter().map(|n| key(*n)).collect();
    let r = sdkit(["recover"])
        .arg(sd)
        .keys(&keys)
        .arg("--out-dir")
        .arg(dir)
        .run();
    r.code(OK);
    assert_eq!(
        tree(dir),
        ["a.bin", "b.bin"].into_iter().map(PathBuf::from).collect(),
        "keys {ns:?}\n{r}"
    );
    assert_eq!(fs::read(dir.join("a.bin")).unwrap(), fs::read(f1).unwrap());
    assert_eq!(fs::read(dir.join("b.bin")).unwrap(), fs::read(f2).unwrap());
}

#[test]
fn two_of_three_round_trip() {
    let t = tempdir();
    let (f1, f2) = secrets(t.path());
    let sd = t.path().join("my-sd.json");
    let certs = [cert(1), cert(2), cert(3)];
    let r = split_cmd(&f1, &f2, &certs, 2, &sd).run();
    r.code(OK).out_has(&["2 of 3", "item a", "item b"]);
    assert!(
        !r.stderr.contains("Managed HSM"),
        "2 of 3 is within Managed HSM's limits\n{r}"
    );
    // The secret never reaches the output.
    assert!(!r.stdout.contains("db root password") && !r.stderr.contains("db root password"));
    let text = fs::read_to_string(&sd).unwrap();
    assert!(!text.contains("db root password"));

    for (i, q) in QUORUMS.iter().enumerate() {
        recovers_to(&sd, q, &t.path().join(format!("r{i}")), &f1, &f2);
    }

    // inspect: a sound version-2 SD, each share matching its certificate in order.
    let r = sdkit(["inspect"]).arg(&sd).certs(&certs).json().run();
    r.code(OK);
    let j = r.json();
    assert_eq!(j["version"], 2, "{r}");
    assert_eq!(j["required"], 2);
    assert_eq!(j["shares_total"], 3);
    assert_eq!(j["within_managed_hsm_limits"], true);
    assert_eq!(j["ok"], true);
    let tags: Vec<&str> = j["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["tag"].as_str().unwrap())
        .collect();
    assert_eq!(tags, ["a", "b"]);
    for (i, s) in j["shares"].as_array().unwrap().iter().enumerate() {
        assert_eq!(
            s["matched_certificate"]["file"],
            certs[i].display().to_string(),
            "share {} is for certificate {}\n{r}",
            i + 1,
            i + 1
        );
    }
    sdkit(["inspect"])
        .arg(&sd)
        .run()
        .code(OK)
        .out_has(&["quorum 2 of 3", "OK: structure is sound"]);

    // check and drill treat it like Azure's.
    for n in 1..=3 {
        sdkit(["check"])
            .arg(&sd)
            .keys(&[key(n)])
            .run()
            .code(OK)
            .out_has(&[&format!("opens share {n} (x = {n}")]);
    }
    sdkit(["drill"])
        .arg(&sd)
        .keys(&[key(1), key(2), key(3)])
        .run()
        .code(OK);
    // A key that is nobody's opens no share.
    sdkit(["check"])
        .arg(&sd)
        .keys(&[oracle_key()])
        .run()
        .code(CHECK_FAILED);
}

#[test]
fn split_json_report() {
    let t = tempdir();
    let (f1, f2) = secrets(t.path());
    let sd = t.path().join("s.json");
    let r = split_cmd(&f1, &f2, &[cert(2), cert(3), cert(1)], 2, &sd)
        .json()
        .run();
    r.code(OK);
    let j = r.json();
    assert_eq!(j["command"], "split");
    assert_eq!(j["ok"], true);
    assert_eq!(j["required"], 2);
    assert_eq!(j["shares_total"], 3);
    assert_eq!(j["within_managed_hsm_limits"], true);
    assert_eq!(j["items"], serde_json::json!(["a", "b"]));
    assert_eq!(j["out_sha256"], sha256_hex(&fs::read(&sd).unwrap()));
    let files: Vec<&str> = j["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["file"].as_str().unwrap())
        .collect();
    let want: Vec<String> = [cert(2), cert(3), cert(1)]
        .iter()
        .map(|c| c.display().to_string())
        .collect();
    assert_eq!(
        files, want,
        "shares in the order the certificates were given"
    );
    // Share i has x = i: key 2 opens share 1.
    sdkit(["check"])
        .arg(&sd)
        .keys(&[key(2)])
        .run()
        .code(OK)
        .out_has(&["opens share 1 (x = 1"]);
}

#[test]
fn three_of_three() {
    let t = tempdir();
    let (f1, f2) = secrets(t.path());
    let sd = t.path().join("s.json");
    let r = split_cmd(&f1, &f2, &[cert(1), cert(2), cert(3)], 3, &sd).run();
    r.code(OK).out_has(&["3 of 3"]);
    recovers_to(&sd, &[1, 2, 3], &t.path().join("r"), &f1, &f2);
    for pair in [[1, 2], [1, 3], [2, 3]] {
        let out = t.path().join(format!("r{}{}", pair[0], pair[1]));
        let r = sdkit(["recover"])
            .arg(&sd)
            .keys(&[key(pair[0]), key(pair[1])])
            .arg("--out-dir")
            .arg(&out)
            .run();
        r.code(CRYPTO).err_has(&["needs 3"]);
        assert!(!out.exists() || tree(&out).is_empty(), "{r}");
    }
}

#[test]
fn outside_managed_hsm_limits_warns() {
    let t = tempdir();
    let (f1, f2) = secrets(t.path());
    let sd = t.path().join("s.json");
    let r = split_cmd(&f1, &f2, &[cert(1), cert(2)], 2, &sd).run();
    r.code(OK).err_has(&["warning", "Managed HSM", "2 of 2"]);
    recovers_to(&sd, &[1, 2], &t.path().join("r"), &f1, &f2);
    sdkit(["inspect"]).arg(&sd).json().run().code(OK);

    // In JSON mode too, and the report says so.
    let sd2 = t.path().join("s2.json");
    let r = split_cmd(&f1, &f2, &[cert(1), cert(2)], 2, &sd2)
        .json()
        .run();
    r.code(OK).err_has(&["warning", "Managed HSM"]);
    assert_eq!(r.json()["within_managed_hsm_limits"], false);
}

#[test]
fn der_certificate_and_unusual_secrets() {
    // A DER certificate works like its PEM; an empty secret and a tag with a space too.
    let t = tempdir();
    let empty = write_file(t.path(), "empty", "");
    let sd = t.path().join("s.json");
    let r = sdkit(["split", "--in"])
        .arg(format!("nothing={}", empty.display()))
        .arg("--in")
        .arg(format!("my key={}", empty.display()))
        .certs(&[fixture("sd1.cer.der"), cert(2), cert(3)])
        .arg("--quorum")
        .arg("2")
        .arg("--out")
        .arg(&sd)
        .run();
    r.code(OK);
    let out = t.path().join("r");
    sdkit(["recover"])
        .arg(&sd)
        .keys(&[key(1), key(3)])
        .arg("--out-dir")
        .arg(&out)
        .run()
        .code(OK);
    assert_eq!(
        tree(&out),
        ["my key.bin", "nothing.bin"]
            .into_iter()
            .map(PathBuf::from)
            .collect()
    );
    assert!(fs::read(out.join("nothing.bin")).unwrap().is_empty());
}

/// A refused split: the exit code, words on stderr, and no SD file (nor anything else)
/// written.
fn refused(ins: &[&str], certs: &[PathBuf], quorum: &str, code: i32, needles: &[&str]) -> Run {
    let t = tempdir();
    let (f1, _) = secrets(t.path());
    let before = tree(t.path());
    let out = t.path().join("s.json");
    let mut c = sdkit(["split"]);
    for i in ins {
        // `F` stands for an existing secret file.
        // `--in=...`, so that a tag starting with '-' is not taken for an option.
        c = c.arg(format!(
            "--in={}",
            i.replace('F', &f1.display().to_string())
        ));
    }
    let r = c
        .certs(certs)
        .arg("--quorum")
        .arg(quorum)
        .arg("--out")
        .arg(&out)
        .run();
    r.code(code).err_has(needles);
    assert!(!out.exists(), "an SD was written\n{r}");
    assert_eq!(tree(t.path()), before, "{r}");
    assert!(r.stdout.is_empty(), "{r}");
    r
}

fn three() -> Vec<PathBuf> {
    vec![cert(1), cert(2), cert(3)]
}

#[test]
fn duplicate_tags() {
    refused(
        &["a=F", "b=F", "a=F"],
        &three(),
        "2",
        USAGE,
        &["\"a\"", "twice"],
    );
}

#[test]
fn empty_tag() {
    refused(&["=F"], &three(), "2", USAGE, &["tag \"\"", "non-empty"]);
}

#[test]
fn tag_with_dot_dot() {
    refused(
        &["../x=F"],
        &three(),
        "2",
        USAGE,
        &["../x", "plain file name"],
    );
}

#[test]
fn tag_with_slash() {
    for tag in ["a/b", "/abs", "a\\b", ".hidden", "-dash", "c:d"] {
        refused(
            &[&format!("{tag}=F")],
            &three(),
            "2",
            USAGE,
            &[&format!("{tag:?}"), "plain file name"],
        );
    }
}

#[test]
fn tag_error_message_shows_one_backslash() {
    let r = refused(&["a/b=F"], &three(), "2", USAGE, &["plain file name"]);
    assert!(
        r.stderr.contains(r"'\'") && !r.stderr.contains(r"'\\'"),
        "{r}"
    );
}

#[test]
fn missing_equals() {
    refused(&["F"], &three(), "2", USAGE, &["expected TAG=FILE"]);
}

#[test]
fn quorum_larger_than_certificates() {
    refused(
        &["a=F"],
        &three(),
        "4",
        USAGE,
        &["--quorum 4", "3 certificates"],
    );
}

#[test]
fn quorum_one_or_zero() {
    refused(&["a=F"], &three(), "1", USAGE, &["--quorum 1"]);
    refused(&["a=F"], &three(), "0", USAGE, &["--quorum 0"]);
}

#[test]
fn quorum_not_a_number() {
    refused(&["a=F"], &three(), "two", USAGE, &["--quorum"]);
}

#[test]
fn one_certificate_only() {
    refused(&["a=F"], &[cert(1)], "2", USAGE, &["1 certificate"]);
    refused(&["a=F"], &[cert(1)], "1", USAGE, &["1 certificate"]);
}

#[test]
fn same_certificate_twice() {
    // The same file twice, and the same certificate under another name (and in DER).
    let r = refused(
        &["a=F"],
        &[cert(1), cert(2), cert(1)],
        "2",
        USAGE,
        &["same certificate"],
    );
    r.err_names(&cert(1));
    let t = tempdir();
    let copy = t.path().join("copy-of-sd2.cer");
    fs::copy(cert(2), &copy).unwrap();
    let r = refused(
        &["a=F"],
        &[cert(1), cert(2), copy.clone()],
        "2",
        USAGE,
        &["same certificate"],
    );
    r.err_names(&cert(2)).err_names(&copy);
    let r = refused(
        &["a=F"],
        &[fixture("sd1.cer.der"), cert(2), cert(1)],
        "2",
        USAGE,
        &["same certificate"],
    );
    r.err_names(&fixture("sd1.cer.der")).err_names(&cert(1));
}

#[test]
fn certificate_that_is_a_private_key() {
    let r = refused(
        &["a=F"],
        &[key(1), cert(2), cert(3)],
        "2",
        INPUT,
        &["private key", "certificate"],
    );
    r.err_names(&key(1));
}

#[test]
fn certificate_that_is_not_usable() {
    refused(
        &["a=F"],
        &[fixture("ec-p256.cer"), cert(2), cert(3)],
        "2",
        INPUT,
        &["ec-p256.cer", "RSA"],
    );
    refused(
        &["a=F"],
        &[fixture("garbage.txt"), cert(2), cert(3)],
        "2",
        INPUT,
        &["garbage.txt"],
    );
    refused(
        &["a=F"],
        &[tv("nope.cer"), cert(2), cert(3)],
        "2",
        INPUT,
        &["nope.cer", "not found"],
    );
}

#[test]
fn missing_input_file() {
    refused(
        &["a=F", "b=/nonexistent/secret"],
        &three(),
        "2",
        INPUT,
        &["/nonexistent/secret", "not found"],
    );
}

#[test]
fn input_is_a_directory() {
    refused(&["a=/"], &three(), "2", INPUT, &["directory"]);
}

#[test]
fn existing_out_without_force() {
    let t = tempdir();
    let (f1, f2) = secrets(t.path());
    let out = write_file(t.path(), "s.json", "keep me");
    let r = split_cmd(&f1, &f2, &three(), 2, &out).run();
    r.code(OUTPUT)
        .err_names(&out)
        .err_has(&["already exists", "--force"]);
    assert_eq!(fs::read(&out).unwrap(), b"keep me");
    // Checked first: even with bad arguments otherwise.
    let r = split_cmd(&f1, &t.path().join("missing"), &[cert(1)], 1, &out).run();
    r.code(OUTPUT);
    assert_eq!(fs::read(&out).unwrap(), b"keep me");
    // --force replaces it.
    let r = split_cmd(&f1, &f2, &three(), 2, &out).arg("--force").run();
    r.code(OK);
    recovers_to(&out, &[2, 3], &t.path().join("r"), &f1, &f2);
    let names: BTreeSet<PathBuf> = tree(t.path());
    assert!(
        !names
            .iter()
            .any(|p| p.to_string_lossy().contains("sdkit-tmp")),
        "{names:?}"
    );
}

#[test]
fn certificate_under_2048_bits() {
    // Made from the fixture's RSA-1024 key with openssl (present in CI).
    let t = tempdir();
    let small = t.path().join("small.cer");
    std::fs::copy(fixture("rsa1024.cer"), &small).unwrap();
    let r = refused(
        &["a=F"],
        &[cert(1), small.clone(), cert(3)],
        "2",
        INPUT,
        &["RSA-1024", "2048"],
    );
    r.err_names(&small);
}

#[test]
fn non_ascii_tag_is_refused_because_az_cannot_read_it() {
    let dir = tempdir();
    let f = write_file(dir.path(), "s", b"x");
    let out = dir.path().join("sd.json");
    sdkit(["split", "--in"])
        .arg(format!("cl\u{e9}={}", f.display()))
        .certs(&[cert(1), cert(2), cert(3)])
        .arg("--quorum")
        .arg("2")
        .arg("--out")
        .arg(&out)
        .run()
        .code(USAGE)
        .err_has(&["ascii", "az"]);
    assert!(!out.exists());
}
