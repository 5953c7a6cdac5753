//! The HSM's exchange (transfer) key, as returned by
//! `GET /securitydomain/upload`.
//!
//! The body is `{"key_format":"jwk","transfer_key":"<JWK as a JSON
//! string>"}`; the certificate is the first `x5c` entry. The JWK's own
//! `x5t#S256`, `x5t`, `n` and `e` must agree with that certificate: the
//! restore blob is encrypted to this key, so any inconsistency is refused
//! rather than guessed around.

use base64ct::{Base64, Base64UrlUnpadded, Encoding};
use rsa::traits::PublicKeyParts;
use serde_json::{Map, Value};

use crate::Thumbprint;
use crate::cert::{CertLoadError, Certificate};
use crate::rsa_numbers::strip_zeros;

/// Loads the exchange certificate from a transfer-key response, or from a
/// bare JWK object carrying `x5c`.
///
/// `x5c[0]` is standard base64 (with padding) of the certificate DER, per
/// RFC 7517 §4.7. If the JWK also has `x5t#S256`, `x5t`, or RSA `n`/`e`,
/// they are checked against that certificate.
///
/// # Errors
/// [`CertLoadError::Malformed`] for JSON that is not such a response, a
/// missing or undecodable `x5c`, or an inconsistency; certificate errors
/// from the `x5c` DER.
pub fn load_certificate_from_jwk_json(bytes: &[u8]) -> Result<Certificate, CertLoadError> {
    let malformed = |m: &str| CertLoadError::Malformed(m.to_owned());
    let outer: Value = serde_json::from_slice(bytes)
        .map_err(|e| CertLoadError::Malformed(format!("not valid JSON: {e}")))?;
    let outer = outer
        .as_object()
        .ok_or_else(|| malformed("expected a JSON object"))?;
    if let Some(format) = outer.get("key_format") {
        if format.as_str() != Some("jwk") {
            return Err(malformed("key_format is not \"jwk\""));
        }
    }
    let nested;
    let jwk: &Map<String, Value> = match outer.get("transfer_key") {
        Some(Value::String(text)) => {
            nested = serde_json::from_str::<Value>(text)
                .map_err(|e| CertLoadError::Malformed(format!("transfer_key is not JSON: {e}")))?;
            nested
                .as_object()
                .ok_or_else(|| malformed("transfer_key is not a JSON object"))?
        }
        Some(Value::Object(object)) => object,
        Some(_) => {
            return Err(malformed(
                "transfer_key is neither a JSON string nor an object",
            ));
        }
        None => outer,
    };

    let first = jwk
        .get("x5c")
        .and_then(Value::as_array)
        .and_then(|chain| chain.first())
        .ok_or_else(|| malformed("the JWK has no x5c certificate chain"))?
        .as_str()
        .ok_or_else(|| malformed("x5c[0] is not a string"))?;
    let der = Base64::decode_vec(first).map_err(|_| malformed("x5c[0] is not standard base64"))?;
    let cert = Certificate::from_der(&der)?;
    check_consistency(jwk, &cert)?;
    Ok(cert)
}

fn check_consistency(jwk: &Map<String, Value>, cert: &Certificate) -> Result<(), CertLoadError> {
    let mismatch = |field: &str| {
        CertLoadError::Malformed(format!(
            "the JWK's {field} does not match its x5c[0] certificate"
        ))
    };
    if let Some(value) = jwk.get("x5t#S256") {
        let claimed = value
            .as_str()
            .and_then(|s| Thumbprint::parse(s).ok())
            .ok_or_else(|| mismatch("x5t#S256"))?;
        if claimed != cert.thumbprint() {
            return Err(mismatch("x5t#S256"));
        }
    }
    if let Some(value) = jwk.get("x5t") {
        if value.as_str().map(|s| s.trim_end_matches('='))
            != Some(cert.sha1_thumbprint_b64url().as_str())
        {
            return Err(mismatch("x5t"));
        }
    }
    if jwk.get("kty").and_then(Value::as_str) == Some("RSA") {
        let key = cert.rsa_public_key().map_err(|_| mismatch("kty"))?;
        for (field, expected) in [("n", key.n_bytes()), ("e", key.e_bytes())] {
            if let Some(value) = jwk.get(field) {
                let decoded = value
                    .as_str()
                    .and_then(|s| Base64UrlUnpadded::decode_vec(s.trim_end_matches('=')).ok())
                    .ok_or_else(|| mismatch(field))?;
                if strip_zeros(&decoded) != strip_zeros(&expected) {
                    return Err(mismatch(field));
                }
            }
        }
    }
    Ok(())
}
