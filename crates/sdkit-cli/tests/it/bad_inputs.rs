//! Every way the inputs can be wrong: the right exit code, a message on stderr that names
//! the file or key holder and the problem, no panic, and nothing written.

use crate::common::*;
use crate::fixtures::*;
use serde_json::Value;
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// Runs `recover` into `dir/out` and asserts the exit code and that `out` was not created.
fn recover_fails(sd: &Path, keys: &[PathBuf], dir: &Path, code: i32) -> Run {
    let out = dir.join("out");
    let r = sdkit(["recover"])
        .arg(sd)
        .keys(keys)
        .arg("--out-dir")
        .arg(&out)
        .run();
    r.code(code);
    assert!(!out.exists(), "recover created {}\n{r}", out.display());
    r
}

/// Runs `drill` with `--json` too and checks that stdout stays one JSON document with
/// `ok: false`.
fn drill_fails(sd: &Path, keys: &[PathBuf], code: i32) -> Run {
    let r = sdkit(["drill"]).arg(sd).keys(keys).json().run();
    r.code(code);
    assert_eq!(r.json()["ok"], false, "{r}");
    let r = sdkit(["drill"]).arg(sd).keys(keys).run();
    r.code(code);
    r
}

/// Asserts `sdkit <cmd> <sd> [keys]` fails with `code` for every command, each naming the
/// SD file and saying `needles`. Checks the `--json` error document too.
fn every_command_fails_on_sd(sd: &Path, code: i32, needles: &[&str]) {
    let d = tempdir();
    let runs = [
        sdkit(["inspect"]).arg(sd).run(),
        sdkit(["check"]).arg(sd).keys(&[key(1)]).run(),
        sdkit(["drill"]).arg(sd).keys(&[key(1), key(2)]).run(),
        recover_fails(sd, &[key(1), key(2)], d.path(), code),
    ];
    for r in &runs {
        r.code(code).err_names(sd).err_has(needles);
    }
    let r = sdkit(["inspect"]).arg(sd).json().run();
    r.code(code);
    let j = r.json();
    assert_eq!(j["ok"], false);
    assert_eq!(j["error"]["exit_code"], code);
}

fn edited(name: &str, edit: impl FnOnce(&mut Value)) -> (tempfile::TempDir, PathBuf) {
    let d = tempdir();
    let p = edit_sd(&SD2020.path(), d.path(), name, edit);
    (d, p)
}

// ---- keys that do not open enough shares -------------------------------------------------

#[test]
fn wrong_key_leaves_no_quorum() {
    let keys = [key(1), oracle_key()];
    let r = drill_fails(&SD2020.path(), &keys, CRYPTO);
    r.err_names(&SD2020.path())
        .err_names(&oracle_key())
        .err_has(&["opens no share", "needs 2"]);
    let j = sdkit(["drill"])
        .arg(SD2020.path())
        .keys(&keys)
        .json()
        .run()
        .json();
    assert_eq!(j["holders"][1]["status"], "no_share");
    assert_eq!(j["error"]["exit_code"], CRYPTO);

    let d = tempdir();
    recover_fails(&SD2020.path(), &keys, d.path(), CRYPTO)
        .err_names(&oracle_key())
        .err_has(&["opens no share", "needs 2"]);
}

#[test]
fn wrong_key_among_three_still_recovers() {
    let keys = [key(1), oracle_key(), key(3)];
    let r = drill_fails(&SD2023.path(), &keys, CHECK_FAILED);
    r.err_names(&oracle_key())
        .err_has(&["drill failed", "opens no share"])
        .out_has(&["authentic"]);
    // The verdict is said once, on stderr.
    assert!(!r.stdout.contains("FAILED"), "{r}");
    let j = sdkit(["drill"])
        .arg(SD2023.path())
        .keys(&keys)
        .json()
        .run()
        .json();
    assert_eq!(j["every_quorum_agrees"], true);
    assert!(
        j["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["authentic"] == true)
    );

    let d = tempdir();
    let out = d.path().join("out");
    let r = sdkit(["recover"])
        .arg(SD2023.path())
        .keys(&keys)
        .arg("--out-dir")
        .arg(&out)
        .run();
    r.code(OK).out_has(&["1 key(s) were skipped"]);
    let want: BTreeSet<PathBuf> = SD2023
        .items
        .iter()
        .map(|(t, _, _)| PathBuf::from(format!("{t}.bin")))
        .collect();
    assert_eq!(tree(&out), want);
    for (t, len, sha) in SD2023.items {
        let b = fs::read(out.join(format!("{t}.bin"))).unwrap();
        assert_eq!(b.len(), len);
        assert!(sha256_hex(&b).starts_with(sha));
    }
}

#[test]
fn check_with_a_foreign_key() {
    let r = sdkit(["check"])
        .arg(SD2020.path())
        .keys(&[oracle_key()])
        .run();
    r.code(CHECK_FAILED)
        .err_names(&oracle_key())
        .err_has(&["opens no share"])
        .out_has(&["opens no share"]);
    assert!(
        !r.stdout.contains("FAILED") && !r.stdout.contains("OK:"),
        "{r}"
    );
    let r = sdkit(["check"])
        .arg(SD2020.path())
        .keys(&[oracle_key()])
        .json()
        .run();
    r.code(CHECK_FAILED);
    assert_eq!(r.json()["holder"]["status"], "no_share");
}

#[test]
fn inspect_with_a_foreign_certificate() {
    let r = sdkit(["inspect"])
        .arg(SD2020.path())
        .certs(&[cert(1), oracle_cert()])
        .run();
    r.code(CHECK_FAILED)
        .err_names(&oracle_cert())
        .err_has(&["holds no share"]);
    let r = sdkit(["inspect"])
        .arg(SD2020.path())
        .certs(&[oracle_cert()])
        .json()
        .run();
    r.code(CHECK_FAILED);
    assert_eq!(
        r.json()["unmatched_certificates"][0]["file"],
        oracle_cert().display().to_string()
    );
}

#[test]
fn same_key_twice() {
    let r = drill_fails(&SD2020.path(), &[key(2), key(2)], CRYPTO);
    r.err_names(&key(2)).err_has(&["twice", "needs 2"]);

    // The same key under another name, without certificate: caught by the share it opens.
    let d = tempdir();
    let copy = isolated_keys(d.path(), &[2]).remove(0);
    let r = drill_fails(&SD2020.path(), &[key(2), copy.clone()], CRYPTO);
    r.err_names(&copy).err_has(&["already opened", "twice"]);
    let j = sdkit(["drill"])
        .arg(SD2020.path())
        .keys(&[key(2), copy.clone()])
        .json()
        .run()
        .json();
    assert_eq!(j["holders"][1]["status"], "duplicate");

    recover_fails(&SD2020.path(), &[key(2), copy], d.path(), CRYPTO).err_has(&["twice"]);
}

#[test]
fn fewer_keys_than_the_quorum() {
    let r = drill_fails(&SD2023.path(), &[key(1)], CRYPTO);
    r.err_names(&SD2023.path()).err_has(&["needs 2", "1 given"]);
    let d = tempdir();
    recover_fails(&SD2023.path(), &[key(3)], d.path(), CRYPTO).err_has(&["needs 2"]);
}

// ---- altered data items -------------------------------------------------------------------

fn tamper_tag(v: &mut Value, f: impl FnOnce(&str) -> String) {
    let jwe = v["EncData"]["data"][1]["compact_jwe"]
        .as_str()
        .unwrap()
        .to_owned();
    v["EncData"]["data"][1]["compact_jwe"] = with_jwe_tag(&jwe, f).into();
}

#[test]
fn tampered_item_tag() {
    let (d, sd) = edited("tampered.json", |v| {
        tamper_tag(v, |t| {
            let first = if t.starts_with('A') { "B" } else { "A" };
            format!("{first}{}", &t[1..])
        })
    });
    // The file still parses and looks sound: only the MAC can tell.
    sdkit(["inspect"]).arg(&sd).run().code(OK);
    let r = drill_fails(&sd, &[key(1), key(2)], CRYPTO);
    r.err_names(&sd)
        .err_has(&[
            "base_enclave_backup",
            "did not authenticate",
            "drill failed",
        ])
        .out_has(&["hsm_backup", "authentic"]);
    let j = sdkit(["drill"])
        .arg(&sd)
        .keys(&[key(1), key(2)])
        .json()
        .run()
        .json();
    assert_eq!(j["items"][0]["authentic"], true);
    assert_eq!(j["items"][1]["authentic"], false);
    assert_eq!(j["items"][2]["authentic"], true);

    recover_fails(&sd, &[key(1), key(2)], d.path(), CRYPTO)
        .err_names(&sd)
        .err_has(&["base_enclave_backup", "nothing was written"]);
    assert_eq!(
        tree(d.path()),
        BTreeSet::from([PathBuf::from("tampered.json")])
    );
}

#[test]
fn empty_item_tag() {
    let (d, sd) = edited("empty-tag.json", |v| tamper_tag(v, |_| String::new()));
    let r = sdkit(["inspect"]).arg(&sd).run();
    r.code(CHECK_FAILED)
        .err_names(&sd)
        .err_has(&["EncData.data[1]", "tag is 0 bytes"])
        .out_has(&["problem:"]);
    assert_eq!(sdkit(["inspect"]).arg(&sd).json().run().json()["ok"], false);
    drill_fails(&sd, &[key(1), key(3)], CRYPTO).err_has(&["base_enclave_backup"]);
    recover_fails(&sd, &[key(1), key(3)], d.path(), CRYPTO).err_has(&["base_enclave_backup"]);
}

// ---- crafted shares ----------------------------------------------------------------------

/// Replaces share `n`'s JWE by one that sdN's key opens, holding `payload`.
fn craft_share(dir: &Path, name: &str, n: usize, payload: &[u8]) -> PathBuf {
    let c = sdkit_certs::load_certificate(&fs::read(cert(n)).unwrap()).unwrap();
    let pk = c.rsa_public_key().unwrap();
    let jwe = sdkit_core::jwe::CompactJwe::encrypt_rsa_oaep_256(
        &pk,
        "not used",
        payload,
        &mut sdkit_core::SysRng,
    )
    .unwrap();
    edit_sd(&SD2020.path(), dir, name, |v| {
        v["SharedKeys"]["enc_shares"][n - 1]["enc_key"] = jwe.as_compact().into();
    })
}

/// 32 little-endian words `(x << 9) | y`.
fn share_payload(x_of_word: impl Fn(usize) -> u16, y_of_word: impl Fn(usize) -> u16) -> Vec<u8> {
    (0..32)
        .flat_map(|i| ((x_of_word(i) << 9) | y_of_word(i)).to_le_bytes())
        .collect()
}

#[test]
fn share_with_mixed_x() {
    let d = tempdir();
    let payload = share_payload(|i| if i == 7 { 2 } else { 1 }, |i| (i * 7) as u16);
    let sd = craft_share(d.path(), "mixed-x.json", 1, &payload);
    let r = sdkit(["check"]).arg(&sd).keys(&[key(1)]).run();
    r.code(CHECK_FAILED)
        .err_names(&key(1))
        .err_has(&["malformed", "mixes x"]);
    assert_eq!(
        sdkit(["check"])
            .arg(&sd)
            .keys(&[key(1)])
            .json()
            .run()
            .json()["holder"]["status"],
        "malformed"
    );
    // With the two good custodians the drill still passes the items, but reports sd1.
    drill_fails(&sd, &[key(1), key(2), key(3)], CHECK_FAILED)
        .err_names(&key(1))
        .err_has(&["mixes x"]);
    // With sd1 and one other there is no quorum.
    drill_fails(&sd, &[key(1), key(2)], CRYPTO).err_has(&["needs 2", "mixes x"]);
}

#[test]
fn share_off_the_polynomial() {
    // A well-formed share x = 3 with the wrong values: two good shares fix the polynomial,
    // and this one is not on it.
    let d = tempdir();
    let payload = share_payload(|_| 3, |i| (i * 13 % 251) as u16);
    let sd = craft_share(d.path(), "off-poly.json", 3, &payload);
    sdkit(["check"]).arg(&sd).keys(&[key(3)]).run().code(OK);
    let r = drill_fails(&sd, &[key(1), key(2), key(3)], CHECK_FAILED);
    r.err_names(&sd).err_has(&["off the polynomial"]);
    let j = sdkit(["drill"])
        .arg(&sd)
        .keys(&[key(1), key(2), key(3)])
        .json()
        .run()
        .json();
    assert_eq!(j["every_quorum_agrees"], false);
}

// ---- malformed security-domain files ----------------------------------------------------

#[test]
fn truncated_sd() {
    let d = tempdir();
    let bytes = fs::read(SD2020.path()).unwrap();
    let sd = write_file(d.path(), "truncated.json", &bytes[..1000]);
    every_command_fails_on_sd(&sd, INPUT, &["not valid JSON"]);
}

#[test]
fn not_json_sd() {
    let d = tempdir();
    let sd = write_file(d.path(), "notes.txt", "this is not a security domain\n");
    every_command_fails_on_sd(&sd, INPUT, &["not valid JSON"]);
    let sd = write_file(d.path(), "array.json", "[1, 2, 3]");
    every_command_fails_on_sd(&sd, INPUT, &["not a usable security domain"]);
}

#[test]
fn empty_sd() {
    let d = tempdir();
    let sd = write_file(d.path(), "empty.json", "");
    every_command_fails_on_sd(&sd, INPUT, &["not valid JSON"]);
}

#[test]
fn required_larger_than_shares() {
    let (_d, sd) = edited("req4.json", |v| v["SharedKeys"]["required"] = 4.into());
    every_command_fails_on_sd(&sd, INPUT, &["SharedKeys.required"]);
}

#[test]
fn unknown_key_algorithm() {
    let (_d, sd) = edited("alg.json", |v| {
        v["SharedKeys"]["key_algorithm"] = "shamir_share_v2".into();
    });
    every_command_fails_on_sd(&sd, INPUT, &["key_algorithm", "shamir_share_v2"]);
}

#[test]
fn duplicate_thumbprints() {
    let (_d, sd) = edited("dup-x5t.json", |v| {
        let t = v["SharedKeys"]["enc_shares"][0]["x5t_256"].clone();
        v["SharedKeys"]["enc_shares"][2]["x5t_256"] = t;
    });
    every_command_fails_on_sd(&sd, INPUT, &["x5t_256"]);
}

#[test]
fn missing_sd() {
    let d = tempdir();
    let sd = d.path().join("no-such-sd.json");
    every_command_fails_on_sd(&sd, INPUT, &["not found"]);
}

#[test]
fn sd_is_a_directory() {
    let d = tempdir();
    let sd = d.path().join("sd.json");
    fs::create_dir(&sd).unwrap();
    every_command_fails_on_sd(&sd, INPUT, &["is a directory"]);
}

#[cfg(unix)]
fn mkfifo(p: &Path) -> bool {
    std::process::Command::new("mkfifo")
        .arg(p)
        .status()
        .is_ok_and(|s| s.success())
}

#[cfg(unix)]
#[test]
fn sd_and_key_are_fifos() {
    let d = tempdir();
    let fifo = d.path().join("sd.fifo");
    if !mkfifo(&fifo) {
        eprintln!("note: mkfifo unavailable; FIFO case skipped");
        return;
    }
    // Each run is bounded by the harness timeout: opening a FIFO would block forever.
    every_command_fails_on_sd(&fifo, INPUT, &["not a regular file"]);
    sdkit(["check"])
        .arg(SD2020.path())
        .keys(&[&fifo])
        .run()
        .code(INPUT)
        .err_names(&fifo)
        .err_has(&["not a regular file"]);
    sdkit(["inspect"])
        .arg(SD2020.path())
        .certs(&[&fifo])
        .run()
        .code(INPUT)
        .err_names(&fifo);
}

#[test]
fn recover_refuses_unsafe_tags() {
    for tag in [
        "../evil", "sub/evil", "..\\evil", ".hidden", "-rf", "a\u{1}b", "",
    ] {
        let d = tempdir();
        let inner = d.path().join("inner");
        fs::create_dir(&inner).unwrap();
        let sd = edit_sd(&SD2020.path(), &inner, "evil.json", |v| {
            v["EncData"]["data"][1]["tag"] = tag.into();
        });
        let before = tree(d.path());
        let out = inner.join("out");
        let r = sdkit(["recover"])
            .arg(&sd)
            .keys(&[key(1), key(2)])
            .arg("--out-dir")
            .arg(&out)
            .run();
        r.code(INPUT).err_names(&sd);
        if !tag.is_empty() {
            r.err_has(&["not a plain file name"]);
        }
        assert_eq!(
            tree(d.path()),
            before,
            "tag {tag:?}: nothing written anywhere\n{r}"
        );
        assert!(!d.path().join("evil.bin").exists());
        // inspect tells the user before recover would.
        if tag == "../evil" {
            sdkit(["inspect"])
                .arg(&sd)
                .run()
                .code(CHECK_FAILED)
                .err_has(&["not a plain file name"]);
        }
    }
}

// ---- unusable keys ------------------------------------------------------------------------

/// `check` and `drill` both refuse `bad` (as the second key for drill) with `code`, naming it.
fn key_refused(bad: &Path, extra: &[&str], code: i32, needles: &[&str]) {
    let mut c = sdkit(["check"]).arg(SD2020.path()).keys(&[bad]);
    for e in extra {
        c = c.arg(e);
    }
    c.run().code(code).err_names(bad).err_has(needles);
    let mut c = sdkit(["drill"])
        .arg(SD2020.path())
        .keys(&[key(1).as_path(), bad]);
    for e in extra {
        c = c.arg(e);
    }
    let r = c.run();
    r.code(code).err_names(bad).err_has(needles);
    assert!(r.stdout.is_empty(), "no report after an input error\n{r}");
}

#[test]
fn garbage_key() {
    key_refused(
        &fixture("garbage.txt"),
        &[],
        INPUT,
        &["no private key found"],
    );
}

#[test]
fn of_two_broken_keys_the_first_given_is_named() {
    // Keys load in parallel and keys with a certificate beside them go first; the error must
    // still be about the first broken key in the order the user gave them.
    let d = tempdir();
    let first = write_file(d.path(), "first.pem", "not a key\n");
    let second = write_file(d.path(), "second.pem", "");
    for keys in [
        vec![first.clone(), key(1), second.clone()],
        vec![key(1), first.clone(), key(2), second.clone()],
    ] {
        let r = sdkit(["drill"]).arg(SD2020.path()).keys(&keys).run();
        r.code(INPUT).err_names(&first);
        assert!(
            !r.stderr.contains(&second.display().to_string()),
            "named the later broken key\n{r}"
        );
    }
}

#[test]
fn a_broken_sd_or_too_few_keys_is_reported_before_a_broken_key() {
    // The SD is read while the keys load on other cores; what the user hears about first must
    // still be the SD, then the key count, then the keys.
    let d = tempdir();
    let bad_key = write_file(d.path(), "bad.pem", "not a key\n");
    let bad_sd = write_file(d.path(), "sd.json", "{\"EncData\": 1}");
    for cmd in ["drill", "check", "recover"] {
        let mut c = sdkit([cmd]).arg(&bad_sd);
        c = if cmd == "check" {
            c.arg("--key").arg(&bad_key)
        } else {
            c.keys(&[bad_key.clone(), key(1)])
        };
        if cmd == "recover" {
            c = c.arg("--out-dir").arg(d.path().join("out"));
        }
        let r = c.run();
        r.code(INPUT).err_names(&bad_sd);
        assert!(
            !r.stderr.contains(&bad_key.display().to_string()),
            "{cmd}: named the key before the SD\n{r}"
        );
    }
    // SD2020 needs 2 keys: one broken key is "too few keys", not "broken key".
    let r = sdkit(["drill"]).arg(SD2020.path()).keys(&[&bad_key]).run();
    r.code(CRYPTO).err_has(&["needs 2", "1 given"]);
    assert!(!r.stderr.contains(&bad_key.display().to_string()), "{r}");
}

#[test]
fn empty_key() {
    let d = tempdir();
    key_refused(&write_file(d.path(), "empty.pem", ""), &[], INPUT, &[]);
}

#[test]
fn key_is_a_directory() {
    let d = tempdir();
    key_refused(d.path(), &[], INPUT, &["is a directory"]);
}

#[test]
fn missing_key() {
    let d = tempdir();
    key_refused(&d.path().join("nobody.pem"), &[], INPUT, &["not found"]);
}

#[test]
fn certificate_given_as_key() {
    for c in [cert(1), fixture("sd1.cer.der"), fixture("sd1.cer.text.pem")] {
        key_refused(&c, &[], INPUT, &["certificate, not a private key"]);
    }
}

#[test]
fn public_key_given_as_key() {
    for p in ["sd1.pub.pem", "sd1.pub.der", "sd1.rsapub.pem"] {
        key_refused(&fixture(p), &[], INPUT, &["public key"]);
    }
}

#[test]
fn non_rsa_keys() {
    for p in ["ec-p256.pem", "ec-p256.sec1.pem", "ed25519.pem"] {
        key_refused(&fixture(p), &[], INPUT, &["not RSA"]);
    }
}

#[test]
fn rsa_1024_key() {
    key_refused(&fixture("rsa1024.pem"), &[], INPUT, &["1024 bits", "2048"]);
}

#[test]
fn encrypted_key_without_passphrase() {
    for p in ["sd1.pbkdf2-aes256.pem", "sd1.pbkdf2-aes256.der"] {
        key_refused(&fixture(p), &[], INPUT, &["encrypted", "--passphrase-file"]);
    }
}

#[test]
fn encrypted_key_with_wrong_passphrase() {
    let d = tempdir();
    let wrong = write_file(d.path(), "wrong", "correct horse battery\n");
    let w = wrong.to_str().unwrap();
    key_refused(
        &fixture("sd1.pbkdf2-aes256.pem"),
        &["--passphrase-file", w],
        INPUT,
        &["wrong passphrase"],
    );
    key_refused(
        &scrypt_or_fips_fixture(),
        &["--passphrase-file", w],
        INPUT,
        &["wrong passphrase"],
    );
}

#[test]
fn unusable_passphrase_files() {
    let d = tempdir();
    let empty = write_file(d.path(), "empty", "\nsecond line\n");
    let missing = d.path().join("missing");
    for (pf, needle) in [(&empty, "first line is empty"), (&missing, "not found")] {
        let r = sdkit(["drill"])
            .arg(SD2020.path())
            .keys(&[key(2), fixture("sd1.pbkdf2-aes256.pem")])
            .passphrases(&[pf])
            .run();
        r.code(INPUT).err_names(pf).err_has(&[needle]);
    }
}

#[test]
fn unsupported_key_encryption() {
    for p in [
        "sd1.legacy-aes256.pem",
        "sd1.pbe-sha1-3des.pem",
        "sd1.pbes2-des3.pem",
    ] {
        let d = tempdir();
        let pass = write_file(d.path(), "pass", FIXTURE_PASSPHRASE);
        key_refused(
            &fixture(p),
            &["--passphrase-file", pass.to_str().unwrap()],
            INPUT,
            &["not supported"],
        );
    }
}

#[test]
fn passphrase_file_count_mismatch() {
    let d = tempdir();
    let p = write_file(d.path(), "p", FIXTURE_PASSPHRASE);
    let r = sdkit(["drill"])
        .arg(SD2020.path())
        .keys(&[key(1), key(2), key(3)])
        .passphrases(&[&p, &p])
        .run();
    r.code(USAGE)
        .err_has(&["2 --passphrase-file given for 3 keys"]);
    assert!(r.stdout.is_empty());
    let out = d.path().join("out");
    sdkit(["recover"])
        .arg(SD2020.path())
        .keys(&[key(1), key(2), key(3)])
        .passphrases(&[&p, &p])
        .arg("--out-dir")
        .arg(&out)
        .run()
        .code(USAGE);
    assert!(!out.exists());
}

#[test]
fn unreadable_certificate_for_inspect() {
    let r = sdkit(["inspect"]).arg(SD2020.path()).certs(&[key(1)]).run();
    r.code(INPUT).err_names(&key(1));
    sdkit(["inspect"])
        .arg(SD2020.path())
        .certs(&[fixture("garbage.txt")])
        .run()
        .code(INPUT)
        .err_names(&fixture("garbage.txt"));
}

// ---- usage --------------------------------------------------------------------------------

#[test]
fn usage_errors() {
    let sd = SD2020.path();
    let sd = sd.to_str().unwrap();
    let k = key(1);
    let k = k.to_str().unwrap();
    for (args, needle) in [
        (vec!["drill", sd], "--key"),
        (vec!["recover", sd, "--key", k, "--key", k], "--out-dir"),
        (vec!["check", sd], "--key"),
        (vec!["check", sd, "--key", k, "--key", k], "--key"),
        (vec!["inspect"], "<SD>"),
        (vec!["inspect", sd, "--bogus"], "--bogus"),
        (vec!["frobnicate"], "frobnicate"),
        (vec![], "Usage"),
    ] {
        sdkit(&args).run().code(USAGE).err_has(&[needle]);
        // With --json the refusal is also one JSON document on stdout (docs/JSON.md).
        let r = sdkit(&args).json().run();
        r.code(USAGE).err_has(&[needle]);
        let j = r.json();
        assert_eq!(j["ok"], false, "{r}");
        assert_eq!(j["error"]["kind"], "usage", "{r}");
        assert_eq!(j["error"]["exit_code"], USAGE, "{r}");
        assert!(
            j["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{r}"
        );
        assert!(j["crypto"]["module"].is_string(), "{r}");
    }
}

#[test]
fn json_errors_are_one_document() {
    let d = tempdir();
    let r = sdkit(["check"])
        .arg(d.path().join("missing.json"))
        .keys(&[key(1)])
        .json()
        .run();
    r.code(INPUT);
    let j = r.json();
    assert_eq!(j["ok"], false);
    assert_eq!(j["error"]["kind"], "input");
    assert_eq!(j["error"]["exit_code"], INPUT);
    assert!(
        j["error"]["message"]
            .as_str()
            .unwrap()
            .contains("missing.json")
    );
    assert!(j["error"]["hint"].is_string());
}
