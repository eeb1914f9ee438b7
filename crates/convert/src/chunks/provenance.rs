//! Where a chunk came from: the elements whose markdown it holds, their pages and boxes (in
//! points and normalised, with the union per page), and its stable id.

use std::cell::OnceCell;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use pagetree_model::{BoxProblem, Document, ItemKind, ItemRef};

use super::blocks::Block;
use super::schema::{ChunkBox, PageBoxes};
use crate::boxes::duplicate_boxes;
use crate::elements::{CharIndex, element_ids};
use crate::pages::Rendered;

/// What the provenance of every chunk needs from the whole document.
pub(crate) struct Provenance<'d> {
    doc: &'d Document,
    walk: &'d [ItemRef<'d>],
    md: &'d Rendered,
    ids: Vec<String>,
    /// End (exclusive walk index) of each item's subtree.
    subtree_end: Vec<usize>,
    duplicates: BTreeSet<(usize, usize)>,
    /// Per item, found when a chunk first holds part of it: whether the item is a paragraph
    /// written as its `md`, and if so the length of the `md`'s leading blanks and its
    /// character index. A paragraph of megabytes is in thousands of chunks, and comparing it
    /// with its rendering and indexing it again for each was quadratic in its size.
    paragraphs: Vec<OnceCell<Option<(usize, CharIndex)>>>,
}

/// A chunk's elements, pages and boxes.
pub(crate) struct Found {
    pub elements: Vec<String>,
    pub pages: BTreeSet<u32>,
    pub page_boxes: Vec<PageBoxes>,
}

impl<'d> Provenance<'d> {
    pub fn new(doc: &'d Document, walk: &'d [ItemRef<'d>], md: &'d Rendered) -> Self {
        let mut subtree_end = vec![walk.len(); walk.len()];
        // Items whose subtree is still open, innermost last.
        let mut open: Vec<usize> = Vec::new();
        for r in walk {
            while open.last().is_some_and(|&o| walk[o].depth >= r.depth) {
                if let Some(o) = open.pop() {
                    subtree_end[o] = r.index;
                }
            }
            open.push(r.index);
        }
        Provenance {
            doc,
            walk,
            md,
            ids: element_ids(walk),
            subtree_end,
            duplicates: duplicate_boxes(walk),
            paragraphs: (0..walk.len()).map(|_| OnceCell::new()).collect(),
        }
    }

    /// The elements of `blocks` whose markdown overlaps `parts`, with their pages and boxes.
    pub fn of(&self, blocks: &[&Block], parts: &[Range<usize>]) -> Found {
        let overlaps = |s: &Range<usize>| parts.iter().any(|p| s.start < p.end && s.end > p.start);
        let inside = |s: &Range<usize>| parts.iter().any(|p| p.start <= s.start && s.end <= p.end);
        let mut pages = BTreeSet::new();
        let mut elements = Vec::new();
        let mut boxes: BTreeMap<u32, Vec<ChunkBox>> = BTreeMap::new();
        for b in blocks {
            pages.extend(b.page);
            for &top in &b.items {
                for i in top..self.subtree_end[top] {
                    let Some(span) = self.md.span(i) else {
                        continue;
                    };
                    if !overlaps(&span.bytes) {
                        continue;
                    }
                    let r = &self.walk[i];
                    pages.insert(r.page);
                    elements.push(self.ids[i].clone());
                    let chosen = if inside(&span.bytes) {
                        (0..r.item.boxes().len()).collect()
                    } else {
                        self.partial_boxes(i, &span.bytes, parts)
                    };
                    let size = self.doc.page(r.page).and_then(|p| p.size());
                    let list = boxes.entry(r.page).or_default();
                    for k in chosen {
                        let bx = &r.item.boxes()[k];
                        let mut problems: Vec<&'static str> = bx
                            .problems(size)
                            .into_iter()
                            .map(BoxProblem::as_str)
                            .collect();
                        if self.duplicates.contains(&(i, k)) {
                            problems.push("duplicate");
                        }
                        list.push(ChunkBox {
                            element: self.ids[i].clone(),
                            x: bx.x,
                            y: bx.y,
                            w: bx.w,
                            h: bx.h,
                            normalized: size.and_then(|(w, h)| bx.normalized(w, h)),
                            problems,
                        });
                    }
                }
            }
        }
        let page_boxes = pages
            .iter()
            .map(|&n| {
                let size = self.doc.page(n).and_then(|p| p.size());
                let list = boxes.remove(&n).unwrap_or_default();
                let bbox = union(&list);
                PageBoxes {
                    page: n,
                    width: size.map(|s| s.0),
                    height: size.map(|s| s.1),
                    bbox,
                    bbox_normalized: bbox.zip(size).map(|(b, (w, h))| {
                        let c = |v: f64| v.clamp(0.0, 1.0);
                        [c(b[0] / w), c(b[1] / h), c(b[2] / w), c(b[3] / h)]
                    }),
                    boxes: list,
                }
            })
            .collect();
        Found {
            elements,
            pages,
            page_boxes,
        }
    }

    /// The boxes of item `i`, only part of whose rendering (`span`) is in the chunk: none when
    /// its children carry boxes of their own (a list's entries); for a paragraph rendered as its
    /// `md`, those whose span of the `md` overlaps the chunk's share; otherwise all.
    fn partial_boxes(&self, i: usize, span: &Range<usize>, parts: &[Range<usize>]) -> Vec<usize> {
        let item = self.walk[i].item;
        let all: Vec<usize> = (0..item.boxes().len()).collect();
        if (i + 1..self.subtree_end[i]).any(|c| self.md.span(c).is_some()) {
            return Vec::new();
        }
        let paragraph = self.paragraphs[i].get_or_init(|| {
            let md = item.md();
            let lead = md.len() - md.trim_start().len();
            (item.kind() == ItemKind::Text && self.md.output[span.clone()] == *md.trim())
                .then(|| (lead, CharIndex::new(md)))
        });
        let Some((lead, index)) = paragraph else {
            return all;
        };
        let lead = *lead;
        // The chunk's share of the item, in characters of its md.
        let shares: Vec<[usize; 2]> = parts
            .iter()
            .filter(|p| p.start < span.end && p.end > span.start)
            .map(|p| {
                let a = p.start.max(span.start) - span.start + lead;
                let b = p.end.min(span.end) - span.start + lead;
                [index.char_of(a), index.char_of(b)]
            })
            .collect();
        all.into_iter()
            .filter(|&k| {
                let b = &item.boxes()[k];
                match index.span(b.start_index, b.end_index) {
                    Some(r) => shares
                        .iter()
                        .any(|s| r.chars[0] < s[1] && r.chars[1] > s[0]),
                    // A box that does not say what it covers may cover this share.
                    None => true,
                }
            })
            .collect()
    }
}

/// The union of the boxes that say where something is: not those with a missing coordinate,
/// covering most of the page, or repeated on unrelated items.
fn union(boxes: &[ChunkBox]) -> Option<[f64; 4]> {
    let skip = |p: &&'static str| matches!(*p, "null_coordinate" | "near_full_page" | "duplicate");
    boxes
        .iter()
        .filter(|b| !b.problems.iter().any(skip))
        .filter_map(|b| {
            let (x, y, w, h) = (b.x?, b.y?, b.w?, b.h?);
            Some([x.min(x + w), y.min(y + h), x.max(x + w), y.max(y + h)])
        })
        .reduce(|a, b| {
            [
                a[0].min(b[0]),
                a[1].min(b[1]),
                a[2].max(b[2]),
                a[3].max(b[3]),
            ]
        })
}

/// The stable chunk id: FNV-1a 64 of `key`, as 16 hex digits.
pub(crate) fn stable_id(key: &str) -> String {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let hash = key
        .bytes()
        .fold(OFFSET, |h, b| (h ^ u64::from(b)).wrapping_mul(PRIME));
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_the_reference_vectors() {
        // From the FNV reference test suite.
        assert_eq!(stable_id(""), "cbf29ce484222325");
        assert_eq!(stable_id("a"), "af63dc4c8601ec8c");
        assert_eq!(stable_id("foobar"), "85944171f73967e8");
    }

    #[test]
    fn the_union_skips_boxes_that_locate_nothing() {
        let b = |x: f64, problems: Vec<&'static str>| ChunkBox {
            element: "p1-e1".into(),
            x: Some(x),
            y: Some(10.0),
            w: Some(5.0),
            h: Some(-5.0),
            normalized: None,
            problems,
        };
        assert_eq!(
            union(&[
                b(1.0, vec![]),
                b(100.0, vec!["near_full_page"]),
                b(20.0, vec![])
            ]),
            Some([1.0, 5.0, 25.0, 10.0])
        );
        assert_eq!(union(&[b(1.0, vec!["duplicate"])]), None);
    }
}
