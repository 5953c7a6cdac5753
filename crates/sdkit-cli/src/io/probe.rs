//! Checks made before any work: an output that exists without `--force`, a directory that
//! will not take the files, and creating output directories.

use crate::error::CliError;
use crate::render::ShowPath;
use std::fs::{self, OpenOptions};
use std::path::Path;

/// Refuses, before any work, when an output exists and `force` is off.
pub fn refuse_existing<'p>(
    paths: impl IntoIterator<Item = &'p Path>,
    force: bool,
) -> Result<(), CliError> {
    if !force {
        if let Some(p) = paths.into_iter().find(|p| p.symlink_metadata().is_ok()) {
            return Err(CliError::output(p, "already exists; refusing to overwrite")
                .hint("move it away, choose another output, or pass --force to replace it"));
        }
    }
    Ok(())
}

/// Refuses an output that is one of the command's inputs (the same file by any path), even
/// with `--force`: replacing the file a command reads from loses it if anything goes wrong.
pub fn refuse_input_as_output(out: &Path, inputs: &[&Path], what: &str) -> Result<(), CliError> {
    let Ok(out_real) = fs::canonicalize(out) else {
        return Ok(()); // does not exist yet, so it is none of the inputs
    };
    match inputs
        .iter()
        .find(|i| fs::canonicalize(i).is_ok_and(|r| r == out_real))
    {
        Some(input) => Err(CliError::output(
            out,
            format!(
                "is {} (an input of this command); refusing to write the {what} over it",
                input.shown()
            ),
        )
        .hint("give --out a new file name; keep the old file until the new one has been checked")),
        None => Ok(()),
    }
}

/// Fails now when a file could not be created in `dir` later: a command checks each of its
/// outputs before it prompts, decrypts or generates anything, so it never does the work and
/// then cannot keep (or record) it. Creates and removes one empty probe file.
fn probe_writable_dir(dir: &Path, named: &Path, what: &str) -> Result<(), CliError> {
    let shown = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    match fs::metadata(shown) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => {
            return Err(CliError::output(
                named,
                format!(
                    "{} is not a directory, so the {what} cannot be written there",
                    shown.shown()
                ),
            ));
        }
        Err(_) => {
            return Err(CliError::output(
                named,
                format!(
                    "directory {} not found, so the {what} cannot be written there",
                    shown.shown()
                ),
            )
            .hint("create the directory first, or check the path"));
        }
    }
    let nonce = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let probe = shown.join(format!(".sdkit-probe-{}-{nonce:x}", std::process::id()));
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
        .and_then(|_| fs::remove_file(&probe))
        .map_err(|e| {
            CliError::output(
                named,
                format!("cannot write the {what} in {}: {e}", shown.shown()),
            )
            .hint("choose a writable place (on removable media, check it is not read-only)")
        })
}

/// Checks, before any work, that the file `path` (the `what` of the command) can be
/// written: its directory exists and takes files, and `path` itself is not a directory.
pub fn probe_output_file(path: &Path, what: &str) -> Result<(), CliError> {
    if path.is_dir() {
        return Err(CliError::output(
            path,
            format!("is a directory; give a file name for the {what}"),
        ));
    }
    probe_writable_dir(path.parent().unwrap_or(Path::new("")), path, what)
}

/// Checks, before any work, that files can be written into `dir`: it takes files, or it is
/// missing and its nearest existing ancestor takes new directories.
pub fn probe_output_dir(dir: &Path, what: &str) -> Result<(), CliError> {
    match fs::metadata(dir) {
        Ok(m) if m.is_dir() => probe_writable_dir(dir, dir, what),
        Ok(_) => Err(CliError::output(dir, "exists and is not a directory")),
        Err(_) => {
            let existing = dir
                .ancestors()
                .skip(1)
                .find(|a| a.as_os_str().is_empty() || a.exists())
                .unwrap_or(Path::new(""));
            probe_writable_dir(existing, dir, what)
        }
    }
}

/// Creates `dir` (and parents) if missing; refuses a path that exists and is not a directory.
pub fn ensure_dir(dir: &Path) -> Result<(), CliError> {
    match fs::metadata(dir) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => Err(CliError::output(dir, "exists and is not a directory")),
        Err(_) => {
            let mut b = fs::DirBuilder::new();
            b.recursive(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::DirBuilderExt;
                b.mode(0o700);
            }
            b.create(dir)
                .map_err(|e| CliError::output(dir, format!("cannot create directory: {e}")))
        }
    }
}
