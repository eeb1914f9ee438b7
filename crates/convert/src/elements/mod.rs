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
//! let md = markdown::render(&doc, &MarkdownOptions::default());
//! let out = elements::collect(&doc, &ElementOptions::default(), Some(&md));
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

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use pagetree_model::{BoxProblem, Document, Item, ItemKind, ItemRef};
use rayon::prelude::*;

use crate::boxes::duplicate_boxes;
use crate::fence::Fence;
use crate::furniture::{Detection, Furniture, walk_furniture};
use crate::pages::Rendered;
use crate::tables::table_ids;

pub use schema::{Element, ElementBox, Elements, PageInfo, SCHEMA, Summary, TableInfo, VERSION};
pub use spans::{CharIndex, TextRange};
pub use write::{ElementsFormat, ElementsWriter, write_elements};

use json::ElementView;

/// Options for [`collect`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ElementOptions {
    /// Include page headers and footers (and their contents) as elements, flagged with
    /// `furniture`. Default: `true`.
    pub furniture: bool,
    /// Whether running heads and feet typed as text are found and flagged as furniture
    /// (use the markdown's setting, so `md_range` agrees). Default: [`Detection::Auto`].
    pub detect: Detection,
    /// In JSON Lines, repeat the document's `source` in every `element`, `page` and `summary`
    /// record, so that the elements of several documents written into one stream each say
    /// which input they belong to. Default: `false`.
    pub source_on_records: bool,
}

impl Default for ElementOptions {
    fn default() -> Self {
        ElementOptions {
            furniture: true,
            detect: Detection::Auto,
            source_on_records: false,
        }
    }
}

/// Builds the elements of a document. `markdown` is the document markdown rendered with the
/// options the caller wants ranges for ([`crate::markdown::render`]); without it, `md_range` is null.
pub fn collect(doc: &Document, opts: &ElementOptions, markdown: Option<&Rendered>) -> Elements {
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
/// counts. The elements equal those of [`collect`] on the whole document.
#[derive(Debug, Clone)]
pub struct ElementsStream {
    opts: ElementOptions,
    source: Option<String>,
    format: Option<String>,
    order_base: usize,
    headings: Vec<(u8, String)>,
    /// A fenced code block left open by the batches before.
    fence: Option<Fence>,
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
            fence: None,
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
        let batch = self.batch(doc, markdown);
        // Building elements is independent per item: in parallel, in order.
        let out: Vec<Element> = batch
            .walk
            .par_iter()
            .filter_map(|r| batch.view(r, |e| e.to_element()))
            .collect();
        let mut tally = Tally::default();
        for e in &out {
            tally.add(&e.view());
        }
        self.end_batch(doc, &batch, [tally]);
        out
    }

    /// Writes the elements of the next batch to `writer`, as [`ElementsStream::push`] then
    /// [`ElementsWriter::elements`] would, without building them as owned [`Element`]s first;
    /// returns how many it wrote.
    pub fn push_to<W: std::io::Write>(
        &mut self,
        doc: &Document,
        markdown: Option<(&Rendered, MdOffset)>,
        writer: &mut ElementsWriter<W>,
    ) -> std::io::Result<usize> {
        let batch = self.batch(doc, markdown);
        let tallies = writer.write_each(&batch.walk, |r, out, tally: &mut Tally| {
            batch
                .view(r, |e| {
                    tally.add(e);
                    json::write_element(out, e);
                })
                .is_some()
        })?;
        let written = tallies.iter().map(|t| t.elements).sum();
        self.end_batch(doc, &batch, tallies);
        Ok(written)
    }

    /// What building a batch's elements needs, worked out once for the batch.
    fn batch<'d>(
        &mut self,
        doc: &'d Document,
        markdown: Option<(&Rendered, MdOffset)>,
    ) -> Batch<'d> {
        let walk = doc.walk();
        let detected = self.opts.detect.resolve(doc);
        let furniture = walk_furniture(doc, detected.as_deref());
        let duplicates = duplicate_boxes(&walk);
        let tables = table_ids(doc).into_iter().collect();
        let ranges = markdown
            .map(|(md, at)| md_ranges(md, at, walk.len()))
            .unwrap_or_default();
        // Ids first: parents are referred to by id.
        let ids = element_ids(&walk);
        let paths = heading_paths_from(&walk, &furniture, &mut self.headings, &mut self.fence);
        Batch {
            doc,
            walk,
            furniture,
            duplicates,
            tables,
            ranges,
            ids,
            paths,
            order_base: self.order_base,
            furniture_on: self.opts.furniture,
        }
    }

    /// Carries a batch's counts, pages and reading order over to the next batch.
    fn end_batch(
        &mut self,
        doc: &Document,
        batch: &Batch<'_>,
        tallies: impl IntoIterator<Item = Tally>,
    ) {
        self.order_base += batch.walk.len();
        for tally in tallies {
            tally.add_to(&mut self.summary);
        }
        self.pages.extend(doc.pages().map(|p| PageInfo {
            page: p.number(),
            width: p.items_page().and_then(|i| i.page_width),
            height: p.items_page().and_then(|i| i.page_height),
            status: if p.is_failed() { "failed" } else { "ok" },
            error: p.error().map(str::to_owned),
        }));
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

/// One batch's walk and what its elements are built from.
struct Batch<'d> {
    doc: &'d Document,
    walk: Vec<ItemRef<'d>>,
    furniture: Vec<Option<Furniture>>,
    duplicates: BTreeSet<(usize, usize)>,
    tables: BTreeMap<usize, String>,
    ranges: Vec<Option<TextRange>>,
    ids: Vec<String>,
    paths: HeadingPaths,
    order_base: usize,
    furniture_on: bool,
}

impl Batch<'_> {
    /// Calls `f` with the element of walked item `r`, unless it is furniture left out.
    fn view<R>(&self, r: &ItemRef<'_>, f: impl FnOnce(&ElementView<'_>) -> R) -> Option<R> {
        let layer = self.furniture.get(r.index).copied().flatten();
        if layer.is_some() && !self.furniture_on {
            return None;
        }
        let item = r.item;
        let kind = item.kind();
        let text = plain_text_of(item);
        let table = (kind == ItemKind::Table).then(|| table_info(item, self.tables.get(&r.index)));
        let boxes = boxes(self.doc, r, &self.duplicates);
        let path = r.path(&self.walk);
        Some(f(&ElementView {
            id: &self.ids[r.index],
            page: r.page,
            kind: kind.as_str(),
            unknown_type: item.unknown_type(),
            kind_inferred: item.kind_is_inferred(),
            parent: r.parent.map(|p| self.ids[p].as_str()),
            order: self.order_base + r.index,
            depth: r.depth,
            level: (kind == ItemKind::Heading).then(|| item.heading_level()),
            heading_path: self.paths.of(r.index),
            furniture: layer.map(|f| match f {
                Furniture::Header => "header",
                Furniture::Footer => "footer",
            }),
            text: &text,
            md: item.md(),
            md_range: self.ranges.get(r.index).copied().flatten(),
            table: table.as_ref(),
            boxes: &boxes,
            path: &path,
        }))
    }
}

/// Counts over some elements, kept in short lists (a dozen kinds, seven problems) and moved
/// into the summary's maps once: a map lookup per element and box was ~1% of `convert`, on
/// one thread.
#[derive(Default)]
struct Tally {
    elements: usize,
    boxes: usize,
    with_md_range: usize,
    kinds: Vec<(&'static str, usize)>,
    problems: Vec<(&'static str, usize)>,
}

impl Tally {
    fn add(&mut self, e: &ElementView<'_>) {
        bump(&mut self.kinds, e.kind);
        self.elements += 1;
        self.boxes += e.boxes.len();
        self.with_md_range += usize::from(e.md_range.is_some());
        for b in e.boxes {
            for p in &b.problems {
                bump(&mut self.problems, p);
            }
        }
    }

    fn add_to(self, summary: &mut Summary) {
        summary.elements += self.elements;
        summary.boxes += self.boxes;
        summary.with_md_range += self.with_md_range;
        for (kind, n) in self.kinds {
            *summary.kinds.entry(kind).or_default() += n;
        }
        for (problem, n) in self.problems {
            *summary.box_problems.entry(problem).or_default() += n;
        }
    }
}

fn boxes(
    doc: &Document,
    r: &ItemRef<'_>,
    duplicates: &BTreeSet<(usize, usize)>,
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
    let paths = heading_paths_from(walk, furniture, &mut Vec::new(), &mut None);
    (0..walk.len()).map(|i| paths.of(i).to_vec()).collect()
}

/// The heading paths of a walk: each distinct path once, since runs of elements share one
/// (a path only changes at a heading), and which one each item has.
#[derive(Debug, Default)]
struct HeadingPaths {
    distinct: Vec<Vec<String>>,
    index: Vec<usize>,
}

impl HeadingPaths {
    /// The path of the item at walk index `i`.
    fn of(&self, i: usize) -> &[String] {
        &self.distinct[self.index[i]]
    }
}

/// [`heading_paths`] continuing from the open headings `stack` (level, text) and the fenced
/// code block `fence` left open by the pages before, which it leaves as this walk leaves them
/// (for batch-by-batch conversion). A heading inside a fenced code block (a `# comment` line
/// the server typed as a heading, between text items that open and close the fence) is code
/// and takes no part.
fn heading_paths_from(
    walk: &[ItemRef<'_>],
    furniture: &[Option<Furniture>],
    stack: &mut Vec<(u8, String)>,
    fence: &mut Option<Fence>,
) -> HeadingPaths {
    let texts = |stack: &[(u8, String)]| stack.iter().map(|(_, t)| t.clone()).collect();
    let mut paths = HeadingPaths {
        distinct: vec![texts(stack)],
        index: Vec::with_capacity(walk.len()),
    };
    for r in walk {
        let layer = furniture.get(r.index).copied().flatten();
        let body = layer.is_none() && r.depth == 0;
        let in_code = fence.is_some();
        if body {
            crate::fence::scan(fence, r.item.md());
        }
        if r.item.kind() == ItemKind::Heading && layer.is_none() && !in_code {
            let level = r.item.heading_level();
            let open = stack.len();
            while stack.last().is_some_and(|(l, _)| *l >= level) {
                stack.pop();
            }
            // A heading's path: the headings above it, once it has closed those it ends.
            if stack.len() != open {
                paths.distinct.push(texts(stack));
            }
            paths.index.push(paths.distinct.len() - 1);
            stack.push((level, heading_text(r.item)));
            paths.distinct.push(texts(stack));
        } else {
            paths.index.push(paths.distinct.len() - 1);
        }
    }
    paths
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
    plain_text_of(item).into_owned()
}

/// [`plain_text`], borrowed from the item where it is one of its strings.
fn plain_text_of(item: &Item) -> Cow<'_, str> {
    match item.kind() {
        ItemKind::List | ItemKind::Header | ItemKind::Footer if !item.children().is_empty() => {
            Cow::Owned(
                item.children()
                    .iter()
                    .map(plain_text)
                    .collect::<Vec<_>>()
                    .join("\n"),
            )
        }
        ItemKind::Table if !item.table_rows().is_empty() => Cow::Owned(
            item.table_rows()
                .iter()
                .map(|r| {
                    r.iter()
                        .map(|c| c.as_text().into_owned())
                        .collect::<Vec<_>>()
                        .join("\t")
                })
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        _ => Cow::Borrowed(item.plain_text()),
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
