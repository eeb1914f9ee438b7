//! `pagetree elements`: the bbox-annotated elements of each input, as JSON or JSON Lines.

use anyhow::{Result, bail};
use pagetree_convert::elements::{ElementsFormat, write_elements};
use pagetree_convert::{ElementOptions, Elements};
use pagetree_model::Document;

use crate::Outcome;
use crate::args::ElementsArgs;
use crate::cmd::markdown::{BoxedFlags, Markdown, flags};
use crate::render::{self, OptionLayers};

/// Runs the command.
pub fn run(args: &ElementsArgs) -> Result<Outcome> {
    let render = &args.markdown.render;
    if render.per_page {
        bail!("--per-page does not apply to elements (ranges refer to the whole document)");
    }
    let per_doc = PerDoc::new(args)?;
    let ext = if args.jsonl {
        "elements.jsonl"
    } else {
        "elements.json"
    };
    render::per_document(render, ext, "it has no elements", |doc, _label| {
        per_doc.render(doc)
    })
}

/// The elements of one document as `pagetree elements` writes them, with the notes to print
/// (the Python extension calls it too).
pub struct PerDoc<'a> {
    args: &'a ElementsArgs,
    layers: OptionLayers<BoxedFlags<'a>>,
}

impl<'a> PerDoc<'a> {
    /// Validates the arguments.
    pub fn new(args: &'a ElementsArgs) -> Result<Self> {
        let md: BoxedFlags<'a> = Box::new(flags(&args.markdown.style));
        Ok(PerDoc {
            args,
            layers: OptionLayers::new(&args.markdown.render.pages, md)?,
        })
    }

    /// The serialized elements of `doc` and the warnings.
    pub fn render(&self, doc: &Document) -> std::result::Result<(Vec<u8>, Vec<String>), String> {
        let mut opts = ElementOptions::default();
        opts.furniture = !self.args.no_furniture;
        let (mo, notes) = self.layers.for_doc::<Markdown>(doc);
        let md = pagetree_convert::markdown::render(doc, &mo);
        let els = pagetree_convert::elements::collect(doc, &opts, Some(&md));
        let bytes = serialize(&els, self.args.jsonl).map_err(|e| e.to_string())?;
        Ok((bytes, notes.iter().map(ToString::to_string).collect()))
    }
}

/// The elements in the requested form.
fn serialize(els: &Elements, jsonl: bool) -> Result<Vec<u8>> {
    let format = if jsonl {
        ElementsFormat::Jsonl
    } else {
        ElementsFormat::Json
    };
    Ok(write_elements(els, format, Vec::new())?)
}
