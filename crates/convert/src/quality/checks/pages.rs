//! Page checks: a table that ends its page followed by one with the same columns at the top of
//! the next, which the server did not merge (the stitcher's rules, reused), and header rows
//! repeated inside a table (what a merge across page breaks leaves behind).

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
                "{} body row(s) repeat the header: {} (a page break inside the table; drop them)",
                repeats.len(),
                list(&repeats)
            ),
        )
        .at(Some(first), None);
    }
    repeats
}

/// One table as the split check sees it.
pub(crate) struct PagePart<'a, 'd> {
    pub r: &'a ItemRef<'d>,
    pub id: &'a str,
    pub grid: Option<&'a Grid>,
    /// Whether the server merged this table, or it is a merge stub.
    pub merged: bool,
}

/// Pairs of tables (indices into `parts`) that look like one table split across a page break:
/// the first ends its page, the second starts the next, same columns, the header repeated or
/// absent, and the server merged neither.
pub(crate) fn splits(
    doc: &Document,
    walk: &[ItemRef<'_>],
    parts: &[PagePart<'_, '_>],
) -> Vec<(usize, usize)> {
    let candidates: Vec<usize> = (0..parts.len())
        .filter(|&i| !parts[i].merged && parts[i].grid.is_some_and(|g| !g.is_empty()))
        .collect();
    let mut out = Vec::new();
    for w in candidates.windows(2) {
        let (a, b) = (&parts[w[0]], &parts[w[1]]);
        let (Some(ga), Some(gb)) = (a.grid, b.grid) else {
            continue;
        };
        if b.r.page != a.r.page + 1
            || !placement(doc, walk, a.r.index).at_bottom
            || !placement(doc, walk, b.r.index).at_top
        {
            continue;
        }
        if continuation(ga, gb, ga.header_rows).is_some() {
            out.push((w[0], w[1]));
        }
    }
    out
}

/// Adds the split findings to both tables of each pair.
pub(crate) fn report_split(
    first: &PagePart<'_, '_>,
    second: &PagePart<'_, '_>,
    first_out: &mut Findings,
    second_out: &mut Findings,
) {
    let columns = first.grid.map_or(0, Grid::columns);
    first_out.add(
        Check::LikelySplitTable,
        format!(
            "ends page {} and {} on page {} continues it ({columns} columns); the server did not merge them (`pagetree tables --stitch` joins them)",
            first.r.page, second.id, second.r.page
        ),
    );
    second_out.add(
        Check::LikelySplitTable,
        format!(
            "starts page {} and continues {} from page {} ({columns} columns); the server did not merge them (`pagetree tables --stitch` joins them)",
            second.r.page, first.id, first.r.page
        ),
    );
}
