//! Value checks: text in a numeric column, two numbers in one cell, mixed number formats in a
//! column, and HTML or markdown left in cell text.

use super::counted;
use std::collections::BTreeSet;

use crate::numbers::{SignStyle, parse_number};

use super::super::layout::{ColumnKind, Layout};
use super::super::report::CellRef;
use super::super::values::{Value, is_year, quote, tag_len, tag_name};
use super::{Check, Findings};

/// `skip` lists rows already explained by another check (shifted rows, repeated header rows),
/// whose cells would otherwise be reported again as text in a numeric column.
pub(crate) fn check(t: &Layout<'_>, skip: &[usize], out: &mut Findings) {
    let body = || t.body.clone().filter(|r| !skip.contains(r));
    let pairs: Vec<CellRef> = body()
        .flat_map(|r| (0..t.width).map(move |c| (r, c)))
        .filter(|&(r, c)| two_numbers_at(t, r, c))
        .map(|(r, c)| CellRef::new(r, c, t.text(r, c)))
        .collect();
    if let Some(first) = pairs.first() {
        out.add(
            Check::TwoNumbersInCell,
            format!(
                "{} two or more numbers, as if columns were merged: {}",
                counted(pairs.len(), "cell holds", "cells hold"),
                quote(&first.text)
            ),
        )
        .at(Some(first.row), Some(first.column))
        .with_cells(pairs.clone());
    }
    for c in 0..t.width {
        if t.columns[c].kind != ColumnKind::Numeric {
            continue;
        }
        let texts: Vec<CellRef> = body()
            .filter(|&r| *t.value(r, c) == Value::Text && !two_numbers_at(t, r, c))
            .map(|r| CellRef::new(r, c, t.text(r, c)))
            .collect();
        if let Some(first) = texts.first() {
            out.add(
                Check::TextInNumericColumn,
                format!(
                    "column {c} {} holds {} and {}: {}",
                    quote(&t.header_label(c)),
                    counted(t.columns[c].numbers, "number", "numbers"),
                    counted(texts.len(), "text cell", "text cells"),
                    texts
                        .iter()
                        .take(3)
                        .map(|x| quote(&x.text))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
            .at(Some(first.row), Some(c))
            .with_cells(texts);
        }
        mixed_formats(t, c, skip, out);
    }
    markup(t, out);
}

/// Whether the cell at `(r, c)` holds two numbers. `1 000` is read as one number grouped with
/// a space when the column is written that way (half its other filled cells look the same),
/// and as two numbers otherwise (`385 402` among `410` and `370`).
fn two_numbers_at(t: &Layout<'_>, r: usize, c: usize) -> bool {
    if *t.value(r, c) != Value::Text {
        return false;
    }
    match split_numbers(t.text(r, c)) {
        Split::Numbers => true,
        Split::SpaceGrouped => {
            let others: Vec<&str> = t
                .body
                .clone()
                .filter(|&x| x != r && !t.value(x, c).is_blank())
                .map(|x| t.text(x, c))
                .collect();
            let grouped = others
                .iter()
                .filter(|s| split_numbers(s) == Split::SpaceGrouped)
                .count();
            grouped * 2 < others.len()
        }
        Split::Not => false,
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Split {
    /// Not two numbers.
    Not,
    /// Numbers separated by whitespace.
    Numbers,
    /// Could be one number grouped with spaces (`1 000 000`).
    SpaceGrouped,
}

/// Whether a cell is two or more numbers separated by whitespace (`12 34`, `(5) 1,200`).
fn split_numbers(cell: &str) -> Split {
    let tokens: Vec<&str> = cell.split_whitespace().collect();
    if tokens.len() < 2 || !tokens.iter().all(|t| parse_number(t).is_some()) {
        return Split::Not;
    }
    let space_grouped = tokens[0].len() <= 3
        && tokens[0].bytes().all(|b| b.is_ascii_digit())
        && tokens[1..]
            .iter()
            .all(|t| t.len() == 3 && t.bytes().all(|b| b.is_ascii_digit()));
    if space_grouped {
        Split::SpaceGrouped
    } else {
        Split::Numbers
    }
}

/// A numeric column mixing percent and plain numbers, `(12)` and `-12` negatives, grouped and
/// ungrouped thousands, currencies or magnitudes.
fn mixed_formats(t: &Layout<'_>, c: usize, skip: &[usize], out: &mut Findings) {
    let numbers: Vec<(usize, &crate::numbers::Number)> = t
        .body
        .clone()
        .filter(|r| !skip.contains(r))
        .filter_map(|r| t.value(r, c).number().map(|n| (r, n)))
        .filter(|(_, n)| !is_year(n))
        .collect();
    let mut mixes: Vec<String> = Vec::new();
    let count =
        |f: &dyn Fn(&crate::numbers::Number) -> bool| numbers.iter().filter(|(_, n)| f(n)).count();
    let percent = count(&|n| n.percent);
    if percent > 0 && percent < numbers.len() {
        mixes.push(format!(
            "{percent} percentages and {} plain numbers",
            numbers.len() - percent
        ));
    }
    let parens = count(&|n| n.sign == SignStyle::Parentheses);
    let minus = count(&|n| matches!(n.sign, SignStyle::Hyphen | SignStyle::Minus));
    if parens > 0 && minus > 0 {
        mixes.push(format!(
            "{parens} (12)-style and {minus} -12-style negatives"
        ));
    }
    let big = |n: &crate::numbers::Number| n.integer.trim_start_matches('0').len() >= 4;
    let grouped = count(&|n| big(n) && n.grouped);
    let ungrouped = count(&|n| big(n) && !n.grouped);
    if grouped > 0 && ungrouped > 0 {
        mixes.push(format!(
            "{grouped} numbers with thousands separators and {ungrouped} without"
        ));
    }
    let currencies: BTreeSet<&str> = numbers
        .iter()
        .filter_map(|(_, n)| n.currency.as_deref())
        .collect();
    if currencies.len() > 1 {
        mixes.push(format!(
            "currencies {}",
            currencies.into_iter().collect::<Vec<_>>().join(" and ")
        ));
    }
    let magnitudes: BTreeSet<&str> = numbers
        .iter()
        .map(|(_, n)| n.magnitude.map_or("none", |m| m.suffix()))
        .collect();
    if magnitudes.len() > 1 {
        mixes.push(format!(
            "magnitude suffixes {}",
            magnitudes.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
    if !mixes.is_empty() {
        out.add(
            Check::MixedNumberFormats,
            format!("column {c} mixes number formats: {}", mixes.join("; ")),
        )
        .at(None, Some(c));
    }
}

/// What markup a cell carries: `(line breaks, other residue)`.
fn residue(cell: &str) -> (bool, Vec<&'static str>) {
    let mut br = false;
    let mut kinds: Vec<&'static str> = Vec::new();
    let mut push = |k: &'static str| {
        if !kinds.contains(&k) {
            kinds.push(k);
        }
    };
    let mut rest = cell;
    while let Some(i) = rest.find('<') {
        let tail = &rest[i..];
        match tag_len(tail) {
            Some(n) => {
                if tag_name(&tail[..n]) == "br" {
                    br = true;
                } else {
                    push("HTML tags");
                }
                rest = &tail[n..];
            }
            None => rest = &tail[1..],
        }
    }
    let b = cell.as_bytes();
    for (i, &ch) in b.iter().enumerate() {
        match ch {
            b'&' => {
                let end = b[i + 1..]
                    .iter()
                    .take(8)
                    .position(|&x| x == b';')
                    .map(|p| i + 1 + p);
                if let Some(end) = end {
                    let name = &cell[i + 1..end];
                    let entity = name.len() >= 2
                        && (name.bytes().all(|x| x.is_ascii_alphabetic())
                            || name
                                .strip_prefix('#')
                                .is_some_and(|d| d.bytes().all(|x| x.is_ascii_alphanumeric())));
                    if entity {
                        push("HTML entities");
                    }
                }
            }
            // An escape is a backslash before punctuation; `\frac` is LaTeX, not residue.
            b'\\' if b.get(i + 1).is_some_and(|n| n.is_ascii_punctuation()) => {
                push("markdown escapes")
            }
            _ => {}
        }
    }
    if emphasis(cell, "**") || emphasis(cell, "__") {
        push("markdown emphasis");
    }
    (br, kinds)
}

/// Whether `marker` encloses text somewhere (`**bold**`), unlike a run of significance stars
/// (`12 ***`).
fn emphasis(cell: &str, marker: &str) -> bool {
    let parts: Vec<&str> = cell.split(marker).collect();
    parts.len() >= 3
        && parts[1..parts.len() - 1].iter().any(|p| {
            let edge =
                |c: Option<char>| c.is_some_and(|c| !c.is_whitespace() && c != '*' && c != '_');
            edge(p.chars().next()) && edge(p.chars().last())
        })
}

fn markup(t: &Layout<'_>, out: &mut Findings) {
    let mut breaks: Vec<CellRef> = Vec::new();
    let mut other: Vec<CellRef> = Vec::new();
    let mut kinds: Vec<&'static str> = Vec::new();
    for (r, row) in t.grid.cells.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (br, k) = residue(cell);
            if br {
                breaks.push(CellRef::new(r, c, cell));
            }
            if !k.is_empty() {
                for k in k {
                    if !kinds.contains(&k) {
                        kinds.push(k);
                    }
                }
                other.push(CellRef::new(r, c, cell));
            }
        }
    }
    if let Some(first) = other.first() {
        out.add(
            Check::MarkupResidue,
            format!(
                "{} {}: {}",
                counted(other.len(), "cell carries", "cells carry"),
                kinds.join(", "),
                quote(&first.text)
            ),
        )
        .at(Some(first.row), Some(first.column))
        .with_cells(other);
    }
    if let Some(first) = breaks.first() {
        out.add(
            Check::LineBreakTags,
            format!(
                "{} <br> line-break tags",
                counted(breaks.len(), "cell holds", "cells hold")
            ),
        )
        .at(Some(first.row), Some(first.column))
        .with_cells(breaks);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_numbers_in_a_cell() {
        assert_eq!(split_numbers("12 34"), Split::Numbers);
        assert_eq!(split_numbers("(5) 1,200"), Split::Numbers);
        assert_eq!(split_numbers("12.5 13.1 14"), Split::Numbers);
        assert_eq!(split_numbers("1 000"), Split::SpaceGrouped);
        assert_eq!(split_numbers("385 402"), Split::SpaceGrouped);
        assert_eq!(split_numbers("12"), Split::Not);
        assert_eq!(split_numbers("12 mm"), Split::Not);
    }

    #[test]
    fn space_grouping_depends_on_the_column() {
        use crate::quality::QualityOptions;
        use crate::tables::Grid;
        let grid = |cells: &[&str]| {
            let mut rows = vec![vec!["h".to_string()]];
            rows.extend(cells.iter().map(|c| vec![c.to_string()]));
            Grid::new(rows, None)
        };
        let opts = QualityOptions::default();
        let merged = grid(&["410", "385 402", "370"]);
        assert!(two_numbers_at(&Layout::of(&merged, &opts), 2, 0));
        let french = grid(&["1 200", "385 402", "2 950"]);
        assert!(!two_numbers_at(&Layout::of(&french, &opts), 2, 0));
    }

    #[test]
    fn residue_kinds() {
        assert_eq!(residue("a<br/>b"), (true, vec![]));
        assert_eq!(residue("12<sup>a</sup>"), (false, vec!["HTML tags"]));
        assert_eq!(residue("R&amp;D"), (false, vec!["HTML entities"]));
        assert_eq!(residue("R&D; fine"), (false, vec![]));
        assert_eq!(residue("**12**"), (false, vec!["markdown emphasis"]));
        assert_eq!(residue("-149 ± 2 ***"), (false, vec![]));
        assert_eq!(residue("12** and 3**"), (false, vec![]));
        assert_eq!(residue(r"A\|B"), (false, vec!["markdown escapes"]));
        assert_eq!(residue(r"$\frac{M}{24}$"), (false, vec![]));
        assert_eq!(residue("1 < 2"), (false, vec![]));
    }
}
