//! The certificate thumbprint that links a share to its custodian.
//!
//! `x5t_256` in the SD file is base64url (unpadded) of SHA-256 over the custodian's
//! certificate DER. It is the only link between a share and a key: the JWE `kid` is opaque.

use crate::b64;
use core::fmt;
use sha2::{Digest, Sha256};

/// SHA-256 over a certificate's DER encoding (JOSE `x5t#S256`, Azure `x5t_256`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Thumbprint([u8; 32]);

/// A thumbprint string that is not base64url of exactly 32 bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThumbprintError;

impl fmt::Display for ThumbprintError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not a SHA-256 thumbprint (expected 43 base64url characters)")
    }
}

impl std::error::Error for ThumbprintError {}

impl Thumbprint {
    /// Computes the thumbprint of a DER-encoded certificate.
    pub fn of_certificate_der(der: &[u8]) -> Self {
        Self(Sha256::digest(der).into())
    }

    /// Wraps 32 digest bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// Parses the base64url form found in SD files and JWKs.
    ///
    /// # Errors
    /// [`ThumbprintError`] unless the text is base64url of exactly 32 bytes.
    pub fn parse(text: &str) -> Result<Self, ThumbprintError> {
        let bytes = b64::decode(text).map_err(|_| ThumbprintError)?;
        let arr: [u8; 32] = bytes.try_into().map_err(|_| ThumbprintError)?;
        Ok(Self(arr))
    }

    /// The digest bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// base64url without padding: the form written into SD files.
    pub fn to_base64url(&self) -> String {
        b64::encode(&self.0)
    }

    /// Lower-case hex, for people comparing against `openssl x509 -fingerprint -sha256`.
    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }
}

impl fmt::Display for Thumbprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_base64url())
    }
}

impl fmt::Debug for Thumbprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Thumbprint({})", self.to_base64url())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_round_trip() {
        let t = Thumbprint::of_certificate_der(b"not really a certificate");
        let s = t.to_base64url();
        assert_eq!(s.len(), 43);
        assert_eq!(Thumbprint::parse(&s).unwrap(), t);
        assert!(Thumbprint::parse(&s[..42]).is_err());
        assert!(Thumbprint::parse("").is_err());
        assert!(Thumbprint::parse(&format!("{s}AAAA")).is_err());
        assert_eq!(t.to_hex().len(), 64);
    }
}
