//! The real security domains open as documented: inspect, check, drill (and the key formats
//! and passphrase handling that lead there). `recover` is in `outputs.rs`.

use crate::common::*;
use crate::fixtures::*;
use serde_json::Value;
use std::path::PathBuf;

const TAGS: [&str; 3] = [
    "hsm_backup",
    "base_enclave_backup",
    "partition_enclave_backup",
];

#[test]
fn inspect_text_and_json() {
    for sd in BOTH {
        let r = sdkit(["inspect"]).arg(sd.path()).run();
        r.code(OK)
            .out_has(&[
                "quorum 2 of 3 shares",
                "3 data item(s)",
                "OK: structure is sound",
            ])
            .out_has(&TAGS);

        let r = sdkit(["inspect"]).arg(sd.path()).json().run();
        r.code(OK);
        let j = r.json();
        assert_eq!(j["command"], "inspect");
        assert_eq!(j["required"], 2, "{r}");
        assert_eq!(j["shares_total"], 3, "{r}");
        assert_eq!(j["shares"].as_array().unwrap().len(), 3, "{r}");
        let tags: Vec<&str> = j["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["tag"].as_str().unwrap())
            .collect();
        assert_eq!(tags, TAGS);
        assert_eq!(j["ok"], true);
        assert_eq!(j["version"], 2);
        for s in j["shares"].as_array().unwrap() {
            assert_eq!(s["tag_bytes"], 32);
            assert_eq!(s["certificate"], Value::Null, "no --cert given");
        }
    }
}

#[test]
fn inspect_matches_certificates() {
    for sd in BOTH {
        // Given out of order: each must land on its own share.
        let r = sdkit(["inspect"])
            .arg(sd.path())
            .certs(&[cert(3), cert(1), cert(2)])
            .json()
            .run();
        r.code(OK);
        let j = r.json();
        for (i, s) in j["shares"].as_array().unwrap().iter().enumerate() {
            assert_eq!(
                s["matched_certificate"]["file"],
                cert(i + 1).display().to_string(),
                "share {} matched the wrong certificate\n{r}",
                i + 1
            );
            assert_eq!(s["matched_certificate"]["key_bits"], 2048);
        }
        assert_eq!(j["unmatched_certificates"], serde_json::json!([]));

        // Certificates given are the team: the shares of anybody else are findings.
        let r = sdkit(["inspect"]).arg(sd.path()).certs(&[cert(2)]).run();
        r.code(CHECK_FAILED)
            .out_has(&[
                &format!("certificate {}", cert(2).display()),
                "ROGUE: no given certificate matches this share",
            ])
            .err_has(&[
                "share 1 (x5t_256",
                "share 3 (x5t_256",
                "whoever holds that key, together with 1 custodian(s), opens",
            ]);
        assert!(!r.stdout.contains("OK: structure is sound"), "{r}");
    }
}

#[test]
fn inspect_matches_der_certificate() {
    let r = sdkit(["inspect"])
        .arg(SD2020.path())
        .certs(&[fixture("sd1.cer.der"), cert(2), cert(3)])
        .json()
        .run();
    r.code(OK);
    assert_eq!(
        r.json()["shares"][0]["matched_certificate"]["file"],
        fixture("sd1.cer.der").display().to_string()
    );
}

fn check_holder(j: &Value, n: usize) {
    let h = &j["holder"];
    assert_eq!(h["status"], "opened", "{j}");
    assert_eq!(h["share"], n, "{j}");
    assert_eq!(h["x"], n, "{j}");
    assert_eq!(h["secret_bytes"], 32, "{j}");
    assert_eq!(j["required"], 2);
    assert_eq!(j["ok"], true);
}

#[test]
fn check_each_key_with_sibling_certificate() {
    for sd in BOTH {
        for n in 1..=3 {
            let r = sdkit(["check"]).arg(sd.path()).keys(&[key(n)]).run();
            r.code(OK).out_has(&[
                &format!("opens share {n} (x = {n}"),
                "matched by its certificate",
                &format!("x = {n}, 32 secret bytes"),
                "OK: this key opens its share",
            ]);
            let r = sdkit(["check"]).arg(sd.path()).keys(&[key(n)]).json().run();
            r.code(OK);
            let j = r.json();
            check_holder(&j, n);
            assert_eq!(j["holder"]["certificate"], cert(n).display().to_string());
            assert_eq!(j["holder"]["certificate_match"], "matched");
        }
    }
}

#[test]
fn check_each_key_by_trial_decryption() {
    let d = tempdir();
    let keys = isolated_keys(d.path(), &[1, 2, 3]);
    for sd in BOTH {
        for (i, k) in keys.iter().enumerate() {
            let n = i + 1;
            sdkit(["check"])
                .arg(sd.path())
                .keys(&[k])
                .run()
                .code(OK)
                .out_has(&[&format!("opens share {n} (x = {n}"), "OK"]);
            let r = sdkit(["check"]).arg(sd.path()).keys(&[k]).json().run();
            r.code(OK);
            let j = r.json();
            check_holder(&j, n);
            assert_eq!(j["holder"]["certificate"], Value::Null);
            assert_eq!(j["holder"]["certificate_match"], "not_given");
        }
    }
}

#[test]
fn drill_every_quorum() {
    let d = tempdir();
    let keys = isolated_keys(d.path(), &[1, 2, 3]);
    for sd in BOTH {
        for q in QUORUMS {
            let ks: Vec<PathBuf> = q.iter().map(|n| keys[n - 1].clone()).collect();
            let r = sdkit(["drill"]).arg(sd.path()).keys(&ks).run();
            r.code(OK).out_has(&["DRILL PASSED", "(not shown)"]);
            for (tag, len, _) in sd.items {
                r.out_has(&[tag, &format!("authentic, {len} bytes")]);
            }
            if q.len() == 3 {
                r.out_has(&["any 2 of the 3 keys given recover the same master key"]);
                assert!(!r.stdout.contains("not tested"), "{r}");
            } else {
                // Said for people, and the custodian left out is named.
                let left_out = (1..=3).find(|n| !q.contains(n)).unwrap();
                r.out_has(&[
                    "the 2 keys given agree",
                    &format!("share {left_out} (x5t_256 "),
                    "not tested: run a drill that includes its custodian's key",
                ]);
            }
            // These keys have no certificate beside them, as az's restore-blob needs.
            r.err_has(&["warning", "has no certificate beside it", "restore-blob"]);

            let r = sdkit(["drill"]).arg(sd.path()).keys(&ks).json().run();
            r.code(OK);
            let j = r.json();
            assert_eq!(j["ok"], true, "{r}");
            assert_eq!(j["every_quorum_agrees"], true);
            assert_eq!(j["required"], 2);
            assert_eq!(j["holders"].as_array().unwrap().len(), q.len());
            for (h, n) in j["holders"].as_array().unwrap().iter().zip(q.iter()) {
                assert_eq!(h["status"], "opened");
                assert_eq!(h["x"], *n);
            }
            let items = j["items"].as_array().unwrap();
            for (it, (tag, len, _)) in items.iter().zip(sd.items) {
                assert_eq!(it["tag"], tag);
                assert_eq!(it["authentic"], true);
                assert_eq!(it["bytes"], len);
            }
        }
    }
}

#[test]
fn drill_with_sibling_certificates() {
    let r = sdkit(["drill"])
        .arg(SD2023.path())
        .keys(&[key(3), key(1)])
        .run();
    r.code(OK)
        .out_has(&["DRILL PASSED", "matched by its certificate"]);
}

#[test]
fn drill_accepts_rest_wrapper() {
    let d = tempdir();
    for sd in BOTH {
        let inner = std::fs::read_to_string(sd.path()).unwrap();
        let wrapped = write_file(
            d.path(),
            "wrapped.json",
            serde_json::to_vec(&serde_json::json!({ "value": inner })).unwrap(),
        );
        sdkit(["drill"])
            .arg(&wrapped)
            .keys(&[key(1), key(2)])
            .run()
            .code(OK)
            .out_has(&["DRILL PASSED"]);
        let r = sdkit(["inspect"]).arg(&wrapped).json().run();
        r.code(OK);
        assert!(
            r.stdout.contains("REST wrapper"),
            "inspect notes the wrapper\n{r}"
        );
    }
}

#[test]
fn key_encodings_open_share_1() {
    for name in [
        "sd1.pkcs1.pem",
        "sd1.pkcs1.der",
        "sd1.pkcs8.der",
        "sd1.crlf.pem",
        "sd1.cert-then-key.pem",
    ] {
        sdkit(["check"])
            .arg(SD2020.path())
            .keys(&[fixture(name)])
            .run()
            .code(OK)
            .out_has(&["opens share 1 (x = 1"]);
    }
}

#[test]
fn encrypted_keys_with_passphrase_file() {
    let d = tempdir();
    let pass = write_file(d.path(), "pass", format!("{FIXTURE_PASSPHRASE}\n"));
    let pass_crlf = write_file(
        d.path(),
        "pass-crlf",
        format!("{FIXTURE_PASSPHRASE}\r\nignored"),
    );
    for name in [
        "sd1.pbkdf2-aes256.pem",
        "sd1.pbkdf2-aes256.der",
        "sd1.pbkdf2-sha1-aes128.pem",
        "sd1.scrypt-aes256.pem",
    ] {
        if cfg!(feature = "fips") && name.contains("scrypt") {
            continue; // refused in a fips build: tests/it/fips.rs
        }
        for p in [&pass, &pass_crlf] {
            let r = sdkit(["check"])
                .arg(SD2020.path())
                .keys(&[fixture(name)])
                .arg("--passphrase-file")
                .arg(p)
                .json()
                .run();
            r.code(OK);
            let j = r.json();
            assert_eq!(j["holder"]["share"], 1, "{r}");
            assert_eq!(j["holder"]["key_encrypted"], true, "{r}");
        }
    }
    assert!(!std::fs::read_to_string(&pass).unwrap().is_empty());
}

#[test]
fn encrypted_key_in_a_quorum() {
    let d = tempdir();
    let pass = write_file(d.path(), "pass", FIXTURE_PASSPHRASE);
    let other = write_file(d.path(), "unused", "not used: sd2.pem is not encrypted\n");
    // One passphrase file for all keys: only the encrypted key uses it.
    sdkit(["drill"])
        .arg(SD2023.path())
        .keys(&[fixture("sd1.pbkdf2-aes256.pem"), key(2)])
        .arg("--passphrase-file")
        .arg(&pass)
        .run()
        .code(OK)
        .out_has(&["DRILL PASSED"]);
    // One per key, in order.
    sdkit(["drill"])
        .arg(SD2023.path())
        .keys(&[key(2), scrypt_or_fips_fixture()])
        .arg("--passphrase-file")
        .arg(&other)
        .arg("--passphrase-file")
        .arg(&pass)
        .run()
        .code(OK)
        .out_has(&["DRILL PASSED"]);
}

#[test]
fn help_and_version() {
    let r = sdkit(["--help"]).run();
    r.code(OK).out_has(&["Exit codes", "inspect", "recover"]);
    for c in ["inspect", "check", "drill", "recover"] {
        sdkit([c, "--help"]).run().code(OK).out_has(&["Exit codes"]);
    }
    sdkit(["--version"])
        .run()
        .code(OK)
        .out_has(&[if cfg!(feature = "fips") {
            "sdkit 0.1.0 (RSA: AWS-LC-FIPS)"
        } else if cfg!(feature = "aws-lc") {
            "sdkit 0.1.0 (RSA: AWS-LC)"
        } else {
            "sdkit 0.1.0 (RSA: RustCrypto rsa)"
        }]);
    // Three builds, three module lines (docs/SECURITY.md, "FIPS").
    let module = if cfg!(feature = "fips") {
        "crypto module: AWS-LC-FIPS 3."
    } else if cfg!(feature = "aws-lc") {
        "crypto module: AWS-LC (RSA, key files) + RustCrypto"
    } else {
        "crypto module: RustCrypto"
    };
    sdkit(["--version"]).run().code(OK).out_has(&[module]);
}
