//! Table quality: text report snapshots for every fixture (JSON and markdown for one), which
//! checks fire on which fixture table (and which must not), and the run over every real saved
//! response with the "no check on more than half the tables" rule.

use std::collections::{BTreeMap, BTreeSet};

use pagetree_convert::quality::{
    self, Check, QualityOptions, QualityReport, Status, render_markdown, render_text,
};
use pagetree_model::{Loaded, load_all};

use crate::common::{documents, fixtures, name, realdata, testdata};

fn report(file: &str) -> QualityReport {
    let doc = documents(&testdata().join(file)).remove(0);
    quality::assess(&doc, &QualityOptions::default())
}

/// Table id → the check ids that fired on it, sorted and deduplicated.
fn fired(r: &QualityReport) -> BTreeMap<String, Vec<&'static str>> {
    r.tables
        .iter()
        .map(|t| {
            let ids: BTreeSet<&'static str> = t.findings.iter().map(|f| f.check.id()).collect();
            (t.id.clone(), ids.into_iter().collect())
        })
        .collect()
}

#[test]
fn text_report_snapshots() {
    insta::glob!("../testdata", "*.{json,jsonl}", |path| {
        let bytes = std::fs::read(path).expect("readable");
        let text: Vec<String> = load_all(&bytes, Some(&name(path)))
            .into_iter()
            .map(|r| match r {
                Ok(Loaded::Document(d)) => {
                    render_text(&quality::assess(&d, &QualityOptions::default()))
                }
                Ok(other) => format!("{}: not a parse result, no tables\n", other.format()),
                Err(e) => format!("error: {e}\n"),
            })
            .collect();
        insta::assert_snapshot!(text.join("\n"));
    });
}

#[test]
fn json_and_markdown_snapshots() {
    insta::assert_json_snapshot!("totals_json", report("quality_totals.json"));
    insta::assert_snapshot!(
        "header_markdown",
        render_markdown(&report("quality_header.json"))
    );
}

/// A table id and the check ids that must fire on it.
type TableChecks<'a> = (&'a str, &'a [&'a str]);

/// Each fixture table with exactly the checks that must fire on it: the first list names the
/// trigger fixtures, and every other table (and every check not listed) is a no-false-alarm
/// case.
#[test]
fn checks_fire_exactly_where_expected() {
    let expect: &[(&str, &[TableChecks])] = &[
        (
            "quality_clean.json",
            // Year headers, percentage columns, a shares column that sums to 100.1 printed as
            // 100.0 (rounding), accounting negatives, a stub head left blank, a Year column, a
            // Total column: nothing fires.
            &[("p001-t01", &[]), ("p001-t02", &[]), ("p002-t01", &[])],
        ),
        (
            "quality_totals.json",
            &[
                ("p001-t01", &["total_mismatch"]),
                ("p001-t02", &["total_mismatch"]),
                ("p002-t01", &["total_mismatch"]),
                // Subtotals and a grand total equal to the sum of the subtotals.
                ("p002-t02", &[]),
            ],
        ),
        (
            "quality_header.json",
            &[
                ("p001-t01", &["title_row", "unit_row"]),
                ("p001-t02", &["multi_row_header"]),
                ("p001-t03", &["no_header"]),
                ("p002-t01", &["blank_header", "duplicate_header"]),
                ("p002-t02", &["header_value_mismatch", "server_concern"]),
            ],
        ),
        (
            "quality_structure.json",
            &[
                ("p001-t01", &["ragged_rows", "shifted_row"]),
                ("p001-t02", &["blank_rows", "duplicate_rows"]),
                ("p001-t03", &["empty_columns", "sparse_table"]),
                ("p002-t01", &["one_column"]),
                ("p002-t02", &["one_row"]),
                ("p002-t03", &["ragged_rows"]),
                ("p002-t04", &["empty_table"]),
            ],
        ),
        (
            "quality_values.json",
            &[
                // `–` and `n/a` in a numeric column are placeholders, not text.
                ("p001-t01", &["text_in_numeric_column"]),
                ("p001-t02", &["two_numbers_in_cell"]),
                ("p002-t01", &["mixed_number_formats"]),
                ("p002-t02", &["line_break_tags", "markup_residue"]),
            ],
        ),
        (
            "quality_agreement.json",
            &[
                ("p001-t01", &["cell_disagreement", "number_disagreement"]),
                ("p001-t02", &["number_disagreement", "shape_disagreement"]),
                // A two-row HTML header that `rows` writes as `Revenue<br/>2023` agrees.
                ("p001-t03", &["line_break_tags"]),
            ],
        ),
        (
            "quality_pages.json",
            &[
                ("p001-t01", &["missing_merge_stub", "repeated_header_rows"]),
                ("p002-t01", &[]),
                ("p003-t01", &["orphan_merge_stub"]),
                ("p003-t02", &["likely_split_table"]),
                ("p004-t01", &["likely_split_table"]),
                (
                    "p004-t02",
                    &[
                        "chart_transcription",
                        "full_page_box",
                        "layout_not_table",
                        "server_concern",
                    ],
                ),
                ("p004-t03", &["box_outside_page"]),
                ("p004-t04", &["missing_box"]),
            ],
        ),
        (
            "v1_result.json",
            &[
                ("p001-t01", &[]),
                ("p002-t01", &["missing_box", "not_perfect_table"]),
                ("p003-t01", &[]),
            ],
        ),
        // A 40-row cost table whose Total row sums exactly, with a negative line.
        ("v2_big_table.json", &[("p001-t01", &[])]),
    ];
    for (file, tables) in expect {
        let got = fired(&report(file));
        let want: BTreeMap<String, Vec<&str>> = tables
            .iter()
            .map(|(id, checks)| (id.to_string(), checks.to_vec()))
            .collect();
        assert_eq!(got, want, "{file}");
    }
}

#[test]
fn the_docs_document_every_check() {
    let path = crate::common::root().join("docs/quality-checks.md");
    let docs = std::fs::read_to_string(&path).expect("docs/quality-checks.md");
    for c in Check::ALL {
        let row = format!("| `{}` | {} |", c.id(), c.severity().as_str());
        assert!(
            docs.contains(&row),
            "{} lacks the row for {}",
            path.display(),
            c.id()
        );
    }
}

#[test]
fn every_check_has_a_fixture_that_triggers_it() {
    let mut seen: BTreeSet<Check> = BTreeSet::new();
    for path in fixtures() {
        for doc in documents(&path) {
            let r = quality::assess(&doc, &QualityOptions::default());
            seen.extend(
                r.tables
                    .iter()
                    .flat_map(|t| t.findings.iter().map(|f| f.check)),
            );
        }
    }
    let missing: Vec<&str> = Check::ALL
        .iter()
        .filter(|c| !seen.contains(c))
        .map(|c| c.id())
        .collect();
    assert!(missing.is_empty(), "no fixture triggers {missing:?}");
}

#[test]
fn findings_say_which_row_breaks_a_total() {
    let r = report("quality_totals.json");
    let message = |id: &str| {
        r.tables.iter().find(|t| t.id == id).expect(id).findings[0]
            .message
            .clone()
    };
    assert!(
        message("p001-t01").ends_with(
            "flipping the sign of row 3 \"Returns and allowances\" (310 → -310) makes it add up"
        ),
        "{}",
        message("p001-t01")
    );
    assert!(
        message("p001-t02")
            .ends_with("leaving out row 4 \"Operating costs\" (3,150) makes it add up"),
        "{}",
        message("p001-t02")
    );
    let t = &r.tables[0];
    assert_eq!(
        (t.score, t.grade, t.status),
        (Some(70), Some("C"), Status::Review)
    );
}

#[test]
fn server_concerns_are_confirmed_by_our_checks() {
    let r = report("quality_pages.json");
    let tally = &r.summary.parse_concerns;
    assert_eq!(tally["layout_lvm_disagreement"].confirmed, 1);
    assert_eq!(tally["multi_table_page"].confirmed, 1);
    assert_eq!(tally["watermark_overlap"].unchecked, 1);
    let r = report("quality_header.json");
    assert_eq!(
        r.summary.parse_concerns["header_value_type_mismatch"].confirmed,
        1
    );
}

#[test]
fn output_is_identical_on_any_pool() {
    let doc = documents(&testdata().join("quality_pages.json")).remove(0);
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("pool")
        .install(|| quality::assess(&doc, &QualityOptions::default()));
    assert_eq!(one, quality::assess(&doc, &QualityOptions::default()));
}

/// Checks allowed to fire on more than half the tables of a real file, and why.
const WARRANTED: &[(&str, &str, &str)] = &[
    // Most of this atlas's 72 "tables" are panels of its figures (microscopy panels, heat
    // maps) transcribed as grids, several per page under one box and a `Figure N` caption.
    (
        "v1_openworm_Wang2024_NeurotransmitterAtlas_46p_72tables.json",
        "chart_transcription",
        "figure panels read as tables",
    ),
    // This file's rows flatten the sub- and superscripts its html keeps (`G<sub>mem</sub>` is
    // `Gmem` in rows): true of most of its parameter tables.
    (
        "v1_openworm_BoyleBerriCohen2012_15p_html_tables.json",
        "rows_incomplete",
        "rows flatten subscripts",
    ),
    // Not our check: it passes the server's own concerns through, so it fires wherever the
    // server raised one (every table of these files).
    (
        "v2_rag-admin_receipt_items.json",
        "server_concern",
        "server pass-through",
    ),
    (
        "v2sdkdump_openworm-fork_BoyleBerriCohen2012_15p_parse_concerns_no_page_dims.json",
        "server_concern",
        "server pass-through",
    ),
    // The server's own signal: 42 of its 72 tables are isPerfectTable: false.
    (
        "v1_openworm_Wang2024_NeurotransmitterAtlas_46p_72tables.json",
        "not_perfect_table",
        "server signal",
    ),
    // Most "tables" in these papers are digitised charts: the layout model labels their boxes
    // `chart` (or the receipt's `code`), and the server itself reports layout_lvm_disagreement.
    (
        "v2_openworm_Donnelly2013_17p_raw_items_markdown_text.json",
        "layout_not_table",
        "charts",
    ),
    (
        "v2sdkdump_openworm-fork_BoyleBerriCohen2012_15p_parse_concerns_no_page_dims.json",
        "layout_not_table",
        "charts",
    ),
    (
        "v2_rag-admin_receipt_items.json",
        "layout_not_table",
        "code boxes",
    ),
    // v2 tables that swallow the next line of the page (a footnote, a paragraph, the running
    // footer "Primer 401") as a one-cell last row, in every representation.
    (
        "v2_openworm_PrimerOnCElegans_21p_raw_items_markdown_text.json",
        "ragged_rows",
        "stray last row",
    ),
    (
        "v2_openworm_kfn121_24p_raw_items_markdown_text.json",
        "ragged_rows",
        "stray last row",
    ),
    // Bold section rows (`**A. KO mutant analysis**`) and `<sup>`/`<sub>` kept in `rows`.
    (
        "v2_openworm_kfn121_24p_raw_items_markdown_text.json",
        "markup_residue",
        "markdown/HTML in rows",
    ),
    // All three parameter tables put units in the value cells (`500 pS`, `1 mm`), so their
    // `Value`/`Val.` columns are text.
    (
        "v2_openworm_BoyleBerriCohen2012_15p_raw_items_markdown_text.json",
        "header_value_mismatch",
        "units in value cells",
    ),
];

/// Every real saved response: per file the tables, the checks fired (tables per check) and
/// how many of the server's parse_concerns we confirm. No check may fire on more than half
/// the tables of a file unless listed in [`WARRANTED`].
#[test]
fn real_saved_responses() {
    let Some(files) = realdata() else { return };
    let mut overreach = Vec::new();
    for path in &files {
        let file = name(path);
        for doc in documents(path) {
            let r = quality::assess(&doc, &QualityOptions::default());
            let scored = r.summary.scored;
            let checks: Vec<String> = r
                .summary
                .checks
                .iter()
                .map(|(id, n)| format!("{id} {}", n.tables))
                .collect();
            let concerns: Vec<String> = r
                .summary
                .parse_concerns
                .iter()
                .map(|(k, t)| format!("{k} {}/{}", t.confirmed, t.total))
                .collect();
            eprintln!(
                "{file}: {} tables ({} scored, mean {}); fired: {}; parse_concerns confirmed: {}",
                r.summary.tables,
                scored,
                r.summary.mean_score.map_or("-".into(), |m| m.to_string()),
                if checks.is_empty() {
                    "-".into()
                } else {
                    checks.join(", ")
                },
                if concerns.is_empty() {
                    "-".into()
                } else {
                    concerns.join(", ")
                }
            );
            for (id, n) in &r.summary.checks {
                let warranted = WARRANTED.iter().any(|(f, c, _)| *f == file && c == id);
                if n.tables * 2 > r.summary.tables && !warranted {
                    overreach.push(format!(
                        "{file}: {id} on {} of {}",
                        n.tables, r.summary.tables
                    ));
                }
            }
        }
    }
    assert!(
        overreach.is_empty(),
        "checks firing on most tables: {overreach:#?}"
    );
}

fn regression(slug: &str) -> QualityReport {
    let path = testdata().join("regressions").join(format!("{slug}.json"));
    let doc = documents(&path).remove(0);
    quality::assess(&doc, &QualityOptions::default())
}

/// Tables sharing one box with a figure caption, or a layout concern with a caption, are
/// chart transcriptions and go to review; a real table beside a caption that only mentions a
/// figure stays ok (one weak signal is not enough).
#[test]
fn chart_transcriptions_are_flagged_with_their_signals() {
    let r = regression("quality-chart-transcription");
    let status: BTreeMap<&str, Status> =
        r.tables.iter().map(|t| (t.id.as_str(), t.status)).collect();
    assert_eq!(status["p001-t01"], Status::Review);
    assert_eq!(status["p001-t02"], Status::Review);
    assert_eq!(status["p002-t01"], Status::Review);
    assert_eq!(status["p003-t01"], Status::Ok);
    let message = |id: &str| -> String {
        r.tables
            .iter()
            .find(|t| t.id == id)
            .and_then(|t| {
                t.findings
                    .iter()
                    .find(|f| f.check == Check::ChartTranscription)
            })
            .map(|f| f.message.clone())
            .unwrap_or_default()
    };
    assert!(
        message("p001-t01").contains("shares its box with 1 other table"),
        "{}",
        message("p001-t01")
    );
    assert!(message("p001-t01").contains("\"Figure 3\""));
    assert!(message("p002-t01").contains("layout_lvm_disagreement"));
    assert!(message("p002-t01").contains("\"Fig. 4\""));
    assert!(message("p003-t01").is_empty());
}

/// A checklist the layout calls `checkbox` with a sound grid keeps its `layout_not_table`
/// finding, at info, and stays ok; a ragged `form` keeps the warning.
#[test]
fn sound_forms_are_not_broken_tables() {
    let r = regression("quality-form-checklist");
    let table = |id: &str| r.tables.iter().find(|t| t.id == id).expect("table");
    let layout = |id: &str| {
        table(id)
            .findings
            .iter()
            .find(|f| f.check == Check::LayoutNotTable)
            .map(|f| f.severity)
    };
    assert_eq!(layout("p001-t01"), Some(quality::Severity::Info));
    assert_eq!(table("p001-t01").status, Status::Ok);
    assert_eq!(layout("p001-t02"), Some(quality::Severity::Warning));
    assert_eq!(table("p001-t02").status, Status::Review);
}

/// The report written a table at a time from its spool (what `quality` and `convert --to
/// quality` write, in bounded memory) is byte for byte the whole report serialised and
/// rendered, for every fixture and real response.
#[test]
fn spooled_report_writes_the_whole_report() {
    let mut files = fixtures();
    files.extend(realdata().unwrap_or_default());
    let opts = QualityOptions::default();
    let mut checked = 0;
    for path in files {
        for doc in documents(&path) {
            let whole = quality::assess(&doc, &opts);
            let mut stream = quality::QualityStream::new(&doc, &opts);
            stream.push(&doc).expect("spooled");
            let mut report = stream.finish().expect("finished");
            assert_eq!(report.summary(), &whole.summary, "{}", path.display());
            let (mut json, mut text, mut md) = (Vec::new(), Vec::new(), Vec::new());
            report.write_json(&mut json).expect("json");
            report.write_text(&mut text).expect("text");
            report.write_markdown(&mut md).expect("markdown");
            let want = serde_json::to_string(&whole).expect("json");
            assert_eq!(
                String::from_utf8(json).expect("utf-8"),
                want,
                "{}",
                path.display()
            );
            assert_eq!(String::from_utf8(text).expect("utf-8"), render_text(&whole));
            assert_eq!(
                String::from_utf8(md).expect("utf-8"),
                render_markdown(&whole)
            );
            assert_eq!(report.into_report().expect("report"), whole);
            checked += 1;
        }
    }
    assert!(checked >= 30, "checked {checked}");
}
