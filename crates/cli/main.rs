//! The `pagetree` command line: parse arguments, run one command, map the outcome to an exit
//! code (0 ok, 1 some inputs failed, 2 usage or fatal error).

mod args;
mod cmd;
mod inplace;
mod input;
mod inputs;
mod manifest;
mod output;
mod render;
mod spool;

use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command};

/// mimalloc instead of glibc's malloc: a batch of pages is parsed on some threads and freed on
/// another while the next batch is parsed and rendered, which glibc serialises on arena locks;
/// mimalloc frees across threads without them (markdown of a 310 MB response ~20% faster).
/// Built without transparent huge pages, which kept ~25 MiB more resident for no speed.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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

fn main() -> ExitCode {
    let mut cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    ExitCode::SUCCESS
                }
                _ => ExitCode::from(2),
            };
        }
    };
    if let Err(name) = cli.command.default_to_stdin(!stdin_has_data()) {
        use clap::CommandFactory;
        let mut cmd = Cli::command();
        // Built, so usages carry the full name (`pagetree markdown`).
        cmd.build();
        let usage = cmd
            .find_subcommand_mut(&name)
            .map(|c| c.render_usage().to_string())
            .unwrap_or_default();
        eprintln!(
            "{usage}\n\nGive a file, or pipe a response in: `pagetree {name} response.json`, \
             `curl ... | pagetree {name}`. More with `pagetree {name} --help`."
        );
        return ExitCode::from(2);
    }
    if let Some(n) = cli.jobs {
        // The thread pool is set once, here; the libraries never build their own.
        if let Err(e) = rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build_global()
        {
            eprintln!("error: cannot start {n} worker threads: {e}");
            return ExitCode::from(2);
        }
    }
    let result = match &cli.command {
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
        Command::Man => cmd::completions::man(),
    };
    match result {
        Ok(Outcome::Ok) => ExitCode::SUCCESS,
        Ok(Outcome::Partial) => ExitCode::from(1),
        Ok(Outcome::Stopped) => ExitCode::from(2),
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
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
