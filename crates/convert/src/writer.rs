//! An append-only string writer that indents continuation lines (for list entries) and hands out
//! byte positions, so item renderers can record where each item landed.

use std::ops::Range;

/// A string being written, with the current indentation.
#[derive(Debug, Default)]
pub(crate) struct Out {
    pub buf: String,
    indent: usize,
}

impl Out {
    /// Continues writing after `buf`.
    pub fn new(buf: String) -> Self {
        Out { buf, indent: 0 }
    }

    fn at_line_start(&self) -> bool {
        self.buf.is_empty() || self.buf.ends_with('\n')
    }

    /// Writes `s`, indenting every non-empty line that starts in it. Blank lines stay empty
    /// (markdown does not need them indented, and trailing spaces would be noise).
    pub fn push(&mut self, s: &str) {
        if self.indent == 0 {
            // Nothing to indent (most writes): the same bytes, without splitting lines.
            self.buf.push_str(s);
            return;
        }
        for (i, piece) in s.split('\n').enumerate() {
            if i > 0 {
                self.buf.push('\n');
            }
            if piece.is_empty() {
                continue;
            }
            if self.at_line_start() {
                self.buf.extend(std::iter::repeat_n(' ', self.indent));
            }
            self.buf.push_str(piece);
        }
    }

    /// Where the next non-empty write will start (after any pending indentation).
    pub fn start(&self) -> usize {
        if self.at_line_start() {
            self.buf.len() + self.indent
        } else {
            self.buf.len()
        }
    }

    /// The range written since `start`, if anything was.
    pub fn since(&self, start: usize) -> Option<Range<usize>> {
        (self.buf.len() > start).then_some(start..self.buf.len())
    }

    /// The current length.
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// Drops everything after `len` (an unused separator).
    pub fn truncate(&mut self, len: usize) {
        self.buf.truncate(len);
    }

    /// Runs `f` with `n` more columns of indentation.
    pub fn indented<R>(&mut self, n: usize, f: impl FnOnce(&mut Self) -> R) -> R {
        self.indent += n;
        let r = f(self);
        self.indent -= n;
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuation_lines_are_indented_and_blank_lines_are_not() {
        let mut o = Out::default();
        o.push("- ");
        o.indented(2, |o| {
            let s = o.start();
            o.push("a\nb\n\nc");
            assert_eq!(&o.buf[o.since(s).unwrap()], "a\n  b\n\n  c");
            o.push("\n");
            assert_eq!(o.start(), o.len() + 2);
        });
        assert_eq!(o.buf, "- a\n  b\n\n  c\n");
    }
}
