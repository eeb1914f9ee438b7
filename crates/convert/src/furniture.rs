//! Page furniture: headers and footers, the layer every writer can keep, hide or wrap with one
//! predicate (docling's "furniture").
//!
//! v2 responses put headers and footers in `header`/`footer` containers. v1 responses (and v2
//! pages without containers) only have text items plus the page's `header`/`footer` markdown
//! (v1 `pageHeaderMarkdown`/`pageFooterMarkdown`); there, the leading (trailing) run of text
//! items whose words spell out the page header (footer) is the furniture.
//!
//! Many responses also carry running heads and feet (journal names, "Author et al.", "2 of 44",
//! DOIs, page numbers) as ordinary text items. [`Detected`] finds those the way document tools
//! do: short text lines at the top or bottom of a page (the first or last few items in reading
//! order) whose text, digits masked, repeats on several pages. It is conservative, since a false
//! positive hides body text: headings, tables, lists and code are never taken, nor long or
//! many-line items, nor caption-like lines (`Figure 3`), and a line must repeat on at least
//! three pages and a fifth of them (at most ten). Boxes are not used: markdown and text do not
//! read them, and every output must agree on what is furniture.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use pagetree_model::{Document, Item, ItemKind, Page};

use crate::pages::PageOptions;
use crate::warning::Warning;

/// Which layer of furniture an item belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Furniture {
    /// The page header.
    Header,
    /// The page footer.
    Footer,
}

/// What a writer does with one layer of furniture.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum FurnitureMode {
    /// Render it where it sits (the API's `hide_headers: false`).
    #[default]
    Keep,
    /// Leave it out (`hide_headers: true`).
    Hide,
    /// Render it between a prefix and a suffix (`page_header_prefix`/`page_header_suffix`).
    Wrap {
        /// Written before the furniture's text.
        prefix: String,
        /// Written after the furniture's text.
        suffix: String,
    },
}

impl FurnitureMode {
    /// Whether the furniture is left out.
    pub fn is_hidden(&self) -> bool {
        matches!(self, FurnitureMode::Hide)
    }

    /// The prefix and suffix to write around kept furniture (empty for [`FurnitureMode::Keep`]).
    pub fn wrap(&self) -> (&str, &str) {
        match self {
            FurnitureMode::Wrap { prefix, suffix } => (prefix, suffix),
            _ => ("", ""),
        }
    }
}

/// Whether running heads and feet the server typed as text are looked for
/// (`--detect-furniture`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Detection {
    /// Not looked for: only the server's header/footer items (and a v1 page's header/footer
    /// text) are furniture.
    Off,
    /// Looked for over the document being rendered.
    #[default]
    Auto,
    /// Found beforehand, over the whole document (set when it is rendered in batches, so
    /// every batch uses what the whole document shows).
    Found(Arc<Detected>),
}

impl Detection {
    /// What was found in `doc` (`None` when off).
    pub fn resolve(&self, doc: &Document) -> Option<Cow<'_, Detected>> {
        match self {
            Detection::Off => None,
            Detection::Auto => Some(Cow::Owned(Detected::scan(doc))),
            Detection::Found(d) => Some(Cow::Borrowed(d)),
        }
    }
}

/// How many items at each end of a page (in reading order, server furniture aside) can be a
/// running head or foot. Two: a running head and a page number can be separate items.
const EDGE: usize = 2;

/// The longest line (in characters, whitespace runs counted once) taken for a running head.
const MAX_CHARS: usize = 120;

/// The running heads and feet of a document: line signatures (lowercase, digit runs masked as
/// `#`, punctuation dropped) that repeat at page edges, and the layer each belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Detected {
    running: BTreeMap<String, Furniture>,
    /// Whether any page has furniture the server typed (containers, v1 page header/footer).
    typed: bool,
    lines: usize,
    pages: usize,
}

impl Detected {
    /// Looks for running heads and feet over every page of `doc`.
    pub fn scan(doc: &Document) -> Self {
        let mut b = DetectedBuilder::default();
        for page in doc.pages() {
            b.add_page(&page);
        }
        b.finish()
    }

    /// How many items were found to be running heads or feet.
    pub fn lines(&self) -> usize {
        self.lines
    }

    /// On how many pages.
    pub fn pages(&self) -> usize {
        self.pages
    }

    /// Whether the document has furniture of either kind: typed by the server, or found.
    pub fn any(&self) -> bool {
        self.typed || self.lines > 0
    }

    /// The running line signatures found, with their layer, for reports.
    pub fn signatures(&self) -> impl Iterator<Item = (&str, Furniture)> + '_ {
        self.running.iter().map(|(s, f)| (s.as_str(), *f))
    }

    fn layer_of(&self, item: &Item) -> Option<Furniture> {
        signature(item).and_then(|s| self.running.get(&s).copied())
    }
}

/// Builds [`Detected`] page by page (a first pass over a document read in batches keeps only
/// each page's few edge lines).
#[derive(Debug, Default)]
pub struct DetectedBuilder {
    /// Per signature: the pages it is on, and how often at the top and at the bottom.
    seen: BTreeMap<String, (BTreeSet<u32>, usize, usize)>,
    /// Every edge line: its page and signature (to count what is marked at the end).
    edges: Vec<(u32, String)>,
    pages: usize,
    typed: bool,
}

impl DetectedBuilder {
    /// Adds a page's edge lines.
    pub fn add_page(&mut self, page: &Page<'_>) {
        self.add_edges(PageEdges::of(page));
    }

    /// Adds what [`PageEdges::of`] found on a page: pages are looked at in parallel and added
    /// in page order, so what is found does not depend on the threads.
    pub(crate) fn add_edges(&mut self, page: PageEdges) {
        self.typed |= page.typed;
        if !page.has_items {
            return;
        }
        self.pages += 1;
        for (sig, top) in page.edges {
            let e = self.seen.entry(sig.clone()).or_default();
            e.0.insert(page.number);
            if top {
                e.1 += 1;
            } else {
                e.2 += 1;
            }
            self.edges.push((page.number, sig));
        }
    }

    /// What repeats enough to be furniture.
    pub fn finish(self) -> Detected {
        // Several pages and a fifth of them; a long book's chapter heads repeat on fewer.
        let need = self.pages.div_ceil(5).clamp(3, 10);
        let running: BTreeMap<String, Furniture> = self
            .seen
            .into_iter()
            .filter(|(s, (pages, _, _))| {
                pages.len() >= need || (is_page_number(s) && pages.len() >= 2)
            })
            .map(|(s, (_, top, bottom))| {
                let layer = if top >= bottom {
                    Furniture::Header
                } else {
                    Furniture::Footer
                };
                (s, layer)
            })
            .collect();
        let marked: Vec<u32> = self
            .edges
            .iter()
            .filter(|(_, s)| running.contains_key(s))
            .map(|(p, _)| *p)
            .collect();
        let pages: BTreeSet<u32> = marked.iter().copied().collect();
        Detected {
            running,
            typed: self.typed,
            lines: marked.len(),
            pages: pages.len(),
        }
    }
}

/// Whether the server gave the page header or footer text of its own (`markdown.pages[]`
/// `header`/`footer`, v1 `pageHeaderMarkdown`/`pageFooterMarkdown`).
/// One page's part in detection: its edge lines' signatures (with whether each is at the top),
/// and whether the server typed furniture on it.
#[derive(Debug, PartialEq)]
pub(crate) struct PageEdges {
    number: u32,
    has_items: bool,
    typed: bool,
    edges: Vec<(String, bool)>,
}

impl PageEdges {
    pub(crate) fn of(page: &Page<'_>) -> Self {
        let mut out = PageEdges {
            number: page.number(),
            has_items: false,
            typed: has_header_text(page),
            edges: Vec::new(),
        };
        let items = page.items();
        if items.is_empty() {
            return out;
        }
        out.has_items = true;
        let typed = typed_furniture(page);
        out.typed |= typed.iter().any(Option::is_some);
        for (slot, top) in edge_slots(items, &typed) {
            if let Some(sig) = signature(&items[slot]) {
                out.edges.push((sig, top));
            }
        }
        out
    }
}

fn has_header_text(page: &Page<'_>) -> bool {
    page.markdown_page().is_some_and(|m| {
        [&m.header, &m.footer]
            .iter()
            .any(|t| t.as_deref().is_some_and(|t| !t.trim().is_empty()))
    })
}

/// The warning for hiding headers or footers in a document that has none of either kind
/// (none typed by the server, none found), where hiding silently does nothing. Not given
/// for [`Detection::Found`]: a batch is not the document; whoever found it warns once.
pub(crate) fn no_furniture(
    doc: &Document,
    opts: &PageOptions,
    detected: Option<&Detected>,
) -> Option<Warning> {
    if matches!(opts.detect, Detection::Found(_)) {
        return None;
    }
    let scanned;
    let d = match detected {
        Some(d) => d,
        None => {
            // Detection off: only what the server typed counts.
            let mut b = DetectedBuilder::default();
            for page in doc.pages() {
                b.typed |=
                    has_header_text(&page) || typed_furniture(&page).iter().any(Option::is_some);
            }
            scanned = Detected {
                typed: b.typed,
                ..Detected::default()
            };
            &scanned
        }
    };
    no_furniture_warning(opts, d)
}

/// `no_furniture` given what was found over the whole document.
pub fn no_furniture_warning(opts: &PageOptions, detected: &Detected) -> Option<Warning> {
    let hidden: Vec<&str> = [("headers", &opts.headers), ("footers", &opts.footers)]
        .into_iter()
        .filter(|(_, m)| m.is_hidden())
        .map(|(n, _)| n)
        .collect();
    if hidden.is_empty() || detected.any() {
        return None;
    }
    let how = if matches!(opts.detect, Detection::Off) {
        "the server typed none (detection is off)"
    } else {
        "the server typed none and no running heads or feet were found"
    };
    Some(Warning::doc(
        "no_furniture",
        format!(
            "{} are to be hidden, but the document has no page headers or footers: {how}",
            hidden.join(" and ")
        ),
    ))
}

/// The slots of a page's top-level items that can be running heads (`true`) or feet: the
/// first and last [`EDGE`] items that are not server furniture.
fn edge_slots(items: &[Item], typed: &[Option<Furniture>]) -> Vec<(usize, bool)> {
    let body = |i: &usize| typed[*i].is_none();
    let mut out: Vec<(usize, bool)> = (0..items.len())
        .filter(body)
        .take(EDGE)
        .map(|i| (i, true))
        .collect();
    // The last EDGE body items that are not already heads, in page order.
    let after = out.last().map_or(0, |&(i, _)| i + 1);
    let tail: Vec<usize> = (after..items.len()).rev().filter(body).take(EDGE).collect();
    out.extend(tail.into_iter().rev().map(|i| (i, false)));
    out
}

/// A line's signature when it can be a running head or foot: a short text or link item.
///
/// Most edge items are body text, so what refuses a line is checked first and cheaply (its
/// visible length stops counting past the limit), and the signature is built only for a
/// short line, a byte at a time for ASCII.
fn signature(item: &Item) -> Option<String> {
    if !matches!(item.kind(), ItemKind::Text | ItemKind::Link) {
        return None;
    }
    let md = item.md().trim();
    if !short(md) || md.lines().nth(3).is_some() || md.contains("```") {
        return None;
    }
    let mut sig = String::with_capacity(md.len());
    let (mut gap, mut digit) = (false, false);
    let mut at = 0;
    while at < md.len() {
        let b = md.as_bytes()[at];
        let (numeric, alphanumeric, len) = if b.is_ascii() {
            (b.is_ascii_digit(), b.is_ascii_alphanumeric(), 1)
        } else {
            let c = md[at..].chars().next().expect("a char boundary");
            (c.is_numeric(), c.is_alphanumeric(), c.len_utf8())
        };
        if numeric {
            if !digit {
                if gap && !sig.is_empty() {
                    sig.push(' ');
                }
                sig.push('#');
            }
            (digit, gap) = (true, false);
        } else if alphanumeric {
            if gap && !sig.is_empty() {
                sig.push(' ');
            }
            if b.is_ascii() {
                sig.push(char::from(b.to_ascii_lowercase()));
            } else {
                let c = md[at..].chars().next().expect("a char boundary");
                sig.extend(c.to_lowercase());
            }
            (digit, gap) = (false, false);
        } else {
            (gap, digit) = (true, false);
        }
        at += len;
    }
    if sig.is_empty() || is_caption(&sig) {
        return None;
    }
    Some(sig)
}

/// Whether a line is short enough to be a running head: at most `2 × MAX_CHARS` characters,
/// and at most `MAX_CHARS + 1` visible (each whitespace-separated word counted with one
/// space). Both counts stop as soon as they are over.
fn short(md: &str) -> bool {
    if md.len() > MAX_CHARS * 2 && md.chars().nth(MAX_CHARS * 2).is_some() {
        return false;
    }
    let (mut visible, mut in_word) = (0, false);
    let b = md.as_bytes();
    let mut at = 0;
    while at < b.len() {
        let (space, len) = if b[at].is_ascii() {
            // `char::is_whitespace` for ASCII, vertical tab included.
            (
                matches!(b[at], b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'),
                1,
            )
        } else {
            let c = md[at..].chars().next().expect("a char boundary");
            (c.is_whitespace(), c.len_utf8())
        };
        if !space {
            // A word's characters, and the space after it once.
            visible += if in_word { 1 } else { 2 };
            if visible > MAX_CHARS + 1 {
                return false;
            }
        }
        in_word = !space;
        at += len;
    }
    true
}

/// Caption-like lines (`Figure 3`, `Table 2`) repeat at page tops but are body text.
fn is_caption(sig: &str) -> bool {
    let first = sig.split(' ').next().unwrap_or("");
    matches!(
        first,
        "figure" | "fig" | "table" | "tab" | "box" | "chapter" | "section" | "supplementary"
    )
}

/// Signatures of lines that are only a page number (`12`, `Page 3 of 9`, `- 4 -`).
fn is_page_number(sig: &str) -> bool {
    matches!(sig, "#" | "page #" | "page # of #" | "# of #")
}

/// The furniture layer of a container item (`header`/`footer`), if it is one.
pub fn container(item: &Item) -> Option<Furniture> {
    match item.kind() {
        ItemKind::Header => Some(Furniture::Header),
        ItemKind::Footer => Some(Furniture::Footer),
        _ => None,
    }
}

/// For each top-level item of the page (in `page.items()` order): the furniture layer it
/// belongs to, if any: what the server typed, and with `detected`, the running heads and feet
/// found at the page's edges. This is the one predicate writers use.
pub fn page_furniture(page: &Page<'_>, detected: Option<&Detected>) -> Vec<Option<Furniture>> {
    let mut classes = typed_furniture(page);
    if let Some(d) = detected.filter(|d| !d.running.is_empty()) {
        let items = page.items();
        for (slot, _) in edge_slots(items, &classes.clone()) {
            if let Some(layer) = d.layer_of(&items[slot]) {
                classes[slot] = Some(layer);
            }
        }
    }
    classes
}

/// The furniture the server typed: header/footer containers, else the runs of items that
/// spell out a v1 page's header/footer text.
fn typed_furniture(page: &Page<'_>) -> Vec<Option<Furniture>> {
    let items = page.items();
    let mut classes: Vec<Option<Furniture>> = items.iter().map(container).collect();
    if classes.iter().any(Option::is_some) {
        return classes;
    }
    // No containers: match the page's header/footer text against the leading/trailing items.
    let Some(md) = page.markdown_page() else {
        return classes;
    };
    let header = md.header.as_deref().map(words).unwrap_or_default();
    let footer = md.footer.as_deref().map(words).unwrap_or_default();
    // Headers are usually first and footers last, but running heads of left-hand pages land
    // at either edge; each layer takes the edge the other left free.
    let mut head = (0, None);
    let mut tail = (0, None);
    for (layer, text) in [(Furniture::Header, &header), (Furniture::Footer, &footer)] {
        let prefer_start = layer == Furniture::Header;
        for at_start in [prefer_start, !prefer_start] {
            let edge = if at_start { &mut head } else { &mut tail };
            if edge.1.is_some() {
                continue;
            }
            let n = if at_start {
                leading_run(items.iter(), text, false)
            } else {
                leading_run(items.iter().rev(), &reversed(text), true)
            };
            if n > 0 {
                *edge = (n, Some(layer));
                break;
            }
        }
    }
    for c in classes.iter_mut().take(head.0) {
        *c = head.1;
    }
    // A footer never takes items the header already claimed.
    let tail_len = tail.0.min(items.len() - head.0);
    for c in classes.iter_mut().rev().take(tail_len) {
        *c = tail.1;
    }
    classes
}

/// For every item of [`Document::walk`] (by walk index): its furniture layer. Children of a
/// header or footer container share its layer.
pub fn walk_furniture(doc: &Document, detected: Option<&Detected>) -> Vec<Option<Furniture>> {
    let mut out = Vec::new();
    for page in doc.pages() {
        for (item, class) in page.items().iter().zip(page_furniture(&page, detected)) {
            push_subtree(item, class, &mut out);
        }
    }
    out
}

fn push_subtree(item: &Item, class: Option<Furniture>, out: &mut Vec<Option<Furniture>>) {
    out.push(class);
    for child in item.children() {
        push_subtree(child, class, out);
    }
}

/// The words of a text, for whitespace-insensitive comparison.
fn words(s: &str) -> Vec<&str> {
    s.split_whitespace().collect()
}

/// Whether `text`'s words occur, in order and adjacent, in `body` (already words joined by
/// single spaces).
pub(crate) fn contains_words(body: &str, text: &str) -> bool {
    let needle = words(text).join(" ");
    !needle.is_empty() && body.contains(&needle)
}

fn reversed<'a>(w: &[&'a str]) -> Vec<&'a str> {
    w.iter().rev().copied().collect()
}

/// How many items, taken in the iterator's order, spell out exactly `target` word by word; 0
/// when they do not. With `from_end`, the items come last-first and `target` is reversed, so
/// each item's words are compared reversed too. Only text and heading items qualify: a table
/// or image is never taken for a header.
fn leading_run<'a>(
    items: impl Iterator<Item = &'a Item>,
    target: &[&str],
    from_end: bool,
) -> usize {
    if target.is_empty() {
        return 0;
    }
    let mut pos = 0;
    for (n, item) in items.enumerate() {
        if !matches!(item.kind(), ItemKind::Text | ItemKind::Heading) {
            return 0;
        }
        let mut w = words(item.md());
        if from_end {
            w.reverse();
        }
        if w.is_empty() || !target[pos..].starts_with(&w) {
            return 0;
        }
        pos += w.len();
        if pos == target.len() {
            return n + 1;
        }
    }
    0
}

/// The layers whose text the page declares (`markdown.pages[].header`/`footer`, v1
/// `pageHeaderMarkdown`/`pageFooterMarkdown`) and its items contain, but which no run of items
/// was found to hold, given the page's [`page_furniture`]. Writers that hide furniture warn
/// about these: the text stays in the output, inside other items.
pub fn unmatched(page: &Page<'_>, classes: &[Option<Furniture>]) -> Vec<Furniture> {
    let Some(md) = page.markdown_page() else {
        return Vec::new();
    };
    let body = page
        .items()
        .iter()
        .map(|i| words(i.md()).join(" "))
        .collect::<Vec<_>>()
        .join(" ");
    [
        (Furniture::Header, md.header.as_deref()),
        (Furniture::Footer, md.footer.as_deref()),
    ]
    .into_iter()
    .filter(|(layer, text)| {
        text.is_some_and(|t| !t.trim().is_empty() && contains_words(&body, t))
            && !classes.contains(&Some(*layer))
    })
    .map(|(layer, _)| layer)
    .collect()
}

impl Furniture {
    /// `header` or `footer`.
    pub fn as_str(self) -> &'static str {
        match self {
            Furniture::Header => "header",
            Furniture::Footer => "footer",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(v: serde_json::Value) -> Document {
        pagetree_model::load_document(v.to_string().as_bytes(), Some("t.json")).unwrap()
    }

    /// The signature as it was first written, a char at a time: the plain way.
    fn signature_plain(item: &Item) -> Option<String> {
        if !matches!(item.kind(), ItemKind::Text | ItemKind::Link) {
            return None;
        }
        let md = item.md().trim();
        if md.lines().count() > 3 || md.contains("```") {
            return None;
        }
        let mut sig = String::new();
        let mut chars = 0;
        let mut gap = false;
        let mut digit = false;
        for c in md.chars() {
            chars += 1;
            if chars > MAX_CHARS * 2 {
                return None;
            }
            if c.is_numeric() {
                if !digit {
                    if gap && !sig.is_empty() {
                        sig.push(' ');
                    }
                    sig.push('#');
                }
                digit = true;
                gap = false;
            } else if c.is_alphanumeric() {
                if gap && !sig.is_empty() {
                    sig.push(' ');
                }
                sig.extend(c.to_lowercase());
                digit = false;
                gap = false;
            } else {
                gap = true;
                digit = false;
            }
        }
        let visible = md
            .split_whitespace()
            .map(|w| w.chars().count() + 1)
            .sum::<usize>();
        if sig.is_empty() || visible > MAX_CHARS + 1 || is_caption(&sig) {
            return None;
        }
        Some(sig)
    }

    fn edge_slots_plain(items: &[Item], typed: &[Option<Furniture>]) -> Vec<(usize, bool)> {
        let body: Vec<usize> = (0..items.len()).filter(|&i| typed[i].is_none()).collect();
        let mut out: Vec<(usize, bool)> = body.iter().take(EDGE).map(|&i| (i, true)).collect();
        let tail_from = body.len().saturating_sub(EDGE).max(out.len());
        out.extend(body[tail_from..].iter().map(|&i| (i, false)));
        out
    }

    fn text_item(md: &str) -> Item {
        serde_json::from_value(json!({"type": "text", "md": md})).unwrap()
    }

    #[test]
    fn signatures_and_edges_as_the_plain_way() {
        let mut lines: Vec<String> = [
            "Page 3 of 9",
            "- 4 -",
            "  Journal of Things, 2023; 12(4): 1–9  ",
            "ÉTUDE Ⅻ ½ ٣٤ Straße ΣΑΣ x²",
            "Figure 3",
            "a\nb\nc",
            "a\nb\nc\nd",
            "a\r\nb\r\nc\r\n",
            "```code```",
            "\u{b}x\u{b}y\u{3000}z\u{a0}w",
            "",
            "   ",
            "?!",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        for n in [59, 60, 61, 119, 120, 121, 122, 239, 240, 241, 400] {
            lines.push("x".repeat(n));
            lines.push("ab ".repeat(n / 3));
            lines.push("é".repeat(n));
            lines.push(format!("{}{}", " ".repeat(n), "a b"));
            lines.push("a\u{b}".repeat(n / 2));
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata");
        for entry in std::fs::read_dir(&root).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "json")
                && let Ok(d) = pagetree_model::load_file(&path)
            {
                lines.extend(d.walk().iter().map(|w| w.item.md().to_owned()));
            }
        }
        for line in &lines {
            let item = text_item(line);
            assert_eq!(signature(&item), signature_plain(&item), "{line:?}");
        }
        let items: Vec<Item> = (0..9).map(|i| text_item(&i.to_string())).collect();
        for mask in 0..(1u32 << 9) {
            for len in 0..=items.len() {
                let typed: Vec<Option<Furniture>> = (0..len)
                    .map(|i| (mask >> i & 1 == 1).then_some(Furniture::Header))
                    .collect();
                assert_eq!(
                    edge_slots(&items[..len], &typed),
                    edge_slots_plain(&items[..len], &typed),
                    "{mask:b} {len}"
                );
            }
        }
    }

    #[test]
    fn containers_are_furniture() {
        let d = doc(json!({"items": {"pages": [{"page_number": 1, "items": [
            {"type": "header", "items": [{"type": "text", "md": "H"}]},
            {"type": "text", "md": "body"},
            {"type": "footer", "items": [{"type": "text", "md": "F"}]}]}]}}));
        let page = d.page(1).unwrap();
        assert_eq!(
            page_furniture(&page, None),
            [Some(Furniture::Header), None, Some(Furniture::Footer)]
        );
        assert_eq!(
            walk_furniture(&d, None),
            [
                Some(Furniture::Header),
                Some(Furniture::Header),
                None,
                Some(Furniture::Footer),
                Some(Furniture::Footer)
            ]
        );
    }

    #[test]
    fn v1_header_and_footer_runs_are_matched_by_words() {
        let d = doc(json!({"pages": [{"page": 1, "md": "x",
            "pageHeaderMarkdown": "\nGENETICS | PRIMER\nWormBook.org\n",
            "pageFooterMarkdown": "\nPrimer 389\n\nDownloaded from  x.org\n",
            "items": [
                {"type": "text", "md": "GENETICS | PRIMER\nWormBook.org"},
                {"type": "heading", "lvl": 1, "md": "# Title"},
                {"type": "text", "md": "Body"},
                {"type": "text", "md": "Primer 389"},
                {"type": "text", "md": "Downloaded from x.org"}]}]}));
        let page = d.page(1).unwrap();
        let classes = page_furniture(&page, None);
        assert_eq!(
            classes,
            [
                Some(Furniture::Header),
                None,
                None,
                Some(Furniture::Footer),
                Some(Furniture::Footer)
            ]
        );
        assert!(unmatched(&page, &classes).is_empty());
    }

    #[test]
    fn a_footer_at_the_top_of_a_page_is_found() {
        let d = doc(json!({"pages": [{"page": 1, "md": "x",
            "pageFooterMarkdown": "\n396    A. K. Corsi\n",
            "items": [{"type": "text", "md": "396 A. K. Corsi"}, {"type": "text", "md": "Body"}]}]}));
        let page = d.page(1).unwrap();
        assert_eq!(page_furniture(&page, None), [Some(Furniture::Footer), None]);
    }

    #[test]
    fn unmatched_header_text_is_reported() {
        let d = doc(json!({"pages": [{"page": 1, "md": "x",
            "pageHeaderMarkdown": "Running head", "pageFooterMarkdown": "Not on the page",
            "items": [{"type": "text", "md": "Body. Running head"}]}]}));
        let page = d.page(1).unwrap();
        let classes = page_furniture(&page, None);
        assert_eq!(classes, [None]);
        assert_eq!(unmatched(&page, &classes), [Furniture::Header]);
    }
}
