//! Wycheproof RSAES-OAEP (SHA-256, MGF1-SHA-256) decryption vectors for 2048-, 3072- and
//! 4096-bit keys, run through `sdkit_core::jwe::rsa_oaep_256_decrypt` (empty label, the only
//! label the security-domain format uses). Vectors with a non-empty label are checked with
//! rsa's labelled OAEP, and our empty-label function must reject every one of them.
//!
//! One documented exception: rsa 0.10 deliberately ignores the leading OAEP octet `Y`
//! (RFC 8017 §7.1.2 step 3g says to reject `Y != 0`), following
//! draft-irtf-cfrg-rsa-guidance §7, and its own Wycheproof test rewrites the
//! "First byte is 1" case to valid. That case is pinned here as *accepted with the right
//! message*, so a change in rsa's behaviour shows up as a test failure, not silently.

use crate::fixtures::wycheproof_oaep_sha256;
use rsa::Oaep;
use sdkit_core::jwe::rsa_oaep_256_decrypt;
use sha2::Sha256;

/// What one file exercised.
#[derive(Debug, Default, PartialEq, Eq)]
struct Counts {
    valid: usize,
    invalid: usize,
    labelled: usize,
    first_byte_ignored: usize,
}

fn run_file(bits: usize) -> Counts {
    let (groups, declared) = wycheproof_oaep_sha256(bits);
    let mut counts = Counts::default();
    for (key, cases) in &groups {
        for c in cases {
            let at = &c.at;
            let ours = rsa_oaep_256_decrypt(key, &c.ct);
            if c.comment == "First byte is 1" {
                assert!(!c.valid && c.label.is_empty(), "{at}");
                let p = ours.unwrap_or_else(|e| {
                    panic!("{at}: rsa now rejects Y != 0 ({e}); update this test")
                });
                assert_eq!(p.expose(), &c.msg[..], "{at}");
                counts.first_byte_ignored += 1;
            } else if c.label.is_empty() {
                if c.valid {
                    let p = ours.unwrap_or_else(|e| panic!("{at}: {e}"));
                    assert_eq!(p.expose(), &c.msg[..], "{at}");
                } else {
                    assert!(ours.is_err(), "{at}: invalid ciphertext accepted");
                }
            } else {
                counts.labelled += 1;
                assert!(
                    ours.is_err(),
                    "{at}: empty-label decryption accepted a labelled ciphertext"
                );
                let theirs = key.decrypt(Oaep::<Sha256>::new_with_label(c.label.clone()), &c.ct);
                if c.valid {
                    let p = theirs.unwrap_or_else(|e| panic!("{at}: {e}"));
                    assert_eq!(p, c.msg, "{at}");
                } else {
                    assert!(theirs.is_err(), "{at}: invalid ciphertext accepted");
                }
            }
            if c.valid {
                counts.valid += 1;
            } else {
                counts.invalid += 1;
            }
        }
    }
    assert_eq!(
        counts.valid + counts.invalid,
        declared,
        "not every vector ran"
    );
    counts
}

/// Each file has 37 cases: 18 valid (8 of them with a label) and 19 invalid (one of which is
/// the leading-octet case rsa accepts by design).
const EXPECTED: Counts = Counts {
    valid: 18,
    invalid: 19,
    labelled: 8,
    first_byte_ignored: 1,
};

#[test]
fn rsa_oaep_2048() {
    assert_eq!(run_file(2048), EXPECTED);
}

#[test]
fn rsa_oaep_3072() {
    assert_eq!(run_file(3072), EXPECTED);
}

#[test]
fn rsa_oaep_4096() {
    assert_eq!(run_file(4096), EXPECTED);
}
