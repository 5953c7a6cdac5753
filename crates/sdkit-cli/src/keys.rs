//! Loading custodians' keys and certificates from files, with passphrases from files or a
//! no-echo prompt. The parsing itself is sdkit-certs'; this module knows paths and people.

use crate::error::{CliError, Exit};
use crate::io::{self, MAX_KEY_BYTES, MAX_PASSPHRASE_BYTES};
use sdkit_certs::{Certificate, InputKind, KeyLoadError, PrivateKey};
use sdkit_core::recover::{EarlyRecombination, FoundShare, HolderKey, HolderOpening, ShareOpener};
use sdkit_core::{SecurityDomain, Thumbprint, par};
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
}

impl CertProblem {
    /// What the problem is, for a warning or a report line.
    pub fn describe(&self, key: &Path) -> String {
        match self {
            CertProblem::Missing(c) => format!(
                "{} has no certificate beside it: `az keyvault security-domain restore-blob` looks for {} and refuses the key without it; copy the custodian's certificate there",
                key.display(),
                c.display()
            ),
            CertProblem::Foreign(c) => format!(
                "{} is not the certificate of {}: az would match the wrong share; put this custodian's own certificate there",
                c.display(),
                key.display()
            ),
            CertProblem::Unreadable(c, why) => format!(
                "{} (beside {}) is not a readable certificate ({why}); put this custodian's certificate there",
                c.display(),
                key.display()
            ),
        }
    }

    /// A stable name for JSON.
    pub fn code(&self) -> &'static str {
        match self {
            CertProblem::Missing(_) => "certificate_missing",
            CertProblem::Foreign(_) => "certificate_not_this_keys",
            CertProblem::Unreadable(..) => "certificate_unreadable",
        }
    }
}

impl LoadedKey {
    /// The core's view of this key: the key, and its certificate's thumbprint when matched.
    pub fn holder_key(&self) -> HolderKey<'_> {
        HolderKey {
            key: &self.key,
            certificate: self.cert.as_ref().map(|c| c.thumbprint),
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
    let thumbprint = Thumbprint::of_certificate_der(cert.der());
    Ok(LoadedCert {
        path: path.to_owned(),
        cert,
        thumbprint,
    })
}

/// The certificates (`*.cer`) in the directories of the given keys, with their thumbprints,
/// to name custodians whose shares a drill did not test. Unreadable files are skipped; at
/// most 64 certificates per directory are read, and none is recorded as a command input.
pub fn certificates_beside(keys: &[PathBuf]) -> Vec<(PathBuf, Thumbprint)> {
    let mut dirs: Vec<PathBuf> = Vec::new();
    for k in keys {
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
                out.push((
                    d.join(p.file_name().unwrap_or_default()),
                    Thumbprint::of_certificate_der(c.der()),
                ));
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
    let ((), loaded) = load_keys_then(|| Ok(()), paths, passphrase_files, |(), _, _| ())?;
    Ok(loaded.into_iter().map(|(k, ())| k).collect())
}

/// What [`load_keys_and_open`] gives back.
pub struct KeysOpened<S> {
    /// What `load_sd` returned.
    pub sd: S,
    /// The keys, in the order given.
    pub keys: Vec<LoadedKey>,
    /// What each key opened, in the same order.
    pub openings: Vec<HolderOpening>,
    /// The recombination of the first `M` keys' shares, made while the last keys were
    /// still unwrapping; for [`sdkit_core::recover::combine_after`].
    pub early: Option<EarlyRecombination>,
}

/// Loads the SD (`load_sd`, which may also check it) and every key (as [`load_keys`]), and
/// opens the share each key unwraps.
///
/// The calling thread reads the SD while the other cores start loading keys, and a key's
/// share is opened as soon as that key is loaded, on whichever core is free, instead of
/// after every key has loaded. An error from `load_sd` is reported before any key's, and
/// before anybody is asked for a passphrase. The openings come back in key order, as
/// [`sdkit_core::recover::open_shares`] gives them. Once the first `M` keys' shares are
/// open, the thread that opened the last of them recombines them and authenticates the items
/// (see [`ShareOpener::recombining_early`]), usually while another core still unwraps.
pub fn load_keys_and_open<S: AsRef<SecurityDomain> + Send + Sync>(
    load_sd: impl FnOnce() -> Result<S, CliError>,
    paths: &[PathBuf],
    passphrase_files: &[PathBuf],
) -> Result<KeysOpened<S>, CliError> {
    let prepare = || {
        let sd = load_sd()?;
        let opener = ShareOpener::new(sd.as_ref()).recombining_early(sd.as_ref());
        Ok((sd, opener))
    };
    let ((sd, opener), loaded) =
        load_keys_then(prepare, paths, passphrase_files, |(sd, opener), i, k| {
            opener.find(sd.as_ref(), i, &k.holder_key())
        })?;
    let (keys, found): (Vec<LoadedKey>, Vec<FoundShare>) = loaded.into_iter().unzip();
    let (openings, early) = opener.finish_early(found);
    Ok(KeysOpened {
        sd,
        keys,
        openings,
        early,
    })
}

/// A key's first load, without a passphrase.
enum FirstTry {
    Loaded(Box<LoadedKey>),
    /// Encrypted: here are its file's bytes, for the second try with a passphrase.
    Encrypted(Zeroizing<Vec<u8>>),
    Failed(CliError),
}

/// An encrypted key waiting for its second try: key index, file bytes, passphrase, and
/// whether a person typed it (and may try again).
struct Encrypted {
    i: usize,
    bytes: Zeroizing<Vec<u8>>,
    passphrase: Zeroizing<Vec<u8>>,
    prompted: bool,
}

/// How many times a person may type a key's passphrase in all.
const PROMPT_TRIES: usize = 3;

/// Asks again after a wrong passphrase at the prompt, up to [`PROMPT_TRIES`] tries in all.
fn retry_prompt(path: &Path, bytes: &[u8], has_cert: bool) -> Result<LoadedKey, CliError> {
    for tries_left in (1..PROMPT_TRIES).rev() {
        let passphrase = prompt(path, Some(tries_left))?;
        match load_one(path, bytes, Some(passphrase.as_slice()), has_cert) {
            Err(KeyLoadError::WrongPassphrase) => continue,
            other => return other.map_err(|e| key_error(path, e)),
        }
    }
    Err(
        CliError::input(path, format!("wrong passphrase, {PROMPT_TRIES} times"))
            .hint("the key's custodian must type it; check the keyboard layout and Caps Lock"),
    )
}

/// Runs `prelude` (on the calling thread, while the other cores start on the keys), loads
/// every key and runs `then` on each as soon as it is loaded, on every core; results in key
/// order. Keys with a certificate beside them go first (their `then` is one RSA operation on
/// the share their certificate names; keys without one try shares in turn).
fn load_keys_then<P: Send + Sync, R: Send>(
    prelude: impl FnOnce() -> Result<P, CliError>,
    paths: &[PathBuf],
    passphrase_files: &[PathBuf],
    then: impl Fn(&P, usize, &LoadedKey) -> R + Sync,
) -> Result<(P, Vec<(LoadedKey, R)>), CliError> {
    // Check the count before reading or prompting anything.
    passphrase_file_for(passphrase_files, 0, paths.len())?;
    let with_cert: Vec<bool> = paths.iter().map(|p| has_sibling_cert(p)).collect();
    let mut order: Vec<usize> = (0..paths.len()).collect();
    order.sort_by_key(|&i| !with_cert[i]);

    // Every key without a passphrase, on every core: plain keys load (and go on to `then`),
    // encrypted ones say so (cheaply, before any key derivation) and a scheme we cannot read
    // anyway (legacy PEM encryption) is refused, all before anybody is prompted.
    let (prelude, first_try) = par::map_then_after(
        prelude,
        &order,
        |&i| first_try(&paths[i], with_cert[i]),
        |p, &i, t| match (p, t) {
            (Ok(p), FirstTry::Loaded(k)) => Some(then(p, i, k.as_ref())),
            _ => None,
        },
    );
    let p = prelude?;
    let mut done: Vec<Option<(LoadedKey, R)>> = (0..paths.len()).map(|_| None).collect();
    let mut encrypted = Vec::new();
    let mut first_error: Option<(usize, CliError)> = None;
    for (&i, (t, result)) in order.iter().zip(first_try) {
        match t {
            FirstTry::Loaded(k) => {
                let r = result.unwrap_or_else(|| then(&p, i, &k));
                done[i] = Some((*k, r));
            }
            FirstTry::Encrypted(bytes) => encrypted.push((i, bytes)),
            // The first broken key in the user's order is the one reported.
            FirstTry::Failed(e) => {
                if first_error.as_ref().is_none_or(|(j, _)| i < *j) {
                    first_error = Some((i, e));
                }
            }
        }
    }
    if let Some((_, e)) = first_error {
        return Err(e);
    }
    encrypted.sort_unstable_by_key(|(i, _)| *i);
    // Passphrases in key order: prompts come one after the other, as people expect. A file
    // given for several keys (or standard input, or a pipe) is read once.
    let mut read: Vec<(PathBuf, Zeroizing<Vec<u8>>)> = Vec::new();
    let mut pending: Vec<Encrypted> = Vec::new();
    for (i, bytes) in encrypted {
        let (passphrase, prompted) = match passphrase_file_for(passphrase_files, i, paths.len())? {
            Some(f) => match read.iter().find(|(p, _)| p == f) {
                Some((_, pass)) => (pass.clone(), false),
                None => {
                    let pass = read_passphrase_file(f)?;
                    read.push((f.clone(), pass.clone()));
                    (pass, false)
                }
            },
            None => (prompt(&paths[i], None)?, true),
        };
        pending.push(Encrypted {
            i,
            bytes,
            passphrase,
            prompted,
        });
    }
    // The slow part (PBKDF2/scrypt) on every core.
    let decrypted = par::map_then(
        &pending,
        |e| {
            let passphrase = Some(e.passphrase.as_slice());
            load_one(&paths[e.i], &e.bytes, passphrase, with_cert[e.i])
        },
        |e, r| r.as_ref().ok().map(|k| then(&p, e.i, k)),
    );
    for (e, (loaded, result)) in pending.iter().zip(decrypted) {
        let k = match loaded {
            Ok(k) => k,
            // A mistyped passphrase at the prompt is asked again, so one slip does not end a
            // ceremony of several custodians.
            Err(KeyLoadError::WrongPassphrase) if e.prompted => {
                retry_prompt(&paths[e.i], &e.bytes, with_cert[e.i])?
            }
            Err(err) => return Err(key_error(&paths[e.i], err)),
        };
        let r = result.unwrap_or_else(|| then(&p, e.i, &k));
        done[e.i] = Some((k, r));
    }
    let loaded = paths
        .iter()
        .zip(done)
        .map(|(path, d)| {
            // Invariant: every key was loaded by one of the passes above, or we returned.
            d.ok_or_else(|| CliError::input(path, "the key could not be loaded"))
        })
        .collect::<Result<_, _>>()?;
    Ok((p, loaded))
}

/// Reads a key file and loads it without a passphrase.
fn first_try(path: &Path, has_cert: bool) -> FirstTry {
    let bytes = match io::read_secret(path, MAX_KEY_BYTES, "private key") {
        Ok(b) => b,
        Err(e) => return FirstTry::Failed(e),
    };
    match load_one(path, &bytes, None, has_cert) {
        Ok(k) => FirstTry::Loaded(Box::new(k)),
        Err(KeyLoadError::PassphraseRequired) => FirstTry::Encrypted(bytes),
        Err(e) => FirstTry::Failed(key_error(path, e)),
    }
}

/// Whether `az`'s certificate file for the key at `path` exists.
fn has_sibling_cert(path: &Path) -> bool {
    let sibling = sibling_cert_path(path);
    sibling != *path && sibling.is_file()
}

/// Parses one key and, when `has_cert` (its `az` certificate file exists, see
/// [`has_sibling_cert`]), picks up that certificate if it is the key's own.
fn load_one(
    path: &Path,
    bytes: &[u8],
    passphrase: Option<&[u8]>,
    has_cert: bool,
) -> Result<LoadedKey, KeyLoadError> {
    let key = sdkit_certs::load_private_key(bytes, passphrase)?;
    let sibling = sibling_cert_path(path);
    let (cert, cert_problem) = if has_cert {
        match load_cert(&sibling) {
            Ok(c) if c.cert.matches_private_key(&key) => (Some(c), None),
            Ok(_) => (None, Some(CertProblem::Foreign(sibling))),
            Err(e) => {
                let why = e
                    .message
                    .strip_prefix(&format!("{}: ", sibling.display()))
                    .unwrap_or(&e.message)
                    .to_owned();
                (None, Some(CertProblem::Unreadable(sibling, why)))
            }
        }
    } else {
        (None, Some(CertProblem::Missing(sibling)))
    };
    Ok(LoadedKey {
        path: path.to_owned(),
        key,
        cert,
        cert_problem,
    })
}

/// Asks for a key's passphrase without echo; `tries_left` says it is a retry.
fn prompt(path: &Path, tries_left: Option<usize>) -> Result<Zeroizing<Vec<u8>>, CliError> {
    if !std::io::stdin().is_terminal() {
        return Err(CliError::new(Exit::Input, format!("{}: the key is encrypted and no passphrase was given", path.display()))
            .hint("give --passphrase-file FILE (one for all keys, or one per --key; - reads standard input), or run on a terminal to be asked"));
    }
    let label = match tries_left {
        None => format!("Passphrase for {}: ", path.display()),
        Some(n) => format!(
            "Wrong passphrase. Passphrase for {} ({n} more {}): ",
            path.display(),
            if n == 1 { "try" } else { "tries" }
        ),
    };
    let p = rpassword::prompt_password(label)
        .map_err(|e| CliError::input(path, format!("cannot read the passphrase: {e}")))?;
    Ok(Zeroizing::new(p.into_bytes()))
}
