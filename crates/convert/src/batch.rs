//! Converting one document to several outputs (markdown, text, tables, elements) in batches of
//! pages, so a response of hundreds of MB is converted with bounded memory.
//!
//! The same code converts a whole [`Document`] (one batch) and a [`Reader`]'s batches, and
//! the files are byte-identical either way: what crosses pages is carried from batch to batch
//! (page separators, reading order, heading path, markdown offsets, the table index), and a
//! batch is extended while a cross-page feature would reach past its end (a server-merged table
//! whose stubs lie ahead; with table merging or stitching, a page that ends with a table).
//! Outputs go to a [`Sink`]; nothing here touches the file system.

use std::collections::BTreeSet;
use std::io::{self, Write};

use pagetree_model::{Batches, Document, ItemKind, LoadError, ReadOptions, Reader};
use rayon::prelude::*;

use crate::chunks::{self, Chunk, ChunkOptions};
use crate::elements::{ElementOptions, ElementsFormat, ElementsStream, ElementsWriter, MdOffset};
use crate::furniture::{
    Detected, DetectedBuilder, Detection, PageEdges, no_furniture_warning, page_furniture,
};
use crate::markdown::{self, MarkdownOptions, TableFormat};
use crate::pages::{Rendered, Source, separator_for};
use crate::quality::{FinishedReport, QualityOptions, QualityStream, Summary};
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
    /// `quality.json`, the table-quality report (as `pagetree quality --json` prints it).
    /// Default: off.
    pub quality: bool,
    /// `chunks.jsonl`, RAG chunks (as `pagetree chunks` writes them; see [`crate::chunks`]).
    /// Default: off.
    pub chunks: bool,
}

impl Outputs {
    /// No output at all: switch on the ones wanted (`let mut o = Outputs::none(); o.text = true;`).
    pub fn none() -> Self {
        Outputs {
            markdown: false,
            text: false,
            tables: false,
            elements: false,
            quality: false,
            chunks: false,
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
            quality: false,
            chunks: false,
        }
    }
}

/// Options for [`convert_document`] and [`convert_reader`].
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
    /// Table-quality options. Default: defaults.
    pub quality: QualityOptions,
    /// Chunk options (the chunks' own markdown options included). Default: defaults.
    pub chunks: ChunkOptions,
    /// Input bytes per batch of pages for [`convert_reader`]. Default: 1 MiB (two batches are
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
            quality: QualityOptions::default(),
            chunks: ChunkOptions::default(),
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
    /// `quality.json`: the quality report as one line of JSON.
    Quality,
    /// `chunks.jsonl`: one chunk per line.
    Chunks,
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
            OutFile::Quality => "quality.json".into(),
            OutFile::Chunks => "chunks.jsonl".into(),
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
#[derive(Debug, Clone, PartialEq, Default)]
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
    /// What the writers noticed (deduplicated, in order); each displays as the
    /// `page N: message` line the CLI prints.
    pub warnings: Vec<Warning>,
    /// The tables' warnings (also in `tables/tables.json`), as `pagetree tables` prints them.
    pub table_warnings: Vec<Warning>,
    /// Table items not written (merge stubs, empty tables; listed in `tables/tables.json`).
    pub skipped_tables: usize,
    /// The quality report's summary, when the report was asked for (the report is written
    /// as [`OutFile::Quality`]).
    pub quality: Option<Summary>,
    /// Chunks written.
    pub chunks: usize,
}

/// Why a conversion stopped.
#[derive(Debug)]
#[non_exhaustive]
pub enum ConvertError {
    /// A page could not be read (located).
    Load(LoadError),
    /// Writing failed.
    Io(io::Error),
}

impl std::fmt::Display for ConvertError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConvertError::Load(e) => e.fmt(f),
            ConvertError::Io(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for ConvertError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ConvertError::Load(e) => Some(e),
            ConvertError::Io(e) => Some(e),
        }
    }
}

impl From<io::Error> for ConvertError {
    fn from(e: io::Error) -> Self {
        ConvertError::Io(e)
    }
}

impl From<LoadError> for ConvertError {
    fn from(e: LoadError) -> Self {
        ConvertError::Load(e)
    }
}

/// What reading a response for these outputs may leave out: markdown and text never read
/// boxes, and boxes are most of the parsing work (numbers); markdown alone, with GFM tables,
/// does not read text items' values nor tables' html and csv either (a quarter of an API items
/// page). Both [`convert_reader`] and whole reads for the same outputs use it.
///
/// ```
/// use pagetree_convert::{ConvertOptions, Outputs, read_options};
///
/// let mut opts = ConvertOptions::default();
/// assert!(!read_options(&opts).skips_boxes()); // elements need boxes
/// opts.outputs = Outputs::none();
/// opts.outputs.markdown = true;
/// assert!(read_options(&opts).skips_boxes() && read_options(&opts).is_markdown_only());
/// ```
pub fn read_options(opts: &ConvertOptions) -> ReadOptions {
    if opts.outputs.elements || opts.outputs.tables || opts.outputs.quality || opts.outputs.chunks {
        return ReadOptions::default();
    }
    ReadOptions::default()
        .skip_boxes(true)
        .markdown_only(!opts.outputs.text && opts.markdown.tables == TableFormat::Markdown)
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
    state.stats.warnings.extend(warning);
    let missing = state.missing_pages(doc.pages.iter().map(|p| p.number));
    state.stats.warnings.extend(missing);
    state.batch(doc, sink)?;
    // As a batched conversion: the other outputs end, then the chunks.
    let (mut stats, _) = state.finish(sink)?;
    if opts.outputs.chunks {
        let out = chunks::split(doc, &opts.chunks);
        {
            let mut emit = chunk_writer(sink, &mut stats.chunks);
            for c in out.chunks {
                emit(c)?;
            }
        }
        add_chunk_warnings(&mut stats, out.warnings);
    }
    Ok(stats)
}

/// Writes each chunk as a line of [`OutFile::Chunks`], counting them.
fn chunk_writer<'s>(
    sink: &'s mut dyn Sink,
    count: &'s mut usize,
) -> impl FnMut(Chunk) -> io::Result<()> + 's {
    let mut line = Vec::new();
    move |c: Chunk| {
        line.clear();
        serde_json::to_writer(&mut line, &c).map_err(io::Error::other)?;
        line.push(b'\n');
        *count += 1;
        sink.write(&OutFile::Chunks, &line)
    }
}

/// Converts a response batch by batch from its [`Reader`], in memory bounded by a batch (about
/// [`ConvertOptions::batch_bytes`] of input). The files equal those [`convert_document`]
/// writes for the whole document. The reader's options are set here (from
/// [`read_options`], and lighter still where the outputs allow).
///
/// ```
/// use pagetree_convert::{ConvertOptions, OutFile, Sink, convert_reader};
///
/// struct Markdown(Vec<u8>);
/// impl Sink for Markdown {
///     fn write(&mut self, file: &OutFile, bytes: &[u8]) -> std::io::Result<()> {
///         if *file == OutFile::Markdown {
///             self.0.extend_from_slice(bytes);
///         }
///         Ok(())
///     }
/// }
/// let json = br#"{"items": {"pages": [{"page_number": 1, "items": [{"type": "text", "md": "one"}]},
///     {"page_number": 2, "items": [{"type": "text", "md": "two"}]}]}}"#;
/// let mut reader = pagetree_model::Reader::from_bytes(json.to_vec(), Some("two.json")).unwrap();
/// let mut out = Markdown(Vec::new());
/// let stats = convert_reader(&mut reader, &ConvertOptions::default(), &mut out).unwrap();
/// assert_eq!(stats.pages, 2);
/// assert_eq!(String::from_utf8(out.0).unwrap(), "one\n\n---\ntwo\n");
/// ```
///
/// # Errors
///
/// A page that cannot be read ([`ConvertError::Load`], located as a whole read locates it)
/// or a write that failed ([`ConvertError::Io`]). What was written before is to be discarded.
pub fn convert_reader(
    reader: &mut Reader,
    opts: &ConvertOptions,
    sink: &mut dyn Sink,
) -> Result<ConvertStats, ConvertError> {
    Ok(read_batches(reader, opts, sink, false)?.0)
}

/// The quality report of the response `reader` reads, batch by batch (the pages in
/// `opts.markdown.pages.selection`), kept to be written in any format: see
/// [`quality::assess_reader`](crate::quality::assess_reader).
pub(crate) fn quality_pass(
    reader: &mut Reader,
    opts: &ConvertOptions,
) -> Result<FinishedReport, ConvertError> {
    struct Nowhere;
    impl Sink for Nowhere {
        fn write(&mut self, _: &OutFile, _: &[u8]) -> io::Result<()> {
            Ok(())
        }
    }
    let mut o = opts.clone();
    o.outputs = Outputs::none();
    o.outputs.quality = true;
    let (_, kept) = read_batches(reader, &o, &mut Nowhere, true)?;
    kept.ok_or_else(|| ConvertError::Io(io::Error::other("the quality report was not kept")))
}

/// [`convert_reader`], handing the quality report back instead of writing it when `keep`.
fn read_batches(
    reader: &mut Reader,
    opts: &ConvertOptions,
    sink: &mut dyn Sink,
    keep: bool,
) -> Result<(ConvertStats, Option<FinishedReport>), ConvertError> {
    let has_items = reader.has_items_pages();
    let resolved = if detects(opts) {
        Some(with_detected(opts, detect(reader, opts.batch_bytes)?))
    } else {
        None
    };
    let (opts, warning) = match &resolved {
        Some((o, w)) => (o, w.clone()),
        None => (opts, None),
    };
    let outline = reader.outline();
    let mut state = State::new(&outline, opts, has_items)?;
    state.keep_quality = keep;
    state.stats.warnings.extend(warning);
    // Said where a whole read says it, from the page list as read to the end (an index taken
    // on trust may hold a false page until the reader takes it back).
    let missing_at = state.stats.warnings.len();
    let cross_page = opts.markdown.merge_tables || opts.tables.stitch;
    // Rendering from the item tree reads the server's page markdown and text only for pages
    // without a usable items page; elsewhere those strings (as large as the items' markdown)
    // need not be built.
    let light = (!(opts.outputs.markdown || opts.outputs.elements)
        || state.markdown.pages.source == Source::Items)
        && (!opts.outputs.text || state.text.pages.source == Source::Items);
    reader.set_options(read_options(opts).skip_server_pages(light));
    let numbers: Vec<u32> = reader.page_numbers().collect();
    let o = &opts.outputs;
    if o.chunks && !(o.markdown || o.text || o.tables || o.elements || o.quality) {
        // Chunks alone: they read the pages themselves (below), once.
        let sel = &opts.markdown.pages.selection;
        state.stats.pages = numbers.iter().filter(|&&n| sel.contains(n)).count();
        return chunk_pass(reader, opts, state, sink);
    }
    let mut batches = reader.batches(opts.batch_bytes);
    // Batches are freed on a thread of their own: done between batches, with nothing else
    // running, freeing took ~15% of a markdown conversion under glibc's malloc; done inside
    // the pipeline it contends with the next batch's parsing for glibc's arena locks (system
    // time doubled). One batch waits at most, which bounds memory.
    let (dropper, rx) = std::sync::mpsc::sync_channel::<Document>(1);
    let dropping = std::thread::spawn(move || rx.into_iter().for_each(drop));
    let mut next = batches.next().transpose()?;
    while let Some(mut doc) = next.take() {
        loop {
            let more = needed_pages(&batches, &numbers, &doc, cross_page, opts);
            if more == 0 {
                break;
            }
            batches.extend(&mut doc, more)?;
        }
        // Read and parse the next batch while this one is rendered and written.
        let (loaded, written) =
            rayon::join(|| batches.next().transpose(), || state.batch(&doc, sink));
        dropper.send(doc).ok();
        written?;
        next = loaded?;
    }
    drop(dropper);
    dropping.join().ok();
    drop(batches);
    if let Some(w) = state.missing_pages(reader.page_numbers()) {
        state.stats.warnings.insert(missing_at, w);
    }
    chunk_pass(reader, opts, state, sink)
}

/// Input bytes per batch of the chunk pass, at most. A chunker batch's buffers (its markdown,
/// that markdown's character index, the walk, about 2x the input together) are freed whole
/// and allocated again each batch; above half a MiB an allocator maps such buffers one by one
/// (mimalloc: objects over 512 KiB) and keeps what was freed resident until it purges it, up
/// to a second later. At 1 MiB, `convert --to chunks` on the 310 MB response peaked at
/// 55-68 MiB; at 512 KiB 46-47 MiB, with no more CPU (a batch is rendered alone, and the pages
/// read again after its last safe cut are as many). The chunks are the same at any size.
const CHUNK_BATCH_BYTES: u64 = 1 << 19;

/// The end of every other output, then chunks, when asked for, in a pass of their own over
/// the reader (a chunk's end depends on pages after it: they settle on their own schedule, see
/// [`chunks::split_reader`]). The other outputs end first so that what they hold (the
/// elements and quality buffers, the tables index) is freed before the chunker reads.
fn chunk_pass(
    reader: &mut Reader,
    opts: &ConvertOptions,
    state: State<'_>,
    sink: &mut dyn Sink,
) -> Result<(ConvertStats, Option<FinishedReport>), ConvertError> {
    let (mut stats, kept) = state.finish(sink)?;
    if opts.outputs.chunks {
        let mut count = 0;
        let warnings = chunks::split_reader(
            reader,
            &opts.chunks,
            opts.batch_bytes.min(CHUNK_BATCH_BYTES),
            &mut chunk_writer(sink, &mut count),
        )?;
        stats.chunks = count;
        add_chunk_warnings(&mut stats, warnings);
    }
    Ok((stats, kept))
}

/// Adds the chunker's warnings, except those the other outputs gave already.
fn add_chunk_warnings(stats: &mut ConvertStats, ws: Vec<Warning>) {
    let given: BTreeSet<String> = stats.warnings.iter().map(ToString::to_string).collect();
    stats
        .warnings
        .extend(ws.into_iter().filter(|w| !given.contains(&w.to_string())));
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

/// The first pass of a batched conversion: each page's edge lines, read a batch at a time,
/// so detection sees the whole document and every batch marks the same lines a whole read does.
///
/// What detection reads of a page ([`PageEdges::of`], through `typed_furniture` and
/// `edge_slots`), which is all the `edges_only` read has to give it:
/// - the page number, and the page's header/footer text from its `markdown.pages` entry (v1:
///   `pageHeaderMarkdown`/`pageFooterMarkdown`), whether or not the page has items (a page
///   with header text counts as typed furniture; the server's page markdown itself is not read);
/// - whether the page has items at all, and the kind of every top-level item, but only to tell
///   header/footer containers from the rest (a container anywhere turns header-text matching off);
/// - with no container on the page, the kind and `md` of the runs of items at either end that
///   spell out the header or footer text (at most one item per word of that text);
/// - then the kind and `md` of the first and last `EDGE` (2) top-level items that are neither;
/// - never nested items (children of lists or containers), boxes, page size or any other field.
///
/// So the read keeps of each item only its kind and `md`, and of each `items.pages` entry only
/// the shortest runs at each end holding `EDGE` + (longest header/footer text of the batch, in
/// words) items typed as something other than a container; the middle is stepped over by a
/// byte-level walk, and any page it is not sure of is read whole (see
/// [`ReadOptions::edges_only`]).
pub(crate) fn detect(reader: &mut Reader, budget: u64) -> Result<Detected, LoadError> {
    reader.set_options(
        ReadOptions::default()
            .skip_boxes(true)
            .markdown_only(true)
            .edges_only(true)
            .skip_server_pages(true),
    );
    let mut found = DetectedBuilder::default();
    for batch in reader.batches(budget) {
        let batch = batch?;
        let pages: Vec<_> = batch.pages().collect();
        let edges: Vec<PageEdges> = pages.par_iter().map(PageEdges::of).collect();
        for page in edges {
            found.add_edges(page);
        }
    }
    Ok(found.finish())
}

/// How many pages more the batch `doc` must take so nothing crossing pages is cut: through
/// the last page a server-merged table names, and with merging/stitching, one page more while
/// the batch's last page ends with a table. `numbers` are the reader's page numbers.
fn needed_pages(
    batches: &Batches<'_>,
    numbers: &[u32],
    doc: &Document,
    cross_page: bool,
    opts: &ConvertOptions,
) -> usize {
    let pending = batches.pending().count();
    if pending == 0 {
        return 0;
    }
    let end = numbers.len() - pending;
    let index_of = |page: u32| numbers.partition_point(|&n| n <= page);
    let mut need = end;
    // Pages numbered alike stay in one batch: table ids and the quality report count tables
    // per page number.
    while need < numbers.len() && need > 0 && numbers[need] == numbers[need - 1] {
        need += 1;
    }
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
            need = need.max(index_of(last).min(numbers.len()));
        }
    }
    let last = doc.pages().last().filter(|_| cross_page);
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
    need - end
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
    quality: Option<QualityStream>,
    /// Whether the quality report is handed back rather than written.
    keep_quality: bool,
    /// Pages rendered from the item tree by the batches before (a merge stub's table may be
    /// on one).
    item_pages: BTreeSet<u32>,
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
            quality: opts
                .outputs
                .quality
                .then(|| QualityStream::new(doc, &opts.quality)),
            keep_quality: false,
            item_pages: BTreeSet::new(),
            stats: ConvertStats::default(),
        })
    }

    /// The `pages_not_found` warning of the whole document (a batch lacks pages the
    /// document has), when markdown or text is written.
    fn missing_pages(&self, pages: impl Iterator<Item = u32>) -> Option<Warning> {
        let o = &self.opts.outputs;
        let sel = if o.markdown || o.elements {
            &self.markdown.pages.selection
        } else if o.text {
            &self.text.pages.selection
        } else {
            return None;
        };
        crate::pages::missing_pages(pages, sel)
    }

    /// Adds the chunks' warnings, but those the other outputs gave (a failed page, as the
    /// markdown notes it).
    /// Adds an output's warnings for a batch, except those an output before it gave for the
    /// same batch (markdown and text both note each failed page). Two identical warnings of
    /// one output (two tables on a page, both without rows) are both kept, as a whole-document
    /// render keeps them.
    fn warn(&mut self, ws: &[Warning], from: usize) {
        let end = self.stats.warnings.len();
        // Given once for the document (see `missing_pages`), not per batch.
        for w in ws.iter().filter(|w| w.code != "pages_not_found") {
            // Compared as printed: markdown and text word a failed page alike.
            let line = w.to_string();
            if !self.stats.warnings[from..end]
                .iter()
                .any(|x| x.to_string() == line)
            {
                self.stats.warnings.push(w.clone());
            }
        }
    }

    fn batch(&mut self, doc: &Document, sink: &mut dyn Sink) -> io::Result<()> {
        // `--pages` limits every output, here and only here (furniture was found over the
        // whole document before, so document-level facts do not change with the selection).
        let selected = self.opts.markdown.pages.selection.apply(doc);
        let doc = &*selected;
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
        let quality = &mut self.quality;
        // The markdown with the elements that point into it, the text, and the tables are
        // independent: build them side by side, then write in a fixed order.
        let ((md, els), ((pushed, txt), tabs)) = rayon::join(
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
                    || {
                        let pushed = quality.as_mut().map_or(Ok(()), |q| q.push(doc));
                        (pushed, opts.outputs.text.then(|| text::render(doc, topts)))
                    },
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
        pushed?;
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
            // A merge stub whose table a batch before rendered is no news.
            let walk = doc.walk();
            let ws: Vec<Warning> = md
                .warnings
                .iter()
                .filter(|w| !markdown::stub_rendered_before(&walk, w, &self.item_pages))
                .cloned()
                .collect();
            self.item_pages.extend(
                md.pages
                    .iter()
                    .filter(|p| p.kind == crate::pages::PageKind::Items)
                    .map(|p| p.number),
            );
            self.warn(&ws, warned);
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
            self.stats
                .table_warnings
                .extend(out.warnings.iter().cloned());
            self.stats.skipped_tables += out.index.skipped.len();
            // The index's entries are written as they come (it grew with the document).
            let mut json = Vec::new();
            self.tables_index
                .get_or_insert_with(TablesIndexWriter::default)
                .batch(out.index, &mut json)?;
            sink.write(&OutFile::TablesIndex, &json)?;
        }
        Ok(())
    }

    /// Ends every output; the quality report is returned instead of written when the state
    /// keeps it.
    fn finish(mut self, sink: &mut dyn Sink) -> io::Result<(ConvertStats, Option<FinishedReport>)> {
        if let Some((stream, writer)) = self.elements.take() {
            let w = writer.finish(stream.pages(), stream.summary())?;
            sink.write(&OutFile::Elements(self.opts.elements_format), &w)?;
        }
        if let Some(index) = self.tables_index.take() {
            sink.write(&OutFile::TablesIndex, &index.finish()?)?;
        }
        let mut kept = None;
        if let Some(q) = self.quality.take() {
            let mut report = q.finish()?;
            self.stats.quality = Some(report.summary().clone());
            if self.keep_quality {
                kept = Some(report);
            } else {
                // Written through a small buffer: the report of a large document is MBs of
                // JSON.
                let mut w = io::BufWriter::with_capacity(
                    1 << 16,
                    SinkWriter {
                        sink: &mut *sink,
                        file: OutFile::Quality,
                    },
                );
                report.write_json(&mut w)?;
                w.write_all(b"\n")?;
                w.flush()?;
            }
        }
        // Empty documents still get their (empty) markdown and text files.
        if self.opts.outputs.markdown && self.md_pages == 0 {
            sink.write(&OutFile::Markdown, b"")?;
        }
        if self.opts.outputs.text && self.text_pages == 0 {
            sink.write(&OutFile::Text, b"")?;
        }
        Ok((self.stats, kept))
    }
}

/// One file of a sink as an [`io::Write`].
struct SinkWriter<'s> {
    sink: &'s mut dyn Sink,
    file: OutFile,
}

impl io::Write for SinkWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.sink.write(&self.file, buf)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
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

#[cfg(test)]
#[path = "edges_tests.rs"]
mod edges_tests;
