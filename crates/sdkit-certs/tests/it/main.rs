//! sdkit-certs' integration tests, as one test binary (one link instead of one per file).
//! Each module was once its own `tests/*.rs` file; run one with a name filter, e.g.
//! `cargo test -p sdkit-certs --test it private_keys::`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod fixtures;

mod certificates;
mod der_precedence;
mod fuzz_corpus;
mod generate;
mod interop_openssl;
mod interop_python;
mod no_secrets;
// A `fips` build refuses PKCS#12 files; `fips` tests that instead.
#[cfg(feature = "fips")]
mod fips;
#[cfg(not(feature = "fips"))]
mod pkcs12;
mod private_keys;
#[cfg(feature = "pkcs11")]
mod token;
mod transfer_key;
mod wycheproof_backend;
