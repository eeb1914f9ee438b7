//! Job listings (`GET /api/v2/parse`, any number of pages) and batch item processing results
//! as one table of jobs: status counts, failures to retry, and the parse parameters that
//! differ between the items of a batch.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};

use pagetree_model::{BatchResults, JobList, JobStatus};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::Warning;

/// Schema name of the JSON report.
pub const JOBS_SCHEMA: &str = "pagetree.jobs";
/// Version of the JSON report schema.
pub const JOBS_SCHEMA_VERSION: u32 = 1;

/// One input to [`collect`].
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum JobsInput<'a> {
    /// One page of a job listing, and the file it came from.
    List(&'a str, &'a JobList),
    /// One batch item's processing results, and the file they came from.
    Batch(&'a str, &'a BatchResults),
}

/// Options of [`collect`].
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct JobsOptions {
    /// Keep only jobs with one of these statuses (upper case, as [`JobStatus::as_str`] or
    /// the raw status for others). Default: empty, every job.
    pub statuses: Vec<String>,
}

/// The jobs of every input.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JobsReport {
    /// `pagetree.jobs`.
    pub schema: &'static str,
    /// [`JOBS_SCHEMA_VERSION`].
    pub version: u32,
    /// The jobs kept by the filter, in input order.
    pub jobs: Vec<JobRow>,
    /// Jobs per status over every job read (before the filter), every status seen.
    pub counts: BTreeMap<String, usize>,
    /// Jobs read, before the filter.
    pub total: usize,
    /// The largest `total_size` a listing page gave (an estimate of all jobs).
    pub listed_total: Option<u64>,
    /// Whether a listing page points at a next page that is not among the inputs.
    pub more_pages: bool,
    /// Parse parameters whose values differ between batch items (or are missing from some).
    pub differing_parameters: Vec<String>,
    /// Parse parameters every batch item shares.
    pub common_parameters: usize,
    /// What was noticed (duplicate job ids across listing pages...), serialised as messages.
    #[serde(serialize_with = "crate::extract::messages")]
    pub warnings: Vec<Warning>,
}

/// One job.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JobRow {
    /// The file it came from.
    pub file: String,
    /// `parse` for a listing entry; the batch result's `job_type` (`parse`, `extract`,
    /// `classify`) for a batch item.
    pub kind: String,
    /// Job id (a batch result's id, when no job id is given).
    pub id: Option<String>,
    /// Display name, or the batch item's file name.
    pub name: Option<String>,
    /// Status, upper case; `UNKNOWN` when the response has none (batch parse results carry
    /// no status).
    pub status: String,
    /// Creation time.
    pub created: Option<String>,
    /// Update (or processing) time.
    pub updated: Option<String>,
    /// The pages asked for: the `target_pages` parameter, else `max N`.
    pub pages: Option<String>,
    /// Parsing tier.
    pub tier: Option<String>,
    /// Error message.
    pub error: Option<String>,
    /// The batch item's id.
    pub item_id: Option<String>,
    /// A batch item's parse parameters, as written.
    pub parameters: Option<Map<String, Value>>,
}

impl JobRow {
    /// Whether the job failed or was cancelled: worth submitting again.
    pub fn failed(&self) -> bool {
        matches!(
            JobStatus::parse(&self.status),
            JobStatus::Failed | JobStatus::Cancelled
        )
    }
}

/// Reads every job of the inputs.
pub fn collect(inputs: &[JobsInput<'_>], opts: &JobsOptions) -> JobsReport {
    let mut rows = Vec::new();
    let mut listed_total: Option<u64> = None;
    let mut next_tokens = Vec::new();
    let mut warnings = Vec::new();
    let mut seen_ids: BTreeMap<String, String> = BTreeMap::new();
    for input in inputs {
        match *input {
            JobsInput::List(file, list) => {
                if let Some(t) = list.total_size.filter(|t| t.is_finite() && *t >= 0.0) {
                    listed_total = Some(listed_total.unwrap_or(0).max(t as u64));
                }
                if let Some(t) = &list.next_page_token {
                    next_tokens.push(t.clone());
                }
                for j in list.items.as_deref().unwrap_or(&[]) {
                    if let Some(id) = &j.id {
                        // Pages fetched while jobs were added overlap; the first entry wins.
                        if let Some(first) = seen_ids.get(id) {
                            warnings.push(Warning::doc(
                                "duplicate_job",
                                format!("{file}: job {id} also listed in {first}; kept the first"),
                            ));
                            continue;
                        }
                        seen_ids.insert(id.clone(), file.to_owned());
                    }
                    rows.push(JobRow {
                        file: file.to_owned(),
                        kind: "parse".into(),
                        id: j.id.clone(),
                        name: j.name.clone(),
                        status: status_name(j.status.as_deref()),
                        created: j.created_at.clone(),
                        updated: j.updated_at.clone(),
                        pages: None,
                        tier: j.tier.clone(),
                        error: j.error_message.clone(),
                        item_id: None,
                        parameters: None,
                    });
                }
            }
            JobsInput::Batch(file, b) => {
                for r in b.processing_results.as_deref().unwrap_or(&[]) {
                    let cfg = r.job_config.as_ref();
                    let params = cfg.and_then(|c| c.parameters.clone());
                    let param = |k: &str| params.as_ref().and_then(|p| p.get(k));
                    let pages = match (param("target_pages"), param("max_pages")) {
                        (Some(Value::String(s)), _) if !s.is_empty() => Some(s.clone()),
                        (Some(Value::Array(a)), _) if !a.is_empty() => Some(
                            a.iter()
                                .map(|v| v.to_string())
                                .collect::<Vec<_>>()
                                .join(","),
                        ),
                        (_, Some(Value::Number(n))) => Some(format!("max {n}")),
                        _ => None,
                    };
                    rows.push(JobRow {
                        file: file.to_owned(),
                        kind: r.job_type.clone().unwrap_or_else(|| "parse".into()),
                        id: cfg
                            .and_then(|c| c.id.clone())
                            .or_else(|| r.result_id.clone()),
                        name: b.item_name.clone(),
                        status: status_name(cfg.and_then(|c| c.status.as_deref())),
                        created: cfg.and_then(|c| c.created_at.clone()),
                        updated: r
                            .processed_at
                            .clone()
                            .or_else(|| cfg.and_then(|c| c.updated_at.clone())),
                        pages,
                        tier: param("tier").and_then(Value::as_str).map(str::to_owned),
                        error: cfg.and_then(|c| c.error_message.clone()),
                        item_id: r.item_id.clone().or_else(|| b.item_id.clone()),
                        parameters: params,
                    });
                }
            }
        }
    }
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for r in &rows {
        *counts.entry(r.status.clone()).or_default() += 1;
    }
    let total = rows.len();
    let (differing_parameters, common_parameters) = compare_parameters(&rows);
    // A listing page whose next page is not among the inputs: the table is incomplete.
    let more_pages = !next_tokens.is_empty() && next_tokens.len() >= listing_pages(inputs);
    if !opts.statuses.is_empty() {
        rows.retain(|r| {
            opts.statuses
                .iter()
                .any(|s| s.eq_ignore_ascii_case(&r.status))
        });
    }
    JobsReport {
        schema: JOBS_SCHEMA,
        version: JOBS_SCHEMA_VERSION,
        jobs: rows,
        counts,
        total,
        listed_total,
        more_pages,
        differing_parameters,
        common_parameters,
        warnings,
    }
}

fn listing_pages(inputs: &[JobsInput<'_>]) -> usize {
    inputs
        .iter()
        .filter(|i| matches!(i, JobsInput::List(..)))
        .count()
}

/// The canonical status name (classify's `SUCCESS`/`ERROR` read as `COMPLETED`/`FAILED`);
/// statuses we do not know are kept, upper case.
fn status_name(s: Option<&str>) -> String {
    match s.map(|s| (s, JobStatus::parse(s))) {
        None => "UNKNOWN".into(),
        Some((raw, JobStatus::Other)) => raw.trim().to_ascii_uppercase(),
        Some((_, st)) => st.as_str().into(),
    }
}

/// Parameter names whose values differ between the rows that have parameters (a name some
/// rows lack differs too), and how many names all of them share with one value.
fn compare_parameters(rows: &[JobRow]) -> (Vec<String>, usize) {
    let with: Vec<&Map<String, Value>> =
        rows.iter().filter_map(|r| r.parameters.as_ref()).collect();
    if with.len() < 2 {
        return (Vec::new(), with.first().map_or(0, |p| p.len()));
    }
    let names: BTreeSet<&String> = with.iter().flat_map(|p| p.keys()).collect();
    let mut differ = Vec::new();
    let mut same = 0;
    for n in names {
        let first = with[0].get(n);
        if with.iter().all(|p| p.get(n) == first) {
            same += 1;
        } else {
            differ.push(n.clone());
        }
    }
    (differ, same)
}

/// The ids to submit again, one a line: failed or cancelled jobs (after the filter), by
/// batch item file name where there is one, else by job id.
pub fn retry_list(report: &JobsReport) -> String {
    let mut out = String::new();
    let mut seen = BTreeSet::new();
    for r in report.jobs.iter().filter(|r| r.failed()) {
        let key = if r.kind == "parse" && r.item_id.is_none() {
            r.id.as_deref()
        } else {
            r.name.as_deref().or(r.id.as_deref())
        };
        if let Some(k) = key
            && seen.insert(k)
        {
            out.push_str(k);
            out.push('\n');
        }
    }
    out
}

/// The report as a readable table, status counts, and the batch parameters that differ.
pub fn render_text(report: &JobsReport) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let header = [
        "id", "name", "status", "created", "updated", "pages", "error",
    ];
    let cells: Vec<[String; 7]> = report
        .jobs
        .iter()
        .map(|r| {
            [
                r.id.clone().unwrap_or_default(),
                r.name.clone().unwrap_or_default(),
                r.status.clone(),
                r.created.clone().unwrap_or_default(),
                r.updated.clone().unwrap_or_default(),
                r.pages.clone().unwrap_or_default(),
                r.error.as_deref().map(one_line).unwrap_or_default(),
            ]
        })
        .collect();
    let mut width = header.map(|h| h.chars().count());
    for row in &cells {
        for (w, c) in width.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |out: &mut String, row: &[String]| {
        let mut s = String::new();
        for (i, (c, w)) in row.iter().zip(width).enumerate() {
            if i + 1 == row.len() {
                s.push_str(c);
            } else {
                let _ = write!(s, "{c:<w$}  ");
            }
        }
        let _ = writeln!(out, "{}", s.trim_end());
    };
    line(&mut out, &header.map(str::to_owned));
    for row in &cells {
        line(&mut out, row);
    }
    let counts: Vec<String> = report
        .counts
        .iter()
        .map(|(s, n)| format!("{s} {n}"))
        .collect();
    let _ = write!(out, "\n{}", crate::counted(report.total, "job", "jobs"));
    if !counts.is_empty() {
        let _ = write!(out, ": {}", counts.join(", "));
    }
    if report.jobs.len() != report.total {
        let _ = write!(out, "; {} shown", report.jobs.len());
    }
    if let Some(t) = report.listed_total {
        let _ = write!(out, "; the listing reports {t} in total");
    }
    if report.more_pages {
        out.push_str("; more listing pages follow (next_page_token)");
    }
    out.push('\n');
    if !report.differing_parameters.is_empty() {
        let _ = writeln!(
            out,
            "\nparse parameters: {} the same for every item, {} differ (*):",
            report.common_parameters,
            report.differing_parameters.len()
        );
        for name in &report.differing_parameters {
            let _ = writeln!(out, "  * {name}");
            for r in report.jobs.iter().filter(|r| r.parameters.is_some()) {
                let v = r.parameters.as_ref().and_then(|p| p.get(name));
                // One item can have several results: name and id together tell them apart.
                let label: Vec<&str> = [r.name.as_deref(), r.id.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect();
                let _ = writeln!(
                    out,
                    "      {}: {}",
                    label.join(" "),
                    v.map_or_else(|| "(not set)".to_owned(), Value::to_string)
                );
            }
        }
    } else if report
        .jobs
        .iter()
        .filter(|r| r.parameters.is_some())
        .count()
        > 1
    {
        let _ = writeln!(
            out,
            "\nparse parameters: all {} the same for every item",
            report.common_parameters
        );
    }
    for w in &report.warnings {
        let _ = writeln!(out, "warning: {w}");
    }
    out
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Writes the jobs as CSV: the table's columns plus `file`, `kind`, `tier`, `item_id`, and a
/// `param.NAME` column for each parse parameter that differs between batch items.
pub fn write_csv<W: Write>(report: &JobsReport, out: W) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    let mut header: Vec<String> = [
        "file", "kind", "id", "name", "status", "created", "updated", "pages", "tier", "error",
        "item_id",
    ]
    .map(str::to_owned)
    .to_vec();
    header.extend(
        report
            .differing_parameters
            .iter()
            .map(|p| format!("param.{p}")),
    );
    w.write_record(&header).map_err(io::Error::other)?;
    for r in &report.jobs {
        let o = |v: &Option<String>| v.clone().unwrap_or_default();
        let mut rec = vec![
            r.file.clone(),
            r.kind.clone(),
            o(&r.id),
            o(&r.name),
            r.status.clone(),
            o(&r.created),
            o(&r.updated),
            o(&r.pages),
            o(&r.tier),
            o(&r.error),
            o(&r.item_id),
        ];
        for p in &report.differing_parameters {
            rec.push(
                r.parameters
                    .as_ref()
                    .and_then(|m| m.get(p))
                    .map(|v| match v {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    })
                    .unwrap_or_default(),
            );
        }
        w.write_record(&rec).map_err(io::Error::other)?;
    }
    w.flush()
}
