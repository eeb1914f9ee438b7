//! Markdown and text over every fixture: snapshots per option set, determinism, spans, failed
//! pages and table merging.

use pagetree_convert::markdown::{ImageStyle, LinkStyle, TableFormat, TableStyle};
use pagetree_convert::{
    FailedPageMode, FurnitureMode, MarkdownOptions, Rendered, Source, TextOptions, markdown, text,
};
use pagetree_model::{Document, ItemKind, Loaded, load_all};

use crate::common::{fixtures, name, testdata};

/// Every parse result in a file (other bodies are named, not rendered).
pub fn documents(path: &std::path::Path) -> Vec<Result<Document, String>> {
    let bytes = std::fs::read(path).expect("readable");
    load_all(&bytes, Some(&name(path)))
        .into_iter()
        .map(|r| match r {
            Ok(Loaded::Document(d)) => Ok(*d),
            Ok(other) => Err(format!("{} body: nothing to render", other.format())),
            Err(e) => Err(e.to_string()),
        })
        .collect()
}

/// The parse parameters of `testdata/batch_results.json` (hidden furniture, `<<N>>`
/// separators, HTML tables, merging, error messages for failed pages, annotated links, no
/// images).
fn batch_parameters() -> serde_json::Map<String, serde_json::Value> {
    let bytes = std::fs::read(testdata().join("batch_results.json")).unwrap();
    match load_all(&bytes, None).remove(0).unwrap() {
        Loaded::BatchResults(b) => b.parse_parameters().unwrap().clone(),
        other => panic!("not batch results: {other:?}"),
    }
}

fn show(r: &Rendered) -> String {
    let mut s = r.output.clone();
    for w in &r.warnings {
        s.push_str(&format!("\n[warning] {w}"));
    }
    s
}

/// The markdown option sets each fixture is snapshot with.
fn markdown_option_sets() -> Vec<(&'static str, MarkdownOptions)> {
    let mut batch = MarkdownOptions::default();
    assert!(batch.apply_parameters(&batch_parameters()).is_empty());

    let mut wrapped = MarkdownOptions::default();
    wrapped.pages.prefix = "<!-- page {pageNumber} -->\n".into();
    wrapped.pages.suffix = "<!-- end {pageNumber} -->\n".into();
    wrapped.pages.separator = "\n".into();
    wrapped.pages.headers = FurnitureMode::Wrap {
        prefix: "<header>".into(),
        suffix: "</header>".into(),
    };
    wrapped.pages.footers = FurnitureMode::Wrap {
        prefix: "<footer>".into(),
        suffix: "</footer>".into(),
    };
    wrapped.table_style = TableStyle::Compact;
    wrapped.cell_line_break = " / ".into();
    wrapped.merge_tables = true;
    wrapped.links = LinkStyle::Annotate;
    wrapped.images = ImageStyle::Inline;

    let mut server = MarkdownOptions::default();
    server.pages.source = Source::Server;
    server.pages.failed = FailedPageMode::Blank;
    vec![
        ("default options", MarkdownOptions::default()),
        ("batch_results.json parameters", batch),
        (
            "wrapped furniture, page prefix/suffix, compact merged tables, annotated links",
            wrapped,
        ),
        ("from server, failed pages blank", server),
    ]
}

#[test]
fn markdown_snapshots() {
    let sets = markdown_option_sets();
    insta::glob!("../testdata", "*.{json,jsonl}", |path| {
        let mut out = String::new();
        for doc in documents(path) {
            let doc = match doc {
                Ok(d) => d,
                Err(e) => {
                    out.push_str(&format!("error: {e}\n"));
                    continue;
                }
            };
            for (title, opts) in &sets {
                out.push_str(&format!("===== {} · {title} =====\n", doc.name()));
                out.push_str(&show(&markdown::render(&doc, opts)));
                out.push_str("\n\n");
            }
        }
        insta::assert_snapshot!(out);
    });
}

#[test]
fn text_snapshots() {
    let mut server = TextOptions::default();
    server.pages.source = Source::Server;
    server.pages.failed = FailedPageMode::ErrorMessage;
    server.pages.failed_prefix = "[failed: ".into();
    server.pages.failed_suffix = "]".into();
    let mut hidden = TextOptions::default();
    hidden.pages.headers = FurnitureMode::Hide;
    hidden.pages.footers = FurnitureMode::Hide;
    hidden.pages.separator = "\n\u{c}".into();
    let sets = [
        ("default options", TextOptions::default()),
        ("furniture hidden, form-feed separator", hidden),
        ("from server, failed pages as [failed: …]", server),
    ];
    // Parse results only: the other bodies' message is in the markdown snapshots.
    insta::glob!("../testdata", "{v*.json,*.jsonl}", |path| {
        let mut out = String::new();
        for doc in documents(path) {
            let Ok(doc) = doc else { continue };
            for (title, opts) in &sets {
                out.push_str(&format!("===== {} · {title} =====\n", doc.name()));
                out.push_str(&show(&text::render(&doc, opts)));
                out.push_str("\n\n");
            }
        }
        insta::assert_snapshot!(out);
    });
}

/// Where every item of `v2_full.json` landed, as `index kind page: text`.
#[test]
fn span_map_of_the_full_fixture() {
    let doc = documents(&testdata().join("v2_full.json"))
        .remove(0)
        .unwrap();
    let r = markdown::render(&doc, &MarkdownOptions::default());
    let walk = doc.walk();
    let lines: Vec<String> = r
        .spans
        .iter()
        .map(|s| {
            format!(
                "{:>2} {:<7} p{} {:?}",
                s.walk_index,
                walk[s.walk_index].item.kind().as_str(),
                s.page,
                &r.output[s.bytes.clone()]
            )
        })
        .collect();
    insta::assert_snapshot!(lines.join("\n"));
}

/// Spans are sorted, lie on char boundaries inside their page (a merged table's rows may sit
/// on its first page), and every top-level non-furniture item that renders has one.
#[test]
fn spans_are_consistent_on_every_fixture() {
    let mut merged = MarkdownOptions::default();
    merged.merge_tables = true;
    for path in fixtures() {
        for doc in documents(&path).into_iter().flatten() {
            for opts in [MarkdownOptions::default(), merged.clone()] {
                let r = markdown::render(&doc, &opts);
                let walk = doc.walk();
                assert!(
                    r.spans
                        .windows(2)
                        .all(|w| w[0].walk_index < w[1].walk_index)
                );
                for s in &r.spans {
                    let text = r.output.get(s.bytes.clone()).expect("char boundaries");
                    assert!(!text.trim().is_empty(), "{}: blank span {s:?}", doc.name());
                    assert_eq!(s.page, walk[s.walk_index].page);
                    let inside = r
                        .pages
                        .iter()
                        .any(|p| p.bytes.start <= s.bytes.start && s.bytes.end <= p.bytes.end);
                    assert!(inside, "{}: span {s:?} outside every page", doc.name());
                }
                for w in walk.iter().filter(|w| w.depth == 0 && !w.furniture) {
                    let empty = match w.item.kind() {
                        ItemKind::Table => w.item.table_rows().is_empty(),
                        _ => w.item.md().trim().is_empty() && w.item.plain_text().is_empty(),
                    };
                    let continued = opts.merge_tables && w.item.kind() == ItemKind::Table;
                    if !empty && !continued && r.pages.iter().any(|p| p.number == w.page) {
                        let failed = doc.page(w.page).is_some_and(|p| p.is_failed());
                        assert!(
                            failed || r.span(w.index).is_some(),
                            "{}: no span for {}",
                            doc.name(),
                            w.path(&walk)
                        );
                    }
                }
            }
        }
    }
}

/// Output does not depend on the thread count, and streaming writes the same bytes.
#[test]
fn output_is_the_same_for_any_thread_count_and_when_streamed() {
    let pool = |n| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .unwrap()
    };
    let (one, four) = (pool(1), pool(4));
    let mut paths = fixtures();
    paths.extend(crate::common::realdata().unwrap_or_default());
    let opts = markdown_option_sets();
    for path in paths {
        for doc in documents(&path).into_iter().flatten() {
            for (_, o) in &opts {
                let a = one.install(|| markdown::render(&doc, o));
                let b = four.install(|| markdown::render(&doc, o));
                assert_eq!(a, b, "{}", doc.name());
                let mut streamed = Vec::new();
                let warnings =
                    four.install(|| pagetree_convert::markdown::write(&doc, o, &mut streamed));
                assert_eq!(warnings.unwrap(), a.warnings);
                assert_eq!(String::from_utf8(streamed).unwrap(), a.output);
            }
            let t = TextOptions::default();
            let a = one.install(|| text::render(&doc, &t));
            let mut streamed = Vec::new();
            four.install(|| pagetree_convert::text::write(&doc, &t, &mut streamed))
                .unwrap();
            assert_eq!(String::from_utf8(streamed).unwrap(), a.output);
        }
    }
}

/// A failed page never disappears silently, whatever the mode.
#[test]
fn failed_pages_are_always_named() {
    let doc = documents(&testdata().join("v2_failed_pages.json"))
        .remove(0)
        .unwrap();
    for mode in [
        FailedPageMode::RawText,
        FailedPageMode::Blank,
        FailedPageMode::ErrorMessage,
    ] {
        let mut o = MarkdownOptions::default();
        o.pages.failed = mode;
        let r = markdown::render(&doc, &o);
        let failed: Vec<u32> = r
            .warnings
            .iter()
            .filter(|w| w.code == "failed_page")
            .filter_map(|w| w.page)
            .collect();
        assert_eq!(failed, [2, 4], "{mode:?}");
        assert_eq!(r.pages.len(), 4);
    }
}

#[test]
fn tables_merge_across_pages_only_when_asked() {
    let doc = documents(&testdata().join("v2_merged_tables.json"))
        .remove(0)
        .unwrap();
    let count = |s: &str| s.matches("| V-2").count();
    let off = markdown::render(&doc, &MarkdownOptions::default());
    let page = |r: &Rendered, n: u32| {
        let p = r.pages.iter().find(|p| p.number == n).unwrap();
        r.page_text(p).to_owned()
    };
    // Server merges: the full pump table on page 2 either way, nothing on stub pages.
    assert_eq!(page(&off, 2).matches("| P-1").count(), 18);
    assert_eq!(page(&off, 3), "");
    assert_eq!((count(&page(&off, 5)), count(&page(&off, 6))), (6, 4));

    let mut o = MarkdownOptions::default();
    o.merge_tables = true;
    let on = markdown::render(&doc, &o);
    assert_eq!((count(&page(&on, 5)), count(&page(&on, 6))), (10, 0));
    assert!(page(&on, 6).starts_with("## Notes"));
    // The continuation's span is its rows (without the repeated header) inside page 5.
    let walk = doc.walk();
    let cont = walk
        .iter()
        .find(|w| w.page == 6 && w.item.kind() == ItemKind::Table)
        .unwrap();
    let span = on.span(cont.index).unwrap();
    assert_eq!(span.page, 6);
    let rows = &on.output[span.bytes.clone()];
    assert!(rows.starts_with("| V-207 |") && rows.ends_with("| 2024-10-15 |"));
    assert_eq!(rows.lines().count(), 4);

    // Selecting a stub's page without its head page says where the rows went.
    o.pages.selection = "3".parse().unwrap();
    let r = markdown::render(&doc, &o);
    assert!(
        r.warnings
            .iter()
            .any(|w| w.code == "merged_table_elsewhere" && w.page == Some(3)),
        "{:?}",
        r.warnings
    );
}

#[test]
fn missing_sources_fall_back_with_a_warning() {
    let doc = documents(&testdata().join("v2_items_only.json"))
        .remove(0)
        .unwrap();
    let mut o = MarkdownOptions::default();
    o.pages.source = Source::Server;
    let r = markdown::render(&doc, &o);
    assert_eq!(
        r.output,
        markdown::render(&doc, &MarkdownOptions::default()).output
    );
    assert_eq!(r.warnings[0].code, "source_missing");
    assert_eq!(
        r.warnings[0].to_string(),
        "no server markdown (markdown.pages); rendering from the item tree"
    );
    // Pages that are not in the document are reported.
    o.pages.selection = "2-5".parse().unwrap();
    let r = markdown::render(&doc, &o);
    assert!(
        r.warnings
            .iter()
            .any(|w| w.to_string() == "requested pages not in the document: 3-5")
    );
}

/// A whole read that leaves out what markdown alone does not read (boxes; text items' values
/// and tables' html and csv, item by item) renders what a full read renders, for every
/// fixture and real response, with GFM tables and with HTML tables (where the projection
/// keeps html and csv).
#[test]
fn reading_for_markdown_alone_renders_what_a_full_read_renders() {
    use pagetree_convert::{ConvertOptions, Outputs, read_options};

    let mut files = fixtures();
    files.extend(crate::common::realdata().unwrap_or_default());
    let mut compared = 0;
    for tables in [TableFormat::Markdown, TableFormat::Html] {
        let mut opts = MarkdownOptions::default();
        opts.tables = tables;
        let mut convert = ConvertOptions::default();
        convert.outputs = Outputs::none();
        convert.outputs.markdown = true;
        convert.markdown = opts.clone();
        let read = read_options(&convert);
        assert_eq!(read.is_markdown_only(), tables == TableFormat::Markdown);
        for f in &files {
            let bytes = std::fs::read(f).unwrap();
            let docs = |l: Vec<Result<Loaded, _>>| -> Vec<String> {
                l.into_iter()
                    .filter_map(|r| match r {
                        Ok(Loaded::Document(d)) => Some(markdown::render(&d, &opts).output),
                        _ => None,
                    })
                    .collect()
            };
            let full = docs(load_all(&bytes, Some("f")));
            let light = docs(pagetree_model::load_all_with(&bytes, Some("f"), read));
            assert_eq!(light, full, "{} ({tables:?})", f.display());
            compared += full.len();
        }
    }
    assert!(compared > 20, "{compared}");
}
