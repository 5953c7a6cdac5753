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
#[cfg(all(feature = "aws-lc", not(feature = "fips")))]
pub const RSA_BACKEND: &str = "AWS-LC";
/// The backend this build uses, for `--version` and bug reports: AWS-LC's FIPS module
/// (`fips` turns `aws-lc` on and switches aws-lc-rs to aws-lc-fips-sys; `provider`).
#[cfg(feature = "fips")]
pub const RSA_BACKEND: &str = "AWS-LC-FIPS";
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

/// Generates an RSA key pair (e = 65537): the `rsa` crate, from the OS generator.
#[cfg(not(feature = "fips"))]
pub(crate) fn generate_rsa(size: crate::KeySize) -> Result<rsa::PrivateKey, crate::GenerateError> {
    use crate::GenerateError;
    rsa::PrivateKey::new(&mut sdkit_core::SysRng, size.bits()).map_err(|e| match e {
        rsa::Error::Rng => GenerateError::Random("no random bytes available".into()),
        other => GenerateError::KeyGeneration(other.to_string()),
    })
}

/// Generates an RSA key pair (e = 65537) on the FIPS module (AWS-LC's approved RSA key
/// generation, seeded by its DRBG); the key then travels as PKCS#8 to the certificate and
/// file writers.
#[cfg(feature = "fips")]
pub(crate) fn generate_rsa(size: crate::KeySize) -> Result<rsa::PrivateKey, crate::GenerateError> {
    use crate::{GenerateError, KeySize};
    use aws_lc_rs::encoding::AsDer;
    use aws_lc_rs::rsa::{KeySize as LcSize, PrivateDecryptingKey};
    use rsa::pkcs8::DecodePrivateKey;
    let lc = match size {
        KeySize::Rsa2048 => LcSize::Rsa2048,
        KeySize::Rsa3072 => LcSize::Rsa3072,
        KeySize::Rsa4096 => LcSize::Rsa4096,
    };
    let failed = |what: &str| GenerateError::KeyGeneration(format!("the FIPS module's {what}"));
    let key =
        PrivateDecryptingKey::generate(lc).map_err(|_| failed("RSA key generation failed"))?;
    let der = key.as_der().map_err(|_| failed("key export failed"))?;
    rsa::PrivateKey::from_pkcs8_der(der.as_ref()).map_err(|_| failed("key did not parse"))
}

/// The sha256WithRSAEncryption signer of self-signed certificates: the `rsa` crate's.
#[cfg(not(feature = "fips"))]
pub(crate) fn certificate_signer(
    key: &rsa::PrivateKey,
) -> Result<rsa::pkcs1v15::SigningKey<sha2::Sha256>, crate::GenerateError> {
    // The signing key is a copy of `key`; both zeroize on drop.
    Ok(rsa::pkcs1v15::SigningKey::new(key.clone()))
}

/// The sha256WithRSAEncryption signer of self-signed certificates: the FIPS module's
/// PKCS#1 v1.5 signing with SHA-256.
#[cfg(feature = "fips")]
pub(crate) fn certificate_signer(
    key: &rsa::PrivateKey,
) -> Result<FipsSigner, crate::GenerateError> {
    use rsa::pkcs8::EncodePrivateKey;
    let failed = |_| crate::GenerateError::Certificate("the FIPS module refused the key".into());
    let pkcs8 = key.to_pkcs8_der().map_err(|e| failed(e.to_string()))?;
    let pair = aws_lc_rs::signature::RsaKeyPair::from_pkcs8(pkcs8.as_bytes())
        .map_err(|e| failed(e.to_string()))?;
    Ok(FipsSigner {
        pair,
        public: key.to_public_key(),
    })
}

/// An RSA key pair held by the FIPS module, signing with PKCS#1 v1.5 and SHA-256.
#[cfg(feature = "fips")]
pub(crate) struct FipsSigner {
    pair: aws_lc_rs::signature::RsaKeyPair,
    public: rsa::PublicKey,
}

#[cfg(feature = "fips")]
impl rsa::signature::Keypair for FipsSigner {
    type VerifyingKey = rsa::pkcs1v15::VerifyingKey<sha2::Sha256>;

    fn verifying_key(&self) -> Self::VerifyingKey {
        rsa::pkcs1v15::VerifyingKey::new(self.public.clone())
    }
}

#[cfg(feature = "fips")]
impl spki::SignatureAlgorithmIdentifier for FipsSigner {
    type Params = der::asn1::AnyRef<'static>;

    const SIGNATURE_ALGORITHM_IDENTIFIER: spki::AlgorithmIdentifier<Self::Params> =
        <rsa::pkcs1v15::VerifyingKey<sha2::Sha256> as spki::SignatureAlgorithmIdentifier>::SIGNATURE_ALGORITHM_IDENTIFIER;
}

#[cfg(feature = "fips")]
impl rsa::signature::Signer<rsa::pkcs1v15::Signature> for FipsSigner {
    fn try_sign(&self, msg: &[u8]) -> Result<rsa::pkcs1v15::Signature, rsa::signature::Error> {
        use aws_lc_rs::signature::RSA_PKCS1_SHA256;
        let mut sig = vec![0u8; self.pair.public_modulus_len()];
        self.pair
            .sign(
                &RSA_PKCS1_SHA256,
                &aws_lc_rs::rand::SystemRandom::new(),
                msg,
                &mut sig,
            )
            .map_err(|_| rsa::signature::Error::new())?;
        rsa::pkcs1v15::Signature::try_from(sig.as_slice())
    }
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
