//! `sdkit demo`: a complete rehearsal on throw-away keys, run through the same code paths as
//! the real commands (each step is parsed from a command line and recorded in a transcript),
//! so a newcomer sees the whole ceremony work end to end: the first custody, a restore drill,
//! and a rotation to new custodians (`reshare`) that one of the old ones leaves.

use crate::cli::{Cli, DemoArgs};
use crate::error::{CliError, Exit};
use crate::io::{OutFile, ensure_dir, write_all_atomic};
use crate::render::Output;
use clap::Parser;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The sample secret the demo protects.
const SAMPLE_SECRET: &[u8] =
    b"sdkit demo secret: not a real key. A quorum of the demo custodians can recover this line.\n";

/// What a step does.
enum Action {
    /// An sdkit command line, run in this process as a user's is (`app::run`: parse,
    /// dispatch, transcript). The step holds when it exits with `expect`: for a key that must
    /// open nothing, the refusal is the point.
    Run { argv: Vec<String>, expect: Exit },
    /// `sdkit --json ... > to`: the report saved as a custodian's shell would save it. A
    /// report goes to this process's stdout, so the command runs as a child process of this
    /// same binary, whose stdout the demo can take.
    SaveJson { argv: Vec<String>, to: PathBuf },
    /// Compare the secret the restore drill wrote with the original.
    CompareSecret { opened: PathBuf },
}

struct Step {
    title: &'static str,
    action: Action,
}

fn p(path: &Path) -> String {
    path.display().to_string()
}

/// A step's command line as owned words (its JSON record and the transcript keep them).
fn argv<const N: usize>(words: [&str; N]) -> Vec<String> {
    words.iter().map(|w| (*w).to_owned()).collect()
}

fn run_step(title: &'static str, argv: Vec<String>) -> Step {
    Step {
        title,
        action: Action::Run {
            argv,
            expect: Exit::Ok,
        },
    }
}

/// The first custody: 3 custodians, 2 of 3, checked, drilled and restored in a drill.
fn first_custody(dir: &Path) -> Vec<Step> {
    let keys = dir.join("keys");
    let k = |i: usize| p(&keys.join(format!("custodian{i}.pem")));
    let c = |i: usize| p(&keys.join(format!("custodian{i}.cer")));
    let sd = p(&dir.join("demo-sd.json"));
    let ledger = p(&dir.join("ledger.jsonl"));
    let exchange = dir.join("exchange");
    let blob = p(&dir.join("restore-blob.json"));
    let secret = format!("demo-secret={}", p(&dir.join("secret.txt")));
    let mut list = vec![
        run_step(
            "keygen: 3 DEMO custodians (RSA-2048, UNENCRYPTED keys: demo only)",
            argv([
                "keygen",
                "--holders",
                "3",
                "--bits",
                "2048",
                "--no-passphrase",
                "--prefix",
                "custodian",
                "--subject",
                "CN=sdkit DEMO custodian {i}",
                "--out-dir",
                &p(&keys),
            ]),
        ),
        run_step(
            "split the sample secret 2-of-3 into a new security domain",
            argv([
                "split",
                "--in",
                &secret,
                "--cert",
                &c(1),
                "--cert",
                &c(2),
                "--cert",
                &c(3),
                "--quorum",
                "2",
                "--out",
                &sd,
            ]),
        ),
        run_step(
            "inspect it with the custodians' certificates (no keys)",
            argv([
                "inspect",
                &sd,
                "--cert",
                &c(1),
                "--cert",
                &c(2),
                "--cert",
                &c(3),
            ]),
        ),
    ];
    for i in 1..=3 {
        list.push(run_step(
            "a custodian checks their key alone",
            argv(["check", &sd, "--key", &k(i)]),
        ));
    }
    list.push(run_step(
        "drill with all 3 keys, recording share commitments in the ledger",
        argv([
            "drill",
            &sd,
            "--key",
            &k(1),
            "--key",
            &k(2),
            "--key",
            &k(3),
            "--ledger",
            &ledger,
        ]),
    ));
    for i in 1..=3 {
        list.push(run_step(
            "a custodian proves alone that their share is the one the drill recorded",
            argv(["check", &sd, "--key", &k(i), "--ledger", &ledger]),
        ));
    }
    list.extend([
        run_step(
            "verify the ledger's hash chain",
            argv(["ledger", "verify", &ledger]),
        ),
        run_step(
            "make a drill exchange key (stands in for a new HSM's)",
            argv(["exchange-key", "--out-dir", &p(&exchange)]),
        ),
        run_step(
            "build the restore blob with a quorum (custodians 1 and 3)",
            argv([
                "restore-blob",
                &sd,
                "--key",
                &k(1),
                "--key",
                &k(3),
                "--exchange-key",
                &p(&exchange.join("exchange.cer")),
                "--out",
                &blob,
            ]),
        ),
        run_step(
            "open the blob as the HSM would, writing the plaintexts",
            argv([
                "open-blob",
                &blob,
                "--exchange-private-key",
                &p(&exchange.join("exchange-key.pem")),
                "--out-dir",
                &p(&dir.join("opened")),
            ]),
        ),
        Step {
            title: "compare the opened secret with the original",
            action: Action::CompareSecret {
                opened: dir.join("opened").join("demo-secret.bin"),
            },
        },
    ]);
    list
}

/// The rotation (docs/CEREMONY.md, "Rotating custodians"): custodians 1 and 2 stay,
/// custodian 3 leaves, two newcomers join, and the quorum becomes 3 of 4.
fn rotation(dir: &Path) -> Vec<Step> {
    let keys = dir.join("keys");
    let k = |i: usize| p(&keys.join(format!("custodian{i}.pem")));
    let c = |i: usize| p(&keys.join(format!("custodian{i}.cer")));
    let nk = |i: usize| p(&keys.join(format!("newcomer{i}.pem")));
    let nc = |i: usize| p(&keys.join(format!("newcomer{i}.cer")));
    let old = p(&dir.join("demo-sd.json"));
    let new = p(&dir.join("demo-sd-rotated.json"));
    let old_drill = dir.join("old-drill.json");
    vec![
        run_step(
            "rotation: keygen for 2 DEMO newcomers (custodian 3 is leaving)",
            argv([
                "keygen",
                "--holders",
                "2",
                "--bits",
                "2048",
                "--no-passphrase",
                "--prefix",
                "newcomer",
                "--subject",
                "CN=sdkit DEMO newcomer {i}",
                "--out-dir",
                &p(&keys),
            ]),
        ),
        Step {
            title: "the old quorum (custodians 1 and 2) drills the old SD and keeps its JSON report",
            action: Action::SaveJson {
                argv: argv(["drill", &old, "--key", &k(1), "--key", &k(2)]),
                to: old_drill.clone(),
            },
        },
        run_step(
            "reshare 3-of-4 to custodians 1 and 2 and the newcomers, opened by custodians 1 and 2",
            argv([
                "reshare",
                &old,
                "--key",
                &k(1),
                "--key",
                &k(2),
                "--cert",
                &c(1),
                "--cert",
                &c(2),
                "--cert",
                &nc(1),
                "--cert",
                &nc(2),
                "--quorum",
                "3",
                "--out",
                &new,
            ]),
        ),
        run_step(
            "a new quorum (custodian 2 and the newcomers) drills the new SD against the old report",
            argv([
                "drill",
                &new,
                "--key",
                &k(2),
                "--key",
                &nk(1),
                "--key",
                &nk(2),
                "--same-contents-as",
                &p(&old_drill),
            ]),
        ),
        Step {
            title: "the leaving custodian's key opens nothing in the new SD (exit 1 expected)",
            action: Action::Run {
                argv: argv(["check", &new, "--key", &k(3)]),
                expect: Exit::CheckFailed,
            },
        },
    ]
}

fn steps(dir: &Path, force: bool) -> Vec<Step> {
    let mut list = first_custody(dir);
    list.extend(rotation(dir));
    list.push(run_step(
        "verify the transcript of every step",
        argv(["transcript", "verify", &p(&dir.join("transcript.jsonl"))]),
    ));
    if force {
        for s in &mut list {
            if let Action::Run { argv, .. } = &mut s.action {
                if matches!(
                    argv[0].as_str(),
                    "keygen" | "split" | "exchange-key" | "restore-blob" | "open-blob" | "reshare"
                ) {
                    argv.push("--force".into());
                }
            }
        }
    }
    list
}

/// How a demo step runs: `app::run`, the path every user command takes (parse, dispatch,
/// transcript). Passed in by the caller so that this module does not import `app`, which
/// dispatches to it.
pub type RunCommand = fn(&Cli, &[String]) -> Exit;

/// What running one step gave: the line shown under it, and its JSON record.
struct Outcome {
    ok: bool,
    said: String,
    record: Value,
}

fn verdict(ok: bool) -> String {
    if ok { "ok" } else { "FAILED" }.to_owned()
}

/// Runs a command line in this process, as `main` would.
fn run_in_process(argv: &[String], expect: Exit, n: usize, run_command: RunCommand) -> Outcome {
    let code = match Cli::try_parse_from(argv) {
        Ok(cli) => run_command(&cli, argv),
        Err(e) => {
            eprintln!("demo step {n} could not be parsed: {e}");
            Exit::Usage
        }
    };
    let ok = code == expect;
    let said = match (ok, expect) {
        (true, Exit::Ok) | (false, _) => verdict(ok),
        (true, _) => format!("ok: refused (exit {}), as it must be", code as u8),
    };
    Outcome {
        ok,
        said,
        record: json!({ "command": argv, "exit_code": code as u8, "ok": ok }),
    }
}

/// Runs `argv` (without the program name) as a child process of this binary and saves its
/// stdout to `to`.
fn save_json(argv: &[String], to: &Path, n: usize, force: bool) -> Outcome {
    let child = std::env::current_exe().and_then(|exe| {
        let mut cmd = Command::new(exe);
        // The transcript records argv as given; name the program as the other steps do.
        #[cfg(unix)]
        std::os::unix::process::CommandExt::arg0(&mut cmd, "sdkit");
        cmd.args(argv)
            .stdin(Stdio::null())
            .stderr(Stdio::inherit())
            .output()
    });
    let (code, saved) = match child {
        Ok(o) => {
            let code = o.status.code();
            let saved = code == Some(0)
                && write_all_atomic(
                    &[OutFile {
                        path: to.to_owned(),
                        bytes: &o.stdout,
                        secret: false,
                    }],
                    force,
                )
                .map_err(|e| eprintln!("demo step {n}: {e}"))
                .is_ok();
            (code, saved)
        }
        Err(e) => {
            eprintln!("demo step {n} could not start sdkit: {e}");
            (None, false)
        }
    };
    let mut command = vec!["sdkit".to_owned()];
    command.extend(argv.iter().cloned());
    Outcome {
        ok: saved,
        said: if saved {
            format!("ok: saved {}", to.display())
        } else {
            verdict(false)
        },
        record: json!({ "command": command, "exit_code": code, "saved_to": p(to), "ok": saved }),
    }
}

fn compare_secret(opened: &Path) -> Outcome {
    let same = std::fs::read(opened).is_ok_and(|b| b == SAMPLE_SECRET);
    Outcome {
        ok: same,
        said: if same {
            "ok: identical".to_owned()
        } else {
            "FAILED: they differ".to_owned()
        },
        record: json!({ "ok": same }),
    }
}

/// Runs `demo`, each step through `run_command`.
pub fn run(args: &DemoArgs, out: Output, run_command: RunCommand) -> Result<Exit, CliError> {
    let dir = &args.dir;
    if !args.force && std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_some()) {
        return Err(CliError::output(dir, "exists and is not empty")
            .hint("choose another --dir, or pass --force to redo the demo there"));
    }
    ensure_dir(dir)?;
    let transcript = p(&dir.join("transcript.jsonl"));
    if args.force {
        // A fresh transcript and ledger for a fresh run.
        let _ = std::fs::remove_file(&transcript);
        let _ = std::fs::remove_file(dir.join("ledger.jsonl"));
    }
    write_all_atomic(
        &[OutFile {
            path: dir.join("secret.txt"),
            bytes: SAMPLE_SECRET,
            secret: true,
        }],
        args.force,
    )?;
    let say = |s: String| {
        if !out.json && !out.quiet {
            println!("{s}");
        }
    };
    say(format!(
        "sdkit demo in {} (throw-away DEMO keys; never use them for real data)\n",
        dir.display()
    ));
    let mut results = Vec::new();
    let mut all_ok = true;
    let list = steps(dir, args.force);
    for (i, step) in list.iter().enumerate() {
        let n = i + 1;
        let shown = match &step.action {
            Action::Run { argv, .. } => format!("\n        $ {}", argv.join(" ")),
            Action::SaveJson { argv, to } => {
                format!("\n        $ --json {} > {}", argv.join(" "), to.display())
            }
            Action::CompareSecret { .. } => String::new(),
        };
        say(format!("[{n:>2}/{}] {}{shown}", list.len(), step.title));
        let outcome = match &step.action {
            Action::Run { argv, expect } => {
                let mut full = vec![
                    "sdkit".to_owned(),
                    "--quiet".to_owned(),
                    "--transcript".to_owned(),
                    transcript.clone(),
                ];
                full.extend(argv.iter().cloned());
                run_in_process(&full, *expect, n, run_command)
            }
            Action::SaveJson { argv, to } => {
                let mut full = vec![
                    "--json".to_owned(),
                    "--transcript".to_owned(),
                    transcript.clone(),
                ];
                full.extend(argv.iter().cloned());
                save_json(&full, to, n, args.force)
            }
            Action::CompareSecret { opened } => compare_secret(opened),
        };
        say(format!("        {}", outcome.said));
        let mut record = json!({ "step": n, "title": step.title });
        if let (Some(r), Value::Object(o)) = (record.as_object_mut(), outcome.record) {
            r.extend(o);
        }
        results.push(record);
        all_ok &= outcome.ok;
        if !outcome.ok {
            break;
        }
    }
    let text = if all_ok {
        format!(
            "\nOK: every step held. Files are in {}:\n  keys/          the demo custodians' and newcomers' keys and certificates\n  demo-sd.json   the 2-of-3 security domain\n  ledger.jsonl   the drill ledger\n  restore-blob.json, opened/   the restore drill\n  old-drill.json   the old quorum's drill report of demo-sd.json (its content digests)\n  demo-sd-rotated.json   the same secret, 3-of-4: custodians 1 and 2 and the newcomers\n  transcript.jsonl   the ceremony transcript (try: sdkit transcript render {})\n",
            dir.display(),
            transcript
        )
    } else {
        "\nDEMO FAILED: see the step above.\n".to_owned()
    };
    out.emit(
        json!({ "command": "demo", "dir": p(dir), "steps": results, "ok": all_ok }),
        &text,
    );
    Ok(if all_ok { Exit::Ok } else { Exit::CheckFailed })
}
