//! `sdkit keygen`: custodians' wrapping keys and certificates, encrypted by default, generated
//! in parallel, written all-or-nothing. And `sdkit exchange-key`, the drill exchange key.

use crate::cli::{ExchangeKeyArgs, KeygenArgs};
use crate::error::{CliError, Exit};
use crate::io::{OutFile, ensure_dir, probe_output_dir, refuse_existing, write_all_atomic};
use crate::render::ShowPath;
use crate::render::{Output, Report, date, words};
use rayon::prelude::*;
use sdkit_certs::{CertificateParams, GenerateError, GeneratedKey, KeySize, PbeKdf};
use serde_json::{Value, json};
use std::fmt::Write;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// The most holders one run makes (the format numbers shares with 7 bits).
const MAX_HOLDERS: usize = 127;

pub(super) fn check_args(args: &KeygenArgs) -> Result<KeySize, CliError> {
    if args.holders == 0 || args.holders > MAX_HOLDERS {
        return Err(CliError::usage(format!(
            "--holders {} is out of range: give 1 to {MAX_HOLDERS} (Managed HSM uses 3 to 10)",
            args.holders
        )));
    }
    let size = KeySize::try_from(args.bits)
        .map_err(|e| CliError::usage(format!("--bits {}: {e}", args.bits)))?;
    if args.days == 0 || args.days > 36_500 {
        return Err(CliError::usage(format!(
            "--days {} is out of range: give 1 to 36500",
            args.days
        )));
    }
    if !sdkit_core::domain::is_safe_file_name(&args.prefix) {
        return Err(CliError::usage(format!(
            "--prefix {:?} is not a plain file name",
            args.prefix
        )));
    }
    // Every holder's subject, checked before any key is generated.
    for i in 1..=args.holders {
        let params = CertificateParams {
            subject: subject_for(args, i),
            validity_days: args.days,
        };
        sdkit_certs::validate_certificate_params(&params).map_err(|e| match e {
            GenerateError::InvalidValidity { .. } => {
                CliError::usage(format!("--days {}: {e}", args.days))
            }
            _ => CliError::usage(format!("--subject {:?}: {e}", args.subject)),
        })?;
    }
    Ok(size)
}

/// The certificate subject of holder `i` (1-based).
pub(super) fn subject_for(args: &KeygenArgs, i: usize) -> String {
    args.subject.replace("{i}", &i.to_string())
}

/// The shortest passphrase keygen takes without `--allow-short-passphrase`.
const MIN_PASSPHRASE_CHARS: usize = 8;

/// Why a passphrase is too short, or `None` when it is long enough (or short ones are allowed).
fn too_short(args: &KeygenArgs, p: &[u8]) -> Option<String> {
    let chars = String::from_utf8_lossy(p).chars().count();
    (!args.allow_short_passphrase && chars < MIN_PASSPHRASE_CHARS).then(|| {
        format!(
            "the passphrase has {chars} character(s); at least {MIN_PASSPHRASE_CHARS} are required, since a copied key file can be attacked offline for as long as it exists"
        )
    })
}

/// Passphrases for every holder, gathered before the slow key generation starts.
fn passphrases(args: &KeygenArgs) -> Result<Vec<Option<Zeroizing<Vec<u8>>>>, CliError> {
    let n = args.holders;
    if args.no_passphrase {
        return Ok(vec![None; n]);
    }
    let from_file = |f: &PathBuf| {
        let p = crate::keys::read_passphrase_file(f)?;
        match too_short(args, &p) {
            Some(why) => Err(CliError::input(f, why).hint(
                "use a longer passphrase (a few random words), or pass --allow-short-passphrase",
            )),
            None => Ok(Some(p)),
        }
    };
    match args.passphrase_files.len() {
        0 => {
            if !std::io::stdin().is_terminal() {
                return Err(CliError::usage("private keys are encrypted by default, and there is no terminal to ask for passphrases")
                    .hint("give --passphrase-file FILE (one for all holders, or one per holder; - reads standard input), or --no-passphrase to write unencrypted keys"));
            }
            (1..=n).map(|i| prompt_twice(args, i).map(Some)).collect()
        }
        1 => {
            let p = from_file(&args.passphrase_files[0])?;
            Ok(vec![p; n])
        }
        m if m == n => {
            crate::keys::stdin_at_most_once(&args.passphrase_files)?;
            args.passphrase_files.iter().map(from_file).collect()
        }
        m => Err(CliError::usage(format!(
            "{m} --passphrase-file given for {n} holders: give one for all, or exactly one per holder"
        ))),
    }
}

fn prompt_twice(args: &KeygenArgs, i: usize) -> Result<Zeroizing<Vec<u8>>, CliError> {
    let read = |label: String| {
        rpassword::prompt_password(label)
            .map(|s| Zeroizing::new(s.into_bytes()))
            .map_err(|e| CliError::new(Exit::Input, format!("cannot read the passphrase: {e}")))
    };
    loop {
        let a = read(format!("Passphrase for holder {i}: "))?;
        if a.is_empty() {
            eprintln!(
                "An empty passphrase is not allowed; use --no-passphrase for unencrypted keys."
            );
            continue;
        }
        if let Some(why) = too_short(args, &a) {
            crate::render::eprint_wrapped(&format!(
                "Too short: {why}. Try again (or pass --allow-short-passphrase)."
            ));
            continue;
        }
        let b = read(format!("Repeat passphrase for holder {i}: "))?;
        if a == b {
            return Ok(a);
        }
        eprintln!("The passphrases did not match; try again.");
    }
}

/// Generates `n` keys on all cores, with a progress bar when a person is watching.
fn generate_keys(
    n: usize,
    size: KeySize,
    show_progress: bool,
) -> Result<Vec<GeneratedKey>, CliError> {
    let bar = if show_progress {
        let b = indicatif::ProgressBar::new(n as u64);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{spinner} generating RSA keys {pos}/{len} [{elapsed}]",
        ) {
            b.set_style(style);
        }
        b.enable_steady_tick(std::time::Duration::from_millis(120));
        Some(b)
    } else {
        None
    };
    // rayon's pool, one key per job (docs/DESIGN.md, "Parallelism").
    let generated: Result<Vec<GeneratedKey>, _> = (0..n)
        .into_par_iter()
        .map(|_| {
            let key = sdkit_certs::generate_rsa_key(size);
            if let Some(b) = &bar {
                b.inc(1);
            }
            key
        })
        .collect();
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let keys = generated.map_err(|_| {
        CliError::new(
            Exit::Crypto,
            "RSA key generation failed (the random generator or prime search failed)",
        )
    })?;
    Ok(keys)
}

/// Checks early that the directory takes files, so a long generation does not end in a
/// write error.
fn probe_writable(dir: &Path) -> Result<(), CliError> {
    let probe = dir.join(format!(".sdkit-probe-{}", std::process::id()));
    std::fs::write(&probe, b"")
        .and_then(|()| std::fs::remove_file(&probe))
        .map_err(|e| CliError::output(dir, format!("cannot write here: {e}")))
}

/// Runs `keygen`.
pub fn run(args: &KeygenArgs, out: Output) -> Result<Exit, CliError> {
    let size = check_args(args)?;
    if let Some(uri) = &args.pkcs11 {
        return super::keygen_token::run(args, uri, out);
    }
    let names: Vec<(PathBuf, PathBuf)> = (1..=args.holders)
        .map(|i| {
            (
                args.out_dir.join(format!("{}{i}.pem", args.prefix)),
                args.out_dir.join(format!("{}{i}.cer", args.prefix)),
            )
        })
        .collect();
    refuse_existing(
        names.iter().flat_map(|(k, c)| [k.as_path(), c.as_path()]),
        args.force,
    )?;
    // The directory must take the files before anybody types a passphrase.
    probe_output_dir(&args.out_dir, "keys and certificates")?;
    let secrets = passphrases(args)?;
    ensure_dir(&args.out_dir)?;
    probe_writable(&args.out_dir)?;
    if args.bits < crate::hygiene::RECOMMENDED_BITS {
        crate::render::eprint_wrapped(&format!(
            "warning: --bits {}: {} bits or more is recommended for keys that protect an HSM for years (NIST SP 800-57); every later command will flag these keys too",
            args.bits,
            crate::hygiene::RECOMMENDED_BITS
        ));
    }
    if args.no_passphrase {
        crate::render::eprint_wrapped(
            "warning: --no-passphrase: the private keys are written UNENCRYPTED; keep them on offline, encrypted media",
        );
    }

    let show = !out.json && std::io::stderr().is_terminal();
    let keys = generate_keys(args.holders, size, show)?;
    let mut pems = Vec::with_capacity(keys.len());
    let mut certs = Vec::with_capacity(keys.len());
    for (i, (key, pass)) in keys.iter().zip(&secrets).enumerate() {
        let params = CertificateParams {
            subject: subject_for(args, i + 1),
            validity_days: args.days,
        };
        let cert = sdkit_certs::self_signed_certificate(key, &params).map_err(|e| match e {
            GenerateError::InvalidSubject { .. } => {
                CliError::usage(format!("--subject {:?}: {e}", args.subject))
            }
            GenerateError::InvalidValidity { .. } => {
                CliError::usage(format!("--days {}: {e}", args.days))
            }
            other => CliError::new(
                Exit::Crypto,
                format!("cannot make holder {}'s certificate: {other}", i + 1),
            ),
        })?;
        let pem = match pass {
            Some(p) => {
                sdkit_certs::private_key_pem_encrypted(key, p, PbeKdf::default()).map_err(|e| {
                    CliError::new(
                        Exit::Crypto,
                        format!("cannot encrypt holder {}'s key: {e}", i + 1),
                    )
                })?
            }
            None => sdkit_certs::private_key_pem_unencrypted(key).map_err(|e| {
                CliError::new(
                    Exit::Crypto,
                    format!("cannot encode holder {}'s key: {e}", i + 1),
                )
            })?,
        };
        pems.push(pem);
        certs.push(cert);
    }
    let cert_pems: Vec<String> = certs.iter().map(sdkit_certs::certificate_pem).collect();
    let mut files = Vec::with_capacity(2 * keys.len());
    for (i, (k, c)) in names.iter().enumerate() {
        files.push(OutFile {
            path: k.clone(),
            bytes: pems[i].as_bytes(),
            secret: true,
        });
        files.push(OutFile {
            path: c.clone(),
            bytes: cert_pems[i].as_bytes(),
            secret: false,
        });
    }
    write_all_atomic(&files, args.force)?;

    let holders = names
        .iter()
        .zip(certs)
        .zip(&secrets)
        .map(|(((key, certificate), cert), secret)| NewHolder {
            key: key.clone(),
            certificate: certificate.clone(),
            cert,
            encrypted: secret.is_some(),
            on_token: false,
        })
        .collect();
    out.report(&KeygenView {
        bits: args.bits,
        holders,
    });
    Ok(Exit::Ok)
}

/// One custodian's new key pair, as written.
pub(super) struct NewHolder {
    /// The key file, or the key's `pkcs11:` URI.
    pub key: PathBuf,
    pub certificate: PathBuf,
    pub cert: sdkit_certs::Certificate,
    pub encrypted: bool,
    /// Made on a token (then `encrypted` is meaningless: the key never leaves it).
    pub on_token: bool,
}

/// What `keygen` wrote.
pub(super) struct KeygenView {
    pub bits: usize,
    pub holders: Vec<NewHolder>,
}

impl Report for KeygenView {
    fn text(&self) -> String {
        let mut text = String::new();
        for (i, h) in self.holders.iter().enumerate() {
            let tp = h.cert.thumbprint();
            let _ = writeln!(text, "Holder {}: {}", i + 1, h.cert.subject());
            let _ = writeln!(
                text,
                "  key  {} ({}, RSA-{})",
                h.key.shown(),
                if h.on_token {
                    "on the token, non-extractable"
                } else if h.encrypted {
                    "encrypted"
                } else {
                    "UNENCRYPTED"
                },
                self.bits
            );
            let _ = writeln!(
                text,
                "  cert {} (valid until {})",
                h.certificate.shown(),
                date(h.cert.not_after())
            );
            let _ = writeln!(text, "  x5t#S256 {}", tp.to_base64url());
            let _ = writeln!(text, "  SHA-256  {}", tp.to_hex_fingerprint());
            let _ = writeln!(text, "  read aloud: {}", words(tp.as_bytes()));
        }
        text
    }

    fn json(&self) -> Value {
        let holders: Vec<Value> = self
            .holders
            .iter()
            .enumerate()
            .map(|(i, h)| {
                let tp = h.cert.thumbprint();
                json!({
                    "holder": i + 1,
                    "key": h.key.shown().to_string(),
                    "certificate": h.certificate.shown().to_string(),
                    "subject": h.cert.subject(),
                    "key_encrypted": h.encrypted,
                    "key_on_token": h.on_token,
                    "key_bits": self.bits,
                    "not_after": date(h.cert.not_after()),
                    "x5t_256": tp.to_base64url(),
                    "sha256_fingerprint": tp.to_hex_fingerprint(),
                    "fingerprint_words": words(tp.as_bytes()),
                })
            })
            .collect();
        json!({ "command": "keygen", "holders": holders })
    }
}

/// Runs `exchange-key`.
pub fn run_exchange(args: &ExchangeKeyArgs, out: Output) -> Result<Exit, CliError> {
    let cert_path = args.out_dir.join("exchange.cer");
    let key_path = args.out_dir.join("exchange-key.pem");
    refuse_existing([cert_path.as_path(), key_path.as_path()], args.force)?;
    ensure_dir(&args.out_dir)?;
    probe_writable(&args.out_dir)?;
    let (key, cert) = sdkit_certs::generate_exchange_key().map_err(|e| {
        CliError::new(
            Exit::Crypto,
            format!("cannot generate the exchange key: {e}"),
        )
    })?;
    let key_pem = sdkit_certs::private_key_pem_unencrypted(&key)
        .map_err(|e| CliError::new(Exit::Crypto, format!("cannot encode the exchange key: {e}")))?;
    let cert_pem = sdkit_certs::certificate_pem_az_style(&cert);
    write_all_atomic(
        &[
            OutFile {
                path: key_path.clone(),
                bytes: key_pem.as_bytes(),
                secret: true,
            },
            OutFile {
                path: cert_path.clone(),
                bytes: cert_pem.as_bytes(),
                secret: false,
            },
        ],
        args.force,
    )?;
    out.report(&ExchangeView {
        cert,
        cert_path,
        key_path,
    });
    Ok(Exit::Ok)
}

/// What `exchange-key` wrote.
struct ExchangeView {
    cert: sdkit_certs::Certificate,
    cert_path: PathBuf,
    key_path: PathBuf,
}

impl Report for ExchangeView {
    fn text(&self) -> String {
        format!(
            "Drill exchange key (throw-away, RSA-4096, {}; the private key is unencrypted: delete it after the drill)\n  cert {}\n  key  {}\n  x5t#S256 {}\n",
            self.cert.subject(),
            self.cert_path.shown(),
            self.key_path.shown(),
            self.cert.thumbprint().to_base64url()
        )
    }

    fn json(&self) -> Value {
        json!({
            "command": "exchange-key",
            "certificate": self.cert_path.shown().to_string(),
            "key": self.key_path.shown().to_string(),
            "subject": self.cert.subject(),
            "x5t_256": self.cert.thumbprint().to_base64url(),
        })
    }
}
