//! Recognising what a file is when it is not what was asked for.
//!
//! Custodians juggle several files per key (certificate, private key,
//! sometimes a public key or CSR), and passing the wrong one is the most
//! common mistake. Errors therefore say "this is a certificate, not a
//! private key" rather than a bare parse failure.

use core::fmt;

use der::asn1::{AnyRef, ObjectIdentifier, OctetStringRef};
use der::{Decode, Reader};
use spki::AlgorithmIdentifierRef;

/// What an input turned out to be, reported by
/// [`KeyLoadError::NotAKey`](crate::KeyLoadError::NotAKey) and
/// [`CertLoadError::NotACertificate`](crate::CertLoadError::NotACertificate).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InputKind {
    /// An X.509 certificate (PEM `CERTIFICATE` or DER).
    Certificate,
    /// A public key alone (PEM `PUBLIC KEY`/`RSA PUBLIC KEY`, or DER
    /// SubjectPublicKeyInfo / PKCS#1 RSAPublicKey).
    PublicKey,
    /// A private key (plain or encrypted).
    PrivateKey,
    /// A PKCS#10 certificate signing request.
    CertificateRequest,
    /// A PKCS#12 file (`.pfx`/`.p12`): a key with its certificate, password-protected.
    Pkcs12,
    /// JSON text, e.g. a JWK or a transfer-key response.
    Json,
    /// A PEM block with some other label.
    OtherPem {
        /// The block's label.
        label: String,
    },
    /// Neither PEM nor any DER structure recognised here.
    Unrecognized,
}

impl fmt::Display for InputKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Certificate => f.write_str("an X.509 certificate"),
            Self::PublicKey => f.write_str("a public key (without its private part)"),
            Self::PrivateKey => f.write_str("a private key"),
            Self::CertificateRequest => f.write_str("a certificate signing request"),
            Self::Pkcs12 => f.write_str("a PKCS#12 file (.pfx/.p12)"),
            Self::Json => f.write_str("JSON text"),
            Self::OtherPem { label } => write!(f, "a PEM block labelled \"{label}\""),
            Self::Unrecognized => f.write_str("neither PEM nor a recognised DER structure"),
        }
    }
}

/// Classifies a PEM block by its label.
pub(crate) fn classify_pem_label(label: &str) -> InputKind {
    match label {
        "CERTIFICATE" | "X509 CERTIFICATE" | "TRUSTED CERTIFICATE" => InputKind::Certificate,
        "PUBLIC KEY" | "RSA PUBLIC KEY" => InputKind::PublicKey,
        "CERTIFICATE REQUEST" | "NEW CERTIFICATE REQUEST" => InputKind::CertificateRequest,
        l if l.ends_with("PRIVATE KEY") => InputKind::PrivateKey,
        l => InputKind::OtherPem {
            label: l.to_owned(),
        },
    }
}

/// Classifies raw bytes that did not decode as the expected object.
pub(crate) fn classify_der(bytes: &[u8]) -> InputKind {
    if bytes
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'{' || *b == b'[')
    {
        InputKind::Json
    } else if crate::pkcs12::looks_like_pfx(bytes) {
        InputKind::Pkcs12
    } else if x509_cert::Certificate::from_der(bytes).is_ok() {
        InputKind::Certificate
    } else if pkcs8::PrivateKeyInfoRef::from_der(bytes).is_ok()
        || pkcs1::RsaPrivateKeyRef::from_der(bytes).is_ok()
        || encrypted_pkcs8_algorithm(bytes).is_some()
    {
        InputKind::PrivateKey
    } else if spki::SubjectPublicKeyInfoRef::from_der(bytes).is_ok()
        || pkcs1::RsaPublicKeyRef::from_der(bytes).is_ok()
    {
        InputKind::PublicKey
    } else if x509_cert::request::CertReq::from_der(bytes).is_ok() {
        InputKind::CertificateRequest
    } else {
        InputKind::Unrecognized
    }
}

/// If `der` has the shape of an EncryptedPrivateKeyInfo,
/// `SEQUENCE { AlgorithmIdentifier, OCTET STRING }`, returns the encryption
/// algorithm OID.
///
/// This deliberately does not decode the algorithm parameters: files
/// encrypted with schemes the `pkcs5` crate cannot parse (PKCS#12 PBE,
/// PBES2 with 3DES) must still be recognised as encrypted keys, so that the
/// user is told "unsupported encryption" instead of "not a key".
/// Certificates (`SEQUENCE { SEQUENCE, ... }`) and SubjectPublicKeyInfo
/// (`..., BIT STRING`) do not match.
pub(crate) fn encrypted_pkcs8_algorithm(der: &[u8]) -> Option<ObjectIdentifier> {
    let any = AnyRef::from_der(der).ok()?;
    any.sequence(|reader| {
        let algorithm: AlgorithmIdentifierRef<'_> = reader.decode()?;
        let _data: &OctetStringRef = reader.decode()?;
        Ok::<_, der::Error>(algorithm.oid)
    })
    .ok()
}

/// True when `bytes` are exactly one DER-encoded SEQUENCE with nothing after it. Such input is
/// read as DER and never searched for PEM blocks: text embedded inside a DER structure must
/// not be mistaken for the file's content.
pub(crate) fn is_whole_der(bytes: &[u8]) -> bool {
    use der::Decode;
    bytes.first() == Some(&0x30) && der::AnyRef::from_der(bytes).is_ok()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        assert_eq!(classify_pem_label("CERTIFICATE"), InputKind::Certificate);
        assert_eq!(classify_pem_label("RSA PUBLIC KEY"), InputKind::PublicKey);
        assert_eq!(classify_pem_label("EC PRIVATE KEY"), InputKind::PrivateKey);
        assert_eq!(
            classify_pem_label("CERTIFICATE REQUEST"),
            InputKind::CertificateRequest
        );
        assert_eq!(
            classify_pem_label("X"),
            InputKind::OtherPem { label: "X".into() }
        );
    }

    #[test]
    fn json_and_garbage() {
        assert_eq!(classify_der(b"  {\"a\":1}"), InputKind::Json);
        assert_eq!(classify_der(b"hello"), InputKind::Unrecognized);
        assert_eq!(classify_der(b""), InputKind::Unrecognized);
    }

    #[test]
    fn encrypted_shape() {
        // SEQUENCE { SEQUENCE { OID 1.2.3 }, OCTET STRING "x" }
        let der = [
            0x30, 0x0a, 0x30, 0x04, 0x06, 0x02, 0x2a, 0x03, 0x04, 0x02, b'x', b'y',
        ];
        let oid = encrypted_pkcs8_algorithm(&der).expect("matches");
        assert_eq!(oid.to_string(), "1.2.3");
        // Same but BIT STRING instead of OCTET STRING (a SubjectPublicKeyInfo).
        let spki = [
            0x30, 0x0a, 0x30, 0x04, 0x06, 0x02, 0x2a, 0x03, 0x03, 0x02, 0x00, b'y',
        ];
        assert!(encrypted_pkcs8_algorithm(&spki).is_none());
        // Trailing data is rejected.
        let mut trailing = der.to_vec();
        trailing.push(0);
        assert!(encrypted_pkcs8_algorithm(&trailing).is_none());
    }
}
