//! A small, tolerant reader for HTML tables (`<table>`, `<caption>`, `<thead>`, `<tr>`, `<td>`,
//! `<th>` with `rowspan`/`colspan`), enough for what the server writes into a table item's
//! `html` (and sometimes its `md`): no full HTML parser is needed for that, and a missing end
//! tag or a stray `<` must never lose the table.

use super::grid::{Grid, Source, Span};
use super::md::{render_inline, starts_block};

/// Most columns one span may cover (the HTML limit for `colspan`).
const MAX_COLSPAN: usize = 1000;
/// Most rows one span may cover (the HTML limit for `rowspan`).
const MAX_ROWSPAN: usize = 65534;
/// Slots a grid may hold before further spans are read as 1×1: a hostile `colspan` on every
/// cell must not turn a small input into gigabytes.
const MAX_SLOTS: usize = 4_000_000;

/// Reads the HTML tables in `html` into one grid: every top-level table, rows in order (an
/// item's `html` sometimes holds two tables where its `rows` hold both, one after the other).
///
/// - `rowspan`/`colspan` are expanded: the text sits in the top-left slot, the covered slots
///   hold `""`, and each spanning cell is listed in [`Grid::spans`]. Spans reaching past the
///   last row of their table are clipped there; `rowspan="0"` spans to the end of the table.
/// - Text is entity-decoded (`&amp;`, `&#x3C;`...) and whitespace collapsed as a browser does;
///   `<br>` becomes a newline; other inline tags (`<sup>`, `<i>`...) keep only their text;
///   block tags inside a cell (`<p>`, `<div>`, `<li>`) separate text with a space.
/// - Leading rows inside `<thead>` or made only of `<th>` cells are the header rows.
/// - `<caption>` goes to [`Grid::caption`] (the first one); nested tables are flattened into
///   their cell's text; text before the first table is ignored, and text after a table (a
///   note such as `Note. ABC, ...`, which the server writes in markdown) becomes one-cell rows,
///   one per source line up to a markdown heading, quote or fence, as the server's `rows` hold
///   it.
/// - Unclosed cells, rows and tables are closed at the end; rows without `<table>` are read too.
///
/// The result is empty (no rows) when there is no table.
///
/// ```
/// let g = pagetree_convert::tables::grid_from_html(
///     "<table><tr><th rowspan=2>Region</th><th colspan=2>Revenue</th></tr>\
///      <tr><th>2023</th><th>2024</th></tr><tr><td>North &amp; East</td><td>1</td><td>2</td></tr></table>",
/// );
/// assert_eq!(g.cells, [["Region", "Revenue", ""], ["", "2023", "2024"], ["North & East", "1", "2"]]);
/// assert_eq!((g.header_rows, g.spans.len()), (2, 2));
/// assert_eq!(g.flattened_header(2), ["Region", "Revenue / 2023", "Revenue / 2024"]);
/// ```
pub fn grid_from_html(html: &str) -> Grid {
    let mut p = Reader::default();
    p.run(html);
    p.finish()
}

/// [`grid_from_html`] with each cell's inline markup kept as inline markdown: `<b>`/`<strong>`
/// become `**`, `<i>`/`<em>` become `*`, `<sub>`/`<sup>` stay as those tags (markdown has no
/// other way to write them, and `G<sub>mem</sub>` read as `Gmem` is a different word), and
/// text that markdown would read as markup (`*`, `` ` ``, `<`, `[`, `\`) is escaped. Notes after
/// the table keep their markdown. Used where a table is rendered from its `html`.
pub(crate) fn grid_from_html_markdown(html: &str) -> Grid {
    let mut p = Reader {
        inline: true,
        ..Reader::default()
    };
    p.run(html);
    p.finish()
}

/// The text of `html`'s cells as [`grid_from_html_markdown`] reads it, piece by piece (the
/// entity-decoded text between two tags inside a cell, or a line of a note after a table),
/// in order, to `text`; and the number of rows the grid would have. Only for the easy case,
/// where the words of those pieces are exactly the words of the cells: `None` when `html`
/// holds anything else (or `text` returns `false`), so the caller reads the grid in full.
/// Allocates nothing but decoded entities and notes: the table-source choice asks this of
/// every table.
///
/// The easy case: tags of tables, rows, cells, `<br>`, block tags and the inline ones the
/// grid keeps as markup (`<b>`, `<strong>`, `<i>`, `<em>`, `<sub>`, `<sup>`), no table nested
/// in a cell, every `<` a tag. Attributes do not matter: `colspan` and `rowspan` only add
/// empty slots to rows that exist anyway (the text stays in the top-left slot, and a span
/// never adds a row), and no other attribute is read. Text outside cells is what the grid
/// reader makes of it: dropped, or after a table a note, whose lines up to a markdown block
/// are rows of their own, handed over whole. Every tag between two pieces of one cell then
/// writes something other than a letter or digit (`**`, `<sub>`, a space or newline) between
/// them, except where the reader writes nothing: `<thead>`/`<tbody>`/`<tfoot>` inside a
/// cell, a closing emphasis tag that does not close the innermost one, or emphasis around
/// nothing but spaces (the markers are dropped). Those are not the easy case. A `<` the text
/// decodes to (`&lt;net&gt;`) must close within its piece: the word reader skips it as a tag
/// up to the first `>`, and that `>` must be the same one whether it reads the piece or the
/// whole cell.
pub(super) fn plain_cell_text(html: &str, mut text: impl FnMut(&str) -> bool) -> Option<usize> {
    let (mut rows, mut row_open, mut cell_open, mut in_table) = (0, false, false, false);
    // Top-level tables closed so far, and the text after the last one (a note).
    let (mut tables, mut note) = (0usize, String::new());
    // Open emphasis of the current cell: whether it is `**`, and `pieces` when it opened.
    let mut marks: Vec<(bool, usize)> = Vec::new();
    // Pieces with something other than whitespace so far.
    let mut pieces = 0usize;
    let close_cell = |cell_open: &mut bool, marks: &mut Vec<(bool, usize)>| {
        marks.clear();
        *cell_open = false;
    };
    let mut rest = html;
    loop {
        // Where the grid reader puts text outside cells: a note after a table, else nowhere.
        let in_note = !in_table && tables > 0 && !row_open;
        let lt = rest.find('<').unwrap_or(rest.len());
        let piece = &rest[..lt];
        if cell_open && !piece.is_empty() {
            // Only an entity can put a `<` into a piece.
            let decoded = if piece.contains('&') {
                let decoded = html_escape::decode_html_entities(piece);
                if decoded
                    .rfind('<')
                    .is_some_and(|i| !decoded[i..].contains('>'))
                {
                    return None;
                }
                decoded
            } else {
                std::borrow::Cow::Borrowed(piece)
            };
            if !decoded.chars().all(is_html_space) {
                pieces += 1;
            }
            if !text(&decoded) {
                return None;
            }
        } else if in_note {
            note.push_str(&html_escape::decode_html_entities(piece));
        }
        if lt == rest.len() {
            break;
        }
        rest = &rest[lt..];
        let b = rest.as_bytes();
        // Comments, `<!...>`, `<?...>` and a lone `<` are not the easy case.
        let tag_like = b.len() > 1
            && (b[1].is_ascii_alphabetic()
                || (b[1] == b'/' && b.get(2).is_some_and(u8::is_ascii_alphabetic)));
        if !tag_like {
            return None;
        }
        let end = tag_end(rest)?;
        let tag = &rest[1..end];
        rest = &rest[end + 1..];
        let (closing, body) = match tag.strip_prefix('/') {
            Some(b) => (true, b),
            None => (false, tag),
        };
        let name_len = body
            .bytes()
            .position(|b| b.is_ascii_whitespace() || b == b'/' || b == b'>')
            .unwrap_or(body.len());
        let mut lower = [0u8; 10];
        let name = lower.get_mut(..name_len)?;
        name.copy_from_slice(&body.as_bytes()[..name_len]);
        name.make_ascii_lowercase();
        match &*name {
            // A table in a cell, or opened in a row of rows written without one (its text
            // runs on into the cell's, or its note's rows come before the row), is not the
            // easy case.
            b"table" if !closing => {
                if in_table || row_open {
                    return None;
                }
                if !note_rows(&mut note, &mut rows, &mut text) {
                    return None;
                }
                in_table = true;
            }
            b"table" | b"tr" => {
                close_cell(&mut cell_open, &mut marks);
                rows += usize::from(row_open);
                row_open = !closing && name == b"tr";
                if name == b"table" {
                    tables += usize::from(in_table);
                    in_table = false;
                }
            }
            b"td" | b"th" => {
                close_cell(&mut cell_open, &mut marks);
                if !closing {
                    (row_open, cell_open) = (true, true);
                }
            }
            b"thead" | b"tbody" | b"tfoot" if cell_open => return None,
            b"br" if in_note => note.push('\n'),
            b"sub" | b"sup" if in_note => {
                note.push_str(if closing { "</" } else { "<" });
                note.push_str(std::str::from_utf8(name).expect("ASCII"));
                note.push('>');
            }
            b"thead" | b"tbody" | b"tfoot" | b"br" | b"sub" | b"sup" => {}
            b"b" | b"strong" | b"i" | b"em" if cell_open => {
                let strong = matches!(&*name, b"b" | b"strong");
                if !closing {
                    marks.push((strong, pieces));
                } else if marks
                    .last()
                    .is_some_and(|&(s, at)| s == strong && pieces > at)
                {
                    marks.pop();
                } else {
                    return None;
                }
            }
            b"b" | b"strong" | b"i" | b"em" => {}
            n if std::str::from_utf8(n).is_ok_and(is_block) => {
                if in_note {
                    note.push(' ');
                }
            }
            _ => return None,
        }
    }
    rows += usize::from(row_open);
    if !in_table && !note_rows(&mut note, &mut rows, &mut text) {
        return None;
    }
    Some(rows)
}

/// [`plain_cell_text`]'s part of [`Reader::flush_note`]: a note's lines up to a markdown block,
/// each that is not blank a row, handed to `text` whole (the word reader then reads a line as
/// the row's one cell); the note is emptied. `false` when `text` is.
fn note_rows(note: &mut String, rows: &mut usize, text: &mut impl FnMut(&str) -> bool) -> bool {
    for line in note.lines() {
        if starts_block(line) {
            break;
        }
        if !line.chars().all(is_html_space) {
            *rows += 1;
            if !text(line) {
                return false;
            }
        }
    }
    note.clear();
    true
}

#[derive(Debug, Default)]
struct RawCell {
    text: String,
    colspan: usize,
    /// 0 means "to the end of the table".
    rowspan: usize,
    th: bool,
}

#[derive(Debug, Default)]
struct RawRow {
    cells: Vec<RawCell>,
    in_thead: bool,
    /// Which top-level table the row belongs to (spans stop at a table's end).
    table: usize,
}

#[derive(Debug, Default)]
struct Reader {
    rows: Vec<RawRow>,
    row: Option<RawRow>,
    cell: Option<RawCell>,
    caption: Option<String>,
    in_caption: bool,
    in_thead: bool,
    /// Open `<table>` elements.
    depth: usize,
    /// Top-level tables closed so far.
    tables: usize,
    /// Text after a table, outside any table.
    note: String,
    /// A later table's caption: its text is dropped.
    caption_done: bool,
    /// Inside `<script>`/`<style>`: skip text until this end tag.
    skip_until: Option<&'static str>,
    /// Keep inline markup as markdown (see [`grid_from_html_markdown`]).
    inline: bool,
    /// Open emphasis markers of the current cell and where they start in its text.
    marks: Vec<(&'static str, usize)>,
}

impl Reader {
    fn run(&mut self, html: &str) {
        let mut rest = html;
        while !rest.is_empty() {
            let Some(lt) = rest.find('<') else {
                self.text(rest);
                break;
            };
            self.text(&rest[..lt]);
            rest = &rest[lt..];
            if let Some(after) = rest.strip_prefix("<!--") {
                rest = after.find("-->").map_or("", |e| &after[e + 3..]);
                continue;
            }
            let b = rest.as_bytes();
            let tag_like = b.len() > 1
                && (b[1].is_ascii_alphabetic()
                    || b[1] == b'!'
                    || b[1] == b'?'
                    || (b[1] == b'/' && b.get(2).is_some_and(u8::is_ascii_alphabetic)));
            let end = if tag_like { tag_end(rest) } else { None };
            let Some(end) = end else {
                // A lone `<` ("a < b") is text.
                self.text("<");
                rest = &rest[1..];
                continue;
            };
            let tag = &rest[1..end];
            rest = &rest[end + 1..];
            if tag.starts_with('!') || tag.starts_with('?') {
                continue;
            }
            self.tag(tag);
        }
    }

    fn tag(&mut self, tag: &str) {
        let (closing, body) = match tag.strip_prefix('/') {
            Some(b) => (true, b),
            None => (false, tag),
        };
        let name_len = body
            .find(|c: char| c.is_ascii_whitespace() || c == '/' || c == '>')
            .unwrap_or(body.len());
        let name = body[..name_len].to_ascii_lowercase();
        let attrs = &body[name_len..];
        if let Some(until) = self.skip_until {
            if closing && name == until {
                self.skip_until = None;
            }
            return;
        }
        match name.as_str() {
            "script" if !closing => self.skip_until = Some("script"),
            "style" if !closing => self.skip_until = Some("style"),
            "table" if !closing => {
                if self.depth >= 1 {
                    self.push_space();
                } else {
                    self.flush_note();
                }
                self.depth += 1;
            }
            "table" => {
                if self.depth <= 1 {
                    self.close_row();
                    self.in_caption = false;
                    self.in_thead = false;
                    if self.depth == 1 {
                        self.tables += 1;
                    }
                    self.depth = 0;
                } else {
                    self.depth -= 1;
                    self.push_space();
                }
            }
            _ if self.depth > 1 => match name.as_str() {
                "br" => self.push_newline(),
                n if is_block(n) => self.push_space(),
                _ => {}
            },
            "caption" => {
                self.in_caption = !closing;
                if !closing {
                    self.close_row();
                    // Only the first table's caption is kept; later ones are not cells either.
                    self.caption_done = self.caption.is_some();
                    self.caption.get_or_insert_with(String::new);
                }
            }
            "thead" => self.in_thead = !closing,
            "tbody" | "tfoot" => self.in_thead = false,
            "tr" => {
                self.close_row();
                if !closing {
                    self.row = Some(RawRow {
                        cells: Vec::new(),
                        in_thead: self.in_thead,
                        table: self.tables,
                    });
                }
            }
            "td" | "th" if !closing => {
                self.close_cell();
                let table = self.tables;
                self.row.get_or_insert_with(|| RawRow {
                    cells: Vec::new(),
                    in_thead: self.in_thead,
                    table,
                });
                self.cell = Some(RawCell {
                    text: String::new(),
                    colspan: attr_number(attrs, "colspan")
                        .unwrap_or(1)
                        .clamp(1, MAX_COLSPAN),
                    rowspan: attr_number(attrs, "rowspan").unwrap_or(1).min(MAX_ROWSPAN),
                    th: name == "th",
                });
            }
            "td" | "th" => self.close_cell(),
            "br" => self.push_newline(),
            n if is_block(n) => self.push_space(),
            "b" | "strong" if self.inline => self.mark("**", closing),
            "i" | "em" if self.inline => self.mark("*", closing),
            "sub" | "sup" if self.inline => {
                let tag = if closing {
                    format!("</{name}>")
                } else {
                    format!("<{name}>")
                };
                if let Some(s) = self.sink() {
                    s.push_str(&tag);
                }
            }
            _ => {}
        }
    }

    /// Opens or closes an emphasis marker. Spaces just inside the markers move outside them
    /// (`<b> A </b>` is ` **A** `: `** A**` would not be emphasis) and empty emphasis is
    /// dropped.
    fn mark(&mut self, marker: &'static str, closing: bool) {
        if self.in_caption || self.cell.is_none() {
            return;
        }
        if !closing {
            if let Some(s) = self.sink() {
                let at = s.len();
                s.push_str(marker);
                self.marks.push((marker, at));
            }
            return;
        }
        let Some(k) = self.marks.iter().rposition(|(m, _)| *m == marker) else {
            return;
        };
        let (_, at) = self.marks.remove(k);
        let Some(s) = self.sink() else { return };
        let open_end = at + marker.len();
        if open_end > s.len() || !s.is_char_boundary(open_end) {
            return;
        }
        let inner = s.split_off(open_end);
        s.truncate(at);
        let core = inner.trim_matches(is_html_space);
        if core.is_empty() {
            s.push_str(&inner);
            return;
        }
        let lead = &inner[..inner.len() - inner.trim_start_matches(is_html_space).len()];
        let trail = &inner[inner.trim_end_matches(is_html_space).len()..];
        s.push_str(lead);
        s.push_str(marker);
        s.push_str(core);
        s.push_str(marker);
        s.push_str(trail);
    }

    fn sink(&mut self) -> Option<&mut String> {
        if self.depth == 0 && self.tables > 0 && self.row.is_none() {
            return Some(&mut self.note);
        }
        if self.in_caption {
            if self.caption_done {
                return None;
            }
            self.caption.as_mut()
        } else {
            self.cell.as_mut().map(|c| &mut c.text)
        }
    }

    fn text(&mut self, raw: &str) {
        if raw.is_empty() || self.skip_until.is_some() {
            return;
        }
        let outside = self.depth == 0;
        let escape = self.inline;
        let Some(sink) = self.sink() else { return };
        let decoded = html_escape::decode_html_entities(raw);
        if outside {
            // A note after a table: its source lines are its rows.
            sink.push_str(&decoded);
            return;
        }
        // Source newlines are layout, not content: only `<br>` makes a newline.
        for c in decoded.chars() {
            match c {
                c if is_html_space(c) => sink.push(' '),
                '*' | '`' | '<' | '[' | ']' | '\\' if escape => {
                    sink.push('\\');
                    sink.push(c);
                }
                c => sink.push(c),
            }
        }
    }

    fn push_space(&mut self) {
        if let Some(s) = self.sink() {
            s.push(' ');
        }
    }

    fn push_newline(&mut self) {
        if let Some(s) = self.sink() {
            s.push('\n');
        }
    }

    fn close_cell(&mut self) {
        self.marks.clear();
        if let Some(c) = self.cell.take() {
            let (in_thead, table) = (self.in_thead, self.tables);
            self.row
                .get_or_insert_with(|| RawRow {
                    cells: Vec::new(),
                    in_thead,
                    table,
                })
                .cells
                .push(c);
        }
    }

    fn close_row(&mut self) {
        self.close_cell();
        if let Some(r) = self.row.take() {
            self.rows.push(r);
        }
    }

    /// Text after a table becomes one-cell rows, one per line up to the next markdown block
    /// (heading, quote, fence), each line's markdown rendered as text: the server writes its
    /// table notes there in markdown and keeps them in `rows` that way.
    fn flush_note(&mut self) {
        let note = std::mem::take(&mut self.note);
        for line in note.lines() {
            if starts_block(line) {
                break;
            }
            let line = line.replace(is_html_space, " ");
            let text = if self.inline {
                collapse(&line)
            } else {
                collapse(&render_inline(&line))
            };
            if !text.is_empty() {
                self.rows.push(RawRow {
                    cells: vec![RawCell {
                        text,
                        colspan: 1,
                        rowspan: 1,
                        th: false,
                    }],
                    in_thead: false,
                    table: self.tables,
                });
            }
        }
    }

    fn finish(mut self) -> Grid {
        self.close_row();
        if self.depth == 0 {
            self.flush_note();
        }
        let first_table = self.rows.first().map_or(0, |r| r.table);
        let header_rows = self
            .rows
            .iter()
            .take_while(|r| r.table == first_table)
            .take_while(|r| r.in_thead || (!r.cells.is_empty() && r.cells.iter().all(|c| c.th)))
            .count();
        let mut grid = expand(self.rows);
        grid.header_rows = header_rows;
        grid.caption = self.caption.map(|c| collapse(&c)).filter(|c| !c.is_empty());
        grid
    }
}

/// Lays the raw rows out on a grid, expanding spans.
fn expand(rows: Vec<RawRow>) -> Grid {
    // Rows left in each row's table, itself included: spans end with their table.
    let mut left = vec![0usize; rows.len()];
    for r in (0..rows.len()).rev() {
        left[r] = match rows.get(r + 1) {
            Some(next) if next.table == rows[r].table => left[r + 1] + 1,
            _ => 1,
        };
    }
    let mut cells = Vec::with_capacity(rows.len());
    let mut spans = Vec::new();
    // Per column: how many more rows a span from above still covers.
    let mut pending: Vec<usize> = Vec::new();
    let mut slots = 0usize;
    let mut table = rows.first().map_or(0, |r| r.table);
    for (r, raw) in rows.into_iter().enumerate() {
        if raw.table != table {
            table = raw.table;
            pending.clear();
        }
        let covered: Vec<bool> = pending.iter().map(|p| *p > 0).collect();
        for p in pending.iter_mut() {
            *p = p.saturating_sub(1);
        }
        let is_covered = |c: usize| covered.get(c).copied().unwrap_or(false);
        let mut out: Vec<String> = Vec::with_capacity(raw.cells.len());
        for cell in raw.cells {
            while is_covered(out.len()) {
                out.push(String::new());
            }
            let column = out.len();
            let (mut colspan, mut rowspan) = (cell.colspan, cell.rowspan);
            if slots.saturating_add(colspan.saturating_mul(rowspan.max(1))) > MAX_SLOTS {
                (colspan, rowspan) = (1, 1);
            }
            let rowspan = if rowspan == 0 {
                left[r]
            } else {
                rowspan.min(left[r])
            };
            slots += colspan * rowspan;
            out.push(collapse(&cell.text));
            // Covered slots of this row; a later cell never lands on them.
            out.extend(std::iter::repeat_n(String::new(), colspan - 1));
            if colspan > 1 || rowspan > 1 {
                spans.push(Span {
                    row: r,
                    column,
                    rows: rowspan,
                    columns: colspan,
                });
            }
            if rowspan > 1 {
                if pending.len() < column + colspan {
                    pending.resize(column + colspan, 0);
                }
                for p in &mut pending[column..column + colspan] {
                    *p = (*p).max(rowspan - 1);
                }
            }
        }
        // Slots covered from above after the row's last cell still belong to the row.
        if let Some(last) = covered.iter().rposition(|c| *c) {
            while out.len() <= last {
                out.push(String::new());
            }
        }
        cells.push(out);
    }
    Grid {
        cells,
        source: Some(Source::Html),
        header_rows: 0,
        spans,
        caption: None,
    }
}

/// Collapses whitespace runs to one space, drops spaces around `<br>` newlines and trims.
fn collapse(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for line in s.split('\n') {
        if !out.is_empty() || line.trim() != "" {
            out.push('\n');
        }
        let mut first = true;
        for word in line.split(' ').filter(|w| !w.is_empty()) {
            if !first {
                out.push(' ');
            }
            out.push_str(word);
            first = false;
        }
    }
    // The loop puts a newline before every line; leading and trailing ones are layout.
    out.trim_matches('\n').to_owned()
}

/// The byte offset of the `>` closing the tag that starts at `s[0] == '<'`, skipping quoted
/// attribute values.
fn tag_end(s: &str) -> Option<usize> {
    let mut quote: Option<u8> = None;
    for (i, b) in s.bytes().enumerate().skip(1) {
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'\'' => quote = Some(b),
            None if b == b'>' => return Some(i),
            None => {}
        }
    }
    None
}

/// The value of a numeric attribute (`colspan="3"`, `colspan=3`, `COLSPAN='3'`); `None` when
/// missing or not a number (HTML then uses 1).
fn attr_number(attrs: &str, name: &str) -> Option<usize> {
    let (_, value) = attributes(attrs).find(|(key, _)| key.eq_ignore_ascii_case(name))?;
    // Browsers read the leading digits ("2;" and " 2 " both mean 2).
    let digits: String = value
        .trim()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// The attributes of a tag's inside after its name, in order: `key=value`, `key="value"`,
/// `key='value'` and bare `key` (value `""`). Slashes between attributes (`<br/>`) are
/// skipped, and a stray `=` gives an empty key with its value, so the walk always moves on.
/// The one attribute reader of the crate: table cells and the viewer's sanitizer share it.
pub(crate) fn attributes(attrs: &str) -> impl Iterator<Item = (&str, &str)> {
    let mut rest = attrs;
    std::iter::from_fn(move || {
        rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == '/');
        if rest.is_empty() {
            return None;
        }
        let key_len = rest
            .find(|c: char| c.is_ascii_whitespace() || c == '=' || c == '/')
            .unwrap_or(rest.len());
        let key = &rest[..key_len];
        rest = rest[key_len..].trim_start();
        let mut value = "";
        if let Some(after) = rest.strip_prefix('=') {
            let after = after.trim_start();
            let (v, r) = match after.chars().next() {
                Some(q @ ('"' | '\'')) => {
                    let body = &after[1..];
                    let end = body.find(q).unwrap_or(body.len());
                    (&body[..end], body.get(end + 1..).unwrap_or(""))
                }
                _ => {
                    let end = after
                        .find(|c: char| c.is_ascii_whitespace())
                        .unwrap_or(after.len());
                    (&after[..end], &after[end..])
                }
            };
            value = v;
            rest = r;
        }
        Some((key, value))
    })
}

fn is_html_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0c')
}

fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "li"
            | "ul"
            | "ol"
            | "dl"
            | "dt"
            | "dd"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "hr"
            | "blockquote"
            | "pre"
            | "section"
            | "tr"
            | "td"
            | "th"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(html: &str) -> Vec<Vec<String>> {
        grid_from_html(html).cells
    }

    #[test]
    fn rowspan_and_colspan_are_expanded_top_left() {
        let g = grid_from_html(
            "<table><tr><td rowspan=\"2\" colspan=\"2\">A</td><td>b</td></tr>\
             <tr><td>c</td></tr><tr><td>d</td><td>e</td><td>f</td></tr></table>",
        );
        assert_eq!(g.cells, [["A", "", "b"], ["", "", "c"], ["d", "e", "f"]]);
        assert_eq!(
            g.spans,
            [Span {
                row: 0,
                column: 0,
                rows: 2,
                columns: 2
            }]
        );
        assert_eq!(g.spread_text(1, 1), "A");
        assert_eq!(g.covered_by(0, 0), None);
        assert!(g.covered_by(1, 0).is_some());
    }

    #[test]
    fn rowspan_in_a_middle_column_shifts_later_cells() {
        assert_eq!(
            cells(
                "<table><tr><td>a</td><td rowspan=3>B</td><td>c</td></tr>\
                 <tr><td>d</td><td>e</td></tr><tr><td>f</td></tr></table>"
            ),
            [vec!["a", "B", "c"], vec!["d", "", "e"], vec!["f", ""]]
        );
    }

    #[test]
    fn spans_past_the_end_are_clipped_and_zero_means_to_the_end() {
        let g = grid_from_html(
            "<table><tr><td rowspan=4>x</td><td>1</td></tr><tr><td>2</td></tr></table>",
        );
        assert_eq!(g.cells, [["x", "1"], ["", "2"]]);
        assert_eq!(g.spans[0].rows, 2);
        let g = grid_from_html(
            "<table><tr><td rowspan=0>x</td><td>1</td></tr><tr><td>2</td></tr><tr><td>3</td></tr></table>",
        );
        assert_eq!(g.cells, [["x", "1"], ["", "2"], ["", "3"]]);
    }

    #[test]
    fn entities_br_whitespace_and_inline_tags() {
        assert_eq!(
            cells(
                "<table>\n  <tr>\n    <td>\n  Retail | wholesale<br/>60/40   split </td>\
                 <td>a &amp; b &#x3C;br> &lt;i&gt; &nbsp;x</td><td><i>I/I</i><sub>max</sub></td>\
                 <td>one<br />\n<br /></td></tr></table>"
            ),
            [[
                "Retail | wholesale\n60/40 split",
                "a & b <br> <i> \u{a0}x",
                "I/Imax",
                "one"
            ]]
        );
    }

    #[test]
    fn header_rows_from_thead_or_th() {
        let g = grid_from_html(
            "<table><thead><tr><td>h</td></tr></thead><tbody><tr><th>k</th></tr><tr><td>v</td></tr></tbody></table>",
        );
        assert_eq!(g.header_rows, 2);
        let g = grid_from_html("<table><tr><td>v</td></tr></table>");
        assert_eq!(g.header_rows, 0);
    }

    #[test]
    fn tolerant_of_missing_end_tags_attributes_and_junk() {
        assert_eq!(
            cells("<TABLE border=1><TR><TD Colspan='2' style=\"a>b\">x<td>y<tr><td>1 < 2<td>z"),
            [vec!["x", "", "y"], vec!["1 < 2", "z"]]
        );
        assert_eq!(cells("<tr><td>no table tag</td></tr>"), [["no table tag"]]);
        assert!(cells("no table at all").is_empty());
        assert!(cells("").is_empty());
        assert_eq!(
            attr_number(" colspan = \"3\" rowspan=x", "colspan"),
            Some(3)
        );
        assert_eq!(attr_number(" rowspan=x", "rowspan"), None);
        assert_eq!(attr_number(" data-colspan=5", "colspan"), None);
    }

    #[test]
    fn attributes_in_order() {
        let all: Vec<_> =
            attributes(" colspan=\"2\" onclick='x(\"a b\")' hidden rowspan=3/ = 4").collect();
        assert_eq!(
            all,
            [
                ("colspan", "2"),
                ("onclick", "x(\"a b\")"),
                ("hidden", ""),
                ("rowspan", "3/"),
                ("", "4"),
            ]
        );
        assert_eq!(attributes(" / ").count(), 0);
    }

    #[test]
    fn caption_nested_tables_comments_and_text_between() {
        let g = grid_from_html(
            "<table><caption><b>Table 1</b> Sales</caption><!-- <tr><td>no</td></tr> -->\
             <tr><td rowspan=3>a<table><tr><td>in</td><td>ner</td></tr></table>b</td></tr></table>\
             Note after<table><caption>Other</caption><tr><td>second</td></tr></table>",
        );
        assert_eq!(g.caption.as_deref(), Some("Table 1 Sales"));
        // The note and the second table's rows follow; the first's rowspan stops at its
        // table's end.
        assert_eq!(g.cells, [["a in ner b"], ["Note after"], ["second"]]);
        assert_eq!(g.spans, []);
    }

    #[test]
    fn notes_after_the_table_are_rows_per_line() {
        let g = grid_from_html(
            "Title before\n<table><tr><td>a</td><td>b</td></tr></table>Note. *x* &amp; y\n\n<sup>a</sup>These  ones\r\n## Next\nnot a note",
        );
        assert_eq!(
            g.cells,
            [vec!["a", "b"], vec!["Note. x & y"], vec!["aThese ones"]]
        );
    }

    #[test]
    fn hostile_spans_are_bounded() {
        let html = "<tr><td colspan=1000 rowspan=65534>x</td></tr>".repeat(500);
        let g = grid_from_html(&html);
        let slots: usize = g.cells.iter().map(Vec::len).sum();
        assert!(slots <= MAX_SLOTS + 100_000, "{slots}");
    }
}
