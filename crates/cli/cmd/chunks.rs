//! `pagetree chunks`: RAG chunks with provenance, as JSON Lines.

use std::io::Write;

use anyhow::{Context, Result, bail};
use pagetree_convert::Warning;
use pagetree_convert::chunks::{ChunkOptions, Chunks, TableText};
use pagetree_convert::markdown::TableFormat;
use pagetree_model::Loaded;
use rayon::prelude::*;

use crate::Outcome;
use crate::args::{ChunksArgs, TableTextArg};
use crate::cmd::markdown::{Markdown, flags};
use crate::input::read_input;
use crate::output::write_atomic;
use crate::render::{Names, OptionLayers};

/// One document's chunks with the notes on how its options were chosen, or why not.
type Converted = Result<(Chunks, Vec<Warning>), String>;

/// The chunk options from the arguments (markdown options are filled in per document).
fn options(args: &ChunksArgs) -> Result<ChunkOptions> {
    let mut o = match (args.max_chars, args.max_tokens) {
        (_, Some(n)) => ChunkOptions::tokens(n),
        (Some(n), None) => ChunkOptions::chars(n),
        (None, None) => ChunkOptions::default(),
    };
    if let Some(m) = args.min {
        o.min = m;
    }
    o.overlap = args.overlap;
    o.breadcrumb = !args.no_breadcrumb;
    o.include_furniture = args.furniture;
    o.tables = match args.table_text {
        Some(TableTextArg::Markdown) => TableText::Markdown,
        Some(TableTextArg::Html) => TableText::Html,
        Some(TableTextArg::Csv) => TableText::Csv,
        None => TableText::Markdown,
    };
    o.validate()?;
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
    let to_dir = render.output.as_ref().filter(|p| {
        render.files.len() > 1 || p.is_dir() || p.to_string_lossy().ends_with(['/', '\\'])
    });

    // Inputs are chunked in parallel; output follows input order.
    let done: Vec<Vec<(String, Converted)>> = render
        .files
        .par_iter()
        .map(|f| {
            read_input(f)
                .into_iter()
                .map(|(label, r)| {
                    let result = match r {
                        Ok(Loaded::Document(doc)) => {
                            let (mo, notes) = layers.for_doc::<Markdown>(&doc);
                            let mut opts = base.clone();
                            // Tables follow the markdown's format unless asked otherwise.
                            if args.table_text.is_none() && mo.tables == TableFormat::Html {
                                opts.tables = TableText::Html;
                            }
                            opts.markdown = mo;
                            Ok((pagetree_convert::chunks(&doc, &opts), notes))
                        }
                        Ok(other) => Err(format!(
                            "{label}: this is a {} body, not a parse result; it has no chunks",
                            other.format()
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
    let mut stdout = std::io::stdout().lock();
    for (input, docs) in done.into_iter().enumerate() {
        let many = docs.len() > 1;
        for (k, (label, result)) in docs.into_iter().enumerate() {
            let (chunks, notes) = match result {
                Ok(r) => r,
                Err(e) => {
                    failed += 1;
                    stdout.flush()?;
                    eprintln!("error: {e}");
                    continue;
                }
            };
            for w in notes.iter().chain(&chunks.warnings) {
                eprintln!("warning: {label}: {w}");
            }
            let mut bytes = Vec::new();
            for c in &chunks.chunks {
                serde_json::to_writer(&mut bytes, c)?;
                bytes.push(b'\n');
            }
            wrote_any = true;
            match (&render.output, to_dir) {
                (_, Some(dir)) => {
                    let base = names.take(&render.files[input], many.then_some(k + 1));
                    let path = dir.join(format!("{base}.chunks.jsonl"));
                    write_atomic(&path, &bytes)
                        .with_context(|| format!("cannot write {}", path.display()))?;
                }
                (Some(_), None) => single.extend_from_slice(&bytes),
                (None, None) => stdout.write_all(&bytes)?,
            }
        }
    }
    // A file is written when a document was chunked into it, never left empty by failures.
    if let (Some(path), None, true) = (&render.output, to_dir, wrote_any) {
        write_atomic(path, &single).with_context(|| format!("cannot write {}", path.display()))?;
    }
    stdout.flush()?;
    Ok(if failed > 0 {
        Outcome::Partial
    } else {
        Outcome::Ok
    })
}
