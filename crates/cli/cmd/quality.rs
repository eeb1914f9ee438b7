//! `pagetree quality`: judge every table of each input and print (or write) the report; a
//! broken input prints its located error and the others are still judged. `--fail-under` and
//! `--fail-on` turn findings into exit code 1 for CI.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use pagetree_convert::pages::PageSelection;
use pagetree_convert::quality::{FinishedReport, QualityOptions, QualityStream, assess_reader};
use rayon::prelude::*;

use crate::Outcome;
use crate::args::{QualityArgs, ReportFormat};
use crate::cmd::tables::{selected, selection};
use crate::inplace::{Failed, read_file, streams};
use crate::input::{document, read_input};
use crate::output::{is_special, persist_atomic, temp_beside, write_atomic};

/// Runs the command.
pub fn run(args: &QualityArgs) -> Result<Outcome> {
    let opts = QualityOptions::default();
    let sel = selection(args.range.pages.as_deref())?;
    // Judge in parallel; print in input order. Each report's tables wait in its spool (a
    // temporary file past 1 MiB), written out a table at a time.
    let results: Vec<Vec<Result<FinishedReport>>> = args
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
                    let mut stream = QualityStream::new(&doc, &opts);
                    stream
                        .push(&doc)
                        .context("cannot spool the quality report")?;
                    stream
                        .finish()
                        .context("cannot read the quality report back")
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
            let mut report = match result {
                Ok(r) => r,
                Err(e) => {
                    failed += 1;
                    dest.flush()?;
                    eprintln!("error: {e:#}");
                    continue;
                }
            };
            tripped.extend(conditions(&mut report, args)?);
            let o = dest.writer();
            match args.format {
                ReportFormat::Json => {
                    report.write_json(o)?;
                    o.write_all(b"\n")?;
                }
                ReportFormat::Text | ReportFormat::Markdown => {
                    if !first {
                        o.write_all(b"\n")?;
                    }
                    match args.format {
                        ReportFormat::Markdown => report.write_markdown(o)?,
                        _ => report.write_text(o)?,
                    }
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

/// The report of `f` read page by page (the pages `sel` selects); `None` when its shape is
/// read whole.
fn streamed(
    f: &Path,
    opts: &QualityOptions,
    sel: &PageSelection,
) -> Option<Result<FinishedReport>> {
    let label = f.display().to_string();
    let r = read_file(f, &label, sel, |reader| assess_reader(reader, opts, sel))?;
    Some(r.map_err(|e| match e {
        Failed::Input(e) => anyhow::anyhow!("{e}"),
        Failed::Output(e) => anyhow::anyhow!("{label}: {e}"),
    }))
}

/// The `--fail-under` / `--fail-on` conditions this report trips, one line each.
fn conditions(report: &mut FinishedReport, args: &QualityArgs) -> Result<Vec<String>> {
    let mut v = Vec::new();
    if args.fail_under.is_none() && args.fail_on.is_empty() {
        return Ok(v);
    }
    let input = report.input().to_owned();
    for t in report.tables() {
        let t = t.context("cannot read the quality report back")?;
        if let (Some(min), Some(score)) = (args.fail_under, t.score)
            && score < min
        {
            v.push(format!(
                "{input}: {} scores {score}, under {min} (--fail-under)",
                t.id
            ));
        }
        for check in &args.fail_on {
            let n = t.findings.iter().filter(|f| f.check == *check).count();
            if n > 0 {
                v.push(format!(
                    "{input}: {} has {n} {check} finding{} (--fail-on)",
                    t.id,
                    if n == 1 { "" } else { "s" }
                ));
            }
        }
    }
    Ok(v)
}
