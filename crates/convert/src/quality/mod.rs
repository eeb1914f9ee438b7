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
mod spool;
mod values;

use std::collections::BTreeMap;
use std::io;

use pagetree_model::{Document, ItemRef, Reader};
use rayon::prelude::*;

use crate::pages::PageSelection;
use crate::tables::{Grid, Representations, ids_of};

use checks::{Findings, agreement, arithmetic, boxes, chart, header, pages, server, structure};
use layout::Layout;

pub use checks::{Check, Family, Severity};
pub use render::{FinishedReport, render_markdown, render_text};
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
    // The whole document is in memory already: so is its report.
    let mut stream = QualityStream::with_spool(doc, opts, usize::MAX);
    let held = "a spool kept in memory does not fail";
    stream.push(doc).expect(held);
    stream
        .finish()
        .and_then(FinishedReport::into_report)
        .expect(held)
}

/// [`assess`] for a response read batch by batch from its [`Reader`] (the pages `pages`
/// selects), in memory bounded by a batch: the report, its tables in a spool, to be written
/// out in any format. Equal to `assess` on the whole document (read with the same selection).
///
/// ```
/// use pagetree_convert::pages::PageSelection;
/// use pagetree_convert::quality::{self, QualityOptions};
/// let json = br#"{"pages": [{"page_number": 1,
///     "items": [{"type": "table", "rows": [["a", "b"], ["1", "2"]]}]}]}"#;
/// let mut reader = pagetree_model::Reader::from_bytes(json.to_vec(), None).unwrap();
/// let opts = QualityOptions::default();
/// let report = quality::assess_reader(&mut reader, &opts, &PageSelection::default()).unwrap();
/// let doc = pagetree_model::load_document(json, None).unwrap();
/// assert_eq!(report.into_report().unwrap(), quality::assess(&doc, &opts));
/// ```
///
/// # Errors
///
/// A page that cannot be read ([`ConvertError::Load`](crate::ConvertError::Load), located as a
/// whole read locates it), or the spool could not be written or read back.
pub fn assess_reader(
    reader: &mut Reader,
    opts: &QualityOptions,
    pages: &PageSelection,
) -> Result<FinishedReport, crate::ConvertError> {
    let mut c = crate::ConvertOptions {
        quality: opts.clone(),
        ..Default::default()
    };
    c.markdown.pages.selection = pages.clone();
    crate::batch::quality_pass(reader, &c)
}

/// [`assess`] a batch of pages at a time, for a document read in batches (see
/// [`crate::batch`]): [`push`](Self::push) each batch in page order, then
/// [`finish`](Self::finish). The report equals `assess` on the whole document as long as no
/// page is cut between batches and the pages a server-merged table names are in its batch.
///
/// What crosses batches is small: the table id count of the last page, the last table that
/// could continue on the next page (for `likely_split_table`), every table's merge metadata
/// (a stub and its merged table may lie in different batches) and the failed pages. The
/// tables' reports wait for the end (the summary comes first and merge findings change
/// scores) encoded in a spool, in memory while small and in a temporary file past 1 MiB.
///
/// ```
/// use pagetree_convert::quality::{self, QualityOptions, QualityStream};
/// let doc = pagetree_model::load_document(br#"{"pages": [{"page_number": 1,
///     "items": [{"type": "table", "rows": [["a", "b"], ["1", "2"]]}]}]}"#, None).unwrap();
/// let opts = QualityOptions::default();
/// let mut stream = QualityStream::new(&doc, &opts);
/// stream.push(&doc)?;
/// let report = stream.finish()?;
/// assert_eq!(report.into_report()?, quality::assess(&doc, &opts));
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct QualityStream {
    opts: QualityOptions,
    input: String,
    /// The reports so far, before merge findings, sorting and scores.
    spool: spool::Spool,
    /// Findings for tables already spooled: a split whose second half is in a later batch.
    late: BTreeMap<usize, Vec<Finding>>,
    /// Every table's merge metadata, in reading order (as `spool`).
    merges: Vec<server::MergePart>,
    /// The last split candidate so far, which a table at the top of the next page may continue.
    carry: Option<Carried>,
    /// The page of the last table so far and its number there (ids count per page).
    ids_at: Option<(u32, usize)>,
    failed_pages: Vec<u32>,
}

/// A table's report before the document-wide merge check and scoring.
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
    /// Its place in the spool.
    at: usize,
}

impl QualityStream {
    /// Starts a report for `doc` (any batch of it: only its name is read).
    pub fn new(doc: &Document, opts: &QualityOptions) -> Self {
        Self::with_spool(doc, opts, spool::IN_MEMORY)
    }

    fn with_spool(doc: &Document, opts: &QualityOptions, in_memory: usize) -> Self {
        QualityStream {
            opts: opts.clone(),
            input: doc.name().to_owned(),
            spool: spool::Spool::new(in_memory),
            late: BTreeMap::new(),
            merges: Vec::new(),
            carry: None,
            ids_at: None,
            failed_pages: Vec::new(),
        }
    }

    /// Judges the tables of the next batch of pages.
    ///
    /// # Errors
    ///
    /// Writing the reports to the spool's temporary file failed.
    pub fn push(&mut self, doc: &Document) -> io::Result<()> {
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
            self.late.entry(a).or_default().extend(fa.list);
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
        let base = self.spool.len();
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
        for t in tables {
            let p = judged(t, &per_page, opts);
            self.spool.push(p.stub, &p.report)?;
        }
        Ok(())
    }

    /// The report: merge findings added, findings ordered, tables scored, the summary. Its
    /// tables stay in the spool, to be written out (or read back) one at a time.
    ///
    /// # Errors
    ///
    /// Reading the spool's temporary file back failed.
    pub fn finish(self) -> io::Result<FinishedReport> {
        let opts = self.opts;
        let mut extra = self.late;
        for (i, found) in server::merges(&self.merges, &self.failed_pages)
            .into_iter()
            .enumerate()
            .filter(|(_, f)| !f.list.is_empty())
        {
            extra.entry(i).or_default().extend(found.list);
        }
        let mut spool = self.spool;
        let mut summary = Summarizer::default();
        let mut scores = Vec::with_capacity(spool.len());
        for i in 0..spool.len() {
            let t = settled(&mut spool, &extra, i, opts.max_cells)?;
            summary.add(&t, &opts);
            scores.push(t.score);
        }
        Ok(FinishedReport {
            input: self.input,
            summary: summary.finish(),
            failed_pages: self.failed_pages,
            spool,
            extra,
            scores,
            max_cells: opts.max_cells,
        })
    }
}

/// The `i`th table of the spool, settled.
fn settled(
    spool: &mut spool::Spool,
    extra: &BTreeMap<usize, Vec<Finding>>,
    i: usize,
    max_cells: usize,
) -> io::Result<TableReport> {
    let (stub, t) = spool.get(i)?;
    let extra = extra.get(&i).map_or(&[][..], Vec::as_slice);
    Ok(settle(stub, t, extra, max_cells))
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
/// none): reports wait in the spool until the end of the document.
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

/// Adds the findings known later (a split's second half in a later batch, merge findings),
/// orders the findings and scores the table.
fn settle(stub: bool, mut report: TableReport, extra: &[Finding], max_cells: usize) -> TableReport {
    let findings = &mut report.findings;
    findings.extend(extra.iter().cloned());
    // Stable: findings of one check keep the order they were found in.
    findings.sort_by(|a, b| {
        (a.severity, a.check, a.row, a.column, a.source)
            .cmp(&(b.severity, b.check, b.row, b.column, b.source))
    });
    for f in findings.iter_mut() {
        f.cells.truncate(max_cells);
    }
    if !stub {
        let s = score::score(findings);
        report.score = Some(s);
        report.grade = Some(score::grade(s));
        report.status = score::status(s, findings);
    }
    report
}

/// The summary, gathered a table at a time in reading order.
#[derive(Default)]
struct Summarizer {
    tables: usize,
    scored: usize,
    score_sum: u64,
    min_score: Option<u8>,
    statuses: BTreeMap<&'static str, usize>,
    grades: BTreeMap<&'static str, usize>,
    checks: BTreeMap<&'static str, CheckCount>,
    parse_concerns: BTreeMap<String, ConcernTally>,
    /// The lowest scores below 100 so far, worst first (reading order among equals).
    worst: Vec<WorstTable>,
}

impl Summarizer {
    fn add(&mut self, t: &TableReport, opts: &QualityOptions) {
        self.tables += 1;
        if let Some(s) = t.score {
            self.scored += 1;
            self.score_sum += u64::from(s);
            self.min_score = Some(self.min_score.map_or(s, |m| m.min(s)));
        }
        *self.statuses.entry(t.status.as_str()).or_default() += 1;
        if let Some(g) = t.grade {
            *self.grades.entry(g).or_default() += 1;
        }
        let mut seen: Vec<Check> = Vec::new();
        for f in &t.findings {
            let c = self.checks.entry(f.check.id()).or_insert(CheckCount {
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
            let tally = self.parse_concerns.entry(c.kind.clone()).or_default();
            tally.total += 1;
            match c.confirmation {
                Confirmation::Confirmed => tally.confirmed += 1,
                Confirmation::NotConfirmed => tally.not_confirmed += 1,
                Confirmation::Unchecked => tally.unchecked += 1,
            }
        }
        if let Some(score) = t.score.filter(|&s| s < 100) {
            // After every table as low: a stable sort of all of them keeps reading order.
            let at = self.worst.partition_point(|w| w.score <= score);
            if at < opts.worst {
                self.worst.insert(
                    at,
                    WorstTable {
                        id: t.id.clone(),
                        score,
                        status: t.status,
                        top_finding: t
                            .findings
                            .first()
                            .map(|f| format!("{}: {}", f.check, f.message)),
                    },
                );
                self.worst.truncate(opts.worst);
            }
        }
    }

    fn finish(self) -> Summary {
        let mut statuses: BTreeMap<&'static str, usize> =
            Status::ALL.iter().map(|s| (s.as_str(), 0)).collect();
        statuses.extend(self.statuses);
        let mut grades: BTreeMap<&'static str, usize> = ["A", "B", "C", "D", "F"]
            .into_iter()
            .map(|g| (g, 0))
            .collect();
        grades.extend(self.grades);
        let mean_score = (self.scored > 0).then(|| {
            // Integer sums: the same mean whatever order the tables came in.
            let mean = self.score_sum as f64 / self.scored as f64;
            (mean * 10.0).round() / 10.0
        });
        Summary {
            tables: self.tables,
            scored: self.scored,
            mean_score,
            min_score: self.min_score,
            statuses,
            grades,
            checks: self.checks,
            worst: self.worst,
            parse_concerns: self.parse_concerns,
        }
    }
}
