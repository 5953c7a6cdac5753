//! Nothing leaked: every output of every command (stdout, stderr, JSON, transcript, ledger,
//! custody register, review and its page, rendered record, printed HTML record) is searched
//! for known secret bytes in hex, base64 and base64url.

use crate::common::*;
use crate::fixtures::*;
use base64ct::{Base64, Base64UrlUnpadded, Encoding};
use sdkit_core::kdf::derive_item_key;
use sdkit_core::recover::{self, HolderKey};
use sdkit_core::{MasterKey, SecurityDomain};
use std::ffi::OsString;
use std::fs;
use std::path::Path;

/// Every textual form of a secret worth searching for (long enough to be unambiguous).
fn forms(secret: &[u8]) -> Vec<String> {
    let s = &secret[..secret.len().min(24)];
    let mut v = vec![
        hex::encode(s),
        hex::encode_upper(s),
        Base64::encode_string(s),
        Base64UrlUnpadded::encode_string(s),
    ];
    // Also the base64 of the secret as it would appear mid-stream (offset alignment 1 and 2).
    for off in 1..3 {
        if secret.len() > off + 18 {
            v.push(Base64::encode_string(&secret[off..off + 18]));
        }
    }
    v.retain(|f| f.len() >= 16);
    v
}

fn known_secrets() -> Vec<(String, Vec<String>)> {
    let sd = SecurityDomain::parse(&fs::read(SD2023.path()).unwrap()).unwrap();
    let keys: Vec<sdkit_certs::PrivateKey> = (1..=3)
        .map(|i| sdkit_certs::load_private_key(&fs::read(key(i)).unwrap(), None).unwrap())
        .collect();
    let hk: Vec<HolderKey<'_>> = keys
        .iter()
        .map(|k| HolderKey {
            key: k,
            certificate: None,
        })
        .collect();
    let openings = recover::open_shares(&sd, &hk);
    let rec = recover::combine(&sd, &openings).unwrap();
    let mut out = vec![("master key".to_owned(), forms(rec.master_key().expose()))];
    for (i, o) in openings.iter().enumerate() {
        let payload = sdkit_core::share::encode(o.share().unwrap());
        out.push((format!("share payload {}", i + 1), forms(&payload)));
    }
    for it in &rec.items {
        out.push((
            format!("plaintext {}", it.tag),
            forms(it.plaintext.as_ref().unwrap().expose()),
        ));
        let cek = derive_item_key(rec.master_key(), &it.tag);
        out.push((format!("item key {}", it.tag), forms(cek.expose())));
    }
    let m2020 = hex::decode(SD2020.master_hex).unwrap();
    out.push((
        "2020 master key".into(),
        forms(&MasterKey::from_bytes(m2020.try_into().unwrap()).expose()[..]),
    ));
    // Private key bodies: any full base64 line of the PEM.
    for i in 1..=3 {
        let pem = fs::read_to_string(key(i)).unwrap();
        let body: Vec<String> = pem
            .lines()
            .filter(|l| !l.starts_with("-----") && l.len() > 40)
            .map(str::to_owned)
            .collect();
        out.push((format!("sd{i}.pem body"), body));
    }
    out.push(("passphrase".into(), vec![FIXTURE_PASSPHRASE.to_owned()]));
    out
}

/// `sdkit` with the command line `template`: words split at spaces, each `{name}` word
/// replaced by the path `paths` give that name (so a path may hold spaces).
fn command_line(template: &str, paths: &[(&str, &Path)]) -> Sdkit {
    let mut s = sdkit(Vec::<OsString>::new());
    for word in template.split(' ') {
        match word.strip_prefix('{').and_then(|w| w.strip_suffix('}')) {
            Some(name) => {
                let (_, path) = paths
                    .iter()
                    .find(|(n, _)| *n == name)
                    .unwrap_or_else(|| panic!("{template}: no path for {word}"));
                s = s.arg(path);
            }
            None => s = s.arg(word),
        }
    }
    s
}

#[test]
fn no_command_output_contains_secret_bytes() {
    let dir = tempdir();
    let d = dir.path();
    let t = d.join("transcript.jsonl");
    let ledger = d.join("ledger.jsonl");
    let reg = d.join("custody.jsonl");
    let page = d.join("review.html");
    let pass = write_file(d, "pass.txt", format!("{FIXTURE_PASSPHRASE}\n"));
    let wrong = write_file(d, "wrong.txt", "not it\n");
    let (sd, encrypted) = (SD2023.path(), fixture("sd1.pbkdf2-aes256.pem"));
    let (k1, k2, k3) = (key(1), key(2), key(3));
    let (c1, c2, c3) = (cert(1), cert(2), cert(3));
    let (ex, ex_key) = (oracle_cert(), oracle_key());
    // Every command, each also logged to the transcript (which is searched too).
    let logged = [
        "inspect {sd} --cert {c1} --cert {c2} --cert {c3}",
        "check {sd} --key {k1}",
        "check {sd} --key {k2}",
        "check {sd} --key {k3}",
        "drill --exhaustive {sd} --key {k1} --key {k2} --key {k3} --ledger {ledger}",
        "check {sd} --key {k2} --ledger {ledger}",
        "recover {sd} --key {k1} --key {k3} --out-dir {rec}",
        "check {sd} --key {encrypted} --passphrase-file {pass}",
        "restore-blob {sd} --key {k1} --key {k2} --exchange-key {ex} --out {blob}",
        "open-blob {blob} --exchange-private-key {ex_key} --out-dir {opened}",
        "custody record --register {reg} --cert {c1} --holder Alice --medium card --location safe",
        "custody record --register {reg} --sd {sd} --holder Bob --medium usb --location box",
        "custody handoff --register {reg} --cert {c1} --from Alice --to Carol --witness Dan",
        "custody verify {reg}",
        "review {sd} --cert {c1} --cert {c2} --cert {c3} --ledger {ledger} --register {reg} --fail-on error --html {page} --force",
    ];
    // Failures print messages too: a wrong passphrase.
    let unlogged = [
        "check {sd} --key {encrypted} --passphrase-file {wrong}",
        // A private key where the register or the review wants a certificate.
        "custody record --register {reg} --cert {k2} --holder Eve --medium card --location safe",
        "review {sd} --cert {k3} --ledger {ledger}",
        // A review that fails (exit 1) prints its report and its error.
        "review {sd} --cert {c1} --ledger {ledger} --register {reg} --fail-on note",
    ];
    let mut runs = Vec::new();
    for json in [false, true] {
        let (rec, blob, opened) = (
            d.join(format!("rec{json}")),
            d.join(format!("blob{json}.json")),
            d.join(format!("opened{json}")),
        );
        let paths: [(&str, &Path); 19] = [
            ("t", &t),
            ("ledger", &ledger),
            ("reg", &reg),
            ("page", &page),
            ("pass", &pass),
            ("wrong", &wrong),
            ("sd", &sd),
            ("encrypted", &encrypted),
            ("k1", &k1),
            ("k2", &k2),
            ("k3", &k3),
            ("c1", &c1),
            ("c2", &c2),
            ("c3", &c3),
            ("ex", &ex),
            ("ex_key", &ex_key),
            ("rec", &rec),
            ("blob", &blob),
            ("opened", &opened),
        ];
        let logged = logged.map(|c| format!("--transcript {{t}} {c}"));
        for template in logged.iter().map(String::as_str).chain(unlogged) {
            let s = command_line(template, &paths);
            runs.push(if json { s.json() } else { s }.run());
        }
    }
    let mut haystacks: Vec<(String, String)> = runs
        .iter()
        .flat_map(|r| {
            [
                (format!("stdout of {:?}", r.args), r.stdout.clone()),
                (format!("stderr of {:?}", r.args), r.stderr.clone()),
            ]
        })
        .collect();
    for f in [&t, &ledger, &reg, &page] {
        haystacks.push((f.display().to_string(), fs::read_to_string(f).unwrap()));
    }
    let md = sdkit(["transcript", "render"]).arg(&t).run();
    md.code(OK);
    haystacks.push(("rendered transcript".into(), md.stdout.clone()));
    let page = d.join("record.html");
    sdkit(["transcript", "render"])
        .arg(&t)
        .arg("--html")
        .arg(&page)
        .run()
        .code(OK);
    haystacks.push(("printed record".into(), fs::read_to_string(&page).unwrap()));
    let secrets = known_secrets();
    let mut checked = 0;
    for (what, text) in &haystacks {
        let lower = text.to_lowercase();
        for (name, fs_) in &secrets {
            for f in fs_ {
                checked += 1;
                assert!(
                    !text.contains(f.as_str()) && !lower.contains(&f.to_lowercase()),
                    "{name} ({f}) appears in {what}"
                );
            }
        }
    }
    assert!(checked > 1000, "checked {checked}");
}
