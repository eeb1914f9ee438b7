//! Tables: `tables.json` snapshots for every fixture, CSV snapshots of interesting tables, and
//! the real-data round trip (every CSV written from `rows` reads back as exactly `rows`).

use pagetree_convert::tables::{
    self, CellText, Delimiter, Percent, Source, TableFormat, TableOptions, TableSource,
    TablesOutput, render_table, table_ids,
};
use pagetree_model::{Document, Loaded, load_all};

use crate::common::{documents, fixtures, name, realdata, testdata};

fn fixture(file: &str) -> Document {
    documents(&testdata().join(file)).remove(0)
}

fn csv_text(out: &TablesOutput, id: &str, opts: &TableOptions) -> String {
    let table = out.get(id).unwrap_or_else(|| panic!("no table {id}"));
    String::from_utf8(render_table(table, opts)).expect("UTF-8")
}

#[test]
fn index_snapshots() {
    insta::glob!("../testdata", "*.{json,jsonl}", |path| {
        let bytes = std::fs::read(path).expect("readable");
        let indexes: Vec<String> = load_all(&bytes, Some(&name(path)))
            .into_iter()
            .map(|r| match r {
                Ok(Loaded::Document(d)) => {
                    let out = tables::extract(&d, &TableOptions::default());
                    serde_json::to_string_pretty(&out.index).expect("serializes")
                }
                Ok(other) => format!("{}: not a parse result, no tables", other.format()),
                Err(e) => format!("error: {e}"),
            })
            .collect();
        insta::assert_snapshot!(indexes.join("\n"));
    });
}

#[test]
fn index_snapshot_stitched() {
    let mut opts = TableOptions::default();
    opts.stitch = true;
    for file in ["v2_merged_tables.json", "tables_spans.json"] {
        let out = tables::extract(&fixture(file), &opts);
        insta::assert_json_snapshot!(format!("stitched_{file}"), out.index);
    }
}

#[test]
fn csv_snapshots() {
    let default = TableOptions::default();
    let spans = tables::extract(&fixture("tables_spans.json"), &default);
    // html only: rowspan/colspan expanded, text in the top-left cell.
    insta::assert_snapshot!(
        "spans_html_p001-t01",
        csv_text(&spans, "p001-t01", &default)
    );
    // md only: escaped pipe, code span, bold.
    insta::assert_snapshot!("spans_md_p001-t02", csv_text(&spans, "p001-t02", &default));
    // csv only: quotes, commas and a newline inside cells.
    insta::assert_snapshot!("spans_csv_p001-t03", csv_text(&spans, "p001-t03", &default));
    // rows: number, null and bool cells, quotes, a newline, a ragged row.
    insta::assert_snapshot!(
        "spans_rows_p002-t01",
        csv_text(&spans, "p002-t01", &default)
    );

    let mut flat = TableOptions::default();
    flat.header_rows = Some(2);
    flat.normalize_numbers = true;
    flat.percent = Percent::Fraction;
    flat.delimiter = Delimiter::Semicolon;
    let out = tables::extract(&fixture("tables_spans.json"), &flat);
    insta::assert_snapshot!(
        "spans_html_p001-t01_flat_normalized",
        csv_text(&out, "p001-t01", &flat)
    );
    let mut jsonl = TableOptions::default();
    jsonl.format = TableFormat::Jsonl;
    jsonl.header_rows = Some(2);
    let out = tables::extract(&fixture("tables_spans.json"), &jsonl);
    insta::assert_snapshot!(
        "spans_html_p001-t01_jsonl",
        csv_text(&out, "p001-t01", &jsonl)
    );

    let messy = tables::extract(&fixture("v2_messy.json"), &default);
    let ragged = messy
        .index
        .tables
        .iter()
        .find(|t| t.ragged_rows > 0)
        .expect("a ragged table");
    insta::assert_snapshot!("messy_ragged", csv_text(&messy, &ragged.id, &default));

    let mut stitch = TableOptions::default();
    stitch.stitch = true;
    let merged = tables::extract(&fixture("v2_merged_tables.json"), &stitch);
    insta::assert_snapshot!(
        "merged_stitched_p005-t01",
        csv_text(&merged, "p005-t01", &stitch)
    );
}

#[test]
fn merged_tables_stubs_and_stitching() {
    let doc = fixture("v2_merged_tables.json");
    let plain = tables::extract(&doc, &TableOptions::default());
    let ids: Vec<&str> = plain.tables.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["p001-t01", "p002-t01", "p005-t01", "p006-t01"]);
    let merged = &plain.index.tables[1];
    assert_eq!(merged.pages, [2, 3, 4]);
    assert_eq!(merged.rows, 19);
    assert_eq!(
        merged.merged.as_ref().expect("merged").stubs,
        ["p003-t01", "p004-t01"]
    );
    let box_pages: Vec<u32> = merged.bbox.iter().map(|b| b.page).collect();
    assert_eq!(box_pages, [2, 3, 4]);
    let skipped: Vec<(&str, &str)> = plain
        .index
        .skipped
        .iter()
        .map(|s| (s.id.as_str(), s.reason))
        .collect();
    assert_eq!(
        skipped,
        [("p003-t01", "merged_stub"), ("p004-t01", "merged_stub")]
    );

    let mut stitch = TableOptions::default();
    stitch.stitch = true;
    let stitched = tables::extract(&doc, &stitch);
    let ids: Vec<&str> = stitched.tables.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["p001-t01", "p002-t01", "p005-t01"]);
    let valves = &stitched.index.tables[2];
    assert_eq!(valves.pages, [5, 6]);
    // 7 rows on p5, 5 on p6 whose repeated header is dropped.
    assert_eq!(valves.rows, 11);
    let parts = &valves.stitched.as_ref().expect("stitched").parts;
    assert_eq!(parts[1].id, "p006-t01");
    assert_eq!(parts[1].dropped_header_rows, 1);
    // A server-merged table is never stitched to its neighbours.
    assert!(stitched.index.tables[1].stitched.is_none());
}

#[test]
fn fixture_features() {
    let out = tables::extract(&fixture("tables_spans.json"), &TableOptions::default());
    let by_id = |id: &str| {
        out.index
            .tables
            .iter()
            .find(|t| t.id == id)
            .unwrap_or_else(|| panic!("{id}"))
    };
    let html = by_id("p001-t01");
    assert_eq!(
        (html.source, html.spans, html.header_rows),
        (Source::Html, 4, 2)
    );
    assert_eq!(
        html.header,
        [
            "Region",
            "Revenue (k€) / 2023",
            "Revenue (k€) / 2024",
            "Note"
        ]
    );
    assert_eq!(by_id("p001-t02").source, Source::Md);
    assert_eq!(by_id("p001-t03").source, Source::Csv);
    let rows = by_id("p002-t01");
    assert!(!rows.agreement.all_agree);
    let html_cmp = &rows.agreement.compared[0];
    assert_eq!(html_cmp.source, Source::Html);
    let d = html_cmp.first_difference.as_ref().expect("a difference");
    assert_eq!(
        (d.row, d.column, d.reference.as_deref(), d.other.as_deref()),
        (1, 1, Some("12.5"), Some("12.50"))
    );
    assert!(rows.agreement.compared[1..].iter().all(|c| c.agrees));
    assert!(by_id("p003-t04").furniture);
    let codes: Vec<&str> = out.warnings.iter().map(|w| w.code).collect();
    assert_eq!(codes, ["empty_table", "orphan_stub"]);
}

#[test]
fn ids_match_the_walk_and_are_stable() {
    let doc = fixture("tables_spans.json");
    let ids = table_ids(&doc);
    let walk = doc.walk();
    assert!(
        ids.iter()
            .all(|(i, _)| walk[*i].item.kind() == pagetree_model::ItemKind::Table)
    );
    let names: Vec<&str> = ids.iter().map(|(_, id)| id.as_str()).collect();
    assert_eq!(
        names,
        [
            "p001-t01", "p001-t02", "p001-t03", "p002-t01", "p002-t02", "p003-t01", "p003-t02",
            "p003-t03", "p003-t04"
        ]
    );
}

#[test]
fn output_is_identical_on_any_pool() {
    let doc = fixture("tables_spans.json");
    let mut opts = TableOptions::default();
    opts.stitch = true;
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("pool")
        .install(|| tables::extract(&doc, &opts));
    assert_eq!(one, tables::extract(&doc, &opts));
}

/// The CSV of every table written from `rows`, read back with the csv crate, equals `rows`
/// cell for cell (numbers in their JSON text, `null` as empty): in every fixture and every
/// real saved response, with every delimiter.
#[test]
fn csv_round_trips_rows_exactly() {
    let mut files = fixtures();
    files.extend(realdata().unwrap_or_default());
    let mut checked = 0;
    for path in &files {
        for doc in documents(path) {
            let walk = doc.walk();
            let items: std::collections::BTreeMap<String, usize> =
                table_ids(&doc).into_iter().map(|(i, id)| (id, i)).collect();
            for delimiter in [Delimiter::Comma, Delimiter::Semicolon, Delimiter::Tab] {
                // Raw cells from `rows`: byte for byte what the server wrote.
                let mut opts = TableOptions::default();
                opts.delimiter = delimiter;
                opts.source = TableSource::Rows;
                opts.cells = CellText::Raw;
                let out = tables::extract(&doc, &opts);
                for (table, entry) in out.tables.iter().zip(&out.index.tables) {
                    if entry.source != Source::Rows {
                        continue;
                    }
                    let item = walk[items[&table.id]].item;
                    let want: Vec<Vec<String>> = item
                        .table_rows()
                        .iter()
                        .map(|r| r.iter().map(|c| c.as_text().into_owned()).collect())
                        .collect();
                    let bytes = render_table(table, &opts);
                    let got: Vec<Vec<String>> = csv::ReaderBuilder::new()
                        .has_headers(false)
                        .flexible(true)
                        .delimiter(delimiter.as_byte())
                        .from_reader(bytes.as_slice())
                        .records()
                        .map(|r| r.expect("valid CSV").iter().map(str::to_owned).collect())
                        .collect();
                    assert_eq!(got, want, "{}: {}", name(path), table.id);
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 0);
    eprintln!("round-tripped {checked} tables");
}
