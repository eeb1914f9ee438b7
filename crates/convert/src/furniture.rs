//! Page furniture: headers and footers, the layer every writer can keep, hide or wrap with one
//! predicate (docling's "furniture").
//!
//! v2 responses put headers and footers in `header`/`footer` containers. v1 responses (and v2
//! pages without containers) only have text items plus the page's `header`/`footer` markdown
//! (v1 `pageHeaderMarkdown`/`pageFooterMarkdown`); there, the leading (trailing) run of text
//! items whose words spell out the page header (footer) is the furniture.

use pagetree_model::{Document, Item, ItemKind, Page};

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

/// The furniture layer of a container item (`header`/`footer`), if it is one.
pub fn container(item: &Item) -> Option<Furniture> {
    match item.kind() {
        ItemKind::Header => Some(Furniture::Header),
        ItemKind::Footer => Some(Furniture::Footer),
        _ => None,
    }
}

/// For each top-level item of the page (in `page.items()` order): the furniture layer it
/// belongs to, if any. This is the one predicate writers use.
pub fn page_furniture(page: &Page<'_>) -> Vec<Option<Furniture>> {
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
pub fn walk_furniture(doc: &Document) -> Vec<Option<Furniture>> {
    let mut out = Vec::new();
    for page in doc.pages() {
        for (item, class) in page.items().iter().zip(page_furniture(&page)) {
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

    #[test]
    fn containers_are_furniture() {
        let d = doc(json!({"items": {"pages": [{"page_number": 1, "items": [
            {"type": "header", "items": [{"type": "text", "md": "H"}]},
            {"type": "text", "md": "body"},
            {"type": "footer", "items": [{"type": "text", "md": "F"}]}]}]}}));
        let page = d.page(1).unwrap();
        assert_eq!(
            page_furniture(&page),
            [Some(Furniture::Header), None, Some(Furniture::Footer)]
        );
        assert_eq!(
            walk_furniture(&d),
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
        let classes = page_furniture(&page);
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
        assert_eq!(page_furniture(&page), [Some(Furniture::Footer), None]);
    }

    #[test]
    fn unmatched_header_text_is_reported() {
        let d = doc(json!({"pages": [{"page": 1, "md": "x",
            "pageHeaderMarkdown": "Running head", "pageFooterMarkdown": "Not on the page",
            "items": [{"type": "text", "md": "Body. Running head"}]}]}));
        let page = d.page(1).unwrap();
        let classes = page_furniture(&page);
        assert_eq!(classes, [None]);
        assert_eq!(unmatched(&page, &classes), [Furniture::Header]);
    }
}
