//! Command-line syntax (clap derive only; behaviour lives in the libraries and `commands/`).

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// Verify, drill and recover Azure Key Vault Managed HSM security domains, offline.
#[derive(Debug, Parser)]
#[command(name = "sdkit", version, about, long_about = None, after_help = EXIT_CODES)]
pub struct Cli {
    /// Print machine-readable JSON on stdout instead of text.
    #[arg(long, global = true)]
    pub json: bool,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Exit codes, shown in `--help`.
pub const EXIT_CODES: &str = "\
Exit codes:
  0  success: everything that was asked held
  1  a check did not hold (a key opened no share, a share is bad, the file has problems)
  2  usage error (bad arguments)
  3  an input could not be read or parsed (missing file, malformed SD, unreadable key, wrong passphrase)
  4  cryptographic failure (no quorum, an item did not authenticate)
  5  an output could not be written, or would overwrite a file without --force";

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Describe a security-domain file without any keys.
    ///
    /// Example: sdkit inspect sd.json --cert sd1.cer --cert sd2.cer --cert sd3.cer
    #[command(after_help = EXIT_CODES)]
    Inspect(InspectArgs),

    /// One custodian alone: which share their key opens, and that the share is well-formed.
    ///
    /// Example: sdkit check sd.json --key sd1.pem
    #[command(after_help = EXIT_CODES)]
    Check(CheckArgs),

    /// With a quorum of keys: recover in memory, authenticate every item, and prove that every
    /// quorum of the given keys recovers the same master key. Writes nothing, prints no secret.
    ///
    /// Example: sdkit drill sd.json --key sd1.pem --key sd2.pem --key sd3.pem
    #[command(after_help = EXIT_CODES)]
    Drill(DrillArgs),

    /// With a quorum of keys: write each item's plaintext to <DIR>/<tag>.bin (mode 0600).
    ///
    /// Example: sdkit recover sd.json --key sd1.pem --key sd2.pem --out-dir recovered/
    #[command(after_help = EXIT_CODES)]
    Recover(RecoverArgs),
}

/// `sdkit inspect`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The security-domain file (as `az keyvault security-domain download` writes it).
    pub sd: PathBuf,
    /// Custodian certificates (PEM or DER) to match against the shares.
    #[arg(long = "cert", value_name = "CERT")]
    pub certs: Vec<PathBuf>,
}

/// How keys are given: shared by check, drill and recover.
#[derive(Debug, Args)]
pub struct KeyArgs {
    /// Passphrase file for encrypted keys: one for all keys, or one per --key in order.
    /// Its first line is the passphrase. Without it, encrypted keys are prompted for on a
    /// terminal.
    #[arg(long = "passphrase-file", value_name = "FILE")]
    pub passphrase_files: Vec<PathBuf>,
}

/// `sdkit check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The security-domain file.
    pub sd: PathBuf,
    /// The custodian's private key (PEM PKCS#8, PKCS#1, encrypted PKCS#8, or DER). A
    /// certificate with the same name and the extension .cer beside it is used when present.
    #[arg(long, value_name = "KEY")]
    pub key: PathBuf,
    /// Key options.
    #[command(flatten)]
    pub keys: KeyArgs,
}

/// `sdkit drill`.
#[derive(Debug, Args)]
pub struct DrillArgs {
    /// The security-domain file.
    pub sd: PathBuf,
    /// Custodians' private keys, at least the quorum.
    #[arg(long = "key", value_name = "KEY", required = true)]
    pub keys_paths: Vec<PathBuf>,
    /// Key options.
    #[command(flatten)]
    pub keys: KeyArgs,
}

/// `sdkit recover`.
#[derive(Debug, Args)]
pub struct RecoverArgs {
    /// The security-domain file.
    pub sd: PathBuf,
    /// Custodians' private keys, at least the quorum.
    #[arg(long = "key", value_name = "KEY", required = true)]
    pub keys_paths: Vec<PathBuf>,
    /// Where to write <tag>.bin for each item (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out_dir: PathBuf,
    /// Replace existing output files (each is replaced whole, atomically).
    #[arg(long)]
    pub force: bool,
    /// Key options.
    #[command(flatten)]
    pub keys: KeyArgs,
}
