//! EME-OAEP decoding (RFC 8017 §7.1.2 step 3) on the host, for keys that can only do raw RSA.
//!
//! PKCS#11 tokens (SoftHSM, YubiKey PIV) often cannot run RSA-OAEP with SHA-256 and
//! MGF1-SHA-256, but all of them can run the bare RSA private-key operation
//! (`CKM_RSA_X_509`). The token then returns the *encoded* message `EM`, and this module
//! undoes the OAEP padding that the security-domain format uses (SHA-256, MGF1-SHA-256,
//! empty label).
//!
//! `EM` is secret: it is the share or key in thin disguise, and an attacker who can learn
//! *why* a decoding failed, or how long it took, can decrypt ciphertexts of their choice
//! (Manger, CRYPTO 2001). So every check runs over the whole buffer with `subtle` selects,
//! every failure is the one opaque [`DecryptError`], and the leading octet `Y` is checked
//! as RFC 8017 asks (the `rsa` crate skips that check; here it costs no oracle because it is
//! folded into the same single verdict). The one data-dependent thing that leaves this
//! module is the length of a message that decoded correctly, which the caller sees anyway.

use crate::aead::DecryptError;
use crate::provider::{Sha256, sha256};
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};
use zeroize::{Zeroize, Zeroizing};

/// SHA-256 output length (`hLen`).
const H_LEN: usize = 32;

/// MGF1 counts its blocks in 4 octets (RFC 8017 §B.2.1), so no mask may need more blocks.
const MAX_MASK_BLOCKS: u64 = 1 << 32;

/// Decodes an EME-OAEP (SHA-256, MGF1-SHA-256, empty label) encoded message `em` — the raw RSA
/// decryption of a ciphertext, left-padded with zeros to the modulus length k = em.len() — in
/// constant time with respect to the padding and the message (one opaque error for every failure).
///
/// # Errors
/// [`DecryptError`] when `em` is too short to hold the padding (a public fact: `k < 66`), or
/// when the padding is wrong in any way (`Y != 0`, label hash, separator): the caller cannot
/// tell which, and the time taken does not say either.
pub fn decode_eme_oaep_sha256(
    em: &[u8],
) -> Result<zeroize::Zeroizing<Vec<u8>>, crate::aead::DecryptError> {
    let k = em.len();
    // Public checks on the length alone (step 3 presupposes k >= 2hLen + 2).
    if k < 2 * H_LEN + 2 {
        return Err(DecryptError);
    }
    let db_len = k - H_LEN - 1;
    if u64::try_from(db_len.div_ceil(H_LEN)).map_or(true, |blocks| blocks > MAX_MASK_BLOCKS) {
        return Err(DecryptError);
    }

    // EM = Y || maskedSeed || maskedDB (step 3b).
    let y = em[0];
    let mut seed = Zeroizing::new([0u8; H_LEN]);
    seed.copy_from_slice(&em[1..=H_LEN]);
    let mut db = Zeroizing::new(em[H_LEN + 1..].to_vec());
    // seed = maskedSeed xor MGF(maskedDB, hLen); DB = maskedDB xor MGF(seed, k - hLen - 1).
    mgf1_xor(&mut seed[..], &db);
    mgf1_xor(&mut db, &seed[..]);

    // DB = lHash' || PS || 0x01 || M (step 3f/3g).
    let l_hash = sha256(b"");
    let mut good = y.ct_eq(&0) & db[..H_LEN].ct_eq(&l_hash[..]);
    let rest = &mut db[H_LEN..];
    let (found, start) = separator(rest);
    good &= found;

    // `start <= rest.len()`, so neither the subtraction nor the conversion can go wrong.
    let msg_len = rest.len() - start as usize;
    shift_left(rest, start);
    if bool::from(good) {
        Ok(Zeroizing::new(rest[..msg_len].to_vec()))
    } else {
        Err(DecryptError)
    }
}

/// Finds where `M` starts in `PS || 0x01 || M`: whether the part before the first `0x01` is
/// all zeros and the `0x01` exists, and the offset just past it (0 when it does not).
///
/// Every byte is visited and judged with the same operations, so the position of the
/// separator does not show in the time taken.
fn separator(ps_one_m: &[u8]) -> (Choice, u64) {
    let mut looking = Choice::from(1);
    let mut stray = Choice::from(0);
    let mut start = 0u64;
    for (i, byte) in ps_one_m.iter().enumerate() {
        let is_zero = byte.ct_eq(&0);
        let is_one = byte.ct_eq(&1);
        start.conditional_assign(&(i as u64 + 1), looking & is_one);
        stray |= looking & !is_zero & !is_one;
        looking &= !is_one;
    }
    (!looking & !stray, start)
}

/// Moves `buf[start..]` to the front of `buf`, filling the end with zeros.
///
/// `start` is secret, so instead of one copy from a secret offset this shifts the whole
/// buffer once per bit of the length (by 1, 2, 4, … bytes), taking or leaving each shift with
/// a constant-time select: the memory touched depends on `buf.len()` only (the approach of
/// OpenSSL's `RSA_padding_check_PKCS1_OAEP_mgf1`).
fn shift_left(buf: &mut [u8], start: u64) {
    let len = buf.len();
    let mut step = 1usize;
    let mut bit = 0u32;
    while step <= len {
        let take = Choice::from(((start >> bit) & 1) as u8);
        for i in 0..len {
            let from = buf.get(i + step).copied().unwrap_or(0);
            buf[i].conditional_assign(&from, take);
        }
        step <<= 1;
        bit += 1;
    }
}

/// `out ^= MGF1-SHA-256(seed, out.len())` (RFC 8017 §B.2.1).
///
/// The caller has checked that `out` needs at most 2^32 blocks, so the 4-octet counter never
/// runs out before `out` does.
fn mgf1_xor(out: &mut [u8], seed: &[u8]) {
    for (counter, chunk) in (0u32..=u32::MAX).zip(out.chunks_mut(H_LEN)) {
        let mut hash = Sha256::new();
        hash.update(seed);
        hash.update(&counter.to_be_bytes());
        let mut mask = hash.finish();
        for (o, m) in chunk.iter_mut().zip(mask.iter()) {
            *o ^= m;
        }
        mask.zeroize();
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::oaep_key::sd1_test_key;
    use rsa::hazmat::rsa_decrypt_and_check;
    use rsa::traits::PublicKeyParts;
    use rsa::{BoxedUint, Oaep};
    use sha2::{Digest, Sha256};

    /// What a token's `CKM_RSA_X_509` returns: `c^d mod n` as exactly k octets.
    fn raw_decrypt(key: &rsa::PrivateKey, ct: &[u8]) -> Vec<u8> {
        let k = key.size();
        assert_eq!(ct.len(), k);
        let c = BoxedUint::from_be_slice(ct, key.n_bits_precision()).unwrap();
        let m = rsa_decrypt_and_check(key, Some(&mut getrandom::SysRng), &c).unwrap();
        let bytes = m.to_be_bytes();
        let (high, em) = bytes.split_at(bytes.len() - k);
        assert!(high.iter().all(|&b| b == 0));
        em.to_vec()
    }

    /// EME-OAEP encoding with a chosen seed and label hash, so edge cases can be built exactly.
    fn encode(k: usize, seed: [u8; H_LEN], l_hash: &[u8], ps_one_m: &[u8]) -> Vec<u8> {
        assert_eq!(H_LEN + ps_one_m.len(), k - H_LEN - 1);
        let mut db = [l_hash, ps_one_m].concat();
        let mut seed = seed.to_vec();
        mgf1_xor(&mut db, &seed);
        mgf1_xor(&mut seed, &db);
        [&[0u8][..], &seed, &db].concat()
    }

    fn empty_hash() -> Vec<u8> {
        Sha256::digest(b"").to_vec()
    }

    /// `PS || 0x01 || msg` filling the `k - 2hLen - 1` octets after the label hash.
    fn padded(k: usize, msg: &[u8]) -> Vec<u8> {
        let ps = k - 2 * H_LEN - 2 - msg.len();
        [&vec![0u8; ps][..], &[1], msg].concat()
    }

    #[test]
    fn round_trip_with_rsa_oaep_encryption_and_every_bit_flip_refused() {
        let key = sd1_test_key();
        let public = key.to_public_key();
        let k = key.size();
        let longest = k - 2 * H_LEN - 2;
        for len in [0, 1, 32, 64, longest - 1, longest] {
            let msg: Vec<u8> = (0..len).map(|i| (i * 7 + 1) as u8).collect();
            let ct = public.oaep_encrypt::<Sha256>(&msg).unwrap();
            let em = raw_decrypt(&key, &ct);
            assert_eq!(em[0], 0);
            assert_eq!(decode_eme_oaep_sha256(&em).unwrap().as_slice(), &msg[..]);
            for bit in 0..k * 8 {
                let mut bad = em.clone();
                bad[bit / 8] ^= 1 << (bit % 8);
                assert_eq!(decode_eme_oaep_sha256(&bad), Err(DecryptError), "bit {bit}");
            }
        }
    }

    #[test]
    fn a_labelled_encryption_is_refused() {
        let key = sd1_test_key();
        let padding = Oaep::<Sha256>::new_with_label(b"label".to_vec());
        let ct = key
            .to_public_key()
            .encrypt(&mut getrandom::SysRng, padding, b"msg")
            .unwrap();
        let em = raw_decrypt(&key, &ct);
        assert_eq!(decode_eme_oaep_sha256(&em), Err(DecryptError));
    }

    #[test]
    fn lengths() {
        // Below 2hLen + 2 = 66 octets there is no room for the padding: refused before any work.
        for k in [0, 1, 2 * H_LEN, 2 * H_LEN + 1] {
            assert_eq!(
                decode_eme_oaep_sha256(&vec![0u8; k]),
                Err(DecryptError),
                "k {k}"
            );
        }
        // The smallest encoding holds the empty message with an empty PS.
        let em = encode(66, [9; H_LEN], &empty_hash(), &[1]);
        assert_eq!(decode_eme_oaep_sha256(&em).unwrap().as_slice(), b"");
        // Odd sizes (not a power of two, not a multiple of 8) and every message length.
        for k in [66, 67, 100, 129, 256, 257, 384, 512] {
            for len in 0..=k - 2 * H_LEN - 2 {
                let msg: Vec<u8> = (0..len).map(|i| (255 - i % 256) as u8).collect();
                let em = encode(k, [len as u8; H_LEN], &empty_hash(), &padded(k, &msg));
                let out = decode_eme_oaep_sha256(&em).unwrap();
                assert_eq!(out.as_slice(), &msg[..], "k {k} len {len}");
            }
        }
    }

    #[test]
    fn the_first_separator_counts_and_the_message_may_hold_zeros_and_ones() {
        let k = 128;
        let msg = [0u8, 1, 0, 1, 1, 0, 2];
        let em = encode(k, [3; H_LEN], &empty_hash(), &padded(k, &msg));
        assert_eq!(decode_eme_oaep_sha256(&em).unwrap().as_slice(), &msg);
    }

    #[test]
    fn each_padding_fault_is_the_one_error() {
        let k = 128;
        let msg = b"share";
        let ok = padded(k, msg);
        let good = encode(k, [5; H_LEN], &empty_hash(), &ok);
        assert_eq!(decode_eme_oaep_sha256(&good).unwrap().as_slice(), msg);

        let mut y_one = good.clone();
        y_one[0] = 1;
        let mut y_high = good;
        y_high[0] = 0x80;
        let mut wrong_hash = empty_hash();
        wrong_hash[31] ^= 1;
        let mut ps_stray = ok.clone();
        ps_stray[0] = 2;
        let mut ps_ff_end = ok.clone();
        let sep = ok.len() - msg.len() - 1;
        ps_ff_end[sep] = 0xff;
        let mut stray_before_one = ok.clone();
        stray_before_one[sep - 1] = 0x80;
        let faults = [
            y_one,
            y_high,
            encode(k, [5; H_LEN], &wrong_hash, &ok),
            encode(k, [5; H_LEN], &Sha256::digest(b"label"), &ok),
            encode(k, [5; H_LEN], &empty_hash(), &ps_stray),
            encode(k, [5; H_LEN], &empty_hash(), &ps_ff_end),
            encode(k, [5; H_LEN], &empty_hash(), &stray_before_one),
            // No separator at all: all zeros, and all 0xff.
            encode(k, [5; H_LEN], &empty_hash(), &vec![0; ok.len()]),
            encode(k, [5; H_LEN], &empty_hash(), &vec![0xff; ok.len()]),
        ];
        for (i, em) in faults.iter().enumerate() {
            assert_eq!(decode_eme_oaep_sha256(em), Err(DecryptError), "fault {i}");
        }
    }

    #[test]
    fn mgf1_matches_rfc_8017_definition() {
        // MGF1-SHA-256("seed", 40) = SHA-256("seed" || 0) || SHA-256("seed" || 1)[..8].
        let mut out = [0u8; 40];
        mgf1_xor(&mut out, b"seed");
        let first = Sha256::digest(b"seed\0\0\0\0");
        let second = Sha256::digest(b"seed\0\0\0\x01");
        assert_eq!(&out[..32], &first[..]);
        assert_eq!(&out[32..], &second[..8]);
    }

    #[test]
    fn shift_left_moves_the_tail_for_every_offset() {
        for len in [0usize, 1, 2, 7, 8, 9, 190] {
            let orig: Vec<u8> = (1..=len).map(|i| i as u8).collect();
            for start in 0..=len {
                let mut buf = orig.clone();
                shift_left(&mut buf, start as u64);
                let mut want = orig[start..].to_vec();
                want.resize(len, 0);
                assert_eq!(buf, want, "len {len} start {start}");
            }
        }
    }
}
