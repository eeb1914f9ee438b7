//! The chunks output schema (`pagetree.chunks`, version 1): serialize-only types, separate from
//! the input model. One [`Chunk`] per JSON Lines line, shaped so it loads as a LangChain
//! `Document` (`page_content`, `metadata`, `id`) or a LlamaIndex `TextNode` (`text`,
//! `metadata`, `id_`).

use serde::ser::{Serialize, SerializeStruct, Serializer};

use crate::elements::TextRange;
use crate::warning::Warning;

/// Schema name written in every chunk.
pub const SCHEMA: &str = "pagetree.chunks";
/// Schema version; bumped on any incompatible change.
pub const VERSION: u32 = 1;

/// The chunks of one document.
#[derive(Debug, Clone, PartialEq)]
pub struct Chunks {
    /// The input's name, when known.
    pub source: Option<String>,
    /// The chunks, in reading order.
    pub chunks: Vec<Chunk>,
    /// What was noticed: the markdown's warnings (failed pages...) and oversize chunks.
    pub warnings: Vec<Warning>,
}

/// One chunk. Serialized as `{"schema", "version", "id", "text", "page_content", "metadata"}`
/// where `page_content` repeats `text`, so each line loads as a LangChain `Document` or a
/// LlamaIndex `TextNode` without renaming.
#[derive(Debug, Clone, PartialEq)]
pub struct Chunk {
    /// Stable id: FNV-1a 64 (hex) of the source name, the `md_range` and the `md_parts`
    /// (with table row ranges); identical across runs, thread counts and platforms.
    pub id: String,
    /// The chunk text: breadcrumb, overlap and body (see [`ChunkMetadata::body_offset`]).
    pub text: String,
    /// Provenance.
    pub metadata: ChunkMetadata,
}

impl Chunk {
    /// The body: the text without breadcrumb and overlap.
    pub fn body(&self) -> &str {
        &self.text[self.metadata.body_offset.bytes..]
    }
}

impl Serialize for Chunk {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Chunk", 6)?;
        st.serialize_field("schema", SCHEMA)?;
        st.serialize_field("version", &VERSION)?;
        st.serialize_field("id", &self.id)?;
        st.serialize_field("text", &self.text)?;
        st.serialize_field("page_content", &self.text)?;
        st.serialize_field("metadata", &self.metadata)?;
        st.end()
    }
}

/// A position in a text, in characters (Unicode scalar values) and UTF-8 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct TextPos {
    /// Characters before it.
    pub chars: usize,
    /// Bytes before it.
    pub bytes: usize,
}

/// Where a chunk came from.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ChunkMetadata {
    /// The input's name.
    pub source: Option<String>,
    /// Position of the chunk in the document, from 0.
    pub index: usize,
    /// The headings the chunk sits under, outermost first (for chunks holding several small
    /// sections, the path they share).
    pub heading_path: Vec<String>,
    /// Where the body starts in `text`, after the breadcrumb (`A > B` and a blank line) and
    /// the overlap (the end of the previous chunk and a blank line).
    pub body_offset: TextPos,
    /// First and last page.
    pub pages: [u32; 2],
    /// `items` (rendered from the item tree), `server` (the server's page markdown) or
    /// `failed_page` (the raw text of a failed page, always a chunk of its own).
    pub origin: &'static str,
    /// The kinds of the top-level items in the chunk (`heading`, `text`, `table`...), in
    /// order of first appearance; `page_text` for a page without items.
    pub kinds: Vec<&'static str>,
    /// Size of `text` in characters.
    pub chars: usize,
    /// Size of `text` in `cl100k_base` tokens, when sizes are counted in tokens.
    pub tokens: Option<usize>,
    /// The chunk is larger than the maximum because a single word, or a single table row
    /// with its header, is.
    pub oversize: bool,
    /// The part of the document markdown the body was taken from: from the start of its first
    /// part to the end of its last (half-open). Furniture or page separators between two parts
    /// lie inside it but are not in the body.
    pub md_range: TextRange,
    /// The parts of the document markdown the body is made of, in order; the body is their
    /// texts joined by a blank line (`"\n\n"`). See [`Part`].
    pub md_parts: Vec<Part>,
    /// The tables (or table pieces) in the chunk.
    pub tables: Vec<TablePiece>,
    /// Ids of the elements (as `pagetree elements` names them) whose markdown is in the chunk,
    /// in reading order, nested ones included.
    pub elements: Vec<String>,
    /// Per page: the union of the chunk's boxes and the boxes themselves.
    pub page_boxes: Vec<PageBoxes>,
    /// Failed pages right before or after the chunk (it is the last chunk before, or the
    /// first after, each).
    pub adjacent_failed_pages: Vec<u32>,
}

/// One part of a chunk's body.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Part {
    /// Its range in the document markdown (half-open).
    #[serde(flatten)]
    pub range: TextRange,
    /// `text`: the part is its slice of the markdown, verbatim. `code`: its slice holds lines
    /// of a code block; the body wraps them in the block's opening and closing fence lines.
    /// `table`: its slice holds table rows (the first piece of a table from the table's start,
    /// the last to its end; the whole table when rows cannot be located, as in a server's own
    /// HTML); the body holds the header row and those rows written in the chunk's table
    /// format.
    pub kind: &'static str,
}

/// A table, or a piece of one, inside a chunk.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TablePiece {
    /// The table's id, as `pagetree tables` and `pagetree elements` name it (`p003-t01`).
    pub id: String,
    /// The rows in this piece, half-open, counting the header as row 0: `[1, 21]` is the first
    /// twenty rows under the header. The header row is always written.
    pub rows: [usize; 2],
    /// Rows in the whole table, the header included.
    pub of: usize,
    /// Whether the header row is repeated here from the table's first piece. A header row
    /// that alone takes more than half the maximum is written once: later pieces then have an
    /// empty header row (markdown, HTML) or none (CSV), and this is `false`.
    pub header_repeated: bool,
}

/// A chunk's boxes on one page.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PageBoxes {
    /// Page number.
    pub page: u32,
    /// Page width in points, when known.
    pub width: Option<f64>,
    /// Page height in points, when known.
    pub height: Option<f64>,
    /// Union of the boxes, `[x0, y0, x1, y1]` in points; boxes with a missing coordinate,
    /// covering most of the page or repeated on unrelated items are left out of it.
    pub bbox: Option<[f64; 4]>,
    /// The union in 0..1 of the page, clamped.
    pub bbox_normalized: Option<[f64; 4]>,
    /// Every box of the chunk's elements on this page (for a piece of a paragraph, the boxes
    /// whose span of the item's markdown it overlaps).
    pub boxes: Vec<ChunkBox>,
}

/// One box of an element in a chunk.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ChunkBox {
    /// The element's id.
    pub element: String,
    /// Left edge in points, as given.
    pub x: Option<f64>,
    /// Top edge in points, as given.
    pub y: Option<f64>,
    /// Width in points, as given.
    pub w: Option<f64>,
    /// Height in points, as given.
    pub h: Option<f64>,
    /// `[x0, y0, x1, y1]` in 0..1 of the page, clamped.
    pub normalized: Option<[f64; 4]>,
    /// The box's problems, as `pagetree elements` reports them.
    pub problems: Vec<&'static str>,
}
