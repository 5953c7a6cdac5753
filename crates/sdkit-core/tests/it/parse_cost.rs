//! Parsing cost grows linearly with the number of items: a file holding hundreds of
//! thousands of tiny items must not stall `inspect` or `recover`.
//!
//! No wall-clock bound is asserted (no test may depend on timing): the duplicate-tag check
//! is a set, not a scan (`domain.rs`), and with the quadratic scan it replaced this test ran
//! for minutes (40 000 items already took ~5 s; it now takes about a second), so a
//! regression shows as a test run that takes minutes rather than as a flaky failure.

use crate::fixtures::azure_sd;
use sdkit_core::SecurityDomain;
use sdkit_core::domain::DomainError;

/// The real sample's `SharedKeys` with `n` minimal data items (`dir` header, empty parts),
/// each tagged `t<i>`; when `dup` the last item repeats the first tag.
fn many_items(n: usize, dup: bool) -> Vec<u8> {
    let sample: serde_json::Value =
        serde_json::from_slice(&azure_sd("sd-2023-11-07_15e0e830.json")).unwrap();
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
fn many_items_parse() {
    // 200 000 items (~16 MB), every one kept; the one duplicate tag, the last item's, found.
    const N: usize = 200_000;
    let bytes = many_items(N, false);
    let sd = SecurityDomain::parse(&bytes).unwrap();
    assert_eq!(sd.items().len(), N);

    let bytes = many_items(N, true);
    assert_eq!(
        SecurityDomain::parse(&bytes).unwrap_err(),
        DomainError::DuplicateTag { tag: "t0".into() }
    );
}
