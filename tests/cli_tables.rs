//! `pagetree tables` end to end: files written, subfolders per input, stdout, exit codes.

use std::path::{Path, PathBuf};

use crate::common::{listing, pagetree, stderr, stdout};

/// A fresh, empty directory for one test.
fn temp_dir(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("cli_tables")
        .join(test);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[test]
fn one_input_writes_into_the_directory() {
    let dir = temp_dir("one_input");
    let out = dir.to_str().expect("utf-8 path");
    let o = pagetree(&[
        "tables",
        "testdata/v2_merged_tables.json",
        "-o",
        out,
        "--stitch",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        listing(&dir),
        [
            "p001-t01.csv",
            "p002-t01.csv",
            "p005-t01.csv",
            "tables.json"
        ]
    );
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("tables.json")).expect("index"))
            .expect("json");
    assert_eq!(index["schema"], "pagetree.tables");
    assert_eq!(index["tables"][2]["stitched"]["parts"][1]["id"], "p006-t01");
    assert!(stderr(&o).contains("3 tables"), "{}", stderr(&o));
    assert!(stdout(&o).is_empty(), "status lines go to standard error");
}

#[test]
fn several_inputs_get_subfolders_and_a_broken_one_does_not_stop_the_rest() {
    let dir = temp_dir("several");
    let out = dir.to_str().expect("utf-8 path");
    let o = pagetree(&[
        "tables",
        "testdata/invalid/wrong_type_bbox.json",
        "testdata/v1_result.json",
        "testdata/many.jsonl",
        "-o",
        out,
        "--index",
        "both",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("wrong_type_bbox.json: items.pages[1].items[2].bbox[0].x: invalid type"),
        "{err}"
    );
    assert_eq!(listing(&dir), ["many", "v1_result"]);
    assert_eq!(
        listing(dir.join("v1_result")),
        [
            "p001-t01.csv",
            "p002-t01.csv",
            "p003-t01.csv",
            "tables.csv",
            "tables.json"
        ]
    );
    // A JSON Lines input holds several documents: one numbered folder each.
    assert_eq!(listing(dir.join("many")), ["1", "2", "3"]);
    assert_eq!(
        listing(dir.join("many/2")),
        ["p001-t01.csv", "tables.csv", "tables.json"]
    );
}

#[test]
fn stdout_writes_one_table() {
    let o = pagetree(&[
        "tables",
        "testdata/tables_spans.json",
        "--stdout",
        "--table",
        "p001-t01",
        "--header-rows",
        "2",
        "--delimiter",
        "tab",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).starts_with("Region\tRevenue (k€) / 2023\tRevenue (k€) / 2024\tNote\n"),
        "{}",
        stdout(&o)
    );

    // Several tables and no --table: a usage error naming them.
    let o = pagetree(&["tables", "testdata/v2_merged_tables.json", "--stdout"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("pick one with --table ID (p001-t01, p002-t01, p005-t01, p006-t01)"),
        "{}",
        stderr(&o)
    );

    // A stub names its merged table.
    let o = pagetree(&[
        "tables",
        "testdata/v2_merged_tables.json",
        "--stdout",
        "--table",
        "p003-t01",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("p003-t01 is an empty stub of the merged table p002-t01"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn jsonl_format() {
    let o = pagetree(&[
        "tables",
        "testdata/v2_full.json",
        "--stdout",
        "--table",
        "p002-t01",
        "--format",
        "jsonl",
        "--normalize-numbers",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let first: serde_json::Value =
        serde_json::from_str(stdout(&o).lines().next().expect("a line")).expect("json");
    assert_eq!(first["Region"], "Lower Saxony");
    assert_eq!(first["2023 (€ k)"], "2310.0");
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["tables", "testdata/v2_full.json"][..],
        &["tables", "testdata/v2_full.json", "--stdout", "-o", "x"],
        &[
            "tables",
            "testdata/v2_full.json",
            "--stdout",
            "--delimiter",
            "|",
        ],
        &[
            "tables",
            "testdata/v2_full.json",
            "--stdout",
            "--percent",
            "fraction",
        ],
        &[
            "tables",
            "testdata/v2_full.json",
            "testdata/v1_result.json",
            "--stdout",
        ],
    ] {
        let o = pagetree(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
    }
}
