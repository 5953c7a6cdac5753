//! `sdkit demo`: a complete rehearsal on throw-away keys, run through the same code paths as
//! the real commands (each step is parsed from a command line and recorded in a transcript),
//! so a newcomer sees the whole ceremony work end to end.

use crate::cli::{Cli, DemoArgs};
use crate::error::{CliError, Exit};
use crate::io::{OutFile, ensure_dir, write_all_atomic};
use crate::render::Output;
use clap::Parser;
use serde_json::json;
use std::path::Path;

/// The sample secret the demo protects.
const SAMPLE_SECRET: &[u8] =
    b"sdkit demo secret: not a real key. Any 2 of the 3 demo custodians can recover this line.\n";

struct Step {
    title: &'static str,
    argv: Vec<String>,
}

fn p(path: &Path) -> String {
    path.display().to_string()
}

fn steps(dir: &Path, force: bool) -> Vec<Step> {
    let keys = dir.join("keys");
    let k = |i: usize| p(&keys.join(format!("custodian{i}.pem")));
    let c = |i: usize| p(&keys.join(format!("custodian{i}.cer")));
    let sd = p(&dir.join("demo-sd.json"));
    let ledger = p(&dir.join("ledger.jsonl"));
    let exchange = dir.join("exchange");
    let blob = p(&dir.join("restore-blob.json"));
    let mut list = vec![
        Step {
            title: "keygen: 3 DEMO custodians (RSA-2048, UNENCRYPTED keys: demo only)",
            argv: vec![
                "keygen".into(),
                "--holders".into(),
                "3".into(),
                "--bits".into(),
                "2048".into(),
                "--no-passphrase".into(),
                "--prefix".into(),
                "custodian".into(),
                "--subject".into(),
                "CN=sdkit DEMO custodian {i}".into(),
                "--out-dir".into(),
                p(&keys),
            ],
        },
        Step {
            title: "split the sample secret 2-of-3 into a new security domain",
            argv: vec![
                "split".into(),
                "--in".into(),
                format!("demo-secret={}", p(&dir.join("secret.txt"))),
                "--cert".into(),
                c(1),
                "--cert".into(),
                c(2),
                "--cert".into(),
                c(3),
                "--quorum".into(),
                "2".into(),
                "--out".into(),
                sd.clone(),
            ],
        },
        Step {
            title: "inspect it with the custodians' certificates (no keys)",
            argv: vec![
                "inspect".into(),
                sd.clone(),
                "--cert".into(),
                c(1),
                "--cert".into(),
                c(2),
                "--cert".into(),
                c(3),
            ],
        },
    ];
    for i in 1..=3 {
        list.push(Step {
            title: "a custodian checks their key alone",
            argv: vec!["check".into(), sd.clone(), "--key".into(), k(i)],
        });
    }
    list.push(Step {
        title: "drill with all 3 keys, recording share commitments in the ledger",
        argv: vec![
            "drill".into(),
            sd.clone(),
            "--key".into(),
            k(1),
            "--key".into(),
            k(2),
            "--key".into(),
            k(3),
            "--ledger".into(),
            ledger.clone(),
        ],
    });
    for i in 1..=3 {
        list.push(Step {
            title: "a custodian proves alone that their share is the one the drill recorded",
            argv: vec![
                "check".into(),
                sd.clone(),
                "--key".into(),
                k(i),
                "--ledger".into(),
                ledger.clone(),
            ],
        });
    }
    list.extend([
        Step {
            title: "verify the ledger's hash chain",
            argv: vec!["ledger".into(), "verify".into(), ledger],
        },
        Step {
            title: "make a drill exchange key (stands in for a new HSM's)",
            argv: vec!["exchange-key".into(), "--out-dir".into(), p(&exchange)],
        },
        Step {
            title: "build the restore blob with a quorum (custodians 1 and 3)",
            argv: vec![
                "restore-blob".into(),
                sd,
                "--key".into(),
                k(1),
                "--key".into(),
                k(3),
                "--exchange-key".into(),
                p(&exchange.join("exchange.cer")),
                "--out".into(),
                blob.clone(),
            ],
        },
        Step {
            title: "open the blob as the HSM would, writing the plaintexts",
            argv: vec![
                "open-blob".into(),
                blob,
                "--exchange-private-key".into(),
                p(&exchange.join("exchange-key.pem")),
                "--out-dir".into(),
                p(&dir.join("opened")),
            ],
        },
    ]);
    if force {
        for s in &mut list {
            if matches!(
                s.argv[0].as_str(),
                "keygen" | "split" | "exchange-key" | "restore-blob" | "open-blob"
            ) {
                s.argv.push("--force".into());
            }
        }
    }
    list
}

/// How a demo step runs: `app::run`, the path every user command takes (parse, dispatch,
/// transcript). Passed in by the caller so that this module does not import `app`, which
/// dispatches to it.
pub type RunCommand = fn(&Cli, &[String]) -> Exit;

/// Runs `demo`, each step through `run_command`.
pub fn run(args: &DemoArgs, out: Output, run_command: RunCommand) -> Result<Exit, CliError> {
    let dir = &args.dir;
    if !args.force && std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_some()) {
        return Err(CliError::output(dir, "exists and is not empty")
            .hint("choose another --dir, or pass --force to redo the demo there"));
    }
    ensure_dir(dir)?;
    let transcript = dir.join("transcript.jsonl");
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
    for (n, step) in list.iter().enumerate() {
        let mut argv = vec![
            "sdkit".to_owned(),
            "--quiet".to_owned(),
            "--transcript".to_owned(),
            p(&transcript),
        ];
        argv.extend(step.argv.iter().cloned());
        say(format!(
            "[{:>2}/{}] {}\n        $ {}",
            n + 1,
            list.len() + 2,
            step.title,
            argv[4..].join(" ")
        ));
        let code = match Cli::try_parse_from(&argv) {
            Ok(cli) => run_command(&cli, &argv),
            Err(e) => {
                eprintln!("demo step {} could not be parsed: {e}", n + 1);
                Exit::Usage
            }
        };
        let ok = code == Exit::Ok;
        all_ok &= ok;
        say(format!("        {}", if ok { "ok" } else { "FAILED" }));
        results.push(json!({ "step": n + 1, "title": step.title, "command": argv, "exit_code": code as u8, "ok": ok }));
        if !ok {
            break;
        }
    }
    if all_ok {
        let opened = std::fs::read(dir.join("opened").join("demo-secret.bin")).unwrap_or_default();
        let same = opened == SAMPLE_SECRET;
        all_ok &= same;
        say(format!(
            "[{:>2}/{}] compare the opened secret with the original\n        {}",
            list.len() + 1,
            list.len() + 2,
            if same {
                "ok: identical"
            } else {
                "FAILED: they differ"
            }
        ));
        results.push(json!({ "step": list.len() + 1, "title": "compare the opened secret with the original", "ok": same }));
    }
    if all_ok {
        let argv: Vec<String> = ["sdkit", "--quiet", "transcript", "verify"]
            .iter()
            .map(|s| (*s).to_owned())
            .chain([p(&transcript)])
            .collect();
        say(format!(
            "[{:>2}/{}] verify the transcript of every step\n        $ {}",
            list.len() + 2,
            list.len() + 2,
            argv[2..].join(" ")
        ));
        let code = Cli::try_parse_from(&argv).map_or(Exit::Usage, |cli| run_command(&cli, &argv));
        all_ok &= code == Exit::Ok;
        say(format!(
            "        {}",
            if code == Exit::Ok { "ok" } else { "FAILED" }
        ));
        results.push(json!({ "step": list.len() + 2, "title": "verify the transcript", "exit_code": code as u8, "ok": code == Exit::Ok }));
    }
    let text = if all_ok {
        format!(
            "\nOK: every step held. Files are in {}:\n  keys/          the demo custodians' keys and certificates\n  demo-sd.json   the 2-of-3 security domain\n  ledger.jsonl   the drill ledger\n  restore-blob.json, opened/   the restore drill\n  transcript.jsonl   the ceremony transcript (try: sdkit transcript render {})\n",
            dir.display(),
            p(&transcript)
        )
    } else {
        "\nDEMO FAILED: see the step above.\n".to_owned()
    };
    out.emit(
        &json!({ "command": "demo", "dir": p(dir), "steps": results, "ok": all_ok }),
        &text,
    );
    Ok(if all_ok { Exit::Ok } else { Exit::CheckFailed })
}
