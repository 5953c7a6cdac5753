//! PKCS#12 key files (`.pfx`/`.p12`, `test-vectors/pkcs12/`) given to the real binary: they
//! open the real security domain as the PEM keys do, their own certificate names the
//! share, and the files sdkit refuses say why and what to do.

use crate::common::*;
use crate::fixtures::*;
use std::fs;
use std::path::PathBuf;

/// Password of every protected fixture in `test-vectors/pkcs12/`.
const PASSWORD: &str = "drill-pass";

fn p12(name: &str) -> PathBuf {
    tv(&format!("pkcs12/{name}"))
}

#[test]
fn drill_with_a_pkcs12_key_and_a_pem_key_matches_by_the_embedded_certificate() {
    let d = tempdir();
    let pass = write_file(d.path(), "pass", format!("{PASSWORD}\n"));
    // One passphrase file for all keys: only the PKCS#12 file uses it (no .cer beside it).
    for file in ["sd1.aes256.p12", "sd1.3des-sha1.p12"] {
        sdkit(["drill"])
            .arg(SD2023.path())
            .keys(&[p12(file), key(2)])
            .passphrases(&[&pass])
            .run()
            .code(OK)
            .out_has(&["DRILL PASSED", "matched by its certificate"]);
    }
    // One per key, in order; the PEM key's is not read.
    let unused = write_file(d.path(), "unused", "not used: sd2.pem is not encrypted\n");
    sdkit(["drill"])
        .arg(SD2023.path())
        .keys(&[key(2), p12("sd1.3des-sha1.p12")])
        .passphrases(&[&unused, &pass])
        .run()
        .code(OK)
        .out_has(&["DRILL PASSED", "matched by its certificate"]);
}

#[test]
fn check_names_the_pkcs12_file_as_the_certificate() {
    let d = tempdir();
    let pass = write_file(d.path(), "pass", PASSWORD);
    for (file, n) in [("sd2.aes256.pfx", 2), ("sd2.3des-sha256mac.p12", 2)] {
        let r = sdkit(["check"])
            .arg(SD2023.path())
            .keys(&[p12(file)])
            .passphrases(&[&pass])
            .json()
            .run();
        r.code(OK);
        let j = r.json();
        assert_eq!(j["holder"]["share"], n, "{r}");
        assert_eq!(j["holder"]["certificate_match"], "matched", "{r}");
        assert_eq!(j["holder"]["certificate"], p12(file).display().to_string());
        assert_eq!(j["holder"]["key_encrypted"], true, "{r}");
    }
}

#[test]
fn recover_through_pkcs12_files_gives_what_the_pem_files_give() {
    let d = tempdir();
    let pass = write_file(d.path(), "pass", PASSWORD);
    let from_p12 = d.path().join("p12");
    let from_pem = d.path().join("pem");
    sdkit(["recover"])
        .arg(SD2023.path())
        .keys(&[p12("sd1.aes256.p12"), p12("sd2.aes256.pfx")])
        .passphrases(&[&pass])
        .arg("--out-dir")
        .arg(&from_p12)
        .run()
        .code(OK);
    sdkit(["recover"])
        .arg(SD2023.path())
        .keys(&[key(1), key(2)])
        .arg("--out-dir")
        .arg(&from_pem)
        .run()
        .code(OK);
    let files = tree(&from_pem);
    assert!(!files.is_empty());
    assert_eq!(tree(&from_p12), files);
    for f in files {
        assert_eq!(
            fs::read(from_p12.join(&f)).unwrap(),
            fs::read(from_pem.join(&f)).unwrap(),
            "{}",
            f.display()
        );
    }
}

#[test]
fn an_export_without_password_needs_no_passphrase_file() {
    sdkit(["drill"])
        .arg(SD2023.path())
        .keys(&[p12("sd1.empty-password.p12"), key(2)])
        .run()
        .code(OK)
        .out_has(&["DRILL PASSED", "matched by its certificate"]);
}

#[test]
fn a_wrong_password_is_an_input_error() {
    let d = tempdir();
    let wrong = write_file(d.path(), "wrong", "drill-pas\n");
    for file in ["sd1.aes256.p12", "sd1.3des-sha1.p12"] {
        sdkit(["drill"])
            .arg(SD2023.path())
            .keys(&[p12(file), key(2)])
            .passphrases(&[&wrong])
            .run()
            .code(INPUT)
            .err_names(&p12(file))
            .err_has(&["wrong passphrase"]);
    }
}

#[test]
fn rc2_40_is_refused_with_the_reexport_advice_before_any_password() {
    // No passphrase file and no terminal: the refusal comes first, not "no passphrase".
    sdkit(["check"])
        .arg(SD2023.path())
        .keys(&[p12("sd1.rc2-40.p12")])
        .run()
        .code(INPUT)
        .err_names(&p12("sd1.rc2-40.p12"))
        .err_has(&[
            "pbeWithSHAAnd40BitRC2-CBC",
            "openssl pkcs12 -legacy -in OLD.pfx -out tmp.pem",
            "-keypbe AES-256-CBC -certpbe AES-256-CBC -macalg sha256",
        ]);
}

#[test]
fn truncated_or_garbage_pkcs12_files_are_clear_input_errors() {
    let d = tempdir();
    let whole = fs::read(p12("sd1.aes256.p12")).unwrap();
    let truncated = write_file(d.path(), "truncated.p12", &whole[..whole.len() / 2]);
    let pass = write_file(d.path(), "pass", PASSWORD);
    sdkit(["check"])
        .arg(SD2023.path())
        .keys(&[&truncated])
        .passphrases(&[&pass])
        .run()
        .code(INPUT)
        .err_names(&truncated)
        .err_has(&["PKCS#12 file is truncated or damaged"]);
    let garbage = write_file(d.path(), "garbage.pfx", [0x5au8; 700]);
    sdkit(["check"])
        .arg(SD2023.path())
        .keys(&[&garbage])
        .passphrases(&[&pass])
        .run()
        .code(INPUT)
        .err_names(&garbage)
        .err_has(&["no private key found"]);
    sdkit(["check"])
        .arg(SD2023.path())
        .keys(&[p12("sd1.cert-only.p12")])
        .passphrases(&[&pass])
        .run()
        .code(INPUT)
        .err_has(&["holds no private key"]);
}
