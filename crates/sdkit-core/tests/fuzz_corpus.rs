//! Replays every input in `fuzz/corpus/*/` (seeds and any crash inputs kept there) through
//! the oracle of `fuzz/fuzz_targets/sd_parse.rs`, so `cargo test` guards what fuzzing found
//! without the main workspace depending on libfuzzer. Keep the oracle in step with the target.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use sdkit_core::SecurityDomain;
use std::path::{Path, PathBuf};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fuzz/corpus");

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

fn corpus_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in std::fs::read_dir(CORPUS).unwrap() {
        let dir = dir.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(&dir).unwrap() {
            let f = f.unwrap().path();
            let hidden = f
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.'));
            if f.is_file() && !hidden {
                files.push(f);
            }
        }
    }
    files.sort();
    files
}

fn name(p: &Path) -> String {
    p.strip_prefix(CORPUS).unwrap_or(p).display().to_string()
}

#[test]
fn replay_fuzz_corpus() {
    let files = corpus_files();
    assert!(
        files.len() >= 10,
        "the seed corpus is missing: {} files",
        files.len()
    );
    let mut accepted = Vec::new();
    for f in &files {
        let data = std::fs::read(f).unwrap();
        let ok = std::panic::catch_unwind(|| sd_parse_oracle(&data))
            .unwrap_or_else(|_| panic!("{} fails the sd_parse oracle", name(f)));
        if ok {
            accepted.push(name(f));
        }
    }
    // The seeds that must parse do; the rest exercise the error paths.
    for must in [
        "sd_parse/real-sd-2020-09-15.json",
        "sd_parse/real-sd-2023-11-07.json",
        "sd_parse/min-valid.json",
        "sd_parse/min-wrapped.json",
        "sd_parse/min-odd-fields.json",
        "sd_parse/min-2of2-padded.json",
    ] {
        assert!(
            accepted.iter().any(|a| a == must),
            "{must} was refused or is missing"
        );
    }
    for must_not in [
        "sd_parse/dup-key.json",
        "sd_parse/required-string.json",
        "sd_parse/required-float.json",
        "sd_parse/truncated.json",
    ] {
        assert!(
            !accepted.iter().any(|a| a == must_not),
            "{must_not} was accepted"
        );
    }
}
