//! `RestoreBlob::parse` on arbitrary bytes must not panic; what it accepts must survive its
//! own serialization (`parse(to_json())` succeeds, re-serializes identically, same items,
//! wrapped key and thumbprint, and only findings the original had, never `Wrapped`,
//! `UnknownField` or `KdfMissing`). Small accepted blobs are also opened with a fixed RSA key
//! (the cli-oracle exchange key): `open` must not panic and reports one result per item.
//! (Replayed over `corpus/blob_parse/` by `crates/sdkit-core/tests/fuzz_corpus.rs`; keep the
//! two in step.)
#![no_main]

use libfuzzer_sys::fuzz_target;
use sdkit_core::blob::RestoreBlob;
use sdkit_core::domain::Finding;
use std::sync::OnceLock;

const KEY_PEM: &str =
    include_str!("../../test-vectors/azure-sd/cli-oracle/oracle-exchange-key.pem");

/// RSA decryption is slow: only blobs up to this size are opened.
const OPEN_MAX_BYTES: usize = 32 * 1024;

fn key() -> &'static sdkit_certs::PrivateKey {
    static KEY: OnceLock<sdkit_certs::PrivateKey> = OnceLock::new();
    KEY.get_or_init(|| {
        sdkit_certs::load_private_key(KEY_PEM.as_bytes(), None).expect("the test key loads")
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(blob) = RestoreBlob::parse(data) else {
        return;
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
    if data.len() <= OPEN_MAX_BYTES
        && let Ok(items) = blob.open(key().rsa())
    {
        assert_eq!(items.len(), blob.items().len());
        for (opened, item) in items.iter().zip(blob.items()) {
            assert_eq!(opened.tag, item.tag);
        }
    }
});
