//! The audit: which pages of a parse result came back failed, empty, as placeholder text, far
//! below the document's usual amount of text, with unusable tables or with useless boxes, and
//! which pages are worth parsing again (as the API's `target_pages` string).

use std::collections::BTreeMap;
use std::io::{self, Write};

use pagetree_model::{BoxProblem, Document, ItemKind};
use serde::Serialize;

use crate::quality::{QualityReport, Status};

/// Schema name of the audit report.
pub const AUDIT_SCHEMA: &str = "pagetree.audit";
/// Version of the audit report schema.
pub const AUDIT_SCHEMA_VERSION: u32 = 1;

/// What is wrong with a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Issue {
    /// The server marked the page failed.
    FailedPage,
    /// No content at all (or only page headers and footers).
    EmptyPage,
    /// Only the server's placeholder (`NO_CONTENT_HERE`) or the model's "the input is empty"
    /// style answer.
    Placeholder,
    /// Far less text than the document's median page.
    LowText,
    /// A table the quality report calls `unusable`.
    UnusableTable,
    /// Every box on the page is missing or covers nearly the whole page.
    BadBoxes,
}

impl Issue {
    /// Every issue, in report order.
    pub const ALL: [Issue; 6] = [
        Issue::FailedPage,
        Issue::EmptyPage,
        Issue::Placeholder,
        Issue::LowText,
        Issue::UnusableTable,
        Issue::BadBoxes,
    ];

    /// The snake_case name used in reports and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Issue::FailedPage => "failed_page",
            Issue::EmptyPage => "empty_page",
            Issue::Placeholder => "placeholder",
            Issue::LowText => "low_text",
            Issue::UnusableTable => "unusable_table",
            Issue::BadBoxes => "bad_boxes",
        }
    }

    /// Reads a name; `-` and `_` are interchangeable and a trailing `s` is allowed
    /// (`failed-pages`).
    pub fn from_name(s: &str) -> Option<Issue> {
        let n = s.trim().to_ascii_lowercase().replace('-', "_");
        let singular = n.strip_suffix('s').unwrap_or(&n);
        Issue::ALL
            .into_iter()
            .find(|i| i.as_str() == n || i.as_str() == singular)
    }
}

/// Options of [`examine`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct AuditOptions {
    /// A page with less than this share of the median page's text is `low_text`. Default 0.1.
    pub low_text_ratio: f64,
    /// The low-text check runs only when the median page has at least this many
    /// non-whitespace characters (a slide deck or a form has little text on every page).
    /// Default 200.
    pub min_median_chars: usize,
    /// Placeholder answers are looked for only in pages with at most this many
    /// non-whitespace characters. Default 300.
    pub max_placeholder_chars: usize,
    /// The issues that put a page in the re-parse plan. Default: every issue but
    /// [`Issue::BadBoxes`] (boxes matter only to users of coordinates, and layout fallbacks
    /// are common on pages whose text is fine).
    pub plan: Vec<Issue>,
}

impl Default for AuditOptions {
    fn default() -> Self {
        AuditOptions {
            low_text_ratio: 0.1,
            min_median_chars: 200,
            max_placeholder_chars: 300,
            plan: Issue::ALL
                .into_iter()
                .filter(|i| *i != Issue::BadBoxes)
                .collect(),
        }
    }
}

/// The audit of one document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocumentAudit {
    /// `pagetree.audit`.
    pub schema: &'static str,
    /// [`AUDIT_SCHEMA_VERSION`].
    pub version: u32,
    /// The input's name.
    pub input: String,
    /// The parse job id, when the response names it.
    pub job_id: Option<String>,
    /// Number of pages.
    pub pages: usize,
    /// Non-whitespace characters of the median page that did not fail.
    pub median_chars: usize,
    /// Every issue found, by page then issue.
    pub issues: Vec<PageIssue>,
    /// Issues by name, every issue listed.
    pub counts: BTreeMap<&'static str, usize>,
    /// The pages worth parsing again.
    pub plan: Plan,
}

/// One issue on one page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PageIssue {
    /// Page number (1-based, as in the response).
    pub page: u32,
    /// What is wrong.
    pub issue: Issue,
    /// In words, with the evidence (the error, the text found, the table ids).
    pub detail: String,
}

/// The pages to parse again.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    /// Page numbers, 1-based as in the response.
    pub pages: Vec<u32>,
    /// The same pages as the API's `target_pages` parameter: comma-separated, zero-based
    /// (the first page is 0), runs written as ranges (`"2,6-8"`).
    pub target_pages: String,
    /// Share of the document's pages, 0..1.
    pub share: f64,
}

/// Audits one document; `quality` is its quality report (the source of `unusable` tables).
pub fn examine(doc: &Document, quality: &QualityReport, opts: &AuditOptions) -> DocumentAudit {
    let walk = doc.walk();
    let mut issues = Vec::new();
    let has_boxes = walk.iter().any(|w| !w.item.boxes().is_empty());
    // Per page: the text of its content items, and its boxes, in one pass over the walk.
    let mut text: BTreeMap<u32, String> = BTreeMap::new();
    let mut images: BTreeMap<u32, usize> = BTreeMap::new();
    let mut items: BTreeMap<u32, usize> = BTreeMap::new();
    let mut boxes: BTreeMap<u32, (usize, usize)> = BTreeMap::new();
    for w in &walk {
        if w.furniture {
            continue;
        }
        *items.entry(w.page).or_default() += 1;
        if w.item.kind() == ItemKind::Image {
            *images.entry(w.page).or_default() += 1;
        }
        if w.item.children().is_empty() {
            let t = text.entry(w.page).or_default();
            t.push_str(w.item.plain_text());
            t.push('\n');
        }
        let size = doc.page(w.page).and_then(|p| p.size());
        let b = boxes.entry(w.page).or_default();
        for bx in w.item.boxes() {
            b.0 += 1;
            let p = bx.problems(size);
            if p.contains(&BoxProblem::NullCoordinate) || p.contains(&BoxProblem::NearFullPage) {
                b.1 += 1;
            }
        }
    }
    let content: Vec<(u32, String)> = doc
        .pages()
        .filter(|p| !p.is_failed())
        .map(|p| {
            let n = p.number();
            // Items first; a page without items (a markdown- or text-only response) is judged
            // by the server's markdown, then its text.
            let t = match text.get(&n) {
                Some(t) if items.get(&n).is_some_and(|c| *c > 0) => t.clone(),
                _ => p
                    .server_markdown()
                    .filter(|m| !m.trim().is_empty())
                    .or_else(|| p.text())
                    .unwrap_or_default()
                    .to_owned(),
            };
            (n, t)
        })
        .collect();
    let chars: Vec<usize> = content.iter().map(|(_, t)| visible_chars(t)).collect();
    let median_chars = median(&chars);
    for p in doc.failed_pages() {
        issues.push(PageIssue {
            page: p.number(),
            issue: Issue::FailedPage,
            detail: one_line(p.error().unwrap_or("page failed"), 200),
        });
    }
    for ((page, t), &n) in content.iter().zip(&chars) {
        if n == 0 {
            let what = if walk.iter().any(|w| w.page == *page) {
                "only page headers or footers"
            } else {
                "no items and no text"
            };
            issues.push(PageIssue {
                page: *page,
                issue: Issue::EmptyPage,
                detail: what.into(),
            });
        } else if n <= opts.max_placeholder_chars && is_placeholder(t) {
            issues.push(PageIssue {
                page: *page,
                issue: Issue::Placeholder,
                detail: format!("\"{}\"", one_line(t, 120)),
            });
        } else if median_chars >= opts.min_median_chars
            && (n as f64) < opts.low_text_ratio * median_chars as f64
        {
            let figures = images.get(page).copied().unwrap_or(0);
            let note = if figures > 0 {
                format!(
                    "; the page has {}: it may be a figure page",
                    crate::counted(figures, "image", "images")
                )
            } else {
                String::new()
            };
            issues.push(PageIssue {
                page: *page,
                issue: Issue::LowText,
                detail: format!("{n} characters, the median page has {median_chars}{note}"),
            });
        }
    }
    let mut unusable: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    for t in quality
        .tables
        .iter()
        .filter(|t| t.status == Status::Unusable)
    {
        let why = t
            .findings
            .first()
            .map(|f| format!("{} ({})", t.id, f.check.id()))
            .unwrap_or_else(|| t.id.clone());
        unusable.entry(t.page).or_default().push(why);
    }
    for (page, ids) in unusable {
        issues.push(PageIssue {
            page,
            issue: Issue::UnusableTable,
            detail: ids.join(", "),
        });
    }
    if has_boxes {
        for (page, n) in &items {
            let (all, bad) = boxes.get(page).copied().unwrap_or((0, 0));
            if doc.page(*page).is_some_and(|p| p.is_failed()) {
                continue;
            }
            if all == 0 {
                issues.push(PageIssue {
                    page: *page,
                    issue: Issue::BadBoxes,
                    detail: if *n == 1 {
                        "its one item has no box".to_owned()
                    } else {
                        format!("none of its {n} items has a box")
                    },
                });
            } else if bad == all {
                issues.push(PageIssue {
                    page: *page,
                    issue: Issue::BadBoxes,
                    detail: format!("all {all} box(es) missing or near full page"),
                });
            }
        }
    }
    issues.sort_by_key(|i| (i.page, i.issue));
    let mut counts: BTreeMap<&'static str, usize> =
        Issue::ALL.iter().map(|i| (i.as_str(), 0)).collect();
    for i in &issues {
        *counts.entry(i.issue.as_str()).or_default() += 1;
    }
    let mut planned: Vec<u32> = issues
        .iter()
        .filter(|i| opts.plan.contains(&i.issue))
        .map(|i| i.page)
        .collect();
    planned.dedup();
    let pages = doc.pages.len();
    DocumentAudit {
        schema: AUDIT_SCHEMA,
        version: AUDIT_SCHEMA_VERSION,
        input: doc.name().to_owned(),
        job_id: doc.response.job.as_ref().and_then(|j| j.id.clone()),
        pages,
        median_chars,
        counts,
        plan: Plan {
            target_pages: target_pages(&planned),
            share: if pages == 0 {
                0.0
            } else {
                round3(planned.len() as f64 / pages as f64)
            },
            pages: planned,
        },
        issues,
    }
}

fn round3(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

/// Non-whitespace characters, the measure of "how much text".
fn visible_chars(s: &str) -> usize {
    s.chars().filter(|c| !c.is_whitespace()).count()
}

fn median(v: &[usize]) -> usize {
    if v.is_empty() {
        return 0;
    }
    let mut s = v.to_vec();
    s.sort_unstable();
    s[s.len() / 2]
}

fn one_line(s: &str, max: usize) -> String {
    let joined = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if joined.chars().count() <= max {
        return joined;
    }
    let cut: String = joined.chars().take(max).collect();
    format!("{cut}…")
}

/// Whether a short page's text is a placeholder rather than content: the server's
/// `NO_CONTENT_HERE`, or a model's answer that the input was empty, blank or missing.
fn is_placeholder(text: &str) -> bool {
    let t = text.to_lowercase();
    let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
    if t.contains("no_content_here") || t.contains("no content here") {
        return true;
    }
    const SUBJECTS: [&str; 8] = [
        "provided", "input", "image", "document", "page", "given", "attached", "uploaded",
    ];
    const VERDICTS: [&str; 14] = [
        "is empty",
        "is missing",
        "is blank",
        "are empty",
        "are missing",
        "appears to be empty",
        "appears to be blank",
        "seems to be empty",
        "no content",
        "no text",
        "does not contain any",
        "doesn't contain any",
        "i'm sorry",
        "i am sorry",
    ];
    SUBJECTS.iter().any(|s| t.contains(s)) && VERDICTS.iter().any(|v| t.contains(v))
}

/// 1-based page numbers as the API's zero-based `target_pages` string, runs as ranges.
pub fn target_pages(pages: &[u32]) -> String {
    let mut zero: Vec<u32> = pages.iter().filter(|p| **p > 0).map(|p| p - 1).collect();
    zero.sort_unstable();
    zero.dedup();
    let mut parts = Vec::new();
    for run in zero.chunk_by(|a, b| b - a == 1) {
        match run {
            [one] => parts.push(one.to_string()),
            [first, .., last] => parts.push(format!("{first}-{last}")),
            [] => {}
        }
    }
    parts.join(",")
}

/// Figures over every audited document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditTotals {
    /// `pagetree.audit.totals`.
    pub schema: &'static str,
    /// [`AUDIT_SCHEMA_VERSION`].
    pub version: u32,
    /// Documents audited.
    pub documents: usize,
    /// Their pages.
    pub pages: usize,
    /// Documents with at least one page in the plan.
    pub documents_to_reparse: usize,
    /// Pages in the plans.
    pub pages_to_reparse: usize,
    /// Share of all pages, 0..1.
    pub share: f64,
    /// Issues by name, every issue listed.
    pub counts: BTreeMap<&'static str, usize>,
}

/// Sums the audits.
pub fn totals(audits: &[DocumentAudit]) -> AuditTotals {
    let mut counts: BTreeMap<&'static str, usize> =
        Issue::ALL.iter().map(|i| (i.as_str(), 0)).collect();
    for a in audits {
        for (k, v) in &a.counts {
            *counts.entry(k).or_default() += v;
        }
    }
    let pages: usize = audits.iter().map(|a| a.pages).sum();
    let planned: usize = audits.iter().map(|a| a.plan.pages.len()).sum();
    AuditTotals {
        schema: "pagetree.audit.totals",
        version: AUDIT_SCHEMA_VERSION,
        documents: audits.len(),
        pages,
        documents_to_reparse: audits.iter().filter(|a| !a.plan.pages.is_empty()).count(),
        pages_to_reparse: planned,
        share: if pages == 0 {
            0.0
        } else {
            round3(planned as f64 / pages as f64)
        },
        counts,
    }
}

fn counts_line(counts: &BTreeMap<&'static str, usize>) -> String {
    let parts: Vec<String> = Issue::ALL
        .iter()
        .filter_map(|i| {
            let n = counts.get(i.as_str()).copied().unwrap_or(0);
            (n > 0).then(|| format!("{} {n}", i.as_str()))
        })
        .collect();
    if parts.is_empty() {
        "no issues".into()
    } else {
        parts.join(", ")
    }
}

/// One document's audit as readable text.
pub fn render_text(a: &DocumentAudit) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}{}",
        a.input,
        a.job_id
            .as_deref()
            .map(|j| format!(" (job {j})"))
            .unwrap_or_default()
    );
    let _ = writeln!(
        out,
        "  pages      {} (median page {} characters); {}",
        a.pages,
        a.median_chars,
        counts_line(&a.counts)
    );
    for i in &a.issues {
        let _ = writeln!(
            out,
            "  page {:<5} {:<15} {}",
            i.page,
            i.issue.as_str(),
            i.detail
        );
    }
    if a.plan.pages.is_empty() {
        let _ = writeln!(out, "  re-parse   nothing");
    } else {
        let _ = writeln!(
            out,
            "  re-parse   {} of {} ({:.1}%): target_pages=\"{}\" (zero-based)",
            a.plan.pages.len(),
            crate::counted(a.pages, "page", "pages"),
            a.plan.share * 100.0,
            a.plan.target_pages
        );
    }
    out
}

/// The totals as readable text.
pub fn render_totals(t: &AuditTotals) -> String {
    format!(
        "total: {}, {}; {}; re-parse {} in {} ({:.1}% of pages)\n",
        crate::counted(t.documents, "document", "documents"),
        crate::counted(t.pages, "page", "pages"),
        counts_line(&t.counts),
        crate::counted(t.pages_to_reparse, "page", "pages"),
        crate::counted(t.documents_to_reparse, "document", "documents"),
        t.share * 100.0
    )
}

/// Writes the issues as CSV, one row per issue: `input, job_id, page, issue, detail,
/// in_plan`, then one `plan` row per document with pages to parse again (`page` empty,
/// `detail` its `target_pages`).
pub fn write_csv<W: Write>(audits: &[DocumentAudit], out: W) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(["input", "job_id", "page", "issue", "detail", "in_plan"])
        .map_err(io::Error::other)?;
    for a in audits {
        let job = a.job_id.as_deref().unwrap_or("");
        for i in &a.issues {
            let planned = a.plan.pages.binary_search(&i.page).is_ok();
            w.write_record([
                a.input.as_str(),
                job,
                &i.page.to_string(),
                i.issue.as_str(),
                &i.detail,
                if planned { "true" } else { "false" },
            ])
            .map_err(io::Error::other)?;
        }
        if !a.plan.pages.is_empty() {
            w.write_record([
                a.input.as_str(),
                job,
                "",
                "plan",
                &a.plan.target_pages,
                "true",
            ])
            .map_err(io::Error::other)?;
        }
    }
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_pages_are_zero_based_runs() {
        assert_eq!(target_pages(&[4, 8, 9, 10, 1]), "0,3,7-9");
        assert_eq!(target_pages(&[]), "");
        assert_eq!(target_pages(&[2, 3]), "1-2");
    }

    #[test]
    fn placeholders_are_recognised_and_content_is_not() {
        assert!(is_placeholder("NO_CONTENT_HERE"));
        assert!(is_placeholder(
            "The provided input is empty, so there is nothing to transcribe."
        ));
        assert!(is_placeholder(
            "I'm sorry, but the image appears to be blank."
        ));
        assert!(!is_placeholder(
            "Revenue rose by 12% in the provided period."
        ));
        assert!(!is_placeholder("Page 3"));
    }

    #[test]
    fn issue_names_read_loosely() {
        assert_eq!(Issue::from_name("failed-pages"), Some(Issue::FailedPage));
        assert_eq!(
            Issue::from_name("unusable_tables"),
            Some(Issue::UnusableTable)
        );
        assert_eq!(Issue::from_name("bad-boxes"), Some(Issue::BadBoxes));
        assert_eq!(Issue::from_name("bogus"), None);
    }
}
