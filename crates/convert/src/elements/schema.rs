//! The elements output schema (`pagetree.elements`, version 1): serialize-only types, separate
//! from the input model, so the output can stay stable while the reader evolves.

use std::collections::BTreeMap;

use serde::Serialize;

use super::spans::TextRange;

/// Schema name written in every elements document.
pub const SCHEMA: &str = "pagetree.elements";
/// Schema version; bumped on any incompatible change.
pub const VERSION: u32 = 1;

/// Every element of a document with its page, place, boxes and markdown span.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Elements {
    /// Always [`SCHEMA`].
    pub schema: &'static str,
    /// Always [`VERSION`].
    pub version: u32,
    /// The input's name, when known.
    pub source: Option<String>,
    /// The detected input shape (`v2`, `v1`...).
    pub format: Option<String>,
    /// Every page, in page-number order.
    pub pages: Vec<PageInfo>,
    /// Every item, nested ones included, in reading order.
    pub elements: Vec<Element>,
    /// Counts per kind and per box problem.
    pub summary: Summary,
}

/// One page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PageInfo {
    /// Page number.
    pub page: u32,
    /// Width in points, when known.
    pub width: Option<f64>,
    /// Height in points, when known.
    pub height: Option<f64>,
    /// `ok` or `failed`.
    pub status: &'static str,
    /// The failure message of a failed page.
    pub error: Option<String>,
}

/// One item of the page tree.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Element {
    /// Stable id: `p{page}-e{n}`, `n` counting the page's items from 1 in reading order.
    pub id: String,
    /// Page number.
    pub page: u32,
    /// Kind: `text`, `heading`, `list`, `code`, `table`, `image`, `link`, `header`, `footer`
    /// or `unknown`.
    pub kind: &'static str,
    /// The `type` as written when the kind is unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unknown_type: Option<String>,
    /// Whether the kind was inferred because `type` was missing.
    pub kind_inferred: bool,
    /// Id of the parent element (list or header/footer container).
    pub parent: Option<String>,
    /// Position in the document's reading order, from 0.
    pub order: usize,
    /// Nesting depth (0 for top-level items).
    pub depth: usize,
    /// Heading level 1-6, for headings.
    pub level: Option<u8>,
    /// The headings above this element, outermost first, across pages (page headers and
    /// footers do not take part).
    pub heading_path: Vec<String>,
    /// `header` or `footer` when the element is page furniture.
    pub furniture: Option<&'static str>,
    /// Plain text.
    pub text: String,
    /// The item's markdown as given by the server (box spans index into it).
    pub md: String,
    /// Where the element's markdown sits in the document markdown rendered with the same
    /// options (`null` when that markdown leaves it out: hidden furniture, merged-table stubs,
    /// pages outside the selection).
    pub md_range: Option<TextRange>,
    /// For tables: shape and the id used by `pagetree tables`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<TableInfo>,
    /// Every box (segment) of the item.
    pub boxes: Vec<ElementBox>,
    /// The item's JSON path in the input, e.g. `items.pages[2].items[5]`.
    pub path: String,
}

/// A table element's shape and identity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableInfo {
    /// The id `pagetree tables` uses (`p003-t01`).
    pub id: String,
    /// Rows in `rows`.
    pub rows: usize,
    /// Columns (the longest row).
    pub columns: usize,
    /// Pages merged into this table by the server.
    pub merged_from_pages: Option<Vec<u32>>,
    /// For a stub: the page where the merged table begins.
    pub merged_into_page: Option<u32>,
}

/// One box of an element.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ElementBox {
    /// Left edge in points, as given.
    pub x: Option<f64>,
    /// Top edge in points, as given.
    pub y: Option<f64>,
    /// Width in points, as given.
    pub w: Option<f64>,
    /// Height in points, as given.
    pub h: Option<f64>,
    /// `[x0, y0, x1, y1]` in 0..1 of the page, clamped; `null` when a coordinate or the page
    /// size is unknown.
    pub normalized: Option<[f64; 4]>,
    /// The layout model's class.
    pub label: Option<String>,
    /// The layout model's confidence.
    pub confidence: Option<f64>,
    /// The part of the element's `md` this box covers, half-open, in characters and bytes
    /// (the input's `end_index` is inclusive).
    pub span: Option<TextRange>,
    /// What is wrong with the box: `null_coordinate`, `negative`, `zero_size`,
    /// `outside_page`, `near_full_page`, `duplicate` (the same box as an unrelated element),
    /// `span_out_of_range` (its indexes fall outside `md`).
    pub problems: Vec<&'static str>,
}

/// Counts over the whole document.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Summary {
    /// Number of elements.
    pub elements: usize,
    /// Elements per kind.
    pub kinds: BTreeMap<&'static str, usize>,
    /// Number of boxes.
    pub boxes: usize,
    /// Boxes per problem.
    pub box_problems: BTreeMap<&'static str, usize>,
    /// Elements that have an `md_range`.
    pub with_md_range: usize,
}
