//! Reading inputs: files or standard input, every response in each.

use std::io::Read;
use std::path::Path;

use anyhow::{Result, bail};
use pagetree_model::{Document, LoadError, Loaded, ReadOptions};

/// One response read from an input, or why it could not be read.
pub type InputResult = Result<Loaded, LoadError>;

/// Reads `path` (`-` is standard input) and returns every response in it, each with the name
/// used in messages.
pub fn read_input(path: &Path) -> Vec<(String, InputResult)> {
    read_input_with(path, ReadOptions::default())
}

/// [`read_input`], leaving out what `options` say.
pub fn read_input_with(path: &Path, options: ReadOptions) -> Vec<(String, InputResult)> {
    let name = path.display().to_string();
    if name == "-" {
        let mut bytes = Vec::new();
        return match std::io::stdin().lock().read_to_end(&mut bytes) {
            Ok(_) => read_stdin_with(&bytes, options),
            Err(e) => vec![(name, Err(io_error("<stdin>", &e)))],
        };
    }
    labelled(&name, pagetree_model::load_all_file_with(path, options))
}

/// Every response in `bytes`, read from standard input (`-`), leaving out what `options`
/// say.
pub fn read_stdin_with(bytes: &[u8], options: ReadOptions) -> Vec<(String, InputResult)> {
    labelled(
        "-",
        pagetree_model::load_all_with(bytes, Some("<stdin>"), options),
    )
}

/// Names the responses of one input for messages: a document by its source, anything else by
/// the input's name (with `#i` when the input holds several).
fn labelled(name: &str, results: Vec<InputResult>) -> Vec<(String, InputResult)> {
    let many = results.len() > 1;
    results
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            let label = match &r {
                Ok(Loaded::Document(d)) => d.source.clone().unwrap_or_else(|| name.to_owned()),
                _ if many => format!("{name}#{i}"),
                _ => name.to_owned(),
            };
            // Printed in messages: a name cannot forge lines or drive the terminal.
            (crate::inputs::escape(&label), r)
        })
        .collect()
}

/// The parse result in an input, or why there is none (a job listing, extract job or batch
/// result has no tables; a broken input gives its located error).
pub fn document(name: &str, input: InputResult) -> Result<Document> {
    match input {
        Ok(Loaded::Document(d)) => Ok(*d),
        Ok(other) => bail!(
            "{name}: this is {} body, not a parse result; it has no tables at line 1 column 1",
            other.format().with_article()
        ),
        Err(e) => Err(e.into()),
    }
}

fn io_error(name: &str, e: &std::io::Error) -> LoadError {
    LoadError::io(name, e)
}

/// Every response of every input named by `args` (files, directories searched recursively,
/// glob patterns, `-`), read in parallel and returned in input order; an argument that names
/// nothing is one error among the results.
pub fn read_inputs(args: &[String]) -> Vec<(String, InputResult)> {
    use rayon::prelude::*;
    // No output folder to keep out of the search: these commands write one file or stdout.
    let crate::inputs::Expanded {
        inputs,
        errors: missing,
        skipped,
    } = crate::inputs::expand(args, Path::new(""));
    // What a folder walk left out is said, as `convert` says it.
    for s in &skipped {
        eprintln!("note: skipped {}: {}", s.path, s.reason);
    }
    let mut out: Vec<(String, InputResult)> = missing
        .into_iter()
        .map(|(arg, why)| {
            let mut e = io_error(&arg, &std::io::Error::other(why));
            e.message = e.message.replacen("cannot read: ", "", 1);
            (arg, Err(e))
        })
        .collect();
    let read: Vec<Vec<(String, InputResult)>> = inputs
        .par_iter()
        .map(|i| match &i.path {
            Some(p) => read_input(p),
            None => read_input(Path::new("-")),
        })
        .collect();
    out.extend(read.into_iter().flatten());
    out
}

/// The responses of `args` (as [`read_inputs`] reads them) that `want` accepts, each with its
/// name, in input order; the others are printed as errors, as not `what` (`"a job listing or
/// batch results"`), or with their read error. Also how many failed.
pub fn read_inputs_as<T>(
    args: &[String],
    want: impl Fn(Loaded) -> std::result::Result<T, Loaded>,
    what: &str,
) -> (Vec<(String, T)>, usize) {
    let mut failed = 0usize;
    let mut accepted = Vec::new();
    for (name, r) in read_inputs(args) {
        match r.map(&want) {
            Ok(Ok(t)) => accepted.push((name, t)),
            Ok(Err(other)) => {
                failed += 1;
                eprintln!(
                    "error: {name}: this is {} body, not {what}",
                    other.format().with_article()
                );
            }
            Err(e) => {
                failed += 1;
                eprintln!("error: {e}");
            }
        }
    }
    (accepted, failed)
}

/// The error for a `--pages` selection that starts past the document's last page:
/// `a.json: --pages 9-12: the document has 5 pages`.
pub fn pages_past_end(
    label: &str,
    sel: &pagetree_convert::pages::PageSelection,
    pages: impl ExactSizeIterator<Item = u32> + Clone,
) -> Option<String> {
    let n = pages.len();
    sel.past_end(pages).map(|r| {
        format!(
            "{label}: --pages {r}: the document has {n} page{}",
            if n == 1 { "" } else { "s" }
        )
    })
}
