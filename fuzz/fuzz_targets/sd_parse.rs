//! Fuzz target `sd_parse`: the oracle (what must hold beyond "never panic") is
//! `fuzz/oracles/sd_parse.rs`, shared with the corpus replay in `cargo test`.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod oracle {
    include!("../oracles/sd_parse.rs");
}

fuzz_target!(|data: &[u8]| {
    let _ = oracle::oracle(data);
});
