//! Nothing leaked: every output of every command (stdout, stderr, JSON, transcript, ledger,
//! rendered record) is searched for known secret bytes in hex, base64 and base64url.

use crate::common::*;
use crate::fixtures::*;
use base64ct::{Base64, Base64UrlUnpadded, Encoding};
use sdkit_core::kdf::derive_item_key;
use sdkit_core::recover::{self, HolderKey};
use sdkit_core::{MasterKey, SecurityDomain};
use std::fs;

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

#[test]
fn no_command_output_contains_secret_bytes() {
    let dir = tempdir();
    let d = dir.path();
    let t = d.join("transcript.jsonl");
    let ledger = d.join("ledger.jsonl");
    let pass = write_file(d, "pass.txt", format!("{FIXTURE_PASSPHRASE}\n"));
    let sd = SD2023.path();
    let mut runs = Vec::new();
    for json in [false, true] {
        let j = |s: Sdkit| if json { s.json() } else { s };
        let tr = |args: &[&str]| {
            sdkit(["--transcript"])
                .arg(&t)
                .arg(args[0])
                .args_more(&args[1..])
        };
        runs.push(
            j(tr(&["inspect"])
                .arg(&sd)
                .certs(&[cert(1), cert(2), cert(3)]))
            .run(),
        );
        for i in 1..=3 {
            runs.push(j(tr(&["check"]).arg(&sd).arg("--key").arg(key(i))).run());
        }
        runs.push(
            j(tr(&["drill", "--exhaustive"])
                .arg(&sd)
                .keys(&[key(1), key(2), key(3)])
                .arg("--ledger")
                .arg(&ledger))
            .run(),
        );
        runs.push(
            j(tr(&["check"])
                .arg(&sd)
                .arg("--key")
                .arg(key(2))
                .arg("--ledger")
                .arg(&ledger))
            .run(),
        );
        runs.push(
            j(tr(&["recover"])
                .arg(&sd)
                .keys(&[key(1), key(3)])
                .arg("--out-dir")
                .arg(d.join(format!("rec{json}"))))
            .run(),
        );
        runs.push(
            j(tr(&["check"])
                .arg(&sd)
                .arg("--key")
                .arg(fixture("sd1.pbkdf2-aes256.pem"))
                .arg("--passphrase-file")
                .arg(&pass))
            .run(),
        );
        runs.push(
            j(tr(&["restore-blob"])
                .arg(&sd)
                .keys(&[key(1), key(2)])
                .arg("--exchange-key")
                .arg(oracle_cert())
                .arg("--out")
                .arg(d.join(format!("blob{json}.json"))))
            .run(),
        );
        runs.push(
            j(tr(&["open-blob"])
                .arg(d.join(format!("blob{json}.json")))
                .arg("--exchange-private-key")
                .arg(oracle_key())
                .arg("--out-dir")
                .arg(d.join(format!("opened{json}"))))
            .run(),
        );
        // Failures print messages too: a wrong passphrase and a tampered item.
        let wrong = write_file(d, "wrong.txt", "not it\n");
        runs.push(
            j(sdkit(["check"])
                .arg(&sd)
                .arg("--key")
                .arg(fixture("sd1.pbkdf2-aes256.pem"))
                .arg("--passphrase-file")
                .arg(&wrong))
            .run(),
        );
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
    for f in [&t, &ledger] {
        haystacks.push((f.display().to_string(), fs::read_to_string(f).unwrap()));
    }
    let md = sdkit(["transcript", "render"]).arg(&t).run();
    md.code(OK);
    haystacks.push(("rendered transcript".into(), md.stdout.clone()));
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

trait ArgsMore {
    fn args_more(self, a: &[&str]) -> Self;
}

impl ArgsMore for Sdkit {
    fn args_more(mut self, a: &[&str]) -> Self {
        for x in a {
            self = self.arg(x);
        }
        self
    }
}
