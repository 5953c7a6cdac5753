//! The default and all-Rust implementation: RustCrypto crates and the OS generator.

use super::CryptoModule;
use aes::Aes256;
use cbc::cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit, block_padding::Pkcs7};
use hmac::{KeyInit, Mac};
use sha2::Digest;
use zeroize::Zeroizing;

/// The operating system's random number generator (getrandom), as `rand_core` 0.10 sees it.
pub use getrandom::SysRng;

/// Names the RustCrypto crates that run the symmetric primitives in this build.
pub fn module() -> CryptoModule {
    CryptoModule {
        name: "RustCrypto",
        version: "aes 0.9, cbc 0.2, hmac 0.13, sha2 0.11, kbkdf 0.1.0-rc.1, getrandom 0.4"
            .to_owned(),
        fips_mode: false,
    }
}

/// Streaming SHA-256.
#[derive(Clone, Default)]
pub struct Sha256(sha2::Sha256);

impl Sha256 {
    /// An empty hash.
    pub fn new() -> Self {
        Self(sha2::Sha256::new())
    }

    /// Hashes more bytes.
    pub fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    /// The digest of everything hashed.
    pub fn finish(self) -> [u8; 32] {
        self.0.finalize().into()
    }
}

/// HMAC-SHA-512 over the concatenation of `parts`.
pub(crate) fn hmac_sha512(key: &[u8], parts: &[&[u8]]) -> [u8; 64] {
    // Invariant: HMAC takes keys of any length, so this cannot fail. A fallback value here
    // would be a tag anyone can compute, so a failure must stop the program instead.
    #[allow(clippy::expect_used)]
    let mut mac = <hmac::Hmac<sha2::Sha512> as KeyInit>::new_from_slice(key)
        .expect("HMAC-SHA-512 takes keys of any length");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// AES-256-CBC with PKCS#7 padding; `None` only for a key that is not 32 bytes.
pub(crate) fn aes256_cbc_encrypt(key: &[u8], iv: &[u8; 16], plaintext: &[u8]) -> Option<Vec<u8>> {
    let encryptor = cbc::Encryptor::<Aes256>::new_from_slices(key, iv).ok()?;
    Some(encryptor.encrypt_padded_vec::<Pkcs7>(plaintext))
}

/// AES-256-CBC decryption and PKCS#7 unpadding; `None` for a bad key, IV or padding.
pub(crate) fn aes256_cbc_decrypt(key: &[u8], iv: &[u8], ciphertext: &[u8]) -> Option<Vec<u8>> {
    let dec = cbc::Decryptor::<Aes256>::new_from_slices(key, iv).ok()?;
    dec.decrypt_padded_vec::<Pkcs7>(ciphertext).ok()
}

/// SP 800-108 counter mode, HMAC-SHA-512 PRF, 32-bit counter before the fixed input, one
/// block: `K(1) = HMAC(key, [1]_32 ‖ fixed_input)`. RustCrypto's `kbkdf` with the fixed input
/// passed whole (no separator or [L] added: the caller's fixed input already holds them).
pub(crate) fn kbkdf_ctr_hmac_sha512_block(key: &[u8], fixed_input: &[u8]) -> Zeroizing<[u8; 64]> {
    use kbkdf::{Counter, Kbkdf, Params};
    /// Output-size marker: one HMAC-SHA-512 block.
    struct OneBlock;
    impl hmac::digest::common::KeySizeUser for OneBlock {
        type KeySize = hmac::digest::consts::U64;
    }
    let params = Params::builder(key)
        .with_label(fixed_input)
        .use_l(false)
        .use_separator(false)
        .build();
    let mut out = Zeroizing::new([0u8; 64]);
    match Counter::<hmac::Hmac<sha2::Sha512>, OneBlock>::default().derive(params) {
        Ok(mut block) => {
            out.copy_from_slice(block.as_slice());
            zeroize::Zeroize::zeroize(block.as_mut_slice());
        }
        // Invariant: `kbkdf` refuses only outputs over 2^32-1 blocks; this is one. A key
        // derived some other way would decrypt nothing, so stop instead of returning one.
        Err(_) => unreachable!("kbkdf refused a one-block derivation"),
    }
    out
}

/// RSAES-OAEP (SHA-256, MGF1-SHA-256, empty label) to `recipient`, seeded from `rng`;
/// `None` when the generator fails or the message is too long for the key.
pub(crate) fn rsa_oaep_sha256_encrypt<R: rand_core::TryCryptoRng + ?Sized>(
    recipient: &rsa::PublicKey,
    message: &[u8],
    rng: &mut R,
) -> Option<Vec<u8>> {
    recipient
        .oaep_encrypt_with_rng::<sha2::Sha256, R>(rng, message)
        .ok()
}
