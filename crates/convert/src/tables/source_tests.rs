//! The shortcut of [`choose`] against the plain way: on every table item of every fixture and
//! real response, and on variants made from each (rows cut short, spans, entities, sub- and
//! superscripts, emphasis, `<br>`, notes after the md, case changes...), the proof that `rows`
//! hold everything gives exactly what the full comparison gives. Unit tests, as the shortcut
//! is internal.

use std::path::{Path, PathBuf};

use pagetree_model::{Item, ItemKind, Loaded, load_all};

use super::*;

/// The repository root.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every `.json` and `.jsonl` file under `testdata/`, sorted (invalid ones load to errors and
/// hold no tables).
fn fixtures() -> Vec<PathBuf> {
    pagetree_synth::testdata_files(&root(), &["json", "jsonl"])
}

/// The real responses, as every crate's tests find them (`CI=true` fails when they are missing).
fn realdata() -> Option<Vec<PathBuf>> {
    pagetree_synth::realdata_files(&root(), "real-data table-source checks")
}

/// The table items of every parse result in a file (nested ones too).
fn tables(path: &Path) -> Vec<Item> {
    let bytes = std::fs::read(path).expect("readable");
    let name = path.display().to_string();
    load_all(&bytes, Some(&name))
        .into_iter()
        .filter_map(|r| match r {
            Ok(Loaded::Document(d)) => Some(d),
            _ => None,
        })
        .flat_map(|d| {
            d.walk()
                .iter()
                .filter(|w| w.item.kind() == ItemKind::Table)
                .map(|w| w.item.clone())
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Asserts the shortcut and the full comparison agree on `item`; whether the shortcut was
/// taken.
fn agree(item: &Item, what: &str) -> bool {
    let fast = choose_with(item, TableSource::Best, true);
    let full = choose_with(item, TableSource::Best, false);
    assert_eq!(fast, full, "{what}: {item:?}");
    let (html, md) = (non_blank(&item.html), non_blank(&item.md));
    !item.table_rows().iter().all(Vec::is_empty)
        && (html.is_some() || md.is_some())
        && rows_hold_all(item.table_rows(), html, md)
}

fn replace_first(s: &Option<String>, from: &str, to: &str) -> Option<String> {
    s.as_ref().map(|s| s.replacen(from, to, 1))
}

fn text_rows(rows: &[&[&str]]) -> Option<Vec<Vec<Cell>>> {
    Some(
        rows.iter()
            .map(|r| r.iter().map(|c| Cell::Text((*c).to_owned())).collect())
            .collect(),
    )
}

/// Variants of a table item, each a way a representation can hold more, fewer or other words
/// than `rows`, or hold them in a form the shortcut must not read as the easy case.
fn variants(item: &Item) -> Vec<(&'static str, Item)> {
    let mut out: Vec<(&'static str, Item)> = Vec::new();
    let mut add = |name, f: &dyn Fn(&mut Item)| {
        let mut v = item.clone();
        f(&mut v);
        out.push((name, v));
    };
    add("rows cut short", &|v| {
        if let Some(r) = v.rows.as_mut() {
            r.pop();
        }
    });
    add("rows without their first cell", &|v| {
        if let Some(r) = v.rows.as_mut().and_then(|r| r.first_mut())
            && !r.is_empty()
        {
            r.remove(0);
        }
    });
    add("an extra word in rows", &|v| {
        if let Some(c) = v.rows.as_mut().and_then(|r| r.last_mut()?.last_mut()) {
            *c = Cell::Text(format!("{} extra", c.as_text()));
        }
    });
    add("rows lowercased", &|v| {
        for c in v.rows.iter_mut().flatten().flatten() {
            if let Cell::Text(t) = c {
                *t = t.to_lowercase();
            }
        }
    });
    add("html uppercased", &|v| {
        v.html = v.html.as_ref().map(|h| h.to_uppercase())
    });
    add("md uppercased", &|v| {
        v.md = v.md.as_ref().map(|m| m.to_uppercase())
    });
    add("no html", &|v| v.html = None);
    add("no md", &|v| v.md = None);
    add("html with a colspan", &|v| {
        v.html = replace_first(&v.html, "<td>", "<td colspan=\"2\">");
    });
    add("html with a rowspan", &|v| {
        v.html = replace_first(&v.html, "<th>", "<th rowspan=2>");
    });
    add("html with an attribute", &|v| {
        v.html = replace_first(&v.html, "<table>", "<table class=\"t\">");
    });
    add("html with an entity for a letter", &|v| {
        v.html = replace_first(&v.html, "a", "&#97;");
    });
    add("html with an ampersand entity", &|v| {
        v.html = replace_first(&v.html, "</td>", " &amp; x</td>");
    });
    add("html with an escaped tag", &|v| {
        v.html = replace_first(&v.html, "</td>", " &lt;net&gt;</td>");
    });
    add("html with an unclosed escaped tag", &|v| {
        v.html = replace_first(&v.html, "</td>", " &lt;net</td><td>b&gt;</td>");
    });
    add("html with a lone <", &|v| {
        v.html = replace_first(&v.html, "</td>", " 1 < 2</td>");
    });
    add("html with a subscript", &|v| {
        v.html = replace_first(&v.html, "</td>", "<sub>mem</sub></td>");
    });
    add("html with a superscript joined", &|v| {
        v.html = replace_first(&v.html, "</td>", "x<sup>2</sup></td>");
    });
    add("html with a superscript after the table", &|v| {
        v.html = v.html.as_ref().map(|h| format!("{h}<sup></sup>"));
    });
    add("html with emphasis", &|v| {
        v.html = replace_first(&v.html, "<td>", "<td><b>");
        v.html = replace_first(&v.html, "</td>", "</b></td>");
    });
    add("html with empty emphasis", &|v| {
        v.html = replace_first(&v.html, "</td>", "<b> </b>x</td>");
    });
    add("html with emphasis closed out of order", &|v| {
        v.html = replace_first(&v.html, "<td>", "<td><b><i>");
        v.html = replace_first(&v.html, "</td>", "</b></i></td>");
    });
    add("html with a stray closing emphasis", &|v| {
        v.html = replace_first(&v.html, "</td>", "</em>x</td>");
    });
    add("html with a <br>", &|v| {
        v.html = replace_first(&v.html, "</td>", "<br>more</td>");
    });
    add("html and rows with a <br>", &|v| {
        v.html = replace_first(&v.html, "</td>", "<br/>more</td>");
        if let Some(c) = v.rows.as_mut().and_then(|r| r.first_mut()?.first_mut()) {
            *c = Cell::Text(format!("{}<br/>more", c.as_text()));
        }
    });
    add("html with a block tag in a cell", &|v| {
        v.html = replace_first(&v.html, "</td>", "<p>x</p></td>");
    });
    add("html with tbody in a cell", &|v| {
        v.html = replace_first(&v.html, "</td>", "x<tbody>y</td>");
    });
    add("html with a nested table", &|v| {
        v.html = replace_first(&v.html, "</td>", "<table><tr><td>in</td></tr></table></td>");
    });
    add("html with a comment", &|v| {
        v.html = replace_first(&v.html, "</td>", "<!-- x --></td>");
    });
    add("html with a caption", &|v| {
        v.html = replace_first(&v.html, "<table>", "<table><caption>Table 1</caption>");
    });
    add("html with text between cells", &|v| {
        v.html = replace_first(&v.html, "</td>", "</td>stray");
    });
    add("html with a note after the table", &|v| {
        v.html = v.html.as_ref().map(|h| format!("{h}\nNote. x"));
    });
    let push_rows = |v: &mut Item, extra: &[&str]| {
        if let Some(r) = v.rows.as_mut() {
            r.extend(extra.iter().map(|c| vec![Cell::Text((*c).to_owned())]));
        }
    };
    add("html and rows with a note", &|v| {
        v.html = v.html.as_ref().map(|h| format!("{h}\nNote. x &amp; y"));
        push_rows(v, &["Note. x & y"]);
    });
    add("html and rows with a note of lines up to a heading", &|v| {
        v.html = v
            .html
            .as_ref()
            .map(|h| format!("{h}\nA b\n\n<sup>1</sup>c  d\r\n## H\nmore"));
        push_rows(v, &["A b", "<sup>1</sup>c d"]);
    });
    add("html and rows with a note broken by <br> and <p>", &|v| {
        v.html = v
            .html
            .as_ref()
            .map(|h| format!("{h}<p>Note</p><br>x <b>y</b> &lt;z"));
        push_rows(v, &["Note", "x y <z"]);
    });
    add("html with a note rows lack", &|v| {
        v.html = v.html.as_ref().map(|h| format!("{h}\nNote. only here"));
    });
    add("html with a title before the table", &|v| {
        v.html = v.html.as_ref().map(|h| format!("Table 1. Title\n{h}"));
    });
    add("html with a table after a note", &|v| {
        v.html = v
            .html
            .as_ref()
            .map(|h| format!("{h}Note<table><tr><td>a</td></tr></table>"));
        push_rows(v, &["Note", "a"]);
    });
    add("html with an empty row", &|v| {
        v.html = replace_first(&v.html, "</tr>", "</tr><tr></tr>");
    });
    add("html with a second table", &|v| {
        v.html = v
            .html
            .as_ref()
            .map(|h| format!("{h}<table><tr><td>a</td></tr></table>"));
    });
    add("md with a trailing note", &|v| {
        v.md = v.md.as_ref().map(|m| format!("{m}\n\nA note after."));
    });
    add("md with a note line", &|v| {
        v.md = v.md.as_ref().map(|m| format!("{m}\nNote. x"));
    });
    add("md with a title", &|v| {
        v.md = v.md.as_ref().map(|m| format!("Table 1\n\n{m}"));
    });
    add("md with a heading after", &|v| {
        v.md = v.md.as_ref().map(|m| format!("{m}\n## Next"));
    });
    add("md with blank lines around", &|v| {
        v.md = v.md.as_ref().map(|m| format!("\n\n{m}\n\n\n"));
    });
    add("md with an escaped pipe", &|v| {
        v.md = replace_first(&v.md, " |", " \\| |");
    });
    add("md with an html table", &|v| {
        v.md = v.html.clone();
    });
    add("md twice", &|v| {
        v.md = v.md.as_ref().map(|m| format!("{m}\n\n{m}"));
    });
    out
}

/// Tables made by hand for what fixtures may lack.
fn handmade() -> Vec<Item> {
    let html = "<table><thead><tr><th>Item</th><th>Value</th></tr></thead><tbody>\
                <tr><td>Research &amp; development</td><td>12.5</td></tr>\
                <tr><td>Deferred tax &lt;net&gt;</td><td>G<sub>mem</sub></td></tr>\
                <tr><td><b>Total</b></td><td>1<br>2</td></tr></tbody></table>";
    let md = "| Item | Value |\n|---|---|\n| Research & development | 12.5 |\n\
              | Deferred tax <net> | G<sub>mem</sub> |\n| **Total** | 1<br>2 |";
    let mut a = Item {
        type_name: Some("table".into()),
        ..Item::default()
    };
    a.rows = text_rows(&[
        &["Item", "Value"],
        &["Research & development", "12.5"],
        &["Deferred tax <net>", "Gmem"],
        &["Total", "1<br/>2"],
    ]);
    a.html = Some(html.into());
    a.md = Some(md.into());
    let mut b = a.clone();
    b.rows = text_rows(&[
        &["Item", "Value"],
        &["Research & development", "12.5"],
        &["Deferred tax <net>", "G<sub>mem</sub>"],
        &["TOTAL", "1", "2"],
    ]);
    let mut c = b.clone();
    c.rows.as_mut().unwrap()[1][1] = Cell::Number(serde_json::Number::from_f64(12.5).unwrap());
    vec![a, b, c]
}

#[test]
fn the_shortcut_agrees_with_the_full_comparison() {
    let mut base: Vec<(String, Item)> = Vec::new();
    let (mut fixture_tables, mut fixture_hits) = (0, 0);
    for path in fixtures() {
        for item in tables(&path) {
            fixture_tables += 1;
            fixture_hits += usize::from(agree(&item, &path.display().to_string()));
            base.push((path.display().to_string(), item));
        }
    }
    let (mut real_tables, mut real_hits) = (0, 0);
    for path in realdata().unwrap_or_default() {
        for item in tables(&path) {
            real_tables += 1;
            real_hits += usize::from(agree(&item, &path.display().to_string()));
            base.push((path.display().to_string(), item));
        }
    }
    base.extend(handmade().into_iter().map(|i| ("handmade".to_owned(), i)));
    let (mut made, mut made_hits) = (0, 0);
    for (from, item) in &base {
        made_hits += usize::from(agree(item, from));
        for (name, v) in variants(item) {
            made += 1;
            made_hits += usize::from(agree(&v, &format!("{from}, {name}")));
        }
    }
    eprintln!(
        "table-source shortcut taken: fixtures {fixture_hits}/{fixture_tables}, \
         real responses {real_hits}/{real_tables}, variants {made_hits}/{made}"
    );
    // Not vacuous: the shortcut is taken, and not everywhere.
    assert!(fixture_hits > 0 && made_hits > 0 && made_hits < made);
}

#[test]
fn the_shortcut_is_taken_where_it_should_be() {
    let items = handmade();
    // Same words in all three (the subscript is a word of its own in each).
    assert!(agree(&items[1], "same words"));
    // `Gmem` in rows is one word where html and md have two: the full comparison decides.
    assert!(!agree(&items[0], "flattened subscript"));
    // A number cell is read as its JSON text.
    assert!(agree(&items[2], "number cell"));
    // A note after the html table is the rows' last row, as the grid reader makes it.
    let mut note = items[1].clone();
    note.md = None;
    note.html = note
        .html
        .map(|h| format!("{h}\nNote. R &amp; D\n## Next\nnot a row"));
    note.rows
        .as_mut()
        .unwrap()
        .push(vec![Cell::Text("Note. R & D".into())]);
    assert!(agree(&note, "note"));
}

/// The word reader before it read bytes: the plain way.
fn words_plain(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = s;
    loop {
        let Some(start) = rest.find(|c: char| c.is_alphanumeric() || c == '<') else {
            return out;
        };
        rest = &rest[start..];
        if rest.starts_with('<') {
            rest = match crate::tables::tag_len(rest) {
                Some(n) => &rest[n..],
                None => &rest[1..],
            };
            continue;
        }
        let end = rest
            .find(|c: char| !c.is_alphanumeric())
            .unwrap_or(rest.len());
        let (w, r) = rest.split_at(end);
        out.push(w);
        rest = r;
    }
}

#[test]
fn words_read_as_before() {
    let mut texts: Vec<String> = [
        "G<sub>mem</sub> = 5 pS, **a-b**",
        "Müller GmbH — Straße 12½ ٣٤ x²",
        "a < b <c d> e <f <g>h</g> <",
        "<br/>x<BR >y\n<b",
        "",
        "   ",
        "日本語のテキスト123abc",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    for path in fixtures() {
        for item in tables(&path) {
            texts.extend(item.html.clone());
            texts.extend(item.md.clone());
            texts.extend(
                item.table_rows()
                    .iter()
                    .flatten()
                    .map(|c| c.as_text().into_owned()),
            );
        }
    }
    for t in &texts {
        assert_eq!(words(t).collect::<Vec<_>>(), words_plain(t), "{t:?}");
    }
}
