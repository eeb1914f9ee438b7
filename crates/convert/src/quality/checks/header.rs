//! Header checks: no header, blank or duplicate labels, a label naming a quantity over text
//! values, title and unit rows, multi-row headers. Years as labels (`2023`, `FY2024`) are
//! labels, never data.

use super::super::layout::{ColumnKind, Layout};
use super::super::report::CellRef;
use super::super::values::{Value, clean, is_year, is_year_label, quote, words};
use super::counted;
use super::structure::list;
use super::{Check, Findings};

/// `skip` lists rows explained by another check (shifted rows), whose stray cells do not make
/// a column need a label.
pub(crate) fn check(t: &Layout<'_>, skip: &[usize], out: &mut Findings) {
    for &r in &t.title_rows {
        let title = (0..t.width)
            .map(|c| clean(t.text(r, c)).trim().to_owned())
            .find(|s| !s.is_empty())
            .unwrap_or_default();
        out.add(
            Check::TitleRow,
            format!("row {r} is a title above the header: {}", quote(&title)),
        )
        .at(Some(r), None);
    }
    for &r in &t.unit_rows {
        let units: Vec<String> = (0..t.width)
            .map(|c| clean(t.text(r, c)).trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect();
        out.add(
            Check::UnitRow,
            format!(
                "row {r} gives units, not values: {}",
                units
                    .iter()
                    .map(|u| quote(u))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
        .at(Some(r), None);
    }
    if t.header.len() >= 2 {
        out.add(
            Check::MultiRowHeader,
            format!(
                "the header spans {} rows ({}–{}); flatten it (`--header-rows`) for CSV use",
                t.header.len(),
                t.header.start,
                t.header.end - 1
            ),
        )
        .at(Some(t.header.start), None);
    }
    if t.body.is_empty() || t.grid.rows() < 2 {
        // A lone row is reported by `one_row`.
        return;
    }
    no_header(t, out);
    if out.has(Check::NoHeader) {
        return;
    }
    labels(t, skip, out);
    quantity_over_text(t, out);
}

/// The header row is blank, or holds numbers (not years) in most numeric columns.
fn no_header(t: &Layout<'_>, out: &mut Findings) {
    let Some(h) = t.header.clone().last() else {
        out.add(
            Check::NoHeader,
            "the first row holds numbers: the table has no header row",
        )
        .at(Some(0), None);
        return;
    };
    if (0..t.width).all(|c| t.value(h, c).is_blank()) {
        out.add(Check::NoHeader, format!("the header row {h} is blank"))
            .at(Some(h), None);
        return;
    }
    let numeric: Vec<usize> = t.numeric_columns().collect();
    let data_like: Vec<usize> = numeric
        .iter()
        .copied()
        .filter(|&c| {
            t.value(h, c)
                .number()
                .is_some_and(|n| !is_year(n) && !is_year_label(t.text(h, c)))
        })
        .collect();
    if !numeric.is_empty() && data_like.len() * 2 > numeric.len() {
        out.add(
            Check::NoHeader,
            format!(
                "header row {h} holds numbers in {} of {} numeric columns: it looks like data",
                data_like.len(),
                numeric.len()
            ),
        )
        .at(Some(h), None)
        .with_cells(data_like.iter().map(|&c| CellRef::new(h, c, t.text(h, c))));
    }
}

/// Blank labels over columns with values (not the first column: a stub head is usually
/// blank), and labels used twice.
fn labels(t: &Layout<'_>, skip: &[usize], out: &mut Findings) {
    let labels: Vec<String> = (0..t.width).map(|c| t.header_label(c)).collect();
    let h = t.header.start;
    let has_values = |c: usize| {
        t.body
            .clone()
            .any(|r| !skip.contains(&r) && !t.value(r, c).is_blank())
    };
    let blank: Vec<usize> = (1..t.width)
        .filter(|&c| labels[c].is_empty() && has_values(c))
        .collect();
    if let Some(&first) = blank.first() {
        out.add(
            Check::BlankHeader,
            format!(
                "{} no header label: {}",
                counted(
                    blank.len(),
                    "column with values has",
                    "columns with values have"
                ),
                list(&blank)
            ),
        )
        .at(Some(h), Some(first));
    }
    // The first column of each label, looked up (never iterated): a scan of the columns
    // before each one made 20k columns take seconds.
    let mut dups: Vec<(usize, usize)> = Vec::new();
    let mut first_of: std::collections::BTreeMap<String, usize> = Default::default();
    for (c, label) in labels.iter().enumerate() {
        let key = label.to_lowercase();
        if key.is_empty() && c > 0 {
            continue;
        }
        match first_of.get(&key) {
            Some(&first) if c > 0 => dups.push((c, first)),
            Some(_) => {}
            None => {
                first_of.insert(key, c);
            }
        }
    }
    if let Some(&(c, first)) = dups.first() {
        out.add(
            Check::DuplicateHeader,
            format!(
                "{} a header label: column {c} and column {first} are both {}",
                counted(dups.len(), "column repeats", "columns repeat"),
                quote(&labels[c])
            ),
        )
        .at(Some(h), Some(c))
        .with_cells(dups.iter().map(|&(c, _)| CellRef::new(h, c, &labels[c])));
    }
}

/// Words in a header that name a quantity.
const QUANTITY_WORDS: &[&str] = &[
    "qty",
    "quantity",
    "amount",
    "amt",
    "price",
    "total",
    "sum",
    "count",
    "number",
    "num",
    "value",
    "val",
    "rate",
    "cost",
    "costs",
    "revenue",
    "sales",
    "income",
    "profit",
    "balance",
    "percent",
    "percentage",
    "%",
    "$",
    "€",
    "£",
    "usd",
    "eur",
    "gbp",
];

/// Whether a header names a quantity: its last word outside parentheses is one (`Unit
/// price`, `Amount (EUR)`, `QTY`; not `Cost centre`), it reads `Number of …`, or it gives a
/// percent or currency unit (`Share (%)`).
fn names_quantity(label: &str) -> bool {
    let mut main = String::new();
    let mut depth = 0usize;
    for ch in label.chars() {
        match ch {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            _ if depth == 0 => main.push(ch),
            _ => {}
        }
    }
    let w = words(&main);
    let last = w
        .last()
        .is_some_and(|x| QUANTITY_WORDS.contains(&x.as_str()));
    let number_of =
        w.len() >= 2 && matches!(w[0].as_str(), "number" | "count" | "no") && w[1] == "of";
    let unit = words(label)
        .iter()
        .any(|x| matches!(x.as_str(), "%" | "$" | "€" | "£" | "usd" | "eur" | "gbp"));
    last || number_of || unit
}

/// A number followed by a short unit (`500 pS`, `4 (PCS)`, `1 mm`): a value a reader can use,
/// but not as a number.
fn number_with_unit(cell: &str) -> bool {
    let text = clean(cell);
    let mut parts = text.trim().splitn(2, char::is_whitespace);
    let (Some(n), Some(unit)) = (parts.next(), parts.next()) else {
        return false;
    };
    let unit = unit.trim().trim_matches(|c| c == '(' || c == ')');
    crate::numbers::parse_number(n).is_some()
        && (1..=6).contains(&unit.chars().count())
        && unit
            .chars()
            .all(|c| c.is_alphabetic() || "/%°µ·".contains(c))
}

/// A header naming a quantity over a column of text (`QTY` over `4 (PCS)`).
fn quantity_over_text(t: &Layout<'_>, out: &mut Findings) {
    for c in 0..t.width {
        // A mixed column counts too: a `Value` column with text in a quarter of its cells.
        if !matches!(t.columns[c].kind, ColumnKind::Text | ColumnKind::Mixed) {
            continue;
        }
        let label = t.header_label(c);
        // A header that is itself a number (`12.5%`) is data, not a name.
        if t.columns[c].texts == 0
            || crate::numbers::parse_number(&label).is_some()
            || !names_quantity(&label)
        {
            continue;
        }
        let texts: Vec<CellRef> = t
            .body
            .clone()
            .filter(|&r| *t.value(r, c) == Value::Text)
            .map(|r| CellRef::new(r, c, t.text(r, c)))
            .collect();
        let first = texts.first().map(|c| c.row);
        let with_unit = texts.iter().filter(|x| number_with_unit(&x.text)).count();
        let units = if with_unit > 0 {
            format!(", {with_unit} of them a number with a unit")
        } else {
            String::new()
        };
        out.add(
            Check::HeaderValueMismatch,
            format!(
                "column {c} {} names a quantity but holds text ({} text cells{units}, {} numbers){}",
                quote(&label),
                t.columns[c].texts,
                t.columns[c].numbers,
                texts
                    .first()
                    .map_or(String::new(), |x| format!(": {}", quote(&x.text)))
            ),
        )
        .at(first, Some(c))
        .with_cells(texts);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantity_headers() {
        for h in [
            "QTY",
            "Quantity",
            "Unit price",
            "Amount (EUR)",
            "Val.",
            "Number of cows",
            "Share (%)",
            "Total",
        ] {
            assert!(names_quantity(h), "{h}");
        }
        for h in [
            "Cost centre",
            "Price list",
            "Item",
            "Value chain stage",
            "Description",
        ] {
            assert!(!names_quantity(h), "{h}");
        }
        assert!(number_with_unit("500 pS") && number_with_unit("4 (PCS)"));
        assert!(!number_with_unit("see note 4") && !number_with_unit("12"));
    }
}
