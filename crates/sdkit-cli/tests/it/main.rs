//! sdkit-cli's integration tests, as one test binary (one link instead of one per file). They
//! run the real `sdkit` binary. Each module was once its own `tests/*.rs` file; run one with
//! a name filter, e.g. `cargo test -p sdkit-cli --test it bad_inputs::`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod fixtures;

mod bad_inputs;
mod custody;
mod evidence;
mod exchange_and_blob;
mod good_paths;
mod hostile_matrix;
mod hostile_text;
mod keygen;
mod no_leaks;
mod nothing_lost;
mod outage_and_audit;
mod outputs;
// A `fips` build refuses PKCS#12 files; `fips` tests that instead.
#[cfg(feature = "fips")]
mod fips;
#[cfg(not(feature = "fips"))]
mod pkcs12;
mod printed_record;
mod reshare;
mod review;
mod split;
mod tokens;
