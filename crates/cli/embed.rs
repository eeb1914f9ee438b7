//! Entry points for hosts that hold documents in memory (the Python extension): each writer
//! runs with the options the same command-line flags give, through the same code the
//! commands run per document, so a host's output equals the command's byte for byte.

use std::path::Path;

use anyhow::{Result, bail};
use clap::Parser;
use pagetree_convert::chunks::TokenCounter;
use pagetree_convert::quality::{QualityOptions, assess};
use pagetree_convert::tables::render_table;
use pagetree_convert::{ConvertError, OutFile, Sink, convert_reader};
use pagetree_model::{Document, ErrorKind, LoadError};

use crate::args::{Cli, Command};
use crate::cmd;
use crate::cmd::markdown::{Markdown, flags};
use crate::cmd::text::Text;
use crate::inplace::InPlace;
use crate::render::{OptionLayers, Writer};

pub use crate::cmd::convert::dist;

/// Output with the warnings the command would print for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    /// The bytes the command writes for the document.
    pub bytes: Vec<u8>,
    /// The warnings (`page 3: ...`), without the `warning: NAME:` prefix.
    pub warnings: Vec<String>,
}

/// Parses `pagetree <command> - <flags...>`: the command's own validation, with standard
/// input as a placeholder for the document.
fn parse(command: &str, flags: &[String]) -> Result<Command> {
    let argv = ["pagetree", command, "-"]
        .into_iter()
        .map(str::to_owned)
        .chain(flags.iter().cloned());
    match Cli::try_parse_from(argv) {
        Ok(cli) => Ok(cli.command),
        Err(e) => bail!("{}", e.render().to_string().trim_end()),
    }
}

/// What `pagetree markdown FLAGS` prints for `doc`.
pub fn markdown(doc: &Document, flags_: &[String]) -> Result<Output> {
    let Command::Markdown(a) = parse("markdown", flags_)? else {
        unreachable!("parsed as markdown")
    };
    let layers = OptionLayers::new(&a.render.pages, flags(&a.style))?;
    render::<Markdown, _>(doc, &layers)
}

/// What `pagetree text FLAGS` prints for `doc`.
pub fn text(doc: &Document, flags_: &[String]) -> Result<Output> {
    let Command::Text(a) = parse("text", flags_)? else {
        unreachable!("parsed as text")
    };
    let layers = OptionLayers::new(&a.render.pages, |_: &mut _| {})?;
    render::<Text, _>(doc, &layers)
}

fn render<W: Writer, F: Fn(&mut W::Options)>(
    doc: &Document,
    layers: &OptionLayers<F>,
) -> Result<Output> {
    let (o, notes) = layers.for_doc::<W>(doc);
    let r = W::render(doc, &o);
    let warnings = notes
        .iter()
        .chain(r.warnings.iter())
        .map(ToString::to_string)
        .collect();
    Ok(Output {
        bytes: r.output.into_bytes(),
        warnings,
    })
}

/// What `pagetree chunks FLAGS` prints for `doc` (JSON Lines); with a `counter`, sizes
/// (`--max-tokens`, `--min`, `--overlap`) are in its tokens instead of cl100k_base's.
pub fn chunks(doc: &Document, flags_: &[String], counter: Option<TokenCounter>) -> Result<Output> {
    let Command::Chunks(a) = parse("chunks", flags_)? else {
        unreachable!("parsed as chunks")
    };
    let mut per_doc = cmd::chunks::PerDoc::new(&a)?;
    if counter.is_some() {
        if a.chunk.max_tokens.is_none() {
            bail!("a token counter needs a size in tokens (max_tokens)");
        }
        per_doc.counter = counter;
    }
    let (bytes, warnings) = per_doc.render(doc).map_err(anyhow::Error::msg)?;
    Ok(Output { bytes, warnings })
}

/// What `pagetree elements FLAGS` prints for `doc`.
pub fn elements(doc: &Document, flags_: &[String]) -> Result<Output> {
    let Command::Elements(a) = parse("elements", flags_)? else {
        unreachable!("parsed as elements")
    };
    let layers = OptionLayers::new(&a.markdown.render.pages, cmd::elements::element_flags(&a))?;
    if a.jsonl {
        render::<cmd::elements::Elements<true>, _>(doc, &layers)
    } else {
        render::<cmd::elements::Elements<false>, _>(doc, &layers)
    }
}

/// The quality report `pagetree quality --format json` prints for `doc` (one JSON object).
pub fn quality(doc: &Document) -> Result<Vec<u8>> {
    Ok(serde_json::to_vec(&assess(
        doc,
        &QualityOptions::default(),
    ))?)
}

/// One table as `pagetree tables` writes it.
#[derive(Debug, Clone, PartialEq)]
pub struct TableFile {
    /// The table's id (`p003-t01`).
    pub id: String,
    /// The file `pagetree tables` writes it to.
    pub file_name: String,
    /// The file's bytes (CSV, or JSON Lines with `--format jsonl`).
    pub bytes: Vec<u8>,
    /// The cells, row by row (header rows flattened and numbers normalised as asked).
    pub rows: Vec<Vec<String>>,
}

/// Every table of `doc` as `pagetree tables -o DIR FLAGS` writes them: the files and the
/// index (`tables.json`, pretty-printed), with the warnings.
pub fn tables(doc: &Document, flags_: &[String]) -> Result<(Vec<TableFile>, Output)> {
    let mut argv = vec!["--stdout".to_owned()];
    argv.extend(flags_.iter().cloned());
    let Command::Tables(a) = parse("tables", &argv)? else {
        unreachable!("parsed as tables")
    };
    let opts = cmd::tables::options(&a);
    let out = pagetree_convert::tables::extract(doc, &opts);
    let files = out
        .tables
        .iter()
        .map(|t| TableFile {
            id: t.id.clone(),
            file_name: t.file_name.clone(),
            bytes: render_table(t, &opts),
            rows: t.grid.cells.clone(),
        })
        .collect();
    let mut index = serde_json::to_vec_pretty(&out.index)?;
    index.push(b'\n');
    let output = Output {
        bytes: index,
        warnings: out.warnings.iter().map(ToString::to_string).collect(),
    };
    Ok((files, output))
}

/// Why rendering a file failed: the input (located), or the options.
#[derive(Debug)]
pub enum FileError {
    /// The input could not be read.
    Load(LoadError),
    /// The flags are not valid, or writing failed.
    Other(anyhow::Error),
}

impl From<anyhow::Error> for FileError {
    fn from(e: anyhow::Error) -> Self {
        FileError::Other(e)
    }
}

/// What a file holding one response looks like without reading its pages: the document with
/// its job but no page contents ([`pagetree_model::Reader::outline`]) and its page count, or
/// `Ok(None)` when the file's shape cannot be read page by page (JSON Lines, v1 lists).
pub fn probe_file(path: &Path, label: &str) -> Result<Option<(Document, usize)>, LoadError> {
    let place = InPlace { path, line: None };
    match place.reader(label) {
        Ok(reader) => Ok(Some((reader.outline(), reader.page_count()))),
        Err(e) if e.kind == ErrorKind::Shape => Ok(None),
        Err(e) => Err(e),
    }
}

/// What `pagetree markdown FLAGS` prints for the file at `path` (one response), read page by
/// page as the command reads large files: only the fields markdown needs, pages parsed and
/// rendered in parallel. `Ok(None)` when the file's shape cannot be read that way.
pub fn markdown_file(
    path: &Path,
    label: &str,
    flags_: &[String],
) -> Result<Option<Output>, FileError> {
    let Command::Markdown(a) = parse("markdown", flags_)? else {
        unreachable!("parsed as markdown")
    };
    let layers = OptionLayers::new(&a.render.pages, flags(&a.style))?;
    render_file::<Markdown, _>(path, label, &layers)
}

/// [`markdown_file`] for `pagetree text FLAGS`.
pub fn text_file(path: &Path, label: &str, flags_: &[String]) -> Result<Option<Output>, FileError> {
    let Command::Text(a) = parse("text", flags_)? else {
        unreachable!("parsed as text")
    };
    let layers = OptionLayers::new(&a.render.pages, |_: &mut _| {})?;
    render_file::<Text, _>(path, label, &layers)
}

/// Keeps the bytes of one output file of a conversion.
struct Captured {
    want: OutFile,
    bytes: Vec<u8>,
}

impl Sink for Captured {
    fn write(&mut self, file: &OutFile, bytes: &[u8]) -> std::io::Result<()> {
        if *file == self.want {
            self.bytes.extend_from_slice(bytes);
        }
        Ok(())
    }
}

fn render_file<W: Writer, F: Fn(&mut W::Options) + Sync>(
    path: &Path,
    label: &str,
    layers: &OptionLayers<F>,
) -> Result<Option<Output>, FileError> {
    let place = InPlace { path, line: None };
    let mut reader = match place.reader(label) {
        Ok(r) => r,
        Err(e) if e.kind == ErrorKind::Shape => return Ok(None),
        Err(e) => return Err(FileError::Load(e)),
    };
    let (o, _) = layers.for_doc::<W>(&reader.outline());
    let opts = W::convert_options(o);
    let mut sink = Captured {
        want: W::OUT,
        bytes: Vec::new(),
    };
    let stats = convert_reader(&mut reader, &opts, &mut sink).map_err(|e| match e {
        ConvertError::Load(e) => FileError::Load(e),
        e => FileError::Other(anyhow::Error::msg(e.to_string())),
    })?;
    let (bytes, warnings) = (sink.bytes, stats.warnings);
    // The notes on the page lists as read to the end (the reader may have indexed again).
    let (_, notes) = layers.for_doc::<W>(&reader.outline());
    let warnings = notes
        .iter()
        .chain(&warnings)
        .map(ToString::to_string)
        .collect();
    Ok(Some(Output { bytes, warnings }))
}
