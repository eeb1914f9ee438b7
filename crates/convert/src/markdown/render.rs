//! The item renderer: each kind of item as proper markdown, recording where every item landed.
//!
//! Headings are written at their level, lists are rebuilt from their entries (nested, ordered
//! or not), code gets a fence longer than any backtick run inside, tables are re-rendered from
//! `rows`, images and links follow the options. Text items are the server's markdown and are
//! written as they are. Blocks are separated by one blank line; paragraphs that the server split
//! at links are joined back (see `layout`).

use std::collections::BTreeSet;

use pagetree_model::{Cell, Item, ItemKind, Page};

use super::escape::{
    encode_url, escape_block_start, escape_link_text, escape_text, fence_for, html_block,
    info_string, is_autolink,
};
use super::merge::MergePlan;
use super::table::{self, column_count};
use super::{ImageStyle, LinkStyle, MarkdownOptions, TableFormat};
use crate::furniture::{Detected, Furniture, FurnitureMode, page_furniture, unmatched};
use crate::layout::{BlockWriter, walk_indices, write_blocks};
use crate::pages::ItemSpan;
use crate::tables::{Source, choose};
use crate::warning::Warning;
use crate::writer::Out;

/// Appends one item, rendered as a markdown block (children included, no trailing newline),
/// to `out`. Writes nothing for items that render to nothing (an omitted image, a merge stub,
/// an empty table). This is the renderer [`render`](super::render) uses for each item,
/// usable on its own (e.g. by chunkers); cross-page table merging needs the whole document and
/// does not apply here.
pub fn render_item(item: &Item, opts: &MarkdownOptions, out: &mut String) {
    let mut o = Out::new(std::mem::take(out));
    let mut r = Renderer::new(opts, None, None, 0);
    r.block(item, 0, &mut o);
    *out = o.buf;
}

/// Renders items of one page, collecting spans and warnings.
pub(crate) struct Renderer<'o, 'a> {
    opts: &'o MarkdownOptions,
    plan: Option<&'o MergePlan<'a>>,
    /// Pages rendered from the item tree (where merged tables' heads can be).
    item_pages: Option<&'o BTreeSet<u32>>,
    page: u32,
    pub spans: Vec<ItemSpan>,
    pub warnings: Vec<Warning>,
    unknown_seen: BTreeSet<String>,
}

impl<'o, 'a> BlockWriter<'a, 'o> for Renderer<'o, 'a> {
    fn furniture(&self, layer: Furniture) -> &'o FurnitureMode {
        self.opts.pages.furniture(layer)
    }

    fn write_run(&mut self, items: &'a [Item], walk: &[usize], out: &mut Out) {
        match items {
            [item] => self.block(item, walk[0], out),
            _ => self.run(items, walk, out),
        }
    }
}

impl<'o, 'a> Renderer<'o, 'a> {
    pub fn new(
        opts: &'o MarkdownOptions,
        plan: Option<&'o MergePlan<'a>>,
        item_pages: Option<&'o BTreeSet<u32>>,
        page: u32,
    ) -> Self {
        Renderer {
            opts,
            plan,
            item_pages,
            page,
            spans: Vec::new(),
            warnings: Vec::new(),
            unknown_seen: BTreeSet::new(),
        }
    }

    fn span(&mut self, walk_index: usize, bytes: std::ops::Range<usize>) {
        self.spans.push(ItemSpan {
            walk_index,
            page: self.page,
            bytes,
        });
    }

    /// A page's top-level items, furniture handled as the options say.
    pub fn page(
        &mut self,
        page: &Page<'a>,
        walk_base: usize,
        detected: Option<&Detected>,
        out: &mut Out,
    ) {
        let items = page.items();
        let classes = page_furniture(page, detected);
        for layer in unmatched(page, &classes) {
            if self.furniture(layer).is_hidden() {
                self.warnings.push(Warning::page(
                    self.page,
                    "furniture_not_found",
                    format!(
                        "the page {} text is inside other items, so it cannot be hidden",
                        layer.as_str()
                    ),
                ));
            }
        }
        let walk = walk_indices(items, walk_base);
        write_blocks(self, items, &walk, Some(&classes), out);
    }

    /// A paragraph the server split into text and link items, joined back.
    fn run(&mut self, items: &'a [Item], walk: &[usize], out: &mut Out) {
        let last = items.len() - 1;
        for (k, (item, &idx)) in items.iter().zip(walk).enumerate() {
            let start = out.start();
            if item.kind() == ItemKind::Link {
                self.link(item, out);
            } else {
                let text = text_md(item);
                let text = if k == 0 { text.trim_start() } else { &text };
                let text = if k == last { text.trim_end() } else { text };
                out.push(text);
            }
            if let Some(r) = out.since(start) {
                self.span(idx, r);
            }
        }
    }

    /// One item as a block, with its span.
    pub fn block(&mut self, item: &'a Item, idx: usize, out: &mut Out) {
        let start = out.start();
        self.content(item, idx, out);
        if let Some(r) = out.since(start) {
            self.span(idx, r);
        }
    }

    fn content(&mut self, item: &'a Item, idx: usize, out: &mut Out) {
        match item.kind() {
            ItemKind::Text => out.push(text_md(item).trim()),
            ItemKind::Heading => self.heading(item, out),
            ItemKind::List => self.list(item, idx, out),
            ItemKind::Code => code(item, out),
            ItemKind::Table => self.table(item, idx, out),
            ItemKind::Image => self.image(item, out),
            ItemKind::Link => self.link(item, out),
            ItemKind::Header | ItemKind::Footer => {
                let children = item.children();
                let walk = walk_indices(children, idx + 1);
                write_blocks(self, children, &walk, None, out);
            }
            // Kinds added to the model later are rendered as unknown ones are until this
            // renderer learns them.
            _ => self.unknown(item, out),
        }
    }

    fn heading(&mut self, item: &Item, out: &mut Out) {
        let mut text = heading_text(item.md());
        if text.is_empty() {
            text = escape_text(item.value.as_deref().unwrap_or("").trim()).replace('\n', " ");
        }
        if text.is_empty() {
            return;
        }
        out.push(&"#".repeat(usize::from(item.heading_level())));
        out.push(" ");
        out.push(&text);
    }

    fn list(&mut self, item: &'a Item, idx: usize, out: &mut Out) {
        let children = item.children();
        if children.is_empty() {
            out.push(item.md().trim());
            return;
        }
        let ordered = item.ordered == Some(true);
        let mut number = if ordered { list_start(item.md()) } else { 1 };
        let walk = walk_indices(children, idx + 1);
        // Content width of the previous entry: a nested list is indented under it.
        let mut previous: Option<usize> = None;
        for (child, &cidx) in children.iter().zip(&walk) {
            let mark = out.len();
            if child.kind() == ItemKind::List {
                match previous {
                    Some(width) => {
                        out.push("\n");
                        // Only a list starting at 1 may interrupt the entry's paragraph.
                        if child.ordered == Some(true) && list_start(child.md()) != 1 {
                            out.push("\n");
                        }
                        let body = out.len();
                        out.indented(width, |o| self.block(child, cidx, o));
                        if out.len() == body {
                            out.truncate(mark);
                        }
                    }
                    None => {
                        if mark > 0 && !out.buf.ends_with('\n') {
                            out.push("\n");
                        }
                        let body = out.len();
                        self.block(child, cidx, out);
                        if out.len() == body {
                            out.truncate(mark);
                        }
                    }
                }
                continue;
            }
            if previous.is_some() {
                out.push("\n");
            }
            let marker = if ordered {
                format!("{number}.")
            } else {
                "-".to_owned()
            };
            number += 1;
            let start = out.start();
            out.push(&marker);
            let before_space = out.len();
            out.push(" ");
            let body = out.len();
            let width = marker.len() + 1;
            out.indented(width, |o| self.entry(child, cidx, o));
            if out.len() == body {
                // No trailing space after the marker of an empty entry.
                out.truncate(before_space);
            }
            if let Some(r) = out.since(start) {
                self.span(cidx, r);
            }
            previous = Some(width);
        }
    }

    /// A list entry's content (its span, marker included, is recorded by the list).
    fn entry(&mut self, item: &'a Item, idx: usize, out: &mut Out) {
        if item.kind() != ItemKind::Text {
            return self.content(item, idx, out);
        }
        let md = text_md(item);
        let md = strip_own_marker(md.trim(), item.value.as_deref());
        out.push(&escape_block_start(md));
    }

    fn table(&mut self, item: &'a Item, idx: usize, out: &mut Out) {
        if let Some(head) = item.merged_into_page {
            if self.item_pages.is_some_and(|p| !p.contains(&head)) {
                self.warnings.push(merged_table_elsewhere(self.page, head));
            }
            return;
        }
        let conts = match self.plan {
            Some(plan) if plan.is_continued(idx) => return,
            Some(plan) => plan.continuations(idx),
            None => &[],
        };
        let Some(chosen) = choose(item, self.opts.table_source) else {
            return self.table_without_rows(item, out);
        };
        let mut rows: Vec<&[Cell]> = chosen.rows.iter().map(Vec::as_slice).collect();
        if column_count(&rows) == 0 {
            return self.table_without_rows(item, out);
        }
        if let Some(note) = chosen.note() {
            self.warnings.push(Warning::page(
                self.page,
                "table_source",
                format!("a table: {note}"),
            ));
        }
        if !chosen.before.is_empty() {
            out.push(&chosen.before);
            out.push("\n\n");
        }
        let mut owners = Vec::new();
        let conts_chosen: Vec<_> = conts
            .iter()
            .map(|c| choose(c.item, self.opts.table_source))
            .collect();
        if let Some(plan) = self.plan {
            rows.truncate(rows.len().saturating_sub(plan.trim_end(idx)));
        }
        let own = rows.len();
        for (c, chosen) in conts.iter().zip(&conts_chosen) {
            let Some(chosen) = chosen else { continue };
            let trim = self.plan.map_or(0, |p| p.trim_end(c.walk_index));
            let end = chosen.rows.len().saturating_sub(trim);
            for r in chosen.rows.iter().take(end).skip(c.skip) {
                rows.push(r);
                owners.push(c);
            }
        }
        let ranges = match self.opts.tables {
            TableFormat::Markdown => table::gfm(
                &rows,
                self.opts.table_style,
                &self.opts.cell_line_break,
                out,
            ),
            TableFormat::Html => match item.html.as_deref().map(html_block) {
                Some(h)
                    if conts.is_empty()
                        && h.starts_with('<')
                        && matches!(chosen.source, Source::Rows | Source::Html) =>
                {
                    out.push(&h);
                    Vec::new()
                }
                _ => table::html(&rows, out),
            },
        };
        // A continued table's span is the lines of its rows inside the merged table.
        for c in conts {
            let mine = ranges
                .iter()
                .skip(own)
                .zip(&owners)
                .filter(|(_, o)| o.walk_index == c.walk_index)
                .map(|(r, _)| r.clone());
            let bounds = mine.fold(None, |acc: Option<std::ops::Range<usize>>, r| {
                Some(acc.map_or(r.clone(), |a| a.start.min(r.start)..a.end.max(r.end)))
            });
            if let Some(bytes) = bounds {
                self.spans.push(ItemSpan {
                    walk_index: c.walk_index,
                    page: c.page,
                    bytes,
                });
            }
        }
        for chosen in std::iter::once(Some(&chosen)).chain(conts_chosen.iter().map(Option::as_ref))
        {
            if let Some(after) = chosen.map(|c| c.after.as_str()).filter(|a| !a.is_empty()) {
                out.push("\n\n");
                out.push(after);
            }
        }
    }

    /// A table with no cells but some other rendering (seen in v1 responses).
    fn table_without_rows(&mut self, item: &Item, out: &mut Out) {
        let md = item.md().trim();
        let html = item.html.as_deref().map(html_block).unwrap_or_default();
        let csv = item.csv.as_deref().unwrap_or("").trim();
        let (text, what) = match self.opts.tables {
            TableFormat::Html if !html.is_empty() => (html, "html"),
            _ if !md.is_empty() => (md.to_owned(), "md"),
            _ if !html.is_empty() => (html, "html"),
            // Only CSV: its cells are plain data, so render them like `rows` rather than drop
            // the table.
            _ if !csv.is_empty() => {
                let grid = crate::tables::grid_from_csv(csv);
                let rows: Vec<Vec<Cell>> = grid
                    .cells
                    .into_iter()
                    .map(|r| r.into_iter().map(Cell::Text).collect())
                    .collect();
                let mut text = String::new();
                match self.opts.tables {
                    TableFormat::Html => table::render_table_html(&rows, &mut text),
                    _ => table::render_table_markdown(&rows, self.opts, &mut text),
                }
                self.warnings.push(Warning::page(
                    self.page,
                    "table_without_rows",
                    "a table has no rows; it is rendered from its csv".to_owned(),
                ));
                out.push(text.trim_end());
                return;
            }
            _ => return,
        };
        out.push(&text);
        self.warnings.push(Warning::page(
            self.page,
            "table_without_rows",
            format!("a table has no rows; its {what} is written as the server gave it"),
        ));
    }

    fn image(&mut self, item: &Item, out: &mut Out) {
        if self.opts.images == ImageStyle::Omit {
            return;
        }
        let caption = item.caption.as_deref().unwrap_or("");
        let url = item.url.as_deref().unwrap_or("");
        if caption.trim().is_empty() && url.trim().is_empty() {
            return;
        }
        out.push(&format!(
            "![{}]({})",
            escape_link_text(caption),
            encode_url(url)
        ));
    }

    fn link(&mut self, item: &Item, out: &mut Out) {
        let text = item.text.as_deref().unwrap_or("").trim();
        let url = item.url.as_deref().unwrap_or("").trim();
        let rendered = match self.opts.links {
            _ if text.is_empty() && url.is_empty() => item.md().trim().to_owned(),
            LinkStyle::Text if text.is_empty() => escape_text(url),
            LinkStyle::Text => escape_text(text),
            LinkStyle::Annotate if url.is_empty() => escape_text(text),
            LinkStyle::Annotate if (text.is_empty() || text == url) && is_autolink(url) => {
                format!("<{url}>")
            }
            LinkStyle::Annotate => {
                let shown = if text.is_empty() { url } else { text };
                format!("[{}]({})", escape_link_text(shown), encode_url(url))
            }
        };
        out.push(&rendered);
    }

    fn unknown(&mut self, item: &Item, out: &mut Out) {
        let kind = item.unknown_type().unwrap_or("unknown").to_owned();
        let md = item.md().trim();
        let text = if md.is_empty() {
            escape_text(item.plain_text().trim())
        } else {
            md.to_owned()
        };
        if self.unknown_seen.insert(kind.clone()) {
            let what = if text.is_empty() {
                "has no text and is left out"
            } else {
                "is written from its md"
            };
            self.warnings.push(Warning::page(
                self.page,
                "unknown_item",
                format!("an item of unknown type `{kind}` {what}"),
            ));
        }
        out.push(&text);
    }
}

/// A text item's markdown: its `md`, else its escaped `value`.
fn text_md(item: &Item) -> std::borrow::Cow<'_, str> {
    match item.md() {
        "" => escape_text(item.value.as_deref().unwrap_or("")).into(),
        md => md.into(),
    }
}

/// A heading's inline content from its `md`: the ATX marks and closing sequence removed,
/// lines (and setext underlines) folded into one line.
pub(crate) fn heading_text(md: &str) -> String {
    let mut t = md.trim();
    let hashes = t.bytes().take_while(|b| *b == b'#').count();
    if (1..=6).contains(&hashes) && t[hashes..].chars().next().is_none_or(char::is_whitespace) {
        t = t[hashes..].trim_start();
    }
    let mut text = t
        .lines()
        .map(str::trim)
        // Setext underlines are not heading text.
        .filter(|l| !(l.is_empty() || l.chars().all(|c| c == '=') || l.chars().all(|c| c == '-')))
        .collect::<Vec<_>>()
        .join(" ");
    let without = text.trim_end_matches('#');
    if without.len() < text.len() && (without.is_empty() || without.ends_with(' ')) {
        text = without.trim_end().to_owned();
    }
    text
}

/// The start number of an ordered list, read from its `md` (`3. ...` starts at 3).
pub(crate) fn list_start(md: &str) -> u64 {
    let t = md.trim_start();
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    if (1..=9).contains(&digits) && matches!(t.as_bytes().get(digits), Some(b'.' | b')')) {
        t[..digits].parse().unwrap_or(1)
    } else {
        1
    }
}

/// An entry's `md` without a list marker the server left in it (when its `value` has none).
fn strip_own_marker<'s>(md: &'s str, value: Option<&str>) -> &'s str {
    let marker_len = |s: &str| -> Option<usize> {
        if s.starts_with(['-', '*', '+']) && s[1..].starts_with(' ') {
            return Some(2);
        }
        let d = s.bytes().take_while(u8::is_ascii_digit).count();
        ((1..=9).contains(&d)
            && matches!(s.as_bytes().get(d), Some(b'.' | b')'))
            && s[d + 1..].starts_with(' '))
        .then_some(d + 2)
    };
    match (marker_len(md), value) {
        (Some(n), Some(v)) if marker_len(v.trim()).is_none() => md[n..].trim_start(),
        _ => md,
    }
}

fn code(item: &Item, out: &mut Out) {
    let content = match item.value.as_deref() {
        Some(v) => v,
        None => strip_fence(item.md()),
    };
    let content = content.trim_end_matches(['\n', '\r']);
    let fence = fence_for(content);
    out.push(&fence);
    out.push(&info_string(item.language.as_deref().unwrap_or("")));
    out.push("\n");
    if !content.is_empty() {
        out.push(content);
        out.push("\n");
    }
    out.push(&fence);
}

/// The code inside a fenced `md` (or the `md` itself when it is not fenced).
pub(crate) fn strip_fence(md: &str) -> &str {
    let t = md.trim();
    if !(t.starts_with("```") || t.starts_with("~~~")) {
        return md;
    }
    let Some((_, body)) = t.split_once('\n') else {
        return "";
    };
    match body.rsplit_once('\n') {
        Some((inner, last)) if last.trim_start().starts_with(['`', '~']) => inner,
        None if body.trim_start().starts_with(['`', '~']) => "",
        _ => body,
    }
}

/// Whether `w` is the [`merged_table_elsewhere`] warning of a merge stub in `walk` whose
/// table is on a page in `earlier`: pages rendered from the item tree by an earlier batch of
/// the same document (a whole read renders them together and gives no such warning).
pub(crate) fn stub_rendered_before(
    walk: &[pagetree_model::ItemRef<'_>],
    w: &Warning,
    earlier: &std::collections::BTreeSet<u32>,
) -> bool {
    let Some(page) = w.page.filter(|_| w.code == "merged_table_elsewhere") else {
        return false;
    };
    walk.iter()
        .filter(|r| r.page == page)
        .filter_map(|r| r.item.merged_into_page)
        .any(|h| earlier.contains(&h) && merged_table_elsewhere(page, h) == *w)
}

/// The warning for a merge stub on `page` whose table, on page `head`, is not rendered from
/// the item tree.
pub(crate) fn merged_table_elsewhere(page: u32, head: u32) -> Warning {
    Warning::page(
        page,
        "merged_table_elsewhere",
        format!(
            "a table here was merged into the table on page {head}, which is not rendered \
             from the item tree; its rows are not in the output"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn render(v: serde_json::Value, opts: &MarkdownOptions) -> String {
        let item: Item = serde_json::from_value(v).unwrap();
        let mut s = String::new();
        render_item(&item, opts, &mut s);
        s
    }

    fn md(v: serde_json::Value) -> String {
        render(v, &MarkdownOptions::default())
    }

    #[test]
    fn headings_take_their_level_not_their_md_marks() {
        assert_eq!(
            md(json!({"type": "heading", "level": 3, "md": "# Title *x* #"})),
            "### Title *x*"
        );
        assert_eq!(
            md(json!({"type": "heading", "level": 2, "md": "Two\nlines"})),
            "## Two lines"
        );
        assert_eq!(
            md(json!({"type": "heading", "level": 9, "value": "# raw"})),
            "###### \\# raw"
        );
        assert_eq!(md(json!({"type": "heading", "level": 1, "md": "#"})), "");
    }

    #[test]
    fn nested_lists_are_rebuilt_from_entries() {
        let list = json!({"type": "list", "ordered": true, "md": "3. a", "items": [
            {"type": "text", "md": "a"},
            {"type": "text", "md": "b\ncontinued"},
            {"type": "list", "ordered": false, "items": [
                {"type": "text", "md": "* x", "value": "x"},
                {"type": "text", "md": "1. literal", "value": "1. literal"}]},
            {"type": "text", "md": "c"}]});
        assert_eq!(
            md(list),
            "3. a\n4. b\n   continued\n   - x\n   - 1\\. literal\n5. c"
        );
        let nested_ordered = json!({"type": "list", "items": [
            {"type": "text", "md": "a"},
            {"type": "list", "ordered": true, "md": "2. b", "items": [{"type": "text", "md": "b"}]}]});
        assert_eq!(md(nested_ordered), "- a\n\n  2. b");
    }

    #[test]
    fn code_fences_outgrow_the_content() {
        assert_eq!(
            md(json!({"type": "code", "language": "py", "value": "a = '```'\n"})),
            "````py\na = '```'\n````"
        );
        assert_eq!(
            md(json!({"type": "code", "md": "```\nx\n```"})),
            "```\nx\n```"
        );
        assert_eq!(md(json!({"type": "code", "value": ""})), "```\n```");
    }

    #[test]
    fn links_and_images_follow_the_options() {
        let link = json!({"type": "link", "text": "Site", "url": "https://a.example/x y"});
        assert_eq!(md(link.clone()), "Site");
        let annotate = MarkdownOptions {
            links: LinkStyle::Annotate,
            images: ImageStyle::Omit,
            ..MarkdownOptions::default()
        };
        assert_eq!(render(link, &annotate), "[Site](https://a.example/x%20y)");
        assert_eq!(
            render(
                json!({"type": "link", "text": "http://a.example", "url": "http://a.example"}),
                &annotate
            ),
            "<http://a.example>"
        );
        let image = json!({"type": "image", "caption": "A [b]", "url": "img.png"});
        assert_eq!(md(image.clone()), "![A \\[b\\]](img.png)");
        assert_eq!(render(image, &annotate), "");
    }

    #[test]
    fn containers_and_unknown_items() {
        assert_eq!(
            md(json!({"type": "footer", "items": [
                {"type": "text", "md": "a "},
                {"type": "link", "text": "b", "url": "u"},
                {"type": "text", "md": "."}]})),
            "a b."
        );
        assert_eq!(md(json!({"type": "chart", "md": "Bar chart"})), "Bar chart");
    }

    #[test]
    fn tables_without_rows_fall_back_to_their_md() {
        assert_eq!(
            md(json!({"type": "table", "rows": [], "md": "|a|\n|-|"})),
            "|a|\n|-|"
        );
        assert_eq!(
            md(json!({"type": "table", "rows": [], "md": "", "merged_into_page": 2})),
            ""
        );
    }
}
