//! The `tables.json` index written beside the tables: a serialize-only schema, separate from
//! the input model, with its own `schema`/`version`. Also its flat CSV form (`--index csv`).

use serde::Serialize;

use super::agree::Agreement;
use super::grid::Source;
use super::numbers::Percent;

/// Schema name of the index.
pub const TABLES_SCHEMA: &str = "pagetree.tables";
/// Version of the index schema; bumped on any incompatible change.
pub const TABLES_SCHEMA_VERSION: u32 = 1;

/// The index of one input's tables (`tables.json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TablesIndex {
    /// `pagetree.tables`.
    pub schema: &'static str,
    /// [`TABLES_SCHEMA_VERSION`].
    pub version: u32,
    /// The input's name.
    pub input: String,
    /// The options the tables were written with.
    pub options: IndexOptions,
    /// The written tables, in reading order of their first part.
    pub tables: Vec<TableEntry>,
    /// Failed pages: their tables, if any, are missing. (After `tables`, so that a document
    /// converted batch by batch can write its tables before it knows every failed page.)
    pub failed_pages: Vec<u32>,
    /// Table items not written as their own file: merge stubs and empty tables (stitched
    /// parts are listed under their table's `stitched`).
    pub skipped: Vec<SkippedTable>,
    /// What was noticed along the way.
    pub warnings: Vec<String>,
}

/// The options, as recorded in the index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IndexOptions {
    /// `csv` or `jsonl`.
    pub format: &'static str,
    /// The CSV delimiter (`,`, `;` or `\t`).
    pub delimiter: String,
    /// `--header-rows`, when given.
    pub header_rows: Option<usize>,
    /// Whether numbers were normalised.
    pub normalize_numbers: bool,
    /// How percentages were normalised.
    pub percent: Percent,
    /// Whether continuation tables were stitched.
    pub stitch: bool,
    /// Whether short rows were padded.
    pub pad_rows: bool,
    /// Which representation tables are read from (`best`, `rows`, `html`, `md`).
    pub table_source: &'static str,
    /// How cells are written (`text`, `markdown`, `raw`).
    pub cells: &'static str,
}

/// One written table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableEntry {
    /// Stable id, `p003-t01` (see [`table_ids`](super::table_ids)).
    pub id: String,
    /// File name, relative to the index (`p003-t01.csv`).
    pub file: String,
    /// Every page the table covers, ascending.
    pub pages: Vec<u32>,
    /// The boxes of every part, with their pages (a merged table lists its stubs' boxes).
    pub bbox: Vec<PageBox>,
    /// Records in the file, header included (JSON Lines: body rows only).
    pub rows: usize,
    /// Columns: the longest row.
    pub columns: usize,
    /// Rows shorter or longer than `columns` (before `pad_rows`).
    pub ragged_rows: usize,
    /// Header rows in the source before flattening (detected from HTML `<th>`/`<thead>`, 1
    /// for `rows`, `csv` and `md`, or `--header-rows`).
    pub header_rows: usize,
    /// The header, one name per column (multi-row headers flattened, `Revenue / 2023`).
    pub header: Vec<String>,
    /// The representation the cells were read from.
    pub source: Source,
    /// Spanning cells expanded from HTML (`rowspan`/`colspan`): their text is in the top-left
    /// cell and the others are empty.
    pub spans: usize,
    /// An HTML `<caption>`.
    pub caption: Option<String>,
    /// The server's parse concerns.
    pub parse_concerns: Vec<Concern>,
    /// v1 `isPerfectTable`.
    pub is_perfect_table: Option<bool>,
    /// Cells rewritten by number normalisation.
    pub normalized_cells: usize,
    /// Set when the server merged this table across pages.
    pub merged: Option<Merged>,
    /// Set when `--stitch` joined continuation tables into this one.
    pub stitched: Option<Stitched>,
    /// Whether `rows`, `html`, `csv` and `md` of the (first) table item hold the same grid.
    pub agreement: Agreement,
    /// JSON path of the table item in the input.
    pub path: String,
    /// Whether the table sits in a page header or footer.
    pub furniture: bool,
}

/// A box on a page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PageBox {
    /// Page number.
    pub page: u32,
    /// Left edge (points).
    pub x: Option<f64>,
    /// Top edge.
    pub y: Option<f64>,
    /// Width.
    pub w: Option<f64>,
    /// Height.
    pub h: Option<f64>,
    /// The layout label, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

/// A parse concern.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Concern {
    /// Its type (open set).
    #[serde(rename = "type")]
    pub kind: String,
    /// Its details, when given.
    pub details: Option<String>,
}

/// Provenance of a server merge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Merged {
    /// `merged_from_pages` as written.
    pub from_pages: Vec<u32>,
    /// Ids of the stub tables the merge left on the other pages.
    pub stubs: Vec<String>,
}

/// Provenance of a stitch.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stitched {
    /// Every part, the first (this table's own item) included, in order.
    pub parts: Vec<StitchedPart>,
}

/// One part of a stitched table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StitchedPart {
    /// The part's table id.
    pub id: String,
    /// Its page.
    pub page: u32,
    /// Rows it contributed.
    pub rows: usize,
    /// Leading rows dropped because they repeated the header.
    pub dropped_header_rows: usize,
    /// The representation its cells came from.
    pub source: Source,
    /// Agreement of this part's own representations.
    pub agreement: Agreement,
}

/// A table item not written as a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkippedTable {
    /// Its id.
    pub id: String,
    /// Its page.
    pub page: u32,
    /// `merged_stub` (an empty stub left by a server merge) or `empty` (no cells in any
    /// representation).
    pub reason: &'static str,
    /// For a stub: the page its table was merged into.
    pub merged_into_page: Option<u32>,
    /// For a stub: the id of the merged table, when found.
    pub merged_into: Option<String>,
    /// JSON path of the item.
    pub path: String,
}

/// The index as CSV (`--index csv`), one line per written table, with the given delimiter.
/// List fields are joined with spaces (pages, stitched ids, stubs) or ` | ` (header, concerns).
pub fn index_csv(index: &TablesIndex, delimiter: u8) -> String {
    let mut w = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .from_writer(Vec::new());
    let head = [
        "id",
        "file",
        "pages",
        "rows",
        "columns",
        "header_rows",
        "header",
        "source",
        "spans",
        "ragged_rows",
        "parse_concerns",
        "is_perfect_table",
        "merged_from_pages",
        "merge_stubs",
        "stitched_parts",
        "all_agree",
        "first_difference",
        "bbox",
    ];
    // Writing to a Vec cannot fail.
    let _ = w.write_record(head);
    let join = |v: &[u32]| v.iter().map(u32::to_string).collect::<Vec<_>>().join(" ");
    let num = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());
    for t in &index.tables {
        let difference = t
            .agreement
            .compared
            .iter()
            .find_map(|c| c.first_difference.as_ref().map(|d| (c.source, d)))
            .map_or(String::new(), |(s, d)| {
                format!(
                    "{s} row {} column {}: {:?} vs {:?}",
                    d.row,
                    d.column,
                    d.reference.as_deref().unwrap_or("(none)"),
                    d.other.as_deref().unwrap_or("(none)")
                )
            });
        let record = [
            t.id.clone(),
            t.file.clone(),
            join(&t.pages),
            t.rows.to_string(),
            t.columns.to_string(),
            t.header_rows.to_string(),
            t.header.join(" | "),
            t.source.to_string(),
            t.spans.to_string(),
            t.ragged_rows.to_string(),
            t.parse_concerns
                .iter()
                .map(|c| c.kind.as_str())
                .collect::<Vec<_>>()
                .join(" | "),
            t.is_perfect_table.map_or(String::new(), |b| b.to_string()),
            t.merged
                .as_ref()
                .map_or(String::new(), |m| join(&m.from_pages)),
            t.merged
                .as_ref()
                .map_or(String::new(), |m| m.stubs.join(" ")),
            t.stitched.as_ref().map_or(String::new(), |s| {
                s.parts
                    .iter()
                    .map(|p| p.id.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            }),
            t.agreement.all_agree.to_string(),
            difference,
            t.bbox
                .iter()
                .map(|b| {
                    format!(
                        "p{}:{},{},{},{}",
                        b.page,
                        num(b.x),
                        num(b.y),
                        num(b.w),
                        num(b.h)
                    )
                })
                .collect::<Vec<_>>()
                .join(" "),
        ];
        let _ = w.write_record(&record);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}
