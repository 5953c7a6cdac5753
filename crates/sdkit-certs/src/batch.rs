//! Several private keys (and their certificates) parsed at once, on the machine's cores.
//!
//! A quorum command loads several custodians' keys, and each load is real work: the RSA
//! backend checks the key's numbers (about 0.3 ms for RSA-2048), and an encrypted key runs
//! its PBKDF2 or scrypt (about 200 ms with sdkit's defaults, the wait custodians feel).
//! Keys are independent, so they are parsed side by side.

use crate::{
    CertLoadError, Certificate, KeyLoadError, PrivateKey, load_certificate, load_private_key,
};

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
    on_cores(inputs, |i| load_private_key(i.bytes, i.passphrase))
}

/// [`load_certificate`] for each file's bytes, results in input order, on every core (a
/// drill of 127 keys also reads the 127 certificates beside them).
pub fn load_certificates(files: &[&[u8]]) -> Vec<Result<Certificate, CertLoadError>> {
    on_cores(files, |f| load_certificate(f))
}

/// `items.iter().map(f).collect()`, with the items cut into one contiguous run per core,
/// each mapped on its own scoped thread (the calling thread takes the first run). Inputs of
/// one ceremony cost about the same, so runs balance. A panic in `f` reaches the caller, as
/// it would in a sequential loop.
fn on_cores<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if cores <= 1 || items.len() <= 1 {
        return items.iter().map(f).collect();
    }
    let run = items.len().div_ceil(cores);
    let f = &f;
    std::thread::scope(|scope| {
        let mut chunks = items.chunks(run);
        let first = chunks.next().unwrap_or_default();
        let others: Vec<_> = chunks
            .map(|c| scope.spawn(move || c.iter().map(f).collect::<Vec<_>>()))
            .collect();
        let mut out: Vec<R> = first.iter().map(f).collect();
        for h in others {
            match h.join() {
                Ok(theirs) => out.extend(theirs),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        out
    })
}
