//! Evidence a drill leaves behind without revealing anything secret.
//!
//! A **share commitment** is `SHA-256("sdkit share commitment v1" ‖ 0x00 ‖ SHA-256(SD file) ‖
//! x ‖ share payload)`. A drill records one per share in the ledger; later, one custodian
//! alone can recompute theirs with `check --ledger` and so prove that the share their key
//! opens is the one that took part in a successful drill, not merely one that decrypts.
//! Share payloads are 32 words of fresh field randomness, so the commitment cannot be
//! inverted or guessed; the SD hash binds it to one file, and the label to this purpose.

use crate::provider::Sha256;
use crate::shamir::Share;
use crate::share;

/// Domain-separation label of share commitments.
pub const COMMITMENT_LABEL: &[u8] = b"sdkit share commitment v1";

/// The commitment to `share` from the SD file whose SHA-256 is `sd_sha256`.
pub fn share_commitment(sd_sha256: &[u8; 32], share: &Share) -> [u8; 32] {
    let payload = share::encode(share);
    let mut h = Sha256::new();
    h.update(COMMITMENT_LABEL);
    h.update(&[0u8]);
    h.update(sd_sha256);
    h.update(&[share.x()]);
    h.update(&payload[..]);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use zeroize::Zeroizing;

    #[test]
    fn commitment_binds_file_x_and_values() {
        let s = Share::new(1, Zeroizing::new(vec![1, 2, 256])).unwrap();
        let t = Share::new(1, Zeroizing::new(vec![1, 2, 255])).unwrap();
        let u = Share::new(2, Zeroizing::new(vec![1, 2, 256])).unwrap();
        let a = share_commitment(&[0; 32], &s);
        assert_eq!(a, share_commitment(&[0; 32], &s));
        assert_ne!(a, share_commitment(&[1; 32], &s));
        assert_ne!(a, share_commitment(&[0; 32], &t));
        assert_ne!(a, share_commitment(&[0; 32], &u));
    }
}
