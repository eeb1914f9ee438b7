//! Converting a box's `start_index`/`end_index` (inclusive, in Unicode scalar values of the
//! item's `md`) into half-open character and byte ranges.

use serde::Serialize;

/// A half-open range in both characters (Unicode scalar values) and UTF-8 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TextRange {
    /// `[start, end)` in characters.
    pub chars: [usize; 2],
    /// `[start, end)` in bytes.
    pub bytes: [usize; 2],
}

/// Byte offset of every character boundary of `s` (one more entry than characters), so that
/// many spans over the same text are converted without rescanning it. ASCII text (most text)
/// needs no table: characters are bytes.
#[derive(Debug, Clone)]
pub struct CharIndex {
    /// Empty for ASCII text of `ascii_len` bytes.
    boundaries: Vec<usize>,
    ascii_len: usize,
}

impl CharIndex {
    /// Indexes `s`.
    pub fn new(s: &str) -> Self {
        if s.is_ascii() {
            return CharIndex {
                boundaries: Vec::new(),
                ascii_len: s.len(),
            };
        }
        let mut boundaries: Vec<usize> = s.char_indices().map(|(b, _)| b).collect();
        boundaries.push(s.len());
        CharIndex {
            boundaries,
            ascii_len: 0,
        }
    }

    /// Number of characters.
    pub fn chars(&self) -> usize {
        if self.boundaries.is_empty() {
            self.ascii_len
        } else {
            self.boundaries.len() - 1
        }
    }

    /// Byte offset of character `c` (clamped to the end).
    pub fn byte_of(&self, c: usize) -> usize {
        if self.boundaries.is_empty() {
            return c.min(self.ascii_len);
        }
        self.boundaries[c.min(self.chars())]
    }

    /// Character offset of byte `b` (the boundary at or before it).
    pub fn char_of(&self, b: usize) -> usize {
        if self.boundaries.is_empty() {
            return b.min(self.ascii_len);
        }
        match self.boundaries.binary_search(&b) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }

    /// The range for an inclusive `[start, end]` span as the API writes it. `None` when the
    /// span is missing, reversed, or starts past the end of the text; an end past the text is
    /// clamped (the server counts a trailing newline it later trims).
    pub fn span(&self, start: Option<i64>, end_inclusive: Option<i64>) -> Option<TextRange> {
        let (s, e) = (start?, end_inclusive?);
        let n = self.chars() as i64;
        if s < 0 || e < s || s >= n.max(1) {
            return None;
        }
        let (s, e) = (s as usize, ((e + 1).min(n)) as usize);
        Some(TextRange {
            chars: [s, e],
            bytes: [self.byte_of(s), self.byte_of(e)],
        })
    }

    /// Whether an inclusive span lies fully inside the text.
    pub fn span_fits(&self, start: Option<i64>, end_inclusive: Option<i64>) -> bool {
        match (start, end_inclusive) {
            (Some(s), Some(e)) => s >= 0 && e >= s && (e as usize) < self.chars().max(1),
            _ => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inclusive_char_spans_become_half_open_char_and_byte_ranges() {
        let md = "Café 🍋 au lait";
        let idx = CharIndex::new(md);
        assert_eq!(idx.chars(), 14);
        let whole = idx.span(Some(0), Some(13)).unwrap();
        assert_eq!(whole.chars, [0, 14]);
        assert_eq!(whole.bytes, [0, md.len()]);
        let lemon = idx.span(Some(5), Some(5)).unwrap();
        assert_eq!(&md[lemon.bytes[0]..lemon.bytes[1]], "🍋");
        assert_eq!(idx.span(Some(3), Some(1)), None);
        assert_eq!(idx.span(Some(20), Some(25)), None);
        assert_eq!(idx.span(None, Some(2)), None);
        // An end past the text is clamped, and flagged by span_fits.
        assert_eq!(idx.span(Some(6), Some(500)).unwrap().chars, [6, 14]);
        assert!(!idx.span_fits(Some(6), Some(500)));
        assert_eq!(idx.char_of(lemon.bytes[0] + 1), 5);
    }
}
