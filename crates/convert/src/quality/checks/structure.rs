//! Structure checks: ragged rows per representation, blank rows, empty columns, sparsity,
//! duplicate rows, one-column and one-row tables, rows shifted by one column.

use super::counted;
use crate::tables::{Grid, Representations, Source, compare};

use super::super::QualityOptions;
use super::super::layout::{ColumnKind, Layout};
use super::super::report::CellRef;
use super::super::values::{Value, clean};
use super::{Check, Findings};

/// Ragged rows, per representation, in one finding (the server usually writes the same
/// rows into every representation, so one cause shows up in all of them).
pub(crate) fn ragged(reps: &Representations, out: &mut Findings) {
    // Representations with the same raggedness share one part of the message.
    let mut parts: Vec<(Vec<Source>, String)> = Vec::new();
    let mut first: Option<(Source, usize)> = None;
    let mut cells: Vec<CellRef> = Vec::new();
    for source in Source::ALL {
        let Some(g) = reps.get(source).filter(|g| !g.is_empty()) else {
            continue;
        };
        let width = modal_width(&g.cells);
        let ragged: Vec<usize> = (0..g.rows())
            .filter(|&r| g.cells[r].len() != width)
            .collect();
        let Some(&r) = ragged.first() else {
            continue;
        };
        if first.is_none() {
            first = Some((source, r));
            cells = ragged
                .iter()
                .filter_map(|&r| g.cells[r].first().map(|t| CellRef::new(r, 0, t)))
                .collect();
        }
        let what = format!(
            "{} of {} rows are not {width} cells wide like the rest (row {r} has {})",
            ragged.len(),
            g.rows(),
            g.cells[r].len()
        );
        match parts.iter_mut().find(|(_, w)| *w == what) {
            Some((sources, _)) => sources.push(source),
            None => parts.push((vec![source], what)),
        }
    }
    if let Some((source, r)) = first {
        let sources = parts.iter().map(|(s, _)| s.len()).sum::<usize>();
        let message = parts
            .iter()
            .map(|(s, w)| {
                let names: Vec<&str> = s.iter().map(|s| s.as_str()).collect();
                format!("{}: {w}", names.join(", "))
            })
            .collect::<Vec<_>>()
            .join("; ");
        let f = out.add(Check::RaggedRows, message);
        f.at(Some(r), None).with_cells(cells);
        if sources == 1 {
            f.in_source(source);
        }
    }
}

/// The most common row length (the longer one on a tie): what a ragged row differs from.
pub(crate) fn modal_width(rows: &[Vec<String>]) -> usize {
    let mut counts: std::collections::BTreeMap<usize, usize> = std::collections::BTreeMap::new();
    for r in rows {
        *counts.entry(r.len()).or_default() += 1;
    }
    counts
        .into_iter()
        .max_by_key(|&(len, n)| (n, len))
        .map_or(0, |(len, _)| len)
}

/// Everything read from the checked grid alone; returns the rows found shifted.
pub(crate) fn check(t: &Layout<'_>, opts: &QualityOptions, out: &mut Findings) -> Vec<usize> {
    let g = t.grid;
    let rows = g.rows();
    if t.width == 1 {
        out.add(Check::OneColumn, format!("one column, {rows} rows"));
    }
    if rows == 1 {
        out.add(
            Check::OneRow,
            format!(
                "one row of {} cells: {}",
                t.width,
                if t.header.is_empty() {
                    "no header"
                } else {
                    "a header with no body"
                }
            ),
        );
    }
    let blank_row = |r: usize| (0..t.width).all(|c| t.value(r, c) == &Value::Empty);
    let blank: Vec<usize> = (0..rows).filter(|&r| blank_row(r)).collect();
    if let Some(&first) = blank.first() {
        out.add(
            Check::BlankRows,
            format!(
                "{}: {}",
                counted(blank.len(), "blank row", "blank rows"),
                list(&blank)
            ),
        )
        .at(Some(first), None);
    }
    if rows >= 2 {
        let empty: Vec<usize> = (0..t.width)
            .filter(|&c| (0..rows).all(|r| t.value(r, c) == &Value::Empty))
            .collect();
        if let Some(&first) = empty.first() {
            out.add(
                Check::EmptyColumns,
                format!(
                    "{} of {} columns are empty: {}",
                    empty.len(),
                    t.width,
                    list(&empty)
                ),
            )
            .at(None, Some(first));
        }
    }
    sparse(t, opts, out);
    duplicates(t, out);
    shifted(t, out)
}

fn sparse(t: &Layout<'_>, opts: &QualityOptions, out: &mut Findings) {
    let slots = t.body.len() * t.width;
    if slots < 6 {
        return;
    }
    let empty = t
        .body
        .clone()
        .flat_map(|r| (0..t.width).map(move |c| (r, c)))
        .filter(|&(r, c)| t.value(r, c) == &Value::Empty)
        .count();
    let share = empty as f64 / slots as f64;
    if share > opts.sparse_share {
        out.add(
            Check::SparseTable,
            format!(
                "{empty} of {slots} body cells ({:.0}%) are empty",
                share * 100.0
            ),
        );
    }
}

/// Body rows repeating an earlier body row (rows repeating the header are left to
/// `repeated_header_rows`).
fn duplicates(t: &Layout<'_>, out: &mut Findings) {
    let key = |r: usize| -> Vec<String> {
        (0..t.width)
            .map(|c| {
                let mut s = clean(t.text(r, c)).into_owned();
                s.retain(|ch| !ch.is_whitespace());
                s
            })
            .collect()
    };
    let header: Vec<Vec<String>> = t.header.clone().map(key).collect();
    // Looked up, never iterated: the first row of each content, found in O(log n) (a scan of
    // the rows seen made 50k rows take seconds).
    let mut seen: std::collections::BTreeMap<Vec<String>, usize> = Default::default();
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    for r in t.body.clone() {
        let k = key(r);
        if k.iter().filter(|s| !s.is_empty()).count() < 2 || header.contains(&k) {
            continue;
        }
        match seen.get(&k) {
            Some(&first) => pairs.push((r, first)),
            None => {
                seen.insert(k, r);
            }
        }
    }
    if let Some(&(r, first)) = pairs.first() {
        let rows: Vec<usize> = pairs.iter().map(|p| p.0).collect();
        out.add(
            Check::DuplicateRows,
            format!(
                "{} an earlier row: row {r} repeats row {first}{}",
                counted(pairs.len(), "row repeats", "rows repeat"),
                if pairs.len() > 1 {
                    format!(" (all: {})", list(&rows))
                } else {
                    String::new()
                }
            ),
        )
        .at(Some(r), None);
    }
}

/// What a filled cell is, against its column.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fit {
    Neutral,
    Match,
    Mismatch,
}

fn fit(value: &Value, kind: Option<ColumnKind>) -> Fit {
    match (value, kind) {
        (Value::Empty | Value::Placeholder, _) => Fit::Neutral,
        // A filled cell beyond every other row's width fits nowhere.
        (_, None) => Fit::Mismatch,
        (Value::Number(_), Some(ColumnKind::Numeric)) | (Value::Text, Some(ColumnKind::Text)) => {
            Fit::Match
        }
        (Value::Number(_), Some(ColumnKind::Text)) | (Value::Text, Some(ColumnKind::Numeric)) => {
            Fit::Mismatch
        }
        _ => Fit::Neutral,
    }
}

/// A row whose filled cells mismatch their columns' types where they are, and all match one
/// column to the left or right. Returns those rows.
fn shifted(t: &Layout<'_>, out: &mut Findings) -> Vec<usize> {
    if t.body.len() < 3 || t.numeric_columns().count() < 2 {
        return Vec::new();
    }
    // Column types from the rows as a whole; the row under test barely moves them. A cell
    // beyond the width most rows have fits no column.
    let kinds: Vec<ColumnKind> = t.columns.iter().map(|c| c.kind).collect();
    let modal_width = modal_width(&t.grid.cells[t.body.clone()]);
    let kind_at = |c: isize| -> Option<ColumnKind> {
        usize::try_from(c)
            .ok()
            .filter(|&c| c < modal_width)
            .map(|c| kinds[c])
    };
    let mut found: Vec<(usize, &'static str)> = Vec::new();
    for r in t.body.clone() {
        let row = &t.values[r];
        let score = |shift: isize| -> (usize, usize) {
            let mut matches = 0;
            let mut mismatches = 0;
            for (c, v) in row.iter().enumerate() {
                match fit(v, kind_at(c as isize + shift)) {
                    Fit::Match => matches += 1,
                    Fit::Mismatch => mismatches += 1,
                    Fit::Neutral => {}
                }
            }
            (matches, mismatches)
        };
        let (_, here) = score(0);
        let ragged = row.len() != modal_width;
        if here == 0 || (here < 2 && !ragged) {
            continue;
        }
        for (shift, direction) in [(-1isize, "right"), (1, "left")] {
            let (matches, mismatches) = score(shift);
            if mismatches == 0 && matches >= 2 {
                found.push((r, direction));
                break;
            }
        }
    }
    for &(r, direction) in &found {
        let undo = if direction == "right" {
            "left"
        } else {
            "right"
        };
        out.add(
            Check::ShiftedRow,
            format!(
                "row {r} looks shifted one column {direction}: moved one column {undo}, its cells match the column types"
            ),
        )
        .at(Some(r), None)
        .with_cells(
            t.grid.cells[r]
                .iter()
                .enumerate()
                .filter(|(_, s)| !s.trim().is_empty())
                .map(|(c, s)| CellRef::new(r, c, s)),
        );
    }
    found.into_iter().map(|(r, _)| r).collect()
}

/// Whether two rows of possibly different grids hold the same cells (presentation ignored).
pub(crate) fn same_row(a: &Grid, ra: usize, b: &Grid, rb: usize) -> bool {
    let one = |g: &Grid, r: usize| Grid {
        cells: vec![g.cells[r].clone()],
        ..Grid::default()
    };
    compare(&one(a, ra), &one(b, rb)).is_none()
}

/// `1, 4, 7` (at most eight, then `…`).
pub(crate) fn list(v: &[usize]) -> String {
    let mut s: Vec<String> = v.iter().take(8).map(usize::to_string).collect();
    if v.len() > 8 {
        s.push("…".into());
    }
    s.join(", ")
}
