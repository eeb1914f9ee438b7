//! The four page lists of a v2 response (`items`, `markdown`, `text`, `metadata`), as written.

use crate::item::Item;
use crate::wire::wire_object;

wire_object! {
    /// One page of `items.pages`: a structured page, or a failed page
    /// (`{page_number, error, success: false}`).
    pub struct ItemsPage {
        /// 1-based page number.
        page_number: u32 => "page_number",
        /// Page width in points (missing in client-library dumps).
        page_width: f64 => "page_width",
        /// Page height in points (missing in client-library dumps).
        page_height: f64 => "page_height",
        /// `false` on failed pages.
        success: bool => "success",
        /// Why the page failed.
        error: String => "error",
        /// The page's items in reading order.
        items: Vec<Item> => "items",
    }
}

impl ItemsPage {
    /// Whether the page failed (`success: false`, or an error without items).
    pub fn is_failed(&self) -> bool {
        self.success == Some(false) || (self.error.is_some() && self.items.is_none())
    }

    /// The page's items (empty when missing).
    pub fn items(&self) -> &[Item] {
        self.items.as_deref().unwrap_or(&[])
    }

    /// `(width, height)` when both are known and positive.
    pub fn size(&self) -> Option<(f64, f64)> {
        match (self.page_width, self.page_height) {
            (Some(w), Some(h)) if w > 0.0 && h > 0.0 => Some((w, h)),
            _ => None,
        }
    }
}

wire_object! {
    /// One page of `markdown.pages`: the server's page markdown, or a failed page.
    pub struct MarkdownPage {
        /// 1-based page number.
        page_number: u32 => "page_number",
        /// The page markdown (without header and footer text).
        markdown: String => "markdown",
        /// `false` on failed pages.
        success: bool => "success",
        /// Why the page failed.
        error: String => "error",
        /// The page header in markdown.
        header: String => "header",
        /// The page footer in markdown.
        footer: String => "footer",
    }
}

impl MarkdownPage {
    /// Whether the page failed.
    pub fn is_failed(&self) -> bool {
        self.success == Some(false) || (self.error.is_some() && self.markdown.is_none())
    }
}

wire_object! {
    /// One page of `text.pages` (there is no failed variant).
    pub struct TextPage {
        /// 1-based page number.
        page_number: u32 => "page_number",
        /// The page's plain text, laid out with spaces.
        text: String => "text",
    }
}

wire_object! {
    /// One page of `metadata.pages`.
    pub struct MetadataPage {
        /// 1-based page number.
        page_number: u32 => "page_number",
        /// Parsing confidence, 0..1.
        confidence: f64 => "confidence",
        /// Whether cost-optimised parsing was used.
        cost_optimized: bool => "cost_optimized",
        /// Original orientation of the page in degrees.
        original_orientation_angle: f64 => "original_orientation_angle",
        /// The page number printed on the page.
        printed_page_number: String => "printed_page_number",
        /// Slide section name (presentations).
        slide_section_name: String => "slide_section_name",
        /// Speaker notes (presentations).
        speaker_notes: String => "speaker_notes",
        /// Whether auto mode was triggered.
        triggered_auto_mode: bool => "triggered_auto_mode",
    }
}

wire_object! {
    /// `items`: `{pages: [...]}`.
    pub struct ItemsResult {
        /// The structured pages.
        pages: Vec<ItemsPage> => "pages",
    }
}

wire_object! {
    /// `markdown`: `{pages: [...]}`.
    pub struct MarkdownResult {
        /// The markdown pages.
        pages: Vec<MarkdownPage> => "pages",
    }
}

wire_object! {
    /// `text`: `{pages: [...]}`.
    pub struct TextResult {
        /// The text pages.
        pages: Vec<TextPage> => "pages",
    }
}

wire_object! {
    /// `metadata`: `{pages: [...]}`.
    pub struct MetadataResult {
        /// The metadata pages.
        pages: Vec<MetadataPage> => "pages",
    }
}
