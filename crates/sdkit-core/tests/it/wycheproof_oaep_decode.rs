//! Wycheproof RSAES-OAEP (SHA-256, MGF1-SHA-256) vectors for 2048-, 3072- and 4096-bit keys,
//! run the way a PKCS#11 token is used: the raw RSA operation (`CKM_RSA_X_509`, played here by
//! `rsa::hazmat`) and then `sdkit_core::oaep_decode::decode_eme_oaep_sha256` on the host.
//!
//! - Ciphertexts of the wrong length, or not below `n`, are refused before decoding, as a
//!   token refuses them; they are counted apart and must all be invalid vectors.
//! - Unlike `rsa` (see `wycheproof_rsa_oaep.rs`), the decoder checks `Y == 0`, so the
//!   "First byte is 1" vector is refused like every other invalid one: no exception.
//! - The decoder has no label parameter (the format only uses the empty label). A vector with
//!   a non-empty label is therefore a ciphertext for a *different* label, and the decoder
//!   must refuse it even when Wycheproof calls it valid. Each such vector is also decrypted
//!   with `rsa`'s labelled OAEP, which must give Wycheproof's verdict, so the refusal is known
//!   to come from the label and not from a broken raw-RSA path.

use crate::fixtures::wycheproof_oaep_sha256;
use rsa::hazmat::rsa_decrypt_and_check;
use rsa::traits::PublicKeyParts;
use rsa::{BoxedUint, Oaep, PrivateKey};
use sdkit_core::aead::DecryptError;
use sdkit_core::oaep_decode::decode_eme_oaep_sha256;
use sha2::Sha256;

/// What one file exercised.
#[derive(Debug, Default, PartialEq, Eq)]
struct Counts {
    /// Empty-label valid vectors decoded to Wycheproof's message.
    decoded: usize,
    /// Empty-label invalid vectors that reached the decoder and were refused.
    refused: usize,
    /// Invalid ciphertexts refused before decoding (wrong length, or `c >= n`).
    refused_by_token: usize,
    /// Labelled vectors, all refused by the empty-label decoder.
    labelled_valid: usize,
    labelled_invalid: usize,
}

impl Counts {
    fn total(&self) -> usize {
        self.decoded
            + self.refused
            + self.refused_by_token
            + self.labelled_valid
            + self.labelled_invalid
    }
}

/// What a token's raw RSA decryption returns: `None` when it refuses the ciphertext (wrong
/// length or not below `n`), otherwise `c^d mod n` as exactly k octets.
fn raw_rsa(key: &PrivateKey, ct: &[u8]) -> Option<Vec<u8>> {
    let k = key.size();
    if ct.len() != k {
        return None;
    }
    let c = BoxedUint::from_be_slice(ct, key.n_bits_precision()).unwrap();
    if c.cmp(key.n().as_ref()).is_ge() {
        return None;
    }
    let m = rsa_decrypt_and_check(key, Some(&mut getrandom::SysRng), &c).unwrap();
    let bytes = m.to_be_bytes();
    let (high, em) = bytes.split_at(bytes.len() - k);
    assert!(high.iter().all(|&b| b == 0), "m >= 256^k");
    Some(em.to_vec())
}

fn run_file(bits: usize) -> Counts {
    let (groups, declared) = wycheproof_oaep_sha256(bits);
    let mut counts = Counts::default();
    for (key, cases) in &groups {
        for c in cases {
            let at = &c.at;
            let Some(em) = raw_rsa(key, &c.ct) else {
                assert!(
                    !c.valid,
                    "{at}: the raw RSA step refused a valid ciphertext"
                );
                counts.refused_by_token += 1;
                continue;
            };
            let ours = decode_eme_oaep_sha256(&em);
            if c.label.is_empty() {
                if c.valid {
                    let p = ours.unwrap_or_else(|e| panic!("{at}: {e}"));
                    assert_eq!(p.as_slice(), &c.msg[..], "{at}");
                    counts.decoded += 1;
                } else {
                    assert_eq!(ours, Err(DecryptError), "{at}: accepted");
                    counts.refused += 1;
                }
            } else {
                assert_eq!(
                    ours,
                    Err(DecryptError),
                    "{at}: empty-label decoding accepted a labelled ciphertext"
                );
                let theirs = key.decrypt(Oaep::<Sha256>::new_with_label(c.label.clone()), &c.ct);
                if c.valid {
                    let p = theirs.unwrap_or_else(|e| panic!("{at}: {e}"));
                    assert_eq!(p, c.msg, "{at}");
                    counts.labelled_valid += 1;
                } else {
                    assert!(theirs.is_err(), "{at}: rsa accepted");
                    counts.labelled_invalid += 1;
                }
            }
        }
    }
    assert_eq!(
        counts.total(),
        declared,
        "rsa_oaep_{bits}: not every vector ran"
    );
    println!("rsa_oaep_{bits}: {counts:?}");
    counts
}

/// Each file has 37 cases: 10 valid without a label, 8 valid with one, 13 invalid encodings
/// (including `Y = 1` and `m` = 0, 1, n - 1) and 6 ciphertexts a token refuses outright.
const EXPECTED: Counts = Counts {
    decoded: 10,
    refused: 13,
    refused_by_token: 6,
    labelled_valid: 8,
    labelled_invalid: 0,
};

fn check(bits: usize) {
    let counts = run_file(bits);
    assert!(counts.total() >= 37, "{bits}: ran only {}", counts.total());
    assert!(
        counts.decoded > 0 && counts.refused > 0,
        "{bits}: {counts:?}"
    );
    assert_eq!(counts, EXPECTED);
}

#[test]
fn oaep_decode_2048() {
    check(2048);
}

#[test]
fn oaep_decode_3072() {
    check(3072);
}

#[test]
fn oaep_decode_4096() {
    check(4096);
}
