//! Errors a person can act on: 1-based columns, no Rust type names, one error for a broken
//! document (not one per line), documents given in place of their parse result named as such,
//! escaped file names, the same UTF-8 offsets streamed and whole, exit 2 for unwritable output.

use std::process::Output;

use crate::common::{pagetree, stderr, testdata};

fn regression(slug: &str) -> String {
    testdata()
        .join("regressions")
        .join("invalid")
        .join(format!("{slug}.json"))
        .to_string_lossy()
        .into_owned()
}

fn errors(o: &Output) -> Vec<String> {
    stderr(o)
        .lines()
        .filter(|l| l.starts_with("error: "))
        .map(str::to_owned)
        .collect()
}

#[test]
fn a_pretty_printed_response_followed_by_another_value_is_one_error() {
    let f = regression("pretty-response-then-second-value");
    for stream in ["never", "always"] {
        let o = pagetree(&["markdown", "--stream", stream, &f]);
        assert_eq!(o.status.code(), Some(1));
        let e = errors(&o);
        assert_eq!(e.len(), 1, "{stream}: {e:?}");
        assert!(
            e[0].ends_with("trailing characters at line 6 column 1"),
            "{stream}: {e:?}"
        );
    }
}

#[test]
fn messages_say_what_was_expected_in_words_not_rust_types() {
    let f = regression("page-that-is-not-an-object");
    let o = pagetree(&["markdown", &f]);
    let e = errors(&o).join("\n");
    assert!(
        e.contains(
            "items.pages[0]: invalid type: integer `7`, expected a page object at line 2 column 3"
        ),
        "{e}"
    );
    assert!(!e.contains("Page)") && !e.contains("V1"), "{e}");
}

#[test]
fn columns_are_one_based() {
    let f = regression("cut-after-a-newline");
    for stream in ["never", "always"] {
        let o = pagetree(&["markdown", "--stream", stream, &f]);
        let e = errors(&o).join("\n");
        assert!(e.ends_with("at line 2 column 1"), "{stream}: {e}");
        assert!(!e.contains("column 0"), "{e}");
    }
}

/// A PDF, an image or an office file given where its saved parse result was meant.
#[test]
fn a_document_instead_of_its_parse_result_is_named_as_such() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let cases: [(&str, &[u8], &str); 4] = [
        (
            "report.pdf",
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n",
            "this is a PDF file",
        ),
        (
            "scan.png",
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR",
            "this is a PNG image",
        ),
        (
            "deck.docx",
            b"PK\x03\x04\x14\0\x06\0\x08\0",
            "this is an office file or a ZIP archive",
        ),
        (
            "old.doc",
            b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0",
            "this is an office file (doc, xls, ppt)",
        ),
    ];
    for (name, bytes, what) in cases {
        let p = tmp.path().join(name);
        std::fs::write(&p, bytes).expect("write");
        let p = p.to_string_lossy().into_owned();
        let out = tmp.path().join("out").to_string_lossy().into_owned();
        for args in [
            vec!["markdown", "--stream", "never", p.as_str()],
            vec!["markdown", "--stream", "always", p.as_str()],
            vec!["tables", p.as_str(), "-o", out.as_str()],
        ] {
            let o = pagetree(&args);
            assert_eq!(o.status.code(), Some(1), "{args:?}");
            let e = errors(&o).join("\n");
            assert!(e.contains(&format!("{name}: {what}")), "{args:?}: {e}");
            assert!(
                e.contains(", not JSON; pagetree reads the saved JSON result of a parse (see README: saving a response)"),
                "{args:?}: {e}"
            );
            assert!(!e.contains("UTF-8"), "{e}");
        }
    }
}

#[cfg(unix)]
#[test]
fn file_names_in_messages_are_escaped() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let name = "evil\n\u{1b}[31mred.json";
    let p = tmp.path().join(name);
    std::fs::write(&p, b"{\"unknown\": 1}").expect("write");
    let p = p.to_string_lossy().into_owned();
    let dir = tmp.path().to_string_lossy().into_owned();
    let out = tmp.path().join("out").to_string_lossy().into_owned();
    for args in [
        vec!["markdown", p.as_str()],
        vec!["convert", dir.as_str(), "-o", out.as_str()],
    ] {
        let o = pagetree(&args);
        let err = stderr(&o);
        assert!(!err.contains('\u{1b}'), "{args:?}: {err:?}");
        assert!(
            err.contains("evil\\n\\u{1b}[31mred.json"),
            "{args:?}: {err:?}"
        );
        assert!(
            err.lines().all(|l| !l.starts_with("\u{1b}[31mred")),
            "{err:?}"
        );
    }
}

/// Invalid UTF-8 on a JSON Lines line says its offset from the start of the file, whether the
/// line is held or streamed in place, with or without a byte-order mark.
#[test]
fn json_lines_utf8_offsets_count_from_the_start_of_the_file() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let many = std::fs::read(testdata().join("many.jsonl")).expect("fixture");
    let lines: Vec<&[u8]> = many.split(|&b| b == b'\n').collect();
    let at = lines[1]
        .windows(4)
        .position(|w| w == b"\"md\"")
        .expect("an md")
        + 8;
    let mut bad = lines[1].to_vec();
    bad[at] = 0xFF;
    let offset = lines[0].len() + 1 + at;
    for bom in [&b""[..], b"\xEF\xBB\xBF"] {
        let p = tmp.path().join("bad.jsonl");
        std::fs::write(&p, [bom, lines[0], b"\n", &bad, b"\n"].concat()).expect("write");
        let p = p.to_string_lossy().into_owned();
        let mut seen = Vec::new();
        for stream in ["never", "always"] {
            let o = pagetree(&["markdown", "--stream", stream, &p]);
            let e = errors(&o);
            assert_eq!(e.len(), 1, "{e:?}");
            assert!(
                e[0].contains(&format!("invalid UTF-8 (byte 0xFF at offset {offset})")),
                "{stream}: {e:?}"
            );
            seen.push(e[0].clone());
        }
        assert_eq!(seen[0], seen[1]);
    }
}

#[test]
fn tables_exits_2_when_its_output_cannot_be_written() {
    let tmp = tempfile::tempdir().expect("tempdir");
    // A file where the output folder should be.
    let blocker = tmp.path().join("file");
    std::fs::write(&blocker, "x").expect("write");
    let out = blocker.join("sub");
    let fixture = testdata().join("v2_full.json");
    let o = pagetree(&[
        "tables",
        fixture.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!("cannot write to {}", out.display())),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_job_listing_given_to_tables_is_located() {
    let p = testdata().join("job_list.json");
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().to_str().unwrap();
    let o = pagetree(&["tables", p.to_str().unwrap(), "-o", out]);
    let e = errors(&o).join("\n");
    assert!(
        e.contains("this is a job-list body, not a parse result")
            && e.ends_with("at line 1 column 1"),
        "{e}"
    );
}

#[test]
fn job_listing_extract_job_and_batch_bodies_that_fail_a_check_are_located() {
    let tmp = tempfile::tempdir().expect("tempdir");
    // Each body is recognised by its keys, then one field has the wrong type.
    let cases: [(&str, &str, &str, &str); 3] = [
        (
            "jobs",
            "listing.json",
            "{\"items\": [{\"id\": \"a\", \"status\": \"SUCCESS\",\n  \"created_at\": 5}]}",
            "listing.json: items[0].created_at: invalid type: integer `5`, expected a string at line 2 column 17",
        ),
        (
            "jobs",
            "batch.json",
            "{\"processing_results\": 7}",
            "batch.json: processing_results: invalid type: integer `7`, expected a sequence at line 1 column 24",
        ),
        (
            "extract",
            "extract.json",
            "{\"id\": [1],\n \"status\": \"COMPLETED\", \"extract_result\": {}, \"extract_metadata\": {}}",
            "extract.json: id: invalid type: sequence, expected a string at line 1 column 7",
        ),
    ];
    for (command, file, body, expected) in cases {
        let path = tmp.path().join(file);
        std::fs::write(&path, body).expect("write");
        let o = pagetree(&[command, path.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(1), "{command} {file}: {}", stderr(&o));
        let e = errors(&o).join("\n");
        let want = format!("error: {}/{expected}", tmp.path().display());
        assert_eq!(e, want, "{command} {file}");
    }
}
