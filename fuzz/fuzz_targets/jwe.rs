//! `CompactJwe::parse` on arbitrary text must not panic; what it accepts must give back the
//! input byte for byte from `as_compact`, and parse again to an equal value. Decryption with a
//! fixed CEK (`decrypt_dir`) and a fixed RSA key (`decrypt_rsa_oaep_256`, the cli-oracle
//! exchange key) must not panic. Independently, `encrypt_dir` under the fixed CEK with the
//! input as plaintext and a prefix of it as `kid` must parse back with that `kid` and decrypt
//! to the input. (Replayed over `corpus/jwe/` by `crates/sdkit-core/tests/fuzz_corpus.rs`;
//! keep the two in step.)
#![no_main]

use libfuzzer_sys::fuzz_target;
use sdkit_core::jwe::{ALG_DIR, CompactJwe, ENC_A256CBC_HS512};
use sdkit_core::{Cek, SysRng};
use std::sync::OnceLock;

const KEY_PEM: &str =
    include_str!("../../test-vectors/azure-sd/cli-oracle/oracle-exchange-key.pem");

fn key() -> &'static sdkit_certs::PrivateKey {
    static KEY: OnceLock<sdkit_certs::PrivateKey> = OnceLock::new();
    KEY.get_or_init(|| {
        sdkit_certs::load_private_key(KEY_PEM.as_bytes(), None).expect("the test key loads")
    })
}

/// The fixed content key: bytes 0, 1, …, 63 (the corpus has JWEs made with it).
fn cek() -> Cek {
    Cek::from_bytes(core::array::from_fn(|i| i as u8))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    let cek = cek();
    if let Ok(jwe) = CompactJwe::parse(text) {
        assert_eq!(jwe.as_compact(), text, "as_compact differs from the input");
        let again = CompactJwe::parse(text).expect("parses twice");
        assert_eq!(again, jwe);
        let _ = jwe.part_lengths();
        let _ = jwe.decrypt_dir(&cek);
        let _ = jwe.decrypt_rsa_oaep_256(key().rsa());
    }
    let kid_end = text.char_indices().nth(64).map_or(text.len(), |(i, _)| i);
    let kid = &text[..kid_end];
    let sealed = CompactJwe::encrypt_dir(&cek, kid, data, &mut SysRng).expect("OS RNG works");
    let back = CompactJwe::parse(&sealed.as_compact()).expect("encrypt_dir output parses");
    assert_eq!(back.header().alg, ALG_DIR);
    assert_eq!(back.header().enc, ENC_A256CBC_HS512);
    assert_eq!(back.header().kid.as_deref(), Some(kid));
    assert!(back.header().other_members.is_empty());
    let plain = back.decrypt_dir(&cek).expect("decrypts under its own key");
    assert_eq!(plain.expose(), data);
});
