//! Which cryptographic module this build runs on, whether a `fips` build is in FIPS mode,
//! and what a `fips` build refuses.
//!
//! The RSA private-key backend is chosen in `backend`; the symmetric primitives, digests, KDF
//! and random numbers in `sdkit_core::provider`. This module is where sdkit-certs answers for
//! the build as a whole: the `fips` build differs from the others here and in those two
//! files only (docs/DESIGN.md, "FIPS build"; docs/SECURITY.md, "FIPS").

use crate::KeyLoadError;
use crate::backend::{RSA_BACKEND, rsa_backend_version};
use pkcs8::pkcs5::pbes2;
use serde_json::{Value, json};

/// True in a `fips` build: every approved operation on AWS-LC's FIPS 140-3 module, and
/// inputs that need other algorithms refused.
pub const FIPS_BUILD: bool = cfg!(feature = "fips");

/// The crypto module line of this build: one name, one version, FIPS mode, and which
/// implementation does the RSA and the symmetric work. For `sdkit --version`, every
/// command's `--json` and every transcript record.
pub fn crypto_module() -> Value {
    let sym = sdkit_core::provider::module();
    let rsa = format!("{RSA_BACKEND} {}", rsa_backend_version());
    let symmetric = format!("{} {}", sym.name, sym.version);
    let (module, version) = if FIPS_BUILD {
        (sym.name.to_owned(), sym.version.clone())
    } else if cfg!(feature = "aws-lc") {
        (
            "AWS-LC (RSA) + RustCrypto".to_owned(),
            format!("AWS-LC {}; {}", rsa_backend_version(), sym.version),
        )
    } else {
        (
            "RustCrypto".to_owned(),
            format!("rsa {}, {}", rsa_backend_version(), sym.version),
        )
    };
    json!({
        "module": module,
        "version": version,
        "fips_mode": sym.fips_mode,
        "rsa": rsa,
        "symmetric": symmetric,
    })
}

/// The module did not report FIPS mode on: a `fips` binary must not run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FipsModeOff(pub String);

impl core::fmt::Display for FipsModeOff {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "this is a FIPS build of sdkit, but the cryptographic module is not in FIPS mode \
             ({}); refusing to run (docs/SECURITY.md, \"FIPS\")",
            self.0
        )
    }
}

impl std::error::Error for FipsModeOff {}

/// Checks, in a `fips` build, that AWS-LC's module reports FIPS mode on (its power-on
/// self-tests passed); always `Ok` in other builds, which claim nothing.
///
/// # Errors
/// [`FipsModeOff`] when a `fips` build's module is not in FIPS mode.
pub fn check_fips_mode() -> Result<(), FipsModeOff> {
    #[cfg(feature = "fips")]
    {
        // sdkit-core's provider is the same module (this feature turns on sdkit-core/fips).
        aws_lc_rs::try_fips_mode().map_err(|e| FipsModeOff(e.to_owned()))?;
    }
    Ok(())
}

/// What a `fips` build says when a key file needs an algorithm outside the module's approved
/// services: why, and how to convert the file on another machine.
pub(crate) fn not_approved_message(what: &str) -> String {
    format!(
        "{what} is not a FIPS-approved algorithm, and this is a FIPS build of sdkit, which \
         refuses it. On another machine (with OpenSSL 3), re-encrypt the key with PBKDF2 and \
         AES-256-CBC: `openssl pkcs8 -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA256 -in old.key \
         -out new.key` (a PKCS#12 file: `openssl pkcs12 -in old.pfx -nocerts -out key.pem` \
         first), or run a default build of sdkit"
    )
}

/// Refuses, in a `fips` build, a PKCS#12 file: its MAC key and legacy bags come from the
/// RFC 7292 appendix B KDF (with SHA-1 and 3DES in most files), which no FIPS module approves.
/// Other builds read them as before.
pub(crate) fn check_pkcs12_allowed() -> Result<(), KeyLoadError> {
    if FIPS_BUILD {
        return Err(KeyLoadError::NotFipsApproved {
            scheme: "PKCS#12 (its RFC 7292 key derivation, PBE-SHA1-3DES and RC2 bags)".into(),
        });
    }
    Ok(())
}

/// Refuses, in a `fips` build, a PBES2 key file the module cannot decrypt: scrypt (not an
/// approved algorithm), and PBKDF2 with HMAC-SHA-224 or AES-GCM (approved, but not offered
/// by the module's PBKDF2 and key-file path here). Other builds read all of them.
pub(crate) fn check_pbes2_allowed(params: &pbes2::Parameters) -> Result<(), KeyLoadError> {
    if !FIPS_BUILD {
        return Ok(());
    }
    let unsupported = |scheme: &str| {
        Err(KeyLoadError::UnsupportedEncryption {
            scheme: format!("{scheme} (not read by a FIPS build of sdkit)"),
        })
    };
    match &params.kdf {
        pbes2::Kdf::Pbkdf2(p) if p.prf == pbes2::Pbkdf2Prf::HmacWithSha224 => {
            return unsupported("PBES2 with PBKDF2-HMAC-SHA-224");
        }
        pbes2::Kdf::Pbkdf2(_) => {}
        pbes2::Kdf::Scrypt(_) => {
            return Err(KeyLoadError::NotFipsApproved {
                scheme: "scrypt (the key file is PBES2 with scrypt)".into(),
            });
        }
        _ => return unsupported("this PBES2 key derivation"),
    }
    match params.encryption {
        pbes2::EncryptionScheme::Aes128Cbc { .. }
        | pbes2::EncryptionScheme::Aes192Cbc { .. }
        | pbes2::EncryptionScheme::Aes256Cbc { .. } => Ok(()),
        _ => unsupported("PBES2 with AES-GCM"),
    }
}

/// Decrypts a PBES2 `EncryptedPrivateKeyInfo` body in place: `pkcs5`'s RustCrypto code.
#[cfg(not(feature = "fips"))]
pub(crate) fn pbes2_decrypt_in_place<'a>(
    params: &pbes2::Parameters,
    passphrase: &[u8],
    buf: &'a mut [u8],
) -> Result<&'a [u8], pkcs8::pkcs5::Error> {
    params.decrypt_in_place(passphrase, buf)
}

/// The AES-CBC key and IV a PBES2 (PBKDF2 + AES-CBC) parameter set gives `passphrase`, the
/// key derived by the FIPS module's PBKDF2: what reading and writing key files share.
#[cfg(feature = "fips")]
fn fips_pbes2_key(
    params: &pbes2::Parameters,
    passphrase: &[u8],
) -> Result<(aws_lc_rs::cipher::UnboundCipherKey, [u8; 16]), pkcs8::pkcs5::Error> {
    use aws_lc_rs::cipher::{AES_128, AES_192, AES_256, UnboundCipherKey};
    use aws_lc_rs::pbkdf2;
    let bad = || pkcs8::pkcs5::Error::AlgorithmParametersInvalid {
        oid: params.encryption.oid(),
    };
    let pbes2::Kdf::Pbkdf2(kdf) = &params.kdf else {
        return Err(bad());
    };
    let prf = match kdf.prf {
        pbes2::Pbkdf2Prf::HmacWithSha1 => pbkdf2::PBKDF2_HMAC_SHA1,
        pbes2::Pbkdf2Prf::HmacWithSha256 => pbkdf2::PBKDF2_HMAC_SHA256,
        pbes2::Pbkdf2Prf::HmacWithSha384 => pbkdf2::PBKDF2_HMAC_SHA384,
        pbes2::Pbkdf2Prf::HmacWithSha512 => pbkdf2::PBKDF2_HMAC_SHA512,
        _ => return Err(bad()),
    };
    let (cipher, key_len, iv) = match params.encryption {
        pbes2::EncryptionScheme::Aes128Cbc { iv } => (&AES_128, 16, iv),
        pbes2::EncryptionScheme::Aes192Cbc { iv } => (&AES_192, 24, iv),
        pbes2::EncryptionScheme::Aes256Cbc { iv } => (&AES_256, 32, iv),
        _ => return Err(bad()),
    };
    if kdf.key_length.is_some_and(|l| usize::from(l) != key_len) {
        return Err(bad());
    }
    let iterations = core::num::NonZeroU32::new(kdf.iteration_count).ok_or_else(bad)?;
    let mut key = zeroize::Zeroizing::new([0u8; 32]);
    pbkdf2::derive(
        prf,
        iterations,
        kdf.salt.as_bytes(),
        passphrase,
        &mut key[..key_len],
    );
    let key = UnboundCipherKey::new(cipher, &key[..key_len]).map_err(|_| bad())?;
    Ok((key, iv))
}

/// Decrypts a PBES2 `EncryptedPrivateKeyInfo` body in place on the FIPS module: PBKDF2 and
/// AES-CBC are AWS-LC's (schemes were checked by [`check_pbes2_allowed`] first).
#[cfg(feature = "fips")]
pub(crate) fn pbes2_decrypt_in_place<'a>(
    params: &pbes2::Parameters,
    passphrase: &[u8],
    buf: &'a mut [u8],
) -> Result<&'a [u8], pkcs8::pkcs5::Error> {
    use aws_lc_rs::cipher::{DecryptionContext, PaddedBlockDecryptingKey};
    let (key, iv) = fips_pbes2_key(params, passphrase)?;
    let key = PaddedBlockDecryptingKey::cbc_pkcs7(key).map_err(|_| {
        pkcs8::pkcs5::Error::AlgorithmParametersInvalid {
            oid: params.encryption.oid(),
        }
    })?;
    // A padding failure is what a wrong passphrase looks like, as in `pkcs5`.
    key.decrypt(buf, DecryptionContext::Iv128(iv.into()))
        .map(|p| &*p)
        .map_err(|_| pkcs8::pkcs5::Error::DecryptFailed)
}

/// Refuses, in a `fips` build, to write a key file with scrypt: the module has no scrypt, and
/// a key written with it could not be read back by the same build.
pub(crate) fn check_pbe_kdf_allowed(kdf: crate::PbeKdf) -> Result<(), crate::GenerateError> {
    if FIPS_BUILD && kdf == crate::PbeKdf::Scrypt {
        return Err(crate::GenerateError::KeyEncoding(
            "scrypt is not a FIPS-approved algorithm; a FIPS build of sdkit writes keys with \
             PBKDF2-HMAC-SHA256 and AES-256-CBC"
                .into(),
        ));
    }
    Ok(())
}

/// Encrypts a PKCS#8 key as a PBES2 `EncryptedPrivateKeyInfo`: `pkcs5`'s RustCrypto code.
#[cfg(not(feature = "fips"))]
pub(crate) fn pbes2_encrypt(
    params: pbes2::Parameters,
    passphrase: &[u8],
    info: &pkcs8::PrivateKeyInfoRef<'_>,
) -> Result<der::SecretDocument, pkcs8::Error> {
    info.encrypt_with_params(params, passphrase)
}

/// Encrypts a PKCS#8 key as a PBES2 `EncryptedPrivateKeyInfo` on the FIPS module: PBKDF2
/// and AES-CBC are AWS-LC's; `pkcs8` only encodes the result.
#[cfg(feature = "fips")]
pub(crate) fn pbes2_encrypt(
    params: pbes2::Parameters,
    passphrase: &[u8],
    info: &pkcs8::PrivateKeyInfoRef<'_>,
) -> Result<der::SecretDocument, pkcs8::Error> {
    use aws_lc_rs::cipher::{EncryptionContext, PaddedBlockEncryptingKey};
    use der::Encode;
    let bad = || {
        pkcs8::Error::from(pkcs8::pkcs5::Error::AlgorithmParametersInvalid {
            oid: params.encryption.oid(),
        })
    };
    let (key, iv) = fips_pbes2_key(&params, passphrase)?;
    let key = PaddedBlockEncryptingKey::cbc_pkcs7(key).map_err(|_| bad())?;
    // Room for the padding up front: encrypting in place must not reallocate and leave a
    // copy of the plaintext key in freed memory.
    let plain = zeroize::Zeroizing::new(info.to_der()?);
    let mut data = zeroize::Zeroizing::new(Vec::with_capacity(plain.len() + 16));
    data.extend_from_slice(&plain);
    key.less_safe_encrypt(&mut *data, EncryptionContext::Iv128(iv.into()))
        .map_err(|_| bad())?;
    let encrypted = pkcs8::EncryptedPrivateKeyInfoRef {
        encryption_algorithm: params.into(),
        encrypted_data: der::asn1::OctetStringRef::new(&data)?,
    };
    Ok(der::SecretDocument::encode_msg(&encrypted)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_module_line() {
        let m = crypto_module();
        assert_eq!(m["fips_mode"], json!(FIPS_BUILD), "{m}");
        assert!(check_fips_mode().is_ok());
        let module = m["module"].as_str().unwrap_or_default();
        if FIPS_BUILD {
            assert_eq!(module, "AWS-LC-FIPS", "{m}");
        } else if cfg!(feature = "aws-lc") {
            assert_eq!(module, "AWS-LC (RSA) + RustCrypto", "{m}");
        } else {
            assert_eq!(module, "RustCrypto", "{m}");
        }
    }
}
