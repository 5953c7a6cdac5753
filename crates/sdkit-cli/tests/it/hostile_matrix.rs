//! The bad-input matrix: systematic hostile variants of the real 2023 SD (every base64url
//! field flipped, truncated, extended and emptied; fields removed, duplicated, retyped, given
//! huge numbers; deep nesting; non-UTF-8; a multi-gigabyte file; directories, FIFOs and
//! missing paths), each fed to `sdkit recover`. Every case must exit non-zero with a message
//! naming the file, must not panic, must finish within the harness timeout, and must leave
//! the output directory empty.

use crate::common::*;
use crate::fixtures::*;
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};

struct Case {
    name: String,
    sd: PathBuf,
    /// Acceptable exit codes.
    codes: &'static [i32],
}

fn sample() -> Value {
    serde_json::from_slice(&fs::read(SD2023.path()).unwrap()).unwrap()
}

/// Mutations of one base64url string.
fn mutations(s: &str) -> Vec<(&'static str, String)> {
    let mut flipped = s.to_owned();
    if !s.is_empty() {
        let mid = s.len() / 2;
        let c = s.as_bytes()[mid];
        let swap = if c == b'A' { "B" } else { "A" };
        flipped.replace_range(mid..mid + 1, swap);
    }
    vec![
        ("flipped", flipped),
        ("truncated", s[..s.len().saturating_sub(4)].to_owned()),
        ("extended", format!("{s}AAAA")),
        ("emptied", String::new()),
    ]
}

fn set_part(compact: &str, part: usize, value: &str) -> String {
    let mut p: Vec<String> = compact.split('.').map(str::to_owned).collect();
    p[part] = value.to_owned();
    p.join(".")
}

fn cases(dir: &Path) -> Vec<Case> {
    let mut out = Vec::new();
    let mut n = 0;
    let mut add = |name: String, bytes: Vec<u8>, codes: &'static [i32], out: &mut Vec<Case>| {
        n += 1;
        let sd = dir.join(format!("case{n:03}.json"));
        fs::write(&sd, bytes).unwrap();
        out.push(Case { name, sd, codes });
    };
    let base = sample();
    // Every part of every item JWE, and of the two shares the keys in use open.
    for (arr, field, count) in [
        ("/EncData/data", "compact_jwe", 3),
        ("/SharedKeys/enc_shares", "enc_key", 2),
    ] {
        for i in 0..count {
            let ptr = format!("{arr}/{i}/{field}");
            let original = base.pointer(&ptr).unwrap().as_str().unwrap().to_owned();
            for (part, text) in original.split('.').enumerate() {
                // The encrypted-key part of a `dir` item is empty by design: extending it is
                // the only mutation that means anything there.
                for (how, m) in mutations(text) {
                    if m == text {
                        continue;
                    }
                    let mut v = base.clone();
                    *v.pointer_mut(&ptr).unwrap() = Value::String(set_part(&original, part, &m));
                    add(
                        format!("{ptr} part {part} {how}"),
                        serde_json::to_vec(&v).unwrap(),
                        &[INPUT, CRYPTO],
                        &mut out,
                    );
                }
            }
        }
    }
    // Thumbprints that are not 32 bytes.
    for i in 0..3 {
        let ptr = format!("/SharedKeys/enc_shares/{i}/x5t_256");
        let original = base.pointer(&ptr).unwrap().as_str().unwrap().to_owned();
        for (how, m) in mutations(&original)
            .into_iter()
            .filter(|(h, _)| *h != "flipped")
        {
            let mut v = base.clone();
            *v.pointer_mut(&ptr).unwrap() = Value::String(m);
            add(
                format!("{ptr} {how}"),
                serde_json::to_vec(&v).unwrap(),
                &[INPUT],
                &mut out,
            );
        }
    }
    // Fields removed, retyped, given absurd numbers.
    let fields = [
        "/EncData",
        "/EncData/data",
        "/EncData/data/0/tag",
        "/EncData/data/0/compact_jwe",
        "/SharedKeys",
        "/SharedKeys/enc_shares",
        "/SharedKeys/enc_shares/0/enc_key",
        "/SharedKeys/enc_shares/0/x5t_256",
        "/SharedKeys/key_algorithm",
        "/SharedKeys/required",
    ];
    for f in fields {
        let (parent, key) = f.rsplit_once('/').unwrap();
        let mut v = base.clone();
        let p = if parent.is_empty() {
            &mut v
        } else {
            v.pointer_mut(parent).unwrap()
        };
        p.as_object_mut().unwrap().remove(key);
        add(
            format!("{f} removed"),
            serde_json::to_vec(&v).unwrap(),
            &[INPUT],
            &mut out,
        );
        for (ty, val) in [
            ("number", serde_json::json!(7)),
            ("null", Value::Null),
            ("array", serde_json::json!([])),
        ] {
            let mut v = base.clone();
            *v.pointer_mut(f).unwrap() = val;
            add(
                format!("{f} as {ty}"),
                serde_json::to_vec(&v).unwrap(),
                &[INPUT],
                &mut out,
            );
        }
    }
    for huge in [
        "1e400",
        "18446744073709551616",
        "-1",
        "1.5",
        "99999999999999999999999999",
    ] {
        let text = serde_json::to_string(&base)
            .unwrap()
            .replace("\"required\":2", &format!("\"required\":{huge}"));
        add(
            format!("required = {huge}"),
            text.into_bytes(),
            &[INPUT],
            &mut out,
        );
    }
    // Duplicated keys, deep nesting, not JSON, not UTF-8, empty, truncated, wrong container.
    let text = serde_json::to_string(&base).unwrap();
    let whole_files: [(&str, Vec<u8>); 13] = [
        (
            "duplicate required",
            text.replacen("\"required\":2", "\"required\":2,\"required\":3", 1)
                .into_bytes(),
        ),
        (
            "duplicate EncData",
            text.replacen("{\"EncData\":", "{\"EncData\":{},\"EncData\":", 1)
                .into_bytes(),
        ),
        (
            "deep nesting",
            format!("{}{}", "[".repeat(200_000), "]".repeat(200_000)).into_bytes(),
        ),
        (
            "deep nesting in value",
            serde_json::to_vec(&serde_json::json!({"value": "[".repeat(100_000)})).unwrap(),
        ),
        ("non-UTF-8", b"{\"EncData\":\"\xff\xfe\"}".to_vec()),
        ("UTF-16 BOM", b"\xff\xfe{".to_vec()),
        ("empty", Vec::new()),
        ("truncated half", text.as_bytes()[..text.len() / 2].to_vec()),
        ("array", b"[]".to_vec()),
        ("string", b"\"sd\"".to_vec()),
        ("wrapped number", b"{\"value\": 5}".to_vec()),
        ("wrapped garbage", b"{\"value\": \"not json\"}".to_vec()),
        ("NUL bytes", vec![0u8; 4096]),
    ];
    for (name, bytes) in whole_files {
        add(name.into(), bytes, &[INPUT], &mut out);
    }
    out
}

#[test]
fn hostile_security_domains_are_refused_cleanly() {
    let dir = tempdir();
    let keys = isolated_keys(dir.path(), &[1, 2]);
    let list = cases(dir.path());
    let mut ran = 0;
    for case in &list {
        let outdir = dir.path().join("out");
        let r = sdkit(["recover"])
            .arg(&case.sd)
            .keys(&keys)
            .arg("--out-dir")
            .arg(&outdir)
            .run();
        assert!(
            r.code.is_some_and(|c| case.codes.contains(&c)),
            "{}: exit {:?}, wanted one of {:?}\n{r}",
            case.name,
            r.code,
            case.codes
        );
        assert!(
            r.stderr.contains("error"),
            "{}: no error message\n{r}",
            case.name
        );
        assert!(
            r.stderr.contains(&case.sd.display().to_string()),
            "{}: message does not name the file\n{r}",
            case.name
        );
        assert!(
            tree(&outdir).is_empty(),
            "{}: wrote {:?}",
            case.name,
            tree(&outdir)
        );
        ran += 1;
    }
    assert!(ran >= 60, "only {ran} hostile cases");
    eprintln!("{ran} hostile SD variants refused cleanly");
}

#[test]
fn hostile_paths_are_refused_cleanly() {
    let dir = tempdir();
    let d = dir.path();
    let outdir = d.join("out");
    // A multi-gigabyte file (sparse): refused by size before it is read.
    let big = d.join("huge.json");
    fs::File::create(&big).unwrap().set_len(5 << 30).unwrap();
    let fifo = d.join("fifo.json");
    let have_fifo = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    assert!(have_fifo, "mkfifo is needed for this test (coreutils)");
    for (what, path, needle) in [
        ("huge", big.clone(), "larger than"),
        ("directory", d.to_path_buf(), "directory"),
        ("fifo", fifo.clone(), "not a regular file"),
        ("missing", d.join("nope.json"), "not found"),
    ] {
        let r = sdkit(["recover"])
            .arg(&path)
            .keys(&[key(1), key(2)])
            .arg("--out-dir")
            .arg(&outdir)
            .run();
        r.code(INPUT).err_has(&[needle]);
        assert!(tree(&outdir).is_empty(), "{what}");
    }
    // Keys of the wrong kind or size, and passphrases wrong or missing.
    let pass = write_file(d, "pass", "wrong\n");
    for (what, args, code, needle) in [
        (
            "EC key",
            vec![fixture("ec-p256.pem"), key(2)],
            INPUT,
            "not RSA",
        ),
        (
            "RSA-1024",
            vec![fixture("rsa1024.pem"), key(2)],
            INPUT,
            "1024",
        ),
        (
            "key is a certificate",
            vec![cert(1), key(2)],
            INPUT,
            "certificate",
        ),
        (
            "key is a directory",
            vec![d.to_path_buf(), key(2)],
            INPUT,
            "directory",
        ),
        (
            "encrypted, no passphrase",
            vec![fixture("sd1.pbkdf2-aes256.pem"), key(2)],
            INPUT,
            "passphrase",
        ),
    ] {
        let r = sdkit(["recover"])
            .arg(SD2023.path())
            .keys(&args)
            .arg("--out-dir")
            .arg(&outdir)
            .run();
        r.code(code).err_has(&[needle]);
        assert!(tree(&outdir).is_empty(), "{what}");
    }
    let r = sdkit(["recover"])
        .arg(SD2023.path())
        .keys(&[fixture("sd1.pbkdf2-aes256.pem"), key(2)])
        .arg("--passphrase-file")
        .arg(&pass)
        .arg("--out-dir")
        .arg(&outdir)
        .run();
    r.code(INPUT).err_has(&["wrong passphrase"]);
    assert!(tree(&outdir).is_empty());
}
