//! SP 800-108 counter-mode KDF with HMAC-SHA-512, as Azure derives each item's key.
//!
//! `K(i) = HMAC-SHA-512(master, [i]_32 ‖ label ‖ 0x00 ‖ context ‖ [L]_32)`, with the item
//! tag as label, an empty context and L = 512, so one block gives the 64-byte A256CBC-HS512
//! key. The construction is RustCrypto's `kbkdf` crate; this module fixes its parameters.
//! (The `az` CLI's own loop is wrong for L > 512; only L = 512 is ever used, and `kbkdf`
//! implements the standard construction for every L.)

use crate::secret::{Cek, MasterKey};
use hmac::Hmac;
use kbkdf::{Counter, Kbkdf, Params};
use sha2::Sha512;
use zeroize::Zeroize;

type HmacSha512 = Hmac<Sha512>;

/// Output-size marker for the 64-byte CEK.
struct CekSize;
impl hmac::digest::common::KeySizeUser for CekSize {
    type KeySize = hmac::digest::consts::U64;
}

/// Derives the A256CBC-HS512 key that protects the SD item labelled `tag`.
pub fn derive_item_key(master: &MasterKey, tag: &str) -> Cek {
    let counter = Counter::<HmacSha512, CekSize>::default();
    let params = Params::builder(master.expose())
        .with_label(tag.as_bytes())
        .with_context(&[])
        .build();
    // kbkdf refuses only when the output needs more than 2^32-1 blocks; 64 bytes is one.
    let mut derived = match counter.derive(params) {
        Ok(d) => d,
        Err(_) => unreachable_one_block(),
    };
    // Straight into the key's own allocation: no stack copy to wipe.
    let cek = Cek::from_slice(derived.as_slice());
    derived.as_mut_slice().zeroize();
    // Invariant: the output size is `CekSize`, 64 bytes, exactly a CEK.
    #[allow(clippy::expect_used)]
    cek.expect("the KBKDF output is CEK_LEN bytes")
}

#[cold]
fn unreachable_one_block() -> ! {
    // Invariant: a 512-bit output is a single HMAC-SHA-512 block, far below kbkdf's limit of
    // 2^32-1 blocks for a 32-bit counter, so `derive` cannot fail here.
    unreachable!("one-block KBKDF output refused")
}

/// Generic counter-mode derivation for test vectors: any output size `K`, with the fixed input
/// either built from label/context (with the separator and [L]) or passed raw as `label`.
#[cfg(test)]
pub(crate) fn derive_generic<K>(
    key: &[u8],
    label: &[u8],
    context: &[u8],
    raw_fixed_input: bool,
) -> Vec<u8>
where
    K: hmac::digest::common::KeySizeUser,
    K::KeySize: hmac::digest::array::ArraySize + core::ops::Mul<hmac::digest::consts::U8>,
    <K::KeySize as core::ops::Mul<hmac::digest::consts::U8>>::Output:
        hmac::digest::typenum::Unsigned,
{
    let counter = Counter::<HmacSha512, K>::default();
    let params = Params::builder(key)
        .with_label(label)
        .with_context(context)
        .use_l(!raw_fixed_input)
        .use_separator(!raw_fixed_input)
        .build();
    counter
        .derive(params)
        .map(|a| a.to_vec())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use hmac::digest::consts::{U16, U20, U32, U40};

    #[test]
    fn reference_vector_l512_hsm_backup() {
        let cek = derive_item_key(&MasterKey::from_bytes([0x41; 32]), "hsm_backup");
        assert_eq!(
            hex::encode(cek.expose()),
            "869a099ed737965bc2f07dae28b75a7d030315bc3a6f08cf0d9598bca6a4d596\
             3408c6dedfd6e3d300d68b8dfc79918a1939b7216ea25184f145d97c26e797c7"
        );
    }

    struct S32;
    impl hmac::digest::common::KeySizeUser for S32 {
        type KeySize = U32;
    }

    #[test]
    fn reference_vector_l256_label_context() {
        let out = derive_generic::<S32>(&[0x41; 32], b"label", b"context", false);
        assert_eq!(
            hex::encode(out),
            "f0ca51f6308791404bf68b56024ee7c64d6c737716f81d47e1e68b5c4e399575"
        );
    }

    macro_rules! size {
        ($name:ident, $n:ty) => {
            struct $name;
            impl hmac::digest::common::KeySizeUser for $name {
                type KeySize = $n;
            }
        };
    }
    size!(B16, U16);
    size!(B20, U20);
    size!(B40, U40);

    /// NIST CAVP KDFCTR_gen.rsp, PRF=HMAC_SHA512, CTRLOCATION=BEFORE_FIXED, RLEN=32_BITS.
    #[test]
    fn nist_cavp_hmac_sha512_counter_before_fixed_32bit() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../test-vectors/nist-kbkdf/KDFCTR_gen.rsp"
        );
        let text = std::fs::read_to_string(path).expect("vendored NIST KBKDF vectors");
        let mut in_section = false;
        let (mut l, mut ki, mut fixed) = (0usize, Vec::new(), Vec::new());
        let mut ran = 0;
        for line in text.lines().map(str::trim) {
            if line.starts_with('[') {
                if line.starts_with("[PRF=") {
                    in_section = line == "[PRF=HMAC_SHA512]";
                } else if line.starts_with("[CTRLOCATION=") {
                    in_section &= line == "[CTRLOCATION=BEFORE_FIXED]";
                } else if line.starts_with("[RLEN=") {
                    in_section &= line == "[RLEN=32_BITS]";
                }
                continue;
            }
            if !in_section {
                continue;
            }
            if let Some(v) = line.strip_prefix("L = ") {
                l = v.parse().expect("L");
            } else if let Some(v) = line.strip_prefix("KI = ") {
                ki = hex::decode(v).expect("KI");
            } else if let Some(v) = line.strip_prefix("FixedInputData = ") {
                fixed = hex::decode(v).expect("FixedInputData");
            } else if let Some(v) = line.strip_prefix("KO = ") {
                let out = match l {
                    128 => derive_generic::<B16>(&ki, &fixed, &[], true),
                    160 => derive_generic::<B20>(&ki, &fixed, &[], true),
                    256 => derive_generic::<S32>(&ki, &fixed, &[], true),
                    320 => derive_generic::<B40>(&ki, &fixed, &[], true),
                    other => panic!("unexpected L = {other}"),
                };
                assert_eq!(hex::encode(out), v.to_lowercase(), "L = {l}");
                ran += 1;
            }
        }
        assert_eq!(
            ran, 40,
            "expected the 40 HMAC_SHA512 BEFORE_FIXED RLEN=32 cases"
        );
    }
}
