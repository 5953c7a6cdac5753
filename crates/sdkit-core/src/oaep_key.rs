//! The one private-key operation the format needs: RSA-OAEP-256 decryption.
//!
//! Shares and restore blobs are wrapped with RSAES-OAEP (SHA-256, MGF1-SHA-256, empty
//! label). This crate does not care which RSA implementation performs it, so keys are taken
//! as `&dyn OaepDecryptKey`: `sdkit-certs` loads custodians' keys onto its fastest backend
//! (AWS-LC by default), and the pure-Rust `rsa` crate implements it here, for keys a caller
//! builds itself, for tests, and as the portable fallback.

use crate::aead::DecryptError;
use rsa::traits::PublicKeyParts;
use sha2::Sha256;
use zeroize::Zeroizing;

/// An RSA private key that can undo RSA-OAEP-256 (SHA-256, MGF1-SHA-256, empty label).
///
/// Every refusal (length, padding, hash, wrong key) is the one opaque [`DecryptError`], so
/// no caller can tell why. Implementations should also be constant-time with respect to the
/// key: AWS-LC's is; the `rsa` crate's is blinded but not fully (RUSTSEC-2023-0071,
/// `docs/SECURITY.md`). `Send + Sync` because drills unwrap shares on every core.
pub trait OaepDecryptKey: Send + Sync {
    /// Length of the modulus in bytes: the length of every valid ciphertext.
    fn modulus_len(&self) -> usize;

    /// Decrypts `ciphertext`; the plaintext is wiped when dropped.
    ///
    /// # Errors
    /// [`DecryptError`] for a ciphertext of the wrong length, bad padding, or a wrong key.
    fn decrypt_oaep_sha256(&self, ciphertext: &[u8]) -> Result<Zeroizing<Vec<u8>>, DecryptError>;
}

/// The pure-Rust backend (blinded; see RUSTSEC-2023-0071 in `docs/SECURITY.md`).
impl OaepDecryptKey for rsa::PrivateKey {
    fn modulus_len(&self) -> usize {
        self.size()
    }

    fn decrypt_oaep_sha256(&self, ciphertext: &[u8]) -> Result<Zeroizing<Vec<u8>>, DecryptError> {
        if ciphertext.len() != self.size() {
            return Err(DecryptError);
        }
        self.oaep_decrypt::<Sha256>(ciphertext)
            .map(Zeroizing::new)
            .map_err(|_| DecryptError)
    }
}

/// The real custodian key `sd1.pem`, for unit tests anywhere in this crate.
#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(crate) fn sd1_test_key() -> rsa::PrivateKey {
    use rsa::pkcs8::DecodePrivateKey;
    let pem = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../test-vectors/azure-sd/sd1.pem"
    ))
    .unwrap();
    rsa::PrivateKey::from_pkcs8_pem(&pem).unwrap()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_refusals() {
        let key = sd1_test_key();
        let public = key.to_public_key();
        let ct = public.oaep_encrypt::<Sha256>(b"share").unwrap();
        assert_eq!(key.modulus_len(), 256);
        assert_eq!(key.decrypt_oaep_sha256(&ct).unwrap().as_slice(), b"share");
        // Shorter, longer and altered ciphertexts all give the one opaque error.
        assert_eq!(key.decrypt_oaep_sha256(&ct[1..]), Err(DecryptError));
        let mut long = ct.clone();
        long.push(0);
        assert_eq!(key.decrypt_oaep_sha256(&long), Err(DecryptError));
        let mut bad = ct;
        bad[100] ^= 1;
        assert_eq!(key.decrypt_oaep_sha256(&bad), Err(DecryptError));
    }
}
