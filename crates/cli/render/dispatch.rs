//! Running a writer over every input: whole inputs in parallel batches, large ones page by
//! page, JSON Lines a chunk of lines at a time, and `per_document` for the other commands.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use pagetree_convert::{ConvertError, convert_reader};
use pagetree_convert::{Rendered, Warning};
use pagetree_model::{
    Document, ErrorKind, Loaded, ReadOptions, Reader, file_is_json_lines, is_json_lines,
};
use rayon::prelude::*;

use crate::Outcome;
use crate::args::{RenderArgs, StreamArg};
use crate::inplace::InPlace;
use crate::input::{read_input, read_input_with, read_stdin_with};
use crate::output::{SyncGroup, write_atomic};
use crate::spool::{self, Stdin};

use super::lines::render_lines;
use super::options::*;
use super::output::*;
use super::{BATCH, Writer};

/// One document rendered, or why not.
pub(super) struct Done {
    pub(super) input: usize,
    pub(super) label: String,
    pub(super) result: Result<(Rendered, Vec<Warning>), String>,
}

/// Inputs this large or larger are converted page by page with bounded memory (unless
/// --per-page asks for every page at once). Measured on generated responses, page by page is
/// already faster from a few MB (9 MB: 0.05 s against 0.09 s; 31 MB: 0.14 s against 0.25 s),
/// since it reads fewer fields and overlaps reading with rendering.
pub const STREAM_THRESHOLD: u64 = 8 << 20;

/// Runs a writer over every input. `flags` applies the writer's own explicit flags.
pub fn run<W: Writer>(a: &RenderArgs, flags: impl Fn(&mut W::Options) + Sync) -> Result<Outcome> {
    let layers = OptionLayers::new(&a.pages, flags)?;
    let dest = Dest::new(a)?;
    let render = |doc: &Document, label: &str| -> Result<(Rendered, Vec<Warning>), String> {
        let (mut o, notes) = layers.for_doc::<W>(doc);
        past_end::<W>(label, &mut o, doc.pages.iter().map(|p| p.number))?;
        Ok((W::render(doc, &o), notes))
    };
    // Standard input is read once, before anything else: whole while small, else copied to a
    // temporary file and streamed from there like a large file (see `spool`).
    let stdin = if a.files.iter().any(|f| f.as_os_str() == "-") {
        // One page per file needs the whole document: never spooled.
        let spool_at = if a.per_page {
            None
        } else {
            spool::spool_at(a.stream)
        };
        let taken = spool::take(io::stdin().lock(), spool_at, &std::env::temp_dir())
            .context("cannot read standard input")?;
        Some(taken.input)
    } else {
        None
    };
    let is_stdin = |f: &PathBuf| f.as_os_str() == "-";
    let big = |f: &PathBuf| {
        if is_stdin(f) {
            return matches!(stdin, Some(Stdin::Spooled(_)));
        }
        let file = !a.per_page;
        match a.stream {
            StreamArg::Never => false,
            StreamArg::Always => file && f.is_file(),
            StreamArg::Auto => file && f.metadata().is_ok_and(|m| m.len() >= STREAM_THRESHOLD),
        }
    };
    let options = whole_options::<W>(&layers);
    let read = |f: &PathBuf| match &stdin {
        Some(Stdin::Bytes(b)) if is_stdin(f) => read_stdin_with(b, options),
        _ => read_input_with(f, options),
    };

    let mut failed = 0usize;
    let mut names = Names::default();
    let mut out = Out::new(&dest)?;
    let mut rendered_any = false;
    // A run of small inputs, read and rendered in parallel.
    let render_batch = |range: Range<usize>| -> Vec<Vec<Done>> {
        a.files[range.clone()]
            .par_iter()
            .enumerate()
            .map(|(i, f)| {
                let input = range.start + i;
                read(f)
                    .into_iter()
                    .map(|(label, r)| {
                        let result = match r {
                            Ok(Loaded::Document(d)) => render(&d, &label),
                            Ok(other) => Err(format!(
                                "{label}: this is {} body, not a parse result; {}",
                                other.format().with_article(),
                                W::NONE
                            )),
                            Err(e) => Err(e.to_string()),
                        };
                        Done {
                            input,
                            label,
                            result,
                        }
                    })
                    .collect()
            })
            .collect()
    };
    let segments = segments(a.files.len(), |i| big(&a.files[i]));
    // The next batch, rendered while the one before it was written.
    let mut ready: Option<Vec<Vec<Done>>> = None;
    for (s, segment) in segments.iter().enumerate() {
        let range = match segment {
            Segment::Big(i) => {
                let f = &a.files[*i];
                let input = match &stdin {
                    Some(Stdin::Spooled(copy)) if is_stdin(f) => Streamed {
                        path: copy.path(),
                        label: "<stdin>".to_owned(),
                        stdin: true,
                        hold_lines: spool::hold_lines(a.stream),
                    },
                    _ => Streamed {
                        path: f,
                        label: f.display().to_string(),
                        stdin: false,
                        hold_lines: spool::hold_lines(a.stream),
                    },
                };
                match stream::<W>(&layers, &input, f, &dest, &mut names, &mut out) {
                    Ok(true) => rendered_any = true,
                    Ok(false) => failed += 1,
                    Err(e) => {
                        let _ = out.finish(false);
                        return Err(e);
                    }
                }
                continue;
            }
            Segment::Batch(range) => range.clone(),
        };
        let done = match ready.take() {
            Some(done) => done,
            None => render_batch(range),
        };
        // The next batch of small inputs renders on the pool while this thread writes this
        // one: writing (file creation, renames) no longer leaves the pool idle.
        let next = match segments.get(s + 1) {
            Some(Segment::Batch(r)) => Some(r.clone()),
            _ => None,
        };
        let mut written = Ok(());
        rayon::in_place_scope(|scope| {
            if let Some(next) = next {
                let (ready, render_batch) = (&mut ready, &render_batch);
                scope.spawn(move |_| *ready = Some(render_batch(next)));
            }
            written = (|| -> Result<()> {
                for docs in done {
                    let many = docs.len() > 1;
                    for (k, d) in docs.into_iter().enumerate() {
                        let (rendered, notes) = match d.result {
                            Ok(r) => r,
                            Err(e) => {
                                failed += 1;
                                io::stdout().lock().flush()?;
                                eprintln!("error: {e}");
                                continue;
                            }
                        };
                        rendered_any = true;
                        for w in notes.iter().chain(&rendered.warnings) {
                            eprintln!("warning: {}: {w}", d.label);
                        }
                        match &dest {
                            Dest::Stdout | Dest::File(_) => {
                                out.write(rendered.output.as_bytes())?
                            }
                            Dest::Dir(dir, sync) => {
                                let base = names.take(&a.files[d.input], many.then_some(k + 1));
                                write_dir::<W>(dir, sync, &base, &rendered, a.per_page)?;
                            }
                        }
                    }
                }
                Ok(())
            })();
        });
        written?;
        // This batch's files are made durable while the next one renders (with the batches
        // before it when the last commit was still running).
        dest.commit_in_background()?;
    }
    dest.commit()?;
    out.finish(rendered_any)?;
    Ok(if failed > 0 {
        Outcome::Partial
    } else {
        Outcome::Ok
    })
}

/// A stretch of the inputs: one large input streamed on its own, or a batch of small ones.
enum Segment {
    Big(usize),
    Batch(Range<usize>),
}

/// The inputs `0..n` cut into segments: each large input alone, the small ones between in
/// batches of at most [`BATCH`].
fn segments(n: usize, big: impl Fn(usize) -> bool) -> Vec<Segment> {
    let mut segments = Vec::new();
    let mut start = 0;
    while start < n {
        if big(start) {
            segments.push(Segment::Big(start));
            start += 1;
            continue;
        }
        let limit = n.min(start + BATCH);
        let end = (start..limit).find(|&i| big(i)).unwrap_or(limit);
        segments.push(Segment::Batch(start..end));
        start = end;
    }
    segments
}

/// A large input to stream: a file, or the temporary copy of standard input.
pub(super) struct Streamed<'a> {
    /// The file read.
    pub(super) path: &'a Path,
    /// The input's name in messages and outputs (`<stdin>` for the copy).
    pub(super) label: String,
    /// Whether this is the copy of standard input.
    pub(super) stdin: bool,
    /// The longest JSON Lines line held in memory; longer ones are streamed in place.
    pub(super) hold_lines: usize,
}

/// What reading a whole input for writer `W` may leave out. Unless the options come from each
/// response, they are the same for every document, and a whole read reads no more than the
/// streamed path reads for them ([`pagetree_convert::read_options`]); else only boxes are
/// left (markdown and text never read them).
pub(super) fn whole_options<W: Writer>(
    layers: &OptionLayers<impl Fn(&mut W::Options)>,
) -> ReadOptions {
    if layers.from_response {
        return ReadOptions::default().skip_boxes(true);
    }
    let (o, _) = layers.for_doc::<W>(&Document::default());
    pagetree_convert::read_options(&W::convert_options(o))
}

/// Renders one large input page by page into the output (`arg` is the input as given, which
/// names its output file). `Ok(false)`: the input failed (its error is printed). JSON Lines
/// go line by line ([`render_lines`]); other shapes that cannot be streamed (arrays at the
/// top) are rendered whole.
pub(super) fn stream<W: Writer>(
    layers: &OptionLayers<impl Fn(&mut W::Options) + Sync>,
    input: &Streamed<'_>,
    arg: &Path,
    dest: &Dest,
    names: &mut Names,
    out: &mut Out,
) -> Result<bool> {
    let (path, label) = (input.path, input.label.clone());
    // A file named as JSON Lines holds no single response to index.
    if is_json_lines(&[], Some(&label)) {
        return render_lines::<W>(layers, input, arg, dest, names, out);
    }
    let place = InPlace { path, line: None };
    let reader = match place.reader(&label) {
        Ok(r) => r,
        Err(e) if e.kind == ErrorKind::Shape => {
            match file_is_json_lines(path, None) {
                Ok(true) => return render_lines::<W>(layers, input, arg, dest, names, out),
                Ok(false) => {}
                Err(e) => return fail(format!("{label}: cannot read: {e}")),
            }
            // Not streamable: the ordinary path, for this one input.
            let options = whole_options::<W>(layers);
            let results = if input.stdin {
                std::fs::read(path).map(|bytes| read_stdin_with(&bytes, options))
            } else {
                Ok(read_input_with(path, options))
            };
            let results = match results {
                Ok(r) => r,
                Err(e) => return fail(format!("{label}: cannot read: {e}")),
            };
            let mut ok = true;
            for (label, r) in results {
                match r {
                    Ok(Loaded::Document(d)) => {
                        let (mut o, notes) = layers.for_doc::<W>(&d);
                        if let Err(e) =
                            past_end::<W>(&label, &mut o, d.pages.iter().map(|p| p.number))
                        {
                            ok = false;
                            eprintln!("error: {e}");
                            continue;
                        }
                        let rendered = W::render(&d, &o);
                        for w in notes.iter().chain(&rendered.warnings) {
                            eprintln!("warning: {label}: {w}");
                        }
                        match dest {
                            Dest::Dir(dir, sync) => {
                                let base = names.take(arg, None);
                                write_dir::<W>(dir, sync, &base, &rendered, false)?;
                            }
                            _ => out.write(rendered.output.as_bytes())?,
                        }
                    }
                    Ok(other) => {
                        ok = false;
                        eprintln!(
                            "error: {label}: this is {} body, not a parse result; {}",
                            other.format().with_article(),
                            W::NONE
                        );
                    }
                    Err(e) => {
                        ok = false;
                        eprintln!("error: {e}");
                    }
                }
            }
            return Ok(ok);
        }
        Err(e) => return fail(e.to_string()),
    };
    let target = match dest {
        Dest::Dir(dir, _) => Some(dir.join(format!("{}.{}", names.take(arg, None), W::EXT))),
        _ => None,
    };
    render_in_place::<W>(layers, place, reader, &label, target, dest, out)
}

/// Streams a JSON Lines line that was too long to hold (see [`render_in_place`]), into
/// `target()` when it renders; `Ok(None)` when its shape cannot be streamed.
pub(super) fn render_line_in_place<W: Writer>(
    layers: &OptionLayers<impl Fn(&mut W::Options) + Sync>,
    place: InPlace<'_>,
    target: impl FnOnce() -> Option<PathBuf>,
    dest: &Dest,
    out: &mut Out,
) -> Result<Option<bool>> {
    let Some(line) = place.line else {
        return Ok(None);
    };
    let name = line.name();
    match place.reader(&name) {
        Ok(reader) => {
            render_in_place::<W>(layers, place, reader, &name, target(), dest, out).map(Some)
        }
        Err(e) if e.kind == ErrorKind::Shape => Ok(None),
        Err(e) => fail(place.locate(e)).map(Some),
    }
}

/// Renders a response page by page from its bytes in place, into `target` (a file put in
/// place once whole) or the command's output. `Ok(false)` when it failed (the error printed).
pub(super) fn render_in_place<W: Writer>(
    layers: &OptionLayers<impl Fn(&mut W::Options) + Sync>,
    place: InPlace<'_>,
    mut reader: Reader,
    label: &str,
    target: Option<PathBuf>,
    dest: &Dest,
    out: &mut Out,
) -> Result<bool> {
    let (mut o, _) = layers.for_doc::<W>(&reader.outline());
    if let Some(e) = place.past_end(&reader, label, &W::pages(&mut o).selection) {
        return fail(e);
    }
    let opts = W::convert_options(o);
    // Whether pages of this input reached standard output (they cannot be taken back there).
    let mut printed = false;
    let result = match &target {
        Some(target) => {
            let tmp = temp_beside(target);
            let mut w = BufWriter::with_capacity(
                1 << 20,
                File::create(&tmp).with_context(|| format!("cannot write {}", tmp.display()))?,
            );
            let r = convert_reader(
                &mut reader,
                &opts,
                &mut OneFile {
                    want: W::OUT,
                    w: &mut w,
                },
            );
            let r = r.and_then(|s| {
                w.flush()?;
                match dest {
                    Dest::Dir(_, sync) => sync.rename_into_place(&tmp, target)?,
                    _ => crate::output::rename_into_place(w.get_ref(), &tmp, target)?,
                }
                Ok(s)
            });
            if r.is_err() {
                discard(&tmp, target);
            }
            r
        }
        None => {
            let mut adapter = OutWriter { out, wrote: 0 };
            let r = convert_reader(
                &mut reader,
                &opts,
                &mut OneFile {
                    want: W::OUT,
                    w: &mut adapter,
                },
            );
            printed |= adapter.wrote > 0;
            r
        }
    };
    match result {
        Ok(stats) => {
            // The notes on the options and the page lists are printed once the input has
            // converted, before its pages' warnings, as a whole read prints them (an input
            // that fails prints its error alone), and from the page lists as read to the end
            // (the reader may have had to index them again).
            let (_, notes) = layers.for_doc::<W>(&reader.outline());
            for w in &notes {
                eprintln!("warning: {label}: {w}");
            }
            for w in &stats.warnings {
                eprintln!("warning: {label}: {w}");
            }
            Ok(true)
        }
        Err(ConvertError::Io(e)) => {
            Err(e).with_context(|| format!("cannot write the output of {label}"))
        }
        // On standard output the pages before cannot be taken back: the whole command fails
        // (when nothing of this input was printed yet, it failed like any other input).
        Err(ConvertError::Load(e)) if matches!(dest, Dest::Stdout) && printed => {
            Err(anyhow::anyhow!("{}", place.locate(e)))
        }
        // Into a folder (its own file, removed) or an -o file (there is one input; nothing
        // rendered, so the file is not put in place): this input failed, the others go on.
        Err(ConvertError::Load(e)) => fail(place.locate(e).to_string()),
        Err(e) => fail(e.to_string()),
    }
}

/// The error for a `--pages` selection (in a writer's options) past the last page.
fn past_end<W: Writer>(
    label: &str,
    o: &mut W::Options,
    pages: impl ExactSizeIterator<Item = u32> + Clone,
) -> std::result::Result<(), String> {
    match crate::input::pages_past_end(label, &W::pages(o).selection, pages) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Reports an input that failed, after what was printed before it: `Ok(false)`, the others go
/// on.
pub(super) fn fail(e: impl std::fmt::Display) -> Result<bool> {
    let _ = io::stdout().lock().flush();
    eprintln!("error: {e}");
    Ok(false)
}

/// One document turned into bytes, with the warnings to print; or why not.
pub type DocOutput = std::result::Result<(Vec<u8>, Vec<String>), String>;

/// Runs `convert` on every document of every input, inputs in parallel, and writes the bytes
/// in input order: to standard output, to `-o FILE` (atomically, only when something was
/// converted), or with several inputs, an existing directory or a trailing `/` to
/// `DIR/<name>.<ext>`. `convert` gets each document and its label; other bodies (job
/// listings...) fail with `<label>: this is a … body, not a parse result`; `none`.
pub fn per_document(
    a: &RenderArgs,
    ext: &str,
    none: &str,
    convert: impl Fn(&Document, &str) -> DocOutput + Sync,
) -> Result<Outcome> {
    let to_dir = a
        .output
        .as_ref()
        .filter(|p| a.files.len() > 1 || p.is_dir() || p.to_string_lossy().ends_with(['/', '\\']));
    let done: Vec<Vec<(String, DocOutput)>> = a
        .files
        .par_iter()
        .map(|f| {
            read_input(f)
                .into_iter()
                .map(|(label, r)| {
                    let result = match r {
                        Ok(Loaded::Document(doc)) => convert(&doc, &label),
                        Ok(other) => Err(format!(
                            "{label}: this is {} body, not a parse result; {none}",
                            other.format().with_article()
                        )),
                        Err(e) => Err(e.to_string()),
                    };
                    (label, result)
                })
                .collect()
        })
        .collect();

    let mut failed = 0usize;
    let mut names = Names::default();
    let sync = SyncGroup::new();
    let mut single = Vec::new();
    let mut wrote_any = false;
    let mut stdout = io::stdout().lock();
    for (input, docs) in done.into_iter().enumerate() {
        let many = docs.len() > 1;
        for (k, (label, result)) in docs.into_iter().enumerate() {
            let (bytes, notes) = match result {
                Ok(r) => r,
                Err(e) => {
                    failed += 1;
                    stdout.flush()?;
                    eprintln!("error: {e}");
                    continue;
                }
            };
            for w in &notes {
                eprintln!("warning: {label}: {w}");
            }
            wrote_any = true;
            match (&a.output, to_dir) {
                (_, Some(dir)) => {
                    let base = names.take(&a.files[input], many.then_some(k + 1));
                    let path = dir.join(format!("{base}.{ext}"));
                    sync.write(&path, &bytes)
                        .with_context(|| format!("cannot write {}", path.display()))?;
                }
                (Some(_), None) => single.extend_from_slice(&bytes),
                (None, None) => stdout.write_all(&bytes)?,
            }
        }
    }
    if let Some(dir) = to_dir {
        sync.commit()
            .with_context(|| format!("cannot sync the files written in {}", dir.display()))?;
    }
    if let (Some(path), None, true) = (&a.output, to_dir, wrote_any) {
        write_atomic(path, &single).with_context(|| format!("cannot write {}", path.display()))?;
    }
    stdout.flush()?;
    Ok(if failed > 0 {
        Outcome::Partial
    } else {
        Outcome::Ok
    })
}
