//! Fuzz target `chain_logs`: the oracle (what must hold beyond "never panic") is
//! `fuzz/oracles/chain_logs.rs`, shared with the corpus replay in `cargo test`.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod oracle {
    include!("../oracles/chain_logs.rs");
}

fuzz_target!(|data: &[u8]| {
    let _ = oracle::oracle(data);
});
