//! What `markdown` and `text` share: validating the page arguments into option structs,
//! layering the API's parameters under explicit flags, rendering inputs in parallel, and
//! writing to standard output, a file or a directory.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::{self, BufWriter, Seek, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use pagetree_convert::pages::PageOptions;
use pagetree_convert::{ConvertError, ConvertOptions, OutFile, Sink, convert_lazy};
use pagetree_convert::{FailedPageMode, FurnitureMode, PageSelection, Rendered, Source, Warning};
use pagetree_model::{
    Document, ErrorKind, LazyDocument, Loaded, Projection, file_is_json_lines, is_json_lines,
};
use rayon::prelude::*;
use serde_json::{Map, Value};

use crate::Outcome;
use crate::args::{FailedArg, FromArg, FurnitureArg, PageArgs, RenderArgs, StreamArg};
use crate::inplace::InPlace;
use crate::input::{read_input, read_stdin};
use crate::output::write_atomic;
use crate::spool::{self, Stdin};

mod lines;

use lines::render_lines;

/// A writer the shared driver can run.
pub trait Writer {
    /// Its options.
    type Options: Default + Sync;
    /// The output files' extension.
    const EXT: &'static str;
    /// What an input that is not a parse result lacks, for its error.
    const NONE: &'static str = "nothing to render";
    /// Applies API parameters (see `MarkdownOptions::apply_parameters`).
    fn apply_parameters(opts: &mut Self::Options, params: &Map<String, Value>) -> Vec<Warning>;
    /// The page options inside its options.
    fn pages(opts: &mut Self::Options) -> &mut PageOptions;
    /// Renders one document.
    fn render(doc: &Document, opts: &Self::Options) -> Rendered;
    /// The file a page-by-page conversion writes for this writer.
    const OUT: OutFile;
    /// Conversion options that write only this writer's output, with these options.
    fn convert_options(opts: Self::Options) -> ConvertOptions;
}

/// Inputs rendered at once: enough to keep every core busy, few enough to bound memory.
const BATCH: usize = 64;

/// Turns `\n`, `\t`, `\r` and `\\` into the characters they name, so separators can be typed
/// in a shell; any other backslash is kept.
pub fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('\\') => out.push('\\'),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// The page flags, validated: applied over whatever the parameters set.
#[derive(Debug, Default)]
struct PageFlags {
    source: Option<Source>,
    selection: Option<PageSelection>,
    separator: Option<String>,
    prefix: Option<String>,
    suffix: Option<String>,
    headers: Option<FurnitureMode>,
    footers: Option<FurnitureMode>,
    failed: Option<FailedPageMode>,
    failed_prefix: Option<String>,
    failed_suffix: Option<String>,
}

fn furniture_flag(
    name: &str,
    mode: Option<FurnitureArg>,
    prefix: Option<&String>,
    suffix: Option<&String>,
) -> Result<Option<FurnitureMode>> {
    let wrap = prefix.is_some() || suffix.is_some();
    Ok(match (mode, wrap) {
        (Some(FurnitureArg::Hide), true) => {
            bail!("--{name}s hide cannot be combined with --{name}-prefix/--{name}-suffix")
        }
        (Some(FurnitureArg::Hide), false) => Some(FurnitureMode::Hide),
        (_, true) => Some(FurnitureMode::Wrap {
            prefix: prefix.map(|s| unescape(s)).unwrap_or_default(),
            suffix: suffix.map(|s| unescape(s)).unwrap_or_default(),
        }),
        (Some(FurnitureArg::Keep), false) => Some(FurnitureMode::Keep),
        (None, false) => None,
    })
}

impl PageFlags {
    fn new(a: &PageArgs) -> Result<Self> {
        let esc = |s: &Option<String>| s.as_deref().map(unescape);
        Ok(PageFlags {
            source: a.from.map(|f| match f {
                FromArg::Items => Source::Items,
                FromArg::Server => Source::Server,
            }),
            selection: a
                .pages
                .as_deref()
                .map(str::parse)
                .transpose()
                .context("invalid --pages")?,
            separator: esc(&a.page_separator),
            prefix: esc(&a.page_prefix),
            suffix: esc(&a.page_suffix),
            headers: furniture_flag(
                "header",
                a.headers,
                a.header_prefix.as_ref(),
                a.header_suffix.as_ref(),
            )?,
            footers: furniture_flag(
                "footer",
                a.footers,
                a.footer_prefix.as_ref(),
                a.footer_suffix.as_ref(),
            )?,
            failed: a.failed_pages.map(|f| match f {
                FailedArg::RawText => FailedPageMode::RawText,
                FailedArg::Blank => FailedPageMode::Blank,
                FailedArg::ErrorMessage => FailedPageMode::ErrorMessage,
            }),
            failed_prefix: esc(&a.failed_page_prefix),
            failed_suffix: esc(&a.failed_page_suffix),
        })
    }

    fn apply(&self, o: &mut PageOptions) {
        fn set<T: Clone>(slot: &mut T, v: &Option<T>) {
            if let Some(v) = v {
                *slot = v.clone();
            }
        }
        set(&mut o.source, &self.source);
        set(&mut o.selection, &self.selection);
        set(&mut o.separator, &self.separator);
        set(&mut o.prefix, &self.prefix);
        set(&mut o.suffix, &self.suffix);
        set(&mut o.headers, &self.headers);
        set(&mut o.footers, &self.footers);
        set(&mut o.failed, &self.failed);
        set(&mut o.failed_prefix, &self.failed_prefix);
        set(&mut o.failed_suffix, &self.failed_suffix);
    }
}

/// Reads `--options-from FILE`: a batch-results body (its first parse job's `parameters`), a
/// response with `raw_parameters`, an object with `parameters`, or an object of options.
fn load_params(path: &Path) -> Result<Map<String, Value>> {
    let show = path.display();
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {show}"))?;
    let root: Value = serde_json::from_slice(&bytes)
        .with_context(|| format!("{show}: not JSON (--options-from needs a JSON object)"))?;
    let Value::Object(obj) = &root else {
        bail!("{show}: --options-from needs a JSON object");
    };
    if obj.contains_key("processing_results") {
        let name = show.to_string();
        let loaded = pagetree_model::load_all(&bytes, Some(&name));
        if let Some(Ok(Loaded::BatchResults(b))) = loaded.into_iter().next() {
            return b.parse_parameters().cloned().with_context(|| {
                format!("{show}: no parse job parameters in these batch results")
            });
        }
    }
    for key in ["raw_parameters", "parameters"] {
        if let Some(Value::Object(m)) = obj.get(key) {
            return Ok(m.clone());
        }
    }
    Ok(obj.clone())
}

/// Where output goes.
#[derive(Debug)]
enum Dest {
    Stdout,
    File(PathBuf),
    Dir(PathBuf),
}

impl Dest {
    fn new(a: &RenderArgs) -> Result<Self> {
        let Some(path) = &a.output else {
            return Ok(Dest::Stdout);
        };
        let trailing = path.as_os_str().to_string_lossy().ends_with(['/', '\\']);
        if a.per_page || a.files.len() > 1 || path.is_dir() || trailing {
            std::fs::create_dir_all(path)
                .with_context(|| format!("cannot create directory {}", path.display()))?;
            Ok(Dest::Dir(path.clone()))
        } else {
            Ok(Dest::File(path.clone()))
        }
    }
}

/// One document rendered, or why not.
struct Done {
    input: usize,
    label: String,
    result: Result<(Rendered, Vec<Warning>), String>,
}

/// The layers of a writer's options for one document: defaults, then the response's
/// `raw_parameters` (with --options-from-response), then --options-from FILE, then explicit
/// flags. Validated once, before any work starts.
pub struct OptionLayers<F> {
    pages: PageFlags,
    file_params: Option<Map<String, Value>>,
    from_response: bool,
    flags: F,
}

impl<F> OptionLayers<F> {
    /// Validates the shared arguments; `flags` applies the writer's own explicit flags.
    pub fn new(a: &PageArgs, flags: F) -> Result<Self> {
        Ok(OptionLayers {
            pages: PageFlags::new(a)?,
            file_params: a.options_from.as_deref().map(load_params).transpose()?,
            from_response: a.options_from_response,
            flags,
        })
    }

    /// The options for one document, with notes about how they were chosen.
    pub fn for_doc<W: Writer>(&self, doc: &Document) -> (W::Options, Vec<Warning>)
    where
        F: Fn(&mut W::Options),
    {
        let mut o = W::Options::default();
        // Where the loader chose between copies of a page or guessed a number, the output
        // shows that choice; its other notes (lists out of order...) do not change the output.
        let mut notes: Vec<Warning> = doc
            .warnings
            .iter()
            .filter(|w| matches!(w.code, "duplicate_page" | "missing_page_number"))
            .map(|w| Warning::doc(w.code, w.to_string()))
            .collect();
        if self.from_response {
            match &doc.response.raw_parameters {
                Some(p) => notes.extend(W::apply_parameters(&mut o, p)),
                None => notes.push(Warning::doc(
                    "no_parameters",
                    "the response has no raw_parameters; --options-from-response applies nothing",
                )),
            }
        }
        if let Some(p) = &self.file_params {
            notes.extend(W::apply_parameters(&mut o, p));
        }
        self.pages.apply(W::pages(&mut o));
        (self.flags)(&mut o);
        (o, notes)
    }
}

/// What markdown and text need not read.
const SKIP_BOXES: Projection = Projection {
    skip: &["bbox", "bBox"],
    markdown_only: false,
};

/// Inputs this large or larger are converted page by page with bounded memory (unless
/// --per-page asks for every page at once). Measured on generated responses, page by page is
/// already faster from a few MB (9 MB: 0.05 s against 0.09 s; 31 MB: 0.14 s against 0.25 s),
/// since it reads fewer fields and overlaps reading with rendering.
pub const STREAM_THRESHOLD: u64 = 8 << 20;

/// Where rendered output goes while the command runs: standard output, or a temporary file
/// that replaces the -o file at the end (only when something was rendered into it).
enum Out {
    /// Standard output; `file` when it is a regular file (`> out.md`), where what was written
    /// can be cut back ([`Out::mark`]).
    Stdout {
        file: Option<File>,
    },
    File {
        tmp: PathBuf,
        path: PathBuf,
        w: BufWriter<File>,
    },
    Dir,
}

impl Out {
    fn new(dest: &Dest) -> Result<Self> {
        Ok(match dest {
            Dest::Stdout => Out::Stdout {
                file: stdout_file(),
            },
            Dest::Dir(_) => Out::Dir,
            Dest::File(path) => {
                let tmp = temp_beside(path);
                let f = File::create(&tmp)
                    .with_context(|| format!("cannot write {}", tmp.display()))?;
                Out::File {
                    tmp,
                    path: path.clone(),
                    w: BufWriter::with_capacity(1 << 20, f),
                }
            }
        })
    }

    fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        match self {
            Out::Stdout { .. } => io::stdout().lock().write_all(bytes),
            Out::File { w, .. } => w.write_all(bytes),
            Out::Dir => Ok(()),
        }
    }

    /// Where the next input's output starts, when what is written from here on can be thrown
    /// away ([`Out::restart`]): always in an output file (it holds one input), on standard
    /// output only when that is a regular file that ends where it is written (`>`, or `>>`
    /// to an empty file); a pipe or terminal cannot be taken back.
    fn mark(&mut self) -> Option<u64> {
        match self {
            Out::Stdout { file: Some(f) } => {
                io::stdout().lock().flush().ok()?;
                let at = f.stream_position().ok()?;
                (f.metadata().ok()?.len() == at).then_some(at)
            }
            Out::Stdout { file: None } | Out::Dir => None,
            Out::File { .. } => Some(0),
        }
    }

    /// Throws away what was written since `mark`, to write it again.
    fn restart(&mut self, mark: u64) -> io::Result<()> {
        match self {
            Out::File { tmp, w, .. } => {
                let fresh = BufWriter::with_capacity(1 << 20, File::create(&*tmp)?);
                // Not a flush: the buffered bytes belong to the attempt being thrown away.
                let _ = std::mem::replace(w, fresh).into_parts();
            }
            Out::Stdout { file: Some(f) } => {
                // Standard output's buffer cannot be emptied but into the file; cut after.
                io::stdout().lock().flush()?;
                f.set_len(mark)?;
                f.seek(io::SeekFrom::Start(mark))?;
            }
            Out::Stdout { file: None } | Out::Dir => {}
        }
        Ok(())
    }

    /// Puts the file in place when something was rendered, else removes it (a file is never
    /// left empty, or half written, by failures).
    fn finish(self, rendered_any: bool) -> Result<()> {
        match self {
            Out::Stdout { .. } => io::stdout().lock().flush()?,
            Out::Dir => {}
            Out::File { tmp, path, mut w } => {
                let done = if rendered_any {
                    w.flush().and_then(|()| std::fs::rename(&tmp, &path))
                } else {
                    Ok(())
                };
                drop(w);
                if !rendered_any || done.is_err() {
                    let _ = std::fs::remove_file(&tmp);
                }
                done.with_context(|| format!("cannot write {}", path.display()))?;
            }
        }
        Ok(())
    }
}

/// Standard output as a file, when it is a regular one. (The handle shares standard output's
/// file position: seeking it moves where standard output writes.)
#[cfg(unix)]
fn stdout_file() -> Option<File> {
    use std::os::fd::AsFd;
    let f = File::from(io::stdout().as_fd().try_clone_to_owned().ok()?);
    f.metadata().ok()?.is_file().then_some(f)
}

#[cfg(not(unix))]
fn stdout_file() -> Option<File> {
    None
}

/// A temporary name in the same folder as `path` (so the final rename stays on one file
/// system).
fn temp_beside(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
}

/// Passes one writer's file of a conversion on to a byte sink.
struct OneFile<'a> {
    want: OutFile,
    w: &'a mut (dyn Write + Send),
}

impl Sink for OneFile<'_> {
    fn write(&mut self, file: &OutFile, bytes: &[u8]) -> io::Result<()> {
        if *file == self.want {
            self.w.write_all(bytes)
        } else {
            Ok(())
        }
    }
}

/// Runs a writer over every input. `flags` applies the writer's own explicit flags.
pub fn run<W: Writer>(a: &RenderArgs, flags: impl Fn(&mut W::Options) + Sync) -> Result<Outcome> {
    let layers = OptionLayers::new(&a.pages, flags)?;
    let dest = Dest::new(a)?;
    let render = |doc: &Document| -> (Rendered, Vec<Warning>) {
        let (o, notes) = layers.for_doc::<W>(doc);
        (W::render(doc, &o), notes)
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
    let projection = whole_projection::<W>(&layers);
    let read = |f: &PathBuf| {
        projection.with(|| match &stdin {
            Some(Stdin::Bytes(b)) if is_stdin(f) => read_stdin(b),
            _ => read_input(f),
        })
    };

    let mut failed = 0usize;
    let mut names = Names::default();
    let mut out = Out::new(&dest)?;
    let mut rendered_any = false;
    let mut start = 0;
    while start < a.files.len() {
        if big(&a.files[start]) {
            let f = &a.files[start];
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
            start += 1;
            continue;
        }
        // A run of small inputs, rendered in parallel and written in order.
        let end = (start..a.files.len().min(start + BATCH))
            .find(|&i| big(&a.files[i]))
            .unwrap_or(a.files.len().min(start + BATCH));
        let done: Vec<Vec<Done>> =
            a.files[start..end]
                .par_iter()
                .enumerate()
                .map(|(i, f)| {
                    let input = start + i;
                    let results = read(f);
                    results
                    .into_iter()
                    .map(|(label, r)| {
                        let result = match r {
                            Ok(Loaded::Document(d)) => Ok(render(&d)),
                            Ok(other) => Err(format!(
                                "{label}: this is {} body, not a parse result; {}",
                                other.format().with_article(),
                                W::NONE
                            )),
                            Err(e) => Err(e.to_string()),
                        };
                        Done { input, label, result }
                    })
                    .collect()
                })
                .collect();
        start = end;
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
                    Dest::Stdout | Dest::File(_) => out.write(rendered.output.as_bytes())?,
                    Dest::Dir(dir) => {
                        let base = names.take(&a.files[d.input], many.then_some(k + 1));
                        write_dir::<W>(dir, &base, &rendered, a.per_page)?;
                    }
                }
            }
        }
    }
    out.finish(rendered_any)?;
    Ok(if failed > 0 {
        Outcome::Partial
    } else {
        Outcome::Ok
    })
}

/// A large input to stream: a file, or the temporary copy of standard input.
struct Streamed<'a> {
    /// The file read.
    path: &'a Path,
    /// The input's name in messages and outputs (`<stdin>` for the copy).
    label: String,
    /// Whether this is the copy of standard input.
    stdin: bool,
    /// The longest JSON Lines line held in memory; longer ones are streamed in place.
    hold_lines: usize,
}

/// What reading a whole input for writer `W` may leave out. Unless the options come from each
/// response, they are the same for every document, and a whole read reads no more than the
/// streamed path reads for them ([`pagetree_convert::projection`]); else only boxes are left.
fn whole_projection<W: Writer>(layers: &OptionLayers<impl Fn(&mut W::Options)>) -> Projection {
    if layers.from_response {
        return SKIP_BOXES;
    }
    let (o, _) = layers.for_doc::<W>(&Document::default());
    pagetree_convert::projection(&W::convert_options(o))
}

/// Renders one large input page by page into the output (`arg` is the input as given, which
/// names its output file). `Ok(false)`: the input failed (its error is printed). JSON Lines
/// go line by line ([`render_lines`]); other shapes that cannot be streamed (arrays at the
/// top) are rendered whole.
fn stream<W: Writer>(
    layers: &OptionLayers<impl Fn(&mut W::Options) + Sync>,
    input: &Streamed<'_>,
    arg: &Path,
    dest: &Dest,
    names: &mut Names,
    out: &mut Out,
) -> Result<bool> {
    let (path, label) = (input.path, input.label.clone());
    // Pages written to a pipe or terminal cannot be taken back, so there every page boundary
    // is checked before the first page is written; elsewhere an input whose boundaries were
    // taken on trust is converted again if a page fails to parse (see
    // `LazyDocument::index_file`), over what it wrote.
    let mark = out.mark();
    let exact = matches!(dest, Dest::Stdout) && mark.is_none();
    // A file named as JSON Lines holds no single response to index.
    if is_json_lines(&[], Some(&label)) {
        return render_lines::<W>(layers, input, arg, dest, names, out);
    }
    let place = InPlace { path, line: None };
    let lazy = match place.index(&label, exact) {
        Ok(l) => l,
        Err(e) if e.kind == ErrorKind::Shape => {
            match file_is_json_lines(path, None) {
                Ok(true) => return render_lines::<W>(layers, input, arg, dest, names, out),
                Ok(false) => {}
                Err(e) => return fail(format!("{label}: cannot read: {e}")),
            }
            // Not streamable: the ordinary path, for this one input.
            let results = whole_projection::<W>(layers).with(|| {
                if !input.stdin {
                    return Ok(read_input(path));
                }
                std::fs::read(path).map(|bytes| read_stdin(&bytes))
            });
            let results = match results {
                Ok(r) => r,
                Err(e) => return fail(format!("{label}: cannot read: {e}")),
            };
            let mut ok = true;
            for (label, r) in results {
                match r {
                    Ok(Loaded::Document(d)) => {
                        let (o, notes) = layers.for_doc::<W>(&d);
                        let rendered = W::render(&d, &o);
                        for w in notes.iter().chain(&rendered.warnings) {
                            eprintln!("warning: {label}: {w}");
                        }
                        match dest {
                            Dest::Dir(dir) => {
                                let base = names.take(arg, None);
                                write_dir::<W>(dir, &base, &rendered, false)?;
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
        Dest::Dir(dir) => Some(dir.join(format!("{}.{}", names.take(arg, None), W::EXT))),
        _ => None,
    };
    render_in_place::<W>(layers, place, lazy, &label, target, dest, out, mark)
}

/// Streams a JSON Lines line that was too long to hold (see [`render_in_place`]), into
/// `target()` when it renders; `Ok(None)` when its shape cannot be streamed.
fn render_line_in_place<W: Writer>(
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
    let mark = out.mark();
    let exact = matches!(dest, Dest::Stdout) && mark.is_none();
    match place.index(&name, exact) {
        Ok(lazy) => {
            render_in_place::<W>(layers, place, lazy, &name, target(), dest, out, mark).map(Some)
        }
        Err(e) if e.kind == ErrorKind::Shape => Ok(None),
        Err(e) => fail(place.locate(e)).map(Some),
    }
}

/// Renders an indexed response page by page from its bytes in place, into `target` (a file
/// put in place once whole) or the command's output (`mark`: where it stood before, to cut back
/// to when the page boundaries must be checked and the pages rendered again). `Ok(false)`
/// when it failed (the error printed).
#[allow(clippy::too_many_arguments)]
fn render_in_place<W: Writer>(
    layers: &OptionLayers<impl Fn(&mut W::Options) + Sync>,
    place: InPlace<'_>,
    lazy: LazyDocument,
    label: &str,
    target: Option<PathBuf>,
    dest: &Dest,
    out: &mut Out,
    mark: Option<u64>,
) -> Result<bool> {
    let mut probe = lazy.assemble(Vec::new());
    probe.warnings = lazy.warnings.clone();
    // The notes on the options and the page lists are printed once the input has converted,
    // before its pages' warnings, as a whole read prints them: an input that fails prints
    // its error alone.
    let (o, notes) = layers.for_doc::<W>(&probe);
    let opts = W::convert_options(o);
    // Batches are read in runs straight into their buffers: no BufReader in between.
    let mut reader = place
        .open()
        .with_context(|| format!("cannot read {label}"))?;
    // Whether pages of this input reached standard output (they cannot be taken back there).
    let mut printed = false;
    let mut convert = |lazy: &LazyDocument, out: &mut Out| -> Result<_> {
        Ok(match &target {
            Some(target) => {
                let tmp = temp_beside(target);
                let mut w = BufWriter::with_capacity(
                    1 << 20,
                    File::create(&tmp)
                        .with_context(|| format!("cannot write {}", tmp.display()))?,
                );
                let r = convert_lazy(
                    lazy,
                    &mut reader,
                    &opts,
                    &mut OneFile {
                        want: W::OUT,
                        w: &mut w,
                    },
                );
                let r = r.and_then(|s| {
                    w.flush()?;
                    std::fs::rename(&tmp, target)?;
                    Ok(s)
                });
                if r.is_err() {
                    let _ = std::fs::remove_file(&tmp);
                }
                r
            }
            None => {
                let mut adapter = OutWriter { out, wrote: 0 };
                let r = convert_lazy(
                    lazy,
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
        })
    };
    let mut result = convert(&lazy, out)?;
    if matches!(result, Err(ConvertError::Unchecked(_))) {
        result = match place.index(label, true) {
            Ok(exact) => {
                if let (None, Some(mark)) = (&target, mark) {
                    out.restart(mark)?;
                }
                convert(&exact, out)?
            }
            Err(e) => Err(ConvertError::Load(e)),
        };
    }
    match result {
        Ok(stats) => {
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
        Err(ConvertError::Load(e) | ConvertError::Unchecked(e)) => {
            fail(place.locate(e).to_string())
        }
    }
}

/// Reports an input that failed, after what was printed before it: `Ok(false)`, the others go
/// on.
fn fail(e: impl std::fmt::Display) -> Result<bool> {
    let _ = io::stdout().lock().flush();
    eprintln!("error: {e}");
    Ok(false)
}

/// `Write` over the command's output.
struct OutWriter<'a> {
    out: &'a mut Out,
    /// Bytes written through it.
    wrote: u64,
}

impl Write for OutWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.out.write(buf)?;
        self.wrote += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Writes one document into the output directory: one file, or one per page.
fn write_dir<W: Writer>(dir: &Path, base: &str, r: &Rendered, per_page: bool) -> Result<()> {
    let write = |name: String, text: &str| {
        let path = dir.join(name);
        write_atomic(&path, text.as_bytes())
            .with_context(|| format!("cannot write {}", path.display()))
    };
    if !per_page {
        return write(format!("{base}.{}", W::EXT), &r.output);
    }
    let width = r
        .pages
        .iter()
        .map(|p| p.number.to_string().len())
        .max()
        .unwrap_or(1)
        .max(3);
    for p in &r.pages {
        write(
            format!("{base}.page-{:0width$}.{}", p.number, W::EXT),
            r.page_text(p),
        )?;
    }
    Ok(())
}

/// Output base names, unique across inputs.
#[derive(Default)]
pub struct Names {
    used: BTreeSet<String>,
}

impl Names {
    /// `<input stem>` (`-<k>` for the k-th document of a multi-document input), made unique
    /// with `-2`, `-3`... when two inputs share a stem.
    /// A unique output base name for `input` (and its `k`-th document, when it holds several).
    pub fn take(&mut self, input: &Path, k: Option<usize>) -> String {
        let stem = match input.file_stem().map(|s| s.to_string_lossy()) {
            Some(s) if s != "-" => s.into_owned(),
            _ => "stdin".to_owned(),
        };
        let base = match k {
            Some(k) => format!("{stem}-{k}"),
            None => stem,
        };
        let mut name = base.clone();
        let mut n = 1;
        while !self.used.insert(name.clone()) {
            n += 1;
            name = format!("{base}-{n}");
        }
        name
    }
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
                    write_atomic(&path, &bytes)
                        .with_context(|| format!("cannot write {}", path.display()))?;
                }
                (Some(_), None) => single.extend_from_slice(&bytes),
                (None, None) => stdout.write_all(&bytes)?,
            }
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_are_understood() {
        assert_eq!(unescape(r"\n---\n"), "\n---\n");
        assert_eq!(unescape(r"a\tb\\n\q"), "a\tb\\n\\q");
        assert_eq!(unescape("x\\"), "x\\");
    }

    #[test]
    fn output_names_are_unique() {
        let mut n = Names::default();
        assert_eq!(n.take(Path::new("a/report.json"), None), "report");
        assert_eq!(n.take(Path::new("b/report.json"), None), "report-2");
        assert_eq!(n.take(Path::new("many.jsonl"), Some(1)), "many-1");
        assert_eq!(n.take(Path::new("-"), None), "stdin");
    }
}
