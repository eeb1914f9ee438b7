//! Page-at-a-time reading of large responses, from any reader or byte buffer.
//!
//! [`PageStream`] hands out the pieces of a response in file order without ever holding the
//! whole tree: each page of `items.pages`, `markdown.pages`, `text.pages`, `metadata.pages` (or
//! a root `pages` list) arrives as a [`RawPiece`] (the page's bytes and position), which
//! [`RawPiece::parse`] turns into typed pages with errors located in the whole file. Splitting is
//! sequential and cheap; parsing is the expensive part and can run in parallel on the raw pieces.

use std::io::Read;

use serde::de::DeserializeOwned;

use crate::error::{ErrorKind, LoadError};
use crate::load::{bad_utf8, line_column};
use crate::page::{ItemsPage, MarkdownPage, MetadataPage, TextPage};
use crate::scan::{ArrayPath, Event, Position, ScanError, ScanErrorKind, Scanner};
use crate::shape::{FirstPage, root_pages_are_v1};
use crate::v1::{V1Page, V1Parts};

/// Where a raw piece came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PieceKind {
    /// An element of a page list.
    Page(ArrayPath),
    /// Any other field: a root key (`job`, `markdown_full`...) or a dotted sub-key of a page
    /// list object (`items.total`).
    Field(String),
}

/// One unparsed piece of a response: its bytes and where they sit in the input.
#[derive(Debug, Clone, PartialEq)]
pub struct RawPiece {
    /// What it is.
    pub kind: PieceKind,
    /// Index within its page list (0 for fields).
    pub index: usize,
    /// The exact bytes of the JSON value.
    pub bytes: Vec<u8>,
    /// Where the value starts in the input.
    pub pos: Position,
    /// For a root `pages` element: whether the document's pages are v1 pages, as the shape
    /// rules decided once for the whole document (`None` elsewhere).
    pub(crate) v1: Option<bool>,
}

/// One parsed piece of a response.
#[derive(Debug, Clone, PartialEq)]
pub enum Piece {
    /// An `items.pages` entry (or an element of a root `pages` list of the `items` shape).
    Items(ItemsPage),
    /// A `markdown.pages` entry.
    Markdown(MarkdownPage),
    /// A `text.pages` entry.
    Text(TextPage),
    /// A `metadata.pages` entry.
    Metadata(MetadataPage),
    /// A v1 page (root `pages` of a v1 result), split into the four v2 page lists.
    V1(Box<V1Parts>),
    /// Any other field, as JSON.
    Field(String, serde_json::Value),
}

/// Streams the pieces of one response (a JSON object at the top level) from a reader.
pub struct PageStream<R> {
    scanner: Scanner<R>,
    source: Option<String>,
    failed: bool,
    /// Whether root `pages` are v1 pages, decided at the first one.
    root_v1: Option<bool>,
    /// A root `job_metadata` came before the pages (v1's companion field).
    job_metadata: bool,
}

impl<R: Read> PageStream<R> {
    /// Streams from `reader`; `source` names the input in error messages.
    pub fn new(reader: R, source: Option<&str>) -> Self {
        PageStream {
            scanner: Scanner::new(reader),
            source: source.map(str::to_owned),
            failed: false,
            root_v1: None,
            job_metadata: false,
        }
    }

    /// Bytes consumed so far (for progress reporting).
    pub fn bytes_read(&self) -> u64 {
        self.scanner.bytes_read()
    }

    /// The next unparsed piece, `Ok(None)` at the end. After an error the stream is finished.
    pub fn next_raw(&mut self) -> Result<Option<RawPiece>, LoadError> {
        if self.failed {
            return Ok(None);
        }
        match self.scanner.next_event() {
            Ok(None) => Ok(None),
            Ok(Some(Event::Element {
                array,
                index,
                raw,
                pos,
            })) => {
                // The shape rules judge the first root page; a `job_metadata` written after
                // the pages is not known yet here (an index of the whole input sees it).
                let v1 = (array == ArrayPath::RootPages).then(|| {
                    *self.root_v1.get_or_insert_with(|| {
                        let keys: std::collections::BTreeMap<String, serde::de::IgnoredAny> =
                            serde_json::from_slice(&raw).unwrap_or_default();
                        let first = FirstPage::from_keys(keys.keys().map(String::as_str));
                        root_pages_are_v1(Some(first), self.job_metadata)
                    })
                });
                Ok(Some(RawPiece {
                    kind: PieceKind::Page(array),
                    index,
                    bytes: raw,
                    pos,
                    v1,
                }))
            }
            Ok(Some(Event::Field { key, raw, pos })) => {
                self.job_metadata |= key == "job_metadata";
                Ok(Some(RawPiece {
                    kind: PieceKind::Field(key),
                    index: 0,
                    bytes: raw,
                    pos,
                    v1: None,
                }))
            }
            Err(e) => {
                self.failed = true;
                Err(scan_error(e, self.source.as_deref()))
            }
        }
    }

    /// The name used in messages.
    pub fn source(&self) -> Option<&str> {
        self.source.as_deref()
    }
}

impl<R: Read> Iterator for PageStream<R> {
    type Item = Result<Piece, LoadError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.next_raw() {
            Ok(Some(raw)) => Some(raw.parse(self.source.as_deref())),
            Ok(None) => None,
            Err(e) => Some(Err(e)),
        }
    }
}

/// A scanner's error as a located load error. Not one object at the top (an array, JSON
/// Lines) is a shape to read whole, not a broken input.
pub(crate) fn scan_error(e: ScanError, source: Option<&str>) -> LoadError {
    let kind = match e.kind {
        ScanErrorKind::NotAnObject | ScanErrorKind::Trailing => ErrorKind::Shape,
        ScanErrorKind::Eof => ErrorKind::Eof,
        ScanErrorKind::Io => ErrorKind::Io,
        _ => ErrorKind::Syntax,
    };
    LoadError::new(kind, e.message)
        .at(e.pos.line as usize, e.pos.column as usize)
        .with_source(source)
}

impl RawPiece {
    /// The JSON path of the piece, e.g. `items.pages[3]` or `job`.
    pub fn path(&self) -> String {
        match &self.kind {
            PieceKind::Page(a) => format!("{}[{}]", a.as_str(), self.index),
            PieceKind::Field(k) => k.clone(),
        }
    }

    /// Parses the piece; errors carry the JSON path and the line and column in the whole input.
    pub fn parse(&self, source: Option<&str>) -> Result<Piece, LoadError> {
        // Invalid UTF-8 as a whole read reports it: the byte, and where it is in the input.
        if let Err(e) = std::str::from_utf8(&self.bytes) {
            let at = e.valid_up_to();
            let (line, column) = line_column(&self.bytes, at);
            let (line, column) = self.in_input(line, column);
            let error = bad_utf8(self.bytes[at], self.pos.offset + at as u64).at(line, column);
            return Err(error.with_source(source));
        }
        // A whole read checks the syntax of everything before it reads any type: a page that is
        // broken both ways reports its broken JSON, without a path, as a whole read does.
        if let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(&self.bytes) {
            use serde_json::error::Category;
            if matches!(e.classify(), Category::Syntax | Category::Eof) {
                let mut error = self.located(&e, "");
                error.path.clear();
                return Err(error.with_source(source));
            }
        }
        let result = match &self.kind {
            PieceKind::Page(ArrayPath::ItemsPages) => self.typed().map(Piece::Items),
            PieceKind::Page(ArrayPath::MarkdownPages) => self.typed().map(Piece::Markdown),
            PieceKind::Page(ArrayPath::TextPages) => self.typed().map(Piece::Text),
            PieceKind::Page(ArrayPath::MetadataPages) => self.typed().map(Piece::Metadata),
            PieceKind::Page(ArrayPath::RootPages) => {
                if self.v1.map_or_else(|| self.is_v2_page(), |v1| !v1) {
                    self.typed().map(Piece::Items)
                } else {
                    self.typed::<V1Page>()
                        .map(|p| Piece::V1(Box::new(p.into_parts(self.index))))
                }
            }
            PieceKind::Field(k) => self.typed().map(|v| Piece::Field(k.clone(), v)),
        };
        result.map_err(|e| e.with_source(source))
    }

    /// Like [`RawPiece::parse`], faster: parses without tracking the JSON path, and only when
    /// that fails parses again to locate the error.
    pub fn parse_fast(&self, source: Option<&str>) -> Result<Piece, LoadError> {
        // One UTF-8 check of the whole piece, then a parse from `&str`, which does not check
        // each string again (that was a tenth of parsing). Invalid UTF-8 is left to `parse`,
        // which locates it.
        let Ok(text) = std::str::from_utf8(&self.bytes) else {
            return self.parse(source);
        };
        let fast = match &self.kind {
            PieceKind::Page(ArrayPath::ItemsPages) => serde_json::from_str(text).map(Piece::Items),
            PieceKind::Page(ArrayPath::MarkdownPages) => {
                serde_json::from_str(text).map(Piece::Markdown)
            }
            PieceKind::Page(ArrayPath::TextPages) => serde_json::from_str(text).map(Piece::Text),
            PieceKind::Page(ArrayPath::MetadataPages) => {
                serde_json::from_str(text).map(Piece::Metadata)
            }
            // A root `pages` element (the items object alone) is a v2 page when it has a
            // `page_number`: read it as one straight away instead of probing it first. With
            // the key written once, the probe (which refuses a repeated key) would agree.
            PieceKind::Page(ArrayPath::RootPages)
                if self.v1 != Some(true)
                    && memchr::memmem::find_iter(&self.bytes, b"\"page_number\"").count() == 1 =>
            {
                match serde_json::from_str::<ItemsPage>(text) {
                    Ok(page) if page.page_number.is_some() || self.v1 == Some(false) => {
                        Ok(Piece::Items(page))
                    }
                    _ => return self.parse(source),
                }
            }
            _ => return self.parse(source),
        };
        fast.or_else(|_| self.parse(source))
    }

    /// A root `pages` element is a v2 items page when it has `page_number` at its top level.
    fn is_v2_page(&self) -> bool {
        #[derive(serde::Deserialize)]
        struct Probe {
            page_number: Option<serde::de::IgnoredAny>,
        }
        serde_json::from_slice::<Probe>(&self.bytes).is_ok_and(|p| p.page_number.is_some())
    }

    fn typed<T: DeserializeOwned>(&self) -> Result<T, LoadError> {
        let mut de = serde_json::Deserializer::from_slice(&self.bytes);
        let value = serde_path_to_error::deserialize(&mut de)
            .map_err(|e| self.located(e.inner(), &e.path().to_string()))?;
        // Nothing may follow the value: a piece cut in the wrong place (see
        // `LazyDocument::index_file`) must not pass for a page.
        de.end().map_err(|e| self.located(&e, ""))?;
        Ok(value)
    }

    /// A line and column inside the piece (counted from its first byte) in the whole input.
    fn in_input(&self, line: usize, column: usize) -> (usize, usize) {
        let (pl, pc) = (self.pos.line as usize, self.pos.column as usize);
        if line == 1 {
            (pl, pc + column - 1)
        } else {
            (pl + line - 1, column)
        }
    }

    /// A serde error inside the piece, with `sub` (its JSON path within the piece) and its
    /// position moved to the whole input.
    fn located(&self, inner: &serde_json::Error, sub: &str) -> LoadError {
        let mut err = LoadError::from_json(inner, String::new());
        let base = self.path();
        err.path = match sub {
            "." | "" => base,
            s if s.starts_with('[') => format!("{base}{s}"),
            s => format!("{base}.{s}"),
        };
        if inner.line() > 0 {
            let (line, column) = self.in_input(inner.line(), inner.column());
            err = err.at(line, column);
        }
        if err.kind == ErrorKind::Eof {
            err.kind = ErrorKind::Syntax;
        }
        err
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_in_file_order_with_located_errors() {
        let json = "{\"job\": {\"id\": \"j\"},\n \"items\": {\"pages\": [\n  {\"page_number\": 1, \"items\": []},\n  {\"page_number\": 2, \"items\": [{\"bbox\": [{\"x\": \"1\"}]}]}\n]}}";
        let mut s = PageStream::new(json.as_bytes(), Some("big.json"));
        assert!(matches!(s.next(), Some(Ok(Piece::Field(k, _))) if k == "job"));
        assert!(matches!(s.next(), Some(Ok(Piece::Items(p))) if p.page_number == Some(1)));
        let e = s.next().unwrap().unwrap_err();
        // The same location as a whole-file parse reports.
        let whole = crate::load_document(json.as_bytes(), Some("big.json")).unwrap_err();
        assert_eq!(e.to_string(), whole.to_string());
        assert_eq!(
            e.to_string(),
            "big.json: items.pages[1].items[0].bbox[0].x: invalid type: string \"1\", expected a number at line 4 column 50"
        );
        assert!(s.next().is_none());
    }

    #[test]
    fn v1_root_pages_are_split() {
        let json = br##"{"pages": [{"page": 3, "md": "# A", "text": "A", "items": [{"type": "heading", "lvl": 1, "md": "# A", "value": "A"}]}], "job_metadata": {}}"##;
        let pieces: Vec<Piece> = PageStream::new(&json[..], None)
            .map(Result::unwrap)
            .collect();
        let Piece::V1(parts) = &pieces[0] else {
            panic!("v1 page expected: {pieces:?}")
        };
        assert_eq!(parts.items.page_number, Some(3));
        assert_eq!(parts.markdown.markdown.as_deref(), Some("# A"));
        assert!(matches!(&pieces[1], Piece::Field(k, _) if k == "job_metadata"));
    }

    #[test]
    fn truncated_input_is_an_error() {
        let json = br#"{"items": {"pages": [{"page_number": 1, "items": ["#;
        let last = PageStream::new(&json[..], Some("cut.json")).last().unwrap();
        let e = last.unwrap_err();
        assert_eq!(e.kind, ErrorKind::Eof);
        assert!(e.to_string().starts_with("cut.json: "), "{e}");
    }
}
