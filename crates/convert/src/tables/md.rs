//! A tolerant reader for GFM pipe tables (the `md` of a table item): leading and trailing
//! pipes optional, escaped pipes `\|`, the alignment row, ragged rows kept as written, cell
//! markdown rendered to plain text. v1 responses sometimes put an HTML table in `md`; that is
//! read with the HTML reader.

use pulldown_cmark::{Event, Parser};

use super::grid::{Grid, Source};
use super::html::grid_from_html;

/// Reads the tables in a markdown string into one grid: every pipe table, rows in order (an
/// item's `md` sometimes holds two tables where its `rows` hold both, one after the other).
///
/// A pipe table is a header row, an alignment row (`|-|:-:|--:|`) and the rows after it up to
/// a blank line or a line that starts another block (`>`, `#` heading, code fence). Unlike a
/// strict GFM renderer, which pads or cuts rows to the header's width and refuses a table whose
/// alignment row has another width, this reader keeps every row exactly as wide as it was
/// written, so ragged tables can be compared with `rows`. `\|` is a pipe inside a cell. Cell
/// text is the cell's markdown rendered as plain text: escapes removed (`\*` → `*`), emphasis
/// markers dropped, entities decoded, `<br>` → newline, other inline HTML tags dropped, code
/// spans kept without their backticks. Text around the tables is ignored.
///
/// When there is no pipe table but the string holds an HTML `<table>`, that is read with
/// [`grid_from_html`](super::grid_from_html). The grid's source is [`Source::Md`] either way;
/// it is empty when there is no table.
///
/// ```
/// let g = pagetree_convert::tables::grid_from_md(
///     "Intro line\n| Region | Note |\n|:--|--:|\n| North | Retail \\| wholesale<br/>60/40 |\n|South|\\*not emphasis\\*| extra |\n\nAfter",
/// );
/// assert_eq!(g.cells, [
///     vec!["Region", "Note"],
///     vec!["North", "Retail | wholesale\n60/40"],
///     vec!["South", "*not emphasis*", "extra"],
/// ]);
/// ```
pub fn grid_from_md(md: &str) -> Grid {
    let scan = scan(md);
    if scan.rows.is_empty() {
        if md.to_ascii_lowercase().contains("<table") {
            let mut g = grid_from_html(md);
            g.source = Some(Source::Md);
            return g;
        }
        return Grid {
            source: Some(Source::Md),
            ..Grid::default()
        };
    }
    let cells = scan
        .rows
        .into_iter()
        .map(|row| row.iter().map(|c| render_inline(c)).collect())
        .collect();
    Grid::new(cells, Some(Source::Md))
}

/// A table item's `md` split into its tables and the markdown around them.
#[derive(Debug, Default)]
pub(crate) struct MdTable {
    /// Cells as written (inline markdown, `\|` already a pipe), every pipe table's rows in
    /// order; for an HTML table written into `md`, its cells as inline markdown.
    pub rows: Vec<Vec<String>>,
    /// Markdown before the first table (a heading or caption the server put there).
    pub before: String,
    /// Markdown after the first table and between tables (notes, paragraphs, list items).
    pub after: String,
    /// Whether the table is an HTML table written into `md`.
    pub html: bool,
}

/// Splits a table item's `md` into table cells (as markdown) and the text outside the tables.
pub(crate) fn md_table(md: &str) -> MdTable {
    let s = scan(md);
    if !s.rows.is_empty() || !md.to_ascii_lowercase().contains("<table") {
        return s;
    }
    // An HTML table in `md`: the text around `<table>...</table>` is outside it.
    let lower = md.to_ascii_lowercase();
    let start = lower.find("<table").unwrap_or(0);
    let end = lower
        .rfind("</table>")
        .map_or(md.len(), |e| e + "</table>".len());
    let grid = super::html::grid_from_html_markdown(&md[start..end.max(start)]);
    MdTable {
        rows: grid.cells,
        before: md[..start].trim().to_owned(),
        after: md[end.max(start)..].trim().to_owned(),
        html: true,
    }
}

fn scan(md: &str) -> MdTable {
    let lines: Vec<&str> = md
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    let mut out = MdTable::default();
    let mut outside: Vec<&str> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if i + 1 >= lines.len() || lines[i].trim().is_empty() || !is_alignment_row(lines[i + 1]) {
            outside.push(lines[i]);
            i += 1;
            continue;
        }
        if out.rows.is_empty() {
            out.before = outside.join("\n").trim().to_owned();
            outside.clear();
        } else {
            outside.push("");
        }
        out.rows.push(split_row(lines[i]));
        i += 2;
        while i < lines.len() && !lines[i].trim().is_empty() && !starts_block(lines[i]) {
            out.rows.push(split_row(lines[i]));
            i += 1;
        }
    }
    let rest = outside.join("\n").trim().to_owned();
    if out.rows.is_empty() {
        out.before = rest;
    } else {
        out.after = rest;
    }
    out
}

/// Whether a line starts a block that ends a table: a block quote, an ATX heading or a code
/// fence.
pub(super) fn starts_block(line: &str) -> bool {
    let t = line.trim_start();
    if line.len() - t.len() >= 4 {
        return false;
    }
    let hashes = t.bytes().take_while(|b| *b == b'#').count();
    t.starts_with('>')
        || t.starts_with("```")
        || t.starts_with("~~~")
        || ((1..=6).contains(&hashes)
            && t[hashes..]
                .chars()
                .next()
                .is_none_or(|c| c == ' ' || c == '\t'))
}

/// Whether a line is a GFM alignment row: pipe-separated cells of `-` with optional `:` at
/// either end, with at least one pipe.
fn is_alignment_row(line: &str) -> bool {
    // A `\|` left in a raw cell is not a dash either: raw cells answer as unescaped ones do.
    line.contains('|')
        && raw_cells(line).all(|c| {
            let c = c.strip_prefix(':').unwrap_or(c);
            let c = c.strip_suffix(':').unwrap_or(c);
            !c.is_empty() && c.bytes().all(|b| b == b'-')
        })
}

/// Splits a table row on unescaped pipes, without the optional leading and trailing pipe.
/// `\|` becomes `|`; other backslash escapes are left for the inline renderer.
fn split_row(line: &str) -> Vec<String> {
    raw_cells(line).map(unescape_pipes).collect()
}

/// The cells of a table row as written, trimmed, escapes kept (`\|` stays two characters):
/// split on unescaped pipes, without the optional leading pipe, and a trailing pipe closes
/// the last cell rather than opening an empty one. A row always has at least one cell.
fn raw_cells(line: &str) -> impl Iterator<Item = &str> {
    let line = line.trim();
    let mut rest = Some(line.strip_prefix('|').unwrap_or(line));
    std::iter::from_fn(move || {
        let s = rest?;
        let b = s.as_bytes();
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                // The escaped character is part of the cell, whatever it is (a following
                // UTF-8 continuation byte is never `|` or `\`).
                b'\\' => i += 2,
                b'|' => {
                    let after = &s[i + 1..];
                    rest = (!after.is_empty()).then_some(after);
                    return Some(s[..i].trim());
                }
                _ => i += 1,
            }
        }
        rest = None;
        Some(s.trim())
    })
}

/// A raw cell with `\|` read as a pipe; other escapes stay for the inline renderer.
fn unescape_pipes(cell: &str) -> String {
    let mut out = String::with_capacity(cell.len());
    let mut chars = cell.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('|') => out.push('|'),
                Some(next) => {
                    out.push('\\');
                    out.push(next);
                }
                None => out.push('\\'),
            },
            c => out.push(c),
        }
    }
    out
}

/// The cells of `md` as written (escapes kept, as [`raw_cells`] gives them), row by row, to
/// `cell`, when `md` is one pipe table and nothing else but blank lines: what [`md_table`]
/// would read as `rows` with `before` and `after` empty. The number of rows then, `None`
/// when `md` is anything else or `cell` returns `false`. Allocates nothing: the table-source
/// choice asks this of every table.
pub(super) fn plain_table_cells(md: &str, mut cell: impl FnMut(&str) -> bool) -> Option<usize> {
    let mut lines = md.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let header = lines.by_ref().find(|l| !l.trim().is_empty())?;
    if !is_alignment_row(lines.next()?) {
        return None;
    }
    let mut rows = 1;
    if !raw_cells(header).all(&mut cell) {
        return None;
    }
    let mut ended = false;
    for line in lines {
        if line.trim().is_empty() {
            ended = true;
            continue;
        }
        // After the table's end, a line is text outside it or another table.
        if ended || starts_block(line) {
            return None;
        }
        rows += 1;
        if !raw_cells(line).all(&mut cell) {
            return None;
        }
    }
    Some(rows)
}

/// Renders one line of inline markdown (a cell) as plain text.
pub(super) fn render_inline(cell: &str) -> String {
    render_inline_opt(cell).unwrap_or_else(|| cell.to_owned())
}

/// [`render_inline`], `None` when the cell has nothing to render (plain text).
pub(super) fn render_inline_opt(cell: &str) -> Option<String> {
    if !cell.contains(['\\', '*', '_', '`', '<', '&', '[', '!', '\n']) {
        return None;
    }
    // A cell is inline content, but the parser only reads whole documents: a leading word
    // stops `-`, `+`, `1.`, `#`, `>` or `---` from being read as a list, heading, quote or
    // rule (a cell holding just "-" must stay "-").
    const GUARD: &str = "a ";
    let source = format!("{GUARD}{cell}");
    let mut out = String::with_capacity(cell.len());
    for event in Parser::new(&source) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::InlineHtml(h) | Event::Html(h) if is_br(&h) => out.push('\n'),
            Event::SoftBreak | Event::HardBreak => out.push('\n'),
            _ => {}
        }
    }
    let out = out.strip_prefix(GUARD).unwrap_or(&out);
    Some(out.trim().to_owned())
}

fn is_br(tag: &str) -> bool {
    let t = tag.trim().to_ascii_lowercase();
    let t = t.trim_start_matches('<').trim_end_matches('>');
    let t = t.trim_end_matches('/').trim();
    t == "br"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(md: &str) -> Vec<Vec<String>> {
        grid_from_md(md).cells
    }

    #[test]
    fn escaped_pipes_and_optional_outer_pipes() {
        assert_eq!(
            cells("a | b\n--|--\nx \\| y | z"),
            [["a", "b"], ["x | y", "z"]]
        );
        assert_eq!(cells("|a|b|\n|-|-|\n|x\\|y||"), [["a", "b"], ["x|y", ""]]);
        // An escaped backslash before a pipe: the pipe separates.
        assert_eq!(cells("|a|b|\n|-|-|\n|x\\\\|y|"), [["a", "b"], ["x\\", "y"]]);
    }

    /// The row splitter as first written, a char at a time into new strings: the plain way.
    fn split_row_plain(line: &str) -> Vec<String> {
        let line = line.trim();
        let line = line.strip_prefix('|').unwrap_or(line);
        let mut cells = Vec::new();
        let mut cell = String::new();
        let mut chars = line.chars();
        let mut ended_with_pipe = false;
        while let Some(c) = chars.next() {
            ended_with_pipe = false;
            match c {
                '\\' => match chars.next() {
                    Some('|') => cell.push('|'),
                    Some(next) => {
                        cell.push('\\');
                        cell.push(next);
                    }
                    None => cell.push('\\'),
                },
                '|' => {
                    cells.push(std::mem::take(&mut cell));
                    ended_with_pipe = true;
                }
                c => cell.push(c),
            }
        }
        if !ended_with_pipe || cells.is_empty() {
            cells.push(cell);
        }
        cells.into_iter().map(|c| c.trim().to_owned()).collect()
    }

    #[test]
    fn rows_split_as_the_plain_way() {
        let lines = [
            "",
            "|",
            "||",
            "|||",
            "a",
            "a|",
            "|a",
            "| a | b |",
            "a \\| b | c",
            "a \\\\| b",
            "a \\\\\\| b |",
            "x\\",
            "| x \\ | y \\",
            "| é \\é | ü\u{3000}|\u{3000}",
            "  | a |   b   |  ",
            "|:-|:-:|--:|",
            "| -- \\| | - |",
        ];
        for line in lines {
            assert_eq!(split_row(line), split_row_plain(line), "{line:?}");
            let plain_alignment = line.contains('|')
                && split_row_plain(line).iter().all(|c| {
                    let c = c.trim();
                    let c = c.strip_prefix(':').unwrap_or(c);
                    let c = c.strip_suffix(':').unwrap_or(c);
                    !c.is_empty() && c.bytes().all(|b| b == b'-')
                });
            assert_eq!(is_alignment_row(line), plain_alignment, "{line:?}");
        }
    }

    #[test]
    fn alignment_rows() {
        assert!(is_alignment_row("|:-|:-:|--:|"));
        assert!(is_alignment_row("| --- | --- |"));
        assert!(is_alignment_row("--|--"));
        assert!(!is_alignment_row("---"));
        assert!(!is_alignment_row("|a|-|"));
        assert!(!is_alignment_row("|::|-|"));
    }

    #[test]
    fn ragged_rows_and_mismatched_alignment_row_are_kept() {
        // From v2_messy.json: the alignment row has 6 cells, one row 4, one 6.
        assert_eq!(
            cells("|Farm|Litres|Grade|\n|-|-|-|-|\n|Oakfield|160,900|\n|Tarn End|98000|B|late|"),
            [
                vec!["Farm", "Litres", "Grade"],
                vec!["Oakfield", "160,900"],
                vec!["Tarn End", "98000", "B", "late"]
            ]
        );
    }

    #[test]
    fn cell_markdown_becomes_plain_text() {
        assert_eq!(
            cells(
                "|a|b|c|d|e|f|\n|-|-|-|-|-|-|\n|\\*\\*A\\*\\*|*I/I*max|`x|y`|-|&amp; <sup>b</sup>|one<br>two|"
            )[1],
            ["**A**", "I/Imax", "`x", "y`", "-", "& b", "one\ntwo"]
        );
        assert_eq!(
            cells("|h|\n|-|\n|+|\n|1.|\n|# x|\n|---|")[1..],
            [["+"], ["1."], ["# x"], ["---"]]
        );
    }

    #[test]
    fn lines_after_the_table_until_a_blank_line_are_rows() {
        // GFM keeps a pipe-less line right after a table as a one-cell row; the server's
        // `rows` do the same for a table note.
        assert_eq!(
            cells("|a|b|\n|-|-|\n|1|2|\nNote. x\n\nprose | not a table\n"),
            [vec!["a", "b"], vec!["1", "2"], vec!["Note. x"]]
        );
        // A quote, heading or fence ends the table.
        for end in ["> quoted", "## B", "```", "~~~"] {
            assert_eq!(
                cells(&format!("|a|\n|-|\n|1|\n{end}\n")),
                [["a"], ["1"]],
                "{end}"
            );
        }
        assert_eq!(
            cells("|a|\n|-|\n|1|\n#hashtag"),
            [["a"], ["1"], ["#hashtag"]]
        );
    }

    #[test]
    fn several_tables_are_read_in_order() {
        // From a real response: two tables in one item's md, which `rows` concatenates.
        assert_eq!(
            cells("|x|y|\n|-|-|\n|1|2|\n\n|retinal|-|+|\n|-|-|-|\n|DD|+|+|\n## B"),
            [
                vec!["x", "y"],
                vec!["1", "2"],
                vec!["retinal", "-", "+"],
                vec!["DD", "+", "+"]
            ]
        );
    }

    #[test]
    fn html_in_md_and_no_table() {
        let g = grid_from_md(
            "<table><tr><th colspan=2>h</th></tr><tr><td>1</td><td>2</td></tr></table>",
        );
        assert_eq!(g.cells, [["h", ""], ["1", "2"]]);
        assert_eq!(g.source, Some(Source::Md));
        assert!(grid_from_md("\\| Herm | Male |<br>\n\\|------|------|<br>").is_empty());
        assert!(grid_from_md("").is_empty());
    }
}
