//! Markdown against real data: every table we write parses back (pulldown-cmark, GFM tables)
//! to the shape of its `rows`, and our markdown from items keeps the server's words.

use std::collections::BTreeMap;

use pagetree_convert::markdown::{TableStyle, column_count, render_table_markdown};
use pagetree_convert::tables::{TableSource, choose};
use pagetree_convert::{FurnitureMode, MarkdownOptions, Source, markdown};
use pagetree_model::{Cell, Document, ItemKind};
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use crate::common::{fixtures, name, realdata};
use crate::markdown::documents;

/// The tables in `md`: per table, per row (header first), the cells' text.
fn parse_tables(md: &str) -> Vec<Vec<Vec<String>>> {
    let mut tables: Vec<Vec<Vec<String>>> = Vec::new();
    let mut in_cell = false;
    for ev in Parser::new_ext(md, Options::ENABLE_TABLES) {
        match ev {
            Event::Start(Tag::Table(_)) => tables.push(Vec::new()),
            Event::Start(Tag::TableHead | Tag::TableRow) => {
                tables.last_mut().unwrap().push(Vec::new());
            }
            Event::Start(Tag::TableCell) => {
                tables
                    .last_mut()
                    .unwrap()
                    .last_mut()
                    .unwrap()
                    .push(String::new());
                in_cell = true;
            }
            Event::End(TagEnd::TableCell) => in_cell = false,
            Event::Text(t) | Event::Code(t) if in_cell => {
                let row = tables.last_mut().unwrap().last_mut().unwrap();
                row.last_mut().unwrap().push_str(&t);
            }
            _ => {}
        }
    }
    tables
}

/// Cells that hold no markdown of their own must come back as written.
fn plain(c: &Cell) -> Option<String> {
    let t = c.as_text().trim().to_owned();
    let markup = t
        .chars()
        .any(|ch| "*_`<>[]\\&!#~$\n\r".contains(ch) || ch.is_control());
    (!markup).then_some(t)
}

fn check_table(file: &str, rows: &[Vec<Cell>], md: &str) -> Result<(), String> {
    let parsed = parse_tables(md);
    let cols = column_count(rows);
    let [table] = parsed.as_slice() else {
        return Err(format!("{file}: {} tables parsed from\n{md}", parsed.len()));
    };
    if table.len() != rows.len() || table.iter().any(|r| r.len() != cols) {
        let shape: Vec<usize> = table.iter().map(Vec::len).collect();
        return Err(format!(
            "{file}: {} rows x {cols} expected, parsed {shape:?} from\n{md}",
            rows.len()
        ));
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            if let Some(want) = plain(cell)
                && table[r][c] != want
            {
                return Err(format!(
                    "{file}: cell {r},{c} {want:?} came back as {:?}",
                    table[r][c]
                ));
            }
        }
    }
    Ok(())
}

/// Checks every table of a document, alone in each style and inside the document's output.
fn check_document(doc: &Document) -> Result<(usize, usize), String> {
    let file = doc.name();
    let mut tables = 0;
    let mut cells = 0;
    let walk = doc.walk();
    for w in walk.iter().filter(|w| w.item.kind() == ItemKind::Table) {
        let rows = w.item.table_rows();
        if column_count(rows) == 0 {
            continue;
        }
        tables += 1;
        cells += rows.len() * column_count(rows);
        for style in [TableStyle::Padded, TableStyle::Aligned, TableStyle::Compact] {
            let mut opts = MarkdownOptions::default();
            opts.table_style = style;
            let mut md = String::new();
            render_table_markdown(rows, &opts, &mut md);
            check_table(&format!("{file} {} {style:?}", w.path(&walk)), rows, &md)?;
        }
    }
    // Inside the whole document: each table's span holds exactly that table.
    let r = markdown::render(doc, &MarkdownOptions::default());
    let in_doc = parse_tables(&r.output).len();
    let mut spans = 0;
    for w in walk.iter().filter(|w| w.item.kind() == ItemKind::Table) {
        // The renderer writes the most complete representation (and the text only the
        // table's md holds, around it).
        let Some(chosen) = choose(w.item, TableSource::Best) else {
            continue;
        };
        let rows = &chosen.rows[..];
        if column_count(rows) == 0 {
            continue;
        }
        if let Some(s) = r.span(w.index) {
            check_table(
                &format!("{file} {} in output", w.path(&walk)),
                rows,
                &r.output[s.bytes.clone()],
            )?;
            spans += 1;
        }
    }
    if in_doc < spans {
        return Err(format!(
            "{file}: {spans} tables written, {in_doc} parsed back"
        ));
    }
    Ok((tables, cells))
}

#[test]
fn every_table_parses_back_to_its_rows() {
    let mut paths = fixtures();
    paths.extend(realdata().unwrap_or_default());
    let mut failures = Vec::new();
    for path in paths {
        let (mut tables, mut cells) = (0, 0);
        for doc in documents(&path).into_iter().flatten() {
            match check_document(&doc) {
                Ok((t, c)) => {
                    tables += t;
                    cells += c;
                }
                Err(e) => failures.push(e),
            }
        }
        eprintln!(
            "table round trip: {:<75} {tables:>3} tables, {cells:>5} cells",
            name(&path)
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Words of markdown: markup is not words, so backslash escapes (`p\_i` is the word `p_i`)
/// and HTML tags are dropped and common entities decoded; then lower-cased, split at anything
/// not alphanumeric, and counted.
fn words(md: &str) -> BTreeMap<String, usize> {
    let mut unescaped = String::with_capacity(md.len());
    let mut chars = md.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && chars.peek().is_some_and(char::is_ascii_punctuation) {
            continue;
        }
        if c == '<' {
            // A tag: `<name`, `</name` then a space, `/` or `>` (not an autolink `<http:...>`).
            let rest: String = chars.clone().take(40).collect();
            let name = rest.trim_start_matches('/');
            let len = name.chars().take_while(char::is_ascii_alphanumeric).count();
            let after = name[len..].chars().next();
            if len > 0 && matches!(after, Some(' ' | '/' | '>' | '\n')) {
                for t in chars.by_ref() {
                    if t == '>' {
                        break;
                    }
                }
                unescaped.push(' ');
                continue;
            }
        }
        unescaped.push(c);
    }
    let unescaped = unescaped
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ");
    let mut counts = BTreeMap::new();
    for w in unescaped
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        *counts.entry(w.to_owned()).or_insert(0) += 1;
    }
    counts
}

/// The share of the server's words (with multiplicity) found in ours.
fn recall(server: &str, ours: &str) -> (f64, usize) {
    let (s, o) = (words(server), words(ours));
    let total: usize = s.values().sum();
    let hit: usize = s
        .iter()
        .map(|(w, n)| (*n).min(o.get(w).copied().unwrap_or(0)))
        .sum();
    (hit as f64 / total.max(1) as f64, total)
}

fn ours(doc: &Document) -> String {
    let mut o = MarkdownOptions::default();
    o.pages.source = Source::Items;
    o.pages.headers = FurnitureMode::Hide;
    o.pages.footers = FurnitureMode::Hide;
    markdown::render(doc, &o).output
}

/// The lowest recall measured on the real files (see docs/design.md, "Checked against real responses", for the
/// gaps that remain).
const RECALL_FLOOR: f64 = 0.995;

#[test]
fn our_markdown_keeps_the_servers_words() {
    let Some(files) = realdata() else { return };
    let mut low = Vec::new();
    let mut checked = 0;
    for path in &files {
        let file = name(path);
        for doc in documents(path).into_iter().flatten() {
            let fmt = doc.format.map(|f| f.as_str()).unwrap_or("?");
            let server: Vec<&str> = doc.pages().filter_map(|p| p.server_markdown()).collect();
            // A saved reference next to an items-only file (`x_items.json` + `x_markdown.md`).
            let reference = file
                .strip_suffix("_items.json")
                .map(|stem| path.with_file_name(format!("{stem}_markdown.md")))
                .filter(|p| p.exists());
            let (server, what) = if !server.is_empty() && !fmt.starts_with("v1") {
                (server.join("\n\n"), "markdown.pages")
            } else if let Some(md) = reference {
                (std::fs::read_to_string(&md).unwrap(), "saved .md")
            } else {
                continue;
            };
            let (r, total) = recall(&server, &ours(&doc));
            eprintln!("word recall: {file:<75} {r:.4} of {total:>6} words ({what})");
            checked += 1;
            if r < RECALL_FLOOR {
                low.push(format!("{file}: {r:.4}"));
            }
        }
    }
    assert!(checked > 0 || files.is_empty());
    assert!(low.is_empty(), "recall below {RECALL_FLOOR}: {low:?}");
}

#[test]
fn recall_counts_words_with_multiplicity() {
    assert_eq!(recall("a b b c", "b a").0, 0.5);
    assert_eq!(recall("p\\_i *x*", "p_i x").0, 1.0);
    assert_eq!(recall("<td>R&amp;D</td><br/>", "| R&D |").0, 1.0);
}
