//! What a chunker can be asked: the size limit and its unit, the soft minimum, overlap,
//! breadcrumbs, how tables are written, furniture, and the markdown options the chunks (and
//! their `md_range`) are rendered with.

use std::fmt;
use std::sync::Arc;

use crate::furniture::FurnitureMode;
use crate::markdown::MarkdownOptions;

/// What chunk sizes (`max`, `min`, `overlap`) are counted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum SizeUnit {
    /// Unicode scalar values (what Python's `len(str)` counts).
    #[default]
    Chars,
    /// Tokens of OpenAI's `cl100k_base` encoding (GPT-4, GPT-3.5, text-embedding-3), counted
    /// offline with the ranks embedded in the `tiktoken-rs` crate.
    #[cfg(feature = "tokens")]
    Tokens,
}

impl SizeUnit {
    /// `chars` or `tokens`, as written in the output.
    pub fn as_str(self) -> &'static str {
        match self {
            SizeUnit::Chars => "chars",
            #[cfg(feature = "tokens")]
            SizeUnit::Tokens => "tokens",
        }
    }
}

/// A token counter of the caller's own (a Hugging Face or tiktoken tokenizer of another
/// model), used instead of the unit's count: sizes are then in its tokens. Called from the
/// thread that chunks, many times per chunk (every size decision measures the candidate text).
#[derive(Clone)]
pub struct TokenCounter(Arc<dyn Fn(&str) -> usize + Send + Sync>);

impl TokenCounter {
    /// A counter from a function returning the number of tokens in a string.
    pub fn new(count: impl Fn(&str) -> usize + Send + Sync + 'static) -> Self {
        TokenCounter(Arc::new(count))
    }

    /// The number of tokens in `s`.
    pub fn count(&self, s: &str) -> usize {
        (self.0)(s)
    }
}

impl fmt::Debug for TokenCounter {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("TokenCounter(..)")
    }
}

/// Two counters are equal when they are the same function (a clone of one counter).
impl PartialEq for TokenCounter {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for TokenCounter {}

/// How a table is written inside a chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum TableText {
    /// A GFM pipe table, laid out as [`MarkdownOptions::table_style`] says.
    #[default]
    Markdown,
    /// An HTML `<table>` generated from the rows.
    Html,
    /// CSV (RFC 4180 quoting, as `pagetree tables` writes it).
    Csv,
}

impl TableText {
    /// `markdown`, `html` or `csv`.
    pub fn as_str(self) -> &'static str {
        match self {
            TableText::Markdown => "markdown",
            TableText::Html => "html",
            TableText::Csv => "csv",
        }
    }
}

/// How to cut a document into chunks. Sizes are in [`ChunkOptions::unit`]s and count the whole
/// chunk text, breadcrumb and overlap included.
///
/// The sizes are checked when they are set ([`ChunkOptions::chars`], [`ChunkOptions::tokens`],
/// [`ChunkOptions::with_min`], [`ChunkOptions::with_overlap`]), so options that exist are
/// usable; the other fields can be set freely.
///
/// ```
/// use pagetree_convert::chunks::{ChunkOptions, TableText};
///
/// let mut opts = ChunkOptions::chars(800)?.with_overlap(80)?;
/// opts.tables = TableText::Csv;
/// assert_eq!((opts.max(), opts.min(), opts.overlap()), (800, 160, 80));
/// assert!(ChunkOptions::chars(800)?.with_overlap(500).is_err());
/// # Ok::<(), pagetree_convert::chunks::ChunkOptionsError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ChunkOptions {
    // The sizes are private so that they can only be set through the checks.
    pub(crate) unit: SizeUnit,
    pub(crate) max: usize,
    pub(crate) min: usize,
    pub(crate) overlap: usize,
    /// Counts tokens with this instead of `unit` (chunks then report their token count; the
    /// sizes are in its tokens). Default: `None`.
    pub counter: Option<TokenCounter>,
    /// Start each chunk's text with its heading path (`Report > Results`) and a blank line,
    /// leaving out headings the chunk itself opens. Default: `true`.
    pub breadcrumb: bool,
    /// How tables are written in chunk text. Default: [`TableText::Markdown`].
    pub tables: TableText,
    /// Keep page headers and footers (as [`MarkdownOptions::pages`] says). When `false` they
    /// are hidden in the markdown the chunks come from. Default: `false`.
    pub include_furniture: bool,
    /// The markdown the chunks are cut from and their `md_range` refers to (with headers and
    /// footers hidden unless `include_furniture`; see [`ChunkOptions::markdown_options`]).
    /// Default: [`MarkdownOptions::default`].
    pub markdown: MarkdownOptions,
}

impl Default for ChunkOptions {
    /// Chunks of at most 1500 characters, a soft minimum of 300, no overlap.
    fn default() -> Self {
        ChunkOptions::unchecked(SizeUnit::Chars, 1500)
    }
}

/// Why chunk options cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkOptionsError(String);

impl fmt::Display for ChunkOptionsError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ChunkOptionsError {}

impl ChunkOptions {
    /// Chunks of at most `max` in `unit`, a soft minimum of a fifth of it, no overlap, and the
    /// defaults for everything else. Fails when `max` is below 16.
    pub fn new(unit: SizeUnit, max: usize) -> Result<Self, ChunkOptionsError> {
        let o = ChunkOptions::unchecked(unit, max);
        o.check()?;
        Ok(o)
    }

    /// [`ChunkOptions::new`] in characters.
    pub fn chars(max: usize) -> Result<Self, ChunkOptionsError> {
        ChunkOptions::new(SizeUnit::Chars, max)
    }

    /// [`ChunkOptions::new`] in `cl100k_base` tokens.
    #[cfg(feature = "tokens")]
    pub fn tokens(max: usize) -> Result<Self, ChunkOptionsError> {
        ChunkOptions::new(SizeUnit::Tokens, max)
    }

    /// The soft minimum: a chunk smaller than this is merged with its neighbour in the same
    /// section, or with a small neighbouring section that shares its heading path, when the
    /// result fits in the maximum; a heading is never left alone at the end of a chunk. Fails
    /// unless it is below the maximum. Default: a fifth of the maximum.
    pub fn with_min(mut self, min: usize) -> Result<Self, ChunkOptionsError> {
        self.min = min;
        self.check()?;
        Ok(self)
    }

    /// How much of the end of the previous chunk (cut at a word boundary) starts the next one,
    /// when both are text in the same section. Counted in the maximum. Fails when it is more
    /// than half the maximum. Default: 0.
    pub fn with_overlap(mut self, overlap: usize) -> Result<Self, ChunkOptionsError> {
        self.overlap = overlap;
        self.check()?;
        Ok(self)
    }

    /// What sizes are counted in.
    pub fn unit(&self) -> SizeUnit {
        self.unit
    }

    /// The largest chunk. Only a chunk holding a single word or a single table row (with its
    /// header) that alone exceeds it may be larger, and it is flagged `oversize`.
    pub fn max(&self) -> usize {
        self.max
    }

    /// The soft minimum (see [`ChunkOptions::with_min`]).
    pub fn min(&self) -> usize {
        self.min
    }

    /// The overlap (see [`ChunkOptions::with_overlap`]).
    pub fn overlap(&self) -> usize {
        self.overlap
    }

    fn unchecked(unit: SizeUnit, max: usize) -> Self {
        ChunkOptions {
            unit,
            counter: None,
            max,
            min: max / 5,
            overlap: 0,
            breadcrumb: true,
            tables: TableText::Markdown,
            include_furniture: false,
            markdown: MarkdownOptions::default(),
        }
    }

    /// [`ChunkOptions::new`] in tokens as `counter` counts them (a tokenizer of the caller's
    /// own).
    pub fn counted(max: usize, counter: TokenCounter) -> Result<Self, ChunkOptionsError> {
        let mut o = ChunkOptions::unchecked(SizeUnit::Chars, max);
        o.counter = Some(counter);
        o.check()?;
        Ok(o)
    }

    /// The sizes: `max` at least 16, `min` below `max`, `overlap` at most half of `max`.
    fn check(&self) -> Result<(), ChunkOptionsError> {
        let unit = if self.counter.is_some() {
            "tokens"
        } else {
            self.unit.as_str()
        };
        if self.max < 16 {
            return Err(ChunkOptionsError(format!(
                "the maximum chunk size must be at least 16 {unit} (got {})",
                self.max
            )));
        }
        if self.min >= self.max {
            return Err(ChunkOptionsError(format!(
                "the minimum chunk size ({} {unit}) must be below the maximum ({})",
                self.min, self.max
            )));
        }
        if self.overlap * 2 > self.max {
            return Err(ChunkOptionsError(format!(
                "the overlap ({} {unit}) must be at most half the maximum chunk size ({})",
                self.overlap, self.max
            )));
        }
        Ok(())
    }

    /// The markdown options the chunks are cut from: [`ChunkOptions::markdown`], with page
    /// headers and footers hidden unless [`ChunkOptions::include_furniture`]. Every `md_range`
    /// refers to [`markdown::render`](crate::markdown::render)`(doc, &opts.markdown_options())`.
    pub fn markdown_options(&self) -> MarkdownOptions {
        let mut o = self.markdown.clone();
        if !self.include_furniture {
            o.pages.headers = FurnitureMode::Hide;
            o.pages.footers = FurnitureMode::Hide;
        }
        o
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_checked_when_set() {
        assert!(ChunkOptions::default().check().is_ok());
        assert_eq!(
            ChunkOptions::chars(10).unwrap_err().to_string(),
            "the maximum chunk size must be at least 16 chars (got 10)"
        );
        let o = ChunkOptions::chars(100).unwrap();
        assert_eq!(
            o.clone().with_min(100).unwrap_err().to_string(),
            "the minimum chunk size (100 chars) must be below the maximum (100)"
        );
        assert_eq!(
            o.clone().with_overlap(51).unwrap_err().to_string(),
            "the overlap (51 chars) must be at most half the maximum chunk size (100)"
        );
        let o = o.with_min(10).unwrap().with_overlap(50).unwrap();
        assert_eq!((o.max(), o.min(), o.overlap()), (100, 10, 50));
    }

    #[test]
    fn furniture_is_hidden_unless_asked_for() {
        let o = ChunkOptions::default();
        assert!(o.markdown_options().pages.headers.is_hidden());
        let o = ChunkOptions {
            include_furniture: true,
            ..ChunkOptions::default()
        };
        assert_eq!(o.markdown_options(), MarkdownOptions::default());
    }
}
