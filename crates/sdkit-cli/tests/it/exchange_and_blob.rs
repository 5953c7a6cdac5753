//! `exchange-key`, `restore-blob` and `open-blob`: a restore drill end to end (the blob opens
//! to the SD's own plaintexts), byte-compatibility with `az ... restore-blob`, the exchange
//! certificate in every form the service or `az` hands out, and the inputs refused.
//!
//! Only one RSA-4096 exchange key is generated in this file (`drill_with_a_generated_exchange_key`);
//! the other tests use the RSA-2048 oracle exchange key from `test-vectors/azure-sd/cli-oracle/`.

use crate::common::*;
use crate::fixtures::*;
use sdkit_certs::{load_certificate, load_private_key};
use serde_json::Value;
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

const TAGS: [&str; 3] = [
    "hsm_backup",
    "base_enclave_backup",
    "partition_enclave_backup",
];

/// The blob `az keyvault security-domain restore-blob` wrote (for the oracle exchange key).
fn oracle_blob() -> PathBuf {
    tv("azure-sd/cli-oracle/restore-blob_sd-2023-11-07_sd1-sd2.json")
}

fn transfer_key_json() -> PathBuf {
    tv("azure-sd/transfer-key-response-2023-11-07_15e0e830.json")
}

fn az_exchange_pem() -> PathBuf {
    tv("azure-sd/exchange-key-2023-11-07_15e0e830.pem")
}

/// `x5t#S256` of the HSM's transfer key in `transfer-key-response-2023-11-07_15e0e830.json`.
fn transfer_key_x5t() -> String {
    let outer: Value = serde_json::from_slice(&fs::read(transfer_key_json()).unwrap()).unwrap();
    let jwk: Value = serde_json::from_str(outer["transfer_key"].as_str().unwrap()).unwrap();
    jwk["x5t#S256"].as_str().unwrap().to_owned()
}

/// Thumbprint (`x5t#S256`) of a certificate file.
fn thumbprint_of(cert: &Path) -> String {
    load_certificate(&fs::read(cert).unwrap())
        .unwrap()
        .thumbprint()
        .to_base64url()
}

/// The text with every string literal longer than 40 characters replaced by `"…"`: the
/// layout of a blob without its random contents.
fn skeleton(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find('"') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let end = after.find('"').expect("unterminated string");
        let s = &after[..end];
        if s.len() > 40 {
            out.push_str("\"…\"");
        } else {
            out.push('"');
            out.push_str(s);
            out.push('"');
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// A restore blob as `az` writes it: same layout, no trailing newline, the three items in
/// order, and `WrappedKey.x5t_256` naming the exchange certificate.
fn assert_blob_format(blob: &Path, exchange_x5t: &str) {
    let text = fs::read_to_string(blob).unwrap();
    assert!(
        text.starts_with(r#"{"EncData": {"data": [{"compact_jwe": ""#),
        "{}: {}",
        blob.display(),
        &text[..60]
    );
    assert!(text.contains(r#""WrappedKey": {"enc_key": ""#));
    assert!(!text.ends_with('\n'), "az writes no final newline");
    assert_eq!(
        skeleton(&text),
        skeleton(&fs::read_to_string(oracle_blob()).unwrap()),
        "layout differs from az's"
    );
    let j: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(j["WrappedKey"]["x5t_256"], exchange_x5t);
    assert_eq!(j["EncData"]["kdf"], "sp108_kdf");
    let tags: Vec<&str> = j["EncData"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["tag"].as_str().unwrap())
        .collect();
    assert_eq!(tags, TAGS);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(blob).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the blob carries the secrets");
    }
}

/// `dir` holds exactly the SD's three plaintexts, with the documented lengths and hashes,
/// and none of them was printed.
fn assert_plaintexts(dir: &Path, sd: &SdCase, r: &Run) {
    let want: BTreeSet<PathBuf> = TAGS
        .iter()
        .map(|t| PathBuf::from(format!("{t}.bin")))
        .collect();
    assert_eq!(tree(dir), want, "{r}");
    for (tag, len, sha_prefix) in sd.items {
        let bytes = fs::read(dir.join(format!("{tag}.bin"))).unwrap();
        assert_eq!(bytes.len(), len, "{tag}\n{r}");
        assert!(
            sha256_hex(&bytes).starts_with(sha_prefix),
            "{tag}: wrong plaintext\n{r}"
        );
        let head = hex::encode(&bytes[..16]);
        assert!(
            !r.stdout.to_lowercase().contains(&head) && !r.stderr.to_lowercase().contains(&head),
            "plaintext printed\n{r}"
        );
    }
}

/// Two directories hold the same files with the same bytes.
fn assert_same_files(a: &Path, b: &Path) {
    assert_eq!(tree(a), tree(b));
    for f in tree(a) {
        assert_eq!(
            fs::read(a.join(&f)).unwrap(),
            fs::read(b.join(&f)).unwrap(),
            "{} differs",
            f.display()
        );
    }
}

/// A different base64url character at position `at` of `s`.
fn flip(s: &str, at: usize) -> String {
    let mut b = s.as_bytes().to_vec();
    b[at] = if b[at] == b'A' { b'B' } else { b'A' };
    String::from_utf8(b).unwrap()
}

/// Part `part` (0..5) of a compact JWE with a character in its middle changed.
fn flip_jwe_part(compact: &str, part: usize) -> String {
    let mut parts: Vec<String> = compact.split('.').map(str::to_owned).collect();
    assert_eq!(parts.len(), 5);
    let mid = parts[part].len() / 2;
    parts[part] = flip(&parts[part], mid);
    parts.join(".")
}

/// Writes a copy of `blob` changed by `edit` (as `az` lays it out: re-serialized compactly is
/// fine for the parser).
fn edit_blob(blob: &Path, dir: &Path, name: &str, edit: impl FnOnce(&mut Value)) -> PathBuf {
    let mut v: Value = serde_json::from_slice(&fs::read(blob).unwrap()).unwrap();
    edit(&mut v);
    write_file(dir, name, serde_json::to_vec(&v).unwrap())
}

fn open_blob(blob: &Path, key: &Path) -> Sdkit {
    sdkit(["open-blob"])
        .arg(blob)
        .arg("--exchange-private-key")
        .arg(key)
}

/// Tampered or foreign blobs: exit 4, the message, and no output directory.
fn open_refused(blob: &Path, key: &Path, out: &Path, code: i32, needles: &[&str]) -> Run {
    let r = open_blob(blob, key).arg("--out-dir").arg(out).run();
    r.code(code).err_has(needles);
    assert!(
        !out.exists(),
        "{} was created by a failed open\n{r}",
        out.display()
    );
    r
}

/// What `exchange-key` wrote.
struct ExchangeKey {
    cert_file: PathBuf,
    key_file: PathBuf,
    cert_text: String,
    key_text: String,
    /// The certificate's `x5t#S256`.
    x5t: String,
}

/// Runs `exchange-key --out-dir dir` and checks what it wrote: two files in az's layout, an
/// RSA-4096 pair, a private key only its owner can read, and the JSON report.
fn generate_exchange_key(e: &Path) -> ExchangeKey {
    let r = sdkit(["exchange-key", "--out-dir"])
        .arg(e)
        .json()
        .slow()
        .run();
    r.code(OK);
    let cert_file = e.join("exchange.cer");
    let key_file = e.join("exchange-key.pem");
    assert_eq!(
        tree(e),
        ["exchange-key.pem", "exchange.cer"]
            .into_iter()
            .map(PathBuf::from)
            .collect(),
        "{r}"
    );
    let cert_text = fs::read_to_string(&cert_file).unwrap();
    assert!(!cert_text.ends_with('\n'), "az writes no final newline");
    let lines: Vec<&str> = cert_text.split('\n').collect();
    assert_eq!(lines[0], "-----BEGIN CERTIFICATE-----");
    assert_eq!(*lines.last().unwrap(), "-----END CERTIFICATE-----");
    let body = &lines[1..lines.len() - 1];
    assert!(body.len() > 2);
    for l in &body[..body.len() - 1] {
        assert_eq!(l.len(), 65, "65-column lines like init-recovery's: {l:?}");
    }
    assert!(!body.last().unwrap().is_empty() && body.last().unwrap().len() <= 65);
    // The real init-recovery output has the same layout.
    let sdex = fs::read_to_string(tv("azure-sd/sdex.pem")).unwrap();
    assert!(!sdex.ends_with('\n') && sdex.lines().nth(1).unwrap().len() == 65);

    let cert = load_certificate(cert_text.as_bytes()).unwrap();
    assert_eq!(cert.key_bits(), Some(4096));
    let key_text = fs::read_to_string(&key_file).unwrap();
    assert!(key_text.starts_with("-----BEGIN PRIVATE KEY-----\n"));
    let private = load_private_key(key_text.as_bytes(), None).unwrap();
    assert_eq!(private.bits(), 4096);
    assert!(cert.matches_private_key(&private));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(&key_file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "exchange private key must be private");
    }
    let x5t = cert.thumbprint().to_base64url();
    let j = r.json();
    assert_eq!(j["command"], "exchange-key");
    assert_eq!(j["ok"], true);
    assert_eq!(j["x5t_256"], x5t);
    assert_eq!(j["subject"], cert.subject());
    assert_eq!(j["certificate"], cert_file.display().to_string());
    assert_eq!(j["key"], key_file.display().to_string());
    ExchangeKey {
        cert_file,
        key_file,
        cert_text,
        key_text,
        x5t,
    }
}

/// restore-blob with custodian keys `pair`, then open-blob, gives the SD's plaintexts, the
/// same `recover` writes; opening again into the same directory needs `--force`. Returns the
/// blob (`dir/<SD's date>-blob.json`).
fn blob_round_trip(dir: &Path, sd: &SdCase, pair: [usize; 2], ex: &ExchangeKey) -> PathBuf {
    let name = &sd.file[..13];
    let keys = [key(pair[0]), key(pair[1])];
    let blob = dir.join(format!("{name}-blob.json"));
    let r = restore_blob(&sd.path(), &keys, &ex.cert_file, &blob)
        .json()
        .run();
    r.code(OK);
    assert_blob_format(&blob, &ex.x5t);
    let j = r.json();
    assert_eq!(j["command"], "restore-blob");
    assert_eq!(j["exchange_x5t_256"], ex.x5t);
    assert_eq!(j["out_sha256"], sha256_hex(&fs::read(&blob).unwrap()));
    assert_eq!(j["items"], serde_json::json!(TAGS));
    assert_eq!(j["ok"], true);

    let opened = dir.join(format!("{name}-opened"));
    let r = open_blob(&blob, &ex.key_file)
        .arg("--out-dir")
        .arg(&opened)
        .run();
    r.code(OK).out_has(&["every item authenticated"]);
    assert_plaintexts(&opened, sd, &r);

    let recovered = dir.join(format!("{name}-recovered"));
    sdkit(["recover"])
        .arg(sd.path())
        .keys(&keys)
        .arg("--out-dir")
        .arg(&recovered)
        .run()
        .code(OK);
    assert_same_files(&opened, &recovered);

    // Opening again into the same directory needs --force.
    let r = open_blob(&blob, &ex.key_file)
        .arg("--out-dir")
        .arg(&opened)
        .run();
    r.code(OUTPUT).err_has(&["already exists"]);
    let r = open_blob(&blob, &ex.key_file)
        .arg("--out-dir")
        .arg(&opened)
        .arg("--force")
        .run();
    r.code(OK);
    assert_same_files(&opened, &recovered);
    blob
}

/// A blob `open-blob` must refuse.
struct Refusal {
    /// Names the case, and its output directory `refused-<case>` (shown in a failure).
    case: &'static str,
    blob: PathBuf,
    key: PathBuf,
    code: i32,
    /// What stderr must say (file paths included).
    says: Vec<String>,
}

#[test]
fn drill_with_a_generated_exchange_key() {
    let t = tempdir();
    let ex = generate_exchange_key(&t.path().join("drill"));

    // It refuses to overwrite, and leaves both files as they were.
    let r = sdkit(["exchange-key", "--out-dir"])
        .arg(t.path().join("drill"))
        .run();
    r.code(OUTPUT).err_has(&["already exists", "--force"]);
    assert_eq!(fs::read_to_string(&ex.cert_file).unwrap(), ex.cert_text);
    assert_eq!(fs::read_to_string(&ex.key_file).unwrap(), ex.key_text);

    let blob = blob_round_trip(t.path(), &SD2023, [1, 2], &ex);
    blob_round_trip(t.path(), &SD2020, [2, 3], &ex);

    let text = fs::read(&blob).unwrap();
    let refusals = [
        // A blob for E does not open with another exchange key.
        Refusal {
            case: "another-exchange-key",
            blob: blob.clone(),
            key: oracle_key(),
            code: CRYPTO,
            says: vec!["another exchange key".into(), blob.display().to_string()],
        },
        Refusal {
            case: "tampered-item",
            blob: edit_blob(&blob, t.path(), "bad-item.json", |v| {
                let it = &mut v["EncData"]["data"][1]["compact_jwe"];
                *it = flip_jwe_part(it.as_str().unwrap(), 3).into();
            }),
            key: ex.key_file.clone(),
            code: CRYPTO,
            says: vec!["base_enclave_backup".into(), "did not authenticate".into()],
        },
        Refusal {
            case: "tampered-wrapped-key",
            blob: edit_blob(&blob, t.path(), "bad-wrapped.json", |v| {
                let it = &mut v["WrappedKey"]["enc_key"];
                *it = flip_jwe_part(it.as_str().unwrap(), 1).into();
            }),
            key: ex.key_file.clone(),
            code: CRYPTO,
            says: vec!["bad-wrapped.json".into()],
        },
        Refusal {
            case: "truncated",
            blob: write_file(t.path(), "cut.json", &text[..text.len() / 2]),
            key: ex.key_file.clone(),
            code: INPUT,
            says: vec!["cut.json".into()],
        },
    ];
    for c in &refusals {
        let out = t.path().join(format!("refused-{}", c.case));
        let says: Vec<&str> = c.says.iter().map(String::as_str).collect();
        open_refused(&c.blob, &c.key, &out, c.code, &says);
    }
}

#[test]
fn real_az_blob_opens_with_the_oracle_key() {
    let t = tempdir();
    let out = t.path().join("opened");
    let r = open_blob(&oracle_blob(), &oracle_key())
        .arg("--out-dir")
        .arg(&out)
        .run();
    r.code(OK).out_has(&TAGS);
    assert_plaintexts(&out, &SD2023, &r);

    // JSON report, without writing anything.
    let r = open_blob(&oracle_blob(), &oracle_key()).json().run();
    r.code(OK);
    let j = r.json();
    assert_eq!(j["command"], "open-blob");
    assert_eq!(j["ok"], true);
    assert_eq!(j["exchange_x5t_256"], thumbprint_of(&oracle_cert()));
    assert_eq!(j["written"], serde_json::json!([]));
    for (i, it) in j["items"].as_array().unwrap().iter().enumerate() {
        assert_eq!(it["tag"], TAGS[i]);
        assert_eq!(it["authentic"], true);
        assert_eq!(it["bytes"], SD2023.items[i].1);
    }

    // The same blob as the upload body `{"value": "<blob>"}`.
    let wrapped = write_file(
        t.path(),
        "upload.json",
        serde_json::to_vec(
            &serde_json::json!({ "value": fs::read_to_string(oracle_blob()).unwrap() }),
        )
        .unwrap(),
    );
    let out2 = t.path().join("opened2");
    let r = open_blob(&wrapped, &oracle_key())
        .arg("--out-dir")
        .arg(&out2)
        .run();
    r.code(OK);
    assert_same_files(&out, &out2);
}

#[test]
fn round_trip_through_the_oracle_exchange_certificate() {
    // An RSA-2048 exchange certificate (the minimum) whose private key we have.
    let t = tempdir();
    let blob = t.path().join("blob.json");
    let r = restore_blob(&SD2023.path(), &[key(3), key(1)], &oracle_cert(), &blob).run();
    r.code(OK).out_has(&[
        "Restore blob written to",
        "az keyvault security-domain upload",
    ]);
    assert_blob_format(&blob, &thumbprint_of(&oracle_cert()));
    let out = t.path().join("opened");
    let r = open_blob(&blob, &oracle_key())
        .arg("--out-dir")
        .arg(&out)
        .run();
    r.code(OK);
    assert_plaintexts(&out, &SD2023, &r);
}

#[test]
fn exchange_certificate_as_az_pem_and_as_transfer_key_json() {
    let t = tempdir();
    let x5t = transfer_key_x5t();
    assert_eq!(
        thumbprint_of(&az_exchange_pem()),
        x5t,
        "fixture consistency"
    );
    for (name, exchange) in [("pem", az_exchange_pem()), ("jwk", transfer_key_json())] {
        let blob = t.path().join(format!("{name}.json"));
        let r = restore_blob(&SD2023.path(), &[key(1), key(2)], &exchange, &blob)
            .json()
            .run();
        r.code(OK);
        assert_eq!(r.json()["exchange_x5t_256"], x5t, "{r}");
        assert_blob_format(&blob, &x5t);
        // The HSM's key is not ours: the blob does not open with the oracle key.
        open_refused(
            &blob,
            &oracle_key(),
            &t.path().join(format!("{name}-o")),
            CRYPTO,
            &["another exchange key"],
        );
    }
}

#[test]
fn upload_body_for_the_real_hsm_names_the_wrong_key_when_the_certificate_is_beside_it() {
    // The real `upload` body was made for the HSM's key. With the oracle key's certificate
    // beside the key (same name, .cer), open-blob can say plainly that it is another key.
    let t = tempdir();
    let k = t.path().join("x.pem");
    fs::copy(oracle_key(), &k).unwrap();
    fs::copy(oracle_cert(), t.path().join("x.cer")).unwrap();
    let body = tv("azure-sd/upload-request-2023-11-07_15e0e830.json");
    open_refused(
        &body,
        &k,
        &t.path().join("o"),
        CRYPTO,
        &["made for exchange key", &transfer_key_x5t(), "x.cer"],
    );
    // Without it, the generic message.
    open_refused(
        &body,
        &oracle_key(),
        &t.path().join("o"),
        CRYPTO,
        &["another exchange key"],
    );
}

#[test]
fn tampered_real_blob() {
    let t = tempdir();
    for (i, tag) in TAGS.iter().enumerate() {
        for part in [2, 3, 4] {
            let bad = edit_blob(&oracle_blob(), t.path(), "bad.json", |v| {
                let it = &mut v["EncData"]["data"][i]["compact_jwe"];
                *it = flip_jwe_part(it.as_str().unwrap(), part).into();
            });
            let r = open_refused(
                &bad,
                &oracle_key(),
                &t.path().join("o"),
                CRYPTO,
                &[tag, "did not authenticate", "nothing was written"],
            );
            // The other items are reported authentic, in the report on stdout.
            assert!(
                r.stdout.contains("FAILED") && r.stdout.contains("authentic"),
                "{r}"
            );
        }
    }
    for part in [1, 3, 4] {
        let bad = edit_blob(&oracle_blob(), t.path(), "bad-wk.json", |v| {
            let it = &mut v["WrappedKey"]["enc_key"];
            *it = flip_jwe_part(it.as_str().unwrap(), part).into();
        });
        open_refused(
            &bad,
            &oracle_key(),
            &t.path().join("o"),
            CRYPTO,
            &["bad-wk.json"],
        );
    }
}

#[test]
fn malformed_blobs() {
    let t = tempdir();
    let text = fs::read(oracle_blob()).unwrap();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("truncated", text[..text.len() - 10].to_vec()),
        ("half", text[..text.len() / 2].to_vec()),
        ("empty", Vec::new()),
        ("not-json", b"hello".to_vec()),
        ("sd-file", fs::read(SD2023.path()).unwrap()),
    ];
    for (name, bytes) in cases {
        let f = write_file(t.path(), &format!("{name}.json"), bytes);
        open_refused(
            &f,
            &oracle_key(),
            &t.path().join("o"),
            INPUT,
            &[&format!("{name}.json")],
        );
    }
    let no_wk = edit_blob(&oracle_blob(), t.path(), "no-wk.json", |v| {
        v.as_object_mut().unwrap().remove("WrappedKey");
    });
    open_refused(
        &no_wk,
        &oracle_key(),
        &t.path().join("o"),
        INPUT,
        &["WrappedKey"],
    );
    let missing = t.path().join("missing.json");
    open_refused(
        &missing,
        &oracle_key(),
        &t.path().join("o"),
        INPUT,
        &["not found"],
    );
}

/// restore-blob refused: the code, the message, and no blob.
fn restore_refused(keys: &[PathBuf], exchange: &Path, code: i32, needles: &[&str]) -> Run {
    let t = tempdir();
    let out = t.path().join("blob.json");
    let r = restore_blob(&SD2023.path(), keys, exchange, &out).run();
    r.code(code).err_has(needles);
    assert!(!out.exists(), "a blob was written\n{r}");
    assert_eq!(tree(t.path()), BTreeSet::new(), "{r}");
    r
}

#[test]
fn exchange_certificate_under_2048_bits() {
    // Made from the fixture's RSA-1024 key with openssl (present in CI).
    let t = tempdir();
    let small = t.path().join("small.cer");
    std::fs::copy(fixture("rsa1024.cer"), &small).unwrap();
    assert_eq!(
        load_certificate(&fs::read(&small).unwrap())
            .unwrap()
            .key_bits(),
        Some(1024)
    );
    restore_refused(
        &[key(1), key(2)],
        &small,
        INPUT,
        &["small.cer", "RSA-1024", "2048"],
    );
}

#[test]
fn exchange_certificate_that_is_not_rsa() {
    let ec = fixture("ec-p256.cer");
    restore_refused(&[key(1), key(2)], &ec, INPUT, &["ec-p256.cer", "not RSA"]).err_names(&ec);
}

#[test]
fn exchange_certificate_that_is_something_else() {
    // A private key, garbage, a missing file.
    restore_refused(
        &[key(1), key(2)],
        &oracle_key(),
        INPUT,
        &["oracle-exchange-key.pem"],
    );
    restore_refused(
        &[key(1), key(2)],
        &fixture("garbage.txt"),
        INPUT,
        &["garbage.txt"],
    );
    restore_refused(
        &[key(1), key(2)],
        &tv("nope.cer"),
        INPUT,
        &["nope.cer", "not found"],
    );
}

#[test]
fn restore_blob_without_a_quorum() {
    restore_refused(&[key(1)], &oracle_cert(), CRYPTO, &["needs 2", "1 given"]);
    // A key that is nobody's does not count towards the quorum.
    restore_refused(&[key(1), oracle_key()], &oracle_cert(), CRYPTO, &["2"]);
}

#[test]
fn restore_blob_skips_a_foreign_key_when_the_others_reach_the_quorum() {
    let t = tempdir();
    let blob = t.path().join("blob.json");
    let r = restore_blob(
        &SD2023.path(),
        &[oracle_key(), key(2), key(3)],
        &oracle_cert(),
        &blob,
    )
    .run();
    r.code(OK).err_has(&["warning", "1 key(s)"]);
    assert_blob_format(&blob, &thumbprint_of(&oracle_cert()));
}

#[test]
fn restore_blob_refuses_an_existing_out_before_any_key_work() {
    let t = tempdir();
    let out = write_file(t.path(), "blob.json", "keep me");
    // Every input is missing: only the output check can have produced the refusal.
    let r = restore_blob(
        &t.path().join("no-sd.json"),
        &[t.path().join("no-key.pem")],
        &t.path().join("no-exchange.cer"),
        &out,
    )
    .run();
    r.code(OUTPUT)
        .err_names(&out)
        .err_has(&["already exists", "--force"]);
    assert_eq!(fs::read(&out).unwrap(), b"keep me");

    // With real inputs too, and --force replaces it.
    let r = restore_blob(&SD2023.path(), &[key(1), key(2)], &oracle_cert(), &out).run();
    r.code(OUTPUT);
    assert_eq!(fs::read(&out).unwrap(), b"keep me");
    let r = restore_blob(&SD2023.path(), &[key(1), key(2)], &oracle_cert(), &out)
        .arg("--force")
        .run();
    r.code(OK);
    assert_blob_format(&out, &thumbprint_of(&oracle_cert()));
    assert_eq!(
        tree(t.path()).len(),
        1,
        "no temporaries: {:?}",
        tree(t.path())
    );
}

#[test]
fn restore_blob_from_a_damaged_sd_writes_nothing() {
    let t = tempdir();
    let sd = edit_sd(&SD2023.path(), t.path(), "damaged.json", |v| {
        let it = &mut v["EncData"]["data"][2]["compact_jwe"];
        *it = with_jwe_tag(it.as_str().unwrap(), |tag| flip(tag, tag.len() / 2)).into();
    });
    let out = t.path().join("blob.json");
    let r = restore_blob(&sd, &[key(1), key(2)], &oracle_cert(), &out).run();
    r.code(CRYPTO).err_names(&sd).err_has(&[
        "partition_enclave_backup",
        "did not authenticate",
        "no blob was written",
    ]);
    assert!(!out.exists(), "{r}");
}

#[test]
fn restore_blob_into_a_missing_directory() {
    let t = tempdir();
    let out = t.path().join("no/such/dir/blob.json");
    let r = restore_blob(&SD2023.path(), &[key(1), key(2)], &oracle_cert(), &out).run();
    r.code(OUTPUT).err_names(&out);
    assert_eq!(tree(t.path()), BTreeSet::new(), "{r}");
}

#[test]
fn open_blob_refuses_an_item_tag_that_is_not_a_file_name() {
    let t = tempdir();
    let evil = edit_blob(&oracle_blob(), t.path(), "evil.json", |v| {
        v["EncData"]["data"][0]["tag"] = "../evil".into();
    });
    // Writing: refused before anything is decrypted or created.
    open_refused(
        &evil,
        &oracle_key(),
        &t.path().join("o"),
        INPUT,
        &["../evil", "plain file name"],
    );
    assert!(!t.path().join("evil").exists());
    // Reporting only: the renamed item no longer authenticates (the tag is bound to its key).
    let r = open_blob(&evil, &oracle_key()).run();
    r.code(CRYPTO).err_has(&["../evil", "did not authenticate"]);
}

#[test]
fn exchange_key_out_dir_under_a_regular_file() {
    // Refused before the (slow) key generation.
    let t = tempdir();
    let file = write_file(t.path(), "plain-file", "x");
    let d = file.join("drill");
    let r = sdkit(["exchange-key", "--out-dir"]).arg(&d).run();
    r.code(OUTPUT).err_names(&d);
    assert_eq!(fs::read(&file).unwrap(), b"x");
    assert_eq!(
        tree(t.path()),
        [PathBuf::from("plain-file")].into_iter().collect()
    );
}
