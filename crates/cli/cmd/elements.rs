//! `pagetree elements`: the bbox-annotated elements of each input, as JSON or JSON Lines.

use std::io::Write;

use anyhow::{Context, Result, bail};
use pagetree_convert::elements::{ElementsFormat, write_elements};
use pagetree_convert::{ElementOptions, Elements, Warning};
use pagetree_model::Loaded;
use rayon::prelude::*;

use crate::Outcome;
use crate::args::ElementsArgs;
use crate::cmd::markdown::{Markdown, flags};
use crate::input::read_input;
use crate::output::write_atomic;
use crate::render::{Names, OptionLayers};

/// One document's elements with the notes on how its options were chosen, or why not.
type Converted = Result<(Elements, Vec<Warning>), String>;

/// Runs the command.
pub fn run(args: &ElementsArgs) -> Result<Outcome> {
    let render = &args.markdown.render;
    if render.per_page {
        bail!("--per-page does not apply to elements (ranges refer to the whole document)");
    }
    let layers = OptionLayers::new(&render.pages, flags(&args.markdown.style))?;
    let opts = ElementOptions {
        furniture: !args.no_furniture,
    };
    let to_dir = render.output.as_ref().filter(|p| {
        render.files.len() > 1 || p.is_dir() || p.to_string_lossy().ends_with(['/', '\\'])
    });

    // Inputs are converted in parallel; output follows input order.
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
                            let md = pagetree_convert::markdown(&doc, &mo);
                            Ok((pagetree_convert::elements(&doc, &opts, Some(&md)), notes))
                        }
                        Ok(other) => Err(format!(
                            "{label}: this is a {} body, not a parse result; it has no elements",
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
    let mut stdout = std::io::stdout().lock();
    for (input, docs) in done.into_iter().enumerate() {
        let many = docs.len() > 1;
        for (k, (label, result)) in docs.into_iter().enumerate() {
            let (els, notes) = match result {
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
            let bytes = serialize(&els, args.jsonl)?;
            match (&render.output, to_dir) {
                (_, Some(dir)) => {
                    let base = names.take(&render.files[input], many.then_some(k + 1));
                    let ext = if args.jsonl {
                        "elements.jsonl"
                    } else {
                        "elements.json"
                    };
                    let path = dir.join(format!("{base}.{ext}"));
                    write_atomic(&path, &bytes)
                        .with_context(|| format!("cannot write {}", path.display()))?;
                }
                (Some(_), None) => single.extend_from_slice(&bytes),
                (None, None) => stdout.write_all(&bytes)?,
            }
        }
    }
    if let (Some(path), None, false) = (&render.output, to_dir, single.is_empty()) {
        write_atomic(path, &single).with_context(|| format!("cannot write {}", path.display()))?;
    }
    stdout.flush()?;
    Ok(if failed > 0 {
        Outcome::Partial
    } else {
        Outcome::Ok
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
