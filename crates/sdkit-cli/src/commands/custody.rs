//! `sdkit custody`: the custody register on disk. Entries are sdkit-core's
//! ([`sdkit_core::custody`]); they are appended with the ledger's chain code
//! ([`crate::chain_file`]) under their own `type`, and `custody verify` reports like
//! `ledger verify`. An entry is refused before it is written when it names a private key,
//! holds text that could be key material, or does not follow from the entries before it.

use super::load_sd;
use crate::chain_file::{self, Log};
use crate::cli::{
    CustodyCommand, CustodyCommonArgs, CustodyDestroyArgs, CustodyHandoffArgs, CustodyItemArgs,
    CustodyRecordArgs,
};
use crate::error::{CliError, Exit};
use crate::io::{self, MAX_KEY_BYTES};
use crate::render::ShowPath;
use crate::render::{Output, Report, rfc3339, words};
use sdkit_certs::{CertLoadError, InputKind};
use sdkit_core::custody::{Custody, CustodyError, Entry, Event, Item, KIND};
use sdkit_core::digest::Sha256Digest;
use sdkit_core::{Thumbprint, utc};
use serde_json::{Value, json};
use std::fmt::Write;
use std::path::Path;
use std::time::SystemTime;

/// What the chain code calls this log in its messages.
const WHAT: &str = "custody register";

/// The chain code's hint names `sdkit {what} verify`; the command is `sdkit custody verify`.
fn fix_hint(mut e: CliError) -> CliError {
    if let Some(h) = &e.hint {
        e.hint = Some(h.replace("sdkit custody register verify", "sdkit custody verify"));
    }
    e
}

/// A register that verified: its chain, its entries, and who holds what after them.
pub struct Register {
    /// The chain.
    pub log: Log,
    /// The entries, in order.
    pub entries: Vec<Entry>,
    /// Who holds what now.
    pub custody: Custody,
}

/// Reads a register: the chain, every entry, and their consistency.
pub fn load(path: &Path) -> Result<Register, CliError> {
    let log = chain_file::load(path, KIND, WHAT).map_err(fix_hint)?;
    let fail = |e: CustodyError| {
        CliError::new(Exit::CheckFailed, format!("{}: {e}", path.shown()))
            .hint("the register was edited by hand or by another tool; compare it with a copy whose head was written down")
    };
    let entries = log
        .records
        .iter()
        .enumerate()
        .map(|(i, r)| Entry::from_record(i + 1, r))
        .collect::<Result<Vec<_>, _>>()
        .map_err(fail)?;
    let custody = Custody::replay(&entries).map_err(fail)?;
    Ok(Register {
        log,
        entries,
        custody,
    })
}

/// The item an entry is about, and a readable name for it. A certificate is read as one; a
/// private key given instead is refused (the register never holds key material).
fn item(args: &CustodyItemArgs) -> Result<(Item, Option<String>), CliError> {
    if let Some(path) = &args.cert {
        let bytes = io::read_bounded(path, MAX_KEY_BYTES, "certificate")?;
        return match sdkit_certs::load_certificate(&bytes) {
            Ok(c) => Ok((Item::Key(c.thumbprint()), Some(c.subject()))),
            Err(CertLoadError::NotACertificate {
                found: InputKind::PrivateKey,
            }) => Err(CliError::input(path, "this is a private key, not a certificate: the register names a key by its certificate and never holds key material")
                .hint("give the custodian's certificate (.cer), or the thumbprint with --x5t-256; keep the private key where it is")),
            Err(e) => Err(CliError::input(path, e)
                .hint("give the custodian's X.509 certificate (.cer/.pem, PEM or DER)")),
        };
    }
    if let Some(t) = &args.x5t_256 {
        let t = Thumbprint::parse(t.trim()).map_err(|e| {
            CliError::usage(format!("--x5t-256 {t:?}: {e}"))
                .hint("give the x5t_256 as `sdkit inspect` or `sdkit review` prints it (43 base64url characters)")
        })?;
        return Ok((Item::Key(t), None));
    }
    if let Some(path) = &args.sd {
        let loaded = load_sd(path)?;
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        return Ok((Item::SdCopy(loaded.digest), name));
    }
    if let Some(h) = &args.sd_sha256 {
        let d = Sha256Digest::from_hex(h.trim()).map_err(|e| {
            CliError::usage(format!("--sd-sha256 {h:?}: {e}"))
                .hint("give the SD file's SHA-256 as 64 hex digits (`sha256sum` or `sdkit inspect` prints it)")
        })?;
        return Ok((Item::SdCopy(d), None));
    }
    // clap's group requires exactly one of the four.
    Err(CliError::usage(
        "give one of --cert, --x5t-256, --sd or --sd-sha256",
    ))
}

/// `--when`, checked and in the register's form; `None` when not given.
fn when(common: &CustodyCommonArgs, now: SystemTime) -> Result<Option<String>, CliError> {
    let Some(w) = &common.when else {
        return Ok(None);
    };
    let t = utc::parse(w.trim()).ok_or_else(|| {
        CliError::usage(format!(
            "--when {w:?}: give a UTC date or time as YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ"
        ))
    })?;
    if t > now {
        return Err(CliError::usage(format!(
            "--when {w:?} is in the future: the register records what happened"
        )));
    }
    Ok(Some(rfc3339(t)))
}

/// An entry appended.
struct AppendView<'a> {
    register: &'a Path,
    entry: &'a Entry,
    head: Sha256Digest,
    entries: usize,
}

impl AppendView<'_> {
    fn summary(&self) -> String {
        let e = self.entry;
        let what = match &e.label {
            Some(l) => format!("{} ({l})", e.item),
            None => e.item.to_string(),
        };
        match &e.event {
            Event::Record {
                holder,
                medium,
                location,
                ..
            } => format!("{holder} holds {what} on {medium} at {location}"),
            Event::Handoff {
                from, to, witness, ..
            } => format!("{from} handed {what} to {to}, witnessed by {witness}"),
            Event::Destroy {
                holder, witness, ..
            } => format!("{holder}'s copy of {what} destroyed, witnessed by {witness}"),
        }
    }
}

impl Report for AppendView<'_> {
    fn text(&self) -> String {
        let mut text = String::new();
        let _ = writeln!(
            text,
            "Recorded in {} (entry {}): {}.",
            self.register.shown(),
            self.entries,
            self.summary()
        );
        let _ = writeln!(text, "  head       {}", self.head);
        let _ = writeln!(text, "  read aloud {}", words(self.head.as_bytes()));
        let _ = writeln!(
            text,
            "Write the head down with the signatures: it is what shows later that no entry was changed or removed."
        );
        text
    }

    fn json(&self) -> Value {
        json!({
            "command": format!("custody {}", match self.entry.event {
                Event::Record { .. } => "record",
                Event::Handoff { .. } => "handoff",
                Event::Destroy { .. } => "destroy",
            }),
            "register": self.register.shown().to_string(),
            "entry": Value::Object(self.entry.to_record()),
            "entries": self.entries,
            "head": self.head,
            "head_words": words(self.head.as_bytes()),
        })
    }
}

/// Checks `entry` (its texts, and that it follows from the register), then appends it.
fn append(register: &Path, entry: &Entry, out: Output) -> Result<Exit, CliError> {
    entry.check_texts().map_err(|e| match e {
        CustodyError::BadText {
            field: "label",
            why,
        } => CliError::usage(format!(
            "the item's name (the certificate's subject or the SD file's name) {why}"
        )),
        e => CliError::usage(format!("--{e}")),
    })?;
    // A register that does not verify, or a place that cannot be written, is refused first
    // (with the chain code's message: nothing can be appended to a broken chain).
    chain_file::check_appendable(register, KIND, WHAT).map_err(fix_hint)?;
    let mut custody = match std::fs::symlink_metadata(register) {
        Ok(_) => load(register)?.custody,
        Err(_) => Custody::default(),
    };
    custody.apply(entry).map_err(|e| {
        CliError::new(
            Exit::CheckFailed,
            format!("{}: not recorded: {e}", register.shown()),
        )
        .hint("name the holder exactly as the register does (see `sdkit review ... --register`), or record the copy first with `sdkit custody record`")
    })?;
    let head = chain_file::append(register, KIND, WHAT, entry.to_record()).map_err(fix_hint)?;
    out.report(&AppendView {
        register,
        entry,
        head,
        entries: custody.entries,
    });
    Ok(Exit::Ok)
}

fn entry(
    item_args: &CustodyItemArgs,
    common: &CustodyCommonArgs,
    event: Event,
) -> Result<Entry, CliError> {
    let now = SystemTime::now();
    let (item, label) = item(item_args)?;
    Ok(Entry {
        time: rfc3339(now),
        when: when(common, now)?,
        item,
        label,
        event,
        note: common.note.clone(),
    })
}

fn record(a: &CustodyRecordArgs, out: Output) -> Result<Exit, CliError> {
    let e = entry(
        &a.item,
        &a.common,
        Event::Record {
            holder: a.holder.clone(),
            medium: a.medium.clone(),
            location: a.location.clone(),
            witness: a.witness.clone(),
        },
    )?;
    append(&a.common.register, &e, out)
}

fn handoff(a: &CustodyHandoffArgs, out: Output) -> Result<Exit, CliError> {
    let e = entry(
        &a.item,
        &a.common,
        Event::Handoff {
            from: a.from.clone(),
            to: a.to.clone(),
            witness: a.witness.clone(),
            medium: a.medium.clone(),
            location: a.location.clone(),
        },
    )?;
    append(&a.common.register, &e, out)
}

fn destroy(a: &CustodyDestroyArgs, out: Output) -> Result<Exit, CliError> {
    let e = entry(
        &a.item,
        &a.common,
        Event::Destroy {
            holder: a.holder.clone(),
            witness: a.witness.clone(),
            method: a.method.clone(),
        },
    )?;
    append(&a.common.register, &e, out)
}

/// Runs `custody ...`.
pub fn run(cmd: &CustodyCommand, out: Output) -> Result<Exit, CliError> {
    match cmd {
        CustodyCommand::Record(a) => record(a, out),
        CustodyCommand::Handoff(a) => handoff(a, out),
        CustodyCommand::Destroy(a) => destroy(a, out),
        CustodyCommand::Verify { file, expect_head } => {
            let r = load(file)?;
            let count = |name: &str| {
                r.entries
                    .iter()
                    .filter(|e| match e.event {
                        Event::Record { .. } => name == "record",
                        Event::Handoff { .. } => name == "handoff",
                        Event::Destroy { .. } => name == "destroy",
                    })
                    .count()
            };
            let held = |keys: bool| -> usize {
                r.custody
                    .items
                    .iter()
                    .filter(|s| matches!(s.item, Item::Key(_)) == keys)
                    .map(|s| s.held.len())
                    .sum()
            };
            let (records, handoffs, destructions) =
                (count("record"), count("handoff"), count("destroy"));
            super::log_verify::report(
                "custody verify",
                file,
                &r.log,
                &format!(
                    "{} entries ({records} held, {handoffs} hand-off(s), {destructions} destroyed); {} key copy(ies) and {} SD copy(ies) held now",
                    r.entries.len(),
                    held(true),
                    held(false)
                ),
                json!({
                    "entries": r.entries.len(),
                    "records": records,
                    "handoffs": handoffs,
                    "destructions": destructions,
                    "keys_held": held(true),
                    "sd_copies_held": held(false),
                }),
                expect_head.as_ref(),
                out,
            )
        }
    }
}
