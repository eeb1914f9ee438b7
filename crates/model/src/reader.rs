//! The one way in for a parse result too large to hold: a page-batch reader over an index.

use std::fs::File;
use std::io::{self, Cursor, Read, Seek, SeekFrom};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::document::{Document, Format, Warning};
use crate::error::{ErrorKind, LoadError};
use crate::lazy::LazyDocument;
use crate::lazy::PieceLoc;
use crate::mapped::{Held, HeldCursor, PieceBytes, Shared};
use crate::response::ParseResponse;
use crate::scan::ArrayPath;
use crate::span::FileSpan;
use crate::stream::{Piece, PieceKind, RawPiece};
use crate::wire::Projection;

/// What a read may leave out, for callers that need only part of each page. The default
/// leaves out nothing (the document read is lossless); the others are not lossless and are
/// meant for writers that never look at what is skipped.
///
/// ```
/// use pagetree_model::ReadOptions;
///
/// let markdown = ReadOptions::default().skip_boxes(true).markdown_only(true);
/// assert!(markdown.skips_boxes() && markdown.is_markdown_only());
/// assert_eq!(ReadOptions::default(), ReadOptions::lossless());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ReadOptions {
    skip_boxes: bool,
    markdown_only: bool,
    skip_server_pages: bool,
    edges_only: bool,
}

/// The field a light read skips in `markdown.pages` entries (the page's whole markdown).
const SKIP_PAGE_MARKDOWN: &[&str] = &["markdown"];
/// The box fields (both spellings).
const SKIP_BOXES: &[&str] = &["bbox", "bBox"];

impl ReadOptions {
    /// Everything read (the default).
    pub fn lossless() -> Self {
        ReadOptions::default()
    }

    /// Leave out every item's boxes (`bbox`/`bBox`): most of the parsing work, and nothing
    /// markdown or text read.
    pub fn skip_boxes(mut self, on: bool) -> Self {
        self.skip_boxes = on;
        self
    }

    /// Also leave out, item by item, what rendering markdown from the item tree with GFM
    /// tables never reads (a plain paragraph's `value`, the `csv` of a table with cells),
    /// judged from the fields read before it (API output writes `type` and `md` first).
    pub fn markdown_only(mut self, on: bool) -> Self {
        self.markdown_only = on;
        self
    }

    /// Leave out the server's page markdown (`markdown.pages[].markdown`) and `text.pages`
    /// where a usable items page stands in for them; pages without one (or failed) are read
    /// whole. Applies to batches ([`Reader::batches`]); a v1 page, one entry holding all of
    /// it, is always read whole.
    pub fn skip_server_pages(mut self, on: bool) -> Self {
        self.skip_server_pages = on;
        self
    }

    /// Keep only what finding running heads and feet reads: of each item, its `md` and what
    /// says its kind; of each `items.pages` entry read in [batches](Reader::batches), only
    /// the items at each end of the page. For a first pass that only looks at page edges.
    ///
    /// Every field of an item but `md` and `type` (`value`, `rows`, children...) and unknown
    /// fields are stepped over without being built once the item's `type` is read; an item
    /// whose `type` comes later or is missing keeps what it has before it, so its kind is
    /// inferred as in a full read.
    ///
    /// Of a page's top-level items, a batch keeps the shortest run from each end that holds
    /// two items typed as something other than a `header`/`footer` container, plus (on a
    /// page without containers) one more for each word of the longest page header or footer
    /// text (`markdown.pages[].header`/`footer`) in the batch; the items between are stepped
    /// over without being parsed. A page is read whole when its middle holds a container or
    /// an item whose `type` is not its first key, or when anything about it is unusual
    /// (broken JSON included), so errors are those of a full read. v1 pages (one entry per
    /// page holding all its lists) and root `pages` lists keep every item.
    pub fn edges_only(mut self, on: bool) -> Self {
        self.edges_only = on;
        self
    }

    /// Whether only what edge detection reads is kept.
    pub fn is_edges_only(&self) -> bool {
        self.edges_only
    }

    /// Whether boxes are left out.
    pub fn skips_boxes(&self) -> bool {
        self.skip_boxes
    }

    /// Whether what markdown does not read is left out.
    pub fn is_markdown_only(&self) -> bool {
        self.markdown_only
    }

    /// Whether server pages are left out where an items page stands in.
    pub fn skips_server_pages(&self) -> bool {
        self.skip_server_pages
    }

    pub(crate) fn projection(&self) -> Projection {
        Projection {
            skip: if self.skip_boxes { SKIP_BOXES } else { &[] },
            markdown_only: self.markdown_only,
            edges_only: self.edges_only,
        }
    }
}

/// Where a reader's bytes are.
#[derive(Debug, Clone)]
enum Input {
    File(PathBuf),
    /// Bytes `range` of a file, read as a file of their own (a JSON Lines line).
    Range(PathBuf, Range<u64>),
    Bytes(Arc<[u8]>),
    /// Bytes already held (a whole read's input, checked to be UTF-8).
    Held(Shared),
}

impl Input {
    /// The input held in memory, when it can be: bytes as they are, a regular file mapped
    /// (or read whole when small; see [`Held::open`]). `None` reads it with `read(2)` (and
    /// leaves any error opening it to that path, which reports it as before).
    fn hold(&self) -> Option<Shared> {
        let held = match self {
            Input::File(p) => Held::open(&File::open(p).ok()?, None).ok()??,
            Input::Range(p, r) => Held::open(&File::open(p).ok()?, Some(r.clone())).ok()??,
            Input::Bytes(b) => Held::Heap(b.clone()),
            Input::Held(held) => return Some(held.clone()),
        };
        Some(Shared::new(held))
    }

    /// The input opened for reads (when it is not held).
    fn open(&self) -> io::Result<Handle> {
        Ok(match self {
            Input::File(p) => Handle::File(FileSpan::whole(p)?),
            Input::Range(p, r) => Handle::File(FileSpan::open(p, r.clone())?),
            Input::Bytes(b) => Handle::Held(HeldCursor::new(Shared::new(Held::Heap(b.clone())))),
            Input::Held(held) => Handle::Held(HeldCursor::new(held.clone())),
        })
    }

    /// The index, with page boundaries searched for (fast) or all checked (`exact`), read in
    /// place from `held` when the input is held.
    fn index(
        &self,
        held: Option<&Shared>,
        source: Option<&str>,
        exact: bool,
    ) -> Result<LazyDocument, LoadError> {
        if let Some(held) = held {
            return LazyDocument::index_held(held, source, exact);
        }
        match (self, exact) {
            (Input::File(p), false) => LazyDocument::index_file(p, source),
            (Input::File(p), true) => LazyDocument::index_file_exact(p, source),
            (Input::Range(p, r), false) => LazyDocument::index_file_range(p, r.clone(), source),
            (Input::Range(p, r), true) => {
                LazyDocument::index_file_range_exact(p, r.clone(), source)
            }
            (Input::Bytes(b), _) => LazyDocument::index(Cursor::new(&b[..]), source),
            (Input::Held(held), _) => LazyDocument::index_held(held, source, exact),
        }
    }
}

/// An open input: batches are read in runs straight into their buffers (no `BufReader`), or
/// sliced from the input held in memory.
#[derive(Debug)]
enum Handle {
    File(FileSpan),
    Held(HeldCursor),
}

impl Read for Handle {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Handle::File(f) => f.read(buf),
            Handle::Held(c) => c.read(buf),
        }
    }
    fn read_vectored(&mut self, bufs: &mut [io::IoSliceMut<'_>]) -> io::Result<usize> {
        match self {
            Handle::File(f) => f.read_vectored(bufs),
            Handle::Held(c) => c.read_vectored(bufs),
        }
    }
}

impl Seek for Handle {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        match self {
            Handle::File(f) => f.seek(pos),
            Handle::Held(c) => c.seek(pos),
        }
    }
}

/// A parse result read a batch of pages at a time, in bounded memory. Whole reads
/// ([`load_file`](crate::load_file), [`document`](Self::document)) are this reader at one
/// batch of everything.
///
/// Opening reads the input once to find where each page sits, keeping only that index and
/// the small fields (`job`, `raw_parameters`...), and detects the shape. [`Reader::batches`]
/// then reads and parses runs of pages (in parallel, order kept) and hands each out as an
/// ordinary [`Document`] holding just those pages, in page order. Memory is bounded by one
/// batch and the index, not by the input. [`ReadOptions`] say what a read may leave out.
///
/// It reads one parse result: a v2 response, the v2 `items` object alone, or a v1 result
/// object. Other inputs (a v1 result array, JSON Lines, job listings...) are an
/// [`ErrorKind::Shape`] error when opened: read those whole with
/// [`load_all_file`](crate::load_all_file).
///
/// Page boundaries are found fast by searching for the next page's `"page_number"` key; in
/// one contrived case (an object nested in a page whose first key is also `page_number`) a
/// search takes a false boundary, the page cut there fails to parse, and the reader indexes
/// the input again, checking every boundary, and goes on from the same page: the pages it
/// handed out before came from true boundaries, and callers never see the false ones.
///
/// ```
/// use pagetree_model::{ReadOptions, Reader};
///
/// let json = br#"{"items": {"pages": [
///     {"page_number": 1, "items": [{"type": "text", "md": "one", "bbox": [{"x": 1}]}]},
///     {"page_number": 2, "items": [{"type": "text", "md": "two"}]}]}}"#;
/// let mut reader = Reader::from_bytes(json.to_vec(), Some("two.json"))?
///     .with_options(ReadOptions::default().skip_boxes(true));
/// assert_eq!(reader.page_numbers().collect::<Vec<_>>(), [1, 2]);
/// let mut seen = Vec::new();
/// for batch in reader.batches(1) {
///     let batch = batch?;
///     for page in batch.pages() {
///         assert!(page.items()[0].bbox.is_none());
///         seen.push(page.items()[0].md().to_owned());
///     }
/// }
/// assert_eq!(seen, ["one", "two"]);
/// # Ok::<(), pagetree_model::LoadError>(())
/// ```
pub struct Reader {
    input: Input,
    /// The input held in memory (mapped), read in place; `None` reads it with `read(2)`.
    held: Option<Shared>,
    source: Option<String>,
    lazy: LazyDocument,
    options: ReadOptions,
    progress: Option<Progress>,
}

/// Told the bytes of input each read takes (see [`Reader::on_progress`]).
type Progress = Arc<dyn Fn(u64) + Send + Sync>;

impl std::fmt::Debug for Reader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reader")
            .field("input", &self.input)
            .field("source", &self.source)
            .field("format", &self.lazy.format)
            .field("pages", &self.lazy.pages.len())
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl Reader {
    /// Indexes the file at `path`, named by its path in messages.
    ///
    /// ```no_run
    /// let mut reader = pagetree_model::Reader::open("large.json")?;
    /// for w in reader.warnings() {
    ///     eprintln!("warning: {w}");
    /// }
    /// for batch in reader.batches(4 << 20) {
    ///     for page in batch?.pages() {
    ///         println!("page {}: {} items", page.number(), page.items().len());
    ///     }
    /// }
    /// # Ok::<(), pagetree_model::LoadError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// The file cannot be read, is broken JSON (located as a whole read locates it), or is
    /// not a single parse result ([`ErrorKind::Shape`]).
    pub fn open(path: impl AsRef<Path>) -> Result<Reader, LoadError> {
        let path = path.as_ref();
        Reader::open_named(path, &path.display().to_string())
    }

    /// [`open`](Self::open), naming the input `name` in messages (`<stdin>` for a copy of
    /// standard input, say).
    ///
    /// ```no_run
    /// let reader = pagetree_model::Reader::open_named("/tmp/spool", "<stdin>")?;
    /// assert_eq!(reader.source(), Some("<stdin>"));
    /// # Ok::<(), pagetree_model::LoadError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`open`](Self::open)'s.
    pub fn open_named(path: impl AsRef<Path>, name: &str) -> Result<Reader, LoadError> {
        Reader::new(Input::File(path.as_ref().to_path_buf()), Some(name))
    }

    /// Indexes bytes `range` of the file at `path` as an input of their own: one line of a
    /// JSON Lines file too long to hold. Lines, columns and offsets in messages count from
    /// the start of the range.
    ///
    /// ```
    /// let dir = tempfile::tempdir().unwrap();
    /// let path = dir.path().join("two.jsonl");
    /// let second = r#"{"items": {"pages": [{"page_number": 7, "items": []}]}}"#;
    /// std::fs::write(&path, format!("{{}}\n{second}\n")).unwrap();
    /// let reader = pagetree_model::Reader::open_range(&path, 3..3 + second.len() as u64, "two.jsonl:2")?;
    /// assert_eq!(reader.page_numbers().collect::<Vec<_>>(), [7]);
    /// # Ok::<(), pagetree_model::LoadError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`open`](Self::open)'s.
    pub fn open_range(
        path: impl AsRef<Path>,
        range: Range<u64>,
        name: &str,
    ) -> Result<Reader, LoadError> {
        Reader::new(Input::Range(path.as_ref().to_path_buf(), range), Some(name))
    }

    /// Indexes a response held in memory (see the type's example).
    ///
    /// # Errors
    ///
    /// As [`open`](Self::open)'s.
    pub fn from_bytes(
        bytes: impl Into<Arc<[u8]>>,
        name: Option<&str>,
    ) -> Result<Reader, LoadError> {
        Reader::new(Input::Bytes(bytes.into()), name)
    }

    fn new(input: Input, name: Option<&str>) -> Result<Reader, LoadError> {
        let held = input.hold();
        Reader::with_held(input, held, name)
    }

    /// A reader of the file at `path`: mapped whatever its size (`Some(true)`), read with
    /// `read(2)` (`Some(false)`), or as [`open`](Self::open) decides (`None`). For tests that
    /// hold the ways of reading against each other.
    #[cfg(test)]
    pub(crate) fn open_mapped(path: &Path, map: Option<bool>) -> Result<Reader, LoadError> {
        let input = Input::File(path.to_path_buf());
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        let held = match map {
            None => input.hold(),
            Some(false) => None,
            Some(true) => File::open(path)
                .and_then(|f| Held::open_with(&f, None, 0))
                .ok()
                .flatten()
                .map(Shared::new),
        };
        Reader::with_held(input, held, name.as_deref())
    }

    fn with_held(
        input: Input,
        held: Option<Shared>,
        name: Option<&str>,
    ) -> Result<Reader, LoadError> {
        let lazy = input.index(held.as_ref(), name, false)?;
        Ok(Reader {
            input,
            held,
            source: name.map(str::to_owned),
            lazy,
            options: ReadOptions::default(),
            progress: None,
        })
    }

    /// Calls `progress` with the bytes of input each read of pages takes, for a progress
    /// bar: one pass over the pages reads about the input's size (a conversion that looks
    /// for running heads first makes two passes).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::sync::atomic::{AtomicU64, Ordering};
    ///
    /// let json = br#"{"items": {"pages": [{"page_number": 1, "items": []}]}}"#;
    /// let read = Arc::new(AtomicU64::new(0));
    /// let seen = read.clone();
    /// let mut reader = pagetree_model::Reader::from_bytes(json.to_vec(), None)?;
    /// reader.on_progress(move |n| {
    ///     seen.fetch_add(n, Ordering::Relaxed);
    /// });
    /// for batch in reader.batches(1 << 20) {
    ///     batch?;
    /// }
    /// assert!(read.load(Ordering::Relaxed) > 0);
    /// # Ok::<(), pagetree_model::LoadError>(())
    /// ```
    pub fn on_progress(&mut self, progress: impl Fn(u64) + Send + Sync + 'static) {
        self.progress = Some(Arc::new(progress));
    }

    /// This reader, reading with `options` from now on.
    ///
    /// ```
    /// use pagetree_model::{ReadOptions, Reader};
    ///
    /// let json = br#"{"items": {"pages": [{"page_number": 1, "items": []}]}}"#;
    /// let reader = Reader::from_bytes(json.to_vec(), None)?
    ///     .with_options(ReadOptions::default().skip_boxes(true));
    /// assert!(reader.options().skips_boxes());
    /// # Ok::<(), pagetree_model::LoadError>(())
    /// ```
    pub fn with_options(mut self, options: ReadOptions) -> Self {
        self.options = options;
        self
    }

    /// Reads with `options` from now on (the batches started after this).
    pub fn set_options(&mut self, options: ReadOptions) {
        self.options = options;
    }

    /// What reads leave out.
    pub fn options(&self) -> ReadOptions {
        self.options
    }

    /// The input's name, as messages give it.
    pub fn source(&self) -> Option<&str> {
        self.source.as_deref()
    }

    /// The detected shape.
    ///
    /// ```
    /// let r = pagetree_model::Reader::from_bytes(br#"{"pages": [{"page": 1, "md": ""}]}"#.to_vec(), None)?;
    /// assert_eq!(r.format(), pagetree_model::Format::V1);
    /// # Ok::<(), pagetree_model::LoadError>(())
    /// ```
    pub fn format(&self) -> Format {
        self.lazy.format
    }

    /// The numbers of the pages, in page order (the four page lists joined, as a whole read
    /// joins them). Final once the batches were read: in the contrived case where the index
    /// is taken again (see the type's docs), a false page seen before may go.
    pub fn page_numbers(&self) -> impl Iterator<Item = u32> + '_ {
        self.lazy.pages.iter().map(|p| p.number)
    }

    /// How many pages there are (the four page lists joined).
    ///
    /// ```
    /// let json = br#"{"items": {"pages": [{"page_number": 1, "items": []}]},
    ///     "markdown": {"pages": [{"page_number": 2, "markdown": "b"}]}}"#;
    /// let r = pagetree_model::Reader::from_bytes(json.to_vec(), None)?;
    /// assert_eq!(r.page_count(), 2);
    /// assert!(r.has_items_pages());
    /// assert_eq!(r.input_bytes(), json.len() as u64);
    /// # Ok::<(), pagetree_model::LoadError>(())
    /// ```
    pub fn page_count(&self) -> usize {
        self.lazy.pages.len()
    }

    /// Whether some page has an items page (the item tree renderers read).
    pub fn has_items_pages(&self) -> bool {
        self.lazy.pages.iter().any(|p| p.index().items.is_some())
    }

    /// Bytes of the input.
    pub fn input_bytes(&self) -> u64 {
        self.lazy.bytes
    }

    /// What reading noticed about the page lists (missing, unsorted or duplicated pages): the
    /// warnings a whole read gives. The first batch carries them too. Final once the batches
    /// were read, as [`page_numbers`](Self::page_numbers) are: print them after the pages.
    ///
    /// ```
    /// let json = br#"{"items": {"pages": [{"page_number": 2, "items": []},
    ///     {"page_number": 1, "items": []}]}}"#;
    /// let mut r = pagetree_model::Reader::from_bytes(json.to_vec(), None)?;
    /// for batch in r.batches(1 << 20) {
    ///     batch?;
    /// }
    /// assert_eq!(r.warnings()[0].code, "unsorted_pages");
    /// # Ok::<(), pagetree_model::LoadError>(())
    /// ```
    pub fn warnings(&self) -> &[Warning] {
        &self.lazy.warnings
    }

    /// The response without its pages: its job, parameters and other small fields, with
    /// [`warnings`](Self::warnings). What options taken from a response are read from.
    ///
    /// ```
    /// let r = pagetree_model::Reader::from_bytes(
    ///     br#"{"job": {"id": "j1"}, "items": {"pages": [{"page_number": 1, "items": []}]}}"#.to_vec(), None)?;
    /// let outline = r.outline();
    /// assert_eq!(outline.pages().count(), 0);
    /// assert_eq!(outline.response.job.unwrap().id.as_deref(), Some("j1"));
    /// # Ok::<(), pagetree_model::LoadError>(())
    /// ```
    pub fn outline(&self) -> Document {
        let mut doc = self.lazy.assemble(Vec::new());
        doc.warnings = self.lazy.warnings.clone();
        doc
    }

    /// Reads the whole input into one [`Document`], losslessly (every field kept,
    /// `markdown_full` and `text_full` included, whatever the [`options`](Self::options)):
    /// the pages as one batch of everything, as [`load_file`](crate::load_file) reads a
    /// parse result. For an input that turns out small enough to hold.
    ///
    /// ```
    /// let json = br#"{"items": {"pages": [{"page_number": 1, "items": []}]}, "markdown_full": "x"}"#;
    /// let r = pagetree_model::Reader::from_bytes(json.to_vec(), Some("a.json"))?;
    /// let doc = r.document()?;
    /// assert_eq!(doc, pagetree_model::load_document(json, Some("a.json"))?);
    /// assert_eq!(doc.response.markdown_full.as_deref(), Some("x"));
    /// # Ok::<(), pagetree_model::LoadError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// The input cannot be read again, or a page fails to parse (as a whole read reports it).
    pub fn document(&self) -> Result<Document, LoadError> {
        let mut whole = Reader {
            input: self.input.clone(),
            held: self.held.clone(),
            source: self.source.clone(),
            lazy: self.lazy.clone(),
            options: ReadOptions::lossless(),
            progress: None,
        };
        whole.batches(u64::MAX).whole()
    }

    /// The pages in batches of about `max_bytes` of input each (at least one page per
    /// batch), in page order. Each batch is a [`Document`] with the response's small fields
    /// and just its own pages; the whole-document strings `markdown_full` and `text_full` are
    /// left out (they are as large as all the pages together). Things that cross pages (a
    /// table continued on the next page) may be cut at a batch boundary:
    /// [`Batches::extend`] makes a batch reach further.
    ///
    /// The first error ends the iteration. A page that fails to parse is reported as a whole
    /// read reports it: broken JSON anywhere in the input comes before a value of a wrong
    /// type.
    pub fn batches(&mut self, max_bytes: u64) -> Batches<'_> {
        Batches {
            reader: self,
            handle: None,
            start: 0,
            max_bytes,
            done: false,
            spare: Vec::new(),
            fulls_checked: 0,
        }
    }
}

/// The batches of a [`Reader`]; see [`Reader::batches`].
#[derive(Debug)]
pub struct Batches<'a> {
    reader: &'a mut Reader,
    handle: Option<Handle>,
    /// The first page not handed out.
    start: usize,
    max_bytes: u64,
    done: bool,
    /// Buffers of parsed pages, read into again.
    spare: Vec<Vec<u8>>,
    /// How many of the response's `markdown_full`/`text_full` fields (in input order) were
    /// checked to be a string or null.
    fulls_checked: usize,
}

/// How far a read reaches.
#[derive(Clone, Copy)]
enum Want {
    /// A batch of about `max_bytes`.
    Batch,
    /// This many pages more (fewer at the end).
    Pages(usize),
    /// Every entry of every page list, from the first page on (a whole read).
    All,
}

impl Batches<'_> {
    /// The numbers of the pages not handed out yet, in page order: how far to
    /// [`extend`](Self::extend) a batch for a feature that names a later page.
    pub fn pending(&self) -> impl Iterator<Item = u32> + '_ {
        let pages = &self.reader.lazy.pages;
        pages[self.start.min(pages.len())..]
            .iter()
            .map(|p| p.number)
    }

    /// Adds the next `pages` pages (fewer at the end) to `batch`, the batch handed out last,
    /// without parsing its pages again: for a batch that has to reach further (a table that
    /// goes on over the next page).
    ///
    /// ```
    /// let json = br#"{"items": {"pages": [{"page_number": 1, "items": []},
    ///     {"page_number": 2, "items": []}, {"page_number": 3, "items": []}]}}"#;
    /// let mut reader = pagetree_model::Reader::from_bytes(json.to_vec(), None)?;
    /// let mut batches = reader.batches(1);
    /// let mut first = batches.next().unwrap()?;
    /// batches.extend(&mut first, 1)?;
    /// assert_eq!(first.pages().map(|p| p.number()).collect::<Vec<_>>(), [1, 2]);
    /// assert_eq!(batches.pending().collect::<Vec<_>>(), [3]);
    /// # Ok::<(), pagetree_model::LoadError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As the batches': the pages cannot be read or parsed (this ends the iteration).
    pub fn extend(&mut self, batch: &mut Document, pages: usize) -> Result<(), LoadError> {
        if pages == 0 || self.done || self.start >= self.reader.lazy.pages.len() {
            return Ok(());
        }
        match self.read(Want::Pages(pages)) {
            Ok(pieces) => {
                *batch = self.reader.lazy.extend(std::mem::take(batch), pieces);
                Ok(())
            }
            Err(e) => {
                self.done = true;
                Err(e)
            }
        }
    }

    /// Hands the last `pages` pages handed out (the end of the batch handed out last) out
    /// again at the start of the next batch: for a consumer that settles only the first part
    /// of a batch (the chunker, where the rest depends on what follows). They are read and
    /// parsed again; never further back than the batch handed out last.
    ///
    /// ```
    /// let json = br#"{"items": {"pages": [{"page_number": 1, "items": []},
    ///     {"page_number": 2, "items": []}, {"page_number": 3, "items": []}]}}"#;
    /// let mut reader = pagetree_model::Reader::from_bytes(json.to_vec(), None)?;
    /// let mut batches = reader.batches(1);
    /// let mut first = batches.next().unwrap()?;
    /// batches.extend(&mut first, 1)?;
    /// batches.rewind(1);
    /// let second = batches.next().unwrap()?;
    /// assert_eq!(second.pages().map(|p| p.number()).collect::<Vec<_>>(), [2]);
    /// # Ok::<(), pagetree_model::LoadError>(())
    /// ```
    pub fn rewind(&mut self, pages: usize) {
        self.start = self.start.saturating_sub(pages);
    }

    /// All the pages not handed out as one batch, with the response's `markdown_full` and
    /// `text_full`: the whole document, as a whole read gives it (its page join and warnings
    /// made from the pages read, positions as in the input).
    fn whole(mut self) -> Result<Document, LoadError> {
        let pieces = self.read(Want::All)?;
        let fulls = std::mem::take(&mut self.reader.lazy.fulls);
        let mut response = self.reader.lazy.assemble(pieces).response;
        for (key, loc) in fulls {
            let raw = self.raw_field(key, loc)?;
            read_full(&raw, &mut response, self.reader.source.as_deref())?;
        }
        let lazy = &self.reader.lazy;
        let mut doc = Document::new(response, Some(lazy.format), self.reader.source.clone());
        doc.items_only = lazy.items_only();
        Ok(doc)
    }

    /// Checks that each `markdown_full` and `text_full` not checked yet that `before` accepts
    /// (they are in input order) is a string or null, as a whole read of it would: a batched
    /// read that never reads them still fails where a whole read fails, and reports the first
    /// value of a wrong type in input order. The scanner checked their syntax, so one byte
    /// tells; a wrong one is parsed for the whole read's message.
    fn check_fulls(&mut self, before: impl Fn(&PieceLoc) -> bool) -> Result<(), LoadError> {
        while let Some((key, loc)) = self.reader.lazy.fulls.get(self.fulls_checked).cloned() {
            if !before(&loc) {
                break;
            }
            self.fulls_checked += 1;
            let head = PieceLoc {
                len: loc.len.min(1),
                ..loc
            };
            let text = self.raw_field(key.clone(), head)?;
            if matches!(text.bytes.first(), Some(b'"' | b'n')) {
                continue;
            }
            let raw = self.raw_field(key, loc)?;
            return Err(not_text(&raw, self.reader.source.as_deref()));
        }
        Ok(())
    }

    /// The field at `loc` (`markdown_full`, `text_full`), read in place or again from the
    /// input.
    fn raw_field(&mut self, key: String, loc: PieceLoc) -> Result<RawPiece, LoadError> {
        let (start, end) = (loc.offset as usize, (loc.offset + loc.len) as usize);
        let bytes = match &self.reader.held {
            Some(held) => PieceBytes::Shared(held.slice(start..end)),
            None => {
                let source = self.reader.source.clone().unwrap_or_default();
                let handle = self.handle()?;
                let mut buf = vec![0; end - start];
                handle
                    .seek(SeekFrom::Start(loc.offset))
                    .and_then(|_| handle.read_exact(&mut buf))
                    .map_err(|e| LoadError::io(&source, &e))?;
                PieceBytes::Owned(buf)
            }
        };
        Ok(RawPiece {
            kind: PieceKind::Field(key),
            index: 0,
            bytes,
            pos: loc.pos,
            v1: None,
        })
    }

    /// The end of what `want` reads from `self.start`.
    fn end(&self, want: Want) -> usize {
        let lazy = &self.reader.lazy;
        let n = lazy.pages.len();
        match want {
            Want::Pages(k) => (self.start + k).min(n),
            Want::All => n,
            Want::Batch => {
                let (mut end, mut bytes) = (self.start, 0);
                while end < n && (end == self.start || bytes < self.max_bytes) {
                    bytes += lazy.page_bytes(end);
                    end += 1;
                }
                end
            }
        }
    }

    /// Reads and parses what `want` asks for and moves past it; the pieces with their list
    /// indexes, in input order. Checks the page boundaries when one taken on trust may have
    /// cut a page wrongly, and orders errors as a whole read does.
    fn read(&mut self, want: Want) -> Result<Vec<(usize, Piece)>, LoadError> {
        let first = self.read_once(want);
        let e = match first {
            Ok(p) => return Ok(p),
            Err(e) if e.kind == ErrorKind::Io => return Err(e),
            Err(e) => e,
        };
        let e = if self.reader.lazy.jumped() {
            // The cut may be wrong rather than the page. Pages handed out so far parsed, so
            // their boundaries are true ones (a false cut leaves brackets open on its page):
            // with the same pages before this one, reading goes on from here.
            let reader = &self.reader;
            let exact = reader
                .input
                .index(reader.held.as_ref(), reader.source.as_deref(), true)?;
            if exact.same_pages_before(&self.reader.lazy, self.start) {
                self.reader.lazy = exact;
                match self.read_once(want) {
                    Ok(p) => return Ok(p),
                    Err(e) => e,
                }
            } else {
                e
            }
        } else {
            e
        };
        if e.kind != ErrorKind::Data {
            return Err(e);
        }
        // As a whole read: broken JSON further on is reported before a wrong type here.
        self.handle()?;
        let handle = self.handle.as_mut().expect("opened above");
        let first_syntax = self.reader.lazy.first_syntax_error(handle);
        if let Some(held) = &self.reader.held {
            // That read went through all of it.
            held.release(0..held.len());
        }
        Err(first_syntax.unwrap_or(e))
    }

    fn handle(&mut self) -> Result<&mut Handle, LoadError> {
        if self.handle.is_none() {
            let source = self.reader.source.as_deref().unwrap_or("");
            let h = match &self.reader.held {
                Some(held) => Ok(Handle::Held(HeldCursor::new(held.clone()))),
                None => self.reader.input.open(),
            }
            .map_err(|e| LoadError::io(source, &e))?;
            self.handle = Some(h);
        }
        Ok(self.handle.as_mut().expect("opened above"))
    }

    /// One read of what `want` asks for (see [`read`](Self::read)).
    fn read_once(&mut self, want: Want) -> Result<Vec<(usize, Piece)>, LoadError> {
        let range = self.start..self.end(want);
        let light = self.reader.options.skip_server_pages && self.reader.lazy.format != Format::V1;
        let projection = self.reader.options.projection();
        let mut spare = std::mem::take(&mut self.spare);
        let source = self.reader.source.clone().unwrap_or_default();
        let io = |e: io::Error| LoadError::io(&source, &e);
        // A light read leaves `text.pages` on disk until a page turns out to need it.
        let lists = [true, true, !light, true];
        self.handle()?;
        let handle = self.handle.as_mut().expect("opened above");
        let lazy = &self.reader.lazy;
        let held = self.reader.held.as_ref();
        let wanted = match want {
            Want::All => lazy.every_entry(),
            _ => lazy.wanted(range.clone(), lists),
        };
        let raw = match held {
            Some(held) => lazy.slice_entries(held, wanted).inspect(|raw| {
                for run in runs(raw, 0) {
                    held.prefetch(run);
                }
            }),
            None => lazy.read_entries_reusing(handle, &wanted, &mut spare),
        }
        .map_err(io)?;
        // A `markdown_full` or `text_full` before these entries comes first in input order.
        let first = raw.iter().map(|r| r.pos.offset).min().unwrap_or(u64::MAX);
        self.check_fulls(|loc| loc.offset < first)?;
        let lazy = &self.reader.lazy;
        let held = self.reader.held.as_ref();
        let handle = self.handle.as_mut().expect("opened above");
        let mut pieces = match parse(lazy, &raw, projection, light) {
            Ok(pieces) => pieces,
            Err(e) if e.kind == ErrorKind::Data => {
                let at = (e.line.unwrap_or(usize::MAX), e.column.unwrap_or(usize::MAX));
                self.check_fulls(|loc| (loc.pos.line as usize, loc.pos.column as usize) < at)?;
                return Err(e);
            }
            Err(e) => return Err(e),
        };
        if light {
            // Pages without an items page, or failed, are rendered from the server's pages:
            // read those whole.
            let (markdown, pages) = server_pages(lazy, &pieces, range.clone());
            for at in markdown {
                pieces[at] = parse(lazy, &raw[at..=at], projection, false)?.remove(0);
            }
            let mut text = Vec::new();
            for page in pages {
                let only_text = [false, false, true, false];
                text.extend(
                    match held {
                        Some(held) => lazy.slice_lists(held, page..page + 1, only_text),
                        None => lazy.read_lists(handle, page..page + 1, only_text),
                    }
                    .map_err(io)?,
                );
            }
            // In input order, as a whole read would have them.
            text.sort_by_key(|r| r.index);
            pieces.extend(parse(lazy, &text, projection, false)?);
            if let Some(held) = held {
                release(held, &text);
            }
        }
        if let Some(progress) = &self.reader.progress {
            progress(raw.iter().map(|r| r.bytes.len() as u64).sum());
        }
        match held {
            // The pages parsed: their mapped bytes are given back (peak memory stays a batch).
            Some(held) => release(held, &raw),
            None => spare.extend(raw.into_iter().filter_map(|r| match r.bytes {
                PieceBytes::Owned(v) => Some(v),
                PieceBytes::Shared(_) => None,
            })),
        }
        self.spare = spare;
        if range.end == self.reader.lazy.pages.len() {
            // The last pages: every such field left comes after them.
            self.check_fulls(|_| true)?;
        }
        self.start = range.end;
        Ok(pieces)
    }
}

/// Releases the held pages of `pieces` (in input order), runs of pieces next to each other
/// at once. A run is released from [`RELEASE_BEHIND`] before its start: the system maps a few
/// pages around each one touched (fault-around), so reading a piece also maps the end of the
/// one before it, released already; without this, every batch left those behind for good.
fn release(held: &Shared, pieces: &[RawPiece]) {
    for run in runs(pieces, RELEASE_BEHIND) {
        held.release(run);
    }
}

/// The byte ranges of `pieces` (in input order), pieces next to each other joined, each
/// reaching `behind` bytes before its first piece.
fn runs(pieces: &[RawPiece], behind: usize) -> Vec<Range<usize>> {
    let mut out: Vec<Range<usize>> = Vec::new();
    for p in pieces {
        let start = (p.pos.offset as usize).saturating_sub(behind);
        let end = p.pos.offset as usize + p.bytes.len();
        match out.last_mut() {
            Some(r) if start <= r.end + RELEASE_GAP => *r = r.start.min(start)..end.max(r.end),
            _ => out.push(start..end),
        }
    }
    out
}

/// Bytes between two pieces (commas, whitespace) released with them.
const RELEASE_GAP: usize = 4096;

/// Bytes before a run of pieces released with it (more than the system's fault-around,
/// 64 KiB by default).
const RELEASE_BEHIND: usize = 256 << 10;

/// Reads all of `held` (an input checked to be UTF-8, without a byte-order mark) as one
/// parse result, losslessly: indexed, its pages parsed as one batch and assembled, as
/// [`Reader::document`] reads. Under `options`' projection (a whole read never leaves out
/// server pages).
///
/// # Errors
///
/// As [`Reader::open`]'s (an [`ErrorKind::Shape`] error for an input that is not one parse
/// result with its page lists: a whole-value read takes those), or a page that fails to
/// parse.
pub(crate) fn read_held(
    held: Shared,
    source: Option<&str>,
    options: ReadOptions,
) -> Result<Document, LoadError> {
    let mut reader = Reader::with_held(Input::Held(held.clone()), Some(held), source)?;
    reader.options = options.skip_server_pages(false);
    reader.batches(u64::MAX).whole()
}

/// Sets `markdown_full` or `text_full` (`raw`'s key) on `response` from `raw`, as a whole
/// read sets it: a string, or an explicit `null` remembered.
fn read_full(
    raw: &RawPiece,
    response: &mut ParseResponse,
    source: Option<&str>,
) -> Result<(), LoadError> {
    let PieceKind::Field(key) = &raw.kind else {
        return Ok(());
    };
    let Some(i) = ParseResponse::FIELDS.iter().position(|(k, _)| k == key) else {
        return Ok(());
    };
    let value = match raw.parse_fast(source, Projection::default())? {
        Piece::Field(_, serde_json::Value::String(s)) => Some(s),
        Piece::Field(_, serde_json::Value::Null) => None,
        _ => return Err(not_text(raw, source)),
    };
    response.wire.set_null(i, value.is_none());
    if key == "markdown_full" {
        response.markdown_full = value;
    } else {
        response.text_full = value;
    }
    Ok(())
}

/// The error of a `markdown_full` or `text_full` that is not a string or null: the whole
/// read's, word for word.
fn not_text(raw: &RawPiece, source: Option<&str>) -> LoadError {
    let text = raw.bytes.text().unwrap_or_default();
    serde_json::from_str::<Option<String>>(text)
        .err()
        .map(|e| raw.located(&e, ""))
        .unwrap_or_else(|| LoadError::new(ErrorKind::Data, "expected a string"))
        .with_source(source)
}

/// Below this many bytes of pieces a batch is parsed on the calling thread: waking a worker
/// costs more than it saves on a small batch, and the CLI already reads the files of a
/// folder in parallel. Under the 512 KiB batches of `elements`, of `convert` with elements
/// and of the chunk pass: at 1 MiB those parsed on one thread, and `convert --to` all six
/// outputs of the 310 MB response took 17% longer.
const PARALLEL_MIN: usize = 1 << 18;

/// Parses raw pieces in parallel (on the calling thread when they are few), in order.
fn parse(
    lazy: &LazyDocument,
    raw: &[RawPiece],
    projection: Projection,
    light: bool,
) -> Result<Vec<(usize, Piece)>, LoadError> {
    let source = lazy.source.as_deref();
    let one = |r: &RawPiece| {
        let projection = match &r.kind {
            PieceKind::Page(ArrayPath::MarkdownPages) if light => Projection {
                skip: SKIP_PAGE_MARKDOWN,
                markdown_only: false,
                edges_only: false,
            },
            _ => projection,
        };
        r.parse_fast(source, projection).map(|p| (r.index, p))
    };
    let parsed: Vec<Result<(usize, Piece), LoadError>> = if projection.edges_only {
        crate::edges::parse_pieces(lazy, raw, projection, one)
    } else if raw.iter().map(|r| r.bytes.len()).sum::<usize>() < PARALLEL_MIN {
        raw.iter().map(one).collect()
    } else {
        raw.par_iter().map(one).collect()
    };
    // The first broken piece in input order, as a whole read meets it: collecting straight
    // into a `Result` would give whichever failure a thread reached first.
    parsed.into_iter().collect()
}

/// For the joined pages of `range` that lack a usable items page: the positions in `pieces`
/// of their markdown pages, and the pages themselves (whose text pages are still to read), in
/// order.
fn server_pages(
    lazy: &LazyDocument,
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
    for (j, page) in lazy.pages[range.clone()].iter().enumerate() {
        let page = page.index();
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

impl Iterator for Batches<'_> {
    type Item = Result<Document, LoadError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done || self.start >= self.reader.lazy.pages.len() {
            return None;
        }
        let first = self.start == 0;
        let batch = self.read(Want::Batch).map(|pieces| {
            let mut doc = self.reader.lazy.assemble(pieces);
            if first {
                doc.warnings = self.reader.lazy.warnings.clone();
            }
            doc
        });
        self.done = batch.is_err();
        Some(batch)
    }
}

impl std::iter::FusedIterator for Batches<'_> {}

#[cfg(test)]
mod tests {
    use super::*;

    /// A page that fails to parse is located as a whole read locates it.
    #[test]
    fn batch_errors_are_located_as_a_whole_read_locates_them() {
        let json = "{\"job\": {\"id\": \"j\"},\n \"items\": {\"pages\": [\n  {\"page_number\": 1, \"items\": []},\n  {\"page_number\": 2, \"items\": [{\"bbox\": [{\"x\": \"1\"}]}]}\n]}}";
        let mut reader = Reader::from_bytes(json.as_bytes().to_vec(), Some("big.json")).unwrap();
        let mut batches = reader.batches(1);
        assert_eq!(batches.next().unwrap().unwrap().pages().count(), 1);
        let e = batches.next().unwrap().unwrap_err();
        let whole = crate::load_document(json.as_bytes(), Some("big.json")).unwrap_err();
        assert_eq!(e.to_string(), whole.to_string());
        assert_eq!(
            e.to_string(),
            "big.json: items.pages[1].items[0].bbox[0].x: invalid type: string \"1\", expected a number at line 4 column 50"
        );
        assert!(batches.next().is_none());
    }

    /// v1 root pages are read as v1, with a `job_metadata` after them too.
    #[test]
    fn v1_root_pages_are_split() {
        let json = br##"{"pages": [{"page": 3, "md": "# A", "text": "A", "items": [{"type": "heading", "lvl": 1, "md": "# A", "value": "A"}]}], "job_metadata": {}}"##;
        let mut reader = Reader::from_bytes(json.to_vec(), None).unwrap();
        assert_eq!(reader.format(), Format::V1);
        let batch = reader.batches(u64::MAX).next().unwrap().unwrap();
        let page = batch.pages().next().unwrap();
        assert_eq!(page.number(), 3);
        assert_eq!(page.server_markdown(), Some("# A"));
    }

    #[test]
    fn truncated_input_is_an_error() {
        let json = br#"{"items": {"pages": [{"page_number": 1, "items": ["#;
        let e = Reader::from_bytes(json.to_vec(), Some("cut.json")).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::Eof | ErrorKind::Syntax), "{e}");
        assert!(e.to_string().starts_with("cut.json: "), "{e}");
    }

    /// Two reads under different options on one thread do not see each other's.
    #[test]
    fn options_belong_to_their_reader() {
        let json = br#"{"items": {"pages": [{"page_number": 1, "items": [{"type": "text", "md": "a", "bbox": [{"x": 1}]}]}]}}"#;
        let mut light = Reader::from_bytes(json.to_vec(), None)
            .unwrap()
            .with_options(ReadOptions::default().skip_boxes(true));
        let mut full = Reader::from_bytes(json.to_vec(), None).unwrap();
        let mut a = light.batches(1);
        let mut b = full.batches(1);
        let (a, b) = (a.next().unwrap().unwrap(), b.next().unwrap().unwrap());
        assert!(a.pages().next().unwrap().items()[0].bbox.is_none());
        assert!(b.pages().next().unwrap().items()[0].bbox.is_some());
    }

    /// A false page boundary in a later batch: pages 1 and 2 are handed out, page 3 holds an
    /// object whose first key is `page_number` (4, the number missing from the input), so the
    /// searched index sees pages 1-5 without a gap. The reader takes the boundary back when
    /// page 3 fails to parse, keeps the two pages it handed out and goes on; the pages, page
    /// numbers and warnings end as a whole read's.
    #[test]
    fn a_false_boundary_after_pages_were_handed_out_is_taken_back() {
        let page = |n: u32, extra: &str| {
            format!(
                r#"{{"page_number": {n}, "page_width": 612, "page_height": 792, "success": true, "items": [{{"type": "text", "md": "page {n}"{extra}}}]}}"#
            )
        };
        let nested =
            r#", "refs": [{"why": "fares"}, {"page_number": 4, "why": "the night crossing"}]"#;
        let pages = [page(1, ""), page(2, ""), page(3, nested), page(5, "")];
        let json = format!(
            r#"{{"job": {{"id": "j"}}, "items": {{"pages": [{}]}}}}"#,
            pages.join(", ")
        );
        let whole = crate::load_document(json.as_bytes(), Some("gap.json")).unwrap();
        assert_eq!(whole.warnings.len(), 1, "{:?}", whole.warnings);

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gap.json");
        std::fs::write(&path, &json).unwrap();
        let searched = LazyDocument::index_file(&path, Some("gap.json")).unwrap();
        assert!(searched.jumped());
        let fooled: Vec<u32> = searched.pages.iter().map(|p| p.number).collect();
        assert_eq!(
            fooled,
            [1, 2, 3, 4, 5],
            "the search takes the nested key for a page"
        );
        assert!(searched.warnings.is_empty());

        for input in [
            Input::File(path.clone()),
            Input::Bytes(json.as_bytes().into()),
        ] {
            let mut reader = Reader::new(input, Some("gap.json")).unwrap();
            let mut got = Vec::new();
            for batch in reader.batches(1) {
                let batch = batch.expect("no error reaches the caller");
                got.extend(batch.pages().map(|p| (p.number(), p.items().to_vec())));
            }
            let want: Vec<_> = whole
                .pages()
                .map(|p| (p.number(), p.items().to_vec()))
                .collect();
            assert!(got == want);
            assert_eq!(reader.warnings(), whole.warnings);
            assert_eq!(reader.page_numbers().collect::<Vec<_>>(), [1, 2, 3, 5]);
        }
    }
}
