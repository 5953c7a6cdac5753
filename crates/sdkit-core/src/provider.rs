//! The crypto seam: every primitive the format uses besides GF(257) Shamir, in one place.
//!
//! The default and all-Rust builds run AES-256-CBC, HMAC-SHA-512, SHA-256, the SP 800-108
//! counter KDF, RSA-OAEP-256 encryption and random bytes on RustCrypto crates and the OS
//! generator. A `fips` build runs all of them on AWS-LC's FIPS 140-3 module (aws-lc-fips-sys,
//! see docs/DESIGN.md "FIPS build"), so that a compliance team can say which validated module
//! did the work. The rest of the crate calls these functions and never names a crypto crate;
//! this file is the only place the two implementations are chosen. GF(257) Shamir is key
//! splitting, not an approved algorithm, and stays in Rust in every build (`gf257`, `shamir`).

#[cfg(not(feature = "fips"))]
#[path = "provider/rust_crypto.rs"]
mod imp;

#[cfg(feature = "fips")]
#[path = "provider/aws_lc_fips.rs"]
mod imp;

pub(crate) use imp::rsa_oaep_sha256_encrypt;
pub use imp::{Sha256, SysRng, module};
pub(crate) use imp::{
    aes256_cbc_decrypt, aes256_cbc_encrypt, hmac_sha512, kbkdf_ctr_hmac_sha512_block,
};

/// Which implementation ran the symmetric primitives and random numbers, for `--version`,
/// `--json` and transcripts.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CryptoModule {
    /// The module or crate family, e.g. `AWS-LC-FIPS` or `RustCrypto`.
    pub name: &'static str,
    /// Its version as the module reports it (AWS-LC) or the crate versions (RustCrypto).
    pub version: String,
    /// Whether the module is a FIPS module and reports its approved mode on.
    pub fips_mode: bool,
}

/// SHA-256 of `bytes`, in one call.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(bytes);
    h.finish()
}

/// Fills `dst` from the build's random generator ([`SysRng`]): the OS, or the FIPS module's
/// DRBG.
///
/// # Errors
/// [`RandomError`] when the generator fails.
pub fn random_bytes(dst: &mut [u8]) -> Result<(), RandomError> {
    rand_core::TryRng::try_fill_bytes(&mut SysRng, dst).map_err(|_| RandomError)
}

/// The random generator failed: nothing was drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RandomError;

impl core::fmt::Display for RandomError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("the cryptographic module's random generator failed")
    }
}

impl std::error::Error for RandomError {}

#[cfg(test)]
mod tests {
    use super::*;

    /// FIPS 180-2 "abc", streamed in pieces: the same digest as one call.
    #[test]
    fn sha256_known_answer() {
        let mut h = Sha256::new();
        h.update(b"a");
        h.update(b"bc");
        let d = h.finish();
        assert_eq!(
            hex::encode(d),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(sha256(b"abc"), d);
    }

    /// RFC 4231 test case 2 (HMAC-SHA-512, key "Jefe"), split across parts.
    #[test]
    fn hmac_sha512_known_answer() {
        let t = hmac_sha512(b"Jefe", &[b"what do ya want ", b"for nothing?"]);
        assert_eq!(
            hex::encode(t),
            "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554\
             9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"
        );
    }

    #[test]
    fn random_bytes_differ() {
        use rand_core::TryRng;
        let (mut a, mut b) = ([0u8; 32], [0u8; 32]);
        SysRng.try_fill_bytes(&mut a).unwrap();
        SysRng.try_fill_bytes(&mut b).unwrap();
        assert_ne!(a, b);
    }

    /// A `fips` build is on the FIPS module in its approved mode, and says so.
    #[test]
    fn module_names_itself() {
        let m = module();
        assert!(!m.version.is_empty());
        assert_eq!(m.fips_mode, cfg!(feature = "fips"), "{m:?}");
        #[cfg(feature = "fips")]
        {
            assert_eq!(aws_lc_rs::try_fips_mode(), Ok(()));
            assert_eq!(m.name, "AWS-LC-FIPS");
        }
    }
}
