//! The score of a table, its grade and its status, from its findings.
//!
//! **Formula.** Every check that fired costs its severity's penalty ([`ERROR_PENALTY`] 30,
//! [`WARNING_PENALTY`] 10, [`INFO_PENALTY`] 2) for its first finding, and half that for its
//! second and third; further findings of the same check cost nothing (one broken column should
//! not sink a table twenty times). The score is `100 − Σ penalties`, floored at 0.
//!
//! **Grade.** `A` 90–100, `B` 75–89, `C` 60–74, `D` 40–59, `F` under 40.
//!
//! **Status.** `merged_stub` for the empty stubs a cross-page merge leaves (no score);
//! `unusable` when the score is under [`UNUSABLE_BELOW`] or the table has no cells;
//! `review` when any error or warning fired; `ok` otherwise (info findings at most).

use std::collections::BTreeMap;

use super::checks::{Check, Severity};
use super::report::{Finding, Status};

/// Penalty of a check's first error finding.
pub const ERROR_PENALTY: u32 = 30;
/// Penalty of a check's first warning finding.
pub const WARNING_PENALTY: u32 = 10;
/// Penalty of a check's first info finding.
pub const INFO_PENALTY: u32 = 2;
/// Scores under this make a table `unusable`.
pub const UNUSABLE_BELOW: u8 = 40;

fn penalty(severity: Severity) -> u32 {
    match severity {
        Severity::Error => ERROR_PENALTY,
        Severity::Warning => WARNING_PENALTY,
        Severity::Info => INFO_PENALTY,
    }
}

/// The 0-100 score of a table with these findings (see the module docs).
pub fn score(findings: &[Finding]) -> u8 {
    // A finding may be milder than its check (a form's `layout_not_table`): the most severe
    // finding of a check sets its penalty.
    let mut per_check: BTreeMap<Check, (u32, Severity)> = BTreeMap::new();
    for f in findings {
        let e = per_check.entry(f.check).or_insert((0, f.severity));
        e.0 += 1;
        e.1 = e.1.min(f.severity);
    }
    let total: u32 = per_check
        .values()
        .map(|&(n, severity)| {
            let base = penalty(severity);
            base + base / 2 * (n - 1).min(2)
        })
        .sum();
    100u32.saturating_sub(total) as u8
}

/// `A` (90+), `B` (75+), `C` (60+), `D` (40+) or `F`.
pub fn grade(score: u8) -> &'static str {
    match score {
        90.. => "A",
        75.. => "B",
        60.. => "C",
        40.. => "D",
        _ => "F",
    }
}

/// The status of a (non-stub) table.
pub fn status(score: u8, findings: &[Finding]) -> Status {
    if score < UNUSABLE_BELOW || findings.iter().any(|f| f.check == Check::EmptyTable) {
        Status::Unusable
    } else if findings.iter().any(|f| f.severity != Severity::Info) {
        Status::Review
    } else {
        Status::Ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(check: Check) -> Finding {
        Finding {
            check,
            severity: check.severity(),
            row: None,
            column: None,
            source: None,
            message: String::new(),
            cells: Vec::new(),
        }
    }

    #[test]
    fn formula() {
        assert_eq!(score(&[]), 100);
        assert_eq!(score(&[finding(Check::TotalMismatch)]), 70);
        // 10 + 5 + 5, the fourth is free.
        let four = vec![finding(Check::TextInNumericColumn); 4];
        assert_eq!(score(&four), 80);
        assert_eq!(
            score(&[finding(Check::UnitRow), finding(Check::TitleRow)]),
            88
        );
        let many: Vec<Finding> = [
            Check::TotalMismatch,
            Check::EmptyTable,
            Check::OrphanMergeStub,
            Check::TitleRow,
        ]
        .into_iter()
        .map(finding)
        .collect();
        assert_eq!(score(&many), 0);
    }

    #[test]
    fn grades_and_statuses() {
        assert_eq!(
            [100, 90, 89, 75, 74, 60, 59, 40, 39, 0].map(grade),
            ["A", "A", "B", "B", "C", "C", "D", "D", "F", "F"]
        );
        assert_eq!(status(98, &[finding(Check::UnitRow)]), Status::Ok);
        assert_eq!(status(90, &[finding(Check::TitleRow)]), Status::Review);
        assert_eq!(status(39, &[finding(Check::TitleRow)]), Status::Unusable);
        assert_eq!(status(70, &[finding(Check::EmptyTable)]), Status::Unusable);
    }
}
