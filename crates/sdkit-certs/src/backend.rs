//! Which RSA implementation performs a loaded key's private-key operation.
//!
//! Loading (PEM/DER, PKCS#1/#8, PBES2) is ours; the RSA-OAEP-256 decryption of shares is
//! done by one of two backends, chosen when sdkit is built:
//!
//! - **AWS-LC** (feature `aws-lc`, on by default), through `aws-lc-rs`: constant-time with
//!   blinding, with the assembly (AVX2/AVX-512 IFMA) modular exponentiation OpenSSL also
//!   uses; 5-6x faster than the pure-Rust backend here, which is what lets a drill run close
//!   to the RSA floor (`docs/PERFORMANCE.md`). It needs a C compiler to build.
//! - **RustCrypto `rsa`** (`--no-default-features`): pure Rust, for platforms where AWS-LC
//!   does not build. Blinded; see RUSTSEC-2023-0071 in `docs/SECURITY.md`.
//!
//! Both check the key's numbers when it is loaded (AWS-LC's `RSA_check_key`, `rsa`'s
//! `validate`), so an inconsistent key is refused at load, not reported as "did not open
//! its share" later. Both wipe the secret numbers when the key is dropped (AWS-LC's
//! `OPENSSL_free` cleanses every allocation; `rsa` zeroizes on drop).

use sdkit_core::aead::DecryptError;
use zeroize::Zeroizing;

/// The backend this build uses, for `--version` and bug reports.
#[cfg(feature = "aws-lc")]
pub const RSA_BACKEND: &str = "AWS-LC";
/// The backend this build uses, for `--version` and bug reports.
#[cfg(not(feature = "aws-lc"))]
pub const RSA_BACKEND: &str = "RustCrypto rsa";

/// The release of the backend's RSA code, for `sdkit --version`: what an auditor needs to
/// match the binary against advisories. AWS-LC's is the one compiled in, as the library
/// reports it (its start-up code has run before `main`, so this is a string lookup).
#[cfg(feature = "aws-lc")]
pub fn rsa_backend_version() -> &'static str {
    aws_lc_rs::awslc_version()
}
/// The release of the backend's RSA code, for `sdkit --version`: what an auditor needs to
/// match the binary against advisories. The workspace pins `rsa` exactly (`=0.10.0` in the
/// root Cargo.toml), so this names the only version that can be compiled in.
#[cfg(not(feature = "aws-lc"))]
pub fn rsa_backend_version() -> &'static str {
    "0.10.0"
}

/// The key could not be taken by the backend: its numbers are inconsistent or of a form it
/// does not support. Deliberately without detail (the detail would be about secret numbers).
#[derive(Debug)]
pub(crate) struct Rejected;

/// A private key on the backend compiled in.
pub(crate) struct Backend(Inner);

#[cfg(feature = "aws-lc")]
type Inner = aws_lc_rs::rsa::OaepPrivateDecryptingKey;
#[cfg(not(feature = "aws-lc"))]
type Inner = rsa::PrivateKey;

impl Backend {
    /// Takes a two-prime PKCS#1 `RSAPrivateKey` (already size-checked by the caller).
    #[cfg(feature = "aws-lc")]
    pub(crate) fn from_pkcs1_der(pkcs1: &[u8]) -> Result<Self, Rejected> {
        use aws_lc_rs::rsa::{OaepPrivateDecryptingKey, PrivateDecryptingKey};
        // aws-lc-rs reads PKCS#8 only: wrap the PKCS#1 key in a PrivateKeyInfo (in memory
        // that is wiped when dropped).
        let pkcs8 = wrap_in_pkcs8(pkcs1)?;
        let key = PrivateDecryptingKey::from_pkcs8(&pkcs8).map_err(|_| Rejected)?;
        OaepPrivateDecryptingKey::new(key)
            .map(Self)
            .map_err(|_| Rejected)
    }

    /// Takes a two-prime PKCS#1 `RSAPrivateKey` (already size-checked by the caller).
    #[cfg(not(feature = "aws-lc"))]
    pub(crate) fn from_pkcs1_der(pkcs1: &[u8]) -> Result<Self, Rejected> {
        use der::Decode;
        let key = pkcs1::RsaPrivateKeyRef::from_der(pkcs1).map_err(|_| Rejected)?;
        rsa::PrivateKey::try_from(key)
            .map(Self)
            .map_err(|_| Rejected)
    }

    /// RSA-OAEP-256 decryption. `ciphertext` must be exactly as long as the modulus (the
    /// caller checks; both backends refuse otherwise anyway).
    #[cfg(feature = "aws-lc")]
    pub(crate) fn decrypt_oaep_sha256(
        &self,
        ciphertext: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, DecryptError> {
        use aws_lc_rs::rsa::OAEP_SHA256_MGF1SHA256;
        let mut out = Zeroizing::new(vec![0u8; self.0.min_output_size()]);
        let len = self
            .0
            .decrypt(&OAEP_SHA256_MGF1SHA256, ciphertext, &mut out, None)
            .map_err(|_| DecryptError)?
            .len();
        // Zeroizing<Vec> wipes the whole capacity, including what truncate leaves behind.
        out.truncate(len);
        Ok(out)
    }

    /// RSA-OAEP-256 decryption.
    #[cfg(not(feature = "aws-lc"))]
    pub(crate) fn decrypt_oaep_sha256(
        &self,
        ciphertext: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, DecryptError> {
        sdkit_core::OaepDecryptKey::decrypt_oaep_sha256(&self.0, ciphertext)
    }
}

/// `PrivateKeyInfo { version 0, rsaEncryption with NULL parameters, pkcs1 }` (RFC 5208).
#[cfg(feature = "aws-lc")]
fn wrap_in_pkcs8(pkcs1: &[u8]) -> Result<Zeroizing<Vec<u8>>, Rejected> {
    use der::Encode;
    use der::asn1::{AnyRef, OctetStringRef};
    use spki::AlgorithmIdentifier;
    let algorithm = AlgorithmIdentifier {
        oid: pkcs1::ALGORITHM_OID,
        parameters: Some(AnyRef::NULL),
    };
    let key = OctetStringRef::new(pkcs1).map_err(|_| Rejected)?;
    let info = pkcs8::PrivateKeyInfoRef::new(algorithm, key);
    // Sized first, then written once: no reallocation leaves a stray copy behind.
    let len = info
        .encoded_len()
        .and_then(usize::try_from)
        .map_err(|_| Rejected)?;
    let mut der = Zeroizing::new(vec![0u8; len]);
    let written = info.encode_to_slice(&mut der).map_err(|_| Rejected)?.len();
    der.truncate(written);
    Ok(der)
}
