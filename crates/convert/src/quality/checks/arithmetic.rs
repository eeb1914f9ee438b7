//! Arithmetic: total and subtotal rows (`Total`, `Subtotal`, `Sum`, `Grand total`, `Total
//! assets`…) and total columns must equal the sum of what they total, within rounding. When
//! one does not, [`explain`] says which row leaving out, or flipping the sign of, fixes it.
//!
//! Rounding: every printed number may be half a unit in its last place off the true value, so
//! a sum may differ from its printed total by up to the sum of those half units.

use crate::numbers::Number;

use super::super::layout::Layout;
use super::super::report::CellRef;
use super::super::values::{Value, is_year, quote, words};
use super::{Check, Findings};

/// How a printed total relates to its addends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// It adds up within rounding.
    Adds,
    /// It does not; leaving out one of these addends (by position) fixes it, or flipping the
    /// sign of one of these does. Both lists may be empty.
    Off {
        leave_out: Vec<usize>,
        flip_sign: Vec<usize>,
    },
}

/// Checks `total` against `addends` within `tolerance`.
pub(crate) fn explain(total: f64, addends: &[f64], tolerance: f64) -> Verdict {
    let sum: f64 = addends.iter().sum();
    let close = |x: f64| (x - total).abs() <= tolerance;
    if close(sum) {
        return Verdict::Adds;
    }
    let leave_out = (0..addends.len())
        .filter(|&i| close(sum - addends[i]))
        .collect();
    let flip_sign = (0..addends.len())
        .filter(|&i| addends[i] != 0.0 && close(sum - 2.0 * addends[i]))
        .collect();
    Verdict::Off {
        leave_out,
        flip_sign,
    }
}

/// What kind of total a row label names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TotalKind {
    /// `Total`, `Grand total`, `Sum`, `Totals`: everything since the previous grand total.
    Grand,
    /// `Subtotal`, `Total assets`: the rows since the previous total of any kind.
    Sub,
}

fn total_kind(label: &str) -> Option<TotalKind> {
    let w = words(label);
    let first = w.first()?.as_str();
    match first {
        "subtotal" | "subtotals" => Some(TotalKind::Sub),
        "sub" if w.get(1).is_some_and(|x| x == "total") => Some(TotalKind::Sub),
        "grand" if w.get(1).is_some_and(|x| x == "total") => Some(TotalKind::Grand),
        "total" | "totals" | "sum" | "gesamt" | "summe" | "overall" if w.len() == 1 => {
            Some(TotalKind::Grand)
        }
        "total" | "totals" => Some(TotalKind::Sub),
        _ => None,
    }
}

/// A number at a slot, for summing: `None` for text, `Some(None)` for a blank (counted as 0).
fn amount<'t>(t: &'t Layout<'_>, r: usize, c: usize) -> Option<Option<&'t Number>> {
    match t.value(r, c) {
        Value::Number(n) => Some(Some(n)),
        Value::Empty | Value::Placeholder => Some(None),
        Value::Text => None,
    }
}

fn tolerance<'n>(numbers: impl Iterator<Item = &'n Number>) -> f64 {
    numbers.map(Number::half_unit).sum::<f64>() + 1e-9
}

/// Formats a value the way a reader compares it (no float noise).
fn show(v: f64) -> String {
    let s = format!("{v:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

pub(crate) fn check(t: &Layout<'_>, out: &mut Findings) {
    if t.body.len() < 3 {
        return;
    }
    let label_of = |r: usize| -> Option<String> {
        (0..t.width)
            .find(|&c| *t.value(r, c) == Value::Text)
            .map(|c| t.text(r, c).to_owned())
    };
    let totals: Vec<(usize, TotalKind)> = t
        .body
        .clone()
        .filter_map(|r| label_of(r).and_then(|l| total_kind(&l)).map(|k| (r, k)))
        .collect();
    let is_total = |r: usize| totals.iter().any(|&(x, _)| x == r);
    let columns: Vec<usize> = t
        .numeric_columns()
        .filter(|&c| t.columns[c].years < t.columns[c].numbers)
        .collect();
    for (i, &(tr, kind)) in totals.iter().enumerate() {
        let since_any = totals[..i].last().map_or(t.body.start, |&(r, _)| r + 1);
        let since_grand = totals[..i]
            .iter()
            .rev()
            .find(|(_, k)| *k == TotalKind::Grand)
            .map_or(t.body.start, |&(r, _)| r + 1);
        let details: Vec<usize> = (since_any..tr).filter(|&r| !is_total(r)).collect();
        let all_details: Vec<usize> = (since_grand..tr).filter(|&r| !is_total(r)).collect();
        let subtotals: Vec<usize> = totals[..i]
            .iter()
            .filter(|&&(r, k)| r >= since_grand && k == TotalKind::Sub)
            .map(|&(r, _)| r)
            .collect();
        let mut candidates = vec![details];
        if kind == TotalKind::Grand && !subtotals.is_empty() {
            candidates.push(subtotals);
            candidates.push(all_details);
        }
        for &c in &columns {
            let Some(Some(total)) = amount(t, tr, c) else {
                continue;
            };
            if total.percent && (total.value() - 100.0).abs() > total.half_unit() {
                // A percentage total that is not 100% is a rate, not a sum of shares.
                continue;
            }
            let mut first_verdict = None;
            let mut adds = false;
            for rows in &candidates {
                let Some(terms) = terms(t, rows, c) else {
                    continue;
                };
                if terms.len() < 2 {
                    continue;
                }
                let values: Vec<f64> = terms.iter().map(|(_, n)| n.scaled()).collect();
                let tol = tolerance(terms.iter().map(|(_, n)| *n).chain([total]));
                let v = explain(total.scaled(), &values, tol);
                if v == Verdict::Adds {
                    adds = true;
                    break;
                }
                first_verdict.get_or_insert((terms, values, v));
            }
            if adds {
                continue;
            }
            let Some((terms, values, verdict)) = first_verdict else {
                continue;
            };
            let sum: f64 = values.iter().sum();
            let label = label_of(tr).unwrap_or_default();
            let rows_text = match (terms.first(), terms.last()) {
                (Some(a), Some(b)) => format!("rows {}–{}", a.0, b.0),
                _ => String::new(),
            };
            let mut message = format!(
                "{} (row {tr}) in column {c} {} is {} but {rows_text} add up to {} (off by {})",
                quote(&label),
                quote(&t.header_label(c)),
                t.text(tr, c).trim(),
                show(sum),
                show(total.scaled() - sum)
            );
            let mut cells = vec![CellRef::new(tr, c, t.text(tr, c))];
            explain_fix(t, &terms, &verdict, c, &mut message, &mut cells);
            out.add(Check::TotalMismatch, message)
                .at(Some(tr), Some(c))
                .with_cells(cells);
        }
    }
    total_columns(t, &columns, &is_total, out);
}

/// The numbers of `rows` in column `c` (blanks skipped); `None` when one is text.
fn terms<'t>(t: &'t Layout<'_>, rows: &[usize], c: usize) -> Option<Vec<(usize, &'t Number)>> {
    let mut v = Vec::new();
    for &r in rows {
        if let Some(n) = amount(t, r, c)? {
            v.push((r, n));
        }
    }
    Some(v)
}

/// Appends to `message` which addend leaving out or sign-flipping fixes the total.
fn explain_fix(
    t: &Layout<'_>,
    terms: &[(usize, &Number)],
    verdict: &Verdict,
    c: usize,
    message: &mut String,
    cells: &mut Vec<CellRef>,
) {
    let Verdict::Off {
        leave_out,
        flip_sign,
    } = verdict
    else {
        return;
    };
    let name = |i: usize| {
        let r = terms[i].0;
        let label = (0..t.width)
            .find(|&x| *t.value(r, x) == Value::Text)
            .map(|x| format!(" {}", quote(t.text(r, x))))
            .unwrap_or_default();
        format!("row {r}{label}")
    };
    if let [i] = flip_sign.as_slice() {
        let (r, n) = terms[*i];
        message.push_str(&format!(
            "; flipping the sign of {} ({} → {}) makes it add up",
            name(*i),
            t.text(r, c).trim(),
            show(-n.scaled())
        ));
        cells.push(CellRef::new(r, c, t.text(r, c)));
    } else if let [i] = leave_out.as_slice() {
        let r = terms[*i].0;
        message.push_str(&format!(
            "; leaving out {} ({}) makes it add up",
            name(*i),
            t.text(r, c).trim()
        ));
        cells.push(CellRef::new(r, c, t.text(r, c)));
    } else if leave_out.len() + flip_sign.len() > 1 {
        let mut rows: Vec<usize> = leave_out
            .iter()
            .chain(flip_sign)
            .map(|&i| terms[i].0)
            .collect();
        rows.sort_unstable();
        rows.dedup();
        message.push_str(&format!(
            "; more than one row could explain it (rows {})",
            rows.iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
}

/// Columns headed `Total`/`Sum` must equal the numeric columns to their left (back to the
/// previous total column), row by row. A column that adds up in fewer than half the rows is
/// taken to total something else and is not reported.
fn total_columns(
    t: &Layout<'_>,
    columns: &[usize],
    is_total_row: &dyn Fn(usize) -> bool,
    out: &mut Findings,
) {
    let total_cols: Vec<usize> = columns
        .iter()
        .copied()
        .filter(|&c| c > 0 && total_kind(&t.header_label(c)).is_some())
        .collect();
    for (i, &tc) in total_cols.iter().enumerate() {
        let from = if i == 0 { 0 } else { total_cols[i - 1] + 1 };
        let addend_cols: Vec<usize> = columns
            .iter()
            .copied()
            .filter(|&c| c >= from && c < tc && t.columns[c].percents == 0)
            .collect();
        if addend_cols.len() < 2 {
            continue;
        }
        let mut checked = 0;
        let mut failures = Vec::new();
        for r in t.body.clone() {
            let Some(Some(total)) = amount(t, r, tc) else {
                continue;
            };
            let mut terms = Vec::new();
            let mut text = false;
            for &c in &addend_cols {
                match amount(t, r, c) {
                    Some(Some(n)) if !is_year(n) => terms.push((c, n)),
                    Some(_) => {}
                    None => text = true,
                }
            }
            if text || terms.len() < 2 {
                continue;
            }
            checked += 1;
            let values: Vec<f64> = terms.iter().map(|(_, n)| n.scaled()).collect();
            let tol = tolerance(terms.iter().map(|(_, n)| *n).chain([total]));
            if let v @ Verdict::Off { .. } = explain(total.scaled(), &values, tol) {
                failures.push((r, terms, values, v, total));
            }
        }
        if checked < 2 || failures.len() * 2 > checked {
            continue;
        }
        for (r, terms, values, verdict, total) in failures {
            let sum: f64 = values.iter().sum();
            let mut message = format!(
                "column {tc} {} in row {r}{} is {} but columns {}–{} add up to {} (off by {})",
                quote(&t.header_label(tc)),
                if is_total_row(r) {
                    " (a total row)"
                } else {
                    ""
                },
                t.text(r, tc).trim(),
                addend_cols[0],
                addend_cols[addend_cols.len() - 1],
                show(sum),
                show(total.scaled() - sum)
            );
            let Verdict::Off {
                leave_out,
                flip_sign,
            } = &verdict
            else {
                continue;
            };
            if let [i] = flip_sign.as_slice() {
                let c = terms[*i].0;
                message.push_str(&format!(
                    "; flipping the sign of column {c} ({}) makes it add up",
                    t.text(r, c).trim()
                ));
            } else if let [i] = leave_out.as_slice() {
                let c = terms[*i].0;
                message.push_str(&format!(
                    "; leaving out column {c} ({}) makes it add up",
                    t.text(r, c).trim()
                ));
            }
            out.add(Check::TotalMismatch, message)
                .at(Some(r), Some(tc))
                .with_cells([CellRef::new(r, tc, t.text(r, tc))]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adds_within_rounding() {
        assert_eq!(explain(10.0, &[3.3, 3.3, 3.4], 0.2), Verdict::Adds);
        // 33.3 + 33.3 + 33.3 printed as 100.0 is rounding, not an error.
        assert_eq!(explain(100.0, &[33.3, 33.3, 33.3], 0.2), Verdict::Adds);
    }

    #[test]
    fn leave_one_out() {
        // 10 + 20 + 30 = 60, but the total says 30: leaving out the 30 fixes it.
        assert_eq!(
            explain(30.0, &[10.0, 20.0, 30.0], 0.5),
            Verdict::Off {
                leave_out: vec![2],
                flip_sign: vec![]
            }
        );
    }

    #[test]
    fn sign_flip() {
        // 100 + 50 - 20 = 130 printed, but the rows say 100 + 50 + 20.
        assert_eq!(
            explain(130.0, &[100.0, 50.0, 20.0], 0.5),
            Verdict::Off {
                leave_out: vec![],
                flip_sign: vec![2]
            }
        );
    }

    #[test]
    fn unexplained() {
        assert_eq!(
            explain(1000.0, &[1.0, 2.0, 3.0], 0.5),
            Verdict::Off {
                leave_out: vec![],
                flip_sign: vec![]
            }
        );
    }

    #[test]
    fn total_labels() {
        assert_eq!(total_kind("Total"), Some(TotalKind::Grand));
        assert_eq!(total_kind("**Grand total**"), Some(TotalKind::Grand));
        assert_eq!(total_kind("Sum:"), Some(TotalKind::Grand));
        assert_eq!(total_kind("Subtotal"), Some(TotalKind::Sub));
        assert_eq!(total_kind("Sub-total"), Some(TotalKind::Sub));
        assert_eq!(total_kind("Total assets"), Some(TotalKind::Sub));
        assert_eq!(total_kind("Totally new"), None);
        assert_eq!(total_kind("Summary"), None);
        assert_eq!(total_kind("Revenue"), None);
    }

    #[test]
    fn whole_table() {
        use crate::quality::QualityOptions;
        use crate::tables::Grid;
        let g = Grid::new(
            [
                ["Line", "2023", "2024"],
                ["Sales", "100", "120"],
                ["Returns", "20", "(15)"],
                ["Services", "50", "60"],
                ["Total", "130", "165"],
            ]
            .iter()
            .map(|r| r.iter().map(|s| s.to_string()).collect())
            .collect(),
            None,
        );
        let layout = Layout::of(&g, &QualityOptions::default());
        let mut out = Findings::default();
        check(&layout, &mut out);
        // 2024 adds up (100 + … − 15 + 60 = 165); 2023 only with Returns negative.
        assert_eq!(out.list.len(), 1, "{:?}", out.list);
        let f = &out.list[0];
        assert_eq!((f.row, f.column), (Some(4), Some(1)));
        assert_eq!(
            f.message,
            "\"Total\" (row 4) in column 1 \"2023\" is 130 but rows 1–3 add up to 170 (off by -40); \
             flipping the sign of row 2 \"Returns\" (20 → -20) makes it add up"
        );
    }
}
