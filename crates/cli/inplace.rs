//! Where a response converted page by page is read: a whole file, or one JSON Lines line of
//! it that was too long to hold. `convert`, `markdown` and `text` index, read and locate
//! errors through this one type.

use std::path::Path;

use pagetree_model::{Line, LoadError, Reader};

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
    /// Its reader (its pages indexed), naming it `label` in messages.
    pub fn reader(&self, label: &str) -> Result<Reader, LoadError> {
        match self.line {
            None => Reader::open_named(self.path, label),
            Some(l) => Reader::open_range(self.path, l.range(), label),
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
