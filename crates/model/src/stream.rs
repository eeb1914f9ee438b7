//! The pieces of a response read page by page: each entry of `items.pages`, `markdown.pages`,
//! `text.pages`, `metadata.pages` (or a root `pages` list) as a [`RawPiece`] (the entry's bytes
//! and position, cut by the index in `lazy`), which [`RawPiece::parse`] turns into a typed
//! [`Piece`] with errors located in the whole input. Parsing is the expensive part and runs in
//! parallel on the raw pieces (see `reader`).

use crate::error::{ErrorKind, LoadError};
use crate::load::{bad_utf8, line_column};
use crate::mapped::PieceBytes;
use crate::page::{ItemsPage, MarkdownPage, MetadataPage, TextPage};
use crate::scan::{ArrayPath, Position, ScanError, ScanErrorKind};
use crate::v1::{V1Page, V1Parts};
use crate::wire::{self, Projection, WireValue};

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
    pub bytes: PieceBytes,
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
    pub fn parse(&self, source: Option<&str>, p: Projection) -> Result<Piece, LoadError> {
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
            PieceKind::Page(ArrayPath::ItemsPages) => self.typed(p).map(Piece::Items),
            PieceKind::Page(ArrayPath::MarkdownPages) => self.typed(p).map(Piece::Markdown),
            PieceKind::Page(ArrayPath::TextPages) => self.typed(p).map(Piece::Text),
            PieceKind::Page(ArrayPath::MetadataPages) => self.typed(p).map(Piece::Metadata),
            PieceKind::Page(ArrayPath::RootPages) => {
                if self.v1.map_or_else(|| self.is_v2_page(), |v1| !v1) {
                    self.typed(p).map(Piece::Items)
                } else {
                    self.typed::<V1Page>(p)
                        .map(|p| Piece::V1(Box::new(p.into_parts(self.index))))
                }
            }
            PieceKind::Field(k) => self.typed(p).map(|v| Piece::Field(k.clone(), v)),
        };
        result.map_err(|e| e.with_source(source))
    }

    /// Like [`RawPiece::parse`], faster: parses without tracking the JSON path, and only when
    /// that fails parses again to locate the error.
    pub fn parse_fast(&self, source: Option<&str>, p: Projection) -> Result<Piece, LoadError> {
        // One UTF-8 check of the whole piece (none for a piece of an input checked as a
        // whole), then a parse from `&str`, which does not check each string again (that was
        // a tenth of parsing). Invalid UTF-8 is left to `parse`, which locates it.
        let Some(text) = self.bytes.text() else {
            return self.parse(source, p);
        };
        let fast = match &self.kind {
            PieceKind::Page(ArrayPath::ItemsPages) => wire::from_str(text, p).map(Piece::Items),
            PieceKind::Page(ArrayPath::MarkdownPages) => {
                wire::from_str(text, p).map(Piece::Markdown)
            }
            PieceKind::Page(ArrayPath::TextPages) => wire::from_str(text, p).map(Piece::Text),
            PieceKind::Page(ArrayPath::MetadataPages) => {
                wire::from_str(text, p).map(Piece::Metadata)
            }
            // A root `pages` element (the items object alone) is a v2 page when it has a
            // `page_number`: read it as one straight away instead of probing it first. With
            // the key written once, the probe (which refuses a repeated key) would agree.
            PieceKind::Page(ArrayPath::RootPages)
                if self.v1 != Some(true)
                    && memchr::memmem::find_iter(&self.bytes, b"\"page_number\"").count() == 1 =>
            {
                match wire::from_str::<ItemsPage>(text, p) {
                    Ok(page) if page.page_number.is_some() || self.v1 == Some(false) => {
                        Ok(Piece::Items(page))
                    }
                    _ => return self.parse(source, p),
                }
            }
            // A field (`job`...) read while indexing: any JSON value reads, so only broken
            // JSON fails, and `parse` then says where.
            PieceKind::Field(k) => wire::from_str(text, p).map(|v| Piece::Field(k.clone(), v)),
            _ => return self.parse(source, p),
        };
        fast.or_else(|_| self.parse(source, p))
    }

    /// A root `pages` element is a v2 items page when it has `page_number` at its top level.
    fn is_v2_page(&self) -> bool {
        #[derive(serde::Deserialize)]
        struct Probe {
            page_number: Option<serde::de::IgnoredAny>,
        }
        serde_json::from_slice::<Probe>(&self.bytes).is_ok_and(|p| p.page_number.is_some())
    }

    fn typed<T: WireValue>(&self, p: Projection) -> Result<T, LoadError> {
        let mut de = serde_json::Deserializer::from_slice(&self.bytes);
        let value = wire::read_tracked::<T, _>(&mut de, p)
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
    pub(crate) fn located(&self, inner: &serde_json::Error, sub: &str) -> LoadError {
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
