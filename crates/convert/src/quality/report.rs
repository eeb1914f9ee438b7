//! The quality report's output schema (`pagetree.quality`, versioned): serialize-only types,
//! separate from the input model. Rows and columns are 0-based indices into the grid the
//! checks read (the table's `rows`, else `html`, `csv` or `md`); row 0 is the first row.

use std::collections::BTreeMap;

use serde::Serialize;

use super::checks::{Check, Severity};
use crate::tables::Source;

/// Schema name of the report.
pub const QUALITY_SCHEMA: &str = "pagetree.quality";
/// Version of the report schema; bumped on any incompatible change.
pub const QUALITY_SCHEMA_VERSION: u32 = 1;

/// The quality report of one document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QualityReport {
    /// `pagetree.quality`.
    pub schema: &'static str,
    /// [`QUALITY_SCHEMA_VERSION`].
    pub version: u32,
    /// The input's name.
    pub input: String,
    /// Per-document figures.
    pub summary: Summary,
    /// Every table item (merge stubs included), in reading order.
    pub tables: Vec<TableReport>,
    /// Failed pages: any table on them is missing from the report.
    pub failed_pages: Vec<u32>,
}

/// Per-document figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Table items, stubs included.
    pub tables: usize,
    /// Tables with a score (every table but merge stubs).
    pub scored: usize,
    /// Mean score of the scored tables, one decimal.
    pub mean_score: Option<f64>,
    /// Lowest score.
    pub min_score: Option<u8>,
    /// Tables per status (`ok`, `review`, `unusable`, `merged_stub`), every status listed.
    pub statuses: BTreeMap<&'static str, usize>,
    /// Scored tables per grade (`A`…`F`), every grade listed.
    pub grades: BTreeMap<&'static str, usize>,
    /// Per check id that fired: how many tables and findings.
    pub checks: BTreeMap<&'static str, CheckCount>,
    /// The lowest-scoring tables below 100, worst first (ties in reading order), at most
    /// `QualityOptions::worst` of them.
    pub worst: Vec<WorstTable>,
    /// The server's `parse_concerns` by type: how many, and how many our checks confirm.
    pub parse_concerns: BTreeMap<String, ConcernTally>,
}

/// How often one check fired in a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CheckCount {
    /// The check's severity.
    pub severity: Severity,
    /// Tables with at least one finding of it.
    pub tables: usize,
    /// Findings of it.
    pub findings: usize,
}

/// One entry of [`Summary::worst`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorstTable {
    /// Table id.
    pub id: String,
    /// Its score.
    pub score: u8,
    /// Its status.
    pub status: Status,
    /// Its most severe finding, as `check: message`.
    pub top_finding: Option<String>,
}

/// The server's concerns of one type in a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct ConcernTally {
    /// How many.
    pub total: usize,
    /// Confirmed by our matching check.
    pub confirmed: usize,
    /// Our matching check did not fire.
    pub not_confirmed: usize,
    /// We have no matching check (unknown or unchecked type).
    pub unchecked: usize,
}

/// What to do with a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Status {
    /// No errors or warnings (info findings at most).
    Ok,
    /// Errors or warnings: check it before use.
    Review,
    /// Score under 40, or no cells at all.
    Unusable,
    /// An empty stub left by a cross-page merge; its rows are in the merged table.
    MergedStub,
}

impl Status {
    /// Every status, in report order.
    pub const ALL: [Status; 4] = [
        Status::Ok,
        Status::Review,
        Status::Unusable,
        Status::MergedStub,
    ];

    /// `ok`, `review`, `unusable` or `merged_stub`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Review => "review",
            Status::Unusable => "unusable",
            Status::MergedStub => "merged_stub",
        }
    }
}

/// The report on one table item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableReport {
    /// Stable id, `p003-t01` (see [`table_ids`](crate::tables::table_ids)).
    pub id: String,
    /// Its page.
    pub page: u32,
    /// JSON path of the item in the input.
    pub path: String,
    /// Whether it sits in a page header or footer.
    pub furniture: bool,
    /// The representation the checks read (`rows`, else `html`, `csv`, `md`).
    pub source: Option<Source>,
    /// `[rows, columns]` of that grid.
    pub shape: [usize; 2],
    /// Rows found to be the header (title and unit rows not counted).
    pub header_rows: usize,
    /// Per column: `numeric`, `text`, `mixed` or `empty` (from the body cells).
    pub column_types: Vec<&'static str>,
    /// 0-100 (see the score module); `None` for merge stubs.
    pub score: Option<u8>,
    /// `A` (90+), `B` (75+), `C` (60+), `D` (40+) or `F`; `None` for merge stubs.
    pub grade: Option<&'static str>,
    /// What to do with it.
    pub status: Status,
    /// The findings, most severe first, then by check, row and column.
    pub findings: Vec<Finding>,
    /// The server's `parse_concerns`, each with whether we confirm it.
    pub parse_concerns: Vec<ServerConcern>,
}

/// One finding of one check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The check id.
    pub check: Check,
    /// Its severity.
    pub severity: Severity,
    /// The row concerned (0-based), when there is one.
    pub row: Option<usize>,
    /// The column concerned (0-based), when there is one.
    pub column: Option<usize>,
    /// The representation concerned, when it is not the grid the checks read.
    pub source: Option<Source>,
    /// What is wrong, in words.
    pub message: String,
    /// The cells concerned (at most `max_cells`; the message gives the full count).
    pub cells: Vec<CellRef>,
}

impl Finding {
    /// Locates the finding.
    pub(crate) fn at(&mut self, row: Option<usize>, column: Option<usize>) -> &mut Self {
        self.row = row;
        self.column = column;
        self
    }

    /// Names the representation concerned.
    pub(crate) fn in_source(&mut self, source: Source) -> &mut Self {
        self.source = Some(source);
        self
    }

    /// Lists the cells concerned.
    pub(crate) fn with_cells(&mut self, cells: impl IntoIterator<Item = CellRef>) -> &mut Self {
        self.cells.extend(cells);
        self
    }
}

/// A cell named by a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CellRef {
    /// Row (0-based).
    pub row: usize,
    /// Column (0-based).
    pub column: usize,
    /// The cell's text as read.
    pub text: String,
}

impl CellRef {
    pub(crate) fn new(row: usize, column: usize, text: &str) -> Self {
        CellRef {
            row,
            column,
            text: text.to_owned(),
        }
    }
}

/// Whether our own checks agree with a server concern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Confirmation {
    /// Our matching check fired.
    Confirmed,
    /// Our matching check ran and did not fire.
    NotConfirmed,
    /// We have no check for this concern type.
    Unchecked,
}

/// A server `parse_concerns` entry with our verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServerConcern {
    /// The concern type, as written (an open set).
    #[serde(rename = "type")]
    pub kind: String,
    /// Its details, when given.
    pub details: Option<String>,
    /// Whether we confirm it.
    pub confirmation: Confirmation,
    /// What confirms it (`text_in_numeric_column at column 1`, `3 tables on page 4`), or which
    /// check we ran.
    pub evidence: Option<String>,
}
