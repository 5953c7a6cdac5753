//! Loading custodians' keys and certificates from files, with passphrases from files or a
//! no-echo prompt. The parsing itself is sdkit-certs'; this module knows paths and people.

use crate::error::{CliError, Exit};
use crate::io::{self, MAX_KEY_BYTES, MAX_PASSPHRASE_BYTES};
use sdkit_certs::{Certificate, InputKind, KeyLoadError, PrivateKey};
use sdkit_core::{Thumbprint, par};
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
///
/// Parsing a key is real work (the RSA backend checks the key's numbers; an encrypted key
/// costs a PBKDF2 or scrypt run), so keys are parsed on every core. A broken key is reported
/// before anybody is asked for a passphrase.
pub fn load_keys(
    paths: &[PathBuf],
    passphrase_files: &[PathBuf],
) -> Result<Vec<LoadedKey>, CliError> {
    // Check the count before prompting anybody.
    passphrase_file_for(passphrase_files, 0, paths.len())?;
    let mut files = Vec::with_capacity(paths.len());
    for path in paths {
        files.push(io::read_secret(path, MAX_KEY_BYTES, "private key")?);
    }
    // Every key without a passphrase, on every core: plain keys load, encrypted ones say so
    // (cheaply, before any key derivation) and a scheme we cannot read anyway (legacy PEM
    // encryption) is refused, all before anybody is prompted.
    let mut loaded: Vec<Option<PrivateKey>> = Vec::with_capacity(paths.len());
    let mut pending: Vec<(usize, Zeroizing<Vec<u8>>)> = Vec::new();
    let mut need_passphrase = Vec::new();
    let first_try = par::map(&files, |f| sdkit_certs::load_private_key(f, None));
    for (i, result) in first_try.into_iter().enumerate() {
        match result {
            Err(KeyLoadError::PassphraseRequired) => {
                need_passphrase.push(i);
                loaded.push(None);
            }
            other => loaded.push(Some(other.map_err(|e| key_error(&paths[i], e))?)),
        }
    }
    // Passphrases in key order: prompts come one after the other, as people expect.
    for i in need_passphrase {
        let passphrase = match passphrase_file_for(passphrase_files, i, paths.len())? {
            Some(f) => read_passphrase_file(f)?,
            None => prompt(&paths[i])?,
        };
        pending.push((i, passphrase));
    }
    // The slow part (PBKDF2/scrypt) on every core.
    let decrypted = par::map(&pending, |(i, pass)| {
        sdkit_certs::load_private_key(&files[*i], Some(pass.as_slice()))
    });
    for ((i, _), result) in pending.iter().zip(decrypted) {
        loaded[*i] = Some(result.map_err(|e| key_error(&paths[*i], e))?);
    }
    let mut out = Vec::with_capacity(paths.len());
    for (path, key) in paths.iter().zip(loaded) {
        let Some(key) = key else {
            // Invariant: every index was filled by one of the passes above.
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

fn prompt(path: &Path) -> Result<Zeroizing<Vec<u8>>, CliError> {
    if !std::io::stdin().is_terminal() {
        return Err(CliError::new(Exit::Input, format!("{}: the key is encrypted and no passphrase was given", path.display()))
            .hint("give --passphrase-file FILE (one for all keys, or one per --key), or run on a terminal to be prompted"));
    }
    let p = rpassword::prompt_password(format!("Passphrase for {}: ", path.display()))
        .map_err(|e| CliError::input(path, format!("cannot read the passphrase: {e}")))?;
    Ok(Zeroizing::new(p.into_bytes()))
}
