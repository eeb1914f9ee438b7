//! The `pagetree` command line as a library: argument parsing, the commands, and the few entry
//! points the Python extension (`crates/python`) calls, so that the binary, `pagetree.convert`
//! and the Dask path all run the same code. Not a stable API: the library crates
//! (`pagetree-model`, `pagetree-convert`) are the Rust API.

mod args;
mod cmd;
pub mod embed;
mod inplace;
mod input;
mod inputs;
mod manifest;
mod output;
mod render;
mod spool;

use std::ffi::OsString;

use clap::Parser;

use args::{Cli, Command};

/// How a command ended, when it did not fail outright.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Everything was processed.
    Ok,
    /// Some inputs failed (their errors were printed) or a requested check failed.
    Partial,
}

/// Where `--jobs` threads come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pool {
    /// The global rayon pool, built once (the binary: one command per process).
    Global,
    /// A pool of its own for this call (a host process that runs many commands, such as the
    /// Python extension, where the global pool may already be built).
    PerCall,
}

/// Runs one command line (`argv[0]` is the program name) and returns the exit code: 0 ok, 1
/// some inputs failed, 2 usage or fatal error. Messages go to standard error as the binary
/// prints them.
pub fn run<I, T>(argv: I, pool: Pool) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(argv) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => 0,
                _ => 2,
            };
        }
    };
    let result = match (cli.jobs, pool) {
        (None, _) => dispatch(&cli.command),
        (Some(n), Pool::Global) => {
            // The thread pool is set once, here; the libraries never build their own.
            if let Err(e) = rayon::ThreadPoolBuilder::new()
                .num_threads(n.max(1))
                .build_global()
            {
                eprintln!("error: cannot start {n} worker threads: {e}");
                return 2;
            }
            dispatch(&cli.command)
        }
        (Some(n), Pool::PerCall) => {
            match rayon::ThreadPoolBuilder::new()
                .num_threads(n.max(1))
                .build()
            {
                Ok(p) => p.install(|| dispatch(&cli.command)),
                Err(e) => {
                    eprintln!("error: cannot start {n} worker threads: {e}");
                    return 2;
                }
            }
        }
    };
    match result {
        Ok(Outcome::Ok) => 0,
        Ok(Outcome::Partial) => 1,
        Err(e) if is_broken_pipe(&e) => 0,
        Err(e) => {
            eprintln!("error: {e:#}");
            2
        }
    }
}

fn dispatch(command: &Command) -> anyhow::Result<Outcome> {
    match command {
        Command::Inspect(a) => cmd::inspect::run(a),
        Command::Tables(a) => cmd::tables::run(a),
        Command::Elements(a) => cmd::elements::run(a),
        Command::Convert(a) => cmd::convert::run(a),
        Command::Chunks(a) => cmd::chunks::run(a),
        Command::Markdown(a) => cmd::markdown::run(a),
        Command::Text(a) => cmd::text::run(a),
        Command::Quality(a) => cmd::quality::run(a),
        Command::View(a) => cmd::view::run(a),
        Command::Extract(a) => cmd::extract::run(a),
        Command::Jobs(a) => cmd::jobs::run(a),
        Command::Audit(a) => cmd::audit::run(a),
    }
}

/// A closed pipe (`pagetree ... | head`) is not an error.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn verify_cli() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
