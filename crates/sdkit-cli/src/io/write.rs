//! Atomic writes: every output of a command goes to a temporary file beside its destination,
//! is synced, then moved into place, all or nothing and never over an existing file unless
//! told to (temporary files: [`super::temps`]).

use super::probe::refuse_existing;
use super::record::record_output;
use super::temps::{remove_temp, sweep_leftovers, temp_name, track, untrack};
use crate::error::CliError;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The logs this command appends to (its `--transcript`, its `--ledger`): no other output of
/// the command may replace them, even with `--force`, or the record of the ceremony is lost.
static LOGS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// The file `path` is or will be, with its directory resolved (symlinks, `.`, `..`), so two
/// spellings of one file compare equal; `None` when its directory does not exist.
fn resolved(path: &Path) -> Option<PathBuf> {
    if let Ok(p) = fs::canonicalize(path) {
        return Some(p);
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    Some(fs::canonicalize(dir).ok()?.join(path.file_name()?))
}

/// Marks `path` as a log this command appends to (see [`write_all_atomic`]).
pub fn reserve_log(path: &Path) {
    if let (Some(p), Ok(mut logs)) = (resolved(path), LOGS.lock()) {
        logs.push(p);
    }
}

/// Forgets the reserved logs (a new command starts; `demo` runs several in one process).
pub fn clear_reserved_logs() {
    if let Ok(mut logs) = LOGS.lock() {
        logs.clear();
    }
}

/// Refuses an output that is one of the reserved logs.
fn refuse_logs(files: &[OutFile<'_>]) -> Result<(), CliError> {
    let logs = LOGS.lock().map(|l| l.clone()).unwrap_or_default();
    for f in files {
        if resolved(&f.path).is_some_and(|p| logs.contains(&p)) {
            return Err(CliError::output(
                &f.path,
                "is the log this command records to (--transcript or --ledger); refusing to write another output over it",
            )
            .hint("give the output another file name"));
        }
    }
    Ok(())
}

/// One output file.
pub struct OutFile<'a> {
    /// Where it goes.
    pub path: PathBuf,
    /// Its contents.
    pub bytes: &'a [u8],
    /// Secret files get mode 0600, others 0644.
    pub secret: bool,
}

/// A file written to a temporary name in its final directory, not yet in place.
struct Staged {
    temp: PathBuf,
    dest: PathBuf,
}

/// Test hook, compiled into debug builds only: `SDKIT_FAULT_INJECT=stage:N` or `place:N`
/// makes the N-th file (0-based) of the next atomic write fail at that phase, so tests can
/// show that a failed write leaves old files intact and no temporary file behind.
/// `SDKIT_FAULT_INJECT=hold:N` instead holds the N-th file's complete temporary file for two
/// minutes before it is moved into place, so a test can stop the command there with a signal.
#[cfg(debug_assertions)]
fn injected_fault(phase: &str, n: usize) -> std::io::Result<()> {
    match std::env::var("SDKIT_FAULT_INJECT") {
        Ok(v) if phase == "hold" && v == format!("hold:{n}") => {
            std::thread::sleep(std::time::Duration::from_secs(120));
            Ok(())
        }
        Ok(v) if v == format!("{phase}:{n}") => {
            Err(std::io::Error::other("injected fault (SDKIT_FAULT_INJECT)"))
        }
        _ => Ok(()),
    }
}

#[cfg(not(debug_assertions))]
fn injected_fault(_phase: &str, _n: usize) -> std::io::Result<()> {
    Ok(())
}

fn stage(dest: &Path, bytes: &[u8], secret: bool, n: usize) -> Result<Staged, CliError> {
    sweep_leftovers(dest);
    let temp = temp_name(dest, n);
    track(&temp);
    let mut opts = OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(if secret { 0o600 } else { 0o644 });
    }
    #[cfg(not(unix))]
    let _ = secret;
    let result = opts.open(&temp).and_then(|mut f| {
        // Write half, then fail if a fault is injected: a real partial temporary file.
        let half = bytes.len() / 2;
        f.write_all(&bytes[..half])?;
        injected_fault("stage", n)?;
        f.write_all(&bytes[half..])?;
        f.sync_all()?;
        injected_fault("hold", n)
    });
    match result {
        Ok(()) => Ok(Staged {
            temp,
            dest: dest.to_owned(),
        }),
        Err(e) => {
            remove_temp(&temp);
            Err(CliError::output(dest, format!("cannot write: {e}")))
        }
    }
}

fn sync_dir(dir: &Path) {
    // Best effort: makes the renames durable on filesystems that need it.
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Writes every `(path, bytes)` all-or-nothing: each goes to a temporary file beside its
/// destination, is synced, then moved into place. Without `force` an existing destination
/// is refused before anything is written, and a destination that appears meanwhile is not
/// overwritten (hard-link, which fails on an existing name). On any failure every temporary
/// file and every file already placed by this call is removed.
///
/// No output may replace a log the command appends to ([`reserve_log`]); the logs
/// themselves are written with [`append_log_atomic`].
pub fn write_all_atomic(files: &[OutFile<'_>], force: bool) -> Result<(), CliError> {
    refuse_logs(files)?;
    write_unchecked(files, force)
}

/// Replaces a log (transcript, ledger) whole with its appended contents, atomically.
pub fn append_log_atomic(log: &OutFile<'_>) -> Result<(), CliError> {
    write_unchecked(std::slice::from_ref(log), true)
}

fn write_unchecked(files: &[OutFile<'_>], force: bool) -> Result<(), CliError> {
    refuse_existing(files.iter().map(|f| f.path.as_path()), force)?;
    let mut staged = Vec::with_capacity(files.len());
    for (i, f) in files.iter().enumerate() {
        match stage(&f.path, f.bytes, f.secret, i) {
            Ok(s) => staged.push(s),
            Err(e) => {
                staged.iter().for_each(|s: &Staged| remove_temp(&s.temp));
                return Err(e);
            }
        }
    }
    place(&staged, force)?;
    for f in files {
        record_output(&f.path, f.bytes, f.secret);
    }
    Ok(())
}

/// Moves `src` to `dst` unless `dst` exists. A hard link fails atomically on an existing
/// name; where the filesystem has no hard links (FAT/exFAT media), an existence check and a
/// rename do the same job with a tiny window.
fn link_noclobber(src: &Path, dst: &Path) -> std::io::Result<()> {
    match fs::hard_link(src, dst) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(e),
        Err(_) if dst.symlink_metadata().is_ok() => Err(std::io::ErrorKind::AlreadyExists.into()),
        Err(_) => fs::rename(src, dst),
    }
}

/// Moves staged files into place, all or nothing.
fn place(staged: &[Staged], force: bool) -> Result<(), CliError> {
    // New files that had no predecessor, and (backup, destination) pairs for files replaced
    // under --force: the old file is kept under a backup name until every new file is in
    // place, so a failure half-way puts everything back as it was.
    let mut created: Vec<PathBuf> = Vec::new();
    let mut backups: Vec<(PathBuf, PathBuf)> = Vec::new();
    for (i, s) in staged.iter().enumerate() {
        let result = injected_fault("place", i).and_then(|()| {
            if force && s.dest.symlink_metadata().is_ok() {
                let backup = s.dest.with_file_name(format!(
                    ".{}.sdkit-old-{}-{i}",
                    s.dest
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default(),
                    std::process::id()
                ));
                if s.dest.is_dir() {
                    return Err(std::io::Error::other("is a directory"));
                }
                // Keep the old file: a hard link leaves it in place meanwhile; filesystems
                // without hard links (FAT/exFAT media) get a rename instead.
                if fs::hard_link(&s.dest, &backup).is_err() {
                    fs::rename(&s.dest, &backup)?;
                }
                backups.push((backup, s.dest.clone()));
                fs::rename(&s.temp, &s.dest)
            } else if force {
                fs::rename(&s.temp, &s.dest)?;
                created.push(s.dest.clone());
                Ok(())
            } else {
                link_noclobber(&s.temp, &s.dest)?;
                created.push(s.dest.clone());
                match fs::remove_file(&s.temp) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
                    _ => Ok(()),
                }
            }
        });
        untrack(&s.temp);
        if let Err(e) = result {
            for s in &staged[i..] {
                remove_temp(&s.temp);
            }
            // Undo: files this call created go, replaced files come back from their backups.
            for p in &created {
                let _ = fs::remove_file(p);
            }
            for (backup, dest) in backups.iter().rev() {
                let _ = fs::rename(backup, dest);
            }
            let msg = if e.kind() == std::io::ErrorKind::AlreadyExists {
                "appeared while writing; refusing to overwrite".to_owned()
            } else {
                format!("cannot move into place: {e}")
            };
            return Err(CliError::output(&s.dest, msg));
        }
    }
    for (backup, _) in &backups {
        let _ = fs::remove_file(backup);
    }
    let mut dirs: Vec<&Path> = staged.iter().filter_map(|s| s.dest.parent()).collect();
    dirs.dedup();
    dirs.into_iter().for_each(sync_dir);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_overwrite_and_leaves_no_temp() {
        let dir = std::env::temp_dir().join(format!("sdkit-io-test-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let a = dir.join("a.bin");
        let b = dir.join("b.bin");
        fs::write(&b, b"old").unwrap();
        let files = |x: &'static [u8], y: &'static [u8]| {
            vec![
                OutFile {
                    path: a.clone(),
                    bytes: x,
                    secret: true,
                },
                OutFile {
                    path: b.clone(),
                    bytes: y,
                    secret: true,
                },
            ]
        };
        let err = write_all_atomic(&files(b"new-a", b"new-b"), false).unwrap_err();
        assert_eq!(err.exit, crate::error::Exit::Output);
        assert!(!a.exists(), "nothing written when one output exists");
        assert_eq!(fs::read(&b).unwrap(), b"old");
        write_all_atomic(&files(b"new-a", b"new-b"), true).unwrap();
        assert_eq!(fs::read(&b).unwrap(), b"new-b");
        let leftovers: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().contains("sdkit-tmp"))
            .collect();
        assert!(leftovers.is_empty());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                fs::metadata(&a).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        fs::remove_dir_all(&dir).unwrap();
    }
}
