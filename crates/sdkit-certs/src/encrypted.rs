//! Decrypting PKCS#8 `EncryptedPrivateKeyInfo` (PBES2).
//!
//! Supported: PBES2 with PBKDF2 (HMAC-SHA1/SHA-2) or scrypt, and AES-CBC or
//! AES-GCM, which covers `openssl pkcs8 -topk8 [-v2 aes-256-cbc | -scrypt]`
//! from OpenSSL 1.0 onwards. Everything else (PBES1, PKCS#12 PBE, 3DES) is
//! reported as unsupported with a conversion hint rather than as a damaged
//! file.
//!
//! The key-derivation cost is read from the file, so a hostile or corrupted
//! file could ask for hours of CPU or gigabytes of memory. Costs above the
//! limits below are refused before any work is done.

use der::asn1::{AnyRef, ObjectIdentifier};
use der::{Decode, Reader};
use pkcs8::EncryptedPrivateKeyInfoRef;
use pkcs8::pkcs5::{self, pbes2};
use spki::AlgorithmIdentifierRef;
use zeroize::Zeroizing;

use crate::KeyLoadError;
use crate::detect::encrypted_pkcs8_algorithm;
use crate::oid_names::describe_oid;

/// Highest PBKDF2 iteration count accepted. A key file is untrusted input, and the cost is
/// paid before the passphrase can be judged: at 10 million iterations PBKDF2-HMAC-SHA512
/// took 11 s here (fuzzing found it). 2 million is 3x our own default (600 000, OWASP's
/// figure for SHA-256) and far above OpenSSL's 2048, and bounds a hostile file to ~2 s.
pub(crate) const MAX_PBKDF2_ITERATIONS: u32 = 2_000_000;

/// Highest scrypt cost accepted, as `128 * N * r * p` bytes of memory-time.
/// OpenSSL's `-scrypt` default (N=16384, r=8, p=1) is 16 MiB; OpenSSL itself
/// refuses more than 32 MiB unless told otherwise. 64 MiB leaves room for other tools'
/// stronger settings while bounding a hostile file (256 MiB took 2 s and 256 MiB of RAM).
pub(crate) const MAX_SCRYPT_COST_BYTES: u128 = 64 * 1024 * 1024;

const PBES2_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.5.13");

/// Decrypts the EncryptedPrivateKeyInfo `der`, returning the inner
/// (unencrypted) PKCS#8 DER in a zeroizing buffer. The plaintext is
/// decrypted in place inside that buffer, so it never exists elsewhere.
///
/// Checks, in order: structure, supported scheme and cost (so an
/// unsupported file fails without a pointless passphrase prompt), presence
/// of a passphrase, then decryption.
pub(crate) fn decrypt_pkcs8(
    der: &[u8],
    passphrase: Option<&[u8]>,
) -> Result<Zeroizing<Vec<u8>>, KeyLoadError> {
    let Some(outer_oid) = encrypted_pkcs8_algorithm(der) else {
        return Err(KeyLoadError::Malformed(
            "the encrypted key is not a valid EncryptedPrivateKeyInfo structure".into(),
        ));
    };
    let info = EncryptedPrivateKeyInfoRef::from_der(der).map_err(|_| {
        KeyLoadError::UnsupportedEncryption {
            scheme: describe_undecodable_scheme(der, &outer_oid),
        }
    })?;
    let pkcs5::EncryptionScheme::Pbes2(params) = &info.encryption_algorithm else {
        return Err(KeyLoadError::UnsupportedEncryption {
            scheme: describe_oid(&info.encryption_algorithm.oid()),
        });
    };
    check_supported(params)?;
    crate::provider::check_pbes2_allowed(params)?;
    let Some(passphrase) = passphrase else {
        return Err(KeyLoadError::PassphraseRequired);
    };

    let mut buf = Zeroizing::new(info.encrypted_data.as_bytes().to_vec());
    let plaintext_len = crate::provider::pbes2_decrypt_in_place(params, passphrase, &mut buf)
        .map_err(|e| match e {
            pkcs5::Error::UnsupportedAlgorithm { oid }
            | pkcs5::Error::AlgorithmParametersInvalid { oid } => {
                KeyLoadError::UnsupportedEncryption {
                    scheme: format!("PBES2 with {}", describe_oid(&oid)),
                }
            }
            // Bad padding or GCM tag: the usual symptom of a wrong passphrase.
            _ => KeyLoadError::WrongPassphrase,
        })?
        .len();
    buf.truncate(plaintext_len);
    Ok(buf)
}

/// Refuses schemes the `pkcs5` crate parses but cannot (or should not) run (also for the
/// PBES2 parts of PKCS#12 files).
pub(crate) fn check_supported(params: &pbes2::Parameters) -> Result<(), KeyLoadError> {
    let unsupported = |scheme: String| Err(KeyLoadError::UnsupportedEncryption { scheme });
    match &params.kdf {
        pbes2::Kdf::Pbkdf2(p) if p.iteration_count > MAX_PBKDF2_ITERATIONS => {
            return unsupported(format!(
                "PBES2 with PBKDF2 at {} iterations (more than the {MAX_PBKDF2_ITERATIONS} accepted)",
                p.iteration_count
            ));
        }
        pbes2::Kdf::Pbkdf2(_) => {}
        pbes2::Kdf::Scrypt(s) => {
            let cost = 128u128
                * u128::from(s.cost_parameter)
                * u128::from(s.block_size)
                * u128::from(s.parallelization);
            if cost > MAX_SCRYPT_COST_BYTES {
                return unsupported(format!(
                    "PBES2 with scrypt N={} r={} p={} (needs more than the {} MiB accepted)",
                    s.cost_parameter,
                    s.block_size,
                    s.parallelization,
                    MAX_SCRYPT_COST_BYTES >> 20
                ));
            }
        }
        other => return unsupported(format!("PBES2 with {}", describe_oid(&other.oid()))),
    }
    match params.encryption {
        pbes2::EncryptionScheme::Aes128Cbc { .. }
        | pbes2::EncryptionScheme::Aes192Cbc { .. }
        | pbes2::EncryptionScheme::Aes256Cbc { .. }
        | pbes2::EncryptionScheme::Aes128Gcm { .. }
        | pbes2::EncryptionScheme::Aes256Gcm { .. } => Ok(()),
        other => unsupported(format!("PBES2 with {}", describe_oid(&other.oid()))),
    }
}

/// Names the scheme of a file whose algorithm parameters `pkcs5` could not
/// decode: for PBES2, the key-derivation and cipher OIDs inside it (e.g.
/// "PBES2 with PBKDF2 and des-ede3-cbc"); otherwise the outer OID.
fn describe_undecodable_scheme(der: &[u8], outer_oid: &ObjectIdentifier) -> String {
    if *outer_oid != PBES2_OID {
        return describe_oid(outer_oid);
    }
    let inner = AnyRef::from_der(der).ok().and_then(|any| {
        any.sequence(|r| {
            let alg: AlgorithmIdentifierRef<'_> = r.decode()?;
            let _data: AnyRef<'_> = r.decode()?;
            let params = alg.parameters.ok_or(der::ErrorKind::Failed)?;
            params.sequence(|p| {
                let kdf: AlgorithmIdentifierRef<'_> = p.decode()?;
                let cipher: AlgorithmIdentifierRef<'_> = p.decode()?;
                Ok::<_, der::Error>((kdf.oid, cipher.oid))
            })
        })
        .ok()
    });
    match inner {
        Some((kdf, cipher)) => format!(
            "PBES2 with {} and {}",
            describe_oid(&kdf),
            describe_oid(&cipher)
        ),
        None => "PBES2 with unreadable parameters".to_owned(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use der::Encode;
    use der::asn1::OctetStringRef;
    use pkcs8::EncryptedPrivateKeyInfo;

    fn encrypted_der(params: pbes2::Parameters) -> Vec<u8> {
        EncryptedPrivateKeyInfo {
            encryption_algorithm: params.into(),
            encrypted_data: OctetStringRef::new(&[0u8; 32]).expect("octets"),
        }
        .to_der()
        .expect("encodes")
    }

    fn scheme_of(err: KeyLoadError) -> String {
        match err {
            KeyLoadError::UnsupportedEncryption { scheme } => scheme,
            other => panic!("expected UnsupportedEncryption, got {other:?}"),
        }
    }

    #[test]
    fn pbkdf2_iteration_cap_is_enforced_before_asking_for_a_passphrase() {
        let at_cap = pbes2::Parameters::generate_pbkdf2_sha256_aes256cbc(
            MAX_PBKDF2_ITERATIONS,
            &[1u8; 16],
            [2u8; 16],
        )
        .expect("params");
        // At the cap: accepted, so the next step is asking for a passphrase.
        assert_eq!(
            decrypt_pkcs8(&encrypted_der(at_cap), None),
            Err(KeyLoadError::PassphraseRequired)
        );
        let over = pbes2::Parameters::generate_pbkdf2_sha256_aes256cbc(
            MAX_PBKDF2_ITERATIONS + 1,
            &[1u8; 16],
            [2u8; 16],
        )
        .expect("params");
        // Refused instantly even with a passphrase (no 10M-iteration run).
        let err = decrypt_pkcs8(&encrypted_der(over), Some(b"pw")).expect_err("refused");
        assert!(scheme_of(err).contains("2000001 iterations"));
    }

    #[test]
    fn scrypt_cost_cap_is_enforced() {
        let ok = pkcs5::scrypt::Params::new(14, 8, 1).expect("params");
        let ok =
            pbes2::Parameters::generate_scrypt_aes256cbc(ok, &[1u8; 16], [2u8; 16]).expect("p");
        let expected = if crate::provider::FIPS_BUILD {
            KeyLoadError::NotFipsApproved {
                scheme: "scrypt (the key file is PBES2 with scrypt)".into(),
            }
        } else {
            KeyLoadError::PassphraseRequired
        };
        assert_eq!(decrypt_pkcs8(&encrypted_der(ok), None), Err(expected));
        let big = pkcs5::scrypt::Params::new(20, 8, 1).expect("params");
        let big =
            pbes2::Parameters::generate_scrypt_aes256cbc(big, &[1u8; 16], [2u8; 16]).expect("p");
        let err = decrypt_pkcs8(&encrypted_der(big), Some(b"pw")).expect_err("refused");
        assert!(scheme_of(err).contains("scrypt N=1048576 r=8 p=1"));
    }

    #[test]
    fn pbes1_is_unsupported() {
        let der = EncryptedPrivateKeyInfo {
            encryption_algorithm: pkcs5::pbes1::Algorithm {
                encryption: pkcs5::pbes1::EncryptionScheme::PbeWithMd5AndDesCbc,
                parameters: pkcs5::pbes1::Parameters {
                    salt: [1u8; 8],
                    iteration_count: 2048,
                },
            }
            .into(),
            encrypted_data: OctetStringRef::new(&[0u8; 32]).expect("octets"),
        }
        .to_der()
        .expect("encodes");
        let err = decrypt_pkcs8(&der, Some(b"pw")).expect_err("refused");
        assert_eq!(
            scheme_of(err),
            "PBES1 pbeWithMD5AndDES-CBC (OID 1.2.840.113549.1.5.3)"
        );
    }

    #[test]
    fn garbage_ciphertext_is_wrong_passphrase() {
        let params = pbes2::Parameters::generate_pbkdf2_sha256_aes256cbc(1, &[1u8; 16], [2u8; 16])
            .expect("params");
        assert_eq!(
            decrypt_pkcs8(&encrypted_der(params), Some(b"pw")),
            Err(KeyLoadError::WrongPassphrase)
        );
    }

    #[test]
    fn not_the_right_shape() {
        assert!(matches!(
            decrypt_pkcs8(b"\x30\x00", Some(b"pw")),
            Err(KeyLoadError::Malformed(_))
        ));
    }
}
