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

use checks::{Findings, agreement, arithmetic, boxes, chart, header, pages, server, structure};
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
    let mut stream = QualityStream::new(doc, opts);
    stream.push(doc);
    stream.finish()
}

/// [`assess`] a batch of pages at a time, for a document read in batches (see
/// [`crate::batch`]): [`push`](Self::push) each batch in page order, then
/// [`finish`](Self::finish). The report equals `assess` on the whole document as long as no
/// page is cut between batches and the pages a server-merged table names are in its batch.
///
/// What crosses batches is small: the table id count of the last page, the last table that
/// could continue on the next page (for `likely_split_table`), every table's merge metadata
/// (a stub and its merged table may lie in different batches), the failed pages, and the
/// tables' reports, held until the end because the summary comes first and merge findings
/// change scores.
///
/// ```
/// use pagetree_convert::quality::{self, QualityOptions, QualityStream};
/// let doc = pagetree_model::load_document(br#"{"pages": [{"page_number": 1,
///     "items": [{"type": "table", "rows": [["a", "b"], ["1", "2"]]}]}]}"#, None).unwrap();
/// let opts = QualityOptions::default();
/// let mut stream = QualityStream::new(&doc, &opts);
/// stream.push(&doc);
/// assert_eq!(stream.finish(), quality::assess(&doc, &opts));
/// ```
#[derive(Debug)]
pub struct QualityStream {
    opts: QualityOptions,
    input: String,
    /// The reports so far, before merge findings, sorting and scores.
    pending: Vec<Pending>,
    /// Every table's merge metadata, in reading order (as `pending`).
    merges: Vec<server::MergePart>,
    /// The last split candidate so far, which a table at the top of the next page may continue.
    carry: Option<Carried>,
    /// The page of the last table so far and its number there (ids count per page).
    ids_at: Option<(u32, usize)>,
    failed_pages: Vec<u32>,
}

/// A table's report before the document-wide merge check and scoring.
#[derive(Debug)]
struct Pending {
    report: TableReport,
    stub: bool,
}

/// The last split candidate of the batches so far.
#[derive(Debug)]
struct Carried {
    page: u32,
    id: String,
    grid: Grid,
    at_bottom: bool,
    /// Its place in `pending`.
    at: usize,
}

impl QualityStream {
    /// Starts a report for `doc` (any batch of it: only its name is read).
    pub fn new(doc: &Document, opts: &QualityOptions) -> Self {
        QualityStream {
            opts: opts.clone(),
            input: doc.name().to_owned(),
            pending: Vec::new(),
            merges: Vec::new(),
            carry: None,
            ids_at: None,
            failed_pages: Vec::new(),
        }
    }

    /// Judges the tables of the next batch of pages.
    pub fn push(&mut self, doc: &Document) {
        let opts = &self.opts;
        let walk = doc.walk();
        let ids = ids_continuing(&walk, &mut self.ids_at);
        let mut tables: Vec<Analysed<'_, '_>> = ids
            .par_iter()
            .map(|(index, id)| {
                let mut a = analyse(doc, &walk[*index], id.clone(), opts);
                a.path = walk[*index].path(&walk);
                a
            })
            .collect();
        self.failed_pages
            .extend(doc.failed_pages().map(|p| p.number()));
        self.merges.extend(
            tables
                .iter()
                .map(|t| server::MergePart::of(t.r.page, t.r.item)),
        );

        // Split pairs: neighbouring candidates, the first of this batch paired with the last
        // of the batches before.
        let candidates: Vec<usize> = (0..tables.len())
            .filter(|&i| {
                let t = &tables[i];
                let merged = t.r.item.is_merged_stub() || t.r.item.is_merged_table();
                pages::is_candidate(t.reps.preferred(), merged)
            })
            .collect();
        let side = |t: &'_ Analysed<'_, '_>| -> Option<(u32, String, Grid)> {
            t.reps
                .preferred()
                .map(|g| (t.r.page, t.id.clone(), g.clone()))
        };
        let at: Vec<usize> = tables.iter().map(|t| t.r.index).collect();
        let placed = |i: usize| pages::placed(doc, &walk, at[i]);
        let mut across = None;
        if let (Some(c), Some(&first)) = (&self.carry, candidates.first()) {
            let b = &tables[first];
            if let Some(gb) = b.reps.preferred() {
                let sa = pages::SplitSide {
                    page: c.page,
                    id: &c.id,
                    grid: &c.grid,
                };
                let sb = pages::SplitSide {
                    page: b.r.page,
                    id: &b.id,
                    grid: gb,
                };
                if pages::is_split(&sa, &sb, || c.at_bottom, || placed(first).0) {
                    let (mut fa, mut fb) = (Findings::default(), Findings::default());
                    pages::report_split(&sa, &sb, &mut fa, &mut fb);
                    across = Some((c.at, fa, first, fb));
                }
            }
        }
        if let Some((a, fa, b, fb)) = across {
            self.pending[a].report.findings.extend(fa.list);
            tables[b].findings.list.extend(fb.list);
        }
        let mut pairs = Vec::new();
        for w in candidates.windows(2) {
            let (a, b) = (&tables[w[0]], &tables[w[1]]);
            let (Some(ga), Some(gb)) = (a.reps.preferred(), b.reps.preferred()) else {
                continue;
            };
            let sa = pages::SplitSide {
                page: a.r.page,
                id: &a.id,
                grid: ga,
            };
            let sb = pages::SplitSide {
                page: b.r.page,
                id: &b.id,
                grid: gb,
            };
            if pages::is_split(&sa, &sb, || placed(w[0]).1, || placed(w[1]).0) {
                let (mut fa, mut fb) = (Findings::default(), Findings::default());
                pages::report_split(&sa, &sb, &mut fa, &mut fb);
                pairs.push(((w[0], fa), (w[1], fb)));
            }
        }
        for ((a, fa), (b, fb)) in pairs {
            tables[a].findings.list.extend(fa.list);
            tables[b].findings.list.extend(fb.list);
        }
        let base = self.pending.len();
        if let Some(&last) = candidates.last()
            && let Some((page, id, grid)) = side(&tables[last])
        {
            self.carry = Some(Carried {
                page,
                id,
                grid,
                at_bottom: placed(last).1,
                at: base + last,
            });
        }

        let chart_parts: Vec<&ItemRef<'_>> = tables.iter().map(|t| t.r).collect();
        for (t, found) in tables
            .iter_mut()
            .zip(chart::transcriptions(&walk, &chart_parts))
        {
            t.findings.list.extend(found.list);
        }

        let mut per_page: BTreeMap<u32, usize> = BTreeMap::new();
        for t in tables.iter().filter(|t| !t.r.item.is_merged_stub()) {
            *per_page.entry(t.r.page).or_default() += 1;
        }
        self.pending
            .extend(tables.into_iter().map(|t| judged(t, &per_page, opts)));
    }

    /// The report: merge findings added, findings ordered, tables scored, the summary.
    pub fn finish(self) -> QualityReport {
        let opts = &self.opts;
        let merge_findings = server::merges(&self.merges, &self.failed_pages);
        let reports: Vec<TableReport> = self
            .pending
            .into_iter()
            .zip(merge_findings)
            .map(|(p, found)| settle(p, found, opts))
            .collect();
        QualityReport {
            schema: QUALITY_SCHEMA,
            version: QUALITY_SCHEMA_VERSION,
            input: self.input,
            summary: summarize(&reports, opts),
            tables: reports,
            failed_pages: self.failed_pages,
        }
    }
}

/// [`ids_of`] for a batch, counting on from the batches before (`at`: the last table's page
/// and its number there) when the batch starts on the same page number.
fn ids_continuing(walk: &[ItemRef<'_>], at: &mut Option<(u32, usize)>) -> Vec<(usize, String)> {
    let mut ids = ids_of(walk);
    if let Some((page, n)) = *at {
        for (i, id) in ids.iter_mut() {
            if walk[*i].page != page {
                break;
            }
            let k = id
                .rsplit_once("-t")
                .and_then(|(_, k)| k.parse::<usize>().ok());
            *id = crate::tables::table_id(page, k.unwrap_or(0) + n);
        }
    }
    if let Some((i, _)) = ids.last() {
        let page = walk[*i].page;
        let on_page = ids
            .iter()
            .rev()
            .take_while(|(j, _)| walk[*j].page == page)
            .count();
        let before = match *at {
            Some((p, n)) if ids.iter().all(|(j, _)| walk[*j].page == p) => n,
            _ => 0,
        };
        *at = Some((page, before + on_page));
    }
    ids
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
    boxes::soften_form(item, &mut out);
    a.reps = reps;
    a.findings = out;
    a
}

/// Confirms the server's concerns (what the batch knows: the page's tables), and keeps the
/// cells each finding lists to the maximum now (the merge findings added at the end list
/// none): reports are held until the end of the document.
fn judged(
    mut t: Analysed<'_, '_>,
    per_page: &BTreeMap<u32, usize>,
    opts: &QualityOptions,
) -> Pending {
    let stub = t.r.item.is_merged_stub();
    let concerns = server::concerns(
        t.r.item,
        t.r.page,
        per_page.get(&t.r.page).copied().unwrap_or(0),
        &t.labels,
        &mut t.findings,
    );
    for f in &mut t.findings.list {
        f.cells.truncate(opts.max_cells);
        f.cells.shrink_to_fit();
    }
    Pending {
        stub,
        report: TableReport {
            id: t.id,
            page: t.r.page,
            path: t.path,
            furniture: t.r.furniture,
            source: t.reps.preferred().and_then(|g: &Grid| g.source),
            shape: t.shape,
            header_rows: t.header_rows,
            column_types: t.column_types,
            score: None,
            grade: None,
            status: Status::MergedStub,
            findings: t.findings.list,
            parse_concerns: concerns,
        },
    }
}

/// Adds the merge findings, orders the findings and scores the table.
fn settle(p: Pending, merges: Findings, opts: &QualityOptions) -> TableReport {
    let mut report = p.report;
    let findings = &mut report.findings;
    findings.extend(merges.list);
    // Stable: findings of one check keep the order they were found in.
    findings.sort_by(|a, b| {
        (a.severity, a.check, a.row, a.column, a.source)
            .cmp(&(b.severity, b.check, b.row, b.column, b.source))
    });
    for f in findings.iter_mut() {
        f.cells.truncate(opts.max_cells);
    }
    if !p.stub {
        let s = score::score(findings);
        report.score = Some(s);
        report.grade = Some(score::grade(s));
        report.status = score::status(s, findings);
    }
    report
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
            // A check softened on some tables (a sound form) is listed at its worst.
            c.severity = c.severity.min(f.severity);
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
