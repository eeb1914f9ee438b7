//! Cell values as the checks see them: empty, a placeholder (`–`, `n/a`), a number (read with
//! the shared grammar in [`crate::numbers`]), or text. Cells are cleaned first, so `**1,234**`,
//! `12<sup>a</sup>` or LaTeX `$-0.5$` count as the numbers they show (the residue itself is
//! reported by its own check).

use std::borrow::Cow;

use crate::numbers::{Number, SignStyle, parse_number};

/// What one cell holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Value {
    /// Nothing (or only whitespace and markup).
    Empty,
    /// A stand-in for a missing value: `-`, `–`, `—`, `n/a`, `nil`, `…`.
    Placeholder,
    /// A number.
    Number(Number),
    /// Anything else.
    Text,
}

impl Value {
    /// The number, when it is one.
    pub fn number(&self) -> Option<&Number> {
        match self {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }

    /// Whether it holds nothing a reader would call a value (empty or a placeholder).
    pub fn is_blank(&self) -> bool {
        matches!(self, Value::Empty | Value::Placeholder)
    }
}

/// Classifies a cell.
pub(crate) fn classify(cell: &str) -> Value {
    let text = clean(cell);
    let t = text.trim();
    if t.is_empty() {
        return Value::Empty;
    }
    if is_placeholder(t) {
        return Value::Placeholder;
    }
    match parse_number(t) {
        Some(n) => Value::Number(n),
        None => Value::Text,
    }
}

fn is_placeholder(t: &str) -> bool {
    const WORDS: &[&str] = &[
        "-", "–", "—", "−", "‒", "--", "n/a", "na", "n.a.", "n.a", "nil", "none", "…", "...", "nm",
        "n.m.", ".", "/",
    ];
    WORDS.iter().any(|w| t.eq_ignore_ascii_case(w))
}

/// Whether a number is a calendar year as a label: four plain digits, 1900-2100.
pub(crate) fn is_year(n: &Number) -> bool {
    n.is_plain()
        && n.sign == SignStyle::Unsigned
        && !n.grouped
        && !n.percent
        && n.fraction.is_empty()
        && n.integer.len() == 4
        && n.integer
            .parse::<u32>()
            .is_ok_and(|y| (1900..=2100).contains(&y))
}

/// Whether a header cell names a period: a year alone or with a short tag (`FY2023`,
/// `2023/24`, `Q1 2024`, `2024e`, `Dec 2023`).
pub(crate) fn is_year_label(cell: &str) -> bool {
    let text = clean(cell);
    let t = text.trim();
    if t.chars().count() > 12 {
        return false;
    }
    let b = t.as_bytes();
    (0..b.len().saturating_sub(3)).any(|i| {
        let four = &b[i..i + 4];
        let bounded = (i == 0 || !b[i - 1].is_ascii_digit())
            && b.get(i + 4).is_none_or(|c| !c.is_ascii_digit());
        bounded
            && four.iter().all(u8::is_ascii_digit)
            && std::str::from_utf8(four)
                .ok()
                .and_then(|s| s.parse::<u32>().ok())
                .is_some_and(|y| (1900..=2100).contains(&y))
    })
}

/// Cell text for a message: quoted, on one line, at most 60 characters (`…` when cut).
pub(crate) fn quote(text: &str) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= 60 {
        return format!("{one_line:?}");
    }
    let cut: String = one_line.chars().take(59).collect();
    format!("{:?}", format!("{cut}…"))
}

/// The words of a cell, lower case: runs of letters, digits and `'`, with `%` and currency
/// symbols as words of their own (`Price ($)` → `price`, `$`).
pub(crate) fn words(cell: &str) -> Vec<String> {
    let text = clean(cell).to_lowercase();
    let mut out = Vec::new();
    let mut word = String::new();
    for ch in text.chars() {
        if ch.is_alphanumeric() || ch == '\'' {
            word.push(ch);
            continue;
        }
        if !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
        if "$€£¥₹%".contains(ch) {
            out.push(ch.to_string());
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// Cell text without presentation: HTML tags dropped (`<sup>…</sup>` with its content, a
/// footnote mark; `<br>` as a space), a few entities decoded, markdown emphasis markers and
/// backslash escapes removed, and LaTeX `$…$` delimiters around the whole cell dropped.
pub(crate) fn clean(cell: &str) -> Cow<'_, str> {
    if !cell.contains(['<', '&', '*', '_', '\\', '$']) {
        return Cow::Borrowed(cell);
    }
    let mut s = strip_tags(cell);
    for (entity, ch) in [
        ("&amp;", "&"),
        ("&nbsp;", " "),
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&quot;", "\""),
        ("&#39;", "'"),
        ("&minus;", "\u{2212}"),
    ] {
        if s.contains(entity) {
            s = s.replace(entity, ch);
        }
    }
    for marker in ["**", "__"] {
        if s.contains(marker) {
            s = s.replace(marker, "");
        }
    }
    if s.contains('\\') {
        let mut out = String::with_capacity(s.len());
        let mut chars = s.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => out.extend(chars.next()),
                c => out.push(c),
            }
        }
        s = out;
    }
    let t = s.trim();
    if t.len() > 2 && t.starts_with('$') && t.ends_with('$') && !t[1..t.len() - 1].contains('$') {
        s = t[1..t.len() - 1].to_owned();
    }
    Cow::Owned(s)
}

/// Removes HTML tags; `<sup>…</sup>` goes with its content and `<br>` becomes a space.
fn strip_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let Some(len) = tag_len(tail) else {
            out.push('<');
            rest = &tail[1..];
            continue;
        };
        let name = tag_name(&tail[..len]);
        rest = &tail[len..];
        if name == "sup" && !tail.starts_with("</") {
            // A footnote mark: drop it with its content.
            let lower = rest.to_ascii_lowercase();
            if let Some(end) = lower.find("</sup>") {
                rest = &rest[end + "</sup>".len()..];
            }
        } else if name == "br" {
            out.push(' ');
        }
    }
    out.push_str(rest);
    out
}

pub(crate) use crate::tables::tag_len;

/// The lower-case name of a tag (`<BR />` → `br`).
pub(crate) fn tag_name(tag: &str) -> String {
    tag.trim_start_matches('<')
        .trim_start_matches('/')
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(s: &str) -> &'static str {
        match classify(s) {
            Value::Empty => "empty",
            Value::Placeholder => "placeholder",
            Value::Number(_) => "number",
            Value::Text => "text",
        }
    }

    #[test]
    fn classification() {
        for (cell, want) in [
            ("", "empty"),
            (" <br/> ", "empty"),
            ("–", "placeholder"),
            ("N/A", "placeholder"),
            ("1,234.5", "number"),
            ("**1,234**", "number"),
            ("12<sup>a</sup>", "number"),
            ("$-0.5$", "number"),
            ("(12)", "number"),
            ("12%", "number"),
            ("4 (PCS)", "text"),
            ("500 pS", "text"),
            ("Revenue", "text"),
            ("$M/N$", "text"),
        ] {
            assert_eq!(kind(cell), want, "{cell:?}");
        }
    }

    #[test]
    fn years() {
        let year = |s: &str| parse_number(s).is_some_and(|n| is_year(&n));
        assert!(year("2023") && year("1999"));
        assert!(!year("2,023") && !year("2023.0") && !year("3000") && !year("-2023"));
        for label in ["2023", "FY2023", "2023/24", "Q1 2024", "2024e", "Dec 2023"] {
            assert!(is_year_label(label), "{label}");
        }
        for label in ["20234", "Revenue 2023 and 2024", "1,234", "Total"] {
            assert!(!is_year_label(label), "{label}");
        }
    }

    #[test]
    fn cleaning() {
        assert_eq!(clean("a &amp; b"), "a & b");
        assert_eq!(clean("x<br/>y"), "x y");
        assert_eq!(clean(r"A\|B"), "A|B");
        assert_eq!(clean("plain"), "plain");
        assert_eq!(clean("1 < 2"), "1 < 2");
    }
}
