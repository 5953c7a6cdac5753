//! Custodian keys on PKCS#11 tokens, against SoftHSM 2 with a throw-away configuration and
//! token directory per test (never the user's): the real custodian keys imported into tokens
//! give exactly what the PEM files give (drill, recover, restore-blob, mixed quorums), and
//! every way a new user can get a token wrong is a clear input error with nothing written.
//!
//! SoftHSM (`softhsm2-util`, the module) and OpenSC's `pkcs11-tool` must be installed: the
//! tests fail, not skip, without them (`apt-get install softhsm2 opensc`).

use crate::common::*;
use crate::fixtures::*;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Where Debian's softhsm2 package puts the module.
const MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";
const PIN: &str = "4271953";
const SO_PIN: &str = "5678";

/// A throw-away SoftHSM: its configuration file and token directory in a temporary directory.
pub struct SoftHsm {
    pub dir: tempfile::TempDir,
    pub conf: PathBuf,
    pub pin_file: PathBuf,
}

fn require_tools() {
    let missing: Vec<&str> = ["softhsm2-util", "pkcs11-tool"]
        .into_iter()
        .filter(|t| Command::new(t).arg("--help").output().is_err())
        .collect();
    assert!(
        missing.is_empty() && Path::new(MODULE).is_file(),
        "the token tests need SoftHSM 2 and OpenSC ({missing:?} or {MODULE} missing): apt-get install softhsm2 opensc"
    );
}

fn run_tool(cmd: &mut Command) {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

impl SoftHsm {
    /// What a child process needs to see this SoftHSM (its config and module).
    fn terminal_env(&self) -> [(&'static str, &std::ffi::OsStr); 2] {
        [
            ("SOFTHSM2_CONF", self.conf.as_os_str()),
            ("SDKIT_PKCS11_MODULE", std::ffi::OsStr::new(MODULE)),
        ]
    }

    /// An empty SoftHSM (no token yet).
    pub fn new() -> SoftHsm {
        require_tools();
        let dir = tempdir();
        let tokens = dir.path().join("tokens");
        fs::create_dir(&tokens).unwrap();
        let conf = write_file(
            dir.path(),
            "softhsm2.conf",
            format!(
                "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
                tokens.display()
            ),
        );
        let pin_file = write_file(dir.path(), "pin.txt", format!("{PIN}\n"));
        SoftHsm {
            dir,
            conf,
            pin_file,
        }
    }

    fn tool(&self, name: &str) -> Command {
        let mut c = Command::new(name);
        c.env("SOFTHSM2_CONF", &self.conf);
        c
    }

    /// Initialises a token labelled `label` with the user PIN [`PIN`].
    pub fn init_token(&self, label: &str) -> &Self {
        run_tool(self.tool("softhsm2-util").args([
            "--init-token",
            "--free",
            "--label",
            label,
            "--pin",
            PIN,
            "--so-pin",
            SO_PIN,
        ]));
        self
    }

    /// Imports a PEM private key as `label` with CKA_ID `id` (one byte).
    pub fn import_key(&self, token: &str, pem: &Path, label: &str, id: u8) -> &Self {
        run_tool(
            self.tool("softhsm2-util")
                .arg("--import")
                .arg(pem)
                .args(["--token", token, "--label", label, "--id"])
                .arg(format!("{id:02x}"))
                .args(["--pin", PIN]),
        );
        self
    }

    /// Stores a certificate (any encoding sdkit reads; written to the token as DER).
    pub fn import_cert(&self, token: &str, cert: &Path, label: &str, id: u8) -> &Self {
        let der = sdkit_certs::load_certificate(&fs::read(cert).unwrap())
            .unwrap()
            .der()
            .to_vec();
        let der_path = write_file(self.dir.path(), &format!("{label}.der"), der);
        run_tool(
            self.tool("pkcs11-tool")
                .args([
                    "--module",
                    MODULE,
                    "--token-label",
                    token,
                    "--login",
                    "--pin",
                    PIN,
                ])
                .arg("--write-object")
                .arg(&der_path)
                .args(["--type", "cert", "--label", label, "--id"])
                .arg(format!("{id:02x}")),
        );
        self
    }

    /// `sdkit <args>` with this SoftHSM's configuration, the module and the PIN file.
    pub fn sdkit(&self, args: &[&str]) -> Sdkit {
        sdkit(args)
            .env("SOFTHSM2_CONF", &self.conf)
            .env("SDKIT_PKCS11_MODULE", MODULE)
            .arg("--pin-file")
            .arg(&self.pin_file)
    }
}

/// The URI of key `id` on token `token`.
fn uri(token: &str, id: u8) -> String {
    format!("pkcs11:token={token};id=%{id:02X};type=private")
}

/// The three real custodian keys on two tokens: sd1 and sd3 on "alice" (sd3 without its
/// certificate: found by trial decryption), sd2 on "bob".
fn real_custodians() -> SoftHsm {
    let h = SoftHsm::new();
    h.init_token("alice")
        .import_key("alice", &key(1), "sd1", 1)
        .import_cert("alice", &cert(1), "sd1", 1)
        .import_key("alice", &key(3), "sd3", 3);
    h.init_token("bob")
        .import_key("bob", &key(2), "sd2", 2)
        .import_cert("bob", &cert(2), "sd2", 2);
    h
}

fn token_keys() -> [String; 3] {
    [uri("alice", 1), uri("bob", 2), uri("alice", 3)]
}

/// The drill's JSON without what names the keys (paths and how they were matched).
fn drill_facts(j: &serde_json::Value) -> serde_json::Value {
    let shares: Vec<_> = j["holders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["status"].clone(),
                h["share"].clone(),
                h["x5t_256"].clone(),
            )
        })
        .collect();
    serde_json::json!({
        "items": j["items"],
        "required": j["required"],
        "basis_x": j["basis_x"],
        "every_quorum_agrees": j["every_quorum_agrees"],
        "ok": j["ok"],
        "shares": shares,
    })
}

#[test]
fn real_sds_through_tokens_equal_the_pem_files() {
    let h = real_custodians();
    let t = tempdir();
    let uris = token_keys();
    for sd in BOTH {
        // Drill: same items, same digests, same shares as with the PEM files.
        let by_token = h.sdkit(&["drill"]).arg(sd.path()).keys(&uris).json().run();
        by_token.code(OK);
        let by_file = sdkit(["drill"])
            .arg(sd.path())
            .keys(&[key(1), key(2), key(3)])
            .json()
            .run();
        by_file.code(OK);
        assert_eq!(drill_facts(&by_token.json()), drill_facts(&by_file.json()));
        let text = h.sdkit(&["drill"]).arg(sd.path()).keys(&uris).run();
        text.code(OK)
            .out_has(&["drill passed", "matched by its certificate"]);

        // Recover: the same files, byte for byte.
        let a = t.path().join(format!("{}-token", sd.file));
        let b = t.path().join(format!("{}-pem", sd.file));
        h.sdkit(&["recover"])
            .arg(sd.path())
            .keys(&uris[..2])
            .arg("--out-dir")
            .arg(&a)
            .run()
            .code(OK);
        sdkit(["recover"])
            .arg(sd.path())
            .keys(&[key(1), key(2)])
            .arg("--out-dir")
            .arg(&b)
            .run()
            .code(OK);
        assert_eq!(tree(&a), tree(&b));
        for f in tree(&a) {
            assert_eq!(fs::read(a.join(&f)).unwrap(), fs::read(b.join(&f)).unwrap());
        }

        // Restore blob through the tokens, opened with the exchange key: the same plaintexts.
        let blob = t.path().join(format!("{}-blob.json", sd.file));
        restore_blob(
            &sd.path(),
            &[PathBuf::from(&uris[1]), PathBuf::from(&uris[2])],
            &oracle_cert(),
            &blob,
        )
        .env("SOFTHSM2_CONF", &h.conf)
        .env("SDKIT_PKCS11_MODULE", MODULE)
        .arg("--pin-file")
        .arg(&h.pin_file)
        .run()
        .code(OK);
        let opened = t.path().join(format!("{}-opened", sd.file));
        sdkit(["open-blob"])
            .arg(&blob)
            .arg("--exchange-private-key")
            .arg(oracle_key())
            .arg("--out-dir")
            .arg(&opened)
            .run()
            .code(OK);
        for f in tree(&b) {
            assert_eq!(
                fs::read(b.join(&f)).unwrap(),
                fs::read(opened.join(&f)).unwrap()
            );
        }
    }
}

#[test]
fn mixed_quorum_and_check_and_uri_attributes() {
    let h = real_custodians();
    // One token key, one PEM file.
    h.sdkit(&["drill"])
        .arg(SD2023.path())
        .arg("--key")
        .arg(uri("bob", 2))
        .arg("--key")
        .arg(key(3))
        .run()
        .code(OK)
        .out_has(&["drill passed"]);
    // check, with module-path and pin-source in the URI and nothing else.
    let full = format!(
        "pkcs11:token=alice;object=sd1?module-path={MODULE}&pin-source=file://{}",
        h.pin_file.display()
    );
    sdkit(["check"])
        .arg(SD2020.path())
        .arg("--key")
        .arg(&full)
        .env("SOFTHSM2_CONF", &h.conf)
        .run()
        .code(OK)
        .out_has(&["opens share", "matched by its certificate"]);
    // A key without a certificate on the token: found by trying, with a warning saying how
    // to store the certificate.
    h.sdkit(&["check"])
        .arg(SD2023.path())
        .arg("--key")
        .arg(uri("alice", 3))
        .run()
        .code(OK)
        .err_has(&["no certificate on its token", "--write-object"]);
}

#[test]
fn tokens_lists_keys_with_uris_that_work() {
    let h = real_custodians();
    let r = h.sdkit(&["tokens"]).json().run();
    r.code(OK);
    let j = r.json();
    assert_eq!(j["command"], "tokens");
    let tokens = j["tokens"].as_array().unwrap();
    assert_eq!(tokens.len(), 2);
    let alice = tokens.iter().find(|t| t["label"] == "alice").unwrap();
    assert_eq!(alice["logged_in"], true);
    let keys = alice["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 2);
    for k in keys {
        assert_eq!(k["private_key"], true);
        assert_eq!(k["bits"], 2048);
    }
    let sd3 = keys.iter().find(|k| k["id"] == "03").unwrap();
    assert!(sd3["certificate"].is_null());
    let sd1 = keys.iter().find(|k| k["id"] == "01").unwrap();
    assert_eq!(
        sd1["certificate"]["x5t_256"],
        sdkit_certs::load_certificate(&fs::read(cert(1)).unwrap())
            .unwrap()
            .thumbprint()
            .to_base64url()
    );
    let printed = sd1["uri"].as_str().unwrap();
    h.sdkit(&["check"])
        .arg(SD2023.path())
        .arg("--key")
        .arg(printed)
        .run()
        .code(OK);
    // Without logging in, the text says how to see the private keys.
    sdkit(["tokens"])
        .env("SOFTHSM2_CONF", &h.conf)
        .env("SDKIT_PKCS11_MODULE", MODULE)
        .run()
        .code(OK)
        .out_has(&["alice", "--login", "pkcs11:token=alice;id=%01;type=private"]);
}

#[test]
fn a_new_users_mistakes_are_clear_input_errors_and_write_nothing() {
    let h = real_custodians();
    let t = tempdir();
    let out = t.path().join("out");
    let bad_pin = write_file(t.path(), "bad-pin.txt", "97531864\n");
    let empty = SoftHsm::new();
    let recover = |key: &str, extra: &[&str]| {
        let mut s = sdkit(["recover"])
            .arg(SD2023.path())
            .arg("--key")
            .arg(key)
            .arg("--key")
            .arg(key_path_2())
            .arg("--out-dir")
            .arg(&out)
            .env("SOFTHSM2_CONF", &h.conf);
        for a in extra {
            s = s.arg(a);
        }
        s
    };
    let pin = h.pin_file.to_str().unwrap();
    let cases: Vec<(Sdkit, Vec<&str>)> = vec![
        (
            recover(&uri("alice", 1), &["--pkcs11-module", MODULE, "--pin-file"]).arg(&bad_pin),
            vec!["token \"alice\"", "refused the pin", "lock"],
        ),
        (
            recover(
                &uri("alice", 9),
                &["--pkcs11-module", MODULE, "--pin-file", pin],
            ),
            vec!["no rsa private key", "sdkit tokens --login"],
        ),
        (
            recover(
                &uri("carol", 1),
                &["--pkcs11-module", MODULE, "--pin-file", pin],
            ),
            vec!["no token matches", "alice", "bob"],
        ),
        (
            recover(
                &uri("alice", 1),
                &["--pkcs11-module", MODULE, "--pin-file", pin],
            )
            .env("SOFTHSM2_CONF", &empty.conf),
            vec!["no token is present", "insert the token"],
        ),
        (
            recover(
                &uri("alice", 1),
                &["--pkcs11-module", "/bin/ls", "--pin-file", pin],
            ),
            vec![
                "/bin/ls cannot be loaded as a pkcs#11 module",
                "vendor's pkcs#11 module",
            ],
        ),
        (
            recover(
                &uri("alice", 1),
                &["--pkcs11-module", &libc_path(), "--pin-file", pin],
            ),
            vec!["cannot be loaded as a pkcs#11 module", "c_getfunctionlist"],
        ),
        (
            recover(
                &uri("alice", 1),
                &["--pkcs11-module", "/nonexistent/pkcs11.so"],
            ),
            vec!["no such file"],
        ),
        (
            recover(&uri("alice", 1), &["--pin-file", pin]),
            vec!["no pkcs#11 module", "sdkit_pkcs11_module"],
        ),
        (
            recover(&uri("alice", 1), &["--pkcs11-module", MODULE]),
            vec!["needs its pin and none was given", "--pin-file"],
        ),
        (
            recover(
                "pkcs11:token=alice;id=%01?pin-value=24681357",
                &["--pkcs11-module", MODULE],
            ),
            vec!["pin-value is refused", "shell history"],
        ),
    ];
    for (cmd, says) in cases {
        let r = cmd.run();
        r.code(INPUT).err_has(&says);
        for secret in ["97531864", "24681357"] {
            assert!(!r.stderr.contains(secret), "a PIN was printed\n{r}");
        }
        assert!(!out.exists(), "something was written\n{r}");
    }
}

fn key_path_2() -> PathBuf {
    key(2)
}

/// The C library: a shared library that is not a PKCS#11 module.
fn libc_path() -> String {
    [
        "/lib/x86_64-linux-gnu/libc.so.6",
        "/lib/aarch64-linux-gnu/libc.so.6",
        "/lib64/libc.so.6",
        "/usr/lib/libc.so.6",
    ]
    .into_iter()
    .find(|p| Path::new(p).is_file())
    .expect("libc.so.6 not found")
    .to_owned()
}

#[test]
fn open_blob_with_the_exchange_key_on_a_token() {
    let h = SoftHsm::new();
    h.init_token("hsm-drill")
        .import_key("hsm-drill", &oracle_key(), "exchange", 7);
    let t = tempdir();
    let out = t.path().join("opened");
    h.sdkit(&["open-blob"])
        .arg(tv(
            "azure-sd/cli-oracle/restore-blob_sd-2023-11-07_sd1-sd2.json",
        ))
        .arg("--exchange-private-key")
        .arg(uri("hsm-drill", 7))
        .arg("--out-dir")
        .arg(&out)
        .run()
        .code(OK);
    assert_eq!(tree(&out).len(), 3);
}

/// The `Access:` lines `pkcs11-tool` prints for the token's private keys.
fn private_key_access(h: &SoftHsm, token: &str) -> Vec<String> {
    let out = h
        .tool("pkcs11-tool")
        .args([
            "--module",
            MODULE,
            "--token-label",
            token,
            "--login",
            "--pin",
            PIN,
        ])
        .args(["--list-objects", "--type", "privkey"])
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.trim_start().starts_with("Access:"))
        .map(|l| l.trim().to_owned())
        .collect()
}

#[test]
fn keygen_on_the_token_then_split_and_drill() {
    let h = SoftHsm::new();
    h.init_token("custodians");
    let t = tempdir();
    let dir = t.path().join("certs");
    let r = h
        .sdkit(&[
            "keygen",
            "--holders",
            "3",
            "--bits",
            "2048",
            "--prefix",
            "c",
        ])
        .arg("--out-dir")
        .arg(&dir)
        .arg("--pkcs11")
        .arg("pkcs11:token=custodians")
        .json()
        .slow()
        .run();
    r.code(OK);
    let j = r.json();
    let holders = j["holders"].as_array().unwrap();
    assert_eq!(holders.len(), 3);
    for (i, hd) in holders.iter().enumerate() {
        assert_eq!(hd["key"], uri("custodians", u8::try_from(i + 1).unwrap()));
        assert_eq!(hd["key_on_token"], true);
        assert_eq!(hd["key_bits"], 2048);
    }
    // Only the certificates are on disk.
    let files: Vec<PathBuf> = tree(&dir).into_iter().collect();
    assert_eq!(
        files,
        ["c1.cer", "c2.cer", "c3.cer"].map(PathBuf::from).to_vec()
    );
    // The private keys: sensitive, never extractable.
    let access = private_key_access(&h, "custodians");
    assert_eq!(access.len(), 3, "{access:?}");
    for a in &access {
        assert!(
            a.contains("sensitive") && a.contains("never extractable"),
            "{a}"
        );
    }
    // The certificates on the token are the files, and give the thumbprints.
    let certs: Vec<PathBuf> = (1..=3).map(|i| dir.join(format!("c{i}.cer"))).collect();
    let secret = write_file(t.path(), "secret.bin", [7u8; 48]);
    let sd = t.path().join("sd.json");
    split(&format!("root={}", secret.display()), &certs, 2, &sd)
        .run()
        .code(OK);
    let r = h
        .sdkit(&["drill"])
        .arg(&sd)
        .arg("--key")
        .arg(uri("custodians", 1))
        .arg("--key")
        .arg(uri("custodians", 3))
        .run();
    r.code(OK)
        .out_has(&["drill passed", "matched by its certificate"]);

    // A second run with the same labels is refused before any key is made; nothing written.
    let again = t.path().join("again");
    h.sdkit(&[
        "keygen",
        "--holders",
        "2",
        "--bits",
        "2048",
        "--prefix",
        "c",
    ])
    .arg("--out-dir")
    .arg(&again)
    .arg("--pkcs11")
    .arg("pkcs11:token=custodians")
    .run()
    .code(INPUT)
    .err_has(&["already holds an object", "another --prefix"]);
    assert!(!again.exists());
    assert_eq!(private_key_access(&h, "custodians").len(), 3);
}

#[test]
fn reshare_from_token_keys_to_new_certificates() {
    let h = real_custodians();
    let t = tempdir();
    let new_sd = t.path().join("new-sd.json");
    h.sdkit(&["reshare"])
        .arg(SD2023.path())
        .arg("--key")
        .arg(uri("alice", 1))
        .arg("--key")
        .arg(uri("bob", 2))
        .certs(&[cert(1), cert(2), cert(3)])
        .arg("--quorum")
        .arg("2")
        .arg("--out")
        .arg(&new_sd)
        .run()
        .code(OK);
    // The new SD opens with a token key and a file key, and holds the same items.
    let r = h
        .sdkit(&["drill"])
        .arg(&new_sd)
        .arg("--key")
        .arg(uri("alice", 3))
        .arg("--key")
        .arg(key(2))
        .json()
        .run();
    r.code(OK);
    let items = r.json()["items"].clone();
    for (i, (tag, bytes, _)) in SD2023.items.iter().enumerate() {
        assert_eq!(items[i]["tag"], *tag);
        assert_eq!(items[i]["bytes"], *bytes);
    }
}

#[test]
fn the_pin_is_asked_once_per_token_naming_it() {
    let h = real_custodians();
    // Two keys on "alice", one on "bob": two prompts, in key order.
    let args: Vec<String> = [
        "drill".to_owned(),
        SD2023.path().display().to_string(),
        "--key".to_owned(),
        uri("alice", 1),
        "--key".to_owned(),
        uri("bob", 2),
        "--key".to_owned(),
        uri("alice", 3),
    ]
    .to_vec();
    let out = on_a_terminal(&args, &h.terminal_env(), &format!("{PIN}\n{PIN}\n"));
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(OK), "{text}");
    assert_eq!(text.matches("PIN for token \"alice\"").count(), 1, "{text}");
    assert_eq!(text.matches("PIN for token \"bob\"").count(), 1, "{text}");
    // The terminal echoes what the test types ahead, before sdkit turns echo off; after the
    // last prompt the PIN must appear nowhere.
    let after = &text[text.rfind("PIN for token").unwrap()..];
    assert!(!after.contains(PIN), "the PIN was printed:\n{text}");
    // A wrong PIN typed at the prompt: an input error, no second try (tokens lock).
    let check: Vec<String> = [
        "check".to_owned(),
        SD2023.path().display().to_string(),
        "--key".to_owned(),
        uri("alice", 1),
    ]
    .to_vec();
    let out = on_a_terminal(&check, &h.terminal_env(), "0000000\n");
    let text = unfold(&String::from_utf8_lossy(&out.stdout));
    assert_eq!(out.status.code(), Some(INPUT), "{text}");
    assert!(text.contains("refused the pin"), "{text}");
}
