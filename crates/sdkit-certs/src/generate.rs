//! Generating RSA key pairs: custodians' security-domain wrapping keys and
//! throw-away stand-ins for the HSM's exchange (transfer) key.
//!
//! Only three sizes are offered. Anything below 2048 bits is refused by the
//! loader anyway ([`MIN_RSA_BITS`](crate::MIN_RSA_BITS)), and sizes above
//! 4096 take minutes to generate while buying nothing for a key that only
//! ever unwraps a 64-byte share.

use crate::{
    Certificate, CertificateParams, GenerateError, GeneratedKey, KeySize, self_signed_certificate,
};

/// Accepts exactly 2048, 3072 or 4096, so a CLI can take a plain number.
impl TryFrom<usize> for KeySize {
    type Error = GenerateError;

    fn try_from(bits: usize) -> Result<Self, Self::Error> {
        Self::ALL
            .into_iter()
            .find(|size| size.bits() == bits)
            .ok_or(GenerateError::UnsupportedKeySize { bits })
    }
}

/// Generates an RSA key pair (public exponent 65537) with the build's random number
/// generator (the OS's), or in a `fips` build on the FIPS module (its key generation and DRBG).
///
/// Generation time is random (it is a search for primes). Measured with an
/// optimised build on a 2-core x86-64 machine: 0.03 to 0.13 s for 2048
/// bits, 0.06 to 0.5 s for 3072 and 0.15 to 2 s for 4096; callers
/// generating several keys may still want to show progress.
///
/// # Errors
/// [`GenerateError::Random`] if the OS random number generator fails;
/// [`GenerateError::KeyGeneration`] for any other failure inside the `rsa`
/// crate.
pub fn generate_rsa_key(size: KeySize) -> Result<GeneratedKey, GenerateError> {
    crate::backend::generate_rsa(size).map(GeneratedKey::from)
}

/// Subject of the HSM's exchange certificate, as in every real
/// `init-recovery` output seen so far (e.g. the 2020 `sdex.pem`).
pub const EXCHANGE_KEY_SUBJECT: &str = "CN=transfer-key";

/// Validity of a generated exchange certificate. An exchange key lives only
/// for one recovery, and a short life keeps a forgotten test key from
/// looking usable for long.
pub const EXCHANGE_KEY_VALIDITY_DAYS: u32 = 30;

/// Generates a throw-away exchange key pair shaped like the Managed HSM's
/// `init-recovery` transfer key: RSA-4096 and a self-signed certificate for
/// [`EXCHANGE_KEY_SUBJECT`], valid for [`EXCHANGE_KEY_VALIDITY_DAYS`] days.
///
/// This lets a restore be rehearsed end to end offline: build a restore
/// blob for this certificate, then open it with the private key. It is not
/// a substitute for the real HSM's key. Write the certificate with
/// [`certificate_pem_az_style`](crate::certificate_pem_az_style) to get a
/// byte-for-byte look-alike of the `az` output.
///
/// # Errors
/// As [`generate_rsa_key`] and [`self_signed_certificate`].
pub fn generate_exchange_key() -> Result<(GeneratedKey, Certificate), GenerateError> {
    let key = generate_rsa_key(KeySize::Rsa4096)?;
    let params = CertificateParams {
        subject: EXCHANGE_KEY_SUBJECT.to_owned(),
        validity_days: EXCHANGE_KEY_VALIDITY_DAYS,
    };
    let cert = self_signed_certificate(&key, &params)?;
    Ok((key, cert))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn sizes_round_trip_and_others_are_refused() {
        for size in KeySize::ALL {
            assert_eq!(KeySize::try_from(size.bits()), Ok(size));
        }
        assert_eq!(KeySize::default(), KeySize::Rsa3072);
        for bits in [0, 512, 1024, 2047, 2049, 4095, 8192] {
            let err = KeySize::try_from(bits).unwrap_err();
            assert_eq!(err, GenerateError::UnsupportedKeySize { bits });
            let msg = err.to_string();
            assert!(msg.contains(&bits.to_string()), "{msg}");
            assert!(msg.contains("2048, 3072 and 4096"), "{msg}");
        }
        assert_eq!(KeySize::Rsa4096.to_string(), "RSA-4096");
    }
}
