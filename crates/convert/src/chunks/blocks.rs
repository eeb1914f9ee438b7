//! The blocks chunks are made of: every top-level item the markdown renderer wrote (a paragraph
//! the server split at links counts as one, a table merged across pages holds its parts), and
//! the text of failed or server-rendered pages, each with its bytes in the document markdown,
//! its heading path and the failed-page barrier it sits behind.

use std::ops::Range;

use pagetree_model::{Document, ItemKind, ItemRef};

use crate::elements::heading_text;
use crate::fence::FenceIndex;
use crate::markdown::column_count;
use crate::pages::{FailedPageMode, PageKind, PageOptions, Rendered, RenderedPage, fill};

/// What a block is, which decides how it may be split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BlockKind {
    /// A heading (split only when a single heading exceeds the limit).
    Heading,
    /// A paragraph, link, image, unknown item or furniture container.
    Text,
    /// A list: split between entries.
    List,
    /// A fenced code block: split between lines, each piece fenced again.
    Code,
    /// A table with rows: split between rows, the header repeated.
    Table,
    /// A table without rows written from its `md`/`html`: split between lines.
    Lines,
    /// The text of a failed page or of a page taken from the server's markdown.
    PageText,
}

impl BlockKind {
    /// Text that may overlap into the next chunk.
    pub fn is_prose(self) -> bool {
        matches!(
            self,
            BlockKind::Text | BlockKind::List | BlockKind::PageText
        )
    }
}

/// Where a block's text came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    /// Rendered from the item tree.
    Items,
    /// The server's page markdown.
    Server,
    /// The replacement text of a failed page.
    FailedPage,
}

impl Origin {
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Items => "items",
            Origin::Server => "server",
            Origin::FailedPage => "failed_page",
        }
    }
}

/// One block of the document markdown.
#[derive(Debug, Clone)]
pub(crate) struct Block {
    pub kind: BlockKind,
    pub origin: Origin,
    /// Its bytes in the document markdown.
    pub range: Range<usize>,
    /// Walk indices of its top-level items: one, the items of a paragraph run, or a table and
    /// the tables merged into it.
    pub items: Vec<usize>,
    /// Page of a page-text block (item blocks take their pages from their items).
    pub page: Option<u32>,
    /// The heading path at the block; a heading's includes itself.
    pub context: Vec<String>,
    /// For a heading: its own position in `context`.
    pub opens: Option<usize>,
    /// Blocks on different sides of a failed page (or a failed page's own text) have
    /// different segments and never share a chunk.
    pub segment: usize,
}

/// Cuts the markdown into blocks, in output order.
pub(crate) fn blocks(
    doc: &Document,
    walk: &[ItemRef<'_>],
    md: &Rendered,
    paths: &[Vec<String>],
    pages: &PageOptions,
    fences: &FenceIndex,
) -> Vec<Block> {
    // Top-level spans in output order; a merged-in table's span lies inside its head's.
    let mut spans: Vec<(Range<usize>, usize)> = md
        .spans
        .iter()
        .filter(|s| walk.get(s.walk_index).is_some_and(|r| r.depth == 0))
        .map(|s| (s.bytes.clone(), s.walk_index))
        .collect();
    spans.sort_by_key(|(r, i)| (r.start, *i));
    let mut spans = spans.into_iter().peekable();

    let mut out: Vec<Block> = Vec::new();
    let mut segment = 0;
    let mut context: Vec<String> = Vec::new();
    for page in &md.pages {
        let n = page.number;
        match page.kind {
            PageKind::Failed => {
                segment += 1;
                let raw = doc
                    .page(n)
                    .and_then(|p| p.text())
                    .is_some_and(|t| !t.trim().is_empty());
                // Only raw text is content; an error message or a blank page is not.
                if raw && pages.failed == FailedPageMode::RawText {
                    push_page_text(
                        md,
                        page,
                        pages,
                        Origin::FailedPage,
                        &context,
                        segment,
                        &mut out,
                    );
                }
                segment += 1;
            }
            PageKind::Server => {
                push_page_text(md, page, pages, Origin::Server, &context, segment, &mut out);
            }
            PageKind::Missing => {}
            PageKind::Items => {
                while let Some((r, i)) = spans.next_if(|(r, _)| r.start < page.bytes.end) {
                    if let Some(last) = out.last_mut().filter(|b| b.origin == Origin::Items) {
                        // Inside the previous block: a table merged into it.
                        if r.start >= last.range.start && r.end <= last.range.end {
                            last.items.push(i);
                            continue;
                        }
                        // Right after it: the next part of a paragraph split at links.
                        if r.start == last.range.end && last.segment == segment {
                            last.items.push(i);
                            last.range.end = r.end;
                            last.kind = BlockKind::Text;
                            continue;
                        }
                    }
                    let item = walk[i].item;
                    let kind = match item.kind() {
                        // A `# comment` line inside a fenced code block is code.
                        ItemKind::Heading if fences.open_at(r.start).is_some() => BlockKind::Text,
                        ItemKind::Heading => BlockKind::Heading,
                        ItemKind::List => BlockKind::List,
                        ItemKind::Code => BlockKind::Code,
                        ItemKind::Table if column_count(item.table_rows()) > 0 => BlockKind::Table,
                        ItemKind::Table => BlockKind::Lines,
                        _ => BlockKind::Text,
                    };
                    let mut ctx = paths.get(i).cloned().unwrap_or_default();
                    let opens = (kind == BlockKind::Heading).then(|| {
                        ctx.push(heading_text(item));
                        ctx.len() - 1
                    });
                    context.clone_from(&ctx);
                    out.push(Block {
                        kind,
                        origin: Origin::Items,
                        range: r,
                        items: vec![i],
                        page: None,
                        context: ctx,
                        opens,
                        segment,
                    });
                }
            }
        }
    }
    out
}

/// A page's content (its bytes without prefix and suffix) as one page-text block.
fn push_page_text(
    md: &Rendered,
    page: &RenderedPage,
    pages: &PageOptions,
    origin: Origin,
    context: &[String],
    segment: usize,
    out: &mut Vec<Block>,
) {
    let (n, bytes) = (page.number, &page.bytes);
    let start = bytes.start + fill(&pages.prefix, n).len();
    let end = bytes
        .end
        .saturating_sub(fill(&pages.suffix, n).len())
        .max(start);
    let text = &md.output[start..end];
    let lead = text.len() - text.trim_start().len();
    let trail = text.len() - text.trim_end().len();
    if text.trim().is_empty() {
        return;
    }
    out.push(Block {
        kind: BlockKind::PageText,
        origin,
        range: start + lead..end - trail,
        items: Vec::new(),
        page: Some(n),
        context: context.to_vec(),
        opens: None,
        segment,
    });
}
