//! The trip every quorum command (`drill`, `recover`, `restore-blob`) makes from argv to the
//! master key, in one pass down: read the SD (and check it, before any key is read), load the
//! keys (prompting in order), then call core once: [`sdkit_core::recover::run`] opens each
//! key's share and recombines.

use super::LoadedSd;
use super::holders::Holders;
use crate::error::{CliError, Exit};
use crate::hygiene::{self, Warnings};
use crate::keys::{LoadedKey, load_keys};
use sdkit_core::recover::{self, HolderKey, QuorumOutcome, RecoverError};
use std::path::{Path, PathBuf};

/// A quorum command's inputs and what core made of them. Shared by `drill`, `recover` and
/// `restore-blob`.
pub struct QuorumRun {
    /// The SD.
    pub loaded: LoadedSd,
    /// The keys, in the order given.
    pub keys: Vec<LoadedKey>,
    /// What each key did, and the recombination.
    pub outcome: QuorumOutcome,
    /// Hygiene warnings about the keys (and their certificates) and the quorum.
    pub warnings: Warnings,
}

impl QuorumRun {
    /// The keys' part of the report.
    pub fn holders(&self) -> Holders<'_> {
        Holders {
            sd: &self.loaded.sd,
            keys: &self.keys,
            results: self.outcome.openings.iter().map(Into::into).collect(),
        }
    }
}

/// Reads the SD with `load` (which may also check it, before any key is read), checks there
/// are enough keys for its quorum, loads the keys, and runs core's recovery once.
pub fn run_quorum_with(
    load: impl FnOnce() -> Result<LoadedSd, CliError>,
    sd_path: &Path,
    key_paths: &[PathBuf],
    passphrase_files: &[PathBuf],
) -> Result<QuorumRun, CliError> {
    let loaded = load()?;
    let quorum = loaded.sd.quorum();
    let need = quorum.required();
    if key_paths.len() < need {
        return Err(CliError::new(
            Exit::Crypto,
            format!(
                "{} needs {need} of its {} custodians' keys; {} given",
                sd_path.display(),
                quorum.total(),
                key_paths.len()
            ),
        )
        .hint(format!(
            "give at least {need} --key options, each a different custodian's key"
        )));
    }
    let keys = load_keys(key_paths, passphrase_files)?;
    let holder_keys: Vec<HolderKey<'_>> = keys.iter().map(LoadedKey::holder_key).collect();
    let outcome = recover::run(&loaded.sd, &holder_keys);
    let mut warnings = hygiene::keys(&keys);
    warnings.extend(hygiene::quorum(quorum));
    Ok(QuorumRun {
        loaded,
        keys,
        outcome,
        warnings,
    })
}

/// Turns a failed recombination into the error the user sees, with the keys that gave no
/// usable share (the reason there is no quorum).
pub fn recover_error(sd_path: &Path, e: &RecoverError, holder_problems: &[String]) -> CliError {
    let mut message = format!("{}: {e}", sd_path.display());
    for p in holder_problems {
        message.push_str("\n  ");
        message.push_str(p);
    }
    CliError::new(Exit::Crypto, message)
}
