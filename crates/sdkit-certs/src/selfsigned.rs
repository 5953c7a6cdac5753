//! Self-signed X.509 certificates for generated wrapping keys.
//!
//! Azure only ever uses a security-domain certificate as a container for an
//! RSA public key: the HSM encrypts a share to it (RSA-OAEP) and names the
//! share by the certificate's SHA-256 thumbprint. Nobody builds a chain to
//! it. The certificate is therefore a plain end-entity certificate that
//! says exactly that:
//!
//! * X.509 v3, subject = issuer, signed with its own key using
//!   sha256WithRSAEncryption (what OpenSSL and the HSM's own exchange
//!   certificate use);
//! * a random positive 16-byte serial number, so two certificates for the
//!   same subject never collide (RFC 5280 section 4.1.2.2);
//! * `basicConstraints` CA:FALSE, critical: the key can never act as a CA;
//! * `keyUsage` keyEncipherment only, critical: the key transports (wraps)
//!   a secret, which is exactly keyEncipherment; dataEncipherment would
//!   claim more than Azure needs and signature usages would invite reuse of
//!   a recovery key for other purposes;
//! * `subjectKeyIdentifier`: SHA-1 of the public key bits (RFC 5280
//!   section 4.2.1.2, method 1), as OpenSSL writes it, to help tools
//!   that index certificates by key.

use core::str::FromStr;
use core::time::Duration;
use std::time::SystemTime;

use der::Encode;
use rsa::pkcs1v15::Signature;
use rsa::signature;
use rsa::traits::PublicKeyParts;
use spki::{SubjectPublicKeyInfoOwned, SubjectPublicKeyInfoRef};
use x509_cert::builder::profile::BuilderProfile;
use x509_cert::builder::{Builder, CertificateBuilder};
use x509_cert::certificate::TbsCertificate;
use x509_cert::ext::pkix::{BasicConstraints, KeyUsage, KeyUsages, SubjectKeyIdentifier};
use x509_cert::ext::{Extension, ToExtension};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};

use crate::limits::{MAX_VALIDITY_DAYS, MIN_RSA_BITS};
use crate::{Certificate, GenerateError, GeneratedKey};

/// How far `notBefore` is set before the current time. A certificate made
/// on a machine whose clock runs a little fast would otherwise be "not yet
/// valid" for a few minutes on a verifier with a correct clock; offline
/// (air-gapped) machines often drift by minutes.
pub const NOT_BEFORE_BACKDATE: Duration = Duration::from_secs(5 * 60);

/// Length of the random serial number in bytes: 127 random bits (the top
/// bit is cleared to keep the DER INTEGER positive), comfortably above the
/// 64 bits the CA/Browser Forum asks for and below RFC 5280's 20-byte cap.
const SERIAL_LEN: usize = 16;

const SECONDS_PER_DAY: u64 = 24 * 60 * 60;

/// What goes into a self-signed certificate besides the key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateParams {
    /// Subject (and issuer) as an RFC 4514 string, most specific attribute
    /// first, e.g. `CN=SD Key 1` or `CN=SD Key 1,O=Contoso,C=AU`. Attribute
    /// names are those of RFC 4514 (`CN`, `O`, `OU`, `C`, `L`, `ST`, ...) or
    /// dotted OIDs; `,`, `+` and `\` in values must be escaped with `\`.
    pub subject: String,
    /// Days from now until `notAfter`, 1 to [`MAX_VALIDITY_DAYS`].
    pub validity_days: u32,
}

/// Builds and signs a self-signed certificate for `key` (see the module
/// documentation for its exact shape).
///
/// `notBefore` is now minus [`NOT_BEFORE_BACKDATE`]; `notAfter` is now plus
/// `validity_days` days, both truncated to whole seconds.
///
/// # Errors
/// [`GenerateError::UnsupportedKeySize`] for a key below
/// [`MIN_RSA_BITS`](MIN_RSA_BITS),
/// [`GenerateError::InvalidSubject`] for an empty or unparseable subject or
/// one with an empty attribute value, [`GenerateError::InvalidValidity`]
/// for a validity outside 1..=[`MAX_VALIDITY_DAYS`] days,
/// [`GenerateError::Random`] if no serial number can be drawn, and
/// [`GenerateError::Certificate`] if encoding or signing fails.
pub fn self_signed_certificate(
    key: &GeneratedKey,
    params: &CertificateParams,
) -> Result<Certificate, GenerateError> {
    let key = key.rsa();
    // Size first, so a small key gets the same error whichever backend would sign.
    let bits = key.n().bit_width_vartime() as usize;
    if bits < MIN_RSA_BITS {
        return Err(GenerateError::UnsupportedKeySize { bits });
    }
    let signer = crate::backend::certificate_signer(key)?;
    self_signed_by(&key.to_public_key(), &signer, params)
}

/// Builds the certificate of [`self_signed_certificate`] for `public`, signed by `signer`
/// (sha256WithRSAEncryption): the seam for keys whose private half sdkit never holds, such
/// as keys generated on a PKCS#11 token that signs the certificate itself.
pub(crate) fn self_signed_by<S>(
    public: &rsa::PublicKey,
    signer: &S,
    params: &CertificateParams,
) -> Result<Certificate, GenerateError>
where
    S: signature::Signer<Signature> + signature::Keypair + spki::DynSignatureAlgorithmIdentifier,
    S::VerifyingKey: spki::EncodePublicKey,
{
    // A smaller key would give a certificate that `load_private_key` then
    // refuses to pair with its own key.
    let bits = public.n().bit_width_vartime() as usize;
    if bits < MIN_RSA_BITS {
        return Err(GenerateError::UnsupportedKeySize { bits });
    }
    let subject = parse_subject(&params.subject)?;
    let validity = validity(params.validity_days, SystemTime::now())?;
    let serial = random_serial()?;
    let failed = |e: &dyn core::fmt::Display| GenerateError::Certificate(e.to_string());

    let spki = SubjectPublicKeyInfoOwned::from_key(public).map_err(|e| failed(&e))?;
    let profile = KeyTransportLeaf { subject };
    let builder =
        CertificateBuilder::new(profile, serial, validity, spki).map_err(|e| failed(&e))?;
    let cert = builder
        .build::<_, Signature>(signer)
        .map_err(|e| failed(&e))?;
    let der = cert.to_der().map_err(|e| failed(&e))?;
    Certificate::from_der(&der).map_err(|e| failed(&e))
}

/// Checks a subject and validity without a key, so a caller can refuse bad parameters
/// before spending seconds on RSA key generation.
///
/// # Errors
/// [`GenerateError::InvalidSubject`] or [`GenerateError::InvalidValidity`], exactly as
/// [`self_signed_certificate`] would report them.
pub fn validate_certificate_params(params: &CertificateParams) -> Result<(), GenerateError> {
    parse_subject(&params.subject)?;
    validity(params.validity_days, SystemTime::now())?;
    Ok(())
}

/// Parses and sanity-checks the subject. `Name::from_str` accepts `CN=`
/// (an empty value), which would make a certificate nobody can tell apart
/// by eye, so empty values are refused too.
fn parse_subject(subject: &str) -> Result<Name, GenerateError> {
    let invalid = |reason: &str| GenerateError::InvalidSubject {
        subject: subject.to_owned(),
        reason: reason.to_owned(),
    };
    if subject.trim().is_empty() {
        return Err(invalid("it is empty"));
    }
    // A subject is read on screens and printed records: a control character (a newline, an
    // escape sequence) or an invisible bidi/zero-width character could make it show as
    // something else, or forge a line around it.
    if let Some(c) = subject
        .chars()
        .find(|&c| c.is_control() || invisible_layout(c))
    {
        return Err(invalid(&format!(
            "it contains the control or invisible character U+{:04X}; use printable text only",
            u32::from(c)
        )));
    }
    let name = Name::from_str(subject).map_err(|_| {
        invalid(
            "it is not a comma-separated list of ATTRIBUTE=value pairs with known attribute \
             names (no space after a comma; escape a literal ',' as '\\,')",
        )
    })?;
    for atv in name.iter() {
        let empty = atv.value.value().is_empty();
        if empty {
            return Err(invalid("an attribute has an empty value"));
        }
    }
    // Re-encoding catches values the attribute's string type cannot hold
    // (e.g. a non-printable character in a country code).
    name.to_der()
        .map_err(|_| invalid("a value is not allowed for its attribute type"))?;
    Ok(name)
}

/// Characters that change the layout of the text around them while showing nothing: bidi
/// embeddings, overrides, isolates and marks, zero-width characters, line and paragraph
/// separators, the byte-order mark.
fn invisible_layout(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}'
    )
}

/// `[now - backdate, now + days]`, whole seconds.
fn validity(days: u32, now: SystemTime) -> Result<Validity, GenerateError> {
    if !(1..=MAX_VALIDITY_DAYS).contains(&days) {
        return Err(GenerateError::InvalidValidity { days });
    }
    let clock = |reason: &str| {
        GenerateError::Certificate(format!("the system clock is unusable: {reason}"))
    };
    let now = now
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_err(|_| clock("it is before 1970"))?;
    let now = Duration::from_secs(now.as_secs());
    let not_before = now.saturating_sub(NOT_BEFORE_BACKDATE);
    let not_after = now + Duration::from_secs(u64::from(days) * SECONDS_PER_DAY);
    let to_time = |d: Duration| {
        der::DateTime::from_unix_duration(d)
            .map(Time::from)
            .map_err(|_| clock("the date is out of range"))
    };
    Ok(Validity::new(to_time(not_before)?, to_time(not_after)?))
}

/// A random positive serial with a non-zero first byte (so it always
/// encodes in exactly [`SERIAL_LEN`] bytes).
fn random_serial() -> Result<SerialNumber, GenerateError> {
    let mut bytes = [0u8; SERIAL_LEN];
    while bytes[0] == 0 {
        sdkit_core::provider::random_bytes(&mut bytes)
            .map_err(|e| GenerateError::Random(e.to_string()))?;
        bytes[0] &= 0x7f;
    }
    SerialNumber::new(&bytes).map_err(|e| GenerateError::Certificate(e.to_string()))
}

/// The builder profile: self-issued end-entity certificate for a key that
/// only ever receives wrapped secrets.
struct KeyTransportLeaf {
    subject: Name,
}

impl BuilderProfile for KeyTransportLeaf {
    fn get_issuer(&self, subject: &Name) -> Name {
        subject.clone()
    }

    fn get_subject(&self) -> Name {
        self.subject.clone()
    }

    fn build_extensions(
        &self,
        spk: SubjectPublicKeyInfoRef<'_>,
        _issuer_spk: SubjectPublicKeyInfoRef<'_>,
        tbs: &TbsCertificate,
    ) -> x509_cert::builder::Result<Vec<Extension>> {
        let mut extensions = Vec::with_capacity(3);
        let basic = BasicConstraints {
            ca: false,
            path_len_constraint: None,
        };
        extensions.push((true, &basic).to_extension(tbs.subject(), &extensions)?);
        let usage = KeyUsage(KeyUsages::KeyEncipherment.into());
        extensions.push((true, &usage).to_extension(tbs.subject(), &extensions)?);
        let ski = SubjectKeyIdentifier::try_from(spk)?;
        extensions.push((false, &ski).to_extension(tbs.subject(), &extensions)?);
        Ok(extensions)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn subject_err(s: &str) -> String {
        match parse_subject(s) {
            Err(GenerateError::InvalidSubject { subject, reason }) => {
                assert_eq!(subject, s);
                reason
            }
            other => panic!("{s:?}: expected InvalidSubject, got {other:?}"),
        }
    }

    #[test]
    fn subjects() {
        assert_eq!(
            parse_subject("CN=SD Key 1").unwrap().to_string(),
            "CN=SD Key 1"
        );
        assert_eq!(
            parse_subject("CN=x,O=y,C=AU").unwrap().to_string(),
            "CN=x,O=y,C=AU"
        );
        assert_eq!(
            parse_subject(r"CN=Smith\, J.").unwrap().to_string(),
            r"CN=Smith\, J."
        );
        // Attribute names are case-insensitive, output is canonical.
        assert_eq!(parse_subject("cn=a,o=b").unwrap().to_string(), "CN=a,O=b");
        assert!(subject_err("").contains("empty"));
        assert!(subject_err("   ").contains("empty"));
        assert!(subject_err("CN=").contains("empty value"));
        assert!(subject_err("SD Key 1").contains("ATTRIBUTE=value"));
        assert!(subject_err("NOTANATTR=x").contains("ATTRIBUTE=value"));
        assert!(subject_err("CN=x, O=y").contains("no space after a comma"));
        for bad in [
            "CN=a\nCN=b",
            "CN=\u{1b}[2J",
            "CN=x\ry",
            "CN=\u{202e}gpj.exe",
            "CN=a\u{200b}b",
            "CN=a\0",
        ] {
            assert!(
                subject_err(bad).contains("control or invisible character"),
                "{bad:?}"
            );
        }
        let msg = GenerateError::InvalidSubject {
            subject: "x".into(),
            reason: "r".into(),
        }
        .to_string();
        assert!(msg.contains("CN=SD Key 1"), "{msg}");
    }

    #[test]
    fn validity_bounds() {
        let now = SystemTime::UNIX_EPOCH
            + Duration::from_secs(1_700_000_000)
            + Duration::from_millis(700);
        for days in [0, MAX_VALIDITY_DAYS + 1] {
            let err = validity(days, now).unwrap_err();
            assert_eq!(err, GenerateError::InvalidValidity { days });
            assert!(err.to_string().contains("between 1 and 36500"));
        }
        let v = validity(1, now).unwrap();
        assert_eq!(
            v.not_before.to_unix_duration(),
            Duration::from_secs(1_700_000_000 - 300)
        );
        assert_eq!(
            v.not_after.to_unix_duration(),
            Duration::from_secs(1_700_000_000 + 86_400)
        );
        // 100 years ahead needs GeneralizedTime (after 2049); still encodes.
        let v = validity(MAX_VALIDITY_DAYS, now).unwrap();
        assert!(matches!(v.not_after, Time::GeneralTime(_)));
        assert!(matches!(v.not_before, Time::UtcTime(_)));
        assert!(v.to_der().is_ok());
    }

    #[test]
    fn serials_are_positive_full_length_and_distinct() {
        let a = random_serial().unwrap();
        let b = random_serial().unwrap();
        assert_ne!(a, b);
        for s in [a, b] {
            assert_eq!(s.as_bytes().len(), SERIAL_LEN);
            assert!(s.as_bytes()[0] != 0 && s.as_bytes()[0] < 0x80);
        }
    }
}
