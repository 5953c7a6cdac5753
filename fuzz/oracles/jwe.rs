// The `jwe` oracle, shared by `fuzz/fuzz_targets/jwe.rs` and the corpus replay in
// `crates/sdkit-core/tests/it/fuzz_corpus.rs` (both `include!` this file; keep it free of inner
// attributes and `//!` comments).
//
// `CompactJwe::parse` on arbitrary text must not panic; what it accepts must give back the
// input byte for byte from `as_compact`, and parse again to an equal value. Decryption with a
// fixed CEK (`decrypt_dir`) and a fixed RSA key (`decrypt_rsa_oaep_256`, the caller's; both use
// the cli-oracle exchange key) must not panic. Independently, `encrypt_dir` under the fixed CEK
// with the input as plaintext and a prefix of it as `kid` must parse back with that `kid` and
// decrypt to the input.

use sdkit_core::jwe::{ALG_DIR, CompactJwe, ENC_A256CBC_HS512};
use sdkit_core::{Cek, SysRng};

/// The fixed content key: bytes 0, 1, …, 63 (the corpus has JWEs made with it).
pub fn cek() -> Cek {
    Cek::from_bytes(core::array::from_fn(|i| i as u8))
}

/// What the oracle saw in one input.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct JweOutcome {
    pub parsed: bool,
    pub dir_decrypted: bool,
    pub rsa_decrypted: bool,
}

pub fn oracle(data: &[u8], key: &dyn sdkit_core::OaepDecryptKey) -> JweOutcome {
    let mut out = JweOutcome::default();
    let Ok(text) = core::str::from_utf8(data) else {
        return out;
    };
    let cek = cek();
    if let Ok(jwe) = CompactJwe::parse(text) {
        assert_eq!(jwe.as_compact(), text, "as_compact differs from the input");
        let again = CompactJwe::parse(text).expect("parses twice");
        assert_eq!(again, jwe);
        let _ = jwe.part_lengths();
        out.parsed = true;
        out.dir_decrypted = jwe.decrypt_dir(&cek).is_ok();
        out.rsa_decrypted = jwe.decrypt_rsa_oaep_256(key).is_ok();
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
    out
}
