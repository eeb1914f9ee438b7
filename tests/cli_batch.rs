//! `pagetree convert` as a batch that survives anything: real signals sent to a real child
//! process, the journal and resume, the lock on OUT, a full disk, entries skipped while
//! walking a folder, stale collision folders.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::common::{convert_into, stderr, testdata, tree};

fn pagetree() -> Command {
    Command::new(env!("CARGO_BIN_EXE_pagetree"))
}

fn run(args: &[&str]) -> Output {
    pagetree().args(args).output().expect("runs")
}

/// A folder of `n` small responses (copies of fixtures under distinct names).
fn many_inputs(dir: &Path, n: usize) -> PathBuf {
    let input = dir.join("in");
    std::fs::create_dir_all(&input).expect("mkdir");
    let sources = ["v2_full.json", "v1_result.json", "v2_items_only.json"];
    for i in 0..n {
        let src = testdata().join(sources[i % sources.len()]);
        std::fs::copy(src, input.join(format!("doc{i:04}.json"))).expect("copy");
    }
    input
}

/// A named pipe nobody writes to: an input that holds its worker until the run is stopped.
fn stuck_pipe(dir: &Path) -> Option<PathBuf> {
    let fifo = dir.join("0-stuck.json");
    let made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    if !made {
        eprintln!("notice: no mkfifo here; signal test skipped");
        return None;
    }
    Some(fifo)
}

fn journal_lines(out: &Path) -> usize {
    std::fs::read(out.join("pagetree-manifest.journal"))
        .map(|b| b.iter().filter(|&&c| c == b'\n').count())
        .unwrap_or(0)
}

fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn signal(child: &Child, sig: &str) {
    let ok = Command::new("kill")
        .args([sig, &child.id().to_string()])
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "kill {sig} failed");
}

/// Starts `convert --jobs N FIFO IN -o OUT` in the background: it can never finish on its own.
fn start_stuck(fifo: &Path, input: &Path, out: &Path, jobs: &str) -> Child {
    pagetree()
        .args(["convert", "--jobs", jobs])
        .arg(fifo)
        .arg(input)
        .arg("-o")
        .arg(out)
        .stderr(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("runs")
}

/// Ctrl-C (SIGINT) and SIGTERM in the middle of a batch: exit 130 (143), the summary says how
/// far it got, every finished input is in the manifest, and a rerun converts only the rest,
/// ending with the files an uninterrupted run writes.
#[cfg(unix)]
#[test]
fn an_interrupted_batch_says_how_far_it_got_and_resumes() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let n = 400;
    let input = many_inputs(tmp.path(), n);
    let Some(fifo) = stuck_pipe(tmp.path()) else {
        return;
    };
    let whole = tmp.path().join("whole");
    let o = run(&[
        "convert",
        "-q",
        input.to_str().unwrap(),
        "-o",
        whole.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));

    for (sig, code) in [("-INT", 130), ("-TERM", 143)] {
        let out = tmp.path().join(format!("out{code}"));
        let child = start_stuck(&fifo, &input, &out, "2");
        // Some inputs finished (and were journaled), then the signal.
        wait_for("the first journal lines", || journal_lines(&out) >= 5);
        signal(&child, sig);
        let o = child.wait_with_output().expect("ends");
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(code), "{err}");
        let line = err
            .lines()
            .find(|l| l.starts_with("interrupted: "))
            .unwrap_or_else(|| panic!("no summary: {err}"));
        assert!(
            line.ends_with("; rerun the same command to resume"),
            "{line}"
        );
        let done: usize = line["interrupted: ".len()..]
            .split(' ')
            .next()
            .and_then(|s| s.parse().ok())
            .expect("a count");
        assert!(
            line.contains(&format!("{done} of {} inputs converted", n + 1)),
            "{line}"
        );
        assert!(done >= 5, "{line}");
        // The journal was folded into the manifest, which holds exactly what was converted.
        assert!(!out.join("pagetree-manifest.journal").exists());
        let manifest: serde_json::Value = serde_json::from_slice(
            &std::fs::read(out.join("pagetree-manifest.json")).expect("manifest"),
        )
        .expect("json");
        assert_eq!(manifest["entries"].as_object().expect("map").len(), done);

        // The rerun converts only the rest, and the result is the uninterrupted run's.
        let again = convert_into(&input, &out, &[]);
        let err = stderr(&again);
        assert!(again.status.success(), "{err}");
        let rest = n - done;
        assert!(
            err.contains(&format!("converted {rest} of {n} inputs")),
            "{err}"
        );
        if done > 0 {
            assert!(
                err.contains(&format!("; {done} unchanged, skipped")),
                "{err}"
            );
        }
        assert_eq!(tree(&out), tree(&whole));
    }
}

/// A run killed outright (SIGKILL: nothing can be caught) leaves its journal, and the next run
/// reads it: what finished is not converted again.
#[cfg(unix)]
#[test]
fn a_killed_run_leaves_a_journal_the_next_run_resumes_from() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let input = many_inputs(tmp.path(), 30);
    let Some(fifo) = stuck_pipe(tmp.path()) else {
        return;
    };
    let out = tmp.path().join("out");
    let mut child = start_stuck(&fifo, &input, &out, "8");
    // More threads than the pipe holds up: the 30 others finish and are journaled at once.
    wait_for("30 journal lines", || journal_lines(&out) == 30);
    child.kill().expect("killed");
    child.wait().expect("ends");
    assert!(!out.join("pagetree-manifest.json").exists());
    let o = convert_into(&input, &out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("converted 0 of 30 inputs (0 documents); 30 unchanged, skipped"),
        "{}",
        stderr(&o)
    );
    assert!(!out.join("pagetree-manifest.journal").exists());
}

/// A second run into the same OUT fails at once with a message, or waits with --wait.
#[cfg(unix)]
#[test]
fn one_run_at_a_time_writes_an_output_folder() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let input = many_inputs(tmp.path(), 3);
    let Some(fifo) = stuck_pipe(tmp.path()) else {
        return;
    };
    let out = tmp.path().join("out");
    let first = start_stuck(&fifo, &input, &out, "2");
    wait_for("the first run's journal", || journal_lines(&out) == 3);
    let second = convert_into(&input, &out, &["--to", "text"]);
    let err = stderr(&second);
    assert_eq!(second.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!(
            "is in use by another pagetree convert (pid {})",
            first.id()
        )),
        "{err}"
    );
    assert!(err.contains("--wait"), "{err}");
    assert!(!out.join("doc0000/document.txt").exists());
    // With --wait the second run waits, then converts once the first is gone.
    let waiting = pagetree()
        .args(["convert", "--wait", "--to", "text"])
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    std::thread::sleep(Duration::from_millis(300));
    assert!(!out.join("doc0000/document.txt").exists());
    signal(&first, "-INT");
    let o = first.wait_with_output().expect("ends");
    assert_eq!(o.status.code(), Some(130), "{}", stderr(&o));
    let o = waiting.wait_with_output().expect("ends");
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("note: waiting for another pagetree convert"),
        "{err}"
    );
    assert!(err.contains("converted 3 of 3 inputs"), "{err}");
    assert!(out.join("doc0000/document.txt").exists());
}

/// A full disk names the input and the output file, stops the batch (the rest cannot
/// succeed), keeps what finished, and exits 2. Needs a small tmpfs (root); skipped otherwise.
#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_stops_the_batch_naming_input_and_file() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let input = many_inputs(tmp.path(), 60);
    let disk = tmp.path().join("disk");
    std::fs::create_dir_all(&disk).expect("mkdir");
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=96k", "tmpfs"])
        .arg(&disk)
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!("notice: cannot mount a small tmpfs here; disk-full test skipped");
        return;
    }
    struct Unmount<'a>(&'a Path);
    impl Drop for Unmount<'_> {
        fn drop(&mut self) {
            let _ = Command::new("umount").arg(self.0).status();
        }
    }
    let _unmount = Unmount(&disk);
    let out = disk.join("out");
    let o = run(&[
        "convert",
        "--jobs",
        "1",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    let failed: Vec<&str> = err.lines().filter(|l| l.starts_with("error: ")).collect();
    assert_eq!(
        failed.len(),
        1,
        "one input fails, the rest are not started: {err}"
    );
    let e = failed[0];
    assert!(
        e.contains(&input.to_string_lossy().into_owned()),
        "names the input: {e}"
    );
    assert!(
        e.contains(&format!("cannot write {}/doc", out.display())),
        "names the output file: {e}"
    );
    assert!(e.ends_with(": No space left on device"), "{e}");
    assert!(
        err.contains("stopped: no space left on the device of"),
        "{err}"
    );
    assert!(
        err.contains("not started; free some space and rerun"),
        "{err}"
    );
    assert!(!out.join(".pagetree-tmp").exists() || tree(&out.join(".pagetree-tmp")).is_empty());
}

/// What a folder walk leaves out is said, one line each (a count with --quiet), and listed in
/// the report: dangling links, loops, FIFOs, hidden `.json` files and hidden folders.
#[cfg(unix)]
#[test]
fn skipped_entries_are_named_with_the_reason() {
    use std::os::unix::fs::symlink;
    let tmp = tempfile::tempdir().expect("tempdir");
    let input = many_inputs(tmp.path(), 2);
    std::fs::create_dir_all(input.join("sub/.cache")).expect("mkdir");
    std::fs::copy(testdata().join("v2_full.json"), input.join(".hidden.json")).expect("copy");
    std::fs::copy(
        testdata().join("v2_full.json"),
        input.join("sub/.cache/x.json"),
    )
    .expect("copy");
    symlink("gone.json", input.join("dangling.json")).expect("symlink");
    symlink("..", input.join("sub/up")).expect("symlink");
    let fifo = input.join("pipe.json");
    let have_fifo = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    let out = tmp.path().join("out");
    let report = tmp.path().join("report.json");
    let o = convert_into(&input, &out, &["--report", report.to_str().unwrap()]);
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    let d = input.display();
    for line in [
        format!("note: skipped {d}/.hidden.json: a hidden file (name it to convert it)"),
        format!(
            "note: skipped {d}/dangling.json: a symbolic link to nothing (its target is missing)"
        ),
        format!("note: skipped {d}/sub/.cache: a hidden folder, not searched"),
        format!("note: skipped {d}/sub/up: a symbolic link to a folder that contains it (a loop)"),
    ] {
        assert!(err.contains(&line), "missing {line:?} in {err}");
    }
    let skipped = 4 + usize::from(have_fifo);
    if have_fifo {
        assert!(
            err.contains(&format!("note: skipped {d}/pipe.json: not a regular file")),
            "{err}"
        );
    }
    assert!(
        err.contains(&format!(
            "converted 2 of 2 inputs (2 documents); {skipped} entries skipped"
        )),
        "{err}"
    );
    let r: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&report).expect("report")).expect("json");
    assert_eq!(r["skipped"].as_array().expect("list").len(), skipped);
    let quiet = run(&[
        "convert",
        "-q",
        "--force",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(
        stderr(&quiet),
        format!("note: skipped {skipped} entries (run without --quiet to see which and why)\n")
    );
}

/// Two inputs that sanitise to one key get `a_b` and `a_b-2`; when the collision is gone the
/// `-2` folder and its manifest entry go too (with or without --force).
#[test]
fn a_collision_folder_whose_collision_is_gone_is_removed() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let input = tmp.path().join("in");
    std::fs::create_dir_all(&input).expect("mkdir");
    std::fs::copy(testdata().join("v2_full.json"), input.join("a b.json")).expect("copy");
    std::fs::copy(testdata().join("v1_result.json"), input.join("a_b.json")).expect("copy");
    let out = tmp.path().join("out");
    let o = convert_into(&input, &out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(out.join("a_b").is_dir() && out.join("a_b-2").is_dir());
    std::fs::remove_file(input.join("a b.json")).expect("rm");
    for force in [false, true] {
        let mut args = vec![
            "convert",
            input.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ];
        if force {
            args.push("--force");
        }
        let o = run(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(
            !out.join("a_b-2").exists(),
            "stale folder left (force: {force})"
        );
        let manifest: serde_json::Value = serde_json::from_slice(
            &std::fs::read(out.join("pagetree-manifest.json")).expect("manifest"),
        )
        .expect("json");
        let keys: Vec<&String> = manifest["entries"]
            .as_object()
            .expect("map")
            .keys()
            .collect();
        assert_eq!(keys, ["a_b"]);
    }
}
