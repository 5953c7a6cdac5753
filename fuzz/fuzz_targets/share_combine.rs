//! Fuzz target `share_combine`: the oracle (what must hold beyond "never panic") is
//! `fuzz/oracles/share_combine.rs`, shared with the corpus replay in `cargo test`.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod oracle {
    include!("../oracles/share_combine.rs");
}

fuzz_target!(|data: &[u8]| {
    let _ = oracle::oracle(data);
});
