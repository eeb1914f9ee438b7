//! Splitting text that does not fit in one chunk: into paragraphs, then sentences, then lines,
//! then words, only as far down as needed ("atoms"); the chunker packs consecutive atoms back
//! into pieces that fit. Every atom is a range of the document markdown with only whitespace
//! between neighbours, so a piece is always an exact slice of it and no word is ever lost.

use std::ops::Range;

/// A way of cutting text, coarsest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Level {
    /// At blank lines.
    Paragraph,
    /// After sentence-ending punctuation followed by whitespace and a capital, digit or
    /// opening mark.
    Sentence,
    /// At line breaks, keeping each line's indentation.
    Line,
    /// At whitespace.
    Word,
}

/// Levels for prose.
pub(crate) const PROSE: &[Level] = &[Level::Paragraph, Level::Sentence, Level::Line, Level::Word];
/// Levels for line-oriented text (code, tables written as text).
pub(crate) const LINES: &[Level] = &[Level::Line, Level::Word];
/// Levels for a single line (headings).
pub(crate) const WORDS: &[Level] = &[Level::Word];

/// Cuts `range` of `text` into atoms that each satisfy `fits` (cutting only as deep as
/// needed), in order. A single word that does not fit is cut between grapheme clusters
/// (UAX #29, so text without spaces, such as CJK, is cut too), as long runs as fit; only a
/// single grapheme that does not fit is kept whole.
pub(crate) fn atoms(
    text: &str,
    range: Range<usize>,
    levels: &[Level],
    fits: &dyn Fn(&str) -> bool,
    out: &mut Vec<Range<usize>>,
) {
    let Some((&level, rest)) = levels.split_first() else {
        out.push(range);
        return;
    };
    for part in cut(text, range, level) {
        if fits(&text[part.clone()]) {
            out.push(part);
        } else if rest.is_empty() {
            // Text without spaces (CJK) still has sentences: UAX #29 finds them.
            use unicode_segmentation::UnicodeSegmentation;
            let base = part.start;
            for (i, sentence) in text[part.clone()].split_sentence_bound_indices() {
                let r = base + i..base + i + sentence.len();
                if fits(&text[r.clone()]) {
                    out.push(r);
                } else {
                    graphemes(text, r, fits, out);
                }
            }
        } else {
            atoms(text, part, rest, fits, out);
        }
    }
}

/// Cuts `range` into the longest runs of grapheme clusters that fit. Each run is found by
/// doubling then halving its length, so a run of `k` clusters costs `O(k log k)` to measure,
/// never the rest of the text.
fn graphemes(
    text: &str,
    range: Range<usize>,
    fits: &dyn Fn(&str) -> bool,
    out: &mut Vec<Range<usize>>,
) {
    use unicode_segmentation::UnicodeSegmentation;
    let s = &text[range.clone()];
    let mut bounds: Vec<usize> = s.grapheme_indices(true).map(|(i, _)| i).collect();
    bounds.push(s.len());
    let n = bounds.len() - 1;
    let at = |a: usize, z: usize| &s[bounds[a]..bounds[z]];
    let mut pos = 0;
    while pos < n {
        // Largest `k` (at least 1) with clusters `pos..pos + k` fitting.
        let mut good = 1;
        let mut step = 1;
        while pos + good + step <= n && fits(at(pos, pos + good + step)) {
            good += step;
            step *= 2;
        }
        let mut hi = (pos + good + step).min(n + 1) - pos;
        while hi - good > 1 {
            let mid = (good + hi) / 2;
            if fits(at(pos, pos + mid)) {
                good = mid;
            } else {
                hi = mid;
            }
        }
        out.push(range.start + bounds[pos]..range.start + bounds[pos + good]);
        pos += good;
    }
}

/// Cuts `range` at one level; parts are non-empty and trimmed (lines keep their indentation).
pub(crate) fn cut(text: &str, range: Range<usize>, level: Level) -> Vec<Range<usize>> {
    let s = &text[range.clone()];
    let base = range.start;
    let mut out = Vec::new();
    let mut push = |a: usize, b: usize, keep_indent: bool| {
        let piece = &s[a..b];
        let lead = if keep_indent {
            piece.len() - piece.trim_start_matches(['\n', '\r']).len()
        } else {
            piece.len() - piece.trim_start().len()
        };
        let trail = piece.len() - piece.trim_end().len();
        if lead + trail < piece.len() {
            out.push(base + a + lead..base + b - trail);
        }
    };
    match level {
        Level::Paragraph => {
            // A blank line (only whitespace) separates paragraphs.
            let mut start = 0;
            let mut pos = 0;
            for line in s.split_inclusive('\n') {
                if line.trim().is_empty() {
                    push(start, pos, true);
                    start = pos + line.len();
                }
                pos += line.len();
            }
            push(start, s.len(), true);
        }
        Level::Line => {
            let mut pos = 0;
            for line in s.split_inclusive('\n') {
                push(pos, pos + line.len(), true);
                pos += line.len();
            }
        }
        Level::Word => {
            let mut start = None;
            for (i, c) in s.char_indices() {
                match (c.is_whitespace(), start) {
                    (true, Some(a)) => {
                        push(a, i, false);
                        start = None;
                    }
                    (false, None) => start = Some(i),
                    _ => {}
                }
            }
            if let Some(a) = start {
                push(a, s.len(), false);
            }
        }
        Level::Sentence => {
            let mut start = 0;
            for b in sentence_ends(s) {
                push(start, b, false);
                start = b;
            }
            push(start, s.len(), false);
        }
    }
    out
}

/// Byte offsets just after each sentence end: `.`, `!`, `?` or `…` (and closing quotes or
/// brackets after it), then whitespace, then a capital letter, a digit or an opening mark. The
/// last condition keeps `e.g. this` and `3.5 mm` whole.
fn sentence_ends(s: &str) -> Vec<usize> {
    // Walked with iterators, never a table of every character: that table (16 bytes a
    // character) made a paragraph of megabytes cost 16 times its size.
    let mut out = Vec::new();
    let mut it = s.char_indices();
    while let Some((_, c)) = it.next() {
        if !matches!(c, '.' | '!' | '?' | '…') {
            continue;
        }
        let mut look = it.clone();
        let mut after = look.clone();
        while let Some((_, ch)) = after.next()
            && matches!(ch, '"' | '\'' | ')' | ']' | '”' | '’' | '*' | '_')
        {
            look = after.clone();
        }
        // `look` is just past the closing marks.
        let end = look.clone().next().map_or(s.len(), |(b, _)| b);
        let mut spaced = false;
        let mut next = None;
        for (_, ch) in look.clone() {
            if ch.is_whitespace() {
                spaced = true;
                continue;
            }
            next = Some(ch);
            break;
        }
        if spaced
            && next.is_some_and(|n| {
                n.is_uppercase() || n.is_ascii_digit() || "\"'“‘([*_#-".contains(n)
            })
        {
            out.push(end);
            // On at the sentence's first character (the whitespace is skipped).
            while let Some((_, ch)) = look.clone().next()
                && ch.is_whitespace()
            {
                look.next();
            }
            it = look;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plain way [`sentence_ends`] replaced: a table of every character.
    fn sentence_ends_by_table(s: &str) -> Vec<usize> {
        let mut out = Vec::new();
        let chars: Vec<(usize, char)> = s.char_indices().collect();
        let mut i = 0;
        while i < chars.len() {
            let (_, c) = chars[i];
            if matches!(c, '.' | '!' | '?' | '…') {
                let mut j = i + 1;
                while j < chars.len()
                    && matches!(chars[j].1, '"' | '\'' | ')' | ']' | '”' | '’' | '*' | '_')
                {
                    j += 1;
                }
                let end = chars.get(j).map_or(s.len(), |(b, _)| *b);
                let mut k = j;
                while k < chars.len() && chars[k].1.is_whitespace() {
                    k += 1;
                }
                let next = chars.get(k).map(|(_, c)| *c);
                if k > j
                    && next.is_some_and(|n| {
                        n.is_uppercase() || n.is_ascii_digit() || "\"'“‘([*_#-".contains(n)
                    })
                {
                    out.push(end);
                    i = k;
                    continue;
                }
            }
            i += 1;
        }
        out
    }

    #[test]
    fn sentence_ends_walk_as_the_character_table_did() {
        for s in [
            "One. Two! Three? Four… five. 6 items. \"Quoted.\" Next. (Aside.) Then",
            "e.g. this and 3.5 mm. Done.  \n\n  New paragraph.\"  \"Open",
            "End.",
            "End. ",
            "Über. Ärger! Ça va? «Non.» [x]. *Bold.* _It_. #Tag. -Dash. a.B c.  ",
            "...  ?? !! .\u{a0}A",
            "",
        ] {
            assert_eq!(sentence_ends(s), sentence_ends_by_table(s), "{s:?}");
        }
    }

    fn texts<'a>(s: &'a str, r: &[Range<usize>]) -> Vec<&'a str> {
        r.iter().map(|r| &s[r.clone()]).collect()
    }

    #[test]
    fn levels_cut_where_they_should() {
        let s = "First one. Second, e.g. this one! Third 3.5 mm?\n\n  Next para\nline two";
        let all = 0..s.len();
        assert_eq!(
            texts(s, &cut(s, all.clone(), Level::Paragraph)),
            [
                "First one. Second, e.g. this one! Third 3.5 mm?",
                "  Next para\nline two"
            ]
        );
        assert_eq!(
            texts(s, &cut(s, all.clone(), Level::Sentence)),
            [
                "First one.",
                "Second, e.g. this one!",
                "Third 3.5 mm?",
                "Next para\nline two"
            ]
        );
        assert_eq!(
            texts(s, &cut(s, all.clone(), Level::Line))[1..],
            ["  Next para", "line two"]
        );
        assert_eq!(cut(s, all, Level::Word).len(), 13);
    }

    #[test]
    fn atoms_go_only_as_deep_as_needed() {
        let s = "Alpha beta. Gamma delta epsilon zeta eta theta. Iota.";
        let fits = |t: &str| t.len() <= 20;
        let mut out = Vec::new();
        atoms(s, 0..s.len(), PROSE, &fits, &mut out);
        assert_eq!(
            texts(s, &out),
            [
                "Alpha beta.",
                "Gamma",
                "delta",
                "epsilon",
                "zeta",
                "eta",
                "theta.",
                "Iota."
            ]
        );
    }
}
