//! SP 800-108 counter-mode KDF with HMAC-SHA-512, as Azure derives each item's key.
//!
//! `K(i) = HMAC-SHA-512(master, [i]_32 ‖ label ‖ 0x00 ‖ context ‖ [L]_32)`, with the item
//! tag as label, an empty context and L = 512, so one block gives the 64-byte A256CBC-HS512
//! key. This module builds the fixed input; the counter-mode PRF is the build's crypto
//! provider (`provider`: RustCrypto's `kbkdf`, or AWS-LC's `KBKDF_ctr_hmac` in a `fips`
//! build), checked against NIST CAVP vectors below. Only one block is ever needed (the `az`
//! CLI's own loop is wrong for L > 512, and only L = 512 is used).

use crate::provider;
use crate::secret::{CEK_LEN, Cek, MasterKey};

/// `label ‖ 0x00 ‖ context ‖ [L]_32`, L in bits.
fn fixed_input(label: &[u8], context: &[u8], out_bytes: usize) -> Vec<u8> {
    let l_bits = (out_bytes as u32).wrapping_mul(8);
    let mut fixed = Vec::with_capacity(label.len() + 1 + context.len() + 4);
    fixed.extend_from_slice(label);
    fixed.push(0);
    fixed.extend_from_slice(context);
    fixed.extend_from_slice(&l_bits.to_be_bytes());
    fixed
}

/// Derives the A256CBC-HS512 key that protects the SD item labelled `tag`.
pub fn derive_item_key(master: &MasterKey, tag: &str) -> Cek {
    let fixed = fixed_input(tag.as_bytes(), &[], CEK_LEN);
    let derived = provider::kbkdf_ctr_hmac_sha512_block(master.expose(), &fixed);
    // Invariant: one HMAC-SHA-512 block is CEK_LEN bytes. Copied straight into the key's
    // own allocation; `derived` wipes itself.
    #[allow(clippy::expect_used)]
    Cek::from_slice(&derived[..]).expect("one KBKDF block is CEK_LEN bytes")
}

/// Counter-mode derivation for test vectors: `out_len` bytes (at most one block; the first
/// block's prefix is the whole output for such lengths), with the fixed input either built
/// from label/context (with the separator and [L]) or passed raw as `label`.
#[cfg(test)]
pub(crate) fn derive_generic(
    key: &[u8],
    label: &[u8],
    context: &[u8],
    raw_fixed_input: bool,
    out_len: usize,
) -> Vec<u8> {
    let fixed = if raw_fixed_input {
        label.to_vec()
    } else {
        fixed_input(label, context, out_len)
    };
    assert!(out_len <= CEK_LEN, "test vectors ask for one block at most");
    provider::kbkdf_ctr_hmac_sha512_block(key, &fixed)[..out_len].to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_vector_l512_hsm_backup() {
        let cek = derive_item_key(&MasterKey::from_bytes([0x41; 32]), "hsm_backup");
        assert_eq!(
            hex::encode(cek.expose()),
            "869a099ed737965bc2f07dae28b75a7d030315bc3a6f08cf0d9598bca6a4d596\
             3408c6dedfd6e3d300d68b8dfc79918a1939b7216ea25184f145d97c26e797c7"
        );
    }

    #[test]
    fn reference_vector_l256_label_context() {
        let out = derive_generic(&[0x41; 32], b"label", b"context", false, 32);
        assert_eq!(
            hex::encode(out),
            "f0ca51f6308791404bf68b56024ee7c64d6c737716f81d47e1e68b5c4e399575"
        );
    }

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
                assert!(matches!(l, 128 | 160 | 256 | 320), "unexpected L = {l}");
                let out = derive_generic(&ki, &fixed, &[], true, l / 8);
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
