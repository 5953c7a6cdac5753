//! `sdkit`: wiring only. Parse arguments, run the command, print errors, exit with its code.
#![forbid(unsafe_code)]

mod cli;
mod commands;
mod error;
mod io;
mod keys;
mod render;

use clap::Parser;
use cli::{Cli, Command};
use error::Exit;
use render::Output;

fn main() -> std::process::ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return std::process::ExitCode::from(if e.use_stderr() {
                Exit::Usage as u8
            } else {
                Exit::Ok as u8
            });
        }
    };
    // An interrupted command must not leave a partial file: remove in-flight temporaries.
    let _ = ctrlc::set_handler(|| {
        io::remove_live_temps();
        std::process::exit(130);
    });
    let out = Output { json: cli.json };
    let result = match &cli.command {
        Command::Inspect(a) => commands::inspect::run(a, out),
        Command::Check(a) => commands::check::run(a, out),
        Command::Drill(a) => commands::drill::run(a, out),
        Command::Recover(a) => commands::recover::run(a, out),
        Command::Keygen(a) => commands::keygen::run(a, out),
        Command::ExchangeKey(a) => commands::keygen::run_exchange(a, out),
        Command::RestoreBlob(a) => commands::blob::run_restore(a, out),
        Command::OpenBlob(a) => commands::blob::run_open(a, out),
        Command::Split(a) => commands::split::run(a, out),
    };
    let code = match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("{e}");
            if out.json {
                println!(
                    "{}",
                    serde_json::json!({ "ok": false, "error": { "kind": e.exit.name(), "exit_code": e.exit as u8, "message": e.message, "hint": e.hint } })
                );
            }
            e.exit
        }
    };
    std::process::ExitCode::from(code as u8)
}
