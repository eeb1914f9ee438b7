//! `pagetree quality` end to end: formats, `-o`, `--fail-under`, `--fail-on`, exit codes.

use std::path::Path;

use crate::common::{pagetree, stderr, stdout};

#[test]
fn text_overview_and_exit_zero_without_conditions() {
    let o = pagetree(&["quality", "testdata/quality_totals.json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("table     page  shape  score  status  top finding"),
        "{out}"
    );
    assert!(out.contains("total_mismatch"), "{out}");
}

#[test]
fn json_lines_one_report_per_document() {
    let o = pagetree(&[
        "quality",
        "--format",
        "json",
        "testdata/quality_clean.json",
        "testdata/many.jsonl",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0]["schema"], "pagetree.quality");
    assert_eq!(lines[0]["version"], 1);
    assert_eq!(lines[0]["summary"]["statuses"]["ok"], 3);
}

#[test]
fn fail_under_and_fail_on_set_exit_one() {
    let o = pagetree(&[
        "quality",
        "testdata/quality_totals.json",
        "--fail-under",
        "75",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("p001-t02 scores 70, under 75 (--fail-under)"),
        "{}",
        stderr(&o)
    );
    let o = pagetree(&[
        "quality",
        "testdata/quality_clean.json",
        "--fail-under",
        "100",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = pagetree(&[
        "quality",
        "testdata/quality_values.json",
        "--fail-on",
        "total_mismatch",
        "--fail-on",
        "two_numbers_in_cell",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("p001-t02 has 1 two_numbers_in_cell finding (--fail-on)"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn an_unknown_check_id_is_a_usage_error() {
    let o = pagetree(&[
        "quality",
        "testdata/quality_clean.json",
        "--fail-on",
        "totals",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("unknown check id \"totals\""), "{err}");
    assert!(err.contains("total_mismatch"), "{err}");
    let o = pagetree(&[
        "quality",
        "testdata/quality_clean.json",
        "--fail-under",
        "101",
    ]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn a_broken_input_is_reported_and_the_rest_still_judged() {
    let o = pagetree(&[
        "quality",
        "testdata/invalid/wrong_type_bbox.json",
        "testdata/quality_clean.json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("wrong_type_bbox.json: items.pages[1].items[2].bbox[0].x"),
        "{}",
        stderr(&o)
    );
    assert!(stdout(&o).contains("testdata/quality_clean.json"));
}

#[test]
fn output_file_is_written_as_markdown() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli_quality");
    let _ = std::fs::remove_dir_all(&dir);
    let file = dir.join("report.md");
    let o = pagetree(&[
        "quality",
        "testdata/quality_header.json",
        "--format",
        "markdown",
        "-o",
        file.to_str().expect("utf-8 path"),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).is_empty());
    let md = std::fs::read_to_string(&file).expect("written");
    assert!(
        md.starts_with("## Table quality: `testdata/quality_header.json`"),
        "{md}"
    );
    assert!(md.contains("| table | page | shape | score | status | top finding |"));
}
