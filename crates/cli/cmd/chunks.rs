//! `pagetree chunks`: RAG chunks with provenance, as JSON Lines.

use anyhow::{Result, bail};
use pagetree_convert::chunks::{ChunkOptions, TableText};
use pagetree_convert::markdown::TableFormat;

use crate::Outcome;
use crate::args::{ChunksArgs, TableTextArg};
use crate::cmd::markdown::{Markdown, flags};
use crate::render::{self, OptionLayers};

/// The chunk options from the arguments (markdown options are filled in per document).
fn options(args: &ChunksArgs) -> Result<ChunkOptions> {
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

/// Runs the command.
pub fn run(args: &ChunksArgs) -> Result<Outcome> {
    let render = &args.markdown.render;
    if render.per_page {
        bail!("--per-page does not apply to chunks (one JSON Lines file per document)");
    }
    let layers = OptionLayers::new(&render.pages, flags(&args.markdown.style))?;
    let base = options(args)?;
    let ext = "chunks.jsonl";
    render::per_document(render, ext, "it has no chunks", |doc, _label| {
        let (mo, notes) = layers.for_doc::<Markdown>(doc);
        let mut opts = base.clone();
        // Tables follow the markdown's format unless asked otherwise.
        if args.table_text.is_none() && mo.tables == TableFormat::Html {
            opts.tables = TableText::Html;
        }
        opts.markdown = mo;
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
    })
}
