//! `pagetree quality`: judge every table of each input and print (or write) the report; a
//! broken input prints its located error and the others are still judged. `--fail-under` and
//! `--fail-on` turn findings into exit code 1 for CI.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use pagetree_convert::quality::{
    QualityOptions, QualityReport, assess, render_markdown, render_text,
};
use pagetree_convert::{ConvertOptions, OutFile, Outputs, Sink};
use rayon::prelude::*;

use crate::Outcome;
use crate::args::{QualityArgs, ReportFormat};
use crate::inplace::{Failed, convert_file, streams};
use crate::input::{document, read_input};
use crate::output::write_atomic;

/// Runs the command.
pub fn run(args: &QualityArgs) -> Result<Outcome> {
    let opts = QualityOptions::default();
    // Judge in parallel; print in input order.
    let results: Vec<Vec<Result<QualityReport>>> = args
        .files
        .par_iter()
        .map(|f| {
            if streams(f, args.stream)
                && let Some(r) = streamed(f, &opts)
            {
                return vec![r];
            }
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
    match &args.output {
        Some(path) => write_atomic(path, out.as_bytes())
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => {
            let mut o = std::io::stdout().lock();
            o.write_all(out.as_bytes())?;
            o.flush()?;
        }
    }
    for t in &tripped {
        eprintln!("fail: {t}");
    }
    Ok(if failed > 0 || !tripped.is_empty() {
        Outcome::Partial
    } else {
        Outcome::Ok
    })
}

/// The report of `f` read page by page (the conversion pipeline, writing the quality report
/// alone); `None` when its shape is read whole.
fn streamed(f: &Path, opts: &QualityOptions) -> Option<Result<QualityReport>> {
    let mut c = ConvertOptions::default();
    c.outputs = Outputs::none();
    c.outputs.quality = true;
    c.quality = opts.clone();
    let label = f.display().to_string();
    let r = convert_file(f, &label, &c, || Discard)?;
    Some(match r {
        Ok((stats, _)) => stats
            .quality
            .ok_or_else(|| anyhow::anyhow!("{label}: no quality report")),
        Err(Failed::Input(e)) => Err(anyhow::anyhow!("{e}")),
        Err(Failed::Output(e)) => Err(anyhow::anyhow!("{label}: {e}")),
    })
}

/// The report is taken from the conversion's statistics: its bytes are not needed.
struct Discard;

impl Sink for Discard {
    fn write(&mut self, _: &OutFile, _: &[u8]) -> std::io::Result<()> {
        Ok(())
    }
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
                    "{}: {} has {n} {check} finding(s) (--fail-on)",
                    report.input, t.id
                ));
            }
        }
    }
    v
}
