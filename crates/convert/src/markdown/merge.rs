//! Tables continued across pages.
//!
//! The server's own merges need no plan: the full table sits on its first page
//! (`merged_from_pages`) and the later pages keep empty stubs (`merged_into_page`), which render
//! nothing. That is the server's output with or without `--merge-tables`.
//!
//! With `merge_tables` on, we also merge what the server left split, as the v1 API's
//! `merge_tables_across_pages_in_markdown` did: when a page's last block (furniture and stubs
//! aside) is a table and the next page's first block is a table with the same number of
//! columns, the second table's rows are appended to the first (its first row dropped when it
//! repeats the header), and the second renders nothing on its own page. Chains run over
//! several pages. Only pages rendered from the item tree take part.

use std::collections::{BTreeMap, BTreeSet};

use pagetree_model::{Item, ItemKind};

use super::table::column_count;
use crate::furniture::{Detected, page_furniture};
use crate::layout::walk_indices;
use crate::pages::{PageKind, PlannedPage};

/// Which tables absorb which.
#[derive(Debug, Default)]
pub(crate) struct MergePlan<'a> {
    /// Head table (walk index) → the tables appended to it, in order.
    heads: BTreeMap<usize, Vec<Continuation<'a>>>,
    /// Walk indices of tables appended to an earlier one.
    continued: BTreeSet<usize>,
}

/// A table appended to a head table.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Continuation<'a> {
    pub walk_index: usize,
    pub page: u32,
    pub item: &'a Item,
    /// Whether its first row repeats the head's header and is dropped.
    pub skip_header: bool,
}

impl<'a> MergePlan<'a> {
    /// The plan over the planned pages (empty when merging is off).
    pub fn new(pages: &[PlannedPage<'a>], enabled: bool, detected: Option<&Detected>) -> Self {
        let mut plan = MergePlan::default();
        if !enabled {
            return plan;
        }
        // The open table at the end of the previous page: (head walk index, head item, page).
        let mut open: Option<(usize, &'a Item, u32)> = None;
        for p in pages {
            let n = p.page.number();
            if p.kind != PageKind::Items {
                open = None;
                continue;
            }
            let items = p.page.items();
            let classes = page_furniture(&p.page, detected);
            let walk = walk_indices(items, p.walk_base);
            let body: Vec<usize> = (0..items.len())
                .filter(|&i| classes[i].is_none() && !items[i].is_merged_stub())
                .collect();
            if let (Some((head, head_item, last_page)), Some(&first)) = (open, body.first()) {
                let cand = &items[first];
                if last_page + 1 == n && mergeable(cand) && same_columns(head_item, cand) {
                    plan.continued.insert(walk[first]);
                    plan.heads.entry(head).or_default().push(Continuation {
                        walk_index: walk[first],
                        page: n,
                        item: cand,
                        skip_header: repeats_header(head_item, cand),
                    });
                }
            }
            open = match body.last() {
                Some(&last) if mergeable(&items[last]) => {
                    // A continuation that also ends its page keeps its head's table open.
                    let head = if plan.continued.contains(&walk[last]) {
                        open.map(|(h, it, _)| (h, it))
                    } else {
                        Some((walk[last], &items[last]))
                    };
                    head.map(|(h, it)| (h, it, n))
                }
                _ => None,
            };
        }
        plan
    }

    /// The tables appended to the table at `walk_index`.
    pub fn continuations(&self, walk_index: usize) -> &[Continuation<'a>] {
        self.heads.get(&walk_index).map_or(&[], Vec::as_slice)
    }

    /// Whether the table at `walk_index` was appended to an earlier one.
    pub fn is_continued(&self, walk_index: usize) -> bool {
        self.continued.contains(&walk_index)
    }
}

fn mergeable(item: &Item) -> bool {
    item.kind() == ItemKind::Table && !item.is_merged_stub() && column_count(item.table_rows()) > 0
}

fn same_columns(a: &Item, b: &Item) -> bool {
    column_count(a.table_rows()) == column_count(b.table_rows())
}

fn repeats_header(head: &Item, next: &Item) -> bool {
    let norm = |r: &[pagetree_model::Cell]| -> Vec<String> {
        r.iter().map(|c| c.as_text().trim().to_owned()).collect()
    };
    match (head.table_rows().first(), next.table_rows().first()) {
        (Some(a), Some(b)) => norm(a) == norm(b),
        _ => false,
    }
}
