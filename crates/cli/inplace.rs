//! Where a response converted page by page is read: a whole file, or one JSON Lines line of
//! it that was too long to hold. `convert`, `markdown` and `text` index, read and locate
//! errors through this one type.

use std::io;
use std::path::Path;

use pagetree_model::{FileSpan, LazyDocument, Line, LoadError};

/// Where a response streamed in place is read: a whole file, or one JSON Lines line of it
/// that was too long to hold.
#[derive(Clone, Copy)]
pub struct InPlace<'a> {
    /// The file.
    pub path: &'a Path,
    /// The line of it, when the file is JSON Lines.
    pub line: Option<&'a Line>,
}

impl InPlace<'_> {
    /// Its index, with page boundaries searched for or all checked (`exact`).
    pub fn index(&self, label: &str, exact: bool) -> Result<LazyDocument, LoadError> {
        let (path, label) = (self.path, Some(label));
        match (self.line, exact) {
            (None, false) => LazyDocument::index_file(path, label),
            (None, true) => LazyDocument::index_file_exact(path, label),
            (Some(l), false) => LazyDocument::index_file_range(path, l.range(), label),
            (Some(l), true) => LazyDocument::index_file_range_exact(path, l.range(), label),
        }
    }

    /// A reader of its bytes.
    pub fn open(&self) -> io::Result<FileSpan> {
        match self.line {
            None => FileSpan::whole(self.path),
            Some(l) => FileSpan::open(self.path, l.range()),
        }
    }

    /// An error within it, located in the whole input.
    pub fn locate(&self, e: LoadError) -> LoadError {
        match self.line {
            Some(l) => l.locate(e),
            None => e,
        }
    }
}
