//! Nothing lost: a write that fails half-way, or a process killed or interrupted mid-command,
//! leaves the old files intact and no temporary file behind.

use crate::common::*;
use crate::fixtures::*;
use assert_cmd::cargo::CommandCargoExt;
use std::fs;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

fn temps(dir: &Path) -> Vec<String> {
    tree(dir)
        .iter()
        .map(|p| p.display().to_string())
        .filter(|p| p.contains("sdkit-tmp"))
        .collect()
}

fn recover_with_fault(out: &Path, fault: &str, force: bool) -> std::process::Output {
    let mut cmd = Command::cargo_bin("sdkit").unwrap();
    cmd.arg("recover")
        .arg(SD2023.path())
        .arg("--key")
        .arg(key(1))
        .arg("--key")
        .arg(key(2))
        .arg("--out-dir")
        .arg(out);
    if force {
        cmd.arg("--force");
    }
    cmd.env("SDKIT_FAULT_INJECT", fault).output().unwrap()
}

#[test]
fn a_write_failing_half_way_leaves_old_files_and_no_temporaries() {
    let dir = tempdir();
    let out = dir.path().join("out");
    fs::create_dir_all(&out).unwrap();
    let names = [
        "hsm_backup.bin",
        "base_enclave_backup.bin",
        "partition_enclave_backup.bin",
    ];
    for n in names {
        fs::write(out.join(n), b"old contents").unwrap();
    }
    // Fail while the third temporary file is half written, even with --force: nothing has
    // been moved into place yet, so every old file must be intact.
    let o = recover_with_fault(&out, "stage:2", true);
    assert_eq!(
        o.status.code(),
        Some(OUTPUT),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("injected fault"));
    for n in names {
        assert_eq!(fs::read(out.join(n)).unwrap(), b"old contents", "{n}");
    }
    assert!(temps(dir.path()).is_empty(), "{:?}", temps(dir.path()));

    // Without --force into an empty directory, a failure while moving the second file into
    // place removes the first one again: all or nothing.
    let fresh = dir.path().join("fresh");
    let o = recover_with_fault(&fresh, "place:1", false);
    assert_eq!(o.status.code(), Some(OUTPUT));
    assert!(tree(&fresh).is_empty(), "{:?}", tree(&fresh));
}

#[test]
fn killed_or_interrupted_keygen_leaves_nothing() {
    for signal in ["KILL", "INT"] {
        let dir = tempdir();
        let out = dir.path().join("keys");
        let mut child = Command::cargo_bin("sdkit")
            .unwrap()
            .args([
                "keygen",
                "--holders",
                "32",
                "--bits",
                "4096",
                "--no-passphrase",
                "--out-dir",
            ])
            .arg(&out)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Signal it mid-run without guessing how long it takes to get there: keygen's first
        // words on stderr (the --no-passphrase warning) come after its Ctrl-C handler is in
        // place and its output directory checked, right before the 32 RSA-4096 keys are
        // generated, which takes far longer than sending a signal.
        let mut first = String::new();
        BufReader::new(child.stderr.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        assert!(!first.is_empty(), "keygen said nothing before generating");
        assert!(
            child.try_wait().unwrap().is_none(),
            "keygen finished before the signal"
        );
        Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(child.id().to_string())
            .status()
            .unwrap();
        let status = child.wait().unwrap();
        if signal == "INT" {
            assert_eq!(status.code(), Some(130), "Ctrl-C exits 130");
        }
        let left: Vec<_> = tree(dir.path())
            .into_iter()
            .filter(|p| p.extension().is_some())
            .collect();
        assert!(left.is_empty(), "{signal}: files left behind: {left:?}");
        assert!(temps(dir.path()).is_empty());
    }
}

/// Starts `recover` held (SDKIT_FAULT_INJECT=hold:0) with its first temporary file complete,
/// and returns once that file exists.
fn held_recover(out: &Path) -> std::process::Child {
    let mut child = Command::cargo_bin("sdkit")
        .unwrap()
        .arg("recover")
        .arg(SD2023.path())
        .arg("--key")
        .arg(key(1))
        .arg("--key")
        .arg(key(2))
        .arg("--out-dir")
        .arg(out)
        .env("SDKIT_FAULT_INJECT", "hold:0")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait for the event (the temporary file appears), not for a guessed duration; the hold
    // lasts two minutes, far longer than this takes.
    while temps(out).is_empty() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("recover ended ({status}) before its temporary file appeared");
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    child
}

#[test]
fn a_recover_stopped_by_sigterm_or_sighup_leaves_no_temporary() {
    for signal in ["TERM", "HUP"] {
        let dir = tempdir();
        let out = dir.path().join("out");
        fs::create_dir_all(&out).unwrap();
        let mut child = held_recover(&out);
        Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(child.id().to_string())
            .status()
            .unwrap();
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(130), "{signal}: stopped, exit 130");
        assert!(
            temps(dir.path()).is_empty(),
            "{signal}: {:?}",
            temps(dir.path())
        );
        assert!(
            tree(&out).is_empty(),
            "{signal}: nothing written: {:?}",
            tree(&out)
        );
    }
}

#[test]
fn a_temporary_left_by_a_killed_run_is_removed_by_the_next_with_a_note() {
    let dir = tempdir();
    let out = dir.path().join("out");
    fs::create_dir_all(&out).unwrap();
    let mut child = held_recover(&out);
    // SIGKILL cannot be caught: the temporary file stays.
    child.kill().unwrap();
    child.wait().unwrap();
    let left = temps(&out);
    assert_eq!(left.len(), 1, "{left:?}");
    let o = recover_with_fault(&out, "none", false);
    assert_eq!(
        o.status.code(),
        Some(OK),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // Wrapped for the terminal: compare with the line breaks undone.
    let stderr = String::from_utf8_lossy(&o.stderr)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        stderr.contains("a temporary file left by an earlier run"),
        "{stderr}"
    );
    assert!(temps(dir.path()).is_empty(), "{:?}", temps(dir.path()));
    assert!(out.join("hsm_backup.bin").exists());
}
