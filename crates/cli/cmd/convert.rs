//! `pagetree convert`: many inputs to one folder per document, in parallel, atomically, with a
//! manifest (and a journal of finished inputs) to skip unchanged inputs, a lock so one run at a
//! time writes OUT, sharding, a progress bar, and a summary also when interrupted.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use pagetree_convert::elements::ElementsFormat;
use pagetree_convert::view::ViewOptions;
use pagetree_convert::{
    ConvertError, ConvertOptions, ConvertStats, MarkdownOptions, OutFile, Outputs, Sink,
    TextOptions, Warning, convert_document, convert_reader,
};
use pagetree_model::{
    Document, ErrorKind, Format, LoadError, Loaded, file_is_json_lines, is_json_lines,
};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::Outcome;
use crate::args::{ConvertArgs, OutputArg, StreamArg};
use crate::cmd::markdown::{Markdown, flags};
use crate::cmd::text::Text;
use crate::inplace::InPlace;
use crate::inputs::{Input, Skipped, expand};
use crate::manifest::{Entry, Journal, Manifest, hash_hex};
use crate::output::{SyncGroup, is_disk_full, reason, write_atomic};
use crate::render::{OptionLayers, STREAM_THRESHOLD};
use crate::spool::{self, Stdin};

mod hash;
mod interrupt;
mod leftovers;
mod lines;
mod lock;
mod progress;

pub mod dist;

use hash::{PendingHash, hash_file};
use interrupt::Interrupt;
use leftovers::remove_leftovers;
use lines::convert_json_lines;

/// Temporary folders live here inside OUT until they replace their output folder.
const TMP: &str = ".pagetree-tmp";

/// What happened to one input.
#[derive(Serialize, Deserialize)]
struct InputResult {
    input: Input,
    outcome: std::result::Result<Converted, String>,
}

#[derive(Serialize, Deserialize)]
enum Converted {
    /// Converted now.
    Done {
        entry: Entry,
        stats: Vec<Tally>,
        /// How many of its documents were streamed page by page.
        streamed: usize,
        /// Bytes read from it, where its size was not known beforehand (a pipe).
        piped_bytes: Option<u64>,
        notes: Vec<String>,
    },
    /// Unchanged since the manifest's run.
    Unchanged,
    /// Not started: the run was interrupted, or the disk is full.
    NotStarted,
}

/// What the summary counts of one converted document.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Tally {
    pages: usize,
    failed_pages: Vec<u32>,
    tables: usize,
    elements: usize,
}

impl From<&ConvertStats> for Tally {
    fn from(s: &ConvertStats) -> Self {
        Tally {
            pages: s.pages,
            failed_pages: s.failed_pages.clone(),
            tables: s.tables,
            elements: s.elements,
        }
    }
}

/// The summary, printed and (with --report) written as JSON.
#[derive(Debug, Default, Serialize)]
struct Report {
    schema: &'static str,
    version: u32,
    tool_version: &'static str,
    inputs: usize,
    converted_inputs: usize,
    unchanged_inputs: usize,
    documents: usize,
    streamed_documents: usize,
    pages: usize,
    failed_pages: Vec<FailedPage>,
    tables: usize,
    elements: usize,
    failed_inputs: Vec<FailedInput>,
    /// Entries found in folders and patterns and left out, with the reason.
    skipped: Vec<Skipped>,
    /// Inputs not started because the run stopped (interrupted, or the disk full).
    not_started: usize,
    /// Why the run stopped before its end (`interrupted by SIGINT`, `the disk is full`).
    stopped: Option<String>,
    input_bytes: u64,
    seconds: f64,
    mb_per_second: f64,
    shard: Option<String>,
}

#[derive(Debug, Serialize)]
struct FailedPage {
    input: String,
    page: u32,
    /// Where its input stands among the inputs (results come in any order).
    #[serde(skip)]
    order: usize,
}

#[derive(Debug, Serialize)]
struct FailedInput {
    input: String,
    error: String,
    /// Where it stands among the inputs, bad arguments first.
    #[serde(skip)]
    order: usize,
}

/// The markdown-only flags, applied over the layered options.
type MarkdownFlags<'a> = Box<dyn Fn(&mut MarkdownOptions) + Sync + 'a>;

/// Everything one run shares.
struct Ctx<'a> {
    args: &'a ConvertArgs,
    layers_md: OptionLayers<MarkdownFlags<'a>>,
    layers_text: OptionLayers<fn(&mut TextOptions)>,
    fingerprint: String,
    manifest: Manifest,
    progress: ProgressBar,
    /// Staged folders are named `<tmp_prefix>-<n>`; the prefix starts with the process id
    /// (see `leftovers`).
    tmp_prefix: String,
    tmp_counter: AtomicU64,
    interrupt: Interrupt,
    /// An output write found the disk full: no input is started after that.
    disk_full: AtomicBool,
    /// The inputs' output folders, put in place as each input finishes and made durable a
    /// group at a time, before the journal records them.
    sync: SyncGroup,
}

impl Ctx<'_> {
    /// Whether inputs should no longer be started.
    fn stopping(&self) -> bool {
        self.interrupt.signal().is_some() || self.disk_full.load(Ordering::Relaxed)
    }

    /// Notes an output error; a full disk stops the run.
    fn write_failed(&self, e: &io::Error) {
        if is_disk_full(e) {
            self.disk_full.store(true, Ordering::Relaxed);
        }
    }
}

/// Runs the command.
pub fn run(args: &ConvertArgs) -> Result<Outcome> {
    let started = Instant::now();
    let (mut ctx, inputs, mut report, mut held) = start(args)?;
    ctx.interrupt = Interrupt::install();
    // The manifest keeps entries of inputs not converted this run (other shards, failures).
    let mut manifest = ctx.manifest.clone();
    // Results are taken as they come and recorded in the journal a group at a time, once
    // their outputs are durable (see `Unrecorded`), so an interrupted or killed run keeps
    // every input it finished but the last group's; warnings are printed in input order, and
    // nothing piles up for a million inputs.
    let (tx, rx) = std::sync::mpsc::channel::<(usize, InputResult)>();
    std::thread::scope(|s| {
        let ctx = &ctx;
        let (manifest, report, journal) = (&mut manifest, &mut report, &mut held.journal);
        // The results are taken on a thread of its own, and the inputs converted on this one,
        // so that a pool this call runs in (`Pool::PerCall`) is the pool that converts.
        s.spawn(move || {
            // Each result counts as soon as it comes; its warnings wait for the inputs before
            // it, to be printed in order.
            let mut notes = BTreeMap::new();
            let mut next = 0;
            let mut unrecorded = Unrecorded::default();
            loop {
                if let Some(sig) = ctx.interrupt.signal() {
                    // Inputs still converting are left (their staged folders are removed by
                    // the next run); waiting for a large one could take minutes.
                    unrecorded.record(ctx, journal);
                    interrupted(ctx, sig, manifest, report, started);
                }
                match rx.recv_timeout(GROUP_WAIT) {
                    Ok((i, r)) => {
                        let (name, said, record) = take_result(i, manifest, report, r);
                        unrecorded.push(record);
                        notes.insert(i, (name, said));
                        while let Some((name, said)) = notes.remove(&next) {
                            next += 1;
                            print_notes(ctx, &name, said);
                        }
                    }
                    Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
                    Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
                }
                if unrecorded.due() {
                    unrecorded.record(ctx, journal);
                }
            }
            unrecorded.record(ctx, journal);
        });
        inputs
            .into_par_iter()
            .enumerate()
            .for_each_with(tx, |tx, (i, input)| {
                let _ = tx.send((i, convert_input(ctx, input)));
            });
    });
    let (outcome, _) = finish(&ctx, manifest, report, started.elapsed().as_secs_f64())?;
    Ok(outcome)
}

/// A group of results is recorded at the latest this long after its first result came.
const GROUP_WAIT: std::time::Duration = std::time::Duration::from_millis(100);

/// A group of results is recorded at once when it has this many.
const GROUP_SIZE: usize = 256;

/// Results taken but not yet in the journal: a group's outputs are made durable with one
/// commit ([`SyncGroup`]) and only then recorded, so the journal never claims an output a
/// power loss could take back. A run killed before the group is recorded converts its inputs
/// again.
#[derive(Default)]
struct Unrecorded {
    records: Vec<(String, Option<Entry>)>,
    since: Option<Instant>,
    /// Writing the journal (or syncing) failed: said once.
    failed: bool,
}

impl Unrecorded {
    fn push(&mut self, record: Record) {
        if let Some(r) = record {
            self.records.push(r);
            self.since.get_or_insert_with(Instant::now);
        }
    }

    /// Whether the group is full or old enough to record.
    fn due(&self) -> bool {
        self.records.len() >= GROUP_SIZE || self.since.is_some_and(|t| t.elapsed() >= GROUP_WAIT)
    }

    /// Makes the group's outputs durable, then records it. When the sync fails the group is
    /// not recorded (it is converted again by the next run) and the failure is said once.
    fn record(&mut self, ctx: &Ctx<'_>, journal: &mut Journal) {
        if self.records.is_empty() {
            return;
        }
        self.since = None;
        let records = std::mem::take(&mut self.records);
        if let Err(e) = ctx.sync.commit() {
            ctx.write_failed(&e);
            if !self.failed {
                self.failed = true;
                ctx.progress.suspend(|| {
                    eprintln!(
                        "warning: cannot sync the outputs in {}: {}; the inputs converted since \
                         the last sync are converted again by the next run",
                        ctx.args.output.display(),
                        reason(&e)
                    )
                });
            }
            return;
        }
        for (key, entry) in records {
            record_in_journal(ctx, journal, &key, entry.as_ref(), &mut self.failed);
        }
    }
}

/// Records a finished input in the journal; the first failure is said once (a full disk also
/// stops the run), and the manifest written at the end still holds what the journal missed.
fn record_in_journal(
    ctx: &Ctx<'_>,
    journal: &mut Journal,
    key: &str,
    entry: Option<&Entry>,
    failed: &mut bool,
) {
    if let Err(e) = journal.record(key, entry) {
        ctx.write_failed(&e);
        if !*failed {
            *failed = true;
            ctx.progress.suspend(|| {
                eprintln!(
                    "warning: cannot write the journal in {}: {}",
                    ctx.args.output.display(),
                    reason(&e)
                )
            });
        }
    }
}

/// Everything before the inputs are converted: the output folder, the options, the manifest,
/// leftovers of killed runs removed, and the inputs expanded (and sharded), with the report
/// counting the arguments that name nothing.
fn start(args: &ConvertArgs) -> Result<(Ctx<'_>, Vec<Input>, Report, Held)> {
    let out = &args.output;
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let lock = lock::lock(out, args.wait, args.quiet)?;
    let (mut manifest, manifest_notes) = Manifest::load(out);
    for n in manifest_notes {
        eprintln!("warning: {n}");
    }
    let left = remove_leftovers(&out.join(TMP), Path::new("/proc"));
    if left > 0 && !args.quiet {
        eprintln!(
            "note: removed {} left in {TMP} by an interrupted run",
            plural(left, "temporary folder", "temporary folders")
        );
    }

    let expanded = expand(&args.inputs, &args.output);
    let (mut inputs, bad_args) = (expanded.inputs, expanded.errors);
    if !expanded.skipped.is_empty() {
        if args.quiet {
            eprintln!(
                "note: skipped {} (run without --quiet to see which and why)",
                plural(expanded.skipped.len(), "entry", "entries")
            );
        } else {
            for s in &expanded.skipped {
                eprintln!("note: skipped {}: {}", s.path, s.reason);
            }
        }
    }
    let mut journal = Journal::open(out)
        .with_context(|| format!("cannot write the journal in {}", out.display()))?;
    remove_moved(&mut manifest, &mut journal, out, &inputs)
        .with_context(|| format!("cannot write the journal in {}", out.display()))?;
    if let Some((i, n)) = args.shard {
        inputs.retain(|input| xxhash_rust::xxh3::xxh3_64(input.key.as_bytes()) % n == i - 1);
    }
    let total: u64 = inputs.iter().map(|i| i.size).sum();
    let progress = if args.quiet || !io::stderr().is_terminal() {
        ProgressBar::hidden()
    } else {
        let bar = ProgressBar::new(total.max(1));
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} ({bytes_per_sec}) {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    };
    let ctx = context(args, manifest, progress, std::process::id().to_string())?;
    let mut report = Report {
        schema: "pagetree.convert-report",
        version: 1,
        tool_version: env!("CARGO_PKG_VERSION"),
        shard: args.shard.map(|(i, n)| format!("{i}/{n}")),
        skipped: expanded.skipped,
        ..Report::default()
    };
    for (arg, error) in bad_args {
        // Named in the message, as every other input's error names it.
        let error = format!("{arg}: {error}");
        report.failed_inputs.push(FailedInput {
            input: arg,
            error,
            order: 0,
        });
    }
    report.inputs = inputs.len() + report.failed_inputs.len();
    Ok((
        ctx,
        inputs,
        report,
        Held {
            _lock: lock,
            journal,
        },
    ))
}

/// What a run holds from its start to its end: OUT's lock, and the journal of OUT that every
/// finished input is recorded in.
struct Held {
    _lock: lock::Lock,
    journal: Journal,
}

/// The options and state one conversion shares.
fn context(
    args: &ConvertArgs,
    manifest: Manifest,
    progress: ProgressBar,
    tmp_prefix: String,
) -> Result<Ctx<'_>> {
    let md_flags: MarkdownFlags<'_> = Box::new(flags(&args.style));
    Ok(Ctx {
        args,
        layers_md: OptionLayers::new(&args.pages, md_flags)?,
        layers_text: OptionLayers::new(&args.pages, (|_| {}) as fn(&mut TextOptions))?,
        fingerprint: fingerprint(args)?,
        manifest,
        progress,
        tmp_prefix,
        tmp_counter: AtomicU64::new(0),
        // Caught by the command's own run only (see `run`): a worker or a host process keeps
        // its signals.
        interrupt: Interrupt::default(),
        disk_full: AtomicBool::new(false),
        sync: SyncGroup::new(),
    })
}

/// Prints an input's warnings (unless --quiet), above the progress bar.
fn print_notes(ctx: &Ctx<'_>, name: &str, said: Vec<String>) {
    if !ctx.args.quiet && !said.is_empty() {
        ctx.progress.suspend(|| {
            for n in said {
                eprintln!("warning: {name}: {n}");
            }
        });
    }
}

/// Everything after the inputs are converted: the manifest saved, errors and the summary
/// printed, the report written.
fn finish(
    ctx: &Ctx<'_>,
    mut manifest: Manifest,
    mut report: Report,
    seconds: f64,
) -> Result<(Outcome, Report)> {
    let args = ctx.args;
    let out = &args.output;
    // In input order, as the inputs were given (the bad arguments first).
    report.failed_inputs.sort_by_key(|f| f.order);
    report.failed_pages.sort_by_key(|f| f.order);
    ctx.progress.finish_and_clear();
    let _ = std::fs::remove_dir(out.join(TMP));
    let disk_full = ctx.disk_full.load(Ordering::Relaxed);
    if disk_full {
        report.stopped = Some("the disk is full".into());
    }
    // Folds the journal into the manifest, once every output it claims is durable; on a full
    // disk the journal stays for the next run.
    let saved = ctx.sync.commit().and_then(|()| manifest.compact(out));
    report.seconds = seconds;
    report.mb_per_second = report.input_bytes as f64 / 1e6 / report.seconds.max(1e-9);

    for f in &report.failed_inputs {
        eprintln!("error: {}", f.error);
    }
    if disk_full {
        // The journal keeps what finished; the next run resumes from it.
        eprintln!(
            "stopped: no space left on the device of {}; {} of {} converted, {} not started; \
             free some space and rerun the same command to resume",
            out.display(),
            report.converted_inputs,
            plural(report.inputs, "input", "inputs"),
            report.not_started
        );
    } else {
        saved.with_context(|| format!("cannot write the manifest in {}", out.display()))?;
    }
    if !args.quiet {
        print_summary(&report);
    }
    write_report(args, &report)?;
    let outcome = if disk_full {
        Outcome::Stopped
    } else if report.failed_inputs.is_empty() {
        Outcome::Ok
    } else {
        Outcome::Partial
    };
    Ok((outcome, report))
}

/// Seconds and speed, and the failures in input order (the bad arguments first).
fn finish_report(report: &mut Report, started: Instant) {
    report.failed_inputs.sort_by_key(|f| f.order);
    report.failed_pages.sort_by_key(|f| f.order);
    report.seconds = started.elapsed().as_secs_f64();
    report.mb_per_second = report.input_bytes as f64 / 1e6 / report.seconds.max(1e-9);
}

fn write_report(args: &ConvertArgs, report: &Report) -> Result<()> {
    if let Some(path) = &args.report {
        let mut json = serde_json::to_vec_pretty(report)?;
        json.push(b'\n');
        write_atomic(path, &json).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

/// Ends an interrupted run: the terminal is left clean, the journal folded into the manifest,
/// the errors so far and how far the run got said, and the process ends with 128 + the
/// signal (130 for Ctrl-C), without waiting for the inputs still converting.
fn interrupted(
    ctx: &Ctx<'_>,
    sig: i32,
    manifest: &mut Manifest,
    report: &mut Report,
    started: Instant,
) -> ! {
    ctx.progress.finish_and_clear();
    let out = &ctx.args.output;
    let name = match sig {
        2 => "SIGINT",
        15 => "SIGTERM",
        _ => "a signal",
    };
    report.stopped = Some(format!("interrupted by {name}"));
    report.not_started = report.inputs
        - report.failed_inputs.len()
        - report.converted_inputs
        - report.unchanged_inputs;
    finish_report(report, started);
    for f in &report.failed_inputs {
        eprintln!("error: {}", f.error);
    }
    if let Err(e) = ctx.sync.commit().and_then(|()| manifest.compact(out)) {
        // The journal is still there: the next run reads it.
        eprintln!(
            "warning: cannot write the manifest in {}: {}",
            out.display(),
            crate::output::reason(&e)
        );
    }
    let mut s = format!(
        "interrupted: {} of {} converted",
        report.converted_inputs,
        plural(report.inputs, "input", "inputs")
    );
    if report.unchanged_inputs > 0 {
        s.push_str(&format!(", {} unchanged", report.unchanged_inputs));
    }
    if !report.failed_inputs.is_empty() {
        s.push_str(&format!(", {} failed", report.failed_inputs.len()));
    }
    s.push_str("; rerun the same command to resume");
    eprintln!("{s}");
    if let Err(e) = write_report(ctx.args, report) {
        eprintln!("error: {e:#}");
    }
    let _ = io::stderr().flush();
    std::process::exit(128 + sig);
}

/// `1 input`, `2 inputs`.
fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Removes the entries (and output folders) of inputs that are now converted under another
/// key: a collision suffix (`a_b-2`) whose collision is gone, or a folder layout that changed.
/// Their folders would be stale copies, and a later run could take them as current.
fn remove_moved(
    manifest: &mut Manifest,
    journal: &mut Journal,
    out: &Path,
    inputs: &[Input],
) -> io::Result<()> {
    let keys: std::collections::BTreeSet<&str> = inputs.iter().map(|i| i.key.as_str()).collect();
    let names: std::collections::BTreeSet<String> = inputs.iter().map(Input::display).collect();
    let moved: Vec<String> = manifest
        .entries
        .iter()
        .filter(|(k, e)| !keys.contains(k.as_str()) && names.contains(&e.input))
        .map(|(k, _)| k.clone())
        .collect();
    for key in moved {
        let entry = manifest.entries.remove(&key).expect("listed");
        journal.record(&key, None)?;
        for o in &entry.outputs {
            // A folder that holds (or is) a current input's folder stays.
            let shared = keys.iter().any(|k| {
                *k == o || k.starts_with(&format!("{o}/")) || o.starts_with(&format!("{k}/"))
            });
            if !shared {
                let _ = std::fs::remove_dir_all(out.join(o));
            }
        }
    }
    Ok(())
}

/// What to record in the journal for a finished input: its key, and its entry (none when it
/// failed).
type Record = Option<(String, Option<Entry>)>;

/// What the journal records of a result: the input's entry when it converted, none when it
/// failed; nothing when it was unchanged or not started.
fn journal_record(r: &InputResult) -> Record {
    match &r.outcome {
        Ok(Converted::Done { entry, .. }) => Some((r.input.key.clone(), Some(entry.clone()))),
        Ok(Converted::Unchanged | Converted::NotStarted) => None,
        Err(_) => Some((r.input.key.clone(), None)),
    }
}

/// Adds the result of input `i` to the manifest and the report; returns the input's name, its
/// warnings to print, and what to record in the journal ([`journal_record`]).
fn take_result(
    i: usize,
    manifest: &mut Manifest,
    report: &mut Report,
    r: InputResult,
) -> (String, Vec<String>, Record) {
    let name = r.input.display();
    let record = journal_record(&r);
    report.input_bytes += match &r.outcome {
        Ok(Converted::Done {
            piped_bytes: Some(n),
            ..
        }) => *n,
        Ok(Converted::NotStarted) => 0,
        _ => r.input.size,
    };
    // Bad arguments come first in the report's list of failures.
    let order = i + 1;
    match r.outcome {
        Ok(Converted::Unchanged) => report.unchanged_inputs += 1,
        Ok(Converted::NotStarted) => report.not_started += 1,
        Ok(Converted::Done {
            entry,
            stats,
            streamed,
            notes,
            ..
        }) => {
            report.converted_inputs += 1;
            report.streamed_documents += streamed;
            for s in &stats {
                report.documents += 1;
                report.pages += s.pages;
                report.tables += s.tables;
                report.elements += s.elements;
                for &page in &s.failed_pages {
                    report.failed_pages.push(FailedPage {
                        input: name.clone(),
                        page,
                        order,
                    });
                }
            }
            manifest.entries.insert(r.input.key.clone(), entry);
            return (name, notes, record);
        }
        Err(error) => {
            manifest.entries.remove(&r.input.key);
            report.failed_inputs.push(FailedInput {
                input: name.clone(),
                error,
                order,
            });
        }
    }
    (name, Vec::new(), record)
}

fn print_summary(r: &Report) {
    let mut s = format!(
        "converted {} of {} ({}",
        r.converted_inputs,
        plural(r.inputs, "input", "inputs"),
        plural(r.documents, "document", "documents")
    );
    if r.streamed_documents > 0 {
        s.push_str(&format!(", {} streamed page by page", r.streamed_documents));
    }
    s.push(')');
    if r.unchanged_inputs > 0 {
        s.push_str(&format!("; {} unchanged, skipped", r.unchanged_inputs));
    }
    if !r.failed_inputs.is_empty() {
        s.push_str(&format!("; {} failed", r.failed_inputs.len()));
    }
    if r.not_started > 0 {
        s.push_str(&format!("; {} not started", r.not_started));
    }
    if !r.skipped.is_empty() {
        s.push_str(&format!(
            "; {} skipped",
            plural(r.skipped.len(), "entry", "entries")
        ));
    }
    eprintln!("{s}");
    let failed: Vec<String> = r
        .failed_pages
        .iter()
        .take(10)
        .map(|f| format!("{} p{}", f.input, f.page))
        .collect();
    let more = r.failed_pages.len().saturating_sub(10);
    eprintln!(
        "pages {}, failed pages {}{}, tables {}, elements {}",
        r.pages,
        r.failed_pages.len(),
        if failed.is_empty() {
            String::new()
        } else {
            format!(
                " ({}{})",
                failed.join(", "),
                if more > 0 {
                    format!(", {more} more")
                } else {
                    String::new()
                }
            )
        },
        r.tables,
        r.elements
    );
    eprintln!(
        "{:.2} s, {:.1} MB read, {:.1} MB/s",
        r.seconds,
        r.input_bytes as f64 / 1e6,
        r.mb_per_second
    );
}

/// A fingerprint of everything that shapes the output (not inputs, paths or verbosity).
fn fingerprint(args: &ConvertArgs) -> Result<String> {
    let mut to = args.to.clone();
    to.sort();
    to.dedup();
    let from_file = match &args.pages.options_from {
        Some(p) => {
            hash_hex(&std::fs::read(p).with_context(|| format!("cannot read {}", p.display()))?)
        }
        None => String::new(),
    };
    let mut shape = format!(
        "{to:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{from_file}",
        args.elements_jsonl, args.stitch, args.delimiter, args.pages, args.style, args.cells
    );
    // Only with chunks, so manifests written before chunks were an output stay valid. Their
    // sizes are checked here, before any input is read.
    if to.contains(&OutputArg::Chunks) {
        crate::cmd::chunks::options(&args.chunk)?;
        shape.push_str(&format!("|{:?}", args.chunk));
    }
    Ok(hash_hex(shape.as_bytes()))
}

fn convert_input(ctx: &Ctx<'_>, input: Input) -> InputResult {
    if ctx.stopping() {
        return InputResult {
            input,
            outcome: Ok(Converted::NotStarted),
        };
    }
    ctx.progress.set_message(input.key.clone());
    // Large inputs move the bar as they are read (see `Counted`); the rest of the input's
    // size counts when it is done.
    let done = AtomicU64::new(0);
    let outcome = convert_one(ctx, &input, &done);
    ctx.progress
        .inc(input.size.saturating_sub(done.load(Ordering::Relaxed)));
    InputResult { input, outcome }
}

fn convert_one(
    ctx: &Ctx<'_>,
    input: &Input,
    done: &AtomicU64,
) -> std::result::Result<Converted, String> {
    let name = input.display();
    let args = ctx.args;
    // A pipe named as a file (`<(gunzip -c x.json.gz)`) is read once, as standard input is.
    let piped = match &input.path {
        None => true,
        Some(p) => p.metadata().is_ok_and(|m| !m.is_file()),
    };
    let stream = match (piped, args.stream) {
        (true, _) | (_, StreamArg::Never) => false,
        (false, StreamArg::Always) => true,
        // The view needs the whole document (chunks and quality look across pages).
        (false, StreamArg::Auto) => {
            input.size >= STREAM_THRESHOLD && !args.to.contains(&OutputArg::View)
        }
    };
    let previous = ctx.manifest.entries.get(&input.key).filter(|_| !args.force);
    // Hash first (bounded memory), so an unchanged input costs one read. A streamed input
    // that no earlier run converted cannot be unchanged: it is hashed on a thread of its own
    // while it converts (a whole extra read of the file before the conversion's own, ~5% of
    // converting the 310 MB bench input).
    let mut later = None;
    let mut spooled = None;
    let mut piped_bytes = None;
    let (hash, bytes) = match (&input.path, piped) {
        (Some(p), false) if stream && previous.is_none() => {
            later = Some(PendingHash::start(p.clone()));
            (String::new(), None)
        }
        (Some(p), false) if stream => (
            hash_file(p).map_err(|e| format!("{name}: cannot read: {e}"))?,
            None,
        ),
        (Some(p), false) => {
            let b = std::fs::read(p).map_err(|e| format!("{name}: cannot read: {e}"))?;
            (hash_hex(&b), Some(b))
        }
        // Standard input (or a pipe) that reaches the threshold is copied to a file inside OUT
        // (and hashed on the way), then streamed from there like any large file.
        (path, _) => {
            let dir = args.output.join(TMP);
            std::fs::create_dir_all(&dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            let reader: Box<dyn io::Read> = match path {
                None => Box::new(io::stdin().lock()),
                Some(p) => {
                    Box::new(File::open(p).map_err(|e| format!("{name}: cannot read: {e}"))?)
                }
            };
            let taken = spool::take(reader, spool::spool_at(args.stream), &dir)
                .map_err(|e| format!("{name}: cannot read: {e}"))?;
            piped_bytes = Some(taken.len);
            match taken.input {
                Stdin::Bytes(b) => (taken.hash, Some(b)),
                Stdin::Spooled(file) => {
                    spooled = Some(file);
                    (taken.hash, None)
                }
            }
        }
    };
    let out = &args.output;
    if let Some(e) = previous {
        let same = e.hash == hash
            && e.options == ctx.fingerprint
            && e.tool_version == env!("CARGO_PKG_VERSION")
            && e.outputs.iter().all(|o| out.join(o).is_dir());
        if same {
            return Ok(Converted::Unchanged);
        }
    }
    let old_outputs = ctx
        .manifest
        .entries
        .get(&input.key)
        .map(|e| e.outputs.clone())
        .unwrap_or_default();

    let mut stats = Vec::new();
    let mut outputs = Vec::new();
    let mut notes = Vec::new();
    let mut streamed = 0;
    let stream_from = match (&input.path, &spooled) {
        (_, Some(copy)) => Some(copy.path()),
        (Some(path), None) if stream => Some(path.as_path()),
        _ => None,
    };
    let mut by_lines = false;
    if let Some(path) = stream_from {
        // A file named as JSON Lines holds no single response to index: straight to its lines.
        by_lines = is_json_lines(&[], Some(&name));
        if !by_lines {
            match convert_streamed(ctx, input, path, done) {
                Ok(Some((s, n))) => {
                    streamed = 1;
                    outputs.push(input.key.clone());
                    stats.push(s);
                    notes.extend(n);
                }
                // Not streamable: JSON Lines go line by line, the rest is loaded whole below.
                Ok(None) => {
                    by_lines = file_is_json_lines(path, None)
                        .map_err(|e| format!("{name}: cannot read: {e}"))?;
                }
                Err(e) => return Err(e),
            }
        }
        if by_lines {
            let w = convert_json_lines(ctx, input, path, done)?;
            stats.extend(w.stats);
            notes.extend(w.notes);
            outputs.extend(w.outputs);
            streamed = w.streamed;
        }
    }
    if streamed == 0 && !by_lines {
        let bytes = match bytes {
            Some(b) => b,
            // A file, or standard input copied aside, that turned out not to be streamable.
            None => std::fs::read(stream_from.expect("read already unless streamed"))
                .map_err(|e| format!("{name}: cannot read: {e}"))?,
        };
        let loaded = pagetree_model::load_all(&bytes, Some(&name));
        drop(bytes);
        let many = loaded.len() > 1;
        // Every document must load before anything is written for the input.
        let mut docs = Vec::new();
        for (i, l) in loaded.into_iter().enumerate() {
            match l {
                Ok(Loaded::Document(d)) => docs.push(*d),
                Ok(other) => return Err(not_a_parse_result(&name, many, i, other.format())),
                Err(e) => return Err(e.to_string()),
            }
        }
        for (i, doc) in docs.iter().enumerate() {
            let rel = if many {
                format!("{}/{}", input.key, i + 1)
            } else {
                input.key.clone()
            };
            let (opts, n) = options_for(ctx, doc);
            let numbers = doc.pages.iter().map(|p| p.number);
            let label = if many {
                format!("{name}:{}", i + 1)
            } else {
                name.to_string()
            };
            if let Some(e) =
                crate::input::pages_past_end(&label, &opts.markdown.pages.selection, numbers)
            {
                return Err(e);
            }
            notes.extend(n);
            let s = write_document(ctx, &name, &rel, |sink| {
                convert_whole(ctx, doc, &opts, sink)
            })?;
            stats.push(s);
            outputs.push(rel);
        }
    }
    // Outputs an earlier run wrote for this input that this run did not (a shorter JSON
    // Lines file) would be stale: remove them.
    for old in old_outputs.iter().filter(|o| !outputs.contains(o)) {
        remove_stale(out, old, &outputs);
    }
    for s in &stats {
        notes.extend(s.warnings.iter().map(ToString::to_string));
    }
    let hash = match later {
        Some(h) => h
            .finish()
            .map_err(|e| format!("{name}: cannot read: {e}"))?,
        None => hash,
    };
    let stats = stats.iter().map(Tally::from).collect();
    let entry = Entry {
        input: name,
        hash,
        options: ctx.fingerprint.clone(),
        tool_version: env!("CARGO_PKG_VERSION").into(),
        outputs,
    };
    Ok(Converted::Done {
        entry,
        stats,
        streamed,
        piped_bytes,
        notes,
    })
}

/// Removes the folder an earlier run wrote for an input and this run did not, except for the
/// folders this run wrote inside it (an input that held one response and now holds several
/// writes `OUT/<name>/1/`... inside its old `OUT/<name>/`).
fn remove_stale(out: &Path, old: &str, outputs: &[String]) {
    let inside: Vec<&str> = outputs
        .iter()
        .filter_map(|o| o.strip_prefix(old)?.strip_prefix('/'))
        .map(|rest| rest.split('/').next().unwrap_or(rest))
        .collect();
    let dir = out.join(old);
    if inside.is_empty() {
        let _ = std::fs::remove_dir_all(dir);
        return;
    }
    for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        let keep = entry
            .file_name()
            .to_str()
            .is_some_and(|n| inside.contains(&n));
        if !keep {
            let p = entry.path();
            let _ = if p.is_dir() {
                std::fs::remove_dir_all(p)
            } else {
                std::fs::remove_file(p)
            };
        }
    }
}

/// The error for the `i`-th response of an input that is not a parse result.
fn not_a_parse_result(name: &str, many: bool, i: usize, format: Format) -> String {
    let which = if many {
        format!(" (response {})", i + 1)
    } else {
        String::new()
    };
    format!("{name}{which}: not a parse result (detected shape: {format}); nothing to convert")
}

/// Converts a large input page by page; `Ok(None)` when its shape cannot be streamed.
fn convert_streamed(
    ctx: &Ctx<'_>,
    input: &Input,
    path: &Path,
    done: &AtomicU64,
) -> std::result::Result<Option<(ConvertStats, Vec<String>)>, String> {
    let name = input.display();
    let place = InPlace { path, line: None };
    // The bar moves as pages are read, up to the input's size (the pages are read twice
    // when running heads are looked for first).
    let read = std::sync::Arc::new(AtomicU64::new(0));
    let progress = {
        let (bar, read, size) = (ctx.progress.clone(), read.clone(), input.size);
        move |n: u64| {
            let before = read.load(Ordering::Relaxed);
            let add = n.min(size.saturating_sub(before));
            if add > 0 {
                read.fetch_add(add, Ordering::Relaxed);
                bar.inc(add);
            }
        }
    };
    let staged = stage_streamed(ctx, place, &name, &input.key, Some(Box::new(progress)));
    done.fetch_add(read.load(Ordering::Relaxed), Ordering::Relaxed);
    let Some((tmp, stats, notes)) = staged? else {
        return Ok(None);
    };
    place_document(ctx, &name, &tmp, &input.key)?;
    Ok(Some((stats, notes)))
}

/// Converts one response read in place (a file, or the JSON Lines line of it that was too
/// long to hold) page by page into a staged folder (see [`stage_document`]), telling
/// `progress` the bytes read. `Ok(None)` when its shape cannot be streamed.
fn stage_streamed(
    ctx: &Ctx<'_>,
    place: InPlace<'_>,
    name: &str,
    key: &str,
    progress: Option<Box<dyn Fn(u64) + Send + Sync>>,
) -> std::result::Result<Option<(PathBuf, ConvertStats, Vec<String>)>, String> {
    // Errors within a line are located in the whole input, as a whole read locates them.
    let located = |e: LoadError| place.locate(e).to_string();
    let mut reader = match place.reader(name) {
        Ok(r) => r,
        // Arrays at the top (v1 lists), JSON Lines, job listings: load whole.
        Err(e) if e.kind == ErrorKind::Shape => return Ok(None),
        Err(e) => return Err(located(e)),
    };
    if let Some(progress) = progress {
        reader.on_progress(progress);
    }
    let (opts, _) = options_for(ctx, &reader.outline());
    if let Some(e) = place.past_end(&reader, name, &opts.markdown.pages.selection) {
        return Err(e);
    }
    let (tmp, stats) = stage_document(ctx, name, key, |sink| {
        convert_reader(&mut reader, &opts, sink).map_err(|e| match e {
            ConvertError::Load(e) => located(e),
            e => e.to_string(),
        })
    })?;
    // The notes on the page lists as read to the end (the reader may have indexed again).
    let (_, mut notes) = options_for(ctx, &reader.outline());
    if ctx.args.to.contains(&OutputArg::View) {
        notes.push(format!(
            "{name}: view.html not written: this response is converted page by page (standard \
             input or a JSON Lines line of 8 MiB or more) and the view needs it whole"
        ));
    }
    Ok(Some((tmp, stats, notes)))
}

/// Converts a whole document, and writes its view when asked to.
fn convert_whole(
    ctx: &Ctx<'_>,
    doc: &Document,
    opts: &ConvertOptions,
    sink: &mut dyn Sink,
) -> std::result::Result<ConvertStats, String> {
    let mut stats = convert_document(doc, opts, sink).map_err(|e| e.to_string())?;
    if ctx.args.to.contains(&OutputArg::View) {
        let mut view_opts = ViewOptions::default();
        view_opts.markdown = opts.markdown.clone();
        let view = pagetree_convert::view::render(doc, &view_opts);
        sink.write(&OutFile::View, view.html.as_bytes())
            .map_err(|e| e.to_string())?;
        for w in view.warnings {
            let line = w.to_string();
            if !stats.warnings.iter().any(|x| x.to_string() == line) {
                stats.warnings.push(w);
            }
        }
    }
    Ok(stats)
}

/// The convert options for one document: markdown and text options layered as the
/// `markdown`/`text` commands layer them, plus convert's own flags.
fn options_for(ctx: &Ctx<'_>, doc: &Document) -> (ConvertOptions, Vec<String>) {
    let (markdown, mut notes) = ctx.layers_md.for_doc::<Markdown>(doc);
    let (text, text_notes) = ctx.layers_text.for_doc::<Text>(doc);
    notes.extend(text_notes);
    let args = ctx.args;
    let has = |o: OutputArg| args.to.contains(&o);
    let mut opts = ConvertOptions::default();
    opts.outputs = Outputs::none();
    opts.outputs.markdown = has(OutputArg::Markdown);
    opts.outputs.text = has(OutputArg::Text);
    opts.outputs.tables = has(OutputArg::Tables);
    opts.outputs.elements = has(OutputArg::Elements);
    opts.outputs.quality = has(OutputArg::Quality);
    opts.outputs.chunks = has(OutputArg::Chunks);
    if opts.outputs.chunks {
        // Checked when the fingerprint was taken.
        let mut c = crate::cmd::chunks::options(&args.chunk).unwrap_or_default();
        c.markdown = markdown.clone();
        if args.chunk.table_text.is_none()
            && c.markdown.tables == pagetree_convert::markdown::TableFormat::Html
        {
            c.tables = pagetree_convert::chunks::TableText::Html;
        }
        opts.chunks = c;
    }
    opts.markdown = markdown;
    opts.text = text;
    opts.elements_format = if args.elements_jsonl {
        ElementsFormat::Jsonl
    } else {
        ElementsFormat::Json
    };
    opts.elements.detect = opts.markdown.pages.detect.clone();
    if opts.outputs.elements && opts.outputs.chunks {
        // As the `elements` command: a batch's elements JSON is about 1.7x its input, and at
        // 1 MiB batches that and the rendered markdown and text are buffers over half a MiB,
        // which the allocator maps one by one and keeps resident up to a second after they
        // are freed; the chunk pass then starts over what is still held (convert --to all six
        // on the 310 MB response: 61-76 MiB peak, 47-53 MiB at 512 KiB, 1% more wall time).
        // Not without chunks: the other outputs alone took 7-15% longer at 512 KiB.
        opts.batch_bytes = 1 << 19;
    }
    opts.tables.stitch = args.stitch;
    opts.tables.delimiter = args.delimiter;
    opts.tables.cells = args.cells.to_option();
    if let Some(t) = args.style.table_source {
        opts.tables.source = t.to_option();
        opts.text.table_source = t.to_option();
    }
    let mut lines: Vec<String> = notes.iter().map(Warning::to_string).collect();
    lines.dedup();
    (opts, lines)
}

/// Runs `convert` into a temporary folder and, when it succeeds, puts the folder in place of
/// `OUT/<rel>` (the old one is removed only then); on failure the temporary folder goes.
fn write_document(
    ctx: &Ctx<'_>,
    name: &str,
    rel: &str,
    convert: impl FnOnce(&mut dyn Sink) -> std::result::Result<ConvertStats, String>,
) -> std::result::Result<ConvertStats, String> {
    let (tmp, stats) = stage_document(ctx, name, rel, convert)?;
    place_document(ctx, name, &tmp, rel)?;
    Ok(stats)
}

/// Runs `convert` into a new temporary folder inside OUT and returns the folder; on failure
/// the folder goes. A write that fails names the input (`name`) and the file it was writing,
/// as it will be called in `OUT/<rel>/`, not its temporary name.
fn stage_document(
    ctx: &Ctx<'_>,
    name: &str,
    rel: &str,
    convert: impl FnOnce(&mut dyn Sink) -> std::result::Result<ConvertStats, String>,
) -> std::result::Result<(PathBuf, ConvertStats), String> {
    let out = &ctx.args.output;
    let n = ctx.tmp_counter.fetch_add(1, Ordering::Relaxed);
    let tmp = out.join(TMP).join(format!("{}-{n}", ctx.tmp_prefix));
    let mut sink = DirSink {
        dir: tmp.clone(),
        shown: out.join(rel),
        files: BTreeMap::new(),
        made: std::collections::BTreeSet::new(),
        failed: None,
    };
    let result = match std::fs::create_dir_all(&tmp) {
        Err(e) => {
            ctx.write_failed(&e);
            Err(format!(
                "{name}: cannot create {}: {}",
                tmp.display(),
                reason(&e)
            ))
        }
        Ok(()) => convert(&mut sink)
            .and_then(|stats| sink.close().map(|()| stats).map_err(|e| e.to_string())),
    };
    let result = result.map_err(|e| match sink.failed.take() {
        Some(io) => {
            ctx.write_failed(&io);
            format!("{name}: {}", io)
        }
        None => e,
    });
    match result {
        Ok(stats) => Ok((tmp, stats)),
        Err(e) => {
            let _ = std::fs::remove_dir_all(&tmp);
            Err(e)
        }
    }
}

/// Puts a staged folder in place of `OUT/<rel>`; on failure the staged folder goes.
fn place_document(
    ctx: &Ctx<'_>,
    name: &str,
    tmp: &Path,
    rel: &str,
) -> std::result::Result<(), String> {
    let final_dir = ctx.args.output.join(rel);
    let result = (|| {
        if let Some(parent) = final_dir.parent() {
            std::fs::create_dir_all(parent).map_err(|e| {
                ctx.write_failed(&e);
                format!("{name}: cannot create {}: {}", parent.display(), reason(&e))
            })?;
        }
        ctx.sync.replace_dir(tmp, &final_dir).map_err(|e| {
            ctx.write_failed(&e);
            format!(
                "{name}: cannot move its output to {}: {}",
                final_dir.display(),
                reason(&e)
            )
        })
    })();
    if result.is_err() {
        let _ = std::fs::remove_dir_all(tmp);
    }
    result
}

/// Writes a conversion's files into a folder. Files written batch by batch (the markdown,
/// text, elements and the tables index) stay open (buffered) until close; tables arrive whole
/// and are written at once, so thousands of tables never hold thousands of open files.
struct DirSink {
    dir: PathBuf,
    /// The folder's final place, for messages.
    shown: PathBuf,
    files: BTreeMap<OutFile, BufWriter<File>>,
    /// The folders made inside `dir` so far (a table file each makes no folder again).
    made: std::collections::BTreeSet<PathBuf>,
    /// The first write that failed, with the file's final name in its message.
    failed: Option<io::Error>,
}

impl Sink for DirSink {
    fn write(&mut self, file: &OutFile, bytes: &[u8]) -> io::Result<()> {
        self.write_file(file, bytes)
            .map_err(|e| self.failed_on(file, &e))
    }
}

impl DirSink {
    /// `e`, which writing `file` met, as an error naming the file's final place; the first
    /// such error is kept for the run's message.
    fn failed_on(&mut self, file: &OutFile, e: &io::Error) -> io::Error {
        let message = format!(
            "cannot write {}: {}",
            self.shown.join(file.path()).display(),
            reason(e)
        );
        self.failed
            .get_or_insert_with(|| io::Error::new(e.kind(), message.clone()));
        io::Error::new(e.kind(), message)
    }

    fn write_file(&mut self, file: &OutFile, bytes: &[u8]) -> io::Result<()> {
        if matches!(file, OutFile::Table(_)) {
            let path = self.dir.join(file.path());
            self.make_parent(&path)?;
            return std::fs::write(path, bytes);
        }
        if !self.files.contains_key(file) {
            let path = self.dir.join(file.path());
            self.make_parent(&path)?;
            self.files.insert(
                file.clone(),
                BufWriter::with_capacity(1 << 16, File::create(&path)?),
            );
        }
        self.files.get_mut(file).expect("inserted").write_all(bytes)
    }

    /// Makes the folder `path` goes in, once per folder (the staged folder itself exists).
    fn make_parent(&mut self, path: &Path) -> io::Result<()> {
        match path.parent() {
            Some(parent) if parent != self.dir && !self.made.contains(parent) => {
                std::fs::create_dir_all(parent)?;
                self.made.insert(parent.to_path_buf());
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Flushes every open file (a full disk often shows only here), naming the file.
    fn close(&mut self) -> io::Result<()> {
        for (file, mut w) in std::mem::take(&mut self.files) {
            if let Err(e) = w.flush() {
                return Err(self.failed_on(&file, &e));
            }
        }
        Ok(())
    }
}
