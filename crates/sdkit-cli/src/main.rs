//! `sdkit`: wiring only. Parse arguments, run the command, exit with its code.
#![forbid(unsafe_code)]

mod app;
mod chain_file;
mod cli;
mod commands;
mod error;
mod head;
mod html;
mod hygiene;
mod io;
mod keys;
mod render;
mod token_keys;
mod transcript;
mod version;

use clap::Parser;
use cli::Cli;
use error::Exit;

fn main() -> std::process::ExitCode {
    app::harden_process();
    // The main thread is one of rayon's threads instead of sleeping while they work, so
    // the pool starts one thread fewer, here, not in the middle of the first loop
    // (docs/DESIGN.md, "Parallelism"). If it cannot be built (no thread can be started;
    // nothing builds a pool before this line), rayon's default pool starts at the first loop.
    let _ = rayon::ThreadPoolBuilder::new()
        .use_current_thread()
        .build_global();
    // A FIPS build runs only on a module in FIPS mode (its self-tests passed), checked, not
    // assumed; other builds claim nothing and pass (docs/SECURITY.md, "FIPS").
    if let Err(e) = sdkit_certs::check_fips_mode() {
        eprintln!("sdkit: {e}");
        return std::process::ExitCode::from(Exit::Crypto as u8);
    }
    let argv: Vec<String> = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let cli = match Cli::try_parse_from(&argv) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            if !e.use_stderr() {
                return std::process::ExitCode::from(Exit::Ok as u8); // --help, --version
            }
            // With --json, a bad command line is one JSON document on stdout as well, like
            // every other failure (docs/JSON.md); clap's own text stays on stderr.
            if argv
                .iter()
                .take_while(|a| *a != "--")
                .any(|a| a == "--json")
            {
                usage_error_json(&e);
            }
            return std::process::ExitCode::from(Exit::Usage as u8);
        }
    };
    // An interrupted command must not leave a partial file: io removes in-flight temporaries
    // on Ctrl-C (it installs that handler when a command first stages a file).
    std::process::ExitCode::from(app::run(&cli, &argv) as u8)
}

/// `{ "ok": false, "error": { "kind": "usage", ... } }` for a command line clap
/// refused: its first paragraph as the message, `--help` as what to do.
fn usage_error_json(e: &clap::Error) {
    let text = e.to_string();
    let message = text
        .lines()
        .take_while(|l| !l.trim().is_empty())
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ");
    let message = message
        .strip_prefix("error: ")
        .unwrap_or(&message)
        .to_owned();
    let error = error::CliError::usage(message).hint("see the command's --help");
    render::Output::new(true, false).emit(
        serde_json::json!({ "ok": false, "error": error.json() }),
        "",
    );
}
