//! Escaping for markdown: plain text, table cells, link text and destinations, code fences.
//!
//! Item `md` is already markdown and is written as is; these functions are for the places where
//! plain data (a `value`, a cell, a caption, a URL) lands in markdown and must not change its
//! structure.

use std::borrow::Cow;

/// Escapes plain text so that it renders as itself: inline markers (`\ ` * _ [ ] < > ~`, `&`
/// before an entity-like name) anywhere, and block markers (`#`, `>`, `-`, `+`, `=`, `1.`) at
/// the start of a line. Leading spaces are dropped so a line never becomes indented code.
pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for (i, line) in s.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let line = line.trim_start();
        // Block markers only matter at the start of a line (`>` is escaped everywhere).
        if line.starts_with(['#', '-', '+', '=']) {
            out.push('\\');
        }
        let digits = line.bytes().take_while(u8::is_ascii_digit).count();
        if (1..=9).contains(&digits) && matches!(line.as_bytes().get(digits), Some(b'.' | b')')) {
            out.push_str(&line[..digits]);
            out.push('\\');
            escape_inline(&line[digits..], &mut out);
            continue;
        }
        escape_inline(line, &mut out);
    }
    out
}

fn escape_inline(s: &str, out: &mut String) {
    let bytes = s.as_bytes();
    for (i, c) in s.char_indices() {
        // `&name;` or `&#123;` would be read as a character reference.
        let entity_like = c == '&' && {
            let name = bytes[i + 1..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || **b == b'#')
                .count();
            name > 0 && bytes.get(i + 1 + name) == Some(&b';')
        };
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '~') || entity_like {
            out.push('\\');
        }
        out.push(c);
    }
}

/// Escapes a block marker at the start of `s` (a list marker, an ATX heading mark, `>`), for
/// text placed where a block would otherwise start, such as a list entry.
pub fn escape_block_start(s: &str) -> Cow<'_, str> {
    let b = s.as_bytes();
    let ends = |i: usize| b.get(i).is_none_or(|c| *c == b' ' || *c == b'\t');
    let hashes = b.iter().take_while(|c| **c == b'#').count();
    if (matches!(b.first(), Some(b'-' | b'+' | b'*')) && ends(1))
        || b.first() == Some(&b'>')
        || ((1..=6).contains(&hashes) && ends(hashes))
    {
        return Cow::Owned(format!("\\{s}"));
    }
    let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if (1..=9).contains(&digits) && matches!(b.get(digits), Some(b'.' | b')')) && ends(digits + 1) {
        return Cow::Owned(format!("{}\\{}", &s[..digits], &s[digits..]));
    }
    Cow::Borrowed(s)
}

/// Escapes a table cell for a GFM pipe table: trims it, turns line breaks into `line_break`
/// (a cell cannot span lines), escapes `|`, and doubles a backslash that would otherwise
/// escape the next pipe (before a `|`, or at the end of the cell). Other markdown in the cell
/// (emphasis, `<sup>`, code spans, `$\kappa$`) is kept: cells hold inline markdown.
pub fn escape_cell(s: &str, line_break: &str) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    escape_cell_into(s, line_break, &mut out);
    out
}

/// [`escape_cell`], appending to `out`.
pub fn escape_cell_into(s: &str, line_break: &str, out: &mut String) {
    let s = s.trim();
    // Most cells need no escaping at all: copy them whole.
    if !s.contains(['|', '\\', '\r', '\n']) {
        out.push_str(s);
        return;
    }
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '|' => out.push_str("\\|"),
            '\\' if matches!(chars.peek(), None | Some('|')) => out.push_str("\\\\"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str(line_break);
            }
            '\n' => out.push_str(line_break),
            c => out.push(c),
        }
    }
}

/// Escapes link text or image alt text: brackets and backslashes; line breaks become spaces.
pub fn escape_link_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.trim().chars() {
        match c {
            '[' | ']' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A link destination that is safe between `(` and `)`: spaces, parentheses, angle brackets
/// and control characters are percent-encoded.
pub fn encode_url(url: &str) -> Cow<'_, str> {
    let bad = |c: char| c.is_whitespace() || c.is_control() || matches!(c, '(' | ')' | '<' | '>');
    if !url.trim().chars().any(bad) {
        return Cow::Borrowed(url.trim());
    }
    let mut out = String::with_capacity(url.len() + 8);
    for c in url.trim().chars() {
        if bad(c) {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Whether `<url>` is a CommonMark autolink: a scheme of 2-32 characters, then no spaces,
/// control characters or angle brackets.
pub fn is_autolink(url: &str) -> bool {
    let Some((scheme, rest)) = url.split_once(':') else {
        return false;
    };
    let scheme_ok = (2..=32).contains(&scheme.len())
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-'));
    scheme_ok
        && !rest
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>')
}

/// The longest run of `ch` in `s`.
fn longest_run(s: &str, ch: char) -> usize {
    let (mut best, mut cur) = (0, 0);
    for c in s.chars() {
        if c == ch {
            cur += 1;
            best = best.max(cur);
        } else {
            cur = 0;
        }
    }
    best
}

/// A backtick fence longer than any backtick run in `content` (at least three).
pub fn fence_for(content: &str) -> String {
    "`".repeat((longest_run(content, '`') + 1).max(3))
}

/// A code block's info string: the first word of the language, without backticks (which a
/// backtick fence's info string may not contain).
pub fn info_string(language: &str) -> String {
    language
        .split_whitespace()
        .next()
        .unwrap_or("")
        .replace('`', "")
}

/// HTML from a response, made safe as one markdown HTML block: blank lines (which would end
/// the block and turn the rest into markdown) are dropped, as is surrounding whitespace.
pub fn html_block(html: &str) -> String {
    html.trim()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_cannot_become_markup() {
        assert_eq!(escape_text("# not a heading"), "\\# not a heading");
        assert_eq!(escape_text("1. not a list"), "1\\. not a list");
        assert_eq!(escape_text("2024) also not"), "2024\\) also not");
        assert_eq!(escape_text("- no\n  > quote"), "\\- no\n\\> quote");
        assert_eq!(
            escape_text("a*b* _c_ [d](e) <f> `g` ~h~ \\"),
            "a\\*b\\* \\_c\\_ \\[d\\](e) \\<f\\> \\`g\\` \\~h\\~ \\\\"
        );
        assert_eq!(escape_text("R&D &amp; 5 & 6"), "R&D \\&amp; 5 & 6");
        assert_eq!(escape_text("    indented"), "indented");
        assert_eq!(escape_text("2024 was good"), "2024 was good");
    }

    #[test]
    fn block_starts_are_escaped() {
        assert_eq!(escape_block_start("- a"), "\\- a");
        assert_eq!(escape_block_start("-a"), "-a");
        assert_eq!(escape_block_start("12. a"), "12\\. a");
        assert_eq!(escape_block_start("2024 a"), "2024 a");
        assert_eq!(escape_block_start("## a"), "\\## a");
        assert_eq!(escape_block_start("#tag"), "#tag");
        assert_eq!(escape_block_start("> q"), "\\> q");
    }

    #[test]
    fn cells_keep_their_columns() {
        assert_eq!(escape_cell(" a | b ", "<br/>"), "a \\| b");
        assert_eq!(
            escape_cell("one\ntwo\r\nthree", "<br/>"),
            "one<br/>two<br/>three"
        );
        assert_eq!(escape_cell("ends with \\", "<br/>"), "ends with \\\\");
        assert_eq!(escape_cell("a\\|b", "<br/>"), "a\\\\\\|b");
        assert_eq!(escape_cell("$\\kappa_L$", "<br/>"), "$\\kappa_L$");
        assert_eq!(escape_cell("`x|y`", " "), "`x\\|y`");
    }

    #[test]
    fn fences_outgrow_backtick_runs() {
        assert_eq!(fence_for("plain"), "```");
        assert_eq!(fence_for("a ``` b"), "````");
        assert_eq!(fence_for("`````"), "``````");
        assert_eq!(info_string(" python extra"), "python");
        assert_eq!(info_string("c`s"), "cs");
    }

    #[test]
    fn links_and_urls() {
        assert_eq!(escape_link_text("a [b]\nc"), "a \\[b\\] c");
        assert_eq!(
            encode_url("http://x.example/a b(c)"),
            "http://x.example/a%20b%28c%29"
        );
        assert_eq!(encode_url("image.png"), "image.png");
        assert!(is_autolink("http://x.example/a"));
        assert!(is_autolink("mailto:a@b.example"));
        assert!(!is_autolink("www.example.org"));
        assert!(!is_autolink("http://a b"));
        assert!(!is_autolink("x:y"));
    }

    #[test]
    fn html_blocks_lose_blank_lines() {
        assert_eq!(
            html_block("\n<table>\n\n<tr><td>a</td></tr>\n  \n</table>\n"),
            "<table>\n<tr><td>a</td></tr>\n</table>"
        );
    }
}
