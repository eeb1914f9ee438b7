//! Large JSON Lines inputs, converted a chunk of lines at a time.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;

use pagetree_convert::ConvertStats;
use pagetree_model::{Format, JsonLines, Line, Loaded};
use rayon::prelude::*;

use super::progress::Counted;
use super::{
    Ctx, convert_whole, not_a_parse_result, options_for, place_document, stage_document,
    stage_streamed,
};
use crate::inplace::InPlace;
use crate::inputs::Input;
use crate::spool::hold_lines;

/// Lines of a JSON Lines input converted at once (in parallel): at most this many bytes, and
/// at most [`LINES_AT_ONCE`] lines, so memory is bounded by a chunk, not by the file.
const LINE_BYTES_AT_ONCE: usize = 8 << 20;
const LINES_AT_ONCE: usize = 256;

/// Why a response of a JSON Lines input did not convert.
enum Failed {
    NotDocument(Format),
    Error(String),
}

/// What converting an input of several responses wrote.
#[derive(Default)]
pub(super) struct Written {
    pub(super) stats: Vec<ConvertStats>,
    pub(super) notes: Vec<String>,
    /// The output folders, relative to OUT.
    pub(super) outputs: Vec<String>,
    /// How many responses were streamed page by page (lines too long to hold).
    pub(super) streamed: usize,
}

/// One response of a JSON Lines input, converted into its temporary folder.
struct Staged {
    dir: PathBuf,
    stats: ConvertStats,
    notes: Vec<String>,
    /// Streamed page by page from the file.
    streamed: bool,
}

/// Converts a JSON Lines input a chunk of lines at a time, each response into a temporary
/// folder; only when every line has converted are the folders put in place (`OUT/<name>/` for
/// a single response, else `OUT/<name>/1/`, `2/`...), so a broken line leaves nothing behind,
/// exactly as when the file is loaded whole.
pub(super) fn convert_json_lines(
    ctx: &Ctx<'_>,
    input: &Input,
    path: &Path,
    done: &AtomicU64,
) -> std::result::Result<Written, String> {
    let name = input.display();
    let remove = |staged: &[Staged]| {
        for s in staged {
            let _ = std::fs::remove_dir_all(&s.dir);
        }
    };
    let file = File::open(path).map_err(|e| format!("{name}: cannot read: {e}"))?;
    let file = Counted::new(file, ctx, input, done);
    // A line too long to hold (a response of hundreds of MB) is streamed from the file in
    // place, page by page, like a large file.
    let mut lines = JsonLines::new(BufReader::with_capacity(1 << 20, file), Some(&name))
        .hold_at_most(hold_lines(ctx.args.stream));
    let mut staged: Vec<Staged> = Vec::new();
    // Responses read so far (documents or not): messages number them as the whole read does.
    let mut index = 0usize;
    loop {
        let (chunk, end) = match lines.chunk(LINE_BYTES_AT_ONCE, LINES_AT_ONCE) {
            Ok(c) => c,
            Err(e) => {
                remove(&staged);
                return Err(format!("{name}: cannot read: {e}"));
            }
        };
        if chunk.is_empty() {
            break;
        }
        let results: Vec<Vec<std::result::Result<Staged, Failed>>> = chunk
            .par_iter()
            .map(|line| convert_line(ctx, path, line, &input.key))
            .collect();
        // The first error in input order fails the input; what the others staged goes.
        let count: usize = results.iter().map(Vec::len).sum();
        let mut error = None;
        for r in results.into_iter().flatten() {
            match r {
                Ok(s) => staged.push(s),
                Err(e) if error.is_none() => {
                    // Whether the input holds several responses: known unless this is the
                    // first and the last one read.
                    let many = index > 0 || count > 1 || !end;
                    error = Some(match e {
                        Failed::Error(e) => e,
                        Failed::NotDocument(format) => {
                            not_a_parse_result(&name, many, index, format)
                        }
                    });
                }
                Err(_) => {}
            }
            index += 1;
        }
        if let Some(e) = error {
            remove(&staged);
            return Err(e);
        }
    }
    if let Some(e) = lines.finish() {
        return Err(e.to_string());
    }
    let many = staged.len() > 1;
    let mut written = Written::default();
    let mut staged = staged.into_iter().enumerate();
    while let Some((i, s)) = staged.next() {
        let rel = if many {
            format!("{}/{}", input.key, i + 1)
        } else {
            input.key.clone()
        };
        if let Err(e) = place_document(ctx, &name, &s.dir, &rel) {
            let rest: Vec<Staged> = staged.map(|(_, s)| s).collect();
            remove(&rest);
            return Err(e);
        }
        written.streamed += usize::from(s.streamed);
        written.stats.push(s.stats);
        written.notes.extend(s.notes);
        written.outputs.push(rel);
    }
    Ok(written)
}

/// Converts the responses of one line into temporary folders: in memory when the line was
/// held, else streamed from its bytes in the file.
fn convert_line(
    ctx: &Ctx<'_>,
    path: &Path,
    line: &Line,
    key: &str,
) -> Vec<std::result::Result<Staged, Failed>> {
    let mut line = std::borrow::Cow::Borrowed(line);
    if !line.is_held() {
        let name = line.name();
        let place = InPlace {
            path,
            line: Some(&line),
        };
        let streamed = stage_streamed(ctx, place, &name, key, None);
        match streamed {
            Ok(Some((dir, stats, notes))) => {
                return vec![Ok(Staged {
                    dir,
                    stats,
                    notes,
                    streamed: true,
                })];
            }
            Err(e) => return vec![Err(Failed::Error(e))],
            // A shape that cannot be streamed (a v1 array): read the line whole after all.
            Ok(None) => {
                let held = File::open(path).and_then(|mut f| line.to_mut().hold_from(&mut f));
                if let Err(e) = held {
                    return vec![Err(Failed::Error(format!("{name}: cannot read: {e}")))];
                }
            }
        }
    }
    line.load()
        .into_iter()
        .map(|loaded| match loaded {
            Ok(Loaded::Document(doc)) => {
                let (opts, notes) = options_for(ctx, &doc);
                let (dir, stats) = stage_document(ctx, &line.name(), key, |sink| {
                    convert_whole(ctx, &doc, &opts, sink)
                })
                .map_err(Failed::Error)?;
                Ok(Staged {
                    dir,
                    stats,
                    notes,
                    streamed: false,
                })
            }
            Ok(other) => Err(Failed::NotDocument(other.format())),
            Err(e) => Err(Failed::Error(e.to_string())),
        })
        .collect()
}
