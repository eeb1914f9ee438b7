//! `pagetree quality`: judge every table of each input and print (or write) the report; a
//! broken input prints its located error and the others are still judged. `--fail-under` and
//! `--fail-on` turn findings into exit code 1 for CI.

use anyhow::Result;
use pagetree_convert::quality::{
    QualityOptions, QualityReport, assess, render_markdown, render_text,
};
use rayon::prelude::*;

use crate::Outcome;
use crate::args::{QualityArgs, ReportFormat};
use crate::input::{document, read_input};
use crate::output::emit;

/// Runs the command.
pub fn run(args: &QualityArgs) -> Result<Outcome> {
    let opts = QualityOptions::default();
    // Judge in parallel; print in input order.
    let results: Vec<Vec<Result<QualityReport>>> = args
        .files
        .par_iter()
        .map(|f| {
            read_input(f)
                .into_iter()
                .map(|(name, r)| document(&name, r).map(|doc| assess(&doc, &opts)))
                .collect()
        })
        .collect();
    let mut out = String::new();
    let mut failed = 0usize;
    let mut tripped: Vec<String> = Vec::new();
    for result in results.into_iter().flatten() {
        let report = match result {
            Ok(r) => r,
            Err(e) => {
                failed += 1;
                eprintln!("error: {e:#}");
                continue;
            }
        };
        tripped.extend(conditions(&report, args));
        match args.format {
            ReportFormat::Json => {
                out.push_str(&serde_json::to_string(&report)?);
                out.push('\n');
            }
            ReportFormat::Text | ReportFormat::Markdown => {
                if !out.is_empty() {
                    out.push('\n');
                }
                out.push_str(&match args.format {
                    ReportFormat::Markdown => render_markdown(&report),
                    _ => render_text(&report),
                });
            }
        }
    }
    emit(args.output.as_deref(), out.as_bytes())?;
    for t in &tripped {
        eprintln!("fail: {t}");
    }
    Ok(if failed > 0 || !tripped.is_empty() {
        Outcome::Partial
    } else {
        Outcome::Ok
    })
}

/// The `--fail-under` / `--fail-on` conditions this report trips, one line each.
fn conditions(report: &QualityReport, args: &QualityArgs) -> Vec<String> {
    let mut v = Vec::new();
    for t in &report.tables {
        if let (Some(min), Some(score)) = (args.fail_under, t.score)
            && score < min
        {
            v.push(format!(
                "{}: {} scores {score}, under {min} (--fail-under)",
                report.input, t.id
            ));
        }
        for check in &args.fail_on {
            let n = t.findings.iter().filter(|f| f.check == *check).count();
            if n > 0 {
                v.push(format!(
                    "{}: {} has {n} {check} finding{} (--fail-on)",
                    report.input,
                    t.id,
                    if n == 1 { "" } else { "s" }
                ));
            }
        }
    }
    v
}
