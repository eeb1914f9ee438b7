//! Large JSON Lines inputs for `markdown` and `text`, rendered a chunk of lines at a time.

use std::fs::File;
use std::io::{self, BufReader, Write};
use std::path::Path;

use anyhow::{Context, Result};
use pagetree_convert::{Rendered, Warning};
use pagetree_model::{Format, JsonLines, Line, Loaded};
use rayon::prelude::*;

use crate::inplace::InPlace;

use super::dispatch::{Streamed, render_line_in_place, whole_options};
use super::options::OptionLayers;
use super::output::{Dest, Names, Out, write_dir};
use super::{BATCH, Writer};

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
    let options = whole_options::<W>(layers);
    let file = File::open(input.path).with_context(|| format!("cannot read {label}"))?;
    // A line too long to hold (a response of hundreds of MB) is streamed in place, page by
    // page, like a large file.
    let mut lines = JsonLines::new(BufReader::with_capacity(1 << 20, file), Some(label))
        .hold_at_most(input.hold_lines);
    let mut ok = true;
    let mut index = 0usize;
    let mut held: Option<LineDone> = None;
    let render_held = |line: &Line| -> Vec<LineDone> {
        line.load_with(options)
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
    };
    // Writes or reports the `i`-th response of the input.
    let emit =
        |i: usize, many: bool, d: LineDone, out: &mut Out, names: &mut Names| -> Result<bool> {
            match d {
                LineDone::Rendered(rendered, notes, name) => {
                    for w in notes.iter().chain(&rendered.warnings) {
                        eprintln!("warning: {name}: {w}");
                    }
                    match dest {
                        Dest::Dir(dir, sync) => {
                            let base = names.take(arg, many.then_some(i + 1));
                            write_dir::<W>(dir, sync, &base, &rendered, false)?;
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
                        "error: {shown}: this is {} body, not a parse result; {}",
                        format.with_article(),
                        W::NONE
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
    let read_ahead =
        |lines: &mut JsonLines<_>, ok: &mut bool| match lines.chunk(LINE_BYTES_AT_ONCE, BATCH) {
            Ok((chunk, _)) => chunk,
            Err(e) => {
                eprintln!("error: {label}: cannot read: {e}");
                *ok = false;
                Vec::new()
            }
        };
    let mut next = read_ahead(&mut lines, &mut ok);
    while !next.is_empty() {
        let chunk = std::mem::take(&mut next);
        // Held lines render in parallel; lines too long to hold stream at their turn below.
        let done: Vec<Option<Vec<LineDone>>> = chunk
            .par_iter()
            .map(|line| line.is_held().then(|| render_held(line)))
            .collect();
        // The next chunk is read now: whether responses follow this one settles names.
        next = read_ahead(&mut lines, &mut ok);
        for (j, (line, d)) in chunk.iter().zip(done).enumerate() {
            let results = match d {
                Some(results) => results,
                None => {
                    // One response (names count a line as at least one, as every line is).
                    let many = index > 0 || j + 1 < chunk.len() || !next.is_empty();
                    if let Some(first) = held.take() {
                        ok &= emit(0, true, first, out, names)?;
                    }
                    let place = InPlace {
                        path: input.path,
                        line: Some(line),
                    };
                    let target = || match dest {
                        Dest::Dir(dir, _) => {
                            let base = names.take(arg, many.then_some(index + 1));
                            Some(dir.join(format!("{base}.{}", W::EXT)))
                        }
                        _ => None,
                    };
                    match render_line_in_place::<W>(layers, place, target, dest, out)? {
                        Some(rendered) => {
                            ok &= rendered;
                            index += 1;
                            continue;
                        }
                        // Not streamable (a v1 array): read the line whole after all.
                        None => {
                            let mut line = line.clone();
                            let held =
                                File::open(input.path).and_then(|mut f| line.hold_from(&mut f));
                            match held {
                                Ok(()) => render_held(&line),
                                Err(e) => vec![LineDone::Failed(format!(
                                    "{}: cannot read: {e}",
                                    line.name()
                                ))],
                            }
                        }
                    }
                }
            };
            for d in results {
                if index == 0 {
                    held = Some(d);
                } else {
                    if let Some(first) = held.take() {
                        ok &= emit(0, true, first, out, names)?;
                    }
                    ok &= emit(index, true, d, out, names)?;
                }
                index += 1;
            }
        }
    }
    if let Some(first) = held {
        ok &= emit(0, false, first, out, names)?;
    }
    if let Some(e) = lines.finish() {
        eprintln!("error: {e}");
        ok = false;
    }
    Ok(ok)
}
