//! Temporary files: every output is first written to `.<name>.sdkit-tmp-<pid>-<nonce>-<n>`
//! beside its destination. The ones in flight are removed when the command is stopped by
//! Ctrl-C, SIGTERM or SIGHUP; one left by a run that could not clean up (SIGKILL, a power
//! cut) is removed, with a note, by the next run that writes the same file.

use crate::render::ShowPath;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, Once};

/// Temporary files that exist right now, so an interrupt can remove them.
static LIVE_TEMPS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// The marker between a destination's name and the writer's process id.
const MARKER: &str = ".sdkit-tmp-";

/// Installs the handler that removes in-flight temporary files and exits 130 when the
/// command is interrupted: Ctrl-C (SIGINT), SIGTERM (a shutdown, `kill`, a service manager)
/// or SIGHUP (the terminal closed). Staging the first output file installs it; commands that
/// spend long before that (key generation) call it first, so an interrupt exits the same way
/// throughout. Commands that write nothing (drill, check, inspect) start no handler thread.
pub fn clean_up_on_interrupt() {
    static HANDLER: Once = Once::new();
    HANDLER.call_once(|| {
        // If a handler cannot be installed (one already is), a signal still stops the
        // command; only the clean-up of in-flight temporaries is lost, and the next run's
        // sweep (`sweep_leftovers`) removes them.
        let _ = ctrlc::set_handler(|| {
            remove_live_temps();
            std::process::exit(130);
        });
    });
}

/// Records a temporary file before it is created.
pub(super) fn track(path: &Path) {
    clean_up_on_interrupt();
    if let Ok(mut v) = LIVE_TEMPS.lock() {
        v.push(path.to_owned());
    }
}

/// Forgets a temporary file that was moved into place or removed.
pub(super) fn untrack(path: &Path) {
    if let Ok(mut v) = LIVE_TEMPS.lock() {
        v.retain(|p| p != path);
    }
}

/// Removes every temporary file still in flight (from the signal handler).
fn remove_live_temps() {
    if let Ok(v) = LIVE_TEMPS.lock() {
        for p in v.iter() {
            let _ = fs::remove_file(p);
        }
    }
}

/// Removes a temporary file and forgets it.
pub(super) fn remove_temp(path: &Path) {
    let _ = fs::remove_file(path);
    untrack(path);
}

/// The temporary name for the `n`-th output of this command, beside `dest`.
pub(super) fn temp_name(dest: &Path, n: usize) -> PathBuf {
    let nonce = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    dest.with_file_name(format!(
        "{}{}-{nonce:x}-{n}",
        prefix(dest),
        std::process::id()
    ))
}

/// `.<name>.sdkit-tmp-`: what every temporary file for `dest` starts with.
fn prefix(dest: &Path) -> String {
    let name = dest
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    format!(".{name}{MARKER}")
}

/// Whether process `pid` still runs, so its temporary files may still be in use. Only
/// `/proc` can tell without unsafe code; where there is none, every process counts as
/// running and nothing is swept.
fn process_runs(pid: u32) -> bool {
    let proc = Path::new("/proc");
    !proc.join("self").exists() || proc.join(pid.to_string()).exists()
}

/// Removes the temporary files for `dest` that a stopped process left behind (named as
/// [`temp_name`] names them, by a process that no longer runs) and says so on stderr.
/// Never touches another program's files, nor a run in progress.
pub(super) fn sweep_leftovers(dest: &Path) {
    let prefix = prefix(dest);
    let dir = match dest.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix(&prefix)
            .and_then(|rest| rest.split('-').next())
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        let is_file = entry.file_type().is_ok_and(|t| t.is_file());
        if is_file && pid != std::process::id() && !process_runs(pid) {
            let path = entry.path();
            if fs::remove_file(&path).is_ok() {
                crate::render::eprint_wrapped(&format!(
                    "note: removed {}, a temporary file left by an earlier run that was stopped before it finished",
                    path.shown()
                ));
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn sweeps_only_a_stopped_writers_files_for_this_destination() {
        let dir = std::env::temp_dir().join(format!("sdkit-sweep-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let dest = dir.join("x.bin");
        // No process has pid 4294967295 (above any pid_max).
        let stale = dir.join(".x.bin.sdkit-tmp-4294967295-abc-0");
        let ours = temp_name(&dest, 0);
        let running = dir.join(format!(".x.bin.sdkit-tmp-{}-abc-0", std::process::id()));
        let other_dest = dir.join(".y.bin.sdkit-tmp-4294967295-abc-0");
        let unrelated = dir.join(".x.bin.sdkit-tmp-notapid");
        for p in [&stale, &ours, &running, &other_dest, &unrelated] {
            fs::write(p, b"partial").unwrap();
        }
        sweep_leftovers(&dest);
        assert!(!stale.exists(), "a stopped writer's file is removed");
        for kept in [&ours, &running, &other_dest, &unrelated] {
            assert!(kept.exists(), "{} kept", kept.shown());
        }
        fs::remove_dir_all(&dir).unwrap();
    }
}
