//! `sdkit keygen`: the custodians' key files and certificates it writes (names, modes, PEM
//! labels, subjects, sizes), that they load back with the passphrase and pair up, its JSON
//! report, and the inputs it refuses before writing anything.
//!
//! RSA key generation is the slow part: every run here makes 2048-bit keys except the one
//! that checks the 3072-bit default, and bad inputs are refused before any key is made.

use crate::common::*;
use sdkit_certs::{Certificate, KeyLoadError, PrivateKey, load_certificate, load_private_key};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

const PASS: &str = "tr0ub4dor & 3";

/// A passphrase file holding `PASS` and a newline (only the first line counts).
fn pass_file(dir: &Path) -> PathBuf {
    write_file(dir, "pass.txt", format!("{PASS}\n"))
}

fn key_path(d: &Path, prefix: &str, i: usize) -> PathBuf {
    d.join(format!("{prefix}{i}.pem"))
}

fn cert_path(d: &Path, prefix: &str, i: usize) -> PathBuf {
    d.join(format!("{prefix}{i}.cer"))
}

#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(p).unwrap().permissions().mode() & 0o777
}

/// The certificate file: a PEM certificate that loads.
fn read_cert(p: &Path) -> Certificate {
    let text = fs::read_to_string(p).unwrap();
    assert!(
        text.starts_with("-----BEGIN CERTIFICATE-----\n"),
        "{} is not a PEM certificate:\n{text}",
        p.display()
    );
    assert!(text.trim_end().ends_with("-----END CERTIFICATE-----"));
    load_certificate(text.as_bytes()).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The key file: PEM with `label`, mode 0600, and it loads with `pass`.
fn read_key(p: &Path, label: &str, pass: Option<&[u8]>) -> PrivateKey {
    let text = fs::read_to_string(p).unwrap();
    assert!(
        text.starts_with(&format!("-----BEGIN {label}-----\n")),
        "{} does not start with BEGIN {label}:\n{}",
        p.display(),
        &text[..text.len().min(80)]
    );
    #[cfg(unix)]
    assert_eq!(mode(p), 0o600, "{} must be private", p.display());
    load_private_key(text.as_bytes(), pass).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Checks holder `i`'s pair: encrypted key loads only with `pass`, the certificate is for it
/// and has `subject`, and returns the certificate.
fn check_pair(
    d: &Path,
    prefix: &str,
    i: usize,
    pass: &str,
    subject: &str,
    bits: usize,
) -> Certificate {
    let kp = key_path(d, prefix, i);
    let key = read_key(&kp, "ENCRYPTED PRIVATE KEY", Some(pass.as_bytes()));
    assert!(key.was_encrypted());
    assert_eq!(key.bits(), bits, "{}", kp.display());
    assert!(
        matches!(
            load_private_key(&fs::read(&kp).unwrap(), None),
            Err(KeyLoadError::PassphraseRequired)
        ),
        "{} must need its passphrase",
        kp.display()
    );
    let cert = read_cert(&cert_path(d, prefix, i));
    assert!(
        cert.matches_private_key(&key),
        "holder {i}: certificate and key do not pair"
    );
    assert_eq!(cert.subject(), subject, "holder {i}");
    assert_eq!(cert.key_bits(), Some(bits));
    cert
}

/// Nothing was written: `d` is missing or empty.
fn assert_nothing_in(d: &Path, r: &Run) {
    assert!(
        !d.exists() || tree(d).is_empty(),
        "files were written into {}: {:?}\n{r}",
        d.display(),
        tree(d)
    );
}

/// The passphrase never appears in the output.
fn assert_no_passphrase_printed(r: &Run) {
    assert!(
        !r.stdout.contains(PASS) && !r.stderr.contains(PASS),
        "passphrase printed\n{r}"
    );
}

#[test]
fn three_holders_encrypted() {
    let t = tempdir();
    let d = t.path().join("keys");
    let p = pass_file(t.path());
    let r = sdkit(["keygen", "--holders", "3", "--bits", "2048", "--out-dir"])
        .arg(&d)
        .passphrases(&[&p])
        .run();
    r.code(OK);
    assert_no_passphrase_printed(&r);
    let want: std::collections::BTreeSet<PathBuf> = (1..=3)
        .flat_map(|i| [format!("sd-key{i}.pem"), format!("sd-key{i}.cer")])
        .map(PathBuf::from)
        .collect();
    assert_eq!(tree(&d), want, "exactly the six files, no temporaries\n{r}");
    let mut thumbprints = Vec::new();
    for i in 1..=3 {
        let cert = check_pair(&d, "sd-key", i, PASS, &format!("CN=SD Key {i}"), 2048);
        let tp = cert.thumbprint().to_base64url();
        r.out_has(&[
            &format!("Holder {i}: CN=SD Key {i}"),
            &key_path(&d, "sd-key", i).display().to_string(),
            &cert_path(&d, "sd-key", i).display().to_string(),
            &tp,
        ]);
        thumbprints.push(tp);
    }
    // Three different keys.
    thumbprints.sort();
    thumbprints.dedup();
    assert_eq!(thumbprints.len(), 3, "{r}");
    // Not printed: the keys are encrypted.
    assert!(!r.stderr.contains("UNENCRYPTED"), "{r}");
}

#[test]
fn json_lists_each_holder_with_its_thumbprint() {
    let t = tempdir();
    let d = t.path().join("k");
    let p = pass_file(t.path());
    let r = sdkit(["keygen", "--holders", "3", "--bits", "2048", "--out-dir"])
        .arg(&d)
        .passphrases(&[&p])
        .json()
        .run();
    r.code(OK);
    let j = r.json();
    assert_eq!(j["command"], "keygen");
    assert_eq!(j["ok"], true);
    let holders = j["holders"].as_array().unwrap();
    assert_eq!(holders.len(), 3, "{r}");
    for (n, h) in holders.iter().enumerate() {
        let i = n + 1;
        let cert = read_cert(&cert_path(&d, "sd-key", i));
        assert_eq!(h["holder"], i);
        assert_eq!(h["key"], key_path(&d, "sd-key", i).display().to_string());
        assert_eq!(
            h["certificate"],
            cert_path(&d, "sd-key", i).display().to_string()
        );
        assert_eq!(h["subject"], format!("CN=SD Key {i}"));
        assert_eq!(h["key_encrypted"], true);
        assert_eq!(h["key_bits"], 2048);
        assert_eq!(
            h["x5t_256"],
            cert.thumbprint().to_base64url(),
            "holder {i}: x5t_256 is not the certificate's thumbprint\n{r}"
        );
        assert_eq!(
            h["sha256_fingerprint"],
            cert.thumbprint().to_hex_fingerprint()
        );
    }
}

#[test]
fn no_passphrase_writes_plain_keys_and_warns_default_3072_bits() {
    // The only run with the default size (3072 bits, slower): one holder.
    let t = tempdir();
    let d = t.path().join("plain");
    let r = sdkit(["keygen", "--holders", "1", "--no-passphrase", "--out-dir"])
        .arg(&d)
        .run();
    r.code(OK).err_has(&["warning", "unencrypted"]);
    let key = read_key(&key_path(&d, "sd-key", 1), "PRIVATE KEY", None);
    assert!(!key.was_encrypted());
    assert_eq!(key.bits(), 3072, "default --bits is 3072\n{r}");
    let cert = read_cert(&cert_path(&d, "sd-key", 1));
    assert!(cert.matches_private_key(&key));
    assert_eq!(cert.key_bits(), Some(3072));
    assert_eq!(cert.subject(), "CN=SD Key 1");
    r.out_has(&["UNENCRYPTED", "RSA-3072"]);
}

#[test]
fn no_passphrase_warns_in_json_mode_too() {
    let t = tempdir();
    let d = t.path().join("plain");
    let r = sdkit([
        "keygen",
        "--holders",
        "1",
        "--bits",
        "2048",
        "--no-passphrase",
        "--out-dir",
    ])
    .arg(&d)
    .json()
    .run();
    r.code(OK);
    assert_eq!(r.json()["holders"][0]["key_encrypted"], false);
    r.err_has(&["warning", "unencrypted"]);
}

#[test]
fn one_passphrase_file_per_holder() {
    let t = tempdir();
    let d = t.path().join("k");
    // First line only; CRLF and a missing final newline are fine.
    let passes = ["alpha one", "bravo two", "charlie three"];
    let files = [
        write_file(t.path(), "p1", "alpha one\nignored second line\n"),
        write_file(t.path(), "p2", "bravo two\r\n"),
        write_file(t.path(), "p3", "charlie three"),
    ];
    let r = sdkit(["keygen", "--holders", "3", "--bits", "2048", "--out-dir"])
        .arg(&d)
        .passphrases(&files)
        .run();
    r.code(OK);
    for (n, pass) in passes.iter().enumerate() {
        let i = n + 1;
        check_pair(&d, "sd-key", i, pass, &format!("CN=SD Key {i}"), 2048);
        for s in [&r.stdout, &r.stderr] {
            assert!(!s.contains(pass), "passphrase printed\n{r}");
        }
    }
    // And not with a neighbour's passphrase (once: each try costs a PBKDF2 run).
    {
        let (i, other) = (1, passes[1]);
        assert!(
            matches!(
                load_private_key(
                    &fs::read(key_path(&d, "sd-key", i)).unwrap(),
                    Some(other.as_bytes())
                ),
                Err(KeyLoadError::WrongPassphrase)
            ),
            "holder {i}'s key opens with {other:?}"
        );
    }
}

#[test]
fn custom_prefix_subject_and_days() {
    let t = tempdir();
    let d = t.path().join("custodians");
    let p = pass_file(t.path());
    let r = sdkit(["keygen", "--holders", "2", "--bits", "2048", "--days", "10"])
        .arg("--prefix")
        .arg("vault-")
        .arg("--subject")
        .arg("CN=Custodian {i},O=Example")
        .arg("--out-dir")
        .arg(&d)
        .passphrases(&[&p])
        .run();
    r.code(OK);
    let want: std::collections::BTreeSet<PathBuf> = (1..=2)
        .flat_map(|i| [format!("vault-{i}.pem"), format!("vault-{i}.cer")])
        .map(PathBuf::from)
        .collect();
    assert_eq!(tree(&d), want, "{r}");
    let now = SystemTime::now();
    for i in 1..=2 {
        let cert = check_pair(
            &d,
            "vault-",
            i,
            PASS,
            &format!("CN=Custodian {i},O=Example"),
            2048,
        );
        r.out_has(&[&format!("Holder {i}: CN=Custodian {i},O=Example")]);
        let left = cert.not_after().duration_since(now).unwrap();
        let ten_days = Duration::from_secs(10 * 86_400);
        assert!(
            left <= ten_days && left > ten_days - Duration::from_secs(3_600),
            "holder {i}: --days 10 gave notAfter in {left:?}"
        );
        assert!(cert.not_before() <= now, "notBefore is in the future");
    }
}

#[test]
fn force_replaces_existing_files() {
    let t = tempdir();
    let d = t.path().join("k");
    fs::create_dir(&d).unwrap();
    let p = pass_file(t.path());
    let old = write_file(&d, "sd-key1.pem", "old key");
    write_file(&d, "sd-key1.cer", "old cert");
    let r = sdkit([
        "keygen",
        "--holders",
        "1",
        "--bits",
        "2048",
        "--force",
        "--out-dir",
    ])
    .arg(&d)
    .passphrases(&[&p])
    .run();
    r.code(OK);
    check_pair(&d, "sd-key", 1, PASS, "CN=SD Key 1", 2048);
    assert_ne!(fs::read(&old).unwrap(), b"old key");
    assert_eq!(tree(&d).len(), 2, "no temporaries left: {:?}", tree(&d));
}

#[test]
fn existing_file_is_refused_and_left_untouched() {
    let t = tempdir();
    let d = t.path().join("k");
    fs::create_dir(&d).unwrap();
    let p = pass_file(t.path());
    // Only holder 2's certificate exists: nothing at all may be written.
    let existing = write_file(&d, "sd-key2.cer", "precious");
    let r = sdkit(["keygen", "--holders", "3", "--bits", "2048", "--out-dir"])
        .arg(&d)
        .passphrases(&[&p])
        .run();
    r.code(OUTPUT)
        .err_names(&existing)
        .err_has(&["already exists", "--force"]);
    assert_eq!(fs::read(&existing).unwrap(), b"precious");
    assert_eq!(
        tree(&d),
        [PathBuf::from("sd-key2.cer")].into_iter().collect(),
        "{r}"
    );
}

#[test]
fn failed_force_replaces_nothing() {
    let t = tempdir();
    let d = t.path().join("k");
    fs::create_dir(&d).unwrap();
    let p = pass_file(t.path());
    let old1 = write_file(&d, "sd-key1.pem", "old key 1");
    write_file(&d, "sd-key1.cer", "old cert 1");
    let old2 = write_file(&d, "sd-key2.pem", "old key 2");
    // Holder 2's certificate name is taken by a non-empty directory: it cannot be replaced.
    fs::create_dir_all(d.join("sd-key2.cer/x")).unwrap();
    let r = sdkit([
        "keygen",
        "--holders",
        "2",
        "--bits",
        "2048",
        "--force",
        "--out-dir",
    ])
    .arg(&d)
    .passphrases(&[&p])
    .run();
    r.code(OUTPUT).err_has(&["sd-key2.cer"]);
    assert_eq!(
        fs::read(&old1).unwrap(),
        b"old key 1",
        "holder 1's key was replaced\n{r}"
    );
    assert_eq!(
        fs::read(&old2).unwrap(),
        b"old key 2",
        "holder 2's key was replaced\n{r}"
    );
}

/// One refused run: the exit code, words on stderr, and no file in the output directory.
fn refused(
    args: &[&str],
    extra: impl FnOnce(Sdkit, &Path, &Path) -> Sdkit,
    code: i32,
    needles: &[&str],
) {
    let t = tempdir();
    let d = t.path().join("out");
    let mut cmd = sdkit(["keygen"]);
    for a in args {
        cmd = cmd.arg(a);
    }
    let cmd = extra(cmd.arg("--out-dir").arg(&d), t.path(), &d);
    let r = cmd.run();
    r.code(code).err_has(needles);
    assert_nothing_in(&d, &r);
    assert!(r.stdout.is_empty(), "nothing on stdout\n{r}");
}

fn with_pass(c: Sdkit, t: &Path, _d: &Path) -> Sdkit {
    let p = pass_file(t);
    c.passphrases(&[p])
}

#[test]
fn holders_zero() {
    refused(
        &["--holders", "0", "--bits", "2048"],
        with_pass,
        USAGE,
        &["--holders 0", "out of range"],
    );
}

#[test]
fn holders_too_many() {
    refused(
        &["--holders", "128", "--bits", "2048"],
        with_pass,
        USAGE,
        &["--holders 128"],
    );
}

#[test]
fn bits_1024() {
    refused(
        &["--holders", "1", "--bits", "1024"],
        with_pass,
        USAGE,
        &["--bits 1024", "2048"],
    );
}

#[test]
fn days_zero() {
    refused(
        &["--holders", "1", "--bits", "2048", "--days", "0"],
        with_pass,
        USAGE,
        &["--days 0", "out of range"],
    );
}

#[test]
fn passphrase_file_count_mismatch() {
    refused(
        &["--holders", "3", "--bits", "2048"],
        |c, t, _| {
            let a = write_file(t, "a", "one\n");
            let b = write_file(t, "b", "two\n");
            c.passphrases(&[a, b])
        },
        USAGE,
        &["2 --passphrase-file", "3 holders"],
    );
}

#[test]
fn no_passphrase_and_no_terminal() {
    refused(
        &["--holders", "2", "--bits", "2048"],
        |c, _, _| c,
        USAGE,
        &["no terminal", "--passphrase-file", "--no-passphrase"],
    );
}

#[test]
fn passphrase_file_and_no_passphrase_conflict() {
    refused(
        &["--holders", "1", "--bits", "2048", "--no-passphrase"],
        with_pass,
        USAGE,
        &["--no-passphrase", "--passphrase-file"],
    );
}

#[test]
fn empty_passphrase_file() {
    for content in ["", "\n", "\r\nsecond line"] {
        refused(
            &["--holders", "1", "--bits", "2048"],
            |c, t, _| c.passphrases(&[write_file(t, "empty.txt", content)]),
            INPUT,
            &["empty.txt", "empty"],
        );
    }
}

#[test]
fn missing_passphrase_file() {
    refused(
        &["--holders", "1", "--bits", "2048"],
        |c, t, _| c.passphrases(&[t.join("nope.txt")]),
        INPUT,
        &["nope.txt", "not found"],
    );
}

#[test]
fn bad_prefix() {
    for prefix in ["../x", "a/b", "", ".hidden"] {
        refused(
            &["--holders", "1", "--bits", "2048", "--prefix", prefix],
            with_pass,
            USAGE,
            &["--prefix"],
        );
    }
}

#[test]
fn bad_subject() {
    for subject in ["garbage", "CN=", "XX=a", "CN=a, O=b"] {
        refused(
            &["--holders", "1", "--bits", "2048", "--subject", subject],
            with_pass,
            USAGE,
            &["--subject", subject],
        );
    }
}

#[test]
fn bad_subject_is_refused_before_any_work() {
    let t = tempdir();
    let d = t.path().join("out");
    let r = sdkit([
        "keygen",
        "--holders",
        "1",
        "--bits",
        "2048",
        "--no-passphrase",
        "--subject",
        "garbage",
        "--out-dir",
    ])
    .arg(&d)
    .run();
    r.code(USAGE).err_has(&["--subject"]);
    assert!(
        !d.exists(),
        "--out-dir was created for a run that failed on its arguments\n{r}"
    );
    assert!(
        !r.stderr.contains("warning"),
        "warned about keys that are never written\n{r}"
    );
}

#[test]
fn out_dir_under_a_regular_file() {
    // Tests may run as root, where directory permissions do not bind; a path below a
    // regular file cannot be created by anyone.
    let t = tempdir();
    let file = write_file(t.path(), "plain-file", "x");
    let d = file.join("keys");
    let p = pass_file(t.path());
    let r = sdkit(["keygen", "--holders", "1", "--bits", "2048", "--out-dir"])
        .arg(&d)
        .passphrases(&[&p])
        .run();
    r.code(OUTPUT).err_names(&d);
    assert_eq!(fs::read(&file).unwrap(), b"x");
    assert_eq!(
        tree(t.path()),
        ["pass.txt", "plain-file"]
            .into_iter()
            .map(PathBuf::from)
            .collect(),
        "{r}"
    );
}

#[test]
fn out_dir_is_a_regular_file() {
    let t = tempdir();
    let file = write_file(t.path(), "plain-file", "x");
    let p = pass_file(t.path());
    let r = sdkit(["keygen", "--holders", "1", "--bits", "2048", "--out-dir"])
        .arg(&file)
        .passphrases(&[&p])
        .run();
    r.code(OUTPUT)
        .err_names(&file)
        .err_has(&["not a directory"]);
    assert_eq!(fs::read(&file).unwrap(), b"x");
}
