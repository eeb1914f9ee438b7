//! Where the entries of a response's page lists sit, held compactly for the page index of a
//! batched read ([`crate::lazy`]): 16 bytes an entry, against 48 for a [`PieceLoc`] each.
//!
//! A [`PieceLoc`] holds an entry's offset, length, line, column and index in its array. Of
//! those only the offset and length differ from one entry to the next in a way nothing else
//! tells; the rest is given back exactly from what is shared:
//!
//! - The line and column, from [`Lines`]: the line an entry starts on and where that line
//!   starts, noted once per line that has entries (a response saved on one line needs one
//!   note; a pretty-printed one, one per entry, which is still smaller than a [`PieceLoc`]).
//! - The index in its array, which is its place in its list except after a v1 page without
//!   text (the text list skips it) or where a list is given twice: noted only there.
//!
//! The index of a large response holds one of these per entry of each page list, so this is
//! what the page count costs (docs/design.md, "Large responses").

use std::fmt;

use crate::lazy::PieceLoc;
use crate::scan::Position;

/// Where one entry sits: its first byte and its length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    offset: u64,
    len: u64,
}

/// The entries of one page list, in the order they were met (see the module docs).
#[derive(Debug, Clone, Default)]
pub(crate) struct Entries {
    spans: Vec<Span>,
    /// `(place, index)` where an entry's index in its array is not the one the previous
    /// entry's gives (previous + 1, or the place itself for the first): the entries from
    /// `place` on count from `index`, until the next step.
    steps: Vec<(usize, usize)>,
}

impl Entries {
    /// Notes the next entry: where it starts, its length and its index in its array.
    pub(crate) fn push(&mut self, offset: u64, len: u64, index: usize) {
        let place = self.spans.len();
        if index != self.index(place) {
            self.steps.push((place, index));
        }
        self.spans.push(Span { offset, len });
    }

    /// How many entries there are.
    pub(crate) fn len(&self) -> usize {
        self.spans.len()
    }

    /// The byte offset and length of entry `place`.
    pub(crate) fn span(&self, place: usize) -> (u64, u64) {
        let s = self.spans[place];
        (s.offset, s.len)
    }

    /// The index in its array of entry `place` (any place: past the end, what the next
    /// entry's would be without a step).
    pub(crate) fn index(&self, place: usize) -> usize {
        match self.steps.partition_point(|&(p, _)| p <= place) {
            0 => place,
            k => {
                let (p, index) = self.steps[k - 1];
                index + (place - p)
            }
        }
    }

    /// Entry `place` as a [`PieceLoc`], its position from `lines`.
    pub(crate) fn loc(&self, place: usize, lines: &Lines) -> PieceLoc {
        let Span { offset, len } = self.spans[place];
        PieceLoc {
            offset,
            len,
            pos: lines.at(offset),
            index: self.index(place),
        }
    }

    /// The entries in order, as [`PieceLoc`]s.
    pub(crate) fn locs<'a>(&'a self, lines: &'a Lines) -> impl Iterator<Item = PieceLoc> + 'a {
        (0..self.len()).map(move |place| self.loc(place, lines))
    }

    /// Whether every entry's index is its place (one run of one array, from its start).
    pub(crate) fn in_place(&self) -> bool {
        self.steps.is_empty()
    }

    /// Makes every entry's index its place in this list.
    pub(crate) fn number_in_place(&mut self) {
        self.steps.clear();
    }

    /// Makes room for `more` entries.
    pub(crate) fn reserve(&mut self, more: usize) {
        self.spans.reserve_exact(more);
    }

    /// Drops the spare capacity left by growing (the index is held for the whole read).
    pub(crate) fn shrink_to_fit(&mut self) {
        self.spans.shrink_to_fit();
        self.steps.shrink_to_fit();
    }
}

/// Where the lines that entries start on begin: enough to give back each entry's line and
/// column from its offset (see the module docs). Entries are noted in input order.
#[derive(Clone, Default)]
pub(crate) struct Lines {
    marks: Vec<LineMark>,
}

/// The first entry noted on a line: its offset, the line and the offset where the line starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct LineMark {
    offset: u64,
    line: u64,
    start: u64,
}

impl Lines {
    /// Notes the position of an entry that starts at or after every entry noted before.
    pub(crate) fn note(&mut self, pos: Position) {
        // Columns count bytes from 1 on the line, so the line starts `column - 1` bytes before.
        let start = pos.offset + 1 - pos.column.min(pos.offset + 1);
        let same = self
            .marks
            .last()
            .is_some_and(|m| m.line == pos.line && m.start == start && m.offset <= pos.offset);
        if !same {
            self.marks.push(LineMark {
                offset: pos.offset,
                line: pos.line,
                start,
            });
        }
        debug_assert_eq!(
            self.at(pos.offset),
            pos,
            "a position the marks do not give back"
        );
    }

    /// The position of an entry noted at `offset`.
    pub(crate) fn at(&self, offset: u64) -> Position {
        let k = self.marks.partition_point(|m| m.offset <= offset);
        let Some(m) = k.checked_sub(1).map(|k| self.marks[k]) else {
            // Only entries noted here are looked up; an offset before them all is on line 1.
            return Position {
                offset,
                line: 1,
                column: offset + 1,
            };
        };
        Position {
            offset,
            line: m.line,
            column: offset - m.start + 1,
        }
    }

    /// Notes every mark of `other` (noted after all of these), each moved by `shift`.
    pub(crate) fn extend_shifted(&mut self, other: &Lines, shift: impl Fn(Position) -> Position) {
        for m in &other.marks {
            self.note(shift(Position {
                offset: m.offset,
                line: m.line,
                column: m.offset - m.start + 1,
            }));
        }
    }

    /// Drops the spare capacity left by growing.
    pub(crate) fn shrink_to_fit(&mut self) {
        self.marks.shrink_to_fit();
    }
}

impl fmt::Debug for Lines {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // How the marks fall depends on how the input was read (one scan or two halves);
        // what they give back does not, and each entry's position is shown with the entry.
        f.write_str("Lines")
    }
}

/// The four lists' entries with their positions, shown as [`PieceLoc`]s: what they stand for,
/// the same however they are held.
pub(crate) struct ShownLists<'a>(pub(crate) &'a [Entries; 4], pub(crate) &'a Lines);

impl fmt::Debug for ShownLists<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ShownLists(lists, lines) = self;
        f.debug_list()
            .entries(lists.iter().map(|l| l.locs(lines).collect::<Vec<_>>()))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(offset: u64, line: u64, column: u64) -> Position {
        Position {
            offset,
            line,
            column,
        }
    }

    #[test]
    fn positions_come_back_from_one_mark_a_line() {
        let mut lines = Lines::default();
        // One line (a minified response, a byte-order mark counted in the column)...
        for p in [pos(10, 1, 11), pos(200, 1, 201), pos(4000, 1, 4001)] {
            lines.note(p);
        }
        assert_eq!(lines.marks.len(), 1);
        // ...then a pretty-printed tail: a line each, some sharing one.
        for p in [
            pos(5000, 7, 3),
            pos(5100, 9, 5),
            pos(5110, 9, 15),
            pos(9000, 40, 1),
        ] {
            lines.note(p);
        }
        assert_eq!(lines.marks.len(), 4);
        for p in [
            pos(200, 1, 201),
            pos(5110, 9, 15),
            pos(9000, 40, 1),
            pos(5000, 7, 3),
        ] {
            assert_eq!(lines.at(p.offset), p);
        }
    }

    #[test]
    fn indexes_are_noted_only_where_they_leave_the_place() {
        let mut e = Entries::default();
        // A v1 text list: page 3 has no text, so the entries from the third on are one behind.
        for (offset, index) in [(0, 0), (10, 1), (30, 3), (40, 4)] {
            e.push(offset, 5, index);
        }
        // Then the list again, counting from 0.
        e.push(50, 5, 0);
        e.push(60, 5, 1);
        assert_eq!(e.steps, [(2, 3), (4, 0)]);
        let indexes: Vec<usize> = (0..e.len()).map(|p| e.index(p)).collect();
        assert_eq!(indexes, [0, 1, 3, 4, 0, 1]);
        assert_eq!(e.span(2), (30, 5));
        assert!(!e.in_place());
    }
}
