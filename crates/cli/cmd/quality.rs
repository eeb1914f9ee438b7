//! `pagetree quality`: judge every table of each input and print (or write) the report; a
//! broken input prints its located error and the others are still judged. `--fail-under` and
//! `--fail-on` turn findings into exit code 1 for CI.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use pagetree_convert::pages::PageSelection;
use pagetree_convert::quality::{
    QualityOptions, QualityReport, assess, render_markdown, render_text,
};
use pagetree_convert::{ConvertOptions, OutFile, Outputs, Sink};
use rayon::prelude::*;

use crate::Outcome;
use crate::args::{QualityArgs, ReportFormat};
use crate::cmd::tables::{selected, selection};
use crate::inplace::{Failed, convert_file, streams};
use crate::input::{document, read_input};
use crate::output::{is_special, persist_atomic, temp_beside, write_atomic};

/// Runs the command.
pub fn run(args: &QualityArgs) -> Result<Outcome> {
    let opts = QualityOptions::default();
    let sel = selection(args.pages.as_deref())?;
    // Judge in parallel; print in input order.
    let results: Vec<Vec<Result<QualityReport>>> = args
        .files
        .par_iter()
        .map(|f| {
            if streams(f, args.stream)
                && let Some(r) = streamed(f, &opts, &sel)
            {
                return vec![r];
            }
            read_input(f)
                .into_iter()
                .map(|(name, r)| {
                    let mut doc = document(&name, r)?;
                    selected(&name, &mut doc, &sel)?;
                    Ok(assess(&doc, &opts))
                })
                .collect()
        })
        .collect();
    // The reports go straight to their destination (a report of a large document is MBs):
    // a temporary file put in place at the end, or standard output.
    let mut dest = match &args.output {
        Some(path) if !is_special(path) => Dest::File(
            std::io::BufWriter::new(
                temp_beside(path).with_context(|| format!("cannot write {}", path.display()))?,
            ),
            path,
        ),
        Some(path) => Dest::Special(path, Vec::new()),
        None => Dest::Stdout(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let mut failed = 0usize;
    let mut tripped: Vec<String> = Vec::new();
    let mut first = true;
    let result = (|| -> Result<()> {
        for result in results.into_iter().flatten() {
            let report = match result {
                Ok(r) => r,
                Err(e) => {
                    failed += 1;
                    dest.flush()?;
                    eprintln!("error: {e:#}");
                    continue;
                }
            };
            tripped.extend(conditions(&report, args));
            let o = dest.writer();
            match args.format {
                ReportFormat::Json => {
                    serde_json::to_writer(&mut *o, &report)?;
                    o.write_all(b"\n")?;
                }
                ReportFormat::Text | ReportFormat::Markdown => {
                    if !first {
                        o.write_all(b"\n")?;
                    }
                    o.write_all(
                        match args.format {
                            ReportFormat::Markdown => render_markdown(&report),
                            _ => render_text(&report),
                        }
                        .as_bytes(),
                    )?;
                }
            }
            first = false;
        }
        Ok(())
    })();
    match dest {
        Dest::File(w, path) => {
            result?;
            let tmp = w.into_inner().map_err(|e| e.into_error())?;
            persist_atomic(tmp, path)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        Dest::Special(path, bytes) => {
            result?;
            write_atomic(path, &bytes)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        Dest::Stdout(mut w) => {
            result?;
            w.flush()?;
        }
    }
    for t in &tripped {
        eprintln!("fail: {t}");
    }
    Ok(if failed > 0 || !tripped.is_empty() {
        Outcome::Partial
    } else {
        Outcome::Ok
    })
}

/// Where the reports go.
enum Dest<'a> {
    /// `-o FILE`: a temporary file beside it.
    File(std::io::BufWriter<tempfile::NamedTempFile>, &'a PathBuf),
    /// `-o` naming a device or FIFO: written to in place, at the end.
    Special(&'a PathBuf, Vec<u8>),
    Stdout(std::io::BufWriter<std::io::StdoutLock<'static>>),
}

impl Dest<'_> {
    fn writer(&mut self) -> &mut dyn Write {
        match self {
            Dest::File(w, _) => w,
            Dest::Special(_, v) => v,
            Dest::Stdout(w) => w,
        }
    }

    /// Standard output is flushed before an error is printed, so they come in order.
    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Dest::Stdout(w) => w.flush(),
            _ => Ok(()),
        }
    }
}

/// The report of `f` read page by page (the conversion pipeline, writing the quality report
/// alone); `None` when its shape is read whole.
fn streamed(f: &Path, opts: &QualityOptions, sel: &PageSelection) -> Option<Result<QualityReport>> {
    let mut c = ConvertOptions::default();
    c.outputs = Outputs::none();
    c.outputs.quality = true;
    c.quality = opts.clone();
    c.markdown.pages.selection = sel.clone();
    let label = f.display().to_string();
    let r = convert_file(f, &label, &c, Discard)?;
    Some(match r {
        Ok((stats, _)) => stats
            .quality
            .ok_or_else(|| anyhow::anyhow!("{label}: no quality report")),
        Err(Failed::Input(e)) => Err(anyhow::anyhow!("{e}")),
        Err(Failed::Output(e)) => Err(anyhow::anyhow!("{label}: {e}")),
    })
}

/// The report is taken from the conversion's statistics: its bytes are not needed.
struct Discard;

impl Sink for Discard {
    fn write(&mut self, _: &OutFile, _: &[u8]) -> std::io::Result<()> {
        Ok(())
    }
}

/// The `--fail-under` / `--fail-on` conditions this report trips, one line each.
fn conditions(report: &QualityReport, args: &QualityArgs) -> Vec<String> {
    let mut v = Vec::new();
    for t in &report.tables {
        if let (Some(min), Some(score)) = (args.fail_under, t.score)
            && score < min
        {
            v.push(format!(
                "{}: {} scores {score}, under {min} (--fail-under)",
                report.input, t.id
            ));
        }
        for check in &args.fail_on {
            let n = t.findings.iter().filter(|f| f.check == *check).count();
            if n > 0 {
                v.push(format!(
                    "{}: {} has {n} {check} finding{} (--fail-on)",
                    report.input,
                    t.id,
                    if n == 1 { "" } else { "s" }
                ));
            }
        }
    }
    v
}
