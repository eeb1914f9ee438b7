//! `pagetree inspect`: report on each input; a broken input prints its located error and the
//! others are still inspected.

use std::io::Write;

use anyhow::Result;
use rayon::prelude::*;

use crate::Outcome;
use crate::args::InspectArgs;
use crate::input::read_input;

/// Runs the command.
pub fn run(args: &InspectArgs) -> Result<Outcome> {
    // Read and report in parallel; print in input order.
    let reports: Vec<Vec<(String, Result<pagetree_convert::InspectReport, String>)>> = args
        .files
        .par_iter()
        .map(|f| {
            read_input(f)
                .into_iter()
                .map(|(name, r)| {
                    let rep = r
                        .map(|l| pagetree_convert::inspect::summarize(&l, &name))
                        .map_err(|e| e.to_string());
                    (name, rep)
                })
                .collect()
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
                write!(out, "{}", pagetree_convert::inspect::render_text(&r))?;
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
