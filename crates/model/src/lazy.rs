//! Random-access reading of large responses: index once, then load pages in batches.
//!
//! [`LazyDocument::index`] reads a response once with the streaming [`Scanner`], keeping only
//! where each page of each page list sits (offset, length, line, column: held compactly, see
//! [`crate::entries`]) and its page number, plus the small fields (`job`, `raw_parameters`...). The four page lists are joined by page
//! number exactly as [`Document::new`] joins them (same order, same warnings). Then
//! [`LazyDocument::read_batch`] reads the raw bytes of a run of joined pages, which the caller
//! parses (in parallel, if it likes) and [`LazyDocument::assemble`]s into an ordinary
//! [`Document`] holding just those pages. Memory is bounded by one batch, not by the file.
//!
//! The whole-document fields `markdown_full` and `text_full` are not kept, only where they
//! are: they are as large as the pages together, and only a whole read
//! ([`Reader::document`](crate::Reader::document)) reads them.

use std::io::{self, BufRead, IoSliceMut, Read, Seek, SeekFrom};
use std::ops::Range;
use std::path::Path;

use serde_json::{Map, Value};

use crate::document::{Document, Format, PageIndex, Warning, join_page_lists, join_pages_with};
use crate::entries::{Entries, Lines, ShownLists};
use crate::error::{ErrorKind, LoadError};
use crate::load::{blank_prefix, empty_input};
use crate::mapped::{HeldCursor, PieceBytes, Shared};
use crate::page::{ItemsResult, MarkdownResult, MetadataResult, TextResult};
use crate::response::ParseResponse;
use crate::scan::{ArrayPath, Event, Position, Scanner};
use crate::shape::{FirstPage, OTHER_SHAPES, is_sdk_dump, pages_rooted, root_pages_are_v1};
use crate::span::FileSpan;
use crate::stream::{Piece, PieceKind, RawPiece};

/// Where one page list entry sits in the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PieceLoc {
    /// Byte offset of the entry.
    pub offset: u64,
    /// Its length in bytes.
    pub len: u64,
    /// Its line and column.
    pub pos: Position,
    /// Its index in its list.
    pub index: usize,
}

/// Bytes of each page kept while indexing: enough for the top-level keys API output writes
/// before a page's items.
const PROBE_BYTES: usize = 512;

/// Bytes between two entries (commas, whitespace) still read as one run.
const MAX_GAP: u64 = 4096;

/// Largest run of entries read at once (bounds the extra buffer).
const RUN_BYTES: u64 = 1 << 20;

/// The lists a page can come from, in [`PageIndex`] order.
const LISTS: [ArrayPath; 4] = [
    ArrayPath::ItemsPages,
    ArrayPath::MarkdownPages,
    ArrayPath::TextPages,
    ArrayPath::MetadataPages,
];

/// One page of the join, as a [`PageIndex`] in 20 bytes instead of 72: the index of a large
/// response holds one for each page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JoinedPage {
    /// The page number.
    pub number: u32,
    /// Its entry's index in each list, in [`PageIndex`] order; [`NO_ENTRY`] for none.
    at: [u32; 4],
}

/// [`JoinedPage::at`] of a list without an entry for the page.
const NO_ENTRY: u32 = u32::MAX;

impl JoinedPage {
    /// `page` held small; `None` for an index of [`NO_ENTRY`] or more (a list of four
    /// billion entries).
    fn new(page: PageIndex) -> Option<Self> {
        let at = [page.items, page.markdown, page.text, page.metadata].map(|i| match i {
            None => Some(NO_ENTRY),
            Some(i) => u32::try_from(i).ok().filter(|i| *i != NO_ENTRY),
        });
        let [Some(a), Some(b), Some(c), Some(d)] = at else {
            return None;
        };
        Some(JoinedPage {
            number: page.number,
            at: [a, b, c, d],
        })
    }

    /// The page as a [`PageIndex`].
    pub fn index(&self) -> PageIndex {
        let [items, markdown, text, metadata] =
            self.at.map(|i| (i != NO_ENTRY).then_some(i as usize));
        PageIndex {
            number: self.number,
            items,
            markdown,
            text,
            metadata,
        }
    }
}

/// A response indexed for random access; see the module docs.
#[derive(Clone)]
pub struct LazyDocument {
    /// The input's name, for messages.
    pub source: Option<String>,
    /// The detected shape.
    pub format: Format,
    /// The response without its pages (and without `markdown_full`/`text_full`).
    pub skeleton: ParseResponse,
    /// The page join, sorted by page number; indexes point into the lists.
    pub pages: Vec<JoinedPage>,
    /// What indexing noticed (the same notes the whole-document loader makes about pages).
    pub warnings: Vec<Warning>,
    /// Total bytes of the input.
    pub bytes: u64,
    /// Where each entry of each page list is (see [`crate::entries`]).
    lists: [Entries; 4],
    /// The lines those entries start on.
    lines: Lines,
    /// The input was the `items` object alone (root `pages` of v2 pages).
    items_only: bool,
    /// Some page boundaries were found by a search rather than a walk (see
    /// [`LazyDocument::index_file`]).
    jumped: bool,
    /// Where `markdown_full` and `text_full` are (key and place, in input order).
    pub(crate) fulls: Vec<(String, PieceLoc)>,
}

impl std::fmt::Debug for LazyDocument {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LazyDocument")
            .field("source", &self.source)
            .field("format", &self.format)
            .field("skeleton", &self.skeleton)
            .field("pages", &self.pages)
            .field("warnings", &self.warnings)
            .field("bytes", &self.bytes)
            .field("lists", &ShownLists(&self.lists, &self.lines))
            .field("items_only", &self.items_only)
            .field("jumped", &self.jumped)
            .field("fulls", &self.fulls)
            .finish()
    }
}

impl LazyDocument {
    /// Indexes a response read from `reader`. Shapes other than a v2 response, a v2 `items`
    /// object or a v1 result (a JSON array at the top, job listings...) are a `Shape` error:
    /// load those whole.
    pub fn index<R: Read + Seek>(reader: R, source: Option<&str>) -> Result<Self, LoadError> {
        Self::index_alone(reader, source, false)
    }

    /// Indexes `reader` with one scanner, with or without page jumps.
    fn index_alone<R: Read + Seek>(
        reader: R,
        source: Option<&str>,
        jumps: bool,
    ) -> Result<Self, LoadError> {
        Self::index_scanned(probe_scanner(reader, jumps), source)
    }

    /// Indexes what `scanner` reads, alone.
    fn index_scanned<R: Read + Seek>(
        mut scanner: Scanner<R>,
        source: Option<&str>,
    ) -> Result<Self, LoadError> {
        let mut g = Gathered::default();
        gather(&mut scanner, &mut g, None, source)?;
        let (bytes, jumped) = (scanner.bytes_read(), scanner.jumped());
        Self::from_gathered(g, bytes, scanner.into_inner(), source, jumped)
    }

    /// Like [`index`](Self::index), for a file, and faster:
    ///
    /// - A file of 16 MiB or more is indexed by two threads, each scanning about half of it,
    ///   with the same result. The second half starts at an `items.pages` element found by its
    ///   bytes (`{"page_number":` after a comma); the first half confirms it on reaching that
    ///   offset, else it simply reads on alone.
    /// - Pages of every list are delimited by searching for the next page's `"page_number"` key
    ///   instead of walking every string and bracket ([`Scanner::with_page_jumps`]). Those
    ///   boundaries are right in valid JSON except in one contrived case (an object nested in
    ///   a page whose first key is also `page_number`), and a page cut wrongly fails to parse.
    ///   So when a page of such an index fails to parse ([`jumped`](Self::jumped) is
    ///   set), index again with [`index_file_exact`](Self::index_file_exact) before reporting
    ///   the error: it either finds the real boundaries or the real error.
    pub fn index_file(path: &Path, source: Option<&str>) -> Result<Self, LoadError> {
        Self::index_file_split(path, source, SPLIT_MIN, true).map(|(lazy, _)| lazy)
    }

    /// Like [`index_file`](Self::index_file), for bytes `range` of the file read as a file of
    /// their own (a [`FileSpan`]): one line of a JSON Lines input too long to hold. Offsets
    /// and positions count from the start of the range; read its pages through a
    /// [`FileSpan`] of the same range.
    pub fn index_file_range(
        path: &Path,
        range: Range<u64>,
        source: Option<&str>,
    ) -> Result<Self, LoadError> {
        let input = Input::Range(path, range);
        Self::index_input(&input, source, SPLIT_MIN, true).map(|(lazy, _)| lazy)
    }

    /// [`index_file_range`](Self::index_file_range) checking every page boundary, as
    /// [`index_file_exact`](Self::index_file_exact) does.
    pub fn index_file_range_exact(
        path: &Path,
        range: Range<u64>,
        source: Option<&str>,
    ) -> Result<Self, LoadError> {
        let input = Input::Range(path, range);
        Self::index_input(&input, source, SPLIT_MIN, false).map(|(lazy, _)| lazy)
    }

    /// Like [`index_file`](Self::index_file), checking every page boundary (two threads for
    /// large files, no jumps): errors are found at indexing time, as [`index`](Self::index)
    /// finds them.
    pub fn index_file_exact(path: &Path, source: Option<&str>) -> Result<Self, LoadError> {
        Self::index_file_split(path, source, SPLIT_MIN, false).map(|(lazy, _)| lazy)
    }

    /// Whether the input was the `items` object alone (written back alone).
    pub(crate) fn items_only(&self) -> bool {
        self.items_only
    }

    /// Whether some page boundaries were taken on trust (see [`index_file`](Self::index_file)):
    /// a page that fails to parse then calls for an exact index before the error is believed.
    pub fn jumped(&self) -> bool {
        self.jumped
    }

    /// [`index_file`](Self::index_file) splitting files of `min` bytes or more, with or without
    /// jumps; also says whether the split held (for tests).
    pub fn index_file_split(
        path: &Path,
        source: Option<&str>,
        min: u64,
        jumps: bool,
    ) -> Result<(Self, bool), LoadError> {
        Self::index_input(&Input::Whole(path), source, min, jumps)
    }

    /// Like [`index_file`](Self::index_file) (or [`index_file_exact`](Self::index_file_exact)
    /// with `exact`), for an input held in memory (a mapped file): scanned in place, no copy.
    pub(crate) fn index_held(
        held: &Shared,
        source: Option<&str>,
        exact: bool,
    ) -> Result<Self, LoadError> {
        let lazy = Self::index_input(&Input::Held(held), source, SPLIT_MIN, !exact);
        // Whatever the scan touched and did not give back as it went (where a half stopped,
        // the bytes a split was searched in, entries read again) goes now.
        held.release(0..held.len());
        lazy.map(|(lazy, _)| lazy)
    }

    /// [`index_file_split`](Self::index_file_split) for an input held in memory (for tests).
    #[cfg(test)]
    pub(crate) fn index_held_split(
        held: &Shared,
        source: Option<&str>,
        min: u64,
        jumps: bool,
    ) -> Result<(Self, bool), LoadError> {
        Self::index_input(&Input::Held(held), source, min, jumps)
    }

    /// [`index_file_split`](Self::index_file_split) for a range of a file (for tests).
    #[cfg(test)]
    pub fn index_file_range_split(
        path: &Path,
        range: Range<u64>,
        source: Option<&str>,
        min: u64,
        jumps: bool,
    ) -> Result<(Self, bool), LoadError> {
        Self::index_input(&Input::Range(path, range), source, min, jumps)
    }

    /// [`index_file_split`](Self::index_file_split) for a file or a range of one.
    fn index_input(
        input: &Input<'_>,
        source: Option<&str>,
        min: u64,
        jumps: bool,
    ) -> Result<(Self, bool), LoadError> {
        Self::index_checked(input, source, min, jumps).map_err(|e| {
            // Checked only when indexing fails: a PDF given by mistake, said as such.
            let mut head = [0u8; 8];
            let n = input
                .open()
                .and_then(|mut f| read_up_to(&mut f, &mut head))
                .unwrap_or(0);
            if let Some(foreign) = crate::load::foreign_file(&head[..n]) {
                let mut foreign = foreign.with_source(source);
                // Not a shape to fall back from: loading it whole says the same.
                foreign.kind = ErrorKind::Syntax;
                return foreign;
            }
            Self::index_error(input, source, e)
        })
    }

    fn index_error(input: &Input<'_>, source: Option<&str>, e: LoadError) -> LoadError {
        let e = Self::first_error(input, source, e);
        if let Input::Held(held) = input {
            // Looking for the first error may have read through all of it.
            held.release(0..held.len());
        }
        e
    }

    fn first_error(input: &Input<'_>, source: Option<&str>, e: LoadError) -> LoadError {
        match e.kind {
            // The scanner checks brackets and strings, not every token, so it notices broken
            // JSON only where the damage upsets the structure, possibly far further on (a
            // stray quote turns what follows inside out). The first real error, as a whole
            // read reports it, is found by one more pass of serde_json that keeps nothing.
            ErrorKind::Syntax | ErrorKind::Eof => match first_json_error(input) {
                Some(FirstError::Empty) => empty_input(source),
                Some(FirstError::Json(first, path)) => {
                    LoadError::from_json(&first, path).with_source(source)
                }
                None => e,
            },
            _ => e,
        }
    }

    /// The index, taken again without page jumps when the jumps may have misled it.
    fn index_checked(
        input: &Input<'_>,
        source: Option<&str>,
        min: u64,
        jumps: bool,
    ) -> Result<(Self, bool), LoadError> {
        match Self::index_file_once(input, source, min, jumps) {
            // A page cut in the wrong place shows up as an extra page, usually out of order or
            // repeated. Notes like those are what the user is told before any page is parsed,
            // so they must come from the real boundaries. (Without them, the true page list
            // has none either: it is the same list with fewer entries.)
            Ok((lazy, _)) if lazy.jumped && !lazy.warnings.is_empty() => {
                Self::index_file_once(input, source, min, false)
            }
            // A wrong cut can also end the page list early for the scanner (the rest then
            // does not read as a response); and the real error is the exact scan's anyway.
            // (A shape error needs no second look: the caller loads such an input whole,
            // which reads it right whatever the cause, and JSON Lines land here.)
            Err(e) if jumps && e.kind != ErrorKind::Shape => {
                Self::index_file_once(input, source, min, false)
            }
            r => r,
        }
    }

    fn index_file_once(
        input: &Input<'_>,
        source: Option<&str>,
        min: u64,
        jumps: bool,
    ) -> Result<(Self, bool), LoadError> {
        let io = |e: io::Error| {
            LoadError::new(ErrorKind::Io, format!("cannot read: {e}")).with_source(source)
        };
        let mut file = input.open().map_err(io)?;
        let size = file.len();
        let at = if size >= min {
            split_point(&mut file, size).map_err(io)?
        } else {
            None
        };
        let Some(at) = at else {
            return Self::index_scanned(opened_scanner(file, jumps), source).map(|l| (l, false));
        };
        let mut second = input.open().map_err(io)?;
        second.seek(SeekFrom::Start(at)).map_err(io)?;
        let mut scanner = opened_scanner(file, jumps);
        let mut first = Gathered::default();
        // The second half is read as the rest of an `items.pages` array: a prefix opens the
        // objects that the first half leaves open at the split (when it is such an element).
        let (stopped, rest) = std::thread::scope(|s| {
            let rest = s.spawn(|| match second {
                Opened::Held(held) => {
                    let bytes = held.get_ref().slice(at as usize..held.get_ref().len());
                    let scanner = Scanner::over(held, SPLIT_PREFIX, bytes, HELD_WINDOW);
                    gather_all(probe(scanner, jumps), source)
                }
                second => {
                    let reader = io::Cursor::new(SPLIT_PREFIX).chain(second);
                    gather_all(probe_scanner(reader, jumps), source)
                }
            });
            let stopped = gather(&mut scanner, &mut first, Some(at), source);
            (stopped, rest.join())
        });
        match (stopped?, rest) {
            (Some(st), Ok(Ok((rest, read, rest_jumped))))
                if st.pos.offset == at
                    && st.array == ArrayPath::ItemsPages
                    && rest.continues_items() =>
            {
                first.append(rest, &st);
                let bytes = at + read - SPLIT_PREFIX.len() as u64;
                let reader = input.open().map_err(io)?;
                let jumped = scanner.jumped() || rest_jumped;
                Self::from_gathered(first, bytes, reader, source, jumped).map(|l| (l, true))
            }
            (stopped, _) => {
                // The split was not an `items.pages` element (or the second half did not
                // read as one): go on alone from where the first half stopped.
                if let Some(st) = stopped {
                    first.element(st.array, st.index, &st.raw, st.len, st.pos);
                    gather(&mut scanner, &mut first, None, source)?;
                }
                let bytes = scanner.bytes_read();
                let jumped = scanner.jumped();
                Self::from_gathered(first, bytes, scanner.into_inner(), source, jumped)
                    .map(|l| (l, false))
            }
        }
    }

    /// The index from what the scanner gathered (`reader` reads the input again, for entries
    /// whose probe did not settle).
    fn from_gathered<R: Read + Seek>(
        g: Gathered,
        bytes: u64,
        mut reader: R,
        source: Option<&str>,
        jumped: bool,
    ) -> Result<Self, LoadError> {
        let located = |e: LoadError| e.with_source(source);
        let Gathered {
            again,
            mut lists,
            mut numbers,
            mut present,
            mut items_facts,
            mut root_pages,
            mut root_probes,
            mut lines,
            root,
            subs,
            fulls,
            root_pages_met,
        } = g;
        // Pages whose first bytes did not settle their number: read them whole, once.
        if !again.is_empty() {
            let io = |e: io::Error| {
                located(LoadError::new(
                    ErrorKind::Io,
                    format!("cannot read again: {e}"),
                ))
            };
            for (array, at) in again {
                let (offset, len) = if array == ArrayPath::RootPages {
                    root_pages.span(at)
                } else {
                    lists[list_slot(array)].span(at)
                };
                reader.seek(SeekFrom::Start(offset)).map_err(io)?;
                let mut raw = vec![0; len as usize];
                reader.read_exact(&mut raw).map_err(io)?;
                let probe = PageProbe::read(&raw, Need::of(array));
                if array == ArrayPath::RootPages {
                    root_probes[at] = probe;
                } else {
                    let slot = list_slot(array);
                    numbers[slot][at] = probe.page_number;
                    if slot == 0 {
                        items_facts[at] = probe.has_page_facts;
                    }
                }
            }
        }

        // Root `pages`: the v2 `items` object alone, or a v1 result.
        let mut format = None;
        let mut items_only = false;
        // The shape rules of a whole read (`crate::shape`): what they give to another shape
        // (batch results beside the pages, a root `pages` beside `items`...) is read whole.
        let lists_here = present.iter().any(|p| *p);
        let has = |k: &str| {
            root.contains_key(k)
                || (k == "pages" && root_pages_met)
                || sub_slot(k).is_some_and(|slot| present[slot] || !subs[slot].is_empty())
        };
        if OTHER_SHAPES.iter().any(|k| has(k)) || (root_pages_met && !pages_rooted(has)) {
            return Err(located(LoadError::new(
                ErrorKind::Shape,
                "not a parse response with its own page lists; load this input whole",
            )));
        }
        if root_pages_met || (root.contains_key("job_metadata") && !lists_here) {
            let first = root_probes.first().map(|p| p.first);
            // Each root element is indexed by its place among them (a second root `pages`
            // array would restart the scanner's count).
            root_pages.number_in_place();
            if !root_pages_are_v1(first, root.contains_key("job_metadata")) {
                items_only = true;
                present[0] = true;
                numbers[0].extend(root_probes.iter().map(|p| p.page_number));
                let sdk = is_sdk_dump(root_probes.iter().map(|p| p.has_page_facts));
                lists[0] = root_pages;
                format = Some(if sdk { Format::V2Sdk } else { Format::V2Items });
            } else {
                // v1: one element holds all four lists' facts for its page.
                present = [true; 4];
                for (i, probe) in root_probes.iter().enumerate() {
                    let n = Some(probe.v1_page.unwrap_or(i as u32 + 1));
                    let (offset, len) = root_pages.span(i);
                    for slot in 0..4 {
                        // A v1 page without `text` has no text page, as when loaded whole.
                        if slot == 2 && !probe.has_text {
                            continue;
                        }
                        numbers[slot].push(n);
                        lists[slot].push(offset, len, i);
                    }
                }
                format = Some(Format::V1);
            }
        }
        let skeleton_value = Value::Object(root);
        let fit = |e: serde_json::Error| located(not_streamable(&e));
        let mut skeleton: ParseResponse = if items_only {
            // The root is the `items` object: its other keys are that object's.
            let items: ItemsResult = serde_json::from_value(skeleton_value).map_err(fit)?;
            ParseResponse {
                items: Some(items),
                ..ParseResponse::default()
            }
        } else if format == Some(Format::V1) {
            // v1's root fields (job_metadata, job_id, file_path) mapped as the loader maps them.
            let v1: crate::v1::V1Response = serde_json::from_value(skeleton_value).map_err(fit)?;
            v1.into_response()
        } else {
            serde_json::from_value(skeleton_value).map_err(fit)?
        };
        let format = match format {
            Some(f) => f,
            None if present.iter().any(|p| *p) || skeleton.items.is_some() => {
                if is_sdk_dump(items_facts.iter().copied()) {
                    Format::V2Sdk
                } else if skeleton.job.is_some() {
                    Format::V2
                } else {
                    Format::V2NoJob
                }
            }
            None if skeleton.job.is_some()
                || skeleton.markdown.is_some()
                || skeleton.text.is_some() =>
            {
                if skeleton.job.is_some() {
                    Format::V2
                } else {
                    Format::V2NoJob
                }
            }
            None => {
                return Err(located(LoadError::new(
                    ErrorKind::Shape,
                    "streaming reads v2 responses and v1 results; load this input whole",
                )));
            }
        };
        // Page list objects keep their other keys.
        let [items_u, md_u, text_u, meta_u] = subs;
        if present[0] && !items_only && format != Format::V1 {
            skeleton
                .items
                .get_or_insert_with(ItemsResult::default)
                .unknown
                .extend(items_u);
        }
        if present[1] && format != Format::V1 {
            skeleton
                .markdown
                .get_or_insert_with(MarkdownResult::default)
                .unknown
                .extend(md_u);
        }
        if present[2] && format != Format::V1 {
            skeleton
                .text
                .get_or_insert_with(TextResult::default)
                .unknown
                .extend(text_u);
        }
        if present[3] && format != Format::V1 {
            skeleton
                .metadata
                .get_or_insert_with(MetadataResult::default)
                .unknown
                .extend(meta_u);
        }
        let names = [
            "items.pages",
            "markdown.pages",
            "text.pages",
            "metadata.pages",
        ];
        let [n0, n1, n2, n3] = numbers;
        let join_input = [
            (names[0], present[0].then_some(n0)),
            (names[1], present[1].then_some(n1)),
            (names[2], present[2].then_some(n2)),
            (names[3], present[3].then_some(n3)),
        ];
        let mut pages = Vec::new();
        let mut too_many = false;
        let warnings = join_pages_with(&join_input, |p| match JoinedPage::new(p) {
            Some(p) => pages.push(p),
            None => too_many = true,
        });
        if too_many {
            return Err(located(LoadError::new(
                ErrorKind::Shape,
                "a page list of four billion entries or more; load this input whole",
            )));
        }
        drop(join_input);
        pages.shrink_to_fit();
        for list in &mut lists {
            list.shrink_to_fit();
        }
        lines.shrink_to_fit();
        Ok(LazyDocument {
            source: source.map(str::to_owned),
            format,
            skeleton,
            pages,
            warnings,
            bytes,
            lists,
            lines,
            items_only,
            jumped,
            fulls,
        })
    }

    /// The first broken JSON in the input, read again through `reader` (the input this was
    /// indexed from), as a whole read's first pass finds it: values stepped over, nothing
    /// kept. A whole read reports broken JSON anywhere in the input before any value of a
    /// wrong type; a page-by-page conversion that meets a wrong type first asks this before
    /// reporting it.
    pub fn first_syntax_error<R: Read + Seek>(&self, reader: &mut R) -> Option<LoadError> {
        reader.seek(SeekFrom::Start(0)).ok()?;
        let (e, _) = serde_pass(reader, false)?;
        Some(LoadError::from_json(&e, String::new()).with_source(self.source.as_deref()))
    }

    /// Whether `other` has the same first `n` joined pages as this index, each read from the
    /// same entries of the input (a reader going on after indexing again).
    pub(crate) fn same_pages_before(&self, other: &LazyDocument, n: usize) -> bool {
        if self.pages.len() < n || other.pages.len() < n || self.format != other.format {
            return false;
        }
        let loc = |lazy: &LazyDocument, slot: usize, at: Option<usize>| {
            at.map(|i| lazy.lists[slot].span(i))
        };
        self.pages[..n].iter().zip(&other.pages[..n]).all(|(a, b)| {
            let (a, b) = (a.index(), b.index());
            let (sa, sb) = (
                [a.items, a.markdown, a.text, a.metadata],
                [b.items, b.markdown, b.text, b.metadata],
            );
            a.number == b.number
                && (0..4).all(|slot| loc(self, slot, sa[slot]) == loc(other, slot, sb[slot]))
        })
    }

    /// Bytes of the input that joined page `i` occupies (all its lists' entries).
    pub fn page_bytes(&self, i: usize) -> u64 {
        let p = self.pages[i].index();
        let slots = [p.items, p.markdown, p.text, p.metadata];
        let v1 = self.format == Format::V1;
        slots
            .iter()
            .enumerate()
            .take(if v1 { 1 } else { 4 })
            .filter_map(|(slot, at)| at.map(|i| self.lists[slot].span(i).1))
            .sum()
    }

    /// Reads the raw entries of joined pages `range` (in input order, one pass).
    #[cfg(test)]
    pub fn read_batch<R: Read + Seek>(
        &self,
        reader: &mut R,
        range: Range<usize>,
    ) -> io::Result<Vec<RawPiece>> {
        self.read_lists(reader, range, [true; 4])
    }

    /// Like [`read_batch`](Self::read_batch), reading only the entries of the lists marked
    /// in `lists` (in [`PageIndex`] order: items, markdown, text, metadata). A v1 page is one
    /// entry, read when `lists[0]` is set.
    pub fn read_lists<R: Read + Seek>(
        &self,
        reader: &mut R,
        range: Range<usize>,
        lists: [bool; 4],
    ) -> io::Result<Vec<RawPiece>> {
        self.read_lists_reusing(reader, range, lists, &mut Vec::new())
    }

    /// Like [`read_lists`](Self::read_lists), taking the entries' buffers from `spare` where
    /// it has some (give the [`RawPiece::bytes`] of a batch back there once it is parsed).
    /// A new buffer must be zeroed before the read fills it, which was ~3% of a markdown
    /// conversion; a spare one is cut or grown to length, and only growth is zeroed.
    pub fn read_lists_reusing<R: Read + Seek>(
        &self,
        reader: &mut R,
        range: Range<usize>,
        lists: [bool; 4],
        spare: &mut Vec<Vec<u8>>,
    ) -> io::Result<Vec<RawPiece>> {
        self.read_entries_reusing(reader, &self.wanted(range, lists), spare)
    }

    /// Reads `wanted` entries (in input order; see [`read_lists_reusing`]
    /// (Self::read_lists_reusing)).
    pub(crate) fn read_entries_reusing<R: Read + Seek>(
        &self,
        reader: &mut R,
        wanted: &[(PieceLoc, ArrayPath)],
        spare: &mut Vec<Vec<u8>>,
    ) -> io::Result<Vec<RawPiece>> {
        let v1 = self.format == Format::V1;
        let mut out = Vec::with_capacity(wanted.len());
        // Entries next to each other in the input (the usual case: a list in page order) are
        // read in runs of up to RUN_BYTES: one seek and one read per run instead of per entry,
        // and nothing read twice through a buffer that every seek would throw away.
        let mut i = 0;
        let mut gaps = Vec::new();
        while i < wanted.len() {
            let start = wanted[i].0.offset;
            let mut end = start + wanted[i].0.len;
            let mut j = i + 1;
            while j < wanted.len() {
                let next = &wanted[j].0;
                let near = next.offset >= end && next.offset <= end + MAX_GAP;
                if !near || next.offset + next.len - start > RUN_BYTES {
                    break;
                }
                end = next.offset + next.len;
                j += 1;
            }
            // One vectored read per run, straight into each entry's own buffer (the bytes
            // between entries go to a scratch buffer): no second copy of the pages.
            reader.seek(SeekFrom::Start(start))?;
            let run = &wanted[i..j];
            let mut pieces: Vec<Vec<u8>> = run
                .iter()
                .map(|(loc, _)| {
                    let mut buf = spare.pop().unwrap_or_default();
                    buf.resize(loc.len as usize, 0);
                    buf
                })
                .collect();
            let gap_total = (end - start) - run.iter().map(|(loc, _)| loc.len).sum::<u64>();
            gaps.clear();
            gaps.resize(gap_total as usize, 0);
            let mut slices = Vec::with_capacity(2 * run.len());
            let mut rest = gaps.as_mut_slice();
            let mut at = start;
            for ((loc, _), piece) in run.iter().zip(&mut pieces) {
                let (gap, tail) = rest.split_at_mut((loc.offset - at) as usize);
                rest = tail;
                if !gap.is_empty() {
                    slices.push(IoSliceMut::new(gap));
                }
                slices.push(IoSliceMut::new(piece));
                at = loc.offset + loc.len;
            }
            read_exact_vectored(reader, &mut slices)?;
            for ((loc, array), bytes) in run.iter().zip(pieces) {
                out.push(RawPiece {
                    kind: PieceKind::Page(*array),
                    index: loc.index,
                    bytes: bytes.into(),
                    pos: loc.pos,
                    v1: (*array == ArrayPath::RootPages).then_some(v1),
                });
            }
            i = j;
        }
        Ok(out)
    }

    /// Like [`read_lists`](Self::read_lists), for the input held in memory this was indexed
    /// from: each entry is a slice of it, nothing is copied.
    pub(crate) fn slice_lists(
        &self,
        held: &Shared,
        range: Range<usize>,
        lists: [bool; 4],
    ) -> io::Result<Vec<RawPiece>> {
        self.slice_entries(held, self.wanted(range, lists))
    }

    /// Slices `wanted` entries from `held` (see [`slice_lists`](Self::slice_lists)).
    pub(crate) fn slice_entries(
        &self,
        held: &Shared,
        wanted: Vec<(PieceLoc, ArrayPath)>,
    ) -> io::Result<Vec<RawPiece>> {
        let v1 = self.format == Format::V1;
        wanted
            .into_iter()
            .map(|(loc, array)| {
                let end = loc.offset + loc.len;
                if end > held.len() as u64 {
                    return Err(io::ErrorKind::UnexpectedEof.into());
                }
                Ok(RawPiece {
                    kind: PieceKind::Page(array),
                    index: loc.index,
                    bytes: PieceBytes::Shared(held.slice(loc.offset as usize..end as usize)),
                    pos: loc.pos,
                    v1: (array == ArrayPath::RootPages).then_some(v1),
                })
            })
            .collect()
    }

    /// Every entry of every page list, with the list each is read as, in input order: those
    /// the page join leaves out (a page listed twice) included, as a whole read keeps them.
    pub(crate) fn every_entry(&self) -> Vec<(PieceLoc, ArrayPath)> {
        let v1 = self.format == Format::V1;
        let mut wanted: Vec<(PieceLoc, ArrayPath)> = Vec::new();
        for (slot, list) in self.lists.iter().enumerate() {
            if v1 && slot > 0 {
                break; // one v1 element holds the whole page
            }
            let path = if v1 || self.items_only {
                ArrayPath::RootPages
            } else {
                LISTS[slot]
            };
            wanted.extend(list.locs(&self.lines).map(|loc| (loc, path)));
        }
        wanted.sort_by_key(|(loc, _)| loc.offset);
        wanted
    }

    /// The entries of joined pages `range` in the lists marked in `lists`, with the list each
    /// is read as, in input order.
    pub(crate) fn wanted(
        &self,
        range: Range<usize>,
        lists: [bool; 4],
    ) -> Vec<(PieceLoc, ArrayPath)> {
        let mut wanted: Vec<(PieceLoc, ArrayPath)> = Vec::new();
        let v1 = self.format == Format::V1;
        for p in self.pages[range].iter().map(JoinedPage::index) {
            let slots = [p.items, p.markdown, p.text, p.metadata];
            for (slot, at) in slots.iter().enumerate() {
                if v1 && slot > 0 {
                    break; // one v1 element holds the whole page
                }
                if !lists[slot] {
                    continue;
                }
                if let Some(i) = at {
                    let path = if v1 || self.items_only {
                        ArrayPath::RootPages
                    } else {
                        LISTS[slot]
                    };
                    wanted.push((self.lists[slot].loc(*i, &self.lines), path));
                }
            }
        }
        wanted.sort_by_key(|(loc, _)| loc.offset);
        wanted
    }

    /// Builds a document from parsed pieces of one batch, each with its index in its list
    /// ([`RawPiece::index`]), in input order: the skeleton's fields plus these pages, joined as
    /// the whole document joins them.
    pub fn assemble(&self, pieces: Vec<(usize, Piece)>) -> Document {
        self.build(self.skeleton.clone(), Vec::new(), Vec::new(), pieces)
    }

    /// Adds the pieces of more pages to a document [`assemble`](Self::assemble)d before (a
    /// batch that has to reach further), without parsing its pages again.
    pub fn extend(&self, doc: Document, pieces: Vec<(usize, Piece)>) -> Document {
        self.build(doc.response, doc.items_positions, doc.pages, pieces)
    }

    fn build(
        &self,
        mut r: ParseResponse,
        mut positions: Vec<usize>,
        doc_pages: Vec<PageIndex>,
        pieces: Vec<(usize, Piece)>,
    ) -> Document {
        let mut items = r
            .items
            .as_mut()
            .and_then(|l| l.pages.take())
            .unwrap_or_default();
        let mut markdown = r
            .markdown
            .as_mut()
            .and_then(|l| l.pages.take())
            .unwrap_or_default();
        let mut text = r
            .text
            .as_mut()
            .and_then(|l| l.pages.take())
            .unwrap_or_default();
        let mut metadata = r
            .metadata
            .as_mut()
            .and_then(|l| l.pages.take())
            .unwrap_or_default();
        // A page without a number is numbered by its position in the input's list, as the
        // whole document numbers it, not by its position in this batch: the page numbers of
        // the entries already in the document (from its join), then of each new piece.
        let mut guessed = previous_numbers(
            &doc_pages,
            [
                items.iter().map(|p| p.page_number).collect(),
                markdown.iter().map(|p| p.page_number).collect(),
                text.iter().map(|p| p.page_number).collect(),
                metadata.iter().map(|p| p.page_number).collect(),
            ],
        );
        let guess = |n: Option<u32>, index: usize| n.unwrap_or(index as u32 + 1);
        for (index, piece) in pieces {
            if matches!(piece, Piece::Items(_) | Piece::V1(_)) {
                positions.push(index);
            }
            match piece {
                Piece::Items(p) => {
                    guessed[0].push(guess(p.page_number, index));
                    items.push(p);
                }
                Piece::Markdown(p) => {
                    guessed[1].push(guess(p.page_number, index));
                    markdown.push(p);
                }
                Piece::Text(p) => {
                    guessed[2].push(guess(p.page_number, index));
                    text.push(p);
                }
                Piece::Metadata(p) => {
                    guessed[3].push(guess(p.page_number, index));
                    metadata.push(p);
                }
                Piece::V1(parts) => {
                    let parts = *parts;
                    guessed[0].push(guess(parts.items.page_number, index));
                    guessed[1].push(guess(parts.markdown.page_number, index));
                    if let Some(t) = &parts.text {
                        guessed[2].push(guess(t.page_number, index));
                    }
                    guessed[3].push(guess(parts.metadata.page_number, index));
                    items.push(parts.items);
                    markdown.push(parts.markdown);
                    text.extend(parts.text);
                    metadata.push(parts.metadata);
                }
                Piece::Field(..) => {}
            }
        }
        if self.items_only || !items.is_empty() || r.items.is_some() {
            r.items.get_or_insert_with(ItemsResult::default).pages = Some(items);
        }
        if r.markdown.is_some() || !markdown.is_empty() {
            r.markdown.get_or_insert_with(MarkdownResult::default).pages = Some(markdown);
        }
        if r.text.is_some() || !text.is_empty() {
            r.text.get_or_insert_with(TextResult::default).pages = Some(text);
        }
        if r.metadata.is_some() || !metadata.is_empty() {
            r.metadata.get_or_insert_with(MetadataResult::default).pages = Some(metadata);
        }
        let join_input = [
            (
                "items.pages",
                r.items.as_ref().and_then(|l| l.pages.as_ref()).map(|_| 0),
            ),
            (
                "markdown.pages",
                r.markdown
                    .as_ref()
                    .and_then(|l| l.pages.as_ref())
                    .map(|_| 1),
            ),
            (
                "text.pages",
                r.text.as_ref().and_then(|l| l.pages.as_ref()).map(|_| 2),
            ),
            (
                "metadata.pages",
                r.metadata
                    .as_ref()
                    .and_then(|l| l.pages.as_ref())
                    .map(|_| 3),
            ),
        ]
        .map(|(name, slot)| {
            (
                name,
                slot.map(|s: usize| guessed[s].iter().map(|&n| Some(n)).collect()),
            )
        });
        // Joined once, by the pages' numbers in the input (not `Document::new`'s join, which
        // would number a page without one by its place in this batch). Notes about the whole
        // page join belong to the lazy document, not to each batch.
        Document {
            source: self.source.clone(),
            format: Some(self.format),
            response: r,
            pages: join_page_lists(&join_input).0,
            warnings: Vec::new(),
            items_only: self.items_only,
            items_positions: positions,
        }
    }
}

/// The page number of each entry of a document's four lists (given as their own numbers), from
/// its page join; an entry the join does not use (a duplicate) keeps its own number.
fn previous_numbers(pages: &[PageIndex], own: [Vec<Option<u32>>; 4]) -> [Vec<u32>; 4] {
    let mut out = own.map(|l| {
        l.iter()
            .enumerate()
            .map(|(i, n)| n.unwrap_or(i as u32 + 1))
            .collect::<Vec<u32>>()
    });
    for p in pages {
        for (slot, at) in [p.items, p.markdown, p.text, p.metadata]
            .into_iter()
            .enumerate()
        {
            if let Some(cell) = at.and_then(|i| out[slot].get_mut(i)) {
                *cell = p.number;
            }
        }
    }
    out
}

/// Fills `slices` completely from `reader` (like `read_exact`, over several buffers).
fn read_exact_vectored<R: Read>(
    reader: &mut R,
    mut slices: &mut [IoSliceMut<'_>],
) -> io::Result<()> {
    while !slices.is_empty() {
        match reader.read_vectored(slices) {
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => IoSliceMut::advance_slices(&mut slices, n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Top-level fields that do not fit a parse response (a job listing's `items` array, a `job`
/// of the wrong type): a `Shape` error, so that the caller loads the input whole, which says
/// what the input is or where exactly it is wrong (line, column and JSON path).
fn not_streamable(e: &serde_json::Error) -> LoadError {
    LoadError::new(
        ErrorKind::Shape,
        format!("top-level fields do not fit a parse response ({e}); load this input whole"),
    )
}

/// The scanner indexing uses. Pages are not kept, only where they are: it copies just enough
/// of each to read its number from the keys API output puts first (pages that need more are
/// read again).
fn probe_scanner<R: Read>(reader: R, jumps: bool) -> Scanner<R> {
    probe(Scanner::new(reader), jumps)
}

/// The scanner indexing uses over an opened input: a held one is read in place.
fn opened_scanner(opened: Opened, jumps: bool) -> Scanner<Opened> {
    match opened {
        Opened::Held(held) => {
            let bytes = held.get_ref().clone();
            probe(
                Scanner::over(Opened::Held(held), b"", bytes, HELD_WINDOW),
                jumps,
            )
        }
        file => probe_scanner(file, jumps),
    }
}

/// `scanner` set up as [`probe_scanner`] sets one up.
fn probe<R: Read>(scanner: Scanner<R>, jumps: bool) -> Scanner<R> {
    scanner
        .with_element_limit(PROBE_BYTES)
        .with_page_jumps(jumps)
}

/// Reads all of `scanner`'s events: what it gathered, the bytes it read and whether it jumped.
fn gather_all<R: Read>(
    mut scanner: Scanner<R>,
    source: Option<&str>,
) -> Result<(Gathered, u64, bool), LoadError> {
    let mut g = Gathered::default();
    gather(&mut scanner, &mut g, None, source)?;
    Ok((g, scanner.bytes_read(), scanner.jumped()))
}

/// Bytes of a held input scanned at a time; each is released once passed. Larger windows
/// let more page boundaries be found by a search (it needs the next page in the window).
const HELD_WINDOW: usize = 1 << 20;

/// Files this large or larger are indexed by two threads ([`LazyDocument::index_file`]).
const SPLIT_MIN: u64 = 16 << 20;

/// What the second half of a split file is read after: the objects an `items.pages` element
/// sits in, so the scanner sees the rest of the file as the rest of that array (and then the
/// rest of the response, named as usual).
const SPLIT_PREFIX: &[u8] = br#"{"items":{"pages":["#;

/// Bytes searched for a split point.
const SPLIT_WINDOW: usize = 1 << 20;

/// Where to split a file: the first object after its middle that starts with the key
/// `"page_number"` and follows a comma (whitespace allowed around). Inside a JSON string every
/// `"` is escaped, so those bytes only occur where such an object starts: usually a page list
/// element, which the first half then confirms.
fn split_point<R: Read + Seek>(f: &mut R, size: u64) -> io::Result<Option<u64>> {
    const KEY: &[u8] = br#""page_number""#;
    let from = size / 2;
    f.seek(SeekFrom::Start(from))?;
    let mut window = Vec::with_capacity(SPLIT_WINDOW);
    f.by_ref()
        .take(SPLIT_WINDOW as u64)
        .read_to_end(&mut window)?;
    f.seek(SeekFrom::Start(0))?;
    // The last byte before `end` that is not whitespace, with its index.
    let before = |end: usize| {
        window[..end]
            .iter()
            .rposition(|b| !b.is_ascii_whitespace())
            .map(|i| (i, window[i]))
    };
    let after = |start: usize| window[start..].iter().find(|b| !b.is_ascii_whitespace());
    let found = window.windows(KEY.len()).enumerate().find_map(|(i, w)| {
        if w != KEY || after(i + KEY.len()) != Some(&b':') {
            return None;
        }
        let (open, b) = before(i)?;
        (b == b'{' && before(open)?.1 == b',').then_some(open)
    });
    Ok(found.map(|i| from + i as u64))
}

/// Where an input first stops being JSON (see [`first_json_error`]).
enum FirstError {
    /// Nothing but whitespace.
    Empty,
    /// Broken or cut short here, with the JSON path when a whole read names it.
    Json(serde_json::Error, String),
}

/// Where the input first stops being JSON, as a whole read finds it; `None` when it is JSON
/// throughout (or cannot be read).
fn first_json_error(input: &Input<'_>) -> Option<FirstError> {
    if is_blank(io::BufReader::with_capacity(1 << 16, input.open().ok()?))? {
        return Some(FirstError::Empty);
    }
    let (e, path) = serde_pass(input.open().ok()?, true)?;
    // A whole read names where nesting went too deep (its typed parse tracks the path) but
    // not where the JSON broke (its first parse does not).
    let deep = e.to_string().starts_with("recursion limit exceeded");
    Some(FirstError::Json(e, if deep { path } else { String::new() }))
}

/// Reads `reader` once as serde_json reads a whole input (a byte-order mark skipped), keeping
/// nothing, and returns its first broken or cut-short JSON with the JSON path there; `None`
/// when there is none. With `depth`, nesting is counted as a typed read counts it (too deep
/// fails); without, values are stepped over as a whole read's first pass does.
fn serde_pass(reader: impl Read, depth: bool) -> Option<(serde_json::Error, String)> {
    use serde::Deserialize;
    use serde_json::error::Category;
    let mut file = io::BufReader::with_capacity(1 << 16, reader);
    if file.fill_buf().ok()?.starts_with(b"\xEF\xBB\xBF") {
        file.consume(3);
    }
    let mut de = serde_json::Deserializer::from_reader(file);
    let read = if depth {
        serde_path_to_error::deserialize::<_, Skip>(&mut de)
            .map(|_| ())
            .map_err(|e| (e.path().to_string(), e.into_inner()))
    } else {
        serde::de::IgnoredAny::deserialize(&mut de)
            .map(|_| ())
            .map_err(|e| (String::new(), e))
    };
    let (path, e) = match read {
        Ok(()) => (String::new(), de.end().err()?),
        Err(failed) => failed,
    };
    matches!(e.classify(), Category::Syntax | Category::Eof).then_some((e, path))
}

/// Whether `reader` holds only whitespace, judged as a whole read judges it (`str::trim`),
/// stopping at the first character that is not.
fn is_blank(mut reader: impl BufRead) -> Option<bool> {
    // Bytes of a character cut at the end of the last buffer, carried over.
    let mut carried = Vec::new();
    loop {
        let buf = reader.fill_buf().ok()?;
        if buf.is_empty() {
            return Some(true);
        }
        carried.extend_from_slice(buf);
        let n = buf.len();
        reader.consume(n);
        let Some(valid) = blank_prefix(&carried) else {
            return Some(false);
        };
        carried.drain(..valid);
    }
}

/// Any JSON value, stepped over as serde_json steps into it (nesting counted, so that nesting
/// too deep fails as it fails a whole read), keeping nothing.
struct Skip;

impl<'de> serde::Deserialize<'de> for Skip {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Skip;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_bool<E>(self, _: bool) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_str<E>(self, _: &str) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_unit<E>(self) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut a: A) -> Result<Skip, A::Error> {
                while a.next_element::<Skip>()?.is_some() {}
                Ok(Skip)
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut a: A) -> Result<Skip, A::Error> {
                while a.next_entry::<serde::de::IgnoredAny, Skip>()?.is_some() {}
                Ok(Skip)
            }
        }
        d.deserialize_any(V)
    }
}

/// What is indexed: a whole file, a range of one read as a file of its own, or an input held
/// in memory.
enum Input<'a> {
    Whole(&'a Path),
    Range(&'a Path, Range<u64>),
    Held(&'a Shared),
}

impl Input<'_> {
    fn open(&self) -> io::Result<Opened> {
        Ok(match self {
            Input::Whole(path) => Opened::File(FileSpan::whole(path)?),
            Input::Range(path, range) => Opened::File(FileSpan::open(path, range.clone())?),
            Input::Held(held) => Opened::Held(HeldCursor::new((*held).clone())),
        })
    }
}

/// An opened [`Input`].
enum Opened {
    File(FileSpan),
    Held(HeldCursor),
}

impl Opened {
    fn len(&self) -> u64 {
        match self {
            Opened::File(f) => f.len(),
            Opened::Held(h) => h.get_ref().len() as u64,
        }
    }
}

impl Read for Opened {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Opened::File(f) => f.read(buf),
            Opened::Held(h) => h.read(buf),
        }
    }
}

impl Seek for Opened {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        match self {
            Opened::File(f) => f.seek(pos),
            Opened::Held(h) => h.seek(pos),
        }
    }
}

/// What indexing gathers from the scanner's events, before the page lists are joined.
#[derive(Debug, Default)]
struct Gathered {
    /// Entries whose probe did not settle: (list, position in `lists`/`root_pages`).
    again: Vec<(ArrayPath, usize)>,
    lists: [Entries; 4],
    numbers: [Vec<Option<u32>>; 4],
    present: [bool; 4],
    /// Whether each `items.pages` entry has page size or status (client dumps have none).
    items_facts: Vec<bool>,
    /// Root `pages` elements (of the `items` object alone, or of a v1 result) and what each
    /// shows.
    root_pages: Entries,
    root_probes: Vec<PageProbe>,
    /// The lines the entries (of every list) start on.
    lines: Lines,
    root: Map<String, Value>,
    subs: [Map<String, Value>; 4],
    /// `markdown_full` and `text_full`: where they are.
    fulls: Vec<(String, PieceLoc)>,
    /// A root `pages` array was met (empty or not).
    root_pages_met: bool,
}

/// The element gathering stopped at (not gathered).
struct Stopped {
    array: ArrayPath,
    index: usize,
    raw: Vec<u8>,
    len: u64,
    pos: Position,
}

impl Gathered {
    /// Notes the page lists `scanner` met, empty ones included: a whole read keeps an empty
    /// list as a list.
    fn met<R: Read>(&mut self, scanner: &Scanner<R>) {
        for (slot, array) in LISTS.into_iter().enumerate() {
            self.present[slot] |= scanner.entered(array);
        }
        self.root_pages_met |= scanner.entered(ArrayPath::RootPages);
    }

    fn element(&mut self, array: ArrayPath, index: usize, raw: &[u8], len: u64, pos: Position) {
        self.lines.note(pos);
        let need = Need::of(array);
        let probe = if raw.len() as u64 == len {
            PageProbe::read(raw, need)
        } else {
            leading_scalars(raw, need).unwrap_or_else(|| {
                let at = if array == ArrayPath::RootPages {
                    self.root_pages.len()
                } else {
                    self.lists[list_slot(array)].len()
                };
                self.again.push((array, at));
                PageProbe::default()
            })
        };
        if array == ArrayPath::RootPages {
            self.root_pages.push(pos.offset, len, index);
            self.root_probes.push(probe);
            return;
        }
        let slot = list_slot(array);
        self.present[slot] = true;
        if slot == 0 {
            self.items_facts.push(probe.has_page_facts);
        }
        self.numbers[slot].push(probe.page_number);
        self.lists[slot].push(pos.offset, len, index);
    }

    fn field(
        &mut self,
        key: String,
        raw: Vec<u8>,
        (pos, len): (Position, u64),
        source: Option<&str>,
    ) -> Result<(), LoadError> {
        if key == "markdown_full" || key == "text_full" {
            let loc = PieceLoc {
                offset: pos.offset,
                len,
                pos,
                index: 0,
            };
            self.fulls.push((key, loc));
            return Ok(());
        }
        let value: Value = RawPiece {
            kind: PieceKind::Field(key.clone()),
            index: 0,
            bytes: raw.into(),
            pos,
            v1: None,
        }
        .parse_fast(source, crate::wire::Projection::default())
        .map(|p| match p {
            Piece::Field(_, v) => v,
            _ => Value::Null,
        })?;
        match key.split_once('.') {
            Some((list, sub)) if sub_slot(list).is_some() => {
                self.subs[sub_slot(list).expect("checked")].insert(sub.to_owned(), value);
            }
            _ => {
                self.root.insert(key, value);
            }
        }
        Ok(())
    }

    /// Whether a second half read as the rest of `items.pages` holds one run of it (a
    /// second `items.pages` array would restart the count) and no root pages.
    fn continues_items(&self) -> bool {
        self.root_pages.len() == 0 && self.lists[0].in_place()
    }

    /// Appends the second half of a split file, `st` being the element the first half
    /// stopped at (the second half's first element): positions are moved from the second
    /// half's reading (prefix included) to the file, and its `items.pages` indexes follow on.
    fn append(&mut self, rest: Gathered, st: &Stopped) {
        let prefix = SPLIT_PREFIX.len() as u64;
        let shift = |pos: Position| {
            let offset = st.pos.offset + pos.offset - prefix;
            if pos.line == 1 {
                Position {
                    offset,
                    line: st.pos.line,
                    column: st.pos.column + pos.column - 1 - prefix,
                }
            } else {
                Position {
                    offset,
                    line: st.pos.line + pos.line - 1,
                    column: pos.column,
                }
            }
        };
        let bases: [usize; 4] = std::array::from_fn(|s| self.lists[s].len());
        for (array, at) in rest.again {
            self.again.push((array, at + bases[list_slot(array)]));
        }
        self.lines.extend_shifted(&rest.lines, shift);
        let moved = |offset: u64| st.pos.offset + offset - prefix;
        for (slot, (list, numbers)) in rest.lists.into_iter().zip(rest.numbers).enumerate() {
            self.lists[slot].reserve(list.len());
            for place in 0..list.len() {
                let (offset, len) = list.span(place);
                let index = list.index(place);
                let index = if slot == 0 { st.index + index } else { index };
                self.lists[slot].push(moved(offset), len, index);
            }
            self.numbers[slot].extend(numbers);
            self.present[slot] |= rest.present[slot];
        }
        self.items_facts.extend(rest.items_facts);
        self.root_pages_met |= rest.root_pages_met;
        for (key, loc) in rest.fulls {
            let pos = shift(loc.pos);
            let loc = PieceLoc {
                offset: pos.offset,
                pos,
                ..loc
            };
            self.fulls.push((key, loc));
        }
        self.root.extend(rest.root);
        for (mine, theirs) in self.subs.iter_mut().zip(rest.subs) {
            mine.extend(theirs);
        }
    }
}

/// Reads the scanner's events into `g`, to the end, or up to the first element starting at or
/// after `stop_at` (returned, not gathered).
fn gather<R: Read>(
    scanner: &mut Scanner<R>,
    g: &mut Gathered,
    stop_at: Option<u64>,
    source: Option<&str>,
) -> Result<Option<Stopped>, LoadError> {
    loop {
        let event = scanner
            .next_event()
            .map_err(|e| crate::stream::scan_error(e, source))?;
        match event {
            None => {
                g.met(scanner);
                return Ok(None);
            }
            Some(Event::Element {
                array,
                index,
                raw,
                pos,
            }) => {
                let len = scanner.last_len();
                if stop_at.is_some_and(|at| pos.offset >= at) {
                    g.met(scanner);
                    return Ok(Some(Stopped {
                        array,
                        index,
                        raw,
                        len,
                        pos,
                    }));
                }
                g.element(array, index, &raw, len, pos);
            }
            Some(Event::Field { key, raw, pos }) => {
                g.field(key, raw, (pos, scanner.last_len()), source)?;
            }
        }
    }
}

fn list_slot(a: ArrayPath) -> usize {
    match a {
        ArrayPath::ItemsPages | ArrayPath::RootPages => 0,
        ArrayPath::MarkdownPages => 1,
        ArrayPath::TextPages => 2,
        ArrayPath::MetadataPages => 3,
    }
}

fn sub_slot(name: &str) -> Option<usize> {
    ["items", "markdown", "text", "metadata"]
        .iter()
        .position(|n| *n == name)
}

/// The top-level facts of one page entry that indexing needs.
#[derive(Debug, Default, Clone, Copy)]
struct PageProbe {
    page_number: Option<u32>,
    /// What a root `pages` element shows about the shape (see [`crate::shape`]).
    first: FirstPage,
    /// v1's `page`.
    v1_page: Option<u32>,
    /// `page_width`, `page_height`, `success` or `error` present (client-library dumps drop
    /// them all).
    has_page_facts: bool,
    /// v1: the page has `text` (its text page exists).
    has_text: bool,
}

impl PageProbe {
    /// Reads the page's top-level scalar keys. API output puts them before `items`, so the
    /// usual case reads a few dozen bytes; otherwise the whole entry is skimmed (nested values
    /// skipped without being built).
    fn read(raw: &[u8], need: Need) -> Self {
        #[derive(serde::Deserialize)]
        struct Probe {
            // Any value counts as present (`null` included, as a whole read counts it); a
            // number that is not a page number gives none, and the typed parse says why.
            #[serde(default, deserialize_with = "present_u32")]
            page_number: Option<Option<u32>>,
            #[serde(default, deserialize_with = "present_u32")]
            page: Option<Option<u32>>,
            md: Option<serde::de::IgnoredAny>,
            layout: Option<serde::de::IgnoredAny>,
            page_width: Option<serde::de::IgnoredAny>,
            page_height: Option<serde::de::IgnoredAny>,
            success: Option<serde::de::IgnoredAny>,
            error: Option<serde::de::IgnoredAny>,
            text: Option<serde::de::IgnoredAny>,
        }
        if let Some(p) = leading_scalars(raw, need) {
            return p;
        }
        match serde_json::from_slice::<Probe>(raw) {
            Ok(p) => PageProbe {
                page_number: p.page_number.flatten(),
                first: FirstPage {
                    numbered: p.page_number.is_some(),
                    v1_marker: p.page.is_some() || p.md.is_some() || p.layout.is_some(),
                },
                v1_page: p.page.flatten(),
                has_page_facts: p.page_width.is_some()
                    || p.page_height.is_some()
                    || p.success.is_some()
                    || p.error.is_some(),
                has_text: p.text.is_some(),
            },
            Err(_) => PageProbe::default(),
        }
    }
}

/// A key's value, present: a page number when it is one.
fn present_u32<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<u32>>, D::Error> {
    use serde::Deserialize;
    let v = Value::deserialize(d)?;
    Ok(Some(v.as_u64().and_then(|n| u32::try_from(n).ok())))
}

/// What indexing must learn about an entry of a page list before it can stop reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Need {
    /// `markdown.pages`, `text.pages`, `metadata.pages`: the page number alone.
    Number,
    /// `items.pages`: the number and whether page facts are present.
    Facts,
    /// Root `pages` (a v1 result or the v2 `items` object): every top-level scalar key.
    All,
}

impl Need {
    fn of(array: ArrayPath) -> Self {
        match array {
            ArrayPath::ItemsPages => Need::Facts,
            ArrayPath::RootPages => Need::All,
            _ => Need::Number,
        }
    }

    /// Whether `p` already holds all that is needed.
    fn met(self, p: &PageProbe) -> bool {
        match self {
            Need::Number => p.page_number.is_some(),
            Need::Facts => p.page_number.is_some() && p.has_page_facts,
            Need::All => false,
        }
    }
}

/// Reads `{"key": scalar, ...` from the start of an object up to the first key whose value is
/// an object or array; `Some` only when `page_number` (or v1's `page`) was among them and no
/// later key could matter (`page_width`, `success`... come before `items` in API output; when
/// they come after, the full probe runs). Stops as soon as `need` is met, so the usual entry
/// is settled by its first few dozen bytes, however long its strings.
fn leading_scalars(raw: &[u8], need: Need) -> Option<PageProbe> {
    let mut p = PageProbe::default();
    let mut i = 0;
    let ws = |i: &mut usize| {
        while *i < raw.len() && raw[*i].is_ascii_whitespace() {
            *i += 1;
        }
    };
    ws(&mut i);
    if raw.get(i) != Some(&b'{') {
        return None;
    }
    i += 1;
    loop {
        ws(&mut i);
        if raw.get(i) != Some(&b'"') {
            return None;
        }
        let start = i + 1;
        let end = start
            + raw[start..]
                .iter()
                .position(|b| *b == b'"' || *b == b'\\')?;
        if raw[end] == b'\\' {
            return None; // escaped key: let serde read it
        }
        let key = &raw[start..end];
        i = end + 1;
        ws(&mut i);
        if raw.get(i) != Some(&b':') {
            return None;
        }
        i += 1;
        ws(&mut i);
        match raw.get(i)? {
            b'{' | b'[' => {
                // The first nested value. A v2 page is settled once its number and a page fact
                // were seen (API order puts them first); without a fact, one may still follow
                // (client dumps have none), so the full probe decides. v1 needs only `page`.
                let settled = p.page_number.is_some() && p.has_page_facts;
                return settled.then_some(p);
            }
            b'"' => {
                // Step over the string, escapes included; a string cut off by the end of the
                // probe leaves the entry to the full read (unless `need` was met before it).
                i += 1;
                loop {
                    match raw.get(i)? {
                        b'"' => break,
                        b'\\' => i += 2,
                        _ => i += 1,
                    }
                }
                i += 1;
            }
            _ => {
                let s = i;
                while i < raw.len() && !matches!(raw[i], b',' | b'}' | b' ' | b'\n' | b'\r' | b'\t')
                {
                    i += 1;
                }
                let text = std::str::from_utf8(&raw[s..i]).ok()?;
                match key {
                    b"page_number" => {
                        p.page_number = Some(text.parse().ok()?);
                        p.first.numbered = true;
                    }
                    b"page" => {
                        p.v1_page = Some(text.parse().ok()?);
                        p.first.v1_marker = true;
                    }
                    _ => {}
                }
            }
        }
        if key == b"md" {
            p.first.v1_marker = true;
        }
        if matches!(key, b"page_width" | b"page_height" | b"success" | b"error") {
            p.has_page_facts = true;
        }
        if need.met(&p) {
            return Some(p);
        }
        ws(&mut i);
        match raw.get(i)? {
            b',' => i += 1,
            b'}' => return p.page_number.is_some().then_some(p),
            _ => return None,
        }
    }
}

/// Reads until `buf` is full or the input ends; how many bytes were read.
fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probes_settle_on_what_each_list_needs() {
        // A markdown page is settled by its number, however its markdown goes on (escapes, or
        // cut off by the end of the probe).
        let md = br#"{"page_number": 7, "markdown": "line\n\"quoted\" \\ and more that was cut"#;
        let p = leading_scalars(md, Need::Number).expect("settled");
        assert_eq!(p.page_number, Some(7));
        // An items page needs a page fact too; escapes in strings before it are stepped over.
        let items = br#"{"page_number": 3, "note": "a \"b\" \\", "success": true, "items": []"#;
        let p = leading_scalars(items, Need::Facts).expect("settled");
        assert_eq!((p.page_number, p.has_page_facts), (Some(3), true));
        // Without a fact before the items, the full read decides (client dumps have none).
        assert!(leading_scalars(br#"{"page_number": 3, "items": ["#, Need::Facts).is_none());
        // A string cut off before the number is known leaves it to the full read.
        assert!(leading_scalars(br#"{"markdown": "cut \" off"#, Need::Number).is_none());
        // Root pages read every leading scalar: v1's `page` and `text`.
        let v1 = br##"{"page": 2, "text": "x\ny", "md": "# x", "items": []}"##;
        let p = PageProbe::read(v1, Need::All);
        assert_eq!((p.v1_page, p.has_text), (Some(2), true));
    }

    #[test]
    fn spare_buffers_are_cut_or_grown_to_each_entry() {
        let json = br#"{"markdown": {"pages": [{"page_number": 1, "markdown": "a"},
            {"page_number": 2, "markdown": "a much longer page than the first"}]},
            "items": {"pages": [{"page_number": 1, "items": []}, {"page_number": 2, "items": []}]}}"#;
        let lazy = LazyDocument::index(io::Cursor::new(&json[..]), None).unwrap();
        let mut reader = io::Cursor::new(&json[..]);
        let fresh = lazy.read_lists(&mut reader, 0..2, [true; 4]).unwrap();
        assert_eq!(fresh.len(), 4);
        // Spares longer and shorter than the entries, holding other bytes.
        let mut spare = vec![vec![b'x'; 3], vec![b'y'; 500], vec![], vec![b'z'; 40]];
        let reused = lazy
            .read_lists_reusing(&mut reader, 0..2, [true; 4], &mut spare)
            .unwrap();
        assert_eq!(reused, fresh);
        assert!(spare.is_empty());
    }
}
