//! `pagetree elements`: snapshots over fixtures, and on every real file that every range
//! slices correctly and every normalised box lies in 0..1.

use std::collections::BTreeSet;

use pagetree_convert::{ElementOptions, MarkdownOptions, elements, markdown};
use pagetree_model::Loaded;

use crate::common::{fixtures, name, pagetree, realdata, stderr, stdout};

/// Letters and digits only, lower case: markdown escaping and link joining change punctuation
/// and spacing, never the words.
fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Checks every invariant of one document's elements; returns (elements, ranges checked).
fn check(doc: &pagetree_model::Document, file: &str) -> (usize, usize) {
    let md = markdown::render(doc, &MarkdownOptions::default());
    let els = elements::collect(doc, &ElementOptions::default(), Some(&md));
    let out = &md.output;
    let mut ids = BTreeSet::new();
    let mut ranges = 0;
    for e in &els.elements {
        assert!(ids.insert(e.id.clone()), "{file}: duplicate id {}", e.id);
        if let Some(p) = &e.parent {
            assert!(
                ids.contains(p),
                "{file}: {} has parent {p} that does not precede it",
                e.id
            );
        }
        if let Some(r) = e.md_range {
            let [b0, b1] = r.bytes;
            assert!(
                b0 <= b1 && b1 <= out.len(),
                "{file}: {} range {r:?} outside output",
                e.id
            );
            assert!(
                out.is_char_boundary(b0) && out.is_char_boundary(b1),
                "{file}: {} not on char boundaries",
                e.id
            );
            assert_eq!(
                out[..b0].chars().count(),
                r.chars[0],
                "{file}: {} char start",
                e.id
            );
            assert_eq!(
                out[..b1].chars().count(),
                r.chars[1],
                "{file}: {} char end",
                e.id
            );
            // Text-like elements: every word of their text is in their slice of the markdown
            // (word by word: inline links add their URL between words).
            if matches!(e.kind, "text" | "heading" | "code") && e.parent.is_none() {
                let slice = norm(&out[b0..b1]);
                for w in e
                    .text
                    .split_whitespace()
                    .map(norm)
                    .filter(|w| !w.is_empty())
                {
                    assert!(
                        slice.contains(&w),
                        "{file}: {} slice {:?} lacks {w:?} of its text",
                        e.id,
                        &out[b0..b1]
                    );
                }
            }
            ranges += 1;
        }
        for b in &e.boxes {
            if let Some(n) = b.normalized {
                assert!(
                    n.iter().all(|v| (0.0..=1.0).contains(v)) && n[0] <= n[2] && n[1] <= n[3],
                    "{file}: {} box {n:?}",
                    e.id
                );
            }
            if let Some(s) = b.span {
                let [b0, b1] = s.bytes;
                assert!(
                    e.md.is_char_boundary(b0) && e.md.is_char_boundary(b1) && b0 <= b1,
                    "{file}: {} span {s:?}",
                    e.id
                );
                assert_eq!(e.md[..b0].chars().count(), s.chars[0]);
            }
        }
    }
    (els.elements.len(), ranges)
}

#[test]
fn realdata_ranges_slice_and_boxes_are_normalised() {
    let Some(files) = realdata() else { return };
    for path in files {
        let bytes = std::fs::read(&path).expect("readable");
        for loaded in pagetree_model::load_all(&bytes, Some(&name(&path)))
            .into_iter()
            .flatten()
        {
            if let Loaded::Document(doc) = loaded {
                let (n, ranges) = check(&doc, &name(&path));
                eprintln!("{}: {n} elements, {ranges} with md_range", name(&path));
            }
        }
    }
}

#[test]
fn fixture_invariants_and_snapshots() {
    for path in fixtures() {
        let bytes = std::fs::read(&path).expect("readable");
        for loaded in pagetree_model::load_all(&bytes, Some(&name(&path)))
            .into_iter()
            .flatten()
        {
            if let Loaded::Document(doc) = loaded {
                check(&doc, &name(&path));
            }
        }
    }
    insta::glob!("../testdata", "*.json", |path| {
        let bytes = std::fs::read(path).expect("readable");
        let Ok(doc) = pagetree_model::load_document(&bytes, Some(&name(path))) else {
            return;
        };
        let md = markdown::render(&doc, &MarkdownOptions::default());
        let els = elements::collect(&doc, &ElementOptions::default(), Some(&md));
        // One line per element keeps the snapshots reviewable; the full schema is snapshotted
        // once below.
        let mut lines: Vec<String> = els
            .elements
            .iter()
            .map(|e| {
                let problems: Vec<&str> = e
                    .boxes
                    .iter()
                    .flat_map(|b| b.problems.iter().copied())
                    .collect();
                format!(
                    "{:<7} {:<8} parent={:<7} path={:?} range={:?} boxes={} {}{}",
                    e.id,
                    e.kind,
                    e.parent.as_deref().unwrap_or("-"),
                    e.heading_path,
                    e.md_range.map(|r| r.bytes),
                    e.boxes.len(),
                    problems.join(","),
                    e.table
                        .as_ref()
                        .map(|t| format!(" table={} {}x{}", t.id, t.rows, t.columns))
                        .unwrap_or_default(),
                )
            })
            .collect();
        lines.push(format!(
            "summary: {}",
            serde_json::to_string(&els.summary).expect("json")
        ));
        insta::assert_snapshot!(lines.join("\n"));
    });
}

#[test]
fn full_schema_snapshot() {
    let o = pagetree(&["elements", "testdata/v2_legacy_spelling.json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    insta::assert_snapshot!(stdout(&o));
}

#[test]
fn jsonl_records_and_thread_count_independence() {
    let one = pagetree(&[
        "-j",
        "1",
        "elements",
        "--jsonl",
        "testdata/v2_full.json",
        "testdata/v2_messy.json",
    ]);
    let two = pagetree(&[
        "-j",
        "2",
        "elements",
        "--jsonl",
        "testdata/v2_full.json",
        "testdata/v2_messy.json",
    ]);
    assert!(one.status.success(), "{}", stderr(&one));
    assert_eq!(one.stdout, two.stdout);
    let records: Vec<serde_json::Value> = stdout(&one)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    let kinds: BTreeSet<&str> = records
        .iter()
        .map(|r| r["record"].as_str().expect("record"))
        .collect();
    assert_eq!(
        kinds,
        BTreeSet::from(["document", "element", "page", "summary"])
    );
    assert_eq!(
        records.iter().filter(|r| r["record"] == "document").count(),
        2
    );
}

/// `convert` writes elements as it builds them ([`ElementsStream::push_to`]); the bytes must be
/// those of building them all, then writing ([`write_elements`]), in both forms and with page
/// furniture left out (the first element written is then not the first item).
#[test]
fn written_while_built_equals_built_then_written() {
    use pagetree_convert::elements::{
        ElementsFormat, ElementsStream, ElementsWriter, MdOffset, write_elements,
    };
    let mut files = fixtures();
    files.extend(realdata().unwrap_or_default());
    let mut compared = 0;
    for path in files {
        let bytes = std::fs::read(&path).expect("readable");
        for loaded in pagetree_model::load_all(&bytes, Some(&name(&path)))
            .into_iter()
            .flatten()
        {
            let Loaded::Document(doc) = loaded else {
                continue;
            };
            let md = markdown::render(&doc, &MarkdownOptions::default());
            for furniture in [true, false] {
                let mut opts = ElementOptions::default();
                opts.furniture = furniture;
                let whole = elements::collect(&doc, &opts, Some(&md));
                for format in [ElementsFormat::Json, ElementsFormat::Jsonl] {
                    let built = write_elements(&whole, format, Vec::new()).expect("to memory");
                    let mut stream = ElementsStream::new(&doc, &opts);
                    let mut writer =
                        ElementsWriter::new(Vec::new(), format, &whole.source, &whole.format)
                            .expect("to memory");
                    let n = stream
                        .push_to(&doc, Some((&md, MdOffset::default())), &mut writer)
                        .expect("to memory");
                    assert_eq!(n, whole.elements.len(), "{}", name(&path));
                    let written = writer
                        .finish(stream.pages(), stream.summary())
                        .expect("to memory");
                    assert!(
                        built == written,
                        "{}: furniture {furniture}, {format:?}: the bytes differ",
                        name(&path)
                    );
                    compared += 1;
                }
            }
        }
    }
    assert!(compared > 40, "only {compared} comparisons");
}

#[test]
fn options_move_ranges_like_the_markdown() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("e.json");
    let md = dir.path().join("m.md");
    let flags = [
        "--headers",
        "hide",
        "--page-separator",
        "\\n\\n<<{pageNumber}>>\\n\\n",
        "--tables",
        "html",
    ];
    let mut a = vec![
        "elements",
        "testdata/v2_full.json",
        "-o",
        out.to_str().expect("utf8"),
    ];
    a.extend(flags);
    assert!(pagetree(&a).status.success());
    let mut b = vec![
        "markdown",
        "testdata/v2_full.json",
        "-o",
        md.to_str().expect("utf8"),
    ];
    b.extend(flags);
    assert!(pagetree(&b).status.success());
    let els: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&out).expect("elements")).expect("json");
    let text = std::fs::read_to_string(&md).expect("markdown");
    let mut checked = 0;
    for e in els["elements"].as_array().expect("elements") {
        if let Some(r) = e["md_range"]["bytes"].as_array() {
            let (b0, b1) = (
                r[0].as_u64().expect("n") as usize,
                r[1].as_u64().expect("n") as usize,
            );
            if e["kind"] == "heading" {
                assert_eq!(&text[b0..b1], e["md"].as_str().expect("md"));
            }
            checked += 1;
        } else {
            // Hidden headers have no range.
            assert!(
                e["furniture"] == "header" || e["kind"] == "table" || e["parent"].is_string(),
                "{e}"
            );
        }
    }
    assert!(checked > 10);
}

#[test]
fn non_documents_and_broken_inputs_fail_cleanly() {
    let o = pagetree(&[
        "elements",
        "testdata/job_list.json",
        "testdata/v2_nojob.json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("has no elements"));
    assert!(stdout(&o).contains("\"schema\":\"pagetree.elements\""));
}
