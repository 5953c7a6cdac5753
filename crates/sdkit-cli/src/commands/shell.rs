//! `sdkit completions` and `sdkit man`: fitting into the shell and its habits.

use crate::cli::{Cli, CompletionsArgs, ManArgs};
use crate::error::{CliError, Exit};
use crate::io::{OutFile, ensure_dir, write_all_atomic};
use crate::render::Output;
use clap::CommandFactory;
use serde_json::json;

/// Prints a completion script for the shell.
pub fn completions(args: &CompletionsArgs) -> Result<Exit, CliError> {
    let mut cmd = Cli::command();
    clap_complete::generate(args.shell, &mut cmd, "sdkit", &mut std::io::stdout());
    Ok(Exit::Ok)
}

/// Man pages for `sdkit` and each command, as `(file name, roff text)`.
pub fn pages() -> Result<Vec<(String, Vec<u8>)>, CliError> {
    let root = Cli::command();
    let mut out = Vec::new();
    let render = |cmd: clap::Command| -> Result<Vec<u8>, CliError> {
        let mut buf = Vec::new();
        clap_mangen::Man::new(cmd)
            .render(&mut buf)
            .map_err(|e| CliError::new(Exit::Output, format!("cannot render a man page: {e}")))?;
        Ok(buf)
    };
    out.push(("sdkit.1".to_owned(), render(root.clone())?));
    for sub in root.get_subcommands() {
        let name = format!("sdkit-{}", sub.get_name());
        out.push((format!("{name}.1"), render(sub.clone().name(name.clone()))?));
    }
    Ok(out)
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
        &json!({ "command": "man", "out_dir": args.out_dir.display().to_string(), "pages": names, "ok": true }),
        &format!("Wrote {} man pages to {}\n", names.len(), args.out_dir.display()),
    );
    Ok(Exit::Ok)
}
