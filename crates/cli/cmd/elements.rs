//! `pagetree elements`: the bbox-annotated elements of each input, as JSON or JSON Lines.
//!
//! Elements are written by the conversion that `convert` runs, asked for this one file: a
//! whole document is its one batch, a large input is read batch by batch in bounded memory,
//! and the bytes are the same either way.

use anyhow::{Result, bail};
use pagetree_convert::elements::ElementsFormat;
use pagetree_convert::pages::PageOptions;
use pagetree_convert::{ConvertOptions, OutFile, Outputs, Rendered, Sink, Warning};
use pagetree_convert::{ElementOptions, MarkdownOptions, convert_document};
use pagetree_model::{Document, file_is_json_lines};
use serde_json::{Map, Value};

use crate::Outcome;
use crate::args::{ElementsArgs, RenderArgs};
use crate::cmd::markdown::flags;
use crate::render::{self, Writer};

/// The elements writer, for the shared driver: `JSONL` picks JSON Lines.
pub struct Elements<const JSONL: bool>;

/// What the elements of a document depend on: the markdown their `md_range`s point into, and
/// the element options.
#[derive(Debug, Default)]
pub struct ElementsRun {
    markdown: MarkdownOptions,
    elements: ElementOptions,
}

impl<const JSONL: bool> Elements<JSONL> {
    const FORMAT: ElementsFormat = if JSONL {
        ElementsFormat::Jsonl
    } else {
        ElementsFormat::Json
    };
}

impl<const JSONL: bool> Writer for Elements<JSONL> {
    type Options = ElementsRun;
    const EXT: &'static str = if JSONL {
        "elements.jsonl"
    } else {
        "elements.json"
    };
    const NONE: &'static str = "it has no elements";

    fn apply_parameters(opts: &mut ElementsRun, params: &Map<String, Value>) -> Vec<Warning> {
        opts.markdown.apply_parameters(params)
    }

    fn pages(opts: &mut ElementsRun) -> &mut PageOptions {
        &mut opts.markdown.pages
    }

    const OUT: OutFile = OutFile::Elements(Self::FORMAT);

    fn convert_options(opts: ElementsRun) -> ConvertOptions {
        let mut c = ConvertOptions::default();
        c.outputs = Outputs::none();
        c.outputs.elements = true;
        c.markdown = opts.markdown;
        c.elements = opts.elements;
        // Furniture as the markdown the ranges point into has it.
        c.elements.detect = c.markdown.pages.detect.clone();
        c.elements_format = Self::FORMAT;
        // A batch's elements JSON is about 1.7x its input, and two batches are in flight:
        // half the usual batch keeps the 310 MB bench response under 64 MiB.
        c.batch_bytes = 1 << 19;
        c
    }

    fn render(doc: &Document, opts: &ElementsRun) -> Rendered {
        let opts = Self::convert_options(ElementsRun {
            markdown: opts.markdown.clone(),
            elements: opts.elements.clone(),
        });
        let mut sink = Collect::default();
        // Writing into memory cannot fail.
        let stats = convert_document(doc, &opts, &mut sink).unwrap_or_default();
        Rendered {
            // The JSON writer escapes nothing into invalid UTF-8.
            output: String::from_utf8(sink.0).unwrap_or_default(),
            warnings: stats.warnings,
            ..Rendered::default()
        }
    }
}

/// The elements file of a conversion, in memory.
#[derive(Default)]
struct Collect(Vec<u8>);

impl Sink for Collect {
    fn write(&mut self, file: &OutFile, bytes: &[u8]) -> std::io::Result<()> {
        if matches!(file, OutFile::Elements(_)) {
            self.0.extend_from_slice(bytes);
        }
        Ok(())
    }
}

/// Runs the command.
pub fn run(args: &ElementsArgs) -> Result<Outcome> {
    let render = &args.markdown.render;
    if render.per_page {
        bail!("--per-page does not apply to elements (ranges refer to the whole document)");
    }
    // Several documents written into one stream are JSON Lines whose every record names its
    // document: JSON documents one after another would not be valid output.
    let tagged = several_into_one(render);
    let base = element_flags(args);
    let flags = move |o: &mut ElementsRun| {
        base(o);
        o.elements.source_on_records = tagged;
    };
    if args.jsonl || tagged {
        render::run::<Elements<true>>(render, flags)
    } else {
        render::run::<Elements<false>>(render, flags)
    }
}

/// Whether the elements of more than one document may go into one stream: standard output or
/// one `-o FILE` (with several inputs, `-o` is a folder with a file per document), and several
/// inputs, or a JSON Lines one (by its name or its first lines). Standard input is taken as
/// one document (give `--jsonl` to be sure).
fn several_into_one(a: &RenderArgs) -> bool {
    let one_stream = match &a.output {
        None => true,
        Some(path) => {
            a.files.len() == 1
                && !path.is_dir()
                && !path.as_os_str().to_string_lossy().ends_with(['/', '\\'])
        }
    };
    one_stream
        && (a.files.len() > 1
            || a.files.iter().any(|f| {
                f.as_os_str() != "-"
                    && file_is_json_lines(f, Some(&f.to_string_lossy())).unwrap_or(false)
            }))
}

/// The explicit flags of `args`, applied over the layered options (the Python extension
/// renders with them too).
pub fn element_flags(args: &ElementsArgs) -> impl Fn(&mut ElementsRun) + Sync + '_ {
    let md_flags = flags(&args.markdown.style);
    let furniture = !args.no_furniture;
    move |o: &mut ElementsRun| {
        md_flags(&mut o.markdown);
        o.elements.furniture = furniture;
    }
}
