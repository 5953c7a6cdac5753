//! Command-line syntax (clap derive only; behaviour lives in the libraries and `commands/`).

use crate::head::ExpectedHead;
use clap::builder::{Resettable, StyledStr};
use clap::{ArgMatches, Args, Command as ClapCommand, FromArgMatches, Parser, Subcommand};
use sdkit_core::tag::Tag;
use std::path::PathBuf;
use std::str::FromStr;

/// Verify, drill and recover Azure Key Vault Managed HSM security domains, offline.
#[derive(Debug, Parser)]
// clap prints `version` for `-V` and `long_version` for `--version` (src/version.rs).
#[command(
    name = "sdkit",
    version = crate::version::short(),
    long_version = crate::version::long(),
    about,
    long_about = None,
    after_help = EXIT_CODES
)]
pub struct Cli {
    /// Print machine-readable JSON on stdout instead of text.
    #[arg(long, global = true)]
    pub json: bool,

    /// Print no report, only errors and warnings (for scripts: rely on the exit code).
    #[arg(long, short, global = true)]
    pub quiet: bool,

    /// Append a hash-chained record of this command (inputs and outputs with their SHA-256,
    /// result) to this ceremony transcript (JSON lines).
    #[arg(long, global = true, value_name = "FILE")]
    pub transcript: Option<PathBuf>,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// A command's arguments, added to the command tree only when that command runs.
///
/// clap's derive builds every command's arguments before it parses anything; for sdkit's
/// tree that was 0.23-0.27 ms from `main` to parsed arguments (0.13 ms of it building the
/// tree, the rest first touches of the code that builds it). A command needs only its own.
/// `Command::defer` builds them when clap enters the command, and help, completions and man
/// pages, which build the whole tree, still see everything. Measured on the benchmark VM:
/// `sdkit --version` 0.12-0.2 ms sooner (hyperfine), a 3-key drill 0.07-0.09 ms sooner
/// (interleaved, 400 runs each). The only visible change is the order of options in the
/// generated completion scripts (global options first).
#[derive(Debug)]
pub struct Lazy<T>(pub T);

impl<T> std::ops::Deref for Lazy<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// Adds `T`'s arguments to `cmd`, keeping `cmd`'s own about texts: the derive sets a struct's
/// doc comment as the about text of the command it is added to, which eagerly comes before
/// the command's own texts (from its `Command` variant) and is overridden by them, but when
/// deferred comes after them.
fn add_args_keeping_texts(cmd: ClapCommand, add: fn(ClapCommand) -> ClapCommand) -> ClapCommand {
    let about = cmd.get_about().cloned();
    let long_about = cmd.get_long_about().cloned();
    let keep = |text: Option<StyledStr>| text.map_or(Resettable::Reset, Resettable::Value);
    add(cmd).about(keep(about)).long_about(keep(long_about))
}

fn deferred_args<T: Args>(cmd: ClapCommand) -> ClapCommand {
    add_args_keeping_texts(cmd, T::augment_args)
}

fn deferred_args_for_update<T: Args>(cmd: ClapCommand) -> ClapCommand {
    add_args_keeping_texts(cmd, T::augment_args_for_update)
}

impl<T: Args> Args for Lazy<T> {
    fn augment_args(cmd: ClapCommand) -> ClapCommand {
        cmd.defer(deferred_args::<T>)
    }
    fn augment_args_for_update(cmd: ClapCommand) -> ClapCommand {
        cmd.defer(deferred_args_for_update::<T>)
    }
    fn group_id() -> Option<clap::Id> {
        T::group_id()
    }
}

impl<T: FromArgMatches> FromArgMatches for Lazy<T> {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        T::from_arg_matches(matches).map(Lazy)
    }
    fn from_arg_matches_mut(matches: &mut ArgMatches) -> Result<Self, clap::Error> {
        T::from_arg_matches_mut(matches).map(Lazy)
    }
    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        self.0.update_from_arg_matches(matches)
    }
    fn update_from_arg_matches_mut(&mut self, matches: &mut ArgMatches) -> Result<(), clap::Error> {
        self.0.update_from_arg_matches_mut(matches)
    }
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
    Inspect(Lazy<InspectArgs>),

    /// One custodian alone: which share their key opens, and that the share is well-formed.
    ///
    /// Example: sdkit check sd.json --key sd1.pem
    #[command(after_help = EXIT_CODES)]
    Check(Lazy<CheckArgs>),

    /// With a quorum of keys: recover in memory, authenticate every item, and prove that every
    /// quorum of the given keys recovers the same master key. Writes nothing, prints no secret.
    ///
    /// Example: sdkit drill sd.json --key sd1.pem --key sd2.pem --key sd3.pem
    #[command(after_help = EXIT_CODES)]
    Drill(Lazy<DrillArgs>),

    /// With a quorum of keys: write each item's plaintext to <DIR>/<tag>.bin (mode 0600).
    ///
    /// Example: sdkit recover sd.json --key sd1.pem --key sd2.pem --out-dir recovered/
    #[command(after_help = EXIT_CODES)]
    Recover(Lazy<RecoverArgs>),

    /// Make custodians' RSA wrapping keys and self-signed certificates (replaces
    /// `openssl req -newkey rsa:2048 -nodes -x509 ...`), with encrypted keys by default.
    ///
    /// Writes <DIR>/<prefix><i>.pem (private key, mode 0600) and <DIR>/<prefix><i>.cer (PEM
    /// certificate) for i = 1..N: the names `az keyvault security-domain restore-blob` expects.
    ///
    /// Example: sdkit keygen --holders 3 --out-dir keys/ --passphrase-file pass.txt
    #[command(after_help = EXIT_CODES)]
    Keygen(Lazy<KeygenArgs>),

    /// Make a throw-away RSA-4096 exchange key pair shaped like the one a Managed HSM returns
    /// from `init-recovery`, for restore drills without a live HSM.
    ///
    /// Example: sdkit exchange-key --out-dir drill/
    #[command(after_help = EXIT_CODES)]
    ExchangeKey(Lazy<ExchangeKeyArgs>),

    /// Build the restore blob a new HSM takes: the SD's items re-encrypted under a fresh key
    /// wrapped to the HSM's exchange certificate. Offline; byte-compatible with `az ...
    /// restore-blob`. Upload it with `az keyvault security-domain upload --hsm-name <HSM>
    /// --sd-file FILE --restore-blob`.
    ///
    /// Example: sdkit restore-blob sd.json --key sd1.pem --key sd2.pem --exchange-key exchange.cer --out blob.json
    #[command(after_help = EXIT_CODES)]
    RestoreBlob(Lazy<RestoreBlobArgs>),

    /// Play the HSM in a drill: open a restore blob with the exchange private key,
    /// authenticate every item, and (with --out-dir) write the plaintexts as <tag>.bin.
    ///
    /// Example: sdkit open-blob blob.json --exchange-private-key exchange-key.pem --out-dir opened/
    #[command(after_help = EXIT_CODES)]
    OpenBlob(Lazy<OpenBlobArgs>),

    /// Protect your own secrets the same way: write a new SD file (version 2, Azure's format)
    /// whose master key is split M-of-N across the given certificates.
    ///
    /// Example: sdkit split --in db-root=root.key --cert a.cer --cert b.cer --cert c.cer --quorum 2 --out my-sd.json
    #[command(after_help = EXIT_CODES)]
    Split(Lazy<SplitArgs>),

    /// Rotate custodians offline: open the SD with a quorum of the old keys, re-encrypt every
    /// item under a fresh master key split M-of-N to the new certificates, prove the new file
    /// in memory, and write it. The old file is left as it is.
    ///
    /// Example: sdkit reshare old-sd.json --key sd1.pem --key sd2.pem --cert new1.cer --cert new2.cer --cert new3.cer --cert new4.cer --quorum 3 --out new-sd.json
    #[command(after_help = EXIT_CODES)]
    Reshare(Lazy<ReshareArgs>),

    /// The quarterly review, without any private key: for each share its custodian's
    /// certificate, when a drill last proved the key (--ledger), who holds it now
    /// (--register); for the SD its quorum, what losing keys costs, and its SHA-256. Findings
    /// are ranked, each with what to do; exit 1 when one is at or above --fail-on.
    ///
    /// Example: sdkit review sd.json --cert sd1.cer --cert sd2.cer --cert sd3.cer --ledger drills.jsonl --register custody.jsonl --html review.html
    #[command(after_help = EXIT_CODES)]
    Review(Lazy<ReviewArgs>),

    /// Keep the custody register (hash-chained JSON lines): who holds each custodian key
    /// and each SD copy, on what medium and where; hand-offs and destructions.
    ///
    /// Example: sdkit custody record --register custody.jsonl --cert sd1.cer --holder "Alice Smith" --medium "smart card" --location "safe A"
    #[command(subcommand, after_help = EXIT_CODES)]
    Custody(CustodyCommand),

    /// List what a PKCS#11 module sees: tokens, their RSA keys and certificates, and the
    /// `pkcs11:` URI to give --key for each key.
    ///
    /// Example: sdkit tokens --pkcs11-module /usr/lib/x86_64-linux-gnu/opensc-pkcs11.so --login
    #[command(after_help = EXIT_CODES)]
    Tokens(Lazy<TokensArgs>),

    /// Check a drill ledger's hash chain.
    ///
    /// Example: sdkit ledger verify drills.jsonl
    #[command(subcommand, after_help = EXIT_CODES)]
    Ledger(LedgerCommand),

    /// Check or print a ceremony transcript.
    ///
    /// Example: sdkit transcript render ceremony.jsonl --out ceremony.md
    #[command(subcommand, after_help = EXIT_CODES)]
    Transcript(TranscriptCommand),

    /// A full rehearsal on throw-away demo keys: keygen, split, inspect, check, drill with a
    /// ledger, exchange key, restore-blob, open-blob, a reshare to new custodians drilled
    /// against the old drill's report, transcript verify. Exit 0 only if every step held.
    ///
    /// Example: sdkit demo --dir sdkit-demo
    #[command(after_help = EXIT_CODES)]
    Demo(Lazy<DemoArgs>),

    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    ///
    /// Example: sdkit completions bash > /etc/bash_completion.d/sdkit
    Completions(Lazy<CompletionsArgs>),

    /// Write man pages for sdkit and every command.
    ///
    /// Example: sdkit man --out-dir /usr/local/share/man/man1
    Man(Lazy<ManArgs>),
}

/// `sdkit ledger ...`.
#[derive(Debug, Subcommand)]
pub enum LedgerCommand {
    /// Verify the hash chain and every record, and print the head to compare with the one
    /// written down at the ceremony.
    ///
    /// Example: sdkit ledger verify ledger.jsonl --expect-head 3f1c0a9e5b7d2c48
    #[command(after_help = EXIT_CODES)]
    Verify {
        /// The ledger file.
        file: PathBuf,
        /// The head written down when the last drill was recorded: its hash (at least the
        /// 16 hex digits sdkit prints) or its six read-aloud words. Another head exits 1.
        #[arg(long, value_name = "HASH_OR_WORDS")]
        expect_head: Option<ExpectedHead>,
    },
}

/// `sdkit transcript ...`.
#[derive(Debug, Subcommand)]
pub enum TranscriptCommand {
    /// Verify the hash chain, and print the head to compare with the one written down at
    /// the ceremony.
    ///
    /// Example: sdkit transcript verify ceremony.jsonl --expect-head 3f1c0a9e5b7d2c48
    #[command(after_help = EXIT_CODES)]
    Verify {
        /// The transcript file.
        file: PathBuf,
        /// The head written down after the last step: its hash (at least the 16 hex digits
        /// sdkit prints) or its six read-aloud words. Another head exits 1.
        #[arg(long, value_name = "HASH_OR_WORDS")]
        expect_head: Option<ExpectedHead>,
    },
    /// Write a printable ceremony record: every step with its hash, every file with its
    /// SHA-256, the sdkit binary's SHA-256, and sign-off lines; as Markdown, or with --html as
    /// one self-contained page to print and sign, with QR codes of each certificate.
    ///
    /// Example: sdkit transcript render ceremony.jsonl --out ceremony.md
    ///
    /// Example: sdkit transcript render ceremony.jsonl --html ceremony.html --paper letter
    #[command(after_help = EXIT_CODES)]
    Render {
        /// The transcript file.
        file: PathBuf,
        /// Write the Markdown here instead of stdout.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Write the printable HTML record here (no script, no network, no other file): the
        /// certificates the transcript recorded are read from their files, when still there
        /// and unchanged, and shown with their QR codes.
        #[arg(long, value_name = "FILE")]
        html: Option<PathBuf>,
        /// With --html: a certificate the transcript names but that is no longer where it was
        /// recorded (repeat for each). One it does not name is refused.
        #[arg(long = "cert", value_name = "CERT", requires = "html")]
        certs: Vec<PathBuf>,
        /// With --html: the sheet to lay the page out for.
        #[arg(long, value_enum, default_value = "a4", requires = "html")]
        paper: crate::html::Paper,
        /// Replace an existing output file.
        #[arg(long)]
        force: bool,
    },
}

/// How serious a review finding must be to fail the review (exit 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// Any finding at all.
    Note,
    /// A warning or an error (custody is drifting).
    Warning,
    /// Only an error (the recovery is at risk now).
    Error,
}

/// `sdkit review`.
#[derive(Debug, Args)]
pub struct ReviewArgs {
    /// The security-domain file.
    pub sd: PathBuf,
    /// Custodian certificates (PEM or DER), matched to the shares by thumbprint.
    #[arg(long = "cert", value_name = "CERT")]
    pub certs: Vec<PathBuf>,
    /// The drill ledger: when each custodian's key was last proven.
    #[arg(long, value_name = "FILE")]
    pub ledger: Option<PathBuf>,
    /// The custody register: who holds each key and SD copy.
    #[arg(long, value_name = "FILE")]
    pub register: Option<PathBuf>,
    /// A key last proven longer ago than this is a finding ("not proven recently").
    #[arg(long, value_name = "DAYS", default_value_t = 90)]
    pub max_age: u64,
    /// Exit 1 when a finding at or above this level exists (findings are printed either way).
    #[arg(long, value_name = "LEVEL", value_enum, default_value_t = FailOn::Warning)]
    pub fail_on: FailOn,
    /// Also write the review as one self-contained, printable HTML page (findings table,
    /// each custodian's QR codes, signature lines); written whether or not the review fails.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// With --html: the sheet to lay the page out for.
    #[arg(long, value_enum, default_value = "a4", requires = "html")]
    pub paper: crate::html::Paper,
    /// With --html: replace an existing page.
    #[arg(long, requires = "html")]
    pub force: bool,
}

/// `sdkit custody ...`.
#[derive(Debug, Subcommand)]
pub enum CustodyCommand {
    /// Record that someone holds a custodian key (by its certificate) or a copy of an SD file.
    ///
    /// Example: sdkit custody record --register custody.jsonl --sd sd.json --holder "Bob Jones" --medium "USB stick, sealed bag 0412" --location "bank box 17"
    #[command(after_help = EXIT_CODES)]
    Record(CustodyRecordArgs),
    /// Record a hand-off of a key or SD copy from one person to another, with its witness.
    ///
    /// Example: sdkit custody handoff --register custody.jsonl --cert sd1.cer --from "Alice Smith" --to "Carol White" --witness "Dan Brown"
    #[command(after_help = EXIT_CODES)]
    Handoff(CustodyHandoffArgs),
    /// Record the destruction of someone's copy (an old SD copy after a rotation, a retired
    /// key), with its witness.
    ///
    /// Example: sdkit custody destroy --register custody.jsonl --sd old-sd.json --holder "Bob Jones" --witness "Dan Brown" --method shredded
    #[command(after_help = EXIT_CODES)]
    Destroy(CustodyDestroyArgs),
    /// Verify the register's hash chain and that every entry follows from those before it,
    /// and print the head to compare with the one written down.
    ///
    /// Example: sdkit custody verify custody.jsonl --expect-head 3f1c0a9e5b7d2c48
    #[command(after_help = EXIT_CODES)]
    Verify {
        /// The register file.
        file: PathBuf,
        /// The head written down after the last entry: its hash (at least the 16 hex digits
        /// sdkit prints) or its six read-aloud words. Another head exits 1.
        #[arg(long, value_name = "HASH_OR_WORDS")]
        expect_head: Option<ExpectedHead>,
    },
}

/// What a register entry is about: exactly one key or SD copy.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct CustodyItemArgs {
    /// A custodian key, named by its certificate (.cer/.pem, PEM or DER). Never the private
    /// key: the register holds no key material.
    #[arg(long, value_name = "CERT")]
    pub cert: Option<PathBuf>,
    /// A custodian key, by the thumbprint the SD names its share by (`x5t_256`, base64url),
    /// when the certificate is not at hand.
    #[arg(long = "x5t-256", value_name = "THUMBPRINT")]
    pub x5t_256: Option<String>,
    /// A copy of this SD file, named by its SHA-256.
    #[arg(long, value_name = "SD")]
    pub sd: Option<PathBuf>,
    /// A copy of an SD file, by its SHA-256 (hex), when the file is not at hand.
    #[arg(long = "sd-sha256", value_name = "HEX")]
    pub sd_sha256: Option<String>,
}

/// What every register entry takes besides its item.
#[derive(Debug, Args)]
pub struct CustodyCommonArgs {
    /// The register file (created by the first entry).
    #[arg(long, value_name = "FILE")]
    pub register: PathBuf,
    /// When it happened, if not now: YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (UTC).
    #[arg(long, value_name = "TIME")]
    pub when: Option<String>,
    /// Anything else worth keeping (never a secret).
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
}

/// `sdkit custody record`.
#[derive(Debug, Args)]
pub struct CustodyRecordArgs {
    /// What is held.
    #[command(flatten)]
    pub item: CustodyItemArgs,
    /// Who holds it.
    #[arg(long, value_name = "NAME")]
    pub holder: String,
    /// On what (smart card, USB stick in sealed bag 0412, paper).
    #[arg(long, value_name = "TEXT")]
    pub medium: String,
    /// Where (safe A, bank box 17).
    #[arg(long, value_name = "TEXT")]
    pub location: String,
    /// Who saw it.
    #[arg(long, value_name = "NAME")]
    pub witness: Option<String>,
    /// Register, time and note.
    #[command(flatten)]
    pub common: CustodyCommonArgs,
}

/// `sdkit custody handoff`.
#[derive(Debug, Args)]
pub struct CustodyHandoffArgs {
    /// What passed.
    #[command(flatten)]
    pub item: CustodyItemArgs,
    /// Who held it (as the register names them).
    #[arg(long, value_name = "NAME")]
    pub from: String,
    /// Who holds it now.
    #[arg(long, value_name = "NAME")]
    pub to: String,
    /// Who saw it pass.
    #[arg(long, value_name = "NAME")]
    pub witness: String,
    /// The new medium, if it changed.
    #[arg(long, value_name = "TEXT")]
    pub medium: Option<String>,
    /// The new place, if it changed.
    #[arg(long, value_name = "TEXT")]
    pub location: Option<String>,
    /// Register, time and note.
    #[command(flatten)]
    pub common: CustodyCommonArgs,
}

/// `sdkit custody destroy`.
#[derive(Debug, Args)]
pub struct CustodyDestroyArgs {
    /// What was destroyed.
    #[command(flatten)]
    pub item: CustodyItemArgs,
    /// Whose copy (as the register names them).
    #[arg(long, value_name = "NAME")]
    pub holder: String,
    /// Who saw it destroyed.
    #[arg(long, value_name = "NAME")]
    pub witness: String,
    /// How (shredded; wiped, then drilled).
    #[arg(long, value_name = "TEXT")]
    pub method: Option<String>,
    /// Register, time and note.
    #[command(flatten)]
    pub common: CustodyCommonArgs,
}

/// `sdkit demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Where to put the demo's files (created; must not exist unless --force).
    #[arg(long, value_name = "DIR", default_value = "sdkit-demo")]
    pub dir: PathBuf,
    /// Reuse an existing demo directory, replacing its files.
    #[arg(long)]
    pub force: bool,
}

/// `sdkit completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    pub shell: clap_complete::Shell,
}

/// `sdkit man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Directory for the pages (sdkit.1, sdkit-<command>.1).
    #[arg(long, value_name = "DIR")]
    pub out_dir: PathBuf,
    /// Replace existing pages.
    #[arg(long)]
    pub force: bool,
}

/// `sdkit restore-blob`.
#[derive(Debug, Args)]
pub struct RestoreBlobArgs {
    /// The security-domain file.
    pub sd: PathBuf,
    /// Custodians' private keys, at least the quorum: files, or `pkcs11:` URIs of keys on
    /// tokens (`sdkit tokens` lists them).
    #[arg(long = "key", value_name = "KEY", required = true)]
    pub keys_paths: Vec<PathBuf>,
    /// The new HSM's exchange certificate: the PEM `az keyvault security-domain
    /// init-recovery` writes, a DER certificate, or the transfer-key JWK JSON.
    #[arg(long, value_name = "CERT")]
    pub exchange_key: PathBuf,
    /// Where to write the blob.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Replace an existing output file.
    #[arg(long)]
    pub force: bool,
    /// Key options.
    #[command(flatten)]
    pub keys: KeyArgs,
}

/// `sdkit tokens`.
#[derive(Debug, Args)]
pub struct TokensArgs {
    /// The PKCS#11 module (vendor library); else the SDKIT_PKCS11_MODULE environment variable.
    #[arg(long = "pkcs11-module", value_name = "PATH")]
    pub pkcs11_module: Option<PathBuf>,
    /// Log in to each token that needs it (PIN asked once per token) to list private keys,
    /// which most tokens show only then.
    #[arg(long)]
    pub login: bool,
    /// The tokens' PIN (first line of the file); implies --login.
    #[arg(long = "pin-file", value_name = "FILE")]
    pub pin_file: Option<PathBuf>,
}

/// `sdkit open-blob`.
#[derive(Debug, Args)]
pub struct OpenBlobArgs {
    /// The restore blob (as `restore-blob` writes it, or the `{"value": ...}` upload body).
    pub blob: PathBuf,
    /// The exchange private key (from `sdkit exchange-key`), or its `pkcs11:` URI.
    #[arg(long, value_name = "KEY")]
    pub exchange_private_key: PathBuf,
    /// Write each item's plaintext to <DIR>/<tag>.bin (mode 0600).
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
    /// Replace existing output files.
    #[arg(long)]
    pub force: bool,
    /// Key options.
    #[command(flatten)]
    pub keys: KeyArgs,
}

/// `sdkit split`.
#[derive(Debug, Args)]
pub struct SplitArgs {
    /// A secret to protect, as TAG=FILE (the tag names it, and recovery writes <tag>.bin).
    #[arg(long = "in", value_name = "TAG=FILE", required = true)]
    pub inputs: Vec<ItemInput>,
    /// Custodian certificates (PEM or DER), one share each, in order (share i has x = i).
    #[arg(long = "cert", value_name = "CERT", required = true)]
    pub certs: Vec<PathBuf>,
    /// How many custodians are needed to open it (M).
    #[arg(long, value_name = "M")]
    pub quorum: usize,
    /// Where to write the new SD file.
    #[arg(long, value_name = "SD")]
    pub out: PathBuf,
    /// Replace an existing output file.
    #[arg(long)]
    pub force: bool,
}

/// A `--in TAG=FILE` of `split`: the tag checked by sdkit-core ([`Tag::new`], whose message
/// clap shows), the file not yet read.
#[derive(Debug, Clone)]
pub struct ItemInput {
    /// The item's tag.
    pub tag: Tag,
    /// The file holding the secret.
    pub file: PathBuf,
}

impl FromStr for ItemInput {
    type Err = String;

    fn from_str(spec: &str) -> Result<Self, String> {
        let (tag, file) = spec
            .split_once('=')
            .ok_or_else(|| "expected TAG=FILE".to_owned())?;
        Ok(ItemInput {
            tag: Tag::new(tag).map_err(|e| e.to_string())?,
            file: PathBuf::from(file),
        })
    }
}

/// `sdkit keygen`.
#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// How many custodians (N).
    #[arg(long, value_name = "N")]
    pub holders: usize,
    /// Where to write the files (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out_dir: PathBuf,
    /// RSA modulus size: 2048, 3072 or 4096.
    #[arg(long, value_name = "B", default_value_t = 3072)]
    pub bits: usize,
    /// Certificate validity in days.
    #[arg(long, value_name = "D", default_value_t = 730)]
    pub days: u32,
    /// Certificate subject; `{i}` becomes the holder number.
    #[arg(long, value_name = "TEMPLATE", default_value = "CN=SD Key {i}")]
    pub subject: String,
    /// File name prefix: files are <prefix><i>.pem and <prefix><i>.cer.
    #[arg(long, value_name = "NAME", default_value = "sd-key")]
    pub prefix: String,
    /// Passphrase file(s): one for all holders, or one per holder in order (first line used;
    /// `-` reads standard input, `/dev/fd/N` a pipe). Without it, each holder is asked on the
    /// terminal (twice, no echo).
    #[arg(
        long = "passphrase-file",
        value_name = "FILE",
        conflicts_with = "no_passphrase"
    )]
    pub passphrase_files: Vec<PathBuf>,
    /// Write the private keys unencrypted (not recommended; prints a warning).
    #[arg(long)]
    pub no_passphrase: bool,
    /// Accept passphrases shorter than 8 characters (refused by default: a copied key file
    /// is attacked offline, at the speed of the attacker's hardware).
    #[arg(long, conflicts_with = "no_passphrase")]
    pub allow_short_passphrase: bool,
    /// Replace existing files (each is replaced whole, atomically).
    #[arg(long)]
    pub force: bool,
    /// Generate the key pairs on this PKCS#11 token instead (e.g. pkcs11:token=Custodian%201):
    /// non-extractable, labelled <prefix><i>, ids %01.. (or from the URI's id=), each
    /// certificate signed on the token and stored there; only <prefix><i>.cer is written.
    #[arg(
        long,
        value_name = "URI",
        conflicts_with_all = ["passphrase_files", "no_passphrase", "allow_short_passphrase"]
    )]
    pub pkcs11: Option<String>,
    /// The PKCS#11 module for --pkcs11 when the URI has no module-path; else the
    /// SDKIT_PKCS11_MODULE environment variable.
    #[arg(long = "pkcs11-module", value_name = "PATH", requires = "pkcs11")]
    pub pkcs11_module: Option<PathBuf>,
    /// The token's PIN for --pkcs11 (first line of the file), when the URI has no pin-source;
    /// without either it is asked on the terminal.
    #[arg(long = "pin-file", value_name = "FILE", requires = "pkcs11")]
    pub pin_file: Option<PathBuf>,
}

/// `sdkit exchange-key`.
#[derive(Debug, Args)]
pub struct ExchangeKeyArgs {
    /// Where to write exchange.cer and exchange-key.pem (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out_dir: PathBuf,
    /// Replace existing files.
    #[arg(long)]
    pub force: bool,
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
    /// Its first line is the passphrase; `-` reads standard input, `/dev/fd/N` a pipe.
    /// Without it, encrypted keys are asked for on a terminal (3 tries each).
    #[arg(long = "passphrase-file", value_name = "FILE")]
    pub passphrase_files: Vec<PathBuf>,
    /// The PKCS#11 module (vendor library) for `--key pkcs11:...` keys whose URI has no
    /// module-path; else the SDKIT_PKCS11_MODULE environment variable.
    #[arg(long = "pkcs11-module", value_name = "PATH")]
    pub pkcs11_module: Option<PathBuf>,
    /// The PIN of the tokens holding `--key pkcs11:...` keys (its first line), for URIs
    /// without pin-source. Without either, each token's PIN is asked on the terminal once.
    #[arg(long = "pin-file", value_name = "FILE")]
    pub pin_file: Option<PathBuf>,
}

/// `sdkit check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The security-domain file.
    pub sd: PathBuf,
    /// The custodian's private key (PEM PKCS#8, PKCS#1, encrypted PKCS#8, DER, or a PKCS#12 .pfx/.p12 export). A
    /// certificate with the same name and the extension .cer beside it is used when present.
    /// Or a key on a token: its `pkcs11:` URI (`sdkit tokens` lists them).
    #[arg(long, value_name = "KEY")]
    pub key: PathBuf,
    /// Compare this custodian's share with the commitment a drill recorded in this ledger:
    /// proves the share is the right one, not merely one that decrypts.
    #[arg(long, value_name = "FILE")]
    pub ledger: Option<PathBuf>,
    /// Append this check to this drill ledger when the key opens a good share: the date and
    /// the share's commitment, which `sdkit review` reads as the last time this custodian's
    /// key was proven. (A check vouches for the key, not for the share against the others:
    /// only a drill's record does that, for `check --ledger`.)
    #[arg(long, value_name = "LEDGER")]
    pub record: Option<PathBuf>,
    /// Key options.
    #[command(flatten)]
    pub keys: KeyArgs,
}

/// `sdkit drill`.
#[derive(Debug, Args)]
pub struct DrillArgs {
    /// The security-domain file.
    pub sd: PathBuf,
    /// Custodians' private keys, at least the quorum: files, or `pkcs11:` URIs of keys on
    /// tokens (`sdkit tokens` lists them).
    #[arg(long = "key", value_name = "KEY", required = true)]
    pub keys_paths: Vec<PathBuf>,
    /// Also recombine every M-subset of the opened shares one by one (refused above 10,000
    /// subsets; the default polynomial check already proves the same).
    #[arg(long)]
    pub exhaustive: bool,
    /// Compare each item's content digest with those in this earlier report (the --json
    /// output of a drill, reshare or open-blob, e.g. of the SD this one replaced): any
    /// difference exits 1.
    #[arg(long, value_name = "REPORT_JSON")]
    pub same_contents_as: Option<PathBuf>,
    /// Append this drill's record (date, SD hash, result, a commitment per share) to this
    /// hash-chained ledger, so custodians can later prove their share alone with
    /// `sdkit check --ledger`.
    #[arg(long, value_name = "FILE")]
    pub ledger: Option<PathBuf>,
    /// Key options.
    #[command(flatten)]
    pub keys: KeyArgs,
}

/// `sdkit reshare`.
#[derive(Debug, Args)]
pub struct ReshareArgs {
    /// The security-domain file to move to new custodians (left unchanged).
    pub sd: PathBuf,
    /// Old custodians' private keys, at least the old quorum: files, or `pkcs11:` URIs of
    /// keys on tokens.
    #[arg(long = "key", value_name = "KEY", required = true)]
    pub keys_paths: Vec<PathBuf>,
    /// The new custodians' certificates (.cer/.pem, PEM or DER), one per share, in share
    /// order: 3 to 10 for Azure.
    #[arg(long = "cert", value_name = "NEWCERT", required = true)]
    pub certs: Vec<PathBuf>,
    /// How many of the new custodians must come together (M): 2 to 10 for Azure, at most the
    /// number of certificates.
    #[arg(long, value_name = "M")]
    pub quorum: usize,
    /// Where to write the new security domain (never the old one).
    #[arg(long, value_name = "NEW_SD")]
    pub out: PathBuf,
    /// Replace an existing output file.
    #[arg(long)]
    pub force: bool,
    /// Allow a certificate count or quorum Azure Managed HSM would refuse (with a warning),
    /// for security domains that are not for Azure.
    #[arg(long)]
    pub allow_outside_azure_limits: bool,
    /// Key options.
    #[command(flatten)]
    pub keys: KeyArgs,
}

/// `sdkit recover`.
#[derive(Debug, Args)]
pub struct RecoverArgs {
    /// The security-domain file.
    pub sd: PathBuf,
    /// Custodians' private keys, at least the quorum: files, or `pkcs11:` URIs of keys on
    /// tokens (`sdkit tokens` lists them).
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

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_whole_tree_is_consistent() {
        // Builds every command, deferred arguments included, and checks clap's invariants.
        Cli::command().debug_assert();
    }

    #[test]
    fn deferred_commands_keep_their_own_texts_and_arguments() {
        let mut cli = Cli::command();
        cli.build();
        for sub in cli.get_subcommands() {
            let name = sub.get_name();
            if name == "help" {
                continue;
            }
            let about = sub.get_about().map(ToString::to_string).unwrap_or_default();
            // A struct's doc comment ("`sdkit drill`.") must not replace the command's text.
            assert!(
                !about.is_empty() && !about.starts_with('`'),
                "{name}: about is {about:?}"
            );
            assert!(
                sub.get_arguments().any(|a| a.get_id() == "json"),
                "{name}: global options missing"
            );
        }
        let drill = cli.find_subcommand("drill").unwrap();
        assert!(
            drill
                .get_about()
                .unwrap()
                .to_string()
                .starts_with("With a quorum of keys")
        );
        assert!(
            drill
                .get_long_about()
                .unwrap()
                .to_string()
                .contains("Example: sdkit drill")
        );
        assert!(drill.get_arguments().any(|a| a.get_id() == "keys_paths"));
        // Parsing builds only the command that runs, and fills its arguments.
        let parsed = Cli::try_parse_from([
            "sdkit", "drill", "sd.json", "--key", "a.pem", "--key", "b.pem",
        ])
        .unwrap();
        let Command::Drill(args) = parsed.command else {
            panic!("parsed as another command")
        };
        assert_eq!(args.keys_paths.len(), 2);
        assert_eq!(args.sd, PathBuf::from("sd.json"));
    }
}
