//! The normalised document: one response in whatever shape it came, its pages joined by page
//! number, and small helpers to walk it.

use std::fmt;

use crate::item::{Item, ItemKind};
use crate::page::{ItemsPage, MarkdownPage, MetadataPage, TextPage};
use crate::response::ParseResponse;

/// The shape an input was recognised as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Format {
    /// v2 response with `job`.
    V2,
    /// v2 response saved without `job`.
    V2NoJob,
    /// v2 `items` object alone (`{"pages": [...]}` with `page_number`).
    V2Items,
    /// v2 re-serialised by a client library (no page sizes, explicit nulls).
    V2Sdk,
    /// v1 JSON result `{pages, job_metadata}`.
    V1,
    /// v1 as returned by the Python client: a JSON array of results.
    V1List,
    /// Job listing.
    JobList,
    /// Extract job.
    ExtractJob,
    /// Batch item processing results.
    BatchResults,
}

impl Format {
    /// The stable name printed by `inspect` (`v2`, `v2-items`, `v1-list`...).
    pub fn as_str(self) -> &'static str {
        match self {
            Format::V2 => "v2",
            Format::V2NoJob => "v2-nojob",
            Format::V2Items => "v2-items",
            Format::V2Sdk => "v2-sdk",
            Format::V1 => "v1",
            Format::V1List => "v1-list",
            Format::JobList => "job-list",
            Format::ExtractJob => "extract-job",
            Format::BatchResults => "batch-results",
        }
    }

    /// The name with its indefinite article, for messages (`a job-list`, `an extract-job`).
    pub fn with_article(self) -> String {
        let article = if self == Format::ExtractJob {
            "an"
        } else {
            "a"
        };
        format!("{article} {}", self.as_str())
    }

    /// Whether this is one of the v1 shapes.
    pub fn is_v1(self) -> bool {
        matches!(self, Format::V1 | Format::V1List)
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Something reading or a writer noticed and worked around; it never stops the work. The
/// loader's notes about the page lists and every writer's notes are this one type.
///
/// ```
/// use pagetree_model::Warning;
///
/// let w = Warning::page(3, "failed_page", "the server could not parse this page");
/// assert_eq!(w.to_string(), "page 3: the server could not parse this page");
/// let t = Warning::table(3, "p003-t01", "empty_table", "no rows");
/// assert_eq!((t.page, t.path.as_str()), (Some(3), "p003-t01"));
/// assert_eq!(t.to_string(), "p003-t01: no rows");
/// let j = Warning::at("unsorted_pages", "items.pages", "pages are not in page-number order");
/// assert_eq!(j.to_string(), "items.pages: pages are not in page-number order");
/// assert_eq!(Warning::doc("no_parameters", "nothing applied").to_string(), "nothing applied");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub struct Warning {
    /// The page it concerns, when it concerns one.
    pub page: Option<u32>,
    /// Stable machine-readable code, e.g. `duplicate_page`.
    pub code: &'static str,
    /// What happened and what was done about it.
    pub message: String,
    /// What it concerns in the input or the output, when more precise than a page: a JSON
    /// path (`markdown.pages[4]`) or a table's id (`p003-t01`, which names its page).
    pub path: String,
}

impl Warning {
    /// A warning about one page.
    pub fn page(page: u32, code: &'static str, message: impl Into<String>) -> Self {
        Warning {
            page: Some(page),
            code,
            message: message.into(),
            path: String::new(),
        }
    }

    /// A warning about one table (by its id), on the page where it starts.
    pub fn table(page: u32, table: &str, code: &'static str, message: impl Into<String>) -> Self {
        Warning {
            page: Some(page),
            code,
            message: message.into(),
            path: table.to_owned(),
        }
    }

    /// A warning about a place in the input, by its JSON path.
    pub fn at(code: &'static str, path: impl Into<String>, message: impl Into<String>) -> Self {
        Warning {
            page: None,
            code,
            message: message.into(),
            path: path.into(),
        }
    }

    /// A warning about the whole document.
    pub fn doc(code: &'static str, message: impl Into<String>) -> Self {
        Warning {
            page: None,
            code,
            message: message.into(),
            path: String::new(),
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        // A path is more precise than the page (a table id already names its page).
        match (self.path.as_str(), self.page) {
            ("", Some(p)) => write!(f, "page {p}: {}", self.message),
            ("", None) => f.write_str(&self.message),
            (path, _) => write!(f, "{path}: {}", self.message),
        }
    }
}

/// Where one page number's entries sit in the four page lists of the response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PageIndex {
    /// The page number.
    pub number: u32,
    /// Index in `items.pages`.
    pub items: Option<usize>,
    /// Index in `markdown.pages`.
    pub markdown: Option<usize>,
    /// Index in `text.pages`.
    pub text: Option<usize>,
    /// Index in `metadata.pages`.
    pub metadata: Option<usize>,
}

/// One parse result, normalised. The response keeps the input's page lists exactly as written
/// (so writing it back is lossless); `pages` joins them by page number, sorted.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Document {
    /// Where it came from (a file name, `file.jsonl:3`...), for messages.
    pub source: Option<String>,
    /// The shape it was read from.
    pub format: Option<Format>,
    /// The response, in the v2 form.
    pub response: ParseResponse,
    /// The page join, sorted by page number.
    pub pages: Vec<PageIndex>,
    /// What the loader noticed (duplicate, unsorted or missing pages...).
    pub warnings: Vec<Warning>,
    /// The input was the v2 `items` object alone (written back the same way).
    pub items_only: bool,
    /// For a document read as a batch of pages ([`Reader::batches`](crate::Reader::batches)): the
    /// position each `items.pages` entry has in the input, so JSON paths name the input's
    /// entries. Empty: positions are as in `response`.
    pub items_positions: Vec<usize>,
}

/// A view of one page across the four lists.
#[derive(Debug, Clone, Copy)]
pub struct Page<'a> {
    doc: &'a Document,
    index: &'a PageIndex,
}

/// One item met by [`Document::walk`], with where it sits.
#[derive(Debug, Clone)]
pub struct ItemRef<'a> {
    /// The item.
    pub item: &'a Item,
    /// Its page number.
    pub page: u32,
    /// Position in walk order.
    pub index: usize,
    /// Walk-order position of the parent (list or header/footer container).
    pub parent: Option<usize>,
    /// Nesting depth (0 for top-level items).
    pub depth: usize,
    /// Whether it is, or sits inside, a header or footer container.
    pub furniture: bool,
    /// Its position among its parent's children (or its page's items).
    pub slot: usize,
    /// The position of its page in the input's `items.pages` (v1: `pages`).
    pub list_index: usize,
    /// The JSON path of that page list: `items.pages`, or `pages` in a v1 response, so paths
    /// name the input's own structure.
    pub list_path: &'static str,
}

impl ItemRef<'_> {
    /// Its JSON path in the response, e.g. `items.pages[2].items[5].items[0]` (v1:
    /// `pages[2].items[5]`); `walk` is the
    /// walk this reference came from (paths are built on demand: most walks never need them).
    pub fn path(&self, walk: &[ItemRef<'_>]) -> String {
        let mut slots = vec![self.slot];
        let mut cur = self.parent;
        while let Some(p) = cur {
            slots.push(walk[p].slot);
            cur = walk[p].parent;
        }
        let mut s = format!("{}[{}]", self.list_path, self.list_index);
        for slot in slots.iter().rev() {
            s.push_str(&format!(".items[{slot}]"));
        }
        s
    }
}

impl Document {
    /// Builds a document from a response, joining the page lists and recording what was
    /// noticed along the way.
    pub fn new(response: ParseResponse, format: Option<Format>, source: Option<String>) -> Self {
        let mut doc = Document {
            source,
            format,
            response,
            ..Document::default()
        };
        doc.join_pages();
        doc
    }

    fn join_pages(&mut self) {
        let r = &self.response;
        let lists: [(&str, Option<Vec<Option<u32>>>); 4] = [
            (
                "items.pages",
                r.items
                    .as_ref()
                    .and_then(|l| l.pages.as_ref())
                    .map(|p| numbers(p, |x: &ItemsPage| x.page_number)),
            ),
            (
                "markdown.pages",
                r.markdown
                    .as_ref()
                    .and_then(|l| l.pages.as_ref())
                    .map(|p| numbers(p, |x: &MarkdownPage| x.page_number)),
            ),
            (
                "text.pages",
                r.text
                    .as_ref()
                    .and_then(|l| l.pages.as_ref())
                    .map(|p| numbers(p, |x: &TextPage| x.page_number)),
            ),
            (
                "metadata.pages",
                r.metadata
                    .as_ref()
                    .and_then(|l| l.pages.as_ref())
                    .map(|p| numbers(p, |x: &MetadataPage| x.page_number)),
            ),
        ];
        let (pages, warnings) = join_page_lists(&lists);
        self.pages = pages;
        self.warnings.extend(warnings);
    }

    /// The pages in page-number order.
    pub fn pages(&self) -> impl ExactSizeIterator<Item = Page<'_>> + '_ {
        self.pages
            .iter()
            .map(move |index| Page { doc: self, index })
    }

    /// The page with this number.
    pub fn page(&self, number: u32) -> Option<Page<'_>> {
        let i = self
            .pages
            .binary_search_by_key(&number, |p| p.number)
            .ok()?;
        Some(Page {
            doc: self,
            index: &self.pages[i],
        })
    }

    /// The failed pages.
    pub fn failed_pages(&self) -> impl Iterator<Item = Page<'_>> + '_ {
        self.pages().filter(|p| p.is_failed())
    }

    /// Every item, depth first in reading order (children right after their parent), with its
    /// page and parent.
    pub fn walk(&self) -> Vec<ItemRef<'_>> {
        let mut out = Vec::new();
        let list_path = if self.format.is_some_and(Format::is_v1) {
            "pages"
        } else {
            "items.pages"
        };
        for page in self.pages() {
            let Some(list_index) = page.index.items else {
                continue;
            };
            let list_index = self
                .items_positions
                .get(list_index)
                .copied()
                .unwrap_or(list_index);
            let at = Place {
                page: page.number(),
                list_index,
                list_path,
                parent: None,
                depth: 0,
                furniture: false,
            };
            walk_items(page.items(), at, &mut out);
        }
        out
    }

    /// Every table, nested ones included, in reading order.
    pub fn tables(&self) -> Vec<ItemRef<'_>> {
        self.walk()
            .into_iter()
            .filter(|r| r.item.kind() == ItemKind::Table)
            .collect()
    }

    /// A name for messages: the source, or `<input>`.
    pub fn name(&self) -> &str {
        self.source.as_deref().unwrap_or("<input>")
    }
}

/// Joins the four page lists, given as the page number of each entry (`None` when missing), by
/// page number: the first entry of a number wins; duplicates, unsorted lists, entries without a
/// number, pages missing from a list and gaps in the numbering are reported. Shared by the
/// whole-document loader and the page index of a batched read (`lazy.rs`), so both join alike.
pub(crate) fn join_page_lists(
    lists: &[(&str, Option<Vec<Option<u32>>>); 4],
) -> (Vec<PageIndex>, Vec<Warning>) {
    let mut pages = Vec::new();
    let warnings = join_pages_with(lists, |p| pages.push(p));
    (pages, warnings)
}

/// [`join_page_lists`] handing each joined page, in page-number order, to `out`: the page
/// index of a large response keeps them in a smaller form. Each list is walked in its own
/// order, which is page order in nearly every response, so the join is a merge of the four
/// with nothing built beside the output; a list out of order (or with a page twice) is first
/// sorted by number, on its own.
pub(crate) fn join_pages_with(
    lists: &[(&str, Option<Vec<Option<u32>>>); 4],
    mut out: impl FnMut(PageIndex),
) -> Vec<Warning> {
    let mut warnings = Vec::new();
    let orders: Vec<Option<ListOrder<'_>>> = lists
        .iter()
        .map(|(name, nums)| {
            nums.as_deref()
                .map(|nums| ListOrder::of(name, nums, &mut warnings))
        })
        .collect();
    let present: Vec<bool> = lists
        .iter()
        .map(|(_, n)| n.as_ref().is_some_and(|n| !n.is_empty()))
        .collect();
    let mut next = [0usize; 4];
    let mut gaps: Vec<String> = Vec::new();
    let mut last: Option<u32> = None;
    loop {
        let heads: [Option<(u32, usize)>; 4] =
            std::array::from_fn(|slot| orders[slot].as_ref().and_then(|o| o.get(next[slot])));
        let Some(number) = heads.iter().flatten().map(|(n, _)| *n).min() else {
            break;
        };
        let mut cells = [None; 4];
        for (slot, head) in heads.iter().enumerate() {
            if let Some((n, i)) = head
                && *n == number
            {
                cells[slot] = Some(*i);
                next[slot] += 1;
            }
        }
        for (slot, (name, _)) in lists.iter().enumerate() {
            if present[slot] && cells[slot].is_none() {
                warnings.push(Warning::at(
                    "page_missing_from_list",
                    (*name).to_owned(),
                    format!("page {number} is in another page list but not here"),
                ));
            }
        }
        if let Some(before) = last
            && number > before + 1
        {
            gaps.push(if number == before + 2 {
                format!("{}", before + 1)
            } else {
                format!("{}-{}", before + 1, number - 1)
            });
        }
        last = Some(number);
        let [items, markdown, text, metadata] = cells;
        out(PageIndex {
            number,
            items,
            markdown,
            text,
            metadata,
        });
    }
    if !gaps.is_empty() {
        warnings.push(Warning::at(
            "page_gap",
            String::new(),
            format!("page numbers skip {}", gaps.join(", ")),
        ));
    }
    warnings
}

/// One page list's entries in page-number order, the first of each number only.
enum ListOrder<'a> {
    /// The numbers only grow: the entries' own order (`None` numbered by position).
    AsListed(&'a [Option<u32>]),
    /// `(number, index)`, sorted by number, the first entry of each number.
    Sorted(Vec<(u32, usize)>),
}

impl<'a> ListOrder<'a> {
    /// The order of list `name`, noting in entry order what the join notes about its entries
    /// (no number, a number again), then whether it is out of order.
    fn of(name: &str, nums: &'a [Option<u32>], warnings: &mut Vec<Warning>) -> Self {
        let in_list_order = || nums.iter().enumerate().map(|(i, n)| numbered(i, *n));
        let order = if in_list_order().is_sorted_by(|a, b| a < b) {
            ListOrder::AsListed(nums)
        } else {
            let mut firsts: Vec<(u32, usize)> = in_list_order().zip(0..).collect();
            // Stable: of the entries of one number, the first in the list stays first.
            firsts.sort_by_key(|&(n, _)| n);
            firsts.dedup_by_key(|&mut (n, _)| n);
            ListOrder::Sorted(firsts)
        };
        for (i, n) in nums.iter().enumerate() {
            if n.is_none() {
                warnings.push(Warning::at(
                    "missing_page_number",
                    format!("{name}[{i}]"),
                    format!(
                        "no page_number; assumed {} from its position",
                        numbered(i, None)
                    ),
                ));
            }
            if let ListOrder::Sorted(firsts) = &order {
                let n = numbered(i, *n);
                let first = firsts
                    .binary_search_by_key(&n, |&(n, _)| n)
                    .map_or(i, |k| firsts[k].1);
                if first != i {
                    warnings.push(Warning {
                        page: None,
                        code: "duplicate_page",
                        path: format!("{name}[{i}]"),
                        message: format!(
                            "page {n} appears again (first at {name}[{first}]); using the first"
                        ),
                    });
                }
            }
        }
        if !in_list_order().is_sorted() {
            warnings.push(Warning::at(
                "unsorted_pages",
                name.to_owned(),
                "pages are not in page-number order; output follows page numbers",
            ));
        }
        order
    }

    /// The `k`th entry in page order: its number and its index in the list.
    fn get(&self, k: usize) -> Option<(u32, usize)> {
        match self {
            ListOrder::AsListed(nums) => nums.get(k).map(|n| (numbered(k, *n), k)),
            ListOrder::Sorted(firsts) => firsts.get(k).copied(),
        }
    }
}

/// The page number of entry `i` of a page list: its own, or else its place counted from 1.
fn numbered(i: usize, n: Option<u32>) -> u32 {
    n.unwrap_or(i as u32 + 1)
}

fn numbers<P>(pages: &[P], f: impl Fn(&P) -> Option<u32>) -> Vec<Option<u32>> {
    pages.iter().map(f).collect()
}

/// Where a run of sibling items sits.
#[derive(Clone, Copy)]
struct Place {
    page: u32,
    list_index: usize,
    list_path: &'static str,
    parent: Option<usize>,
    depth: usize,
    furniture: bool,
}

fn walk_items<'a>(items: &'a [Item], at: Place, out: &mut Vec<ItemRef<'a>>) {
    for (slot, item) in items.iter().enumerate() {
        let index = out.len();
        let furniture = at.furniture || item.kind().is_furniture();
        out.push(ItemRef {
            item,
            page: at.page,
            index,
            parent: at.parent,
            depth: at.depth,
            furniture,
            slot,
            list_index: at.list_index,
            list_path: at.list_path,
        });
        // The JSON reader's depth limit bounds this recursion.
        let inner = Place {
            parent: Some(index),
            depth: at.depth + 1,
            furniture,
            ..at
        };
        walk_items(item.children(), inner, out);
    }
}

impl<'a> Page<'a> {
    /// The page number.
    pub fn number(&self) -> u32 {
        self.index.number
    }

    /// Where this page sits in the four lists.
    pub fn index(&self) -> &'a PageIndex {
        self.index
    }

    /// The `items.pages` entry.
    pub fn items_page(&self) -> Option<&'a ItemsPage> {
        let list = self.doc.response.items.as_ref()?.pages.as_ref()?;
        list.get(self.index.items?)
    }

    /// The `markdown.pages` entry.
    pub fn markdown_page(&self) -> Option<&'a MarkdownPage> {
        let list = self.doc.response.markdown.as_ref()?.pages.as_ref()?;
        list.get(self.index.markdown?)
    }

    /// The `text.pages` entry.
    pub fn text_page(&self) -> Option<&'a TextPage> {
        let list = self.doc.response.text.as_ref()?.pages.as_ref()?;
        list.get(self.index.text?)
    }

    /// The `metadata.pages` entry.
    pub fn metadata_page(&self) -> Option<&'a MetadataPage> {
        let list = self.doc.response.metadata.as_ref()?.pages.as_ref()?;
        list.get(self.index.metadata?)
    }

    /// The page's items (empty for failed pages).
    pub fn items(&self) -> &'a [Item] {
        self.items_page().map(ItemsPage::items).unwrap_or(&[])
    }

    /// Whether the page failed (in `items.pages` or `markdown.pages`).
    pub fn is_failed(&self) -> bool {
        self.items_page().is_some_and(ItemsPage::is_failed)
            || self.markdown_page().is_some_and(MarkdownPage::is_failed)
    }

    /// The failure message, when the page failed.
    pub fn error(&self) -> Option<&'a str> {
        if !self.is_failed() {
            return None;
        }
        let from_items = self.items_page().and_then(|p| p.error.as_deref());
        let from_md = self.markdown_page().and_then(|p| p.error.as_deref());
        Some(
            from_items
                .or(from_md)
                .unwrap_or("page failed (no error message)"),
        )
    }

    /// `(width, height)` in points when known.
    pub fn size(&self) -> Option<(f64, f64)> {
        self.items_page().and_then(ItemsPage::size)
    }

    /// The server's page markdown.
    pub fn server_markdown(&self) -> Option<&'a str> {
        self.markdown_page().and_then(|p| p.markdown.as_deref())
    }

    /// The page's plain text from `text.pages`.
    pub fn text(&self) -> Option<&'a str> {
        self.text_page().and_then(|p| p.text.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    /// The join as it was first written, by a map from page number to page: what
    /// [`join_page_lists`]'s merge must give, page for page and warning for warning.
    fn join_by_map(
        lists: &[(&str, Option<Vec<Option<u32>>>); 4],
    ) -> (Vec<PageIndex>, Vec<Warning>) {
        let mut joined: BTreeMap<u32, PageIndex> = BTreeMap::new();
        let mut warnings = Vec::new();
        for (slot, (name, nums)) in lists.iter().enumerate() {
            let Some(nums) = nums else { continue };
            let mut last = 0u32;
            let mut unsorted = false;
            for (i, n) in nums.iter().enumerate() {
                let n = match n {
                    Some(n) => *n,
                    None => {
                        let guess = i as u32 + 1;
                        warnings.push(Warning::at(
                            "missing_page_number",
                            format!("{name}[{i}]"),
                            format!("no page_number; assumed {guess} from its position"),
                        ));
                        guess
                    }
                };
                unsorted |= n < last;
                last = n;
                let entry = joined.entry(n).or_insert(PageIndex {
                    number: n,
                    ..Default::default()
                });
                let cell = match slot {
                    0 => &mut entry.items,
                    1 => &mut entry.markdown,
                    2 => &mut entry.text,
                    _ => &mut entry.metadata,
                };
                match cell {
                    Some(first) => warnings.push(Warning {
                        page: None,
                        code: "duplicate_page",
                        path: format!("{name}[{i}]"),
                        message: format!(
                            "page {n} appears again (first at {name}[{first}]); using the first"
                        ),
                    }),
                    None => *cell = Some(i),
                }
            }
            if unsorted {
                warnings.push(Warning::at(
                    "unsorted_pages",
                    (*name).to_owned(),
                    "pages are not in page-number order; output follows page numbers",
                ));
            }
        }
        let present: Vec<bool> = lists
            .iter()
            .map(|(_, n)| n.as_ref().is_some_and(|n| !n.is_empty()))
            .collect();
        for p in joined.values() {
            let have = [p.items, p.markdown, p.text, p.metadata];
            for (slot, (name, _)) in lists.iter().enumerate() {
                if present[slot] && have[slot].is_none() {
                    warnings.push(Warning::at(
                        "page_missing_from_list",
                        (*name).to_owned(),
                        format!("page {} is in another page list but not here", p.number),
                    ));
                }
            }
        }
        let numbers: Vec<u32> = joined.keys().copied().collect();
        let gaps: Vec<String> = numbers
            .windows(2)
            .filter(|w| w[1] > w[0] + 1)
            .map(|w| {
                if w[1] == w[0] + 2 {
                    format!("{}", w[0] + 1)
                } else {
                    format!("{}-{}", w[0] + 1, w[1] - 1)
                }
            })
            .collect();
        if !gaps.is_empty() {
            warnings.push(Warning::at(
                "page_gap",
                String::new(),
                format!("page numbers skip {}", gaps.join(", ")),
            ));
        }
        (joined.into_values().collect(), warnings)
    }

    #[test]
    fn the_merge_joins_as_the_map_did() {
        // A small deterministic generator (no dependency): lists in order, with pages left
        // out, repeated, without a number, shuffled, empty or absent.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move |below: u32| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % u64::from(below)) as u32
        };
        let names = [
            "items.pages",
            "markdown.pages",
            "text.pages",
            "metadata.pages",
        ];
        for case in 0..3000 {
            let pages = 1 + next(12);
            let lists: [(&str, Option<Vec<Option<u32>>>); 4] = std::array::from_fn(|slot| {
                if next(6) == 0 {
                    return (names[slot], None);
                }
                let mut nums: Vec<Option<u32>> = Vec::new();
                for n in 1..=pages {
                    match next(10) {
                        0 => {}
                        1 => nums.push(None),
                        2 => nums.extend([Some(n), Some(n)]),
                        3 => nums.push(Some(n + 3)),
                        _ => nums.push(Some(n)),
                    }
                }
                if next(4) == 0 && nums.len() > 1 {
                    let (a, b) = (next(nums.len() as u32), next(nums.len() as u32));
                    nums.swap(a as usize, b as usize);
                }
                (names[slot], Some(nums))
            });
            assert_eq!(
                join_page_lists(&lists),
                join_by_map(&lists),
                "case {case}: {lists:?}"
            );
        }
    }
}
