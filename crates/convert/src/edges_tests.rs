//! The detection pass's edge read (`ReadOptions::edges_only` in batches, which parses only the
//! items at each end of a page) against a whole, lossless read: page by page, detection must
//! see exactly the same edge lines, typed furniture and item presence, and find the same
//! running heads and feet, on every fixture, every real response, generated documents and
//! pages made to trip the byte-level walk. Unit tests, as what a page gives detection is
//! internal.

use std::path::{Path, PathBuf};

use pagetree_model::{Document, ReadOptions, Reader, load_file};
use pagetree_synth::{SynthOptions, write_response};
use serde_json::Value;

use super::detect;
use crate::furniture::{Detected, PageEdges};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every `.json` file under `testdata/`, sorted.
fn fixtures() -> Vec<PathBuf> {
    pagetree_synth::testdata_files(&root(), &["json"])
}

/// The options of the detection pass.
fn edges() -> ReadOptions {
    ReadOptions::default()
        .skip_boxes(true)
        .markdown_only(true)
        .edges_only(true)
        .skip_server_pages(true)
}

/// What a whole read and the edge read (in batches of `budget` bytes) give detection, page
/// by page, checked equal; how many pages the edge read cut short. `None` when the input is
/// not one readable document.
fn compare(name: &str, whole: &Document, mut reader: Reader, budget: u64) -> usize {
    let expected: Vec<PageEdges> = whole.pages().map(|p| PageEdges::of(&p)).collect();
    reader.set_options(edges());
    let mut got = Vec::new();
    let mut cut = 0;
    let mut whole_pages = whole.pages();
    for batch in reader.batches(budget) {
        let batch = batch.unwrap_or_else(|e| panic!("{name}: {e}"));
        for page in batch.pages() {
            let full = whole_pages.next().expect("as many pages");
            assert_eq!(page.number(), full.number(), "{name}");
            cut += usize::from(page.items().len() < full.items().len());
            got.push(PageEdges::of(&page));
        }
    }
    assert_eq!(got.len(), expected.len(), "{name}: page count");
    for (g, e) in got.iter().zip(&expected) {
        assert_eq!(g, e, "{name} (batches of {budget} bytes)");
    }
    cut
}

/// `compare` at two batch sizes, and the whole detection pass against `Detected::scan`; how
/// many pages were cut short, over both.
fn check_bytes(name: &str, bytes: &[u8]) -> usize {
    let Ok(whole) = pagetree_model::load_document(bytes, Some(name)) else {
        return 0;
    };
    // Not one object at the top (an array, JSON Lines): read whole, with no detection pass.
    if Reader::from_bytes(bytes.to_vec(), Some(name)).is_err() {
        return 0;
    }
    let open = || Reader::from_bytes(bytes.to_vec(), Some(name)).expect("readable");
    let mut cut = 0;
    for budget in [1, 1 << 20] {
        cut += compare(name, &whole, open(), budget);
        let mut reader = open();
        let found = detect(&mut reader, budget).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(found, Detected::scan(&whole), "{name}");
    }
    cut
}

fn check_file(path: &Path) -> usize {
    let name = path.display().to_string();
    if load_file(path).is_err() {
        return 0;
    }
    check_bytes(&name, &std::fs::read(path).expect("readable"))
}

#[test]
fn the_edge_read_gives_detection_what_a_whole_read_gives_on_every_fixture() {
    let cut: usize = fixtures().iter().map(|p| check_file(p)).sum();
    assert!(
        cut > 0,
        "no fixture page was cut: the edge read was not tried"
    );
}

#[test]
fn the_edge_read_gives_detection_what_a_whole_read_gives_on_every_real_response() {
    let Some(files) = pagetree_synth::realdata_files(&root(), "real-data edge-read checks") else {
        return;
    };
    let cut: usize = files.iter().map(|p| check_file(p)).sum();
    assert!(cut > 0, "no real page was cut: the edge read was not tried");
}

#[test]
fn the_edge_read_gives_detection_what_a_whole_read_gives_on_generated_documents() {
    for (seed, with_markdown) in [(1, false), (2, true), (3, true)] {
        let opts = SynthOptions {
            pages: 40,
            seed,
            with_markdown,
            with_text: with_markdown,
            failed_every: 7,
            ..SynthOptions::default()
        };
        let mut bytes = Vec::new();
        write_response(&opts, &mut bytes).expect("written");
        let cut = check_bytes(&format!("synth-{seed}"), &bytes);
        assert!(cut >= 30, "synth-{seed}: only {cut} pages cut");
    }
}

/// JSON objects written with their keys in the order given (API order: `type` first), and
/// `ws` between tokens.
struct Writer {
    ws: &'static str,
}

impl Writer {
    fn obj(&self, fields: &[(&str, String)]) -> String {
        let ws = self.ws;
        let body: Vec<String> = fields
            .iter()
            .map(|(k, v)| format!("{ws}{}{ws}:{ws}{v}", Value::from(*k)))
            .collect();
        format!("{{{}{ws}}}", body.join(","))
    }

    fn arr(&self, items: &[String]) -> String {
        let ws = self.ws;
        let body: Vec<String> = items.iter().map(|i| format!("{ws}{i}")).collect();
        format!("[{}{ws}]", body.join(","))
    }

    fn text(&self, md: &str) -> String {
        let md = Value::from(md).to_string();
        let bbox = self.obj(&[
            ("x", "1".into()),
            ("y", "2.5".into()),
            ("w", "-3e2".into()),
            ("h", "0".into()),
        ]);
        self.obj(&[
            ("type", "\"text\"".into()),
            ("md", md.clone()),
            ("value", md),
            ("bbox", self.arr(&[bbox])),
        ])
    }

    fn kind(&self, kind: &str, md: &str, rest: &[(&str, String)]) -> String {
        let mut fields = vec![
            ("type", Value::from(kind).to_string()),
            ("md", Value::from(md).to_string()),
        ];
        fields.extend(rest.iter().cloned());
        self.obj(&fields)
    }
}

/// Pages made to trip the walk or the choice of what to keep: running heads and page
/// numbers at the edges (so detection finds some), header text spelt out over several
/// items, containers at the edges and in the middle, `type` written last, nested items,
/// strings full of brackets, quotes and escapes, and pages too small to cut.
fn adversarial(pages: u32, ws: &'static str) -> String {
    let w = Writer { ws };
    let s = |v: &str| Value::from(v).to_string();
    let mut items_pages = Vec::new();
    let mut markdown_pages = Vec::new();
    for n in 1..=pages {
        let body = |k: usize| w.text(&format!("Body paragraph {k} of page {n} with more words"));
        let mut items: Vec<String> = Vec::new();
        let mut header = "null".to_string();
        let mut footer = "null".to_string();
        match n % 8 {
            // Header text spelt out over three items, then running lines.
            0 => {
                header = s("Annual  report of the\nACME company");
                items.push(w.text("Annual report"));
                items.push(w.text("of the"));
                items.push(w.kind("heading", "ACME company", &[("level", "2".into())]));
                items.push(w.text("Journal of Tests"));
                items.extend((0..16).map(body));
                items.push(w.text(&format!("Page {n} of {pages}")));
            }
            // Containers at the edges, a nested list and tricky strings in the middle.
            1 => {
                items.push(w.kind("header", "Head", &[("items", w.arr(&[w.text("Head")]))]));
                items.push(w.text("Journal of Tests"));
                items.push(w.text("Smith et al."));
                let inner = w.obj(&[
                    ("type", s("list")),
                    ("items", w.arr(&[w.text("] } \" \\ [ {")])),
                ]);
                items.push(w.kind(
                    "list",
                    "- a\n- b",
                    &[
                        ("ordered", "false".into()),
                        ("items", w.arr(&[w.text("a"), inner])),
                    ],
                ));
                items.push(w.text("brackets ] } [ { \"quoted\" \\ back \u{1F600} \u{e9} \t tab"));
                items.push(w.kind(
                    "table",
                    "|a|b|",
                    &[
                        ("rows", w.arr(&[w.arr(&[w.obj(&[("md", s("}]"))])])])),
                        ("html", s("<table><tr><td>\"x\"</td></tr></table>")),
                        ("csv", s("a,\"b\"")),
                        ("odd", r#""\ud83d\ude00 \u00e9 \/ \b\f\n\r\t""#.into()),
                    ],
                ));
                items.extend((0..4).map(body));
                items.push(w.text(&format!("{n}")));
                items.push(w.kind("footer", "Foot", &[("items", w.arr(&[w.text("Foot")]))]));
            }
            // A container in the middle: read whole.
            2 => {
                items.push(w.text("Journal of Tests"));
                items.extend((0..4).map(body));
                items.push(w.kind("footer", "Mid-page footer", &[]));
                items.extend((4..8).map(body));
                items.push(w.text(&format!("{n}")));
            }
            // `type` written last in the middle: read whole.
            3 => {
                items.push(w.text("Journal of Tests"));
                items.extend((0..4).map(body));
                items.push(w.obj(&[("md", s("typed late")), ("type", s("text"))]));
                items.extend((4..8).map(body));
                items.push(w.text(&format!("Page {n} of {pages}")));
            }
            // Empty (or no items at all), one-item and short pages.
            4 => {}
            5 => items.push(w.text("Journal of Tests")),
            6 => items.extend([w.text("Journal of Tests"), body(0), w.text(&format!("{n}"))]),
            // `type` last and kinds inferred at the edges, a long footer text.
            _ => {
                header = s("Journal of Tests");
                footer = s("one two three four five six seven eight");
                items.push(w.obj(&[("md", s("Journal of Tests")), ("type", s("text"))]));
                items.push(w.obj(&[("md", s("## Untyped heading")), ("level", "2".into())]));
                items.extend((0..30).map(body));
                items.push(w.obj(&[("md", s("Smith et al.")), ("value", s("Smith et al."))]));
                items.push(w.text(&format!("- {n} -")));
            }
        }
        let mut page = vec![("page_number", n.to_string()), ("page_width", "612".into())];
        if n % 16 != 4 {
            page.push(("items", w.arr(&items)));
        }
        page.push(("page_height", "792".into()));
        items_pages.push(w.obj(&page));
        markdown_pages.push(w.obj(&[
            ("page_number", n.to_string()),
            ("markdown", s("# page")),
            ("header", header),
            ("footer", footer),
        ]));
    }
    w.obj(&[
        ("job", w.obj(&[("id", s("j"))])),
        ("items", w.obj(&[("pages", w.arr(&items_pages))])),
        ("markdown", w.obj(&[("pages", w.arr(&markdown_pages))])),
    ])
}

#[test]
fn the_edge_read_gives_detection_what_a_whole_read_gives_on_adversarial_pages() {
    for ws in ["", " \n\t\r "] {
        let doc = adversarial(48, ws);
        let cut = check_bytes("adversarial", doc.as_bytes());
        // Pages 0, 1 and 7 mod 8 are cut, at both batch sizes; 2 and 3 mod 8 hold what
        // makes them read whole, the others are too short.
        assert_eq!(cut, 36);
        let whole = pagetree_model::load_document(doc.as_bytes(), Some("adversarial")).unwrap();
        assert!(
            Detected::scan(&whole).lines() > 0,
            "detection found nothing to agree on"
        );
    }
}
