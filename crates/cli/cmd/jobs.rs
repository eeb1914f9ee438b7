//! `pagetree jobs`: job listings and batch results as one table, or the retry list.

use std::io::Write;

use anyhow::{Context, Result};
use pagetree_convert::jobs::{JobsInput, JobsOptions, collect, render_text, retry_list, write_csv};
use pagetree_model::Loaded;

use crate::Outcome;
use crate::args::{JobsArgs, JobsFormat};
use crate::input::read_inputs;
use crate::output::write_atomic;

/// Runs the command.
pub fn run(args: &JobsArgs) -> Result<Outcome> {
    let mut opts = JobsOptions::default();
    opts.statuses = args
        .status
        .iter()
        .map(|s| s.trim().to_ascii_uppercase())
        .filter(|s| !s.is_empty())
        .collect();
    let read = read_inputs(&args.inputs);
    let mut failed = 0usize;
    let mut loaded = Vec::new();
    for (name, r) in read {
        match r {
            Ok(l @ (Loaded::JobList(_) | Loaded::BatchResults(_))) => loaded.push((name, l)),
            Ok(other) => {
                failed += 1;
                eprintln!(
                    "error: {name}: this is {} body, not a job listing or batch results",
                    other.format().with_article()
                );
            }
            Err(e) => {
                failed += 1;
                eprintln!("error: {e}");
            }
        }
    }
    let inputs: Vec<JobsInput<'_>> = loaded
        .iter()
        .filter_map(|(name, l)| match l {
            Loaded::JobList(list) => Some(JobsInput::List(name, list)),
            Loaded::BatchResults(b) => Some(JobsInput::Batch(name, b)),
            _ => None,
        })
        .collect();
    let report = collect(&inputs, &opts);
    let out: Vec<u8> = if args.retry {
        retry_list(&report).into_bytes()
    } else {
        match args.format {
            JobsFormat::Text => render_text(&report).into_bytes(),
            JobsFormat::Json => {
                let mut v = serde_json::to_vec(&report)?;
                v.push(b'\n');
                v
            }
            JobsFormat::Csv => {
                let mut v = Vec::new();
                write_csv(&report, &mut v)?;
                v
            }
        }
    };
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
    Ok(if failed > 0 {
        Outcome::Partial
    } else {
        Outcome::Ok
    })
}
