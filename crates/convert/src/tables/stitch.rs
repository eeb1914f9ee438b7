//! Joining continuation tables the server did not merge (`--stitch`): where a table sits on
//! its page, whether the next page's first table continues it, and appending it.
//!
//! The rules, all required:
//! - the second table is on the page right after the first's last page (`n + 1`);
//! - the first is the last body item on its page and the second the first body item on its
//!   page (page-header/footer containers, and items whose box lies in the top or bottom 8% of
//!   the page or is labelled as a page header/footer/number, do not count: v1 pages keep their
//!   running headers as ordinary text items). When the page size and the table's box are known,
//!   the box must also agree (first: bottom edge in the lower half; second: top edge in the
//!   upper half);
//! - the same number of columns;
//! - the second table repeats the first's header rows (they are dropped) or has no header (its
//!   rows are all kept). A second table whose HTML marks a different header is a new table;
//! - rows that only say the table goes on ("Table 8 continued on next page", "(continued)")
//!   at the end of the first or the start of the second are dropped.
//!
//! [`joins`] decides, for `tables --stitch` and for markdown's `--merge-tables` alike, so both
//! join exactly the same pairs.

use pagetree_model::{BBox, Document, Item, ItemRef};

use super::agree::{Representations, compare};
use super::grid::{Grid, Source, Span};
use super::source::{CellText, TableSource, export_grid};

/// How a continuation joins the table before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Join {
    /// Leading rows of the continuation to drop: continuation markers and a repeated header.
    pub skip: usize,
    /// Trailing rows of the table before it to drop: continuation markers.
    pub trim_tail: usize,
}

/// Whether the table item at walk index `next` continues the table whose first part is at
/// `head` and whose last part so far is at `tail` (see the module's rules), reading each
/// table's cells from `source`. `header_rows` overrides the head's own header row count.
pub(crate) fn joins(
    doc: &Document,
    walk: &[ItemRef<'_>],
    head: usize,
    tail: usize,
    next: usize,
    source: TableSource,
    header_rows: Option<usize>,
) -> Option<Join> {
    let (t, n) = (&walk[tail], &walk[next]);
    let server_merged = |i: &Item| i.merged_from_pages.as_ref().is_some_and(|p| !p.is_empty());
    if n.page != t.page + 1 || server_merged(n.item) || n.item.is_merged_stub() {
        return None;
    }
    if !placement(doc, walk, tail).at_bottom || !placement(doc, walk, next).at_top {
        return None;
    }
    let grid = |i: usize| {
        let item = walk[i].item;
        export_grid(item, &Representations::of(item), source, CellText::Text)
    };
    let (h, tg, ng) = (grid(head)?, grid(tail)?, grid(next)?);
    let header = header_rows.unwrap_or(h.header_rows);
    let skip = continuation(&h, &ng, header)?;
    Some(Join {
        skip,
        trim_tail: trailing_markers(&tg),
    })
}

/// Whether a row only says that the table goes on: one distinct text (a spanning cell, maybe
/// repeated across the row) of a few words that speaks of continuing ("Table 8 continued on
/// next page", "(continued)", "cont'd").
pub(crate) fn is_continuation_marker(row: &[String]) -> bool {
    let mut texts = row.iter().map(|c| c.trim()).filter(|c| !c.is_empty());
    let Some(first) = texts.next() else {
        return false;
    };
    if !texts.all(|t| t == first) || first.split_whitespace().count() > 8 {
        return false;
    }
    let t = first.to_lowercase();
    t.contains("continued") || t.contains("cont'd") || t.contains("contd.") || t == "(cont.)"
}

/// Continuation-marker rows at the end of a table.
pub(crate) fn trailing_markers(g: &Grid) -> usize {
    g.cells
        .iter()
        .rev()
        .take_while(|r| is_continuation_marker(r))
        .count()
        .min(g.rows().saturating_sub(1))
}

/// Share of the page height at the top and bottom where running headers, footers and page
/// numbers live.
const MARGIN_BAND: f64 = 0.08;

/// Where a table item sits on its page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Placement {
    /// Nothing but page furniture comes before it on its page.
    pub at_top: bool,
    /// Nothing but page furniture comes after it on its page.
    pub at_bottom: bool,
}

/// The placement of the item at walk index `index` (a table, possibly nested).
pub(crate) fn placement(doc: &Document, walk: &[ItemRef<'_>], index: usize) -> Placement {
    let me = &walk[index];
    // A nested table's position is its top-level ancestor's.
    let mut top = me;
    while let Some(p) = top.parent {
        top = &walk[p];
    }
    let size = doc.page(me.page).and_then(|p| p.size());
    let body: Vec<usize> = walk
        .iter()
        .filter(|r| r.page == me.page && r.depth == 0 && !r.furniture)
        .filter(|r| r.index == top.index || !is_margin(r.item.boxes(), size))
        .map(|r| r.index)
        .collect();
    let mut at_top = body.first() == Some(&top.index);
    let mut at_bottom = body.last() == Some(&top.index);
    if let Some((_, h)) = size {
        let rects: Vec<[f64; 4]> = me.item.boxes().iter().filter_map(BBox::rect).collect();
        if !rects.is_empty() {
            let top_edge = rects.iter().map(|r| r[1]).fold(f64::INFINITY, f64::min);
            let bottom_edge = rects
                .iter()
                .map(|r| r[1] + r[3])
                .fold(f64::NEG_INFINITY, f64::max);
            at_top &= top_edge <= h / 2.0;
            at_bottom &= bottom_edge >= h / 2.0;
        }
    }
    Placement { at_top, at_bottom }
}

/// Whether an item's boxes put it in the page margin (running header, footer, page number).
fn is_margin(boxes: &[BBox], size: Option<(f64, f64)>) -> bool {
    if boxes.is_empty() {
        return false;
    }
    boxes.iter().all(|b| {
        let label = b.label.as_deref().unwrap_or("").to_ascii_lowercase();
        if label.contains("header") || label.contains("footer") || label.contains("number") {
            return true;
        }
        match (b.rect(), size) {
            (Some([_, y, _, h]), Some((_, ph))) => {
                y + h <= ph * MARGIN_BAND || y >= ph * (1.0 - MARGIN_BAND)
            }
            _ => false,
        }
    })
}

/// How many leading rows of `next` to drop when it continues `first`, or `None` when it does
/// not continue it (different column count, or a different header marked up in HTML).
/// `header_rows` is the first table's header row count.
pub(crate) fn continuation(first: &Grid, next: &Grid, header_rows: usize) -> Option<usize> {
    // Leading "(continued)" rows of the continuation go, whatever follows them.
    let markers = next
        .cells
        .iter()
        .take_while(|r| is_continuation_marker(r))
        .count();
    if markers > 0 && markers < next.rows() {
        let mut rest = next.clone();
        rest.cells.drain(..markers);
        rest.spans.retain(|s| s.row >= markers);
        for s in &mut rest.spans {
            s.row -= markers;
        }
        rest.header_rows = rest.header_rows.saturating_sub(markers);
        return continuation(first, &rest, header_rows).map(|d| d + markers);
    }
    if first.is_empty() || next.is_empty() || first.columns() != next.columns() {
        return None;
    }
    let head = |g: &Grid, n: usize| Grid {
        cells: g.cells.iter().take(n).cloned().collect(),
        spans: g.spans.clone(),
        ..Grid::default()
    };
    if header_rows > 0
        && next.rows() >= header_rows
        && compare(&head(first, header_rows), &head(next, header_rows)).is_none()
    {
        return Some(header_rows);
    }
    let marked_header = next.source == Some(Source::Html) && next.header_rows > 0;
    if marked_header {
        return None;
    }
    Some(0)
}

/// Appends `next` without its first `drop` rows, moving its spans down.
pub(crate) fn append(into: &mut Grid, next: &Grid, drop: usize) {
    let offset = into.rows();
    into.cells.extend(next.cells.iter().skip(drop).cloned());
    into.spans
        .extend(next.spans.iter().filter(|s| s.row >= drop).map(|s| Span {
            row: s.row - drop + offset,
            ..*s
        }));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(rows: &[&[&str]]) -> Grid {
        crate::tables::grid_of(rows, Some(Source::Rows))
    }

    #[test]
    fn repeated_header_is_dropped_absent_header_kept() {
        let first = g(&[&["id", "v"], &["1", "a"]]);
        assert_eq!(
            continuation(&first, &g(&[&["id", "v"], &["2", "b"]]), 1),
            Some(1)
        );
        assert_eq!(
            continuation(&first, &g(&[&["2", "b"], &["3", "c"]]), 1),
            Some(0)
        );
        // Header compared up to presentation.
        assert_eq!(
            continuation(&first, &g(&[&[" id ", "v"], &["2", "b"]]), 1),
            Some(1)
        );
    }

    #[test]
    fn different_width_or_marked_different_header_is_not_a_continuation() {
        let first = g(&[&["id", "v"], &["1", "a"]]);
        assert_eq!(continuation(&first, &g(&[&["id", "v", "w"]]), 1), None);
        let mut html = g(&[&["other", "head"], &["2", "b"]]);
        html.source = Some(Source::Html);
        assert_eq!(continuation(&first, &html, 1), None);
        html.header_rows = 0;
        assert_eq!(continuation(&first, &html, 1), Some(0));
        assert_eq!(continuation(&first, &Grid::default(), 1), None);
    }

    #[test]
    fn continuation_markers_are_dropped() {
        let first = g(&[
            &["id", "v"],
            &["1", "a"],
            &["Table 8 continued on next page", ""],
        ]);
        assert_eq!(trailing_markers(&first), 1);
        let next = g(&[
            &["Table 8 (continued)", "Table 8 (continued)"],
            &["id", "v"],
            &["2", "b"],
        ]);
        assert_eq!(continuation(&first, &next, 1), Some(2));
        assert!(!is_continuation_marker(&[
            "Continued growth".into(),
            "12".into()
        ]));
        assert!(is_continuation_marker(&["(continued)".into()]));
        assert_eq!(trailing_markers(&g(&[&["(continued)"]])), 0);
    }

    #[test]
    fn append_moves_spans() {
        let mut a = g(&[&["h", "h2"], &["1", "x"]]);
        let mut b = g(&[&["h", "h2"], &["2", ""], &["", "y"]]);
        b.spans.push(Span {
            row: 1,
            column: 0,
            rows: 2,
            columns: 1,
        });
        append(&mut a, &b, 1);
        assert_eq!(a.rows(), 4);
        assert_eq!(a.spans[0].row, 2);
    }

    #[test]
    fn placement_on_pages() {
        let doc = pagetree_model::load_document(
            br#"{"pages": [
              {"page_number": 1, "page_width": 600, "page_height": 800, "items": [
                {"type": "header", "items": [{"type": "text", "md": "Running head"}]},
                {"type": "text", "md": "intro", "bbox": [{"x": 50, "y": 100, "w": 400, "h": 20}]},
                {"type": "table", "rows": [["a"]], "bbox": [{"x": 50, "y": 500, "w": 400, "h": 250}]},
                {"type": "text", "md": "7", "bbox": [{"x": 290, "y": 770, "w": 20, "h": 10}]}]},
              {"page_number": 2, "page_width": 600, "page_height": 800, "items": [
                {"type": "text", "md": "Annual report", "bbox": [{"x": 50, "y": 20, "w": 200, "h": 10, "label": "page-header"}]},
                {"type": "table", "rows": [["a"]], "bbox": [{"x": 50, "y": 60, "w": 400, "h": 200}]},
                {"type": "table", "rows": [["b"]], "bbox": [{"x": 50, "y": 300, "w": 400, "h": 80}]}]}
            ]}"#,
            None,
        )
        .unwrap();
        let walk = doc.walk();
        let at = |i| placement(&doc, &walk, i);
        assert_eq!(
            at(3),
            Placement {
                at_top: false,
                at_bottom: true
            }
        );
        assert_eq!(
            at(6),
            Placement {
                at_top: true,
                at_bottom: false
            }
        );
        // Last on its page, but its box ends in the upper half.
        assert_eq!(
            at(7),
            Placement {
                at_top: false,
                at_bottom: false
            }
        );
    }
}
