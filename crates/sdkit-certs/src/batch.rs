//! Several private keys (and their certificates) parsed at once, on the machine's cores.
//!
//! A quorum command loads several custodians' keys, and each load is real work: the RSA
//! backend checks the key's numbers (about 0.3 ms for RSA-2048), and an encrypted key runs
//! its PBKDF2 or scrypt (about 200 ms with sdkit's defaults, the wait custodians feel).
//! Keys are independent, so they are parsed side by side on rayon's pool (results in input
//! order; docs/DESIGN.md, "Parallelism").

use crate::{
    CertLoadError, Certificate, KeyLoadError, PrivateKey, load_certificate, load_private_key,
};
use rayon::prelude::*;

/// One key file's bytes, and the passphrase to decrypt it with when it is encrypted.
#[derive(Clone, Copy)]
pub struct KeyInput<'a> {
    /// The file's contents (PEM or DER).
    pub bytes: &'a [u8],
    /// The passphrase, when there is one.
    pub passphrase: Option<&'a [u8]>,
}

/// [`load_private_key`] for each input, results in input order, on every core.
pub fn load_private_keys(inputs: &[KeyInput<'_>]) -> Vec<Result<PrivateKey, KeyLoadError>> {
    inputs
        .par_iter()
        .map(|i| load_private_key(i.bytes, i.passphrase))
        .collect()
}

/// [`load_certificate`] for each file's bytes, results in input order, on every core (a
/// drill of 127 keys also reads the 127 certificates beside them).
pub fn load_certificates(files: &[&[u8]]) -> Vec<Result<Certificate, CertLoadError>> {
    files.par_iter().map(|f| load_certificate(f)).collect()
}
