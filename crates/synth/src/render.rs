//! Writes a generated page as the JSON of each v2 page list: `items.pages` (the typed tree with
//! boxes), `markdown.pages` (the server's page markdown) and `text.pages`.

use std::fmt::Write as _;

use crate::content::{Block, Cell, Concerns, Geom, PAGE_HEIGHT, PAGE_WIDTH, PageContent, Table};
use crate::json::Json;

/// A box with indices over its item's md: `[start, end]`, end inclusive, counted in Unicode
/// scalar values (the API's convention); `None` for items without text (stubs).
fn bbox(j: &mut Json, g: &Geom, y_scale: f64, span: Option<(usize, usize)>) {
    let (y, h) = g.placed(y_scale);
    j.begin_object();
    j.key("x").float(g.x, 2);
    j.key("y").float(y, 2);
    j.key("w").float(g.w, 2);
    j.key("h").float(h, 2);
    j.key("confidence").float(g.confidence, 2);
    j.key_str("label", g.label);
    if let Some((start, end)) = span {
        j.key_int("start_index", start as i64);
        j.key_int("end_index", end as i64);
    }
    j.end_object();
}

/// One box covering all of `md`.
fn one_box(j: &mut Json, g: &Geom, y_scale: f64, md: &str) {
    j.key("bbox").begin_array();
    bbox(j, g, y_scale, whole(md));
    j.end_array();
}

fn whole(md: &str) -> Option<(usize, usize)> {
    let n = md.chars().count();
    (n > 0).then(|| (0, n - 1))
}

fn text_item(j: &mut Json, md: &str, value: &str, g: &Geom, y_scale: f64) {
    j.begin_object();
    j.key_str("type", "text")
        .key_str("md", md)
        .key_str("value", value);
    one_box(j, g, y_scale, md);
    j.end_object();
}

/// `{page_number, page_width, page_height, success, items}` or the failed form.
pub(crate) fn items_page(j: &mut Json, page: &PageContent) {
    let (number, y_scale, blocks) = match page {
        PageContent::Failed { number, error } => {
            failed(j, *number, error);
            return;
        }
        PageContent::Parsed {
            number,
            y_scale,
            blocks,
        } => (*number, *y_scale, blocks),
    };
    j.begin_object();
    j.key_int("page_number", number.into());
    j.key("page_width").float(PAGE_WIDTH, 1);
    j.key("page_height").float(PAGE_HEIGHT, 1);
    j.key("success").bool(true);
    j.key("items").begin_array();
    let mut s = String::new();
    for b in blocks {
        item(j, b, y_scale, &mut s);
    }
    j.end_array();
    j.end_object();
}

fn failed(j: &mut Json, number: u32, error: &str) {
    j.begin_object();
    j.key_int("page_number", number.into());
    j.key("success").bool(false);
    j.key_str("error", error);
    j.end_object();
}

/// Writes one item; `s` is scratch space for derived markdown.
fn item(j: &mut Json, b: &Block, y_scale: f64, s: &mut String) {
    match b {
        Block::Furniture {
            footer,
            text,
            outer,
            inner,
        } => {
            j.begin_object();
            j.key_str("type", if *footer { "footer" } else { "header" });
            j.key_str("md", text);
            // Furniture sits in the page margins, outside the body that `y_scale` fits.
            j.key("items").begin_array();
            text_item(j, text, text, inner, 1.0);
            j.end_array();
            one_box(j, outer, 1.0, text);
            j.end_object();
        }
        Block::Heading { level, text, geom } => {
            s.clear();
            heading_md(s, *level, text);
            j.begin_object();
            j.key_str("type", "heading")
                .key_int("level", (*level).into());
            j.key_str("md", s).key_str("value", text);
            one_box(j, geom, y_scale, s);
            j.end_object();
        }
        Block::Paragraph {
            md,
            value,
            boxes,
            starts,
        } => {
            let chars = md.chars().count();
            j.begin_object();
            j.key_str("type", "text")
                .key_str("md", md)
                .key_str("value", value);
            j.key("bbox").begin_array();
            for (i, g) in boxes.iter().enumerate() {
                let end = starts.get(i + 1).map_or(chars, |&n| n) - 1;
                bbox(j, g, y_scale, Some((starts[i], end)));
            }
            j.end_array();
            j.end_object();
        }
        Block::List {
            ordered,
            entries,
            nested_after,
            nested,
            geom,
        } => {
            s.clear();
            list_md(s, *ordered, entries, *nested_after, nested, "-");
            j.begin_object();
            j.key_str("type", "list").key("ordered").bool(*ordered);
            j.key_str("md", s);
            j.key("items").begin_array();
            for (i, (text, g)) in entries.iter().enumerate() {
                text_item(j, text, text, g, y_scale);
                if i == *nested_after {
                    let mut sub = String::new();
                    list_md(&mut sub, false, nested, usize::MAX, &[], "-");
                    j.begin_object();
                    j.key_str("type", "list").key("ordered").bool(false);
                    j.key_str("md", &sub);
                    j.key("items").begin_array();
                    for (t, g) in nested {
                        text_item(j, t, t, g, y_scale);
                    }
                    j.end_array();
                    one_box(j, &span_of(nested), y_scale, &sub);
                    j.end_object();
                }
            }
            j.end_array();
            one_box(j, geom, y_scale, s);
            j.end_object();
        }
        Block::Table(t) => table(j, t, y_scale, s),
        Block::Stub { into, geom } => {
            j.begin_object();
            j.key_str("type", "table").key_str("md", "");
            j.key("rows").begin_array().end_array();
            j.key_str("csv", "").key_str("html", "");
            j.key_int("merged_into_page", (*into).into());
            j.key("bbox").begin_array();
            bbox(j, geom, y_scale, None);
            j.end_array();
            j.end_object();
        }
        Block::Code {
            language,
            code,
            geom,
        } => {
            s.clear();
            let _ = write!(s, "```{language}\n{code}```");
            j.begin_object();
            j.key_str("type", "code")
                .key_str("md", s)
                .key_str("value", code);
            j.key_str("language", language);
            one_box(j, geom, y_scale, s);
            j.end_object();
        }
        Block::Image {
            caption,
            file,
            geom,
        } => {
            s.clear();
            let _ = write!(s, "![{caption}]({file})");
            j.begin_object();
            j.key_str("type", "image").key_str("md", s);
            j.key_str("caption", caption).key_str("url", file);
            one_box(j, geom, y_scale, s);
            j.end_object();
        }
        Block::Link { text, url, geom } => {
            s.clear();
            let _ = write!(s, "[{text}]({url})");
            j.begin_object();
            j.key_str("type", "link").key_str("md", s);
            j.key_str("text", text).key_str("url", url);
            one_box(j, geom, y_scale, s);
            j.end_object();
        }
    }
}

/// The box around a run of list entries.
fn span_of(entries: &[(String, Geom)]) -> Geom {
    let (first, last) = (&entries[0].1, &entries[entries.len() - 1].1);
    Geom {
        y: first.y,
        h: last.y + last.h - first.y,
        label: "list",
        ..first.clone()
    }
}

fn heading_md(s: &mut String, level: u8, text: &str) {
    for _ in 0..level {
        s.push('#');
    }
    s.push(' ');
    s.push_str(text);
}

fn list_md(
    s: &mut String,
    ordered: bool,
    entries: &[(String, Geom)],
    nested_after: usize,
    nested: &[(String, Geom)],
    bullet: &str,
) {
    for (i, (text, _)) in entries.iter().enumerate() {
        if !s.is_empty() {
            s.push('\n');
        }
        if ordered {
            let _ = write!(s, "{}. {text}", i + 1);
        } else {
            let _ = write!(s, "{bullet} {text}");
        }
        if i == nested_after {
            for (t, _) in nested {
                let _ = write!(s, "\n    {bullet} {t}");
            }
        }
    }
}

fn table(j: &mut Json, t: &Table, y_scale: f64, md: &mut String) {
    md.clear();
    table_md(md, &t.rows);
    j.begin_object();
    j.key_str("type", "table").key_str("md", md);
    j.key("rows").begin_array();
    for row in &t.rows {
        j.begin_array();
        for c in row {
            match c {
                Cell::Null => j.null(),
                Cell::Text(s) => j.str(s),
                Cell::Number(n) => j.raw_number(n),
            };
        }
        j.end_array();
    }
    j.end_array();
    j.key_str("csv", &table_csv(&t.rows));
    j.key_str("html", &table_html(&t.rows));
    if let Some([a, b]) = t.merged_from {
        j.key("merged_from_pages").begin_array();
        j.int(a.into()).int(b.into());
        j.end_array();
    }
    match &t.concerns {
        Concerns::None => {}
        Concerns::Objects(list) => {
            j.key("parse_concerns").begin_array();
            for (kind, details) in list {
                j.begin_object()
                    .key_str("type", kind)
                    .key_str("details", details);
                j.end_object();
            }
            j.end_array();
        }
        Concerns::Plain(list) => {
            j.key("parse_concerns").begin_array();
            for kind in list {
                j.str(kind);
            }
            j.end_array();
        }
    }
    one_box(j, &t.geom, y_scale, md);
    j.end_object();
}

/// Pipe table with `|` escaped in cells, as the API writes it.
fn table_md(s: &mut String, rows: &[Vec<Cell>]) {
    for (r, row) in rows.iter().enumerate() {
        if r > 0 {
            s.push('\n');
        }
        s.push('|');
        for c in row {
            s.push(' ');
            s.push_str(&c.text().replace('|', "\\|"));
            s.push_str(" |");
        }
        if r == 0 {
            s.push_str("\n|");
            for _ in row {
                s.push_str("---|");
            }
        }
    }
}

/// Every non-empty field quoted, empty cells bare, as real responses show.
fn table_csv(rows: &[Vec<Cell>]) -> String {
    let mut s = String::new();
    for (r, row) in rows.iter().enumerate() {
        if r > 0 {
            s.push('\n');
        }
        for (i, c) in row.iter().enumerate() {
            if i > 0 {
                s.push(',');
            }
            if !matches!(c, Cell::Null) {
                let _ = write!(s, "\"{}\"", c.text().replace('"', "\"\""));
            }
        }
    }
    s
}

fn table_html(rows: &[Vec<Cell>]) -> String {
    let mut s = String::from("<table>\n<thead>\n<tr>");
    for (r, row) in rows.iter().enumerate() {
        let tag = if r == 0 { "th" } else { "td" };
        if r == 1 {
            s.push_str("\n</thead>\n<tbody>\n<tr>");
        } else if r > 1 {
            s.push_str("\n<tr>");
        }
        for c in row {
            let text = c
                .text()
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;");
            let _ = write!(s, "<{tag}>{text}</{tag}>");
        }
        s.push_str("</tr>");
    }
    s.push_str("\n</tbody>\n</table>");
    s
}

/// `{page_number, success, markdown, header, footer}`: the server's page markdown differs from
/// the items' md joined (`*` bullets, no stubs, furniture in its own fields), as real pages do.
pub(crate) fn markdown_page(j: &mut Json, page: &PageContent) {
    let (number, blocks) = match page {
        PageContent::Failed { number, error } => {
            failed(j, *number, error);
            return;
        }
        PageContent::Parsed { number, blocks, .. } => (*number, blocks),
    };
    let (mut header, mut footer) = ("", "");
    let mut body = String::new();
    let mut part = String::new();
    for b in blocks {
        part.clear();
        match b {
            Block::Furniture {
                footer: f, text, ..
            } => {
                if *f {
                    footer = text;
                } else {
                    header = text;
                }
            }
            Block::Heading { level, text, .. } => heading_md(&mut part, *level, text),
            Block::Paragraph { md, .. } => part.push_str(md),
            Block::List {
                ordered,
                entries,
                nested_after,
                nested,
                ..
            } => list_md(&mut part, *ordered, entries, *nested_after, nested, "*"),
            Block::Table(t) => table_md(&mut part, &t.rows),
            Block::Stub { .. } => {}
            Block::Code { language, code, .. } => {
                let _ = write!(part, "```{language}\n{code}```");
            }
            Block::Image { caption, file, .. } => {
                let _ = write!(part, "![{caption}]({file})");
            }
            Block::Link { text, url, .. } => {
                let _ = write!(part, "[{text}]({url})");
            }
        }
        if !part.is_empty() {
            if !body.is_empty() {
                body.push_str("\n\n");
            }
            body.push_str(&part);
        }
    }
    j.begin_object();
    j.key_int("page_number", number.into());
    j.key("success").bool(true);
    j.key_str("markdown", &body);
    j.key_str("header", header).key_str("footer", footer);
    j.end_object();
}

/// `{page_number, text}`. The text list has no failed form, so a failed page has empty text.
pub(crate) fn text_page(j: &mut Json, page: &PageContent) {
    let (number, blocks) = match page {
        PageContent::Failed { number, .. } => (*number, &[][..]),
        PageContent::Parsed { number, blocks, .. } => (*number, &blocks[..]),
    };
    let mut text = String::new();
    let mut push = |s: &str| {
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(s);
    };
    for b in blocks {
        match b {
            Block::Furniture { text, .. } | Block::Heading { text, .. } => push(text),
            Block::Paragraph { value, .. } => push(value),
            Block::List {
                entries,
                nested_after,
                nested,
                ..
            } => {
                for (i, (t, _)) in entries.iter().enumerate() {
                    push(t);
                    if i == *nested_after {
                        nested.iter().for_each(|(t, _)| push(t));
                    }
                }
            }
            Block::Table(t) => {
                for row in &t.rows {
                    let cells: Vec<&str> = row.iter().map(Cell::text).collect();
                    push(&cells.join("   "));
                }
            }
            Block::Stub { .. } => {}
            Block::Code { code, .. } => push(code.trim_end()),
            Block::Image { caption, .. } => push(caption),
            Block::Link { text, .. } => push(text),
        }
    }
    j.begin_object();
    j.key_int("page_number", number.into());
    j.key_str("text", &text);
    j.end_object();
}
