#![forbid(unsafe_code)]
#![deny(missing_docs)]
//! RSA wrapping keys and X.509 certificates for Azure Key Vault Managed HSM
//! security-domain custodians.
//!
//! This crate turns the files people actually have on disk into typed,
//! validated values:
//!
//! * [`load_private_key`]: an RSA private key from PEM or DER, PKCS#8 or
//!   PKCS#1, optionally PBES2-encrypted ([`private_key_is_encrypted`] tells a
//!   caller whether to prompt for a passphrase first), or a PKCS#12 file
//!   (`.pfx`/`.p12`), whose certificate then comes with the key
//!   ([`PrivateKey::certificate`]).
//! * [`load_certificate`]: an X.509 certificate from PEM or DER, and
//!   [`load_certificate_from_jwk_json`] for the HSM's transfer-key (exchange
//!   key) response.
//! * [`Thumbprint`]: the SHA-256 certificate thumbprint (`x5t#S256`) that the
//!   security-domain format uses to name keys (sdkit-core's type, re-exported).
//! * [`decode_pem_lenient`]: the PEM reader underneath, tolerant of the
//!   formatting quirks of Azure CLI and OpenSSL output.
//!
//! And it makes new ones (the library half of `sdkit keygen`):
//!
//! * [`generate_rsa_key`] (a [`GeneratedKey`]) and [`self_signed_certificate`]: a custodian's
//!   wrapping key and the certificate Azure is given for it;
//! * [`generate_exchange_key`]: a stand-in for the HSM's `init-recovery`
//!   exchange key, for offline restore rehearsals;
//! * [`certificate_pem`], [`certificate_pem_az_style`], [`certificate_der`],
//!   [`private_key_pem_unencrypted`] and [`private_key_pem_encrypted`]: the
//!   files, in encodings OpenSSL, Python `cryptography` and `az` read.
//!
//! And it reaches keys that stay on PKCS#11 tokens ([`token`]): `pkcs11:` URIs, the vendor's
//! module, and a [`token::TokenKey`] that decrypts on the token.
//!
//! Loading is offline and deterministic; generation uses only the operating
//! system's random number generator. Secrets (passphrases,
//! private-key bytes) never appear in `Debug` or `Display` output or in error
//! messages, and buffers that held decoded private-key material are zeroed on
//! drop.
//!
//! Input size limits are the caller's job: these functions read whatever
//! slice they are given.

mod backend;
mod batch;
mod cert;
mod detect;
mod encrypted;
mod generate;
mod generate_error;
mod generated_key;
mod jwk;
mod key;
mod key_error;
mod limits;
mod oid_names;
mod pem;
mod pkcs12;
mod pkcs12_error;
mod pkcs12_pbe;
mod provider;
mod rsa_numbers;
mod selfsigned;
pub mod token;
mod write;

pub use backend::{RSA_BACKEND, rsa_backend_version};
pub use batch::{KeyInput, load_certificates, load_private_keys};
pub use cert::{CertLoadError, Certificate, load_certificate};
pub use detect::InputKind;
pub use generate::{
    EXCHANGE_KEY_SUBJECT, EXCHANGE_KEY_VALIDITY_DAYS, generate_exchange_key, generate_rsa_key,
};
pub use generate_error::GenerateError;
pub use generated_key::GeneratedKey;
pub use jwk::load_certificate_from_jwk_json;
pub use key::{KeyFormat, PrivateKey, load_private_key, private_key_is_encrypted};
pub use key_error::KeyLoadError;
pub use limits::{KeySize, MAX_RSA_BITS, MAX_VALIDITY_DAYS, MIN_RSA_BITS};
pub use pem::{PemBlock, PemError, decode_pem_lenient};
pub use pkcs12_error::{PKCS12_REEXPORT_COMMAND, Pkcs12Error};
pub use provider::{FIPS_BUILD, FipsModeOff, check_fips_mode, crypto_module};
/// The one thumbprint type of the workspace, defined in sdkit-core (which names shares by it).
pub use sdkit_core::thumbprint::{Thumbprint, ThumbprintError};
pub use selfsigned::{
    CertificateParams, NOT_BEFORE_BACKDATE, self_signed_certificate, validate_certificate_params,
};
pub use write::{
    PBKDF2_ITERATIONS, PbeKdf, SCRYPT_LOG_N, certificate_der, certificate_pem,
    certificate_pem_az_style, private_key_pem_encrypted, private_key_pem_unencrypted,
};
