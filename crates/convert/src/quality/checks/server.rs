//! Server signals: every `parse_concerns` entry passed through and marked confirmed, not
//! confirmed or unchecked by our matching check; v1 `isPerfectTable: false`; and cross-page
//! merge metadata that does not add up.
//!
//! Which of our checks confirms which concern:
//!
//! | concern | confirmed when |
//! |---|---|
//! | `header_value_type_mismatch` | `header_value_mismatch` or `text_in_numeric_column` fired (on the column the details name, `col N`, when they name one) |
//! | `inconsistent_row_cell_count` | `ragged_rows` fired |
//! | `layout_lvm_disagreement` | `layout_not_table` or `chart_transcription` fired |
//! | `possible_merged_columns` | `two_numbers_in_cell` or `shifted_row` fired |
//! | `multi_table_page` | the page holds 2+ table items besides merge stubs |
//! | anything else | unchecked |

use super::counted;
use pagetree_model::Item;

use super::super::report::{Confirmation, ServerConcern};
use super::{Check, Findings};

pub(crate) fn not_perfect(item: &Item, out: &mut Findings) {
    if item.is_perfect_table == Some(false) {
        out.add(
            Check::NotPerfectTable,
            "the server marked it isPerfectTable: false",
        );
    }
}

/// A table item as the merge checks see it: only its merge metadata, so that a batched
/// assessment can keep every table's until the end (the pages a merge names may lie in any
/// batch) without keeping the tables.
#[derive(Debug)]
pub(crate) struct MergePart {
    pub page: u32,
    pub merged_into_page: Option<u32>,
    /// `merged_from_pages` of a merged table (not a stub), when it lists any.
    pub merged_from: Option<Vec<u32>>,
}

impl MergePart {
    pub fn of(page: u32, item: &Item) -> Self {
        MergePart {
            page,
            merged_into_page: item.merged_into_page,
            merged_from: item
                .merged_from_pages
                .clone()
                .filter(|v| !v.is_empty() && !item.is_merged_stub()),
        }
    }
}

/// Merge metadata that does not add up: a stub pointing at a page with no merged table, and a
/// merged table listing a page that holds no stub pointing back. Returns, per part, the
/// findings to add.
pub(crate) fn merges(parts: &[MergePart], failed_pages: &[u32]) -> Vec<Findings> {
    let mut out: Vec<Findings> = parts.iter().map(|_| Findings::default()).collect();
    // Looked up by page rather than by scanning every part for every part: a batched
    // assessment holds the whole document's parts.
    let merged_on: std::collections::BTreeSet<u32> = parts
        .iter()
        .filter(|m| m.merged_from.is_some())
        .map(|m| m.page)
        .collect();
    let stubs: std::collections::BTreeSet<(u32, u32)> = parts
        .iter()
        .filter_map(|s| s.merged_into_page.map(|into| (s.page, into)))
        .collect();
    for (i, p) in parts.iter().enumerate() {
        if let Some(target) = p.merged_into_page {
            let claimed = merged_on.contains(&target);
            if !claimed {
                out[i].add(
                    Check::OrphanMergeStub,
                    format!(
                        "merge stub pointing at page {target}, where no table has merged_from_pages; this page's rows may be lost"
                    ),
                );
            }
        }
        if let Some(from) = &p.merged_from {
            let missing: Vec<String> = from
                .iter()
                .filter(|&&pg| pg != p.page)
                .filter(|&&pg| !stubs.contains(&(pg, p.page)))
                .map(|pg| {
                    if failed_pages.contains(pg) {
                        format!("{pg} (failed)")
                    } else {
                        pg.to_string()
                    }
                })
                .collect();
            if !missing.is_empty() {
                out[i].add(
                    Check::MissingMergeStub,
                    format!(
                        "merged_from_pages lists {} {} but no stub there points back to page {}",
                        if missing.len() == 1 { "page" } else { "pages" },
                        missing.join(", "),
                        p.page
                    ),
                );
            }
        }
    }
    out
}

/// The concerns of a table with our verdicts; adds one `server_concern` finding per concern.
/// `tables_on_page` counts the page's table items besides merge stubs; `labels` are the
/// table's header labels, to find the column a concern names.
pub(crate) fn concerns(
    item: &Item,
    page: u32,
    tables_on_page: usize,
    labels: &[String],
    out: &mut Findings,
) -> Vec<ServerConcern> {
    let mut verdicts = Vec::new();
    for concern in item.concerns() {
        let kind = concern.kind();
        let details = concern.details();
        // The label is the surer guide: real details count columns from 0, some from 1.
        let column = details.and_then(|d| {
            named_label(d)
                .and_then(|l| labels.iter().position(|x| x.trim() == l.trim()))
                .or_else(|| named_column(d))
        });
        let fired = |checks: &[Check]| -> Option<String> {
            out.list
                .iter()
                .find(|f| {
                    checks.contains(&f.check)
                        && (column.is_none() || f.column.is_none() || f.column == column)
                })
                .map(|f| match f.column {
                    Some(c) => format!("{} at column {c}", f.check),
                    None => f.check.to_string(),
                })
        };
        let ours: Option<&[Check]> = match kind {
            "header_value_type_mismatch" => {
                Some(&[Check::HeaderValueMismatch, Check::TextInNumericColumn])
            }
            "inconsistent_row_cell_count" => Some(&[Check::RaggedRows]),
            "layout_lvm_disagreement" => Some(&[Check::LayoutNotTable, Check::ChartTranscription]),
            "possible_merged_columns" => Some(&[Check::TwoNumbersInCell, Check::ShiftedRow]),
            _ => None,
        };
        let (confirmation, evidence) = if kind == "multi_table_page" {
            let evidence = Some(format!(
                "{} on page {page}",
                counted(tables_on_page, "table", "tables")
            ));
            if tables_on_page >= 2 {
                (Confirmation::Confirmed, evidence)
            } else {
                (Confirmation::NotConfirmed, evidence)
            }
        } else if let Some(checks) = ours {
            match fired(checks) {
                Some(e) => (Confirmation::Confirmed, Some(e)),
                None => (
                    Confirmation::NotConfirmed,
                    Some(format!(
                        "{} did not fire",
                        checks
                            .iter()
                            .map(|c| c.id())
                            .collect::<Vec<_>>()
                            .join(" / ")
                    )),
                ),
            }
        } else {
            (Confirmation::Unchecked, None)
        };
        verdicts.push(ServerConcern {
            kind: kind.to_owned(),
            details: details.map(str::to_owned),
            confirmation,
            evidence,
        });
    }
    for v in &verdicts {
        let verdict = match (v.confirmation, &v.evidence) {
            (Confirmation::Confirmed, Some(e)) => format!("confirmed by {e}"),
            (Confirmation::NotConfirmed, Some(e)) => format!("not confirmed: {e}"),
            (Confirmation::Unchecked, _) => "unchecked: no matching check".into(),
            (_, None) => String::new(),
        };
        let details = v
            .details
            .as_deref()
            .map_or(String::new(), |d| format!(" ({})", shorten(d, 100)));
        out.add(
            Check::ServerConcern,
            format!("server: {}{details}; {verdict}", v.kind),
        );
    }
    verdicts
}

/// The 0-based column a concern's details name (`col 1 'QTY' expects numeric…`).
fn named_column(details: &str) -> Option<usize> {
    let i = details.find("col ")?;
    let digits: String = details[i + 4..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// The column label a concern's details quote after `col N` (`'QTY'`).
fn named_label(details: &str) -> Option<&str> {
    let i = details.find("col ")?;
    let rest = &details[i..];
    let open = rest.find('\'')?;
    let close = rest[open + 1..].find("' ")?;
    Some(&rest[open + 1..open + 1 + close])
}

/// At most `max` characters, with `…` when cut.
pub(crate) fn shorten(s: &str, max: usize) -> String {
    let s = s.trim();
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(max).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_named_in_details() {
        assert_eq!(
            named_column("col 1 'QTY' expects numeric, got '4 (PCS)' in row 1"),
            Some(1)
        );
        assert_eq!(named_column("2 tables on page"), None);
        assert_eq!(
            named_label("col 2 'Price (€/L)' expects numeric, got 'tbc' in row 3"),
            Some("Price (€/L)")
        );
        assert_eq!(named_label("row 1 has 24 cols, expected 25"), None);
    }
}
