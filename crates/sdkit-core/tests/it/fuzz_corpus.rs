//! Replays every input in `fuzz/corpus/<target>/` (seeds and any crash inputs kept there)
//! through the oracle of `fuzz/fuzz_targets/<target>.rs`, for the sdkit-core targets
//! `sd_parse`, `blob_parse`, `jwe`, `share_combine`, `chain_logs` and `content_list`, so `cargo test` guards
//! what fuzzing found without the main workspace depending on libfuzzer. (`pem_der_keys` is
//! replayed by `crates/sdkit-certs/tests/it/fuzz_corpus.rs`.) The oracles are not copies: each is
//! `fuzz/oracles/<target>.rs`, included both here and by its fuzz target, and returns what it
//! saw so the tests below can check what known seeds must give.

use crate::fixtures::rsa_key;
use blob_parse::BlobOutcome;
use jwe::JweOutcome;
use sdkit_core::content::{ContentList, ContentListError};
use share_combine::ShareOutcome;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

mod sd_parse {
    include!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fuzz/oracles/sd_parse.rs"
    ));
}
mod blob_parse {
    include!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fuzz/oracles/blob_parse.rs"
    ));
}
mod jwe {
    include!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fuzz/oracles/jwe.rs"
    ));
}
mod share_combine {
    include!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fuzz/oracles/share_combine.rs"
    ));
}
mod chain_logs {
    include!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fuzz/oracles/chain_logs.rs"
    ));
}
mod content_list {
    include!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fuzz/oracles/content_list.rs"
    ));
}

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fuzz/corpus");

/// The fixed RSA key of the `blob_parse` and `jwe` targets (the cli-oracle exchange key).
fn key() -> &'static rsa::PrivateKey {
    static KEY: OnceLock<rsa::PrivateKey> = OnceLock::new();
    KEY.get_or_init(|| rsa_key("cli-oracle/oracle-exchange-key.pem"))
}

// ---------------------------------------------------------------------------------------------
// replay

/// The non-hidden files of `fuzz/corpus/<target>/`, sorted.
fn corpus_files(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(CORPUS).join(target);
    let mut files = Vec::new();
    for f in std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|f| f.unwrap().path())
    {
        let hidden = f
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if f.is_file() && !hidden {
            files.push(f);
        }
    }
    files.sort();
    files
}

/// Runs `oracle` on every corpus file of `target` (at least `min_files`; a panic names the
/// file) and returns each file's name with the oracle's result. Inputs slower than a second
/// are reported on stderr.
fn replay<T>(target: &str, min_files: usize, oracle: impl Fn(&[u8]) -> T) -> Vec<(String, T)> {
    let files = corpus_files(target);
    assert!(
        files.len() >= min_files.max(1),
        "the {target} seed corpus is missing: {} files",
        files.len()
    );
    let mut out = Vec::new();
    for f in &files {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        let data = std::fs::read(f).unwrap();
        let start = Instant::now();
        let result = std::panic::catch_unwind(AssertUnwindSafe(|| oracle(&data)))
            .unwrap_or_else(|_| panic!("fuzz/corpus/{target}/{name} fails the {target} oracle"));
        let took = start.elapsed();
        if took > Duration::from_secs(1) {
            eprintln!("slow input: fuzz/corpus/{target}/{name} took {took:?}");
        }
        out.push((name, result));
    }
    out
}

fn result_of<'a, T>(results: &'a [(String, T)], name: &str) -> &'a T {
    results
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, r)| r)
        .unwrap_or_else(|| panic!("corpus file {name} is missing"))
}

#[test]
fn replay_sd_parse_corpus() {
    let results = replay("sd_parse", 10, sd_parse::oracle);
    // The seeds that must parse do; the rest exercise the error paths.
    for must in [
        "real-sd-2020-09-15.json",
        "real-sd-2023-11-07.json",
        "min-valid.json",
        "min-wrapped.json",
        "min-odd-fields.json",
        "min-2of2-padded.json",
    ] {
        assert!(*result_of(&results, must), "{must} was refused");
    }
    for must_not in [
        "dup-key.json",
        "required-string.json",
        "required-float.json",
        "truncated.json",
    ] {
        assert!(!*result_of(&results, must_not), "{must_not} was accepted");
    }
}

#[test]
fn replay_blob_parse_corpus() {
    let results = replay("blob_parse", 8, |d| blob_parse::oracle(d, key()));
    // The real `az` blob and a small sealed one open with the fixed key, every item authentic.
    assert_eq!(
        *result_of(&results, "real-az-restore-blob-2023.json"),
        BlobOutcome::Opened { authentic: 3 }
    );
    assert_eq!(
        *result_of(&results, "sealed-small-oracle-key.json"),
        BlobOutcome::Opened { authentic: 2 }
    );
    assert_eq!(
        *result_of(&results, "sealed-wrapped.json"),
        BlobOutcome::Opened { authentic: 1 }
    );
    assert_eq!(
        *result_of(&results, "odd-fields-no-kdf.json"),
        BlobOutcome::Opened { authentic: 2 }
    );
    // The real upload body parses but was made for the HSM's own exchange key.
    assert_eq!(
        *result_of(&results, "real-upload-request-2020.json"),
        BlobOutcome::Parsed
    );
    for refused in [
        "truncated.json",
        "wrong-alg-wrapped-key.json",
        "bad-thumbprint.json",
    ] {
        assert_eq!(
            *result_of(&results, refused),
            BlobOutcome::Refused,
            "{refused}"
        );
    }
}

#[test]
fn replay_jwe_corpus() {
    let results = replay("jwe", 8, |d| jwe::oracle(d, key()));
    let outcome = |parsed, dir_decrypted, rsa_decrypted| JweOutcome {
        parsed,
        dir_decrypted,
        rsa_decrypted,
    };
    assert_eq!(
        *result_of(&results, "dir-fixed-cek.jwe"),
        outcome(true, true, false)
    );
    assert_eq!(
        *result_of(&results, "dir-fixed-cek-empty-odd-kid.jwe"),
        outcome(true, true, false)
    );
    assert_eq!(
        *result_of(&results, "rsa-oaep-oracle-key.jwe"),
        outcome(true, false, true)
    );
    for parsed_only in [
        "real-dir-item.jwe",
        "real-share-rsa-oaep.jwe",
        "extra-member-harmless.jwe",
    ] {
        assert_eq!(
            *result_of(&results, parsed_only),
            outcome(true, false, false),
            "{parsed_only}"
        );
    }
    // extra-member-padded.jwe asks for "zip": refused at parse (RFC 7516), as "crit" is.
    for refused in [
        "three-parts.jwe",
        "bad-base64.jwe",
        "extra-member-padded.jwe",
    ] {
        assert!(!result_of(&results, refused).parsed, "{refused}");
    }
}

#[test]
fn replay_share_combine_corpus() {
    let results = replay("share_combine", 6, share_combine::oracle);
    // The real 2023 shares (sd1, sd2, sd3; share 3 holds a y = 256 word) give the master key
    // that test-vectors/azure-sd/README.md records, in either order.
    let master = "ac57c2ec05b73881b9e3a9f806122dacf276fc3479b8247aba6cf75d6b7a0163";
    for name in ["real-2023-2of3.bin", "real-2023-shares-3-1.bin"] {
        let r = result_of(&results, name);
        assert_eq!(r.secret.as_deref(), Some(master), "{name}");
        assert!(r.off.is_empty(), "{name}");
    }
    assert_eq!(
        result_of(&results, "split-3of5.bin").secret.as_deref(),
        Some(hex::encode(b"0123456789abcdef").as_str())
    );
    assert_eq!(result_of(&results, "split-3of5-one-corrupt.bin").off, [5]);
    assert_eq!(
        result_of(&results, "split-2of2-1byte.bin")
            .secret
            .as_deref(),
        Some("07")
    );
    assert_eq!(
        *result_of(&results, "duplicate-x.bin"),
        ShareOutcome::default()
    );
}

#[test]
fn replay_chain_logs_corpus() {
    let results = replay("chain_logs", 6, chain_logs::oracle);
    assert_eq!(
        *result_of(&results, "ledger-3-drills.jsonl"),
        [Some(3), None]
    );
    assert_eq!(
        *result_of(&results, "transcript-4-commands.jsonl"),
        [None, Some(4)]
    );
    assert_eq!(*result_of(&results, "crlf-one-line.jsonl"), [None, Some(1)]);
    assert_eq!(*result_of(&results, "empty.jsonl"), [Some(0), Some(0)]);
    for broken in [
        "ledger-truncated.jsonl",
        "ledger-line-removed.jsonl",
        "ledger-edited.jsonl",
    ] {
        assert_eq!(*result_of(&results, broken), [None, None], "{broken}");
    }
}

#[test]
fn replay_content_list_corpus() {
    let results = replay("content_list", 15, content_list::oracle);
    // Real reports: a drill of the 2023 SD, `open-blob` of its `az` restore blob, and a
    // reshare of it; and made ones that must be read.
    for (must, items) in [
        ("drill-2023.json", 3),
        ("open-blob-2023.json", 3),
        ("reshare-2023.json", 3),
        ("min-one-item.json", 1),
        ("odd-tags-extra-members.json", 3),
        ("uppercase-digest.json", 1),
        // serde_json keeps the last of two equal keys.
        ("duplicate-key.json", 1),
    ] {
        assert_eq!(*result_of(&results, must), Ok(items), "{must}");
    }
    // The three real reports list the same contents, tag by tag, in order.
    let list = |name: &str| {
        ContentList::from_report_json(
            &std::fs::read(Path::new(CORPUS).join("content_list").join(name)).unwrap(),
        )
        .unwrap()
    };
    assert_eq!(list("drill-2023.json"), list("open-blob-2023.json"));
    assert_eq!(list("drill-2023.json"), list("reshare-2023.json"));

    let no_digest = |tag: &str| ContentListError::NoDigest { tag: tag.into() };
    for (refused, why) in [
        (
            "drill-item-not-authentic.json",
            no_digest("base_enclave_backup"),
        ),
        ("digest-63-digits.json", no_digest("a")),
        ("digest-not-hex.json", no_digest("a")),
        ("digest-number.json", no_digest("a")),
        (
            "duplicate-tag.json",
            ContentListError::DuplicateTag { tag: "a".into() },
        ),
        ("tag-not-string.json", ContentListError::NoTag { index: 1 }),
        ("empty-items.json", ContentListError::NoItems),
        ("items-not-array.json", ContentListError::NoItems),
        ("top-level-array.json", ContentListError::NotJson),
        ("deep-nesting.json", ContentListError::NotJson),
        ("not-utf8.bin", ContentListError::NotJson),
        ("drill-2023-truncated.json", ContentListError::NotJson),
    ] {
        assert_eq!(*result_of(&results, refused), Err(why), "{refused}");
    }
}
