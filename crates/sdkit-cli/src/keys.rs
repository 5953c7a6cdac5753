//! Loading custodians' keys and certificates from files, with passphrases from files or a
//! no-echo prompt. The parsing itself is sdkit-certs'; this module knows paths and people.

use crate::error::{CliError, Exit};
use crate::io::{self, MAX_KEY_BYTES, MAX_PASSPHRASE_BYTES};
use sdkit_certs::{Certificate, InputKind, KeyLoadError, PrivateKey};
use sdkit_core::Thumbprint;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// A certificate read from a file.
pub struct LoadedCert {
    /// Where it came from.
    pub path: PathBuf,
    /// The parsed certificate.
    pub cert: Certificate,
    /// Its SHA-256 thumbprint, as the SD names it.
    pub thumbprint: Thumbprint,
}

/// A custodian's key, with the certificate found beside it when it matches.
pub struct LoadedKey {
    /// Where it came from.
    pub path: PathBuf,
    /// The parsed key.
    pub key: PrivateKey,
    /// `<key path with .cer extension>` when present and belonging to this key.
    pub cert: Option<LoadedCert>,
    /// Things worth telling the user (a sibling certificate that is unreadable or foreign).
    pub notes: Vec<String>,
}

/// Reads a certificate file (PEM, including `az`'s 65-column lines, or DER).
pub fn load_cert(path: &Path) -> Result<LoadedCert, CliError> {
    let bytes = io::read_bounded(path, MAX_KEY_BYTES, "certificate")?;
    let cert = sdkit_certs::load_certificate(&bytes).map_err(|e| {
        CliError::input(path, e)
            .hint("give the custodian's X.509 certificate (.cer/.pem, PEM or DER)")
    })?;
    let thumbprint = Thumbprint::of_certificate_der(cert.der());
    Ok(LoadedCert {
        path: path.to_owned(),
        cert,
        thumbprint,
    })
}

/// The path `az` looks for beside a key: the key path with its extension replaced by `.cer`.
pub fn sibling_cert_path(key: &Path) -> PathBuf {
    key.with_extension("cer")
}

/// Reads the passphrase in a passphrase file: its first line, without the line ending.
pub fn read_passphrase_file(path: &Path) -> Result<Zeroizing<Vec<u8>>, CliError> {
    let bytes = io::read_secret(path, MAX_PASSPHRASE_BYTES, "passphrase file")?;
    let line = bytes.split(|&b| b == b'\n').next().unwrap_or(&[]);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if line.is_empty() {
        return Err(CliError::input(
            path,
            "the passphrase file's first line is empty",
        ));
    }
    Ok(Zeroizing::new(line.to_vec()))
}

/// Which passphrase file applies to key `i` of `n`.
fn passphrase_file_for(
    files: &[PathBuf],
    i: usize,
    n: usize,
) -> Result<Option<&PathBuf>, CliError> {
    match files.len() {
        0 => Ok(None),
        1 => Ok(files.first()),
        m if m == n => Ok(files.get(i)),
        m => Err(CliError::usage(format!(
            "{m} --passphrase-file given for {n} keys: give one for all keys, or exactly one per --key in order"
        ))),
    }
}

fn key_error(path: &Path, e: KeyLoadError) -> CliError {
    let hint = match &e {
        KeyLoadError::PassphraseRequired => {
            Some("give --passphrase-file FILE, or run on a terminal to be prompted")
        }
        KeyLoadError::WrongPassphrase => {
            Some("check the passphrase (the first line of the passphrase file is used)")
        }
        KeyLoadError::NotAKey {
            found: InputKind::Certificate,
        } => Some("--key takes the custodian's private key, not the certificate"),
        KeyLoadError::NotAKey { .. } => {
            Some("--key takes the custodian's RSA private key (PEM or DER)")
        }
        _ => None,
    };
    let err = CliError::input(path, e);
    match hint {
        Some(h) => err.hint(h),
        None => err,
    }
}

/// Loads every key in order, with passphrases and sibling certificates.
pub fn load_keys(
    paths: &[PathBuf],
    passphrase_files: &[PathBuf],
) -> Result<Vec<LoadedKey>, CliError> {
    // Check the count before prompting anybody.
    passphrase_file_for(passphrase_files, 0, paths.len())?;
    // First pass, in order: read every file and gather passphrases (prompts come one after
    // the other, as people expect). Try without a passphrase first: only a key that needs
    // one is prompted for, and a scheme we cannot read anyway (legacy PEM encryption) is
    // refused without prompting.
    let mut pending: Vec<PendingKey> = Vec::new();
    let mut loaded: Vec<Option<sdkit_certs::PrivateKey>> = Vec::with_capacity(paths.len());
    for (i, path) in paths.iter().enumerate() {
        let bytes = io::read_secret(path, MAX_KEY_BYTES, "private key")?;
        match sdkit_certs::load_private_key(&bytes, None) {
            Err(KeyLoadError::PassphraseRequired) => {
                let passphrase = match passphrase_file_for(passphrase_files, i, paths.len())? {
                    Some(f) => read_passphrase_file(f)?,
                    None => prompt(path)?,
                };
                pending.push((i, bytes, passphrase));
                loaded.push(None);
            }
            other => loaded.push(Some(other.map_err(|e| key_error(path, e))?)),
        }
    }
    // Second pass: the slow part (PBKDF2/scrypt of encrypted keys) on every core.
    for (i, result) in decrypt_all(&pending) {
        loaded[i] = Some(result.map_err(|e| key_error(&paths[i], e))?);
    }
    let mut out = Vec::with_capacity(paths.len());
    for (path, key) in paths.iter().zip(loaded) {
        let Some(key) = key else {
            // Invariant: every index was filled by one of the two passes above.
            return Err(CliError::input(path, "the key could not be loaded"));
        };
        let mut notes = Vec::new();
        let sibling = sibling_cert_path(path);
        let cert = if sibling != *path && sibling.is_file() {
            match load_cert(&sibling) {
                Ok(c) if c.cert.matches_private_key(&key) => Some(c),
                Ok(_) => {
                    notes.push(format!(
                        "{} does not belong to this key; ignored",
                        sibling.display()
                    ));
                    None
                }
                Err(e) => {
                    notes.push(format!("{}; ignored", e.message));
                    None
                }
            }
        } else {
            None
        };
        out.push(LoadedKey {
            path: path.clone(),
            key,
            cert,
            notes,
        });
    }
    Ok(out)
}

/// An encrypted key waiting for decryption: its index, file bytes and passphrase.
type PendingKey = (usize, Zeroizing<Vec<u8>>, Zeroizing<Vec<u8>>);

type Decrypted = (usize, Result<sdkit_certs::PrivateKey, KeyLoadError>);

/// Decrypts encrypted keys in parallel; results in input order.
fn decrypt_all(pending: &[PendingKey]) -> Vec<Decrypted> {
    let one = |(i, bytes, pass): &PendingKey| {
        (
            *i,
            sdkit_certs::load_private_key(bytes, Some(pass.as_slice())),
        )
    };
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(pending.len());
    if threads <= 1 {
        return pending.iter().map(one).collect();
    }
    let chunk = pending.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let workers: Vec<_> = pending
            .chunks(chunk)
            .map(|c| scope.spawn(move || c.iter().map(one).collect::<Vec<_>>()))
            .collect();
        workers
            .into_iter()
            .zip(pending.chunks(chunk))
            .flat_map(|(w, c)| {
                // A worker only fails if the key code panics; redo its share here.
                w.join().unwrap_or_else(|_| c.iter().map(one).collect())
            })
            .collect()
    })
}

fn prompt(path: &Path) -> Result<Zeroizing<Vec<u8>>, CliError> {
    if !std::io::stdin().is_terminal() {
        return Err(CliError::new(Exit::Input, format!("{}: the key is encrypted and no passphrase was given", path.display()))
            .hint("give --passphrase-file FILE (one for all keys, or one per --key), or run on a terminal to be prompted"));
    }
    let p = rpassword::prompt_password(format!("Passphrase for {}: ", path.display()))
        .map_err(|e| CliError::input(path, format!("cannot read the passphrase: {e}")))?;
    Ok(Zeroizing::new(p.into_bytes()))
}
