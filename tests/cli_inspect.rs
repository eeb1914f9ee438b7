//! `pagetree inspect` end to end: text, JSON, exit codes.

use crate::common::{pagetree, stderr, stdout};

#[test]
fn json_lines_have_the_documented_keys() {
    let o = pagetree(&[
        "inspect",
        "--json",
        "testdata/v2_failed_pages.json",
        "testdata/v2_messy.json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(lines.len(), 2);
    for key in [
        "file",
        "format",
        "pages",
        "failed_pages",
        "items",
        "tables",
        "parse_concerns",
        "unknown_item_types",
        "bbox_problems",
        "warnings",
    ] {
        assert!(lines[0].get(key).is_some(), "missing key {key}");
    }
    assert_eq!(lines[0]["failed_pages"], serde_json::json!([2, 4]));
    assert!(lines[1]["unknown_item_types"]["chart"].as_u64() >= Some(1));
}

#[test]
fn a_broken_input_is_reported_and_the_rest_still_inspected() {
    let o = pagetree(&[
        "inspect",
        "testdata/invalid/wrong_type_bbox.json",
        "testdata/v2_full.json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("testdata/v2_full.json"));
    let err = stderr(&o);
    assert!(
        err.contains("wrong_type_bbox.json: items.pages[1].items[2].bbox[0].x: invalid type"),
        "{err}"
    );
    assert!(err.contains("at line "), "{err}");
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(
        crate::cli_usage::nothing_in(&["inspect"]).status.code(),
        Some(2)
    );
    assert_eq!(pagetree(&["no-such-command"]).status.code(), Some(2));
    assert_eq!(pagetree(&["--help"]).status.code(), Some(0));
}

#[test]
fn missing_file_is_an_input_failure() {
    let o = pagetree(&["inspect", "testdata/does-not-exist.json"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("does-not-exist.json: cannot read"));
}
