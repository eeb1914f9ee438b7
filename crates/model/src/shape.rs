//! The rules that say which shape a response is, in one place.
//!
//! Every reader (the index that whole and batched reads build, the whole-value read of the
//! shapes the index leaves to it) learns a few facts about an input's top level and its first root
//! page, and asks these functions. They used to restate the rules, and disagreed: a root `pages`
//! list whose pages had neither `page_number` nor v1's markers was an SDK dump read whole and a
//! v1 result streamed, so the two wrote different output for the same file.

/// Keys that make an object another shape than a v2 response or items object (batch results,
/// an extract job), whatever else it holds.
pub(crate) const OTHER_SHAPES: [&str; 5] = [
    "processing_results",
    "item_id",
    "item_name",
    "extract_result",
    "extract_metadata",
];

/// Top-level keys of a v2 response. The first five exclude a root `pages` list (the items
/// object alone, or v1) when they stand beside it.
pub(crate) const V2_KEYS: [&str; 11] = [
    "job",
    "items",
    "markdown",
    "text",
    "metadata",
    "markdown_full",
    "text_full",
    "raw_parameters",
    "job_metadata",
    "images_content_metadata",
    "result_content_metadata",
];

/// What the first element of a root `pages` list shows about its shape.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct FirstPage {
    /// It has a `page_number` key (of any value, `null` included).
    pub numbered: bool,
    /// It has one of v1's page keys: `page`, `md` or `layout`.
    pub v1_marker: bool,
}

impl FirstPage {
    /// The facts from a page's top-level keys.
    pub(crate) fn from_keys<'a>(keys: impl IntoIterator<Item = &'a str>) -> Self {
        let mut f = FirstPage::default();
        for k in keys {
            match k {
                "page_number" => f.numbered = true,
                "page" | "md" | "layout" => f.v1_marker = true,
                _ => {}
            }
        }
        f
    }
}

/// Whether a root `pages` list holds v1 pages rather than v2 items pages (the `items` object
/// saved alone). The first page decides: v1 when it has no `page_number` and either a v1 page
/// key or a root `job_metadata` (v1's companion field). An empty list is v1 only when
/// `job_metadata` says so.
pub(crate) fn root_pages_are_v1(first: Option<FirstPage>, job_metadata: bool) -> bool {
    match first {
        Some(p) => !p.numbered && (p.v1_marker || job_metadata),
        None => job_metadata,
    }
}

/// Whether items pages come from a client-library dump: there are some, and none has any of
/// the API's page facts (`page_width`, `page_height`, `success`, `error`).
pub(crate) fn is_sdk_dump(mut has_page_facts: impl Iterator<Item = bool>) -> bool {
    let mut any = false;
    has_page_facts.all(|facts| {
        any = true;
        !facts
    }) && any
}

/// Whether an object with a root `pages` list and these other top-level keys is read through
/// that list (the items object alone, or v1): no v2 list key and nothing of another shape
/// beside it.
pub(crate) fn pages_rooted(has: impl Fn(&str) -> bool) -> bool {
    has("pages") && !V2_KEYS[..5].iter().any(|k| has(k)) && !OTHER_SHAPES.iter().any(|k| has(k))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_page_decides_root_pages() {
        let page = |keys: &[&str]| Some(FirstPage::from_keys(keys.iter().copied()));
        // v2 page numbers win over anything else.
        assert!(!root_pages_are_v1(page(&["page_number", "md"]), true));
        // v1 markers, or v1's `job_metadata` beside the list.
        assert!(root_pages_are_v1(page(&["page", "items"]), false));
        assert!(root_pages_are_v1(page(&["items"]), true));
        // Neither: a client-library dump of the items object, not v1.
        assert!(!root_pages_are_v1(page(&["items"]), false));
        assert!(root_pages_are_v1(None, true));
        assert!(!root_pages_are_v1(None, false));
    }

    #[test]
    fn sdk_dumps_need_pages_without_facts() {
        assert!(is_sdk_dump([false, false].into_iter()));
        assert!(!is_sdk_dump([false, true].into_iter()));
        assert!(!is_sdk_dump(std::iter::empty()));
    }
}
