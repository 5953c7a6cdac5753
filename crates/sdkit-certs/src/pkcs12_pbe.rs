//! The password-based parts of PKCS#12 (RFC 7292): which schemes a file uses, its MAC,
//! and decryption of its encrypted parts.
//!
//! Two schemes decrypt: PBES2 (PBKDF2 + AES, what OpenSSL 3 and current Windows/Key Vault
//! exports write), through the same `pkcs5` code as encrypted PEM keys, and
//! `pbeWithSHAAnd3-KeyTripleDES-CBC` (RFC 7292 appendix B KDF with SHA-1, then 3DES-CBC),
//! what OpenSSL 1.x and `-legacy` write for keys. The KDF is the `pkcs12` crate's, the
//! ciphers RustCrypto's; nothing cryptographic is written here. The MAC is HMAC with SHA-1
//! or SHA-2, keyed by the same KDF.
//!
//! RFC 7292 feeds the password to its KDF as UTF-16BE with a two-byte terminator, and to
//! PBES2 as the bytes typed; both forms are kept in one [`Password`].

use der::Decode;
use der::asn1::ObjectIdentifier;
use hmac::digest::{Digest, FixedOutputReset, block_api::BlockSizeUser};
use hmac::{EagerHash, Hmac, KeyInit, Mac};
use pkcs8::pkcs5;
use pkcs12::kdf::{Pkcs12KeyType, derive_key};
use pkcs12::pbe_params::Pkcs12PbeParams;
use spki::AlgorithmIdentifierOwned;
use zeroize::Zeroizing;

use crate::encrypted::MAX_PBKDF2_ITERATIONS;
use crate::oid_names::describe_oid;
use crate::pkcs12_error::Pkcs12Error;

const PBES2: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.5.13");
const PBMAC1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.5.14");
const SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
const SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.2");
const SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.3");

/// A password in the two forms PKCS#12 uses. Both are wiped on drop.
pub(crate) struct Password {
    /// As typed: PBES2's input.
    raw: Zeroizing<Vec<u8>>,
    /// UTF-16BE plus two zero bytes (or nothing at all, for the "absent" password some
    /// tools use for unprotected exports): the RFC 7292 KDF's input.
    bmp: Zeroizing<Vec<u8>>,
}

impl Password {
    /// `pass` as RFC 7292 wants it. Bytes that are not UTF-8 become one UTF-16 unit each,
    /// as OpenSSL 3 does (`OPENSSL_utf82uni` falls back to `OPENSSL_asc2uni`).
    pub(crate) fn new(pass: &[u8]) -> Self {
        let mut bmp = Zeroizing::new(Vec::with_capacity(pass.len() * 2 + 2));
        match core::str::from_utf8(pass) {
            Ok(text) => text
                .encode_utf16()
                .for_each(|u| bmp.extend_from_slice(&u.to_be_bytes())),
            Err(_) => pass.iter().for_each(|b| bmp.extend_from_slice(&[0, *b])),
        }
        bmp.extend_from_slice(&[0, 0]);
        Self {
            raw: Zeroizing::new(pass.to_vec()),
            bmp,
        }
    }

    /// The two encodings of "no password" that exporters use: the empty string (OpenSSL
    /// `-passout pass:`, Key Vault) and an absent one (zero bytes into the KDF).
    pub(crate) fn empty_candidates() -> [Self; 2] {
        [
            Self::new(b""),
            Self {
                raw: Zeroizing::new(Vec::new()),
                bmp: Zeroizing::new(Vec::new()),
            },
        ]
    }

    /// Whether this is one of the empty passwords (the file then is not really protected).
    pub(crate) fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }
}

/// How one encrypted part of the file is decrypted.
pub(crate) enum Pbe {
    /// PBES2, decrypted by `pkcs5` (the cost was checked when classified).
    Pbes2(pkcs5::EncryptionScheme),
    /// `pbeWithSHAAnd3-KeyTripleDES-CBC`.
    Sha1TripleDes(Pkcs12PbeParams),
}

/// Sorts an encryption algorithm into what sdkit decrypts, refuses (legacy 40-bit and
/// friends, with the re-export advice) or does not know. Runs before any password is asked.
pub(crate) fn classify(alg: &AlgorithmIdentifierOwned) -> Result<Pbe, Pkcs12Error> {
    let legacy = |name: &str| {
        Err(Pkcs12Error::LegacyEncryption {
            scheme: format!("{name} (OID {})", alg.oid),
        })
    };
    match alg.oid.to_string().as_str() {
        "1.2.840.113549.1.12.1.3" => {
            let params = alg
                .parameters
                .as_ref()
                .ok_or_else(|| malformed("pbeWithSHAAnd3-KeyTripleDES-CBC without parameters"))?
                .decode_as::<Pkcs12PbeParams>()
                .map_err(|e| malformed(format!("pbeWithSHAAnd3-KeyTripleDES-CBC: {e}")))?;
            check_iterations(params.iterations, "pbeWithSHAAnd3-KeyTripleDES-CBC")?;
            Ok(Pbe::Sha1TripleDes(params))
        }
        "1.2.840.113549.1.12.1.1" => legacy("pbeWithSHAAnd128BitRC4"),
        "1.2.840.113549.1.12.1.2" => legacy("pbeWithSHAAnd40BitRC4"),
        "1.2.840.113549.1.12.1.4" => legacy("pbeWithSHAAnd2-KeyTripleDES-CBC"),
        "1.2.840.113549.1.12.1.5" => legacy("pbeWithSHAAnd128BitRC2-CBC"),
        "1.2.840.113549.1.12.1.6" => legacy("pbeWithSHAAnd40BitRC2-CBC"),
        _ if alg.oid == PBES2 => {
            // The same checks (cipher, KDF and its cost) as an encrypted PEM key gets.
            let der = der::Encode::to_der(alg).map_err(|e| malformed(e.to_string()))?;
            let scheme = pkcs5::EncryptionScheme::from_der(&der)
                .map_err(|_| unsupported("PBES2 with parameters sdkit cannot read".to_owned()))?;
            let pkcs5::EncryptionScheme::Pbes2(params) = &scheme else {
                return Err(unsupported(describe_oid(&alg.oid)));
            };
            crate::encrypted::check_supported(params).map_err(|e| match e {
                crate::KeyLoadError::UnsupportedEncryption { scheme } => unsupported(scheme),
                other => malformed(other.to_string()),
            })?;
            Ok(Pbe::Pbes2(scheme))
        }
        _ => Err(unsupported(describe_oid(&alg.oid))),
    }
}

/// Decrypts one part (an encrypted SafeContents or a shrouded key) into a wiped buffer.
/// A padding failure means a wrong password (or a damaged file): `None`.
pub(crate) fn decrypt(
    pbe: &Pbe,
    password: &Password,
    ciphertext: &[u8],
) -> Result<Option<Zeroizing<Vec<u8>>>, Pkcs12Error> {
    let mut buf = Zeroizing::new(ciphertext.to_vec());
    let len = match pbe {
        Pbe::Pbes2(scheme) => match scheme.decrypt_in_place(password.raw.as_slice(), &mut buf) {
            Ok(plain) => plain.len(),
            Err(_) => return Ok(None),
        },
        Pbe::Sha1TripleDes(params) => {
            use cbc::cipher::{BlockModeDecrypt, KeyIvInit, block_padding::Pkcs7};
            let salt = params.salt.as_bytes();
            let key = Zeroizing::new(derive_key::<sha1::Sha1>(
                &password.bmp,
                salt,
                Pkcs12KeyType::EncryptionKey,
                params.iterations,
                24,
            ));
            let iv = Zeroizing::new(derive_key::<sha1::Sha1>(
                &password.bmp,
                salt,
                Pkcs12KeyType::Iv,
                params.iterations,
                8,
            ));
            let cipher = cbc::Decryptor::<des::TdesEde3>::new_from_slices(&key, &iv)
                .map_err(|_| malformed("3DES key or IV of the wrong length"))?;
            match cipher.decrypt_padded::<Pkcs7>(&mut buf) {
                Ok(plain) => plain.len(),
                Err(_) => return Ok(None),
            }
        }
    };
    buf.truncate(len);
    Ok(Some(buf))
}

/// The file's MAC: `mac` over `content` with the key derived from the password.
pub(crate) struct MacCheck<'a> {
    /// The MacData as read.
    pub(crate) mac: &'a pkcs12::MacData,
    /// The authenticated bytes (the AuthenticatedSafe's encoding).
    pub(crate) content: &'a [u8],
}

impl MacCheck<'_> {
    /// Refuses MACs sdkit cannot verify, before a password is asked.
    pub(crate) fn check_supported(&self) -> Result<(), Pkcs12Error> {
        let oid = self.mac.mac.algorithm.oid;
        if oid == PBMAC1 {
            return Err(unsupported(
                "a PBMAC1 integrity check (RFC 9579, OpenSSL -pbmac1_pbkdf2)".to_owned(),
            ));
        }
        if ![SHA1, SHA256, SHA384, SHA512].contains(&oid) {
            return Err(unsupported(format!("a MAC with {}", describe_oid(&oid))));
        }
        check_iterations(self.mac.iterations, "the MAC")
    }

    /// Whether `password` is the one the MAC was made with. The comparison is
    /// constant-time (`hmac`'s `verify_slice`).
    pub(crate) fn verifies(&self, password: &Password) -> bool {
        let oid = self.mac.mac.algorithm.oid;
        if oid == SHA1 {
            self.with::<sha1::Sha1>(password)
        } else if oid == SHA256 {
            self.with::<sha2::Sha256>(password)
        } else if oid == SHA384 {
            self.with::<sha2::Sha384>(password)
        } else if oid == SHA512 {
            self.with::<sha2::Sha512>(password)
        } else {
            false
        }
    }

    fn with<D>(&self, password: &Password) -> bool
    where
        D: Digest + FixedOutputReset + BlockSizeUser + EagerHash,
    {
        let key = Zeroizing::new(derive_key::<D>(
            &password.bmp,
            self.mac.mac_salt.as_bytes(),
            Pkcs12KeyType::Mac,
            self.mac.iterations,
            <D as Digest>::output_size(),
        ));
        let Ok(mut hmac) = <Hmac<D> as KeyInit>::new_from_slice(&key) else {
            return false;
        };
        Mac::update(&mut hmac, self.content);
        hmac.verify_slice(self.mac.mac.digest.as_bytes()).is_ok()
    }
}

/// Iteration counts come from the file, and are paid before the password can be judged.
fn check_iterations(iterations: i32, what: &str) -> Result<(), Pkcs12Error> {
    match u32::try_from(iterations) {
        Ok(n) if (1..=MAX_PBKDF2_ITERATIONS).contains(&n) => Ok(()),
        _ => Err(unsupported(format!(
            "{what} at {iterations} iterations (1 to {MAX_PBKDF2_ITERATIONS} accepted)"
        ))),
    }
}

fn unsupported(scheme: String) -> Pkcs12Error {
    Pkcs12Error::UnsupportedScheme { scheme }
}

pub(crate) fn malformed(reason: impl Into<String>) -> Pkcs12Error {
    Pkcs12Error::Malformed(reason.into())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn password_encodings() {
        let p = Password::new(b"ab");
        assert_eq!(p.bmp.as_slice(), &[0, b'a', 0, b'b', 0, 0]);
        // U+1F600 is a surrogate pair, as OpenSSL writes it.
        let p = Password::new("é😀".as_bytes());
        assert_eq!(
            p.bmp.as_slice(),
            &[0x00, 0xe9, 0xd8, 0x3d, 0xde, 0x00, 0, 0]
        );
        // Not UTF-8: one unit per byte.
        let p = Password::new(&[0xff, 0x41]);
        assert_eq!(p.bmp.as_slice(), &[0, 0xff, 0, 0x41, 0, 0]);
        let [empty, absent] = Password::empty_candidates();
        assert_eq!(empty.bmp.as_slice(), &[0, 0]);
        assert!(absent.bmp.is_empty() && absent.is_empty() && empty.is_empty());
    }

    #[test]
    fn iteration_limits() {
        assert!(check_iterations(1, "x").is_ok());
        assert!(check_iterations(2_000_000, "x").is_ok());
        assert!(check_iterations(0, "x").is_err());
        assert!(check_iterations(-5, "x").is_err());
        assert!(check_iterations(2_000_001, "x").is_err());
    }
}
