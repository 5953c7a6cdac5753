//! Loading RSA private keys from the encodings custodians actually have.
//!
//! Accepted: PEM `PRIVATE KEY` (PKCS#8), `RSA PRIVATE KEY` (PKCS#1) and
//! `ENCRYPTED PRIVATE KEY` (PKCS#8 PBES2), or the same three as raw DER
//! (told apart by trying each). A PEM file may hold other blocks too, e.g.
//! a certificate and key concatenated; the first private-key block is used.
//! PKCS#12 files (`.pfx`/`.p12`) are recognised by their first bytes and read by
//! [`crate::pkcs12`].

use core::fmt;

use der::asn1::{AnyRef, BitStringRef, Null};
use der::{Decode, Encode};
use pkcs8::PrivateKeyInfoRef;
use sdkit_core::aead::DecryptError;
use spki::{AlgorithmIdentifier, SubjectPublicKeyInfoRef};
use zeroize::Zeroizing;

use crate::backend::Backend;
use crate::detect::{classify_der, classify_pem_label, encrypted_pkcs8_algorithm};
use crate::encrypted::decrypt_pkcs8;
use crate::limits::{MAX_RSA_BITS, MIN_RSA_BITS};
use crate::oid_names::describe_oid;
use crate::pem::{PemBlock, decode_pem_lenient};
use crate::rsa_numbers::{modulus_bits, strip_zeros};
use crate::{Certificate, InputKind, KeyLoadError};

/// The encoding a key was loaded from (for messages and `inspect`-style
/// output; loading treats them all alike).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyFormat {
    /// PEM `PRIVATE KEY`: unencrypted PKCS#8.
    Pkcs8Pem,
    /// PEM `RSA PRIVATE KEY`: PKCS#1 ("traditional" OpenSSL).
    Pkcs1Pem,
    /// PEM `ENCRYPTED PRIVATE KEY`: PKCS#8 with PBES2.
    EncryptedPkcs8Pem,
    /// DER unencrypted PKCS#8.
    Pkcs8Der,
    /// DER PKCS#1 RSAPrivateKey.
    Pkcs1Der,
    /// DER PKCS#8 EncryptedPrivateKeyInfo.
    EncryptedPkcs8Der,
    /// A PKCS#12 file (`.pfx`/`.p12`), password-protected or not.
    Pkcs12,
}

impl fmt::Display for KeyFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Pkcs8Pem => "PKCS#8 PEM",
            Self::Pkcs1Pem => "PKCS#1 PEM",
            Self::EncryptedPkcs8Pem => "encrypted PKCS#8 PEM",
            Self::Pkcs8Der => "PKCS#8 DER",
            Self::Pkcs1Der => "PKCS#1 DER",
            Self::EncryptedPkcs8Der => "encrypted PKCS#8 DER",
            Self::Pkcs12 => "PKCS#12",
        })
    }
}

/// A validated RSA private key of at least [`MIN_RSA_BITS`] bits, ready for RSA-OAEP-256
/// decryption on the backend this build uses ([`crate::RSA_BACKEND`]).
///
/// `Debug` prints only the format, size and whether it was encrypted; the backend wipes the
/// secret numbers on drop.
pub struct PrivateKey {
    backend: Backend,
    /// Big-endian modulus without leading zeros.
    modulus: Vec<u8>,
    /// Big-endian public exponent without leading zeros.
    public_exponent: Vec<u8>,
    format: KeyFormat,
    encrypted: bool,
    /// SubjectPublicKeyInfo DER, computed once at load so that accessors
    /// cannot fail.
    spki_der: Vec<u8>,
    /// The key's own certificate, when the file carried one (PKCS#12). Boxed: most keys
    /// have none, and a key is moved around in lists.
    certificate: Option<Box<Certificate>>,
}

impl PrivateKey {
    /// The encoding it was loaded from.
    pub fn format(&self) -> KeyFormat {
        self.format
    }

    /// Whether the input was passphrase-protected.
    pub fn was_encrypted(&self) -> bool {
        self.encrypted
    }

    /// Modulus length in bits (e.g. 2048).
    pub fn bits(&self) -> usize {
        modulus_bits(&self.modulus)
    }

    /// The modulus n, big-endian, without leading zeros.
    pub fn modulus(&self) -> &[u8] {
        &self.modulus
    }

    /// The public exponent e, big-endian, without leading zeros.
    pub fn public_exponent(&self) -> &[u8] {
        &self.public_exponent
    }

    /// The public half as SubjectPublicKeyInfo DER, for matching against
    /// certificates and for display.
    pub fn public_key_der(&self) -> Vec<u8> {
        self.spki_der.clone()
    }

    /// The certificate that came in the same file, when there was one and its public key is
    /// this key's (a PKCS#12 file carries the custodian's certificate, and perhaps its
    /// chain). Its thumbprint names the key's share, so no `.cer` file is needed beside it.
    pub fn certificate(&self) -> Option<&Certificate> {
        self.certificate.as_deref()
    }

    /// Marks a key read from a PKCS#12 file: whether it had a real password, and its own
    /// certificate when found.
    pub(crate) fn with_pkcs12_origin(
        mut self,
        encrypted: bool,
        certificate: Option<Certificate>,
    ) -> Self {
        self.encrypted = encrypted;
        self.certificate = certificate.map(Box::new);
        self
    }
}

impl sdkit_core::OaepDecryptKey for PrivateKey {
    fn modulus_len(&self) -> usize {
        self.modulus.len()
    }

    fn decrypt_oaep_sha256(&self, ciphertext: &[u8]) -> Result<Zeroizing<Vec<u8>>, DecryptError> {
        if ciphertext.len() != self.modulus.len() {
            return Err(DecryptError);
        }
        self.backend.decrypt_oaep_sha256(ciphertext)
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKey")
            .field("format", &self.format)
            .field("bits", &self.bits())
            .field("encrypted", &self.encrypted)
            .finish_non_exhaustive()
    }
}

/// Loads an RSA private key from PEM or DER `bytes`.
///
/// `passphrase` is used only if the key is encrypted (and ignored
/// otherwise). To avoid needless prompts, call with `None` first and prompt
/// only on [`KeyLoadError::PassphraseRequired`]; unsupported encryption is
/// reported without needing a passphrase. Alternatively check
/// [`private_key_is_encrypted`] up front.
///
/// # Errors
/// See [`KeyLoadError`]; every variant is reachable from some input.
pub fn load_private_key(
    bytes: &[u8],
    passphrase: Option<&[u8]>,
) -> Result<PrivateKey, KeyLoadError> {
    // Before the whole-DER test, so that a truncated PKCS#12 file is called one.
    if crate::pkcs12::looks_like_pfx(bytes) {
        crate::provider::check_pkcs12_allowed()?;
        return crate::pkcs12::load_pfx(bytes, passphrase);
    }
    // One whole DER structure is DER, even if PEM text hides inside it (see load_certificate).
    if crate::detect::is_whole_der(bytes) {
        return load_der(bytes, passphrase);
    }
    let blocks = decode_pem_lenient(bytes).map_err(|e| KeyLoadError::Malformed(e.to_string()))?;
    if blocks.is_empty() {
        return load_der(bytes, passphrase);
    }
    let (block, kind) = select_key_block(&blocks)?;
    if let Some(cipher) = legacy_encryption(block) {
        return Err(KeyLoadError::UnsupportedEncryption {
            scheme: format!("legacy OpenSSL PEM encryption ({cipher})"),
        });
    }
    match kind {
        PemKeyKind::Pkcs8 => {
            let info = PrivateKeyInfoRef::from_der(&block.der).map_err(|e| {
                KeyLoadError::Malformed(format!("the PRIVATE KEY block is not valid PKCS#8: {e}"))
            })?;
            from_pkcs8(info, KeyFormat::Pkcs8Pem)
        }
        PemKeyKind::Pkcs1 => {
            let key = pkcs1::RsaPrivateKeyRef::from_der(&block.der).map_err(|e| {
                KeyLoadError::Malformed(format!(
                    "the RSA PRIVATE KEY block is not valid PKCS#1: {e}"
                ))
            })?;
            from_pkcs1(key, &block.der, KeyFormat::Pkcs1Pem)
        }
        PemKeyKind::Encrypted => {
            from_encrypted(&block.der, passphrase, KeyFormat::EncryptedPkcs8Pem)
        }
    }
}

/// Whether `bytes` hold an encrypted private key, so a caller knows to
/// prompt for a passphrase: PEM `ENCRYPTED PRIVATE KEY`, a legacy
/// `Proc-Type: 4,ENCRYPTED` key block (which [`load_private_key`] will then
/// reject as unsupported), or DER shaped like an EncryptedPrivateKeyInfo.
/// Anything unreadable gives `false`; [`load_private_key`] explains why. A PKCS#12 file is
/// encrypted unless it opens without a password (as Key Vault exports do).
pub fn private_key_is_encrypted(bytes: &[u8]) -> bool {
    if crate::pkcs12::looks_like_pfx(bytes) {
        return matches!(
            crate::pkcs12::load_pfx(bytes, None),
            Err(KeyLoadError::PassphraseRequired)
        );
    }
    let der_only = crate::detect::is_whole_der(bytes);
    match decode_pem_lenient(bytes) {
        Ok(blocks) if blocks.is_empty() || der_only => {
            PrivateKeyInfoRef::from_der(bytes).is_err()
                && pkcs1::RsaPrivateKeyRef::from_der(bytes).is_err()
                && encrypted_pkcs8_algorithm(bytes).is_some()
        }
        Ok(blocks) => match select_key_block(&blocks) {
            Ok((block, kind)) => {
                kind == PemKeyKind::Encrypted || legacy_encryption(block).is_some()
            }
            Err(_) => false,
        },
        Err(_) => false,
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum PemKeyKind {
    Pkcs8,
    Pkcs1,
    Encrypted,
}

/// Picks the first RSA-capable private-key block; otherwise explains what
/// the file holds instead.
fn select_key_block(blocks: &[PemBlock]) -> Result<(&PemBlock, PemKeyKind), KeyLoadError> {
    for block in blocks {
        let kind = match block.label.as_str() {
            "PRIVATE KEY" => PemKeyKind::Pkcs8,
            "RSA PRIVATE KEY" => PemKeyKind::Pkcs1,
            "ENCRYPTED PRIVATE KEY" => PemKeyKind::Encrypted,
            _ => continue,
        };
        return Ok((block, kind));
    }
    for block in blocks {
        let algorithm = match block.label.as_str() {
            "EC PRIVATE KEY" => "EC",
            "DSA PRIVATE KEY" => "DSA",
            _ => continue,
        };
        return Err(KeyLoadError::NotRsa {
            algorithm: format!("{algorithm} (PEM \"{}\")", block.label),
        });
    }
    let found = blocks
        .first()
        .map_or(InputKind::Unrecognized, |b| classify_pem_label(&b.label));
    Err(KeyLoadError::NotAKey { found })
}

/// For a legacy OpenSSL-encrypted PEM block, the cipher name from
/// `DEK-Info` (sanitised: it is shown to the user). The IV after the comma
/// is dropped.
fn legacy_encryption(block: &PemBlock) -> Option<String> {
    let proc_type = block.header("Proc-Type")?;
    if !proc_type.to_ascii_uppercase().contains("ENCRYPTED") {
        return None;
    }
    let cipher: String = block
        .header("DEK-Info")
        .and_then(|v| v.split(',').next())
        .unwrap_or("unknown cipher")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == ' ')
        .take(32)
        .collect();
    Some(cipher)
}

/// Raw DER: try PKCS#8, PKCS#1, then EncryptedPrivateKeyInfo. The three
/// structures cannot be confused (their first elements differ).
fn load_der(der: &[u8], passphrase: Option<&[u8]>) -> Result<PrivateKey, KeyLoadError> {
    if let Ok(info) = PrivateKeyInfoRef::from_der(der) {
        from_pkcs8(info, KeyFormat::Pkcs8Der)
    } else if let Ok(key) = pkcs1::RsaPrivateKeyRef::from_der(der) {
        from_pkcs1(key, der, KeyFormat::Pkcs1Der)
    } else if encrypted_pkcs8_algorithm(der).is_some() {
        from_encrypted(der, passphrase, KeyFormat::EncryptedPkcs8Der)
    } else {
        Err(KeyLoadError::NotAKey {
            found: classify_der(der),
        })
    }
}

fn from_encrypted(
    der: &[u8],
    passphrase: Option<&[u8]>,
    format: KeyFormat,
) -> Result<PrivateKey, KeyLoadError> {
    let plaintext = decrypt_pkcs8(der, passphrase)?;
    // Padding can check out by chance under a wrong passphrase (about 1 in
    // 256 for CBC); the plaintext then is not PKCS#8.
    let info =
        PrivateKeyInfoRef::from_der(&plaintext).map_err(|_| KeyLoadError::WrongPassphrase)?;
    from_pkcs8(info, format)
}

pub(crate) fn from_pkcs8(
    info: PrivateKeyInfoRef<'_>,
    format: KeyFormat,
) -> Result<PrivateKey, KeyLoadError> {
    if info.algorithm.oid != pkcs1::ALGORITHM_OID {
        return Err(KeyLoadError::NotRsa {
            algorithm: describe_oid(&info.algorithm.oid),
        });
    }
    if info.algorithm.parameters.is_some_and(|p| p != Null.into()) {
        return Err(KeyLoadError::Malformed(
            "rsaEncryption parameters must be NULL or absent".into(),
        ));
    }
    let der = info.private_key.as_bytes();
    let key = pkcs1::RsaPrivateKeyRef::from_der(der).map_err(|e| {
        KeyLoadError::Malformed(format!(
            "the PKCS#8 key does not hold a valid PKCS#1 RSA key: {e}"
        ))
    })?;
    from_pkcs1(key, der, format)
}

/// Size checks come first, from the encoded modulus, so an undersized key
/// is reported as [`KeyLoadError::TooSmall`] before any backend sees it.
/// `der` is the encoding `key` was parsed from.
fn from_pkcs1(
    key: pkcs1::RsaPrivateKeyRef<'_>,
    der: &[u8],
    format: KeyFormat,
) -> Result<PrivateKey, KeyLoadError> {
    if key.version() != pkcs1::Version::TwoPrime {
        return Err(KeyLoadError::InvalidRsaKey(
            "multi-prime RSA keys are not supported".into(),
        ));
    }
    let bits = modulus_bits(key.modulus.as_bytes());
    if bits < MIN_RSA_BITS {
        return Err(KeyLoadError::TooSmall { bits });
    }
    if bits > MAX_RSA_BITS {
        return Err(KeyLoadError::InvalidRsaKey(format!(
            "{bits}-bit modulus; at most {MAX_RSA_BITS} bits are supported"
        )));
    }
    let spki_der = spki_der(&key)?;
    let backend = Backend::from_pkcs1_der(der).map_err(|_| {
        KeyLoadError::InvalidRsaKey("its numbers are inconsistent or in an unsupported form".into())
    })?;
    let encrypted = matches!(
        format,
        KeyFormat::EncryptedPkcs8Pem | KeyFormat::EncryptedPkcs8Der
    );
    Ok(PrivateKey {
        backend,
        modulus: strip_zeros(key.modulus.as_bytes()).to_vec(),
        public_exponent: strip_zeros(key.public_exponent.as_bytes()).to_vec(),
        format,
        encrypted,
        spki_der,
        certificate: None,
    })
}

/// The public half as SubjectPublicKeyInfo DER (rsaEncryption, NULL parameters).
fn spki_der(key: &pkcs1::RsaPrivateKeyRef<'_>) -> Result<Vec<u8>, KeyLoadError> {
    let cannot =
        |e: der::Error| KeyLoadError::InvalidRsaKey(format!("cannot encode public key: {e}"));
    let public = pkcs1::RsaPublicKeyRef {
        modulus: key.modulus,
        public_exponent: key.public_exponent,
    }
    .to_der()
    .map_err(cannot)?;
    SubjectPublicKeyInfoRef {
        algorithm: AlgorithmIdentifier {
            oid: pkcs1::ALGORITHM_OID,
            parameters: Some(AnyRef::NULL),
        },
        subject_public_key: BitStringRef::from_bytes(&public).map_err(cannot)?,
    }
    .to_der()
    .map_err(cannot)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn legacy_cipher_name_is_sanitised() {
        let block = PemBlock {
            label: "RSA PRIVATE KEY".into(),
            headers: vec![
                ("Proc-Type".into(), "4,ENCRYPTED".into()),
                ("DEK-Info".into(), "AES-256-CBC\u{1b}[31m,00112233".into()),
            ],
            der: Default::default(),
        };
        assert_eq!(legacy_encryption(&block).as_deref(), Some("AES-256-CBC31m"));
    }
}
