//! Converting one document to several outputs (markdown, text, tables, elements) in batches of
//! pages, so a response of hundreds of MB is converted with bounded memory.
//!
//! The same code converts a whole [`Document`] (one batch) and a [`LazyDocument`] (many), and
//! the files are byte-identical either way: what crosses pages is carried from batch to batch
//! (page separators, reading order, heading path, markdown offsets, the table index), and a
//! batch is extended while a cross-page feature would reach past its end (a server-merged table
//! whose stubs lie ahead; with table merging or stitching, a page that ends with a table).
//! Outputs go to a [`Sink`]; nothing here touches the file system.

use std::io::{self, Read, Seek};
use std::ops::Range;

use pagetree_model::scan::ArrayPath;
use pagetree_model::{
    Document, Format, ItemKind, LazyDocument, LoadError, Piece, PieceKind, Projection, RawPiece,
};
use rayon::prelude::*;

use crate::elements::{ElementOptions, ElementsFormat, ElementsStream, ElementsWriter, MdOffset};
use crate::furniture::{
    Detected, DetectedBuilder, Detection, no_furniture_warning, page_furniture,
};
use crate::markdown::{self, MarkdownOptions, TableFormat};
use crate::pages::{Rendered, Source, separator_for};
use crate::tables::{self, TableOptions, TablesIndexWriter, render_table};
use crate::text::{self, TextOptions};
use crate::warning::Warning;

/// Which outputs to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Outputs {
    /// `document.md`. Default: on.
    pub markdown: bool,
    /// `document.txt`. Default: off.
    pub text: bool,
    /// `tables/*.csv` and `tables/tables.json`. Default: on.
    pub tables: bool,
    /// `elements.json`. Default: on.
    pub elements: bool,
}

impl Outputs {
    /// No output at all: switch on the ones wanted (`let mut o = Outputs::none(); o.text = true;`).
    pub fn none() -> Self {
        Outputs {
            markdown: false,
            text: false,
            tables: false,
            elements: false,
        }
    }
}

impl Default for Outputs {
    fn default() -> Self {
        Outputs {
            markdown: true,
            text: false,
            tables: true,
            elements: true,
        }
    }
}

/// Options for [`convert_document`] and [`convert_lazy`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ConvertOptions {
    /// Which outputs. Default: markdown, tables and elements.
    pub outputs: Outputs,
    /// Markdown options (elements' `md_range` refers to this markdown). Default: defaults.
    pub markdown: MarkdownOptions,
    /// Text options. Default: defaults.
    pub text: TextOptions,
    /// Table options. Default: defaults.
    pub tables: TableOptions,
    /// Element options. Default: defaults.
    pub elements: ElementOptions,
    /// Elements as one JSON document or JSON Lines. Default: JSON.
    pub elements_format: ElementsFormat,
    /// Input bytes per batch of pages for [`convert_lazy`]. Default: 1 MiB (two batches are
    /// in memory at once, one parsed while the other is rendered; larger batches were slower,
    /// their pages out of cache by the time they are rendered, and smaller ones no faster).
    pub batch_bytes: u64,
}

impl Default for ConvertOptions {
    fn default() -> Self {
        ConvertOptions {
            outputs: Outputs::default(),
            markdown: MarkdownOptions::default(),
            text: TextOptions::default(),
            tables: TableOptions::default(),
            elements: ElementOptions::default(),
            elements_format: ElementsFormat::Json,
            batch_bytes: 1 << 20,
        }
    }
}

/// A file a conversion writes, relative to the document's output folder.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub enum OutFile {
    /// `document.md`.
    Markdown,
    /// `document.txt`.
    Text,
    /// `elements.json` (or `elements.jsonl`).
    Elements(ElementsFormat),
    /// `tables/tables.json`.
    TablesIndex,
    /// `tables/<file name>` (a safe name made of the table id).
    Table(String),
    /// `view.html` (see [`crate::view`]; written by the caller from the whole document).
    View,
}

impl OutFile {
    /// The relative path (always `/`-separated, never escaping the folder).
    pub fn path(&self) -> String {
        match self {
            OutFile::Markdown => "document.md".into(),
            OutFile::Text => "document.txt".into(),
            OutFile::Elements(ElementsFormat::Json) => "elements.json".into(),
            OutFile::Elements(ElementsFormat::Jsonl) => "elements.jsonl".into(),
            OutFile::TablesIndex => "tables/tables.json".into(),
            OutFile::Table(name) => format!("tables/{name}"),
            OutFile::View => "view.html".into(),
        }
    }
}

/// Where a conversion's bytes go: appended to the named file, in order. (`Send`: batches are
/// written while the next one is read.)
pub trait Sink: Send {
    /// Appends `bytes` to `file` (created on first write).
    fn write(&mut self, file: &OutFile, bytes: &[u8]) -> io::Result<()>;
}

/// What a conversion produced, for summaries.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ConvertStats {
    /// Pages.
    pub pages: usize,
    /// Failed pages, by number.
    pub failed_pages: Vec<u32>,
    /// Tables written.
    pub tables: usize,
    /// Elements.
    pub elements: usize,
    /// Batches the document was converted in.
    pub batches: usize,
    /// What the writers noticed, as `page N: message` lines (deduplicated, in order).
    pub warnings: Vec<String>,
}

/// Why a conversion stopped.
#[derive(Debug)]
#[non_exhaustive]
pub enum ConvertError {
    /// A page could not be read (located).
    Load(LoadError),
    /// Writing failed.
    Io(io::Error),
    /// A page failed to parse, but the index had found page boundaries by searching
    /// ([`LazyDocument::jumped`]), so the cut may be wrong rather than the page: index the
    /// input again with [`LazyDocument::index_file_exact`] and convert again, which gives the
    /// right output or the real error. (What was written so far is to be discarded.)
    Unchecked(LoadError),
}

impl std::fmt::Display for ConvertError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConvertError::Load(e) | ConvertError::Unchecked(e) => e.fmt(f),
            ConvertError::Io(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for ConvertError {}

impl From<io::Error> for ConvertError {
    fn from(e: io::Error) -> Self {
        ConvertError::Io(e)
    }
}

/// What reading a response for these outputs may leave out ([`Projection`]): markdown and
/// text never read boxes, and boxes are most of the parsing work (numbers); markdown alone,
/// with GFM tables, does not read text items' values nor tables' html and csv either (a
/// quarter of an API items page). Both `convert_lazy` and whole reads for the same outputs
/// use it.
pub fn projection(opts: &ConvertOptions) -> Projection {
    if opts.outputs.elements || opts.outputs.tables {
        return Projection::default();
    }
    Projection {
        skip: &["bbox", "bBox"],
        markdown_only: !opts.outputs.text && opts.markdown.tables == TableFormat::Markdown,
    }
}

/// Converts a whole document (one batch).
pub fn convert_document(
    doc: &Document,
    opts: &ConvertOptions,
    sink: &mut dyn Sink,
) -> io::Result<ConvertStats> {
    let has_items = doc.pages().any(|p| p.items_page().is_some());
    let resolved = detects(opts).then(|| with_detected(opts, Detected::scan(doc)));
    let (opts, warning) = match &resolved {
        Some((o, w)) => (o, w.clone()),
        None => (opts, None),
    };
    let mut state = State::new(doc, opts, has_items)?;
    state.stats.warnings.extend(warning.map(|w| w.to_string()));
    state.batch(doc, sink)?;
    state.finish(sink)
}

/// Converts an indexed document batch by batch, reading pages from `reader` (the input the
/// document was indexed from). The files equal those [`convert_document`] writes for the
/// whole document.
///
/// # Errors
///
/// [`ConvertError::Unchecked`] instead of [`ConvertError::Load`] when the index took page
/// boundaries on trust: index exactly and convert again.
pub fn convert_lazy<R: Read + Seek + Send>(
    lazy: &LazyDocument,
    reader: &mut R,
    opts: &ConvertOptions,
    sink: &mut dyn Sink,
) -> Result<ConvertStats, ConvertError> {
    match convert_batches(lazy, reader, opts, sink) {
        Err(ConvertError::Load(e)) if lazy.jumped() => Err(ConvertError::Unchecked(e)),
        // Broken JSON further on comes first, as in a whole read (see
        // `LazyDocument::first_syntax_error`).
        Err(ConvertError::Load(e)) if e.kind == pagetree_model::ErrorKind::Data => Err(
            ConvertError::Load(lazy.first_syntax_error(reader).unwrap_or(e)),
        ),
        r => r,
    }
}

/// Reads an indexed document batch by batch (about `batch_bytes` of input each, at least a
/// page) and hands each batch, an ordinary [`Document`] holding those pages, to `each`, in
/// page order. For reports that add up over pages (`inspect`); `projection` says what they
/// need not read. Errors as [`convert_lazy`]'s.
pub fn for_each_batch<R: Read + Seek + Send>(
    lazy: &LazyDocument,
    reader: &mut R,
    projection: Projection,
    batch_bytes: u64,
    mut each: impl FnMut(&Document),
) -> Result<(), ConvertError> {
    let load = Load {
        lazy,
        projection,
        light: false,
        spare: std::sync::Mutex::default(),
    };
    let mut start = 0;
    let read = (|| {
        while start < lazy.pages.len() {
            let end = batch_end(lazy, start, batch_bytes);
            let doc = lazy.assemble(load.pieces(reader, start..end)?);
            each(&doc);
            start = end;
        }
        Ok(())
    })();
    match read {
        Err(ConvertError::Load(e)) if lazy.jumped() => Err(ConvertError::Unchecked(e)),
        Err(ConvertError::Load(e)) if e.kind == pagetree_model::ErrorKind::Data => Err(
            ConvertError::Load(lazy.first_syntax_error(reader).unwrap_or(e)),
        ),
        r => r,
    }
}

fn convert_batches<R: Read + Seek + Send>(
    lazy: &LazyDocument,
    reader: &mut R,
    opts: &ConvertOptions,
    sink: &mut dyn Sink,
) -> Result<ConvertStats, ConvertError> {
    let has_items = lazy.pages.iter().any(|p| p.items.is_some());
    let resolved = if detects(opts) {
        Some(with_detected(
            opts,
            detect_lazy(lazy, reader, opts.batch_bytes)?,
        ))
    } else {
        None
    };
    let (opts, warning) = match &resolved {
        Some((o, w)) => (o, w.clone()),
        None => (opts, None),
    };
    let empty = lazy.assemble(Vec::new());
    let mut state = State::new(&empty, opts, has_items)?;
    state.stats.warnings.extend(warning.map(|w| w.to_string()));
    let cross_page = opts.markdown.merge_tables || opts.tables.stitch;
    let projection = projection(opts);
    // Rendering from the item tree reads the server's page markdown and text only for pages
    // without a usable items page; elsewhere those strings (as large as the items' markdown)
    // need not be built. (A v1 page is one entry holding all of it: nothing to leave out.)
    let light = lazy.format != Format::V1
        && (!(opts.outputs.markdown || opts.outputs.elements)
            || state.markdown.pages.source == Source::Items)
        && (!opts.outputs.text || state.text.pages.source == Source::Items);
    let load = Load {
        lazy,
        projection,
        light,
        spare: std::sync::Mutex::default(),
    };
    let n = lazy.pages.len();
    // Batches are freed on a thread of their own: done between batches, with nothing else
    // running, freeing took ~15% of a markdown conversion under glibc's malloc; done inside
    // the pipeline it contends with the next batch's parsing for glibc's arena locks (system
    // time doubled). One batch waits at most, which bounds memory.
    let (dropper, rx) = std::sync::mpsc::sync_channel::<Document>(1);
    let dropping = std::thread::spawn(move || rx.into_iter().for_each(drop));
    let mut next: Option<Loaded> = None;
    let mut start = 0;
    while start < n {
        let (mut range, pieces) = match next.take() {
            Some(loaded) => loaded,
            None => {
                let end = batch_end(lazy, start, opts.batch_bytes);
                (start..end, load.pieces(reader, start..end)?)
            }
        };
        let mut doc = lazy.assemble(pieces);
        loop {
            let need = needed_end(lazy, &doc, range.end, cross_page, opts);
            if need <= range.end {
                break;
            }
            let more = load.pieces(reader, range.end..need)?;
            doc = lazy.extend(doc, more);
            range.end = need;
        }
        start = range.end;
        // Read and parse the next batch while this one is rendered and written.
        let following = (start < n).then(|| {
            let end = batch_end(lazy, start, opts.batch_bytes);
            start..end
        });
        let (loaded, written) = rayon::join(
            || {
                following
                    .map(|r| load.pieces(reader, r.clone()).map(|p| (r, p)))
                    .transpose()
            },
            || state.batch(&doc, sink),
        );
        dropper.send(doc).ok();
        written?;
        next = loaded?;
    }
    drop(dropper);
    dropping.join().ok();
    Ok(state.finish(sink)?)
}

/// Whether an output in use looks for running heads and feet over the document.
fn detects(opts: &ConvertOptions) -> bool {
    let auto = |d: &Detection| *d == Detection::Auto;
    let o = &opts.outputs;
    ((o.markdown || o.elements) && auto(&opts.markdown.pages.detect))
        || (o.text && auto(&opts.text.pages.detect))
        || (o.elements && auto(&opts.elements.detect))
}

/// The options with what was found over the whole document in place of [`Detection::Auto`]
/// (every batch then uses it), and the warning for hiding furniture the document lacks.
fn with_detected(opts: &ConvertOptions, detected: Detected) -> (ConvertOptions, Option<Warning>) {
    let found = Detection::Found(std::sync::Arc::new(detected));
    let mut o = opts.clone();
    for d in [
        &mut o.markdown.pages.detect,
        &mut o.text.pages.detect,
        &mut o.elements.detect,
    ] {
        if *d == Detection::Auto {
            *d = found.clone();
        }
    }
    let Detection::Found(d) = &found else {
        unreachable!("built above")
    };
    let pages = if o.outputs.markdown || o.outputs.elements || !o.outputs.text {
        &o.markdown.pages
    } else {
        &o.text.pages
    };
    let warning = no_furniture_warning(pages, d);
    (o, warning)
}

/// The first pass of a batched conversion: each page's edge lines, read a batch at a time
/// without boxes or values (a page's few first and last items are all it keeps), so
/// detection sees the whole document and every batch marks the same lines a whole read does.
fn detect_lazy<R: Read + Seek + Send>(
    lazy: &LazyDocument,
    reader: &mut R,
    budget: u64,
) -> Result<Detected, ConvertError> {
    let load = Load {
        lazy,
        projection: Projection {
            skip: &["bbox", "bBox"],
            markdown_only: true,
        },
        light: lazy.format != Format::V1,
        spare: std::sync::Mutex::default(),
    };
    let mut found = DetectedBuilder::default();
    let mut start = 0;
    while start < lazy.pages.len() {
        let end = batch_end(lazy, start, budget);
        let doc = lazy.assemble(load.pieces(reader, start..end)?);
        for page in doc.pages() {
            found.add_page(&page);
        }
        start = end;
    }
    Ok(found.finish())
}

/// A batch's range of joined pages and its parsed pieces (with their list indexes).
type Loaded = (Range<usize>, Vec<(usize, Piece)>);

/// How a lazy conversion reads its batches.
struct Load<'a> {
    lazy: &'a LazyDocument,
    /// Fields skipped everywhere.
    projection: Projection,
    /// Whether server page markdown and text may be skipped where an items page stands in.
    light: bool,
    /// Buffers of parsed pages, read into again ([`LazyDocument::read_lists_reusing`]).
    spare: std::sync::Mutex<Vec<Vec<u8>>>,
}

/// The field a light read skips in `markdown.pages` entries (the page's whole markdown).
const SKIP_PAGE_MARKDOWN: &[&str] = &["markdown"];

impl Load<'_> {
    /// Reads and parses the pages `range` of the join, in parallel (order kept).
    fn pieces<R: Read + Seek + Send>(
        &self,
        reader: &mut R,
        range: Range<usize>,
    ) -> Result<Vec<(usize, Piece)>, ConvertError> {
        // A light read leaves `text.pages` on disk until a page turns out to need it.
        let lists = [true, true, !self.light, true];
        let mut spare = std::mem::take(&mut *self.spare.lock().unwrap_or_else(|e| e.into_inner()));
        let raw = self
            .lazy
            .read_lists_reusing(reader, range.clone(), lists, &mut spare)?;
        let mut pieces = self.parse(&raw, self.light)?;
        if self.light {
            // Pages without an items page, or failed, are rendered from the server's pages:
            // read those whole.
            let (markdown, pages) = self.server_pages(&pieces, range);
            for at in markdown {
                pieces[at] = self.parse(&raw[at..=at], false)?.remove(0);
            }
            let mut text = Vec::new();
            for page in pages {
                let only_text = [false, false, true, false];
                text.extend(self.lazy.read_lists(reader, page..page + 1, only_text)?);
            }
            // In input order, as a whole read would have them.
            text.sort_by_key(|r| r.index);
            pieces.extend(self.parse(&text, false)?);
        }
        spare.extend(raw.into_iter().map(|r| r.bytes));
        *self.spare.lock().unwrap_or_else(|e| e.into_inner()) = spare;
        Ok(pieces)
    }

    /// Parses raw pieces in parallel, in order.
    fn parse(&self, raw: &[RawPiece], light: bool) -> Result<Vec<(usize, Piece)>, ConvertError> {
        let source = self.lazy.source.as_deref();
        let parsed: Vec<Result<(usize, Piece), LoadError>> = raw
            .par_iter()
            .map(|r| {
                let projection = match &r.kind {
                    PieceKind::Page(ArrayPath::MarkdownPages) if light => Projection {
                        skip: SKIP_PAGE_MARKDOWN,
                        markdown_only: false,
                    },
                    _ => self.projection,
                };
                projection
                    .with(|| r.parse_fast(source))
                    .map(|p| (r.index, p))
            })
            .collect();
        // The first broken piece in input order, as a whole read meets it: collecting straight
        // into a `Result` would give whichever failure a thread reached first.
        parsed
            .into_iter()
            .collect::<Result<Vec<_>, _>>()
            .map_err(ConvertError::Load)
    }

    /// For the joined pages of `range` that lack a usable items page: the positions in
    /// `pieces` of their markdown pages, and the pages themselves (whose text pages are
    /// still to read), in order.
    fn server_pages(
        &self,
        pieces: &[(usize, Piece)],
        range: Range<usize>,
    ) -> (Vec<usize>, Vec<usize>) {
        use std::collections::HashMap;
        let mut items = HashMap::new();
        let mut markdown = HashMap::new();
        for (at, (index, piece)) in pieces.iter().enumerate() {
            match piece {
                Piece::Items(p) => {
                    items.insert(*index, p.is_failed());
                }
                Piece::Markdown(p) => {
                    markdown.insert(*index, (at, p.is_failed()));
                }
                _ => {}
            }
        }
        let (mut md_at, mut pages) = (Vec::new(), Vec::new());
        for (j, page) in self.lazy.pages[range.clone()].iter().enumerate() {
            let md = page.markdown.and_then(|i| markdown.get(&i));
            let usable = page.items.and_then(|i| items.get(&i)) == Some(&false)
                && !md.is_some_and(|(_, failed)| *failed);
            if !usable {
                md_at.extend(md.map(|(at, _)| *at));
                if page.text.is_some() {
                    pages.push(range.start + j);
                }
            }
        }
        (md_at, pages)
    }
}

/// The end of a batch starting at `start`: pages until their entries reach `budget` bytes
/// (at least one page).
fn batch_end(lazy: &LazyDocument, start: usize, budget: u64) -> usize {
    let mut bytes = 0;
    let mut end = start;
    while end < lazy.pages.len() && (end == start || bytes < budget) {
        bytes += lazy.page_bytes(end);
        end += 1;
    }
    end
}

/// How far the batch `..end` must reach so nothing crossing pages is cut: the last page a
/// server-merged table names, and with merging/stitching, one page more while the batch's last
/// page ends with a table.
fn needed_end(
    lazy: &LazyDocument,
    doc: &Document,
    end: usize,
    cross_page: bool,
    opts: &ConvertOptions,
) -> usize {
    let index_of = |page: u32| lazy.pages.partition_point(|p| p.number <= page);
    let mut need = end;
    // Straight over the items, with plain loops (no walk is built, no iterator adapters:
    // this runs for every batch, between batches, when nothing else does).
    fn last_merged(items: &[pagetree_model::Item], last: &mut Option<u32>) {
        for item in items {
            if let Some(pages) = &item.merged_from_pages {
                *last = pages.iter().copied().chain(*last).max();
            }
            last_merged(item.children(), last);
        }
    }
    for page in doc.pages() {
        let mut last = None;
        last_merged(page.items(), &mut last);
        if let Some(last) = last {
            need = need.max(index_of(last).min(lazy.pages.len()));
        }
    }
    let last = doc
        .pages()
        .last()
        .filter(|_| cross_page && end < lazy.pages.len());
    if let Some(last) = last {
        let detected = match &opts.markdown.pages.detect {
            Detection::Found(d) => Some(&**d),
            _ => None,
        };
        let classes = page_furniture(&last, detected);
        let body_last = last
            .items()
            .iter()
            .zip(&classes)
            .rev()
            .find(|(_, c)| c.is_none());
        if body_last.is_some_and(|(i, _)| i.kind() == ItemKind::Table) {
            need = need.max(end + 1);
        }
    }
    need
}

/// What carries from batch to batch.
struct State<'o> {
    opts: &'o ConvertOptions,
    markdown: MarkdownOptions,
    text: TextOptions,
    md_offset: MdOffset,
    md_pages: usize,
    text_pages: usize,
    elements: Option<(ElementsStream, ElementsWriter<Vec<u8>>)>,
    tables_index: Option<TablesIndexWriter>,
    stats: ConvertStats,
}

impl<'o> State<'o> {
    fn new(doc: &Document, opts: &'o ConvertOptions, has_items: bool) -> io::Result<Self> {
        // Choose the source once for the whole document, so a batch without items pages
        // renders like the same pages of the whole document.
        let resolve = |s: Source| match s {
            Source::Auto if has_items => Source::Items,
            Source::Auto => Source::Server,
            s => s,
        };
        let mut markdown = opts.markdown.clone();
        markdown.pages.source = resolve(markdown.pages.source);
        let mut text = opts.text.clone();
        text.pages.source = resolve(text.pages.source);
        let elements = if opts.outputs.elements {
            let stream = ElementsStream::new(doc, &opts.elements);
            let source = doc.source.clone();
            let format = doc.format.map(|f| f.as_str().to_owned());
            let writer = ElementsWriter::new(Vec::new(), opts.elements_format, &source, &format)?
                .source_on_records(opts.elements.source_on_records)?;
            Some((stream, writer))
        } else {
            None
        };
        Ok(State {
            opts,
            markdown,
            text,
            md_offset: MdOffset::default(),
            md_pages: 0,
            text_pages: 0,
            elements,
            tables_index: None,
            stats: ConvertStats::default(),
        })
    }

    /// Adds an output's warnings for a batch, except those an output before it gave for the
    /// same batch (markdown and text both note each failed page). Two identical warnings of
    /// one output (two tables on a page, both without rows) are both kept, as a whole-document
    /// render keeps them.
    fn warn(&mut self, ws: &[Warning], from: usize) {
        let end = self.stats.warnings.len();
        for w in ws {
            let line = w.to_string();
            if !self.stats.warnings[from..end].contains(&line) {
                self.stats.warnings.push(line);
            }
        }
    }

    fn batch(&mut self, doc: &Document, sink: &mut dyn Sink) -> io::Result<()> {
        let warned = self.stats.warnings.len();
        self.stats.batches += 1;
        self.stats.pages += doc.pages.len();
        self.stats
            .failed_pages
            .extend(doc.failed_pages().map(|p| p.number()));
        let opts = self.opts;
        let need_md = opts.outputs.markdown || opts.outputs.elements;
        let (mopts, topts) = (&self.markdown, &self.text);
        let (md_pages, md_offset) = (self.md_pages, self.md_offset);
        let elements = &mut self.elements;
        // The markdown with the elements that point into it, the text, and the tables are
        // independent: build them side by side, then write in a fixed order.
        let ((md, els), (txt, tabs)) = rayon::join(
            || {
                let Some(md) = need_md.then(|| markdown::render(doc, mopts)) else {
                    return (None, None);
                };
                let els = elements.as_mut().map(|(stream, writer)| {
                    let at = batch_start(&md, &mopts.pages.separator, md_pages, md_offset);
                    // Serialised here, in parallel with the tables; written below. What the
                    // writer holds is taken, keeping memory to one batch.
                    stream
                        .push_to(doc, Some((&md, at)), writer)
                        .map(|n| (n, std::mem::take(writer.get_mut())))
                });
                (Some(md), els)
            },
            || {
                rayon::join(
                    || opts.outputs.text.then(|| text::render(doc, topts)),
                    || {
                        opts.outputs.tables.then(|| {
                            let out = tables::extract(doc, &opts.tables);
                            let csvs: Vec<Vec<u8>> = out
                                .tables
                                .par_iter()
                                .map(|t| render_table(t, &opts.tables))
                                .collect();
                            (out, csvs)
                        })
                    },
                )
            },
        );
        if let Some(md) = &md {
            let at = append_pages(
                md,
                &self.markdown.pages.separator,
                &mut self.md_pages,
                &self.md_offset,
                |b| {
                    if opts.outputs.markdown {
                        sink.write(&OutFile::Markdown, b)
                    } else {
                        Ok(())
                    }
                },
            )?;
            self.warn(&md.warnings, warned);
            if let Some(els) = els {
                let (n, mut bytes) = els?;
                self.stats.elements += n;
                sink.write(&OutFile::Elements(opts.elements_format), &bytes)?;
                // Hand the buffer back: the next batch writes into memory already touched.
                bytes.clear();
                if let Some((_, writer)) = &mut self.elements {
                    *writer.get_mut() = bytes;
                }
            }
            if !md.pages.is_empty() {
                self.md_offset = MdOffset {
                    bytes: at.bytes + md.output.len(),
                    chars: at.chars + md.output.chars().count(),
                };
            }
        }
        if let Some(t) = txt {
            append_pages(
                &t,
                &self.text.pages.separator,
                &mut self.text_pages,
                &MdOffset::default(),
                |b| sink.write(&OutFile::Text, b),
            )?;
            self.warn(&t.warnings, warned);
        }
        if let Some((out, csvs)) = tabs {
            for (t, csv) in out.tables.iter().zip(&csvs) {
                sink.write(&OutFile::Table(t.file_name.clone()), csv)?;
            }
            self.stats.tables += out.tables.len();
            // The index's entries are written as they come (it grew with the document).
            let mut json = Vec::new();
            self.tables_index
                .get_or_insert_with(TablesIndexWriter::default)
                .batch(out.index, &mut json)?;
            sink.write(&OutFile::TablesIndex, &json)?;
        }
        Ok(())
    }

    fn finish(mut self, sink: &mut dyn Sink) -> io::Result<ConvertStats> {
        if let Some((stream, writer)) = self.elements.take() {
            let w = writer.finish(stream.pages(), stream.summary())?;
            sink.write(&OutFile::Elements(self.opts.elements_format), &w)?;
        }
        if let Some(index) = self.tables_index.take() {
            sink.write(&OutFile::TablesIndex, &index.finish()?)?;
        }
        // Empty documents still get their (empty) markdown and text files.
        if self.opts.outputs.markdown && self.md_pages == 0 {
            sink.write(&OutFile::Markdown, b"")?;
        }
        if self.opts.outputs.text && self.text_pages == 0 {
            sink.write(&OutFile::Text, b"")?;
        }
        Ok(self.stats)
    }
}

/// Where a batch's rendered output will start in the document output: after the output so
/// far and, when pages came before, the separator the writer puts before the batch's first
/// page.
fn batch_start(r: &Rendered, separator: &str, pages_so_far: usize, offset: MdOffset) -> MdOffset {
    let mut at = offset;
    if let Some(first) = r.pages.first().filter(|_| pages_so_far > 0) {
        let sep = separator_for(separator, first.number);
        at.bytes += sep.len();
        at.chars += sep.chars().count();
    }
    at
}

/// Appends a batch's rendered pages to the document output: the separator before the batch's
/// first page when pages came before, as the writer puts one between pages. Returns where the
/// batch's output starts in the document output (as [`batch_start`] says).
fn append_pages(
    r: &Rendered,
    separator: &str,
    pages_so_far: &mut usize,
    offset: &MdOffset,
    mut write: impl FnMut(&[u8]) -> io::Result<()>,
) -> io::Result<MdOffset> {
    if let Some(first) = r.pages.first() {
        if *pages_so_far > 0 {
            write(separator_for(separator, first.number).as_bytes())?;
        }
        write(r.output.as_bytes())?;
    }
    let at = batch_start(r, separator, *pages_so_far, *offset);
    *pages_so_far += r.pages.len();
    Ok(at)
}
