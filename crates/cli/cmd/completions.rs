//! `pagetree completions SHELL` and `pagetree man`: generated from the argument definitions,
//! so they never drift from `--help`.

use std::io::Write;

use anyhow::Result;
use clap::CommandFactory;

use crate::Outcome;
use crate::args::{Cli, CompletionsArgs};

/// Prints the completion script for the shell.
pub fn completions(args: &CompletionsArgs) -> Result<Outcome> {
    let mut cmd = Cli::command();
    let mut out = std::io::stdout().lock();
    clap_complete::generate(args.shell, &mut cmd, "pagetree", &mut out);
    out.flush()?;
    Ok(Outcome::Ok)
}

/// Prints the manual page (its SUBCOMMANDS section lists each command; `pagetree CMD --help`
/// has their options).
pub fn man() -> Result<Outcome> {
    let mut out = std::io::stdout().lock();
    clap_mangen::Man::new(Cli::command()).render(&mut out)?;
    out.flush()?;
    Ok(Outcome::Ok)
}
