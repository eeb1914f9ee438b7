//! What the markdown and text writers share: which pages to render and from which source,
//! failed pages, and how rendered pages are joined (separator, prefix, suffix) into one output
//! with a map of where each page and item landed.
//!
//! A writer supplies only "render this page's content"; planning, the parallel run (indexed
//! `par_iter`, ordered collect, so output never depends on the thread count) and assembly live
//! here.

use std::fmt;
use std::io::{self, Write};
use std::ops::{Range, RangeInclusive};
use std::str::FromStr;

use pagetree_model::{Document, Item, Page};
use rayon::prelude::*;

use crate::furniture::{Detection, Furniture, FurnitureMode};
use crate::warning::Warning;

/// The API's default page separator.
pub const DEFAULT_PAGE_SEPARATOR: &str = "\n---\n";

/// The placeholder replaced by a page number in separators, prefixes and suffixes.
pub const PAGE_NUMBER: &str = "{pageNumber}";

/// Where a page's content comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Source {
    /// The item tree when the response has one, else the server's pages.
    #[default]
    Auto,
    /// Render from the item tree (`items.pages`).
    Items,
    /// Use the server's page markdown (`markdown.pages`) or text (`text.pages`).
    Server,
}

/// What replaces a failed page (the API's `replace_failed_page_mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum FailedPageMode {
    /// The page's text from `text.pages` (`raw_text`); the error message when there is none.
    #[default]
    RawText,
    /// Nothing (`blank_page`).
    Blank,
    /// The error message between the failed-page prefix and suffix (`error_message`).
    ErrorMessage,
}

impl FailedPageMode {
    /// The API's name: `raw_text`, `blank_page` or `error_message`.
    pub fn api_name(self) -> &'static str {
        match self {
            FailedPageMode::RawText => "raw_text",
            FailedPageMode::Blank => "blank_page",
            FailedPageMode::ErrorMessage => "error_message",
        }
    }

    /// Reads the API's name.
    pub fn from_api_name(s: &str) -> Option<Self> {
        Some(match s {
            "raw_text" => FailedPageMode::RawText,
            "blank_page" => FailedPageMode::Blank,
            "error_message" => FailedPageMode::ErrorMessage,
            _ => return None,
        })
    }
}

/// A set of page numbers such as `3-7,10` or `5-` (5 to the end). Empty means every page.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PageSelection {
    ranges: Vec<RangeInclusive<u32>>,
}

impl PageSelection {
    /// Every page.
    pub fn all() -> Self {
        PageSelection::default()
    }

    /// Whether every page is selected.
    pub fn is_all(&self) -> bool {
        self.ranges.is_empty()
    }

    /// Whether the page is selected.
    pub fn contains(&self, page: u32) -> bool {
        self.is_all() || self.ranges.iter().any(|r| r.contains(&page))
    }

    /// The ranges as given.
    pub fn ranges(&self) -> &[RangeInclusive<u32>] {
        &self.ranges
    }
}

impl PageSelection {
    /// The document limited to the selected pages: the one place a selection is applied for
    /// every output of a conversion (tables, elements, quality and the markdown and text the
    /// others point into). Borrowed when every page is selected; otherwise the page join is
    /// filtered (the pages' content is shared with nothing: the response is cloned, so
    /// callers that own the document use [`retain_in`](Self::retain_in) instead).
    ///
    /// ```
    /// use pagetree_convert::pages::PageSelection;
    /// let doc = pagetree_model::load_document(br#"{"pages": [{"page_number": 1, "items": []},
    ///     {"page_number": 2, "items": []}, {"page_number": 3, "items": []}]}"#, None).unwrap();
    /// let sel: PageSelection = "2-".parse().unwrap();
    /// let numbers: Vec<u32> = sel.apply(&doc).pages().map(|p| p.number()).collect();
    /// assert_eq!(numbers, [2, 3]);
    /// ```
    pub fn apply<'d>(&self, doc: &'d Document) -> std::borrow::Cow<'d, Document> {
        if self.is_all() || doc.pages.iter().all(|p| self.contains(p.number)) {
            return std::borrow::Cow::Borrowed(doc);
        }
        let mut d = doc.clone();
        self.retain_in(&mut d);
        std::borrow::Cow::Owned(d)
    }

    /// Limits a document to the selected pages in place (see [`apply`](Self::apply)).
    pub fn retain_in(&self, doc: &mut Document) {
        if !self.is_all() {
            doc.pages.retain(|p| self.contains(p.number));
        }
    }

    /// The first range that starts past the last of `pages` (page numbers), which selects
    /// nothing there: `Some("9-12")`. Ranges that reach past the end but start inside are
    /// fine (`3-` on five pages; a gap is a `pages_not_found` warning).
    pub fn past_end(&self, pages: impl Iterator<Item = u32>) -> Option<String> {
        let last = pages.max().unwrap_or(0);
        self.ranges
            .iter()
            .find(|r| *r.start() > last)
            .map(|r| match (*r.start(), *r.end()) {
                (a, b) if a == b => a.to_string(),
                (a, u32::MAX) => format!("{a}-"),
                (a, b) => format!("{a}-{b}"),
            })
    }
}

/// Why a page selection could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageSelectionError(String);

impl fmt::Display for PageSelectionError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PageSelectionError {}

impl FromStr for PageSelection {
    type Err = PageSelectionError;

    /// Reads `N`, `A-B` and `A-` parts separated by commas (pages are 1-based).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = |m: String| PageSelectionError(m);
        let number = |t: &str| -> Result<u32, PageSelectionError> {
            match t.trim().parse::<u32>() {
                Ok(0) => Err(err("page numbers start at 1".into())),
                Ok(n) => Ok(n),
                Err(_) => Err(err(format!("`{}` is not a page number", t.trim()))),
            }
        };
        let mut ranges = Vec::new();
        for part in s.split(',') {
            let part = part.trim();
            if part.is_empty() {
                return Err(err(format!("empty part in page list `{s}`")));
            }
            let range = match part.split_once('-') {
                None => {
                    let n = number(part)?;
                    n..=n
                }
                Some((a, b)) if b.trim().is_empty() => number(a)?..=u32::MAX,
                Some((a, b)) => {
                    let (a, b) = (number(a)?, number(b)?);
                    if a > b {
                        return Err(err(format!("page range `{part}` runs backwards")));
                    }
                    a..=b
                }
            };
            ranges.push(range);
        }
        Ok(PageSelection { ranges })
    }
}

/// The page options the markdown and text writers share, under the API's names where it has
/// them.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PageOptions {
    /// Where content comes from. Default: [`Source::Auto`] (items when present).
    pub source: Source,
    /// Which pages to render. Default: all.
    pub selection: PageSelection,
    /// Written between two pages; `{pageNumber}` is the NEXT page's number (`page_separator`).
    /// Default: `"\n---\n"`.
    pub separator: String,
    /// Written before each page; `{pageNumber}` is the page's number (`page_prefix`).
    /// Default: empty.
    pub prefix: String,
    /// Written after each page; `{pageNumber}` is the page's number (`page_suffix`).
    /// Default: empty.
    pub suffix: String,
    /// Page headers (`hide_headers`, `page_header_prefix/suffix`). Default: keep.
    pub headers: FurnitureMode,
    /// Page footers (`hide_footers`, `page_footer_prefix/suffix`). Default: keep.
    pub footers: FurnitureMode,
    /// Whether running heads and feet typed as text are found and treated as headers and
    /// footers (see [`crate::furniture`]). Default: [`Detection::Auto`].
    pub detect: Detection,
    /// What replaces a failed page (`replace_failed_page_mode`). Default: raw text.
    pub failed: FailedPageMode,
    /// Before the error message of a failed page
    /// (`replace_failed_page_with_error_message_prefix`). Default: empty.
    pub failed_prefix: String,
    /// After the error message of a failed page
    /// (`replace_failed_page_with_error_message_suffix`). Default: empty.
    pub failed_suffix: String,
}

impl PageOptions {
    /// How headers or footers (`layer`) are written.
    pub(crate) fn furniture(&self, layer: Furniture) -> &FurnitureMode {
        match layer {
            Furniture::Header => &self.headers,
            Furniture::Footer => &self.footers,
        }
    }
}

impl Default for PageOptions {
    fn default() -> Self {
        PageOptions {
            source: Source::Auto,
            selection: PageSelection::all(),
            separator: DEFAULT_PAGE_SEPARATOR.into(),
            prefix: String::new(),
            suffix: String::new(),
            headers: FurnitureMode::Keep,
            footers: FurnitureMode::Keep,
            detect: Detection::Auto,
            failed: FailedPageMode::RawText,
            failed_prefix: String::new(),
            failed_suffix: String::new(),
        }
    }
}

/// Where one rendered item landed in the output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemSpan {
    /// The item's index in [`Document::walk`] order.
    pub walk_index: usize,
    /// The item's page number.
    pub page: u32,
    /// The byte range of its rendering in [`Rendered::output`]. For a list entry: its line(s)
    /// from the marker on; for a table continued from another page by table merging: the
    /// lines of its rows inside the merged table.
    pub bytes: Range<usize>,
}

/// How a rendered page got its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PageKind {
    /// Rendered from the item tree.
    Items,
    /// The server's page markdown or text.
    Server,
    /// A failed page, replaced as [`PageOptions::failed`] says.
    Failed,
    /// No source had this page; its content is empty.
    Missing,
}

/// One page of the output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedPage {
    /// The page number.
    pub number: u32,
    /// Its bytes in [`Rendered::output`]: prefix, content and suffix, without separators.
    pub bytes: Range<usize>,
    /// Where its content came from.
    pub kind: PageKind,
}

/// A writer's output: the text, where each page and item went, and what was worked around.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Rendered {
    /// The whole output.
    pub output: String,
    /// The rendered pages, in page order.
    pub pages: Vec<RenderedPage>,
    /// For every item rendered from the tree, where its rendering is, sorted by walk index.
    /// Items that produce nothing (hidden furniture, omitted images, merge stubs) have none.
    pub spans: Vec<ItemSpan>,
    /// What was noticed: failed pages (always, by number), missing sources, ignored options.
    pub warnings: Vec<Warning>,
}

impl Rendered {
    /// The text of one rendered page (prefix, content, suffix).
    pub fn page_text(&self, page: &RenderedPage) -> &str {
        &self.output[page.bytes.clone()]
    }

    /// The span of the item at this walk index, if it was rendered.
    pub fn span(&self, walk_index: usize) -> Option<&ItemSpan> {
        self.spans
            .binary_search_by_key(&walk_index, |s| s.walk_index)
            .ok()
            .map(|i| &self.spans[i])
    }
}

/// Which server page list a writer reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ServerList {
    /// `markdown.pages[].markdown`.
    Markdown,
    /// `text.pages[].text`.
    Text,
}

impl ServerList {
    fn has(self, page: &Page<'_>) -> bool {
        match self {
            ServerList::Markdown => page.server_markdown().is_some(),
            ServerList::Text => page.text().is_some(),
        }
    }

    /// What the list is called in messages, in the input's own terms (`pages[].md` in v1).
    fn name(self, v1: bool) -> &'static str {
        match (self, v1) {
            (ServerList::Markdown, false) => "server markdown (markdown.pages)",
            (ServerList::Text, false) => "server text (text.pages)",
            (ServerList::Markdown, true) => "server markdown (pages[].md)",
            (ServerList::Text, true) => "server text (pages[].text)",
        }
    }
}

/// A page the writer will render.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PlannedPage<'a> {
    /// The page.
    pub page: Page<'a>,
    /// Walk index of the page's first item.
    pub walk_base: usize,
    /// Where its content comes from.
    pub kind: PageKind,
}

/// The pages to render, in order, and what planning noticed.
pub(crate) struct Plan<'a> {
    pub pages: Vec<PlannedPage<'a>>,
    pub warnings: Vec<Warning>,
}

/// One page's content as a writer rendered it: spans are relative to `text`.
#[derive(Debug, Default)]
pub(crate) struct PageContent {
    pub text: String,
    pub spans: Vec<ItemSpan>,
    pub warnings: Vec<Warning>,
}

/// Number of items in an item's subtree (itself included), as [`Document::walk`] counts them.
pub(crate) fn subtree_len(item: &Item) -> usize {
    1 + item.children().iter().map(subtree_len).sum::<usize>()
}

/// Chooses the selected pages and their sources.
pub(crate) fn plan<'a>(doc: &'a Document, opts: &PageOptions, server: ServerList) -> Plan<'a> {
    let mut warnings = Vec::new();
    let v1 = doc.format.is_some_and(|f| f.is_v1());
    let items_name = if v1 { "pages[].items" } else { "items.pages" };
    let has_items = doc
        .response
        .items
        .as_ref()
        .and_then(|i| i.pages.as_ref())
        .is_some_and(|p| !p.is_empty());
    let has_server = doc.pages().any(|p| server.has(&p));
    let want = match opts.source {
        Source::Auto if has_items => Source::Items,
        Source::Auto => Source::Server,
        s => s,
    };
    let want = match want {
        Source::Items if !has_items && has_server => {
            warnings.push(Warning::doc(
                "source_missing",
                format!("no item tree ({items_name}); using the {}", server.name(v1)),
            ));
            Source::Server
        }
        Source::Server if !has_server && has_items => {
            warnings.push(Warning::doc(
                "source_missing",
                format!("no {}; rendering from the item tree", server.name(v1)),
            ));
            Source::Items
        }
        s => s,
    };
    if !has_items && !has_server {
        warnings.push(Warning::doc(
            "source_missing",
            format!(
                "neither an item tree nor {}: nothing to render",
                server.name(v1)
            ),
        ));
    }
    let mut pages = Vec::new();
    let mut walk_base = 0;
    for page in doc.pages() {
        let base = walk_base;
        walk_base += page.items().iter().map(subtree_len).sum::<usize>();
        if !opts.selection.contains(page.number()) {
            continue;
        }
        let n = page.number();
        let has_page_items = page.items_page().is_some();
        let kind = if page.is_failed() {
            PageKind::Failed
        } else if want == Source::Items && has_page_items {
            PageKind::Items
        } else if want == Source::Server && server.has(&page) {
            PageKind::Server
        } else if has_page_items && has_items {
            warnings.push(Warning::page(
                n,
                "source_missing",
                format!(
                    "not in the {}; rendered from the item tree",
                    server.name(v1)
                ),
            ));
            PageKind::Items
        } else if server.has(&page) {
            warnings.push(Warning::page(
                n,
                "source_missing",
                format!("not in the item tree; used the {}", server.name(v1)),
            ));
            PageKind::Server
        } else {
            if has_items || has_server {
                warnings.push(Warning::page(
                    n,
                    "page_missing",
                    "no content in the item tree or the server's pages; left empty",
                ));
            }
            PageKind::Missing
        };
        pages.push(PlannedPage {
            page,
            walk_base: base,
            kind,
        });
    }
    if let Some(w) = selection_gaps(doc, &opts.selection) {
        warnings.push(w);
    }
    Plan { pages, warnings }
}

/// Pages named by bounded ranges of the selection that the document does not have.
fn selection_gaps(doc: &Document, sel: &PageSelection) -> Option<Warning> {
    missing_pages(doc.pages().map(|p| p.number()), sel)
}

/// The `pages_not_found` warning for a document with these page numbers: pages named by
/// bounded ranges of the selection that it does not have. A document-level fact: a
/// conversion in batches gives it once, for all of them.
pub(crate) fn missing_pages(
    pages: impl Iterator<Item = u32>,
    sel: &PageSelection,
) -> Option<Warning> {
    let have: Vec<u32> = pages.collect();
    let mut missing = Vec::new();
    for r in sel.ranges() {
        if *r.end() == u32::MAX {
            continue;
        }
        // Walk the gaps between the document's pages inside the range.
        let mut next = *r.start();
        for &n in have.iter().filter(|n| r.contains(n)) {
            if n > next {
                missing.push(span_text(next, n - 1));
            }
            next = n + 1;
        }
        if next <= *r.end() {
            missing.push(span_text(next, *r.end()));
        }
    }
    (!missing.is_empty()).then(|| {
        Warning::doc(
            "pages_not_found",
            format!(
                "requested pages not in the document: {}",
                missing.join(", ")
            ),
        )
    })
}

fn span_text(a: u32, b: u32) -> String {
    if a == b {
        a.to_string()
    } else {
        format!("{a}-{b}")
    }
}

/// The content that replaces a failed page, and the warning that names it.
pub(crate) fn failed_content(page: &Page<'_>, opts: &PageOptions) -> PageContent {
    let n = page.number();
    let error = page.error().unwrap_or("page failed");
    let message = || format!("{}{}{}", opts.failed_prefix, error, opts.failed_suffix);
    let (text, what) = match opts.failed {
        FailedPageMode::Blank => (String::new(), "left blank".to_owned()),
        FailedPageMode::ErrorMessage => (message(), "replaced by its error message".to_owned()),
        FailedPageMode::RawText => match page.text().map(str::trim).filter(|t| !t.is_empty()) {
            Some(t) => (
                t.to_owned(),
                "replaced by its raw text from text.pages".to_owned(),
            ),
            None => (
                message(),
                "replaced by its error message (no raw text in text.pages)".to_owned(),
            ),
        },
    };
    PageContent {
        text,
        spans: Vec::new(),
        warnings: vec![Warning::page(
            n,
            "failed_page",
            format!("page failed ({error}); {what}"),
        )],
    }
}

/// The separator written before page `next_page` (`{pageNumber}` is that page's number).
pub fn separator_for(template: &str, next_page: u32) -> std::borrow::Cow<'_, str> {
    fill(template, next_page)
}

/// `template` with [`PAGE_NUMBER`] replaced by `page`.
pub(crate) fn fill(template: &str, page: u32) -> std::borrow::Cow<'_, str> {
    if template.contains(PAGE_NUMBER) {
        template.replace(PAGE_NUMBER, &page.to_string()).into()
    } else {
        template.into()
    }
}

/// Renders every planned page in parallel (order kept) and joins them.
pub(crate) fn render<'a, F>(plan: Plan<'a>, opts: &PageOptions, f: F) -> Rendered
where
    F: Fn(&PlannedPage<'a>) -> PageContent + Sync,
{
    let contents: Vec<PageContent> = plan
        .pages
        .par_iter()
        .map(|p| content(p, opts, &f))
        .collect();
    let mut out = Rendered {
        warnings: plan.warnings,
        ..Rendered::default()
    };
    for (i, (p, c)) in plan.pages.iter().zip(contents).enumerate() {
        let n = p.page.number();
        if i > 0 {
            out.output.push_str(&fill(&opts.separator, n));
        }
        let start = out.output.len();
        out.output.push_str(&fill(&opts.prefix, n));
        let offset = out.output.len();
        out.output.push_str(&c.text);
        out.spans.extend(c.spans.into_iter().map(|mut s| {
            s.bytes = s.bytes.start + offset..s.bytes.end + offset;
            s
        }));
        out.output.push_str(&fill(&opts.suffix, n));
        out.pages.push(RenderedPage {
            number: n,
            bytes: start..out.output.len(),
            kind: p.kind,
        });
        out.warnings.extend(c.warnings);
    }
    // Merged tables put a later page's rows on an earlier page: order spans by item.
    out.spans.sort_by_key(|s| s.walk_index);
    out
}

/// Like [`render`], but writes pages as they are rendered (in parallel batches), so memory
/// holds one batch at a time. Returns the warnings.
pub(crate) fn write<'a, F, W>(
    plan: Plan<'a>,
    opts: &PageOptions,
    f: F,
    w: &mut W,
) -> io::Result<Vec<Warning>>
where
    F: Fn(&PlannedPage<'a>) -> PageContent + Sync,
    W: Write + ?Sized,
{
    // The batch size changes only memory use, never the bytes written.
    let batch = 4 * rayon::current_num_threads().max(1);
    let mut warnings = plan.warnings;
    let mut first = true;
    for chunk in plan.pages.chunks(batch) {
        let contents: Vec<PageContent> = chunk.par_iter().map(|p| content(p, opts, &f)).collect();
        for (p, c) in chunk.iter().zip(contents) {
            let n = p.page.number();
            if !first {
                w.write_all(fill(&opts.separator, n).as_bytes())?;
            }
            first = false;
            w.write_all(fill(&opts.prefix, n).as_bytes())?;
            w.write_all(c.text.as_bytes())?;
            w.write_all(fill(&opts.suffix, n).as_bytes())?;
            warnings.extend(c.warnings);
        }
    }
    Ok(warnings)
}

/// A page's content: the failed-page replacement, or the writer's rendering; non-empty content
/// ends with a newline, so the default separator is a thematic break, never a setext underline.
fn content<'a, F>(p: &PlannedPage<'a>, opts: &PageOptions, f: &F) -> PageContent
where
    F: Fn(&PlannedPage<'a>) -> PageContent,
{
    let mut c = match p.kind {
        PageKind::Failed => failed_content(&p.page, opts),
        PageKind::Missing => PageContent::default(),
        PageKind::Items | PageKind::Server => f(p),
    };
    if !c.text.is_empty() && !c.text.ends_with('\n') {
        c.text.push('\n');
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_selections_parse() {
        let s: PageSelection = "3-7, 10,12-".parse().unwrap();
        assert!(s.contains(3) && s.contains(7) && s.contains(10) && s.contains(99));
        assert!(!s.contains(2) && !s.contains(8) && !s.contains(11));
        assert!("".parse::<PageSelection>().is_err());
        assert_eq!(
            "0".parse::<PageSelection>().unwrap_err().to_string(),
            "page numbers start at 1"
        );
        assert_eq!(
            "7-3".parse::<PageSelection>().unwrap_err().to_string(),
            "page range `7-3` runs backwards"
        );
        assert_eq!(
            "a-3".parse::<PageSelection>().unwrap_err().to_string(),
            "`a` is not a page number"
        );
        assert!(PageSelection::all().contains(1));
    }

    #[test]
    fn placeholders_are_filled() {
        assert_eq!(fill("<<{pageNumber}>>", 4), "<<4>>");
        assert_eq!(fill("\n---\n", 4), "\n---\n");
    }
}
