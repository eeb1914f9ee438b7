//! Streaming structural JSON scanner that splits a parse response into its big page arrays.
//!
//! A saved LlamaParse response can be hundreds of megabytes, almost all of it inside one array
//! of pages (`items.pages`, `markdown.pages`, `text.pages`, `metadata.pages` or a root-level
//! `pages`). Parsing the whole document into a tree would cost several times the file size in
//! memory, so [`Scanner`] reads the input in bounded chunks and hands out, one at a time, the raw
//! bytes of each element of those arrays ([`Event::Element`]) and of every other top-level field
//! ([`Event::Field`]). The caller parses each piece on its own (e.g. with `serde_json`, in
//! parallel); memory stays bounded by the largest single piece plus the read buffer.
//!
//! The scanner is a *splitter*, not a validator: it checks the top-level structure (a root
//! object, keys, `:`, `,`), bracket matching, nesting depth, truncation and trailing garbage,
//! but leaves the contents of each piece (numbers, string escapes, UTF-8, commas inside nested
//! values) to whoever parses the piece. It never recurses, so hostile nesting cannot overflow
//! the stack.

use std::fmt;
use std::io::{self, Read};
use std::ops::{Deref, Range};

use crate::mapped::Shared;

/// Default size of the read buffer used by [`Scanner::new`].
const DEFAULT_CHUNK: usize = 256 << 10;

/// Maximum nesting depth, counting the root object as depth 1.
const MAX_DEPTH: usize = 512;

/// Which big array an element came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(clippy::enum_variant_names)] // named for the JSON lists they are
pub enum ArrayPath {
    /// `items.pages`: typed page items (the v2 / JSON result shape).
    ItemsPages,
    /// `markdown.pages`: per-page markdown.
    MarkdownPages,
    /// `text.pages`: per-page plain text.
    TextPages,
    /// `metadata.pages`: per-page metadata.
    MetadataPages,
    /// `pages`: a page array directly under the root object (the v1 shape).
    RootPages,
}

impl ArrayPath {
    /// The dotted JSON path of the array: `"items.pages"`, `"markdown.pages"`, `"text.pages"`,
    /// `"metadata.pages"` or `"pages"`.
    pub fn as_str(&self) -> &'static str {
        match self {
            ArrayPath::ItemsPages => "items.pages",
            ArrayPath::MarkdownPages => "markdown.pages",
            ArrayPath::TextPages => "text.pages",
            ArrayPath::MetadataPages => "metadata.pages",
            ArrayPath::RootPages => "pages",
        }
    }
}

impl fmt::Display for ArrayPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Byte position of a value in the input: offset from the start, and 1-based line and column
/// (column counts bytes from 1, like serde_json's column).
///
/// Offsets and columns count every input byte, including a leading UTF-8 byte order mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Position {
    /// Number of bytes before the value (0-based byte offset).
    pub offset: u64,
    /// 1-based line number (lines are separated by `\n`).
    pub line: u64,
    /// 1-based byte column within the line.
    pub column: u64,
}

/// One piece of the document, in file order.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A field whose value is not streamed, with its value's raw bytes.
    ///
    /// `key` is the unescaped key of a root field (e.g. `job`, `markdown_full`,
    /// `job_metadata`), or `"<parent>.<subkey>"` for a key other than `pages` inside the
    /// `items`, `markdown`, `text` or `metadata` objects (e.g. `"markdown.total"`). A `pages`
    /// value that is not an array is reported the same way (`"pages"`, `"items.pages"`), and so
    /// is an `items`/`markdown`/`text`/`metadata` value that is not an object (`"items"`).
    /// An empty `items`/`markdown`/`text`/`metadata` object, or an empty page array, produces no
    /// event at all.
    Field {
        /// The unescaped key, dotted for sub-keys (see above).
        key: String,
        /// The exact bytes of the value, without surrounding whitespace.
        raw: Vec<u8>,
        /// Where the value starts.
        pos: Position,
    },
    /// One element of a streamed page array.
    Element {
        /// The array the element belongs to.
        array: ArrayPath,
        /// 0-based index within that array (counting restarts if the array occurs twice).
        index: usize,
        /// The exact bytes of the element, without surrounding whitespace or commas.
        raw: Vec<u8>,
        /// Where the element starts.
        pos: Position,
    },
}

/// A structural error (or an I/O error) found while scanning, with the position where it was
/// detected.
#[derive(Debug, Clone, PartialEq)]
pub struct ScanError {
    /// What went wrong, for callers that act on it (never the message's wording).
    pub kind: ScanErrorKind,
    /// Human-readable description, without the position.
    pub message: String,
    /// Where the problem was detected (the end of the input for truncation errors).
    pub pos: Position,
}

/// What kind of problem a [`ScanError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ScanErrorKind {
    /// The top-level value is not an object (an array, a scalar): another shape, to read whole.
    NotAnObject,
    /// Something follows the top-level object (JSON Lines, or garbage): read whole.
    Trailing,
    /// Nothing but whitespace.
    Empty,
    /// The input ends inside a value.
    Eof,
    /// Broken structure (brackets, keys, separators, nesting, a bad byte-order mark).
    Syntax,
    /// Reading the input failed.
    Io,
}

impl fmt::Display for ScanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at line {} column {}",
            self.message, self.pos.line, self.pos.column
        )
    }
}

impl std::error::Error for ScanError {}

/// An object the scanner descends into (only one level below the root is ever entered).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    /// The root object.
    Root,
    /// `items`, `markdown`, `text` or `metadata` under the root; the array path is that of
    /// its `pages` key.
    Sub(ArrayPath),
}

impl Level {
    /// Nesting depth of the object itself (root = 1).
    fn depth(self) -> usize {
        match self {
            Level::Root => 1,
            Level::Sub(_) => 2,
        }
    }

    /// The state after this object's closing `}`.
    fn closed(self) -> State {
        match self {
            Level::Root => State::AfterRoot,
            Level::Sub(_) => State::AfterValue { level: Level::Root },
        }
    }

    fn describe(self) -> String {
        match self {
            Level::Root => "the top-level object".to_string(),
            Level::Sub(path) => format!("the `{}` object", sub_name(path)),
        }
    }
}

/// Name of the root key whose `pages` array is `path`.
fn sub_name(path: ArrayPath) -> &'static str {
    match path {
        ArrayPath::ItemsPages => "items",
        ArrayPath::MarkdownPages => "markdown",
        ArrayPath::TextPages => "text",
        ArrayPath::MetadataPages => "metadata",
        ArrayPath::RootPages => "",
    }
}

/// What the scanner expects next.
#[derive(Debug, Clone)]
enum State {
    /// Nothing read yet: expect an optional BOM, whitespace and `{`.
    BeforeRoot,
    /// Inside an object, after `{` (`first`) or `,`: expect a key (or `}` if `first`).
    Key { level: Level, first: bool },
    /// Inside an object, after a value: expect `,` or `}`.
    AfterValue { level: Level },
    /// Inside a streamed array, after `[` (`first`) or `,`: expect an element (or `]`).
    Element {
        array: ArrayPath,
        parent: Level,
        index: usize,
        first: bool,
    },
    /// Inside a streamed array, after element `index`: expect `,` or `]`.
    AfterElement {
        array: ArrayPath,
        parent: Level,
        index: usize,
    },
    /// The root object is closed: only whitespace may follow.
    AfterRoot,
    /// The input was fully and successfully scanned.
    Done,
    /// A previous call failed; the same error is returned again.
    Failed(ScanError),
}

/// The piece being captured, for error messages.
enum Target<'a> {
    Field(&'a str),
    Element(ArrayPath, usize),
}

impl fmt::Display for Target<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Field(key) => write!(f, "the value of field `{}`", show_key(key)),
            Target::Element(array, index) => write!(f, "element {index} of `{array}`"),
        }
    }
}

/// Streaming splitter over any [`Read`]; see the [module documentation](self).
///
/// Call [`Scanner::next_event`] until it returns `Ok(None)` (the document is complete and
/// well-formed at the top level) or an error. After an error, every later call returns the same
/// error.
pub struct Scanner<R> {
    reader: R,
    /// Read buffer; `buf[pos..len]` is not yet consumed.
    buf: Buf,
    pos: usize,
    len: usize,
    /// Absolute input offset of `buf[0]`.
    base: u64,
    /// The reader returned 0 bytes: no more input.
    eof: bool,
    /// Current line (1-based), valid for the bytes before `buf[nl_pos]`.
    line: u64,
    /// Absolute offset of the first byte of the current line.
    line_start: u64,
    /// Newlines in `buf[..nl_pos]` have been counted into `line` / `line_start`.
    nl_pos: usize,
    /// Index in `buf` of the first newline at or after `nl_pos` (`len` when there is none),
    /// or [`UNKNOWN`] until looked for: positions before it need no counting.
    next_nl: usize,
    state: State,
    /// Expected closing brackets of the containers open inside the piece being captured.
    stack: Vec<u8>,
    /// At most this many bytes of each page element are kept in its `raw` (fields are always
    /// whole): an index that only needs where elements are skips copying them.
    element_limit: usize,
    /// Length in bytes of the last value captured (even when `raw` was cut at the limit).
    last_len: u64,
    /// The limit of the capture under way.
    limit: usize,
    /// Whether page elements may be delimited by a search for the next one instead of being
    /// walked ([`Scanner::with_page_jumps`]).
    jumps: bool,
    /// Whether some element was delimited that way.
    jumped: bool,
    /// The page arrays entered, by [`ArrayPath`] bit (an empty one gives no event).
    entered: u8,
}

impl<R: Read> Scanner<R> {
    /// Creates a scanner that reads `reader` in chunks of 256 KiB.
    pub fn new(reader: R) -> Self {
        Self::with_chunk_size(reader, DEFAULT_CHUNK)
    }

    /// Creates a scanner that reads `reader` in chunks of at most `chunk` bytes (at least 1).
    pub fn with_chunk_size(reader: R, chunk: usize) -> Self {
        Self::with_buf(reader, Buf::Read(vec![0; chunk.max(1)]))
    }

    /// Creates a scanner over `bytes` held in memory (a mapped file), read in place after
    /// `prefix`, a window of `window` bytes at a time; each window is released (see
    /// [`Shared::release`]) once passed. `reader` is only handed back by
    /// [`Scanner::into_inner`].
    pub(crate) fn over(reader: R, prefix: &'static [u8], bytes: Shared, window: usize) -> Self {
        Self::with_buf(
            reader,
            Buf::Held {
                prefix,
                bytes,
                window: window.max(1),
                at: None,
            },
        )
    }

    fn with_buf(reader: R, buf: Buf) -> Self {
        Scanner {
            reader,
            buf,
            pos: 0,
            len: 0,
            base: 0,
            eof: false,
            line: 1,
            line_start: 0,
            nl_pos: 0,
            next_nl: UNKNOWN,
            state: State::BeforeRoot,
            stack: Vec::new(),
            element_limit: usize::MAX,
            last_len: 0,
            limit: usize::MAX,
            jumps: false,
            jumped: false,
            entered: 0,
        }
    }

    /// Lets the scanner delimit a page list element (of any of the lists) that starts with
    /// the key `"page_number"` by searching for the next such element (a SIMD substring
    /// search, several times faster than walking its strings and brackets), when that one is
    /// already in the read buffer. The boundary is taken on trust: the element's own brackets
    /// and strings are not checked, so its bytes must be parsed before they are used. A parse
    /// that fails means either a broken element or a false boundary, and [`Scanner::jumped`]
    /// says that the scan must then be done again without jumps to tell which. See
    /// `jump_end` for why, in valid JSON, the boundaries found this way are the real ones.
    pub fn with_page_jumps(mut self, jumps: bool) -> Self {
        self.jumps = jumps;
        self
    }

    /// Whether some element was delimited by a jump (see [`Scanner::with_page_jumps`]).
    pub fn jumped(&self) -> bool {
        self.jumped
    }

    /// Whether the page array `array` was met (empty ones included, which give no event).
    pub(crate) fn entered(&self, array: ArrayPath) -> bool {
        self.entered & (1 << array as u8) != 0
    }

    /// Keeps only the first `limit` bytes of each page element's `raw` (the scan still checks
    /// the whole element; [`Scanner::last_len`] gives its full length).
    pub fn with_element_limit(mut self, limit: usize) -> Self {
        self.element_limit = limit;
        self
    }

    /// Full length in bytes of the value of the last event.
    pub fn last_len(&self) -> u64 {
        self.last_len
    }

    /// The reader back (to read elements again by offset, for instance).
    pub fn into_inner(self) -> R {
        self.reader
    }

    /// Bytes consumed so far (for progress bars).
    pub fn bytes_read(&self) -> u64 {
        self.base + self.pos as u64
    }

    /// Returns the next field or page element in file order, or `Ok(None)` once the root
    /// object has been closed and only whitespace follows it.
    ///
    /// # Errors
    ///
    /// A positioned [`ScanError`] if the input is not a JSON object, is truncated, has
    /// mismatched brackets, nests deeper than 512 levels, has malformed top-level syntax or
    /// trailing characters, or if reading fails. Pieces completed before the problem have
    /// already been returned as events.
    pub fn next_event(&mut self) -> Result<Option<Event>, ScanError> {
        if let State::Failed(err) = &self.state {
            return Err(err.clone());
        }
        let result = self.step();
        if let Err(err) = &result {
            self.state = State::Failed(err.clone());
        }
        result
    }

    /// Advances the state machine until an event is produced or the input ends.
    fn step(&mut self) -> Result<Option<Event>, ScanError> {
        loop {
            match self.state.clone() {
                State::BeforeRoot => self.start_root()?,
                State::Key { level, first } => {
                    if let Some(event) = self.object_key(level, first)? {
                        return Ok(Some(event));
                    }
                }
                State::AfterValue { level } => {
                    match self.peek_non_ws()? {
                        Some(b',') => {
                            self.pos += 1;
                            self.state = State::Key {
                                level,
                                first: false,
                            };
                        }
                        Some(b'}') => {
                            self.pos += 1;
                            self.state = level.closed();
                        }
                        Some(b) => {
                            return Err(self.error_here(
                                ScanErrorKind::Syntax,
                                format!(
                                    "expected `,` or `}}` in {}, found {}",
                                    level.describe(),
                                    describe_byte(b)
                                ),
                            ));
                        }
                        None => {
                            return Err(self.error_here(ScanErrorKind::Eof, format!(
                            "unexpected end of input: {} is not closed (expected `,` or `}}`)",
                            level.describe()
                        )));
                        }
                    }
                }
                State::Element {
                    array,
                    parent,
                    index,
                    first,
                } => match self.peek_non_ws()? {
                    Some(b']') if first => {
                        self.pos += 1;
                        self.state = State::AfterValue { level: parent };
                    }
                    Some(b']') => {
                        return Err(self.error_here(ScanErrorKind::Syntax, format!(
                            "trailing comma in the `{array}` array (expected an element, found `]`)"
                        )));
                    }
                    Some(_) => {
                        let depth = parent.depth() + 1;
                        let (raw, pos) = self.capture(depth, Target::Element(array, index))?;
                        self.state = State::AfterElement {
                            array,
                            parent,
                            index,
                        };
                        return Ok(Some(Event::Element {
                            array,
                            index,
                            raw,
                            pos,
                        }));
                    }
                    None => {
                        return Err(self.error_here(
                            ScanErrorKind::Eof,
                            format!(
                                "unexpected end of input: the `{array}` array is not closed \
                             (expected an element{})",
                                if first { " or `]`" } else { "" }
                            ),
                        ));
                    }
                },
                State::AfterElement {
                    array,
                    parent,
                    index,
                } => {
                    match self.peek_non_ws()? {
                        Some(b',') => {
                            self.pos += 1;
                            self.state = State::Element {
                                array,
                                parent,
                                index: index + 1,
                                first: false,
                            };
                        }
                        Some(b']') => {
                            self.pos += 1;
                            self.state = State::AfterValue { level: parent };
                        }
                        Some(b) => {
                            return Err(self.error_here(ScanErrorKind::Syntax, format!(
                            "expected `,` or `]` after element {index} of `{array}`, found {}",
                            describe_byte(b)
                        )));
                        }
                        None => {
                            return Err(self.error_here(
                                ScanErrorKind::Eof,
                                format!(
                                    "unexpected end of input: the `{array}` array is not closed \
                             after element {index} (expected `,` or `]`)"
                                ),
                            ));
                        }
                    }
                }
                State::AfterRoot => match self.peek_non_ws()? {
                    None => self.state = State::Done,
                    Some(b) => {
                        return Err(self.error_here(
                            ScanErrorKind::Trailing,
                            format!(
                                "trailing characters after the top-level object: found {}",
                                describe_byte(b)
                            ),
                        ));
                    }
                },
                State::Done => return Ok(None),
                State::Failed(err) => return Err(err),
            }
        }
    }

    /// Skips an optional UTF-8 BOM and whitespace and consumes the root `{`.
    fn start_root(&mut self) -> Result<(), ScanError> {
        const BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];
        if self.peek()? == Some(BOM[0]) {
            for &expected in &BOM {
                match self.peek()? {
                    Some(b) if b == expected => self.pos += 1,
                    _ => {
                        return Err(self.error_here(
                            ScanErrorKind::Syntax,
                            "invalid byte order mark at the start of the input".into(),
                        ));
                    }
                }
            }
        }
        match self.peek_non_ws()? {
            Some(b'{') => {
                self.pos += 1;
                self.state = State::Key {
                    level: Level::Root,
                    first: true,
                };
                Ok(())
            }
            Some(b) => Err(self.error_here(
                ScanErrorKind::NotAnObject,
                format!(
                    "expected a JSON object at the top level, found {}",
                    describe_value_start(b)
                ),
            )),
            None => {
                Err(self.error_here(ScanErrorKind::Empty, "empty input (no JSON value)".into()))
            }
        }
    }

    /// Handles one `"key": value` member of the root or a sub-object (or the closing `}`).
    /// Returns an event unless the value is an object or array the scanner descends into.
    fn object_key(&mut self, level: Level, first: bool) -> Result<Option<Event>, ScanError> {
        match self.peek_non_ws()? {
            Some(b'"') => {}
            Some(b'}') if first => {
                self.pos += 1;
                self.state = level.closed();
                return Ok(None);
            }
            Some(b) => {
                let hint = if b == b'}' { " (trailing comma)" } else { "" };
                return Err(self.error_here(
                    ScanErrorKind::Syntax,
                    format!(
                        "expected a string key in {}, found {}{hint}",
                        level.describe(),
                        describe_byte(b)
                    ),
                ));
            }
            None => {
                return Err(self.error_here(
                    ScanErrorKind::Eof,
                    format!(
                        "unexpected end of input: {} is not closed (expected a key{})",
                        level.describe(),
                        if first { " or `}`" } else { "" }
                    ),
                ));
            }
        }
        let key_pos = self.position_here();
        let key = self.read_key(level, key_pos)?;
        match self.peek_non_ws()? {
            Some(b':') => self.pos += 1,
            Some(b) => {
                return Err(self.error_here(
                    ScanErrorKind::Syntax,
                    format!(
                        "expected `:` after key `{}` in {}, found {}",
                        show_key(&key),
                        level.describe(),
                        describe_byte(b)
                    ),
                ));
            }
            None => {
                return Err(self.error_here(
                    ScanErrorKind::Eof,
                    format!(
                        "unexpected end of input after key `{}` in {} (expected `:`)",
                        show_key(&key),
                        level.describe()
                    ),
                ));
            }
        }
        let Some(next) = self.peek_non_ws()? else {
            return Err(self.error_here(
                ScanErrorKind::Eof,
                format!(
                    "unexpected end of input after key `{}` in {} (expected a value)",
                    show_key(&key),
                    level.describe()
                ),
            ));
        };
        self.state = State::AfterValue { level };
        // Decide whether to descend into the value instead of capturing it whole.
        match (level, key.as_str(), next) {
            (Level::Root, "pages", b'[') => {
                self.entered |= 1 << ArrayPath::RootPages as u8;
                self.pos += 1;
                self.state = State::Element {
                    array: ArrayPath::RootPages,
                    parent: level,
                    index: 0,
                    first: true,
                };
                return Ok(None);
            }
            (Level::Root, "items" | "markdown" | "text" | "metadata", b'{') => {
                let path = match key.as_str() {
                    "items" => ArrayPath::ItemsPages,
                    "markdown" => ArrayPath::MarkdownPages,
                    "text" => ArrayPath::TextPages,
                    _ => ArrayPath::MetadataPages,
                };
                self.pos += 1;
                self.state = State::Key {
                    level: Level::Sub(path),
                    first: true,
                };
                return Ok(None);
            }
            (Level::Sub(path), "pages", b'[') => {
                self.entered |= 1 << path as u8;
                self.pos += 1;
                self.state = State::Element {
                    array: path,
                    parent: level,
                    index: 0,
                    first: true,
                };
                return Ok(None);
            }
            _ => {}
        }
        let key = match level {
            Level::Root => key,
            Level::Sub(path) => format!("{}.{key}", sub_name(path)),
        };
        let (raw, pos) = self.capture(level.depth(), Target::Field(&key))?;
        Ok(Some(Event::Field { key, raw, pos }))
    }

    /// Reads and unescapes a key; `self.pos` is at its opening quote.
    fn read_key(&mut self, level: Level, key_pos: Position) -> Result<String, ScanError> {
        self.pos += 1;
        let mut raw = Vec::new();
        let mut escaped = false;
        loop {
            let start = self.pos;
            let chunk = &self.buf[start..self.len];
            let mut i = 0;
            let mut end = None;
            while i < chunk.len() {
                if escaped {
                    escaped = false;
                    i += 1;
                    continue;
                }
                match find_quote_or_backslash(&chunk[i..]) {
                    None => i = chunk.len(),
                    Some(k) => {
                        i += k;
                        if chunk[i] == b'"' {
                            end = Some(i);
                            break;
                        }
                        escaped = true;
                        i += 1;
                    }
                }
            }
            if let Some(end) = end {
                raw.extend_from_slice(&chunk[..end]);
                self.pos = start + end + 1;
                break;
            }
            raw.extend_from_slice(chunk);
            self.pos = self.len;
            if !self.fill()? {
                return Err(self.error_here(ScanErrorKind::Eof, format!(
                    "unexpected end of input inside a key of {} (key starts at line {} column {})",
                    level.describe(),
                    key_pos.line,
                    key_pos.column
                )));
            }
        }
        unescape_key(&raw).map_err(|message| ScanError {
            kind: ScanErrorKind::Syntax,
            message,
            pos: key_pos,
        })
    }

    /// Captures the value starting at `self.pos` (non-whitespace, already checked to exist),
    /// which sits inside a container at nesting depth `depth`.
    fn capture(
        &mut self,
        depth: usize,
        what: Target<'_>,
    ) -> Result<(Vec<u8>, Position), ScanError> {
        let pos = self.position_here();
        let first = self.buf[self.pos];
        let mut out = Vec::new();
        self.limit = match what {
            Target::Element(..) => self.element_limit,
            Target::Field(_) => usize::MAX,
        };
        let jump = match what {
            Target::Element(..) if self.jumps => jump_end(&self.buf[self.pos..self.len]),
            _ => None,
        };
        if let Some(end) = jump {
            extend_limited(&mut out, &self.buf[self.pos..self.pos + end], self.limit);
            self.pos += end;
            self.jumped = true;
        } else {
            match first {
                b'"' | b'{' | b'[' => self.capture_nested(&mut out, depth, pos, &what)?,
                b'-' | b'0'..=b'9' | b't' | b'f' | b'n' => self.capture_scalar(&mut out)?,
                b => {
                    return Err(self.error_here(
                        ScanErrorKind::Syntax,
                        format!("expected a value for {what}, found {}", describe_byte(b)),
                    ));
                }
            }
        }
        self.last_len = self.base + self.pos as u64 - pos.offset;
        Ok((out, pos))
    }

    /// Captures a number or literal: a run of bytes that can appear in one. Validation of the
    /// run itself is left to the caller's parser.
    fn capture_scalar(&mut self, out: &mut Vec<u8>) -> Result<(), ScanError> {
        loop {
            let start = self.pos;
            let chunk = &self.buf[start..self.len];
            let n = chunk
                .iter()
                .position(|&b| !(b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')))
                .unwrap_or(chunk.len());
            extend_limited(out, &chunk[..n], self.limit);
            self.pos = start + n;
            if n < chunk.len() || !self.fill()? {
                return Ok(());
            }
        }
    }

    /// Captures a string, object or array starting at `self.pos`. This is the hot loop: it only
    /// tracks string/escape state and a stack of expected closing brackets.
    fn capture_nested(
        &mut self,
        out: &mut Vec<u8>,
        depth: usize,
        start_pos: Position,
        what: &Target<'_>,
    ) -> Result<(), ScanError> {
        /// Why the inner loop over one buffer stopped early.
        enum Stop {
            /// The value ends just before this buffer index.
            Done(usize),
            /// Closing bracket at this index does not match the innermost open container.
            Mismatch(usize, u8),
            /// Opening bracket at this index exceeds the depth limit.
            TooDeep(usize),
        }

        self.stack.clear();
        let mut in_string = false;
        let mut escaped = false;
        loop {
            let start = self.pos;
            let chunk = &self.buf[..self.len];
            let stack = &mut self.stack;
            let mut i = start;
            let mut stop = None;
            'chunk: while i < chunk.len() {
                if in_string {
                    if escaped {
                        escaped = false;
                        i += 1;
                        continue;
                    }
                    match find_quote_or_backslash(&chunk[i..]) {
                        None => break 'chunk,
                        Some(k) => {
                            i += k;
                            if chunk[i] == b'\\' {
                                escaped = true;
                            } else {
                                in_string = false;
                                if stack.is_empty() {
                                    stop = Some(Stop::Done(i + 1));
                                    break 'chunk;
                                }
                            }
                            i += 1;
                        }
                    }
                } else {
                    // Between strings: skip bytes that are not structural one at a time.
                    // Non-string runs inside page objects are short (`":`, `,"`, numbers).
                    while i < chunk.len() && !STRUCTURAL[chunk[i] as usize] {
                        i += 1;
                    }
                    if i == chunk.len() {
                        break 'chunk;
                    }
                    let b = chunk[i];
                    match b {
                        b'"' => in_string = true,
                        b'{' | b'[' => {
                            stack.push(if b == b'{' { b'}' } else { b']' });
                            if depth + stack.len() > MAX_DEPTH {
                                stop = Some(Stop::TooDeep(i));
                                break 'chunk;
                            }
                        }
                        _ => {
                            // `}` or `]`
                            if stack.last() != Some(&b) {
                                stop = Some(Stop::Mismatch(i, stack.last().copied().unwrap_or(b)));
                                break 'chunk;
                            }
                            stack.pop();
                            if stack.is_empty() {
                                stop = Some(Stop::Done(i + 1));
                                break 'chunk;
                            }
                        }
                    }
                    i += 1;
                }
            }
            match stop {
                Some(Stop::Done(end)) => {
                    extend_limited(out, &chunk[start..end], self.limit);
                    self.pos = end;
                    return Ok(());
                }
                Some(Stop::Mismatch(at, expected)) => {
                    let found = chunk[at];
                    self.pos = at;
                    return Err(self.error_here(
                        ScanErrorKind::Syntax,
                        format!(
                            "mismatched bracket in {what}: found `{}` but the innermost open \
                         container needs `{}`",
                            found as char, expected as char
                        ),
                    ));
                }
                Some(Stop::TooDeep(at)) => {
                    self.pos = at;
                    return Err(self.error_here(
                        ScanErrorKind::Syntax,
                        format!("nesting deeper than {MAX_DEPTH} levels in {what}"),
                    ));
                }
                None => {
                    extend_limited(out, &chunk[start..], self.limit);
                    self.pos = self.len;
                    if !self.fill()? {
                        let inside = if in_string {
                            " (inside a string)".to_string()
                        } else {
                            format!(" ({} container(s) still open)", self.stack.len())
                        };
                        return Err(self.error_here(
                            ScanErrorKind::Eof,
                            format!(
                                "unexpected end of input: {what} (starting at line {} column {}) \
                             is incomplete{inside}",
                                start_pos.line, start_pos.column
                            ),
                        ));
                    }
                }
            }
        }
    }

    /// Returns the next unconsumed byte without consuming it, reading more input if needed;
    /// `None` at the end of input.
    fn peek(&mut self) -> Result<Option<u8>, ScanError> {
        if self.pos == self.len && !self.fill()? {
            return Ok(None);
        }
        Ok(Some(self.buf[self.pos]))
    }

    /// Skips JSON whitespace and returns the next byte without consuming it.
    fn peek_non_ws(&mut self) -> Result<Option<u8>, ScanError> {
        loop {
            while self.pos < self.len {
                match self.buf[self.pos] {
                    b' ' | b'\t' | b'\n' | b'\r' => self.pos += 1,
                    b => return Ok(Some(b)),
                }
            }
            if !self.fill()? {
                return Ok(None);
            }
        }
    }

    /// Replaces the (fully consumed) buffer with the next chunk of input. Returns `false` at
    /// the end of input.
    fn fill(&mut self) -> Result<bool, ScanError> {
        debug_assert_eq!(self.pos, self.len);
        if self.eof {
            return Ok(false);
        }
        self.count_lines_to(self.len);
        self.base += self.len as u64;
        self.pos = 0;
        self.len = 0;
        self.nl_pos = 0;
        self.next_nl = UNKNOWN;
        let buf = match &mut self.buf {
            Buf::Read(buf) => buf,
            Buf::Held {
                prefix,
                bytes,
                window,
                at,
            } => {
                let next = match at.take() {
                    None if !prefix.is_empty() => Some(None),
                    None => Some(Some(0..(*window).min(bytes.len()))),
                    Some(None) => Some(Some(0..(*window).min(bytes.len()))),
                    Some(Some(passed)) => {
                        bytes.release(passed.clone());
                        Some(Some(passed.end..(passed.end + *window).min(bytes.len())))
                    }
                };
                if let Some(Some(window)) = &next {
                    bytes.prefetch(window.clone());
                }
                *at = next;
                self.len = self.buf.len();
                if self.len == 0 {
                    self.eof = true;
                }
                return Ok(!self.eof);
            }
        };
        loop {
            match self.reader.read(buf) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    // Guard against a misbehaving reader reporting more than it was given.
                    self.len = n.min(buf.len());
                    return Ok(true);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    return Err(ScanError {
                        kind: ScanErrorKind::Io,
                        message: format!("read error: {e}"),
                        pos: self.position_here(),
                    });
                }
            }
        }
    }

    /// Accounts for the newlines in `buf[nl_pos..end]`. Positions are only ever requested at
    /// increasing offsets, so each byte is counted once.
    fn count_lines_to(&mut self, end: usize) {
        // API output is one line: one search finds the next newline, and every position
        // before it needs no counting (counting was about a sixth of indexing a response).
        if self.next_nl == UNKNOWN || self.next_nl < self.nl_pos {
            let rest = &self.buf[self.nl_pos..self.len];
            self.next_nl = memchr::memchr(b'\n', rest).map_or(self.len, |i| self.nl_pos + i);
        }
        if end > self.next_nl {
            let seg = &self.buf[self.next_nl..end];
            let last = memchr::memrchr(b'\n', seg).unwrap_or(0);
            self.line += count_newlines(&seg[..=last]) as u64;
            self.line_start = self.base + (self.next_nl + last + 1) as u64;
            self.next_nl = UNKNOWN;
        }
        self.nl_pos = end;
    }

    /// The position of the next unconsumed byte (the end of input if everything is consumed).
    fn position_here(&mut self) -> Position {
        self.count_lines_to(self.pos);
        let offset = self.base + self.pos as u64;
        Position {
            offset,
            line: self.line,
            column: offset - self.line_start + 1,
        }
    }

    fn error_here(&mut self, kind: ScanErrorKind, message: String) -> ScanError {
        ScanError {
            kind,
            message,
            pos: self.position_here(),
        }
    }
}

/// Where a scanner's bytes are: read into a buffer of its own, or held in memory and read in
/// place.
enum Buf {
    Read(Vec<u8>),
    Held {
        /// Read before `bytes` (the objects the second half of a split file sits in).
        prefix: &'static [u8],
        bytes: Shared,
        window: usize,
        /// What the current chunk is: `None` before the first, `Some(None)` the prefix,
        /// `Some(Some(range))` that range of `bytes`.
        at: Option<Option<Range<usize>>>,
    },
}

impl Deref for Buf {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Buf::Read(buf) => buf,
            Buf::Held {
                prefix, bytes, at, ..
            } => match at {
                None => &[],
                Some(None) => prefix,
                Some(Some(r)) => &bytes[r.clone()],
            },
        }
    }
}

/// Bytes that matter to the scanner outside strings.
static STRUCTURAL: [bool; 256] = {
    let mut table = [false; 256];
    table[b'"' as usize] = true;
    table[b'{' as usize] = true;
    table[b'}' as usize] = true;
    table[b'[' as usize] = true;
    table[b']' as usize] = true;
    table
};

/// Appends as much of `bytes` as keeps `out` within `limit`.
fn extend_limited(out: &mut Vec<u8>, bytes: &[u8], limit: usize) {
    let room = limit.saturating_sub(out.len());
    out.extend_from_slice(&bytes[..bytes.len().min(room)]);
}

/// [`Scanner::next_nl`] not looked for yet.
const UNKNOWN: usize = usize::MAX;

/// The key that page elements start with, quotes included.
const PAGE_KEY: &[u8] = br#""page_number""#;

/// For `buf` starting at a page element `{"page_number": ...`: the length of that element,
/// found as the bytes up to the `}` before the next `, {"page_number" :` in `buf`, or `None`
/// (not such an element, no next one in `buf`, or the next hit not preceded by `}` `,` `{`).
///
/// Why the boundary is real in valid JSON: a `"` byte inside a string is always escaped, so an
/// unescaped `"page_number"` followed by `:` is a key, and a `{` right before it opens the
/// object that key starts; a `,` before that object puts it in an array or after another
/// value. The one way it is not the next page is an object nested inside this page (in an
/// array of objects that start with `page_number`): the element cut there is then unbalanced
/// and fails to parse, which is why the bytes must be parsed before use.
fn jump_end(buf: &[u8]) -> Option<usize> {
    static FINDER: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(PAGE_KEY));
    let ws = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r');
    let last_solid = |s: &[u8]| s.iter().rposition(|b| !ws(b));
    let key = 1 + buf.get(1..)?.iter().position(|b| !ws(b))?;
    if buf[0] != b'{' || !buf[key..].starts_with(PAGE_KEY) {
        return None;
    }
    let from = key + PAGE_KEY.len();
    let hit = from + FINDER.find(&buf[from..])?;
    let colon = buf[hit + PAGE_KEY.len()..].iter().find(|b| !ws(b))?;
    let open = last_solid(&buf[..hit])?;
    let comma = last_solid(&buf[..open])?;
    let close = last_solid(&buf[..comma])?;
    (*colon == b':' && buf[open] == b'{' && buf[comma] == b',' && buf[close] == b'}')
        .then_some(close + 1)
}

/// Number of `\n` bytes in `s`. Counting into a `u8` per 128-byte block lets the compiler
/// vectorise the comparison and sum; a plain `filter().count()` widens every byte to `usize`
/// and was ~40% of the scanning time.
fn count_newlines(s: &[u8]) -> usize {
    let mut blocks = s.chunks_exact(128);
    let mut count = 0;
    for block in &mut blocks {
        count += block.iter().fold(0u8, |n, &b| n + u8::from(b == b'\n')) as usize;
    }
    count + blocks.remainder().iter().filter(|&&b| b == b'\n').count()
}

/// Index of the first `"` or `\` in `s`.
#[inline]
fn find_quote_or_backslash(s: &[u8]) -> Option<usize> {
    find_string_special(s, false)
}

/// Index of the first `"` or `\` in `s`, and with `control` the first byte below 0x20 too
/// (the bytes a JSON string must escape; writers use it). Scans eight bytes at a time with the
/// classic "has a zero byte" and "has a byte below n" bit tricks; each is exact for the lowest
/// byte it flags, so the lowest flag of all is the first match.
#[inline]
pub fn find_string_special(s: &[u8], control: bool) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let zero = |v: u64| v.wrapping_sub(ONES) & !v;
    let mut i = 0;
    while i + 8 <= s.len() {
        let mut word = [0u8; 8];
        word.copy_from_slice(&s[i..i + 8]);
        let w = u64::from_le_bytes(word);
        let mut hits = zero(w ^ (ONES * u64::from(b'"'))) | zero(w ^ (ONES * u64::from(b'\\')));
        if control {
            hits |= w.wrapping_sub(ONES * 0x20) & !w;
        }
        hits &= HIGHS;
        if hits != 0 {
            return Some(i + (hits.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    s[i..]
        .iter()
        .position(|&c| c == b'"' || c == b'\\' || control && c < 0x20)
        .map(|k| i + k)
}

/// Unescapes the bytes between a key's quotes. Lone surrogates become U+FFFD and invalid UTF-8
/// is replaced lossily (this is a splitter, not a validator); malformed escapes are errors.
fn unescape_key(raw: &[u8]) -> Result<String, String> {
    if !raw.contains(&b'\\') {
        return Ok(String::from_utf8_lossy(raw).into_owned());
    }
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let b = raw[i];
        if b != b'\\' {
            out.push(b);
            i += 1;
            continue;
        }
        // A backslash is always followed by at least one byte inside the quotes.
        let e = raw.get(i + 1).copied().unwrap_or(b'\\');
        i += 2;
        let simple = match e {
            b'"' => b'"',
            b'\\' => b'\\',
            b'/' => b'/',
            b'b' => 0x08,
            b'f' => 0x0C,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'u' => {
                let unit = hex4(raw, i)?;
                i += 4;
                let c = if (0xD800..0xDC00).contains(&unit) {
                    // High surrogate: combine with a following `\uDC00`..`\uDFFF` if present.
                    let low = if raw.get(i) == Some(&b'\\') && raw.get(i + 1) == Some(&b'u') {
                        hex4(raw, i + 2)
                            .ok()
                            .filter(|u| (0xDC00..0xE000).contains(u))
                    } else {
                        None
                    };
                    match low {
                        Some(low) => {
                            i += 6;
                            char::from_u32(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
                        }
                        None => None,
                    }
                } else {
                    char::from_u32(unit)
                };
                let c = c.unwrap_or(char::REPLACEMENT_CHARACTER);
                out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                continue;
            }
            other => {
                return Err(format!(
                    "invalid escape {} in a key",
                    describe_escape(other)
                ));
            }
        };
        out.push(simple);
    }
    Ok(match String::from_utf8(out) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

/// Parses four hex digits at `raw[i..i + 4]`.
fn hex4(raw: &[u8], i: usize) -> Result<u32, String> {
    let digits = raw.get(i..i + 4).ok_or("truncated `\\u` escape in a key")?;
    let mut value = 0;
    for &d in digits {
        let v = (d as char)
            .to_digit(16)
            .ok_or("invalid `\\u` escape in a key (expected 4 hex digits)")?;
        value = value * 16 + v;
    }
    Ok(value)
}

fn describe_escape(b: u8) -> String {
    if b.is_ascii_graphic() {
        format!("`\\{}`", b as char)
    } else {
        format!("`\\` followed by byte 0x{b:02X}")
    }
}

/// A key for an error message: control characters escaped, at most 60 characters.
fn show_key(key: &str) -> String {
    let mut shown: String = key.escape_debug().take(60).collect();
    if shown.len() < key.escape_debug().map(char::len_utf8).sum::<usize>() {
        shown.push('…');
    }
    shown
}

/// Describes a byte found where something else was expected.
fn describe_byte(b: u8) -> String {
    if b.is_ascii_graphic() {
        format!("`{}`", b as char)
    } else {
        format!("byte 0x{b:02X}")
    }
}

/// Describes the kind of value that starts with `b`.
fn describe_value_start(b: u8) -> String {
    match b {
        b'[' => "an array".to_string(),
        b'"' => "a string".to_string(),
        b'-' | b'0'..=b'9' => "a number".to_string(),
        b't' | b'f' => "a boolean".to_string(),
        b'n' => "null".to_string(),
        _ => describe_byte(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;
    use std::collections::BTreeMap;

    const CHUNKS: [usize; 6] = [1, 2, 3, 7, 64, 4096];

    /// A reader that returns at most `max` bytes per call and, if `interrupt` is set, fails
    /// every third call with `Interrupted` (which the scanner must retry).
    struct Trickle<'a> {
        data: &'a [u8],
        max: usize,
        interrupt: bool,
        calls: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            self.calls += 1;
            if self.interrupt && self.calls.is_multiple_of(3) {
                return Err(io::Error::new(io::ErrorKind::Interrupted, "try again"));
            }
            let n = self.data.len().min(self.max).min(out.len());
            out[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    /// Runs a scanner to completion, checking the end-of-stream and sticky-error behaviour.
    fn drain<R: Read>(mut scanner: Scanner<R>, len: usize) -> Result<Vec<Event>, ScanError> {
        let mut events = Vec::new();
        loop {
            match scanner.next_event() {
                Ok(Some(event)) => events.push(event),
                Ok(None) => {
                    assert_eq!(scanner.bytes_read(), len as u64);
                    assert_eq!(scanner.next_event(), Ok(None));
                    return Ok(events);
                }
                Err(err) => {
                    assert_eq!(scanner.next_event(), Err(err.clone()), "errors are sticky");
                    return Err(err);
                }
            }
        }
    }

    fn scan(input: &[u8], chunk: usize) -> Result<Vec<Event>, ScanError> {
        drain(Scanner::with_chunk_size(input, chunk), input.len())
    }

    /// Scans with a large buffer but a reader that hands out 1-2 bytes at a time.
    fn scan_trickle(input: &[u8], max: usize) -> Result<Vec<Event>, ScanError> {
        let reader = Trickle {
            data: input,
            max,
            interrupt: true,
            calls: 0,
        };
        drain(Scanner::with_chunk_size(reader, 4096), input.len())
    }

    /// Scans with every chunk size (and trickling readers) and checks all runs agree.
    fn scan_all_ways(input: &[u8]) -> Result<Vec<Event>, ScanError> {
        let reference = scan(input, DEFAULT_CHUNK);
        for chunk in CHUNKS {
            assert_eq!(scan(input, chunk), reference, "chunk size {chunk}");
        }
        for max in [1, 2] {
            assert_eq!(scan_trickle(input, max), reference, "trickle {max}");
        }
        // Held in memory and read in place, a window at a time; after a prefix, the same as
        // reading the two joined.
        let held = crate::mapped::Shared::new(crate::mapped::Held::Heap(input.into()));
        const PREFIX: &[u8] = b"\n ";
        let joined = scan(&[PREFIX, input].concat(), DEFAULT_CHUNK);
        for window in [1, 7, 64, 4096] {
            let scanner = Scanner::over(io::empty(), b"", held.clone(), window);
            assert_eq!(
                drain(scanner, input.len()),
                reference,
                "held, window {window}"
            );
            let scanner = Scanner::over(io::empty(), PREFIX, held.clone(), window);
            assert_eq!(
                drain(scanner, input.len() + PREFIX.len()),
                joined,
                "held after a prefix, window {window}"
            );
        }
        reference
    }

    fn position_of(input: &[u8], offset: usize) -> Position {
        let before = &input[..offset];
        let line = 1 + before.iter().filter(|&&b| b == b'\n').count() as u64;
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        Position {
            offset: offset as u64,
            line,
            column: (offset - line_start + 1) as u64,
        }
    }

    /// Identity of an event, for the completeness check.
    #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
    enum Id {
        Field(String),
        Element(&'static str, usize),
    }

    fn sub_path(key: &str) -> Option<ArrayPath> {
        match key {
            "items" => Some(ArrayPath::ItemsPages),
            "markdown" => Some(ArrayPath::MarkdownPages),
            "text" => Some(ArrayPath::TextPages),
            "metadata" => Some(ArrayPath::MetadataPages),
            _ => None,
        }
    }

    /// The events a full parse says we should see (in no particular order), with their values.
    fn expected_events(full: &Value) -> BTreeMap<Id, Value> {
        let mut out = BTreeMap::new();
        let root = full.as_object().expect("root object");
        for (key, value) in root {
            match (key.as_str(), value) {
                ("pages", Value::Array(elements)) => {
                    for (i, e) in elements.iter().enumerate() {
                        out.insert(Id::Element("pages", i), e.clone());
                    }
                }
                (k, Value::Object(sub)) if sub_path(k).is_some() => {
                    let path = sub_path(k).unwrap();
                    for (sub_key, sub_value) in sub {
                        if let ("pages", Value::Array(elements)) = (sub_key.as_str(), sub_value) {
                            for (i, e) in elements.iter().enumerate() {
                                out.insert(Id::Element(path.as_str(), i), e.clone());
                            }
                        } else {
                            out.insert(Id::Field(format!("{k}.{sub_key}")), sub_value.clone());
                        }
                    }
                }
                _ => {
                    out.insert(Id::Field(key.clone()), value.clone());
                }
            }
        }
        out
    }

    /// Checks scanner events against a full serde_json parse of `input`.
    fn verify(input: &[u8], events: &[Event]) {
        let full: Value = serde_json::from_slice(input).expect("test input is valid JSON");
        let mut seen = BTreeMap::new();
        let mut last_offset = None;
        for event in events {
            let (id, raw, pos) = match event {
                Event::Field { key, raw, pos } => (Id::Field(key.clone()), raw, pos),
                Event::Element {
                    array,
                    index,
                    raw,
                    pos,
                } => (Id::Element(array.as_str(), *index), raw, pos),
            };
            let offset = pos.offset as usize;
            assert!(
                last_offset < Some(offset),
                "events out of file order: {event:?}"
            );
            last_offset = Some(offset);
            assert_eq!(
                &input[offset..offset + raw.len()],
                &raw[..],
                "raw bytes of {id:?}"
            );
            assert_eq!(*pos, position_of(input, offset), "position of {id:?}");
            let value: Value = serde_json::from_slice(raw).expect("raw piece parses");
            assert!(
                seen.insert(id.clone(), value).is_none(),
                "duplicate event {id:?}"
            );
        }
        assert_eq!(seen, expected_events(&full));
    }

    /// Full check of a valid document across all chunk sizes.
    fn check(input: &[u8]) -> Vec<Event> {
        let events = scan_all_ways(input)
            .unwrap_or_else(|e| panic!("{e} in {:?}", String::from_utf8_lossy(input)));
        verify(input, &events);
        events
    }

    fn err(input: &[u8]) -> ScanError {
        match scan_all_ways(input) {
            Ok(events) => panic!("expected an error, got {events:?}"),
            Err(e) => e,
        }
    }

    fn field(key: &str, raw: &str, offset: u64, line: u64, column: u64) -> Event {
        let pos = Position {
            offset,
            line,
            column,
        };
        Event::Field {
            key: key.into(),
            raw: raw.as_bytes().to_vec(),
            pos,
        }
    }

    fn element(array: ArrayPath, index: usize, raw: &str, offset: u64, column: u64) -> Event {
        let pos = Position {
            offset,
            line: 1,
            column,
        };
        Event::Element {
            array,
            index,
            raw: raw.as_bytes().to_vec(),
            pos,
        }
    }

    #[test]
    fn array_path_names() {
        assert_eq!(ArrayPath::ItemsPages.as_str(), "items.pages");
        assert_eq!(ArrayPath::MarkdownPages.as_str(), "markdown.pages");
        assert_eq!(ArrayPath::TextPages.as_str(), "text.pages");
        assert_eq!(ArrayPath::MetadataPages.as_str(), "metadata.pages");
        assert_eq!(ArrayPath::RootPages.as_str(), "pages");
        assert_eq!(ArrayPath::RootPages.to_string(), "pages");
    }

    #[test]
    fn exact_events_for_a_small_document() {
        let doc = r#"{"job":{"id":"j"},"items":{"pages":[{"p":1}, [2] ,"3"],"n":4},"x":null}"#;
        let events = check(doc.as_bytes());
        assert_eq!(
            events,
            vec![
                field("job", r#"{"id":"j"}"#, 7, 1, 8),
                element(ArrayPath::ItemsPages, 0, r#"{"p":1}"#, 36, 37),
                element(ArrayPath::ItemsPages, 1, "[2]", 45, 46),
                element(ArrayPath::ItemsPages, 2, r#""3""#, 50, 51),
                field("items.n", "4", 59, 1, 60),
                field("x", "null", 66, 1, 67),
            ]
        );
    }

    #[test]
    fn positions_across_lines() {
        let doc = "{\n  \"pages\": [\n    {\"a\": 1},\n\t2\r\n  ],\n  \"job\":\n\n   \"x\"\n}\n";
        let events = check(doc.as_bytes());
        let positions: Vec<(u64, u64)> = events
            .iter()
            .map(|e| match e {
                Event::Field { pos, .. } | Event::Element { pos, .. } => (pos.line, pos.column),
            })
            .collect();
        assert_eq!(positions, vec![(3, 5), (4, 2), (8, 4)]);
    }

    #[test]
    fn handwritten_documents() {
        let docs: &[&str] = &[
            "{}",
            " \t\r\n{ }\n\n",
            r#"{"pages":[]}"#,
            r#"{"pages": [ ] , "items": {"pages": []}}"#,
            r#"{"items":null}"#,
            r#"{"items":{}}"#,
            r#"{"items":[{"id":"job-1","status":"SUCCESS"},{"id":"job-2"}],"next":null}"#,
            r##"{"pages":[{"page":1,"md":"# T"},{"page":2,"md":"x"}],"job_metadata":{"a":1}}"##,
            r#"{"pages":null,"markdown":"whole","text":5,"metadata":[1]}"#,
            r#"{"items":{"pages":null,"other":{"pages":[1]}}}"#,
            r#"{"markdown":{"pages":[{"page":1,"markdown":"a"}],"total":1},
                "text":{"pages":[{"page":1,"text":"a"}]},
                "metadata":{"pages":[{"page":1,"confidence":0.5}],"document":{}}}"#,
            r#"{"job":{"pages":[1,2]},"other":{"items":{"pages":[3]}}}"#,
            r#"{"pa\u0067es":[1,2],"\u0069tems":{"\u0070ages":[3]},"k\"\\\/\b\f\n\r\t":1}"#,
            r#"{"\ud83d\ude00":"emoji key","caf\u00e9":"é","日本":"語"}"#,
            r#"{"s":"a\"b\\c{[}]\"","pages":["]","}","\\","\"","{\"a\":[1}"]}"#,
            r#"{"n":-1.5e+10,"t":true,"f":false,"z":0,"e":1E-7,"pages":[1,-2,3.5,true,null]}"#,
            r#"{"items":{"pages":[[[[]]],{"a":{"b":{"c":[{}]}}},""]},"deep":[[[{"x":[]}]]]}"#,
            r##"{"items":{"pages":[{"text":"line1\nline2","bbox":[1,2,3,4]}]},"markdown_full":"# A"}"##,
            r#"{"pages":[{"pages":[{"pages":[]}]}],"items":{"job":{"items":{}}}}"#,
        ];
        for doc in docs {
            check(doc.as_bytes());
        }
    }

    #[test]
    fn escaped_keys_are_unescaped() {
        let events = check(br#"{"pa\u0067es":[true],"x\ud83d\ude00\n":1}"#);
        assert!(matches!(
            &events[0],
            Event::Element {
                array: ArrayPath::RootPages,
                ..
            }
        ));
        assert!(matches!(&events[1], Event::Field { key, .. } if key == "x\u{1F600}\n"));
    }

    #[test]
    fn lone_surrogates_and_invalid_utf8_in_keys_are_replaced() {
        let events = scan_all_ways(b"{\"a\\ud800b\":1,\"\\udc00\":2,\"c\xff\":3}").unwrap();
        let keys: Vec<_> = events
            .iter()
            .map(|e| match e {
                Event::Field { key, .. } => key.clone(),
                Event::Element { .. } => unreachable!(),
            })
            .collect();
        assert_eq!(keys, ["a\u{FFFD}b", "\u{FFFD}", "c\u{FFFD}"]);
    }

    #[test]
    fn invalid_utf8_in_values_does_not_panic() {
        let doc = b"{\"pages\":[\"\xff\xfe\",{\"a\":\"\xc3\"}],\"x\":\"\xe2\x82\"}";
        let events = scan_all_ways(doc).unwrap();
        assert_eq!(events.len(), 3);
        assert!(matches!(&events[0], Event::Element { raw, .. } if raw == b"\"\xff\xfe\""));
    }

    #[test]
    fn bom_is_skipped_and_counted_in_offsets() {
        let doc = "\u{feff}{\"a\":1}";
        let events = scan_all_ways(doc.as_bytes()).unwrap();
        assert_eq!(events, vec![field("a", "1", 8, 1, 9)]);
        let e = err("\u{feff}".as_bytes());
        assert_eq!(e.message, "empty input (no JSON value)");
        let e = err(b"\xef\xbb{}");
        assert!(e.message.contains("invalid byte order mark"), "{e}");
        assert!(err(b"\xef").message.contains("invalid byte order mark"));
    }

    #[test]
    fn light_validation_leaves_piece_contents_to_the_caller() {
        // Garbage inside a piece is not the scanner's business; serde_json rejects the piece.
        let events = scan_all_ways(br#"{"pages":[{"a" 1 2},[1 2]],"x":tru}"#).unwrap();
        assert_eq!(events.len(), 3);
        if let Event::Element { raw, .. } = &events[0] {
            assert!(serde_json::from_slice::<Value>(raw).is_err());
        }
    }

    #[test]
    fn empty_and_non_object_roots() {
        assert_eq!(err(b"").message, "empty input (no JSON value)");
        assert_eq!(err(b" \n\t ").message, "empty input (no JSON value)");
        let cases: &[(&str, &str)] = &[
            ("[1,2]", "an array"),
            ("\"s\"", "a string"),
            ("-1", "a number"),
            ("42", "a number"),
            ("true", "a boolean"),
            ("null", "null"),
            ("x", "`x`"),
        ];
        for (doc, what) in cases {
            let e = err(doc.as_bytes());
            assert_eq!(
                e.message,
                format!("expected a JSON object at the top level, found {what}")
            );
            assert_eq!(
                e.pos,
                Position {
                    offset: 0,
                    line: 1,
                    column: 1
                }
            );
        }
        let e = err(b"\n  [");
        assert_eq!(
            e.pos,
            Position {
                offset: 3,
                line: 2,
                column: 3
            }
        );
        assert_eq!(e.to_string(), format!("{} at line 2 column 3", e.message));
    }

    #[test]
    fn trailing_garbage_is_an_error() {
        let e = err(b"{\"a\":1}\n x");
        assert!(e.message.contains("trailing characters"), "{e}");
        assert_eq!(
            e.pos,
            Position {
                offset: 9,
                line: 2,
                column: 2
            }
        );
        assert!(err(b"{}{}").message.contains("trailing characters"));
        assert!(err(b"{}]").message.contains("trailing characters"));
        assert!(err(b"{}\0").message.contains("byte 0x00"));
        check(b"{} \r\n\t ");
    }

    #[test]
    fn mismatched_brackets_are_errors() {
        let e = err(br#"{"a":[1,{"b":2]]}"#);
        assert!(
            e.message
                .contains("mismatched bracket in the value of field `a`"),
            "{e}"
        );
        assert!(
            e.message.contains("found `]`") && e.message.contains("needs `}`"),
            "{e}"
        );
        assert_eq!(e.pos.column, 15);
        let e = err(br#"{"items":{"pages":[{"x":[1}]}}"#);
        assert!(e.message.contains("element 0 of `items.pages`"), "{e}");
        assert!(
            e.message.contains("found `}`") && e.message.contains("needs `]`"),
            "{e}"
        );
        let e = err(br#"{"items":{"pages":[1]]}}"#);
        assert!(
            e.message
                .contains("expected `,` or `}` in the `items` object"),
            "{e}"
        );
        let e = err(br#"{"pages":[1}}"#);
        assert!(e.message.contains("after element 0 of `pages`"), "{e}");
        let e = err(br#"{"pages":[}]}"#);
        assert!(
            e.message
                .contains("expected a value for element 0 of `pages`"),
            "{e}"
        );
    }

    #[test]
    fn top_level_syntax_errors() {
        let cases: &[(&str, &str)] = &[
            (r#"{"a":1,}"#, "trailing comma"),
            (r#"{"a" 1}"#, "expected `:` after key `a`"),
            (
                r#"{"a":1 "b":2}"#,
                "expected `,` or `}` in the top-level object",
            ),
            (
                r#"{a:1}"#,
                "expected a string key in the top-level object, found `a`",
            ),
            (
                r#"{"a":}"#,
                "expected a value for the value of field `a`, found `}`",
            ),
            (r#"{"a":,}"#, "found `,`"),
            (
                r#"{"items":{"x":1,}}"#,
                "expected a string key in the `items` object",
            ),
            (r#"{"pages":[1,]}"#, "trailing comma in the `pages` array"),
            (r#"{"pages":[,1]}"#, "expected a value for element 0"),
            (
                r#"{"pages":[1 2]}"#,
                "expected `,` or `]` after element 0 of `pages`",
            ),
            (r#"{"a\x":1}"#, "invalid escape `\\x` in a key"),
            ("{\"a\nb\" 1}", "after key `a\\nb`"),
            (r#"{"a\u12":1}"#, "truncated `\\u` escape in a key"),
            (r#"{"a\u12G4":1}"#, "invalid `\\u` escape in a key"),
        ];
        for (doc, needle) in cases {
            let e = err(doc.as_bytes());
            assert!(e.message.contains(needle), "{doc}: {e}");
        }
        let long_key = format!("{{\"{}\" 1}}", "k".repeat(1000));
        let e = err(long_key.as_bytes());
        assert!(e.message.contains(&format!("`{}…`", "k".repeat(60))), "{e}");
    }

    #[test]
    fn truncated_errors_name_the_open_piece() {
        let cases: &[(&str, &str)] = &[
            (
                r#"{"items":{"pages":[{"a":1},{"b":"#,
                "element 1 of `items.pages`",
            ),
            (r#"{"items":{"pages":[{"a":1},{"b":"x"#, "(inside a string)"),
            (
                r#"{"items":{"pages":[{"a":1},"#,
                "the `items.pages` array is not closed",
            ),
            (r#"{"items":{"pages":[{"a":1}"#, "after element 0"),
            (
                r#"{"items":{"pages":[{"a":1}]"#,
                "the `items` object is not closed",
            ),
            (r#"{"job":{"id":[1,"#, "the value of field `job`"),
            (r#"{"job":"#, "after key `job`"),
            (
                r#"{"job""#,
                "after key `job` in the top-level object (expected `:`)",
            ),
            (r#"{"jo"#, "inside a key of the top-level object"),
            (r#"{"job":1"#, "the top-level object is not closed"),
            (
                r#"{"#,
                "the top-level object is not closed (expected a key or `}`)",
            ),
        ];
        for (doc, needle) in cases {
            let e = err(doc.as_bytes());
            assert!(e.message.contains("end of input"), "{doc}: {e}");
            assert!(e.message.contains(needle), "{doc}: {e}");
            assert_eq!(e.pos, position_of(doc.as_bytes(), doc.len()), "{doc}");
        }
        let e = err(br#"{"a":1, "pages": [ {"x": [1, 2"#);
        assert!(e.message.contains("starting at line 1 column 20"), "{e}");
        assert!(e.message.contains("2 container(s) still open"), "{e}");
    }

    #[test]
    fn every_prefix_of_a_document_is_an_error_or_complete() {
        let doc = concat!(
            "{\"job\": {\"id\": \"j\\\"1\", \"n\": [1, 2.5e3]},\n",
            " \"pa\\u0067es\": [{\"md\": \"caf\u{e9} \\\\ {[\\\"]}\"}, -7, null, \"\u{1F600}\"],\n",
            " \"items\": {\"pages\": [[], {}], \"x\": true},\n",
            " \"markdown_full\": \"# T\\n\"}\n  "
        )
        .as_bytes();
        check(doc);
        for len in 0..=doc.len() {
            let prefix = &doc[..len];
            let complete = serde_json::from_slice::<Value>(prefix).is_ok();
            for chunk in [1, 3, 4096] {
                match scan(prefix, chunk) {
                    Ok(events) => {
                        assert!(complete, "prefix {len} accepted");
                        verify(prefix, &events);
                    }
                    Err(e) => {
                        assert!(!complete, "prefix {len} rejected: {e}");
                        assert!(e.message.contains("end of input") || len == 0, "{len}: {e}");
                        assert_eq!(e.pos, position_of(prefix, len), "prefix {len}: {e}");
                    }
                }
            }
        }
    }

    #[test]
    fn deep_nesting_is_an_error_without_recursion() {
        let deep = "[".repeat(100_000);
        let e = err(deep.as_bytes());
        assert!(e.message.contains("found an array"), "{e}");

        for prefix in [
            r#"{"a":"#,
            r#"{"pages":"#,
            r#"{"items":{"pages":"#,
            r#"{"text":{"x":"#,
        ] {
            let doc = format!("{prefix}{deep}");
            let e = err(doc.as_bytes());
            assert!(e.message.contains("nesting deeper than 512 levels"), "{e}");
            // The root counts as depth 1: the error is at the bracket opening level 513.
            let depth_before = if prefix.contains("items") || prefix.contains("text") {
                2
            } else {
                1
            };
            let expected = prefix.len() + (MAX_DEPTH - depth_before);
            assert_eq!(e.pos.offset as usize, expected, "{prefix}");
        }
    }

    #[test]
    fn nesting_exactly_at_the_limit_is_accepted() {
        // Root object (depth 1) + 511 nested arrays = depth 512: accepted.
        let inner = MAX_DEPTH - 1;
        let doc = format!(r#"{{"a":{}{}}}"#, "[".repeat(inner), "]".repeat(inner));
        let events = scan_all_ways(doc.as_bytes()).unwrap();
        assert_eq!(events.len(), 1);
        let doc = format!(
            r#"{{"a":{}{}}}"#,
            "[".repeat(inner + 1),
            "]".repeat(inner + 1)
        );
        assert!(err(doc.as_bytes()).message.contains("nesting deeper"));
        // Streamed elements of items.pages sit at depth 3.
        let inner = MAX_DEPTH - 3;
        let doc = format!(
            r#"{{"items":{{"pages":[{}{}]}}}}"#,
            "[".repeat(inner),
            "]".repeat(inner)
        );
        assert_eq!(scan_all_ways(doc.as_bytes()).unwrap().len(), 1);
        let doc = format!(
            r#"{{"items":{{"pages":[{}{}]}}}}"#,
            "[".repeat(inner + 1),
            "]".repeat(inner + 1)
        );
        assert!(err(doc.as_bytes()).message.contains("nesting deeper"));
    }

    #[test]
    fn read_errors_are_reported() {
        struct Failing(usize);
        impl Read for Failing {
            fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
                if self.0 == 0 {
                    return Err(io::Error::other("disk on fire"));
                }
                self.0 -= 1;
                out[0] = b'{';
                Ok(1)
            }
        }
        let mut scanner = Scanner::new(Failing(1));
        let e = scanner.next_event().unwrap_err();
        assert_eq!(e.message, "read error: disk on fire");
        assert_eq!(
            e.pos,
            Position {
                offset: 1,
                line: 1,
                column: 2
            }
        );
        assert_eq!(scanner.next_event(), Err(e));
    }

    #[test]
    fn bytes_read_tracks_progress() {
        let doc = br#"{"pages":[1,22,333]}  "#;
        let mut scanner = Scanner::with_chunk_size(&doc[..], 4);
        let mut progress = vec![scanner.bytes_read()];
        while scanner.next_event().unwrap().is_some() {
            progress.push(scanner.bytes_read());
        }
        assert_eq!(progress, vec![0, 11, 14, 18]);
        assert_eq!(scanner.bytes_read(), doc.len() as u64);
    }

    #[test]
    fn find_quote_or_backslash_matches_naive_search() {
        let mut rng = Rng(7);
        for _ in 0..2000 {
            let len = rng.below(40) as usize;
            let s: Vec<u8> = (0..len)
                .map(|_| match rng.below(10) {
                    0 => b'"',
                    1 => b'\\',
                    2 => 0x22 + 0x80,
                    3 => 0x5c ^ 0x01,
                    4 => 0,
                    5 => 0x1f,
                    6 => 0x20,
                    _ => rng.below(256) as u8,
                })
                .collect();
            let naive = s.iter().position(|&c| c == b'"' || c == b'\\');
            assert_eq!(find_quote_or_backslash(&s), naive, "{s:?}");
            let naive = s.iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20);
            assert_eq!(find_string_special(&s, true), naive, "{s:?}");
        }
    }

    // ---- property-style tests over generated documents ----

    /// xorshift64* pseudo-random generator (deterministic, no crates).
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }

        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }

        fn chance(&mut self, percent: u64) -> bool {
            self.below(100) < percent
        }

        fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
            &items[self.below(items.len() as u64) as usize]
        }
    }

    /// Writes random JSON text with random whitespace and escapes.
    struct Gen {
        rng: Rng,
        out: String,
    }

    impl Gen {
        fn ws(&mut self) {
            while self.rng.chance(25) {
                let w = *self.rng.pick(&[" ", "\n", "\t", "\r\n", "  "]);
                self.out.push_str(w);
            }
        }

        /// Writes `s` as a JSON string, escaping randomly (always `"`, `\` and controls).
        fn string(&mut self, s: &str) {
            self.out.push('"');
            for c in s.chars() {
                let forced = c == '"' || c == '\\' || (c as u32) < 0x20;
                if forced || self.rng.chance(15) {
                    match (c, self.rng.below(3)) {
                        ('"', 0) => self.out.push_str("\\\""),
                        ('\\', 0) => self.out.push_str("\\\\"),
                        ('\n', 0) => self.out.push_str("\\n"),
                        ('/', 0) => self.out.push_str("\\/"),
                        _ => {
                            let mut units = [0u16; 2];
                            for unit in c.encode_utf16(&mut units) {
                                let hex = format!("\\u{unit:04x}");
                                let hex = if self.rng.chance(50) {
                                    hex.to_uppercase()
                                } else {
                                    hex
                                };
                                self.out.push_str(&hex.replace("\\U", "\\u"));
                            }
                        }
                    }
                } else {
                    self.out.push(c);
                }
            }
            self.out.push('"');
        }

        fn text(&mut self) -> String {
            const PIECES: &[&str] = &[
                "a",
                "page",
                " ",
                "{",
                "}",
                "[",
                "]",
                ",",
                ":",
                "\"",
                "\\",
                "\\\"",
                "é",
                "€",
                "\u{1F600}",
                "\n",
                "\t",
                "/",
                "\u{1}",
                "items",
                "pages",
                "日本語",
                "\u{7f}",
            ];
            let n = self.rng.below(12);
            (0..n).map(|_| *self.rng.pick(PIECES)).collect()
        }

        fn scalar(&mut self) {
            match self.rng.below(9) {
                0 => self.out.push_str("null"),
                1 => self.out.push_str("true"),
                2 => self.out.push_str("false"),
                3 => {
                    let n = self.rng.below(1_000_000) as i64 - 500_000;
                    self.out.push_str(&n.to_string());
                }
                4 => {
                    let s = *self
                        .rng
                        .pick(&["0", "-0", "1.5", "-2.25e10", "3E-3", "1e+2", "0.0"]);
                    self.out.push_str(s);
                }
                _ => {
                    let t = self.text();
                    self.string(&t);
                }
            }
        }

        fn value(&mut self, depth: u32) {
            let kind = if depth >= 6 { 0 } else { self.rng.below(4) };
            match kind {
                0 | 1 => self.scalar(),
                2 => {
                    self.out.push('[');
                    self.ws();
                    let n = self.rng.below(4);
                    for i in 0..n {
                        if i > 0 {
                            self.out.push(',');
                            self.ws();
                        }
                        self.value(depth + 1);
                        self.ws();
                    }
                    self.out.push(']');
                }
                _ => {
                    const KEYS: &[&str] = &[
                        "type", "md", "pages", "items", "a b", "x\"y", "{", "]", "é", "\\",
                    ];
                    let n = self.rng.below(4) as usize;
                    let start = self.rng.below(KEYS.len() as u64) as usize;
                    let keys: Vec<&str> = (0..n).map(|i| KEYS[(start + i) % KEYS.len()]).collect();
                    self.object(&keys, |g, _| g.value(depth + 1));
                }
            }
        }

        /// Writes `"key": value` (with random whitespace around the colon).
        fn member(&mut self, key: &str, value: impl FnOnce(&mut Self)) {
            self.string(key);
            self.ws();
            self.out.push(':');
            self.ws();
            value(self);
        }

        /// Writes an object with the given (distinct) keys and values written by `value`.
        fn object(&mut self, keys: &[&str], mut value: impl FnMut(&mut Self, &str)) {
            self.out.push('{');
            self.ws();
            for (i, key) in keys.iter().enumerate() {
                if i > 0 {
                    self.out.push(',');
                    self.ws();
                }
                self.member(key, |g| value(g, key));
                self.ws();
            }
            self.out.push('}');
        }

        fn page_array(&mut self) {
            self.out.push('[');
            self.ws();
            let n = self.rng.below(6);
            for i in 0..n {
                if i > 0 {
                    self.out.push(',');
                    self.ws();
                }
                if self.rng.chance(80) {
                    let keys = ["page", "md", "items", "bbox"];
                    self.object(&keys, |g, _| g.value(2));
                } else {
                    self.value(3);
                }
                self.ws();
            }
            self.out.push(']');
        }

        /// A whole response-shaped document.
        fn document(&mut self) -> String {
            self.out.clear();
            const ROOT_KEYS: &[&str] = &[
                "job",
                "pages",
                "items",
                "markdown",
                "text",
                "metadata",
                "markdown_full",
                "job_metadata",
                "status",
                "x.y",
            ];
            let mut keys: Vec<&str> = ROOT_KEYS
                .iter()
                .copied()
                .filter(|_| self.rng.chance(50))
                .collect();
            // Shuffle (Fisher-Yates) so that file order varies.
            for i in (1..keys.len()).rev() {
                let j = self.rng.below(i as u64 + 1) as usize;
                keys.swap(i, j);
            }
            self.ws();
            self.object(&keys, |g, key| match key {
                "pages" if g.rng.chance(80) => g.page_array(),
                "items" | "markdown" | "text" | "metadata" => match g.rng.below(10) {
                    0 => g.out.push_str("null"),
                    1 => g.value(1),
                    2 => g.page_array(), // job-listing style `items: [...]`
                    _ => {
                        let mut sub: Vec<&str> = vec!["pages"];
                        sub.extend(
                            ["total", "pages_meta", "é"]
                                .iter()
                                .filter(|_| g.rng.chance(40)),
                        );
                        if g.rng.chance(10) {
                            sub.clear();
                        }
                        let len = sub.len();
                        let by = g.rng.below(len.max(1) as u64) as usize;
                        sub.rotate_left(by.min(len));
                        g.object(&sub, |g, k| {
                            if k == "pages" && g.rng.chance(90) {
                                g.page_array()
                            } else {
                                g.value(2)
                            }
                        })
                    }
                },
                _ => g.value(1),
            });
            self.ws();
            std::mem::take(&mut self.out)
        }
    }

    #[test]
    fn generated_documents_match_serde_json() {
        let mut g = Gen {
            rng: Rng(0x9E37_79B9_7F4A_7C15),
            out: String::new(),
        };
        // Coverage counters, so that the generator demonstrably hits every shape.
        let mut per_array: BTreeMap<&str, usize> = BTreeMap::new();
        let (mut dotted, mut escaped_pages, mut multiline) = (0, 0, 0);
        for _ in 0..400 {
            let doc = g.document();
            let events = check(doc.as_bytes());
            for event in &events {
                match event {
                    Event::Element { array, pos, .. } => {
                        *per_array.entry(array.as_str()).or_default() += 1;
                        multiline += usize::from(pos.line > 1);
                    }
                    Event::Field { key, .. } => dotted += usize::from(key.contains('.')),
                }
            }
            escaped_pages += usize::from(doc.contains("\\u0070") || doc.contains("\\u0061g"));
        }
        assert_eq!(per_array.len(), 5, "{per_array:?}");
        assert!(per_array.values().all(|&n| n > 100), "{per_array:?}");
        assert!(dotted > 50 && escaped_pages > 20 && multiline > 100);
    }

    #[test]
    fn mutated_documents_never_panic() {
        let mut g = Gen {
            rng: Rng(12345),
            out: String::new(),
        };
        let mut rng = Rng(999);
        let mut still_valid = 0;
        for _ in 0..300 {
            let mut doc = g.document().into_bytes();
            for _ in 0..1 + rng.below(3) {
                if doc.is_empty() {
                    break;
                }
                let at = rng.below(doc.len() as u64) as usize;
                match rng.below(3) {
                    0 => doc[at] = *rng.pick(b"{}[]\",:\\ x0\xff"),
                    1 => {
                        doc.remove(at);
                    }
                    _ => doc.truncate(at),
                }
            }
            let result = scan_all_ways(&doc);
            if serde_json::from_slice::<Value>(&doc).is_ok() {
                verify(
                    &doc,
                    &result.expect("scanner accepts what serde_json accepts"),
                );
                still_valid += 1;
            }
        }
        assert!(
            still_valid > 10,
            "only {still_valid} mutated documents were valid"
        );
    }
    /// Hand-run throughput check (asserts nothing about time):
    /// `python3 ../shared/bench/gen_llamaparse.py 3000 /tmp/gen3000.json`, then
    /// `PAGETREE_SCAN_BENCH=/tmp/gen3000.json cargo test --release -p pagetree-model \
    ///  scan::tests::throughput -- --ignored --nocapture`.
    #[test]
    #[ignore = "benchmark: run by hand with PAGETREE_SCAN_BENCH=<file>"]
    fn throughput_versus_serde_json() {
        use std::time::Instant;
        let Ok(path) = std::env::var("PAGETREE_SCAN_BENCH") else {
            eprintln!("set PAGETREE_SCAN_BENCH to a JSON file to measure throughput");
            return;
        };
        let data = std::fs::read(&path).expect("read benchmark input");
        let mb = data.len() as f64 / 1e6;
        let (mut scan_best, mut serde_best) = (f64::MAX, f64::MAX);
        for _ in 0..5 {
            let start = Instant::now();
            let mut scanner = Scanner::new(&data[..]);
            let mut pieces = 0usize;
            while let Some(event) = scanner.next_event().expect("scan") {
                pieces += 1;
                std::hint::black_box(event);
            }
            scan_best = scan_best.min(start.elapsed().as_secs_f64());
            std::hint::black_box(pieces);

            let start = Instant::now();
            let value: Value = serde_json::from_slice(&data).expect("parse");
            serde_best = serde_best.min(start.elapsed().as_secs_f64());
            drop(std::hint::black_box(value));
        }
        eprintln!(
            "{mb:.1} MB: scanner {:.0} MB/s, serde_json Value {:.0} MB/s, ratio {:.1}x",
            mb / scan_best,
            mb / serde_best,
            serde_best / scan_best
        );
    }

    #[test]
    fn jump_end_finds_the_next_page_or_declines() {
        let end = |s: &str| jump_end(s.as_bytes());
        let two = r#"{"page_number":1,"x":[1]},{"page_number":2}"#;
        assert_eq!(end(two), Some(r#"{"page_number":1,"x":[1]}"#.len()));
        // Whitespace anywhere JSON allows it.
        let pretty = "{ \"page_number\" : 1 }\n ,\n { \"page_number\" :2}";
        assert_eq!(end(pretty), Some("{ \"page_number\" : 1 }".len()));
        // Declined: not a page-number element, no next page in the buffer, the next hit
        // after `[` or after another key, an escaped quote, or no `:` after the key.
        assert_eq!(end(r#"{"page":1},{"page_number":2}"#), None);
        assert_eq!(end(r#"{"page_number":1,"x":2}"#), None);
        assert_eq!(end(r#"{"page_number":1,"r":[{"page_number":2}]}"#), None);
        assert_eq!(
            end(r#"{"page_number":1,"r":{"a":1,"page_number":2}}"#),
            None
        );
        assert_eq!(end(r#"{"page_number":1,"s":"a\"page_number\":2"}"#), None);
        assert_eq!(
            end(r#"{"page_number":1,"s":["page_number"]},{"page_number":2}"#),
            None
        );
        // Taken, and wrong: an object nested in the page that starts with the key after a
        // comma. The cut piece is unbalanced, so it cannot parse.
        let nested = r#"{"page_number":1,"r":[{"a":1},{"page_number":2}]},{"page_number":3}"#;
        let cut = end(nested).expect("taken");
        assert_eq!(&nested[..cut], r#"{"page_number":1,"r":[{"a":1}"#);
        assert!(serde_json::from_str::<Value>(&nested[..cut]).is_err());
    }

    /// Scans with page jumps (and a given buffer size); also says whether any jump was taken.
    fn scan_jumping(input: &[u8], chunk: usize) -> Result<(Vec<Event>, bool), ScanError> {
        let mut s = Scanner::with_chunk_size(input, chunk).with_page_jumps(true);
        let mut events = Vec::new();
        while let Some(e) = s.next_event()? {
            events.push(e);
        }
        Ok((events, s.jumped()))
    }

    impl Gen {
        /// An object whose first key is `"page_number"` written plainly (as the API writes
        /// it), then `rest` keys with values from `value`.
        fn page_object(&mut self, number: u64, rest: &[&str], mut value: impl FnMut(&mut Self)) {
            self.out.push('{');
            self.ws();
            self.out.push_str("\"page_number\"");
            self.ws();
            self.out.push(':');
            self.ws();
            self.out.push_str(&number.to_string());
            for key in rest {
                self.ws();
                self.out.push(',');
                self.ws();
                self.member(key, &mut value);
            }
            self.ws();
            self.out.push('}');
        }
    }

    /// The guarantee page jumps rest on: over random page lists whose pages start with
    /// `page_number` and often nest objects that do too, a jumping scan either gives exactly
    /// the walking scan's events, or some element it gave does not parse, or it fails (the
    /// caller then scans again without jumps).
    #[test]
    fn jumping_scans_agree_with_walking_scans_or_give_themselves_away() {
        let mut rng = Rng(0xA5A5_1234_5678_9ABC);
        let (mut agreed, mut jumped, mut given_away) = (0, 0, 0);
        for _ in 0..600 {
            let mut g = Gen {
                rng: Rng(rng.next()),
                out: String::new(),
            };
            let pages = 1 + rng.below(5);
            g.out.push_str("{\"items\":{\"pages\":[");
            for p in 0..pages {
                if p > 0 {
                    g.out.push(',');
                }
                g.ws();
                let nest = g.rng.chance(35);
                g.page_object(p + 1, &["md", "refs"], |g| {
                    if !nest {
                        return g.value(3);
                    }
                    // An array of objects, some starting with `page_number` too.
                    g.out.push('[');
                    for k in 0..3 {
                        if k > 0 {
                            g.out.push(',');
                            g.ws();
                        }
                        if g.rng.chance(50) {
                            let n = g.rng.below(9);
                            g.page_object(n, &["x"], |g| g.value(4));
                        } else {
                            g.object(&["x"], |g, _| g.value(4));
                        }
                    }
                    g.out.push(']');
                });
                g.ws();
            }
            g.out
                .push_str("]},\"markdown\":{\"pages\":[{\"page_number\":1}]}}");
            let doc = std::mem::take(&mut g.out);
            let walked = scan(doc.as_bytes(), DEFAULT_CHUNK).expect("valid document");
            for chunk in [DEFAULT_CHUNK, 64, 7] {
                match scan_jumping(doc.as_bytes(), chunk) {
                    Ok((events, took)) if events == walked => {
                        agreed += 1;
                        jumped += usize::from(took);
                    }
                    Ok((events, _)) => {
                        let unparsable = events.iter().any(|e| match e {
                            Event::Element { raw, .. } => {
                                serde_json::from_slice::<Value>(raw).is_err()
                            }
                            Event::Field { .. } => false,
                        });
                        assert!(unparsable, "silently different events for {doc}");
                        given_away += 1;
                    }
                    Err(_) => given_away += 1,
                }
            }
        }
        eprintln!("jumps: {agreed} agreed ({jumped} jumping), {given_away} gave themselves away");
        assert!(
            jumped > 150 && given_away > 100,
            "{agreed} {jumped} {given_away}"
        );
    }

    #[test]
    fn element_limit_keeps_a_prefix_and_reports_the_full_length() {
        let input = br#"{"job": {"id": "a-long-job-id"}, "items": {"pages": [{"page_number": 1, "items": ["x", "y"]}, 7]}}"#;
        let mut s = Scanner::with_chunk_size(&input[..], 5).with_element_limit(10);
        let mut seen = Vec::new();
        while let Some(e) = s.next_event().unwrap() {
            match e {
                Event::Field { raw, .. } => seen.push((raw, s.last_len())),
                Event::Element { raw, .. } => seen.push((raw, s.last_len())),
            }
        }
        assert_eq!(
            seen[0].0,
            br#"{"id": "a-long-job-id"}"#.to_vec(),
            "fields stay whole"
        );
        assert_eq!(seen[1].0, br#"{"page_num"#.to_vec());
        assert_eq!(
            seen[1].1,
            br#"{"page_number": 1, "items": ["x", "y"]}"#.len() as u64
        );
        assert_eq!((seen[2].0.as_slice(), seen[2].1), (&b"7"[..], 1));
    }
}
