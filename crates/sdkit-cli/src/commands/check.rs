//! `sdkit check`: one custodian, alone, proves that their key opens a well-formed share, and
//! with `--ledger` that it is the very share a recorded drill found good.

use super::holders::Holders;
use super::ledger::{self, LedgerMatch, ShareEntry, lookup};
use super::{LoadedSd, load_sd};
use crate::cli::CheckArgs;
use crate::error::{CliError, Exit};
use crate::hygiene::{self, Warnings};
use crate::keys::load_keys;
use crate::render::ShowPath;
use crate::render::{Output, Report};
use sdkit_core::drill::HolderResult;
use sdkit_core::evidence::share_commitment;
use sdkit_core::recover::{self, HolderStatus};
use serde_json::{Value, json};
use std::fmt::Write;
use std::path::PathBuf;

/// What the ledger said about this key's share.
struct LedgerCheck {
    file: PathBuf,
    found: LedgerMatch,
    commitment: String,
}

/// What `check` found.
struct CheckView<'a> {
    args: &'a CheckArgs,
    loaded: &'a LoadedSd,
    holders: Holders<'a>,
    ledger: Option<LedgerCheck>,
    warnings: Warnings,
}

impl CheckView<'_> {
    fn holder(&self) -> Option<&HolderResult> {
        self.holders.results.first()
    }

    /// The error `check` ends with, if it fails: the key opened no good share, or the ledger
    /// does not vouch for the share it opened.
    fn error(&self) -> Option<CliError> {
        if self.passed() {
            return None;
        }
        let key = self.args.key.shown();
        let err = if self.holders.skipped() > 0 {
            let problem = self.holders.problems().join("; ");
            CliError::new(
                Exit::CheckFailed,
                format!("{problem} (security domain {})", self.args.sd.shown()),
            )
            .hint("check that this is the custodian key whose certificate was given to `az keyvault security-domain download`")
        } else {
            let l = self.ledger.as_ref()?;
            let x = self.opened_x()?;
            match &l.found {
                LedgerMatch::Matches(_) => return None,
                LedgerMatch::Differs(t) => CliError::new(
                    Exit::CheckFailed,
                    format!(
                        "{key}: share x = {x} differs from the one the drill of {t} recorded in {}: this SD file or the share was altered since",
                        l.file.shown()
                    ),
                )
                .hint("compare the SD file's SHA-256 with the one recorded at the drill; download the security domain again"),
                LedgerMatch::NotRecorded { drills_of_this_sd } => CliError::new(
                    Exit::CheckFailed,
                    format!(
                        "{key}: not recorded: none of the {drills_of_this_sd} drill(s) of this SD file in {} included this key's share (x = {x}), so the ledger cannot vouch for it",
                        l.file.shown()
                    ),
                )
                .hint(format!(
                    "run a drill that includes this key with --ledger {}, then check again",
                    l.file.shown()
                )),
            }
        };
        Some(err.with(self))
    }

    /// The key opened a good share, and the ledger, when asked, vouches for it.
    fn passed(&self) -> bool {
        self.holders.skipped() == 0
            && self
                .ledger
                .as_ref()
                .is_none_or(|l| matches!(l.found, LedgerMatch::Matches(_)))
    }

    fn opened_x(&self) -> Option<u8> {
        match self.holder()?.status {
            HolderStatus::Opened { x, .. } => Some(x),
            _ => None,
        }
    }
}

impl Report for CheckView<'_> {
    fn text(&self) -> String {
        let sd = &self.loaded.sd;
        let mut text = format!(
            "Security domain {} (quorum {} of {})\n",
            self.args.sd.shown(),
            sd.quorum().required(),
            sd.quorum().total()
        );
        text.push_str(&self.holders.text());
        if let Some(HolderResult {
            status: HolderStatus::Opened { share_index, x },
            secret_bytes: Some(bytes),
            ..
        }) = self.holder()
        {
            let _ = writeln!(
                text,
                "  share is well-formed: x = {x}, {bytes} secret bytes, every word carries the same x"
            );
            if usize::from(*x) != share_index + 1 {
                let _ = writeln!(
                    text,
                    "  note: share {} carries x = {x}; Azure numbers shares 1..N in order",
                    share_index + 1
                );
            }
        }
        if let Some(l) = &self.ledger {
            let line = match &l.found {
                LedgerMatch::Matches(t) => {
                    format!("OK: this share is the one the drill of {t} recorded as good")
                }
                LedgerMatch::Differs(t) => {
                    format!("DIFFERS from the share the drill of {t} recorded")
                }
                LedgerMatch::NotRecorded { drills_of_this_sd } => format!(
                    "NOT RECORDED: no drill of this SD file ({drills_of_this_sd} in the ledger) included this share"
                ),
            };
            let _ = writeln!(text, "  ledger {}: {line}", l.file.shown());
        }
        if self.passed() {
            let _ = writeln!(
                text,
                "OK: this key opens its share{}",
                if self.ledger.is_some() {
                    ", the one a recorded drill found good"
                } else {
                    ""
                }
            );
        }
        text
    }

    fn json(&self) -> Value {
        let sd = &self.loaded.sd;
        json!({
            "command": "check",
            "file": self.args.sd.shown().to_string(),
            "sha256": self.loaded.digest,
            "required": sd.quorum().required(),
            "shares_total": sd.quorum().total(),
            "holder": self.holders.json().into_iter().next(),
            "ledger": self.ledger.as_ref().map(|l| json!({
                "file": l.file.shown().to_string(),
                "status": match l.found {
                    LedgerMatch::Matches(_) => "matches",
                    LedgerMatch::Differs(_) => "differs",
                    LedgerMatch::NotRecorded { .. } => "not_recorded",
                },
                "commitment": l.commitment,
                "drill_time": match &l.found {
                    LedgerMatch::Matches(t) | LedgerMatch::Differs(t) => Some(t),
                    LedgerMatch::NotRecorded { .. } => None,
                },
            })),
            "warnings": self.warnings.json(),
        })
    }
}

/// Runs `check`.
pub fn run(args: &CheckArgs, out: Output) -> Result<Exit, CliError> {
    // The ledger is read first: a ledger that cannot be read fails before any passphrase.
    let ledger_log = args.ledger.as_deref().map(ledger::load).transpose()?;
    if let Some(record) = &args.record {
        ledger::check_appendable(record)?;
    }
    let loaded = load_sd(&args.sd)?;
    let keys = load_keys(std::slice::from_ref(&args.key), &args.keys)?;
    let openings = recover::open_shares(&loaded.sd, &[keys[0].holder_key()]);
    // What the ledger says, when asked and when there is a share to compare.
    let ledger = match (&args.ledger, &ledger_log, openings.first()) {
        (Some(file), Some(log), Some(o)) => match (&o.status, o.share()) {
            (HolderStatus::Opened { x, .. }, Some(share)) => {
                let commitment = hex::encode(share_commitment(loaded.digest.as_bytes(), share));
                Some(LedgerCheck {
                    file: file.clone(),
                    found: lookup(log, &loaded.digest, *x, &commitment),
                    commitment,
                })
            }
            _ => None,
        },
        _ => None,
    };
    let mut warnings = hygiene::keys(&keys);
    warnings.extend(hygiene::quorum(loaded.sd.quorum()));
    warnings.print();
    let view = CheckView {
        args,
        loaded: &loaded,
        holders: Holders {
            sd: &loaded.sd,
            keys: &keys,
            results: openings.iter().map(Into::into).collect(),
        },
        ledger,
        warnings,
    };
    if let Some(e) = view.error() {
        return Err(e);
    }
    // Recorded only once the check held: a key that opened a good share.
    if let (Some(path), Some(o)) = (&args.record, openings.first()) {
        if let (HolderStatus::Opened { share_index, x }, Some(share)) = (&o.status, o.share()) {
            let entry = ShareEntry {
                share: share_index + 1,
                x: *x,
                x5t_256: loaded.sd.shares()[*share_index].thumbprint.to_base64url(),
                status: "ok",
                commitment: hex::encode(share_commitment(loaded.digest.as_bytes(), share)),
            };
            let q = loaded.sd.quorum();
            let head = ledger::append_check(
                path,
                &args.sd,
                &loaded.digest,
                q.required(),
                q.total(),
                &entry,
            )?;
            crate::render::eprint_wrapped(&format!(
                "ledger: recorded this check in {}; new head {} ({}): write it down",
                path.shown(),
                &head.to_hex()[..16],
                crate::render::words(head.as_bytes())
            ));
        }
    }
    out.report(&view);
    Ok(Exit::Ok)
}
