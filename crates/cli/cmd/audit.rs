//! `pagetree audit`: per document and in total, the pages that came back failed, empty or
//! broken, and the re-parse plan; `--fail-on` turns issues into exit code 1 for CI.

use std::io::Write;

use anyhow::{Context, Result};
use pagetree_convert::QualityOptions;
use pagetree_convert::audit::{
    AuditOptions, DocumentAudit, examine, render_text, render_totals, totals, write_csv,
};
use pagetree_model::Loaded;
use rayon::prelude::*;

use crate::Outcome;
use crate::args::{AuditArgs, AuditFormat};
use crate::input::read_inputs;
use crate::output::write_atomic;

/// Runs the command.
pub fn run(args: &AuditArgs) -> Result<Outcome> {
    let mut opts = AuditOptions::default();
    if !args.plan_for.is_empty() {
        opts.plan = args.plan_for.clone();
    }
    if !(args.low_text.is_finite() && (0.0..=1.0).contains(&args.low_text)) {
        anyhow::bail!("--low-text must be between 0 and 1, got {}", args.low_text);
    }
    opts.low_text_ratio = args.low_text;
    let quality_opts = QualityOptions::default();
    // Audit in parallel (the quality report is most of the work); report in input order.
    let results: Vec<Result<DocumentAudit>> = read_inputs(&args.inputs)
        .into_par_iter()
        .map(|(name, r)| {
            let doc = match r? {
                Loaded::Document(d) => *d,
                other => anyhow::bail!(
                    "{name}: this is {} body, not a parse result; nothing to audit",
                    other.format().with_article()
                ),
            };
            let q = pagetree_convert::quality::assess(&doc, &quality_opts);
            Ok(examine(&doc, &q, &opts))
        })
        .collect();
    let mut failed = 0usize;
    let mut audits = Vec::new();
    for r in results {
        match r {
            Ok(a) => audits.push(a),
            Err(e) => {
                failed += 1;
                eprintln!("error: {e:#}");
            }
        }
    }
    let total = totals(&audits);
    let mut out = Vec::new();
    match args.format {
        AuditFormat::Text => {
            for a in &audits {
                out.extend_from_slice(render_text(a).as_bytes());
                out.push(b'\n');
            }
            out.extend_from_slice(render_totals(&total).as_bytes());
        }
        AuditFormat::Json => {
            for a in &audits {
                serde_json::to_writer(&mut out, a)?;
                out.push(b'\n');
            }
            serde_json::to_writer(&mut out, &total)?;
            out.push(b'\n');
        }
        AuditFormat::Csv => write_csv(&audits, &mut out)?,
    }
    match &args.output {
        Some(path) => {
            write_atomic(path, &out).with_context(|| format!("cannot write {}", path.display()))?
        }
        None => {
            let mut o = std::io::stdout().lock();
            o.write_all(&out)?;
            o.flush()?;
        }
    }
    let mut tripped = 0usize;
    for a in &audits {
        for issue in &args.fail_on {
            let n = a.issues.iter().filter(|i| i.issue == *issue).count();
            if n > 0 {
                tripped += 1;
                eprintln!("fail: {}: {n} {} (--fail-on)", a.input, issue.as_str());
            }
        }
    }
    Ok(if failed > 0 || tripped > 0 {
        Outcome::Partial
    } else {
        Outcome::Ok
    })
}
