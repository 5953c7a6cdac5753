//! Bounded reads: whole regular files of at most a given size (directories, FIFOs and
//! devices refused before they are opened), secrets into zeroizing buffers, and passphrases,
//! which may also come from standard input or a pipe.

use super::record::record_input;
use crate::error::CliError;
use std::fs::{self, File};
use std::io::Read;
use std::path::Path;
use zeroize::Zeroizing;

/// Largest key or certificate file read (real ones are a few KiB).
pub const MAX_KEY_BYTES: u64 = 1024 * 1024;
/// Largest passphrase file read.
pub const MAX_PASSPHRASE_BYTES: u64 = 64 * 1024;

/// Reads a non-secret input (recorded with its hash for the transcript).
pub fn read_bounded(path: &Path, max: u64, what: &str) -> Result<Vec<u8>, CliError> {
    let bytes = read_file(path, max, what)?;
    record_input(path, &bytes, false);
    Ok(bytes)
}

/// Reads a secret input (a key, a passphrase, a secret to split): recorded without a hash.
pub fn read_secret(path: &Path, max: u64, what: &str) -> Result<Zeroizing<Vec<u8>>, CliError> {
    let bytes = Zeroizing::new(read_file(path, max, what)?);
    record_input(path, &bytes, true);
    Ok(bytes)
}

/// Reads several secret inputs (key files) side by side on rayon's pool, each as
/// [`read_secret`] would, and records them in the order given, so a transcript lists them
/// the same way every time. `None` stands for an input that is not a file (a key on a
/// token) and gives `None`. One by one, 127 key files took about 1 ms.
pub fn read_secrets(
    paths: &[Option<&Path>],
    max: u64,
    what: &str,
) -> Vec<Option<Result<Zeroizing<Vec<u8>>, CliError>>> {
    read_each(paths, max, what, true, Zeroizing::new)
}

/// Reads several non-secret inputs (certificates) side by side, each as [`read_bounded`]
/// would, recorded in the order given; `None` gives `None`.
pub fn read_each_bounded(
    paths: &[Option<&Path>],
    max: u64,
    what: &str,
) -> Vec<Option<Result<Vec<u8>, CliError>>> {
    read_each(paths, max, what, false, |bytes| bytes)
}

/// [`read_file`] on every path in parallel, results in input order, then recorded in it.
fn read_each<T: Send + AsRef<[u8]>>(
    paths: &[Option<&Path>],
    max: u64,
    what: &str,
    secret: bool,
    wrap: impl Fn(Vec<u8>) -> T + Sync,
) -> Vec<Option<Result<T, CliError>>> {
    use rayon::prelude::*;
    let read: Vec<Option<Result<T, CliError>>> = paths
        .par_iter()
        .map(|path| path.map(|p| read_file(p, max, what).map(&wrap)))
        .collect();
    for (path, bytes) in paths.iter().zip(&read) {
        if let (Some(path), Some(Ok(bytes))) = (path, bytes) {
            record_input(path, bytes.as_ref(), secret);
        }
    }
    read
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
    record_input(path, &buf, true);
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
