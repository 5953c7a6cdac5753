//! Parsing cost grows linearly with the number of items: a file near the size limit holding
//! hundreds of thousands of tiny items must not stall `inspect` or `recover`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use sdkit_core::SecurityDomain;
use sdkit_core::domain::DomainError;
use std::time::{Duration, Instant};

const SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../test-vectors/azure-sd/sd-2023-11-07_15e0e830.json"
);

/// The real sample's `SharedKeys` with `n` minimal data items (`dir` header, empty parts),
/// each tagged `t<i>`; when `dup` the last item repeats the first tag.
fn many_items(n: usize, dup: bool) -> Vec<u8> {
    let sample: serde_json::Value =
        serde_json::from_slice(&std::fs::read(SAMPLE).unwrap()).unwrap();
    let shared = sample["SharedKeys"].to_string();
    let header = sdkit_core::b64::encode(br#"{"alg":"dir","enc":"A256CBC-HS512"}"#);
    let mut out = String::with_capacity(n * 80 + shared.len() + 100);
    out.push_str(r#"{"EncData":{"data":["#);
    for i in 0..n {
        if i > 0 {
            out.push(',');
        }
        let tag = if dup && i == n - 1 { 0 } else { i };
        out.push_str(&format!(
            r#"{{"compact_jwe":"{header}....","tag":"t{tag}"}}"#
        ));
    }
    out.push_str(r#"],"kdf":"sp108_kdf"},"SharedKeys":"#);
    out.push_str(&shared);
    out.push_str(r#","version":2}"#);
    out.into_bytes()
}

#[test]
fn many_items_parse_in_linear_time() {
    // 200 000 items (~16 MB). With a quadratic duplicate-tag scan this took minutes
    // (40 000 items already took ~5 s); linearly it takes about a second.
    const N: usize = 200_000;
    let bytes = many_items(N, false);
    let start = Instant::now();
    let sd = SecurityDomain::parse(&bytes).unwrap();
    let took = start.elapsed();
    assert_eq!(sd.items().len(), N);
    assert!(
        took < Duration::from_secs(20),
        "{N} items took {took:?}: parsing is not linear"
    );

    let bytes = many_items(N, true);
    let start = Instant::now();
    assert_eq!(
        SecurityDomain::parse(&bytes).unwrap_err(),
        DomainError::DuplicateTag { tag: "t0".into() }
    );
    assert!(start.elapsed() < Duration::from_secs(20));
}
