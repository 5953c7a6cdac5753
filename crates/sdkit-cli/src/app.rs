//! Running one parsed command: dispatch, error printing, and the transcript record. Shared by
//! `main` and by `sdkit demo`, which runs its steps through the same path.

use crate::cli::{Cli, Command, TranscriptCommand};
use crate::commands;
use crate::error::{CliError, Exit};
use crate::render::ShowPath;
use crate::render::{Output, words};
use crate::transcript;

/// Process-wide precautions before any secret is handled: no core dumps (a crash must not
/// write keys or plaintexts to disk) and, on Linux, not dumpable (other processes of the same
/// user cannot ptrace it or read its memory through /proc).
pub fn harden_process() {
    #[cfg(unix)]
    {
        use rustix::process::{Resource, Rlimit, setrlimit};
        let _ = setrlimit(
            Resource::Core,
            Rlimit {
                current: Some(0),
                maximum: Some(0),
            },
        );
    }
    #[cfg(target_os = "linux")]
    {
        use rustix::process::{DumpableBehavior, set_dumpable_behavior};
        let _ = set_dumpable_behavior(DumpableBehavior::NotDumpable);
    }
}

fn dispatch(cmd: &Command, out: Output) -> Result<Exit, CliError> {
    // Commands whose job is to write files get the Ctrl-C clean-up from the start (key
    // generation and passphrase prompts come before their first file); the others get it
    // only if they stage a file (a ledger, a transcript), and otherwise start no thread.
    if matches!(
        cmd,
        Command::Recover(_)
            | Command::Keygen(_)
            | Command::ExchangeKey(_)
            | Command::RestoreBlob(_)
            | Command::OpenBlob(_)
            | Command::Split(_)
            | Command::Reshare(_)
            | Command::Demo(_)
    ) {
        crate::io::clean_up_on_interrupt();
    }
    match cmd {
        Command::Inspect(a) => commands::inspect::run(a, out),
        Command::Check(a) => commands::check::run(a, out),
        Command::Drill(a) => commands::drill::run(a, out),
        Command::Recover(a) => commands::recover::run(a, out),
        Command::Keygen(a) => commands::keygen::run(a, out),
        Command::ExchangeKey(a) => commands::keygen::run_exchange(a, out),
        Command::RestoreBlob(a) => commands::blob::run_restore(a, out),
        Command::OpenBlob(a) => commands::blob::run_open(a, out),
        Command::Split(a) => commands::split::run(a, out),
        Command::Reshare(a) => commands::reshare::run(a, out),
        Command::Review(a) => commands::review::run(a, out),
        Command::Custody(c) => commands::custody::run(c, out),
        Command::Tokens(a) => commands::tokens::run(a, out),
        Command::Ledger(c) => commands::ledger::run(c, out),
        Command::Transcript(c) => commands::transcript::run(c, out),
        Command::Demo(a) => commands::demo::run(a, out, run),
        Command::Completions(a) => commands::shell::completions(a),
        Command::Man(a) => commands::shell::man(a, out),
    }
}

/// Runs a parsed command line; prints its error, records it in the transcript if asked.
pub fn run(cli: &Cli, argv: &[String]) -> Exit {
    let out = Output::new(cli.json, cli.quiet);
    // Verifying or rendering a transcript does not write to one.
    let reads_transcript = matches!(
        cli.command,
        Command::Transcript(TranscriptCommand::Verify { .. } | TranscriptCommand::Render { .. })
    );
    let records_to = cli.transcript.as_deref().filter(|_| !reads_transcript);
    // Files touched are listed for the transcript only, from a clean list (demo runs several
    // commands in one process).
    crate::io::record_files(records_to.is_some());
    // A transcript that could not take this command's record fails the command before it
    // does anything: keys or plaintexts written without their record are worse than neither.
    crate::io::clear_reserved_logs();
    if let Some(Err(e)) = records_to.map(transcript::check_appendable) {
        out.emit_error(&e);
        return e.exit;
    }
    if let Some(path) = records_to {
        crate::io::reserve_log(path);
    }
    let result = dispatch(&cli.command, out);
    let (code, message) = match &result {
        Ok(code) => (*code, None),
        Err(e) => {
            out.emit_error(e);
            (e.exit, Some(e.message.clone()))
        }
    };
    match records_to {
        Some(path) => match transcript::append(path, argv, code, message.as_deref()) {
            Ok(hash) => {
                if !cli.quiet && !cli.json {
                    crate::render::eprint_wrapped(&format!(
                        "transcript: recorded in {}; head {} ({}): write it down",
                        path.shown(),
                        &hash.to_hex()[..16],
                        words(hash.as_bytes())
                    ));
                }
                code
            }
            Err(e) => {
                crate::render::eprint_wrapped(&e.to_string());
                if code == Exit::Ok { Exit::Output } else { code }
            }
        },
        None => code,
    }
}
