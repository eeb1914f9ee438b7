//! The report for people: a text overview (a table of tables, worst first, then the findings of
//! each table in reading order), and the same as markdown.

use std::fmt::Write;

use super::checks::Check;
use super::report::{Finding, QualityReport, Status, TableReport};

/// The report as plain text.
pub fn render_text(report: &QualityReport) -> String {
    let mut o = String::new();
    let s = &report.summary;
    let _ = writeln!(o, "{}", report.input);
    let _ = writeln!(o, "  tables    {}", headline(report));
    let _ = writeln!(o, "  status    {}", statuses(report));
    let _ = writeln!(o, "  grades    {}", grades(report));
    if !s.checks.is_empty() {
        let _ = writeln!(
            o,
            "  checks    {}",
            checks_fired(report, |id| id.to_owned())
        );
    }
    if !s.parse_concerns.is_empty() {
        let _ = writeln!(o, "  concerns  {}", concerns(report, |k| k.to_owned()));
    }
    if !report.failed_pages.is_empty() {
        let _ = writeln!(
            o,
            "  failed    pages {} (their tables are missing)",
            join_pages(&report.failed_pages)
        );
    }
    if report.tables.is_empty() {
        return o;
    }
    let _ = writeln!(o);
    let rows: Vec<[String; 6]> = overview(report)
        .into_iter()
        .map(|t| {
            [
                t.id.clone(),
                t.page.to_string(),
                shape(t),
                score(t),
                t.status.as_str().to_owned(),
                top_finding(t, 72),
            ]
        })
        .collect();
    let head = ["table", "page", "shape", "score", "status", "top finding"].map(String::from);
    let mut widths = [0usize; 6];
    for row in std::iter::once(&head).chain(&rows) {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    for row in std::iter::once(&head).chain(&rows) {
        let mut line = String::from("  ");
        for (i, (cell, w)) in row.iter().zip(widths).enumerate() {
            if i == 5 {
                line.push_str(cell);
            } else {
                let pad = w - cell.chars().count();
                line.push_str(cell);
                line.push_str(&" ".repeat(pad + 2));
            }
        }
        let _ = writeln!(o, "{}", line.trim_end());
    }
    for t in report.tables.iter().filter(|t| !t.findings.is_empty()) {
        let _ = writeln!(o);
        let _ = writeln!(o, "{}", table_title(t));
        let locs: Vec<String> = t.findings.iter().map(location).collect();
        let wc = t
            .findings
            .iter()
            .map(|f| f.check.id().len())
            .max()
            .unwrap_or(0);
        let wl = locs.iter().map(|l| l.chars().count()).max().unwrap_or(0);
        for (f, loc) in t.findings.iter().zip(&locs) {
            let line = format!(
                "  {:<7}  {:<wc$}  {:<wl$}  {}",
                f.severity.as_str(),
                f.check.id(),
                loc,
                f.message
            );
            let _ = writeln!(o, "{}", line.trim_end());
        }
    }
    o
}

/// The report as markdown.
pub fn render_markdown(report: &QualityReport) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "## Table quality: `{}`", report.input);
    let _ = writeln!(o);
    let _ = writeln!(o, "- **Tables:** {}", headline(report));
    let _ = writeln!(o, "- **Status:** {}", statuses(report));
    let _ = writeln!(o, "- **Grades:** {}", grades(report));
    if !report.summary.checks.is_empty() {
        let _ = writeln!(
            o,
            "- **Checks fired** (tables): {}",
            checks_fired(report, |id| format!("`{id}`"))
        );
    }
    if !report.summary.parse_concerns.is_empty() {
        let _ = writeln!(
            o,
            "- **Server concerns** (confirmed/total): {}",
            concerns(report, |k| format!("`{k}`"))
        );
    }
    if !report.failed_pages.is_empty() {
        let _ = writeln!(
            o,
            "- **Failed pages:** {} (their tables are missing)",
            join_pages(&report.failed_pages)
        );
    }
    if report.tables.is_empty() {
        return o;
    }
    let _ = writeln!(o);
    let _ = writeln!(o, "| table | page | shape | score | status | top finding |");
    let _ = writeln!(o, "|---|---:|---|---:|---|---|");
    for t in overview(report) {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} |",
            t.id,
            t.page,
            shape(t),
            score(t),
            t.status.as_str(),
            md_cell(&top_finding(t, 100))
        );
    }
    for t in report.tables.iter().filter(|t| !t.findings.is_empty()) {
        let _ = writeln!(o);
        let _ = writeln!(o, "### {}", table_title(t));
        let _ = writeln!(o);
        let _ = writeln!(o, "| severity | check | where | message |");
        let _ = writeln!(o, "|---|---|---|---|");
        for f in &t.findings {
            let _ = writeln!(
                o,
                "| {} | `{}` | {} | {} |",
                f.severity.as_str(),
                f.check.id(),
                location(f),
                md_cell(&f.message)
            );
        }
    }
    o
}

fn headline(r: &QualityReport) -> String {
    let s = &r.summary;
    let mut line = format!("{} ({} scored)", s.tables, s.scored);
    if let (Some(mean), Some(min)) = (s.mean_score, s.min_score) {
        let _ = write!(line, ", mean score {mean}, lowest {min}");
    }
    line
}

/// Tables per status in report order; `merged_stub` only when there are stubs.
fn statuses(r: &QualityReport) -> String {
    Status::ALL
        .iter()
        .map(|s| (s, r.summary.statuses.get(s.as_str()).copied().unwrap_or(0)))
        .filter(|&(s, n)| n > 0 || *s != Status::MergedStub)
        .map(|(s, n)| format!("{} {n}", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn grades(r: &QualityReport) -> String {
    r.summary
        .grades
        .iter()
        .map(|(k, n)| format!("{k} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Checks that fired with their table counts, in report order (by family).
fn checks_fired(r: &QualityReport, name: impl Fn(&str) -> String) -> String {
    Check::ALL
        .iter()
        .filter_map(|c| {
            r.summary
                .checks
                .get(c.id())
                .map(|n| format!("{} {}", name(c.id()), n.tables))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn concerns(r: &QualityReport, name: impl Fn(&str) -> String) -> String {
    r.summary
        .parse_concerns
        .iter()
        .map(|(k, t)| {
            let mut s = format!("{} {}/{} confirmed", name(k), t.confirmed, t.total);
            if t.unchecked > 0 {
                let _ = write!(s, " ({} unchecked)", t.unchecked);
            }
            s
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Scored tables worst first (reading order among equals), then merge stubs.
fn overview(r: &QualityReport) -> Vec<&TableReport> {
    let mut v: Vec<&TableReport> = r.tables.iter().collect();
    v.sort_by_key(|t| t.score.map_or(u16::MAX, u16::from));
    v
}

fn shape(t: &TableReport) -> String {
    format!("{}×{}", t.shape[0], t.shape[1])
}

fn score(t: &TableReport) -> String {
    match (t.score, t.grade) {
        (Some(s), Some(g)) => format!("{s} {g}"),
        _ => "-".into(),
    }
}

fn top_finding(t: &TableReport, max: usize) -> String {
    t.findings.first().map_or("-".into(), |f| {
        shorten(&format!("{}: {}", f.check, f.message), max)
    })
}

fn table_title(t: &TableReport) -> String {
    let mut s = format!("{}  page {}", t.id, t.page);
    if let Some(src) = t.source {
        let _ = write!(s, ", {} from {src}", shape(t));
    }
    match (t.score, t.grade) {
        (Some(sc), Some(g)) => {
            let _ = write!(s, ", score {sc} ({g}), {}", t.status.as_str());
        }
        _ => {
            let _ = write!(s, ", {}", t.status.as_str());
        }
    }
    if t.furniture {
        s.push_str(", in a page header/footer");
    }
    s
}

/// `html r3 c1`, `r3`, `c1` or `-`.
fn location(f: &Finding) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(s) = f.source {
        parts.push(s.to_string());
    }
    if let Some(r) = f.row {
        parts.push(format!("r{r}"));
    }
    if let Some(c) = f.column {
        parts.push(format!("c{c}"));
    }
    if parts.is_empty() {
        "-".into()
    } else {
        parts.join(" ")
    }
}

fn join_pages(pages: &[u32]) -> String {
    pages
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// One line, at most `max` characters.
fn shorten(s: &str, max: usize) -> String {
    let one_line: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= max {
        return one_line;
    }
    let mut out: String = one_line.chars().take(max - 1).collect();
    out.push('…');
    out
}

/// Text safe inside a markdown table cell.
fn md_cell(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('<', "&lt;")
}
