//! Fuzz target `pem_der_keys`: the oracle (what must hold beyond "never panic") is
//! `fuzz/oracles/pem_der_keys.rs`, shared with the corpus replay in `cargo test`.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod oracle {
    include!("../oracles/pem_der_keys.rs");
}

fuzz_target!(|data: &[u8]| {
    let _ = oracle::oracle(data);
});
