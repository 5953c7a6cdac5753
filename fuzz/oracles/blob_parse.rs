// The `blob_parse` oracle, shared by `fuzz/fuzz_targets/blob_parse.rs` and the corpus replay
// in `crates/sdkit-core/tests/it/fuzz_corpus.rs` (both `include!` this file; keep it free of
// inner attributes and `//!` comments).
//
// `RestoreBlob::parse` on arbitrary bytes must not panic; what it accepts must survive its own
// serialization (`parse(to_json())` succeeds, re-serializes identically, same items, wrapped
// key and thumbprint, and only findings the original had, never `Wrapped`, `UnknownField` or
// `KdfMissing`). Small accepted blobs are also opened with a fixed RSA key (the caller's; both
// use the cli-oracle exchange key): `open` must not panic and reports one result per item.

use sdkit_core::blob::RestoreBlob;
use sdkit_core::domain::Finding;

/// RSA decryption is slow: only blobs up to this size are opened.
pub const OPEN_MAX_BYTES: usize = 32 * 1024;

/// What the oracle saw in one input.
#[derive(Debug, PartialEq, Eq)]
pub enum BlobOutcome {
    Refused,
    Parsed,
    /// Opened with the fixed key; how many items authenticated.
    Opened {
        authentic: usize,
    },
}

pub fn oracle(data: &[u8], key: &dyn sdkit_core::OaepDecryptKey) -> BlobOutcome {
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
    // (No let chain: the main workspace's MSRV predates them.)
    let opened = if data.len() <= OPEN_MAX_BYTES {
        blob.open(key).ok()
    } else {
        None
    };
    if let Some(items) = opened {
        assert_eq!(items.len(), blob.items().len());
        for (opened, item) in items.iter().zip(blob.items()) {
            assert_eq!(opened.tag, item.tag);
        }
        let authentic = items.iter().filter(|i| i.plaintext.is_ok()).count();
        return BlobOutcome::Opened { authentic };
    }
    BlobOutcome::Parsed
}
