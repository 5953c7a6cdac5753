//! Fuzz target `jwe`: the oracle (what must hold beyond "never panic") is
//! `fuzz/oracles/jwe.rs`, shared with the corpus replay in `cargo test`. The fixed RSA key is
//! the cli-oracle exchange key, loaded once.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

mod oracle {
    include!("../oracles/jwe.rs");
}

const KEY_PEM: &str =
    include_str!("../../test-vectors/azure-sd/cli-oracle/oracle-exchange-key.pem");

fn key() -> &'static sdkit_certs::PrivateKey {
    static KEY: OnceLock<sdkit_certs::PrivateKey> = OnceLock::new();
    KEY.get_or_init(|| {
        sdkit_certs::load_private_key(KEY_PEM.as_bytes(), None).expect("the test key loads")
    })
}

fuzz_target!(|data: &[u8]| {
    let _ = oracle::oracle(data, key());
});
