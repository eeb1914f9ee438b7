//! Whole and streamed reads are one reader at two batch sizes: every command run with
//! `--stream never` and `--stream always` on every fixture, invalid fixture, regression fixture
//! and real response gives the same bytes on standard output, the same warnings and errors,
//! the same exit code and (for `convert`) the same files.

use std::path::{Path, PathBuf};

use crate::common::{name, pagetree, realdata, testdata};

/// Every input: our fixtures, the invalid ones, the regressions, and the real responses.
fn inputs() -> Vec<PathBuf> {
    let mut v = Vec::new();
    for dir in ["", "invalid", "regressions"] {
        let mut here: Vec<PathBuf> = std::fs::read_dir(testdata().join(dir))
            .expect("testdata folder")
            .map(|e| e.expect("dir entry").path())
            .filter(|p| p.is_file() && p.extension().is_some_and(|e| e != "md"))
            .collect();
        here.sort();
        v.extend(here);
    }
    v.extend(realdata().unwrap_or_default());
    v
}

/// Standard error with the warnings sorted: a whole read prints a document's notes before its
/// output and a streamed one after its pages, and only their set matters on a terminal.
fn stderr_lines(bytes: &[u8]) -> Vec<String> {
    let mut lines: Vec<String> = String::from_utf8_lossy(bytes)
        .lines()
        .map(str::to_owned)
        .collect();
    lines.sort();
    lines
}

/// Runs `args` + `--stream WHEN` + the input, both ways, and compares.
fn same_both_ways(args: &[&str], input: &Path, failures: &mut Vec<String>) {
    let path = input.to_string_lossy();
    let run = |when: &str| {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--stream", when, &path]);
        pagetree(&all)
    };
    let (whole, streamed) = (run("never"), run("always"));
    let what = format!("{} on {}", args.join(" "), name(input));
    if whole.status.code() != streamed.status.code() {
        failures.push(format!(
            "{what}: exit {:?} whole, {:?} streamed",
            whole.status.code(),
            streamed.status.code()
        ));
    }
    if whole.stdout != streamed.stdout {
        failures.push(format!("{what}: standard output differs"));
    }
    let (we, se) = (stderr_lines(&whole.stderr), stderr_lines(&streamed.stderr));
    if we != se {
        failures.push(format!(
            "{what}: standard error differs\n  whole:    {we:?}\n  streamed: {se:?}"
        ));
    }
}

#[test]
fn every_command_reads_the_same_whole_and_streamed() {
    let commands: [&[&str]; 16] = [
        &["inspect"],
        &["inspect", "--json"],
        &["markdown"],
        &["text"],
        &["elements"],
        &["elements", "--jsonl", "--headers", "hide"],
        &["chunks"],
        &["chunks", "--max-chars", "300", "--overlap", "40"],
        &["quality"],
        &["quality", "--format", "json"],
        &["quality", "--format", "markdown", "--fail-under", "90"],
        // `--pages` limits every command the same way whole and streamed, and a range past
        // the last page is the same error.
        &["quality", "--format", "json", "--pages", "2-3"],
        &["elements", "--jsonl", "--pages", "2-"],
        &["chunks", "--max-chars", "400", "--pages", "2"],
        &["markdown", "--pages", "1,3-4"],
        &["text", "--pages", "40-50"],
    ];
    let mut failures = Vec::new();
    for input in inputs() {
        for args in commands {
            same_both_ways(args, &input, &mut failures);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// All files under `dir`, relative, with their bytes (the manifest's timings left out).
fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p
                .file_name()
                .is_some_and(|n| n != "pagetree-manifest.json" && n != ".pagetree-lock")
            {
                let rel = p.strip_prefix(dir).expect("under dir");
                out.push((
                    rel.to_string_lossy().into_owned(),
                    std::fs::read(&p).expect("readable"),
                ));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn convert_writes_the_same_files_whole_and_streamed() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let mut failures = Vec::new();
    for input in inputs() {
        let path = input.to_string_lossy();
        let run = |when: &str| {
            let out = tmp.path().join(when);
            let _ = std::fs::remove_dir_all(&out);
            let o = out.to_string_lossy();
            let r = pagetree(&[
                "convert", "-q", "--to", "markdown", "--to", "text", "--to", "tables", "--to",
                "elements", "--to", "quality", "--pages", "2-", "--stream", when, "-o", &o, &path,
            ]);
            (r, tree(&out))
        };
        let ((wr, wt), (sr, st)) = (run("never"), run("always"));
        let what = format!("convert on {}", name(&input));
        if wr.status.code() != sr.status.code() {
            failures.push(format!("{what}: exit codes differ"));
        }
        if stderr_lines(&wr.stderr) != stderr_lines(&sr.stderr) {
            failures.push(format!(
                "{what}: standard error differs\n  whole:    {:?}\n  streamed: {:?}",
                stderr_lines(&wr.stderr),
                stderr_lines(&sr.stderr)
            ));
        }
        let names = |t: &[(String, Vec<u8>)]| t.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
        if names(&wt) != names(&st) {
            failures.push(format!(
                "{what}: files differ: {:?} against {:?}",
                names(&wt),
                names(&st)
            ));
        } else {
            for ((n, a), (_, b)) in wt.iter().zip(&st) {
                if a != b {
                    failures.push(format!("{what}: {n} differs"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn tables_writes_the_same_files_whole_and_streamed() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let mut failures = Vec::new();
    for input in inputs() {
        let path = input.to_string_lossy();
        for extra in [
            &[][..],
            &["--stitch", "--format", "jsonl"][..],
            &["--pages", "2-3"][..],
        ] {
            let run = |when: &str| {
                let out = tmp.path().join(when);
                let _ = std::fs::remove_dir_all(&out);
                let o = out.to_string_lossy();
                let mut args = vec!["tables", "--stream", when, "-o", &o];
                args.extend(extra);
                args.push(&path);
                let r = pagetree(&args);
                // The folder's name is in the status line.
                let err = String::from_utf8_lossy(&r.stderr).replace(o.as_ref(), "OUT");
                (r.status.code(), r.stdout, err, tree(&out))
            };
            let (whole, streamed) = (run("never"), run("always"));
            if whole != streamed {
                failures.push(format!(
                    "tables {extra:?} on {}: differs\n  whole:    {:?} {:?}\n  streamed: {:?} {:?}",
                    name(&input),
                    whole.0,
                    whole.2,
                    streamed.0,
                    streamed.2
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
