//! Plain text from a document, with the same page options as markdown: the server's
//! `text.pages`, or text built from the item tree's values.
//!
//! From items: headings, paragraphs and code as their text; lists with `•` or `1.` markers,
//! nested entries indented; tables one row per line with cells separated by tabs; links as
//! their text; images left out (they have no text, only a caption describing them).
//!
//! ```
//! use pagetree_convert::text::{self, TextOptions};
//!
//! let json = br##"{"pages": [{"page_number": 1, "items": [
//!     {"type": "heading", "level": 1, "md": "# *Hi*", "value": "Hi"},
//!     {"type": "list", "ordered": false, "items": [{"type": "text", "md": "**a**", "value": "a"}]}]}]}"##;
//! let doc = pagetree_model::load_document(json, None).unwrap();
//! assert_eq!(text::render(&doc, &TextOptions::default()).output, "Hi\n\n• a\n");
//! ```

use std::io::{self, Write};

use std::borrow::Cow;

use pagetree_model::{Document, Item, ItemKind};
use serde_json::{Map, Value};

use crate::furniture::{Detected, Furniture, FurnitureMode, no_furniture, page_furniture};
use crate::layout::{BlockWriter, walk_indices, write_blocks};
use crate::markdown::{heading_text, strip_fence};
use crate::pages::{
    self, ItemSpan, PageContent, PageKind, PageOptions, PlannedPage, Rendered, ServerList,
};
use crate::tables::{CellText, Source, TableSource, choose};
use crate::warning::Warning;
use crate::writer::Out;

/// Text rendering options.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct TextOptions {
    /// Source, page selection, separators, prefixes, headers/footers and failed pages.
    /// Default: [`PageOptions::default`] (items, all pages, `"\n---\n"`, furniture kept,
    /// failed pages replaced by their raw text).
    pub pages: PageOptions,
    /// Which representation of a table item to write, cells as plain text, tab-separated;
    /// with [`TableSource::Best`] the text that only a table's `md` holds follows it.
    /// Default: [`TableSource::Best`].
    pub table_source: TableSource,
}

impl TextOptions {
    /// Applies the API's page options present in `params`; see
    /// [`PageOptions::apply_parameters`]. Returns what was ignored.
    pub fn apply_parameters(&mut self, params: &Map<String, Value>) -> Vec<Warning> {
        self.pages.apply_parameters(params)
    }
}

/// Renders the document as plain text.
pub fn render(doc: &Document, opts: &TextOptions) -> Rendered {
    let mut plan = pages::plan(doc, &opts.pages, ServerList::Text);
    plan.warnings.extend(server_warnings(&plan.pages, opts));
    let detected = opts.pages.detect.resolve(doc);
    plan.warnings
        .extend(no_furniture(doc, &opts.pages, detected.as_deref()));
    pages::render(plan, &opts.pages, |p| page(p, opts, detected.as_deref()))
}

/// Renders the document as plain text straight into `w`, a batch of pages at a time. Returns
/// the warnings.
pub fn write<W: Write + ?Sized>(
    doc: &Document,
    opts: &TextOptions,
    w: &mut W,
) -> io::Result<Vec<Warning>> {
    let mut plan = pages::plan(doc, &opts.pages, ServerList::Text);
    plan.warnings.extend(server_warnings(&plan.pages, opts));
    let detected = opts.pages.detect.resolve(doc);
    plan.warnings
        .extend(no_furniture(doc, &opts.pages, detected.as_deref()));
    pages::write(plan, &opts.pages, |p| page(p, opts, detected.as_deref()), w)
}

/// The server's text has headers and footers baked into its layout.
fn server_warnings(pages: &[PlannedPage<'_>], opts: &TextOptions) -> Vec<Warning> {
    let server = pages.iter().any(|p| p.kind == PageKind::Server);
    let changed =
        opts.pages.headers != FurnitureMode::Keep || opts.pages.footers != FurnitureMode::Keep;
    if server && changed {
        vec![Warning::doc(
            "option_ignored",
            "the server's text (text.pages) includes page headers and footers; they cannot be \
             hidden or wrapped there (render from items for that)",
        )]
    } else {
        Vec::new()
    }
}

fn page(p: &PlannedPage<'_>, opts: &TextOptions, detected: Option<&Detected>) -> PageContent {
    if p.kind != PageKind::Items {
        let t = p.page.text().unwrap_or("");
        return PageContent {
            text: t.trim_end().trim_start_matches(['\n', '\r']).to_owned(),
            ..PageContent::default()
        };
    }
    let mut w = TextWriter {
        opts,
        page: p.page.number(),
        spans: Vec::new(),
    };
    let items = p.page.items();
    let classes = page_furniture(&p.page, detected);
    let walk = walk_indices(items, p.walk_base);
    let mut out = Out::default();
    write_blocks(&mut w, items, &walk, Some(&classes), &mut out);
    PageContent {
        text: out.buf,
        spans: w.spans,
        warnings: Vec::new(),
    }
}

struct TextWriter<'o> {
    opts: &'o TextOptions,
    page: u32,
    spans: Vec<ItemSpan>,
}

impl<'i, 'o> BlockWriter<'i, 'o> for TextWriter<'o> {
    fn furniture(&self, layer: Furniture) -> &'o FurnitureMode {
        self.opts.pages.furniture(layer)
    }

    fn write_run(&mut self, items: &'i [Item], walk: &[usize], out: &mut Out) {
        if let [item] = items {
            self.item(item, walk[0], out);
            return;
        }
        // A paragraph split at links: values keep their edge spaces inside.
        let last = items.len() - 1;
        for (k, (item, &idx)) in items.iter().zip(walk).enumerate() {
            let s = out.start();
            let t = inline_text(item);
            let t = if k == 0 { t.trim_start() } else { t };
            let t = if k == last { t.trim_end() } else { t };
            out.push(t);
            self.span(idx, s, out);
        }
    }
}

impl TextWriter<'_> {
    fn span(&mut self, walk_index: usize, start: usize, out: &Out) {
        if let Some(bytes) = out.since(start) {
            self.spans.push(ItemSpan {
                walk_index,
                page: self.page,
                bytes,
            });
        }
    }

    fn item(&mut self, item: &Item, idx: usize, out: &mut Out) {
        let start = out.start();
        self.content(item, idx, out);
        self.span(idx, start, out);
    }

    fn content(&mut self, item: &Item, idx: usize, out: &mut Out) {
        match item.kind() {
            ItemKind::Heading => match item.value.as_deref() {
                Some(v) => out.push(v.trim()),
                None => out.push(&heading_text(item.md())),
            },
            ItemKind::Text | ItemKind::Link | ItemKind::Unknown => {
                out.push(inline_text(item).trim());
            }
            ItemKind::Code => {
                let v = match item.value.as_deref() {
                    Some(v) => v,
                    None => strip_fence(item.md()),
                };
                out.push(v.trim_end());
            }
            ItemKind::Table => {
                let Some(chosen) = choose(item, self.opts.table_source) else {
                    return;
                };
                let plain = |md: &str| {
                    md.lines()
                        .map(|l| CellText::Text.apply(l).into_owned())
                        .collect::<Vec<_>>()
                        .join("\n")
                };
                let mut parts = Vec::new();
                if !chosen.before.is_empty() {
                    parts.push(plain(&chosen.before));
                }
                let lines: Vec<String> = chosen
                    .rows
                    .iter()
                    .map(|r| {
                        r.iter()
                            .map(|c| {
                                let text = c.as_text();
                                let text = match chosen.source {
                                    // `rows` as the server wrote them, as before.
                                    Source::Rows => text,
                                    _ => Cow::Owned(CellText::Text.apply(&text).into_owned()),
                                };
                                text.trim().replace(['\n', '\t'], " ")
                            })
                            .collect::<Vec<_>>()
                            .join("\t")
                    })
                    .collect();
                parts.push(lines.join("\n"));
                if !chosen.after.is_empty() {
                    parts.push(plain(&chosen.after));
                }
                out.push(&parts.join("\n\n"));
            }
            ItemKind::Image => {}
            ItemKind::List => self.list(item, idx, out),
            ItemKind::Header | ItemKind::Footer => {
                let children = item.children();
                let walk = walk_indices(children, idx + 1);
                write_blocks(self, children, &walk, None, out);
            }
            // Kinds added to the model later keep their inline text, as unknown ones do.
            _ => out.push(inline_text(item).trim()),
        }
    }

    fn list(&mut self, item: &Item, idx: usize, out: &mut Out) {
        let ordered = item.ordered == Some(true);
        let mut number = if ordered {
            crate::markdown::list_start(item.md())
        } else {
            1
        };
        let children = item.children();
        let walk = walk_indices(children, idx + 1);
        let mut width = 0;
        let mut first = true;
        for (child, &cidx) in children.iter().zip(&walk) {
            let mark = out.len();
            if !first {
                out.push("\n");
            }
            let body = out.len();
            if child.kind() == ItemKind::List {
                out.indented(width, |o| self.item(child, cidx, o));
            } else {
                let marker = if ordered {
                    format!("{number}. ")
                } else {
                    "• ".to_owned()
                };
                number += 1;
                width = marker.chars().count();
                let start = out.start();
                out.push(&marker);
                out.indented(width, |o| self.content(child, cidx, o));
                self.span(cidx, start, out);
            }
            if out.len() == body {
                out.truncate(mark);
            } else {
                first = false;
            }
        }
    }
}

/// An item's text as it sits inside a paragraph (values keep their edge spaces).
fn inline_text(item: &Item) -> &str {
    match item.kind() {
        ItemKind::Link => match item.text.as_deref().map(str::trim) {
            Some(t) if !t.is_empty() => t,
            _ => item.url.as_deref().unwrap_or(""),
        },
        _ => item.plain_text(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn render(v: serde_json::Value, opts: &TextOptions) -> String {
        let doc = pagetree_model::load_document(v.to_string().as_bytes(), None).unwrap();
        super::render(&doc, opts).output
    }

    #[test]
    fn items_become_plain_text() {
        let v = json!({"pages": [{"page_number": 1, "items": [
            {"type": "header", "items": [{"type": "text", "md": "Head", "value": "Head"}]},
            {"type": "text", "md": "See ", "value": "See "},
            {"type": "link", "text": "the site", "url": "u"},
            {"type": "text", "md": ".", "value": "."},
            {"type": "list", "ordered": true, "items": [
                {"type": "text", "value": "one"},
                {"type": "list", "items": [{"type": "text", "value": "inner"}]},
                {"type": "text", "value": "two"}]},
            {"type": "table", "rows": [["a", 1], ["b\nc", null]]},
            {"type": "image", "caption": "x", "url": "y"},
            {"type": "code", "md": "```\nx = 1\n```"}]}]});
        assert_eq!(
            render(v.clone(), &TextOptions::default()),
            "Head\n\nSee the site.\n\n1. one\n   • inner\n2. two\n\na\t1\nb c\t\n\nx = 1\n"
        );
        let mut hide = TextOptions::default();
        hide.pages.headers = FurnitureMode::Hide;
        assert!(render(v, &hide).starts_with("See the site."));
    }
}
