//! Markdown from a document, with the rendering options LlamaParse users know from the v1 API
//! (which the v2 API no longer applies): page separators, prefixes and suffixes, headers and
//! footers, failed pages, HTML or compact tables, cross-page table merging, link annotation
//! and inline images.
//!
//! Pages come from the item tree (re-rendered as proper markdown by [`render_item`]) or from
//! the server's page markdown ([`Source`](crate::Source)). Pages are rendered in parallel on the
//! caller's rayon pool and joined in page order, so the output never depends on the thread
//! count. [`Rendered::spans`] maps every rendered item (by [`Document::walk`] index) to its
//! bytes in the output.
//!
//! ```
//! use pagetree_convert::markdown::{self, MarkdownOptions, TableFormat};
//!
//! let json = br###"{"pages": [
//!   {"page_number": 1, "items": [{"type": "heading", "level": 2, "md": "## Prices"},
//!     {"type": "table", "rows": [["Item", "EUR"], ["Tea", 2.5]]}]},
//!   {"page_number": 2, "items": [{"type": "text", "md": "The end."}]}]}"###;
//! let doc = pagetree_model::load_document(json, Some("prices.json")).unwrap();
//! let out = markdown::render(&doc, &MarkdownOptions::default());
//! assert_eq!(out.output, "## Prices\n\n| Item | EUR |\n| --- | --- |\n| Tea | 2.5 |\n\n---\nThe end.\n");
//! assert_eq!(&out.output[out.span(1).unwrap().bytes.clone()], "| Item | EUR |\n| --- | --- |\n| Tea | 2.5 |");
//!
//! let mut opts = MarkdownOptions::default();
//! opts.tables = TableFormat::Html;
//! opts.pages.separator = "\n<!-- page {pageNumber} -->\n".into();
//! let out = markdown::render(&doc, &opts);
//! assert!(out.output.contains("<tr><td>Tea</td><td>2.5</td></tr>\n</table>\n\n<!-- page 2 -->\nThe end."));
//! ```

mod escape;
mod merge;
mod render;
mod table;

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::io::{self, Write};

use pagetree_model::{Document, Page};
use serde_json::{Map, Value};

pub use escape::{
    encode_url, escape_block_start, escape_cell, escape_link_text, escape_text, fence_for,
    html_block, info_string, is_autolink,
};
pub use render::render_item;
pub(crate) use render::{heading_text, list_start, strip_fence};
pub use table::{TableStyle, column_count, render_table_html, render_table_markdown};
// The chunker re-renders tables with the renderer's own writers to find each row's line.
pub(crate) use merge::MergePlan;
pub(crate) use table::{gfm as gfm_rows, html as html_rows};

use crate::furniture::{Detected, FurnitureMode, contains_words, no_furniture};
use crate::pages::{self, PageContent, PageKind, PageOptions, PlannedPage, Rendered, ServerList};
use crate::params::Params;
pub use crate::tables::TableSource;
use crate::warning::Warning;
use crate::writer::Out;
use render::Renderer;

/// How tables are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum TableFormat {
    /// GFM pipe tables re-rendered from `rows` (`output_tables_as_HTML: false`).
    #[default]
    Markdown,
    /// HTML tables: the item's `html`, else generated from `rows` (`output_tables_as_HTML:
    /// true`).
    Html,
}

/// How link items are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum LinkStyle {
    /// The link's text only (`annotate_links: false`, the API's default).
    #[default]
    Text,
    /// `[text](url)`, or `<url>` when the text is the URL (`annotate_links: true`).
    Annotate,
}

/// How image items are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ImageStyle {
    /// `![caption](url)`, as v2 page markdown has them (`inline_images_in_markdown: true`).
    #[default]
    Inline,
    /// Left out (`inline_images_in_markdown: false`).
    Omit,
}

/// Markdown rendering options. The API's option names are given with each field; they are
/// read by [`MarkdownOptions::apply_parameters`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MarkdownOptions {
    /// Source, page selection, separators, prefixes, headers/footers and failed pages.
    /// Default: [`PageOptions::default`] (items, all pages, `"\n---\n"`, furniture kept, failed
    /// pages replaced by their raw text).
    pub pages: PageOptions,
    /// Tables as GFM or HTML (`output_tables_as_HTML`). Default: [`TableFormat::Markdown`].
    pub tables: TableFormat,
    /// Layout of GFM tables (`compact_markdown_table`). Default: [`TableStyle::Padded`].
    pub table_style: TableStyle,
    /// What a line break inside a GFM table cell becomes
    /// (`markdown_table_multiline_header_separator`; applied to every cell, since no cell can
    /// span lines). Default: `"<br/>"`.
    pub cell_line_break: String,
    /// Also merge tables the server left split across a page break
    /// (`merge_tables_across_pages_in_markdown`); see "Merged tables" in `docs/cli.md`.
    /// Tables the server merged are always rendered whole on their first page. Default: false.
    pub merge_tables: bool,
    /// Link items (`annotate_links`). Default: [`LinkStyle::Text`].
    pub links: LinkStyle,
    /// Image items (`inline_images_in_markdown`). Default: [`ImageStyle::Inline`].
    pub images: ImageStyle,
    /// Which representation of a table item to render (`--table-source`): by default the
    /// most complete of `rows`, `html` and `md`, with the markdown that only `md` holds
    /// written after the table. Default: [`TableSource::Best`].
    pub table_source: TableSource,
}

impl Default for MarkdownOptions {
    fn default() -> Self {
        MarkdownOptions {
            pages: PageOptions::default(),
            tables: TableFormat::Markdown,
            table_style: TableStyle::Padded,
            cell_line_break: "<br/>".into(),
            merge_tables: false,
            links: LinkStyle::Text,
            images: ImageStyle::Inline,
            table_source: TableSource::Best,
        }
    }
}

impl MarkdownOptions {
    /// Applies the API's options present in `params` (a response's `raw_parameters` or a batch
    /// job's `parameters`): the page options of [`PageOptions::apply_parameters`] plus
    /// `output_tables_as_HTML`, `compact_markdown_table`,
    /// `markdown_table_multiline_header_separator`, `merge_tables_across_pages_in_markdown`,
    /// `annotate_links` and `inline_images_in_markdown`. Returns what was ignored.
    pub fn apply_parameters(&mut self, params: &Map<String, Value>) -> Vec<Warning> {
        let mut p = Params::new(params);
        self.pages.apply(&mut p);
        if let Some(b) = p.boolean("output_tables_as_HTML") {
            self.tables = if b {
                TableFormat::Html
            } else {
                TableFormat::Markdown
            };
        }
        match p.boolean("compact_markdown_table") {
            Some(true) => self.table_style = TableStyle::Compact,
            Some(false) if self.table_style == TableStyle::Compact => {
                self.table_style = TableStyle::Padded;
            }
            _ => {}
        }
        if let Some(s) = p.string("markdown_table_multiline_header_separator") {
            self.cell_line_break = s;
        }
        if let Some(b) = p.boolean("merge_tables_across_pages_in_markdown") {
            self.merge_tables = b;
        }
        if let Some(b) = p.boolean("annotate_links") {
            self.links = if b {
                LinkStyle::Annotate
            } else {
                LinkStyle::Text
            };
        }
        if let Some(b) = p.boolean("inline_images_in_markdown") {
            self.images = if b {
                ImageStyle::Inline
            } else {
                ImageStyle::Omit
            };
        }
        p.warnings
    }

    /// The item-tree options that differ from their defaults (they cannot apply to the
    /// server's markdown).
    fn item_only_options(&self) -> Vec<&'static str> {
        let d = MarkdownOptions::default();
        let mut v = Vec::new();
        if self.tables != d.tables {
            v.push("tables");
        }
        if self.table_style != d.table_style {
            v.push("table style");
        }
        if self.cell_line_break != d.cell_line_break {
            v.push("cell line break");
        }
        if self.merge_tables {
            v.push("table merging");
        }
        if self.links != d.links {
            v.push("links");
        }
        if self.images != d.images {
            v.push("images");
        }
        v
    }
}

/// Renders the document as markdown.
pub fn render(doc: &Document, opts: &MarkdownOptions) -> Rendered {
    let mut plan = pages::plan(doc, &opts.pages, ServerList::Markdown);
    let ctx = Context::new(doc, opts, &plan.pages);
    plan.warnings.extend(ctx.warnings(doc, &plan.pages));
    pages::render(plan, &opts.pages, |p| ctx.page(p))
}

/// Renders the document as markdown straight into `w`, a batch of pages at a time (the same
/// bytes as [`render`]'s output, without holding all of it). Returns the warnings.
pub fn write<W: Write + ?Sized>(
    doc: &Document,
    opts: &MarkdownOptions,
    w: &mut W,
) -> io::Result<Vec<Warning>> {
    let mut plan = pages::plan(doc, &opts.pages, ServerList::Markdown);
    let ctx = Context::new(doc, opts, &plan.pages);
    plan.warnings.extend(ctx.warnings(doc, &plan.pages));
    pages::write(plan, &opts.pages, |p| ctx.page(p), w)
}

/// What every page's rendering needs from the whole document.
struct Context<'o, 'a> {
    opts: &'o MarkdownOptions,
    detected: Option<Cow<'o, Detected>>,
    merge: MergePlan<'a>,
    item_pages: BTreeSet<u32>,
    v1: bool,
}

impl<'o, 'a> Context<'o, 'a> {
    fn new(doc: &'a Document, opts: &'o MarkdownOptions, pages: &[PlannedPage<'a>]) -> Self {
        let detected = opts.pages.detect.resolve(doc);
        Context {
            opts,
            merge: MergePlan::new(
                doc,
                pages,
                opts.merge_tables,
                opts.table_source,
                detected.as_deref(),
            ),
            detected,
            item_pages: pages
                .iter()
                .filter(|p| p.kind == PageKind::Items)
                .map(|p| p.page.number())
                .collect(),
            v1: doc.format.is_some_and(|f| f.is_v1()),
        }
    }

    /// Document-level warnings: options that cannot apply to server pages, and hiding
    /// furniture in a document that has none.
    fn warnings(&self, doc: &Document, pages: &[PlannedPage<'a>]) -> Vec<Warning> {
        let mut out = Vec::new();
        out.extend(no_furniture(
            doc,
            &self.opts.pages,
            self.detected.as_deref(),
        ));
        let server = pages.iter().filter(|p| p.kind == PageKind::Server).count();
        let ignored = self.opts.item_only_options();
        if server == 0 || ignored.is_empty() {
            return out;
        }
        out.push(Warning::doc(
            "option_ignored",
            format!(
                "{} the server's markdown as written; these options apply only to pages \
                 rendered from the item tree: {}",
                if server == 1 {
                    "1 page uses".to_owned()
                } else {
                    format!("{server} pages use")
                },
                ignored.join(", ")
            ),
        ));
        out
    }

    fn page(&self, p: &PlannedPage<'a>) -> PageContent {
        match p.kind {
            PageKind::Items => {
                let mut r = Renderer::new(
                    self.opts,
                    Some(&self.merge),
                    Some(&self.item_pages),
                    p.page.number(),
                );
                let mut out = Out::default();
                r.page(&p.page, p.walk_base, self.detected.as_deref(), &mut out);
                PageContent {
                    text: out.buf,
                    spans: r.spans,
                    warnings: r.warnings,
                }
            }
            _ => self.server_page(&p.page),
        }
    }

    /// The server's page markdown with its header and footer handled. v2 page markdown leaves
    /// them out (they are in the page's `header`/`footer`); v1 page markdown includes them.
    fn server_page(&self, page: &Page<'a>) -> PageContent {
        let n = page.number();
        let mut warnings = Vec::new();
        let mut body = page.server_markdown().unwrap_or("").to_owned();
        let mp = page.markdown_page();
        let header = mp.and_then(|m| m.header.as_deref()).map(str::trim);
        let footer = mp.and_then(|m| m.footer.as_deref()).map(str::trim);
        let header = header.filter(|h| !h.is_empty());
        let footer = footer.filter(|f| !f.is_empty());
        let hmode = &self.opts.pages.headers;
        let fmode = &self.opts.pages.footers;
        // Whether the header (footer) text was cut out of a v1 body.
        let mut cut = [false, false];
        if self.v1 {
            // The text is in the body: cut it out unless it is simply kept.
            for (k, text, mode, from_end) in [(0, header, hmode, false), (1, footer, fmode, true)] {
                let Some(t) = text.filter(|_| *mode != FurnitureMode::Keep) else {
                    continue;
                };
                let flat = body.split_whitespace().collect::<Vec<_>>().join(" ");
                // Preferred edge first; a left-hand page's running head can sit at the other.
                let stripped =
                    strip_lines(&body, t, from_end).or_else(|| strip_lines(&body, t, !from_end));
                match stripped {
                    Some(rest) => {
                        body = rest;
                        cut[k] = true;
                    }
                    // Not there at all: nothing to hide.
                    None if !contains_words(&flat, t) => {}
                    None => warnings.push(Warning::page(
                        n,
                        "furniture_not_found",
                        format!(
                            "the page {} is not at the edge of the server markdown; it stays \
                             where it is",
                            if k == 0 { "header" } else { "footer" }
                        ),
                    )),
                }
            }
        }
        let body = body.trim_end();
        let body = body.trim_start_matches(['\n', '\r']);
        let mut parts: Vec<String> = Vec::new();
        let wrapped = |text: &str, mode: &FurnitureMode| {
            let (p, s) = mode.wrap();
            format!("{p}{text}{s}")
        };
        // For v1 a kept header is already in the body; a wrapped one was cut out above.
        let add_header = !self.v1 || cut[0];
        let add_footer = !self.v1 || cut[1];
        if let Some(h) = header.filter(|_| add_header && !hmode.is_hidden()) {
            parts.push(wrapped(h, hmode));
        }
        if !body.is_empty() {
            parts.push(body.to_owned());
        }
        if let Some(f) = footer.filter(|_| add_footer && !fmode.is_hidden()) {
            parts.push(wrapped(f, fmode));
        }
        PageContent {
            text: parts.join("\n\n"),
            spans: Vec::new(),
            warnings,
        }
    }
}

/// `body` without the lines at its start (or end) whose words are exactly the words of
/// `text`; `None` when they are not there.
fn strip_lines(body: &str, text: &str, from_end: bool) -> Option<String> {
    let want: Vec<&str> = text.split_whitespace().collect();
    let lines: Vec<&str> = body.split('\n').collect();
    let order: Vec<usize> = if from_end {
        (0..lines.len()).rev().collect()
    } else {
        (0..lines.len()).collect()
    };
    let mut got: Vec<&str> = Vec::new();
    for (taken, &i) in order.iter().enumerate() {
        let mut words: Vec<&str> = lines[i].split_whitespace().collect();
        if from_end {
            // Compare back to front.
            words.reverse();
        }
        got.extend(words);
        let target: Vec<&str> = if from_end {
            want.iter().rev().copied().collect()
        } else {
            want.clone()
        };
        if !target.starts_with(&got) {
            return None;
        }
        if got.len() == target.len() {
            let keep: Vec<&str> = if from_end {
                lines[..lines.len() - taken - 1].to_vec()
            } else {
                lines[taken + 1..].to_vec()
            };
            return Some(keep.join("\n"));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn furniture_lines_are_cut_from_v1_page_markdown() {
        let body = "\n\nGENETICS | PRIMER\nWormBook.org\n\n# Title\n\nText\n\nPrimer 389\n";
        assert_eq!(
            strip_lines(body, "\nGENETICS | PRIMER\nWormBook.org\n", false).as_deref(),
            Some("\n# Title\n\nText\n\nPrimer 389\n")
        );
        assert_eq!(
            strip_lines(body, "Primer  389", true).as_deref(),
            Some("\n\nGENETICS | PRIMER\nWormBook.org\n\n# Title\n\nText\n")
        );
        assert_eq!(strip_lines(body, "Not there", false), None);
    }

    #[test]
    fn api_names_map_onto_markdown_options() {
        let mut o = MarkdownOptions::default();
        let params = json!({"output_tables_as_HTML": true, "compact_markdown_table": true,
            "markdown_table_multiline_header_separator": " / ",
            "merge_tables_across_pages_in_markdown": true, "annotate_links": true,
            "inline_images_in_markdown": false, "hide_footers": true});
        let w = o.apply_parameters(params.as_object().unwrap());
        assert!(w.is_empty());
        assert_eq!(o.tables, TableFormat::Html);
        assert_eq!(o.table_style, TableStyle::Compact);
        assert_eq!(o.cell_line_break, " / ");
        assert!(o.merge_tables);
        assert_eq!(o.links, LinkStyle::Annotate);
        assert_eq!(o.images, ImageStyle::Omit);
        assert_eq!(o.pages.footers, FurnitureMode::Hide);
        let back = json!({"compact_markdown_table": false});
        o.apply_parameters(back.as_object().unwrap());
        assert_eq!(o.table_style, TableStyle::Padded);
    }
}
