//! Compact JWE (RFC 7516 §7.1) as the security domain uses it.
//!
//! Two shapes occur: `dir` + A256CBC-HS512 for data items (empty encrypted-key part) and
//! `RSA-OAEP-256` + A256CBC-HS512 for each holder's share. Parsing keeps every part's text
//! exactly, so [`CompactJwe::as_compact`] reproduces the input byte for byte and the AAD is
//! the protected header exactly as it appeared.

use crate::aead::{self, DecryptError, IV_LEN};
use crate::b64;
use crate::oaep_key::OaepDecryptKey;
use crate::secret::{Cek, Plaintext};
use core::fmt;
use rsa::PublicKey as RsaPublicKey;

/// `alg` of data items.
pub const ALG_DIR: &str = "dir";
/// `alg` of share JWEs: RSAES-OAEP with SHA-256 and MGF1-SHA-256.
pub const ALG_RSA_OAEP_256: &str = "RSA-OAEP-256";
/// The only content encryption the format uses.
pub const ENC_A256CBC_HS512: &str = "A256CBC-HS512";

/// The protected header's members that matter, plus the names of any others.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JweHeader {
    /// Key management algorithm.
    pub alg: String,
    /// Content encryption algorithm.
    pub enc: String,
    /// Key id: the item tag for data items, opaque for shares.
    pub kid: Option<String>,
    /// Names of members other than `alg`, `enc` and `kid`, in order.
    pub other_members: Vec<String>,
    /// The decoded header JSON text, for display.
    pub json: String,
}

/// A parsed compact JWE. Holds only ciphertext: nothing here is secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompactJwe {
    parts: [String; 5],
    header: JweHeader,
    encrypted_key: Vec<u8>,
    iv: Vec<u8>,
    ciphertext: Vec<u8>,
    tag: Vec<u8>,
}

/// The names of the five parts, for error messages.
pub const PART_NAMES: [&str; 5] = [
    "protected header",
    "encrypted key",
    "IV",
    "ciphertext",
    "tag",
];

/// Why a string is not a compact JWE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JweParseError {
    /// Not exactly five dot-separated parts.
    WrongPartCount {
        /// How many parts were found.
        found: usize,
    },
    /// A part is not base64url.
    BadBase64 {
        /// Which part ([`PART_NAMES`]).
        part: &'static str,
    },
    /// The protected header is not a JSON object.
    HeaderNotJson,
    /// The header lacks `alg` or `enc`, or one of `alg`, `enc`, `kid` is not a string.
    HeaderField {
        /// The member at fault.
        field: &'static str,
    },
    /// The header asks for processing this format never uses and no reader of it does:
    /// `zip` (compressed plaintext) or `crit` (extensions that must be understood). RFC 7516
    /// requires refusing a JWE whose critical extensions are not understood, and decrypting a
    /// compressed one without inflating it would yield the wrong bytes.
    UnsupportedHeader {
        /// `zip` or `crit`.
        member: &'static str,
    },
}

impl fmt::Display for JweParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JweParseError::WrongPartCount { found } => {
                write!(
                    f,
                    "a compact JWE has 5 dot-separated parts, this has {found}"
                )
            }
            JweParseError::BadBase64 { part } => write!(f, "the JWE {part} is not valid base64url"),
            JweParseError::HeaderNotJson => {
                f.write_str("the JWE protected header is not a JSON object")
            }
            JweParseError::HeaderField { field } => {
                write!(
                    f,
                    "the JWE protected header's \"{field}\" is missing or not a string"
                )
            }
            JweParseError::UnsupportedHeader { member } => write!(
                f,
                "the JWE protected header has \"{member}\", which Azure never writes and no restore would honour; refused (RFC 7516)"
            ),
        }
    }
}

impl std::error::Error for JweParseError {}

/// Why a JWE could not be decrypted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JweDecryptError {
    /// The header names algorithms this operation does not handle.
    UnsupportedAlgorithm {
        /// The header's `alg`.
        alg: String,
        /// The header's `enc`.
        enc: String,
    },
    /// Wrong key or altered data (deliberately opaque).
    Failed(DecryptError),
}

impl fmt::Display for JweDecryptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JweDecryptError::UnsupportedAlgorithm { alg, enc } => {
                write!(f, "unsupported JWE algorithms alg={alg:?} enc={enc:?}")
            }
            JweDecryptError::Failed(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for JweDecryptError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            JweDecryptError::Failed(e) => Some(e),
            JweDecryptError::UnsupportedAlgorithm { .. } => None,
        }
    }
}

impl From<DecryptError> for JweDecryptError {
    fn from(e: DecryptError) -> Self {
        JweDecryptError::Failed(e)
    }
}

/// The random generator failed while encrypting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncryptError;

impl fmt::Display for EncryptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("encryption failed: the random generator or the public key operation failed")
    }
}

impl std::error::Error for EncryptError {}

fn parse_header(json_bytes: &[u8]) -> Result<JweHeader, JweParseError> {
    let value: serde_json::Value =
        serde_json::from_slice(json_bytes).map_err(|_| JweParseError::HeaderNotJson)?;
    let obj = value.as_object().ok_or(JweParseError::HeaderNotJson)?;
    let string = |field: &'static str| -> Result<Option<String>, JweParseError> {
        match obj.get(field) {
            None => Ok(None),
            Some(serde_json::Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(JweParseError::HeaderField { field }),
        }
    };
    for member in ["zip", "crit"] {
        if obj.contains_key(member) {
            return Err(JweParseError::UnsupportedHeader { member });
        }
    }
    let alg = string("alg")?.ok_or(JweParseError::HeaderField { field: "alg" })?;
    let enc = string("enc")?.ok_or(JweParseError::HeaderField { field: "enc" })?;
    let kid = string("kid")?;
    let other_members = obj
        .keys()
        .filter(|k| !matches!(k.as_str(), "alg" | "enc" | "kid"))
        .cloned()
        .collect();
    Ok(JweHeader {
        alg,
        enc,
        kid,
        other_members,
        json: String::from_utf8_lossy(json_bytes).into_owned(),
    })
}

/// The exact header JSON the HSM and the `az` CLI write: compact, keys in this order.
fn header_json(alg: &str, kid: &str) -> String {
    // serde_json escapes the kid (an SD tag comes from user input in `split`).
    let kid_json = serde_json::Value::String(kid.to_owned()).to_string();
    format!("{{\"alg\":\"{alg}\",\"enc\":\"{ENC_A256CBC_HS512}\",\"kid\":{kid_json}}}")
}

impl CompactJwe {
    /// Parses the compact serialization `header.key.iv.ciphertext.tag`.
    ///
    /// # Errors
    /// [`JweParseError`] for a wrong part count, bad base64url, or a malformed header.
    pub fn parse(compact: &str) -> Result<CompactJwe, JweParseError> {
        let split: Vec<&str> = compact.split('.').collect();
        let parts: [&str; 5] = split
            .as_slice()
            .try_into()
            .map_err(|_| JweParseError::WrongPartCount { found: split.len() })?;
        let mut decoded: [Vec<u8>; 5] = Default::default();
        for (i, text) in parts.iter().enumerate() {
            decoded[i] = b64::decode(text).map_err(|_| JweParseError::BadBase64 {
                part: PART_NAMES[i],
            })?;
        }
        let header = parse_header(&decoded[0])?;
        let [_, encrypted_key, iv, ciphertext, tag] = decoded;
        Ok(CompactJwe {
            parts: parts.map(str::to_owned),
            header,
            encrypted_key,
            iv,
            ciphertext,
            tag,
        })
    }

    fn assemble(
        header_json: &str,
        encrypted_key: Vec<u8>,
        iv: [u8; IV_LEN],
        ciphertext: Vec<u8>,
        tag: Vec<u8>,
    ) -> CompactJwe {
        let header_b64 = b64::encode(header_json.as_bytes());
        let parts = [
            header_b64,
            b64::encode(&encrypted_key),
            b64::encode(&iv),
            b64::encode(&ciphertext),
            b64::encode(&tag),
        ];
        // Invariant: the header was built here from fixed members, so it always parses; an
        // empty stand-in would make a JWE whose header says nothing about its algorithms.
        #[allow(clippy::expect_used)]
        let header =
            parse_header(header_json.as_bytes()).expect("a header built from fixed members parses");
        CompactJwe {
            parts,
            header,
            encrypted_key,
            iv: iv.to_vec(),
            ciphertext,
            tag,
        }
    }

    /// Encrypts `plaintext` under `cek` directly (`alg: dir`), as an SD data item.
    ///
    /// # Errors
    /// [`EncryptError`] when the random generator fails.
    pub fn encrypt_dir<R: rand_core::TryCryptoRng + ?Sized>(
        cek: &Cek,
        kid: &str,
        plaintext: &[u8],
        rng: &mut R,
    ) -> Result<CompactJwe, EncryptError> {
        let json = header_json(ALG_DIR, kid);
        let mut iv = [0u8; IV_LEN];
        rng.try_fill_bytes(&mut iv).map_err(|_| EncryptError)?;
        let aad = b64::encode(json.as_bytes());
        let (ct, tag) = aead::encrypt(cek, &iv, aad.as_bytes(), plaintext);
        Ok(Self::assemble(&json, Vec::new(), iv, ct, tag.to_vec()))
    }

    /// Encrypts `plaintext` under a fresh CEK wrapped to `recipient` with RSA-OAEP-256.
    ///
    /// # Errors
    /// [`EncryptError`] when the random generator or the RSA operation fails.
    pub fn encrypt_rsa_oaep_256<R: rand_core::TryCryptoRng + ?Sized>(
        recipient: &RsaPublicKey,
        kid: &str,
        plaintext: &[u8],
        rng: &mut R,
    ) -> Result<CompactJwe, EncryptError> {
        let cek = Cek::random(rng).map_err(|_| EncryptError)?;
        let wrapped = crate::provider::rsa_oaep_sha256_encrypt(recipient, cek.expose(), rng)
            .ok_or(EncryptError)?;
        let json = header_json(ALG_RSA_OAEP_256, kid);
        let mut iv = [0u8; IV_LEN];
        rng.try_fill_bytes(&mut iv).map_err(|_| EncryptError)?;
        let aad = b64::encode(json.as_bytes());
        let (ct, tag) = aead::encrypt(&cek, &iv, aad.as_bytes(), plaintext);
        Ok(Self::assemble(&json, wrapped, iv, ct, tag.to_vec()))
    }

    /// The compact serialization, byte for byte as parsed (or as built).
    pub fn as_compact(&self) -> String {
        self.parts.join(".")
    }

    /// The protected header.
    pub fn header(&self) -> &JweHeader {
        &self.header
    }

    /// Decoded length of each part, in [`PART_NAMES`] order (for inspection).
    pub fn part_lengths(&self) -> [usize; 5] {
        [
            self.header.json.len(),
            self.encrypted_key.len(),
            self.iv.len(),
            self.ciphertext.len(),
            self.tag.len(),
        ]
    }

    /// The wrapped CEK (empty for `dir`).
    pub fn encrypted_key(&self) -> &[u8] {
        &self.encrypted_key
    }

    /// Ciphertext length in bytes.
    pub fn ciphertext_len(&self) -> usize {
        self.ciphertext.len()
    }

    /// Tag length in bytes (must be 32 to decrypt).
    pub fn tag_len(&self) -> usize {
        self.tag.len()
    }

    fn require(&self, alg: &str) -> Result<(), JweDecryptError> {
        if self.header.alg != alg || self.header.enc != ENC_A256CBC_HS512 {
            return Err(JweDecryptError::UnsupportedAlgorithm {
                alg: self.header.alg.clone(),
                enc: self.header.enc.clone(),
            });
        }
        Ok(())
    }

    /// Decrypts with the CEK content key used directly (`alg: dir`).
    ///
    /// # Errors
    /// [`JweDecryptError::UnsupportedAlgorithm`] unless `dir` + A256CBC-HS512;
    /// [`JweDecryptError::Failed`] on any cryptographic failure, including a non-empty
    /// encrypted-key part (which `dir` forbids).
    pub fn decrypt_dir(&self, cek: &Cek) -> Result<Plaintext, JweDecryptError> {
        self.require(ALG_DIR)?;
        if !self.encrypted_key.is_empty() {
            return Err(DecryptError.into());
        }
        Ok(aead::decrypt(
            cek,
            &self.iv,
            self.parts[0].as_bytes(),
            &self.ciphertext,
            &self.tag,
        )?)
    }

    /// Unwraps the CEK with `key` (RSA-OAEP-256), then decrypts.
    ///
    /// # Errors
    /// [`JweDecryptError::UnsupportedAlgorithm`] unless RSA-OAEP-256 + A256CBC-HS512;
    /// [`JweDecryptError::Failed`] on any cryptographic failure (wrong key included).
    pub fn decrypt_rsa_oaep_256(
        &self,
        key: &dyn OaepDecryptKey,
    ) -> Result<Plaintext, JweDecryptError> {
        self.require(ALG_RSA_OAEP_256)?;
        let cek = unwrap_cek(key, &self.encrypted_key)?;
        Ok(aead::decrypt(
            &cek,
            &self.iv,
            self.parts[0].as_bytes(),
            &self.ciphertext,
            &self.tag,
        )?)
    }
}

/// RSA-OAEP-256 unwrap of a 64-byte CEK.
///
/// # Errors
/// [`DecryptError`] for a wrong key, bad padding, or a result that is not 64 bytes.
pub fn unwrap_cek(key: &dyn OaepDecryptKey, encrypted_key: &[u8]) -> Result<Cek, DecryptError> {
    let raw = key.decrypt_oaep_sha256(encrypted_key)?;
    Cek::from_slice(&raw).ok_or(DecryptError)
}

/// Decrypts an RSA-OAEP-256 ciphertext of any length (for test vectors and the exchange key).
///
/// # Errors
/// [`DecryptError`] for any failure.
pub fn rsa_oaep_256_decrypt(
    key: &dyn OaepDecryptKey,
    ciphertext: &[u8],
) -> Result<Plaintext, DecryptError> {
    // Moving the Vec out of its Zeroizing wrapper copies nothing; Plaintext wipes it.
    key.decrypt_oaep_sha256(ciphertext)
        .map(|mut raw| Plaintext::new(core::mem::take(&mut *raw)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dir_round_trip_and_exact_serialization() {
        let cek = Cek::from_bytes([7u8; 64]);
        let jwe = CompactJwe::encrypt_dir(&cek, "hsm_backup", b"payload", &mut getrandom::SysRng)
            .unwrap();
        let text = jwe.as_compact();
        assert!(text.starts_with(
            "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2Q0JDLUhTNTEyIiwia2lkIjoiaHNtX2JhY2t1cCJ9.."
        ));
        let back = CompactJwe::parse(&text).unwrap();
        assert_eq!(back.as_compact(), text);
        assert_eq!(back.header().kid.as_deref(), Some("hsm_backup"));
        assert_eq!(back.decrypt_dir(&cek).unwrap().expose(), b"payload");
        assert!(back.decrypt_dir(&Cek::from_bytes([8u8; 64])).is_err());
        assert!(matches!(
            back.decrypt_rsa_oaep_256(&crate::oaep_key::sd1_test_key()),
            Err(JweDecryptError::UnsupportedAlgorithm { .. })
        ));
    }

    #[test]
    fn rsa_round_trip() {
        let key = crate::oaep_key::sd1_test_key();
        let jwe = CompactJwe::encrypt_rsa_oaep_256(
            &key.to_public_key(),
            "not used",
            b"share",
            &mut getrandom::SysRng,
        )
        .unwrap();
        let back = CompactJwe::parse(&jwe.as_compact()).unwrap();
        assert_eq!(back.decrypt_rsa_oaep_256(&key).unwrap().expose(), b"share");
        assert_eq!(back.part_lengths()[1], 256);
    }

    #[test]
    fn parse_errors() {
        assert_eq!(
            CompactJwe::parse("a.b.c").unwrap_err(),
            JweParseError::WrongPartCount { found: 3 }
        );
        assert_eq!(
            CompactJwe::parse("").unwrap_err(),
            JweParseError::WrongPartCount { found: 1 }
        );
        assert_eq!(
            CompactJwe::parse("e30.a+.AA.AA.AA").unwrap_err(),
            JweParseError::BadBase64 {
                part: "encrypted key"
            }
        );
        assert_eq!(
            CompactJwe::parse("bm90anNvbg....").unwrap_err(),
            JweParseError::HeaderNotJson
        );
        assert_eq!(
            CompactJwe::parse("e30....").unwrap_err(),
            JweParseError::HeaderField { field: "alg" }
        );
        let hdr = b64::encode(br#"{"alg":"dir","enc":5}"#);
        assert_eq!(
            CompactJwe::parse(&format!("{hdr}....")).unwrap_err(),
            JweParseError::HeaderField { field: "enc" }
        );
    }

    #[test]
    fn compression_and_critical_extensions_are_refused() {
        for (header, member) in [
            (r#"{"alg":"dir","enc":"A256CBC-HS512","zip":"DEF"}"#, "zip"),
            (r#"{"zip":"DEF","alg":"dir","enc":"A256CBC-HS512"}"#, "zip"),
            (
                r#"{"alg":"dir","enc":"A256CBC-HS512","crit":["exp"],"exp":1}"#,
                "crit",
            ),
            (r#"{"alg":"dir","enc":"A256CBC-HS512","crit":[]}"#, "crit"),
        ] {
            let hdr = b64::encode(header.as_bytes());
            assert_eq!(
                CompactJwe::parse(&format!("{hdr}....")).unwrap_err(),
                JweParseError::UnsupportedHeader { member },
                "{header}"
            );
        }
        // Other unknown members stay harmless (kept for inspect to note).
        let hdr = b64::encode(br#"{"alg":"dir","enc":"A256CBC-HS512","x":1}"#);
        assert!(CompactJwe::parse(&format!("{hdr}....")).is_ok());
    }
}
