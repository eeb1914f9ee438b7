//! `pagetree completions SHELL` and `pagetree man`: generated from the argument definitions,
//! so they never drift from `--help`.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result, bail};
use clap::CommandFactory;

use crate::Outcome;
use crate::args::{Cli, CompletionsArgs, ManArgs};
use crate::output::write_atomic;

/// Prints the completion script for the shell.
pub fn completions(args: &CompletionsArgs) -> Result<Outcome> {
    let mut cmd = Cli::command();
    let mut out = std::io::stdout().lock();
    clap_complete::generate(args.shell, &mut cmd, "pagetree", &mut out);
    out.flush()?;
    Ok(Outcome::Ok)
}

/// Prints one manual page (`pagetree`'s, whose SUBCOMMANDS section lists each command, or one
/// command's with all its options), or writes them all into `--dir`.
pub fn man(args: &ManArgs) -> Result<Outcome> {
    let pages = pages(args.command.as_deref())?;
    let Some(dir) = &args.dir else {
        let mut out = std::io::stdout().lock();
        // Without --dir, one page: the named command's, else the top-level one (the first).
        pages[0].render(&mut out)?;
        out.flush()?;
        return Ok(Outcome::Ok);
    };
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for page in &pages {
        write_page(page, dir)?;
    }
    eprintln!(
        "{} manual page{} → {}",
        pages.len(),
        if pages.len() == 1 { "" } else { "s" },
        dir.display()
    );
    Ok(Outcome::Ok)
}

/// The pages to generate: the named command's alone, else `pagetree`'s followed by one per
/// command. The command tree is built first, so each page carries its full name
/// (`pagetree-convert`, synopsis `pagetree convert ...`).
fn pages(command: Option<&str>) -> Result<Vec<clap_mangen::Man>> {
    let mut root = Cli::command().disable_help_subcommand(true);
    root.build();
    let subs: Vec<clap::Command> = root
        .get_subcommands()
        .filter(|c| !c.is_hide_set())
        // The page's header names the version, as `pagetree.1`'s does.
        .map(|c| c.clone().version(env!("CARGO_PKG_VERSION")))
        .collect();
    match command {
        Some(name) => match subs.into_iter().find(|c| c.get_name() == name) {
            Some(c) => Ok(vec![clap_mangen::Man::new(c)]),
            None => bail!(
                "no command {name:?}; the commands are: {}",
                root.get_subcommands()
                    .filter(|c| !c.is_hide_set())
                    .map(clap::Command::get_name)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        },
        None => Ok(std::iter::once(root.clone())
            .chain(subs)
            .map(clap_mangen::Man::new)
            .collect()),
    }
}

/// Writes a page as `DIR/<name>.1`, replacing any page there whole.
fn write_page(page: &clap_mangen::Man, dir: &Path) -> Result<()> {
    let path = dir.join(page.get_filename());
    let mut roff = Vec::new();
    page.render(&mut roff)?;
    write_atomic(&path, &roff).with_context(|| format!("cannot write {}", path.display()))
}
