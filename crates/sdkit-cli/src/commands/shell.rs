//! `sdkit completions` and `sdkit man`: fitting into the shell and its habits.

use crate::cli::{Cli, CompletionsArgs, ManArgs};
use crate::error::{CliError, Exit};
use crate::io::{OutFile, ensure_dir, write_all_atomic};
use crate::render::Output;
use crate::render::ShowPath;
use clap::CommandFactory;
use serde_json::json;

/// Prints a completion script for the shell.
pub fn completions(args: &CompletionsArgs) -> Result<Exit, CliError> {
    let mut cmd = Cli::command();
    clap_complete::generate(args.shell, &mut cmd, "sdkit", &mut std::io::stdout());
    Ok(Exit::Ok)
}

/// Man pages for `sdkit` and every command at every depth (`sdkit-ledger-verify.1`), as
/// `(file name, roff text)`. The tree is built first, so each page lists the global options
/// (`--json`, `--quiet`, `--transcript`) with the command's own.
pub fn pages() -> Result<Vec<(String, Vec<u8>)>, CliError> {
    let mut root = Cli::command();
    root.build();
    let mut out = Vec::new();
    add_pages(&root, "sdkit", &mut out)?;
    Ok(out)
}

fn add_pages(
    cmd: &clap::Command,
    name: &str,
    out: &mut Vec<(String, Vec<u8>)>,
) -> Result<(), CliError> {
    let mut buf = Vec::new();
    clap_mangen::Man::new(cmd.clone().name(name.to_owned()))
        .render(&mut buf)
        .map_err(|e| CliError::new(Exit::Output, format!("cannot render a man page: {e}")))?;
    out.push((format!("{name}.1"), buf));
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        add_pages(sub, &format!("{name}-{}", sub.get_name()), out)?;
    }
    Ok(())
}

/// Writes the man pages.
pub fn man(args: &ManArgs, out: Output) -> Result<Exit, CliError> {
    let pages = pages()?;
    ensure_dir(&args.out_dir)?;
    let files: Vec<OutFile<'_>> = pages
        .iter()
        .map(|(name, bytes)| OutFile {
            path: args.out_dir.join(name),
            bytes,
            secret: false,
        })
        .collect();
    write_all_atomic(&files, args.force)?;
    let names: Vec<&str> = pages.iter().map(|(n, _)| n.as_str()).collect();
    out.emit(
        json!({ "command": "man", "out_dir": args.out_dir.shown().to_string(), "pages": names, "ok": true }),
        &format!("Wrote {} man pages to {}\n", names.len(), args.out_dir.shown()),
    );
    Ok(Exit::Ok)
}
