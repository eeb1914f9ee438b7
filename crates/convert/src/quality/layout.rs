//! One table read for checking: every cell classified, where the title, unit, header and body
//! rows are, and what type each column holds. Every per-table check reads this.

use std::ops::Range;

use crate::tables::Grid;

use super::QualityOptions;
use super::values::{Value, classify, clean, is_year, words};

/// What a column's body holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ColumnKind {
    /// No values.
    Empty,
    /// Mostly numbers (at least `numeric_share` of the filled cells, and 2+ numbers).
    Numeric,
    /// Mostly text (at least `numeric_share` of the filled cells).
    Text,
    /// Neither.
    Mixed,
}

impl ColumnKind {
    pub const ALL: [ColumnKind; 4] = [
        ColumnKind::Empty,
        ColumnKind::Numeric,
        ColumnKind::Text,
        ColumnKind::Mixed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ColumnKind::Empty => "empty",
            ColumnKind::Numeric => "numeric",
            ColumnKind::Text => "text",
            ColumnKind::Mixed => "mixed",
        }
    }
}

/// Counts over one column's body cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Column {
    pub numbers: usize,
    pub texts: usize,
    /// Numbers that are years (a `Year` column is not summed).
    pub years: usize,
    pub percents: usize,
    pub kind: ColumnKind,
}

/// A table's grid with everything the checks need to know about it.
pub(crate) struct Layout<'g> {
    pub grid: &'g Grid,
    /// `values[r][c]`, same shape as the grid (ragged rows stay ragged).
    pub values: Vec<Vec<Value>>,
    /// Width: the longest row.
    pub width: usize,
    /// Rows above the header holding a title.
    pub title_rows: Vec<usize>,
    /// Rows next to the header holding only units or scale.
    pub unit_rows: Vec<usize>,
    /// The header rows (empty when the table has one row or fewer).
    pub header: Range<usize>,
    /// The body rows.
    pub body: Range<usize>,
    pub columns: Vec<Column>,
}

impl<'g> Layout<'g> {
    /// Reads a grid.
    pub fn of(grid: &'g Grid, opts: &QualityOptions) -> Self {
        let values: Vec<Vec<Value>> = grid
            .cells
            .iter()
            .map(|r| r.iter().map(|c| classify(c)).collect())
            .collect();
        let rows = grid.rows();
        let width = grid.columns();
        let mut layout = Layout {
            grid,
            values,
            width,
            title_rows: Vec::new(),
            unit_rows: Vec::new(),
            header: 0..0,
            body: 0..rows,
            columns: Vec::new(),
        };
        if rows < 2 {
            // One row: call it a header when it has no numbers, else a body.
            let numbers = layout
                .values
                .first()
                .is_some_and(|r| r.iter().any(|v| v.number().is_some_and(|n| !is_year(n))));
            if rows == 1 && !numbers {
                layout.header = 0..1;
                layout.body = 1..1;
            }
            layout.columns = layout.profile(layout.body.clone(), opts);
            return layout;
        }
        let mut i = 0;
        while i + 1 < rows && layout.title_rows.len() < 2 && layout.is_title(i) {
            layout.title_rows.push(i);
            i += 1;
        }
        if i + 1 < rows && is_unit_row(&grid.cells[i]) {
            layout.unit_rows.push(i);
            i += 1;
        }
        let start = i;
        let mut end = (start + 1).max(grid.header_rows).min(rows);
        let tentative = layout.profile(end..rows, opts);
        // Label rows over numeric columns continue the header (`Revenue` over `2023 2024`).
        while end + 1 < rows && end - start < 3 && layout.is_header_like(end, &tentative) {
            end += 1;
        }
        layout.header = start..end;
        if end + 1 < rows && is_unit_row(&grid.cells[end]) {
            layout.unit_rows.push(end);
            end += 1;
        }
        layout.body = end..rows;
        layout.columns = layout.profile(layout.body.clone(), opts);
        layout
    }

    /// The value at a slot (`Empty` outside a ragged row).
    pub fn value(&self, r: usize, c: usize) -> &Value {
        static EMPTY: Value = Value::Empty;
        self.values
            .get(r)
            .and_then(|row| row.get(c))
            .unwrap_or(&EMPTY)
    }

    /// The text at a slot (`""` outside a ragged row).
    pub fn text(&self, r: usize, c: usize) -> &str {
        self.grid
            .cells
            .get(r)
            .and_then(|row| row.get(c))
            .map_or("", String::as_str)
    }

    /// The header label of a column: its header rows' texts (spans repeated), cleaned, blanks
    /// and repeats dropped, joined with ` / `.
    pub fn header_label(&self, c: usize) -> String {
        let mut parts: Vec<String> = Vec::new();
        for r in self.header.clone() {
            let t = clean(self.grid.spread_text(r, c)).trim().to_owned();
            if !t.is_empty() && parts.last() != Some(&t) {
                parts.push(t);
            }
        }
        parts.join(" / ")
    }

    /// Whether the table has body rows and numeric columns.
    pub fn numeric_columns(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.width).filter(|&c| self.columns[c].kind == ColumnKind::Numeric)
    }

    fn profile(&self, rows: Range<usize>, opts: &QualityOptions) -> Vec<Column> {
        (0..self.width)
            .map(|c| {
                let mut col = Column {
                    numbers: 0,
                    texts: 0,
                    years: 0,
                    percents: 0,
                    kind: ColumnKind::Empty,
                };
                for r in rows.clone() {
                    match self.value(r, c) {
                        Value::Number(n) => {
                            col.numbers += 1;
                            col.years += usize::from(is_year(n));
                            col.percents += usize::from(n.percent);
                        }
                        Value::Text => col.texts += 1,
                        Value::Empty | Value::Placeholder => {}
                    }
                }
                let filled = col.numbers + col.texts;
                col.kind = if filled == 0 {
                    ColumnKind::Empty
                } else if col.numbers >= 2
                    && col.numbers as f64 >= opts.numeric_share * filled as f64
                {
                    ColumnKind::Numeric
                } else if col.texts as f64 >= opts.numeric_share * filled as f64 {
                    ColumnKind::Text
                } else {
                    ColumnKind::Mixed
                };
                col
            })
            .collect()
    }

    /// A title: one label repeated across every column (a spanning title as `rows` writes
    /// it), or one label in the first column of a 3+ column table above a row with something
    /// beyond the first column.
    fn is_title(&self, r: usize) -> bool {
        if self.width < 2 {
            return false;
        }
        let filled: Vec<(usize, String)> = (0..self.width)
            .filter(|&c| !self.value(r, c).is_blank())
            .map(|c| (c, clean(self.text(r, c)).trim().to_owned()))
            .collect();
        let next_beyond_first = (1..self.width).any(|c| !self.value(r + 1, c).is_blank());
        let is_text = filled
            .first()
            .is_some_and(|&(c, _)| *self.value(r, c) == Value::Text);
        let single = filled.len() == 1 && filled[0].0 == 0 && self.width >= 3;
        let repeated = filled.len() == self.width && filled.iter().all(|(_, t)| *t == filled[0].1);
        // A label repeated across every column is a spanning title whatever follows it.
        is_text && (repeated || (single && next_beyond_first))
    }

    /// A row continuing the header: something in a numeric column, and every filled cell a
    /// label (text, or a year outside a column of years, where a year is data).
    fn is_header_like(&self, r: usize, columns: &[Column]) -> bool {
        let mut in_numeric = false;
        for (c, col) in columns.iter().enumerate() {
            match self.value(r, c) {
                Value::Empty | Value::Placeholder => continue,
                Value::Number(n) if !is_year(n) || col.years * 2 > col.numbers => return false,
                _ => {}
            }
            in_numeric |= col.kind == ColumnKind::Numeric;
        }
        in_numeric
    }
}

/// A row giving only units or scale: every filled cell is like `in € millions`, `$000`,
/// `(in thousands)`, `%`, `USD`.
pub(crate) fn is_unit_row(cells: &[String]) -> bool {
    let filled: Vec<&String> = cells
        .iter()
        .filter(|c| !clean(c).trim().is_empty())
        .collect();
    !filled.is_empty() && filled.iter().all(|c| is_unit_text(c))
}

/// Whether a cell only states a unit or scale.
pub(crate) fn is_unit_text(cell: &str) -> bool {
    const SCALE: &[&str] = &[
        "thousand",
        "thousands",
        "million",
        "millions",
        "billion",
        "billions",
        "mn",
        "mio",
        "bn",
        "k",
        "m",
        "'000",
        "000",
        "tsd",
        "mrd",
        "%",
        "percent",
        "percentage",
        "pct",
    ];
    const CURRENCY: &[&str] = &[
        "$", "€", "£", "¥", "₹", "usd", "eur", "gbp", "jpy", "chf", "cad", "aud", "inr", "sek",
        "nok", "dkk", "dollars", "dollar", "euros", "euro", "pounds", "yen", "francs",
    ];
    const FILLER: &[&str] = &[
        "in",
        "of",
        "the",
        "amounts",
        "amount",
        "figures",
        "all",
        "expressed",
        "values",
        "per",
        "data",
        "unless",
        "otherwise",
        "stated",
        "noted",
        "indicated",
        "except",
        "share",
    ];
    let tokens = words(cell);
    let known = |t: &str| SCALE.contains(&t) || CURRENCY.contains(&t);
    tokens.iter().any(|t| known(t))
        && tokens
            .iter()
            .all(|t| known(t) || FILLER.contains(&t.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::Grid;

    fn grid(rows: &[&[&str]]) -> Grid {
        crate::tables::grid_of(rows, None)
    }

    #[test]
    fn units() {
        for u in [
            "in € millions",
            "(in thousands)",
            "$000",
            "$'000",
            "%",
            "USD",
            "€m",
            "Amounts in millions of euros",
        ] {
            assert!(is_unit_text(u), "{u}");
        }
        for u in ["in vivo", "Revenue", "12", "Total", "mm/s"] {
            assert!(!is_unit_text(u), "{u}");
        }
    }

    #[test]
    fn title_unit_header_body() {
        let g = grid(&[
            &["Income statement", "", ""],
            &["", "Revenue", ""],
            &["", "2023", "2024"],
            &["in € millions", "", ""],
            &["North", "1,200", "1,300"],
            &["South", "900", "950"],
        ]);
        let l = Layout::of(&g, &QualityOptions::default());
        assert_eq!(l.title_rows, [0]);
        assert_eq!(l.unit_rows, [3]);
        assert_eq!((l.header.clone(), l.body.clone()), (1..3, 4..6));
        assert_eq!(l.header_label(1), "Revenue / 2023");
        let kinds: Vec<ColumnKind> = l.columns.iter().map(|c| c.kind).collect();
        assert_eq!(
            kinds,
            [ColumnKind::Text, ColumnKind::Numeric, ColumnKind::Numeric]
        );
    }

    #[test]
    fn a_plain_table_has_one_header_row() {
        let g = grid(&[&["Item", "Qty"], &["Tea", "2"], &["Milk", "3"]]);
        let l = Layout::of(&g, &QualityOptions::default());
        assert!(l.title_rows.is_empty() && l.unit_rows.is_empty());
        assert_eq!((l.header.clone(), l.body.clone()), (0..1, 1..3));
    }
}
