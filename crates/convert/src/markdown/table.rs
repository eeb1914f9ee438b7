//! Tables re-rendered from their `rows`: GFM pipe tables (padded, aligned or compact) and HTML.
//!
//! The first row is the header. Ragged tables are padded to the longest row, because a GFM
//! parser drops the cells of a row beyond the header's count (and the header must match the
//! delimiter row): every table written here parses back to `rows.len()` rows of
//! [`column_count`] cells.

use std::ops::Range;

use pagetree_model::Cell;

use super::MarkdownOptions;
use super::escape::escape_cell_into;
use crate::tables::escape_literal_asterisks;
use crate::writer::Out;

/// How a GFM table is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum TableStyle {
    /// `| a | b |` with `| --- | --- |`: the API's default (`compact_markdown_table: false`).
    #[default]
    Padded,
    /// Like padded, with every column padded to its widest cell (counted in characters).
    Aligned,
    /// `|a|b|` with `|-|-|` (`compact_markdown_table: true`).
    Compact,
}

/// The number of columns a table has: its longest row.
pub fn column_count<R: AsRef<[Cell]>>(rows: &[R]) -> usize {
    rows.iter().map(|r| r.as_ref().len()).max().unwrap_or(0)
}

/// Writes `rows` as a GFM pipe table in the options' style (nothing for a table without
/// cells). Line breaks in cells become [`MarkdownOptions::cell_line_break`]; asterisks that
/// cannot be emphasis (footnote markers such as `*VC4-5**`) are escaped.
pub fn render_table_markdown(rows: &[Vec<Cell>], opts: &MarkdownOptions, out: &mut String) {
    let rows: Vec<&[Cell]> = rows.iter().map(Vec::as_slice).collect();
    let mut o = Out::new(std::mem::take(out));
    gfm(&rows, opts.table_style, &opts.cell_line_break, &mut o);
    *out = o.buf;
}

/// Writes `rows` as an HTML table: the first row as `<th>` cells, text escaped, line breaks
/// as `<br/>`, one `<tr>` per line (nothing for a table without cells).
pub fn render_table_html(rows: &[Vec<Cell>], out: &mut String) {
    let rows: Vec<&[Cell]> = rows.iter().map(Vec::as_slice).collect();
    let mut o = Out::new(std::mem::take(out));
    html(&rows, &mut o);
    *out = o.buf;
}

/// Writes a GFM table and returns the byte range of each row's line (the delimiter line
/// belongs to no row).
pub(crate) fn gfm(
    rows: &[&[Cell]],
    style: TableStyle,
    line_break: &str,
    out: &mut Out,
) -> Vec<Range<usize>> {
    let cols = column_count(rows);
    if cols == 0 {
        return Vec::new();
    }
    let compact = style == TableStyle::Compact;
    // Only the aligned style needs every cell before the first line: its column widths.
    let widths: Vec<usize> = if style == TableStyle::Aligned {
        let mut cell = String::new();
        let mut widths = vec![3; cols];
        for r in rows {
            for (c, x) in r.iter().enumerate() {
                cell.clear();
                escape_cell_into(
                    &escape_literal_asterisks(&x.as_text()),
                    line_break,
                    &mut cell,
                );
                widths[c] = widths[c].max(cell.chars().count());
            }
        }
        widths
    } else {
        Vec::new()
    };
    let delimiter = match style {
        TableStyle::Compact => format!("|{}|", vec!["-"; cols].join("|")),
        TableStyle::Padded => format!("| {} |", vec!["---"; cols].join(" | ")),
        TableStyle::Aligned => {
            let dashes: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
            format!("| {} |", dashes.join(" | "))
        }
    };
    // One line buffer and one cell buffer for the whole table: tables are most of the
    // rendering work on table-heavy documents, and per-cell strings dominated it.
    let mut ranges = Vec::with_capacity(rows.len());
    let mut line = String::new();
    let mut cell = String::new();
    for (i, row) in rows.iter().enumerate() {
        if i > 0 {
            out.push("\n");
        }
        line.clear();
        line.push_str(if compact { "|" } else { "| " });
        for c in 0..cols {
            if c > 0 {
                line.push_str(if compact { "|" } else { " | " });
            }
            cell.clear();
            if let Some(x) = row.get(c) {
                escape_cell_into(
                    &escape_literal_asterisks(&x.as_text()),
                    line_break,
                    &mut cell,
                );
            }
            line.push_str(&cell);
            if let Some(w) = widths.get(c) {
                let pad = w.saturating_sub(cell.chars().count());
                line.extend(std::iter::repeat_n(' ', pad));
            }
        }
        line.push_str(if compact { "|" } else { " |" });
        let start = out.start();
        out.push(&line);
        ranges.push(start..out.len());
        if i == 0 {
            out.push("\n");
            out.push(&delimiter);
        }
    }
    ranges
}

/// Writes an HTML table and returns the byte range of each row's `<tr>` line.
pub(crate) fn html(rows: &[&[Cell]], out: &mut Out) -> Vec<Range<usize>> {
    let cols = column_count(rows);
    if cols == 0 {
        return Vec::new();
    }
    out.push("<table>");
    let mut ranges = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let tag = if i == 0 { "th" } else { "td" };
        let mut line = String::from("<tr>");
        for c in 0..cols {
            let text = row.get(c).map(|x| x.as_text()).unwrap_or_default();
            let text = html_escape::encode_text(text.trim())
                .replace("\r\n", "\n")
                .replace('\n', "<br/>");
            line.push_str(&format!("<{tag}>{text}</{tag}>"));
        }
        line.push_str("</tr>");
        out.push("\n");
        let start = out.start();
        out.push(&line);
        ranges.push(start..out.len());
    }
    out.push("\n</table>");
    ranges
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rows(v: serde_json::Value) -> Vec<Vec<Cell>> {
        serde_json::from_value(v).unwrap()
    }

    fn md(style: TableStyle, r: &[Vec<Cell>]) -> String {
        let opts = MarkdownOptions {
            table_style: style,
            ..MarkdownOptions::default()
        };
        let mut s = String::new();
        render_table_markdown(r, &opts, &mut s);
        s
    }

    #[test]
    fn styles() {
        let r = rows(json!([["Name", "Qty"], ["Widget", 2], ["a|b", null]]));
        assert_eq!(
            md(TableStyle::Padded, &r),
            "| Name | Qty |\n| --- | --- |\n| Widget | 2 |\n| a\\|b |  |"
        );
        assert_eq!(
            md(TableStyle::Compact, &r),
            "|Name|Qty|\n|-|-|\n|Widget|2|\n|a\\|b||"
        );
        assert_eq!(
            md(TableStyle::Aligned, &r),
            "| Name   | Qty |\n| ------ | --- |\n| Widget | 2   |\n| a\\|b   |     |"
        );
    }

    #[test]
    fn ragged_rows_are_padded_and_line_breaks_replaced() {
        let r = rows(json!([["A"], ["1", "2\nx", "3"]]));
        assert_eq!(
            md(TableStyle::Padded, &r),
            "| A |  |  |\n| --- | --- | --- |\n| 1 | 2<br/>x | 3 |"
        );
        assert_eq!(md(TableStyle::Padded, &rows(json!([[]]))), "");
        assert_eq!(md(TableStyle::Padded, &[]), "");
    }

    #[test]
    fn html_tables_escape_text() {
        let mut s = String::new();
        render_table_html(&rows(json!([["a<b", "c"], ["R&D\nx"]])), &mut s);
        assert_eq!(
            s,
            "<table>\n<tr><th>a&lt;b</th><th>c</th></tr>\n<tr><td>R&amp;D<br/>x</td><td></td></tr>\n</table>"
        );
    }
}
