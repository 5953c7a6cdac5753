//! The `fips` binary (docs/SECURITY.md, "FIPS"): it runs only in FIPS mode and says so in
//! `--version`, every `--json` report and every transcript record; the real SDs drill and
//! recover on it as on the default build; scrypt, PKCS#12 and small keys are refused with
//! the input-error exit code, the file named and the way to convert it. Compiled only with
//! `--features fips`.

use crate::common::*;
use crate::fixtures::*;

#[test]
fn version_names_the_fips_module_in_fips_mode() {
    sdkit(["--version"]).run().code(OK).out_has(&[
        "sdkit 0.1.0 (RSA: AWS-LC-FIPS)",
        "features: aws-lc, fips",
        "crypto module: AWS-LC-FIPS 3.",
        "(FIPS mode: on)",
    ]);
}

#[test]
fn json_and_transcripts_name_the_module_and_the_real_sds_open_on_it() {
    let d = tempdir();
    let log = d.path().join("ceremony.log");
    for sd in BOTH {
        let r = sdkit(["drill"])
            .arg(sd.path())
            .keys(&[key(1), key(2), key(3)])
            .arg("--transcript")
            .arg(&log)
            .json()
            .run();
        r.code(OK);
        let j = r.json();
        assert_eq!(j["crypto"]["module"], "AWS-LC-FIPS", "{r}");
        assert_eq!(j["crypto"]["fips_mode"], true, "{r}");
    }
    let text = std::fs::read_to_string(&log).unwrap();
    let records: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 2);
    for rec in &records {
        assert_eq!(rec["crypto"]["module"], "AWS-LC-FIPS", "{rec}");
        assert_eq!(rec["crypto"]["fips_mode"], true, "{rec}");
    }
    // A failure's JSON names the module too.
    let r = sdkit(["inspect", "no-such-file.json"]).json().run();
    r.code(INPUT);
    assert_eq!(r.json()["crypto"]["fips_mode"], true, "{r}");
}

#[test]
fn an_scrypt_key_is_refused_with_the_way_to_convert_it() {
    let d = tempdir();
    let pass = write_file(d.path(), "pass", FIXTURE_PASSPHRASE);
    let scrypt = fixture("sd1.scrypt-aes256.pem");
    let r = sdkit(["check"])
        .arg(SD2020.path())
        .keys(&[&scrypt])
        .arg("--passphrase-file")
        .arg(&pass)
        .run();
    r.code(INPUT).err_names(&scrypt).err_has(&[
        "scrypt",
        "not a FIPS-approved algorithm",
        "openssl pkcs8 -topk8 -v2 aes-256-cbc",
    ]);
    assert!(r.stdout.is_empty(), "{r}");
    // The same key re-encrypted with PBKDF2 works.
    sdkit(["check"])
        .arg(SD2020.path())
        .keys(&[fixture("sd1.pbkdf2-aes256.pem")])
        .arg("--passphrase-file")
        .arg(&pass)
        .run()
        .code(OK);
}

#[test]
fn pkcs12_files_and_small_keys_are_refused() {
    let d = tempdir();
    let pass = write_file(d.path(), "pass", "drill-pass");
    for name in ["sd1.aes256.p12", "sd1.3des-sha1.p12", "sd1.rc2-40.p12"] {
        let p12 = tv(&format!("pkcs12/{name}"));
        let r = sdkit(["drill"])
            .arg(SD2020.path())
            .keys(&[key(2), p12.clone()])
            .arg("--passphrase-file")
            .arg(&pass)
            .run();
        r.code(INPUT).err_names(&p12).err_has(&[
            "PKCS#12",
            "not a FIPS-approved",
            "openssl pkcs12",
        ]);
    }
    let small = fixture("rsa1024.pem");
    sdkit(["check"])
        .arg(SD2020.path())
        .keys(&[&small])
        .run()
        .code(INPUT)
        .err_names(&small)
        .err_has(&["2048"]);
}
