//! Bbox-annotated elements: every item (nested ones included) with its page, place in the
//! tree, heading path, boxes in points and normalised, each box's span of the item's markdown,
//! and where the item sits in the document markdown, for citations and highlighting.
//!
//! ```
//! use pagetree_convert::{ElementOptions, MarkdownOptions, elements, markdown};
//!
//! let json = br##"{"pages": [{"page_number": 1, "page_width": 600, "page_height": 800, "items": [
//!     {"type": "heading", "level": 1, "md": "# Scope", "value": "Scope",
//!      "bbox": [{"x": 60, "y": 40, "w": 200, "h": 20, "start_index": 0, "end_index": 6}]},
//!     {"type": "text", "md": "All sites.", "value": "All sites."}]}]}"##;
//! let doc = pagetree_model::load_document(json, None).unwrap();
//! let md = markdown(&doc, &MarkdownOptions::default());
//! let out = elements(&doc, &ElementOptions::default(), Some(&md));
//! let text = &out.elements[1];
//! assert_eq!(text.heading_path, ["Scope"]);
//! let range = text.md_range.unwrap().bytes;
//! assert_eq!(&md.output[range[0]..range[1]], "All sites.");
//! assert_eq!(out.elements[0].boxes[0].normalized, Some([0.1, 0.05, 0.43333333333333335, 0.075]));
//! ```

mod json;
mod schema;
pub mod spans;
mod write;

use std::collections::BTreeMap;

use pagetree_model::{BoxProblem, Document, Item, ItemKind, ItemRef};
use rayon::prelude::*;

use crate::boxes::duplicate_boxes;
use crate::furniture::{Furniture, walk_furniture};
use crate::pages::Rendered;
use crate::tables::table_ids;

pub use schema::{Element, ElementBox, Elements, PageInfo, SCHEMA, Summary, TableInfo, VERSION};
pub use spans::{CharIndex, TextRange};
pub use write::{ElementsFormat, ElementsWriter, write_elements};

/// Options for [`elements`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElementOptions {
    /// Include page headers and footers (and their contents) as elements, flagged with
    /// `furniture`. Default: `true`.
    pub furniture: bool,
}

impl Default for ElementOptions {
    fn default() -> Self {
        ElementOptions { furniture: true }
    }
}

/// Builds the elements of a document. `markdown` is the document markdown rendered with the
/// options the caller wants ranges for ([`crate::markdown`]); without it, `md_range` is null.
pub fn elements(doc: &Document, opts: &ElementOptions, markdown: Option<&Rendered>) -> Elements {
    let mut stream = ElementsStream::new(doc, opts);
    let elements = stream.push(doc, markdown.map(|md| (md, MdOffset::default())));
    stream.finish(elements)
}

/// Where a batch's markdown starts in the document markdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MdOffset {
    /// Bytes before it.
    pub bytes: usize,
    /// Characters before it.
    pub chars: usize,
}

/// Builds elements batch by batch (consecutive runs of pages, each as its own [`Document`]),
/// carrying what crosses batches: reading order, the heading path, markdown offsets, pages and
/// counts. The elements equal those of [`elements`] on the whole document.
#[derive(Debug, Clone)]
pub struct ElementsStream {
    opts: ElementOptions,
    source: Option<String>,
    format: Option<String>,
    order_base: usize,
    headings: Vec<(u8, String)>,
    pages: Vec<PageInfo>,
    summary: Summary,
}

impl ElementsStream {
    /// Starts a stream for `doc` (only its name and format are read here).
    pub fn new(doc: &Document, opts: &ElementOptions) -> Self {
        ElementsStream {
            opts: opts.clone(),
            source: doc.source.clone(),
            format: doc.format.map(|f| f.as_str().to_owned()),
            order_base: 0,
            headings: Vec::new(),
            pages: Vec::new(),
            summary: Summary::default(),
        }
    }

    /// The elements of the next batch. `markdown` is the batch's markdown and where it starts
    /// in the document markdown.
    pub fn push(
        &mut self,
        doc: &Document,
        markdown: Option<(&Rendered, MdOffset)>,
    ) -> Vec<Element> {
        let walk = doc.walk();
        let furniture = walk_furniture(doc);
        let duplicates = duplicate_boxes(&walk);
        let tables: BTreeMap<usize, String> = table_ids(doc).into_iter().collect();
        let ranges = markdown
            .map(|(md, at)| md_ranges(md, at, walk.len()))
            .unwrap_or_default();

        // Ids first: parents are referred to by id.
        let ids = element_ids(&walk);
        let paths = heading_paths_from(&walk, &furniture, &mut self.headings);

        // Building elements is independent per item: in parallel, in order.
        let order_base = self.order_base;
        let furniture_on = self.opts.furniture;
        let out: Vec<Element> = walk
            .par_iter()
            .zip(paths)
            .filter_map(|(r, heading_path)| {
                let layer = furniture.get(r.index).copied().flatten();
                if layer.is_some() && !furniture_on {
                    return None;
                }
                let item = r.item;
                let kind = item.kind();
                Some(Element {
                    id: ids[r.index].clone(),
                    page: r.page,
                    kind: kind.as_str(),
                    unknown_type: item.unknown_type().map(str::to_owned),
                    kind_inferred: item.kind_is_inferred(),
                    parent: r.parent.map(|p| ids[p].clone()),
                    order: order_base + r.index,
                    depth: r.depth,
                    level: (kind == ItemKind::Heading).then(|| item.heading_level()),
                    heading_path,
                    furniture: layer.map(|f| match f {
                        Furniture::Header => "header",
                        Furniture::Footer => "footer",
                    }),
                    text: plain_text(item),
                    md: item.md().to_owned(),
                    md_range: ranges.get(r.index).copied().flatten(),
                    table: (kind == ItemKind::Table)
                        .then(|| table_info(item, tables.get(&r.index))),
                    boxes: boxes(doc, r, &duplicates),
                    path: r.path(&walk),
                })
            })
            .collect();
        self.order_base += walk.len();
        // Counted in short lists first (a dozen kinds, seven problems), then into the maps: a
        // map lookup per element and box was ~1% of `convert`, on one thread.
        let (mut kinds, mut problems) = (Vec::new(), Vec::new());
        for e in &out {
            bump(&mut kinds, e.kind);
            self.summary.elements += 1;
            self.summary.boxes += e.boxes.len();
            self.summary.with_md_range += usize::from(e.md_range.is_some());
            for b in &e.boxes {
                for p in &b.problems {
                    bump(&mut problems, p);
                }
            }
        }
        for (kind, n) in kinds {
            *self.summary.kinds.entry(kind).or_default() += n;
        }
        for (problem, n) in problems {
            *self.summary.box_problems.entry(problem).or_default() += n;
        }
        self.pages.extend(doc.pages().map(|p| PageInfo {
            page: p.number(),
            width: p.items_page().and_then(|i| i.page_width),
            height: p.items_page().and_then(|i| i.page_height),
            status: if p.is_failed() { "failed" } else { "ok" },
            error: p.error().map(str::to_owned),
        }));
        out
    }

    /// The pages seen so far.
    pub fn pages(&self) -> &[PageInfo] {
        &self.pages
    }

    /// The counts so far.
    pub fn summary(&self) -> &Summary {
        &self.summary
    }

    /// The finished document, given every element pushed.
    pub fn finish(self, elements: Vec<Element>) -> Elements {
        Elements {
            schema: SCHEMA,
            version: VERSION,
            source: self.source,
            format: self.format,
            pages: self.pages,
            elements,
            summary: self.summary,
        }
    }
}

fn boxes(
    doc: &Document,
    r: &ItemRef<'_>,
    duplicates: &std::collections::BTreeSet<(usize, usize)>,
) -> Vec<ElementBox> {
    let size = doc.page(r.page).and_then(|p| p.size());
    let md = CharIndex::new(r.item.md());
    r.item
        .boxes()
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let mut problems: Vec<&'static str> = b
                .problems(size)
                .into_iter()
                .map(BoxProblem::as_str)
                .collect();
            if duplicates.contains(&(r.index, i)) {
                problems.push("duplicate");
            }
            if !md.span_fits(b.start_index, b.end_index) {
                problems.push("span_out_of_range");
            }
            ElementBox {
                x: b.x,
                y: b.y,
                w: b.w,
                h: b.h,
                normalized: size.and_then(|(w, h)| b.normalized(w, h)),
                label: b.label.clone(),
                confidence: b.confidence,
                span: md.span(b.start_index, b.end_index),
                problems,
            }
        })
        .collect()
}

fn table_info(item: &Item, id: Option<&String>) -> TableInfo {
    let rows = item.table_rows();
    TableInfo {
        id: id.cloned().unwrap_or_default(),
        rows: rows.len(),
        columns: rows.iter().map(Vec::len).max().unwrap_or(0),
        merged_from_pages: item.merged_from_pages.clone(),
        merged_into_page: item.merged_into_page,
    }
}

/// Element ids for every item of a walk (by walk index): `p{page}-e{n}`, `n` counting the
/// page's items from 1 in reading order.
pub(crate) fn element_ids(walk: &[ItemRef<'_>]) -> Vec<String> {
    let mut per_page: BTreeMap<u32, usize> = BTreeMap::new();
    walk.iter()
        .map(|r| {
            let n = per_page.entry(r.page).or_default();
            *n += 1;
            format!("p{}-e{}", r.page, n)
        })
        .collect()
}

/// For every item of a walk (by walk index): the headings above it, outermost first, across
/// pages. A heading's own path holds the headings above it, not itself. Headings in page
/// furniture (`furniture`, from [`walk_furniture`]) take no part. The one heading-path rule:
/// `elements` and `chunks` both use it.
pub(crate) fn heading_paths(
    walk: &[ItemRef<'_>],
    furniture: &[Option<Furniture>],
) -> Vec<Vec<String>> {
    heading_paths_from(walk, furniture, &mut Vec::new())
}

/// [`heading_paths`] continuing from the open headings `stack` (level, text) of the pages
/// before, which it leaves as this walk leaves them (for batch-by-batch conversion).
fn heading_paths_from(
    walk: &[ItemRef<'_>],
    furniture: &[Option<Furniture>],
    stack: &mut Vec<(u8, String)>,
) -> Vec<Vec<String>> {
    walk.iter()
        .map(|r| {
            let above: Vec<String> = stack.iter().map(|(_, t)| t.clone()).collect();
            let layer = furniture.get(r.index).copied().flatten();
            if r.item.kind() == ItemKind::Heading && layer.is_none() {
                let level = r.item.heading_level();
                while stack.last().is_some_and(|(l, _)| *l >= level) {
                    stack.pop();
                }
                stack.push((level, heading_text(r.item)));
                // Only the headings above this one, whatever it popped.
                return stack[..stack.len() - 1]
                    .iter()
                    .map(|(_, t)| t.clone())
                    .collect();
            }
            above
        })
        .collect()
}

/// A heading's text for the heading path: its value, else its markdown without the `#`s.
pub(crate) fn heading_text(item: &Item) -> String {
    match &item.value {
        Some(v) => v.trim().to_owned(),
        None => item.md().trim_start_matches('#').trim().to_owned(),
    }
}

/// Plain text of an item: its value (or link text, caption); lists and containers join their
/// children's text by lines; tables their cells by tabs and rows by lines.
pub fn plain_text(item: &Item) -> String {
    match item.kind() {
        ItemKind::List | ItemKind::Header | ItemKind::Footer if !item.children().is_empty() => item
            .children()
            .iter()
            .map(plain_text)
            .collect::<Vec<_>>()
            .join("\n"),
        ItemKind::Table if !item.table_rows().is_empty() => item
            .table_rows()
            .iter()
            .map(|r| {
                r.iter()
                    .map(|c| c.as_text().into_owned())
                    .collect::<Vec<_>>()
                    .join("\t")
            })
            .collect::<Vec<_>>()
            .join("\n"),
        _ => item.plain_text().to_owned(),
    }
}

/// Byte and character ranges of the batch's `items` walked items, by walk index (`None`: not
/// rendered). Characters are counted in one pass over the output (spans are not always in
/// output order, so the needed offsets are sorted first), without indexing every character of
/// a large document.
fn md_ranges(md: &Rendered, at: MdOffset, items: usize) -> Vec<Option<TextRange>> {
    let len = md.output.len();
    let mut offsets: Vec<usize> = md
        .spans
        .iter()
        .flat_map(|s| [s.bytes.start.min(len), s.bytes.end.min(len)])
        .collect();
    offsets.sort_unstable();
    offsets.dedup();
    // Character offset of each byte offset, counted in one pass; looked up by binary search
    // (a map per batch here was ~1% of `convert`, on one thread).
    let (mut at_byte, mut at_char) = (0usize, 0usize);
    let chars: Vec<usize> = offsets
        .iter()
        .map(|&off| {
            at_char += md.output[at_byte..off].chars().count();
            at_byte = off;
            at_char
        })
        .collect();
    let char_of = |b: usize| offsets.binary_search(&b.min(len)).map_or(0, |i| chars[i]);
    let mut ranges = vec![None; items];
    for s in &md.spans {
        if let Some(slot) = ranges.get_mut(s.walk_index) {
            *slot = Some(TextRange {
                chars: [
                    at.chars + char_of(s.bytes.start),
                    at.chars + char_of(s.bytes.end),
                ],
                bytes: [at.bytes + s.bytes.start, at.bytes + s.bytes.end],
            });
        }
    }
    ranges
}

/// Adds one to `key`'s count in a short list of counts.
fn bump(counts: &mut Vec<(&'static str, usize)>, key: &'static str) {
    match counts.iter_mut().find(|(k, _)| *k == key) {
        Some((_, n)) => *n += 1,
        None => counts.push((key, 1)),
    }
}
