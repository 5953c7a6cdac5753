//! Loading custodians' keys and certificates from files, with passphrases from files or a
//! no-echo prompt, and keys on PKCS#11 tokens (`--key pkcs11:...`, opened by
//! [`crate::token_keys`]). The parsing itself is sdkit-certs'; this module knows paths and
//! people.

use crate::cli::KeyArgs;
use crate::error::{CliError, Exit};
use crate::io::{self, MAX_KEY_BYTES, MAX_PASSPHRASE_BYTES};
use crate::render::ShowPath;
use crate::token_keys::{CustodianKey, open_token_keys, token_uri};
use sdkit_certs::token::Pkcs11Uri;
use sdkit_certs::{Certificate, InputKind, KeyInput, KeyLoadError, PrivateKey};
use sdkit_core::Thumbprint;
use sdkit_core::recover::HolderKey;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// A certificate read from a file.
pub struct LoadedCert {
    /// Where it came from.
    pub path: PathBuf,
    /// The parsed certificate.
    pub cert: Certificate,
}

impl LoadedCert {
    /// Its SHA-256 thumbprint, as the SD names it.
    pub fn thumbprint(&self) -> Thumbprint {
        self.cert.thumbprint()
    }
}

/// A custodian's key, with the certificate found beside it (or on its token) when it matches.
pub struct LoadedKey {
    /// Where it came from: the file, or the `pkcs11:` URI as given.
    pub path: PathBuf,
    /// The key, in memory or on its token.
    pub key: CustodianKey,
    /// `<key path with .cer extension>` when present and belonging to this key; for a token
    /// key, the token's certificate with the key's CKA_ID.
    pub cert: Option<LoadedCert>,
    /// Why there is no `cert`, when there is none: `az`'s restore-blob needs it.
    pub cert_problem: Option<CertProblem>,
}

/// Why a key has no usable certificate beside it (where `az` looks for it: the key's path
/// with the extension `.cer`).
pub enum CertProblem {
    /// No file there.
    Missing(PathBuf),
    /// The file there is another key's certificate.
    Foreign(PathBuf),
    /// The file there is not a certificate sdkit can read (the message says why).
    Unreadable(PathBuf, String),
    /// The key is on a token that holds no certificate for it (same CKA_ID, same key).
    #[cfg_attr(not(feature = "pkcs11"), allow(dead_code))]
    NotOnToken,
}

impl CertProblem {
    /// What the problem is, for a warning or a report line.
    pub fn describe(&self, key: &Path) -> String {
        match self {
            CertProblem::Missing(c) => format!(
                "{} has no certificate beside it: `az keyvault security-domain restore-blob` looks for {} and refuses the key without it; copy the custodian's certificate there",
                key.shown(),
                c.shown()
            ),
            CertProblem::Foreign(c) => format!(
                "{} is not the certificate of {}: az would match the wrong share; put this custodian's own certificate there",
                c.shown(),
                key.shown()
            ),
            CertProblem::Unreadable(c, why) => format!(
                "{} (beside {}) is not a readable certificate ({why}); put this custodian's certificate there",
                c.shown(),
                key.shown()
            ),
            CertProblem::NotOnToken => format!(
                "{} has no certificate on its token (an object with the key's id): its share is found by trying each; store the custodian's certificate on the token (`pkcs11-tool --write-object CERT.der --type cert --id ID --login`)",
                key.shown()
            ),
        }
    }

    /// A stable name for JSON.
    pub fn code(&self) -> &'static str {
        match self {
            CertProblem::Missing(_) => "certificate_missing",
            CertProblem::Foreign(_) => "certificate_not_this_keys",
            CertProblem::Unreadable(..) => "certificate_unreadable",
            CertProblem::NotOnToken => "certificate_not_on_token",
        }
    }
}

impl LoadedKey {
    /// The core's view of this key: the key, and its certificate's thumbprint when matched.
    pub fn holder_key(&self) -> HolderKey<'_> {
        HolderKey {
            key: &self.key,
            certificate: self.cert.as_ref().map(LoadedCert::thumbprint),
        }
    }
}

/// Reads a certificate file (PEM, including `az`'s 65-column lines, or DER).
pub fn load_cert(path: &Path) -> Result<LoadedCert, CliError> {
    let bytes = io::read_bounded(path, MAX_KEY_BYTES, "certificate")?;
    let cert = sdkit_certs::load_certificate(&bytes).map_err(|e| {
        CliError::input(path, e)
            .hint("give the custodian's X.509 certificate (.cer/.pem, PEM or DER)")
    })?;
    Ok(LoadedCert {
        path: path.to_owned(),
        cert,
    })
}

/// The certificates (`*.cer`) in the directories of the given keys, with their thumbprints,
/// to name custodians whose shares a drill did not test. Unreadable files are skipped; at
/// most 64 certificates per directory are read, and none is recorded as a command input.
/// Keys on tokens have no directory.
pub fn certificates_beside(keys: &[PathBuf]) -> Vec<(PathBuf, Thumbprint)> {
    let mut dirs: Vec<PathBuf> = Vec::new();
    for k in keys.iter().filter(|k| token_uri(k).is_none()) {
        let d = k.parent().map_or_else(PathBuf::new, Path::to_path_buf);
        if !dirs.contains(&d) {
            dirs.push(d);
        }
    }
    let mut out = Vec::new();
    for d in dirs {
        let shown = if d.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            d.clone()
        };
        let Ok(entries) = std::fs::read_dir(&shown) else {
            continue;
        };
        let certs = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "cer") && p.is_file())
            .take(64);
        for p in certs {
            let small = std::fs::metadata(&p).is_ok_and(|m| m.len() <= MAX_KEY_BYTES);
            let parsed = small
                .then(|| std::fs::read(&p).ok())
                .flatten()
                .and_then(|b| sdkit_certs::load_certificate(&b).ok());
            if let Some(c) = parsed {
                out.push((d.join(p.file_name().unwrap_or_default()), c.thumbprint()));
            }
        }
    }
    out
}

/// The path `az` looks for beside a key: the key path with its extension replaced by `.cer`.
pub fn sibling_cert_path(key: &Path) -> PathBuf {
    key.with_extension("cer")
}

/// Reads the passphrase in a passphrase file (`-` for standard input, or a pipe such as
/// `/dev/fd/N`): its first line, without the line ending.
pub fn read_passphrase_file(path: &Path) -> Result<Zeroizing<Vec<u8>>, CliError> {
    let bytes = io::read_passphrase_source(path, MAX_PASSPHRASE_BYTES)?;
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

/// Refuses `--passphrase-file -` given more than once: standard input is read once.
pub fn stdin_at_most_once(files: &[PathBuf]) -> Result<(), CliError> {
    if files
        .iter()
        .filter(|f| f.as_path() == Path::new("-"))
        .count()
        > 1
    {
        return Err(CliError::usage(
            "--passphrase-file - is given more than once: standard input can be read only once",
        )
        .hint("give - once (one passphrase for all), or use files or /dev/fd/N for the others"));
    }
    Ok(())
}

/// Which passphrase file applies to key `i` of `n`.
fn passphrase_file_for(
    files: &[PathBuf],
    i: usize,
    n: usize,
) -> Result<Option<&PathBuf>, CliError> {
    stdin_at_most_once(files)?;
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
        KeyLoadError::PassphraseRequired => Some(
            "give --passphrase-file FILE (or - for standard input), or run on a terminal to be asked",
        ),
        KeyLoadError::WrongPassphrase => Some(
            "the first line of the --passphrase-file is used: check it, or give one --passphrase-file per --key, in the same order",
        ),
        KeyLoadError::NotAKey {
            found: InputKind::Certificate,
        } => Some("--key takes the custodian's private key, not the certificate"),
        KeyLoadError::NotAKey { .. } => Some(
            "--key takes the custodian's RSA private key (PEM or DER, or a PKCS#12 .pfx/.p12 export)",
        ),
        _ => None,
    };
    let err = CliError::input(path, e);
    match hint {
        Some(h) => err.hint(h),
        None => err,
    }
}

/// Loads every key in order, with passphrases and the certificates beside them; keys on
/// tokens are opened (PINs asked) after the key files' passphrases.
///
/// Every key file is read and parsed first without a passphrase, on every core (the RSA
/// backend checks each key's numbers): plain keys load, encrypted ones say so before any key
/// derivation, and the first broken key in the user's order is reported before anybody is
/// asked for a passphrase. Then passphrases are asked for (or read) in key order, one prompt
/// after the other as people expect, and the encrypted keys' PBKDF2 or scrypt runs, the wait
/// custodians feel, run side by side.
pub fn load_keys(paths: &[PathBuf], args: &KeyArgs) -> Result<Vec<LoadedKey>, CliError> {
    let files = KeyFiles::read(paths, args)?;
    let parsed = files.parse();
    files.load(parsed, args)
}

/// The key files of a command, read (side by side, listed for the transcript in key order)
/// but not yet parsed, so that a caller can parse them while it parses something else (the
/// SD).
pub struct KeyFiles<'a> {
    paths: &'a [PathBuf],
    /// Each file's bytes; an unreadable one stands as empty bytes, its error reported in its
    /// turn by [`KeyFiles::load`].
    files: Vec<Zeroizing<Vec<u8>>>,
    /// The keys given as `pkcs11:` URIs (no file is read for them).
    uris: Vec<Option<Pkcs11Uri>>,
    read_error: Option<(usize, CliError)>,
}

/// What parsing each key file without a passphrase gave, for [`KeyFiles::load`] (`None` for
/// keys on tokens).
pub type FirstParse = Vec<Option<Result<PrivateKey, KeyLoadError>>>;

impl<'a> KeyFiles<'a> {
    /// Checks the passphrase files' count (before anything is read or prompted) and reads
    /// every key file.
    pub fn read(paths: &'a [PathBuf], args: &KeyArgs) -> Result<Self, CliError> {
        passphrase_file_for(&args.passphrase_files, 0, paths.len())?;
        let given: Vec<Option<Result<Pkcs11Uri, CliError>>> =
            paths.iter().map(|p| token_uri(p)).collect();
        let file_paths: Vec<Option<&Path>> = paths
            .iter()
            .zip(&given)
            .map(|(p, uri)| uri.is_none().then_some(p.as_path()))
            .collect();
        let read = io::read_secrets(&file_paths, MAX_KEY_BYTES, "private key");
        let mut read_error: Option<(usize, CliError)> = None;
        let mut uris = Vec::with_capacity(paths.len());
        let mut files = Vec::with_capacity(paths.len());
        for (i, (uri, bytes)) in given.into_iter().zip(read).enumerate() {
            // A bad URI or an unreadable file stands as no URI and empty bytes; the first
            // such error in key order is reported in its turn by `load`.
            uris.push(uri.and_then(|uri| uri.map_err(|e| read_error.get_or_insert((i, e))).ok()));
            files.push(match bytes {
                Some(Ok(bytes)) => bytes,
                Some(Err(e)) => {
                    read_error.get_or_insert((i, e));
                    Zeroizing::new(Vec::new())
                }
                None => Zeroizing::new(Vec::new()),
            });
        }
        Ok(KeyFiles {
            paths,
            files,
            uris,
            read_error,
        })
    }

    /// Parses every file without a passphrase, on every core: plain keys load, encrypted
    /// ones say so before any key derivation.
    pub fn parse(&self) -> FirstParse {
        let inputs: Vec<KeyInput<'_>> = self
            .files
            .iter()
            .zip(&self.uris)
            .filter(|(_, uri)| uri.is_none())
            .map(|(bytes, _)| KeyInput {
                bytes,
                passphrase: None,
            })
            .collect();
        let mut parsed = sdkit_certs::load_private_keys(&inputs).into_iter();
        self.uris
            .iter()
            .map(|uri| match uri {
                Some(_) => None,
                None => parsed.next(),
            })
            .collect()
    }

    /// Reports the first broken key in the user's order, asks for passphrases in key order,
    /// decrypts the encrypted keys side by side, and attaches each key's certificate.
    pub fn load(self, first: FirstParse, args: &KeyArgs) -> Result<Vec<LoadedKey>, CliError> {
        let passphrase_files = args.passphrase_files.as_slice();
        let KeyFiles {
            paths,
            files,
            uris,
            mut read_error,
        } = self;
        let mut keys: Vec<Option<CustodianKey>> = Vec::with_capacity(paths.len());
        let mut encrypted: Vec<usize> = Vec::new();
        for (i, (path, parsed)) in paths.iter().zip(first).enumerate() {
            if let Some((_, e)) = read_error.take_if(|(j, _)| *j == i) {
                return Err(e);
            }
            match parsed {
                // A key on a token: opened below.
                None => keys.push(None),
                Some(Ok(k)) => keys.push(Some(CustodianKey::File(k))),
                Some(Err(KeyLoadError::PassphraseRequired)) => {
                    keys.push(None);
                    encrypted.push(i);
                }
                Some(Err(e)) => return Err(key_error(path, e)),
            }
        }
        // Passphrases in key order. A file given for several keys (or standard input, or a pipe)
        // is read once.
        let mut files_read: Vec<(PathBuf, Zeroizing<Vec<u8>>)> = Vec::new();
        let mut passphrases: Vec<(Zeroizing<Vec<u8>>, bool)> = Vec::new();
        for &i in &encrypted {
            passphrases.push(
                match passphrase_file_for(passphrase_files, i, paths.len())? {
                    Some(f) => match files_read.iter().find(|(p, _)| p == f) {
                        Some((_, pass)) => (pass.clone(), false),
                        None => {
                            let pass = read_passphrase_file(f)?;
                            files_read.push((f.clone(), pass.clone()));
                            (pass, false)
                        }
                    },
                    None => (prompt(&paths[i], None)?, true),
                },
            );
        }
        let inputs: Vec<KeyInput<'_>> = encrypted
            .iter()
            .zip(&passphrases)
            .map(|(&i, (pass, _))| KeyInput {
                bytes: &files[i],
                passphrase: Some(pass.as_slice()),
            })
            .collect();
        let decrypted = sdkit_certs::load_private_keys(&inputs);
        for ((&i, (_, prompted)), result) in encrypted.iter().zip(&passphrases).zip(decrypted) {
            let key = match result {
                Ok(k) => k,
                // A mistyped passphrase at the prompt is asked again, so one slip does not end a
                // ceremony of several custodians.
                Err(KeyLoadError::WrongPassphrase) if *prompted => {
                    retry_prompt(&paths[i], &files[i])?
                }
                Err(e) => return Err(key_error(&paths[i], e)),
            };
            keys[i] = Some(CustodianKey::File(key));
        }
        for (slot, token_key) in keys.iter_mut().zip(open_token_keys(paths, &uris, args)?) {
            if token_key.is_some() {
                *slot = token_key;
            }
        }
        let keys = paths
            .iter()
            .zip(keys)
            .map(|(path, key)| {
                // Invariant: every key loaded above, plain or decrypted, or we returned.
                key.ok_or_else(|| CliError::input(path, "the key could not be loaded"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(with_certificates(paths, keys))
    }
}

/// How many times a person may type a key's passphrase in all.
const PROMPT_TRIES: usize = 3;

/// Asks again after a wrong passphrase at the prompt, up to [`PROMPT_TRIES`] tries in all.
fn retry_prompt(path: &Path, bytes: &[u8]) -> Result<PrivateKey, CliError> {
    for tries_left in (1..PROMPT_TRIES).rev() {
        let passphrase = prompt(path, Some(tries_left))?;
        match sdkit_certs::load_private_key(bytes, Some(passphrase.as_slice())) {
            Err(KeyLoadError::WrongPassphrase) => continue,
            other => return other.map_err(|e| key_error(path, e)),
        }
    }
    Err(
        CliError::input(path, format!("wrong passphrase, {PROMPT_TRIES} times"))
            .hint("the key's custodian must type it; check the keyboard layout and Caps Lock"),
    )
}

/// Whether `az`'s certificate file for the key at `path` exists.
fn has_sibling_cert(path: &Path) -> bool {
    let sibling = sibling_cert_path(path);
    sibling != *path && sibling.is_file()
}

/// Each loaded key with `az`'s certificate file for it (the key's path with `.cer`), when
/// that file exists and is this key's certificate; else why there is none. The files are
/// read and parsed on every core (the transcript lists them in key order).
/// A key that brought its own certificate (a PKCS#12 file) keeps it, and no `.cer` is read.
fn with_certificates(paths: &[PathBuf], keys: Vec<CustodianKey>) -> Vec<LoadedKey> {
    let wanted: Vec<Option<PathBuf>> = paths
        .iter()
        .zip(&keys)
        .map(|(p, k)| {
            (matches!(k, CustodianKey::File(f) if f.certificate().is_none()) && has_sibling_cert(p))
                .then(|| sibling_cert_path(p))
        })
        .collect();
    let cert_paths: Vec<Option<&Path>> = wanted.iter().map(Option::as_deref).collect();
    let read = io::read_each_bounded(&cert_paths, MAX_KEY_BYTES, "certificate");
    let files: Vec<&[u8]> = read.iter().flatten().flatten().map(Vec::as_slice).collect();
    let mut parsed = sdkit_certs::load_certificates(&files).into_iter();
    paths
        .iter()
        .zip(keys)
        .zip(read.iter())
        .map(|((path, key), read)| {
            if let Some(cert) = key.own_certificate().cloned() {
                let cert = Some(LoadedCert {
                    path: path.to_owned(),
                    cert,
                });
                return LoadedKey {
                    path: path.to_owned(),
                    key,
                    cert,
                    cert_problem: None,
                };
            }
            let sibling = sibling_cert_path(path);
            let unreadable =
                |why: String| (None, Some(CertProblem::Unreadable(sibling.clone(), why)));
            let on_token = crate::token_keys::token_certificate(&key);
            let (cert, cert_problem) = match read {
                None if on_token.is_some() => on_token.unwrap_or((None, None)),
                None => (None, Some(CertProblem::Missing(sibling.clone()))),
                Some(Err(e)) => unreadable(
                    e.message
                        .strip_prefix(&format!("{}: ", sibling.shown()))
                        .unwrap_or(&e.message)
                        .to_owned(),
                ),
                Some(Ok(_)) => match parsed.next() {
                    Some(Ok(cert)) if key.matches_certificate(&cert) => (
                        Some(LoadedCert {
                            path: sibling.clone(),
                            cert,
                        }),
                        None,
                    ),
                    Some(Ok(_)) => (None, Some(CertProblem::Foreign(sibling.clone()))),
                    Some(Err(e)) => unreadable(e.to_string()),
                    // Invariant: one parse result per certificate read.
                    None => unreadable("the certificate could not be parsed".to_owned()),
                },
            };
            LoadedKey {
                path: path.to_owned(),
                key,
                cert,
                cert_problem,
            }
        })
        .collect()
}

/// Asks for a key's passphrase without echo; `tries_left` says it is a retry.
fn prompt(path: &Path, tries_left: Option<usize>) -> Result<Zeroizing<Vec<u8>>, CliError> {
    if !std::io::stdin().is_terminal() {
        return Err(CliError::new(Exit::Input, format!("{}: the key is encrypted and no passphrase was given", path.shown()))
            .hint("give --passphrase-file FILE (one for all keys, or one per --key; - reads standard input), or run on a terminal to be asked"));
    }
    let label = match tries_left {
        None => format!("Passphrase for {}: ", path.shown()),
        Some(n) => format!(
            "Wrong passphrase. Passphrase for {} ({n} more {}): ",
            path.shown(),
            if n == 1 { "try" } else { "tries" }
        ),
    };
    let p = rpassword::prompt_password(label)
        .map_err(|e| CliError::input(path, format!("cannot read the passphrase: {e}")))?;
    Ok(Zeroizing::new(p.into_bytes()))
}
