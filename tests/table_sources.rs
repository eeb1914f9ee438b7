//! Tables whose representations disagree (`testdata/regressions/table-*.json`): nothing the
//! server wrote into a table item is lost, the source used is named, and cells are clean.

use std::collections::BTreeMap;

use pagetree_convert::tables::{self, CellText, Source, TableOptions, TableSource, render_table};
use pagetree_convert::{MarkdownOptions, TextOptions, markdown, text};
use pagetree_model::{Document, ItemKind, load_document};
use pulldown_cmark::{Event, Options, Parser};

use crate::common::{pagetree, testdata};

fn regression(name: &str) -> Document {
    let path = testdata().join("regressions").join(format!("{name}.json"));
    load_document(
        &std::fs::read(&path).unwrap(),
        Some(&format!("{name}.json")),
    )
    .unwrap()
}

const FIXTURES: [&str; 7] = [
    "table-rows-cut-short",
    "table-md-trailing-text",
    "table-note-in-rows",
    "table-cells-missing-from-rows",
    "table-column-missing-from-rows",
    "table-subscripts-flattened",
    "table-cell-markup",
];

/// Words of 3+ letters or digits, HTML tags left out.
fn words(s: &str) -> BTreeMap<String, usize> {
    let mut text = String::new();
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        let tag = rest
            .strip_prefix('<')
            .filter(|r| r.starts_with(|c: char| c.is_ascii_alphabetic() || c == '/'))
            .and_then(|r| r.find('>'));
        match tag {
            Some(end) => {
                text.push(' ');
                rest = &rest[end + 2..];
            }
            None => {
                text.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    let mut bag = BTreeMap::new();
    for w in text.split(|c: char| !c.is_alphanumeric()) {
        if w.chars().count() >= 3 {
            *bag.entry(w.to_lowercase()).or_insert(0) += 1;
        }
    }
    bag
}

/// The words of `want` that `got` lacks.
fn missing(want: &str, got: &str) -> Vec<String> {
    let got = words(got);
    words(want)
        .into_iter()
        .filter(|(w, _)| !got.contains_key(w))
        .map(|(w, _)| w)
        .collect()
}

#[test]
fn every_word_of_a_table_item_reaches_markdown_and_text() {
    for name in FIXTURES {
        let doc = regression(name);
        let md = markdown::render(&doc, &MarkdownOptions::default()).output;
        let txt = text::render(&doc, &TextOptions::default()).output;
        for w in doc
            .walk()
            .iter()
            .filter(|w| w.item.kind() == ItemKind::Table)
        {
            // The html when there is one (the md may flatten `V<sub>rest</sub>` to one word).
            let source = w.item.html.as_deref().or(w.item.md.as_deref()).unwrap();
            assert_eq!(
                missing(source, &md),
                Vec::<String>::new(),
                "{name}: markdown"
            );
            assert_eq!(missing(source, &txt), Vec::<String>::new(), "{name}: text");
        }
    }
}

#[test]
fn tables_json_names_the_source_and_warns() {
    let want = [
        ("table-rows-cut-short", Source::Html, 6, true),
        ("table-md-trailing-text", Source::Rows, 3, false),
        ("table-note-in-rows", Source::Rows, 3, false),
        ("table-cells-missing-from-rows", Source::Html, 4, true),
        ("table-column-missing-from-rows", Source::Md, 3, true),
        ("table-subscripts-flattened", Source::Html, 3, true),
        ("table-cell-markup", Source::Rows, 4, false),
    ];
    for (name, source, rows, warned) in want {
        let out = tables::extract(&regression(name), &TableOptions::default());
        let entry = &out.index.tables[0];
        assert_eq!((entry.source, entry.rows), (source, rows), "{name}");
        let codes: Vec<&str> = out.warnings.iter().map(|w| w.code).collect();
        assert_eq!(codes.contains(&"table_source"), warned, "{name}: {codes:?}");
        // `rows` stay available.
        let mut rows_only = TableOptions::default();
        rows_only.source = TableSource::Rows;
        let out = tables::extract(&regression(name), &rows_only);
        assert_eq!(out.index.tables[0].source, Source::Rows, "{name}");
        assert!(out.warnings.is_empty(), "{name}");
    }
}

#[test]
fn rows_source_renders_rows_alone() {
    let doc = regression("table-rows-cut-short");
    let mut opts = MarkdownOptions::default();
    opts.table_source = TableSource::Rows;
    let md = markdown::render(&doc, &opts).output;
    assert!(
        md.contains("Kelvra South") && !md.contains("Tillby"),
        "{md}"
    );
    let trailing = markdown::render(&regression("table-md-trailing-text"), &opts).output;
    assert!(!trailing.contains("supplier sheet"), "{trailing}");
}

#[test]
fn text_around_the_table_follows_it_once() {
    let md = markdown::render(
        &regression("table-md-trailing-text"),
        &MarkdownOptions::default(),
    );
    assert!(md.output.ends_with(
        "| Quenwort stain | B-02 |\n\nLots were checked against the supplier sheet before each \
         run, and expired stock was discarded.\n\n- Store the stain below eight degrees\n- Keep \
         the buffer away from daylight\n"
    ));
    assert!(md.warnings.iter().any(|w| w.code == "table_source"));
    let note = markdown::render(
        &regression("table-note-in-rows"),
        &MarkdownOptions::default(),
    )
    .output;
    assert_eq!(note.matches("spring survey").count(), 1, "{note}");
}

#[test]
fn cells_modes() {
    let doc = regression("table-cell-markup");
    let csv = |cells| {
        let mut opts = TableOptions::default();
        opts.cells = cells;
        let out = tables::extract(&doc, &opts);
        String::from_utf8(render_table(&out.tables[0], &opts)).unwrap()
    };
    assert_eq!(
        csv(CellText::Text),
        "Unit,Uptake,Note\n*QV2-3**,+,firm\nK7**,-,\"line one\nline two\"\nP&Q,+/-,x^2 and $a_1$\n"
    );
    assert_eq!(
        csv(CellText::Markdown),
        "Unit,Uptake,Note\n\\*QV2-3\\*\\*,+,**firm**\nK7\\*\\*,-,line one<br/>line two\n\
         P&amp;Q,+/-,x<sup>2</sup> and $a_1$\n"
    );
    assert_eq!(
        csv(CellText::Raw),
        "Unit,Uptake,Note\n*QV2-3**,+,**firm**\nK7**,-,line one<br/>line two\n\
         P&amp;Q,+/-,x<sup>2</sup> and $a_1$\n"
    );
}

#[test]
fn footnote_asterisks_are_not_emphasis_in_markdown() {
    let md = markdown::render(
        &regression("table-cell-markup"),
        &MarkdownOptions::default(),
    )
    .output;
    let mut emphasis = Vec::new();
    let mut in_em = false;
    for ev in Parser::new_ext(&md, Options::ENABLE_TABLES) {
        match ev {
            Event::Start(pulldown_cmark::Tag::Emphasis) => in_em = true,
            Event::End(pulldown_cmark::TagEnd::Emphasis) => in_em = false,
            Event::Text(t) if in_em => emphasis.push(t.to_string()),
            _ => {}
        }
    }
    assert!(emphasis.is_empty(), "{emphasis:?} in\n{md}");
    assert!(md.contains("**firm**"));
}

#[test]
fn cli_flags() {
    let out = pagetree(&[
        "tables",
        "--stdout",
        "--table-source",
        "rows",
        "--cells",
        "raw",
        "testdata/regressions/table-cell-markup.json",
    ]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("*QV2-3**,+,**firm**"));
    let out = pagetree(&[
        "markdown",
        "--table-source",
        "rows",
        "testdata/regressions/table-rows-cut-short.json",
    ]);
    assert!(out.status.success());
    assert!(!String::from_utf8_lossy(&out.stdout).contains("Tillby"));
}

/// Pairs (head id, part id) joined by `tables --stitch` and by markdown's `--merge-tables`
/// (a part whose span lies inside its head's table).
/// (head table id, joined part id) pairs.
type Pairs = Vec<(String, String)>;

fn joined_pairs(doc: &Document) -> (Pairs, Pairs) {
    let ids: BTreeMap<usize, String> = pagetree_convert::tables::table_ids(doc)
        .into_iter()
        .collect();
    let stitched = tables::extract(doc, &{
        let mut o = TableOptions::default();
        o.stitch = true;
        o
    });
    let mut by_stitch = Vec::new();
    for t in &stitched.index.tables {
        if let Some(s) = &t.stitched {
            for part in &s.parts[1..] {
                by_stitch.push((t.id.clone(), part.id.clone()));
            }
        }
    }
    let md = markdown::render(doc, &{
        let mut o = MarkdownOptions::default();
        o.merge_tables = true;
        o
    });
    let spans: Vec<(usize, std::ops::Range<usize>)> = ids
        .keys()
        .filter_map(|&w| md.span(w).map(|s| (w, s.bytes.clone())))
        .collect();
    let mut by_merge = Vec::new();
    for (w, part) in &spans {
        let head = spans.iter().find(|(h, r)| {
            h != w && r.start <= part.start && part.end <= r.end && r.len() > part.len()
        });
        if let Some((h, _)) = head {
            by_merge.push((ids[h].clone(), ids[w].clone()));
        }
    }
    by_stitch.sort();
    by_merge.sort();
    (by_stitch, by_merge)
}

#[test]
fn stitch_and_merge_tables_join_the_same_pairs_without_continuation_rows() {
    let doc = regression("table-continued-marker");
    let (stitch, merge) = joined_pairs(&doc);
    assert_eq!(stitch, [("p001-t01".to_owned(), "p002-t01".to_owned())]);
    assert_eq!(stitch, merge);
    let out = tables::extract(&doc, &{
        let mut o = TableOptions::default();
        o.stitch = true;
        o
    });
    let csv = String::from_utf8(render_table(&out.tables[0], &TableOptions::default())).unwrap();
    assert_eq!(
        csv,
        "Core,Depth (m),Rock\nC-01,4.2,slate\nC-02,6.8,shale\nC-03,3.1,granite\nC-04,9.0,basalt\n"
    );
    let mut opts = MarkdownOptions::default();
    opts.merge_tables = true;
    let md = markdown::render(&doc, &opts).output;
    assert!(!md.contains("continued"), "{md}");
    assert!(
        md.contains("| C-02 | 6.8 | shale |\n| C-03 | 3.1 | granite |"),
        "{md}"
    );
}

#[test]
fn stitch_and_merge_tables_agree_on_every_fixture_and_real_response() {
    let mut files = crate::common::fixtures();
    files.extend(crate::common::realdata().unwrap_or_default());
    for path in files {
        for doc in crate::markdown::documents(&path).into_iter().flatten() {
            let (stitch, merge) = joined_pairs(&doc);
            assert_eq!(stitch, merge, "{}", doc.name());
        }
    }
}
