//! `pagetree inspect`: report on each input; a broken input prints its located error and the
//! others are still inspected. Large inputs are read batch by batch (the report adds up over
//! pages), with the same report as a whole read.

use std::io::Write;
use std::path::Path;

use anyhow::Result;
use pagetree_convert::InspectReport;
use pagetree_convert::inspect::{render_text, summarize, summarize_reader};
use pagetree_model::{ErrorKind, is_json_lines};
use rayon::prelude::*;

use crate::Outcome;
use crate::args::{InspectArgs, StreamArg};
use crate::inplace::InPlace;
use crate::input::read_input;
use crate::render::STREAM_THRESHOLD;

/// One input's reports (several for a v1 array or JSON Lines), or why not, by name.
type Reports = Vec<(String, Result<InspectReport, String>)>;

/// Runs the command.
pub fn run(args: &InspectArgs) -> Result<Outcome> {
    // Read and report in parallel; print in input order.
    let reports: Vec<Reports> = args
        .files
        .par_iter()
        .map(|f| {
            if streams(f, args.stream)
                && let Some(r) = streamed(f)
            {
                return vec![r];
            }
            whole(f)
        })
        .collect();
    let mut out = std::io::stdout().lock();
    let mut failed = 0usize;
    let mut first = true;
    for (_name, rep) in reports.into_iter().flatten() {
        match rep {
            Ok(r) if args.json => writeln!(out, "{}", serde_json::to_string(&r)?)?,
            Ok(r) => {
                if !first {
                    writeln!(out)?;
                }
                write!(out, "{}", render_text(&r))?;
            }
            Err(e) => {
                failed += 1;
                out.flush()?;
                eprintln!("error: {e}");
            }
        }
        first = false;
    }
    out.flush()?;
    Ok(if failed > 0 {
        Outcome::Partial
    } else {
        Outcome::Ok
    })
}

/// Whether `f` is read page by page. Standard input and JSON Lines are read whole.
fn streams(f: &Path, when: StreamArg) -> bool {
    let label = f.display().to_string();
    if f.as_os_str() == "-" || is_json_lines(&[], Some(&label)) {
        return false;
    }
    match when {
        StreamArg::Never => false,
        StreamArg::Always => f.is_file(),
        StreamArg::Auto => f.metadata().is_ok_and(|m| m.len() >= STREAM_THRESHOLD),
    }
}

/// Every response in `f`, read whole.
fn whole(f: &Path) -> Reports {
    read_input(f)
        .into_iter()
        .map(|(name, r)| {
            let rep = r.map(|l| summarize(&l, &name)).map_err(|e| e.to_string());
            (name, rep)
        })
        .collect()
}

/// The report of `f` read page by page; `None` when its shape is read whole (arrays at the
/// top, JSON Lines, job listings...).
fn streamed(f: &Path) -> Option<(String, Result<InspectReport, String>)> {
    let name = f.display().to_string();
    let place = InPlace {
        path: f,
        line: None,
    };
    let mut reader = match place.reader(&name) {
        Ok(r) => r,
        Err(e) if e.kind == ErrorKind::Shape => return None,
        Err(e) => return Some((name, Err(e.to_string()))),
    };
    let report = summarize_reader(&mut reader, &name);
    Some((name, report.map_err(|e| e.to_string())))
}
