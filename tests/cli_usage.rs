//! The CLI fits a person's habits: standard input read when piped and no FILE is named, the
//! short usage on a terminal, completions and a man page, singular and plural.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::common::{pagetree, stderr, stdout, testdata};

fn piped(args: &[&str], input: &[u8]) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pagetree"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input)
        .expect("written");
    child.wait_with_output().expect("ends")
}

#[test]
fn with_no_file_piped_standard_input_is_read() {
    let fixture = std::fs::read(testdata().join("v2_full.json")).expect("fixture");
    let by_name = piped(&["markdown", "-"], &fixture);
    let by_default = piped(&["markdown"], &fixture);
    assert!(by_default.status.success(), "{}", stderr(&by_default));
    assert!(!by_default.stdout.is_empty());
    assert_eq!(by_default.stdout, by_name.stdout);
    for cmd in ["text", "inspect", "quality", "elements", "chunks"] {
        let o = piped(&[cmd], &fixture);
        assert!(o.status.success(), "{cmd}: {}", stderr(&o));
        assert!(!o.stdout.is_empty(), "{cmd}");
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("out");
    let o = piped(&["convert", "-o", out.to_str().unwrap()], &fixture);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(out.join("stdin/document.md").is_file());
    assert!(
        stderr(&o).contains("converted 1 of 1 input (1 document)"),
        "{}",
        stderr(&o)
    );
}

/// With no FILE and nothing piped in (here an empty file, as `/dev/null` or a terminal), the
/// short usage and exit 2, never a wait for input.
#[test]
fn with_no_file_and_nothing_piped_the_usage_is_printed() {
    let o = nothing_in(&["markdown"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("Usage: pagetree markdown"), "{err}");
    assert!(err.contains("pipe a response in"), "{err}");
}

#[test]
fn completions_and_man_page_are_generated() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let o = pagetree(&["completions", shell]);
        assert!(o.status.success(), "{shell}: {}", stderr(&o));
        assert!(stdout(&o).contains("convert"), "{shell}");
    }
    let o = pagetree(&["man"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let man = stdout(&o);
    assert!(
        man.starts_with(".ie") || man.contains(".TH pagetree"),
        "{man}"
    );
    assert!(man.contains("convert"), "{man}");
}

/// One page per command: printed by name, or all written into `--dir`; each names its command
/// and lists that command's own options.
#[test]
fn man_pages_per_command() {
    let o = pagetree(&["man", "convert"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let page = stdout(&o);
    assert!(page.contains(".TH pagetree-convert 1"), "{page}");
    assert!(page.contains("pagetree convert"), "{page}");
    assert!(page.contains("\\-\\-force"), "{page}");

    let dir = tempfile::tempdir().unwrap();
    let o = pagetree(&["man", "--dir", dir.path().to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).is_empty(), "status goes to standard error");
    assert!(stderr(&o).contains("manual pages"), "{}", stderr(&o));
    let top = std::fs::read_to_string(dir.path().join("pagetree.1")).unwrap();
    assert!(top.contains(".TH pagetree 1"), "{top}");
    for (command, option) in [
        ("markdown", "\\-\\-page\\-separator"),
        ("tables", "\\-\\-delimiter"),
        ("chunks", "\\-\\-max\\-tokens"),
        ("quality", "\\-\\-fail"),
        ("elements", "\\-\\-jsonl"),
        ("view", "\\-\\-page\\-images"),
        ("audit", "\\-\\-fail\\-on"),
    ] {
        let path = dir.path().join(format!("pagetree-{command}.1"));
        let page = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{command}: {e}"));
        assert!(
            page.contains(&format!(".TH pagetree-{command} 1")),
            "{page}"
        );
        assert!(page.contains(&format!("pagetree {command}")), "{page}");
        assert!(page.contains(option), "{command} lists {option}: {page}");
    }

    let o = pagetree(&["man", "nope"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("the commands are: inspect"),
        "{}",
        stderr(&o)
    );
}

/// `--help` reads as a few groups; `--per-page` is not offered where it is rejected; no default
/// is said twice.
#[test]
fn help_is_grouped_and_says_each_default_once() {
    let help = |cmd: &str| stdout(&pagetree(&[cmd, "--help"]));
    let convert = help("convert");
    for heading in [
        "Output:",
        "Performance:",
        "Tables:",
        "Pages and furniture:",
        "Rendering:",
    ] {
        assert!(
            convert.lines().any(|l| l == heading),
            "{heading} in {convert}"
        );
    }
    let markdown = help("markdown");
    assert!(markdown.contains("      --per-page"), "{markdown}");
    for cmd in ["chunks", "elements"] {
        let h = help(cmd);
        assert!(!h.contains("      --per-page"), "{cmd}: {h}");
    }
    for cmd in [
        "markdown", "text", "tables", "elements", "chunks", "quality", "convert",
    ] {
        let h = help(cmd);
        let lines: Vec<&str> = h.lines().map(str::trim).collect();
        for w in lines.windows(3) {
            if let Some(v) = w[0]
                .trim_end_matches('.')
                .strip_suffix(')')
                .and_then(|l| l.rsplit_once("(default: "))
            {
                assert!(
                    !w[1..].contains(&format!("[default: {}]", v.1).as_str()),
                    "{cmd}: default said twice: {w:?}"
                );
            }
        }
    }
}

/// Runs pagetree with an empty file as standard input: nothing piped in. (Not `/dev/null`,
/// which is not always a device.)
pub fn nothing_in(args: &[&str]) -> std::process::Output {
    let empty = tempfile::NamedTempFile::new().expect("temp file");
    Command::new(env!("CARGO_BIN_EXE_pagetree"))
        .args(args)
        .stdin(Stdio::from(empty.reopen().expect("reopened")))
        .output()
        .expect("runs")
}

/// A device or FIFO named by `-o` (or `--report`) is written to, never replaced: a rename over
/// `/dev/null` run as root would leave a regular file there, breaking the whole machine.
#[cfg(unix)]
#[test]
fn outputs_to_devices_and_fifos_are_written_in_place_not_replaced() {
    use std::os::unix::fs::FileTypeExt;
    let fixture = testdata().join("v2_full.json");
    let fixture = fixture.to_str().expect("utf-8 path");
    for stream in ["never", "always"] {
        let o = pagetree(&["markdown", fixture, "--stream", stream, "-o", "/dev/null"]);
        assert!(o.status.success(), "{stream}: {}", stderr(&o));
        let t = std::fs::metadata("/dev/null")
            .expect("/dev/null")
            .file_type();
        assert!(
            t.is_char_device(),
            "{stream}: /dev/null is no longer a device"
        );
    }

    let tmp = tempfile::tempdir().expect("tempdir");
    let fifo = tmp.path().join("fifo");
    let made = Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("note: mkfifo is not available; the FIFO case is not tested");
        return;
    }
    let expected = pagetree(&["markdown", fixture]);
    assert!(expected.status.success(), "{}", stderr(&expected));
    for stream in ["never", "always"] {
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read(fifo).expect("read the fifo"))
        };
        let o = pagetree(&[
            "markdown",
            fixture,
            "--stream",
            stream,
            "-o",
            fifo.to_str().expect("utf-8 path"),
        ]);
        assert!(o.status.success(), "{stream}: {}", stderr(&o));
        assert_eq!(reader.join().expect("reader"), expected.stdout, "{stream}");
        let t = std::fs::metadata(&fifo).expect("fifo").file_type();
        assert!(t.is_fifo(), "{stream}: the FIFO was replaced");
    }

    let out = tmp.path().join("out");
    let o = pagetree(&[
        "convert",
        fixture,
        "--output",
        out.to_str().expect("utf-8 path"),
        "--quiet",
        "--report",
        "/dev/null",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let t = std::fs::metadata("/dev/null")
        .expect("/dev/null")
        .file_type();
    assert!(
        t.is_char_device(),
        "--report: /dev/null is no longer a device"
    );
}

/// `--color auto|always|never` and `NO_COLOR` / `CLICOLOR_FORCE` colour clap's help and usage
/// and our own `error:` labels alike; the data is never coloured.
#[test]
fn color_follows_the_flag_and_the_environment() {
    use std::process::Command;
    let run = |args: &[&str], env: &[(&str, &str)]| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_pagetree"));
        c.args(args)
            .current_dir(crate::common::root())
            .env_remove("NO_COLOR")
            .env_remove("CLICOLOR_FORCE")
            .env_remove("CLICOLOR");
        for (k, v) in env {
            c.env(k, v);
        }
        c.output().expect("pagetree runs")
    };
    let esc = |b: &[u8]| b.contains(&0x1b);
    let bad = ["markdown", "testdata/invalid/truncated.json"];
    let red_error = "\x1b[1;31merror\x1b[0m: testdata/invalid/truncated.json";

    // auto, not on a terminal (the test's pipes): no colour.
    let o = run(&bad, &[]);
    assert!(!esc(&o.stderr), "{}", stderr(&o));
    let o = run(&["--help"], &[]);
    assert!(!esc(&o.stdout));

    // always: our labels and clap's help and usage errors.
    let o = run(&["--color", "always", "markdown", bad[1]], &[]);
    assert!(stderr(&o).starts_with(red_error), "{}", stderr(&o));
    assert_eq!(o.status.code(), Some(1));
    assert!(esc(&run(&["--color=always", "--help"], &[]).stdout));
    assert!(esc(
        &run(&["markdown", "--color=always", "--bogus"], &[]).stderr
    ));
    // Data is never coloured.
    let o = run(
        &["--color", "always", "markdown", "testdata/v2_full.json"],
        &[],
    );
    assert!(!esc(&o.stdout));
    let o = run(&["--color", "always", "man", "convert"], &[]);
    assert!(!esc(&o.stdout));

    // CLICOLOR_FORCE colours in auto; NO_COLOR (any non-empty value) wins over it.
    let o = run(&bad, &[("CLICOLOR_FORCE", "1")]);
    assert!(stderr(&o).starts_with(red_error), "{}", stderr(&o));
    assert!(esc(&run(&["--help"], &[("CLICOLOR_FORCE", "1")]).stdout));
    let both = [("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")];
    assert!(!esc(&run(&bad, &both).stderr));
    assert!(!esc(&run(&["--help"], &both).stdout));
    // An empty NO_COLOR is not set.
    let o = run(&bad, &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "")]);
    assert!(esc(&o.stderr));

    // never wins over everything.
    for args in [
        &["--color", "never", "markdown", bad[1]][..],
        &["--color=never", "--help"][..],
        &["--color=never", "markdown", "--bogus"][..],
    ] {
        let o = run(args, &[("CLICOLOR_FORCE", "1")]);
        assert!(!esc(&o.stdout) && !esc(&o.stderr), "{args:?}");
    }
    // Warnings and notes are labelled too.
    let o = run(
        &["--color", "always", "markdown", "testdata/v2_messy.json"],
        &[],
    );
    assert!(
        stderr(&o).contains("\x1b[1;33mwarning\x1b[0m: "),
        "{}",
        stderr(&o)
    );
}
