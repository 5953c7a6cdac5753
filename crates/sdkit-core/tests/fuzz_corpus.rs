//! Replays every input in `fuzz/corpus/<target>/` (seeds and any crash inputs kept there)
//! through the oracle of `fuzz/fuzz_targets/<target>.rs`, for the sdkit-core targets
//! `sd_parse`, `blob_parse`, `jwe`, `share_combine` and `chain_logs`, so `cargo test` guards
//! what fuzzing found without the main workspace depending on libfuzzer. (`pem_der_keys` is
//! replayed by `crates/sdkit-certs/tests/fuzz_corpus.rs`.) Each oracle below is a copy of its
//! target's body that also returns what it saw; keep the two in step.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use rsa::pkcs8::DecodePrivateKey;
use sdkit_core::blob::RestoreBlob;
use sdkit_core::domain::Finding;
use sdkit_core::jwe::{ALG_DIR, CompactJwe, ENC_A256CBC_HS512};
use sdkit_core::shamir::{self, Quorum, Share, ShareSet};
use sdkit_core::{Cek, SecurityDomain, SysRng, chain, share};
use serde_json::{Map, Value};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use zeroize::Zeroizing;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fuzz/corpus");

/// The fixed RSA key of the `blob_parse` and `jwe` targets (the cli-oracle exchange key).
fn key() -> &'static rsa::PrivateKey {
    static KEY: OnceLock<rsa::PrivateKey> = OnceLock::new();
    KEY.get_or_init(|| {
        rsa::PrivateKey::from_pkcs8_pem(include_str!(
            "../../../test-vectors/azure-sd/cli-oracle/oracle-exchange-key.pem"
        ))
        .unwrap()
    })
}

// ---------------------------------------------------------------------------------------------
// sd_parse

/// The fuzz target's body: never panic; what parses must re-serialize to a fixed point.
/// Returns whether the input was accepted.
fn sd_parse_oracle(data: &[u8]) -> bool {
    let Ok(sd) = SecurityDomain::parse(data) else {
        return false;
    };
    let json = sd.to_json();
    let again = match SecurityDomain::parse(json.as_bytes()) {
        Ok(again) => again,
        Err(e) => panic!("to_json output does not parse: {e}"),
    };
    assert_eq!(again.to_json(), json, "re-serialization differs");
    assert_eq!(again.items(), sd.items());
    assert_eq!(again.shares(), sd.shares());
    assert_eq!(again.quorum(), sd.quorum());
    assert_eq!(again.version(), sd.version());
    true
}

// ---------------------------------------------------------------------------------------------
// blob_parse

/// RSA decryption is slow: only blobs up to this size are opened.
const OPEN_MAX_BYTES: usize = 32 * 1024;

#[derive(Debug, PartialEq, Eq)]
enum BlobOutcome {
    Refused,
    Parsed,
    /// Opened with the fixed key; how many items authenticated.
    Opened {
        authentic: usize,
    },
}

fn blob_parse_oracle(data: &[u8]) -> BlobOutcome {
    let Ok(blob) = RestoreBlob::parse(data) else {
        return BlobOutcome::Refused;
    };
    let json = blob.to_json();
    let again = match RestoreBlob::parse(json.as_bytes()) {
        Ok(again) => again,
        Err(e) => panic!("to_json output does not parse: {e}"),
    };
    assert_eq!(again.to_json(), json, "re-serialization differs");
    assert_eq!(again.items(), blob.items());
    assert_eq!(again.wrapped_key(), blob.wrapped_key());
    assert_eq!(again.exchange_thumbprint(), blob.exchange_thumbprint());
    for f in again.findings() {
        assert!(
            !matches!(
                f,
                Finding::Wrapped | Finding::UnknownField(_) | Finding::KdfMissing
            ),
            "to_json wrote something that parses with {f:?}"
        );
        assert!(blob.findings().contains(f), "new finding {f:?}");
    }
    if data.len() <= OPEN_MAX_BYTES {
        if let Ok(items) = blob.open(key()) {
            assert_eq!(items.len(), blob.items().len());
            for (opened, item) in items.iter().zip(blob.items()) {
                assert_eq!(opened.tag, item.tag);
            }
            let authentic = items.iter().filter(|i| i.plaintext.is_ok()).count();
            return BlobOutcome::Opened { authentic };
        }
    }
    BlobOutcome::Parsed
}

// ---------------------------------------------------------------------------------------------
// jwe

/// The fixed content key of the `jwe` target: bytes 0, 1, …, 63.
fn cek() -> Cek {
    Cek::from_bytes(core::array::from_fn(|i| i as u8))
}

#[derive(Debug, Default, PartialEq, Eq)]
struct JweOutcome {
    parsed: bool,
    dir_decrypted: bool,
    rsa_decrypted: bool,
}

fn jwe_oracle(data: &[u8]) -> JweOutcome {
    let mut out = JweOutcome::default();
    let Ok(text) = core::str::from_utf8(data) else {
        return out;
    };
    let cek = cek();
    if let Ok(jwe) = CompactJwe::parse(text) {
        assert_eq!(jwe.as_compact(), text, "as_compact differs from the input");
        let again = CompactJwe::parse(text).expect("parses twice");
        assert_eq!(again, jwe);
        let _ = jwe.part_lengths();
        out.parsed = true;
        out.dir_decrypted = jwe.decrypt_dir(&cek).is_ok();
        out.rsa_decrypted = jwe.decrypt_rsa_oaep_256(key()).is_ok();
    }
    let kid_end = text.char_indices().nth(64).map_or(text.len(), |(i, _)| i);
    let kid = &text[..kid_end];
    let sealed = CompactJwe::encrypt_dir(&cek, kid, data, &mut SysRng).expect("OS RNG works");
    let back = CompactJwe::parse(&sealed.as_compact()).expect("encrypt_dir output parses");
    assert_eq!(back.header().alg, ALG_DIR);
    assert_eq!(back.header().enc, ENC_A256CBC_HS512);
    assert_eq!(back.header().kid.as_deref(), Some(kid));
    assert!(back.header().other_members.is_empty());
    let plain = back.decrypt_dir(&cek).expect("decrypts under its own key");
    assert_eq!(plain.expose(), data);
    out
}

// ---------------------------------------------------------------------------------------------
// share_combine

const MAX_SHARES: usize = 32;

#[derive(Debug, Default, PartialEq, Eq)]
struct ShareOutcome {
    /// Hex of the recombined secret.
    secret: Option<String>,
    /// What `off_polynomial` named.
    off: Vec<u8>,
}

fn share_combine_oracle(data: &[u8]) -> ShareOutcome {
    let mut out = ShareOutcome::default();
    let [required, words, payload @ ..] = data else {
        return out;
    };
    let required = usize::from(*required);
    let chunk = 2 * (usize::from(*words) + 1);
    let mut shares = Vec::new();
    for c in payload.chunks(chunk).take(MAX_SHARES) {
        let Ok(s) = share::decode(c) else {
            continue;
        };
        assert_eq!(&share::encode(&s)[..], c, "encode(decode(x)) != x");
        let rebuilt = Share::new(usize::from(s.x()), Zeroizing::new(s.values().to_vec()))
            .expect("a decoded share is a valid share");
        assert_eq!(rebuilt.values(), s.values());
        shares.push(s);
    }
    let Ok(set) = ShareSet::new(shares.clone()) else {
        return out;
    };
    let combined = set.combine(required);
    let off = set.off_polynomial(required);
    let need = required.max(2).min(set.len());
    for x in &off {
        assert!(
            set.shares()[need..].iter().any(|s| s.x() == *x),
            "off_polynomial named x = {x}, not a share after the basis"
        );
    }
    if let Ok(secret) = &combined {
        assert_eq!(secret.len(), set.secret_len());
    }
    if off.is_empty() && set.len() > need {
        let mut reversed = shares;
        reversed.reverse();
        let reversed = ShareSet::new(reversed).expect("same shares, other order");
        assert_eq!(
            reversed.combine(required),
            combined,
            "shares on one polynomial recombine differently"
        );
    }
    if let Ok(secret) = &combined {
        let quorum = Quorum::new(need, need + 1).expect("2 <= need <= 32");
        let fresh = shamir::split(secret, quorum, &mut SysRng).expect("split");
        for s in &fresh {
            let bytes = share::encode(s);
            let back = share::decode(&bytes).expect("encoded shares decode");
            assert_eq!(back.values(), s.values());
        }
        let fresh = ShareSet::new(fresh).expect("split makes a valid set");
        assert_eq!(&fresh.combine(need).expect("recombines"), secret);
        assert!(fresh.off_polynomial(need).is_empty());
        out.secret = Some(secret.iter().map(|b| format!("{b:02x}")).collect());
    }
    out.off = off;
    out
}

// ---------------------------------------------------------------------------------------------
// chain_logs

const KINDS: [&str; 2] = ["sdkit-drill-ledger", "sdkit-transcript"];

fn last_line_hash(log: &[u8]) -> String {
    match core::str::from_utf8(log)
        .ok()
        .and_then(|t| t.strip_suffix('\n'))
    {
        Some(body) => chain::line_hash(body.rsplit('\n').next().unwrap_or(body)),
        None => chain::GENESIS.to_owned(),
    }
}

/// Per kind in [`KINDS`], how many records verified (`None`: the log does not verify).
fn chain_logs_oracle(data: &[u8]) -> [Option<usize>; 2] {
    let mut out = [None; 2];
    for (k, kind) in KINDS.into_iter().enumerate() {
        let Ok(records) = chain::verify(data, kind) else {
            continue;
        };
        out[k] = Some(records.len());
        let record = records.last().cloned().unwrap_or_else(|| {
            let mut m = Map::new();
            m.insert("n".into(), Value::from(0));
            m
        });
        let mut log = data.to_vec();
        let mut expected = records;
        for round in 0..2 {
            let prev = last_line_hash(&log);
            let rec = if round == 0 {
                record.clone()
            } else {
                Map::new()
            };
            let (line, hash) =
                chain::append_line(&log, kind, rec).expect("appending to a log that verifies");
            let body = line
                .strip_suffix('\n')
                .expect("the line ends with a newline");
            assert!(!body.contains('\n'), "the line has an inner newline");
            assert_eq!(hash, chain::line_hash(body));
            log.extend_from_slice(line.as_bytes());
            let after = chain::verify(&log, kind).expect("the appended log verifies");
            assert_eq!(after.len(), expected.len() + 1);
            assert_eq!(after[..expected.len()], expected[..]);
            let new = &after[expected.len()];
            assert_eq!(new.get("type").and_then(Value::as_str), Some(kind));
            assert_eq!(new.get("prev").and_then(Value::as_str), Some(prev.as_str()));
            assert_eq!(last_line_hash(&log), hash);
            expected = after;
        }
    }
    out
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
    let results = replay("sd_parse", 10, sd_parse_oracle);
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
    let results = replay("blob_parse", 8, blob_parse_oracle);
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
    let results = replay("jwe", 8, jwe_oracle);
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
        "extra-member-padded.jwe",
    ] {
        assert_eq!(
            *result_of(&results, parsed_only),
            outcome(true, false, false),
            "{parsed_only}"
        );
    }
    for refused in ["three-parts.jwe", "bad-base64.jwe"] {
        assert!(!result_of(&results, refused).parsed, "{refused}");
    }
}

#[test]
fn replay_share_combine_corpus() {
    let results = replay("share_combine", 6, share_combine_oracle);
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
    let results = replay("chain_logs", 6, chain_logs_oracle);
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
