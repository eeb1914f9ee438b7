//! RAG chunks with provenance: the document markdown cut at its structure, each chunk with its
//! heading path, pages, boxes, element ids and exact place in the markdown.
//!
//! Chunks are cut from the markdown [`markdown::render`](crate::markdown::render) renders (as docling's
//! chunker reuses its markdown serializer): every top-level item the renderer wrote is a block,
//! and a chunk's body is made of whole blocks or pieces of one, each an exact slice of that
//! markdown (see [`Part`]). The rules:
//!
//! - A heading starts a new chunk, unless the chunk so far holds only headings.
//! - Blocks are added while the chunk fits in [`ChunkOptions::max`] (breadcrumb and overlap
//!   included). A block that does not fit starts a new chunk, or, when the chunk so far is
//!   small (below [`ChunkOptions::min`]), is split so that its first piece fills it.
//! - Then two neighbouring chunks that are both small are merged when they share a heading
//!   path (sibling sections, or a section's text and its first subsection) and fit together;
//!   so is a small chunk with its neighbour in the same section (left apart by a split table).
//! - Splitting: prose at blank lines, then sentences, then lines, then words; lists between
//!   entries first; code between lines (each piece fenced again); tables between rows, the
//!   header row repeated in every piece. Only a single word, or a single row with its header,
//!   larger than the maximum makes a larger chunk, flagged `oversize`.
//! - Failed pages are never bridged: chunks on either side stay apart, and a failed page's raw
//!   text (when the markdown writes it) is chunked on its own.
//!
//! ```
//! use pagetree_convert::chunks::{self, ChunkOptions};
//! use pagetree_convert::markdown;
//!
//! let json = br##"{"pages": [{"page_number": 1, "page_width": 600, "page_height": 800, "items": [
//!     {"type": "heading", "level": 1, "md": "# Scope", "value": "Scope"},
//!     {"type": "text", "md": "All sites. Every year.", "value": "All sites. Every year.",
//!      "bbox": [{"x": 60, "y": 80, "w": 300, "h": 20}]}]}]}"##;
//! let doc = pagetree_model::load_document(json, Some("scope.json")).unwrap();
//! let opts = ChunkOptions::default();
//! let out = chunks::split(&doc, &opts);
//! let c = &out.chunks[0];
//! assert_eq!(c.text, "# Scope\n\nAll sites. Every year.");
//! assert_eq!(c.metadata.heading_path, ["Scope"]);
//! assert_eq!(c.metadata.elements, ["p1-e1", "p1-e2"]);
//! assert_eq!(c.metadata.page_boxes[0].bbox, Some([60.0, 80.0, 360.0, 100.0]));
//! let md = markdown::render(&doc, &opts.markdown_options());
//! let [a, b] = c.metadata.md_range.bytes;
//! assert_eq!(&md.output[a..b], c.body());
//! ```

mod batched;
mod blocks;
mod measure;
mod options;
mod provenance;
mod schema;
mod split;
mod table;

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use std::sync::Arc;

use pagetree_model::{Cell, Document};

use crate::elements::{CharIndex, TextRange, heading_paths_continued};
use crate::fence::FenceIndex;
use crate::furniture::walk_furniture;
use crate::furniture::{Detected, Detection};
use crate::markdown::{MarkdownOptions, MergePlan};
use crate::pages::Source;
use crate::pages::{self, PageKind, ServerList};
use crate::tables::table_ids;
use crate::tables::{Chosen, choose};
use crate::warning::Warning;
use blocks::{Block, BlockKind, Origin};
use measure::Measure;
use provenance::{Provenance, stable_id};
use split::Level;
use table::TableRows;

pub use batched::split_reader;
#[cfg(feature = "tokens")]
pub use measure::count_tokens;
pub use options::{ChunkOptions, ChunkOptionsError, SizeUnit, TableText, TokenCounter};
pub use schema::{
    Chunk, ChunkBox, ChunkMetadata, Chunks, PageBoxes, Part, SCHEMA, TablePiece, TextPos, VERSION,
};

/// Cuts a document into chunks. The options' sizes were checked when they were set (a maximum
/// below the breadcrumb's size still works, with every chunk flagged `oversize`).
///
/// The same code as [`split_reader`], run once over the whole document.
pub fn split(doc: &Document, opts: &ChunkOptions) -> Chunks {
    let has_items = doc.pages().any(|p| p.items_page().is_some());
    let mut md_opts = resolved(opts, has_items);
    if md_opts.pages.detect == Detection::Auto {
        md_opts.pages.detect = Detection::Found(Arc::new(Detected::scan(doc)));
    }
    let mut out = Settle::default();
    let mut chunks = Vec::new();
    let r = run(
        doc,
        opts,
        &md_opts,
        &Start::default(),
        true,
        &out.item_pages,
    );
    out.commit(r, &mut |c| {
        chunks.push(c);
        Ok(())
    })
    .expect("collecting into memory does not fail");
    let missing =
        crate::pages::missing_pages(doc.pages().map(|p| p.number()), &md_opts.pages.selection);
    let warnings = out
        .finish(missing, opts, &md_opts, &mut |c| {
            chunks.push(c);
            Ok(())
        })
        .expect("collecting into memory does not fail");
    Chunks {
        source: doc.source.clone(),
        chunks,
        warnings,
    }
}

/// The markdown options chunks are cut from, with the page source chosen once for the whole
/// document (a batch without items pages renders like the same pages of the whole document).
fn resolved(opts: &ChunkOptions, has_items: bool) -> MarkdownOptions {
    let mut md_opts = opts.markdown_options();
    if md_opts.pages.source == Source::Auto {
        md_opts.pages.source = if has_items {
            Source::Items
        } else {
            Source::Server
        };
    }
    md_opts
}

/// Where a run of the chunker starts: at the first page of its pages, whose markdown begins
/// at `bytes`/`chars` in the document markdown, with the headings the pages before left open;
/// blocks before `skip` (bytes of the run's markdown) were chunked by the run before, and the
/// chunk at `skip` opens with `overlap` (the tail of the chunk before it, which this run does
/// not see).
#[derive(Debug, Clone, Default)]
struct Start {
    bytes: usize,
    chars: usize,
    skip: usize,
    stack: Vec<(u8, String)>,
    overlap: String,
}

/// What one run of the chunker settled: the chunks before the point the next run starts at
/// (all of them at the end of the document), and the warnings and failed pages of the pages
/// it settled.
struct Run {
    chunks: Vec<Chunk>,
    warnings: Vec<Warning>,
    failed: Vec<u32>,
    /// The settled pages rendered from the item tree, and how many from the server's markdown.
    item_pages: Vec<u32>,
    server_pages: usize,
    /// The page (index into the run's pages) and start of the next run.
    next: Option<(usize, Start)>,
}

/// Chunks the pages of `doc` from `start`. Unless `last`, only up to the last place where
/// the chunks of the whole document are known from these pages alone: the start of a chunk,
/// on a later page than the run's first, at the start of a block (none of it in the chunk
/// before), with no code block open and nothing before it reaching past it (a table merged
/// across pages, by the server or by the renderer), and either
///
/// - a heading after a chunk that is not small (or across a failed page): a heading starts a
///   chunk, takes no overlap and is not merged into a chunk that is not small, whatever
///   follows; or
/// - any chunk that is not the one the run ended on (so later pages can add nothing to it),
///   with a page after it in the run (a table ending the page is merged with the next one's
///   before anything is settled). The builder is greedy: once a chunk was closed, blocks after
///   it never change it, and `merge_small` folds left to right, so the chunks before it, and
///   whether it joins them, are decided. Started there, the next run builds it exactly so:
///   an empty draft at that block, with the overlap the chunk opened with carried over.
///
/// A document without headings (or with only small sections) thus settles a chunk at a time.
/// `next` is `None` (and nothing is settled) when there is no such place. `earlier`: the
/// pages runs before rendered from the item tree.
fn run(
    doc: &Document,
    opts: &ChunkOptions,
    md_opts: &MarkdownOptions,
    start: &Start,
    last: bool,
    earlier: &BTreeSet<u32>,
) -> Run {
    let md = crate::markdown::render(doc, md_opts);
    let walk = doc.walk();
    let detected = md_opts.pages.detect.resolve(doc);
    let furniture = walk_furniture(doc, detected.as_deref());
    let mut stack = start.stack.clone();
    let (paths, heads_before) = heading_paths_continued(&walk, &furniture, &mut stack);
    let fences = FenceIndex::new(&md.output);
    let blocks = blocks::blocks(doc, &walk, &md, &paths, &md_opts.pages, &fences);

    // Tables: their rows as the renderer joined them (merged parts appended).
    let plan = pages::plan(doc, &md_opts.pages, ServerList::Markdown);
    let merge = MergePlan::new(
        doc,
        &plan.pages,
        md_opts.merge_tables,
        md_opts.table_source,
        detected.as_deref(),
    );
    let ids: BTreeMap<usize, String> = table_ids(doc).into_iter().collect();
    // What the renderer wrote for each table block: its chosen cells and those of the parts
    // merged into it (kept here, since the rows borrow from them), by head walk index.
    let chosen: BTreeMap<usize, Vec<Option<Chosen<'_>>>> = blocks
        .iter()
        .filter(|b| b.kind == BlockKind::Table)
        .map(|b| {
            let head = b.items[0];
            let parts = std::iter::once(walk[head].item)
                .chain(merge.continuations(head).iter().map(|c| c.item))
                .map(|item| choose(item, md_opts.table_source))
                .collect();
            (head, parts)
        })
        .collect();
    let (blocks, split_heads) = split_table_text(blocks, &chosen, &md.output);
    let tables: BTreeMap<usize, TableRows<'_>> = blocks
        .iter()
        .enumerate()
        .filter(|(_, b)| b.kind == BlockKind::Table)
        .map(|(bi, b)| {
            let head = b.items[0];
            let parts = &chosen[&head];
            let mut rows: Vec<&[Cell]> = parts[0]
                .as_ref()
                .map(|c| c.rows.iter().map(Vec::as_slice).collect())
                .unwrap_or_default();
            rows.truncate(rows.len().saturating_sub(merge.trim_end(head)));
            for (c, part) in merge.continuations(head).iter().zip(&parts[1..]) {
                if let Some(part) = part {
                    let end = part.rows.len().saturating_sub(merge.trim_end(c.walk_index));
                    let end = end.max(c.skip.min(part.rows.len()));
                    rows.extend(part.rows[c.skip.min(end)..end].iter().map(Vec::as_slice));
                }
            }
            // Text around the table that `split_table_text` could not give blocks of its own
            // stays in the table's first and last pieces.
            let around = if split_heads.contains(&head) {
                Default::default()
            } else {
                around_text(parts)
            };
            let id = ids.get(&head).cloned().unwrap_or_default();
            (
                bi,
                TableRows::around(id, rows, around, &md.output, b.range.clone(), md_opts),
            )
        })
        .collect();

    let mut b = Builder {
        opts,
        md_opts,
        md: &md.output,
        fences: &fences,
        measure: Measure::new(opts.unit, opts.counter.clone()),
        blocks: &blocks,
        tables: &tables,
        draft: Draft::default(),
        done: Vec::new(),
        carried: Some(start.overlap.clone()),
    };
    for (bi, block) in blocks.iter().enumerate() {
        if block.range.start >= start.skip {
            b.add(bi);
        }
    }
    b.flush();
    if let Some(d) = b.done.last_mut() {
        // Later pages may still add to it.
        d.open = !last;
    }
    b.merge_small();

    // Where the next run may start, the last such place first.
    let next = if last {
        None
    } else {
        (1..b.done.len()).rev().find_map(|j| {
            let this = &b.done[j];
            let first = this.segs.first()?;
            let blk = &blocks[first.block];
            let page = walk[*blk.items.first()?].page;
            let q = doc.pages.iter().position(|p| p.number == page)?;
            if q == 0 || doc.pages[q - 1].number == page {
                return None;
            }
            let (stack, in_code) = heads_before.get(&page)?;
            if *in_code {
                return None;
            }
            let prev = &b.done[j - 1];
            let prev_last = prev.segs.last()?;
            if prev_last.block == first.block {
                // A block cut between the two: the next run starts at blocks.
                return None;
            }
            let heading = b.is_heading(first) && {
                let apart = blocks[prev_last.block].segment != blk.segment;
                apart || b.measure.len(&prev.body()) >= opts.min
            };
            let closed = !this.open && q + 1 < doc.pages.len();
            if !heading && !closed {
                return None;
            }
            // A table merged across the page, by the server or by the renderer.
            let reaches = |items: &[usize]| {
                items.first().is_some_and(|&i| walk[i].page < page)
                    && items.iter().any(|&i| walk[i].page >= page)
            };
            if blocks[..first.block].iter().any(|x| reaches(&x.items)) {
                return None;
            }
            // A server-merged table before the cut (on its page too) whose parts lie ahead.
            let merged_on = walk.iter().take_while(|r| r.page <= page).any(|r| {
                r.item
                    .merged_from_pages
                    .as_ref()
                    .is_some_and(|m| m.iter().any(|&n| n >= page && n > r.page))
            });
            if merged_on {
                return None;
            }
            let at = md.pages.iter().find(|p| p.number == page)?.bytes.start;
            Some((
                j,
                q,
                Start {
                    bytes: start.bytes + at,
                    chars: start.chars + md.output[..at].chars().count(),
                    skip: blk.range.start - at,
                    stack: stack.clone(),
                    overlap: this.opened_with.clone(),
                },
            ))
        })
    };
    if !last && next.is_none() {
        return Run {
            chunks: Vec::new(),
            warnings: Vec::new(),
            failed: Vec::new(),
            item_pages: Vec::new(),
            server_pages: 0,
            next: None,
        };
    }
    let (settled, settled_pages) = match &next {
        Some((j, q, _)) => (*j, *q),
        None => (b.done.len(), doc.pages.len()),
    };
    let numbers: BTreeSet<u32> = doc.pages[..settled_pages]
        .iter()
        .map(|p| p.number)
        .collect();

    let prov = Provenance::new(doc, &walk, &md);
    let chars = CharIndex::new(&md.output);
    let failed: Vec<u32> = md
        .pages
        .iter()
        .filter(|p| p.kind == PageKind::Failed && numbers.contains(&p.number))
        .map(|p| p.number)
        .collect();
    let source = doc.source.as_deref();
    let chunks = b.done[..settled]
        .iter()
        .map(|d| finish(d, start, &b, &prov, &chars, &walk, source))
        .collect();
    // Chunks leave furniture out by default, not because it was asked for: a document
    // without any is no news here. Missing pages are the whole document's (see `Settle`).
    // Counted over the pages of every run (see `Settle::finish`).
    let doc_wide = ["no_furniture", "pages_not_found", "option_ignored"];
    // A merge stub whose table was rendered by a run before is not news.
    let rendered_before = |w: &Warning| crate::markdown::stub_rendered_before(&walk, w, earlier);
    let warnings = md
        .warnings
        .iter()
        .filter(|w| !doc_wide.contains(&w.code) && !rendered_before(w))
        .filter(|w| w.page.is_none_or(|n| numbers.contains(&n)))
        .cloned()
        .collect();
    let numbers = &numbers;
    let settled_as = |kind: PageKind| {
        md.pages
            .iter()
            .filter(move |p| p.kind == kind && numbers.contains(&p.number))
            .map(|p| p.number)
    };
    Run {
        chunks,
        warnings,
        failed,
        item_pages: settled_as(PageKind::Items).collect(),
        server_pages: settled_as(PageKind::Server).count(),
        next: next.map(|(_, q, s)| (q, s)),
    }
}

/// What crosses runs once chunks are settled, and the warnings.
#[derive(Default)]
struct Settle {
    ends: Ends,
    warnings: Vec<Warning>,
    /// Warnings about the whole document already given (every run may give them again).
    doc_level: BTreeSet<String>,
    /// Pages rendered from the item tree so far (a merge stub's table may be on one).
    item_pages: BTreeSet<u32>,
    server_pages: usize,
}

impl Settle {
    fn commit(
        &mut self,
        r: Run,
        emit: &mut dyn FnMut(Chunk) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        for w in r.warnings {
            if w.page.is_some() || self.doc_level.insert(w.to_string()) {
                self.warnings.push(w);
            }
        }
        self.item_pages.extend(&r.item_pages);
        self.server_pages += r.server_pages;
        self.ends.before.extend(&r.failed);
        self.ends.after.extend(&r.failed);
        for c in r.chunks {
            if let Some(c) = self.ends.push(c) {
                emit(c)?;
            }
        }
        Ok(())
    }

    /// Emits the last chunk; the warnings, with the document's missing pages and the
    /// oversize count.
    fn finish(
        mut self,
        missing: Option<Warning>,
        opts: &ChunkOptions,
        md_opts: &MarkdownOptions,
        emit: &mut dyn FnMut(Chunk) -> std::io::Result<()>,
    ) -> std::io::Result<Vec<Warning>> {
        if let Some(c) = self.ends.finish() {
            emit(c)?;
        }
        self.warnings
            .extend(crate::markdown::option_ignored(md_opts, self.server_pages));
        self.warnings.extend(missing);
        let oversize = self.ends.oversize;
        if oversize > 0 {
            self.warnings.push(Warning::doc(
                "oversize_chunk",
                format!(
                    "{} the maximum of {} {}: a single word or table row is larger than it",
                    if oversize == 1 {
                        "1 chunk exceeds".to_owned()
                    } else {
                        format!("{oversize} chunks exceed")
                    },
                    opts.max,
                    if opts.counter.is_some() {
                        "tokens"
                    } else {
                        opts.unit.as_str()
                    }
                ),
            ));
        }
        Ok(self.warnings)
    }
}

/// What is settled as chunks come out in order, one at a time, so it can be carried from
/// batch to batch: their numbering, the ids of pieces of one cut table row told apart, the
/// failed pages each chunk borders, and the oversize count. A chunk is held back until the
/// next one comes (the failed pages after it are known only then).
#[derive(Default)]
struct Ends {
    index: usize,
    /// How many chunks had each id so far (pieces of one cut table row share their key).
    seen: BTreeMap<String, usize>,
    held: Option<Chunk>,
    /// Failed pages, in page order, not yet given to the chunk before them / after them.
    before: Vec<u32>,
    after: Vec<u32>,
    oversize: usize,
}

impl Ends {
    /// Takes the next chunk in order; returns the one before it, now settled.
    fn push(&mut self, mut c: Chunk) -> Option<Chunk> {
        c.metadata.index = self.index;
        self.index += 1;
        let n = self.seen.entry(c.id.clone()).or_default();
        *n += 1;
        if *n > 1 {
            c.id = stable_id(&format!("{}\n{n}", c.id));
        }
        if c.metadata.oversize {
            self.oversize += 1;
        }
        let [first, last] = c.metadata.pages;
        // A failed page goes to the first chunk that starts after it...
        self.after.retain(|&f| {
            let take = first > f;
            if take {
                c.metadata.adjacent_failed_pages.push(f);
            }
            !take
        });
        // ...and to the last chunk that ends before it: the held one, once a chunk reaches it.
        let mut held = self.held.replace(c);
        if let Some(h) = held.as_mut() {
            let h_last = h.metadata.pages[1];
            self.before.retain(|&f| {
                let take = h_last < f && last >= f;
                if take {
                    h.metadata.adjacent_failed_pages.push(f);
                }
                !take
            });
        }
        held
    }

    /// The last chunk, settled.
    fn finish(&mut self) -> Option<Chunk> {
        let mut h = self.held.take()?;
        let h_last = h.metadata.pages[1];
        for &f in self.before.iter().filter(|&&f| h_last < f) {
            h.metadata.adjacent_failed_pages.push(f);
        }
        self.before.clear();
        Some(h)
    }
}

/// What a body part is (see [`Part::kind`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PartKind {
    Text,
    Code,
    Table,
}

impl PartKind {
    fn as_str(self) -> &'static str {
        match self {
            PartKind::Text => "text",
            PartKind::Code => "code",
            PartKind::Table => "table",
        }
    }
}

/// One piece of a chunk's body: a block or a piece of one.
#[derive(Debug, Clone)]
struct Seg {
    text: String,
    part: Range<usize>,
    kind: PartKind,
    block: usize,
    table: Option<TablePiece>,
    /// The whole block (not a piece of it).
    whole: bool,
    /// Bytes of `text` that reopen a fenced code block the piece starts inside of, and that
    /// close one it ends inside of: every chunk is valid markdown on its own. Two pieces of
    /// one fence side by side in a chunk drop them and join as the markdown has them.
    pre: usize,
    post: usize,
}

/// The text of `md[part]`, a piece of prose, reopening and closing the fenced code block it
/// starts or ends inside of; with the lengths of what was added before and after.
fn fenced_part(md: &str, fences: &FenceIndex, part: &Range<usize>) -> (String, usize, usize) {
    let body = &md[part.clone()];
    let mut s = String::with_capacity(body.len());
    let mut pre = 0;
    if let Some(f) = fences.open_at(part.start) {
        s.push_str(&f.line);
        s.push('\n');
        pre = s.len();
    }
    s.push_str(body);
    let mut post = 0;
    if let Some(f) = fences.open_at(part.end) {
        let before = s.len();
        s.push('\n');
        s.push_str(&f.closing());
        post = s.len() - before;
    }
    (s, pre, post)
}

/// Segments joined as chunk body: blank lines between them, except that a piece ending inside
/// a fence and the next starting inside it join without closing and reopening it.
fn join_segs(segs: &[Seg]) -> String {
    let mut out = String::new();
    let mut cut = 0;
    for (i, s) in segs.iter().enumerate() {
        if i > 0 && cut > 0 && s.pre > 0 {
            // Undo the previous piece's closing fence: the blank line between is code.
            out.truncate(out.len() - cut);
            out.push_str("\n\n");
            out.push_str(&s.text[s.pre..]);
        } else {
            if i > 0 {
                out.push_str("\n\n");
            }
            out.push_str(&s.text);
        }
        cut = s.post;
    }
    out
}

/// The chunk being built.
#[derive(Debug, Default)]
struct Draft {
    started: bool,
    segs: Vec<Seg>,
    /// Empty when off, or given up so that a single oversize unit is as small as it can be.
    breadcrumb: String,
    overlap: String,
    /// The overlap as `start` gave it (before a block too large for it dropped it).
    opened_with: String,
    segment: usize,
}

/// A chunk built, before its provenance is looked up.
#[derive(Debug)]
struct Done {
    segs: Vec<Seg>,
    overlap: String,
    /// Whether the chunk has a breadcrumb (recomputed from its segments, which may share less
    /// of their path than the block it started with).
    crumb: bool,
    /// See [`Draft::opened_with`].
    opened_with: String,
    /// The run's last chunk, which the pages after the run may still add to.
    open: bool,
}

impl Done {
    fn body(&self) -> String {
        join_segs(&self.segs)
    }
}

fn join<'s>(parts: impl Iterator<Item = &'s str>) -> String {
    parts.collect::<Vec<_>>().join("\n\n")
}

/// The breadcrumb, overlap and body joined as chunk text.
fn compose(breadcrumb: &str, overlap: &str, body: &str) -> String {
    let mut s = String::with_capacity(breadcrumb.len() + overlap.len() + body.len() + 4);
    for prefix in [breadcrumb, overlap] {
        if !prefix.is_empty() {
            s.push_str(prefix);
            s.push_str("\n\n");
        }
    }
    s.push_str(body);
    s
}

struct Builder<'a> {
    opts: &'a ChunkOptions,
    md_opts: &'a MarkdownOptions,
    md: &'a str,
    fences: &'a FenceIndex,
    measure: Measure,
    blocks: &'a [Block],
    tables: &'a BTreeMap<usize, TableRows<'a>>,
    draft: Draft,
    done: Vec<Done>,
    /// The overlap the run's first chunk opens with (see [`Start::overlap`]), until taken.
    carried: Option<String>,
}

impl Builder<'_> {
    /// The whole block as one body piece.
    fn whole(&self, bi: usize) -> Seg {
        let b = &self.blocks[bi];
        match self.tables.get(&bi) {
            Some(t) => {
                let n = t.len();
                Seg {
                    text: t.text(1, n, self.opts.tables, self.md, self.md_opts, true),
                    part: b.range.clone(),
                    kind: PartKind::Table,
                    block: bi,
                    table: Some(TablePiece {
                        id: t.id.clone(),
                        rows: [1.min(n), n],
                        of: n,
                        header_repeated: false,
                    }),
                    whole: true,
                    pre: 0,
                    post: 0,
                }
            }
            None => {
                let (text, pre, post) = fenced_part(self.md, self.fences, &b.range);
                Seg {
                    text,
                    part: b.range.clone(),
                    kind: PartKind::Text,
                    block: bi,
                    table: None,
                    whole: true,
                    pre,
                    post,
                }
            }
        }
    }

    fn add(&mut self, bi: usize) {
        let blocks = self.blocks;
        let b = &blocks[bi];
        if !self.draft.segs.is_empty() && (b.segment != self.draft.segment || self.breaks_at(bi)) {
            self.flush();
        }
        self.start(bi);
        let whole = self.whole(bi);
        if self.try_push(&whole) {
            return;
        }
        // Headings alone stay to open the block's first piece, however long they are.
        let only_headings = self.draft.segs.iter().all(|s| self.is_heading(s));
        if !self.draft.segs.is_empty() && !only_headings && !self.draft_is_small() {
            self.flush();
            self.start(bi);
            if self.try_push(&whole) {
                return;
            }
        }
        self.split(bi);
    }

    /// Whether the block must start a new chunk: a heading does, unless the chunk so far
    /// holds only headings (they stay with the content under them).
    fn breaks_at(&self, bi: usize) -> bool {
        self.blocks[bi].kind == BlockKind::Heading
            && !self.draft.segs.iter().all(|s| self.is_heading(s))
    }

    fn is_heading(&self, s: &Seg) -> bool {
        s.whole && self.blocks[s.block].kind == BlockKind::Heading
    }

    /// Merges neighbouring chunks on the same side of any failed page when they fit together
    /// and either both are small and share a heading path (the second's parent path is the
    /// first's path or its parent), or one is small and the second continues the first's
    /// section (what the first pass leaves apart after a split table).
    fn merge_small(&mut self) {
        let done = std::mem::take(&mut self.done);
        for d in done {
            let merged = self.done.last().and_then(|prev| self.merged(prev, &d));
            if let (Some(m), Some(prev)) = (merged, self.done.last_mut()) {
                *prev = m;
                continue;
            }
            self.done.push(d);
        }
    }

    fn merged(&self, a: &Done, b: &Done) -> Option<Done> {
        let (Some(last), Some(first)) = (a.segs.last(), b.segs.first()) else {
            return None;
        };
        if self.blocks[last.block].segment != self.blocks[first.block].segment {
            return None;
        }
        // Pieces of one cut table row stay in chunks of their own.
        if last.kind == PartKind::Table && last.part == first.part {
            return None;
        }
        let small_a = self.measure.len(&a.body()) < self.opts.min;
        let small_b = self.measure.len(&b.body()) < self.opts.min;
        let same_section = !self.is_heading(first)
            && self.blocks[first.block].context == self.blocks[last.block].context;
        if !(small_a && small_b || (small_a || small_b) && same_section) {
            return None;
        }
        let path = self.common_path(&a.segs);
        // Where the second chunk starts: a heading's parent path, or the section it continues.
        let ctx = &self.blocks[first.block].context;
        let parent = if self.is_heading(first) {
            &ctx[..ctx.len().saturating_sub(1)]
        } else {
            &ctx[..]
        };
        let shares =
            parent == path.as_slice() || (!path.is_empty() && parent == &path[..path.len() - 1]);
        if !shares && !same_section {
            return None;
        }
        let mut segs = a.segs.clone();
        segs.extend(b.segs.iter().cloned());
        let merged = Done {
            segs,
            overlap: a.overlap.clone(),
            crumb: a.crumb,
            opened_with: a.opened_with.clone(),
            open: a.open,
        };
        let crumb = if merged.crumb {
            self.breadcrumb(&merged.segs)
        } else {
            String::new()
        };
        let text = compose(&crumb, &merged.overlap, &merged.body());
        (self.measure.len(&text) <= self.opts.max).then_some(merged)
    }

    fn draft_is_small(&self) -> bool {
        let body = join(self.draft.segs.iter().map(|s| s.text.as_str()));
        self.measure.len(&body) < self.opts.min
    }

    /// The heading path the segments share.
    fn common_path(&self, segs: &[Seg]) -> Vec<String> {
        let mut it = segs.iter().map(|s| &self.blocks[s.block].context);
        let Some(first) = it.next() else {
            return Vec::new();
        };
        let mut n = first.len();
        for c in it {
            n = n.min(first.iter().zip(c).take_while(|(a, b)| a == b).count());
        }
        first[..n].to_vec()
    }

    /// The breadcrumb for segments: their shared path without the headings they open; empty
    /// when off or when it would take more than half the maximum.
    fn breadcrumb(&self, segs: &[Seg]) -> String {
        if !self.opts.breadcrumb {
            return String::new();
        }
        let path = self.common_path(segs);
        let opened = segs
            .iter()
            .filter(|s| s.whole)
            .filter_map(|s| self.blocks[s.block].opens)
            .min()
            .unwrap_or(path.len());
        let crumb = path[..opened.min(path.len())].join(" > ");
        if self.measure.len(&crumb) * 2 > self.opts.max {
            return String::new();
        }
        crumb
    }

    /// Starts the draft (once) with the block that opens it: its breadcrumb and, when the
    /// previous chunk is prose of the same section, the overlap.
    fn start(&mut self, bi: usize) {
        if self.draft.started {
            return;
        }
        let blocks = self.blocks;
        let b = &blocks[bi];
        let probe = [Seg {
            text: String::new(),
            part: 0..0,
            kind: PartKind::Text,
            block: bi,
            table: None,
            whole: true,
            pre: 0,
            post: 0,
        }];
        let breadcrumb = self.breadcrumb(&probe);
        let mut overlap = String::new();
        if self.done.is_empty()
            && let Some(carried) = self.carried.take()
        {
            // The run starts where the run before settled: its chunk there opened with this.
            overlap = carried;
        } else if let Some(prev) = self.done.last().filter(|_| self.opts.overlap > 0) {
            let last = prev.segs.last().map(|s| &self.blocks[s.block]);
            if last.is_some_and(|l| {
                l.segment == b.segment
                    && l.kind.is_prose()
                    && b.kind.is_prose()
                    && l.context == b.context
            }) {
                let body = prev.body();
                let n = self.opts.overlap.min(self.opts.max / 2);
                overlap = body[self.measure.tail(&body, n)..].to_owned();
                // Code is not overlap: a fence line there would leave this chunk's fences
                // unbalanced.
                if overlap.contains("```") || overlap.contains("~~~") {
                    overlap.clear();
                }
            }
        }
        self.draft = Draft {
            started: true,
            segs: Vec::new(),
            breadcrumb,
            opened_with: overlap.clone(),
            overlap,
            segment: b.segment,
        };
    }

    /// Whether the draft with `text` appended is within the maximum.
    fn fits(&self, text: &str) -> bool {
        // Far too large to measure: a whole 150k-row table must not be tokenized to learn
        // that it does not fit.
        if !self.measure.may_fit(text, self.opts.max) {
            return false;
        }
        let mut body = join(self.draft.segs.iter().map(|s| s.text.as_str()));
        if !body.is_empty() {
            body.push_str("\n\n");
        }
        body.push_str(text);
        let all = compose(&self.draft.breadcrumb, &self.draft.overlap, &body);
        self.measure.len(&all) <= self.opts.max
    }

    /// Appends `seg` when it fits (giving up the overlap to keep a block whole).
    fn try_push(&mut self, seg: &Seg) -> bool {
        if self.fits(&seg.text) {
            self.draft.segs.push(seg.clone());
            return true;
        }
        if self.draft.segs.is_empty() && !self.draft.overlap.is_empty() {
            let overlap = std::mem::take(&mut self.draft.overlap);
            if self.fits(&seg.text) {
                self.draft.segs.push(seg.clone());
                return true;
            }
            self.draft.overlap = overlap;
        }
        false
    }

    fn split(&mut self, bi: usize) {
        // Copies of the shared references, so the piece closures do not borrow `self`.
        let (blocks, tables, md, opts, md_opts) =
            (self.blocks, self.tables, self.md, self.opts, self.md_opts);
        let b = &blocks[bi];
        let range = b.range.clone();
        match b.kind {
            BlockKind::Table => {
                let t = &tables[&bi];
                let n = t.len();
                // A header row that alone takes half the limit is written once, not repeated.
                let header = t.text(1, 1, opts.tables, md, md_opts, true);
                let repeat = self.measure.len(&header) * 2 <= opts.max;
                // Units are the body rows 1..n (a header-only table is one unit: its header).
                // A piece of the table's rows `a..=z` (1-based, the header being row 0).
                let table_seg = |text: String, a: usize, z: usize| Seg {
                    text,
                    part: t.part(a, z),
                    kind: PartKind::Table,
                    block: bi,
                    table: Some(TablePiece {
                        id: t.id.clone(),
                        rows: [a, z],
                        of: n,
                        header_repeated: a > 1 && repeat,
                    }),
                    whole: false,
                    pre: 0,
                    post: 0,
                };
                let piece = |a: usize, z: usize| {
                    let (a, z) = if n == 1 { (1, 1) } else { (a + 1, z + 1) };
                    table_seg(t.text(a, z, opts.tables, md, md_opts, repeat), a, z)
                };
                // A row larger than the maximum: the row's own text cut as prose (sentences,
                // words, graphemes), each piece under the repeated header lines.
                let cut = |u: usize, fits: &dyn Fn(&str) -> bool| -> Vec<Seg> {
                    let (a, z) = if n == 1 { (1, 1) } else { (u + 1, u + 2) };
                    // HTML rows sit inside markup that cannot be cut: those stay whole.
                    if opts.tables == TableText::Html {
                        return Vec::new();
                    }
                    let full = t.text(a, z, opts.tables, md, md_opts, repeat);
                    // The lines above the row: a GFM header and delimiter (blank when the
                    // header is too large to repeat), a CSV header unless left out.
                    let head_lines = match opts.tables {
                        _ if n == 1 => 0,
                        TableText::Markdown => 2,
                        _ if a > 1 && !repeat => 0,
                        _ => 1,
                    };
                    let mut split_at = 0;
                    for _ in 0..head_lines {
                        split_at += full[split_at..]
                            .find('\n')
                            .map_or(full.len() - split_at, |i| i + 1);
                    }
                    let (head, row) = full.split_at(split_at.min(full.len()));
                    let head = head.trim_end_matches('\n');
                    // Pieces keep the header above them while it leaves room for some text.
                    let (lead, row) = if head.is_empty() || (a > 1 && !repeat) {
                        // No header to repeat (a blank one stands in for a large header).
                        (String::new(), row)
                    } else if !fits(&format!("{head}\nx")) {
                        // No room for it: the header lines are cut with the row (their text
                        // is content, and a first row's header is nowhere else).
                        (String::new(), full.as_str())
                    } else {
                        (format!("{head}\n"), row)
                    };
                    let with_lead = |s: &str| format!("{lead}{s}");
                    let mut atoms = Vec::new();
                    split::atoms(
                        row,
                        0..row.len(),
                        split::PROSE,
                        &|s| fits(&with_lead(s)),
                        &mut atoms,
                    );
                    let mut out = Vec::new();
                    let mut p = 0;
                    while p < atoms.len() {
                        let slice = |k: usize| &row[atoms[p].start..atoms[p + k - 1].end];
                        let k = gallop(atoms.len() - p, 1, &|k| fits(&with_lead(slice(k)))).max(1);
                        out.push(table_seg(with_lead(slice(k)), a, z));
                        p += k;
                    }
                    out
                };
                self.pieces(bi, (n - 1).max(1), &piece, Some(&cut));
                // A table piece is never merged with what follows.
                self.flush();
            }
            BlockKind::Code => {
                let text = &md[range.clone()];
                let open_end = text.find('\n').unwrap_or(text.len());
                let close_start = text.rfind('\n').map_or(text.len(), |i| i + 1);
                if close_start <= open_end + 1 {
                    return self.split_prose(bi, split::WORDS);
                }
                let (open, close) = (&text[..open_end], &text[close_start..]);
                let inner = range.start + open_end + 1..range.start + close_start - 1;
                let fenced = |body: &str| format!("{open}\n{body}\n{close}");
                let atoms = self.atoms(inner, split::LINES, &fenced);
                self.pieces(
                    bi,
                    atoms.len(),
                    &|a, z| {
                        let part = atoms[a].start..atoms[z - 1].end;
                        Seg {
                            text: fenced(&md[part.clone()]),
                            part,
                            kind: PartKind::Code,
                            block: bi,
                            table: None,
                            whole: false,
                            pre: 0,
                            post: 0,
                        }
                    },
                    None,
                );
            }
            BlockKind::Heading => self.split_prose(bi, split::WORDS),
            BlockKind::Lines => self.split_prose(bi, split::LINES),
            BlockKind::Text | BlockKind::PageText | BlockKind::List => {
                self.split_prose(bi, split::PROSE)
            }
        }
    }

    /// Splits a block of text (a list first between its entries).
    fn split_prose(&mut self, bi: usize, levels: &[Level]) {
        let (blocks, md) = (self.blocks, self.md);
        let b = &blocks[bi];
        // A piece may start or end inside a fenced code block and be wrapped in its fence
        // lines (see `fenced_part`): measure atoms with the largest such wrapping, so the
        // wrapped piece still fits.
        let mut widest: Option<crate::fence::Fence> = self.fences.open_at(b.range.start).cloned();
        let mut state = widest.clone();
        for line in md[b.range.clone()].lines() {
            crate::fence::step(&mut state, line);
            if let Some(f) = &state
                && widest.as_ref().is_none_or(|w| w.line.len() < f.line.len())
            {
                widest = Some(f.clone());
            }
        }
        let same = |s: &str| match &widest {
            Some(f) => format!("{}\n{s}\n{}", f.line, f.closing()),
            None => s.to_owned(),
        };
        let atoms = if b.kind == BlockKind::List {
            // Entries start at their markers: the list's lines that are not indented.
            let text = &md[b.range.clone()];
            let mut starts: Vec<usize> = text
                .match_indices('\n')
                .map(|(i, _)| i + 1)
                .filter(|&i| text[i..].starts_with(|c: char| !c.is_whitespace()))
                .collect();
            starts.insert(0, 0);
            starts.push(text.len());
            let mut atoms = Vec::new();
            for w in starts.windows(2) {
                let entry = b.range.start + w[0]..b.range.start + w[1];
                atoms.extend(self.atoms(entry, levels, &same));
            }
            atoms
        } else {
            self.atoms(b.range.clone(), levels, &same)
        };
        let fences = self.fences;
        self.pieces(
            bi,
            atoms.len(),
            &|a, z| {
                let part = atoms[a].start..atoms[z - 1].end;
                let (text, pre, post) = fenced_part(md, fences, &part);
                Seg {
                    text,
                    part,
                    kind: PartKind::Text,
                    block: bi,
                    table: None,
                    whole: false,
                    pre,
                    post,
                }
            },
            None,
        );
    }

    /// Atoms of `range` small enough to fit, wrapped as `wrap` says, in an otherwise empty
    /// chunk of this block.
    fn atoms(
        &self,
        range: Range<usize>,
        levels: &[Level],
        wrap: &dyn Fn(&str) -> String,
    ) -> Vec<Range<usize>> {
        let crumb = &self.draft.breadcrumb;
        // Headings waiting in the draft must fit beside the first piece: cut atoms for that,
        // so a heading is not left alone in a chunk.
        let segs = &self.draft.segs;
        let lead = if !segs.is_empty() && segs.iter().all(|s| self.is_heading(s)) {
            join(segs.iter().map(|s| s.text.as_str())) + "\n\n"
        } else {
            String::new()
        };
        let fits = |s: &str| {
            let body = lead.clone() + &wrap(s);
            self.measure.len(&compose(crumb, "", &body)) <= self.opts.max
        };
        let mut out = Vec::new();
        // Whitespace around the range is not content.
        let text = &self.md[range.clone()];
        let lead = text.len() - text.trim_start_matches(['\n', '\r']).len();
        let trail = text.len() - text.trim_end().len();
        if lead + trail < text.len() {
            split::atoms(
                self.md,
                range.start + lead..range.end - trail,
                levels,
                &fits,
                &mut out,
            );
        }
        out
    }

    /// Packs `n` units into pieces, each as large as fits: the first joins the draft, the rest
    /// start new chunks. `piece(a, z)` is units `a..z` as one piece. A unit that does not fit
    /// even alone is cut by `cut_unit` (given the unit and what a piece must satisfy), or kept
    /// whole when there is none (an `oversize` chunk). Headings waiting in the draft stay with
    /// the first piece: a heading is never left alone in a chunk.
    fn pieces(
        &mut self,
        bi: usize,
        n: usize,
        piece: &dyn Fn(usize, usize) -> Seg,
        cut_unit: Option<&CutUnit<'_>>,
    ) {
        let mut pos = 0;
        // Pieces of one block tend to hold alike many units: start the search at the last
        // piece's count (two measurements per piece instead of a dozen).
        let mut hint = 1;
        while pos < n {
            self.start(bi);
            let end = pos + gallop(n - pos, hint, &|k| self.fits(&piece(pos, pos + k).text));
            hint = (end - pos).max(1);
            if end == pos {
                let only_headings = self.draft.segs.iter().all(|s| self.is_heading(s));
                if !self.draft.segs.is_empty() && !only_headings {
                    self.flush();
                    continue;
                }
                if !self.draft.overlap.is_empty() {
                    self.draft.overlap.clear();
                    continue;
                }
                if !self.draft.breadcrumb.is_empty() {
                    self.draft.breadcrumb.clear();
                    continue;
                }
                if let Some(cut) = cut_unit {
                    let cut_pieces = cut(pos, &|t: &str| self.fits(t));
                    if !cut_pieces.is_empty() && cut_pieces.iter().all(|p| self.fits_alone(&p.text))
                    {
                        for (i, p) in cut_pieces.into_iter().enumerate() {
                            if i > 0 {
                                self.flush();
                                self.start(bi);
                                if !self.fits(&p.text) {
                                    self.draft.overlap.clear();
                                    self.draft.breadcrumb.clear();
                                }
                            }
                            self.draft.segs.push(p);
                        }
                        pos += 1;
                        if pos < n {
                            self.flush();
                        }
                        continue;
                    }
                }
                // One unit alone is larger than the maximum and cannot be cut: it stays whole
                // (with the headings that open it, rather than leave them alone).
                self.draft.segs.push(piece(pos, pos + 1));
                pos += 1;
                if pos < n {
                    self.flush();
                }
                continue;
            }
            self.draft.segs.push(piece(pos, end));
            pos = end;
            if pos < n {
                self.flush();
            }
        }
    }

    /// Whether `text` fits in a chunk of its own without breadcrumb or overlap.
    fn fits_alone(&self, text: &str) -> bool {
        self.measure.len(text) <= self.opts.max
    }

    /// Closes the draft. Headings at its end move on to open the next chunk.
    fn flush(&mut self) {
        let mut draft = std::mem::take(&mut self.draft);
        if draft.segs.is_empty() {
            return;
        }
        let mut carry = Vec::new();
        if !draft.segs.iter().all(|s| self.is_heading(s)) {
            while draft.segs.last().is_some_and(|s| self.is_heading(s)) {
                carry.extend(draft.segs.pop());
            }
        }
        self.done.push(Done {
            segs: draft.segs,
            overlap: draft.overlap,
            crumb: !draft.breadcrumb.is_empty(),
            opened_with: draft.opened_with,
            open: false,
        });
        if let Some(first) = carry.last() {
            self.start(first.block);
            while let Some(s) = carry.pop() {
                self.draft.segs.push(s);
            }
        }
    }
}

/// Cuts one unit larger than the limit into pieces satisfying the given test.
type CutUnit<'f> = dyn Fn(usize, &dyn Fn(&str) -> bool) -> Vec<Seg> + 'f;

/// The largest `k` in `1..=n` for which `fits(k)` holds (0 when `fits(1)` does not), for a
/// `fits` that stays false once false, searched from `hint`: doubling then halving, so finding
/// a piece of `k` units measures `O(log k)` candidates instead of `k` (measuring every prefix
/// made chunking quadratic in the units of a chunk: table rows, sentences).
fn gallop(n: usize, hint: usize, fits: &dyn Fn(usize) -> bool) -> usize {
    if n == 0 {
        return 0;
    }
    let hint = hint.clamp(1, n);
    if !fits(hint) {
        return bisect(0, hint, fits);
    }
    let (mut good, mut step) = (hint, 1);
    while good + step <= n && fits(good + step) {
        good += step;
        step *= 2;
    }
    bisect(good, (good + step).min(n + 1), fits)
}

/// The last `k` in `good..bad` that `fits`, given that `good` fits (or is 0) and `bad` does not.
fn bisect(mut good: usize, mut bad: usize, fits: &dyn Fn(usize) -> bool) -> usize {
    while bad - good > 1 {
        let mid = (good + bad) / 2;
        if fits(mid) {
            good = mid;
        } else {
            bad = mid;
        }
    }
    good
}

/// The markdown a table item's `md` (and the parts merged into it) holds before and after the
/// table, as the renderer writes it around the table (see `tables::choose`).
fn around_text(parts: &[Option<Chosen<'_>>]) -> [String; 2] {
    let before = parts[0]
        .as_ref()
        .map(|c| c.before.clone())
        .unwrap_or_default();
    let after: Vec<&str> = parts
        .iter()
        .flatten()
        .map(|c| c.after.as_str())
        .filter(|a| !a.is_empty())
        .collect();
    [before, after.join("\n\n")]
}

/// Gives the text a table item's `md` holds before and after its table (notes, paragraphs,
/// lists) blocks of their own (returning the head walk index of each table split so), so that it is cut as prose and never taken for table rows
/// (a row piece would otherwise carry it under a repeated header).
fn split_table_text(
    blocks: Vec<Block>,
    chosen: &BTreeMap<usize, Vec<Option<Chosen<'_>>>>,
    md: &str,
) -> (Vec<Block>, BTreeSet<usize>) {
    let mut out = Vec::with_capacity(blocks.len());
    let mut split = BTreeSet::new();
    for b in blocks {
        let parts = match (b.kind, b.items.first()) {
            (BlockKind::Table, Some(head)) => chosen.get(head),
            _ => None,
        };
        let Some(parts) = parts else {
            out.push(b);
            continue;
        };
        let [before, after] = around_text(parts);
        let text = &md[b.range.clone()];
        // The renderer writes the text a blank line away from the table, or (server HTML
        // written as it came) right against it.
        let fits = (before.is_empty() || text.starts_with(before.as_str()))
            && (after.is_empty() || text.ends_with(after.as_str()))
            && before.len() + after.len() < text.len();
        if !fits || before.len() + after.len() == 0 {
            out.push(b);
            continue;
        }
        let table = &text[before.len()..text.len() - after.len()];
        let lead = before.len() + (table.len() - table.trim_start().len());
        let tail = after.len() + (table.len() - table.trim_end().len());
        if table.trim().is_empty() {
            out.push(b);
            continue;
        }
        let (start, end) = (b.range.start, b.range.end);
        let prose = |range: Range<usize>| Block {
            kind: BlockKind::Text,
            range,
            opens: None,
            ..b.clone()
        };
        if !before.is_empty() {
            out.push(prose(start..start + before.len()));
        }
        let after_block = (!after.is_empty()).then(|| prose(end - after.len()..end));
        split.insert(b.items[0]);
        out.push(Block {
            range: start + lead..end - tail,
            ..b
        });
        out.extend(after_block);
    }
    (out, split)
}

/// The chunk for a built draft: text, ranges, tables and provenance.
fn finish(
    d: &Done,
    start: &Start,
    b: &Builder<'_>,
    prov: &Provenance<'_>,
    chars: &CharIndex,
    walk: &[pagetree_model::ItemRef<'_>],
    source: Option<&str>,
) -> Chunk {
    let breadcrumb = if d.crumb {
        b.breadcrumb(&d.segs)
    } else {
        String::new()
    };
    let body = d.body();
    let text = compose(&breadcrumb, &d.overlap, &body);
    let body_bytes = text.len() - body.len();
    let body_offset = TextPos {
        chars: text[..body_bytes].chars().count(),
        bytes: body_bytes,
    };

    // Neighbouring verbatim parts that the markdown separates by just a blank line are one.
    let mut parts: Vec<(Range<usize>, PartKind)> = Vec::new();
    for s in &d.segs {
        match parts.last_mut() {
            Some((r, PartKind::Text))
                if s.kind == PartKind::Text && b.md.get(r.end..s.part.start) == Some("\n\n") =>
            {
                r.end = s.part.end;
            }
            _ => parts.push((s.part.clone(), s.kind)),
        }
    }
    // In the document markdown (the run's starts at `start`).
    let range = |r: &Range<usize>| TextRange {
        chars: [
            start.chars + chars.char_of(r.start),
            start.chars + chars.char_of(r.end),
        ],
        bytes: [start.bytes + r.start, start.bytes + r.end],
    };
    let first = parts.first().map_or(0, |p| p.0.start);
    let last = parts.last().map_or(0, |p| p.0.end);
    let md_range = range(&(first..last));
    let md_parts: Vec<Part> = parts
        .iter()
        .map(|(r, k)| Part {
            range: range(r),
            kind: k.as_str(),
        })
        .collect();
    let tables: Vec<TablePiece> = d.segs.iter().filter_map(|s| s.table.clone()).collect();

    let mut blocks: Vec<&Block> = d.segs.iter().map(|s| &b.blocks[s.block]).collect();
    blocks.dedup_by_key(|blk| blk.range.start);
    let ranges: Vec<Range<usize>> = parts.iter().map(|p| p.0.clone()).collect();
    let found = prov.of(&blocks, &ranges);
    let pages = [
        found.pages.first().copied().unwrap_or(0),
        found.pages.last().copied().unwrap_or(0),
    ];
    let mut kinds: Vec<&'static str> = Vec::new();
    for blk in &blocks {
        let k = match blk.items.first() {
            Some(&i) if blk.items.len() == 1 || blk.kind != BlockKind::Text => {
                walk[i].item.kind().as_str()
            }
            Some(_) => "text",
            None => "page_text",
        };
        if !kinds.contains(&k) {
            kinds.push(k);
        }
    }
    let origin = match (
        blocks.iter().all(|x| x.origin == Origin::Items),
        blocks.first().map(|x| x.origin),
    ) {
        (true, _) => "items",
        (false, Some(o)) if blocks.iter().all(|x| x.origin == o) => o.as_str(),
        _ => "mixed",
    };
    let size = b.measure.len(&text);
    // Sibling sections merged into one chunk share no heading; a chunk that opens with a
    // heading still names it.
    let mut heading_path = b.common_path(&d.segs);
    if let Some(first) = d
        .segs
        .first()
        .filter(|s| heading_path.is_empty() && b.is_heading(s))
    {
        let blk = &b.blocks[first.block];
        let end = blk.opens.map_or(blk.context.len(), |o| o + 1);
        heading_path = blk.context[..end.min(blk.context.len())].to_vec();
    }
    let key = format!(
        "{}\n{:?}\n{}\n{}",
        source.unwrap_or(""),
        md_range.bytes,
        parts
            .iter()
            .map(|(r, k)| {
                format!(
                    "{}:{}-{}",
                    k.as_str(),
                    start.bytes + r.start,
                    start.bytes + r.end
                )
            })
            .collect::<Vec<_>>()
            .join(","),
        tables
            .iter()
            .map(|t| format!("{}:{}-{}", t.id, t.rows[0], t.rows[1]))
            .collect::<Vec<_>>()
            .join(","),
    );
    Chunk {
        id: stable_id(&key),
        metadata: ChunkMetadata {
            source: source.map(str::to_owned),
            index: 0,
            heading_path,
            body_offset,
            pages,
            origin,
            kinds,
            chars: text.chars().count(),
            tokens: b.measure.is_tokens().then_some(size),
            oversize: size > b.opts.max,
            md_range,
            md_parts,
            tables,
            elements: found.elements,
            page_boxes: found.page_boxes,
            adjacent_failed_pages: Vec::new(),
        },
        text,
    }
}
