//! The cell grid every table representation is read into: cells as strings, plus where they
//! came from (which representation, spanning cells, header rows, caption).

use pagetree_model::Cell;
use serde::Serialize;

/// Which representation of a table item a grid was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Source {
    /// The item's `rows` (cells exactly as written; numbers keep their JSON text).
    Rows,
    /// The item's `html` (spans expanded).
    Html,
    /// The item's `csv` text.
    Csv,
    /// The item's `md` (a GFM pipe table, or an HTML table written into `md`).
    Md,
}

impl Source {
    /// Every source, in the order the extractor prefers them.
    pub const ALL: [Source; 4] = [Source::Rows, Source::Html, Source::Csv, Source::Md];

    /// The stable lower-case name used in `tables.json` (`rows`, `html`, `csv`, `md`).
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Rows => "rows",
            Source::Html => "html",
            Source::Csv => "csv",
            Source::Md => "md",
        }
    }
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One cell that spans several grid slots (an HTML `rowspan`/`colspan`). Its text sits in the
/// top-left slot; the other slots it covers hold `""`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Span {
    /// Row of the top-left slot (0-based).
    pub row: usize,
    /// Column of the top-left slot (0-based).
    pub column: usize,
    /// Rows covered (at least 1; clipped at the end of the table).
    pub rows: usize,
    /// Columns covered (at least 1).
    pub columns: usize,
}

impl Span {
    /// Whether the slot `(row, column)` lies inside this span.
    pub fn covers(&self, row: usize, column: usize) -> bool {
        (self.row..self.row + self.rows).contains(&row)
            && (self.column..self.column + self.columns).contains(&column)
    }
}

/// A table as a grid of text cells. Rows may be ragged (of different lengths): the grid keeps
/// what the representation says and never pads, so a grid read from `rows` has exactly the
/// server's cells.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Grid {
    /// The cells, row by row.
    pub cells: Vec<Vec<String>>,
    /// Where the grid came from (`None` for grids built by hand).
    pub source: Option<Source>,
    /// How many leading rows are header rows: from `<thead>`/`<th>` markup for HTML, else 1
    /// (the first row of `rows`, `csv` and a pipe table is its header), 0 for an empty grid.
    pub header_rows: usize,
    /// Cells spanning more than one slot (HTML only), in document order.
    pub spans: Vec<Span>,
    /// An HTML `<caption>`, when the table has one.
    pub caption: Option<String>,
}

impl Grid {
    /// A grid of the given cells with the given provenance and one header row (none when
    /// there are no cells).
    pub fn new(cells: Vec<Vec<String>>, source: Option<Source>) -> Self {
        let header_rows = usize::from(!cells.is_empty());
        Grid {
            cells,
            source,
            header_rows,
            ..Grid::default()
        }
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.cells.len()
    }

    /// Number of columns: the length of the longest row.
    pub fn columns(&self) -> usize {
        self.cells.iter().map(Vec::len).max().unwrap_or(0)
    }

    /// Whether the grid has no cell at all.
    pub fn is_empty(&self) -> bool {
        self.cells.iter().all(Vec::is_empty)
    }

    /// Number of rows shorter or longer than [`Grid::columns`].
    pub fn ragged_rows(&self) -> usize {
        let c = self.columns();
        self.cells.iter().filter(|r| r.len() != c).count()
    }

    /// The span whose area includes `(row, column)` without starting there: the slot is a
    /// covered (empty) part of a spanning cell.
    pub fn covered_by(&self, row: usize, column: usize) -> Option<&Span> {
        self.spans
            .iter()
            .find(|s| s.covers(row, column) && (s.row, s.column) != (row, column))
    }

    /// The text a slot shows when spans are read as repeating their text: the spanning
    /// cell's text for a covered slot, else the slot's own text (`""` when absent).
    pub fn spread_text(&self, row: usize, column: usize) -> &str {
        let (r, c) = match self.covered_by(row, column) {
            Some(s) => (s.row, s.column),
            None => (row, column),
        };
        self.cells
            .get(r)
            .and_then(|cells| cells.get(c))
            .map_or("", String::as_str)
    }

    /// The header flattened into one name per column: the first `n` rows' texts (spans
    /// repeated across the slots they cover), blanks and repeats down a column dropped,
    /// joined with ` / ` (`Revenue / 2023`).
    pub fn flattened_header(&self, n: usize) -> Vec<String> {
        let n = n.min(self.rows());
        let width = self.cells[..n].iter().map(Vec::len).max().unwrap_or(0);
        (0..width)
            .map(|c| {
                let mut parts: Vec<&str> = Vec::new();
                for r in 0..n {
                    let t = self.spread_text(r, c).trim();
                    if !t.is_empty() && parts.last() != Some(&t) {
                        parts.push(t);
                    }
                }
                parts.join(" / ")
            })
            .collect()
    }

    /// Replaces the first `n` rows (n ≥ 2) by one flattened header row (see
    /// [`Grid::flattened_header`]); spans inside the header are dropped and the others moved up.
    /// Does nothing when `n < 2` or the grid has fewer than `n` rows.
    pub fn flatten_header(&mut self, n: usize) {
        if n < 2 || self.rows() < n {
            return;
        }
        let header = self.flattened_header(n);
        self.cells.splice(0..n, std::iter::once(header));
        let shift = n - 1;
        self.spans = std::mem::take(&mut self.spans)
            .into_iter()
            .filter(|s| s.row >= n)
            .map(|s| Span {
                row: s.row - shift,
                ..s
            })
            .collect();
        self.header_rows = 1;
    }
}

/// Reads a table's `rows` into a grid: every cell exactly as [`Cell::as_text`] gives it
/// (strings as written, numbers in their JSON text, `null` as `""`), ragged rows kept.
///
/// ```
/// use pagetree_model::Cell;
/// let rows = vec![
///     vec![Cell::Text("Farm".into()), Cell::Text("Litres".into())],
///     vec![Cell::Text("Hollins".into()), Cell::Number(182400.into()), Cell::Null],
/// ];
/// let g = pagetree_convert::tables::grid_from_rows(&rows);
/// assert_eq!(g.cells[1], ["Hollins", "182400", ""]);
/// assert_eq!((g.rows(), g.columns(), g.ragged_rows()), (2, 3, 1));
/// ```
pub fn grid_from_rows(rows: &[Vec<Cell>]) -> Grid {
    let cells = rows
        .iter()
        .map(|r| r.iter().map(|c| c.as_text().into_owned()).collect())
        .collect();
    Grid::new(cells, Some(Source::Rows))
}

/// A grid from string slices, for tests across the crate.
#[cfg(test)]
pub(crate) fn grid_of(rows: &[&[&str]], source: Option<Source>) -> Grid {
    Grid::new(
        rows.iter()
            .map(|r| r.iter().map(|s| s.to_string()).collect())
            .collect(),
        source,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(rows: &[&[&str]]) -> Grid {
        grid_of(rows, None)
    }

    #[test]
    fn flattening_repeats_spans_and_drops_blanks_and_repeats() {
        let mut g = grid(&[
            &["", "Revenue", "", "Staff"],
            &["Region", "2023", "2024", ""],
            &["North", "1", "2", "3"],
        ]);
        g.spans.push(Span {
            row: 0,
            column: 1,
            rows: 1,
            columns: 2,
        });
        g.spans.push(Span {
            row: 0,
            column: 3,
            rows: 2,
            columns: 1,
        });
        g.header_rows = 2;
        g.flatten_header(2);
        assert_eq!(
            g.cells,
            [
                vec!["Region", "Revenue / 2023", "Revenue / 2024", "Staff"],
                vec!["North", "1", "2", "3"],
            ]
        );
        assert!(g.spans.is_empty());
        assert_eq!(g.header_rows, 1);
    }

    #[test]
    fn server_repeated_header_text_is_not_doubled() {
        // The server writes colspan text into every covered cell; flattening must not
        // produce "A / A".
        let g = grid(&[&["A", "A", "B"], &["A", "x", "y"]]);
        assert_eq!(g.flattened_header(2), ["A", "A / x", "B / y"]);
    }

    #[test]
    fn shape() {
        let g = grid(&[&["a", "b"], &["c"], &[]]);
        assert_eq!((g.rows(), g.columns(), g.ragged_rows()), (3, 2, 2));
        assert!(!g.is_empty());
        assert!(grid(&[&[]]).is_empty());
    }
}
