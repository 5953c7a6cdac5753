//! sdkit-core's integration tests, as one test binary (one link instead of one per file).
//! Each module was once its own `tests/*.rs` file; run one with a name filter, e.g.
//! `cargo test -p sdkit-core --test it real_sd::`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod fixtures;

mod build_sd;
mod domain_errors;
mod error_sources;
mod fuzz_corpus;
mod parse_cost;
mod real_sd;
mod reshare;
mod restore_blob;
mod shamir_props;
mod split_recover;
mod wycheproof_hmac_sha512;
mod wycheproof_oaep_decode;
mod wycheproof_rsa_oaep;
