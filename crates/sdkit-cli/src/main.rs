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
            let code = if e.use_stderr() {
                Exit::Usage
            } else {
                Exit::Ok
            };
            return std::process::ExitCode::from(code as u8);
        }
    };
    // An interrupted command must not leave a partial file: io removes in-flight temporaries
    // on Ctrl-C (it installs that handler when a command first stages a file).
    std::process::ExitCode::from(app::run(&cli, &argv) as u8)
}
