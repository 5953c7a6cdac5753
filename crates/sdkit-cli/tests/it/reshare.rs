//! `sdkit reshare`: the real 2023 SD moved to freshly generated custodians opens with the new
//! quorum and only with it, carries the same contents (as `drill --same-contents-as` checks),
//! reports and records what it did; and every refusal says why, exits with its code, and
//! leaves the output directory exactly as it was.

use crate::common::*;
use crate::fixtures::*;
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};

/// Custodians made by `sdkit keygen` (unencrypted RSA-2048 keys, each `.cer` beside its key).
struct Custodians {
    keys: Vec<PathBuf>,
    certs: Vec<PathBuf>,
    /// Each certificate's x5t_256, as keygen reported it.
    x5t: Vec<String>,
}

/// `n` new custodians in `dir/<name>/`.
fn custodians(dir: &Path, name: &str, n: usize) -> Custodians {
    let d = dir.join(name);
    let r = sdkit(["keygen", "--holders", &n.to_string(), "--bits", "2048"])
        .arg("--no-passphrase")
        .arg("--out-dir")
        .arg(&d)
        .json()
        .run();
    r.code(OK);
    let holders = r.json()["holders"].as_array().unwrap().clone();
    assert_eq!(holders.len(), n, "{r}");
    let path = |h: &Value, k: &str| PathBuf::from(h[k].as_str().unwrap());
    Custodians {
        keys: holders.iter().map(|h| path(h, "key")).collect(),
        certs: holders.iter().map(|h| path(h, "certificate")).collect(),
        x5t: holders
            .iter()
            .map(|h| h["x5t_256"].as_str().unwrap().to_owned())
            .collect(),
    }
}

/// `sdkit reshare OLD --key ... --cert ... --quorum M --out OUT`.
fn reshare<K: AsRef<Path>, C: AsRef<Path>>(
    old: &Path,
    keys: &[K],
    certs: &[C],
    quorum: &str,
    out: &Path,
) -> Sdkit {
    sdkit(["reshare"])
        .arg(old)
        .keys(keys)
        .certs(certs)
        .arg("--quorum")
        .arg(quorum)
        .arg("--out")
        .arg(out)
}

/// The old quorum of the real 2023 SD.
fn old_keys() -> [PathBuf; 2] {
    [key(1), key(2)]
}

/// The real 2023 SD reshared 3 of 4 to fresh custodians in `dir`: (new SD, its custodians).
fn reshared(dir: &Path) -> (PathBuf, Custodians) {
    let new = custodians(dir, "new", 4);
    let out = dir.join("new-sd.json");
    reshare(&SD2023.path(), &old_keys(), &new.certs, "3", &out)
        .run()
        .code(OK)
        .out_has(&[
            "Wrote",
            "(3 of 4,",
            "Proven in memory",
            "each of the 4 subsets of 3",
        ]);
    (out, new)
}

/// `sdkit --json drill SD --key ...`, written to `dir/name` (the report a later drill's
/// `--same-contents-as` reads).
fn drill_report(sd: &Path, keys: &[PathBuf], dir: &Path, name: &str) -> PathBuf {
    let r = sdkit(["drill"]).arg(sd).keys(keys).json().run();
    r.code(OK);
    write_file(dir, name, &r.stdout)
}

/// Each item's (tag, content_digest) in a JSON report.
fn digests(report: &Value) -> Vec<(String, String)> {
    report["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["tag"].as_str().unwrap().to_owned(),
                i["content_digest"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn read_json(p: &Path) -> Value {
    serde_json::from_slice(&fs::read(p).unwrap()).unwrap()
}

// ---------------------------------------------------------------------------------------------
// What a reshare gives.

#[test]
fn the_new_quorum_opens_the_new_sd_and_nobody_else_does() {
    let t = tempdir();
    let (new_sd, new) = reshared(t.path());

    // Three new keys pass a drill; all four agree.
    sdkit(["drill"])
        .arg(&new_sd)
        .keys(&new.keys[..3])
        .run()
        .code(OK)
        .out_has(&["DRILL PASSED"]);
    sdkit(["drill"])
        .arg(&new_sd)
        .keys(&new.keys)
        .run()
        .code(OK)
        .out_has(&["any 3 of the 4 keys given recover the same master key"]);
    // Each new key opens its own share, in certificate order.
    for (i, k) in new.keys.iter().enumerate() {
        sdkit(["check"])
            .arg(&new_sd)
            .keys(&[k])
            .run()
            .code(OK)
            .out_has(&[&format!("opens share {} (x = {}", i + 1, i + 1)]);
    }
    // The last three recover the plaintexts the old SD holds.
    let out = t.path().join("recovered");
    sdkit(["recover"])
        .arg(&new_sd)
        .keys(&new.keys[1..])
        .arg("--out-dir")
        .arg(&out)
        .run()
        .code(OK);
    for (tag, len, sha16) in SD2023.items {
        let p = fs::read(out.join(format!("{tag}.bin"))).unwrap();
        assert_eq!(p.len(), len, "{tag}");
        assert_eq!(&sha256_hex(&p)[..16], sha16, "{tag}");
    }

    // The three old keys open nothing in the new SD, and the message names each.
    let olds = [key(1), key(2), key(3)];
    let r = sdkit(["drill"]).arg(&new_sd).keys(&olds).run();
    r.code(CRYPTO).err_has(&["opens no share"]);
    for k in &olds {
        r.err_names(k);
    }
    // The new keys open nothing in the old SD.
    sdkit(["drill"])
        .arg(SD2023.path())
        .keys(&new.keys[..3])
        .run()
        .code(CRYPTO)
        .err_has(&["opens no share"]);
}

#[test]
fn same_contents_as_the_old_drill_and_not_as_the_other_sd() {
    let t = tempdir();
    let (new_sd, new) = reshared(t.path());
    let old_drill = drill_report(&SD2023.path(), &old_keys(), t.path(), "old-drill.json");
    let other_drill = drill_report(&SD2020.path(), &old_keys(), t.path(), "other-drill.json");

    let r = sdkit(["drill"])
        .arg(&new_sd)
        .keys(&new.keys[..3])
        .arg("--same-contents-as")
        .arg(&old_drill)
        .run();
    r.code(OK)
        .out_has(&["Same contents as", "all 3 items match"]);
    let r = sdkit(["drill"])
        .arg(&new_sd)
        .keys(&new.keys[..3])
        .arg("--same-contents-as")
        .arg(&old_drill)
        .json()
        .run();
    r.code(OK);
    assert_eq!(r.json()["same_contents_as"]["same"], true, "{r}");

    // The 2020 SD has the same tags and other contents: each item differs, exit 1.
    let r = sdkit(["drill"])
        .arg(&new_sd)
        .keys(&new.keys[..3])
        .arg("--same-contents-as")
        .arg(&other_drill)
        .run();
    r.code(CHECK_FAILED)
        .err_has(&["the drill passed, but its contents are not those of"])
        .err_names(&other_drill);
    for (tag, _, _) in SD2023.items {
        r.err_has(&[&format!("item \"{tag}\" has other contents")]);
    }
}

#[test]
fn json_report_gives_the_file_hash_and_the_drills_digests() {
    let t = tempdir();
    let new = custodians(t.path(), "new", 4);
    let out = t.path().join("new-sd.json");
    let r = reshare(&SD2023.path(), &old_keys(), &new.certs, "3", &out)
        .json()
        .run();
    r.code(OK);
    let j = r.json();
    assert_eq!(j["command"], "reshare");
    assert_eq!(j["ok"], true);
    assert_eq!(j["file"], SD2023.path().display().to_string());
    assert_eq!(j["sha256"], sha256_hex(&fs::read(SD2023.path()).unwrap()));
    assert_eq!(j["old_required"], 2);
    assert_eq!(j["old_shares_total"], 3);
    assert_eq!(j["out"], out.display().to_string());
    assert_eq!(j["out_sha256"], sha256_hex(&fs::read(&out).unwrap()), "{r}");
    assert_eq!(j["required"], 3);
    assert_eq!(j["shares_total"], 4);
    assert_eq!(j["within_managed_hsm_limits"], true);
    assert_eq!(j["proof"]["subsets_recombined"], 4);
    assert_eq!(j["proof"]["by_polynomial"], false);
    let certs: Vec<(String, String)> = j["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["file"].as_str().unwrap().to_owned(),
                c["x5t_256"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let want: Vec<(String, String)> = new
        .certs
        .iter()
        .zip(&new.x5t)
        .map(|(c, x)| (c.display().to_string(), x.clone()))
        .collect();
    assert_eq!(certs, want);
    for i in j["items"].as_array().unwrap() {
        assert_eq!(i["authentic"], true);
    }
    let sizes: Vec<u64> = j["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["bytes"].as_u64().unwrap())
        .collect();
    assert_eq!(sizes, SD2023.items.map(|(_, len, _)| len as u64));

    // The same digests as a drill of the new file by the new quorum, and of the old file by
    // the old one.
    let new_drill = read_json(&drill_report(&out, &new.keys[1..], t.path(), "n.json"));
    let old_drill = read_json(&drill_report(
        &SD2023.path(),
        &old_keys(),
        t.path(),
        "o.json",
    ));
    assert_eq!(digests(&j), digests(&new_drill));
    assert_eq!(digests(&j), digests(&old_drill));
    assert_eq!(
        digests(&j)
            .iter()
            .map(|(t, _)| t.as_str())
            .collect::<Vec<_>>(),
        SD2023.items.map(|(t, _, _)| t)
    );
    // reshare's own report serves as the earlier report too.
    let report = write_file(t.path(), "reshare.json", &r.stdout);
    sdkit(["drill"])
        .arg(&out)
        .keys(&new.keys[..3])
        .arg("--same-contents-as")
        .arg(&report)
        .run()
        .code(OK);
}

#[test]
fn transcript_records_the_custody_change() {
    let t = tempdir();
    let new = custodians(t.path(), "new", 4);
    let out = t.path().join("new-sd.json");
    let transcript = t.path().join("ceremony.jsonl");
    sdkit(["--transcript"])
        .arg(&transcript)
        .arg("reshare")
        .arg(SD2023.path())
        .keys(&old_keys())
        .certs(&new.certs)
        .arg("--quorum")
        .arg("3")
        .arg("--out")
        .arg(&out)
        .run()
        .code(OK);
    let l = lines(&transcript);
    assert_eq!(l.len(), 1);
    let rec: Value = serde_json::from_str(&l[0]).unwrap();
    let d = &rec["details"];
    let old_sha = sha256_hex(&fs::read(SD2023.path()).unwrap());
    let new_sha = sha256_hex(&fs::read(&out).unwrap());
    assert_eq!(d["kind"], "reshare");
    assert_eq!(d["old_sd"], SD2023.path().display().to_string());
    assert_eq!(d["old_sd_sha256"], old_sha);
    assert_eq!(d["new_sd"], out.display().to_string());
    assert_eq!(d["new_sd_sha256"], new_sha);
    assert_eq!(d["old_required"], 2);
    assert_eq!(d["old_shares_total"], 3);
    assert_eq!(d["required"], 3);
    assert_eq!(d["shares_total"], 4);
    // keys_used: each old key with the thumbprint of the share it opened (shares 1 and 2).
    let sd: Value = read_json(&SD2023.path());
    let share_x5t = |i: usize| sd["SharedKeys"]["enc_shares"][i]["x5t_256"].clone();
    let used = d["keys_used"].as_array().unwrap();
    assert_eq!(used.len(), 2, "{d}");
    for (i, u) in used.iter().enumerate() {
        assert_eq!(u["file"], key(i + 1).display().to_string());
        assert_eq!(u["x5t_256"], share_x5t(i));
    }
    let certs = d["new_certificates"].as_array().unwrap();
    assert_eq!(certs.len(), 4);
    for (c, (path, x5t)) in certs.iter().zip(new.certs.iter().zip(&new.x5t)) {
        assert_eq!(c["file"], path.display().to_string());
        assert_eq!(c["x5t_256"], *x5t);
    }
    // The record names no secret: neither the old master key nor a plaintext's hash.
    assert!(!l[0].contains(SD2023.master_hex));

    sdkit(["transcript", "verify"])
        .arg(&transcript)
        .run()
        .code(OK);
    let md = sdkit(["transcript", "render"]).arg(&transcript).run();
    md.code(OK).out_has(&[
        "## Custody changes",
        "### Step 1: reshare",
        &format!("SHA-256 `{old_sha}` (2 of 3)"),
        &format!("SHA-256 `{new_sha}` (3 of 4)"),
        "New custodians' certificates, in share order",
    ]);
    let used_x5t: Vec<String> = used
        .iter()
        .map(|u| u["x5t_256"].as_str().unwrap().to_owned())
        .collect();
    for x in new.x5t.iter().chain(&used_x5t) {
        md.out_has(&[x]);
    }
}

#[test]
fn encrypted_old_key_with_a_passphrase_file() {
    let t = tempdir();
    let new = custodians(t.path(), "new", 3);
    let pass = write_file(t.path(), "pass.txt", format!("{FIXTURE_PASSPHRASE}\n"));
    let out = t.path().join("new-sd.json");
    reshare(
        &SD2023.path(),
        &[fixture("sd1.pbkdf2-aes256.pem"), key(2)],
        &new.certs,
        "2",
        &out,
    )
    .passphrases(&[&pass])
    .run()
    .code(OK);
    sdkit(["drill"])
        .arg(&out)
        .keys(&new.keys[..2])
        .run()
        .code(OK);
}

#[test]
fn outside_azure_limits_when_asked_with_a_warning() {
    let t = tempdir();
    let new = custodians(t.path(), "new", 2);
    let out = t.path().join("two.json");
    let r = reshare(&SD2023.path(), &old_keys(), &new.certs, "2", &out)
        .arg("--allow-outside-azure-limits")
        .json()
        .run();
    r.code(OK).err_has(&[
        "warning",
        "quorum 2 of 2",
        "outside what Managed HSM creates",
    ]);
    assert_eq!(r.json()["within_managed_hsm_limits"], false);
    assert_eq!(r.json()["shares_total"], 2);
    sdkit(["drill"])
        .arg(&out)
        .keys(&new.keys)
        .run()
        .code(OK)
        .out_has(&["DRILL PASSED"]);
}

// ---------------------------------------------------------------------------------------------
// Refusals: the exit code, the reason on stderr, and nothing written.

/// Runs `cmd` (a reshare whose `--out` is in `dir`) and checks the refusal: exit `code`, every
/// needle on stderr, nothing on stdout, `dir` exactly as before (no output, no temporary)
/// and `keep` byte for byte as it was.
fn refused(dir: &Path, cmd: Sdkit, code: i32, needles: &[&str], keep: &[&Path]) -> Run {
    let before = tree(dir);
    let kept: Vec<Vec<u8>> = keep.iter().map(|p| fs::read(p).unwrap()).collect();
    let r = cmd.run();
    r.code(code).err_has(needles);
    assert!(r.stdout.is_empty(), "{r}");
    assert_eq!(tree(dir), before, "the directory changed\n{r}");
    for (p, bytes) in keep.iter().zip(kept) {
        assert_eq!(fs::read(p).unwrap(), bytes, "{} changed\n{r}", p.display());
    }
    r
}

#[test]
fn custody_refusals() {
    let t = tempdir();
    let new = custodians(t.path(), "new", 4);
    let eleven = custodians(t.path(), "eleven", 11);
    let c = |i: usize| new.certs[i].clone();
    let copy_of_c1 = t.path().join("copy-of-new1.cer");
    fs::copy(c(1), &copy_of_c1).unwrap();
    let out = t.path().join("new-sd.json");
    /// One refused custody: certificates, --quorum, exit code, what stderr says and the
    /// files it names.
    struct Case<'a> {
        certs: Vec<PathBuf>,
        quorum: &'a str,
        code: i32,
        says: Vec<&'a str>,
        names: Vec<PathBuf>,
    }
    let case = |certs: &[PathBuf], quorum, code, says: &[&'static str]| Case {
        certs: certs.to_vec(),
        quorum,
        code,
        says: says.to_vec(),
        names: Vec::new(),
    };
    let rsa1024 = fixture("rsa1024.cer");
    let ec = fixture("ec-p256.cer");
    let cases = [
        case(
            &[c(0), c(1)],
            "2",
            USAGE,
            &[
                "--quorum 2 with 2 certificates",
                "2 of 2 is outside what Azure Managed HSM accepts",
                "--allow-outside-azure-limits",
            ],
        ),
        case(
            &eleven.certs,
            "2",
            USAGE,
            &[
                "--quorum 2 with 11 certificates",
                "2 of 11 is outside what Azure Managed HSM accepts",
            ],
        ),
        case(
            &eleven.certs,
            "11",
            USAGE,
            &["11 of 11 is outside what Azure Managed HSM accepts"],
        ),
        case(
            &new.certs,
            "1",
            USAGE,
            &["--quorum 1 with 4 certificates", "too small"],
        ),
        case(
            &new.certs,
            "0",
            USAGE,
            &["--quorum 0 with 4 certificates", "too small"],
        ),
        case(
            &new.certs,
            "5",
            USAGE,
            &["--quorum 5 with 4 certificates", "more than the 4 shares"],
        ),
        case(&new.certs, "three", USAGE, &["--quorum"]),
        Case {
            names: vec![c(0)],
            ..case(
                &[c(0), c(1), c(2), c(0)],
                "3",
                USAGE,
                &["are the same certificate"],
            )
        },
        Case {
            names: vec![c(1), copy_of_c1.clone()],
            ..case(
                &[c(0), c(1), c(2), copy_of_c1.clone()],
                "3",
                USAGE,
                &["are the same certificate"],
            )
        },
        Case {
            names: vec![rsa1024.clone()],
            ..case(
                &[c(0), c(1), rsa1024.clone(), c(3)],
                "3",
                INPUT,
                &["RSA-1024", "at least 2048 bits"],
            )
        },
        Case {
            names: vec![ec.clone()],
            ..case(
                &[c(0), ec.clone(), c(2), c(3)],
                "3",
                INPUT,
                &[
                    "key is EC id-ecPublicKey",
                    "not RSA",
                    "needs an RSA certificate",
                ],
            )
        },
        Case {
            names: vec![new.keys[2].clone()],
            ..case(
                &[c(0), c(1), new.keys[2].clone(), c(3)],
                "3",
                INPUT,
                &["holds a private key"],
            )
        },
    ];
    for k in cases {
        let r = refused(
            t.path(),
            reshare(&SD2023.path(), &old_keys(), &k.certs, k.quorum, &out),
            k.code,
            &k.says,
            &[],
        );
        for p in &k.names {
            r.err_names(p);
        }
    }
    // With --allow-outside-azure-limits, 11 of 11 is written.
    reshare(&SD2023.path(), &old_keys(), &eleven.certs, "11", &out)
        .arg("--allow-outside-azure-limits")
        .run()
        .code(OK)
        .err_has(&["11 of 11 is outside what Managed HSM creates"]);
    sdkit(["drill"]).arg(&out).keys(&eleven.keys).run().code(OK);
}

#[test]
fn custody_refusals_come_before_any_passphrase() {
    // An encrypted old key and no --passphrase-file: the quorum is refused first.
    let t = tempdir();
    let new = custodians(t.path(), "new", 3);
    let out = t.path().join("new-sd.json");
    refused(
        t.path(),
        reshare(
            &SD2023.path(),
            &[fixture("sd1.pbkdf2-aes256.pem"), key(2)],
            &new.certs,
            "1",
            &out,
        ),
        USAGE,
        &["--quorum 1"],
        &[],
    );
}

#[test]
fn old_sd_and_old_key_refusals() {
    let t = tempdir();
    let new = custodians(t.path(), "new", 4);
    let out = t.path().join("new-sd.json");
    let v3 = edit_sd(&SD2023.path(), t.path(), "v3.json", |v| {
        v["version"] = Value::from(3);
    });
    let tampered = edit_sd(&SD2023.path(), t.path(), "tampered.json", |v| {
        let jwe = v["EncData"]["data"][1]["compact_jwe"].as_str().unwrap();
        let mut parts: Vec<String> = jwe.split('.').map(str::to_owned).collect();
        let c = parts[3].remove(10);
        parts[3].insert(10, if c == 'A' { 'B' } else { 'A' });
        v["EncData"]["data"][1]["compact_jwe"] = Value::from(parts.join("."));
    });
    // (old SD, old keys, exit code, what stderr says)
    let cases: Vec<(PathBuf, Vec<PathBuf>, i32, Vec<String>)> = vec![
        (
            v3.clone(),
            old_keys().to_vec(),
            INPUT,
            vec![
                "version is 3".into(),
                "sdkit reshares only version 2".into(),
            ],
        ),
        (
            SD2023.path(),
            vec![key(1)],
            CRYPTO,
            vec!["needs 2 of its 3 custodians' keys; 1 given".into()],
        ),
        (
            SD2023.path(),
            vec![key(1), oracle_key()],
            CRYPTO,
            vec![
                "only 1 usable share(s) but this security domain needs 2".into(),
                format!("{}: opens no share", oracle_key().display()),
                "nothing was written".into(),
            ],
        ),
        (
            SD2023.path(),
            vec![key(2), key(2)],
            CRYPTO,
            vec!["only 1 usable share(s)".into()],
        ),
        (
            tampered.clone(),
            old_keys().to_vec(),
            CRYPTO,
            vec![
                "item \"base_enclave_backup\" did not authenticate".into(),
                "nothing was written".into(),
            ],
        ),
    ];
    for (old, keys, code, needles) in cases {
        let needles: Vec<&str> = needles.iter().map(String::as_str).collect();
        refused(
            t.path(),
            reshare(&old, &keys, &new.certs, "3", &out),
            code,
            &needles,
            &[&old],
        )
        .err_names(&old);
    }
}

#[test]
fn output_refusals_leave_every_file_as_it_was() {
    let t = tempdir();
    let new = custodians(t.path(), "new", 4);
    let old = t.path().join("old.json");
    fs::copy(SD2023.path(), &old).unwrap();
    let sub = t.path().join("sub");
    fs::create_dir(&sub).unwrap();
    let link = t.path().join("link-to-old.json");
    std::os::unix::fs::symlink(&old, &link).unwrap();
    let existing = write_file(t.path(), "existing.json", "keep me");
    // Copies of the old keys: a test that failed must not write over a test vector.
    let keys = isolated_keys(t.path(), &[1, 2]);
    let run = |out: &Path, force: bool| {
        let c = reshare(&old, &keys, &new.certs, "3", out);
        if force { c.arg("--force") } else { c }
    };

    // An existing file without --force.
    refused(
        t.path(),
        run(&existing, false),
        OUTPUT,
        &["already exists", "--force"],
        &[&existing, &old],
    )
    .err_names(&existing);
    // The old SD itself, under any spelling, even with --force.
    for spelling in [
        old.clone(),
        t.path().join(".").join("old.json"),
        sub.join("..").join("old.json"),
        link.clone(),
    ] {
        refused(
            t.path(),
            run(&spelling, true),
            OUTPUT,
            &["(an input of this command)", "refusing to write"],
            &[&old],
        )
        .err_names(&spelling);
    }
    // A new certificate or an old key as the output.
    refused(
        t.path(),
        run(&new.certs[2], true),
        OUTPUT,
        &["an input of this command"],
        &[&new.certs[2]],
    );
    refused(
        t.path(),
        run(&keys[0], true),
        OUTPUT,
        &["an input of this command"],
        &[&keys[0]],
    );
    // A directory, and a directory that does not exist.
    refused(t.path(), run(&sub, true), OUTPUT, &["is a directory"], &[]);
    refused(
        t.path(),
        run(&t.path().join("missing").join("x.json"), false),
        OUTPUT,
        &["not found"],
        &[],
    );
}

#[test]
fn out_as_a_hard_link_of_the_old_sd_never_changes_it() {
    // A hard link is another name for the old file, which path comparison cannot see; with
    // --force the new file replaces the name (a rename), never the old file's bytes.
    let t = tempdir();
    let new = custodians(t.path(), "new", 3);
    let old = t.path().join("old.json");
    fs::copy(SD2023.path(), &old).unwrap();
    let hard = t.path().join("hard.json");
    fs::hard_link(&old, &hard).unwrap();
    let before = fs::read(&old).unwrap();
    let r = reshare(&old, &old_keys(), &new.certs, "2", &hard)
        .arg("--force")
        .run();
    assert!(
        r.code == Some(OK) || r.code == Some(OUTPUT),
        "written or refused, nothing else\n{r}"
    );
    assert_eq!(fs::read(&old).unwrap(), before, "{r}");
    if r.code == Some(OK) {
        sdkit(["drill"])
            .arg(&hard)
            .keys(&new.keys[..2])
            .run()
            .code(OK);
    }
}
