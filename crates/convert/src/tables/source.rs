//! Which representation of a table item the writers render: the server's `rows`, its `html`,
//! its `md`, or the most complete of them, plus the markdown that `md` holds outside its table.
//!
//! Real responses disagree with themselves: `rows` cut short (4 rows where `html` and `md`
//! have 9), cells the `md` writes in bold missing from `rows`, header rows with a `colspan`
//! dropped, sub- and superscripts flattened into one word (`G<sub>mem</sub>` → `Gmem`), and
//! paragraphs, list items or notes after the table written into the table's `md` only. Reading
//! `rows` alone loses those words, so by default every writer renders the representation that
//! holds the most words and appends what only `md` holds.

use std::borrow::Cow;
use std::collections::BTreeMap;

use pagetree_model::{Cell, Item};

use super::grid::Source;
use super::html::grid_from_html_markdown;
use super::md::md_table;

/// Which representation of a table item to render (`--table-source`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum TableSource {
    /// The item's `rows`, exactly as the server wrote them, and nothing else.
    Rows,
    /// The item's `html` (spans expanded, inline markup kept as markdown), else `rows`.
    Html,
    /// The item's `md` (its pipe table), else `rows`.
    Md,
    /// The default: of `rows`, `html` and `md`, the one with the most words (ties go to
    /// `rows`, then `html`), and the markdown `md` holds outside its table when the chosen
    /// cells do not already hold those words.
    #[default]
    Best,
}

impl TableSource {
    /// The option's name (`rows`, `html`, `md`, `best`).
    pub fn as_str(self) -> &'static str {
        match self {
            TableSource::Rows => "rows",
            TableSource::Html => "html",
            TableSource::Md => "md",
            TableSource::Best => "best",
        }
    }
}

/// A table item's cells as chosen for rendering. Cells are inline markdown, as the server
/// writes them in `rows` (`**bold**`, `<br/>`, `<sup>1</sup>`).
#[derive(Debug, Clone, PartialEq)]
pub struct Chosen<'a> {
    /// The representation the cells come from.
    pub source: Source,
    /// The cells, row by row.
    pub rows: Cow<'a, [Vec<Cell>]>,
    /// Markdown of the item's `md` before its table that the cells do not hold (often empty).
    pub before: String,
    /// Markdown of the item's `md` after its table that the cells do not hold: notes,
    /// paragraphs and list items the server put at the end of the table item.
    pub after: String,
    /// Rows of `rows`, for the warning (0 when absent).
    pub rows_len: usize,
}

impl Chosen<'_> {
    /// Why this table was not rendered from `rows` alone, or `None` when it was.
    pub fn note(&self) -> Option<String> {
        let mut parts = Vec::new();
        if self.source != Source::Rows {
            parts.push(format!(
                "rendered from its {}, which holds words its rows lack ({} rows; rows has {})",
                self.source,
                self.rows.len(),
                self.rows_len
            ));
        }
        let extra = words(&self.before).count() + words(&self.after).count();
        if extra > 0 {
            parts.push(format!(
                "{extra} words that its md holds outside the table are written after it"
            ));
        }
        (!parts.is_empty()).then(|| parts.join("; "))
    }

    /// Whether anything is written besides `rows` as they are.
    pub fn differs(&self) -> bool {
        self.source != Source::Rows || !self.before.is_empty() || !self.after.is_empty()
    }
}

/// Chooses what to render for a table item. `None` when the item has no `rows` with cells
/// (the writers then fall back to the representation as the server wrote it); with
/// [`TableSource::Rows`] the result is always `rows` alone.
pub fn choose(item: &Item, source: TableSource) -> Option<Chosen<'_>> {
    choose_with(item, source, true)
}

/// [`choose`], with or without the proof that spares [`TableSource::Best`] the full
/// comparison (tests compare the two).
fn choose_with(item: &Item, source: TableSource, fast: bool) -> Option<Chosen<'_>> {
    let rows = item.table_rows();
    if rows.iter().all(Vec::is_empty) {
        return None;
    }
    let plain = Chosen {
        source: Source::Rows,
        rows: Cow::Borrowed(rows),
        before: String::new(),
        after: String::new(),
        rows_len: rows.len(),
    };
    let html = || {
        non_blank(&item.html)
            .map(|h| grid_from_html_markdown(h).cells)
            .filter(|c| !c.iter().all(Vec::is_empty))
    };
    let md = || non_blank(&item.md).map(md_table);
    let owned = |cells: Vec<Vec<String>>, source| Chosen {
        source,
        rows: Cow::Owned(
            cells
                .into_iter()
                .map(|r| r.into_iter().map(Cell::Text).collect())
                .collect(),
        ),
        before: String::new(),
        after: String::new(),
        rows_len: rows.len(),
    };
    match source {
        TableSource::Rows => Some(plain),
        TableSource::Html => Some(html().map_or(plain, |c| owned(c, Source::Html))),
        TableSource::Md => Some(
            md().filter(|m| !m.rows.is_empty())
                .map_or(plain, |m| owned(m.rows, Source::Md)),
        ),
        TableSource::Best => {
            let (html_text, md_text) = (non_blank(&item.html), non_blank(&item.md));
            // Nothing to compare with, or html and md that provably hold no more than rows.
            if (html_text.is_none() && md_text.is_none())
                || (fast && rows_hold_all(rows, html_text, md_text))
            {
                return Some(plain);
            }
            Some(best_of(plain, html(), md().unwrap_or_default(), owned))
        }
    }
}

/// The full comparison behind [`TableSource::Best`]: of `plain` (the item's `rows`), the
/// `html` cells and the `md` table, the one with the most words, and what `md` holds outside
/// its table that the chosen cells do not.
fn best_of<'a>(
    plain: Chosen<'a>,
    html: Option<Vec<Vec<String>>>,
    md: super::md::MdTable,
    owned: impl Fn(Vec<Vec<String>>, Source) -> Chosen<'a>,
) -> Chosen<'a> {
    let mut best_score = count_cells(plain.rows.iter().map(|r| r.iter().map(Cell::as_text)));
    let mut best = plain;
    if let Some(cells) = html {
        let n = count_cells(cells.iter().map(|r| borrowed(r)));
        let html = owned(cells, Source::Html);
        if n > best_score && holds_more(&html.rows, &best.rows) {
            (best, best_score) = (html, n);
        }
    }
    let n = count_cells(md.rows.iter().map(|r| borrowed(r)));
    if n > best_score {
        let md = owned(md.rows.clone(), Source::Md);
        if holds_more(&md.rows, &best.rows) {
            best = md;
        }
    }
    // What the chosen cells hold beyond the md's table may be the md's outside text (`rows`
    // keep a table note as a row): only what they do not hold is written.
    let mut spare = bag(best.rows.iter().flatten().map(|c| c.as_text()));
    let mut buf = String::new();
    for w in md.rows.iter().flatten().flat_map(|c| words(c)) {
        take(&mut spare, lowercase(w, &mut buf));
    }
    best.before = uncovered(&md.before, &mut spare);
    best.after = uncovered(&md.after, &mut spare);
    best
}

/// Whether the full comparison of [`best_of`] would keep `rows` alone, nothing before or
/// after, proved without building grids or word sets: `html` (when given) and `md` (when
/// given) each hold exactly the words of `rows`, in the same order (ASCII case aside), in no
/// more rows than `rows`, and `md` is one pipe table with nothing around it. Then neither
/// holds a word `rows` lack, so neither is chosen, and `md` has no outside text to append.
/// Anything else (spans, attributes, a note, other tags, more rows, other words) is `false`
/// and left to the full comparison; `source_tests` checks the two agree on every table.
fn rows_hold_all(rows: &[Vec<Cell>], html: Option<&str>, md: Option<&str>) -> bool {
    let written = Written::of(rows);
    html.is_none_or(|h| {
        same_words(rows, &written, |piece| {
            super::html::plain_cell_text(h, piece)
        })
    }) && md.is_none_or(|m| {
        same_words(rows, &written, |piece| {
            super::md::plain_table_cells(m, piece)
        })
    })
}

/// A reader that hands each piece of a table's text to a callback (which says whether to go
/// on) and returns the table's number of rows.
type PieceReader<'p> = &'p mut dyn FnMut(&str) -> bool;

/// Whether `read` hands over exactly the words of `rows` in order, in no more rows.
fn same_words(
    rows: &[Vec<Cell>],
    written: &Written,
    read: impl FnOnce(PieceReader<'_>) -> Option<usize>,
) -> bool {
    let mut expect = RowWords::new(rows, written);
    read(&mut |piece| expect.take_cell(piece) || words(piece).all(|w| expect.next_is(w)))
        .is_some_and(|n| n <= rows.len())
        && expect.done()
}

/// The text of a table's cells that are not text (numbers, booleans), written once for both
/// comparisons: writing a float is most of the cost of reading a number cell's words.
struct Written {
    text: String,
    /// Where each such cell's text ends, in cell order.
    ends: Vec<usize>,
}

impl Written {
    fn of(rows: &[Vec<Cell>]) -> Self {
        let mut w = Written {
            text: String::new(),
            ends: Vec::new(),
        };
        for cell in rows.iter().flatten() {
            if !matches!(cell, Cell::Text(_) | Cell::Null) {
                w.text.push_str(&cell.as_text());
                w.ends.push(w.text.len());
            }
        }
        w
    }

    /// The text of the `k`th such cell.
    fn cell(&self, k: usize) -> &str {
        let start = k.checked_sub(1).map_or(0, |p| self.ends[p]);
        &self.text[start..self.ends[k]]
    }
}

/// The words of a table's `rows`, cell by cell, read one at a time to compare with another
/// representation's without collecting either.
struct RowWords<'a> {
    cells: std::iter::Flatten<std::slice::Iter<'a, Vec<Cell>>>,
    written: &'a Written,
    /// How many written cells were read.
    next_written: usize,
    /// The current cell's text.
    text: &'a str,
    /// Where the next word of the current cell is looked for.
    at: usize,
}

impl<'a> RowWords<'a> {
    fn new(rows: &'a [Vec<Cell>], written: &'a Written) -> Self {
        RowWords {
            cells: rows.iter().flatten(),
            written,
            next_written: 0,
            text: "",
            at: 0,
        }
    }

    fn next_word(&mut self) -> Option<&'a str> {
        loop {
            if let Some((start, end)) = next_word(self.text, self.at) {
                self.at = end;
                return Some(&self.text[start..end]);
            }
            self.at = 0;
            self.text = match self.cells.next()? {
                Cell::Text(t) => t,
                Cell::Null => "",
                _ => {
                    self.next_written += 1;
                    self.written.cell(self.next_written - 1)
                }
            };
        }
    }

    /// Reads a whole piece at once when it is exactly the text of the next cell with any (the
    /// usual case, one piece per cell, `41835.58` on both sides): equal texts have equal
    /// words, and neither is split into them. `false`, with nothing read, otherwise.
    fn take_cell(&mut self, piece: &str) -> bool {
        if next_word(self.text, self.at).is_some() {
            return false;
        }
        let (mut cells, mut next_written) = (self.cells.clone(), self.next_written);
        loop {
            let text = match cells.next() {
                Some(Cell::Text(t)) => t.as_str(),
                Some(Cell::Null) => continue,
                Some(_) => {
                    next_written += 1;
                    self.written.cell(next_written - 1)
                }
                None => return false,
            };
            if text.is_empty() {
                continue;
            }
            if text != piece {
                return false;
            }
            (self.cells, self.next_written) = (cells, next_written);
            (self.text, self.at) = (text, text.len());
            return true;
        }
    }

    /// Whether the next word is `w`, ASCII case aside (then their lowercase forms are equal).
    fn next_is(&mut self, w: &str) -> bool {
        self.next_word().is_some_and(|n| n.eq_ignore_ascii_case(w))
    }

    /// Whether every word was read.
    fn done(&mut self) -> bool {
        self.next_word().is_none()
    }
}

fn borrowed(r: &[String]) -> impl Iterator<Item = Cow<'_, str>> {
    r.iter().map(|c| Cow::Borrowed(c.as_str()))
}

fn non_blank(s: &Option<String>) -> Option<&str> {
    s.as_deref().filter(|s| !s.trim().is_empty())
}

/// The words of markdown or HTML text: runs of letters and digits, with tags (`<sub>`) read as
/// separators, so a subscript is a word of its own.
fn words(s: &str) -> impl Iterator<Item = &str> {
    let mut at = 0;
    std::iter::from_fn(move || {
        let (start, end) = next_word(s, at)?;
        at = end;
        Some(&s[start..end])
    })
}

/// The byte range of the first word of `s` at or after `from` (see [`words`]). ASCII is read
/// a byte at a time; other characters are decoded.
fn next_word(s: &str, from: usize) -> Option<(usize, usize)> {
    let b = s.as_bytes();
    let mut i = from;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_alphanumeric() {
            return Some((i, word_end(s, i + 1)));
        }
        if c == b'<' {
            i += super::tag_len(&s[i..]).unwrap_or(1);
        } else if c.is_ascii() {
            i += 1;
        } else {
            let (alnum, len) = char_at(s, i);
            if alnum {
                return Some((i, word_end(s, i + len)));
            }
            i += len;
        }
    }
    None
}

/// Where the word going on at byte `i` of `s` ends.
fn word_end(s: &str, mut i: usize) -> usize {
    let b = s.as_bytes();
    while i < b.len() {
        if b[i].is_ascii_alphanumeric() {
            i += 1;
        } else if b[i].is_ascii() {
            break;
        } else {
            let (alnum, len) = char_at(s, i);
            if !alnum {
                break;
            }
            i += len;
        }
    }
    i
}

/// Whether the (non-ASCII) character at byte `i` of `s` is a letter or digit, and its length.
fn char_at(s: &str, i: usize) -> (bool, usize) {
    let c = s[i..].chars().next().expect("a char boundary");
    (c.is_alphanumeric(), c.len_utf8())
}

/// How much a table's cells hold: the letters and digits of its lines (tags left out), then
/// its words, a line counted once per row. `rows` repeat a spanning cell's text in every slot
/// it covers, and fold a spanning header into each column's cell (`eat-4 III<br/>gfp`,
/// `eat-4 III<br/>MERGE`) where `html` writes it once: repetition is not more content. Letters
/// come first because the representations split words differently (`Gmem` in `rows` is
/// `G<sub>mem</sub>` in `html`); on a tie the one that keeps more word boundaries wins.
fn count_cells<'c, R>(rows: impl Iterator<Item = R>) -> (usize, usize)
where
    R: IntoIterator<Item = Cow<'c, str>>,
{
    let (mut chars, mut total) = (0, 0);
    let mut seen = std::collections::BTreeSet::new();
    let mut key = String::new();
    for r in rows {
        seen.clear();
        for c in r {
            for line in cell_lines(&c) {
                key.clear();
                let mut n = 0;
                for w in words(line) {
                    n += 1;
                    if w.is_ascii() {
                        let at = key.len();
                        key.push_str(w);
                        key[at..].make_ascii_lowercase();
                    } else {
                        key.extend(w.chars().flat_map(char::to_lowercase));
                    }
                }
                if key.is_empty() || seen.contains(key.as_str()) {
                    continue;
                }
                seen.insert(key.clone());
                chars += key.chars().count();
                total += n;
            }
        }
    }
    (chars, total)
}

/// The lines of a cell: split at newlines and `<br>` tags.
fn cell_lines(cell: &str) -> impl Iterator<Item = &str> {
    let b = cell.as_bytes();
    let (mut start, mut i, mut done) = (0, 0, false);
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        while i < b.len() {
            if b[i] == b'\n' {
                let line = &cell[start..i];
                (start, i) = (i + 1, i + 1);
                return Some(line);
            }
            if b[i] == b'<'
                && b.get(i + 1..i + 3)
                    .is_some_and(|t| t.eq_ignore_ascii_case(b"br"))
                && let Some(n) = super::tag_len(&cell[i..])
            {
                let line = &cell[start..i];
                (start, i) = (i + n, i + n);
                return Some(line);
            }
            i += 1;
        }
        done = true;
        Some(&cell[start..])
    })
}

/// Whether `a` holds something `b` lacks: more rows, or a word with a letter in it that `b`
/// does not have as often. Representations that differ only in how they write numbers
/// (`12.50` against `12.5`) do not: the server's `rows` are kept then.
fn holds_more(a: &[Vec<Cell>], b: &[Vec<Cell>]) -> bool {
    if a.len() > b.len() {
        return true;
    }
    let mut have = bag(b.iter().flatten().map(|c| c.as_text()));
    let lettered = bag(a.iter().flatten().map(|c| c.as_text()));
    lettered
        .iter()
        .filter(|(w, _)| w.chars().any(char::is_alphabetic))
        .any(|(w, n)| (0..*n).any(|_| !take(&mut have, w)))
}

fn bag<'c>(cells: impl Iterator<Item = Cow<'c, str>>) -> BTreeMap<String, usize> {
    let mut bag = BTreeMap::new();
    let mut buf = String::new();
    for c in cells {
        for w in words(&c) {
            let w = lowercase(w, &mut buf);
            match bag.get_mut(w) {
                Some(n) => *n += 1,
                None => {
                    bag.insert(w.to_owned(), 1);
                }
            }
        }
    }
    bag
}

/// `w.to_lowercase()`, written into `buf` (no new string for each word).
fn lowercase<'b>(w: &str, buf: &'b mut String) -> &'b str {
    buf.clear();
    if w.is_ascii() {
        buf.push_str(w);
        buf.make_ascii_lowercase();
    } else {
        buf.push_str(&w.to_lowercase());
    }
    buf
}

fn take(bag: &mut BTreeMap<String, usize>, w: &str) -> bool {
    match bag.get_mut(w) {
        Some(n) if *n > 0 => {
            *n -= 1;
            true
        }
        _ => false,
    }
}

/// The paragraphs of `text` whose words are not all in `spare` (the words found are used up).
fn uncovered(text: &str, spare: &mut BTreeMap<String, usize>) -> String {
    let mut kept: Vec<&str> = Vec::new();
    for para in text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
        let mut trial = spare.clone();
        let mut buf = String::new();
        let covered = words(para).all(|w| take(&mut trial, lowercase(w, &mut buf)));
        if covered {
            *spare = trial;
        } else {
            kept.push(para);
        }
    }
    kept.join("\n\n")
}

/// How table cells are written to CSV and JSON Lines (`--cells`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum CellText {
    /// Plain text, for spreadsheets: `<br>` becomes a line break, sub- and superscripts are
    /// written `V_rest` and `x^2`, emphasis markers and other tags are removed, entities and
    /// escapes decoded; math and literal footnote asterisks (`*VC4-5**`) stay as written.
    #[default]
    Text,
    /// Inline markdown as the cell holds it (`**bold**`, `<sub>`), with literal asterisks
    /// escaped so they are not read as emphasis.
    Markdown,
    /// The cell exactly as the chosen representation holds it: byte for byte the server's
    /// `rows` when the table comes from `rows`.
    Raw,
}

impl CellText {
    /// The option's name (`text`, `markdown`, `raw`).
    pub fn as_str(self) -> &'static str {
        match self {
            CellText::Text => "text",
            CellText::Markdown => "markdown",
            CellText::Raw => "raw",
        }
    }

    /// One cell of inline markdown in this mode.
    pub fn apply<'c>(self, cell: &'c str) -> Cow<'c, str> {
        match self {
            CellText::Raw => Cow::Borrowed(cell),
            CellText::Markdown => escape_literal_asterisks(cell),
            CellText::Text => {
                let scripts = scripts_as_text(cell);
                let guarded = match escape_literal_asterisks(&scripts) {
                    Cow::Borrowed(_) => scripts,
                    Cow::Owned(s) => Cow::Owned(s),
                };
                match super::md::render_inline_opt(&guarded) {
                    Some(t) => Cow::Owned(t),
                    None => guarded,
                }
            }
        }
    }
}

/// Sub- and superscripts as plain text writes them, `V_rest` and `x^2`: with the tags simply
/// removed they would run into the word before (`Vrest`).
fn scripts_as_text(cell: &str) -> Cow<'_, str> {
    if !cell.contains("<su") && !cell.contains("<SU") {
        return Cow::Borrowed(cell);
    }
    let mut out = String::with_capacity(cell.len());
    let mut rest = cell;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let lower = rest
            .get(..6)
            .map(str::to_ascii_lowercase)
            .unwrap_or_default();
        let (mark, n) = if lower.starts_with("<sub>") {
            ("_", 5)
        } else if lower.starts_with("<sup>") {
            ("^", 5)
        } else if lower.starts_with("</sub>") || lower.starts_with("</sup>") {
            ("", 6)
        } else {
            ("<", 1)
        };
        out.push_str(mark);
        rest = &rest[n..];
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Escapes the asterisk runs of a cell that cannot be emphasis: footnote markers such as
/// `*VC4-5**`, `I5**` or `N/A***`. A run is emphasis only when an opening run (followed by a
/// non-space) meets a closing run of the same length (preceded by a non-space) later in the
/// cell: `**bold**` and `*unc-17*` are kept, every other run is escaped.
pub fn escape_literal_asterisks(cell: &str) -> Cow<'_, str> {
    if !cell.contains('*') {
        return Cow::Borrowed(cell);
    }
    let b = cell.as_bytes();
    // (start, len) of each unescaped run.
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' {
            i += 2;
            continue;
        }
        if b[i] == b'*' {
            let start = i;
            while i < b.len() && b[i] == b'*' {
                i += 1;
            }
            runs.push((start, i - start));
            continue;
        }
        i += 1;
    }
    let mut paired = vec![false; runs.len()];
    let mut open: Vec<usize> = Vec::new();
    for (k, &(start, len)) in runs.iter().enumerate() {
        let after = cell[start + len..]
            .chars()
            .next()
            .is_none_or(char::is_whitespace);
        let before = cell[..start]
            .chars()
            .next_back()
            .is_none_or(char::is_whitespace);
        let can_close = !before;
        let can_open = !after;
        if can_close && let Some(pos) = open.iter().rposition(|&o| runs[o].1 == len) {
            paired[open[pos]] = true;
            paired[k] = true;
            open.truncate(pos);
            continue;
        }
        if can_open {
            open.push(k);
        }
    }
    if paired.iter().all(|p| *p) {
        return Cow::Borrowed(cell);
    }
    let mut out = String::with_capacity(cell.len() + 4);
    let mut last = 0;
    for (k, &(start, len)) in runs.iter().enumerate() {
        if paired[k] {
            continue;
        }
        out.push_str(&cell[last..start]);
        for _ in 0..len {
            out.push_str("\\*");
        }
        last = start + len;
    }
    out.push_str(&cell[last..]);
    Cow::Owned(out)
}

/// The grid `tables` writes for a table item: from the representation [`choose`] picks (or,
/// without `rows`, the first present of `html`, `csv`, `md`), cells in the given mode.
pub(crate) fn export_grid(
    item: &Item,
    reps: &super::agree::Representations,
    source: TableSource,
    mode: CellText,
) -> Option<super::grid::Grid> {
    use super::grid::Grid;
    let from = match choose(item, source) {
        Some(c) => c.source,
        None => reps.preferred()?.source.unwrap_or(Source::Rows),
    };
    let mut grid = match from {
        Source::Rows => reps.rows.clone()?,
        Source::Csv => return reps.csv.clone(),
        Source::Html => {
            let mut g = grid_from_html_markdown(item.html.as_deref()?);
            g.source = Some(Source::Html);
            g
        }
        Source::Md => {
            let md = item.md.as_deref()?;
            let t = md_table(md);
            if t.html {
                // Spans and header rows of an HTML table written into `md`.
                let mut g = grid_from_html_markdown(md);
                g.source = Some(Source::Md);
                g
            } else {
                Grid::new(t.rows, Some(Source::Md))
            }
        }
    };
    if grid.is_empty() {
        return None;
    }
    if mode != CellText::Raw || from != Source::Rows {
        for cell in grid.cells.iter_mut().flatten() {
            if let Cow::Owned(t) = mode.apply(cell) {
                *cell = t;
            }
        }
    }
    Some(grid)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(json: &str) -> Item {
        serde_json::from_str(json).unwrap()
    }

    fn cells(c: &Chosen<'_>) -> Vec<Vec<String>> {
        c.rows
            .iter()
            .map(|r| r.iter().map(|x| x.as_text().into_owned()).collect())
            .collect()
    }

    #[test]
    fn words_split_at_tags() {
        let w: Vec<&str> = words("G<sub>mem</sub> = 5 pS, **a-b**").collect();
        assert_eq!(w, ["G", "mem", "5", "pS", "a", "b"]);
    }

    #[test]
    fn rows_win_ties_and_short_rows_lose() {
        let same =
            item(r#"{"type":"table","rows":[["a","b"],["1","2"]],"md":"|a|b|\n|-|-|\n|1|2|"}"#);
        let c = choose(&same, TableSource::Best).unwrap();
        assert_eq!(
            (c.source, c.differs(), c.note()),
            (Source::Rows, false, None)
        );
        let short = item(
            r#"{"type":"table","rows":[["a","b"]],"md":"|a|b|\n|-|-|\n|1|**x**|\n\nA note after."}"#,
        );
        let c = choose(&short, TableSource::Best).unwrap();
        assert_eq!(c.source, Source::Md);
        assert_eq!(cells(&c), [["a", "b"], ["1", "**x**"]]);
        assert_eq!(c.after, "A note after.");
        assert!(c.note().unwrap().contains("rendered from its md"));
        let rows = choose(&short, TableSource::Rows).unwrap();
        assert_eq!((rows.source, rows.differs()), (Source::Rows, false));
    }

    #[test]
    fn html_keeps_subscripts_and_emphasis() {
        let t = item(
            r#"{"type":"table","rows":[["P","V"],["Gmem","5"]],
                "html":"<table><tr><th>P</th><th>V</th></tr><tr><td>G<sub>mem</sub></td><td><b> 5 </b>*</td></tr></table>"}"#,
        );
        let c = choose(&t, TableSource::Best).unwrap();
        assert_eq!(c.source, Source::Html);
        assert_eq!(cells(&c), [["P", "V"], ["G<sub>mem</sub>", "**5** \\*"]]);
    }

    #[test]
    fn a_note_rows_already_hold_is_not_repeated() {
        let t = item(
            r#"{"type":"table","rows":[["a","b"],["1","2"],["Note. x y z",""]],
                "md":"|a|b|\n|-|-|\n|1|2|\n\nNote. x y z\n\nMore text."}"#,
        );
        let c = choose(&t, TableSource::Best).unwrap();
        assert_eq!(c.source, Source::Rows);
        assert_eq!((c.before.as_str(), c.after.as_str()), ("", "More text."));
    }
}

#[cfg(test)]
#[path = "source_tests.rs"]
mod source_tests;
