//! Every command's data goes to standard output and its status lines to standard error (with
//! `-o`, standard output stays empty), several documents into one stream are still valid
//! output, and every command exits as the README's exit code table says.

use std::path::Path;
use std::process::Output;

use crate::common::{pagetree, stderr, stdout};

const GOOD: &str = "testdata/v2_full.json";
const OTHER: &str = "testdata/v2_messy.json";
const BAD: &str = "testdata/invalid/truncated.json";

/// What a command writes on standard output.
#[derive(Debug, Clone, Copy)]
enum Data {
    Json,
    JsonLines,
    Csv,
    Tsv,
    Markdown,
    Html,
    /// A text report whose first line names the input.
    Report,
    /// Plain text holding this phrase.
    Text(&'static str),
}

/// Each command, run on a fixture with its data to standard output, and what that data is.
fn commands() -> Vec<(Vec<&'static str>, Data)> {
    vec![
        (vec!["inspect", GOOD], Data::Report),
        (
            vec!["tables", "--stdout", "--table", "p002-t01", GOOD],
            Data::Csv,
        ),
        (
            vec![
                "tables",
                "--stdout",
                "--table",
                "p002-t01",
                "--delimiter",
                "tab",
                GOOD,
            ],
            Data::Tsv,
        ),
        (vec!["elements", GOOD], Data::Json),
        (vec!["elements", "--jsonl", GOOD], Data::JsonLines),
        (vec!["markdown", GOOD], Data::Markdown),
        (vec!["text", GOOD], Data::Text("Annual Report 2024")),
        (vec!["chunks", GOOD], Data::JsonLines),
        (vec!["view", GOOD], Data::Html),
        (vec!["quality", GOOD], Data::Report),
        (vec!["quality", "--format", "json", GOOD], Data::Json),
        (
            vec!["quality", "--format", "markdown", GOOD],
            Data::Markdown,
        ),
        (vec!["extract", "testdata/extract_job.json"], Data::Csv),
        (
            vec!["extract", "--format", "jsonl", "testdata/extract_job.json"],
            Data::JsonLines,
        ),
        (
            vec!["jobs", "testdata/job_list.json"],
            Data::Text("COMPLETED"),
        ),
        (
            vec!["jobs", "--format", "json", "testdata/job_list.json"],
            Data::Json,
        ),
        (
            vec!["jobs", "--format", "csv", "testdata/job_list.json"],
            Data::Csv,
        ),
        (vec!["audit", GOOD], Data::Report),
        (vec!["audit", "--format", "json", GOOD], Data::JsonLines),
        (vec!["completions", "bash"], Data::Text("pagetree")),
        (vec!["man"], Data::Text(".TH pagetree")),
    ]
}

/// Panics unless `out` parses as `data`.
fn check(data: Data, out: &str, what: &str) {
    assert!(!out.is_empty(), "{what}: no data on standard output");
    match data {
        Data::Json => {
            serde_json::from_str::<serde_json::Value>(out)
                .unwrap_or_else(|e| panic!("{what}: not one JSON document: {e}\n{out}"));
        }
        Data::JsonLines => {
            for (i, line) in out.lines().enumerate() {
                serde_json::from_str::<serde_json::Value>(line)
                    .unwrap_or_else(|e| panic!("{what}: line {} is not JSON: {e}", i + 1));
            }
        }
        Data::Csv | Data::Tsv => {
            let delimiter = if matches!(data, Data::Tsv) {
                b'\t'
            } else {
                b','
            };
            let mut r = csv::ReaderBuilder::new()
                .delimiter(delimiter)
                .has_headers(false)
                .flexible(false)
                .from_reader(out.as_bytes());
            let rows = r
                .records()
                .collect::<Result<Vec<_>, _>>()
                .unwrap_or_else(|e| panic!("{what}: not CSV: {e}\n{out}"));
            assert!(rows.len() > 1 && rows[0].len() > 1, "{what}: {out}");
        }
        Data::Markdown => {
            let events = pulldown_cmark::Parser::new(out).count();
            assert!(events > 0, "{what}");
            assert!(out.contains("# ") || out.contains('|'), "{what}: {out}");
        }
        Data::Html => assert!(out.starts_with("<!DOCTYPE html>"), "{what}"),
        Data::Report => {
            let first = out.lines().next().unwrap_or_default();
            assert!(first.starts_with(GOOD), "{what}: {first}");
        }
        Data::Text(phrase) => assert!(out.contains(phrase), "{what}: {out}"),
    }
}

fn run(args: &[&str]) -> Output {
    pagetree(args)
}

#[test]
fn data_on_stdout_status_on_stderr() {
    for (args, data) in commands() {
        let what = args.join(" ");
        let o = run(&args);
        assert_eq!(o.status.code(), Some(0), "{what}: {}", stderr(&o));
        check(data, &stdout(&o), &what);
        // Nothing but warnings, notes and status lines on standard error: no data there.
        for line in stderr(&o).lines() {
            assert!(
                !line.starts_with('{') && !line.starts_with('#') && !line.starts_with('<'),
                "{what}: data on standard error: {line}"
            );
        }
    }
    // Status lines and summaries are on standard error.
    let o = run(&["extract", "testdata/extract_job.json"]);
    assert!(
        stderr(&o).contains("1 extract job: 1 completed"),
        "{}",
        stderr(&o)
    );
    assert!(!stdout(&o).contains("extract job"));
}

/// With `-o`, the data goes into the file and standard output stays empty; what is said about
/// the run is on standard error.
#[test]
fn with_output_stdout_is_empty() {
    let dir = tempfile::tempdir().unwrap();
    let at = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
    let runs: Vec<(Vec<String>, String, Option<Data>)> = vec![
        (
            vec!["tables".into(), GOOD.into(), "-o".into(), at("tables")],
            at("tables/tables.json"),
            Some(Data::Json),
        ),
        (
            vec!["elements".into(), GOOD.into(), "-o".into(), at("e.json")],
            at("e.json"),
            Some(Data::Json),
        ),
        (
            vec!["markdown".into(), GOOD.into(), "-o".into(), at("d.md")],
            at("d.md"),
            Some(Data::Markdown),
        ),
        (
            vec!["text".into(), GOOD.into(), "-o".into(), at("d.txt")],
            at("d.txt"),
            Some(Data::Text("Annual Report 2024")),
        ),
        (
            vec!["chunks".into(), GOOD.into(), "-o".into(), at("c.jsonl")],
            at("c.jsonl"),
            Some(Data::JsonLines),
        ),
        (
            vec!["view".into(), GOOD.into(), "-o".into(), at("v.html")],
            at("v.html"),
            Some(Data::Html),
        ),
        (
            vec![
                "quality".into(),
                "--format".into(),
                "json".into(),
                GOOD.into(),
                "-o".into(),
                at("q.json"),
            ],
            at("q.json"),
            Some(Data::Json),
        ),
        (
            vec![
                "extract".into(),
                "testdata/extract_job.json".into(),
                "-o".into(),
                at("x.csv"),
            ],
            at("x.csv"),
            Some(Data::Csv),
        ),
        (
            vec![
                "jobs".into(),
                "--format".into(),
                "json".into(),
                "testdata/job_list.json".into(),
                "-o".into(),
                at("j.json"),
            ],
            at("j.json"),
            Some(Data::Json),
        ),
        (
            vec![
                "audit".into(),
                "--format".into(),
                "json".into(),
                GOOD.into(),
                "-o".into(),
                at("a.jsonl"),
            ],
            at("a.jsonl"),
            Some(Data::JsonLines),
        ),
        (
            vec!["convert".into(), GOOD.into(), "-o".into(), at("out")],
            at("out/v2_full/document.md"),
            Some(Data::Markdown),
        ),
        (
            vec!["man".into(), "--dir".into(), at("man")],
            at("man/pagetree-convert.1"),
            None,
        ),
    ];
    for (args, file, data) in runs {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let what = args.join(" ");
        let o = run(&args);
        assert_eq!(o.status.code(), Some(0), "{what}: {}", stderr(&o));
        assert!(stdout(&o).is_empty(), "{what}: {}", stdout(&o));
        let written = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{file}: {e}"));
        if let Some(data) = data {
            check(data, &written, &what);
        }
    }
    // The commands that say what they did say it on standard error.
    let o = run(&["tables", GOOD, "-o", &at("tables2")]);
    assert!(stderr(&o).contains("2 tables →"), "{}", stderr(&o));
    let o = run(&["convert", GOOD, "-o", &at("out2")]);
    assert!(stderr(&o).contains("converted 1"), "{}", stderr(&o));
}

/// `elements` with several documents into one stream: JSON Lines, every record naming its
/// document; one input keeps its one JSON document.
#[test]
fn elements_of_several_documents_are_json_lines() {
    for extra in [&[][..], &["--stream", "always"][..]] {
        let mut args = vec!["elements", GOOD, OTHER];
        args.extend_from_slice(extra);
        let o = run(&args);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let out = stdout(&o);
        let mut sources = Vec::new();
        for line in out.lines() {
            let r: serde_json::Value = serde_json::from_str(line).expect("one JSON value a line");
            let source = r["source"].as_str().expect("every record names its source");
            if r["record"] == "element" {
                assert!(r["id"].is_string(), "{line}");
            }
            if sources.last().map(String::as_str) != Some(source) {
                sources.push(source.to_owned());
            }
        }
        assert_eq!(sources, [GOOD, OTHER], "in input order");
        // Each document's elements are those it has alone.
        let alone = stdout(&run(&["elements", "--jsonl", GOOD]));
        let ours = out
            .lines()
            .filter(|l| l.contains(&format!("\"source\":\"{GOOD}\"")));
        let without: Vec<String> = ours
            .map(|l| l.replacen(&format!(",\"source\":\"{GOOD}\""), "", 1))
            .collect();
        let alone: Vec<&str> = alone.lines().collect();
        assert_eq!(without.len(), alone.len());
        // The document record holds its source once, as alone.
        assert_eq!(&without[1..], &alone[1..]);
    }
    // A JSON Lines input holds several documents too, into stdout or one -o file.
    let o = run(&["elements", "testdata/many.jsonl"]);
    for line in stdout(&o).lines() {
        let r: serde_json::Value = serde_json::from_str(line).expect("JSON Lines");
        assert!(
            r["source"]
                .as_str()
                .unwrap()
                .starts_with("testdata/many.jsonl:")
        );
    }
    // `view`: one HTML document per output; several to standard output ask for a folder.
    let o = run(&["view", GOOD, OTHER]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout(&o).is_empty());
    assert!(stderr(&o).contains("give -o DIR"), "{}", stderr(&o));
    let o = run(&["view", "testdata/many.jsonl"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(stdout(&o).matches("<!DOCTYPE html>").count(), 1);
    assert!(stderr(&o).contains("give -o DIR"), "{}", stderr(&o));
    // One input: one JSON document, as before.
    let o = run(&["elements", GOOD]);
    check(Data::Json, &stdout(&o), "elements one input");
}

/// The README's exit codes: 0 every input processed; 1 some inputs failed; 2 usage error or
/// an output that cannot be written.
#[test]
fn every_command_exits_as_documented() {
    let dir = tempfile::tempdir().unwrap();
    // A path under a regular file can never be created.
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, "x").unwrap();
    let unwritable = |name: &str| blocker.join(name).to_string_lossy().into_owned();
    let out = |name: &str| dir.path().join(name).to_string_lossy().into_owned();

    let expect = |args: &[&str], want: i32| {
        let o = run(args);
        assert_eq!(
            o.status.code(),
            Some(want),
            "{}: {}",
            args.join(" "),
            stderr(&o)
        );
        if want != 0 {
            assert!(stderr(&o).contains("error"), "{}: says why", args.join(" "));
        }
    };

    // Some inputs failed: 1, and the good input's output is still written.
    for args in [
        vec!["inspect", GOOD, BAD],
        vec!["tables", "--stdout", BAD],
        vec!["elements", GOOD, BAD],
        vec!["markdown", GOOD, BAD],
        vec!["text", GOOD, BAD],
        vec!["chunks", GOOD, BAD],
        vec!["quality", GOOD, BAD],
        vec!["extract", "testdata/extract_job.json", BAD],
        vec!["jobs", "testdata/job_list.json", BAD],
        vec!["audit", GOOD, BAD],
    ] {
        expect(&args, 1);
        if args[1] != "--stdout" {
            assert!(!run(&args).stdout.is_empty(), "{}", args.join(" "));
        }
    }
    let tables = out("t");
    expect(&["tables", GOOD, BAD, "-o", &tables], 1);
    assert!(Path::new(&tables).join("v2_full/tables.json").is_file());
    let view = out("v");
    expect(&["view", GOOD, BAD, "-o", &view], 1);
    let converted = out("c");
    expect(&["convert", GOOD, BAD, "-o", &converted], 1);
    assert!(Path::new(&converted).join("v2_full/document.md").is_file());

    // An output that cannot be written: 2.
    for args in [
        vec!["tables", GOOD, "-o"],
        vec!["elements", GOOD, "-o"],
        vec!["markdown", GOOD, "-o"],
        vec!["text", GOOD, "-o"],
        vec!["chunks", GOOD, "-o"],
        vec!["view", GOOD, "-o"],
        vec!["quality", GOOD, "-o"],
        vec!["extract", "testdata/extract_job.json", "-o"],
        vec!["jobs", "testdata/job_list.json", "-o"],
        vec!["audit", GOOD, "-o"],
        vec!["convert", GOOD, "-o"],
        vec!["man", "--dir"],
    ] {
        let target = unwritable(args[0]);
        let mut args = args.clone();
        args.push(&target);
        expect(&args, 2);
    }

    // Usage errors: 2.
    for command in [
        "inspect", "tables", "elements", "markdown", "text", "chunks", "view", "quality",
        "extract", "jobs", "audit", "convert", "man",
    ] {
        expect(&[command, "--no-such-flag"], 2);
    }
    expect(&["tables", "--stdout", GOOD, OTHER], 2);
    expect(&["markdown", GOOD, "--pages", "x"], 2);

    // Every input processed: 0.
    expect(&["tables", "--stdout", "--table", "p002-t01", GOOD], 0);
}
