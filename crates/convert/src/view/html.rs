//! A page's markdown as safe HTML for the view: rendered by pulldown-cmark, cut at the items'
//! spans so each top-level item (and each list entry) carries its byte range in the document
//! markdown, with raw HTML reduced to table and inline-format tags, images shown as their
//! caption (an offline file must not fetch them) and only web or mail links kept.

use std::fmt::Write;
use std::ops::Range;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use crate::tables::html::attributes;

/// Tags kept from raw HTML in the markdown (server HTML tables, `<br/>` in cells, `<sup>`);
/// anything else is shown as text.
const ALLOWED_TAGS: &[&str] = &[
    "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "colgroup", "col", "br", "b",
    "i", "u", "em", "strong", "sup", "sub", "s", "del", "code", "small", "hr",
];

/// Attributes kept on allowed tags (numbers only).
const ALLOWED_ATTRS: &[&str] = &["rowspan", "colspan"];

/// Writes the HTML of `md` (the document markdown `full[range]`) as segments: one `div` per
/// stretch between `cuts` (sorted, non-overlapping byte ranges of top-level items, inside
/// `range`), each with `data-a`/`data-b` (its byte range in the document markdown).
pub(super) fn page_html(full: &str, range: Range<usize>, cuts: &[Range<usize>]) -> String {
    let mut out = String::new();
    let mut at = range.start;
    for cut in cuts {
        if cut.start > at {
            segment(&mut out, full, at..cut.start);
        }
        segment(&mut out, full, cut.clone());
        at = at.max(cut.end);
    }
    if at < range.end {
        segment(&mut out, full, at..range.end);
    }
    out
}

/// One segment; blank stretches (the blank lines between items) write nothing.
fn segment(out: &mut String, full: &str, r: Range<usize>) {
    let text = &full[r.clone()];
    if text.trim().is_empty() {
        return;
    }
    let _ = write!(
        out,
        "<div class=\"seg\" data-a=\"{}\" data-b=\"{}\">",
        r.start, r.end
    );
    push_safe_html(out, text, r.start);
    out.push_str("</div>\n");
}

/// Renders `md` with GFM tables and strikethrough, rewriting the events that could reach
/// outside the file or inject markup; list entries get their range (`base` + offsets).
fn push_safe_html(out: &mut String, md: &str, base: usize) {
    let opts = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    // Links whose target is dropped close as a span, so the ends must be remembered.
    let mut links: Vec<bool> = Vec::new();
    let events = Parser::new_ext(md, opts)
        .into_offset_iter()
        .map(|(ev, r)| match ev {
            Event::Html(h) | Event::InlineHtml(h) => Event::Html(sanitize(&h).into()),
            Event::Start(Tag::Item) => Event::Html(
                format!(
                    "<li data-a=\"{}\" data-b=\"{}\">",
                    base + r.start,
                    base + r.end
                )
                .into(),
            ),
            Event::Start(Tag::Image { dest_url, .. }) => Event::Html(
                format!(
                    "<span class=\"img\" title=\"{}\">[image: ",
                    html_escape::encode_double_quoted_attribute(&dest_url)
                )
                .into(),
            ),
            Event::End(TagEnd::Image) => Event::Html("]</span>".into()),
            Event::Start(Tag::Link {
                dest_url, title, ..
            }) => {
                let safe = safe_url(&dest_url);
                links.push(safe);
                if safe {
                    Event::Html(
                        format!(
                            "<a href=\"{}\" title=\"{}\" rel=\"noreferrer noopener\" target=\"_blank\">",
                            html_escape::encode_double_quoted_attribute(&dest_url),
                            html_escape::encode_double_quoted_attribute(&title),
                        )
                        .into(),
                    )
                } else {
                    Event::Html(
                        format!(
                            "<span class=\"link\" title=\"{}\">",
                            html_escape::encode_double_quoted_attribute(&dest_url)
                        )
                        .into(),
                    )
                }
            }
            Event::End(TagEnd::Link) => {
                if links.pop().unwrap_or(false) {
                    Event::Html("</a>".into())
                } else {
                    Event::Html("</span>".into())
                }
            }
            other => other,
        });
    pulldown_cmark::html::push_html(out, events);
}

/// Web, mail and in-page links; anything else (`javascript:`, `data:`, `file:`) is not.
fn safe_url(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    match lower.find(':') {
        // A scheme only counts before any `/`, `?` or `#` (`a/b:c` is a relative path).
        Some(i) if !lower[..i].contains(['/', '?', '#']) => {
            matches!(&lower[..i], "http" | "https" | "mailto")
        }
        _ => true,
    }
}

/// Raw HTML from the document with only [`ALLOWED_TAGS`] kept as markup (with their
/// [`ALLOWED_ATTRS`]); every other `<` is escaped, so comments, scripts, styles and unknown
/// tags show as text.
fn sanitize(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        match allowed_tag(rest) {
            Some((tag, len)) => {
                out.push_str(&tag);
                rest = &rest[len..];
            }
            None => {
                out.push_str("&lt;");
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// When `s` starts with an allowed tag: the tag rebuilt from its name and allowed attributes,
/// and the length of the original.
fn allowed_tag(s: &str) -> Option<(String, usize)> {
    let end = s.find('>')?;
    let inner = &s[1..end];
    let (closing, inner) = match inner.strip_prefix('/') {
        Some(rest) => (true, rest),
        None => (false, inner),
    };
    let inner = inner.strip_suffix('/').unwrap_or(inner);
    // A quoted `>` inside an attribute would end the tag early: refuse rather than guess.
    if inner.contains(['<', '"', '\'']) && !attrs_well_quoted(inner) {
        return None;
    }
    let name_len = inner
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(inner.len());
    let name = inner[..name_len].to_ascii_lowercase();
    if !ALLOWED_TAGS.contains(&name.as_str()) {
        return None;
    }
    let mut tag = format!("<{}{name}", if closing { "/" } else { "" });
    if !closing {
        for (key, value) in attributes(&inner[name_len..]) {
            let key = key.to_ascii_lowercase();
            if ALLOWED_ATTRS.contains(&key.as_str())
                && !value.is_empty()
                && value.len() <= 4
                && value.bytes().all(|b| b.is_ascii_digit())
            {
                let _ = write!(tag, " {key}=\"{value}\"");
            }
        }
    }
    tag.push('>');
    Some((tag, end + 1))
}

/// Whether every quote in a tag's inside is closed (so the first `>` really ends it).
fn attrs_well_quoted(inner: &str) -> bool {
    !inner.contains('<')
        && inner.matches('"').count().is_multiple_of(2)
        && inner.matches('\'').count().is_multiple_of(2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html(md: &str) -> String {
        let mut s = String::new();
        push_safe_html(&mut s, md, 0);
        s
    }

    #[test]
    fn raw_html_keeps_tables_and_escapes_the_rest() {
        assert_eq!(
            sanitize("<table><tr><td colspan=\"2\" onclick=\"x()\">a<br/>b</td></tr></table>"),
            "<table><tr><td colspan=\"2\">a<br>b</td></tr></table>"
        );
        assert_eq!(
            sanitize("<script>alert(1)</script><!-- page 2 -->"),
            "&lt;script>alert(1)&lt;/script>&lt;!-- page 2 -->"
        );
        assert_eq!(
            sanitize("<img src=x onerror=alert(1)>"),
            "&lt;img src=x onerror=alert(1)>"
        );
        assert_eq!(sanitize("a < b and c<d"), "a &lt; b and c&lt;d");
        assert_eq!(sanitize("<td title=\"a>b\">"), "&lt;td title=\"a>b\">");
        assert_eq!(sanitize("<td rowspan=\"999999\">"), "<td>");
    }

    #[test]
    fn images_are_not_fetched_and_bad_links_are_dropped() {
        let h = html(
            "![Logo](https://cdn.example/logo.png) [x](javascript:alert(1)) [y](https://a.example/)",
        );
        assert!(!h.contains("<img"), "{h}");
        assert!(h.contains("[image: Logo]"), "{h}");
        assert!(!h.contains("href=\"javascript"), "{h}");
        assert!(h.contains("<span class=\"link\""), "{h}");
        assert!(h.contains("<a href=\"https://a.example/\""), "{h}");
    }

    #[test]
    fn list_entries_carry_their_range() {
        let md = "- one\n- two\n";
        let h = html(md);
        assert!(h.contains("<li data-a=\"0\" data-b=\"6\">one</li>"), "{h}");
        assert!(h.contains("<li data-a=\"6\" data-b=\"12\">two</li>"), "{h}");
    }

    #[test]
    fn segments_cover_the_page_between_items() {
        let full = "# A\n\nSome text.\n\nTail";
        let out = page_html(full, 0..full.len(), &[0..3, 5..15]);
        assert_eq!(
            out,
            "<div class=\"seg\" data-a=\"0\" data-b=\"3\"><h1>A</h1>\n</div>\n\
             <div class=\"seg\" data-a=\"5\" data-b=\"15\"><p>Some text.</p>\n</div>\n\
             <div class=\"seg\" data-a=\"15\" data-b=\"21\"><p>Tail</p>\n</div>\n"
        );
    }

    #[test]
    fn safe_urls() {
        assert!(safe_url("https://a.example"));
        assert!(safe_url("#top"));
        assert!(safe_url("docs/a:b"));
        assert!(!safe_url(" JavaScript:alert(1)"));
        assert!(!safe_url("data:text/html,x"));
    }
}
