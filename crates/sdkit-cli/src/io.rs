//! File handling: bounded reads that refuse what is not a regular file, and atomic writes
//! that never leave a partial file and never overwrite without being told to.

use crate::error::CliError;
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, Once};
use zeroize::Zeroizing;

/// Largest key or certificate file read (real ones are a few KiB).
pub const MAX_KEY_BYTES: u64 = 1024 * 1024;
/// Largest passphrase file read.
pub const MAX_PASSPHRASE_BYTES: u64 = 64 * 1024;

/// A file a command read or wrote, for the transcript.
#[derive(Debug, Clone)]
pub struct FileRecord {
    /// The path as given.
    pub path: PathBuf,
    /// SHA-256 (hex) of the contents; `None` for secret files (a hash of a short secret,
    /// such as a passphrase, could be guessed back).
    pub sha256: Option<String>,
    /// Size in bytes.
    pub size: usize,
}

/// Files read and written by the current command.
static INPUTS: Mutex<Vec<FileRecord>> = Mutex::new(Vec::new());
static OUTPUTS: Mutex<Vec<FileRecord>> = Mutex::new(Vec::new());

fn record(list: &Mutex<Vec<FileRecord>>, path: &Path, bytes: &[u8], secret: bool) {
    if let Ok(mut v) = list.lock() {
        v.push(FileRecord {
            path: path.to_owned(),
            sha256: (!secret).then(|| crate::render::sha256_hex(bytes)),
            size: bytes.len(),
        });
    }
}

/// Takes (and clears) the files read and written since the last call.
pub fn take_file_records() -> (Vec<FileRecord>, Vec<FileRecord>) {
    let take = |m: &Mutex<Vec<FileRecord>>| {
        m.lock()
            .map(|mut v| std::mem::take(&mut *v))
            .unwrap_or_default()
    };
    (take(&INPUTS), take(&OUTPUTS))
}

/// Reads a non-secret input (recorded with its hash for the transcript).
pub fn read_bounded(path: &Path, max: u64, what: &str) -> Result<Vec<u8>, CliError> {
    let bytes = read_file(path, max, what)?;
    record(&INPUTS, path, &bytes, false);
    Ok(bytes)
}

/// Reads a secret input (a key, a passphrase, a secret to split): recorded without a hash.
pub fn read_secret(path: &Path, max: u64, what: &str) -> Result<Zeroizing<Vec<u8>>, CliError> {
    let bytes = Zeroizing::new(read_file(path, max, what)?);
    record(&INPUTS, path, &bytes, true);
    Ok(bytes)
}

/// Reads a passphrase: from a regular file, from standard input (`-`), or from a pipe or
/// descriptor (`/dev/fd/N`, process substitution), which other inputs refuse. Reads at most
/// `max` bytes; recorded without a hash.
pub fn read_passphrase_source(path: &Path, max: u64) -> Result<Zeroizing<Vec<u8>>, CliError> {
    use std::io::IsTerminal;
    let what = "passphrase file";
    let mut buf = Zeroizing::new(Vec::new());
    if path == Path::new("-") {
        if std::io::stdin().is_terminal() {
            return Err(CliError::usage(
                "--passphrase-file -: standard input is a terminal, where the passphrase would be shown as it is typed",
            )
            .hint("leave out --passphrase-file to be asked without echo, or pipe the passphrase in"));
        }
        std::io::stdin()
            .lock()
            .take(max + 1)
            .read_to_end(&mut buf)
            .map_err(|e| {
                CliError::input(
                    path,
                    format!("cannot read the passphrase from standard input: {e}"),
                )
            })?;
    } else {
        let meta = fs::metadata(path);
        let stream = meta.as_ref().is_ok_and(|m| !m.is_file() && !m.is_dir());
        if !stream {
            return read_secret(path, max, what);
        }
        File::open(path)
            .and_then(|f| f.take(max + 1).read_to_end(&mut buf))
            .map_err(|e| CliError::input(path, format!("cannot read the {what}: {e}")))?;
    }
    if buf.len() as u64 > max {
        return Err(CliError::input(
            path,
            format!("more than {max} bytes: not a passphrase"),
        ));
    }
    record(&INPUTS, path, &buf, true);
    Ok(buf)
}

/// Reads a whole regular file of at most `max` bytes. Directories, FIFOs and devices are
/// refused before they are opened (opening a FIFO would block).
fn read_file(path: &Path, max: u64, what: &str) -> Result<Vec<u8>, CliError> {
    let meta = fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => {
            CliError::input(path, format!("{what} not found")).hint("check the path and spelling")
        }
        std::io::ErrorKind::PermissionDenied => {
            CliError::input(path, format!("permission denied reading the {what}"))
        }
        _ => CliError::input(path, format!("cannot read the {what}: {e}")),
    })?;
    if meta.is_dir() {
        return Err(CliError::input(
            path,
            format!("is a directory; expected the {what}"),
        ));
    }
    if !meta.is_file() {
        return Err(CliError::input(
            path,
            format!("is not a regular file (FIFO, socket or device); expected the {what}"),
        ));
    }
    if meta.len() > max {
        return Err(CliError::input(
            path,
            format!(
                "is {} bytes, larger than any {what} ({max} bytes at most); is this the right file?",
                meta.len()
            ),
        ));
    }
    let mut buf = Vec::with_capacity(meta.len() as usize);
    File::open(path)
        .and_then(|f| f.take(max + 1).read_to_end(&mut buf))
        .map_err(|e| CliError::input(path, format!("cannot read the {what}: {e}")))?;
    if buf.len() as u64 > max {
        return Err(CliError::input(
            path,
            format!("grew past {max} bytes while being read"),
        ));
    }
    Ok(buf)
}

/// Temporary files that exist right now, so an interrupt (Ctrl-C) can remove them.
static LIVE_TEMPS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Installs the Ctrl-C handler that removes in-flight temporary files and exits 130. Staging
/// the first output file installs it; commands that spend long before that (key generation)
/// call it first, so an interrupt exits the same way throughout. Commands that write nothing
/// (drill, check, inspect) start no handler thread at all.
pub fn clean_up_on_interrupt() {
    static HANDLER: Once = Once::new();
    HANDLER.call_once(|| {
        // If a handler cannot be installed (one already is), Ctrl-C still stops the command;
        // only the clean-up of in-flight temporaries is lost.
        let _ = ctrlc::set_handler(|| {
            remove_live_temps();
            std::process::exit(130);
        });
    });
}

/// Records a temporary file before it is created.
fn track(path: &Path) {
    clean_up_on_interrupt();
    if let Ok(mut v) = LIVE_TEMPS.lock() {
        v.push(path.to_owned());
    }
}

fn untrack(path: &Path) {
    if let Ok(mut v) = LIVE_TEMPS.lock() {
        v.retain(|p| p != path);
    }
}

/// Removes every temporary file still in flight. Called from the Ctrl-C handler, so an
/// interrupted command leaves no partial file behind.
fn remove_live_temps() {
    if let Ok(v) = LIVE_TEMPS.lock() {
        for p in v.iter() {
            let _ = fs::remove_file(p);
        }
    }
}

fn remove_temp(path: &Path) {
    let _ = fs::remove_file(path);
    untrack(path);
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

fn temp_name(dest: &Path, n: usize) -> PathBuf {
    let name = dest
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let nonce = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    dest.with_file_name(format!(
        ".{name}.sdkit-tmp-{}-{nonce:x}-{n}",
        std::process::id()
    ))
}

/// Test hook, compiled into debug builds only: `SDKIT_FAULT_INJECT=stage:N` or `place:N`
/// makes the N-th file (0-based) of the next atomic write fail at that phase, so tests can
/// show that a failed write leaves old files intact and no temporary file behind.
#[cfg(debug_assertions)]
fn injected_fault(phase: &str, n: usize) -> std::io::Result<()> {
    match std::env::var("SDKIT_FAULT_INJECT") {
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
        f.sync_all()
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
pub fn write_all_atomic(files: &[OutFile<'_>], force: bool) -> Result<(), CliError> {
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
        record(&OUTPUTS, &f.path, f.bytes, f.secret);
    }
    Ok(())
}

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

/// Moves staged files into place, all or nothing.
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
                    shown.display()
                ),
            ));
        }
        Err(_) => {
            return Err(CliError::output(
                named,
                format!(
                    "directory {} not found, so the {what} cannot be written there",
                    shown.display()
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
                format!("cannot write the {what} in {}: {e}", shown.display()),
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
