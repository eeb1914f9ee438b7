//! Located load errors: which file, which JSON path, which line and column.

use std::fmt;

/// What kind of failure a [`LoadError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The file could not be read.
    Io,
    /// The bytes are not UTF-8.
    Encoding,
    /// The input ends early (a truncated file) or is empty.
    Eof,
    /// Not JSON at all, or broken JSON.
    Syntax,
    /// Valid JSON with a wrong type or value where pagetree needs a specific one.
    Data,
    /// Valid JSON that is none of the shapes pagetree reads.
    Shape,
}

/// An input that could not be read, with everything needed to find the problem.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LoadError {
    /// The input's name (file path, `file.jsonl:3`...), when known.
    pub source: Option<String>,
    /// JSON path of the offending value, e.g. `items.pages[3].items[7].bbox[0].x` (empty when
    /// the error is not inside a value).
    pub path: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column (in bytes), when known.
    pub column: Option<usize>,
    /// What is wrong.
    pub message: String,
    /// The kind of failure.
    pub kind: ErrorKind,
}

impl LoadError {
    /// An input that could not be read: `source` names it, `err` says why.
    pub fn io(source: &str, err: &std::io::Error) -> Self {
        LoadError::new(ErrorKind::Io, format!("cannot read: {err}")).with_source(Some(source))
    }

    /// An error of `kind` saying `message`, not located (no source, path, line or column):
    /// for callers that refuse an input the model read (a shape they do not take).
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        LoadError {
            source: None,
            path: String::new(),
            line: None,
            column: None,
            message: message.into(),
            kind,
        }
    }

    pub(crate) fn at(mut self, line: usize, column: usize) -> Self {
        self.line = Some(line);
        // Columns are 1-based; serde_json says column 0 for a place just after a newline.
        self.column = Some(column.max(1));
        self
    }

    /// The same error, naming the input `source`.
    pub fn with_source(mut self, source: Option<&str>) -> Self {
        self.source = source.map(str::to_owned);
        self
    }

    /// Converts a serde_json error (optionally with a JSON path) into a located error.
    pub(crate) fn from_json(err: &serde_json::Error, path: String) -> Self {
        use serde_json::error::Category;
        let full = err.to_string();
        let suffix = format!(" at line {} column {}", err.line(), err.column());
        let raw = full.strip_suffix(&suffix).unwrap_or(&full);
        let (kind, message) = match err.classify() {
            Category::Eof => (
                ErrorKind::Eof,
                format!("unexpected end of input ({raw}); is the file truncated?"),
            ),
            Category::Syntax if raw == "recursion limit exceeded" => (
                ErrorKind::Syntax,
                "nesting too deep (more than 128 levels); refusing to read further".to_owned(),
            ),
            Category::Syntax => (ErrorKind::Syntax, format!("not valid JSON: {raw}")),
            Category::Data => (ErrorKind::Data, raw.to_owned()),
            Category::Io => (ErrorKind::Io, raw.to_owned()),
        };
        let path = if path == "." {
            String::new()
        } else {
            shorten_path(path)
        };
        let e = LoadError {
            path,
            ..LoadError::new(kind, message)
        };
        if err.line() > 0 {
            e.at(err.line(), err.column())
        } else {
            e
        }
    }
}

/// Keeps very deep paths readable: the first and last few segments, with the count between.
fn shorten_path(path: String) -> String {
    const KEEP: usize = 4;
    // Segments start at each `.` or `[`: `items`, `.pages`, `[3]`, ...
    let starts: Vec<usize> = path
        .char_indices()
        .filter(|(i, c)| *i == 0 || *c == '.' || *c == '[')
        .map(|(i, _)| i)
        .collect();
    if starts.len() <= 3 * KEEP {
        return path;
    }
    let head = &path[..starts[KEEP]];
    let tail = &path[starts[starts.len() - KEEP]..];
    format!("{head}…({} more)…{tail}", starts.len() - 2 * KEEP)
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        if let Some(s) = &self.source {
            // A file name cannot forge lines or drive the terminal: control characters are
            // written as escapes (`\n`, `\u{1b}`).
            for c in s.chars() {
                if c.is_control() {
                    write!(f, "{}", c.escape_default())?;
                } else {
                    write!(f, "{c}")?;
                }
            }
            f.write_str(": ")?;
        }
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        f.write_str(&self.message)?;
        if let (Some(l), Some(c)) = (self.line, self.column) {
            write!(f, " at line {l} column {}", c.max(1))?;
        }
        Ok(())
    }
}

impl std::error::Error for LoadError {}
