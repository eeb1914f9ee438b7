//! `--color auto|always|never`: whether the `error:`, `warning:`, `note:` and `fail:` labels
//! of standard error lines are coloured, decided once per command line, with the rules clap
//! applies to its own help and usage (so both always agree).

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use crate::args::ColorArg;

/// Whether labels are coloured in this command run.
static ON: AtomicBool = AtomicBool::new(false);

/// What `--color` asks for, with `auto` settled as anstream (clap's output) settles it:
/// `NO_COLOR` set to anything but the empty string means never; else `CLICOLOR_FORCE` set to
/// anything but `0` or empty means always; else colour only on a terminal that is not `dumb`.
pub fn decide(arg: ColorArg, terminal: bool) -> bool {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    match arg {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto if set("NO_COLOR") => false,
        ColorArg::Auto
            if set("CLICOLOR_FORCE")
                && std::env::var_os("CLICOLOR_FORCE").is_some_and(|v| v != "0") =>
        {
            true
        }
        ColorArg::Auto => terminal && std::env::var_os("TERM").is_none_or(|t| t != "dumb"),
    }
}

/// clap's setting for `arg` (`auto` is left to clap, which applies the same rules).
pub fn for_clap(arg: ColorArg) -> clap::ColorChoice {
    match arg {
        ColorArg::Auto => clap::ColorChoice::Auto,
        ColorArg::Always => clap::ColorChoice::Always,
        ColorArg::Never => clap::ColorChoice::Never,
    }
}

/// Sets colouring of standard error's labels for this run.
pub fn set(arg: ColorArg) {
    ON.store(
        decide(arg, std::io::stderr().is_terminal()),
        Ordering::Relaxed,
    );
}

/// `--color` as written in `argv` (the last one wins, as clap takes it), read before parsing
/// so that clap's own messages about the arguments are coloured as asked too.
pub fn from_argv<T: AsRef<std::ffi::OsStr>>(argv: &[T]) -> ColorArg {
    let mut choice = ColorArg::Auto;
    let mut args = argv.iter().skip(1).map(|a| a.as_ref().to_string_lossy());
    while let Some(a) = args.next() {
        let value = match a.strip_prefix("--color") {
            _ if a == "--" => break,
            Some("") => args.next().map(|v| v.into_owned()),
            Some(rest) => rest.strip_prefix('=').map(str::to_owned),
            None => None,
        };
        choice = match value.as_deref() {
            Some("always") => ColorArg::Always,
            Some("never") => ColorArg::Never,
            Some("auto") => ColorArg::Auto,
            _ => choice,
        };
    }
    choice
}

/// Writes one line to standard error, its label coloured when this run colours: what the
/// crate's `eprintln!` does (see `lib.rs`).
pub fn eprint_line(args: std::fmt::Arguments<'_>) {
    let line = args.to_string();
    let mut err = std::io::stderr().lock();
    if ON.load(Ordering::Relaxed) {
        for (label, style) in LABELS {
            if let Some(rest) = line.strip_prefix(label).and_then(|r| r.strip_prefix(':')) {
                let _ = writeln!(err, "{style}{label}\x1b[0m:{rest}");
                return;
            }
        }
    }
    let _ = writeln!(err, "{line}");
}

/// Labels and their colours, as rustc and cargo colour them (bold red errors, bold yellow
/// warnings; notes bold cyan; a failed check bold red).
const LABELS: [(&str, &str); 4] = [
    ("error", "\x1b[1;31m"),
    ("warning", "\x1b[1;33m"),
    ("note", "\x1b[1;36m"),
    ("fail", "\x1b[1;31m"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn color_is_read_from_the_command_line() {
        let argv = |s: &str| s.split(' ').map(str::to_owned).collect::<Vec<_>>();
        assert_eq!(from_argv(&argv("pagetree markdown a.json")), ColorArg::Auto);
        assert_eq!(
            from_argv(&argv("pagetree --color never markdown")),
            ColorArg::Never
        );
        assert_eq!(
            from_argv(&argv("pagetree markdown --color=always x")),
            ColorArg::Always
        );
        assert_eq!(
            from_argv(&argv("pagetree --color=never markdown --color always")),
            ColorArg::Always
        );
        // After `--`, it is a file name.
        assert_eq!(
            from_argv(&argv("pagetree markdown -- --color=always")),
            ColorArg::Auto
        );
    }
}
