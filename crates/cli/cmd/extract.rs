//! `pagetree extract`: extract jobs to one CSV or JSON Lines table; the summary (skipped jobs,
//! usage, warnings) goes to standard error.

use anyhow::{Context, Result, bail};
use pagetree_convert::extract::{
    ArrayMode, ExtractInput, ExtractOptions, render_summary, tabulate, write_csv, write_jsonl,
};
use pagetree_model::Loaded;

use crate::Outcome;
use crate::args::{ArraysArg, ExtractArgs, RowsFormat};
use crate::input::read_inputs_as;
use crate::output::emit;

/// Runs the command.
pub fn run(args: &ExtractArgs) -> Result<Outcome> {
    let mut opts = ExtractOptions::default();
    opts.arrays = match args.arrays {
        ArraysArg::Explode => ArrayMode::Explode,
        ArraysArg::Json => ArrayMode::Json,
    };
    opts.with_metadata = args.with_metadata;
    if let Some(path) = &args.schema {
        opts.columns = Some(read_schema(path)?);
    }
    let format = args.format.unwrap_or_else(|| match &args.output {
        Some(p) if p.extension().is_some_and(|e| e == "jsonl" || e == "ndjson") => {
            RowsFormat::Jsonl
        }
        _ => RowsFormat::Csv,
    });

    let (jobs, failed) = read_inputs_as(
        &args.inputs,
        |l| match l {
            Loaded::ExtractJob(j) => Ok(j),
            other => Err(other),
        },
        "an extract job",
    );
    let inputs: Vec<ExtractInput<'_>> = jobs
        .iter()
        .map(|(name, j)| ExtractInput { file: name, job: j })
        .collect();
    let table = tabulate(&inputs, &opts);
    let mut bytes = Vec::new();
    match format {
        RowsFormat::Csv => write_csv(&table, &mut bytes)?,
        RowsFormat::Jsonl => write_jsonl(&table, &mut bytes)?,
    }
    emit(args.output.as_deref(), &bytes)?;
    eprint!("{}", render_summary(&table.summary));
    Ok(if failed > 0 || !table.summary.skipped.is_empty() {
        Outcome::Partial
    } else {
        Outcome::Ok
    })
}

/// Column names from `--schema`: a JSON array of strings, else one name a line.
fn read_schema(path: &std::path::Path) -> Result<Vec<String>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read --schema {}", path.display()))?;
    if text.trim_start().starts_with('[') {
        let names: Vec<String> = serde_json::from_str(&text).with_context(|| {
            format!(
                "--schema {}: expected a JSON array of column names",
                path.display()
            )
        })?;
        return Ok(names);
    }
    let names: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect();
    if names.is_empty() {
        bail!("--schema {}: no column names", path.display());
    }
    Ok(names)
}
