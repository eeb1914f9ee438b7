//! `pagetree elements`: the bbox-annotated elements of each input, as JSON or JSON Lines.

use anyhow::{Result, bail};
use pagetree_convert::elements::{ElementsFormat, write_elements};
use pagetree_convert::{ElementOptions, Elements};

use crate::Outcome;
use crate::args::ElementsArgs;
use crate::cmd::markdown::{Markdown, flags};
use crate::render::{self, OptionLayers};

/// Runs the command.
pub fn run(args: &ElementsArgs) -> Result<Outcome> {
    let render = &args.markdown.render;
    if render.per_page {
        bail!("--per-page does not apply to elements (ranges refer to the whole document)");
    }
    let layers = OptionLayers::new(&render.pages, flags(&args.markdown.style))?;
    let mut opts = ElementOptions::default();
    opts.furniture = !args.no_furniture;
    let ext = if args.jsonl {
        "elements.jsonl"
    } else {
        "elements.json"
    };
    render::per_document(render, ext, "it has no elements", |doc, _label| {
        let (mo, notes) = layers.for_doc::<Markdown>(doc);
        let md = pagetree_convert::markdown::render(doc, &mo);
        let els = pagetree_convert::elements::collect(doc, &opts, Some(&md));
        let bytes = serialize(&els, args.jsonl).map_err(|e| e.to_string())?;
        Ok((bytes, notes.iter().map(ToString::to_string).collect()))
    })
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
