//! How a list of sibling items groups into output blocks: runs of furniture, and paragraphs
//! that the server split into text and link items.
//!
//! The server cuts a paragraph at every link: `text "... see ("`, `link`, `text "). More ..."`.
//! Its own page markdown joins them back into one paragraph; so do we, when the text before a
//! link ends mid-sentence (whitespace or an opening bracket) and the text after it starts with
//! whitespace or punctuation that continues a sentence.

use std::ops::Range;

use pagetree_model::{Item, ItemKind};

use crate::furniture::{Furniture, FurnitureMode};
use crate::pages::subtree_len;
use crate::writer::Out;

/// A group of consecutive siblings rendered as one block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Block {
    /// Items (one, or a text/link paragraph run) rendered inline, joined without separators.
    Run(Range<usize>),
    /// Consecutive items of one furniture layer.
    Furniture(Furniture, Range<usize>),
}

/// Groups `items` (with their furniture layers, when they are a page's top-level items).
pub(crate) fn blocks(items: &[Item], classes: Option<&[Option<Furniture>]>) -> Vec<Block> {
    let class = |i: usize| classes.and_then(|c| c.get(i).copied().flatten());
    let mut out = Vec::new();
    let mut i = 0;
    while i < items.len() {
        let start = i;
        if let Some(layer) = class(i) {
            while i < items.len() && class(i) == Some(layer) {
                i += 1;
            }
            out.push(Block::Furniture(layer, start..i));
            continue;
        }
        i += 1;
        while i < items.len() && class(i).is_none() && joins(&items[i - 1], &items[i]) {
            i += 1;
        }
        out.push(Block::Run(start..i));
    }
    out
}

/// What a writer of sibling blocks (markdown, text) decides for itself; [`write_blocks`] does
/// the rest the same way for both: blank lines between blocks, furniture wrapped or hidden,
/// nothing left behind by a block that writes nothing. `'i` is the items' lifetime, `'o` the
/// options'.
pub(crate) trait BlockWriter<'i, 'o> {
    /// How the page's header or footer layer is written.
    fn furniture(&self, layer: Furniture) -> &'o FurnitureMode;
    /// Writes one item, or a paragraph run of text and link items, with their spans (`walk`
    /// holds the walk index of each item).
    fn write_run(&mut self, items: &'i [Item], walk: &[usize], out: &mut Out);
}

/// Writes sibling items as blocks separated by blank lines (`classes` are the furniture
/// layers of a page's top-level items, `None` below the top level).
pub(crate) fn write_blocks<'i, 'o, W: BlockWriter<'i, 'o>>(
    w: &mut W,
    items: &'i [Item],
    walk: &[usize],
    classes: Option<&[Option<Furniture>]>,
    out: &mut Out,
) {
    let mut emitted = false;
    for group in blocks(items, classes) {
        let mark = out.len();
        if emitted {
            out.push("\n\n");
        }
        let start = out.len();
        match group {
            Block::Run(r) => w.write_run(&items[r.clone()], &walk[r], out),
            Block::Furniture(layer, r) => {
                let mode = w.furniture(layer);
                if !mode.is_hidden() {
                    let (prefix, suffix) = mode.wrap();
                    out.push(prefix);
                    let inner = out.len();
                    write_blocks(w, &items[r.clone()], &walk[r], None, out);
                    if out.len() == inner {
                        out.truncate(start);
                    } else {
                        out.push(suffix);
                    }
                }
            }
        }
        if out.len() == start {
            out.truncate(mark);
        } else {
            emitted = true;
        }
    }
}

/// The walk index of each item, given the walk index of the first.
pub(crate) fn walk_indices(items: &[Item], first: usize) -> Vec<usize> {
    let mut next = first;
    items
        .iter()
        .map(|it| {
            let i = next;
            next += subtree_len(it);
            i
        })
        .collect()
}

fn edge_text(item: &Item) -> &str {
    match item.md() {
        "" => item.plain_text(),
        md => md,
    }
}

/// Whether `next` continues the paragraph `prev` is in.
pub(crate) fn joins(prev: &Item, next: &Item) -> bool {
    match (prev.kind(), next.kind()) {
        (ItemKind::Text, ItemKind::Link) => edge_text(prev)
            .chars()
            .next_back()
            .is_some_and(|c| c != '\n' && (c.is_whitespace() || "([{\"'“‘@:".contains(c))),
        (ItemKind::Link, ItemKind::Text) => edge_text(next)
            .chars()
            .next()
            .is_some_and(|c| c != '\n' && (c.is_whitespace() || ".,;:!?)]}\"'”’|\\".contains(c))),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn item(v: serde_json::Value) -> Item {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn links_split_out_of_a_paragraph_are_joined_back() {
        let items = [
            item(json!({"type": "text", "md": "Heading-free intro."})),
            item(json!({"type": "text", "md": "worldwide ("})),
            item(json!({"type": "link", "md": "<http://a.example>", "text": "a", "url": "u"})),
            item(json!({"type": "text", "md": ") with more"})),
            item(json!({"type": "link", "md": "[b](u)", "text": "b", "url": "u"})),
            item(json!({"type": "text", "md": "Genetics, Vol. 200"})),
        ];
        assert_eq!(
            blocks(&items, None),
            [
                Block::Run(0..1),
                Block::Run(1..4),
                Block::Run(4..5),
                Block::Run(5..6)
            ]
        );
    }

    #[test]
    fn furniture_runs_group_and_never_join_body_text() {
        let items = [
            item(json!({"type": "text", "md": "Head "})),
            item(json!({"type": "link", "md": "[b](u)", "text": "b", "url": "u"})),
            item(json!({"type": "text", "md": "Body"})),
        ];
        let classes = [Some(Furniture::Header), None, None];
        assert_eq!(
            blocks(&items, Some(&classes)),
            [
                Block::Furniture(Furniture::Header, 0..1),
                Block::Run(1..2),
                Block::Run(2..3)
            ]
        );
    }
}
