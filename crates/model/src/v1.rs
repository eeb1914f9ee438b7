//! The v1 JSON result (`/api/parsing/job/{id}/result/json`) and its mapping onto the v2 model.
//!
//! v1 facts keep their place: `lvl` becomes the heading level, `layoutAwareBbox` (or the single
//! `bBox`) becomes the item's boxes, `isPerfectTable` stays on the table, page `md`/`text`
//! become the markdown and text pages, `pageHeaderMarkdown`/`pageFooterMarkdown` the page's
//! header and footer, and page metadata the metadata page. Everything else (`images`, `links`,
//! `layout`, `charts`, `status`...) is kept on the page's `unknown` map.

use serde_json::Value;

use crate::bbox::BBox;
use crate::item::{Cell, Item};
use crate::page::{
    ItemsPage, ItemsResult, MarkdownPage, MarkdownResult, MetadataPage, MetadataResult, TextPage,
    TextResult,
};
use crate::response::{Job, ParseResponse};
use crate::wire::wire_object;

wire_object! {
    /// A v1 JSON result: `{pages, job_metadata}`; the Python client adds `job_id` and
    /// `file_path` and wraps results in an array.
    pub struct V1Response {
        /// The pages.
        pages: Vec<V1Page> => "pages",
        /// Credits and page counts.
        job_metadata: Value => "job_metadata",
        /// Job id (Python client).
        job_id: String => "job_id",
        /// Source file path (Python client).
        file_path: String => "file_path",
    }
}

wire_object! {
    /// One v1 page. All fields are optional in real data.
    pub struct V1Page {
        /// 1-based page number.
        page: u32 => "page",
        /// Page markdown (includes header/footer text unless the job hid them).
        md: String => "md",
        /// Page text.
        text: String => "text",
        /// Page width.
        width: f64 => "width",
        /// Page height.
        height: f64 => "height",
        /// Items.
        items: Vec<V1Item> => "items",
        /// `OK`, or an error status.
        status: String => "status",
        /// Error text of a failed page.
        error: String => "error",
        /// Page header markdown.
        page_header_markdown: String => "pageHeaderMarkdown",
        /// Page footer markdown.
        page_footer_markdown: String => "pageFooterMarkdown",
        /// Printed page number (string or number).
        printed_page_number: Value => "printedPageNumber",
        /// Confidence.
        confidence: f64 => "confidence",
        /// Orientation angle.
        original_orientation_angle: f64 => "originalOrientationAngle",
        /// Auto mode triggered.
        triggered_auto_mode: bool => "triggeredAutoMode",
        /// Cost optimiser used.
        cost_optimized: bool => "costOptimized",
        /// Slide section name.
        slide_section_name: String => "slideSectionName",
        /// Slide speaker notes.
        slide_speaker_notes: String => "slideSpeakerNotes",
    }
}

wire_object! {
    /// One v1 item: heading (`lvl`), text, or table.
    pub struct V1Item {
        /// `heading`, `text` or `table`.
        type_name: String => "type",
        /// Markdown.
        md: String => "md",
        /// Text.
        value: String => "value",
        /// Heading level.
        lvl: i64 => "lvl",
        /// The item's one outer box.
        b_box: BBox => "bBox",
        /// Segment boxes with `startIndex`/`endIndex`.
        layout_aware_bbox: Vec<BBox> => "layoutAwareBbox",
        /// Table cells.
        rows: Vec<Vec<Cell>> => "rows",
        /// Table CSV.
        csv: String => "csv",
        /// Table HTML.
        html: String => "html",
        /// Whether the table was extracted perfectly.
        is_perfect_table: bool => "isPerfectTable",
    }
}

impl V1Page {
    /// Whether the page failed: an error text, or a status that says so.
    pub fn is_failed(&self) -> bool {
        self.error.as_deref().is_some_and(|e| !e.is_empty())
            || self.status.as_deref().is_some_and(|s| {
                matches!(
                    s.to_ascii_uppercase().as_str(),
                    "ERROR" | "FAILED" | "FAILURE"
                )
            })
    }
}

impl V1Item {
    fn into_item(self) -> Item {
        let mut unknown = self.unknown;
        let bbox = match (self.layout_aware_bbox, self.b_box) {
            (Some(segments), outer) if !segments.is_empty() => {
                // Keep the outer box too: it is a v1-only fact and not derivable.
                if let Some(outer) = outer {
                    unknown.insert(
                        "bBox".into(),
                        serde_json::to_value(outer).unwrap_or_default(),
                    );
                }
                Some(segments)
            }
            (_, outer) => outer.map(|b| vec![b]),
        };
        Item {
            type_name: self.type_name,
            md: self.md,
            value: self.value,
            level: self.lvl,
            rows: self.rows,
            csv: self.csv,
            html: self.html,
            is_perfect_table: self.is_perfect_table,
            bbox,
            unknown,
            ..Item::default()
        }
    }
}

/// A v1 page split into the four v2 page lists.
#[derive(Debug, Clone, PartialEq)]
pub struct V1Parts {
    /// The `items.pages` entry (v1-only page fields kept on its `unknown` map).
    pub items: ItemsPage,
    /// The `markdown.pages` entry (page `md`, header and footer).
    pub markdown: MarkdownPage,
    /// The `text.pages` entry, when the page has text.
    pub text: Option<TextPage>,
    /// The `metadata.pages` entry.
    pub metadata: MetadataPage,
}

impl V1Page {
    /// Maps the page onto the v2 page lists; `position` (0-based) numbers pages without `page`.
    pub fn into_parts(self, position: usize) -> V1Parts {
        let p = self;
        let number = p.page.unwrap_or(position as u32 + 1);
        let failed = p.is_failed();
        let mut unknown = p.unknown;
        if let Some(s) = p.status {
            unknown.insert("status".into(), Value::String(s));
        }
        let metadata = MetadataPage {
            page_number: Some(number),
            confidence: p.confidence,
            cost_optimized: p.cost_optimized,
            original_orientation_angle: p.original_orientation_angle,
            printed_page_number: p.printed_page_number.and_then(|v| match v {
                Value::String(s) => Some(s),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            }),
            slide_section_name: p.slide_section_name,
            speaker_notes: p.slide_speaker_notes,
            triggered_auto_mode: p.triggered_auto_mode,
            ..MetadataPage::default()
        };
        let text = p.text.map(|t| TextPage {
            page_number: Some(number),
            text: Some(t),
            ..Default::default()
        });
        let error = failed.then(|| p.error.clone().unwrap_or_else(|| "page failed".into()));
        let markdown = MarkdownPage {
            page_number: Some(number),
            markdown: if failed { None } else { p.md },
            success: failed.then_some(false),
            error: error.clone(),
            header: p.page_header_markdown,
            footer: p.page_footer_markdown,
            ..Default::default()
        };
        let items = ItemsPage {
            page_number: Some(number),
            page_width: p.width,
            page_height: p.height,
            success: failed.then_some(false),
            error,
            items: p
                .items
                .map(|v| v.into_iter().map(V1Item::into_item).collect()),
            unknown,
            ..Default::default()
        };
        V1Parts {
            items,
            markdown,
            text,
            metadata,
        }
    }
}

impl V1Response {
    /// Maps the v1 result onto the v2 model (see the module docs).
    pub fn into_response(self) -> ParseResponse {
        let pages = self.pages.unwrap_or_default();
        let mut items = Vec::with_capacity(pages.len());
        let mut markdown = Vec::with_capacity(pages.len());
        let mut text = Vec::with_capacity(pages.len());
        let mut metadata = Vec::with_capacity(pages.len());
        for (i, p) in pages.into_iter().enumerate() {
            let parts = p.into_parts(i);
            items.push(parts.items);
            markdown.push(parts.markdown);
            text.extend(parts.text);
            metadata.push(parts.metadata);
        }
        let mut unknown = self.unknown;
        if let Some(path) = self.file_path {
            unknown.insert("file_path".into(), Value::String(path));
        }
        ParseResponse {
            job: self.job_id.map(|id| Job {
                id: Some(id),
                ..Job::default()
            }),
            items: Some(ItemsResult {
                pages: Some(items),
                ..Default::default()
            }),
            markdown: Some(MarkdownResult {
                pages: Some(markdown),
                ..Default::default()
            }),
            text: Some(TextResult {
                pages: Some(text),
                ..Default::default()
            }),
            metadata: Some(MetadataResult {
                pages: Some(metadata),
                ..Default::default()
            }),
            job_metadata: self.job_metadata,
            unknown,
            ..ParseResponse::default()
        }
    }
}
