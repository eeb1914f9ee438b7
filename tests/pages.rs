//! `--pages` means the same in every command: only the selected pages reach tables, elements,
//! chunks, quality and the markdown and text, and a range that starts past the last page is
//! an error (exit 1) naming the document's page count.

use serde_json::Value;

use crate::common::{listing, pagetree};

/// Three pages, tables on pages 2 and 3 (and a merge stub on 3 pointing back at page 1).
const FILE: &str = "testdata/tables_spans.json";

fn json_lines(bytes: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(bytes)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

#[test]
fn every_command_keeps_to_the_selected_pages() {
    for stream in ["never", "always"] {
        let tmp = tempfile::tempdir().expect("temp dir");
        let dir = tmp.path().join("tables");
        let d = dir.to_string_lossy();
        let r = pagetree(&["tables", "--pages", "2", "--stream", stream, "-o", &d, FILE]);
        assert!(r.status.success(), "{r:?}");
        let names = listing(&dir);
        assert_eq!(
            names,
            ["p002-t01.csv", "p002-t02.csv", "tables.json"],
            "{stream}"
        );

        let r = pagetree(&[
            "quality", "--format", "json", "--pages", "3", "--stream", stream, FILE,
        ]);
        let report = &json_lines(&r.stdout)[0];
        let pages: Vec<u64> = report["tables"]
            .as_array()
            .expect("tables")
            .iter()
            .map(|t| t["page"].as_u64().expect("page"))
            .collect();
        assert!(
            !pages.is_empty() && pages.iter().all(|&p| p == 3),
            "{stream}: {pages:?}"
        );

        let r = pagetree(&[
            "elements", "--jsonl", "--pages", "2", "--stream", stream, FILE,
        ]);
        let pages: Vec<u64> = json_lines(&r.stdout)
            .iter()
            .filter_map(|e| e["page"].as_u64())
            .collect();
        assert!(
            !pages.is_empty() && pages.iter().all(|&p| p == 2),
            "{stream}: {pages:?}"
        );

        let r = pagetree(&["chunks", "--pages", "2-", "--stream", stream, FILE]);
        let chunks = json_lines(&r.stdout);
        assert!(!chunks.is_empty(), "{stream}");
        for c in &chunks {
            let p = &c["metadata"]["pages"];
            assert!(p[0].as_u64() >= Some(2), "{stream}: {c}");
        }

        let out = tmp.path().join("out");
        let o = out.to_string_lossy();
        let r = pagetree(&[
            "convert",
            "-q",
            "--to",
            "tables,elements,quality",
            "--pages",
            "3",
            "--stream",
            stream,
            "-o",
            &o,
            FILE,
        ]);
        assert!(r.status.success(), "{r:?}");
        let doc = out.join("tables_spans");
        let tables: Vec<String> = std::fs::read_dir(doc.join("tables"))
            .expect("tables written")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".csv"))
            .collect();
        assert!(
            !tables.is_empty() && tables.iter().all(|n| n.starts_with("p003-")),
            "{tables:?}"
        );
        let q: Value =
            serde_json::from_slice(&std::fs::read(doc.join("quality.json")).expect("quality"))
                .expect("JSON");
        assert!(
            q["tables"]
                .as_array()
                .expect("tables")
                .iter()
                .all(|t| t["page"] == 3)
        );
        let e: Value =
            serde_json::from_slice(&std::fs::read(doc.join("elements.json")).expect("elements"))
                .expect("JSON");
        let text = e.to_string();
        assert!(
            !text.contains("\"page\":1,") && !text.contains("\"page\":2,"),
            "{stream}"
        );
    }
}

#[test]
fn a_range_past_the_last_page_is_an_error_naming_the_page_count() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let t = tmp.path().join("t").to_string_lossy().into_owned();
    let c = tmp.path().join("c").to_string_lossy().into_owned();
    let commands: [&[&str]; 8] = [
        &["markdown"],
        &["text"],
        &["elements"],
        &["chunks"],
        &["tables", "-o", &t],
        &["quality"],
        &["quality", "--format", "json"],
        &[
            "convert",
            "-q",
            "--to",
            "markdown,tables,elements,quality",
            "-o",
            &c,
        ],
    ];
    for args in commands {
        for (pages, shown) in [("9-12", "9-12"), ("1,4-", "4-")] {
            for stream in ["never", "always"] {
                let mut all = args.to_vec();
                all.extend(["--pages", pages, "--stream", stream, FILE]);
                let r = pagetree(&all);
                let err = String::from_utf8_lossy(&r.stderr);
                assert_eq!(r.status.code(), Some(1), "{all:?}: {err}");
                assert!(
                    err.contains(&format!(
                        "{FILE}: --pages {shown}: the document has 3 pages"
                    )),
                    "{all:?}: {err}"
                );
            }
        }
    }
}
