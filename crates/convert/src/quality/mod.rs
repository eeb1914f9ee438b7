//! Table quality: which extracted tables to trust, which to check, and why, from the saved
//! response alone.
//!
//! [`assess`] runs every [`Check`] on every table item (merge stubs included, to check the
//! merge metadata) and returns a [`QualityReport`]: per table its findings (check id,
//! severity, row/column, message, cells), a 0-100 score (formula in [`score`]), a grade and a
//! status, and per document the distribution, the worst tables and the counts per check.
//! [`render_text`] and [`render_markdown`] print it for people; it serialises as JSON
//! (`pagetree.quality`, versioned).
//!
//! The checks read the table's representations with the tables module's readers
//! ([`crate::tables::Representations`]), numbers with the shared grammar
//! ([`crate::numbers`]), and cross-page splits with the stitcher's rules.
//!
//! ```
//! use pagetree_convert::quality::{self, QualityOptions, Status};
//! let doc = pagetree_model::load_document(br#"{"pages": [{"page_number": 1,
//!     "page_width": 600, "page_height": 800, "items": [{"type": "table",
//!     "bbox": [{"x": 50, "y": 100, "w": 400, "h": 120, "label": "table"}],
//!     "rows": [["Line", "2024"], ["Sales", "100"], ["Returns", "20"], ["Fees", "30"], ["Total", "110"]]}]}]}"#,
//!     Some("t.json")).unwrap();
//! let report = quality::assess(&doc, &QualityOptions::default());
//! let table = &report.tables[0];
//! assert_eq!((table.score, table.status), (Some(70), Status::Review));
//! assert_eq!(table.findings[0].check.id(), "total_mismatch");
//! assert!(table.findings[0].message.ends_with(
//!     "flipping the sign of row 2 \"Returns\" (20 → -20) makes it add up"));
//! ```

mod checks;
mod layout;
mod render;
mod report;
pub mod score;
mod values;

use std::collections::BTreeMap;

use pagetree_model::{Document, ItemRef};
use rayon::prelude::*;

use crate::tables::{Grid, Representations, ids_of};

use checks::pages::PagePart;
use checks::server::MergePart;
use checks::{Findings, agreement, arithmetic, boxes, header, pages, server, structure};
use layout::Layout;

pub use checks::{Check, Family, Severity};
pub use render::{render_markdown, render_text};
pub use report::{
    CellRef, CheckCount, ConcernTally, Confirmation, Finding, QUALITY_SCHEMA,
    QUALITY_SCHEMA_VERSION, QualityReport, ServerConcern, Status, Summary, TableReport, WorstTable,
};

/// How to judge tables.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct QualityOptions {
    /// Share of a column's filled body cells (numbers and text; blanks and placeholders such
    /// as `–` or `n/a` left out) that must be numbers for the column to count as numeric (and
    /// its text cells to be reported), and that must be text for it to count as text.
    /// Default: `0.75`.
    pub numeric_share: f64,
    /// Share of empty body cells above which `sparse_table` fires. Default: `0.5`.
    pub sparse_share: f64,
    /// Cells listed per finding (the message still counts them all). Default: `5`.
    pub max_cells: usize,
    /// Tables listed in the summary's `worst`. Default: `10`.
    pub worst: usize,
}

impl Default for QualityOptions {
    fn default() -> Self {
        QualityOptions {
            numeric_share: 0.75,
            sparse_share: 0.5,
            max_cells: 5,
            worst: 10,
        }
    }
}

/// One table item after its own checks, before the document-wide ones.
struct Analysed<'w, 'd> {
    /// The table item's JSON path.
    path: String,
    r: &'w ItemRef<'d>,
    id: String,
    reps: Representations,
    shape: [usize; 2],
    header_rows: usize,
    column_types: Vec<&'static str>,
    /// Header labels per column, to match the columns server concerns name.
    labels: Vec<String>,
    findings: Findings,
}

/// Judges every table of a document (see the module docs). Per-table work runs on the current
/// rayon pool; the output never depends on it.
pub fn assess(doc: &Document, opts: &QualityOptions) -> QualityReport {
    let walk = doc.walk();
    let ids = ids_of(&walk);
    let mut tables: Vec<Analysed<'_, '_>> = ids
        .par_iter()
        .map(|(index, id)| {
            let mut a = analyse(doc, &walk[*index], id.clone(), opts);
            a.path = walk[*index].path(&walk);
            a
        })
        .collect();
    let failed_pages: Vec<u32> = doc.failed_pages().map(|p| p.number()).collect();

    let merge_parts: Vec<MergePart<'_>> = tables
        .iter()
        .map(|t| MergePart {
            page: t.r.page,
            item: t.r.item,
        })
        .collect();
    let merge_findings = server::merges(&merge_parts, &failed_pages);
    drop(merge_parts);
    for (t, found) in tables.iter_mut().zip(merge_findings) {
        t.findings.list.extend(found.list);
    }

    let split_pairs = {
        let parts: Vec<PagePart<'_, '_>> = tables
            .iter()
            .map(|t| PagePart {
                r: t.r,
                id: &t.id,
                grid: t.reps.preferred(),
                merged: t.r.item.is_merged_stub() || t.r.item.is_merged_table(),
            })
            .collect();
        pages::splits(doc, &walk, &parts)
            .into_iter()
            .map(|(a, b)| {
                let mut fa = Findings::default();
                let mut fb = Findings::default();
                pages::report_split(&parts[a], &parts[b], &mut fa, &mut fb);
                ((a, fa), (b, fb))
            })
            .collect::<Vec<_>>()
    };
    for ((a, fa), (b, fb)) in split_pairs {
        tables[a].findings.list.extend(fa.list);
        tables[b].findings.list.extend(fb.list);
    }

    let mut per_page: BTreeMap<u32, usize> = BTreeMap::new();
    for t in tables.iter().filter(|t| !t.r.item.is_merged_stub()) {
        *per_page.entry(t.r.page).or_default() += 1;
    }
    let reports: Vec<TableReport> = tables
        .into_iter()
        .map(|t| finish(t, &per_page, opts))
        .collect();
    QualityReport {
        schema: QUALITY_SCHEMA,
        version: QUALITY_SCHEMA_VERSION,
        input: doc.name().to_owned(),
        summary: summarize(&reports, opts),
        tables: reports,
        failed_pages,
    }
}

/// Every check that needs only the table itself.
fn analyse<'w, 'd>(
    doc: &Document,
    r: &'w ItemRef<'d>,
    id: String,
    opts: &QualityOptions,
) -> Analysed<'w, 'd> {
    let item = r.item;
    let mut out = Findings::default();
    let reps = Representations::of(item);
    let mut a = Analysed {
        path: String::new(),
        r,
        id,
        reps: Representations::default(),
        shape: [0, 0],
        header_rows: 0,
        column_types: Vec::new(),
        labels: Vec::new(),
        findings: Findings::default(),
    };
    if item.is_merged_stub() {
        // Its rows are in the merged table; only the merge metadata is checked.
        a.reps = reps;
        return a;
    }
    server::not_perfect(item, &mut out);
    boxes::check(item, doc.page(r.page).and_then(|p| p.size()), &mut out);
    structure::ragged(&reps, &mut out);
    agreement::check(&reps, &mut out);
    agreement::completeness(item, &mut out);
    match reps.preferred() {
        None => {
            out.add(
                Check::EmptyTable,
                "no cells in rows, html, csv or md".to_owned(),
            );
        }
        Some(grid) => {
            let t = Layout::of(grid, opts);
            let mut explained = structure::check(&t, opts, &mut out);
            explained.extend(pages::repeated_header(&t, &mut out));
            header::check(&t, &explained, &mut out);
            checks::values::check(&t, &explained, &mut out);
            arithmetic::check(&t, &mut out);
            a.shape = [grid.rows(), grid.columns()];
            a.header_rows = t.header.len();
            a.column_types = t.columns.iter().map(|c| c.kind.as_str()).collect();
            a.labels = (0..t.width).map(|c| t.header_label(c)).collect();
        }
    }
    a.reps = reps;
    a.findings = out;
    a
}

/// Confirms the server's concerns, orders the findings and scores the table.
fn finish(
    mut t: Analysed<'_, '_>,
    per_page: &BTreeMap<u32, usize>,
    opts: &QualityOptions,
) -> TableReport {
    let stub = t.r.item.is_merged_stub();
    let concerns = server::concerns(
        t.r.item,
        t.r.page,
        per_page.get(&t.r.page).copied().unwrap_or(0),
        &t.labels,
        &mut t.findings,
    );
    let mut findings = t.findings.list;
    findings.sort_by(|a, b| {
        (a.severity, a.check, a.row, a.column, a.source)
            .cmp(&(b.severity, b.check, b.row, b.column, b.source))
    });
    for f in &mut findings {
        f.cells.truncate(opts.max_cells);
    }
    let (score, grade, status) = if stub {
        (None, None, Status::MergedStub)
    } else {
        let s = score::score(&findings);
        (Some(s), Some(score::grade(s)), score::status(s, &findings))
    };
    TableReport {
        id: t.id,
        page: t.r.page,
        path: t.path,
        furniture: t.r.furniture,
        source: t.reps.preferred().and_then(|g: &Grid| g.source),
        shape: t.shape,
        header_rows: t.header_rows,
        column_types: t.column_types,
        score,
        grade,
        status,
        findings,
        parse_concerns: concerns,
    }
}

fn summarize(tables: &[TableReport], opts: &QualityOptions) -> Summary {
    let scores: Vec<u8> = tables.iter().filter_map(|t| t.score).collect();
    let mut statuses: BTreeMap<&'static str, usize> =
        Status::ALL.iter().map(|s| (s.as_str(), 0)).collect();
    let mut grades: BTreeMap<&'static str, usize> = ["A", "B", "C", "D", "F"]
        .into_iter()
        .map(|g| (g, 0))
        .collect();
    let mut checks: BTreeMap<&'static str, CheckCount> = BTreeMap::new();
    let mut parse_concerns: BTreeMap<String, ConcernTally> = BTreeMap::new();
    for t in tables {
        *statuses.entry(t.status.as_str()).or_default() += 1;
        if let Some(g) = t.grade {
            *grades.entry(g).or_default() += 1;
        }
        let mut seen: Vec<Check> = Vec::new();
        for f in &t.findings {
            let c = checks.entry(f.check.id()).or_insert(CheckCount {
                severity: f.severity,
                tables: 0,
                findings: 0,
            });
            c.findings += 1;
            if !seen.contains(&f.check) {
                seen.push(f.check);
                c.tables += 1;
            }
        }
        for c in &t.parse_concerns {
            let tally = parse_concerns.entry(c.kind.clone()).or_default();
            tally.total += 1;
            match c.confirmation {
                Confirmation::Confirmed => tally.confirmed += 1,
                Confirmation::NotConfirmed => tally.not_confirmed += 1,
                Confirmation::Unchecked => tally.unchecked += 1,
            }
        }
    }
    let mut worst: Vec<&TableReport> = tables
        .iter()
        .filter(|t| t.score.is_some_and(|s| s < 100))
        .collect();
    // A stable sort keeps reading order among equal scores.
    worst.sort_by_key(|t| t.score);
    let worst = worst
        .into_iter()
        .take(opts.worst)
        .map(|t| WorstTable {
            id: t.id.clone(),
            score: t.score.unwrap_or(0),
            status: t.status,
            top_finding: t
                .findings
                .first()
                .map(|f| format!("{}: {}", f.check, f.message)),
        })
        .collect();
    let mean_score = (!scores.is_empty()).then(|| {
        let mean = scores.iter().map(|&s| f64::from(s)).sum::<f64>() / scores.len() as f64;
        (mean * 10.0).round() / 10.0
    });
    Summary {
        tables: tables.len(),
        scored: scores.len(),
        mean_score,
        min_score: scores.iter().copied().min(),
        statuses,
        grades,
        checks,
        worst,
        parse_concerns,
    }
}
