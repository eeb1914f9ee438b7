//! `convert` split in three for engines that run the inputs elsewhere (the Python package's
//! Dask path): [`plan`] expands the inputs where the command would, [`convert_one`] converts
//! one input in any process that sees OUT, [`record`] journals each result as the driver gets
//! it (so an interrupted distributed run resumes like a local one), and [`finish`] takes the
//! results in input order into the same manifest, summary and report a single `pagetree
//! convert` run writes. Every step is the command's own code; only the loop that hands inputs
//! to threads is replaced. Values cross processes as JSON strings.

use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail};
use clap::Parser;
use indicatif::ProgressBar;
use serde::{Deserialize, Serialize};

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::{
    Held, InputResult, context, convert_input, finish as finish_run, journal_record, lock, reason,
    record_in_journal, start, take_result,
};
use crate::args::{Cli, Command, ConvertArgs};
use crate::inputs::Input;
use crate::manifest::{Entry, Journal, Manifest};

/// What the driver holds of one output folder from [`plan`] to [`finish`] (the calls share
/// nothing else).
struct Driver {
    out: PathBuf,
    held: Held,
    /// The inputs (by key) [`record`] has journaled already.
    recorded: BTreeSet<String>,
    /// Whether writing the journal failed (said once).
    journal_failed: bool,
}

/// Each output folder's [`Driver`].
static HELD: Mutex<Vec<Driver>> = Mutex::new(Vec::new());

/// Takes what [`plan`] left held for `out`, if anything.
fn take_held(out: &Path) -> Option<Driver> {
    let mut held = HELD.lock().unwrap_or_else(|e| e.into_inner());
    let i = held.iter().position(|d| d.out == out)?;
    Some(held.swap_remove(i))
}

/// What [`plan`] left held for `out`, or OUT locked and its journal opened now (a driver in
/// another process than its plan's).
fn take_or_lock(a: &ConvertArgs) -> Result<Driver> {
    if let Some(d) = take_held(&a.output) {
        return Ok(d);
    }
    Ok(Driver {
        out: a.output.clone(),
        held: Held {
            _lock: lock::lock(&a.output, a.wait, a.quiet)?,
            journal: Journal::open(&a.output)
                .with_context(|| format!("cannot write the journal in {}", a.output.display()))?,
        },
        recorded: BTreeSet::new(),
        journal_failed: false,
    })
}

/// The inputs to convert, in order, each with what the manifest knows of it.
#[derive(Serialize, Deserialize)]
struct Plan {
    tasks: Vec<Task>,
    /// Arguments that named nothing, with why.
    bad_args: Vec<(String, String)>,
    /// When the run started (seconds since the Unix epoch), for the report's rate.
    started: f64,
}

/// One input and its manifest entry from the last run.
#[derive(Serialize, Deserialize)]
struct Task {
    input: Input,
    previous: Option<Entry>,
}

/// Parses `pagetree convert ARGS...`.
fn parse(args: &[String]) -> Result<ConvertArgs> {
    let argv = ["pagetree", "convert"]
        .into_iter()
        .map(str::to_owned)
        .chain(args.iter().cloned());
    match Cli::try_parse_from(argv) {
        Ok(Cli {
            command: Command::Convert(a),
            ..
        }) => Ok(a),
        Ok(_) => unreachable!("parsed as convert"),
        Err(e) => bail!("{}", e.render().to_string().trim_end()),
    }
}

fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// Expands `pagetree convert ARGS` into tasks (JSON, one per input, in the command's order),
/// after creating OUT, locking it until [`finish`] (as a `pagetree convert` run does) and
/// removing what killed runs left there. Standard input (`-`) cannot
/// be sent to another process and is refused.
pub fn plan(args: &[String]) -> Result<String> {
    let started = now();
    let a = parse(args)?;
    if a.inputs.iter().any(|i| i == "-") {
        bail!("standard input (`-`) cannot be converted on other processes; save it to a file");
    }
    // A plan made earlier for this folder and never finished gives its lock up.
    drop(take_held(&a.output));
    let (ctx, inputs, report, held) = start(&a)?;
    HELD.lock().unwrap_or_else(|e| e.into_inner()).push(Driver {
        out: a.output.clone(),
        held,
        recorded: BTreeSet::new(),
        journal_failed: false,
    });
    ctx.progress.finish_and_clear();
    let tasks = inputs
        .into_iter()
        .map(|input| Task {
            previous: ctx.manifest.entries.get(&input.key).cloned(),
            input,
        })
        .collect();
    let bad_args = report
        .failed_inputs
        .into_iter()
        .map(|f| {
            let why = f
                .error
                .strip_prefix(&format!("{}: ", f.input))
                .unwrap_or(&f.error)
                .to_owned();
            (f.input, why)
        })
        .collect();
    Ok(serde_json::to_string(&Plan {
        tasks,
        bad_args,
        started,
    })?)
}

/// The tasks of a plan, each as its own JSON string (to ship to a worker).
pub fn tasks(plan: &str) -> Result<Vec<String>> {
    let p: Plan = serde_json::from_str(plan).context("not a convert plan")?;
    p.tasks
        .iter()
        .map(|t| Ok(serde_json::to_string(t)?))
        .collect()
}

/// Converts one task of a plan into OUT, exactly as `pagetree convert ARGS` converts that
/// input, and returns the result (JSON) for [`finish`]. Staged folders are named after this
/// process and a per-call token, so processes on several machines sharing OUT never collide.
pub fn convert_one(args: &[String], task: &str) -> Result<String> {
    let a = parse(args)?;
    let t: Task = serde_json::from_str(task).context("not a convert task")?;
    let mut manifest = Manifest::default();
    if let Some(e) = t.previous {
        manifest.entries.insert(t.input.key.clone(), e);
    }
    let token = format!(
        "{}-{:x}",
        std::process::id(),
        xxhash_rust::xxh3::xxh3_64(format!("{}|{}|{:?}", now(), t.input.key, host()).as_bytes())
    );
    let ctx = context(&a, manifest, ProgressBar::hidden(), token)?;
    let mut result = convert_input(&ctx, t.input);
    // The driver records the result as soon as it has it: the output must be durable first.
    if let Err(e) = ctx.sync.commit()
        && result.outcome.is_ok()
    {
        result.outcome = Err(format!(
            "{}: cannot sync its output in {}: {}",
            result.input.display(),
            a.output.display(),
            reason(&e)
        ));
    }
    Ok(serde_json::to_string(&result)?)
}

/// Records one task's result (from [`convert_one`]) in OUT's journal as soon as the driver
/// has it, in any order, as a `pagetree convert` run records each input as it finishes: a
/// driver stopped before [`finish`] leaves every input recorded here converted, and the rerun
/// skips them. [`finish`] records the results not recorded here. A journal that cannot be
/// written is said once on standard error (the manifest written by [`finish`] still holds
/// every result).
pub fn record(args: &[String], result: &str) -> Result<()> {
    let a = parse(args)?;
    let r: InputResult = serde_json::from_str(result).context("not a convert result")?;
    let Some((key, entry)) = journal_record(&r) else {
        return Ok(());
    };
    let mut driver = take_or_lock(&a)?;
    if driver.recorded.contains(&key) {
        HELD.lock().unwrap_or_else(|e| e.into_inner()).push(driver);
        return Ok(());
    }
    match driver.held.journal.record(&key, entry.as_ref()) {
        Ok(()) => {
            driver.recorded.insert(key);
        }
        Err(e) if !driver.journal_failed => {
            driver.journal_failed = true;
            eprintln!(
                "warning: cannot write the journal in {}: {}",
                a.output.display(),
                reason(&e)
            );
        }
        Err(_) => {}
    }
    HELD.lock().unwrap_or_else(|e| e.into_inner()).push(driver);
    Ok(())
}

/// This machine's name, to tell processes of the same id on two machines apart.
fn host() -> Option<String> {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
}

/// Takes the results of every task of `plan` (in the plan's order) into OUT's manifest,
/// prints warnings, errors and the summary as the command does, writes `--report FILE`, and
/// returns the exit code (0, 1, or 2 when the disk filled up) and the report (JSON). Each
/// result [`record`] did not journal is recorded in OUT's journal as it is taken, and OUT stays
/// locked until the end.
pub fn finish(args: &[String], plan: &str, results: &[String]) -> Result<(u8, String)> {
    let a = parse(args)?;
    let p: Plan = serde_json::from_str(plan).context("not a convert plan")?;
    if results.len() != p.tasks.len() {
        bail!(
            "{} results for {} inputs: every input's result is needed",
            results.len(),
            p.tasks.len()
        );
    }
    // The plan's lock and journal; a driver in another process than its plan's takes them now.
    let mut driver = take_or_lock(&a)?;
    let (manifest, _) = Manifest::load(&a.output);
    let ctx = context(&a, manifest, ProgressBar::hidden(), String::new())?;
    let mut report = super::Report {
        schema: "pagetree.convert-report",
        version: 1,
        tool_version: env!("CARGO_PKG_VERSION"),
        shard: a.shard.map(|(i, n)| format!("{i}/{n}")),
        ..super::Report::default()
    };
    for (arg, error) in p.bad_args {
        let error = format!("{arg}: {error}");
        report.failed_inputs.push(super::FailedInput {
            input: arg,
            error,
            order: 0,
        });
    }
    report.inputs = p.tasks.len() + report.failed_inputs.len();
    let mut manifest = ctx.manifest.clone();
    let mut journal_failed = driver.journal_failed;
    for (i, r) in results.iter().enumerate() {
        let r: InputResult = serde_json::from_str(r)
            .with_context(|| format!("result {} is not a convert result", i + 1))?;
        let (name, notes, record) = take_result(i, &mut manifest, &mut report, r);
        if let Some((key, entry)) = record
            && !driver.recorded.contains(&key)
        {
            record_in_journal(
                &ctx,
                &mut driver.held.journal,
                &key,
                entry.as_ref(),
                &mut journal_failed,
            );
        }
        super::print_notes(&ctx, &name, notes);
    }
    let seconds = (now() - p.started).max(0.0);
    let (outcome, report) = finish_run(&ctx, manifest, report, seconds)?;
    let code = match outcome {
        crate::Outcome::Ok => 0,
        crate::Outcome::Partial => 1,
        crate::Outcome::Stopped => 2,
    };
    drop(driver);
    Ok((code, serde_json::to_string(&report)?))
}
