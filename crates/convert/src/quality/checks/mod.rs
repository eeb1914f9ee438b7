//! The checks: their stable ids and severities in one registry ([`Check`]), and one module per
//! family that runs them on a table (or, for merges and page splits, on the whole document).

pub(super) mod agreement;
pub(super) mod arithmetic;
pub(super) mod boxes;
pub(super) mod chart;
pub(super) mod header;
pub(super) mod pages;
pub(super) mod server;
pub(super) mod structure;
pub(super) mod values;

use serde::{Serialize, Serializer};

use super::report::Finding;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Severity {
    /// The table is wrong somewhere (a total that does not add up, a stub pointing nowhere).
    Error,
    /// Probably wrong or hard to use as it is; look before trusting it.
    Warning,
    /// Worth knowing; not a defect by itself.
    Info,
}

impl Severity {
    /// `error`, `warning` or `info`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// The family a check belongs to (the grouping, and the module that runs it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Family {
    /// What the server said about the table.
    Server,
    /// The shape of the grid.
    Structure,
    /// The header rows.
    Header,
    /// Cell values.
    Values,
    /// `rows` vs `csv` vs `html` vs `md`.
    Agreement,
    /// Totals and subtotals.
    Arithmetic,
    /// Tables across pages.
    Pages,
    /// Bounding boxes.
    Boxes,
}

macro_rules! checks {
    ($( $(#[$doc:meta])* $variant:ident = $id:literal, $family:ident, $severity:ident, $what:literal; )*) => {
        /// A check, with a stable snake_case id (used in reports, `--fail-on` and `docs/quality-checks.md`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Check {
            $( $(#[$doc])* $variant, )*
        }

        impl Check {
            /// Every check, in report order (by family).
            pub const ALL: &'static [Check] = &[ $( Check::$variant, )* ];

            /// The stable id, e.g. `total_mismatch`.
            pub fn id(self) -> &'static str {
                match self { $( Check::$variant => $id, )* }
            }

            /// Its family.
            pub fn family(self) -> Family {
                match self { $( Check::$variant => Family::$family, )* }
            }

            /// The severity of its findings.
            pub fn severity(self) -> Severity {
                match self { $( Check::$variant => Severity::$severity, )* }
            }

            /// What triggers it, in one line (the check table of `docs/quality-checks.md`).
            pub fn description(self) -> &'static str {
                match self { $( Check::$variant => $what, )* }
            }
        }
    };
}

checks! {
    /// A server `parse_concerns` entry, passed through.
    ServerConcern = "server_concern", Server, Info,
        "every `parse_concerns` entry (unknown types too), marked confirmed, not confirmed or unchecked by our matching check";
    /// v1 `isPerfectTable: false`.
    NotPerfectTable = "not_perfect_table", Server, Warning,
        "v1 `isPerfectTable: false`";
    /// A stub whose `merged_into_page` names a page with no merged table.
    OrphanMergeStub = "orphan_merge_stub", Server, Error,
        "a stub's `merged_into_page` names a page with no table that has `merged_from_pages`";
    /// `merged_from_pages` lists a page that holds no stub pointing back.
    MissingMergeStub = "missing_merge_stub", Server, Warning,
        "`merged_from_pages` lists a page with no stub whose `merged_into_page` points back";
    /// No cells in any representation.
    EmptyTable = "empty_table", Structure, Error,
        "no cells in `rows`, `html`, `csv` or `md`";
    /// Rows of different lengths, per representation.
    RaggedRows = "ragged_rows", Structure, Warning,
        "rows not as long as most rows, in `rows`, `html`, `csv` or `md` (one finding naming each representation)";
    /// Rows with no text at all.
    BlankRows = "blank_rows", Structure, Info,
        "rows whose cells are all empty";
    /// Columns with no text at all.
    EmptyColumns = "empty_columns", Structure, Warning,
        "columns whose cells are all empty, header included";
    /// Mostly empty cells.
    SparseTable = "sparse_table", Structure, Info,
        "more than `sparse_share` (50%) of the body cells are empty";
    /// A body row repeating an earlier one.
    DuplicateRows = "duplicate_rows", Structure, Warning,
        "a body row with 2+ filled cells repeats an earlier body row";
    /// One column only.
    OneColumn = "one_column", Structure, Warning,
        "the table has a single column";
    /// One row only.
    OneRow = "one_row", Structure, Warning,
        "the table has a single row (a header with no body, or a body with no header)";
    /// A row whose cells sit one column off.
    ShiftedRow = "shifted_row", Structure, Warning,
        "a row whose cells mismatch the column types, and match them all when moved one column left or right";
    /// The first row looks like data.
    NoHeader = "no_header", Header, Warning,
        "the header row is blank, or holds numbers (not years) in most numeric columns";
    /// A column with values but a blank header.
    BlankHeader = "blank_header", Header, Warning,
        "a column with values has a blank header label (the first column's stub head excepted)";
    /// Two columns with the same header label.
    DuplicateHeader = "duplicate_header", Header, Warning,
        "two columns share a header label";
    /// A header naming a quantity over text values.
    HeaderValueMismatch = "header_value_mismatch", Header, Warning,
        "the header names a quantity (qty, amount, price, total, value, %…) but the column holds text";
    /// A title above the header.
    TitleRow = "title_row", Header, Warning,
        "a first row with one label in the first column, or one label repeated across every column";
    /// A unit row.
    UnitRow = "unit_row", Header, Info,
        "a row next to the header that only gives units or scale (`in € millions`, `$000`, `%`)";
    /// More than one header row.
    MultiRowHeader = "multi_row_header", Header, Info,
        "the header spans 2+ rows (HTML `<th>`/`<thead>` rows, or label rows over numeric columns)";
    /// Text cells in a numeric column.
    TextInNumericColumn = "text_in_numeric_column", Values, Warning,
        "text cells in a column whose body is otherwise numbers (≥ `numeric_share`, 75%)";
    /// Two numbers in one cell.
    TwoNumbersInCell = "two_numbers_in_cell", Values, Warning,
        "a body cell made of 2+ numbers separated by spaces (merged columns)";
    /// A column mixing number formats.
    MixedNumberFormats = "mixed_number_formats", Values, Info,
        "a numeric column mixes percent and plain, `(12)` and `-12`, grouped and ungrouped thousands, or currencies";
    /// Markup left in cell text.
    MarkupResidue = "markup_residue", Values, Warning,
        "cell text with HTML tags other than `<br>`, HTML entities, markdown emphasis or backslash escapes (`<sup>`, `&amp;`, `**bold**`, `\\_`)";
    /// `<br>` tags in cell text.
    LineBreakTags = "line_break_tags", Values, Info,
        "cell text with `<br>` line-break tags";
    /// Representations of different shapes.
    ShapeDisagreement = "shape_disagreement", Agreement, Warning,
        "`html`, `csv` or `md` has another number of rows or columns than `rows`, or a row of another length (a multi-row HTML header flattened in `rows` is accepted; rows that differ only by trailing empty cells are left to `ragged_rows`, so one padding difference costs once)";
    /// `rows` hold less than another representation, which the writers use instead.
    RowsIncomplete = "rows_incomplete", Agreement, Warning,
        "`html` or `md` holds rows, columns or words that `rows` lack; markdown, text, chunks and CSVs use it (`--table-source best`)";
    /// Markdown after (or before) the table inside the table item's `md`.
    TextInTableMd = "text_in_table_md", Agreement, Info,
        "the table item's `md` holds paragraphs, headings or list items outside its table; markdown writes them after it";
    /// Representations with different cells.
    CellDisagreement = "cell_disagreement", Agreement, Warning,
        "same shape, but a cell differs (whitespace and tags ignored); the first difference is located";
    /// Numbers in one representation missing from another.
    NumberDisagreement = "number_disagreement", Agreement, Warning,
        "a number in one representation is missing from another (compared in canonical form: `1,234.50` = `1234.5`)";
    /// A total that does not add up.
    TotalMismatch = "total_mismatch", Arithmetic, Error,
        "a Total/Subtotal/Sum row or column does not equal the sum within rounding; says which row leaving out or sign-flipping fixes it";
    /// A table split across pages that the server did not merge.
    LikelySplitTable = "likely_split_table", Pages, Warning,
        "a table ends its page and one with the same columns starts the next, not merged by the server";
    /// The header repeated inside the body.
    RepeatedHeaderRows = "repeated_header_rows", Pages, Warning,
        "a body row repeats the header (a page break inside a merged table)";
    /// No usable box.
    MissingBox = "missing_box", Boxes, Warning,
        "no box, or none with all four coordinates and a non-zero size";
    /// A full-page fallback box.
    FullPageBox = "full_page_box", Boxes, Warning,
        "a box covering 90% of the page or more (a layout fallback, not a location)";
    /// A box outside the page.
    BoxOutsidePage = "box_outside_page", Boxes, Warning,
        "a box with negative coordinates or reaching beyond the page by more than 1 pt";
    /// The layout model saw something else.
    LayoutNotTable = "layout_not_table", Boxes, Warning,
        "the table's boxes are labelled, and none as `table` (e.g. `chart`, `text`); info only for a `form`/`checkbox` with a sound grid (no ragged rows, no shape disagreement, no empty columns, no shifted rows)";
    /// A table transcribed from a chart.
    ChartTranscription = "chart_transcription", Boxes, Warning,
        "the table looks transcribed from a chart: it shares a box with another table on its page (strong), or two of: a server `layout_lvm_disagreement` concern, a `Figure N`/`Fig. N` caption within two items, a `chart`/`figure`/`image` box label; the finding names the signals";
}

impl Check {
    /// The check with this id.
    pub fn from_id(id: &str) -> Option<Check> {
        Check::ALL.iter().copied().find(|c| c.id() == id)
    }
}

impl std::fmt::Display for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

impl Serialize for Check {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id())
    }
}

/// Where a table's checks put their findings.
#[derive(Debug, Default)]
pub(crate) struct Findings {
    pub list: Vec<Finding>,
}

impl Findings {
    /// Adds a finding and returns it for locating.
    pub fn add(&mut self, check: Check, message: impl Into<String>) -> &mut Finding {
        self.list.push(Finding {
            check,
            severity: check.severity(),
            row: None,
            column: None,
            source: None,
            message: message.into(),
            cells: Vec::new(),
        });
        self.list.last_mut().expect("just pushed")
    }

    /// Whether a check has fired.
    pub fn has(&self, check: Check) -> bool {
        self.list.iter().any(|f| f.check == check)
    }
}

/// `n` with its noun (and verb) in the right number: `1 cell holds`, `2 cells hold`.
pub(super) fn counted(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_snake_case_and_round_trip() {
        let mut seen = std::collections::BTreeSet::new();
        for &c in Check::ALL {
            assert!(seen.insert(c.id()), "duplicate {}", c.id());
            assert!(
                c.id().bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{}",
                c.id()
            );
            assert_eq!(Check::from_id(c.id()), Some(c));
        }
        assert_eq!(Check::from_id("nope"), None);
        // Report order is family order.
        assert!(
            Check::ALL
                .windows(2)
                .all(|w| w[0].family() <= w[1].family())
        );
    }
}
