//! The verification ladder and ceremony evidence: ledger, transcript, every-quorum proof with
//! a bad share named, exhaustive mode, demo, completions, man pages, --quiet.

use crate::common::*;
use crate::fixtures::*;
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};

#[test]
fn drill_ledger_then_each_custodian_proves_their_share_alone() {
    let dir = tempdir();
    let ledger = dir.path().join("ledger.jsonl");
    sdkit(["drill"])
        .arg(SD2023.path())
        .keys(&[key(1), key(2), key(3)])
        .arg("--ledger")
        .arg(&ledger)
        .run()
        .code(OK)
        .out_has(&["ledger: recorded this drill", "new head", "write it down"]);
    let recs = lines(&ledger);
    assert_eq!(recs.len(), 1);
    let rec: Value = serde_json::from_str(&recs[0]).unwrap();
    assert_eq!(rec["result"], "passed");
    assert_eq!(rec["shares"].as_array().unwrap().len(), 3);
    // The record holds commitments, never share values or the master key.
    assert!(!recs[0].contains(SD2023.master_hex));
    sdkit(["ledger", "verify"])
        .arg(&ledger)
        .run()
        .code(OK)
        .out_has(&["chain intact", "1 drill record", "head"]);
    for i in 1..=3 {
        sdkit(["check"])
            .arg(SD2023.path())
            .arg("--key")
            .arg(key(i))
            .arg("--ledger")
            .arg(&ledger)
            .run()
            .code(OK)
            .out_has(&["recorded as good"]);
    }
    // A ledger of another SD proves nothing about this one.
    let other = dir.path().join("other.jsonl");
    sdkit(["drill"])
        .arg(SD2020.path())
        .keys(&[key(1), key(2)])
        .arg("--ledger")
        .arg(&other)
        .run()
        .code(OK);
    sdkit(["check"])
        .arg(SD2023.path())
        .arg("--key")
        .arg(key(1))
        .arg("--ledger")
        .arg(&other)
        .run()
        .code(CHECK_FAILED)
        .err_has(&[
            "not recorded",
            "run a drill that includes this key with --ledger",
        ])
        .out_has(&["NOT RECORDED"]);
}

#[test]
fn a_drill_that_failed_for_a_wrong_key_still_vouches_for_the_good_shares() {
    let dir = tempdir();
    let ledger = dir.path().join("ledger.jsonl");
    // One of the three keys is nobody's: the drill fails, but shares 1 and 2 were proven good.
    sdkit(["drill"])
        .arg(SD2023.path())
        .keys(&[key(1), key(2), oracle_key()])
        .arg("--ledger")
        .arg(&ledger)
        .run()
        .code(CHECK_FAILED);
    let rec: Value = serde_json::from_str(&lines(&ledger)[0]).unwrap();
    assert_eq!(rec["result"], "failed");
    for i in [1, 2] {
        sdkit(["check"])
            .arg(SD2023.path())
            .arg("--key")
            .arg(key(i))
            .arg("--ledger")
            .arg(&ledger)
            .run()
            .code(OK)
            .out_has(&["recorded as good"]);
    }
    // Share 3 took no part: nothing vouches for it.
    sdkit(["check"])
        .arg(SD2023.path())
        .arg("--key")
        .arg(key(3))
        .arg("--ledger")
        .arg(&ledger)
        .run()
        .code(CHECK_FAILED)
        .err_has(&[
            "not recorded",
            "run a drill that includes this key with --ledger",
        ])
        .out_has(&["NOT RECORDED"]);
}

#[test]
fn ledger_tampered_in_the_middle_is_detected() {
    let dir = tempdir();
    let ledger = dir.path().join("ledger.jsonl");
    for pair in [[1, 2], [2, 3], [1, 3]] {
        sdkit(["drill"])
            .arg(SD2020.path())
            .keys(&[key(pair[0]), key(pair[1])])
            .arg("--ledger")
            .arg(&ledger)
            .run()
            .code(OK);
    }
    let mut l = lines(&ledger);
    assert_eq!(l.len(), 3);
    l[1] = l[1].replacen("\"passed\"", "\"failed\"", 1);
    write_lines(&ledger, &l);
    sdkit(["ledger", "verify"])
        .arg(&ledger)
        .run()
        .code(CHECK_FAILED)
        .err_has(&["line 3", "chain breaks"]);
    // Appending to a broken ledger is refused, and the file is left as it was.
    let before = fs::read(&ledger).unwrap();
    sdkit(["drill"])
        .arg(SD2020.path())
        .keys(&[key(1), key(2)])
        .arg("--ledger")
        .arg(&ledger)
        .run()
        .code(INPUT)
        .err_has(&["does not verify"]);
    assert_eq!(fs::read(&ledger).unwrap(), before);
}

#[test]
fn transcript_records_every_step_and_detects_a_removed_line() {
    let dir = tempdir();
    let t = dir.path().join("t.jsonl");
    let out = dir.path().join("out");
    sdkit(["--transcript"])
        .arg(&t)
        .arg("inspect")
        .arg(SD2023.path())
        .run()
        .code(OK);
    sdkit(["--transcript"])
        .arg(&t)
        .arg("drill")
        .arg(SD2023.path())
        .keys(&[key(1), key(2)])
        .run()
        .code(OK);
    sdkit(["--transcript"])
        .arg(&t)
        .arg("recover")
        .arg(SD2023.path())
        .keys(&[key(2), key(3)])
        .arg("--out-dir")
        .arg(&out)
        .run()
        .code(OK);
    let l = lines(&t);
    assert_eq!(l.len(), 3);
    let first: Value = serde_json::from_str(&l[0]).unwrap();
    assert_eq!(
        first["inputs"][0]["sha256"],
        sha256_hex(&fs::read(SD2023.path()).unwrap())
    );
    assert_eq!(first["binary_sha256"].as_str().unwrap().len(), 64);
    // Inputs are listed in the order the command reads them, the same every run: the
    // transcript itself (checked before the work), the SD, then each key in the order given,
    // then the certificates found beside them.
    let second: Value = serde_json::from_str(&l[1]).unwrap();
    let inputs: Vec<String> = second["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_owned())
        .collect();
    let shown = |p: PathBuf| p.display().to_string();
    assert_eq!(
        inputs,
        [
            shown(t.clone()),
            shown(SD2023.path()),
            shown(key(1)),
            shown(key(2)),
            shown(cert(1)),
            shown(cert(2)),
        ]
    );
    // Recovered plaintexts and private keys are recorded without hashes.
    let third: Value = serde_json::from_str(&l[2]).unwrap();
    for f in third["outputs"].as_array().unwrap() {
        assert_eq!(f["secret"], true);
        assert!(f["sha256"].is_null());
    }
    let text = fs::read_to_string(&t).unwrap();
    assert!(!text.contains(SD2023.master_hex));
    for p in fs::read_dir(&out).unwrap() {
        let h = sha256_hex(&fs::read(p.unwrap().path()).unwrap());
        assert!(
            !text.contains(&h),
            "a plaintext's hash reached the transcript"
        );
    }
    sdkit(["transcript", "verify"])
        .arg(&t)
        .run()
        .code(OK)
        .out_has(&["3 step(s)"]);
    let md = sdkit(["transcript", "render"]).arg(&t).run();
    md.code(OK).out_has(&[
        "# Key ceremony record",
        "## Artifacts",
        "Witness: ____",
        "read aloud",
    ]);
    // Remove the middle line: detected at the line after it.
    write_lines(&t, &[l[0].clone(), l[2].clone()]);
    sdkit(["transcript", "verify"])
        .arg(&t)
        .run()
        .code(CHECK_FAILED)
        .err_has(&["line 2"]);
    // Remove the first line: detected at the new first line.
    write_lines(&t, &[l[1].clone(), l[2].clone()]);
    sdkit(["transcript", "verify"])
        .arg(&t)
        .run()
        .code(CHECK_FAILED)
        .err_has(&["line 1"]);
}

/// Splits the same secret layout twice to the same three certificates, then puts the second
/// SD's share 2 into the first: it decrypts with key 2 and is well-formed, but belongs to
/// another polynomial.
fn sd_with_foreign_share(dir: &Path) -> PathBuf {
    let secret = write_file(dir, "s.bin", b"the secret");
    let mk = |name: &str| {
        let p = dir.join(name);
        split(
            &format!("s={}", secret.display()),
            &[cert(1), cert(2), cert(3)],
            2,
            &p,
        )
        .run()
        .code(OK);
        p
    };
    let (a, b) = (mk("a.json"), mk("b.json"));
    let other: Value = serde_json::from_slice(&fs::read(&b).unwrap()).unwrap();
    edit_sd(&a, dir, "mixed.json", |v| {
        v["SharedKeys"]["enc_shares"][1] = other["SharedKeys"]["enc_shares"][1].clone();
    })
}

#[test]
fn drill_names_the_one_bad_share_among_n_and_still_recovers() {
    let dir = tempdir();
    let sd = sd_with_foreign_share(dir.path());
    let run = sdkit(["drill"])
        .arg(&sd)
        .keys(&[key(1), key(2), key(3)])
        .run();
    run.code(CHECK_FAILED)
        .err_has(&["x = 2", "sd2.pem", "off the polynomial"]);
    run.out_has(&["authentic"]);
    let j = sdkit(["drill"])
        .arg(&sd)
        .keys(&[key(1), key(2), key(3)])
        .json()
        .run()
        .json();
    assert_eq!(j["off_polynomial_x"], serde_json::json!([2]));
    assert_eq!(j["ok"], false);
    // The exhaustive check names the subsets that disagree.
    let j = sdkit(["drill", "--exhaustive"])
        .arg(&sd)
        .keys(&[key(1), key(2), key(3)])
        .json()
        .run()
        .json();
    assert_eq!(j["exhaustive"]["subsets"], 3);
    assert_eq!(
        j["exhaustive"]["disagreeing_x"],
        serde_json::json!([[1, 2], [2, 3]])
    );
    // recover still writes the right secret from the good quorum, and says a key was bad.
    let out = dir.path().join("r");
    sdkit(["recover"])
        .arg(&sd)
        .keys(&[key(1), key(2), key(3)])
        .arg("--out-dir")
        .arg(&out)
        .run()
        .code(OK);
    assert_eq!(fs::read(out.join("s.bin")).unwrap(), b"the secret");
}

#[test]
fn exhaustive_agrees_on_a_good_sd_and_refuses_absurd_counts() {
    sdkit(["drill", "--exhaustive"])
        .arg(SD2023.path())
        .keys(&[key(1), key(2), key(3)])
        .run()
        .code(OK)
        .out_has(&["all 3 subsets"]);
    let dir = tempdir();
    let keys = dir.path().join("k");
    sdkit([
        "keygen",
        "--holders",
        "16",
        "--bits",
        "2048",
        "--no-passphrase",
        "--out-dir",
    ])
    .arg(&keys)
    .run()
    .code(OK);
    let certs: Vec<PathBuf> = (1..=16)
        .map(|i| keys.join(format!("sd-key{i}.cer")))
        .collect();
    let pems: Vec<PathBuf> = (1..=16)
        .map(|i| keys.join(format!("sd-key{i}.pem")))
        .collect();
    let secret = write_file(dir.path(), "s", b"x");
    let sd = dir.path().join("big.json");
    sdkit(["split", "--in"])
        .arg(format!("s={}", secret.display()))
        .certs(&certs)
        .arg("--quorum")
        .arg("8")
        .arg("--out")
        .arg(&sd)
        .run()
        .code(OK);
    // C(16, 8) = 12870 > 10000: refused with the reason; the plain drill proves it anyway.
    sdkit(["drill", "--exhaustive"])
        .arg(&sd)
        .keys(&pems)
        .run()
        .code(USAGE)
        .err_has(&["12870", "10000"]);
    sdkit(["drill"])
        .arg(&sd)
        .keys(&pems)
        .run()
        .code(OK)
        .out_has(&["12870"]);
}

#[test]
fn demo_runs_end_to_end_and_refuses_to_clobber() {
    let dir = tempdir();
    let d = dir.path().join("demo");
    sdkit(["demo", "--dir"])
        .arg(&d)
        .slow()
        .run()
        .code(OK)
        .out_has(&[
            "every step held",
            "ok: identical",
            "reshare",
            "--same-contents-as",
            "ok: refused (exit 1), as it must be",
        ]);
    for f in [
        "demo-sd.json",
        "ledger.jsonl",
        "transcript.jsonl",
        "restore-blob.json",
        "opened/demo-secret.bin",
        "keys/custodian1.pem",
        "keys/newcomer2.pem",
        "old-drill.json",
        "demo-sd-rotated.json",
    ] {
        assert!(d.join(f).exists(), "{f}");
    }
    demo_rotation_holds(&d);
    sdkit(["demo", "--dir"])
        .arg(&d)
        .run()
        .code(OUTPUT)
        .err_has(&["not empty", "--force"]);
    let again = sdkit(["demo", "--force", "--dir"])
        .arg(&d)
        .json()
        .slow()
        .run();
    again.code(OK);
    let report = again.json();
    assert_eq!(report["ok"], true);
    let steps = report["steps"].as_array().unwrap();
    assert!(steps.iter().all(|s| s["ok"] == true), "{report:#}");
    // The leaving custodian's key is refused by the new SD, and the demo counts that as held.
    let leaver = steps
        .iter()
        .find(|s| s["title"].as_str().unwrap().contains("leaving custodian"))
        .unwrap();
    assert_eq!(leaver["exit_code"], CHECK_FAILED, "{leaver:#}");
    demo_rotation_holds(&d);
}

/// What the demo's rotation left behind: the old quorum's drill report, whose content digest
/// is the documented encoding of the sample secret; a 3-of-4 SD with a fresh master key for
/// custodians 1, 2 and the newcomers; and the reshare's custody change in the transcript.
fn demo_rotation_holds(d: &Path) {
    let old_drill: Value =
        serde_json::from_slice(&fs::read(d.join("old-drill.json")).unwrap()).unwrap();
    assert_eq!(old_drill["command"], "drill");
    let secret = fs::read(d.join("secret.txt")).unwrap();
    let mut encoded = b"sdkit content digest v1\0".to_vec();
    encoded.extend_from_slice(&11u64.to_be_bytes());
    encoded.extend_from_slice(b"demo-secret");
    encoded.extend_from_slice(&(secret.len() as u64).to_be_bytes());
    encoded.extend_from_slice(&secret);
    assert_eq!(old_drill["items"][0]["tag"], "demo-secret");
    assert_eq!(
        old_drill["items"][0]["content_digest"],
        sha256_hex(&encoded)
    );

    let new: Value =
        serde_json::from_slice(&fs::read(d.join("demo-sd-rotated.json")).unwrap()).unwrap();
    assert_eq!(new["SharedKeys"]["required"], 3);
    assert_eq!(new["SharedKeys"]["enc_shares"].as_array().unwrap().len(), 4);

    let reshares: Vec<Value> = lines(&d.join("transcript.jsonl"))
        .iter()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|r| r["details"]["kind"] == "reshare")
        .collect();
    assert_eq!(reshares.len(), 1);
    let details = &reshares[0]["details"];
    assert_eq!(
        (
            &details["old_required"],
            &details["old_shares_total"],
            &details["required"],
            &details["shares_total"]
        ),
        (
            &Value::from(2),
            &Value::from(3),
            &Value::from(3),
            &Value::from(4)
        )
    );
    assert_eq!(
        details["old_sd_sha256"],
        sha256_hex(&fs::read(d.join("demo-sd.json")).unwrap())
    );
    assert_eq!(
        details["new_sd_sha256"],
        sha256_hex(&fs::read(d.join("demo-sd-rotated.json")).unwrap())
    );
}

#[test]
fn shell_integration_and_quiet() {
    let bash = sdkit(["completions", "bash"]).run();
    bash.code(OK);
    assert!(bash.stdout.contains("_sdkit") && bash.stdout.contains("restore-blob"));
    for sh in ["zsh", "fish"] {
        sdkit(["completions", sh]).run().code(OK);
    }
    let dir = tempdir();
    sdkit(["man", "--out-dir"]).arg(dir.path()).run().code(OK);
    let page = fs::read_to_string(dir.path().join("sdkit-drill.1")).unwrap();
    assert!(page.contains(".TH") && page.contains("ledger"));
    let q = sdkit(["--quiet", "drill"])
        .arg(SD2023.path())
        .keys(&[key(1), key(2)])
        .run();
    q.code(OK);
    assert!(q.stdout.is_empty(), "{q}");
    // Every command's help has an example.
    for c in [
        "inspect",
        "check",
        "drill",
        "recover",
        "keygen",
        "exchange-key",
        "restore-blob",
        "open-blob",
        "split",
        "demo",
    ] {
        sdkit([c, "--help"]).run().code(OK).out_has(&["example:"]);
    }
}
