//! Several private keys parsed at once, on the machine's cores.
//!
//! A quorum command loads several custodians' keys, and each load is real work: the RSA
//! backend checks the key's numbers (about 0.3 ms for RSA-2048), and an encrypted key runs
//! its PBKDF2 or scrypt (about 200 ms with sdkit's defaults, the wait custodians feel).
//! Keys are independent, so they are parsed side by side.

use crate::{KeyLoadError, PrivateKey, load_private_key};

/// One key file's bytes, and the passphrase to decrypt it with when it is encrypted.
#[derive(Clone, Copy)]
pub struct KeyInput<'a> {
    /// The file's contents (PEM or DER).
    pub bytes: &'a [u8],
    /// The passphrase, when there is one.
    pub passphrase: Option<&'a [u8]>,
}

/// [`load_private_key`] for each input, results in input order.
///
/// The inputs are cut into one contiguous run per core, each parsed on its own scoped thread
/// (keys of one ceremony cost about the same, so runs balance). A panic in a parse reaches
/// the caller, as it would in a sequential loop.
pub fn load_private_keys(inputs: &[KeyInput<'_>]) -> Vec<Result<PrivateKey, KeyLoadError>> {
    let load = |i: &KeyInput<'_>| load_private_key(i.bytes, i.passphrase);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if cores <= 1 || inputs.len() <= 1 {
        return inputs.iter().map(load).collect();
    }
    let run = inputs.len().div_ceil(cores);
    std::thread::scope(|scope| {
        let mut chunks = inputs.chunks(run);
        // The calling thread takes the first run itself.
        let first = chunks.next().unwrap_or_default();
        let others: Vec<_> = chunks
            .map(|c| scope.spawn(move || c.iter().map(load).collect::<Vec<_>>()))
            .collect();
        let mut out: Vec<_> = first.iter().map(load).collect();
        for h in others {
            match h.join() {
                Ok(theirs) => out.extend(theirs),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        out
    })
}
