//! Word recall of our markdown against the server's own page markdown, on every real saved
//! response that carries it: words the server wrote (tables' `md` and `html`, notes and
//! paragraphs the server put inside table items) must reach our output.

use std::collections::BTreeMap;

use pagetree_convert::{MarkdownOptions, markdown};
use serde_json::Value;

use crate::common::{name, realdata};
use crate::markdown::documents;

/// The lowest recall accepted on any file.
const MIN_RECALL: f64 = 0.999;

/// Words as `../shared/tools/recall.py` counts them: runs of 3+ ASCII letters or digits,
/// lower-cased, with link targets `](...)` and HTML tags left out.
fn words(s: &str) -> BTreeMap<String, usize> {
    let mut text = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        if let Some(after) = rest.strip_prefix("](")
            && let Some(end) = after.find(')')
        {
            text.push(']');
            rest = &after[end + 1..];
            continue;
        }
        if c == '<'
            && let Some(n) = tag_len(rest)
        {
            text.push(' ');
            rest = &rest[n..];
            continue;
        }
        text.push(c);
        rest = &rest[c.len_utf8()..];
    }
    let mut bag = BTreeMap::new();
    for w in text.split(|c: char| !c.is_ascii_alphanumeric()) {
        if w.len() >= 3 {
            *bag.entry(w.to_ascii_lowercase()).or_insert(0) += 1;
        }
    }
    bag
}

/// The length of an HTML tag at the start of `s` as the tool's pattern
/// `</?[A-Za-z][A-Za-z0-9]*(\s[^>]*)?/?>` sees it (an autolink `<http://...>` is not one).
fn tag_len(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = 1 + usize::from(b.get(1) == Some(&b'/'));
    if !b.get(i).is_some_and(u8::is_ascii_alphabetic) {
        return None;
    }
    while b.get(i).is_some_and(u8::is_ascii_alphanumeric) {
        i += 1;
    }
    if b.get(i).is_some_and(u8::is_ascii_whitespace) {
        return s[i..].find('>').map(|e| i + e + 1);
    }
    if b.get(i) == Some(&b'/') {
        i += 1;
    }
    (b.get(i) == Some(&b'>')).then_some(i + 1)
}

/// The server's page markdown: v2 `markdown.pages[].markdown`, v1 `pages[].md`, joined.
fn server_markdown(v: &Value) -> Option<String> {
    if let Some(list) = v.as_array() {
        let parts: Vec<String> = list.iter().filter_map(server_markdown).collect();
        return (!parts.is_empty()).then(|| parts.join("\n"));
    }
    let page_text = |pages: &Value, key: &str| -> Option<String> {
        let pages = pages.as_array()?;
        Some(
            pages
                .iter()
                .map(|p| p.get(key).and_then(Value::as_str).unwrap_or(""))
                .collect::<Vec<_>>()
                .join("\n"),
        )
    };
    if let Some(md) = v.get("markdown").filter(|m| m.is_object()) {
        return page_text(md.get("pages")?, "markdown");
    }
    let pages = v.get("pages")?;
    pages.get(0)?.get("md")?;
    page_text(pages, "md")
}

#[test]
fn markdown_keeps_the_servers_words() {
    let Some(files) = realdata() else { return };
    let mut failures = Vec::new();
    let mut measured = 0;
    for path in files {
        let json: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let Some(want) = server_markdown(&json) else {
            continue;
        };
        let ours: Vec<String> = documents(&path)
            .into_iter()
            .flatten()
            .map(|d| markdown::render(&d, &MarkdownOptions::default()).output)
            .collect();
        let (want, got) = (words(&want), words(&ours.join("\n")));
        let total: usize = want.values().sum();
        let found: usize = want
            .iter()
            .map(|(w, n)| (*n).min(got.get(w).copied().unwrap_or(0)))
            .sum();
        let recall = found as f64 / total.max(1) as f64;
        let mut missing: Vec<(usize, &str)> = want
            .iter()
            .filter_map(|(w, n)| {
                let lack = n.saturating_sub(got.get(w).copied().unwrap_or(0));
                (lack > 0).then_some((lack, w.as_str()))
            })
            .collect();
        missing.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
        let shown: Vec<String> = missing
            .iter()
            .take(20)
            .map(|(n, w)| format!("{w}×{n}"))
            .collect();
        eprintln!(
            "recall {recall:.4}  {}  missing: {}",
            name(&path),
            shown.join(", ")
        );
        if recall < MIN_RECALL {
            failures.push(format!("{}: recall {recall:.4}", name(&path)));
        }
        measured += 1;
    }
    assert!(measured > 0, "no real response with server markdown found");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn words_are_counted_as_the_recall_tool_counts_them() {
    let w = words("A <sub>mem</sub>ber [see](http://example.com/abc) of the NMJ; x1y2");
    let got: Vec<(&str, usize)> = w.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_eq!(
        got,
        [
            ("ber", 1),
            ("mem", 1),
            ("nmj", 1),
            ("see", 1),
            ("the", 1),
            ("x1y2", 1)
        ]
    );
}
