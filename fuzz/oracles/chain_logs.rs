// The `chain_logs` oracle, shared by `fuzz/fuzz_targets/chain_logs.rs` and the corpus replay
// in `crates/sdkit-core/tests/it/fuzz_corpus.rs` (both `include!` this file; keep it free of
// inner attributes and `//!` comments).
//
// `chain::verify` on arbitrary bytes, for both log kinds, must not panic; a log that verifies
// must accept `append_line` (of its own last record, or of a fixed one when empty) and then
// verify with one more record: the old records unchanged, the new one of the right type and
// chained to the old last line, its hash the one returned. A second append chains on the
// first.

use sdkit_core::chain;
use serde_json::{Map, Value};

pub const KINDS: [&str; 2] = ["sdkit-drill-ledger", "sdkit-transcript"];

fn last_line_hash(log: &[u8]) -> String {
    match core::str::from_utf8(log)
        .ok()
        .and_then(|t| t.strip_suffix('\n'))
    {
        Some(body) => chain::line_hash(body.rsplit('\n').next().unwrap_or(body)).to_hex(),
        None => chain::GENESIS.to_owned(),
    }
}

/// Per kind in [`KINDS`], how many records verified (`None`: the log does not verify).
pub fn oracle(data: &[u8]) -> [Option<usize>; 2] {
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
            assert_eq!(last_line_hash(&log), hash.to_hex());
            expected = after;
        }
    }
    out
}
