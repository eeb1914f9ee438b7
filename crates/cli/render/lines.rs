//! Large JSON Lines inputs for `markdown` and `text`, rendered a chunk of lines at a time.

use std::fs::File;
use std::io::{self, BufReader, Write};
use std::path::Path;

use anyhow::{Context, Result};
use pagetree_convert::{Rendered, Warning};
use pagetree_model::{Format, JsonLines, Loaded};
use rayon::prelude::*;

use super::{BATCH, Dest, Names, OptionLayers, Out, Streamed, Writer, whole_projection, write_dir};

/// Lines of a JSON Lines input rendered at once (in parallel): at most this many bytes, and at
/// most [`BATCH`] lines, so memory is bounded by a chunk, not by the file.
const LINE_BYTES_AT_ONCE: usize = 8 << 20;

/// One response of a JSON Lines line, rendered (with its option notes and its name in
/// messages), or why not.
enum LineDone {
    Rendered(Rendered, Vec<Warning>, String),
    NotDocument(Format),
    Failed(String),
}

/// Renders a large JSON Lines input a chunk of lines at a time, in order, exactly as the
/// whole input renders (same files, same messages): every document, each broken line's error
/// printed and the rest still rendered (`Ok(false)` when any failed). Names depend on whether
/// the input holds several responses (`<name>-<k>`, `<name>#<i>`), so the first response is
/// held back until the second shows whether it does.
pub(super) fn render_lines<W: Writer>(
    layers: &OptionLayers<impl Fn(&mut W::Options) + Sync>,
    input: &Streamed<'_>,
    arg: &Path,
    dest: &Dest,
    names: &mut Names,
    out: &mut Out,
) -> Result<bool> {
    let label = &input.label;
    let projection = whole_projection::<W>(layers);
    let file = File::open(input.path).with_context(|| format!("cannot read {label}"))?;
    let mut lines = JsonLines::new(BufReader::with_capacity(1 << 20, file), Some(label));
    let mut ok = true;
    let mut index = 0usize;
    let mut held: Option<LineDone> = None;
    // Writes or reports the `i`-th response of the input.
    let mut emit = |i: usize, many: bool, d: LineDone, out: &mut Out| -> Result<bool> {
        match d {
            LineDone::Rendered(rendered, notes, name) => {
                for w in notes.iter().chain(&rendered.warnings) {
                    eprintln!("warning: {name}: {w}");
                }
                match dest {
                    Dest::Dir(dir) => {
                        let base = names.take(arg, many.then_some(i + 1));
                        write_dir::<W>(dir, &base, &rendered, false)?;
                    }
                    _ => out.write(rendered.output.as_bytes())?,
                }
                Ok(true)
            }
            LineDone::NotDocument(format) => {
                io::stdout().lock().flush()?;
                let shown = if many {
                    format!("{label}#{i}")
                } else {
                    label.clone()
                };
                eprintln!(
                    "error: {shown}: this is {} body, not a parse result; nothing to render",
                    format.with_article()
                );
                Ok(false)
            }
            LineDone::Failed(e) => {
                io::stdout().lock().flush()?;
                eprintln!("error: {e}");
                Ok(false)
            }
        }
    };
    loop {
        let chunk = match lines.chunk(LINE_BYTES_AT_ONCE, BATCH) {
            Ok((chunk, _)) => chunk,
            Err(e) => {
                eprintln!("error: {label}: cannot read: {e}");
                ok = false;
                break;
            }
        };
        if chunk.is_empty() {
            break;
        }
        let done: Vec<Vec<LineDone>> = chunk
            .par_iter()
            .map(|line| {
                projection
                    .with(|| line.load())
                    .into_iter()
                    .map(|r| match r {
                        Ok(Loaded::Document(d)) => {
                            let (o, notes) = layers.for_doc::<W>(&d);
                            let name = d.source.clone().unwrap_or_else(|| label.clone());
                            LineDone::Rendered(W::render(&d, &o), notes, name)
                        }
                        Ok(other) => LineDone::NotDocument(other.format()),
                        Err(e) => LineDone::Failed(e.to_string()),
                    })
                    .collect()
            })
            .collect();
        for d in done.into_iter().flatten() {
            if index == 0 {
                held = Some(d);
            } else {
                if let Some(first) = held.take() {
                    ok &= emit(0, true, first, out)?;
                }
                ok &= emit(index, true, d, out)?;
            }
            index += 1;
        }
    }
    if let Some(first) = held {
        ok &= emit(0, false, first, out)?;
    }
    if let Some(e) = lines.finish() {
        eprintln!("error: {e}");
        ok = false;
    }
    Ok(ok)
}
