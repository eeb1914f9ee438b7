//! Tables: every table item of a document as one clean grid, ready to write as CSV or JSON
//! Lines, with server merges honoured, continuation tables optionally stitched, and an index
//! (`tables.json`) that says where each table came from and whether its representations agree.
//!
//! The readers of the four representations a table item may carry are public so other writers
//! (the table-quality report) reuse them: [`grid_from_rows`], [`grid_from_html`] (spans
//! expanded), [`grid_from_csv`], [`grid_from_md`], and [`Representations`] / [`Agreement`] /
//! [`compare`] for whether they hold the same cells.
//!
//! ```
//! use pagetree_convert::tables::{self, TableOptions, render_table};
//! let doc = pagetree_model::load_document(br#"{"pages": [{"page_number": 3, "items": [
//!     {"type": "table", "rows": [["Item", "Amount"], ["Tea, green", 1.5], ["Milk", null]]}]}]}"#,
//!     Some("shop.json")).unwrap();
//! let opts = TableOptions::default();
//! let out = tables::extract(&doc, &opts);
//! assert_eq!(out.tables[0].file_name, "p003-t01.csv");
//! assert_eq!(render_table(&out.tables[0], &opts), b"Item,Amount\n\"Tea, green\",1.5\nMilk,\n");
//! assert_eq!(out.index.tables[0].source.as_str(), "rows");
//! ```

mod agree;
mod csv_in;
mod extract;
mod grid;
pub(crate) mod html;
mod ids;
mod index;
mod index_writer;
mod md;
mod numbers;
mod source;
mod stitch;
mod write;

use pagetree_model::Document;
use serde::Serialize;

use crate::warning::Warning;

pub(crate) use agree::tag_len;
pub use agree::{Agreement, Comparison, Difference, Representations, compare};
pub use csv_in::grid_from_csv;
#[cfg(test)]
pub(crate) use grid::grid_of;
pub use grid::{Grid, Source, Span, grid_from_rows};
pub use html::grid_from_html;
pub use ids::{table_id, table_ids};
pub use index::{
    Concern, IndexOptions, Merged, PageBox, SkippedTable, Stitched, StitchedPart, TABLES_SCHEMA,
    TABLES_SCHEMA_VERSION, TableEntry, TablesIndex, index_csv,
};
pub use index_writer::TablesIndexWriter;
pub use md::grid_from_md;
pub use numbers::{Percent, normalize_number};
pub use source::{CellText, Chosen, TableSource, choose, escape_literal_asterisks};
pub use write::{render_table, write_table};

// The quality report reuses the stitching rules (a split the server did not merge) and the
// id numbering over a walk it already has.
pub(crate) use ids::ids_of;
pub(crate) use stitch::{continuation, joins, placement};

/// The CSV field delimiter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[non_exhaustive]
pub enum Delimiter {
    /// `,`
    #[default]
    Comma,
    /// `;` (spreadsheets in locales with a decimal comma)
    Semicolon,
    /// A tab (TSV).
    Tab,
}

impl Delimiter {
    /// The delimiter byte.
    pub fn as_byte(self) -> u8 {
        match self {
            Delimiter::Comma => b',',
            Delimiter::Semicolon => b';',
            Delimiter::Tab => b'\t',
        }
    }
}

/// The file format of each table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[non_exhaustive]
pub enum TableFormat {
    /// CSV (RFC 4180 quoting: fields with the delimiter, `"`, CR or LF are quoted, `"` doubled).
    #[default]
    Csv,
    /// JSON Lines: one object per body row, keyed by the (flattened) header.
    Jsonl,
}

impl TableFormat {
    /// The file extension (`csv`, `jsonl`).
    pub fn extension(self) -> &'static str {
        match self {
            TableFormat::Csv => "csv",
            TableFormat::Jsonl => "jsonl",
        }
    }
}

/// How to extract and write tables.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct TableOptions {
    /// CSV field delimiter. Default: [`Delimiter::Comma`].
    pub delimiter: Delimiter,
    /// File format. Default: [`TableFormat::Csv`].
    pub format: TableFormat,
    /// How many leading rows are the header. `None` (the default) uses what the source says
    /// (HTML `<thead>`/`<th>` rows, else 1) and writes the rows as they are; `Some(n)` with
    /// `n ≥ 2` flattens the first `n` rows into one header row (`Revenue / 2023`); `Some(0)`
    /// says the table has no header.
    pub header_rows: Option<usize>,
    /// Rewrite numbers in body cells (`1,234.5` → `1234.5`, `(12)` → `-12`; see
    /// [`normalize_number`]). Default: `false` (cells are written exactly as read).
    pub normalize_numbers: bool,
    /// Percentages when normalising numbers. Default: [`Percent::Keep`].
    pub percent: Percent,
    /// Join continuation tables the server did not merge (see the rules in the `stitch`
    /// module). Default: `false`.
    pub stitch: bool,
    /// Pad short rows with empty cells to the widest row, so every record has the same
    /// number of fields (some CSV readers demand it). Default: `false` (rows are written as
    /// read, so a CSV from `rows` holds exactly `rows`).
    pub pad_rows: bool,
    /// Which representation each table is read from. Default: [`TableSource::Best`], the
    /// most complete of `rows`, `html` and `md` (`tables.json` names the one used).
    pub source: TableSource,
    /// How cells are written. Default: [`CellText::Text`] (plain text for spreadsheets);
    /// [`CellText::Raw`] with [`TableSource::Rows`] writes exactly the server's `rows`.
    pub cells: CellText,
}

/// One extracted table, ready to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// Stable id, `p003-t01` (the id of its first part).
    pub id: String,
    /// Suggested file name, `p003-t01.csv`: made only of the id and the extension, so it is
    /// always a plain, safe name.
    pub file_name: String,
    /// The cells, after merging, stitching, header flattening and number normalisation.
    /// [`Grid::header_rows`] is the number of header rows in these cells.
    pub grid: Grid,
}

/// The tables of one document.
#[derive(Debug, Clone, PartialEq)]
pub struct TablesOutput {
    /// The tables to write, in reading order of their first part.
    pub tables: Vec<Table>,
    /// The index (`tables.json`); `index.tables[i]` describes `tables[i]`.
    pub index: TablesIndex,
    /// What was noticed (also in `index.warnings`).
    pub warnings: Vec<Warning>,
}

impl TablesOutput {
    /// The table with this id.
    pub fn get(&self, id: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.id == id)
    }
}

/// Extracts every table of a document.
///
/// Each table item becomes one grid, read from the representation [`TableOptions::source`]
/// picks (by default the most complete of `rows`, `html` and `md`; without `rows`, the first
/// present of `html` (spans expanded), `csv` and `md`), cells written as
/// [`TableOptions::cells`] says. A table the server merged across pages
/// (`merged_from_pages`) is one table named after its first page; the empty stubs it left
/// (`merged_into_page`) are not written but listed in `index.skipped` and their boxes added to
/// the table's. With [`TableOptions::stitch`], continuation tables the server did not merge are
/// joined and recorded in the table's `stitched`. Per-table work runs on the current rayon
/// pool; output order never depends on it.
pub fn extract(doc: &Document, opts: &TableOptions) -> TablesOutput {
    extract::run(doc, opts)
}
