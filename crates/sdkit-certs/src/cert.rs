//! Loading X.509 certificates and reading what custodians need from them:
//! thumbprints (how a security domain names keys), names and validity (for
//! display), and the RSA public key (for wrapping and key matching).

use core::fmt;
use std::time::SystemTime;

use base64ct::{Base64UrlUnpadded, Encoding};
use der::{Decode, Encode};
use sha1::{Digest, Sha1};

use crate::detect::{InputKind, classify_der, classify_pem_label};
use crate::oid_names::describe_oid;
use crate::pem::decode_pem_lenient;
use crate::rsa_numbers::{modulus_bits, strip_zeros};
use crate::{PrivateKey, Thumbprint};

/// Why a certificate could not be loaded or used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CertLoadError {
    /// The input is not a certificate (e.g. it is the private key, a public
    /// key, JSON, or garbage).
    NotACertificate {
        /// What the input was instead.
        found: InputKind,
    },
    /// The input claims to be a certificate (PEM label, DER shape, `x5c`)
    /// but is damaged or inconsistent.
    Malformed(String),
    /// The certificate's key is not RSA, so it cannot wrap a share.
    NotRsa {
        /// The key algorithm's name and OID.
        algorithm: String,
    },
}

impl fmt::Display for CertLoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotACertificate {
                found: found @ InputKind::PrivateKey,
            } => write!(
                f,
                "this file holds {found}, not a certificate; use the certificate (.cer/.pem with \
                 \"BEGIN CERTIFICATE\") that goes with it"
            ),
            Self::NotACertificate { found } => write!(
                f,
                "not a certificate: the input is {found} (expected PEM \"CERTIFICATE\" or DER \
                 X.509)"
            ),
            Self::Malformed(reason) => write!(f, "the certificate is damaged: {reason}"),
            Self::NotRsa { algorithm } => write!(
                f,
                "the certificate's key is {algorithm}, not RSA; security-domain keys must be RSA"
            ),
        }
    }
}

impl std::error::Error for CertLoadError {}

/// A parsed X.509 certificate with its original DER.
#[derive(Clone)]
pub struct Certificate {
    der: Vec<u8>,
    cert: x509_cert::Certificate,
    /// SubjectPublicKeyInfo DER, encoded once at load so accessors cannot
    /// fail.
    spki_der: Vec<u8>,
}

impl Certificate {
    /// Parses a DER certificate (exactly one, no trailing bytes).
    ///
    /// # Errors
    /// [`CertLoadError::Malformed`] if `der` is not an X.509 certificate.
    pub fn from_der(der: &[u8]) -> Result<Self, CertLoadError> {
        let cert = x509_cert::Certificate::from_der(der)
            .map_err(|e| CertLoadError::Malformed(format!("not a valid X.509 certificate: {e}")))?;
        let spki_der = cert
            .tbs_certificate()
            .subject_public_key_info()
            .to_der()
            .map_err(|e| CertLoadError::Malformed(format!("cannot re-encode public key: {e}")))?;
        Ok(Self {
            der: der.to_vec(),
            cert,
            spki_der,
        })
    }

    /// The certificate's DER encoding, byte for byte as loaded.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The parsed certificate, for anything not covered here.
    pub fn x509(&self) -> &x509_cert::Certificate {
        &self.cert
    }

    /// SHA-256 thumbprint (`x5t#S256`), as used in security-domain files.
    pub fn thumbprint(&self) -> Thumbprint {
        Thumbprint::of_certificate_der(&self.der)
    }

    /// SHA-1 thumbprint as unpadded base64url (JOSE `x5t`), which Azure
    /// still includes in JWKs.
    pub fn sha1_thumbprint_b64url(&self) -> String {
        Base64UrlUnpadded::encode_string(&Sha1::digest(&self.der))
    }

    /// Subject name as an RFC 4514 string (most specific RDN first), e.g.
    /// `CN=transfer-key`.
    pub fn subject(&self) -> String {
        self.cert.tbs_certificate().subject().to_string()
    }

    /// Issuer name as an RFC 4514 string.
    pub fn issuer(&self) -> String {
        self.cert.tbs_certificate().issuer().to_string()
    }

    /// Start of the validity period.
    pub fn not_before(&self) -> SystemTime {
        self.cert
            .tbs_certificate()
            .validity()
            .not_before
            .to_system_time()
    }

    /// End of the validity period. Expiry does not stop a key from opening
    /// a security domain, but callers may want to warn about it.
    pub fn not_after(&self) -> SystemTime {
        self.cert
            .tbs_certificate()
            .validity()
            .not_after
            .to_system_time()
    }

    /// Serial number as uppercase hex without separators or leading zero
    /// bytes, like `openssl x509 -noout -serial` prints it.
    pub fn serial_hex(&self) -> String {
        let bytes = self.cert.tbs_certificate().serial_number().as_bytes();
        let start = bytes
            .iter()
            .position(|b| *b != 0)
            .unwrap_or(bytes.len().saturating_sub(1));
        bytes[start..].iter().map(|b| format!("{b:02X}")).collect()
    }

    /// The RSA public key.
    ///
    /// # Errors
    /// [`CertLoadError::NotRsa`] for other key types;
    /// [`CertLoadError::Malformed`] if the RSA key does not decode or is
    /// outside the sizes the `rsa` crate supports (1024 to 8192 bits).
    pub fn rsa_public_key(&self) -> Result<rsa::PublicKey, CertLoadError> {
        let spki = spki::SubjectPublicKeyInfoRef::from_der(&self.spki_der)
            .map_err(|e| CertLoadError::Malformed(format!("public key info: {e}")))?;
        if spki.algorithm.oid != pkcs1::ALGORITHM_OID {
            return Err(CertLoadError::NotRsa {
                algorithm: describe_oid(&spki.algorithm.oid),
            });
        }
        rsa::PublicKey::try_from(spki)
            .map_err(|e| CertLoadError::Malformed(format!("invalid RSA public key: {e}")))
    }

    /// RSA modulus length in bits; `None` if the key is not RSA or does not
    /// decode.
    pub fn key_bits(&self) -> Option<usize> {
        self.rsa_numbers().map(|(n, _)| modulus_bits(&n))
    }

    /// The SubjectPublicKeyInfo DER, as found in the certificate.
    pub fn public_key_der(&self) -> Vec<u8> {
        self.spki_der.clone()
    }

    /// Whether `key` is the private half of this certificate's public key
    /// (same modulus and public exponent).
    pub fn matches_private_key(&self, key: &PrivateKey) -> bool {
        self.matches_public_numbers(key.modulus(), key.public_exponent())
    }

    /// Whether this certificate's key has modulus `n` and public exponent `e` (big-endian,
    /// without leading zeros): for keys sdkit holds only the public half of, such as keys on
    /// a token.
    pub fn matches_public_numbers(&self, n: &[u8], e: &[u8]) -> bool {
        match self.rsa_numbers() {
            Some((cn, ce)) => strip_zeros(&cn) == n && strip_zeros(&ce) == e,
            None => false,
        }
    }

    /// `(modulus, exponent)` big-endian bytes of an RSA key, decoded
    /// without the `rsa` crate's size limits.
    fn rsa_numbers(&self) -> Option<(Vec<u8>, Vec<u8>)> {
        let spki = spki::SubjectPublicKeyInfoRef::from_der(&self.spki_der).ok()?;
        if spki.algorithm.oid != pkcs1::ALGORITHM_OID {
            return None;
        }
        let key = pkcs1::RsaPublicKeyRef::from_der(spki.subject_public_key.as_bytes()?).ok()?;
        Some((
            key.modulus.as_bytes().to_vec(),
            key.public_exponent.as_bytes().to_vec(),
        ))
    }
}

/// Shows the subject and thumbprint, which identify the certificate.
impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate")
            .field("subject", &self.subject())
            .field("thumbprint", &self.thumbprint().to_base64url())
            .finish_non_exhaustive()
    }
}

/// Loads a certificate from PEM (the first `CERTIFICATE` block, anything
/// around it ignored) or DER.
///
/// # Errors
/// [`CertLoadError::NotACertificate`] when the input is something else
/// (saying what), [`CertLoadError::Malformed`] when it is a damaged
/// certificate.
pub fn load_certificate(bytes: &[u8]) -> Result<Certificate, CertLoadError> {
    // A file that is one whole DER structure is DER, whatever text it may carry inside
    // (an extension can hold PEM text of another certificate; OpenSSL reads the outer one).
    if crate::detect::is_whole_der(bytes) {
        return Certificate::from_der(bytes).map_err(|err| match classify_der(bytes) {
            InputKind::Unrecognized => err,
            found => CertLoadError::NotACertificate { found },
        });
    }
    let blocks = decode_pem_lenient(bytes).map_err(|e| CertLoadError::Malformed(e.to_string()))?;
    if blocks.is_empty() {
        return Certificate::from_der(bytes).map_err(|err| match classify_der(bytes) {
            // A SEQUENCE that is nothing else is most likely a damaged cert.
            InputKind::Unrecognized if bytes.first() == Some(&0x30) => err,
            found => CertLoadError::NotACertificate { found },
        });
    }
    for block in &blocks {
        match block.label.as_str() {
            "CERTIFICATE" | "X509 CERTIFICATE" => return Certificate::from_der(&block.der),
            // OpenSSL's "trusted" form appends trust settings after the DER.
            "TRUSTED CERTIFICATE" => {
                let (_, rest) =
                    x509_cert::Certificate::from_der_partial(&block.der).map_err(|e| {
                        CertLoadError::Malformed(format!("not a valid X.509 certificate: {e}"))
                    })?;
                return Certificate::from_der(&block.der[..block.der.len() - rest.len()]);
            }
            _ => {}
        }
    }
    let found = blocks
        .first()
        .map_or(InputKind::Unrecognized, |b| classify_pem_label(&b.label));
    Err(CertLoadError::NotACertificate { found })
}
