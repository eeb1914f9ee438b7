//! Where a response converted page by page is read: a whole file, or one JSON Lines line of
//! it that was too long to hold. `convert`, `markdown` and `text` index, read and locate
//! errors through this one type.

use std::io;
use std::path::Path;

use pagetree_convert::pages::PageSelection;
use pagetree_convert::{ConvertError, ConvertOptions, ConvertStats, Outputs, Sink, convert_lazy};
use pagetree_model::{ErrorKind, FileSpan, LazyDocument, Line, LoadError, is_json_lines};

use crate::args::StreamArg;
use crate::render::STREAM_THRESHOLD;

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

    /// The error for a `--pages` selection that starts past the last page of `lazy` (read
    /// from here): the input's own first error when it has one, as a whole read meets that
    /// first, else the selection's. (Every page is read for that, only in this case.)
    pub fn past_end(
        &self,
        lazy: &LazyDocument,
        label: &str,
        sel: &PageSelection,
    ) -> Option<String> {
        let numbers = lazy.pages.iter().map(|p| p.number);
        let e = crate::input::pages_past_end(label, sel, numbers)?;
        let mut opts = ConvertOptions::default();
        opts.outputs = Outputs::none();
        let checked = self
            .index(label, true)
            .map_err(|e| self.locate(e).to_string());
        let read = checked.and_then(|exact| {
            let mut reader = self
                .open()
                .map_err(|e| format!("{label}: cannot read: {e}"))?;
            convert_lazy(&exact, &mut reader, &opts, &mut Discard)
                .map(drop)
                .map_err(|e| match e {
                    ConvertError::Load(e) | ConvertError::Unchecked(e) => {
                        self.locate(e).to_string()
                    }
                    e => e.to_string(),
                })
        });
        Some(read.err().unwrap_or(e))
    }

    /// An error within it, located in the whole input.
    pub fn locate(&self, e: LoadError) -> LoadError {
        match self.line {
            Some(l) => l.locate(e),
            None => e,
        }
    }
}

/// Whether `f` is read page by page under `--stream` (standard input and JSON Lines are read
/// whole by the commands that call this; `convert`, `markdown` and `text` spool them).
pub fn streams(f: &Path, when: StreamArg) -> bool {
    let label = f.display().to_string();
    if f.as_os_str() == "-" || is_json_lines(&[], Some(&label)) {
        return false;
    }
    match when {
        StreamArg::Never => false,
        StreamArg::Always => f.is_file(),
        StreamArg::Auto => f.metadata().is_ok_and(|m| m.len() >= STREAM_THRESHOLD),
    }
}

/// Why [`convert_file`] failed.
pub enum Failed {
    /// The input could not be read (its located error, as a whole read words it).
    Input(String),
    /// An output could not be written.
    Output(io::Error),
}

/// Converts the file `f` page by page with `opts` into a sink made by `sink` (made again,
/// empty, when the page boundaries taken on trust turn out wrong and the pages are converted
/// again). `None` when its shape is read whole (arrays at the top, job listings...).
pub fn convert_file<S: Sink>(
    f: &Path,
    label: &str,
    opts: &ConvertOptions,
    mut sink: impl FnMut() -> S,
) -> Option<Result<(ConvertStats, S), Failed>> {
    let place = InPlace {
        path: f,
        line: None,
    };
    let lazy = match place.index(label, false) {
        Ok(l) => l,
        Err(e) if e.kind == ErrorKind::Shape => return None,
        Err(e) => return Some(Err(Failed::Input(e.to_string()))),
    };
    if let Some(e) = place.past_end(&lazy, label, &opts.markdown.pages.selection) {
        return Some(Err(Failed::Input(e)));
    }
    let mut run = |lazy: &LazyDocument| {
        let mut reader = match place.open() {
            Ok(r) => r,
            Err(e) => return Err(Failed::Input(format!("{label}: cannot read: {e}"))),
        };
        let mut s = sink();
        convert_lazy(lazy, &mut reader, opts, &mut s)
            .map(|stats| (stats, s))
            .map_err(|e| match e {
                ConvertError::Load(e) | ConvertError::Unchecked(e) => {
                    Failed::Input(place.locate(e).to_string())
                }
                ConvertError::Io(e) => Failed::Output(e),
                e => Failed::Input(e.to_string()),
            })
    };
    let first = run(&lazy);
    let unchecked = lazy.jumped() && matches!(first, Err(Failed::Input(_)));
    Some(if unchecked {
        // Page boundaries were taken on trust and a page failed: check them all, and again.
        match place.index(label, true) {
            Ok(exact) => run(&exact),
            Err(e) => Err(Failed::Input(place.locate(e).to_string())),
        }
    } else {
        first
    })
}

/// A sink that keeps nothing.
struct Discard;

impl Sink for Discard {
    fn write(&mut self, _: &pagetree_convert::OutFile, _: &[u8]) -> io::Result<()> {
        Ok(())
    }
}
