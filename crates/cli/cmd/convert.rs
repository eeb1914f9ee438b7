//! `pagetree convert`: many inputs to one folder per document, in parallel, atomically, with a
//! manifest to skip unchanged inputs, sharding, a progress bar and a summary.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use pagetree_convert::elements::ElementsFormat;
use pagetree_convert::{
    ConvertError, ConvertOptions, ConvertStats, MarkdownOptions, OutFile, Outputs, Sink,
    TextOptions, Warning, convert_document, convert_lazy,
};
use pagetree_model::{
    Document, ErrorKind, Format, JsonLines, LazyDocument, Loaded, file_is_json_lines, is_json_lines,
};
use rayon::prelude::*;
use serde::Serialize;

use crate::Outcome;
use crate::args::{ConvertArgs, OutputArg, StreamArg};
use crate::cmd::markdown::{Markdown, flags};
use crate::cmd::text::Text;
use crate::inputs::{Input, expand};
use crate::manifest::{Entry, Manifest, hash_hex};
use crate::output::write_atomic;
use crate::render::{OptionLayers, STREAM_THRESHOLD};
use crate::spool::{self, Stdin};

/// Temporary folders live here inside OUT until they replace their output folder.
const TMP: &str = ".pagetree-tmp";

/// What happened to one input.
struct InputResult {
    input: Input,
    outcome: std::result::Result<Converted, String>,
}

enum Converted {
    /// Converted now.
    Done {
        entry: Entry,
        stats: Vec<ConvertStats>,
        streamed: bool,
        notes: Vec<String>,
    },
    /// Unchanged since the manifest's run.
    Unchanged,
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
    input_bytes: u64,
    seconds: f64,
    mb_per_second: f64,
    shard: Option<String>,
}

#[derive(Debug, Serialize)]
struct FailedPage {
    input: String,
    page: u32,
}

#[derive(Debug, Serialize)]
struct FailedInput {
    input: String,
    error: String,
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
    tmp_counter: AtomicU64,
}

/// Runs the command.
pub fn run(args: &ConvertArgs) -> Result<Outcome> {
    let started = Instant::now();
    let out = &args.output;
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let md_flags: MarkdownFlags<'_> = Box::new(flags(&args.style));
    let layers_md = OptionLayers::new(&args.pages, md_flags)?;
    let layers_text = OptionLayers::new(&args.pages, (|_| {}) as fn(&mut TextOptions))?;
    let (manifest, manifest_note) = Manifest::load(out);
    if let Some(n) = manifest_note {
        eprintln!("warning: {n}");
    }
    let left = remove_leftovers(&out.join(TMP), Path::new("/proc"));
    if left > 0 && !args.quiet {
        eprintln!("note: removed {left} temporary folder(s) left in {TMP} by an interrupted run");
    }

    let (mut inputs, bad_args) = expand(&args.inputs);
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
    let ctx = Ctx {
        args,
        layers_md,
        layers_text,
        fingerprint: fingerprint(args)?,
        manifest,
        progress,
        tmp_counter: AtomicU64::new(0),
    };

    let results: Vec<InputResult> = inputs
        .into_par_iter()
        .map(|input| convert_input(&ctx, input))
        .collect();
    ctx.progress.finish_and_clear();
    let _ = std::fs::remove_dir(out.join(TMP));

    // The manifest keeps entries of inputs not converted this run (other shards, failures).
    let mut manifest = ctx.manifest.clone();
    let mut report = Report {
        schema: "pagetree.convert-report",
        version: 1,
        tool_version: env!("CARGO_PKG_VERSION"),
        shard: args.shard.map(|(i, n)| format!("{i}/{n}")),
        ..Report::default()
    };
    for (arg, error) in bad_args {
        report.failed_inputs.push(FailedInput { input: arg, error });
    }
    report.inputs = results.len() + report.failed_inputs.len();
    for r in results {
        report.input_bytes += r.input.size;
        match r.outcome {
            Ok(Converted::Unchanged) => report.unchanged_inputs += 1,
            Ok(Converted::Done {
                entry,
                stats,
                streamed,
                notes,
            }) => {
                report.converted_inputs += 1;
                for n in notes {
                    if !args.quiet {
                        eprintln!("warning: {}: {n}", r.input.display());
                    }
                }
                for s in &stats {
                    report.documents += 1;
                    report.streamed_documents += usize::from(streamed);
                    report.pages += s.pages;
                    report.tables += s.tables;
                    report.elements += s.elements;
                    for &page in &s.failed_pages {
                        report.failed_pages.push(FailedPage {
                            input: r.input.display(),
                            page,
                        });
                    }
                }
                manifest.entries.insert(r.input.key.clone(), entry);
            }
            Err(error) => {
                manifest.entries.remove(&r.input.key);
                report.failed_inputs.push(FailedInput {
                    input: r.input.display(),
                    error,
                });
            }
        }
    }
    manifest
        .save(out)
        .with_context(|| format!("cannot write the manifest in {}", out.display()))?;
    report.seconds = started.elapsed().as_secs_f64();
    report.mb_per_second = report.input_bytes as f64 / 1e6 / report.seconds.max(1e-9);

    for f in &report.failed_inputs {
        eprintln!("error: {}", f.error);
    }
    if !args.quiet {
        print_summary(&report);
    }
    if let Some(path) = &args.report {
        let mut json = serde_json::to_vec_pretty(&report)?;
        json.push(b'\n');
        write_atomic(path, &json).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(if report.failed_inputs.is_empty() {
        Outcome::Ok
    } else {
        Outcome::Partial
    })
}

fn print_summary(r: &Report) {
    let mut s = format!(
        "converted {} of {} inputs ({} documents",
        r.converted_inputs, r.inputs, r.documents
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
    let shape = format!(
        "{to:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{from_file}",
        args.elements_jsonl, args.stitch, args.delimiter, args.pages, args.style
    );
    Ok(hash_hex(shape.as_bytes()))
}

fn convert_input(ctx: &Ctx<'_>, input: Input) -> InputResult {
    ctx.progress.set_message(input.key.clone());
    // Large inputs move the bar as they are read (see `Counted`); the rest of the input's
    // size counts when it is done.
    let done = AtomicU64::new(0);
    let outcome = convert_one(ctx, &input, &done);
    ctx.progress
        .inc(input.size.saturating_sub(done.load(Ordering::Relaxed)));
    InputResult { input, outcome }
}

/// A reader that moves the progress bar by the bytes read, up to the input's size (a page
/// read twice, after a wrong cut, counts once at most in all).
struct Counted<'a, R> {
    inner: R,
    bar: &'a ProgressBar,
    done: &'a AtomicU64,
    size: u64,
}

impl<'a, R> Counted<'a, R> {
    fn new(inner: R, ctx: &'a Ctx<'_>, input: &Input, done: &'a AtomicU64) -> Self {
        Counted {
            inner,
            bar: &ctx.progress,
            done,
            size: input.size,
        }
    }

    fn count(&self, n: usize) {
        let before = self.done.load(Ordering::Relaxed);
        let add = (n as u64).min(self.size.saturating_sub(before));
        if add > 0 {
            self.done.fetch_add(add, Ordering::Relaxed);
            self.bar.inc(add);
        }
    }
}

impl<R: Read> Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count(n);
        Ok(n)
    }

    fn read_vectored(&mut self, bufs: &mut [io::IoSliceMut<'_>]) -> io::Result<usize> {
        let n = self.inner.read_vectored(bufs)?;
        self.count(n);
        Ok(n)
    }
}

impl<R: io::Seek> io::Seek for Counted<'_, R> {
    fn seek(&mut self, pos: io::SeekFrom) -> io::Result<u64> {
        self.inner.seek(pos)
    }
}

fn convert_one(
    ctx: &Ctx<'_>,
    input: &Input,
    done: &AtomicU64,
) -> std::result::Result<Converted, String> {
    let name = input.display();
    let args = ctx.args;
    let stream = match (&input.path, args.stream) {
        (None, _) | (_, StreamArg::Never) => false,
        (Some(_), StreamArg::Always) => true,
        (Some(_), StreamArg::Auto) => input.size >= STREAM_THRESHOLD,
    };
    let previous = ctx.manifest.entries.get(&input.key).filter(|_| !args.force);
    // Hash first (bounded memory), so an unchanged input costs one read. A streamed input
    // that no earlier run converted cannot be unchanged: it is hashed on a thread of its own
    // while it converts (a whole extra read of the file before the conversion's own, ~5% of
    // converting the 310 MB bench input).
    let mut later = None;
    let mut spooled = None;
    let (hash, bytes) = match &input.path {
        Some(p) if stream && previous.is_none() => {
            later = Some(PendingHash::start(p.clone()));
            (String::new(), None)
        }
        // Standard input that reaches the threshold is copied to a file inside OUT (and
        // hashed on the way), then streamed from there like any large file.
        None => {
            let spool_at = match args.stream {
                StreamArg::Never => None,
                StreamArg::Always => Some(0),
                StreamArg::Auto => Some(STREAM_THRESHOLD),
            };
            let dir = args.output.join(TMP);
            std::fs::create_dir_all(&dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            let taken = spool::take(io::stdin().lock(), spool_at, &dir)
                .map_err(|e| format!("{name}: cannot read: {e}"))?;
            match taken.input {
                Stdin::Bytes(b) => (taken.hash, Some(b)),
                Stdin::Spooled(file) => {
                    spooled = Some(file);
                    (taken.hash, None)
                }
            }
        }
        Some(p) if stream => (
            hash_file(p).map_err(|e| format!("{name}: cannot read: {e}"))?,
            None,
        ),
        Some(p) => {
            let b = std::fs::read(p).map_err(|e| format!("{name}: cannot read: {e}"))?;
            (hash_hex(&b), Some(b))
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
    let mut streamed = false;
    let stream_from = match (&input.path, &spooled) {
        (Some(path), _) if stream => Some(path.as_path()),
        (None, Some(file)) => Some(file.path()),
        _ => None,
    };
    let mut by_lines = false;
    if let Some(path) = stream_from {
        // A file named as JSON Lines holds no single response to index: straight to its lines.
        by_lines = is_json_lines(&[], Some(&name));
        if !by_lines {
            match convert_streamed(ctx, input, path, done) {
                Ok(Some((s, n))) => {
                    streamed = true;
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
        }
    }
    if !streamed && !by_lines {
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
            notes.extend(n);
            let s = write_document(ctx, &rel, |sink| {
                convert_document(doc, &opts, sink).map_err(|e| e.to_string())
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
        notes.extend(s.warnings.iter().cloned());
    }
    let hash = match later {
        Some(h) => h
            .finish()
            .map_err(|e| format!("{name}: cannot read: {e}"))?,
        None => hash,
    };
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

/// Lines of a JSON Lines input converted at once (in parallel): at most this many bytes, and
/// at most [`LINES_AT_ONCE`] lines, so memory is bounded by a chunk, not by the file.
const LINE_BYTES_AT_ONCE: usize = 8 << 20;
const LINES_AT_ONCE: usize = 256;

/// Removes what runs that are no longer running left in the temporary folder: a run killed
/// mid-conversion leaves its staged folders and its copy of standard input there. Entries are
/// named after the process that made them, so an entry is a leftover when `/proc` exists and
/// holds no such process (without `/proc`, nothing is removed). Returns how many went.
fn remove_leftovers(tmp: &Path, proc_dir: &Path) -> usize {
    if !proc_dir.is_dir() {
        return 0;
    }
    let Ok(entries) = std::fs::read_dir(tmp) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(owner_pid) else {
            continue;
        };
        if pid == std::process::id() || proc_dir.join(pid.to_string()).exists() {
            continue;
        }
        let path = entry.path();
        let gone = if path.is_dir() {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
        removed += usize::from(gone.is_ok());
    }
    removed
}

/// The process that made a temporary entry: `<pid>-<n>` (or `<pid>-<n>.old`) for staged
/// folders, `.pagetree-stdin-<pid>-...` for copies of standard input.
fn owner_pid(name: &str) -> Option<u32> {
    let rest = name.strip_prefix(".pagetree-stdin-").unwrap_or(name);
    let (pid, _) = rest.split_once('-')?;
    pid.parse().ok()
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

/// Why a response of a JSON Lines input did not convert.
enum Failed {
    NotDocument(Format),
    Error(String),
}

/// What converting an input of several responses wrote.
#[derive(Default)]
struct Written {
    stats: Vec<ConvertStats>,
    notes: Vec<String>,
    /// The output folders, relative to OUT.
    outputs: Vec<String>,
}

/// One response of a JSON Lines input, converted into its temporary folder.
struct Staged {
    dir: PathBuf,
    stats: ConvertStats,
    notes: Vec<String>,
}

/// Converts a JSON Lines input a chunk of lines at a time, each response into a temporary
/// folder; only when every line has converted are the folders put in place (`OUT/<name>/` for
/// a single response, else `OUT/<name>/1/`, `2/`...), so a broken line leaves nothing behind,
/// exactly as when the file is loaded whole.
fn convert_json_lines(
    ctx: &Ctx<'_>,
    input: &Input,
    path: &Path,
    done: &AtomicU64,
) -> std::result::Result<Written, String> {
    let name = input.display();
    let remove = |staged: &[Staged]| {
        for s in staged {
            let _ = std::fs::remove_dir_all(&s.dir);
        }
    };
    let file = File::open(path).map_err(|e| format!("{name}: cannot read: {e}"))?;
    let file = Counted::new(file, ctx, input, done);
    let mut lines = JsonLines::new(BufReader::with_capacity(1 << 20, file), Some(&name));
    let mut staged: Vec<Staged> = Vec::new();
    // Responses read so far (documents or not): messages number them as the whole read does.
    let mut index = 0usize;
    loop {
        let (chunk, end) = match lines.chunk(LINE_BYTES_AT_ONCE, LINES_AT_ONCE) {
            Ok(c) => c,
            Err(e) => {
                remove(&staged);
                return Err(format!("{name}: cannot read: {e}"));
            }
        };
        if chunk.is_empty() {
            break;
        }
        let results: Vec<Vec<std::result::Result<Staged, Failed>>> = chunk
            .par_iter()
            .map(|line| {
                line.load()
                    .into_iter()
                    .map(|loaded| match loaded {
                        Ok(Loaded::Document(doc)) => {
                            let (opts, notes) = options_for(ctx, &doc);
                            let (dir, stats) = stage_document(ctx, |sink| {
                                convert_document(&doc, &opts, sink).map_err(|e| e.to_string())
                            })
                            .map_err(Failed::Error)?;
                            Ok(Staged { dir, stats, notes })
                        }
                        Ok(other) => Err(Failed::NotDocument(other.format())),
                        Err(e) => Err(Failed::Error(e.to_string())),
                    })
                    .collect()
            })
            .collect();
        // The first error in input order fails the input; what the others staged goes.
        let count: usize = results.iter().map(Vec::len).sum();
        let mut error = None;
        for r in results.into_iter().flatten() {
            match r {
                Ok(s) => staged.push(s),
                Err(e) if error.is_none() => {
                    // Whether the input holds several responses: known unless this is the
                    // first and the last one read.
                    let many = index > 0 || count > 1 || !end;
                    error = Some(match e {
                        Failed::Error(e) => e,
                        Failed::NotDocument(format) => {
                            not_a_parse_result(&name, many, index, format)
                        }
                    });
                }
                Err(_) => {}
            }
            index += 1;
        }
        if let Some(e) = error {
            remove(&staged);
            return Err(e);
        }
    }
    if let Some(e) = lines.finish() {
        return Err(e.to_string());
    }
    let many = staged.len() > 1;
    let mut written = Written::default();
    let mut staged = staged.into_iter().enumerate();
    while let Some((i, s)) = staged.next() {
        let rel = if many {
            format!("{}/{}", input.key, i + 1)
        } else {
            input.key.clone()
        };
        if let Err(e) = place_document(ctx, &s.dir, &rel) {
            let rest: Vec<Staged> = staged.map(|(_, s)| s).collect();
            remove(&rest);
            return Err(e);
        }
        written.stats.push(s.stats);
        written.notes.extend(s.notes);
        written.outputs.push(rel);
    }
    Ok(written)
}

/// Converts a large input page by page; `Ok(None)` when its shape cannot be streamed.
fn convert_streamed(
    ctx: &Ctx<'_>,
    input: &Input,
    path: &Path,
    done: &AtomicU64,
) -> std::result::Result<Option<(ConvertStats, Vec<String>)>, String> {
    let name = input.display();
    let lazy = match LazyDocument::index_file(path, Some(&name)) {
        Ok(l) => l,
        // Arrays at the top (v1 lists), JSON Lines, job listings: load whole.
        Err(e) if e.kind == ErrorKind::Shape => return Ok(None),
        Err(e) => return Err(e.to_string()),
    };
    let mut probe = lazy.assemble(Vec::new());
    probe.warnings = lazy.warnings.clone();
    let (opts, notes) = options_for(ctx, &probe);
    // Batches are read in runs straight into their buffers: no BufReader in between.
    let file = File::open(path).map_err(|e| format!("{name}: cannot read: {e}"))?;
    let mut reader = Counted::new(file, ctx, input, done);
    let mut unchecked = false;
    let first = write_document(ctx, &input.key, |sink| {
        convert_lazy(&lazy, &mut reader, &opts, sink).map_err(|e| {
            unchecked = matches!(e, ConvertError::Unchecked(_));
            e.to_string()
        })
    });
    let stats = match first {
        // Page boundaries were taken on trust and a page failed to parse: check them all, and
        // convert again (the first attempt's files are already gone).
        Err(_) if unchecked => {
            let exact =
                LazyDocument::index_file_exact(path, Some(&name)).map_err(|e| e.to_string())?;
            write_document(ctx, &input.key, |sink| {
                convert_lazy(&exact, &mut reader, &opts, sink).map_err(|e| e.to_string())
            })?
        }
        r => r?,
    };
    Ok(Some((stats, notes)))
}

/// The convert options for one document: markdown and text options layered as the
/// `markdown`/`text` commands layer them, plus convert's own flags.
fn options_for(ctx: &Ctx<'_>, doc: &Document) -> (ConvertOptions, Vec<String>) {
    let (markdown, mut notes) = ctx.layers_md.for_doc::<Markdown>(doc);
    let (text, text_notes) = ctx.layers_text.for_doc::<Text>(doc);
    notes.extend(text_notes);
    let args = ctx.args;
    let has = |o: OutputArg| args.to.contains(&o);
    let mut opts = ConvertOptions {
        outputs: Outputs {
            markdown: has(OutputArg::Markdown),
            text: has(OutputArg::Text),
            tables: has(OutputArg::Tables),
            elements: has(OutputArg::Elements),
        },
        markdown,
        text,
        elements_format: if args.elements_jsonl {
            ElementsFormat::Jsonl
        } else {
            ElementsFormat::Json
        },
        ..ConvertOptions::default()
    };
    opts.tables.stitch = args.stitch;
    opts.tables.delimiter = args.delimiter;
    let mut lines: Vec<String> = notes.iter().map(Warning::to_string).collect();
    lines.dedup();
    (opts, lines)
}

/// Runs `convert` into a temporary folder and, when it succeeds, puts the folder in place of
/// `OUT/<rel>` (the old one is removed only then); on failure the temporary folder goes.
fn write_document(
    ctx: &Ctx<'_>,
    rel: &str,
    convert: impl FnOnce(&mut dyn Sink) -> std::result::Result<ConvertStats, String>,
) -> std::result::Result<ConvertStats, String> {
    let (tmp, stats) = stage_document(ctx, convert)?;
    place_document(ctx, &tmp, rel)?;
    Ok(stats)
}

/// Runs `convert` into a new temporary folder inside OUT and returns the folder; on failure
/// the folder goes.
fn stage_document(
    ctx: &Ctx<'_>,
    convert: impl FnOnce(&mut dyn Sink) -> std::result::Result<ConvertStats, String>,
) -> std::result::Result<(PathBuf, ConvertStats), String> {
    let out = &ctx.args.output;
    let n = ctx.tmp_counter.fetch_add(1, Ordering::Relaxed);
    let tmp = out.join(TMP).join(format!("{}-{n}", std::process::id()));
    let result = (|| -> std::result::Result<ConvertStats, String> {
        std::fs::create_dir_all(&tmp)
            .map_err(|e| format!("cannot create {}: {e}", tmp.display()))?;
        let mut sink = DirSink {
            dir: tmp.clone(),
            files: BTreeMap::new(),
        };
        let stats = convert(&mut sink)?;
        sink.close()
            .map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
        Ok(stats)
    })();
    match result {
        Ok(stats) => Ok((tmp, stats)),
        Err(e) => {
            let _ = std::fs::remove_dir_all(&tmp);
            Err(e)
        }
    }
}

/// Puts a staged folder in place of `OUT/<rel>`; on failure the staged folder goes.
fn place_document(ctx: &Ctx<'_>, tmp: &Path, rel: &str) -> std::result::Result<(), String> {
    let final_dir = ctx.args.output.join(rel);
    let result = (|| {
        if let Some(parent) = final_dir.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        replace_dir(tmp, &final_dir)
            .map_err(|e| format!("cannot move output to {}: {e}", final_dir.display()))
    })();
    if result.is_err() {
        let _ = std::fs::remove_dir_all(tmp);
    }
    result
}

/// Puts `new` where `dst` is: the old folder is moved aside first and removed last, so `dst`
/// is never a mix of the two.
fn replace_dir(new: &Path, dst: &Path) -> io::Result<()> {
    if dst.exists() {
        let aside = new.with_extension("old");
        std::fs::rename(dst, &aside)?;
        std::fs::rename(new, dst)?;
        std::fs::remove_dir_all(&aside)
    } else {
        std::fs::rename(new, dst)
    }
}

/// Writes a conversion's files into a folder. Files written batch by batch (the markdown,
/// text, elements and the tables index) stay open (buffered) until close; tables arrive whole
/// and are written at once, so thousands of tables never hold thousands of open files.
struct DirSink {
    dir: PathBuf,
    files: BTreeMap<OutFile, BufWriter<File>>,
}

impl Sink for DirSink {
    fn write(&mut self, file: &OutFile, bytes: &[u8]) -> io::Result<()> {
        if matches!(file, OutFile::Table(_)) {
            let path = self.dir.join(file.path());
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            return std::fs::write(path, bytes);
        }
        if !self.files.contains_key(file) {
            let path = self.dir.join(file.path());
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            self.files.insert(
                file.clone(),
                BufWriter::with_capacity(1 << 16, File::create(&path)?),
            );
        }
        self.files.get_mut(file).expect("inserted").write_all(bytes)
    }
}

impl DirSink {
    fn close(self) -> io::Result<()> {
        for (_, mut w) in self.files {
            w.flush()?;
        }
        Ok(())
    }
}

/// xxh3-128 of a file, read in chunks.
fn hash_file(path: &Path) -> io::Result<String> {
    hash_file_unless(path, &AtomicBool::new(false))
}

/// [`hash_file`], given up (an error) once `stop` is set.
fn hash_file_unless(path: &Path, stop: &AtomicBool) -> io::Result<String> {
    let mut file = File::open(path)?;
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    let mut buf = vec![0; 1 << 20];
    loop {
        if stop.load(Ordering::Relaxed) {
            return Err(io::Error::other("hashing given up"));
        }
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(format!("{:032x}", hasher.digest128()))
}

/// A file being hashed on a thread of its own while it converts. Dropped unfinished (the input
/// failed), the thread stops at its next chunk and is waited for, so failing inputs do not
/// leave threads reading files behind them.
struct PendingHash {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<io::Result<String>>>,
}

impl PendingHash {
    fn start(path: PathBuf) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::spawn(move || hash_file_unless(&path, &flag));
        PendingHash {
            stop,
            thread: Some(thread),
        }
    }

    /// The hash, once the thread has read the whole file.
    fn finish(mut self) -> io::Result<String> {
        match self.thread.take().map(std::thread::JoinHandle::join) {
            Some(Ok(hash)) => hash,
            _ => Err(io::Error::other("the hashing thread failed")),
        }
    }
}

impl Drop for PendingHash {
    fn drop(&mut self) {
        if let Some(t) = self.thread.take() {
            self.stop.store(true, Ordering::Relaxed);
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_taken_aside_is_the_hash_and_can_be_given_up() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("in.json");
        std::fs::write(&path, vec![b'x'; 3 << 20]).expect("write");
        let want = hash_file(&path).expect("hash");
        assert_eq!(want, hash_hex(&std::fs::read(&path).expect("read")));
        assert_eq!(
            PendingHash::start(path.clone()).finish().expect("hash"),
            want
        );
        // Given up: the thread stops before the next chunk.
        let stop = AtomicBool::new(true);
        assert!(hash_file_unless(&path, &stop).is_err());
        drop(PendingHash::start(path));
    }
}

#[cfg(test)]
mod leftover_tests {
    use super::*;

    #[test]
    fn leftovers_of_dead_runs_go_and_live_runs_keep_theirs() {
        let dir = tempfile::tempdir().unwrap();
        let (tmp, proc_dir) = (dir.path().join("tmp"), dir.path().join("proc"));
        std::fs::create_dir_all(proc_dir.join("41")).unwrap();
        for d in ["41-0", "42-0", "42-1.old"] {
            std::fs::create_dir_all(tmp.join(d).join("tables")).unwrap();
            std::fs::write(tmp.join(d).join("document.md"), "x").unwrap();
        }
        for f in [
            ".pagetree-stdin-42-Ab3x.json",
            ".pagetree-stdin-41-Zz9q.json",
            "notes",
        ] {
            std::fs::write(tmp.join(f), "x").unwrap();
        }
        assert_eq!(remove_leftovers(&tmp, &proc_dir), 3);
        let mut left: Vec<String> = std::fs::read_dir(&tmp)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, [".pagetree-stdin-41-Zz9q.json", "41-0", "notes"]);
        // No `/proc`: nothing is judged.
        assert_eq!(remove_leftovers(&tmp, &dir.path().join("none")), 0);
        assert_eq!(
            owner_pid(&format!("{}-7", std::process::id())),
            Some(std::process::id())
        );
    }
}

#[cfg(test)]
mod progress_tests {
    use std::io::{IoSliceMut, Read, Seek, SeekFrom};

    use indicatif::{ProgressBar, ProgressDrawTarget};

    use super::*;

    #[test]
    fn reading_moves_the_bar_up_to_the_input_size() {
        let bar = ProgressBar::with_draw_target(Some(100), ProgressDrawTarget::hidden());
        let done = AtomicU64::new(0);
        let data: Vec<u8> = (0..64).collect();
        let mut r = Counted {
            inner: io::Cursor::new(&data[..]),
            bar: &bar,
            done: &done,
            size: 40,
        };
        let mut buf = [0u8; 16];
        r.read_exact(&mut buf).unwrap();
        assert_eq!((bar.position(), done.load(Ordering::Relaxed)), (16, 16));
        let (mut a, mut b) = ([0u8; 8], [0u8; 8]);
        let n = r
            .read_vectored(&mut [IoSliceMut::new(&mut a), IoSliceMut::new(&mut b)])
            .unwrap();
        assert_eq!((n, a[0], b[0]), (16, 16, 24));
        assert_eq!(bar.position(), 32);
        // Read again from the start (a page read twice): counts stop at the size.
        r.seek(SeekFrom::Start(0)).unwrap();
        let mut all = Vec::new();
        r.read_to_end(&mut all).unwrap();
        assert_eq!(all, data);
        assert_eq!((bar.position(), done.load(Ordering::Relaxed)), (40, 40));
    }
}
