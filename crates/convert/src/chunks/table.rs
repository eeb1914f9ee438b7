//! Table pieces: a table's rows (merged parts included, as the markdown renderer joined them),
//! where each row's line is in the document markdown, and a piece's text in the chunk's table
//! format with the header row repeated.

use std::ops::Range;

use pagetree_model::Cell;

use super::options::TableText;
use crate::markdown::{
    MarkdownOptions, TableFormat, column_count, gfm_rows, html_rows, render_table_html,
    render_table_markdown,
};
use crate::tables::{Table, TableOptions, grid_from_rows, render_table};
use crate::writer::Out;

/// One table block's rows, header first.
pub(crate) struct TableRows<'a> {
    /// The table's id (`p003-t01`).
    pub id: String,
    /// Every row, the header first, continuation rows appended as the renderer appended them.
    pub rows: Vec<&'a [Cell]>,
    /// The widest row's cell count, counted once: pieces are measured thousands of times on a
    /// long table, and counting at each was quadratic in its rows.
    columns: usize,
    /// Each row's line in the document markdown, when the document writes the table from
    /// these rows (GFM, or HTML generated from them); `None` when it writes the server's own
    /// HTML, where rows cannot be located.
    lines: Option<Vec<Range<usize>>>,
    /// The table's bytes in the document markdown.
    block: Range<usize>,
    /// Whether the document writes the table as GFM.
    gfm: bool,
    /// Markdown the table item's `md` holds before and after its table, which the document
    /// writes around it (see `tables::choose`): the first piece starts with the one, the last
    /// ends with the other.
    around: [String; 2],
}

impl<'a> TableRows<'a> {
    /// Locates `rows` in `md[block]` by rendering them with the renderer's own table writer.
    #[cfg(test)]
    pub fn new(
        id: String,
        rows: Vec<&'a [Cell]>,
        md: &str,
        block: Range<usize>,
        opts: &MarkdownOptions,
    ) -> Self {
        Self::around(id, rows, [String::new(), String::new()], md, block, opts)
    }

    /// [`TableRows::new`] for a table the document writes between two pieces of markdown
    /// (each followed or preceded by a blank line when not empty).
    pub fn around(
        id: String,
        rows: Vec<&'a [Cell]>,
        around: [String; 2],
        md: &str,
        block: Range<usize>,
        opts: &MarkdownOptions,
    ) -> Self {
        let mut out = Out::default();
        if !around[0].is_empty() {
            out.push(&around[0]);
            out.push("\n\n");
        }
        let ranges = match opts.tables {
            TableFormat::Markdown => {
                gfm_rows(&rows, opts.table_style, &opts.cell_line_break, &mut out)
            }
            TableFormat::Html => html_rows(&rows, &mut out),
        };
        if !around[1].is_empty() {
            out.push("\n\n");
            out.push(&around[1]);
        }
        let lines = (out.buf == md[block.clone()]).then(|| {
            ranges
                .into_iter()
                .map(|r| r.start + block.start..r.end + block.start)
                .collect()
        });
        TableRows {
            id,
            columns: column_count(&rows),
            rows,
            lines,
            block,
            gfm: opts.tables == TableFormat::Markdown,
            around,
        }
    }

    /// Number of rows, the header included.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// The text of the header row and rows `a..b` (1 ≤ a < b ≤ len, or the header alone for
    /// `1..1` on a header-only table) in `format`. Without `repeat`, a piece after the first
    /// gets an empty header row instead (none in CSV): for headers too large to repeat.
    pub fn text(
        &self,
        a: usize,
        b: usize,
        format: TableText,
        md: &str,
        opts: &MarkdownOptions,
        repeat: bool,
    ) -> String {
        let blank = a > 1 && !repeat;
        let columns = self.columns;
        if let (TableText::Markdown, true, Some(lines)) = (format, self.gfm, &self.lines) {
            // The document's own lines: the header and delimiter lines, then the rows.
            let part = &md[self.part(a, b)];
            if a <= 1 {
                return part.to_owned();
            }
            let mut s = if blank {
                let mut h = String::new();
                render_table_markdown(&[vec![Cell::Null; columns]], opts, &mut h);
                h + "\n"
            } else {
                md[lines[0].start..lines[1].start].to_owned()
            };
            s.push_str(part);
            return s;
        }
        let header = match (blank, format) {
            (false, _) => Some(self.rows[0].to_vec()),
            (true, TableText::Csv) => None,
            (true, _) => Some(vec![Cell::Null; columns]),
        };
        let rows: Vec<Vec<Cell>> = header
            .into_iter()
            .chain(self.rows[a.min(b)..b].iter().map(|r| r.to_vec()))
            .collect();
        let mut s = String::new();
        match format {
            TableText::Markdown => render_table_markdown(&rows, opts, &mut s),
            TableText::Html => render_table_html(&rows, &mut s),
            TableText::Csv => {
                let table = Table {
                    id: self.id.clone(),
                    file_name: String::new(),
                    grid: grid_from_rows(&rows),
                };
                s = String::from_utf8_lossy(&render_table(&table, &TableOptions::default()))
                    .trim_end_matches('\n')
                    .to_owned();
            }
        }
        if a <= 1 && !self.around[0].is_empty() {
            s = format!("{}\n\n{s}", self.around[0]);
        }
        if b >= self.rows.len() && !self.around[1].is_empty() {
            s.push_str("\n\n");
            s.push_str(&self.around[1]);
        }
        s
    }

    /// The bytes of the document markdown that rows `a..b` stand for: their lines (the first
    /// piece from the table's start, the last to its end), or the whole table when rows cannot
    /// be located.
    pub fn part(&self, a: usize, b: usize) -> Range<usize> {
        match &self.lines {
            // `1..1` is the header alone (the whole table when it has no other row).
            Some(lines) if a >= 1 && (b > a || a == 1) => {
                let start = if a == 1 {
                    self.block.start
                } else {
                    lines[a].start
                };
                let end = if b >= lines.len() {
                    self.block.end
                } else if b > a {
                    lines[b - 1].end
                } else {
                    lines[1].start - 1
                };
                start..end
            }
            _ => self.block.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rows() -> Vec<Vec<Cell>> {
        serde_json::from_value(json!([
            ["Item", "EUR"],
            ["Tea", 2.5],
            ["Milk, 1l", 1],
            ["Jam", 3]
        ]))
        .unwrap()
    }

    #[test]
    fn pieces_repeat_the_header_and_locate_their_rows() {
        let r = rows();
        let opts = MarkdownOptions::default();
        let mut md = String::from("# T\n\n");
        let start = md.len();
        render_table_markdown(&r, &opts, &mut md);
        let block = start..md.len();
        let t = TableRows::new(
            "p001-t01".into(),
            r.iter().map(Vec::as_slice).collect(),
            &md,
            block.clone(),
            &opts,
        );
        assert_eq!(t.len(), 4);
        let first = t.text(1, 3, TableText::Markdown, &md, &opts, true);
        assert_eq!(
            first,
            "| Item | EUR |\n| --- | --- |\n| Tea | 2.5 |\n| Milk, 1l | 1 |"
        );
        assert_eq!(&md[t.part(1, 3)], first);
        assert_eq!(
            t.text(3, 4, TableText::Markdown, &md, &opts, true),
            "| Item | EUR |\n| --- | --- |\n| Jam | 3 |"
        );
        assert_eq!(&md[t.part(3, 4)], "| Jam | 3 |");
        // A header too large to repeat is left empty (CSV: left out).
        assert_eq!(
            t.text(3, 4, TableText::Markdown, &md, &opts, false),
            "|  |  |\n| --- | --- |\n| Jam | 3 |"
        );
        assert_eq!(t.text(3, 4, TableText::Csv, &md, &opts, false), "Jam,3");
        assert_eq!(t.part(1, 4), block);
        assert_eq!(
            t.text(1, 1, TableText::Markdown, &md, &opts, true),
            "| Item | EUR |\n| --- | --- |"
        );
        assert_eq!(
            t.text(2, 3, TableText::Csv, &md, &opts, true),
            "Item,EUR\n\"Milk, 1l\",1"
        );
        assert_eq!(
            t.text(3, 4, TableText::Html, &md, &opts, true),
            "<table>\n<tr><th>Item</th><th>EUR</th></tr>\n<tr><td>Jam</td><td>3</td></tr>\n</table>"
        );
        // The server's own HTML cannot be located row by row.
        let html = "<table><tr><td>x</td></tr></table>";
        let t = TableRows::new(
            "id".into(),
            r.iter().map(Vec::as_slice).collect(),
            html,
            0..html.len(),
            &opts,
        );
        assert_eq!(t.part(2, 3), 0..html.len());
    }
}
