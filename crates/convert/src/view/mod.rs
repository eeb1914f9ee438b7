//! A self-contained HTML view of a document: every page drawn as SVG at its size in points with
//! its items' boxes (coloured by kind, numbered in reading order, furniture shaded, junk boxes
//! marked), beside the page's markdown rendered to HTML; hovering or clicking either side
//! highlights the other. Two more modes show the RAG chunks (a chunk's boxes light up on every
//! page it cites) and the table-quality findings (tables outlined by status, findings and the
//! parsed grid listed).
//!
//! The view consumes the other writers' outputs (markdown, elements, chunks, quality) rather
//! than re-deriving them, embeds them once as JSON, and draws pages lazily with a small script
//! of its own; the file opens from disk with no network access (a Content-Security-Policy
//! forbids any fetch but page images the caller supplies).
//!
//! ```
//! use pagetree_convert::view::{ViewOptions, render};
//!
//! let json = br##"{"pages": [{"page_number": 1, "page_width": 600, "page_height": 800, "items": [
//!     {"type": "heading", "level": 1, "md": "# Scope <script>", "value": "Scope",
//!      "bbox": [{"x": 60, "y": 40, "w": 200, "h": 20}]}]}]}"##;
//! let doc = pagetree_model::load_document(json, Some("scope.json")).unwrap();
//! let view = render(&doc, &ViewOptions::default());
//! assert!(view.html.starts_with("<!DOCTYPE html>"));
//! assert!(!view.html.contains("<script>\""));
//! assert!(view.html.contains(r#"\u003ch1\u003eScope \u0026lt;script\u003e"#));
//! ```

mod html;

use std::collections::BTreeMap;
use std::ops::Range;

use pagetree_model::Document;
use serde::Serialize;

use crate::chunks::{ChunkOptions, Chunks};
use crate::elements::{ElementOptions, Elements};
use crate::markdown::MarkdownOptions;
use crate::pages::{PageKind, Rendered};
use crate::quality::{QualityOptions, QualityReport, TableReport};
use crate::tables::{Representations, table_ids};
use crate::warning::Warning;

const TEMPLATE: &str = include_str!("template.html");
const STYLE: &str = include_str!("view.css");
const SCRIPT: &str = include_str!("view.js");

/// Schema name of the data embedded in the page (for scripts that read it back).
pub const SCHEMA: &str = "pagetree.view";
/// Version of the embedded data; bumped on any incompatible change.
pub const VERSION: u32 = 1;

/// Grid rows embedded per table; the view says how many more there are.
const MAX_GRID_ROWS: usize = 500;

/// Options for [`render`].
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct ViewOptions {
    /// The markdown shown beside each page (and that `md_range` links to). Default:
    /// [`MarkdownOptions::default`], the same as `pagetree markdown` writes by default.
    pub markdown: MarkdownOptions,
    /// How the chunks shown in the chunks mode are cut. Their `markdown` field is replaced by
    /// [`ViewOptions::markdown`]. Default: [`ChunkOptions::default`].
    pub chunks: ChunkOptions,
    /// The table checks. Default: [`QualityOptions::default`].
    pub quality: QualityOptions,
    /// Page images drawn under the boxes. Default: none.
    pub images: Vec<PageImage>,
}

/// An image of one page, drawn under its boxes stretched to the page's size.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PageImage {
    /// The page number.
    pub page: u32,
    /// What the `<image href>` gets: a `data:` URL (embedded) or a path relative to the HTML
    /// file (linked). Only `data:` and relative or `file:` URLs load: the view forbids
    /// network access.
    pub src: String,
}

impl PageImage {
    /// The image `src` of page `page`.
    pub fn new(page: u32, src: impl Into<String>) -> Self {
        PageImage {
            page,
            src: src.into(),
        }
    }
}

/// The view of one document.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct View {
    /// The HTML file.
    pub html: String,
    /// What the writers it consumed noticed (failed pages, oversize chunks...), deduplicated.
    pub warnings: Vec<Warning>,
}

/// Builds the view of a document.
pub fn render(doc: &Document, opts: &ViewOptions) -> View {
    let md = crate::markdown::render(doc, &opts.markdown);
    let mut chunk_opts = opts.chunks.clone();
    chunk_opts.markdown = opts.markdown.clone();
    let (els, (chunks, quality)) = rayon::join(
        || crate::elements::collect(doc, &ElementOptions::default(), Some(&md)),
        || {
            rayon::join(
                || crate::chunks::split(doc, &chunk_opts),
                || crate::quality::assess(doc, &opts.quality),
            )
        },
    );
    let data = data(doc, opts, &md, &els, &chunks, &quality);
    let json = script_safe_json(&serde_json::to_string(&data).unwrap_or_default());
    let title = doc.source.as_deref().unwrap_or("pagetree view");
    let html = fill(
        TEMPLATE,
        &[
            ("TITLE", &html_escape::encode_text(title)),
            ("STYLE", STYLE),
            ("SCRIPT", SCRIPT),
            ("DATA", &json),
        ],
    );
    let mut warnings: Vec<Warning> = md.warnings.clone();
    for w in &chunks.warnings {
        if !warnings.contains(w) {
            warnings.push(w.clone());
        }
    }
    View { html, warnings }
}

/// The template with each `{{NAME}}` replaced, in one pass: a value is never searched for
/// placeholders (a title may well contain `{{DATA}}`).
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out =
        String::with_capacity(template.len() + values.iter().map(|v| v.1.len()).sum::<usize>());
    let mut rest = template;
    while let Some(i) = rest.find("{{") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        match after.find("}}").and_then(|e| {
            values
                .iter()
                .find(|(k, _)| *k == &after[..e])
                .map(|(_, v)| (e, v))
        }) {
            Some((e, v)) => {
                out.push_str(v);
                rest = &after[e + 2..];
            }
            None => {
                out.push_str("{{");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// JSON that can sit inside a `<script>` element: no `<` (so no `</script>` or `<!--`), `>`
/// or `&`, and no U+2028/U+2029 (line ends to old JavaScript parsers). All of them only occur
/// inside JSON strings, where the `\u` escapes mean the same.
fn script_safe_json(json: &str) -> String {
    let mut out = String::with_capacity(json.len() + json.len() / 16);
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// Everything the page script draws from.
#[derive(Serialize)]
struct Data<'a> {
    schema: &'static str,
    version: u32,
    source: Option<&'a str>,
    pages: Vec<PageData>,
    elements: Vec<ElementData<'a>>,
    chunks: Vec<ChunkData<'a>>,
    tables: Vec<TableData<'a>>,
    summary: SummaryData<'a>,
    warnings: Vec<String>,
}

#[derive(Serialize)]
struct SummaryData<'a> {
    elements: &'a crate::elements::Summary,
    quality: &'a crate::quality::Summary,
    chunks: usize,
    failed_pages: Vec<u32>,
}

/// One page: size (and where it came from), status, markdown HTML, image.
#[derive(Serialize)]
struct PageData {
    page: u32,
    /// Width and height in points as drawn.
    w: f64,
    h: f64,
    /// `page` (the response gives the size), `boxes` (the extent of the page's boxes) or
    /// `none` (no size and no boxes: a letter page is assumed).
    size_from: &'static str,
    status: &'static str,
    error: Option<String>,
    /// `items`, `server`, `failed`, `missing`, or `unselected` (outside `--pages`).
    md_kind: &'static str,
    md_html: String,
    image: Option<String>,
}

/// Fields that are usually empty are left out (the script reads a missing field as empty):
/// on a 300-page response they were a fifth of the file.
#[derive(Serialize)]
struct ElementData<'a> {
    id: &'a str,
    page: u32,
    kind: &'static str,
    order: usize,
    #[serde(skip_serializing_if = "is_zero")]
    depth: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    parent: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    furniture: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    table: Option<&'a str>,
    /// The start of the plain text, for tooltips and the details panel; only for elements
    /// the markdown leaves out (the script reads the others' text from their markdown).
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    md: Option<[usize; 2]>,
    boxes: Vec<BoxData>,
    /// Boxes that cannot be drawn (a coordinate is missing).
    #[serde(skip_serializing_if = "is_zero")]
    undrawn: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

#[derive(Serialize)]
struct BoxData {
    b: [f64; 4],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    problems: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    label: Option<String>,
}

#[derive(Serialize)]
struct ChunkData<'a> {
    id: &'a str,
    index: usize,
    pages: [u32; 2],
    heading_path: &'a [String],
    text: &'a str,
    chars: usize,
    tokens: Option<usize>,
    oversize: bool,
    kinds: &'a [&'static str],
    elements: &'a [String],
    tables: Vec<&'a str>,
    /// `[page, x, y, w, h]` per drawable box.
    boxes: Vec<[f64; 5]>,
}

#[derive(Serialize)]
struct TableData<'a> {
    #[serde(flatten)]
    report: &'a TableReport,
    element: Option<&'a str>,
    grid: Option<Vec<Vec<String>>>,
    grid_rows: usize,
}

fn data<'a>(
    doc: &'a Document,
    opts: &ViewOptions,
    md: &Rendered,
    els: &'a Elements,
    chunks: &'a Chunks,
    quality: &'a QualityReport,
) -> Data<'a> {
    let elements: Vec<ElementData<'a>> = els.elements.iter().map(element_data).collect();
    let pages = els
        .pages
        .iter()
        .map(|p| page_data(doc, opts, md, p, &elements))
        .collect();
    let table_elements: BTreeMap<&str, &str> = els
        .elements
        .iter()
        .filter_map(|e| Some((e.table.as_ref()?.id.as_str(), e.id.as_str())))
        .collect();
    Data {
        schema: SCHEMA,
        version: VERSION,
        source: doc.source.as_deref(),
        pages,
        chunks: chunks.chunks.iter().map(chunk_data).collect(),
        tables: tables_data(doc, quality, &table_elements),
        summary: SummaryData {
            elements: &els.summary,
            quality: &quality.summary,
            chunks: chunks.chunks.len(),
            failed_pages: els
                .pages
                .iter()
                .filter(|p| p.status == "failed")
                .map(|p| p.page)
                .collect(),
        },
        warnings: {
            let mut seen: Vec<String> = Vec::new();
            for w in md.warnings.iter().chain(&chunks.warnings) {
                let w = w.to_string();
                if !seen.contains(&w) {
                    seen.push(w);
                }
            }
            seen
        },
        elements,
    }
}

fn element_data(e: &crate::elements::Element) -> ElementData<'_> {
    let mut boxes = Vec::new();
    let mut undrawn = 0;
    for b in &e.boxes {
        match (b.x, b.y, b.w, b.h) {
            (Some(x), Some(y), Some(w), Some(h)) if [x, y, w, h].iter().all(|v| v.is_finite()) => {
                boxes.push(BoxData {
                    b: [x, y, w, h],
                    problems: b.problems.clone(),
                    label: b.label.clone(),
                });
            }
            _ => undrawn += 1,
        }
    }
    // The start only, and only where the markdown beside the page does not hold it.
    let text = e.md_range.is_none().then(|| {
        let mut text: String = e.text.chars().take(240).collect();
        if text.len() < e.text.len() {
            text.push('…');
        }
        text
    });
    ElementData {
        id: &e.id,
        page: e.page,
        kind: e.kind,
        order: e.order,
        depth: e.depth,
        parent: e.parent.as_deref(),
        furniture: e.furniture,
        table: e.table.as_ref().map(|t| t.id.as_str()),
        text,
        md: e.md_range.map(|r| r.bytes),
        boxes,
        undrawn,
    }
}

fn page_data(
    doc: &Document,
    opts: &ViewOptions,
    md: &Rendered,
    info: &crate::elements::PageInfo,
    elements: &[ElementData<'_>],
) -> PageData {
    let size = match (info.width, info.height) {
        (Some(w), Some(h)) if w > 0.0 && h > 0.0 => Some((w, h)),
        _ => doc
            .page(info.page)
            .and_then(|p| p.size())
            .filter(|&(w, h)| w > 0.0 && h > 0.0),
    };
    let (w, h, size_from) = match size {
        Some((w, h)) => (w, h, "page"),
        None => {
            let extent = elements
                .iter()
                .filter(|e| e.page == info.page)
                .flat_map(|e| &e.boxes)
                .fold(None, |acc: Option<(f64, f64)>, b| {
                    let (r, bottom) = (b.b[0] + b.b[2].max(0.0), b.b[1] + b.b[3].max(0.0));
                    Some(acc.map_or((r, bottom), |(w, h)| (w.max(r), h.max(bottom))))
                });
            match extent {
                Some((w, h)) if w > 0.0 && h > 0.0 => (w, h, "boxes"),
                _ => (612.0, 792.0, "none"),
            }
        }
    };
    let rendered = md.pages.iter().find(|p| p.number == info.page);
    let (md_kind, md_html) = match rendered {
        Some(p) => {
            let kind = match p.kind {
                PageKind::Items => "items",
                PageKind::Server => "server",
                PageKind::Failed => "failed",
                PageKind::Missing => "missing",
            };
            (
                kind,
                html::page_html(&md.output, p.bytes.clone(), &cuts(md, p.bytes.clone())),
            )
        }
        None => ("unselected", String::new()),
    };
    PageData {
        page: info.page,
        w,
        h,
        size_from,
        status: info.status,
        error: info.error.clone(),
        md_kind,
        md_html,
        image: opts
            .images
            .iter()
            .find(|i| i.page == info.page)
            .map(|i| i.src.clone()),
    }
}

/// The byte ranges of the top-level items rendered inside `page` (nested items, such as list
/// entries or a header's contents, lie inside their parent's range).
fn cuts(md: &Rendered, page: Range<usize>) -> Vec<Range<usize>> {
    let mut spans: Vec<Range<usize>> = md
        .spans
        .iter()
        .map(|s| s.bytes.clone())
        .filter(|b| b.start >= page.start && b.end <= page.end && b.start < b.end)
        .collect();
    spans.sort_by_key(|b| (b.start, std::cmp::Reverse(b.end)));
    let mut out: Vec<Range<usize>> = Vec::new();
    for s in spans {
        if out.last().is_none_or(|l| s.start >= l.end) {
            out.push(s);
        }
    }
    out
}

fn chunk_data(c: &crate::chunks::Chunk) -> ChunkData<'_> {
    let m = &c.metadata;
    let boxes = m
        .page_boxes
        .iter()
        .flat_map(|pb| {
            pb.boxes.iter().filter_map(move |b| {
                Some([f64::from(pb.page), b.x?, b.y?, b.w?, b.h?])
                    .filter(|v| v.iter().all(|n| n.is_finite()))
            })
        })
        .collect();
    ChunkData {
        id: &c.id,
        index: m.index,
        pages: m.pages,
        heading_path: &m.heading_path,
        text: &c.text,
        chars: m.chars,
        tokens: m.tokens,
        oversize: m.oversize,
        kinds: &m.kinds,
        elements: &m.elements,
        tables: m.tables.iter().map(|t| t.id.as_str()).collect(),
        boxes,
    }
}

fn tables_data<'a>(
    doc: &'a Document,
    quality: &'a QualityReport,
    table_elements: &BTreeMap<&str, &'a str>,
) -> Vec<TableData<'a>> {
    let walk = doc.walk();
    let items: BTreeMap<String, usize> = table_ids(doc)
        .into_iter()
        .map(|(index, id)| (id, index))
        .collect();
    quality
        .tables
        .iter()
        .map(|t| {
            // The grid the checks read, so the findings' rows and columns point into it.
            let reps = items
                .get(&t.id)
                .and_then(|&i| walk.get(i))
                .map(|r| Representations::of(r.item));
            let grid = reps
                .as_ref()
                .zip(t.source)
                .and_then(|(reps, s)| reps.get(s))
                .map(|g| g.cells[..g.cells.len().min(MAX_GRID_ROWS)].to_vec());
            let grid_rows = reps
                .as_ref()
                .zip(t.source)
                .and_then(|(reps, s)| reps.get(s))
                .map_or(0, |g| g.cells.len());
            TableData {
                report: t,
                element: table_elements.get(t.id.as_str()).copied(),
                grid,
                grid_rows,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_once() {
        assert_eq!(
            fill(
                "<t>{{TITLE}}</t>{{DATA}}{{X}}",
                &[("TITLE", "{{DATA}}"), ("DATA", "d")]
            ),
            "<t>{{DATA}}</t>d{{X}}"
        );
    }

    #[test]
    fn json_cannot_end_the_script() {
        let s = script_safe_json(r#"{"a":"</script><!-- & \u2028"}"#);
        assert!(!s.contains('<') && !s.contains('>') && !s.contains('&'));
        let back: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back["a"], "</script><!-- & \u{2028}");
        let sep = script_safe_json("\"\u{2028}\u{2029}\"");
        assert_eq!(sep, "\"\\u2028\\u2029\"");
    }
}
