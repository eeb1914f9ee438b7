//! Tables continued across pages.
//!
//! The server's own merges need no plan: the full table sits on its first page
//! (`merged_from_pages`) and the later pages keep empty stubs (`merged_into_page`), which render
//! nothing. That is the server's output with or without `--merge-tables`.
//!
//! With `merge_tables` on, we also merge what the server left split, as the v1 API's
//! `merge_tables_across_pages_in_markdown` did, joining exactly the pairs `tables --stitch`
//! joins (the rules are in the tables module's `stitch`): a table last on its page
//! (furniture aside) continued by the first table of the next page with the same columns,
//! its repeated header and any "(continued)" rows dropped. Chains run over several pages.
//! Only pages rendered from the item tree take part.

use std::collections::{BTreeMap, BTreeSet};

use pagetree_model::{Document, Item, ItemKind};

use super::table::column_count;
use crate::layout::walk_indices;
use crate::pages::{PageKind, PlannedPage};
use crate::tables::{TableSource, joins};

/// Which tables absorb which.
#[derive(Debug, Default)]
pub(crate) struct MergePlan<'a> {
    /// Head table (walk index) → the tables appended to it, in order.
    heads: BTreeMap<usize, Vec<Continuation<'a>>>,
    /// Walk indices of tables appended to an earlier one.
    continued: BTreeSet<usize>,
    /// Trailing "(continued)" rows to leave out, by walk index of the part that ends with them.
    trim_end: BTreeMap<usize, usize>,
}

/// A table appended to a head table.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Continuation<'a> {
    pub walk_index: usize,
    pub page: u32,
    pub item: &'a Item,
    /// Leading rows dropped: a repeated header and "(continued)" rows.
    pub skip: usize,
}

impl<'a> MergePlan<'a> {
    /// The plan over the planned pages (empty when merging is off).
    pub fn new(
        doc: &'a Document,
        pages: &[PlannedPage<'a>],
        enabled: bool,
        source: TableSource,
    ) -> Self {
        let mut plan = MergePlan::default();
        if !enabled {
            return plan;
        }
        let walk = doc.walk();
        // The open table at the end of the previous page: (head, tail) walk indices.
        let mut open: Option<(usize, usize)> = None;
        for p in pages {
            if p.kind != PageKind::Items {
                open = None;
                continue;
            }
            let items = p.page.items();
            let widx = walk_indices(items, p.walk_base);
            let tables: Vec<usize> = (0..items.len())
                .filter(|&i| mergeable(&items[i]))
                .map(|i| widx[i])
                .filter(|&w| w < walk.len())
                .collect();
            if let (Some((head, tail)), Some(&first)) = (open, tables.first())
                && let Some(join) = joins(doc, &walk, head, tail, first, source, None)
            {
                plan.continued.insert(first);
                if join.trim_tail > 0 {
                    plan.trim_end.insert(tail, join.trim_tail);
                }
                plan.heads.entry(head).or_default().push(Continuation {
                    walk_index: first,
                    page: p.page.number(),
                    item: walk[first].item,
                    skip: join.skip,
                });
            }
            open = tables.last().map(|&last| {
                // A continuation that also ends its page keeps its head's table open.
                let head = match open {
                    Some((h, _)) if plan.continued.contains(&last) => h,
                    _ => last,
                };
                (head, last)
            });
        }
        plan
    }

    /// Trailing rows of the part at `walk_index` to leave out ("(continued)" rows).
    pub fn trim_end(&self, walk_index: usize) -> usize {
        self.trim_end.get(&walk_index).copied().unwrap_or(0)
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
