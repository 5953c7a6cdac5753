//! The trip every quorum command (`drill`, `recover`, `restore-blob`) makes from argv to the
//! master key, in one pass down: read the SD (and check it, before any key is read), load the
//! keys (prompting in order), then call core once: [`sdkit_core::recover::run`] opens each
//! key's share and recombines.

use super::holders::Holders;
use super::{LoadedSd, read_sd};
use crate::cli::KeyArgs;
use crate::error::{CliError, Exit};
use crate::hygiene::{self, Warnings};
use crate::keys::{KeyFiles, LoadedKey};
use crate::render::ShowPath;
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

/// Reads the SD and the key files (in that order, as the transcript lists them), parses the
/// SD with `parse` (which may also check it) while the keys parse on the other cores, checks
/// there are enough keys for its quorum, loads the keys (passphrases), and runs core's
/// recovery once. An SD that does not parse or pass `parse`'s checks, or too few keys, is
/// reported before any key's error and before anybody is asked for a passphrase.
pub fn run_quorum_with(
    parse: impl FnOnce(&[u8]) -> Result<LoadedSd, CliError> + Send,
    sd_path: &Path,
    key_paths: &[PathBuf],
    key_args: &KeyArgs,
) -> Result<QuorumRun, CliError> {
    let sd_bytes = read_sd(sd_path)?;
    let key_files = KeyFiles::read(key_paths, key_args)?;
    // The SD (several MiB for large quorums) parses while the keys parse on the other cores.
    let (loaded, first_parse) = rayon::join(|| parse(&sd_bytes), || key_files.parse());
    let loaded = loaded?;
    let quorum = loaded.sd.quorum();
    let need = quorum.required();
    if key_paths.len() < need {
        return Err(CliError::new(
            Exit::Crypto,
            format!(
                "{} needs {need} of its {} custodians' keys; {} given",
                sd_path.shown(),
                quorum.total(),
                key_paths.len()
            ),
        )
        .hint(format!(
            "give at least {need} --key options, each a different custodian's key"
        )));
    }
    let keys = key_files.load(first_parse, key_args)?;
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
    let mut message = format!("{}: {e}", sd_path.shown());
    for p in holder_problems {
        message.push_str("\n  ");
        message.push_str(p);
    }
    CliError::new(Exit::Crypto, message)
}
