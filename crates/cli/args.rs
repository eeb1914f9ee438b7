//! Every command-line argument type, validated into library option structs by the commands.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Turn saved LlamaParse responses into markdown, CSV tables, bbox JSON, quality reports and
/// RAG chunks, offline.
///
/// Exit codes: 0 all inputs processed; 1 some inputs failed (each error is printed with its
/// file, JSON path, line and column) or a check failed; 2 usage error or fatal error.
#[derive(Debug, Parser)]
#[command(name = "pagetree", version, about, long_about)]
pub struct Cli {
    /// Worker threads (default: one per core). Output is identical for any value.
    #[arg(long, short = 'j', global = true, value_name = "N")]
    pub jobs: Option<usize>,

    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show what an input holds before converting it: shape, pages, failed pages, item counts,
    /// tables, parse concerns, unknown kinds and bounding-box problems.
    Inspect(InspectArgs),
}

/// `pagetree inspect`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// Input files (`-` reads standard input).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Print one JSON object per input (JSON Lines) instead of text.
    #[arg(long)]
    pub json: bool,
}
