//! `pagetree jobs`: job listings and batch results as one table, or the retry list.

use anyhow::Result;
use pagetree_convert::jobs::{JobsInput, JobsOptions, collect, render_text, retry_list, write_csv};
use pagetree_model::Loaded;

use crate::Outcome;
use crate::args::{JobsArgs, JobsFormat};
use crate::input::read_inputs_as;
use crate::output::emit;

/// Runs the command.
pub fn run(args: &JobsArgs) -> Result<Outcome> {
    let mut opts = JobsOptions::default();
    opts.statuses = args
        .status
        .iter()
        .map(|s| s.trim().to_ascii_uppercase())
        .filter(|s| !s.is_empty())
        .collect();
    let (loaded, failed) = read_inputs_as(
        &args.inputs,
        |l| match l {
            Loaded::JobList(_) | Loaded::BatchResults(_) => Ok(l),
            other => Err(other),
        },
        "a job listing or batch results",
    );
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
    emit(args.output.as_deref(), &out)?;
    Ok(if failed > 0 {
        Outcome::Partial
    } else {
        Outcome::Ok
    })
}
