//! Records what `sdkit --version` reports about the build itself: the source commit, whether
//! the compiled sources differed from it, the compiler and the target (src/version.rs).
//!
//! Everything here must come out the same for two builds of one commit in different
//! directories (scripts/verify-release.sh compares them byte for byte): no paths, no times.
//! It must also build where there is no git: from a source tarball or a crates.io package,
//! the commit comes from cargo's `.cargo_vcs_info.json` when there is one, else "unknown".

use std::path::{Path, PathBuf};
use std::process::Command;

/// What decides the compiled binary, relative to the workspace root: a change to any of these
/// also recompiles sdkit-cli, so watching them for the dirty flag costs no extra rebuild
/// (tests, docs and scripts are left out on purpose: an edit there would otherwise rebuild
/// the binary for nothing).
const INPUTS: &[&str] = &[
    "Cargo.toml",
    "Cargo.lock",
    ".cargo/config.toml",
    "rust-toolchain.toml",
];
/// Per crate under `crates/`: what of it is compiled into sdkit.
const CRATE_INPUTS: &[&str] = &["src", "build.rs", "Cargo.toml"];

fn main() {
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    // The workspace root, when this crate is built from its repository (crates/sdkit-cli).
    let root = manifest_dir.join("../..");
    let crates: Vec<PathBuf> = std::fs::read_dir(root.join("crates"))
        .map(|dir| dir.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    // Only existing paths may be watched: cargo reruns a script that names a missing file
    // at every build, and would recompile sdkit each time.
    let mut watched: Vec<PathBuf> = INPUTS.iter().map(|p| root.join(p)).collect();
    watched.push(manifest_dir.join(".cargo_vcs_info.json"));
    for krate in &crates {
        watched.extend(CRATE_INPUTS.iter().map(|p| krate.join(p)));
    }

    let (commit, state) = match git_commit(&manifest_dir) {
        Some(commit) => {
            watch_git(&manifest_dir);
            let state = if git_dirty(&root) { "dirty" } else { "clean" };
            (commit, state)
        }
        None => match vcs_info(&manifest_dir) {
            Some((commit, dirty)) => (commit, if dirty { "dirty" } else { "clean" }),
            None => ("unknown".to_owned(), "no git"),
        },
    };
    for path in watched.iter().filter(|p| p.exists()) {
        println!("cargo:rerun-if-changed={}", path.display());
    }
    println!("cargo:rustc-env=SDKIT_COMMIT={commit}");
    println!("cargo:rustc-env=SDKIT_COMMIT_STATE={state}");

    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let rustc_version = output(Command::new(rustc).arg("-V")).unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=SDKIT_RUSTC={rustc_version}");
    let target = std::env::var("TARGET").unwrap_or_else(|_| "unknown".into());
    println!("cargo:rustc-env=SDKIT_TARGET={target}");
}

/// Runs a command and returns its trimmed stdout, or `None` if it did not run or failed.
fn output(cmd: &mut Command) -> Option<String> {
    let out = cmd.output().ok()?;
    if !out.status.success() {
        return None;
    }
    Some(String::from_utf8(out.stdout).ok()?.trim().to_owned())
}

fn git(dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.arg("-C").arg(dir);
    cmd
}

/// The commit checked out, if this crate's manifest is tracked by the repository around it
/// (a source tarball unpacked inside some other repository must not report that one's).
fn git_commit(manifest_dir: &Path) -> Option<String> {
    output(git(manifest_dir).args(["ls-files", "--error-unmatch", "Cargo.toml"]))?;
    output(git(manifest_dir).args(["rev-parse", "HEAD"]))
}

/// Whether any compiled input differs from the commit or is new and not ignored. Scoped to
/// `INPUTS`/`CRATE_INPUTS` so the flag is exactly "the code compiled is not the commit's".
fn git_dirty(root: &Path) -> bool {
    let mut cmd = git(root);
    cmd.args(["status", "--porcelain", "--"]).args(INPUTS);
    for input in CRATE_INPUTS {
        cmd.arg(format!("crates/*/{input}"));
    }
    // A failing `git status` is reported as dirty: unknown must not read as clean.
    output(&mut cmd).is_none_or(|s| !s.is_empty())
}

/// Reruns this script when the checkout moves to another commit: HEAD, the refs it can point
/// to, and packed refs. Asked from git, because in a worktree `.git` is a file, not the
/// directory holding them.
fn watch_git(manifest_dir: &Path) {
    for name in ["HEAD", "refs/heads", "packed-refs"] {
        if let Some(path) = output(git(manifest_dir).args(["rev-parse", "--git-path", name])) {
            let path = manifest_dir.join(path);
            if path.exists() {
                println!("cargo:rerun-if-changed={}", path.display());
            }
        }
    }
}

/// The commit `cargo package` recorded, for a build from a packaged crate. A hand-rolled
/// look-up (the file is cargo's own small JSON) to keep the build script dependency-free.
fn vcs_info(manifest_dir: &Path) -> Option<(String, bool)> {
    let text = std::fs::read_to_string(manifest_dir.join(".cargo_vcs_info.json")).ok()?;
    let after = text.split_once("\"sha1\"")?.1;
    let commit: String = after
        .trim_start_matches([' ', ':', '"', '\n', '\t'])
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect();
    if commit.len() < 40 {
        return None;
    }
    let dirty = text.contains("\"dirty\": true") || text.contains("\"dirty\":true");
    Some((commit, dirty))
}
