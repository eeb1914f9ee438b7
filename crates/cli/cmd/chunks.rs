//! `pagetree chunks`: RAG chunks with provenance, as JSON Lines.

use anyhow::{Result, bail};
use pagetree_convert::Warning;
use pagetree_convert::chunks::{ChunkOptions, TableText, TokenCounter};
use pagetree_convert::markdown::TableFormat;
use pagetree_model::Document;

use crate::Outcome;
use crate::args::{ChunkArgs, ChunksArgs, TableTextArg};
use crate::cmd::markdown::{BoxedFlags, Markdown, flags};
use crate::render::{self, OptionLayers, Writer};
use pagetree_convert::pages::PageOptions;
use pagetree_convert::{ConvertOptions, OutFile, Outputs, Rendered};
use serde_json::{Map, Value};

/// The chunk options from the arguments (markdown options are filled in per document).
pub(crate) fn options(args: &ChunkArgs) -> Result<ChunkOptions> {
    let mut o = match (args.max_chars, args.max_tokens) {
        (_, Some(n)) => ChunkOptions::tokens(n)?,
        (Some(n), None) => ChunkOptions::chars(n)?,
        (None, None) => ChunkOptions::default(),
    };
    if let Some(m) = args.min {
        o = o.with_min(m)?;
    }
    o = o.with_overlap(args.overlap)?;
    o.breadcrumb = !args.no_breadcrumb;
    o.include_furniture = args.furniture;
    o.tables = match args.table_text {
        Some(TableTextArg::Markdown) => TableText::Markdown,
        Some(TableTextArg::Html) => TableText::Html,
        Some(TableTextArg::Csv) => TableText::Csv,
        None => TableText::Markdown,
    };
    Ok(o)
}

/// Runs the command: through the shared driver, so large inputs stream (`--stream`), page
/// batch by page batch, with the output of a whole read.
pub fn run(args: &ChunksArgs) -> Result<Outcome> {
    let render = &args.markdown.render;
    if render.per_page {
        bail!("--per-page does not apply to chunks (one JSON Lines file per document)");
    }
    let base = options(&args.chunk)?;
    let md_flags = flags(&args.markdown.style);
    render::run::<Chunks>(render, move |o: &mut ChunkOptions| {
        // The sizes and chunk flags over the layered markdown options.
        let md = std::mem::take(&mut o.markdown);
        *o = base.clone();
        o.markdown = md;
        md_flags(&mut o.markdown);
        // Tables follow the markdown's format unless asked otherwise.
        if args.chunk.table_text.is_none() && o.markdown.tables == TableFormat::Html {
            o.tables = TableText::Html;
        }
    })
}

/// Chunks as a writer of the shared driver: one JSON Lines file per document.
pub struct Chunks;

impl Writer for Chunks {
    type Options = ChunkOptions;
    const EXT: &'static str = "chunks.jsonl";
    const NONE: &'static str = "it has no chunks";

    fn apply_parameters(opts: &mut ChunkOptions, params: &Map<String, Value>) -> Vec<Warning> {
        opts.markdown.apply_parameters(params)
    }

    fn pages(opts: &mut ChunkOptions) -> &mut PageOptions {
        &mut opts.markdown.pages
    }

    const OUT: OutFile = OutFile::Chunks;

    fn convert_options(opts: ChunkOptions) -> ConvertOptions {
        let mut c = ConvertOptions::default();
        c.outputs = Outputs::none();
        c.outputs.chunks = true;
        c.markdown.pages.selection = opts.markdown.pages.selection.clone();
        c.chunks = opts;
        c
    }

    fn render(doc: &Document, opts: &ChunkOptions) -> Rendered {
        let chunks = pagetree_convert::chunks::split(doc, opts);
        let mut r = Rendered::default();
        let mut bytes = Vec::new();
        for c in &chunks.chunks {
            serde_json::to_writer(&mut bytes, c).expect("chunks serialise");
            bytes.push(b'\n');
        }
        r.output = String::from_utf8(bytes).expect("JSON is UTF-8");
        r.warnings = chunks.warnings;
        r
    }
}

/// The chunks of one document as JSON Lines, with the notes to print: what `pagetree chunks`
/// writes per document (the Python extension calls it too).
pub struct PerDoc<'a> {
    args: &'a ChunksArgs,
    layers: OptionLayers<BoxedFlags<'a>>,
    base: ChunkOptions,
    /// A token counter of the host's own (the Python package's `tokenizer=`).
    pub counter: Option<TokenCounter>,
}

impl<'a> PerDoc<'a> {
    /// Validates the arguments.
    pub fn new(args: &'a ChunksArgs) -> Result<Self> {
        let md: BoxedFlags<'a> = Box::new(flags(&args.markdown.style));
        Ok(PerDoc {
            args,
            layers: OptionLayers::new(&args.markdown.render.pages, md)?,
            base: options(&args.chunk)?,
            counter: None,
        })
    }

    /// The chunk options for `doc`, with notes about how they were chosen.
    pub fn options(&self, doc: &Document) -> (ChunkOptions, Vec<Warning>) {
        let (mo, notes) = self.layers.for_doc::<Markdown>(doc);
        let mut opts = self.base.clone();
        // Tables follow the markdown's format unless asked otherwise.
        if self.args.chunk.table_text.is_none() && mo.tables == TableFormat::Html {
            opts.tables = TableText::Html;
        }
        opts.markdown = mo;
        opts.counter = self.counter.clone();
        (opts, notes)
    }

    /// The JSON Lines of `doc`'s chunks and the warnings.
    pub fn render(&self, doc: &Document) -> std::result::Result<(Vec<u8>, Vec<String>), String> {
        let (opts, notes) = self.options(doc);
        let numbers = doc.pages.iter().map(|p| p.number);
        if let Some(e) =
            crate::input::pages_past_end(doc.name(), &opts.markdown.pages.selection, numbers)
        {
            return Err(e);
        }
        let chunks = pagetree_convert::chunks::split(doc, &opts);
        let mut bytes = Vec::new();
        for c in &chunks.chunks {
            serde_json::to_writer(&mut bytes, c).map_err(|e| e.to_string())?;
            bytes.push(b'\n');
        }
        let warnings = notes
            .iter()
            .map(ToString::to_string)
            .chain(chunks.warnings.iter().map(ToString::to_string));
        Ok((bytes, warnings.collect()))
    }
}
