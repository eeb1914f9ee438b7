//! The `pagetree` command line as a library: argument parsing, the commands, and the few entry
//! points the Python extension (`crates/python`) calls, so that the binary, `pagetree.convert`
//! and the Dask path all run the same code. Not a stable API: the library crates
//! (`pagetree-model`, `pagetree-convert`) are the Rust API.

/// Standard error lines: every `eprintln!` of the crate goes through [`color::eprint_line`],
/// which colours an `error:`, `warning:`, `note:` or `fail:` label when `--color` says so.
/// Shadowing the standard macro (defined before the modules, so they all see it) keeps the
/// hundreds of message sites as they are.
macro_rules! eprintln {
    ($($arg:tt)*) => {
        $crate::color::eprint_line(format_args!($($arg)*))
    };
}

mod args;
mod cmd;
mod color;
pub mod embed;
mod inplace;
mod input;
mod inputs;
mod manifest;
mod output;
mod render;
mod spool;

use std::ffi::OsString;

use args::{Cli, Command};

/// How a command ended, when it did not fail outright.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Everything was processed.
    Ok,
    /// Some inputs failed (their errors were printed) or a requested check failed.
    Partial,
    /// The run stopped, or could not write its output, for a reason already printed (a full
    /// disk, an output folder that cannot be written).
    Stopped,
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
/// some inputs failed, 2 usage or fatal error or a stopped run. Messages go to standard error
/// as the binary prints them. A command given no FILE reads standard input when it carries
/// data, else prints its short usage (exit 2).
pub fn run<I, T>(argv: I, pool: Pool) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    use clap::{CommandFactory, FromArgMatches};
    let argv: Vec<T> = argv.into_iter().collect();
    let color = color::from_argv(
        &argv
            .iter()
            .map(|a| a.clone().into())
            .collect::<Vec<OsString>>(),
    );
    color::set(color);
    let parsed = Cli::command()
        .color(color::for_clap(color))
        .try_get_matches_from(argv)
        .and_then(|m| Cli::from_arg_matches(&m));
    let mut cli = match parsed {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => 0,
                _ => 2,
            };
        }
    };
    if let Err(name) = cli.command.default_to_stdin(!stdin_has_data()) {
        short_usage(&name);
        return 2;
    }
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
        Ok(Outcome::Stopped) => 2,
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
        Command::Completions(a) => cmd::completions::completions(a),
        Command::Man(a) => cmd::completions::man(a),
    }
}

/// The short usage of subcommand `name`, printed when it was given no FILE and nothing is
/// piped in.
fn short_usage(name: &str) {
    use clap::CommandFactory;
    let mut cmd = Cli::command();
    // Built, so usages carry the full name (`pagetree markdown`).
    cmd.build();
    let usage = cmd
        .find_subcommand_mut(name)
        .map(|c| c.render_usage().to_string())
        .unwrap_or_default();
    eprintln!(
        "{usage}\n\nGive a file, or pipe a response in: `pagetree {name} response.json`, \
         `curl ... | pagetree {name}`. More with `pagetree {name} --help`."
    );
}

/// Whether standard input carries data to read when no FILE is named: a pipe, a non-empty
/// file or a socket, as ripgrep judges it; not a terminal, and not `/dev/null` (a program run
/// with no input at all).
fn stdin_has_data() -> bool {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        use std::os::unix::fs::FileTypeExt;
        let Ok(fd) = std::io::stdin().as_fd().try_clone_to_owned() else {
            return false;
        };
        // An empty file counts as nothing: `/dev/null` is one where it is not a device.
        std::fs::File::from(fd).metadata().is_ok_and(|m| {
            let t = m.file_type();
            t.is_fifo() || t.is_socket() || (t.is_file() && m.len() > 0)
        })
    }
    #[cfg(not(unix))]
    {
        !std::io::IsTerminal::is_terminal(&std::io::stdin())
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
