//! Page checks: a table that ends its page followed by one with the same columns at the top of
//! the next, which the server did not merge (the stitcher's rules, reused), and header rows
//! repeated inside a table (what a merge across page breaks leaves behind).

use super::counted;
use pagetree_model::{Document, ItemRef};

use crate::tables::{Grid, continuation, placement};

use super::super::layout::Layout;
use super::structure::{list, same_row};
use super::{Check, Findings};

/// Body rows that repeat a header row (with 2+ filled cells); returns them.
pub(crate) fn repeated_header(t: &Layout<'_>, out: &mut Findings) -> Vec<usize> {
    let g = t.grid;
    let headers: Vec<usize> = t
        .header
        .clone()
        .filter(|&h| g.cells[h].iter().filter(|c| !c.trim().is_empty()).count() >= 2)
        .collect();
    let repeats: Vec<usize> = t
        .body
        .clone()
        .filter(|&r| headers.iter().any(|&h| same_row(g, h, g, r)))
        .collect();
    if let Some(&first) = repeats.first() {
        out.add(
            Check::RepeatedHeaderRows,
            format!(
                "{} the header: {} (a page break inside the table; drop them)",
                counted(repeats.len(), "body row repeats", "body rows repeat"),
                list(&repeats)
            ),
        )
        .at(Some(first), None);
    }
    repeats
}

/// One side of a possible split, as the split check sees it.
pub(crate) struct SplitSide<'a> {
    pub page: u32,
    pub id: &'a str,
    pub grid: &'a Grid,
}

/// Whether `grid` is a split candidate: a table the server merged neither way, with cells.
pub(crate) fn is_candidate(grid: Option<&Grid>, merged: bool) -> bool {
    !merged && grid.is_some_and(|g| !g.is_empty())
}

/// Whether two neighbouring candidates look like one table split across a page break: the
/// first ends its page (`at_bottom`), the second starts the next (`at_top`), same columns,
/// the header repeated or absent. The placements are asked for only when the pages fit (each
/// looks over its page).
pub(crate) fn is_split(
    a: &SplitSide<'_>,
    b: &SplitSide<'_>,
    at_bottom: impl FnOnce() -> bool,
    at_top: impl FnOnce() -> bool,
) -> bool {
    b.page == a.page + 1
        && at_bottom()
        && at_top()
        && continuation(a.grid, b.grid, a.grid.header_rows).is_some()
}

/// Where a table sits on its page (see `tables::placement`).
pub(crate) fn placed(doc: &Document, walk: &[ItemRef<'_>], index: usize) -> (bool, bool) {
    let p = placement(doc, walk, index);
    (p.at_top, p.at_bottom)
}

/// Adds the split findings to both tables of a pair.
pub(crate) fn report_split(
    first: &SplitSide<'_>,
    second: &SplitSide<'_>,
    first_out: &mut Findings,
    second_out: &mut Findings,
) {
    let columns = first.grid.columns();
    first_out.add(
        Check::LikelySplitTable,
        format!(
            "ends page {} and {} on page {} continues it ({columns} columns); the server did not merge them (`pagetree tables --stitch` joins them)",
            first.page, second.id, second.page
        ),
    );
    second_out.add(
        Check::LikelySplitTable,
        format!(
            "starts page {} and continues {} from page {} ({columns} columns); the server did not merge them (`pagetree tables --stitch` joins them)",
            second.page, first.id, first.page
        ),
    );
}
