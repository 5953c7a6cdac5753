//! Replays every input in `fuzz/corpus/pem_der_keys/` (seeds and any crash inputs kept there)
//! through the oracle of `fuzz/fuzz_targets/pem_der_keys.rs`, so `cargo test` guards what
//! fuzzing found without the main workspace depending on libfuzzer. The oracle is not a copy:
//! it is `fuzz/oracles/pem_der_keys.rs`, included both here and by the fuzz target, and returns
//! what it saw so the test below can check what known seeds must give.

use pem_der_keys::Outcome;
use sdkit_certs::KeyLoadError;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

mod pem_der_keys {
    include!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fuzz/oracles/pem_der_keys.rs"
    ));
}

const CORPUS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fuzz/corpus/pem_der_keys"
);

fn corpus_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(Path::new(CORPUS))
        .unwrap()
        .map(|f| f.unwrap().path())
        .filter(|f| {
            f.is_file()
                && !f
                    .file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with('.'))
        })
        .collect();
    files.sort();
    files
}

#[test]
fn replay_pem_der_keys_corpus() {
    let files = corpus_files();
    assert!(
        files.len() >= 20,
        "the pem_der_keys seed corpus is missing: {} files",
        files.len()
    );
    let mut results = Vec::new();
    for f in &files {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        let data = std::fs::read(f).unwrap();
        let start = Instant::now();
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| pem_der_keys::oracle(&data)))
            .unwrap_or_else(|_| panic!("fuzz/corpus/pem_der_keys/{name} fails the oracle"));
        let took = start.elapsed();
        if took > Duration::from_secs(1) {
            eprintln!("slow input: fuzz/corpus/pem_der_keys/{name} took {took:?}");
        }
        results.push((name, outcome));
    }
    let of = |name: &str| -> &Outcome {
        results
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, o)| o)
            .unwrap_or_else(|| panic!("corpus file {name} is missing"))
    };
    for key in [
        "sd1.pkcs1.pem",
        "sd1.pkcs8.der",
        "sd1.pkcs1.der",
        "sd1.crlf.pem",
        "sd1.cert-then-key.pem",
    ] {
        assert_eq!(of(key).key, Ok(()), "{key}");
        assert!(of(key).key_with_pw, "{key}");
    }
    // Encrypted with the passphrase "pw": refused without it, loaded with it.
    for key in ["sd2.pbkdf2-1iter-pw.pem", "sd2.pbkdf2-1iter-pw.der"] {
        assert_eq!(of(key).key, Err(KeyLoadError::PassphraseRequired), "{key}");
        assert!(of(key).key_with_pw, "{key}");
    }
    // Encrypted with another passphrase.
    for key in [
        "sd1.pbkdf2-aes256.der",
        "sd1.pbkdf2-sha1-aes128.pem",
        "sd1.scrypt-aes256.pem",
    ] {
        if crate::fixtures::FIPS && key.contains("scrypt") {
            assert!(
                matches!(of(key).key, Err(KeyLoadError::NotFipsApproved { .. })),
                "{key}"
            );
            continue;
        }
        assert_eq!(of(key).key, Err(KeyLoadError::PassphraseRequired), "{key}");
        assert!(!of(key).key_with_pw, "{key}");
    }
    for cert in [
        "sd1.cer.der",
        "sd1.cer.text.pem",
        "sd1.cert-then-key.pem",
        "ec-p256.cer",
        "sdex-az-65col.pem",
    ] {
        assert!(of(cert).cert, "{cert}");
    }
    assert!(of("transfer-key-response-2020.json").jwk_cert);
    assert_eq!(of("sd1.cert-then-key.pem").pem_blocks, Some(2));
    assert_eq!(of("garbage.txt").pem_blocks, Some(0));
    assert!(matches!(
        of("garbage.txt").key,
        Err(KeyLoadError::NotAKey { .. })
    ));
}
