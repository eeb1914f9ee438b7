//! Box checks that need more than one box: the same box on unrelated items (a layout
//! fallback the server repeats), shared by `inspect`, `elements` and `chunks`.

use std::collections::BTreeSet;

use pagetree_model::{ItemKind, ItemRef};

/// The `(walk index, box index)` of every box that is exactly the same rectangle as a box of
/// another item on the same page, when the two are unrelated. Related items legitimately
/// share boxes: an item and what it contains (a header container and its text), items inside
/// one list (the server gives entries, and a nested list, the list's box), and the text and
/// link items of a paragraph the server split at its links (they keep the paragraph's box).
pub fn duplicate_boxes(walk: &[ItemRef<'_>]) -> BTreeSet<(usize, usize)> {
    // Every box as (page, exact rectangle, walk index, box index), sorted so that equal
    // rectangles of a page sit together: a flat sort, where a map of groups allocated a node
    // per box (this runs over every box of every batch).
    let mut boxes: Vec<(u32, [u64; 4], usize, usize)> = walk
        .iter()
        .flat_map(|r| {
            r.item
                .boxes()
                .iter()
                .enumerate()
                .filter_map(move |(b, bx)| {
                    bx.rect()
                        .map(|rect| (r.page, rect.map(f64::to_bits), r.index, b))
                })
        })
        .collect();
    boxes.sort_unstable();
    let related = |a: usize, b: usize| {
        is_ancestor(walk, a, b)
            || is_ancestor(walk, b, a)
            || in_one_list(walk, a, b)
            || split_paragraph(walk, a, b)
    };
    let mut out = BTreeSet::new();
    for members in boxes.chunk_by(|x, y| (x.0, x.1) == (y.0, y.1)) {
        if members.len() < 2 {
            continue;
        }
        for &(_, _, item, b) in members {
            if members
                .iter()
                .any(|&(_, _, other, _)| other != item && !related(item, other))
            {
                out.insert((item, b));
            }
        }
    }
    out
}

/// Whether `a` and `b` both sit inside one list item.
fn in_one_list(walk: &[ItemRef<'_>], a: usize, b: usize) -> bool {
    let mut cur = walk[a].parent;
    while let Some(p) = cur {
        if walk[p].item.kind() == ItemKind::List && is_ancestor(walk, p, b) {
            return true;
        }
        cur = walk[p].parent;
    }
    false
}

/// Whether `a` and `b` are siblings in a run of text and link items with a link among them:
/// one paragraph the server cut at its links.
fn split_paragraph(walk: &[ItemRef<'_>], a: usize, b: usize) -> bool {
    let (lo, hi) = (a.min(b), a.max(b));
    let (parent, page) = (walk[lo].parent, walk[lo].page);
    if walk[hi].parent != parent || walk[hi].page != page {
        return false;
    }
    let siblings = || {
        walk[lo..=hi]
            .iter()
            .filter(|r| r.parent == parent && r.page == page)
    };
    siblings().all(|r| matches!(r.item.kind(), ItemKind::Text | ItemKind::Link))
        && siblings().any(|r| r.item.kind() == ItemKind::Link)
}

/// Whether walk item `a` is an ancestor of walk item `b`.
fn is_ancestor(walk: &[ItemRef<'_>], a: usize, b: usize) -> bool {
    let mut cur = walk[b].parent;
    while let Some(p) = cur {
        if p == a {
            return true;
        }
        cur = walk[p].parent;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn containers_may_share_boxes_with_their_children_but_strangers_may_not() {
        let json =
            br#"{"pages": [{"page_number": 1, "page_width": 600, "page_height": 800, "items": [
            {"type": "list", "ordered": false, "bbox": [{"x": 1, "y": 1, "w": 10, "h": 10}],
             "items": [{"type": "text", "md": "a", "bbox": [{"x": 1, "y": 1, "w": 10, "h": 10}]}]},
            {"type": "text", "md": "b", "bbox": [{"x": 5, "y": 5, "w": 10, "h": 10}]},
            {"type": "text", "md": "c", "bbox": [{"x": 5, "y": 5, "w": 10, "h": 10}]}]}]}"#;
        let doc = pagetree_model::load_document(json, None).unwrap();
        let walk = doc.walk();
        let dups: Vec<_> = duplicate_boxes(&walk).into_iter().collect();
        assert_eq!(dups, [(2, 0), (3, 0)]);
    }

    #[test]
    fn lists_and_paragraphs_split_at_links_share_their_boxes() {
        let json = include_bytes!("../../../testdata/regressions/inspect-shared-boxes.json");
        let doc = pagetree_model::load_document(json, None).unwrap();
        let walk = doc.walk();
        // Only the heading and the paragraph after it, unrelated, share a box.
        let dups: Vec<_> = duplicate_boxes(&walk).into_iter().collect();
        assert_eq!(dups, [(8, 0), (9, 0)]);
    }
}
