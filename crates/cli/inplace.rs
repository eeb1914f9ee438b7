//! Where a response converted page by page is read: a whole file, or one JSON Lines line of
//! it that was too long to hold. `convert`, `markdown` and `text` index, read and locate
//! errors through this one type.

use std::io;
use std::path::Path;

use pagetree_convert::pages::PageSelection;
use pagetree_convert::{ConvertError, ConvertOptions, ConvertStats, Outputs, Sink, convert_reader};
use pagetree_model::{ErrorKind, Line, LoadError, Reader, is_json_lines};

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

impl InPlace<'_> {
    /// The error for a `--pages` selection that starts past the last page of `reader` (read
    /// from here): the input's own first error when it has one, as a whole read meets that
    /// first, else the selection's. (Every page is read for that, only in this case.)
    pub fn past_end(&self, reader: &Reader, label: &str, sel: &PageSelection) -> Option<String> {
        let numbers: Vec<u32> = reader.page_numbers().collect();
        crate::input::pages_past_end(label, sel, numbers.into_iter())?;
        // Read every page: the input's errors come first, and the page list is final once
        // read (an index taken on trust may hold a false page).
        let mut opts = ConvertOptions::default();
        opts.outputs = Outputs::none();
        let mut all = match self.reader(label) {
            Ok(r) => r,
            Err(e) => return Some(self.locate(e).to_string()),
        };
        match convert_reader(&mut all, &opts, &mut Discard) {
            Err(ConvertError::Load(e)) => return Some(self.locate(e).to_string()),
            Err(e) => return Some(e.to_string()),
            Ok(_) => {}
        }
        let numbers: Vec<u32> = all.page_numbers().collect();
        crate::input::pages_past_end(label, sel, numbers.into_iter())
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

/// Converts the file `f` page by page with `opts` into `sink`. `None` when its shape is read
/// whole (arrays at the top, job listings...).
pub fn convert_file<S: Sink>(
    f: &Path,
    label: &str,
    opts: &ConvertOptions,
    mut sink: S,
) -> Option<Result<(ConvertStats, S), Failed>> {
    read_file(f, label, &opts.markdown.pages.selection, |reader| {
        convert_reader(reader, opts, &mut sink)
    })
    .map(|r| r.map(|stats| (stats, sink)))
}

/// Runs `read` over the reader of the file `f` (the pages `sel` selects), its errors located
/// in the file. `None` when its shape is read whole (arrays at the top, job listings...).
pub fn read_file<T>(
    f: &Path,
    label: &str,
    sel: &PageSelection,
    read: impl FnOnce(&mut Reader) -> Result<T, ConvertError>,
) -> Option<Result<T, Failed>> {
    let place = InPlace {
        path: f,
        line: None,
    };
    let mut reader = match place.reader(label) {
        Ok(r) => r,
        Err(e) if e.kind == ErrorKind::Shape => return None,
        Err(e) => return Some(Err(Failed::Input(e.to_string()))),
    };
    if let Some(e) = place.past_end(&reader, label, sel) {
        return Some(Err(Failed::Input(e)));
    }
    Some(read(&mut reader).map_err(|e| match e {
        ConvertError::Load(e) => Failed::Input(place.locate(e).to_string()),
        ConvertError::Io(e) => Failed::Output(e),
        e => Failed::Input(e.to_string()),
    }))
}

/// A sink that keeps nothing.
struct Discard;

impl Sink for Discard {
    fn write(&mut self, _: &pagetree_convert::OutFile, _: &[u8]) -> io::Result<()> {
        Ok(())
    }
}
