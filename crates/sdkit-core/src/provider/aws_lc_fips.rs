//! The `fips` implementation: AWS-LC's FIPS 140-3 module (aws-lc-fips-sys), nothing else.
//!
//! Every function here calls the module's approved services; none falls back to Rust code.
//! The RSA-OAEP seed and every random byte come from the module's DRBG.

use super::{CryptoModule, RandomError};
use aws_lc_rs::cipher::{
    AES_256, DecryptionContext, EncryptionContext, PaddedBlockDecryptingKey,
    PaddedBlockEncryptingKey, UnboundCipherKey,
};
use aws_lc_rs::iv::FixedLength;
use aws_lc_rs::kdf::{KbkdfCtrHmacAlgorithmId, get_kbkdf_ctr_hmac_algorithm, kbkdf_ctr_hmac};
use aws_lc_rs::{digest, hmac, rand};
use zeroize::Zeroizing;

/// The FIPS module's DRBG, as `rand_core` 0.10 sees it: the `fips` build's only source of
/// random bytes (salts, IVs, CEKs, master keys, Shamir coefficients, serial numbers).
#[derive(Clone, Copy, Debug, Default)]
pub struct SysRng;

impl rand_core::TryRng for SysRng {
    type Error = RandomError;

    fn try_next_u32(&mut self) -> Result<u32, RandomError> {
        let mut b = [0u8; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    fn try_next_u64(&mut self) -> Result<u64, RandomError> {
        let mut b = [0u8; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), RandomError> {
        rand::fill(dst).map_err(|_| RandomError)
    }
}

impl rand_core::TryCryptoRng for SysRng {}

/// Names the module, its AWS-LC version, and whether it reports FIPS mode on.
pub fn module() -> CryptoModule {
    CryptoModule {
        name: "AWS-LC-FIPS",
        version: aws_lc_rs::awslc_version().to_owned(),
        fips_mode: aws_lc_rs::try_fips_mode().is_ok(),
    }
}

/// Streaming SHA-256 on the module.
#[derive(Clone)]
pub struct Sha256(digest::Context);

impl Default for Sha256 {
    fn default() -> Self {
        Self::new()
    }
}

impl Sha256 {
    /// An empty hash.
    pub fn new() -> Self {
        Self(digest::Context::new(&digest::SHA256))
    }

    /// Hashes more bytes.
    pub fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    /// The digest of everything hashed.
    pub fn finish(self) -> [u8; 32] {
        let mut out = [0u8; 32];
        out.copy_from_slice(self.0.finish().as_ref());
        out
    }
}

/// HMAC-SHA-512 over the concatenation of `parts`, on the module.
pub(crate) fn hmac_sha512(key: &[u8], parts: &[&[u8]]) -> [u8; 64] {
    let key = hmac::Key::new(hmac::HMAC_SHA512, key);
    let mut ctx = hmac::Context::with_key(&key);
    for part in parts {
        ctx.update(part);
    }
    let mut out = [0u8; 64];
    out.copy_from_slice(ctx.sign().as_ref());
    out
}

fn cipher_key(key: &[u8]) -> Option<UnboundCipherKey> {
    UnboundCipherKey::new(&AES_256, key).ok()
}

/// AES-256-CBC with PKCS#7 padding on the module; `None` for a key that is not 32 bytes.
pub(crate) fn aes256_cbc_encrypt(key: &[u8], iv: &[u8; 16], plaintext: &[u8]) -> Option<Vec<u8>> {
    let key = PaddedBlockEncryptingKey::cbc_pkcs7(cipher_key(key)?).ok()?;
    // Room for the padding up front: encrypting in place must not reallocate and leave a copy
    // of the plaintext in freed memory.
    let mut in_out = Vec::with_capacity(plaintext.len() + 16);
    in_out.extend_from_slice(plaintext);
    key.less_safe_encrypt(&mut in_out, EncryptionContext::Iv128(FixedLength::from(iv)))
        .ok()?;
    Some(in_out)
}

/// AES-256-CBC decryption and PKCS#7 unpadding on the module; `None` for a bad key, IV or
/// padding.
pub(crate) fn aes256_cbc_decrypt(key: &[u8], iv: &[u8], ciphertext: &[u8]) -> Option<Vec<u8>> {
    let iv = FixedLength::<16>::try_from(iv).ok()?;
    let key = PaddedBlockDecryptingKey::cbc_pkcs7(cipher_key(key)?).ok()?;
    // The buffer holds plaintext once decrypted: wiped whatever happens next.
    let mut in_out = Zeroizing::new(ciphertext.to_vec());
    let plain = key
        .decrypt(&mut in_out, DecryptionContext::Iv128(iv))
        .ok()?;
    Some(plain.to_vec())
}

/// SP 800-108 counter mode, HMAC-SHA-512, 32-bit counter before the fixed input, one block:
/// AWS-LC's `KBKDF_ctr_hmac`.
pub(crate) fn kbkdf_ctr_hmac_sha512_block(key: &[u8], fixed_input: &[u8]) -> Zeroizing<[u8; 64]> {
    let mut out = Zeroizing::new([0u8; 64]);
    let alg = get_kbkdf_ctr_hmac_algorithm(KbkdfCtrHmacAlgorithmId::Sha512);
    let ok = alg.is_some_and(|alg| kbkdf_ctr_hmac(alg, key, fixed_input, &mut out[..]).is_ok());
    // Invariant: the module refuses only an empty key or output, or more than 2^32-1 blocks;
    // callers pass a 32-byte master key (or a test vector's key) and ask for one block. A key
    // derived some other way would decrypt nothing, so stop instead of returning one.
    assert!(ok, "the FIPS module refused an SP 800-108 derivation");
    out
}

/// RSAES-OAEP (SHA-256, MGF1-SHA-256, empty label) to `recipient` on the module, seeded by
/// the module's DRBG (the caller's `rng` is not used: every random byte comes from the
/// module); `None` when the module refuses the key or message.
pub(crate) fn rsa_oaep_sha256_encrypt<R: rand_core::TryCryptoRng + ?Sized>(
    recipient: &rsa::PublicKey,
    message: &[u8],
    _rng: &mut R,
) -> Option<Vec<u8>> {
    use aws_lc_rs::rsa::{OAEP_SHA256_MGF1SHA256, OaepPublicEncryptingKey, PublicEncryptingKey};
    use rsa::pkcs8::EncodePublicKey;
    let spki = recipient.to_public_key_der().ok()?;
    let key =
        OaepPublicEncryptingKey::new(PublicEncryptingKey::from_der(spki.as_bytes()).ok()?).ok()?;
    let mut out = vec![0u8; key.ciphertext_size()];
    let len = key
        .encrypt(&OAEP_SHA256_MGF1SHA256, message, &mut out, None)
        .ok()?
        .len();
    out.truncate(len);
    Some(out)
}
