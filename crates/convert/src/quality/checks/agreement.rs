//! Cross-representation checks: `rows` vs `csv` vs `html` (spans expanded) vs `md` read as a
//! table. Builds on the tables module's [`Agreement`]; a multi-row HTML header that `rows`
//! writes as one row (`eat-4<br/>Threshold`) is flattened before comparing, since that is how
//! the server writes it rather than a disagreement.

use super::counted;
use std::collections::BTreeMap;

use crate::tables::{Agreement, Grid, Representations, Source, compare};

use super::super::values::{classify, quote};
use super::{Check, Findings};

pub(crate) fn check(reps: &Representations, out: &mut Findings) {
    let agreement = Agreement::of(reps);
    let Some(reference_source) = agreement.reference else {
        return;
    };
    let Some(reference) = reps.get(reference_source) else {
        return;
    };
    let shape = |g: &Grid| format!("{}×{}", g.rows(), g.columns());
    for cmp in &agreement.compared {
        let Some(other) = reps.get(cmp.source) else {
            continue;
        };
        let source = cmp.source;
        if other.is_empty() {
            out.add(
                Check::ShapeDisagreement,
                format!(
                    "{source} holds no table; {reference_source} is {}",
                    shape(reference)
                ),
            )
            .in_source(source);
            continue;
        }
        let aligned = if cmp.agrees {
            None
        } else {
            flatten_header_like(reference, other)
        };
        let other = aligned.as_ref().unwrap_or(other);
        let difference = if cmp.agrees {
            None
        } else {
            compare(reference, other)
        };
        if let Some(d) = difference {
            let lengths = |g: &Grid| g.cells.iter().map(Vec::len).collect::<Vec<_>>();
            let quote = |t: &Option<String>| t.as_deref().map_or("(no cell)".into(), quote);
            let at = format!(
                "row {}, column {}: {reference_source} {} vs {source} {}",
                d.row,
                d.column,
                quote(&d.reference),
                quote(&d.other)
            );
            let (lr, lo) = (lengths(reference), lengths(other));
            if lr != lo && pads_only(reference, other) {
                // Only padding differs (a row ends in empty cells in one of them): the
                // ragged-rows check already reports it, once.
            } else if lr != lo && shape(reference) == shape(other) {
                let r = lr.iter().zip(&lo).position(|(a, b)| a != b).unwrap_or(0);
                out.add(
                    Check::ShapeDisagreement,
                    format!(
                        "row {r} has {} cells in {source} and {} in {reference_source}; first \
                         difference at {at}",
                        lo.get(r).copied().unwrap_or(0),
                        lr.get(r).copied().unwrap_or(0)
                    ),
                )
                .at(Some(d.row), Some(d.column))
                .in_source(source);
            } else if lr != lo {
                out.add(
                    Check::ShapeDisagreement,
                    format!(
                        "{source} is {}, {reference_source} is {}; first difference at {at}",
                        shape(other),
                        shape(reference)
                    ),
                )
                .at(Some(d.row), Some(d.column))
                .in_source(source);
            } else {
                out.add(
                    Check::CellDisagreement,
                    format!("{source} differs from {reference_source} at {at}"),
                )
                .at(Some(d.row), Some(d.column))
                .in_source(source);
            }
        }
        numbers(reference, reference_source, other, source, out);
    }
}

/// Whether `rows` hold less than the representation the writers use (see
/// [`choose`](crate::tables::choose)): fewer rows, fewer columns, or words they lack, each a
/// finding of its own (a table cut to half its rows costs more than a flattened subscript);
/// and whether the item's `md` holds text outside its table.
pub(crate) fn completeness(item: &pagetree_model::Item, out: &mut Findings) {
    let Some(chosen) = crate::tables::choose(item, crate::tables::TableSource::Best) else {
        return;
    };
    if chosen.source != Source::Rows {
        let rows = item.table_rows();
        let columns = |r: &[Vec<pagetree_model::Cell>]| r.iter().map(Vec::len).max().unwrap_or(0);
        let source = chosen.source;
        let (have, want) = (rows.len(), chosen.rows.len());
        if want > have {
            out.add(
                Check::RowsIncomplete,
                format!("rows hold {have} of the {want} rows {source} has; writers use {source}"),
            )
            .in_source(source);
        }
        let (have_c, want_c) = (columns(rows), columns(&chosen.rows));
        if want_c > have_c {
            out.add(
                Check::RowsIncomplete,
                format!(
                    "rows hold {have_c} of the {want_c} columns {source} has; writers use {source}"
                ),
            )
            .in_source(source);
        }
        if want <= have && want_c <= have_c {
            out.add(
                Check::RowsIncomplete,
                format!("{source} holds words rows lack; writers use {source}"),
            )
            .in_source(source);
        }
    }
    let outside = [&chosen.before, &chosen.after]
        .iter()
        .map(|t| t.split_whitespace().count())
        .sum::<usize>();
    if outside > 0 {
        out.add(
            Check::TextInTableMd,
            format!("md holds {outside} words outside its table; markdown writes them after it"),
        )
        .in_source(Source::Md);
    }
}

/// `other` with its header rows joined into one, when it marks more header rows than
/// `reference` (how `rows` writes a multi-row HTML header); `None` otherwise.
fn flatten_header_like(reference: &Grid, other: &Grid) -> Option<Grid> {
    let n = other.header_rows;
    if n < 2 || reference.header_rows >= n || other.rows() < n {
        return None;
    }
    let width = other.cells[..n].iter().map(Vec::len).max().unwrap_or(0);
    let header: Vec<String> = (0..width)
        .map(|c| {
            let mut parts: Vec<&str> = Vec::new();
            for r in 0..n {
                let t = other.spread_text(r, c).trim();
                if !t.is_empty() && parts.last() != Some(&t) {
                    parts.push(t);
                }
            }
            // Whitespace is ignored by the comparison, so any separator will do.
            parts.join(" ")
        })
        .collect();
    let mut g = other.clone();
    g.flatten_header(n);
    g.cells[0] = header;
    Some(g)
}

/// Whether two grids hold the same cells once every row is padded with empty cells to the
/// wider grid's width.
fn pads_only(a: &Grid, b: &Grid) -> bool {
    if a.rows() != b.rows() {
        return false;
    }
    let width = a.columns().max(b.columns());
    let pad = |g: &Grid| {
        let mut g = g.clone();
        for row in &mut g.cells {
            row.resize(width, String::new());
        }
        g
    };
    compare(&pad(a), &pad(b)).is_none()
}

/// Numbers (canonical form) in one grid and not the other, both ways.
fn numbers(reference: &Grid, rs: Source, other: &Grid, os: Source, out: &mut Findings) {
    let count = |g: &Grid| {
        let mut m: BTreeMap<String, usize> = BTreeMap::new();
        for cell in g.cells.iter().flatten() {
            if let Some(n) = classify(cell).number() {
                *m.entry(n.canonical()).or_default() += 1;
            }
        }
        m
    };
    let (a, b) = (count(reference), count(other));
    let missing = |x: &BTreeMap<String, usize>, y: &BTreeMap<String, usize>| -> Vec<String> {
        x.iter()
            .flat_map(|(k, &n)| {
                let have = y.get(k).copied().unwrap_or(0);
                std::iter::repeat_n(k.clone(), n.saturating_sub(have))
            })
            .collect()
    };
    let (only_ref, only_other) = (missing(&a, &b), missing(&b, &a));
    if only_ref.is_empty() && only_other.is_empty() {
        return;
    }
    let show = |v: &[String]| {
        let mut s: Vec<&str> = v.iter().take(5).map(String::as_str).collect();
        if v.len() > 5 {
            s.push("…");
        }
        s.join(", ")
    };
    let mut parts = Vec::new();
    if !only_ref.is_empty() {
        parts.push(format!(
            "{} in {rs} missing from {os}: {}",
            counted(only_ref.len(), "number", "numbers"),
            show(&only_ref)
        ));
    }
    if !only_other.is_empty() {
        parts.push(format!(
            "{} in {os} missing from {rs}: {}",
            counted(only_other.len(), "number", "numbers"),
            show(&only_other)
        ));
    }
    // Locate the first reference cell whose number the other grid lacks (looked up in a set:
    // a scan of the list per cell is quadratic when a large table disagrees throughout).
    let lacking: std::collections::BTreeSet<&str> = only_ref.iter().map(String::as_str).collect();
    let first = reference.cells.iter().enumerate().find_map(|(r, row)| {
        row.iter().enumerate().find_map(|(c, cell)| {
            classify(cell)
                .number()
                .filter(|n| lacking.contains(n.canonical().as_str()))
                .map(|_| (r, c))
        })
    });
    out.add(Check::NumberDisagreement, parts.join("; "))
        .at(first.map(|f| f.0), first.map(|f| f.1))
        .in_source(os);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::{grid_from_html, grid_from_rows};
    use pagetree_model::Cell;

    #[test]
    fn a_flattened_multi_row_header_agrees() {
        let rows = grid_from_rows(&[
            vec![
                Cell::Text("eat-4<br/>Threshold".into()),
                Cell::Text("eat-4<br/>4".into()),
            ],
            vec![Cell::Text("x".into()), Cell::Number(3.into())],
        ]);
        let html = grid_from_html(
            "<table><thead><tr><th colspan=2>eat-4</th></tr><tr><th>Threshold</th><th>4</th></tr></thead>\
             <tbody><tr><td>x</td><td>3</td></tr></tbody></table>",
        );
        assert!(compare(&rows, &html).is_some());
        let flat = flatten_header_like(&rows, &html).unwrap();
        assert_eq!(compare(&rows, &flat), None);
        let mut out = Findings::default();
        numbers(&rows, Source::Rows, &flat, Source::Html, &mut out);
        assert!(out.list.is_empty());
    }

    #[test]
    fn numbers_missing_either_way() {
        let a = Grid::new(vec![vec!["1,234.50".into(), "7".into()]], None);
        let b = Grid::new(vec![vec!["1234.5".into(), "8".into()]], None);
        let mut out = Findings::default();
        numbers(&a, Source::Rows, &b, Source::Html, &mut out);
        assert_eq!(
            out.list[0].message,
            "1 number in rows missing from html: 7; 1 number in html missing from rows: 8"
        );
        assert_eq!((out.list[0].row, out.list[0].column), (Some(0), Some(1)));
    }
}
