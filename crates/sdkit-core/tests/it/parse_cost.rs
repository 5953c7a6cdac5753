//! Parsing cost stays bounded: at most `MAX_ITEMS` items are read (more are refused by
//! count), and the duplicate-tag check over them is a set, not a scan (`domain.rs`).
//!
//! No wall-clock bound is asserted (no test may depend on timing).

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
fn the_most_items_parse_and_more_are_refused() {
    // MAX_ITEMS items, every one kept; the one duplicate tag, the last item's, found; one
    // more item is refused by count. (The 200 000 items this test once parsed are now
    // refused: docs/SECURITY.md, "Bounded inputs".)
    let n = sdkit_core::domain::MAX_ITEMS;
    let bytes = many_items(n, false);
    let sd = SecurityDomain::parse(&bytes).unwrap();
    assert_eq!(sd.items().len(), n);

    let bytes = many_items(n, true);
    assert_eq!(
        SecurityDomain::parse(&bytes).unwrap_err(),
        DomainError::DuplicateTag { tag: "t0".into() }
    );
    assert_eq!(
        SecurityDomain::parse(&many_items(n + 1, false)).unwrap_err(),
        DomainError::TooManyItems { count: n + 1 }
    );
}
