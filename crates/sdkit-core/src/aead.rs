//! A256CBC-HS512 (RFC 7518 §5.2.5): AES-256-CBC with PKCS#7 padding, authenticated by the
//! first 32 bytes of HMAC-SHA-512 over `AAD ‖ IV ‖ ciphertext ‖ AL`.
//!
//! The tag must be exactly 32 bytes and is compared in constant time before anything is
//! decrypted. (The `az` CLI skips the MAC entirely when the tag is not 32 bytes long, so an
//! empty tag passes there; it does not pass here.) Every failure is the one opaque
//! [`DecryptError`], so callers cannot become a padding or MAC oracle.

use crate::provider;
use crate::secret::{Cek, Plaintext};
use core::fmt;
use subtle::ConstantTimeEq;

/// IV length in bytes.
pub const IV_LEN: usize = 16;
/// Tag length in bytes (half of an HMAC-SHA-512 output).
pub const TAG_LEN: usize = 32;

/// Decryption or authentication failed. Deliberately says nothing more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecryptError;

impl fmt::Display for DecryptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("decryption failed: wrong key, or the data was altered")
    }
}

impl std::error::Error for DecryptError {}

fn compute_tag(cek: &Cek, aad: &[u8], iv: &[u8], ciphertext: &[u8]) -> [u8; TAG_LEN] {
    let al_bits = (aad.len() as u64).wrapping_mul(8);
    let full = provider::hmac_sha512(
        cek.mac_key(),
        &[aad, iv, ciphertext, &al_bits.to_be_bytes()],
    );
    let mut tag = [0u8; TAG_LEN];
    tag.copy_from_slice(&full[..TAG_LEN]);
    tag
}

/// Encrypts and authenticates; returns `(ciphertext, tag)`.
pub fn encrypt(
    cek: &Cek,
    iv: &[u8; IV_LEN],
    aad: &[u8],
    plaintext: &[u8],
) -> (Vec<u8>, [u8; TAG_LEN]) {
    // Invariant: the AES key half of a CEK is 32 bytes and the IV 16, the only lengths this
    // takes. An empty ciphertext instead would silently lose the plaintext.
    #[allow(clippy::expect_used)]
    let ciphertext = provider::aes256_cbc_encrypt(cek.enc_key(), iv, plaintext)
        .expect("a CEK's AES half is 32 bytes and the IV 16");
    let tag = compute_tag(cek, aad, iv, &ciphertext);
    (ciphertext, tag)
}

/// Authenticates, then decrypts.
///
/// # Errors
/// [`DecryptError`] when the IV or tag has the wrong length, the tag does not match, or the
/// padding is invalid (which, after a valid tag, means the sender was broken).
pub fn decrypt(
    cek: &Cek,
    iv: &[u8],
    aad: &[u8],
    ciphertext: &[u8],
    tag: &[u8],
) -> Result<Plaintext, DecryptError> {
    if iv.len() != IV_LEN
        || tag.len() != TAG_LEN
        || ciphertext.is_empty()
        || !ciphertext.len().is_multiple_of(16)
    {
        return Err(DecryptError);
    }
    let expected = compute_tag(cek, aad, iv, ciphertext);
    if !bool::from(expected.ct_eq(tag)) {
        return Err(DecryptError);
    }
    let plain = provider::aes256_cbc_decrypt(cek.enc_key(), iv, ciphertext).ok_or(DecryptError)?;
    Ok(Plaintext::new(plain))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s.replace([' ', '\n'], "")).unwrap()
    }

    /// RFC 7518 Appendix B.3: AES_256_CBC_HMAC_SHA_512.
    #[test]
    fn rfc7518_b3() {
        let k = h("00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f
                   20 21 22 23 24 25 26 27 28 29 2a 2b 2c 2d 2e 2f 30 31 32 33 34 35 36 37 38 39 3a 3b 3c 3d 3e 3f");
        let p = h("41 20 63 69 70 68 65 72 20 73 79 73 74 65 6d 20 6d 75 73 74 20 6e 6f 74 20 62 65 20 72 65 71 75
                   69 72 65 64 20 74 6f 20 62 65 20 73 65 63 72 65 74 2c 20 61 6e 64 20 69 74 20 6d 75 73 74 20 62
                   65 20 61 62 6c 65 20 74 6f 20 66 61 6c 6c 20 69 6e 74 6f 20 74 68 65 20 68 61 6e 64 73 20 6f 66
                   20 74 68 65 20 65 6e 65 6d 79 20 77 69 74 68 6f 75 74 20 69 6e 63 6f 6e 76 65 6e 69 65 6e 63 65");
        let iv = h("1a f3 8c 2d c2 b9 6f fd d8 66 94 09 23 41 bc 04");
        let a = h("54 68 65 20 73 65 63 6f 6e 64 20 70 72 69 6e 63 69 70 6c 65 20 6f 66 20 41 75 67 75 73 74 65 20
                   4b 65 72 63 6b 68 6f 66 66 73");
        let e = h("4a ff aa ad b7 8c 31 c5 da 4b 1b 59 0d 10 ff bd 3d d8 d5 d3 02 42 35 26 91 2d a0 37 ec bc c7 bd
                   82 2c 30 1d d6 7c 37 3b cc b5 84 ad 3e 92 79 c2 e6 d1 2a 13 74 b7 7f 07 75 53 df 82 94 10 44 6b
                   36 eb d9 70 66 29 6a e6 42 7e a7 5c 2e 08 46 a1 1a 09 cc f5 37 0d c8 0b fe cb ad 28 c7 3f 09 b3
                   a3 b7 5e 66 2a 25 94 41 0a e4 96 b2 e2 e6 60 9e 31 e6 e0 2c c8 37 f0 53 d2 1f 37 ff 4f 51 95 0b
                   be 26 38 d0 9d d7 a4 93 09 30 80 6d 07 03 b1 f6");
        let t = h(
            "4d d3 b4 c0 88 a7 f4 5c 21 68 39 64 5b 20 12 bf 2e 62 69 a8 c5 6a 81 6d bc 1b 26 77 61 95 5b c5",
        );
        let cek = Cek::from_slice(&k).unwrap();
        let iv_arr: [u8; 16] = iv.clone().try_into().unwrap();
        let (ct, tag) = encrypt(&cek, &iv_arr, &a, &p);
        assert_eq!(ct, e);
        assert_eq!(tag.to_vec(), t);
        assert_eq!(decrypt(&cek, &iv, &a, &e, &t).unwrap().expose(), &p[..]);

        // Every single-bit change to AAD, IV, ciphertext or tag is rejected.
        for (which, data) in [("aad", &a), ("iv", &iv), ("ct", &e), ("tag", &t)] {
            for bit in [0usize, 7, 8 * (data.len() - 1) + 3] {
                let mut m = data.clone();
                m[bit / 8] ^= 1 << (bit % 8);
                let r = match which {
                    "aad" => decrypt(&cek, &iv, &m, &e, &t),
                    "iv" => decrypt(&cek, &m, &a, &e, &t),
                    "ct" => decrypt(&cek, &iv, &a, &m, &t),
                    _ => decrypt(&cek, &iv, &a, &e, &m),
                };
                assert_eq!(r.unwrap_err(), DecryptError, "{which} bit {bit}");
            }
        }
        // Truncated, empty and over-long tags: the az CLI would skip the MAC; we refuse.
        for bad in [&t[..0], &t[..16], &t[..31]] {
            assert_eq!(decrypt(&cek, &iv, &a, &e, bad).unwrap_err(), DecryptError);
        }
        let mut long = t.clone();
        long.push(0);
        assert_eq!(decrypt(&cek, &iv, &a, &e, &long).unwrap_err(), DecryptError);
        assert_eq!(decrypt(&cek, &iv, &a, &[], &t).unwrap_err(), DecryptError);
        assert_eq!(
            decrypt(&cek, &iv[..15], &a, &e, &t).unwrap_err(),
            DecryptError
        );
    }
}
