//! `pagetree audit`: per document and in total, the pages that came back failed, empty or
//! broken, and the re-parse plan; `--fail-on` turns issues into exit code 1 for CI.

use anyhow::Result;
use pagetree_convert::QualityOptions;
use pagetree_convert::audit::{
    AuditOptions, DocumentAudit, examine, render_text, render_totals, totals, write_csv,
};
use pagetree_model::Loaded;
use rayon::prelude::*;

use crate::Outcome;
use crate::args::{AuditArgs, AuditFormat};
use crate::input::read_inputs_as;
use crate::output::emit;

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
    let (docs, failed) = read_inputs_as(
        &args.inputs,
        |l| match l {
            Loaded::Document(d) => Ok(d),
            other => Err(other),
        },
        "a parse result; nothing to audit",
    );
    let audits: Vec<DocumentAudit> = docs
        .par_iter()
        .map(|(_, doc)| {
            let q = pagetree_convert::quality::assess(doc, &quality_opts);
            examine(doc, &q, &opts)
        })
        .collect();
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
    emit(args.output.as_deref(), &out)?;
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
