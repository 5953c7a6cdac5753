//! Helpers shared by the integration tests: a runner for the real `sdkit` binary that checks
//! what must hold for every run, and small file-crafting utilities. The test vectors and
//! their expected values are in [`crate::fixtures`].

use crate::fixtures::{BOTH, key};
use assert_cmd::Command;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::ffi::{OsStr, OsString};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Exit codes (cli.rs).
pub const OK: i32 = 0;
pub const CHECK_FAILED: i32 = 1;
pub const USAGE: i32 = 2;
pub const INPUT: i32 = 3;
pub const CRYPTO: i32 = 4;
pub const OUTPUT: i32 = 5;

/// No sdkit run may take longer than this (a FIFO must not block it).
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// Limit for runs that generate RSA-4096 keys (`exchange-key`, `demo`).
pub const SLOW_TIMEOUT: Duration = Duration::from_secs(120);

/// Lower-case hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A fresh temporary directory.
pub fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

/// Copies custodian keys `ns` into `dir` without their `.cer`, so that the CLI must find
/// each share by trial decryption. Returns the copies' paths in order.
pub fn isolated_keys(dir: &Path, ns: &[usize]) -> Vec<PathBuf> {
    let kd = dir.join("keys");
    fs::create_dir_all(&kd).unwrap();
    ns.iter()
        .map(|n| {
            let dst = kd.join(format!("custodian{n}.pem"));
            if !dst.exists() {
                fs::copy(key(*n), &dst).unwrap();
            }
            dst
        })
        .collect()
}

/// A text file's lines (a ledger's or transcript's records).
pub fn lines(p: &Path) -> Vec<String> {
    fs::read_to_string(p)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Writes `l` as lines, each ending in a newline.
pub fn write_lines(p: &Path, l: &[String]) {
    fs::write(p, l.iter().map(|x| format!("{x}\n")).collect::<String>()).unwrap();
}

/// Writes `text` to `dir/name` and returns the path.
pub fn write_file(dir: &Path, name: &str, text: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(name);
    fs::write(&p, text).unwrap();
    p
}

/// Copies an SD into `dir/name` after `edit` changed its JSON.
pub fn edit_sd(src: &Path, dir: &Path, name: &str, edit: impl FnOnce(&mut Value)) -> PathBuf {
    let mut v: Value = serde_json::from_slice(&fs::read(src).unwrap()).unwrap();
    edit(&mut v);
    write_file(dir, name, serde_json::to_vec(&v).unwrap())
}

/// Replaces the 5th (tag) part of a compact JWE.
pub fn with_jwe_tag(compact: &str, f: impl FnOnce(&str) -> String) -> String {
    let mut parts: Vec<String> = compact.split('.').map(str::to_owned).collect();
    assert_eq!(parts.len(), 5, "compact JWE has 5 parts");
    parts[4] = f(&parts[4]);
    parts.join(".")
}

/// Every path below `dir` (relative), for before/after comparisons.
pub fn tree(dir: &Path) -> BTreeSet<PathBuf> {
    fn walk(base: &Path, d: &Path, out: &mut BTreeSet<PathBuf>) {
        let Ok(rd) = fs::read_dir(d) else { return };
        for e in rd.flatten() {
            let p = e.path();
            out.insert(p.strip_prefix(base).unwrap().to_owned());
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                walk(base, &p, out);
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(dir, dir, &mut out);
    out
}

/// `sdkit restore-blob SD --key ... --exchange-key EXCHANGE --out OUT`.
pub fn restore_blob(sd: &Path, keys: &[PathBuf], exchange: &Path, out: &Path) -> Sdkit {
    sdkit(["restore-blob"])
        .arg(sd)
        .keys(keys)
        .arg("--exchange-key")
        .arg(exchange)
        .arg("--out")
        .arg(out)
}

/// `sdkit split --in INPUT --cert ... --quorum M --out OUT`.
pub fn split(input: &str, certs: &[PathBuf], quorum: usize, out: &Path) -> Sdkit {
    sdkit(["split", "--in", input])
        .certs(certs)
        .arg("--quorum")
        .arg(quorum.to_string())
        .arg("--out")
        .arg(out)
}

/// An `sdkit` invocation under construction.
pub struct Sdkit {
    args: Vec<OsString>,
    timeout: Duration,
    stdin: Option<Vec<u8>>,
    envs: Vec<(OsString, OsString)>,
}

/// Starts `sdkit <args...>`.
pub fn sdkit<I, S>(args: I) -> Sdkit
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    Sdkit {
        args: args.into_iter().map(|a| a.as_ref().to_owned()).collect(),
        timeout: TIMEOUT,
        stdin: None,
        envs: Vec::new(),
    }
}

impl Sdkit {
    /// One more argument.
    pub fn arg(mut self, a: impl AsRef<OsStr>) -> Self {
        self.args.push(a.as_ref().to_owned());
        self
    }

    /// `--key P` for each path.
    pub fn keys<P: AsRef<Path>>(mut self, ps: &[P]) -> Self {
        for p in ps {
            self = self.arg("--key").arg(p.as_ref());
        }
        self
    }

    /// `--cert P` for each path.
    pub fn certs<P: AsRef<Path>>(mut self, ps: &[P]) -> Self {
        for p in ps {
            self = self.arg("--cert").arg(p.as_ref());
        }
        self
    }

    /// `--passphrase-file P` for each path.
    pub fn passphrases<P: AsRef<Path>>(mut self, ps: &[P]) -> Self {
        for p in ps {
            self = self.arg("--passphrase-file").arg(p.as_ref());
        }
        self
    }

    /// For commands that generate RSA-4096 keys (whose prime search takes a random, load-
    /// dependent time): allow [`SLOW_TIMEOUT`] instead of [`TIMEOUT`].
    pub fn slow(mut self) -> Self {
        self.timeout = SLOW_TIMEOUT;
        self
    }

    /// Feeds `bytes` to standard input (a pipe, never a terminal).
    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        self.stdin = Some(bytes.into());
        self
    }

    /// Sets an environment variable for the run (e.g. a throw-away `SOFTHSM2_CONF`).
    pub fn env(mut self, k: impl AsRef<OsStr>, v: impl AsRef<OsStr>) -> Self {
        self.envs
            .push((k.as_ref().to_owned(), v.as_ref().to_owned()));
        self
    }

    /// `--json`.
    pub fn json(self) -> Self {
        self.arg("--json")
    }

    /// Runs the binary in a fresh, empty working directory (stdin is a pipe, never a
    /// terminal), and checks what must hold for every run: it finished within
    /// [`TIMEOUT`], did not panic, printed no master key, and created no file in its
    /// working directory.
    pub fn run(self) -> Run {
        let cwd = tempdir();
        let mut cmd = Command::cargo_bin("sdkit").unwrap();
        cmd.args(&self.args)
            .current_dir(cwd.path())
            .timeout(self.timeout)
            .envs(self.envs.iter().map(|(k, v)| (k, v)));
        if let Some(bytes) = &self.stdin {
            cmd.write_stdin(bytes.clone());
        }
        let out = cmd
            .output()
            .unwrap_or_else(|e| panic!("sdkit {:?} did not finish: {e}", self.args));
        let run = Run {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            args: self.args,
        };
        assert!(
            run.code.is_some(),
            "sdkit was killed (timeout {:?}?)\n{run}",
            self.timeout
        );
        assert!(!run.stderr.contains("panicked"), "sdkit panicked\n{run}");
        for sd in BOTH {
            for s in [&run.stdout, &run.stderr] {
                assert!(
                    !s.to_ascii_lowercase().contains(sd.master_hex),
                    "master key printed\n{run}"
                );
            }
        }
        assert!(
            tree(cwd.path()).is_empty(),
            "sdkit wrote into its working directory: {:?}\n{run}",
            tree(cwd.path())
        );
        run
    }
}

/// Lower case, with every run of white space (a folded line's break and indent too) as one
/// space: sdkit folds its text at 100 columns, and a needle may span a fold.
pub fn unfold(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// What a run did.
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub args: Vec<OsString>,
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "--- sdkit {:?}\n--- exit {:?}\n--- stdout:\n{}\n--- stderr:\n{}",
            self.args, self.code, self.stdout, self.stderr
        )
    }
}

impl Run {
    /// Asserts the exit code. A non-zero exit must say something on stderr.
    pub fn code(&self, want: i32) -> &Self {
        assert_eq!(self.code, Some(want), "unexpected exit code\n{self}");
        if want != OK {
            assert!(
                self.stderr.contains("error"),
                "a failing run must explain itself on stderr\n{self}"
            );
        }
        self
    }

    /// Asserts that stderr contains every needle (case-insensitive; runs of white space,
    /// line folds included, count as one space).
    pub fn err_has(&self, needles: &[&str]) -> &Self {
        let hay = unfold(&self.stderr);
        for n in needles {
            assert!(hay.contains(&unfold(n)), "stderr lacks {n:?}\n{self}");
        }
        self
    }

    /// Asserts that stderr names `path` as the user gave it.
    pub fn err_names(&self, path: &Path) -> &Self {
        let p = path.display().to_string();
        assert!(
            unfold(&self.stderr).contains(&unfold(&p)),
            "stderr does not name {p}\n{self}"
        );
        self
    }

    /// Asserts that stdout contains every needle (as [`Run::err_has`]).
    pub fn out_has(&self, needles: &[&str]) -> &Self {
        let hay = unfold(&self.stdout);
        for n in needles {
            assert!(hay.contains(&unfold(n)), "stdout lacks {n:?}\n{self}");
        }
        self
    }

    /// Stdout parsed as exactly one JSON document.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not one JSON document: {e}\n{self}"))
    }
}

/// Runs `sdkit ARGS` on a pseudo-terminal (util-linux `script`) with `env` added, typing
/// `typed` at it: how the tests answer prompts that read the terminal, not stdin.
pub fn on_a_terminal(args: &[String], env: &[(&str, &OsStr)], typed: &str) -> std::process::Output {
    use std::io::Write;
    let exe = assert_cmd::cargo::cargo_bin("sdkit");
    let line = std::iter::once(exe.display().to_string())
        .chain(args.iter().cloned())
        .map(|a| format!("'{}'", a.replace('\'', r"'\''")))
        .collect::<Vec<_>>()
        .join(" ");
    let mut child = std::process::Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .envs(env.iter().copied())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("util-linux `script` is needed for the terminal tests (Debian: bsdutils)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(typed.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}
