//! What a custodian team meets on the day of a restore and in front of an auditor: the
//! commands sdkit prints, rogue shares, ledger outcomes, heads that show an edited record,
//! records that are checked before any work, exchange keys that are not an HSM's,
//! passphrases from pipes, warnings everywhere, drills that fail as the real day would.

use crate::common::*;
use crate::fixtures::*;
use serde_json::Value;
use std::fs;
use std::path::PathBuf;

/// The token after `word` in `text` (heads are printed as "head 0123456789abcdef (words)").
fn after(text: &str, word: &str) -> String {
    let mut tokens = text.split_whitespace();
    while let Some(t) = tokens.next() {
        if t == word {
            return tokens.next().unwrap_or_default().to_owned();
        }
    }
    panic!("no {word:?} in\n{text}");
}

// ---- 1. the az commands sdkit prints ----------------------------------------------------

#[test]
fn restore_blob_prints_the_upload_command_az_accepts() {
    let t = tempdir();
    let out = t.path().join("restore-blob.json");
    let r = restore_blob(&SD2023.path(), &[key(1), key(2)], &oracle_cert(), &out).run();
    let want = format!(
        "az keyvault security-domain upload --hsm-name <HSM> --sd-file {} --restore-blob",
        out.display()
    );
    r.code(OK)
        .out_has(&[&want, "az keyvault security-domain wait --hsm-name <HSM>"]);
    // The command is one line, whatever its length, so it pastes as one command.
    assert!(r.stdout.lines().any(|l| l.trim() == want), "{r}");
    fs::remove_file(&out).unwrap();
    let r = restore_blob(&SD2023.path(), &[key(1), key(2)], &oracle_cert(), &out)
        .json()
        .run();
    assert_eq!(r.code(OK).json()["upload_command"], want.as_str());
}

// ---- 2. rogue shares ------------------------------------------------------------------------

#[test]
fn inspect_with_the_team_flags_a_share_for_anybody_else() {
    let t = tempdir();
    let secret = write_file(t.path(), "s.bin", b"a secret");
    let sd = t.path().join("four.json");
    // A fourth share, for a key that is nobody on the team's.
    split(
        &format!("s={}", secret.display()),
        &[cert(1), cert(2), cert(3), oracle_cert()],
        3,
        &sd,
    )
    .run()
    .code(OK);
    let r = sdkit(["inspect"])
        .arg(&sd)
        .certs(&[cert(3), cert(1), cert(2)])
        .run();
    r.code(CHECK_FAILED)
        .err_has(&[
            "share 4 (x5t_256",
            "none of the 3 certificates given",
            "whoever holds that key, together with 2 custodian(s), opens",
        ])
        .out_has(&["ROGUE"]);
    assert!(!r.stdout.contains("structure is sound"), "{r}");
    let j = sdkit(["inspect"])
        .arg(&sd)
        .certs(&[cert(1), cert(2), cert(3)])
        .json()
        .run()
        .json();
    assert_eq!(j["ok"], false);
    assert_eq!(j["rogue_shares"][0]["share"], 4);
    assert_eq!(j["findings"][0]["severity"], "problem");
    // With the whole team, nothing is rogue.
    sdkit(["inspect"])
        .arg(&sd)
        .certs(&[cert(1), cert(2), cert(3), oracle_cert()])
        .run()
        .code(OK)
        .out_has(&["OK: structure is sound"]);
    // Without certificates, inspect cannot know the team and says nothing of rogues.
    sdkit(["inspect"]).arg(&sd).run().code(OK);
}

// ---- 3. check --ledger: not recorded is its own outcome -----------------------------------

#[test]
fn check_of_a_share_no_drill_covered_says_not_recorded() {
    let t = tempdir();
    let ledger = t.path().join("ledger.jsonl");
    sdkit(["drill"])
        .arg(SD2020.path())
        .keys(&[key(1), key(2)])
        .arg("--ledger")
        .arg(&ledger)
        .run()
        .code(OK);
    let r = sdkit(["check"])
        .arg(SD2020.path())
        .arg("--key")
        .arg(key(3))
        .arg("--ledger")
        .arg(&ledger)
        .run();
    r.code(CHECK_FAILED)
        .out_has(&["opens share 3", "NOT RECORDED"])
        .err_has(&[
            "not recorded",
            "none of the 1 drill(s)",
            &format!(
                "run a drill that includes this key with --ledger {}",
                ledger.display()
            ),
        ]);
    for wrong in ["does not give a usable share", "FAILED", "OK:"] {
        assert!(
            !r.stdout.contains(wrong) && !r.stderr.contains(wrong),
            "{wrong}\n{r}"
        );
    }
    let j = sdkit(["check"])
        .arg(SD2020.path())
        .arg("--key")
        .arg(key(3))
        .arg("--ledger")
        .arg(&ledger)
        .json()
        .run()
        .json();
    assert_eq!(j["ledger"]["status"], "not_recorded");
    assert_eq!(j["holder"]["status"], "opened");
    assert_eq!(j["error"]["kind"], "check_failed");
}

// ---- 4. heads: an edited last record shows --------------------------------------------------

#[test]
fn an_edited_or_removed_last_ledger_record_shows_against_the_head() {
    let t = tempdir();
    let ledger = t.path().join("ledger.jsonl");
    let mut heads = Vec::new();
    for pair in [[1, 2], [2, 3]] {
        let r = sdkit(["drill"])
            .arg(SD2020.path())
            .keys(&[key(pair[0]), key(pair[1])])
            .arg("--ledger")
            .arg(&ledger)
            .run();
        r.code(OK).out_has(&["write it down"]);
        heads.push(after(&r.stdout, "head"));
    }
    let printed = heads[1].clone();
    assert_eq!(printed.len(), 16);
    let verify = |expect: Option<&str>| {
        let mut s = sdkit(["ledger", "verify"]).arg(&ledger);
        if let Some(e) = expect {
            s = s.arg("--expect-head").arg(e);
        }
        s.run()
    };
    let r = verify(None);
    r.code(OK)
        .out_has(&["chain intact", "written down at the ceremony"]);
    let full = after(&r.stdout, "head");
    assert!(full.starts_with(&printed), "{r}");
    let words = r
        .stdout
        .lines()
        .find_map(|l| l.trim().strip_prefix("read aloud "))
        .unwrap()
        .to_owned();
    verify(Some(&printed)).code(OK).out_has(&["VERIFIED"]);
    verify(Some(&words.replace('-', " "))).code(OK);
    // The last record edited: the chain cannot see it, the head can.
    let mut l = lines(&ledger);
    l[1] = l[1].replacen("\"passed\"", "\"failed\"", 1);
    write_lines(&ledger, &l);
    verify(None).code(OK);
    verify(Some(&printed))
        .code(CHECK_FAILED)
        .err_has(&["is not the one expected", "edited or removed"]);
    verify(Some(&words)).code(CHECK_FAILED);
    // The last record removed: the head goes back to the first drill's.
    write_lines(&ledger, &l[..1]);
    verify(Some(&printed)).code(CHECK_FAILED);
    verify(Some(&heads[0])).code(OK);
    let j = sdkit(["ledger", "verify"])
        .arg(&ledger)
        .arg("--expect-head")
        .arg(&printed)
        .json()
        .run()
        .json();
    assert_eq!(j["head_matches"], false);
    assert_eq!(j["ok"], false);
    // Something that cannot be a head is a usage error, not a silent mismatch.
    verify(Some("abc")).code(USAGE);
}

#[test]
fn transcript_heads_and_the_rendered_record() {
    let t = tempdir();
    let transcript = t.path().join("ceremony.jsonl");
    let mut heads = Vec::new();
    for args in [
        vec!["inspect".into(), SD2023.path()],
        vec![
            "drill".into(),
            SD2023.path(),
            "--key".into(),
            key(1),
            "--key".into(),
            key(3),
        ],
    ] {
        let r = sdkit(["--transcript"]).arg(&transcript).args(&args).run();
        r.code(OK)
            .err_has(&["transcript: recorded", "write it down"]);
        heads.push(after(&r.stderr, "head"));
    }
    sdkit(["transcript", "verify"])
        .arg(&transcript)
        .arg("--expect-head")
        .arg(&heads[1])
        .run()
        .code(OK);
    let md = sdkit(["transcript", "render"]).arg(&transcript).run();
    md.code(OK);
    // Every step's hash, as printed when it ran, and the binary that ran it.
    for h in &heads {
        assert!(md.stdout.contains(h.as_str()), "{h}\n{md}");
    }
    let exe = fs::read(assert_cmd::cargo::cargo_bin("sdkit")).unwrap();
    md.out_has(&[&sha256_hex(&exe), "sdkit binary", "Sign-off"]);
    // ... and the crypto module it ran on.
    md.out_has(&[if cfg!(feature = "fips") {
        "AWS-LC-FIPS 3."
    } else {
        "(FIPS mode off)"
    }]);
    if cfg!(feature = "fips") {
        md.out_has(&["(FIPS mode on)"]);
    }
    // An edited last step: verified as a chain, caught by the head.
    let mut l = lines(&transcript);
    l[1] = l[1].replacen("\"ok\"", "\"crypto\"", 1);
    write_lines(&transcript, &l);
    sdkit(["transcript", "verify"])
        .arg(&transcript)
        .arg("--expect-head")
        .arg(&heads[1])
        .run()
        .code(CHECK_FAILED);
}

/// `sdkit` with the extra trait of taking a list of args.
trait Args {
    fn args(self, a: &[PathBuf]) -> Self;
}

impl Args for Sdkit {
    fn args(mut self, a: &[PathBuf]) -> Self {
        for x in a {
            self = self.arg(x);
        }
        self
    }
}

// ---- 5. records and outputs checked before any work ----------------------------------------

#[test]
fn a_record_that_cannot_be_written_stops_the_command_before_any_work() {
    let t = tempdir();
    let file = write_file(t.path(), "plain-file", "x");
    let nowhere = file.join("ceremony.jsonl");
    // keygen: no key is generated, nothing is written.
    let keys = t.path().join("keys");
    sdkit(["--transcript"])
        .arg(&nowhere)
        .args(&[
            "keygen".into(),
            "--holders".into(),
            "1".into(),
            "--bits".into(),
            "2048".into(),
            "--no-passphrase".into(),
            "--out-dir".into(),
            keys.clone(),
        ])
        .run()
        .code(OUTPUT)
        .err_names(&nowhere);
    assert!(!keys.exists());
    // recover: no plaintext is written.
    let out = t.path().join("recovered");
    sdkit(["--transcript"])
        .arg(&nowhere)
        .arg("recover")
        .arg(SD2020.path())
        .keys(&[key(1), key(2)])
        .arg("--out-dir")
        .arg(&out)
        .run()
        .code(OUTPUT);
    assert!(!out.exists());
    // A transcript that does not verify is refused before the work too.
    let broken = write_file(t.path(), "broken.jsonl", "not a transcript\n");
    sdkit(["--transcript"])
        .arg(&broken)
        .arg("recover")
        .arg(SD2020.path())
        .keys(&[key(1), key(2)])
        .arg("--out-dir")
        .arg(&out)
        .run()
        .code(INPUT)
        .err_has(&["does not verify"]);
    assert!(!out.exists());
    // drill --ledger: refused before any key is read (an encrypted key without a passphrase
    // would otherwise fail first, with exit 3).
    sdkit(["drill"])
        .arg(SD2020.path())
        .keys(&[fixture("sd1.pbkdf2-aes256.pem"), key(2)])
        .arg("--ledger")
        .arg(file.join("ledger.jsonl"))
        .run()
        .code(OUTPUT);
    // restore-blob into a directory that is a file: refused before the keys.
    restore_blob(
        &SD2020.path(),
        &[fixture("sd1.pbkdf2-aes256.pem"), key(2)],
        &oracle_cert(),
        &file.join("blob.json"),
    )
    .run()
    .code(OUTPUT);
    assert_eq!(fs::read(&file).unwrap(), b"x");
}

// ---- 6. exchange keys ------------------------------------------------------------------------

#[test]
fn a_custodians_certificate_is_never_the_exchange_key() {
    let t = tempdir();
    let out = t.path().join("blob.json");
    for (i, c) in [cert(1), cert(2), cert(3), fixture("sd1.cer.der")]
        .iter()
        .enumerate()
    {
        let r = restore_blob(&SD2020.path(), &[key(1), key(2)], c, &out).run();
        r.code(INPUT).err_names(c).err_has(&[
            &format!("certificate of share {}", i % 3 + 1),
            "custodian's certificate",
            "init-recovery",
        ]);
        assert!(!out.exists());
    }
    // An exchange key that is not RSA-4096 works, with a warning.
    let r = restore_blob(&SD2020.path(), &[key(1), key(2)], &oracle_cert(), &out).run();
    r.code(OK).err_has(&["warning", "RSA-2048", "RSA-4096"]);
}

// ---- 7. passphrases --------------------------------------------------------------------------

#[test]
fn passphrases_from_standard_input_and_pipes() {
    let enc = fixture("sd1.pbkdf2-aes256.pem");
    // One passphrase on standard input for the one encrypted key.
    sdkit(["check"])
        .arg(SD2020.path())
        .arg("--key")
        .arg(&enc)
        .arg("--passphrase-file")
        .arg("-")
        .stdin(format!("{FIXTURE_PASSPHRASE}\n"))
        .run()
        .code(OK)
        .out_has(&["opens share 1"]);
    // Standard input can be read once.
    sdkit(["drill"])
        .arg(SD2020.path())
        .keys(&[enc.clone(), enc.clone()])
        .arg("--passphrase-file")
        .arg("-")
        .arg("--passphrase-file")
        .arg("-")
        .stdin("x\n")
        .run()
        .code(USAGE)
        .err_has(&["more than once"]);
    // A named pipe (what /dev/fd/N of a process substitution is), given for all keys.
    let t = tempdir();
    let fifo = t.path().join("pass.fifo");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        panic!("mkfifo is needed for this test (coreutils)");
    }
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || fs::write(&fifo, format!("{FIXTURE_PASSPHRASE}\n")))
    };
    let r = sdkit(["drill"])
        .arg(SD2020.path())
        .keys(&[enc.clone(), key(2)])
        .arg("--passphrase-file")
        .arg(&fifo)
        .run();
    writer.join().unwrap().unwrap();
    r.code(OK).out_has(&["DRILL PASSED"]);
    // The hint for a missing passphrase names the flag and standard input.
    sdkit(["check"])
        .arg(SD2020.path())
        .arg("--key")
        .arg(&enc)
        .run()
        .code(INPUT)
        .err_has(&["--passphrase-file", "standard input"]);
}

#[test]
fn keygen_refuses_a_short_passphrase_unless_told() {
    let t = tempdir();
    let short = write_file(t.path(), "short.txt", "1234567\n");
    let d = t.path().join("keys");
    sdkit(["keygen", "--holders", "1", "--bits", "2048", "--out-dir"])
        .arg(&d)
        .passphrases(&[&short])
        .run()
        .code(INPUT)
        .err_names(&short)
        .err_has(&["7 character", "at least 8", "--allow-short-passphrase"]);
    assert!(!d.exists());
    let r = sdkit(["keygen", "--holders", "1", "--bits", "2048", "--out-dir"])
        .arg(&d)
        .passphrases(&[&short])
        .arg("--allow-short-passphrase")
        .run();
    // --bits 2048 warns once, at keygen.
    r.code(OK);
    assert_eq!(r.stderr.matches("--bits 2048").count(), 1, "{r}");
    // From standard input.
    let d2 = t.path().join("keys2");
    sdkit(["keygen", "--holders", "2", "--bits", "2048", "--out-dir"])
        .arg(&d2)
        .arg("--passphrase-file")
        .arg("-")
        .stdin("a long enough passphrase\n")
        .run()
        .code(OK);
    let pass = write_file(t.path(), "p.txt", "a long enough passphrase\n");
    sdkit(["check"])
        .arg(SD2020.path())
        .arg("--key")
        .arg(d2.join("sd-key2.pem"))
        .passphrases(&[&pass])
        .run()
        .code(CHECK_FAILED)
        .err_has(&["opens no share"]);
}

// ---- 8, 9. warnings and drills that fail the way the real day would -------------------------

#[test]
fn expired_certificates_warn_in_every_command_that_touches_them() {
    // The vendored custodian certificates expired in 2024.
    let t = tempdir();
    let secret = write_file(t.path(), "s.bin", b"s");
    let sd = t.path().join("mine.json");
    split(
        &format!("s={}", secret.display()),
        &[cert(1), cert(2), cert(3)],
        2,
        &sd,
    )
    .run()
    .code(OK)
    .err_has(&["warning", "sd1.cer has expired"]);
    sdkit(["drill"])
        .arg(&sd)
        .keys(&[key(1), key(2)])
        .run()
        .code(OK)
        .err_has(&["sd1.cer has expired", "sd2.cer has expired"]);
    let blob = t.path().join("blob.json");
    restore_blob(&sd, &[key(1), key(3)], &oracle_cert(), &blob)
        .run()
        .code(OK)
        .err_has(&["sd3.cer has expired"]);
    let j = sdkit(["drill"])
        .arg(&sd)
        .keys(&[key(1), key(2)])
        .json()
        .run()
        .json();
    let codes: Vec<&str> = j["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"certificate_expired"), "{codes:?}");
}

#[test]
fn a_key_without_its_certificate_or_with_another_one_is_named() {
    let t = tempdir();
    let ks = isolated_keys(t.path(), &[1, 2]);
    // Another custodian's certificate where az looks for key 2's.
    fs::copy(cert(3), ks[1].with_extension("cer")).unwrap();
    let r = sdkit(["drill"]).arg(SD2020.path()).keys(&ks).run();
    r.code(OK)
        .err_has(&[
            &format!("{} has no certificate beside it", ks[0].display()),
            &format!(
                "{} is not the certificate of {}",
                ks[1].with_extension("cer").display(),
                ks[1].display()
            ),
        ])
        .out_has(&[
            "the 2 keys given agree",
            // Named by the file that holds share 3's certificate, wherever it sits.
            "share 3 (custodian2.cer) not tested",
        ]);
    // With the custodians' certificates beside the keys, the untested share is named by its
    // certificate file.
    let r = sdkit(["drill"])
        .arg(SD2020.path())
        .keys(&[key(1), key(2)])
        .run();
    r.code(OK).out_has(&["share 3 (sd3.cer) not tested"]);
    assert!(!r.stderr.contains("beside it"), "{r}");
}

// ---- 10. consistency --------------------------------------------------------------------------

#[test]
fn the_wrong_file_as_the_sd_is_named_for_what_it_is() {
    let t = tempdir();
    let blob = t.path().join("blob.json");
    restore_blob(&SD2020.path(), &[key(1), key(2)], &oracle_cert(), &blob)
        .run()
        .code(OK);
    for (file, what) in [
        (key(1), "a private key"),
        (cert(1), "a certificate"),
        (fixture("sd1.pub.pem"), "a public key"),
        (fixture("sd1.cer.der"), "a certificate"),
        (blob.clone(), "a restore blob"),
    ] {
        for cmd in ["inspect", "drill"] {
            let mut s = sdkit([cmd]).arg(&file);
            if cmd == "drill" {
                s = s.keys(&[key(1), key(2)]);
            }
            s.run()
                .code(INPUT)
                .err_names(&file)
                .err_has(&[&format!("this is {what}"), "not a security domain"]);
        }
    }
}

#[test]
fn a_failure_is_said_once_and_json_is_one_document() {
    let r = sdkit(["drill"])
        .arg(SD2023.path())
        .keys(&[key(1), oracle_key(), key(3)])
        .run();
    r.code(CHECK_FAILED);
    assert_eq!(r.stderr.matches("error:").count(), 1, "{r}");
    assert!(
        !r.stdout.contains("error") && !r.stdout.contains("FAILED"),
        "{r}"
    );
    let r = sdkit(["inspect"])
        .arg(SD2023.path())
        .certs(&[cert(1), oracle_cert()])
        .json()
        .run();
    r.code(CHECK_FAILED);
    let j: Value = r.json();
    assert_eq!(j["ok"], false);
    assert_eq!(j["error"]["exit_code"], CHECK_FAILED);
}

#[test]
fn text_stays_within_100_columns_apart_from_long_names() {
    let runs = [
        sdkit(["drill"])
            .arg(SD2023.path())
            .keys(&[key(1), key(2)])
            .run(),
        sdkit(["inspect"])
            .arg(SD2023.path())
            .certs(&[cert(1), cert(2), cert(3)])
            .run(),
        sdkit(["check"])
            .arg(SD2023.path())
            .keys(&[oracle_key()])
            .run(),
    ];
    for r in &runs {
        for line in r.stdout.lines().chain(r.stderr.lines()) {
            // Paths into the checkout are as long as the checkout's path: no fold can help.
            let unbreakable = line.split_whitespace().any(|w| w.len() > 60);
            assert!(
                line.chars().count() <= 100 || unbreakable,
                "{} columns: {line}\n{r}",
                line.chars().count()
            );
        }
    }
}

#[test]
fn man_pages_for_every_command_at_every_depth() {
    let dir = tempdir();
    sdkit(["man", "--out-dir"]).arg(dir.path()).run().code(OK);
    for page in [
        "sdkit-ledger-verify.1",
        "sdkit-transcript-verify.1",
        "sdkit-transcript-render.1",
        "sdkit-drill.1",
        "sdkit-restore-blob.1",
    ] {
        let text = fs::read_to_string(dir.path().join(page)).unwrap();
        for opt in ["json", "quiet", "transcript"] {
            assert!(text.contains(opt), "{page} lacks --{opt}");
        }
    }
    let verify = fs::read_to_string(dir.path().join("sdkit-ledger-verify.1")).unwrap();
    assert!(verify.contains("expect"));
}

#[test]
fn a_mistyped_passphrase_at_the_prompt_may_be_typed_again() {
    let args: Vec<String> = [
        "--quiet".into(),
        "check".into(),
        SD2020.path().display().to_string(),
        "--key".into(),
        fixture("sd1.pbkdf2-aes256.pem").display().to_string(),
    ]
    .to_vec();
    let ok = on_a_terminal(&args, &[], &format!("wrong\n{FIXTURE_PASSPHRASE}\n"));
    let text = String::from_utf8_lossy(&ok.stdout);
    assert_eq!(ok.status.code(), Some(OK), "{text}");
    assert!(
        text.contains("Wrong passphrase") && text.contains("2 more tries"),
        "{text}"
    );
    let three = on_a_terminal(&args, &[], "a\nb\nc\n");
    let text = unfold(&String::from_utf8_lossy(&three.stdout));
    assert_eq!(three.status.code(), Some(INPUT), "{text}");
    assert!(text.contains("wrong passphrase, 3 times"), "{text}");
}
