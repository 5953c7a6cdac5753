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
            "AWS-LC (RSA, key files) + RustCrypto".to_owned(),
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

/// The AES-CBC key and IV that a PBES2 parameter set of PBKDF2 (HMAC-SHA-1/-256/-384/-512)
/// and AES-CBC gives `passphrase`, derived by AWS-LC's PBKDF2; `None` for any other set.
/// Every build with AWS-LC reads and writes these key files on it: a `fips` build must (its
/// module), and in a default build AWS-LC's PBKDF2 takes about 70 ms per 600,000-iteration
/// key against 85 ms for `pkcs5`'s, which is most of what a custodian waits for.
#[cfg(feature = "aws-lc")]
fn aws_lc_pbes2_key(
    params: &pbes2::Parameters,
    passphrase: &[u8],
) -> Option<(aws_lc_rs::cipher::UnboundCipherKey, [u8; 16])> {
    use aws_lc_rs::cipher::{AES_128, AES_192, AES_256, UnboundCipherKey};
    use aws_lc_rs::pbkdf2;
    let pbes2::Kdf::Pbkdf2(kdf) = &params.kdf else {
        return None;
    };
    let prf = match kdf.prf {
        pbes2::Pbkdf2Prf::HmacWithSha1 => pbkdf2::PBKDF2_HMAC_SHA1,
        pbes2::Pbkdf2Prf::HmacWithSha256 => pbkdf2::PBKDF2_HMAC_SHA256,
        pbes2::Pbkdf2Prf::HmacWithSha384 => pbkdf2::PBKDF2_HMAC_SHA384,
        pbes2::Pbkdf2Prf::HmacWithSha512 => pbkdf2::PBKDF2_HMAC_SHA512,
        _ => return None,
    };
    let (cipher, key_len, iv) = match params.encryption {
        pbes2::EncryptionScheme::Aes128Cbc { iv } => (&AES_128, 16, iv),
        pbes2::EncryptionScheme::Aes192Cbc { iv } => (&AES_192, 24, iv),
        pbes2::EncryptionScheme::Aes256Cbc { iv } => (&AES_256, 32, iv),
        _ => return None,
    };
    if kdf.key_length.is_some_and(|l| usize::from(l) != key_len) {
        return None;
    }
    let iterations = core::num::NonZeroU32::new(kdf.iteration_count)?;
    let mut key = zeroize::Zeroizing::new([0u8; 32]);
    pbkdf2::derive(
        prf,
        iterations,
        kdf.salt.as_bytes(),
        passphrase,
        &mut key[..key_len],
    );
    let key = UnboundCipherKey::new(cipher, &key[..key_len]).ok()?;
    Some((key, iv))
}

/// The error for a parameter set this build cannot use.
#[cfg_attr(not(feature = "aws-lc"), allow(dead_code))]
fn invalid_params(params: &pbes2::Parameters) -> pkcs8::pkcs5::Error {
    pkcs8::pkcs5::Error::AlgorithmParametersInvalid {
        oid: params.encryption.oid(),
    }
}

/// Decrypts a PBES2 `EncryptedPrivateKeyInfo` body in place: PBKDF2 with AES-CBC on AWS-LC
/// ([`aws_lc_pbes2_key`]), anything else with `pkcs5`'s RustCrypto code (which a `fips`
/// build does not have: [`check_pbes2_allowed`] refused those files first).
pub(crate) fn pbes2_decrypt_in_place<'a>(
    params: &pbes2::Parameters,
    passphrase: &[u8],
    buf: &'a mut [u8],
) -> Result<&'a [u8], pkcs8::pkcs5::Error> {
    #[cfg(feature = "aws-lc")]
    if let Some((key, iv)) = aws_lc_pbes2_key(params, passphrase) {
        use aws_lc_rs::cipher::{DecryptionContext, PaddedBlockDecryptingKey};
        let key = PaddedBlockDecryptingKey::cbc_pkcs7(key).map_err(|_| invalid_params(params))?;
        // A padding failure is what a wrong passphrase looks like, as in `pkcs5`.
        return key
            .decrypt(buf, DecryptionContext::Iv128(iv.into()))
            .map(|p| &*p)
            .map_err(|_| pkcs8::pkcs5::Error::DecryptFailed);
    }
    pkcs5_decrypt_in_place(params, passphrase, buf)
}

/// `pkcs5`'s RustCrypto PBES2 decryption, for the parameter sets AWS-LC does not take here.
#[cfg(not(feature = "fips"))]
fn pkcs5_decrypt_in_place<'a>(
    params: &pbes2::Parameters,
    passphrase: &[u8],
    buf: &'a mut [u8],
) -> Result<&'a [u8], pkcs8::pkcs5::Error> {
    params.decrypt_in_place(passphrase, buf)
}

/// A `fips` build has no RustCrypto PBES2 code: every other parameter set is refused.
#[cfg(feature = "fips")]
fn pkcs5_decrypt_in_place<'a>(
    params: &pbes2::Parameters,
    _passphrase: &[u8],
    _buf: &'a mut [u8],
) -> Result<&'a [u8], pkcs8::pkcs5::Error> {
    Err(invalid_params(params))
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

/// Encrypts a PKCS#8 key as a PBES2 `EncryptedPrivateKeyInfo`: PBKDF2 with AES-CBC on
/// AWS-LC ([`aws_lc_pbes2_key`]; `pkcs8` only encodes the result), scrypt with `pkcs5`'s
/// RustCrypto code (refused in a `fips` build by [`check_pbe_kdf_allowed`] first).
pub(crate) fn pbes2_encrypt(
    params: pbes2::Parameters,
    passphrase: &[u8],
    info: &pkcs8::PrivateKeyInfoRef<'_>,
) -> Result<der::SecretDocument, pkcs8::Error> {
    #[cfg(feature = "aws-lc")]
    if let Some((key, iv)) = aws_lc_pbes2_key(&params, passphrase) {
        use aws_lc_rs::cipher::{EncryptionContext, PaddedBlockEncryptingKey};
        use der::Encode;
        let bad = || pkcs8::Error::from(invalid_params(&params));
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
        return Ok(der::SecretDocument::encode_msg(&encrypted)?);
    }
    pkcs5_encrypt(params, passphrase, info)
}

/// `pkcs5`'s RustCrypto PBES2 encryption, for scrypt (and every key file of a build
/// without AWS-LC).
#[cfg(not(feature = "fips"))]
fn pkcs5_encrypt(
    params: pbes2::Parameters,
    passphrase: &[u8],
    info: &pkcs8::PrivateKeyInfoRef<'_>,
) -> Result<der::SecretDocument, pkcs8::Error> {
    info.encrypt_with_params(params, passphrase)
}

/// A `fips` build has no RustCrypto PBES2 code: every other parameter set is refused.
#[cfg(feature = "fips")]
fn pkcs5_encrypt(
    params: pbes2::Parameters,
    _passphrase: &[u8],
    _info: &pkcs8::PrivateKeyInfoRef<'_>,
) -> Result<der::SecretDocument, pkcs8::Error> {
    Err(invalid_params(&params).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A default build writes and reads PBKDF2 + AES-CBC key files on AWS-LC and the rest on
    /// `pkcs5`: for every PRF and key size the two must write byte-identical files from the
    /// same parameters, and read each other's (a wrong passphrase fails on both).
    #[test]
    #[cfg(all(feature = "aws-lc", not(feature = "fips")))]
    fn aws_lc_and_pkcs5_write_the_same_key_files() {
        use der::asn1::{AnyRef, OctetStringRef};
        let algorithm = spki::AlgorithmIdentifier {
            oid: pkcs1::ALGORITHM_OID,
            parameters: Some(AnyRef::NULL),
        };
        let secret = [7u8; 100];
        let info = pkcs8::PrivateKeyInfoRef::new(algorithm, OctetStringRef::new(&secret).unwrap());
        let plain = der::Encode::to_der(&info).unwrap();
        let mut checked = 0;
        for prf in [
            pbes2::Pbkdf2Prf::HmacWithSha1,
            pbes2::Pbkdf2Prf::HmacWithSha256,
            pbes2::Pbkdf2Prf::HmacWithSha384,
            pbes2::Pbkdf2Prf::HmacWithSha512,
        ] {
            for key_len in [16usize, 24, 32] {
                let iv = [9u8; 16];
                let encryption = match key_len {
                    16 => pbes2::EncryptionScheme::Aes128Cbc { iv },
                    24 => pbes2::EncryptionScheme::Aes192Cbc { iv },
                    _ => pbes2::EncryptionScheme::Aes256Cbc { iv },
                };
                let mut kdf = pbes2::Pbkdf2Params::hmac_sha256(1000, &[3u8; 16]).unwrap();
                kdf.prf = prf;
                let params = pbes2::Parameters {
                    kdf: kdf.into(),
                    encryption,
                };
                assert!(
                    aws_lc_pbes2_key(&params, b"pw").is_some(),
                    "{prf:?} {key_len}"
                );
                let ours = pbes2_encrypt(params.clone(), b"pw", &info).unwrap();
                let theirs = info.encrypt_with_params(params.clone(), b"pw").unwrap();
                assert_eq!(ours.as_bytes(), theirs.as_bytes(), "{prf:?} AES-{key_len}");
                let body = |doc: &der::SecretDocument| {
                    let e = pkcs8::EncryptedPrivateKeyInfoRef::try_from(doc.as_bytes()).unwrap();
                    e.encrypted_data.as_bytes().to_vec()
                };
                let mut buf = body(&theirs);
                assert_eq!(
                    pbes2_decrypt_in_place(&params, b"pw", &mut buf).unwrap(),
                    &plain[..]
                );
                let mut buf = body(&ours);
                assert_eq!(
                    params.decrypt_in_place(b"pw", &mut buf).unwrap(),
                    &plain[..]
                );
                let mut buf = body(&ours);
                assert!(pbes2_decrypt_in_place(&params, b"wrong", &mut buf).is_err());
                checked += 1;
            }
        }
        assert_eq!(checked, 12);
    }

    #[test]
    fn names_the_module_line() {
        let m = crypto_module();
        assert_eq!(m["fips_mode"], json!(FIPS_BUILD), "{m}");
        assert!(check_fips_mode().is_ok());
        let module = m["module"].as_str().unwrap_or_default();
        if FIPS_BUILD {
            assert_eq!(module, "AWS-LC-FIPS", "{m}");
        } else if cfg!(feature = "aws-lc") {
            assert_eq!(module, "AWS-LC (RSA, key files) + RustCrypto", "{m}");
        } else {
            assert_eq!(module, "RustCrypto", "{m}");
        }
    }
}
