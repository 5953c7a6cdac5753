//! A key on a PKCS#11 token (SoftHSM 2, throw-away configuration) as an `OaepDecryptKey`:
//! which decryption path the token takes, that it decrypts what the file key decrypts, that
//! every bad ciphertext is the one opaque error, and that several threads can share it.
//!
//! Needs `softhsm2` (apt-get install softhsm2 opensc): fails, not skips, without it.

use sdkit_certs::load_certificate;
use sdkit_certs::token::{Pkcs11Uri, TokenModule};
use sdkit_core::OaepDecryptKey;
use sdkit_core::aead::DecryptError;
use sha2::Sha256;
use std::path::Path;
use std::process::Command;

const MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";
const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../test-vectors/azure-sd");

/// A SoftHSM configuration in `dir` with one token "t" holding sd1.pem as id 01.
fn softhsm_with_sd1(dir: &Path) -> std::path::PathBuf {
    assert!(
        Path::new(MODULE).is_file(),
        "{MODULE} missing: apt-get install softhsm2 opensc"
    );
    let tokens = dir.join("tokens");
    std::fs::create_dir(&tokens).unwrap();
    let conf = dir.join("softhsm2.conf");
    std::fs::write(
        &conf,
        format!(
            "directories.tokendir = {}\nobjectstore.backend = file\n",
            tokens.display()
        ),
    )
    .unwrap();
    for args in [
        vec![
            "--init-token",
            "--free",
            "--label",
            "t",
            "--pin",
            "1234",
            "--so-pin",
            "5678",
        ],
        vec![
            "--import",
            &format!("{VECTORS}/sd1.pem"),
            "--token",
            "t",
            "--label",
            "sd1",
            "--id",
            "01",
            "--pin",
            "1234",
        ],
    ] {
        let out = Command::new("softhsm2-util")
            .env("SOFTHSM2_CONF", &conf)
            .args(&args)
            .output()
            .expect("softhsm2-util missing: apt-get install softhsm2 opensc");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    conf
}

#[test]
fn token_key_decrypts_oaep_sha256_via_raw_rsa_on_softhsm() {
    // SoftHSM reads SOFTHSM2_CONF when the module is initialised, once per process, and
    // setting the variable in this (multi-threaded) test process would be unsafe: the test
    // makes its token, then runs itself again as a child process with the variable set.
    if std::env::var_os("SDKIT_TOKEN_TEST_CHILD").is_none() {
        let dir = tempfile::tempdir().unwrap();
        let conf = softhsm_with_sd1(dir.path());
        let out = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "token::token_key_decrypts_oaep_sha256_via_raw_rsa_on_softhsm",
                "--nocapture",
            ])
            .env("SOFTHSM2_CONF", &conf)
            .env("SDKIT_TOKEN_TEST_CHILD", "1")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && stdout.contains("1 passed"),
            "{stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        return;
    }
    let module = TokenModule::load(Path::new(MODULE)).unwrap();
    let uri = Pkcs11Uri::parse("pkcs11:token=t;id=%01").unwrap();
    let token = module.find_token(&uri).unwrap();
    let key = module.open_key(&token, &uri, Some(b"1234")).unwrap();
    assert_eq!(key.bits(), 2048);
    assert_eq!(key.oaep_on_token(), None);

    let public = load_certificate(&std::fs::read(format!("{VECTORS}/sd1.cer")).unwrap())
        .unwrap()
        .rsa_public_key()
        .unwrap();
    let cts: Vec<(Vec<u8>, Vec<u8>)> = (0u8..16)
        .map(|i| {
            let msg = vec![i; usize::from(i) * 12];
            (public.oaep_encrypt::<Sha256>(&msg).unwrap(), msg)
        })
        .collect();
    assert_eq!(
        key.decrypt_oaep_sha256(&cts[3].0).unwrap().as_slice(),
        cts[3].1.as_slice()
    );
    // SoftHSM 2.6 implements CKM_RSA_PKCS_OAEP with SHA-1 only and refuses SHA-256
    // parameters: the key switched to raw RSA on the token and decoding on the host. (If a
    // SoftHSM release adds SHA-256 OAEP, this says Some(true) and the raw path needs another
    // test token.)
    assert_eq!(key.oaep_on_token(), Some(false));

    // Four threads share the key (one session behind a mutex).
    std::thread::scope(|s| {
        for t in 0..4 {
            let (key, cts) = (&key, &cts);
            s.spawn(move || {
                for (ct, msg) in cts.iter().skip(t).step_by(2) {
                    assert_eq!(
                        key.decrypt_oaep_sha256(ct).unwrap().as_slice(),
                        msg.as_slice()
                    );
                }
            });
        }
    });

    // Altered, short, long and all-zero ciphertexts: the one opaque error.
    let mut bad = cts[5].0.clone();
    bad[77] ^= 0x40;
    assert_eq!(key.decrypt_oaep_sha256(&bad), Err(DecryptError));
    assert_eq!(key.decrypt_oaep_sha256(&cts[5].0[1..]), Err(DecryptError));
    let mut long = cts[5].0.clone();
    long.push(0);
    assert_eq!(key.decrypt_oaep_sha256(&long), Err(DecryptError));
    assert_eq!(key.decrypt_oaep_sha256(&[0u8; 256]), Err(DecryptError));
    // A ciphertext above the modulus: refused by the token, same error.
    assert_eq!(key.decrypt_oaep_sha256(&[0xffu8; 256]), Err(DecryptError));
    // And still working afterwards.
    assert_eq!(
        key.decrypt_oaep_sha256(&cts[9].0).unwrap().as_slice(),
        cts[9].1.as_slice()
    );
}
