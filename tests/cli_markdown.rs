//! `pagetree markdown` and `pagetree text` end to end: destinations, pages, parameters, exit
//! codes.

use std::fs;

use crate::common::{listing, pagetree, stderr, stdout};

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

fn path(dir: &tempfile::TempDir, name: &str) -> String {
    dir.path().join(name).display().to_string()
}

#[test]
fn output_file_matches_stdout() {
    let dir = tmp();
    let out = path(&dir, "full.md");
    let o = pagetree(&["markdown", "testdata/v2_full.json", "-o", &out]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).is_empty());
    let printed = pagetree(&["markdown", "testdata/v2_full.json"]);
    assert_eq!(fs::read_to_string(&out).unwrap(), stdout(&printed));
    // Only the file itself: the temporary file was renamed over it.
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn per_page_files_and_page_ranges() {
    let dir = tmp();
    let out = path(&dir, "pages");
    let o = pagetree(&[
        "markdown",
        "testdata/v2_full.json",
        "--per-page",
        "--pages",
        "2-3",
        "-o",
        &out,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let names = listing(&out);
    assert_eq!(names, ["v2_full.page-002.md", "v2_full.page-003.md"]);
    let p2 = fs::read_to_string(dir.path().join("pages/v2_full.page-002.md")).unwrap();
    assert!(p2.contains("## 2024 at a glance") && !p2.contains("\n---\n"));

    let o = pagetree(&["markdown", "testdata/v2_full.json", "--pages", "4"]);
    assert!(stdout(&o).starts_with("## Outlook and contacts"));
}

#[test]
fn several_inputs_write_one_file_each() {
    let dir = tmp();
    let out = path(&dir, "md");
    let o = pagetree(&[
        "markdown",
        "testdata/v2_full.json",
        "testdata/many.jsonl",
        "-o",
        &out,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let names = listing(&out);
    assert_eq!(names, ["many-1.md", "many-2.md", "many-3.md", "v2_full.md"]);
}

/// More inputs than one batch (64): each batch is written while the next renders, and the
/// folder ends up as with one thread, every file whole, named in input order, no temporary
/// file left.
#[test]
fn batches_written_while_the_next_renders_match_one_thread() {
    let dir = tmp();
    let inputs = [
        "testdata/v2_full.json",
        "testdata/v2_messy.json",
        "testdata/many.jsonl",
    ];
    let mut args: Vec<&str> = vec!["markdown"];
    for _ in 0..50 {
        args.extend(inputs);
    }
    let folder = |jobs: &str, name: &str| {
        let out = path(&dir, name);
        let mut a = vec!["--jobs", jobs];
        a.extend(&args);
        a.extend(["-o", &out]);
        let o = pagetree(&a);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let mut files: Vec<(String, Vec<u8>)> = fs::read_dir(&out)
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                (
                    e.file_name().to_string_lossy().into_owned(),
                    fs::read(e.path()).unwrap(),
                )
            })
            .collect();
        files.sort();
        (files, stderr(&o))
    };
    let (two, err2) = folder("2", "two");
    let (one, err1) = folder("1", "one");
    assert_eq!(two.len(), 50 * 5);
    assert!(
        two.iter().all(|(n, _)| n.ends_with(".md")),
        "a temporary was left"
    );
    assert_eq!(two, one);
    assert_eq!(err2, err1);
    // The 50th copy of v2_full.json is named after its place among the inputs.
    let whole = stdout(&pagetree(&["markdown", "testdata/v2_full.json"]));
    let last = two
        .iter()
        .find(|(n, _)| n == "v2_full-50.md")
        .expect("named");
    assert_eq!(String::from_utf8_lossy(&last.1), whole);
}

#[test]
fn a_broken_input_fails_alone() {
    let dir = tmp();
    let out = path(&dir, "md");
    let o = pagetree(&[
        "markdown",
        "testdata/invalid/wrong_type_page_number.json",
        "testdata/v2_nojob.json",
        "testdata/job_list.json",
        "-o",
        &out,
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("wrong_type_page_number.json: items.pages[2].page_number: invalid type"),
        "{err}"
    );
    assert!(
        err.contains("job_list.json: this is a job-list body, not a parse result"),
        "{err}"
    );
    assert!(dir.path().join("md/v2_nojob.md").exists());
}

#[test]
fn markdown_does_not_read_boxes_so_a_broken_box_does_not_stop_it() {
    // Boxes are skipped when only markdown or text is written (they are most of the parse
    // work); `inspect`, `elements`, `tables` and `convert` read them and report the error.
    let o = pagetree(&["markdown", "testdata/invalid/wrong_type_bbox.json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = pagetree(&["inspect", "testdata/invalid/wrong_type_bbox.json"]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn usage_errors_exit_2_before_any_work() {
    for args in [
        &["markdown", "testdata/v2_full.json", "--pages", "0"][..],
        &["markdown", "testdata/v2_full.json", "--pages", "5-2"],
        &["markdown", "testdata/v2_full.json", "--per-page"],
        &[
            "markdown",
            "testdata/v2_full.json",
            "--headers",
            "hide",
            "--header-prefix",
            "<h>",
        ],
        &["markdown", "testdata/v2_full.json", "--tables", "xml"],
        &[
            "text",
            "testdata/v2_full.json",
            "--options-from",
            "testdata/does-not-exist.json",
        ],
    ] {
        let o = pagetree(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stdout(&o).is_empty(), "{args:?}");
    }
}

#[test]
fn output_does_not_depend_on_jobs() {
    let run = |j: &str| {
        stdout(&pagetree(&[
            "-j",
            j,
            "markdown",
            "testdata/v2_big_table.json",
            "testdata/v2_merged_tables.json",
            "testdata/many.jsonl",
            "--merge-tables",
        ]))
    };
    assert_eq!(run("1"), run("3"));
}

#[test]
fn parameters_from_a_batch_file_and_explicit_flags_win() {
    let o = pagetree(&[
        "markdown",
        "testdata/v2_failed_pages.json",
        "--options-from",
        "testdata/batch_results.json",
        "--tables",
        "markdown",
        "--page-separator",
        r"\n===\n",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("> **Page failed:** Page processing failed"),
        "{out}"
    );
    assert!(out.contains("\n===\n") && !out.contains("<<"), "{out}");
    assert!(out.contains("| Day | Open | Close |"), "{out}");
    assert!(stderr(&o).contains("page 2: page failed"));
}

#[test]
fn parameters_from_the_response() {
    // v2_full's raw_parameters keep headers and use the default separator: same output.
    let a = pagetree(&[
        "markdown",
        "testdata/v2_full.json",
        "--options-from-response",
    ]);
    let b = pagetree(&["markdown", "testdata/v2_full.json"]);
    assert_eq!(stdout(&a), stdout(&b));
    let c = pagetree(&[
        "markdown",
        "testdata/v2_nojob.json",
        "--options-from-response",
    ]);
    assert!(stderr(&c).contains("the response has no raw_parameters"));
}

#[test]
fn text_from_server_and_items() {
    let o = pagetree(&["text", "testdata/v2_failed_pages.json", "--from", "server"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("Day   Open   Close"));
    let o = pagetree(&[
        "text",
        "testdata/v2_full.json",
        "--headers",
        "hide",
        "--pages",
        "2",
    ]);
    assert!(stdout(&o).starts_with("2024 at a glance\n\n• Opened"));
}

#[test]
fn streaming_reports_bad_inputs_as_the_whole_load_does() {
    // Page by page (forced here; the default for inputs of 8 MiB and more), a page that does
    // not parse and a body that is not a parse result fail alone, with the same located
    // messages as a whole load, and leave no file behind.
    let run = |stream: &str| {
        let dir = tmp();
        let out = path(&dir, "md");
        let o = pagetree(&[
            "markdown",
            "--stream",
            stream,
            "testdata/v2_full.json",
            "testdata/invalid/wrong_type_page_number.json",
            "testdata/job_list.json",
            "testdata/extract_job.json",
            "testdata/v2_nojob.json",
            "-o",
            &out,
        ]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        let mut errors: Vec<String> = stderr(&o)
            .lines()
            .filter(|l| l.starts_with("error:"))
            .map(str::to_owned)
            .collect();
        errors.sort();
        let names = listing(&out);
        (errors, names)
    };
    let whole = run("never");
    assert_eq!(whole.0.len(), 3, "{:?}", whole.0);
    assert_eq!(whole.1, ["v2_full.md", "v2_nojob.md"]);
    assert_eq!(run("always"), whole);
    // A single input into one file: no file when it fails part-way.
    let dir = tmp();
    let out = path(&dir, "one.md");
    let o = pagetree(&[
        "markdown",
        "--stream",
        "always",
        "testdata/invalid/wrong_type_page_number.json",
        "-o",
        &out,
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(!std::path::Path::new(&out).exists());
    assert_eq!(
        fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no temporary left"
    );
}

#[test]
fn a_page_boundary_found_by_search_that_is_wrong_is_found_again_exactly() {
    // Large inputs are indexed by searching for each page's `"page_number"` key; this fixture
    // has an object nested in page 1 that starts with that key after a comma, so the search
    // cuts page 1 there. The cut pieces fail to parse, the input is indexed again with every
    // boundary walked, and the output is the whole load's, wherever it goes.
    let input = "testdata/v2_nested_page_number.json";
    let run = |stream: &str| {
        let dir = tmp();
        let one = path(&dir, "one.md");
        let o = pagetree(&["markdown", "--stream", stream, input, "-o", &one]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let folder = path(&dir, "md");
        let o = pagetree(&[
            "markdown",
            "--stream",
            stream,
            input,
            "testdata/v2_nojob.json",
            "-o",
            &folder,
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let out = pagetree(&["markdown", "--stream", stream, input]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let names = listing(dir.path());
        assert_eq!(names, ["md", "one.md"], "no temporary left");
        (
            fs::read_to_string(&one).unwrap(),
            fs::read_to_string(format!("{folder}/v2_nested_page_number.md")).unwrap(),
            stdout(&out),
            stderr(&out),
        )
    };
    let whole = run("never");
    assert!(whole.0.contains("the night crossing is withdrawn") && whole.0.contains("| Return"));
    assert_eq!(whole.0, whole.1);
    assert_eq!(whole.0, whole.2);
    assert_eq!(run("always"), whole);
}

#[test]
fn a_wrong_page_boundary_is_cut_back_out_of_a_file_on_standard_output() {
    // Standard output redirected to a file is indexed by search, like an -o file: when a cut
    // turns out wrong after pages were written, the file is cut back to where this input
    // began and the input is rendered again. Here the wrong cut (an object nested in a page
    // that starts with the page key after a comma, numbered as the page missing there, so the
    // index has nothing to note) lies past the first batch, so pages are written before it.
    let dir = tmp();
    let big = path(&dir, "big.json");
    let words = "word ".repeat(1200);
    let pages: Vec<String> = (1..=301)
        .filter(|n| *n != 290)
        .map(|n| {
            let nested = if n == 289 {
                r#","refs":[{"a":1},{"page_number":290}]"#
            } else {
                ""
            };
            format!(
                r#"{{"page_number":{n},"page_width":612,"page_height":792,"success":true,"items":[{{"type":"text","md":"{words}{n}","value":"x"}}]{nested}}}"#
            )
        })
        .collect();
    fs::write(
        &big,
        format!(r#"{{"items":{{"pages":[{}]}}}}"#, pages.join(",")),
    )
    .unwrap();
    assert!(
        fs::metadata(&big).unwrap().len() > 3 << 20 >> 1,
        "more than one batch"
    );
    let whole = pagetree(&[
        "markdown",
        "--stream",
        "never",
        "testdata/v2_nojob.json",
        &big,
    ]);
    assert_eq!(whole.status.code(), Some(0), "{}", stderr(&whole));
    assert!(stdout(&whole).contains("word 301"));
    // Into a file on standard output, after another input's output (and after bytes the file
    // held already, with `>>`, where they end it).
    for append in [false, true] {
        let target = path(&dir, "out.md");
        fs::write(&target, if append { "kept\n" } else { "" }).unwrap();
        let file = fs::OpenOptions::new()
            .append(append)
            .write(true)
            .truncate(!append)
            .open(&target)
            .unwrap();
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_pagetree"))
            .args([
                "markdown",
                "--stream",
                "always",
                "testdata/v2_nojob.json",
                &big,
            ])
            .current_dir(crate::common::root())
            .stdout(file)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let want = format!("{}{}", if append { "kept\n" } else { "" }, stdout(&whole));
        assert!(
            fs::read_to_string(&target).unwrap() == want,
            "append: {append}"
        );
    }
    // Through a pipe, every boundary is checked first.
    let piped = pagetree(&[
        "markdown",
        "--stream",
        "always",
        "testdata/v2_nojob.json",
        &big,
    ]);
    assert_eq!(stdout(&piped), stdout(&whole));
}

#[test]
fn json_lines_read_line_by_line_render_and_fail_as_read_whole() {
    let dir = tmp();
    let lines: Vec<String> = fs::read_to_string("testdata/many.jsonl")
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    let job_list: serde_json::Value =
        serde_json::from_slice(&fs::read("testdata/job_list.json").unwrap()).unwrap();
    let inputs = [
        // Good lines around blank ones, a broken line and a job listing.
        format!(
            "{}\n\n{}\n{{\"pages\": [\n  \n{job_list}\n{}\n",
            lines[0], lines[1], lines[2]
        ),
        // One response, a job listing alone, nothing at all: named without a number.
        format!("{}\n", lines[2]),
        format!("{job_list}\n"),
        "\n\n".to_owned(),
    ];
    for (k, text) in inputs.iter().enumerate() {
        let input = path(&dir, &format!("in{k}.jsonl"));
        fs::write(&input, text).unwrap();
        let run = |stream: &str, out: Option<&str>| {
            let mut args = vec!["markdown", "--stream", stream, input.as_str()];
            if let Some(out) = out {
                args.extend(["-o", out]);
            }
            pagetree(&args)
        };
        let (whole, lines) = (run("never", None), run("always", None));
        assert_eq!(lines.status.code(), whole.status.code(), "input {k}");
        assert_eq!(stdout(&lines), stdout(&whole), "input {k}");
        assert_eq!(stderr(&lines), stderr(&whole), "input {k}");
        let (a, b) = (
            path(&dir, &format!("whole{k}/")),
            path(&dir, &format!("lines{k}/")),
        );
        run("never", Some(&a));
        run("always", Some(&b));
        let files = |d: &str| -> Vec<(String, String)> {
            let mut v: Vec<_> = fs::read_dir(d)
                .map(|r| {
                    r.flatten()
                        .map(|e| {
                            let name = e.file_name().to_string_lossy().into_owned();
                            (name, fs::read_to_string(e.path()).unwrap())
                        })
                        .collect()
                })
                .unwrap_or_default();
            v.sort();
            v
        };
        assert_eq!(files(&b), files(&a), "input {k}");
        if k == 0 {
            assert_eq!(whole.status.code(), Some(1));
            assert!(
                stderr(&whole).contains("line 4 of JSON Lines"),
                "{}",
                stderr(&whole)
            );
            assert!(
                stderr(&whole).contains("#3: this is a job-list body"),
                "{}",
                stderr(&whole)
            );
            let names: Vec<String> = files(&b).into_iter().map(|(n, _)| n).collect();
            assert_eq!(names, ["in0-1.md", "in0-2.md", "in0-5.md"]);
        }
        if k == 1 {
            assert_eq!(files(&b)[0].0, "in1.md");
        }
    }
}

#[test]
fn streamed_and_whole_renders_warn_alike() {
    // Two tables without rows on one page warn twice; a failed page with raw text warns once
    // per output, and `convert` with markdown and text says it once.
    let dir = tmp();
    let input = path(&dir, "two.json");
    let table = r#"{"type": "table", "md": "| a |\n|---|\n| 1 |"}"#;
    let json = format!(
        r#"{{"items": {{"pages": [
            {{"page_number": 1, "items": [{table}, {table}]}},
            {{"page_number": 2, "success": false, "error": "timed out"}}]}},
          "text": {{"pages": [{{"page_number": 1, "text": "a 1"}}, {{"page_number": 2, "text": "raw"}}]}}}}"#
    );
    fs::write(&input, json).unwrap();
    let run = |args: &[&str]| {
        let o = pagetree(args);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        stderr(&o)
    };
    let whole = run(&["markdown", "--stream", "never", &input]);
    assert_eq!(whole.matches("a table has no rows").count(), 2, "{whole}");
    assert_eq!(run(&["markdown", "--stream", "always", &input]), whole);
    let out = |name: &str| path(&dir, name);
    let convert = |stream: &str, o: &str| {
        let all = run(&[
            "convert",
            "--to",
            "markdown,text",
            "--stream",
            stream,
            &input,
            "-o",
            o,
        ]);
        // The summary's timing line differs from run to run.
        all.lines()
            .filter(|l| l.starts_with("warning"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let (a, b) = (convert("never", &out("a")), convert("always", &out("b")));
    assert_eq!(a, b);
    assert_eq!(a.matches("page 2: page failed").count(), 1, "{a}");
}
