//! Wycheproof HMAC-SHA-512 vectors, including the 256-bit truncation that A256CBC-HS512 uses
//! for its tag, and a cross-check that `sdkit_core::aead::encrypt` computes exactly that tag.

use crate::fixtures::wycheproof;
use hmac::{Hmac, KeyInit, Mac};
use rand_core::TryRng;
use sdkit_core::Cek;
use sha2::Sha512;
use subtle::ConstantTimeEq;

type HmacSha512 = Hmac<Sha512>;

fn hmac_sha512(key: &[u8], parts: &[&[u8]]) -> [u8; 64] {
    let mut mac = <HmacSha512 as KeyInit>::new_from_slice(key).unwrap();
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().into()
}

#[test]
fn wycheproof_hmac_sha512_all_cases() {
    let doc = wycheproof("hmac_sha512_test.json");
    assert_eq!(doc["algorithm"], "HMACSHA512");
    let (mut valid, mut invalid, mut truncated_256) = (0usize, 0usize, 0usize);
    for group in doc["testGroups"].as_array().unwrap() {
        let tag_bits = group["tagSize"].as_u64().unwrap() as usize;
        assert_eq!(tag_bits % 8, 0);
        let tag_len = tag_bits / 8;
        assert!(tag_len <= 64);
        for t in group["tests"].as_array().unwrap() {
            let id = t["tcId"].as_u64().unwrap();
            let key = hex::decode(t["key"].as_str().unwrap()).unwrap();
            assert_eq!(key.len() * 8, group["keySize"].as_u64().unwrap() as usize);
            let msg = hex::decode(t["msg"].as_str().unwrap()).unwrap();
            let tag = hex::decode(t["tag"].as_str().unwrap()).unwrap();
            let full = hmac_sha512(&key, &[&msg]);
            // Constant-time comparison of the leftmost tagSize/8 bytes; a tag of another length
            // never matches.
            let ok = tag.len() == tag_len && bool::from(full[..tag_len].ct_eq(&tag[..]));
            // The hmac crate's own truncated verification must agree.
            let mut mac = <HmacSha512 as KeyInit>::new_from_slice(&key).unwrap();
            mac.update(&msg);
            let theirs = tag.len() == tag_len && mac.verify_truncated_left(&tag).is_ok();
            assert_eq!(ok, theirs, "tcId {id}: our check and hmac's disagree");
            match t["result"].as_str().unwrap() {
                "valid" => {
                    assert!(ok, "tcId {id}: valid tag rejected");
                    valid += 1;
                }
                "invalid" => {
                    assert!(!ok, "tcId {id}: invalid tag accepted");
                    invalid += 1;
                }
                other => panic!("tcId {id}: unexpected result {other:?}"),
            }
            if tag_len == 32 {
                truncated_256 += 1;
            }
        }
    }
    assert_eq!(valid + invalid, 174, "expected all 174 cases");
    assert_eq!((valid, invalid), (66, 108));
    assert_eq!(
        truncated_256, 87,
        "cases with the 256-bit truncation A256CBC-HS512 uses"
    );
}

/// The A256CBC-HS512 tag is HMAC-SHA-512(MAC key, AAD ‖ IV ‖ CT ‖ AL) truncated to 32 bytes,
/// with AL the AAD length in bits as a 64-bit big-endian integer (RFC 7518 §5.2.2.1).
#[test]
fn aead_tag_is_truncated_hmac_sha512() {
    let mut rng = sdkit_core::SysRng;
    let mut runs = 0;
    for _ in 0..16 {
        let mut cek_bytes = [0u8; 64];
        rng.try_fill_bytes(&mut cek_bytes).unwrap();
        let mut iv = [0u8; 16];
        rng.try_fill_bytes(&mut iv).unwrap();
        let lens = rng.try_next_u32().unwrap();
        let mut aad = vec![0u8; (lens & 0xFF) as usize];
        rng.try_fill_bytes(&mut aad).unwrap();
        let mut plaintext = vec![0u8; ((lens >> 8) & 0x3FF) as usize];
        rng.try_fill_bytes(&mut plaintext).unwrap();

        let cek = Cek::from_bytes(cek_bytes);
        let (ct, tag) = sdkit_core::aead::encrypt(&cek, &iv, &aad, &plaintext);
        assert_eq!(ct.len(), (plaintext.len() / 16 + 1) * 16, "PKCS#7 length");

        let al = (aad.len() as u64 * 8).to_be_bytes();
        let full = hmac_sha512(&cek_bytes[..32], &[&aad, &iv, &ct, &al]);
        assert_eq!(tag, full[..32], "tag is not the left half of HMAC-SHA-512");

        let back = sdkit_core::aead::decrypt(&cek, &iv, &aad, &ct, &tag).unwrap();
        assert_eq!(back.expose(), &plaintext[..]);
        // The right half of the HMAC is not a valid tag.
        assert!(sdkit_core::aead::decrypt(&cek, &iv, &aad, &ct, &full[32..]).is_err());
        runs += 1;
    }
    assert_eq!(runs, 16);
}
