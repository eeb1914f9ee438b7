//! The public way to read a response too large to hold: a page-batch reader over the index.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use crate::document::{Document, Format, Warning};
use crate::error::{ErrorKind, LoadError};
use crate::lazy::LazyDocument;
use crate::load::load_file;

/// A parse result read from a file a batch of pages at a time, in bounded memory.
///
/// [`Reader::open`] reads the file once to find where each page sits, keeping only that
/// index and the small fields (`job`, `raw_parameters`...); [`Reader::batches`] then reads
/// and parses runs of pages and hands each out as an ordinary [`Document`] holding just those
/// pages, in page order. Memory is bounded by one batch and the index, not by the file.
///
/// It reads one parse result: a v2 response, the v2 `items` object alone, or a v1 result
/// object. Other inputs (a v1 result array, JSON Lines, job listings...) are an
/// [`ErrorKind::Shape`] error from [`open`](Reader::open): read those whole with
/// [`load_all_file`](crate::load_all_file).
///
/// ```no_run
/// let mut reader = pagetree_model::Reader::open("large.json")?;
/// for w in reader.warnings() {
///     eprintln!("warning: {w}");
/// }
/// for batch in reader.batches(4 << 20) {
///     let batch = batch?;
///     for page in batch.pages() {
///         println!("page {}: {} items", page.number(), page.items().len());
///     }
/// }
/// # Ok::<(), pagetree_model::LoadError>(())
/// ```
#[derive(Debug)]
pub struct Reader {
    path: PathBuf,
    source: String,
    lazy: LazyDocument,
}

impl Reader {
    /// Indexes the file at `path` (named by its path in messages).
    ///
    /// # Errors
    ///
    /// The file cannot be read, is broken JSON (located as a whole read locates it), or is
    /// not a single parse result ([`ErrorKind::Shape`]).
    pub fn open(path: impl AsRef<Path>) -> Result<Reader, LoadError> {
        let path = path.as_ref().to_path_buf();
        let source = path.display().to_string();
        // Every page boundary checked, not searched for: the fast index can take a false
        // boundary on trust (an object nested in a page starting with `page_number`), and
        // then its page numbers and join warnings, which this hands out before any page is
        // parsed, would be wrong until a batch failed. Checking costs about 0.1 s per 300 MB.
        let lazy = LazyDocument::index_file_exact(&path, Some(&source))?;
        Ok(Reader { path, source, lazy })
    }

    /// The input's name, as messages give it.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The detected shape.
    pub fn format(&self) -> Format {
        self.lazy.format
    }

    /// The numbers of the pages, in page order (the four page lists joined, as a whole read
    /// joins them).
    pub fn page_numbers(&self) -> impl Iterator<Item = u32> + '_ {
        self.lazy.pages.iter().map(|p| p.number)
    }

    /// What reading noticed about the page lists (missing, unsorted or duplicated pages): the
    /// warnings a whole read gives. The first batch carries them too.
    pub fn warnings(&self) -> &[Warning] {
        &self.lazy.warnings
    }

    /// Reads the whole file into one [`Document`], exactly as
    /// [`load_file`](crate::load_file) does (every field kept, `markdown_full` included): for
    /// a file that turns out small enough to hold.
    ///
    /// # Errors
    ///
    /// As [`load_file`](crate::load_file)'s.
    pub fn document(&self) -> Result<Document, LoadError> {
        load_file(&self.path)
    }

    /// The pages in batches of about `max_bytes` of input each (at least one page per
    /// batch), in page order. Each batch is a [`Document`] with the response's small fields
    /// and just its own pages; the whole-document strings `markdown_full` and `text_full` are
    /// left out (they are as large as all the pages together). Things that cross pages (a
    /// table continued on the next page) may be cut at a batch boundary.
    ///
    /// The first error ends the iteration. A page that fails to parse is reported as a whole
    /// read reports it: broken JSON anywhere in the file comes before a value of a wrong type.
    pub fn batches(&mut self, max_bytes: u64) -> Batches<'_> {
        Batches {
            reader: self,
            file: None,
            start: 0,
            max_bytes,
            done: false,
        }
    }
}

/// The batches of a [`Reader`]; see [`Reader::batches`].
#[derive(Debug)]
pub struct Batches<'a> {
    reader: &'a mut Reader,
    file: Option<BufReader<File>>,
    start: usize,
    max_bytes: u64,
    done: bool,
}

impl Batches<'_> {
    /// Pages `start..end` of at most about `max_bytes`, at least one.
    fn end(&self) -> usize {
        let lazy = &self.reader.lazy;
        let (mut end, mut bytes) = (self.start, 0);
        while end < lazy.pages.len() && (end == self.start || bytes < self.max_bytes) {
            bytes += lazy.page_bytes(end);
            end += 1;
        }
        end
    }

    fn read(&mut self) -> Result<Document, LoadError> {
        let io = |e: std::io::Error| LoadError::io(&self.reader.source, &e);
        if self.file.is_none() {
            self.file = Some(BufReader::new(File::open(&self.reader.path).map_err(io)?));
        }
        let end = self.end();
        let file = self.file.as_mut().expect("opened above");
        let lazy = &self.reader.lazy;
        let source = lazy.source.as_deref();
        let parsed = lazy
            .read_batch(file, self.start..end)
            .map_err(|e| LoadError::io(&self.reader.source, &e))?
            .into_iter()
            .map(|raw| Ok((raw.index, raw.parse_fast(source)?)))
            .collect::<Result<Vec<_>, LoadError>>();
        match parsed {
            Ok(pieces) => {
                let mut doc = lazy.assemble(pieces);
                if self.start == 0 {
                    doc.warnings = lazy.warnings.clone();
                }
                self.start = end;
                Ok(doc)
            }
            // As a whole read: broken JSON further on is reported before a wrong type here.
            Err(e) if e.kind == ErrorKind::Data => Err(lazy.first_syntax_error(file).unwrap_or(e)),
            Err(e) => Err(e),
        }
    }
}

impl Iterator for Batches<'_> {
    type Item = Result<Document, LoadError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done || self.start >= self.reader.lazy.pages.len() {
            return None;
        }
        let batch = self.read();
        self.done = batch.is_err();
        Some(batch)
    }
}

impl std::iter::FusedIterator for Batches<'_> {}
