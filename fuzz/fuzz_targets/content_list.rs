//! Fuzz target `content_list`: the oracle (what must hold beyond "never panic") is
//! `fuzz/oracles/content_list.rs`, shared with the corpus replay in `cargo test`.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod oracle {
    include!("../oracles/content_list.rs");
}

fuzz_target!(|data: &[u8]| {
    let _ = oracle::oracle(data);
});
