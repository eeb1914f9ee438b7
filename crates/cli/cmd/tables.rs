//! `pagetree tables`: write every table of each input as a CSV (or JSON Lines) file plus an
//! index, or one table to standard output. A broken input prints its located error and the
//! others are still written.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use pagetree_convert::pages::PageSelection;
use pagetree_convert::tables::{
    Percent, TableFormat, TableOptions, TablesOutput, extract, index_csv, render_table,
};
use pagetree_convert::{ConvertOptions, OutFile, Outputs, Sink};
use pagetree_model::Document;
use rayon::prelude::*;

use crate::Outcome;
use crate::args::{FormatArg, IndexArg, PercentArg, TablesArgs};
use crate::inplace::{Failed, convert_file, streams};
use crate::input::{InputResult, document, pages_past_end, read_input};
use crate::output::{SyncGroup, temp_beside};

/// Runs the command.
pub fn run(args: &TablesArgs) -> Result<Outcome> {
    let opts = options(args);
    let sel = selection(args.range.pages.as_deref())?;
    if args.stdout {
        return to_stdout(args, &opts);
    }
    let Some(out) = &args.output else {
        bail!("give an output directory with -o DIR, or --stdout");
    };
    let dirs = input_dirs(&args.files);
    // Every file is renamed into place as it is written, and all made durable at the end.
    let sync = SyncGroup::new();
    // Each input is read, converted and written on its own; messages print in input order.
    let reports: Vec<Vec<Report>> = args
        .files
        .par_iter()
        .zip(dirs.par_iter())
        .map(|(file, sub)| {
            // A large input is read page by page, unless a whole-document index or a single
            // table is asked for (both need every table's entry at once).
            let whole_only = args.table.is_some() || !matches!(args.index, IndexArg::Json);
            if !whole_only
                && streams(file, args.stream)
                && let Some(r) = streamed(file, sub.as_deref(), out, &opts, &sel, &sync)
            {
                return vec![r];
            }
            let docs = read_input(file);
            let numbered = docs.len() > 1;
            let width = docs.len().to_string().len();
            docs.into_iter()
                .enumerate()
                .map(|(i, (name, r))| {
                    let mut dir = out.clone();
                    if let Some(sub) = sub {
                        dir.push(sub);
                    }
                    if numbered {
                        dir.push(format!("{:0width$}", i + 1));
                    }
                    convert(&name, r, &dir, args, &opts, &sel, &sync)
                })
                .collect()
        })
        .collect();
    sync.commit()
        .with_context(|| format!("cannot sync the files written in {}", out.display()))?;
    let mut failed = 0;
    let mut unwritable = false;
    let stdout = std::io::stdout();
    for r in reports.into_iter().flatten() {
        let mut o = stdout.lock();
        match r {
            Report::Written {
                name,
                dir,
                tables,
                skipped,
                warnings,
            } => {
                o.flush()?;
                for w in warnings {
                    eprintln!("warning: {name}: {w}");
                }
                // A status line: standard error, as in every command (standard output is
                // for data, and with -o DIR there is none).
                eprintln!(
                    "{name}: {tables} table{} → {}{}",
                    if tables == 1 { "" } else { "s" },
                    dir.display(),
                    if skipped > 0 {
                        format!(" ({skipped} stub or empty table items not written)")
                    } else {
                        String::new()
                    }
                );
            }
            Report::Failed(e) => {
                failed += 1;
                o.flush()?;
                eprintln!("error: {e:#}");
            }
            Report::Unwritable(e) => {
                unwritable = true;
                o.flush()?;
                eprintln!("error: {e:#}");
            }
        }
    }
    Ok(if unwritable {
        Outcome::Stopped
    } else if failed > 0 {
        Outcome::Partial
    } else {
        Outcome::Ok
    })
}

/// `--pages`, read (a malformed list is a usage error).
pub fn selection(pages: Option<&str>) -> Result<PageSelection> {
    match pages {
        Some(p) => p
            .parse()
            .map_err(|e| anyhow::anyhow!("invalid --pages {p:?}: {e}")),
        None => Ok(PageSelection::all()),
    }
}

/// Limits a document read whole to the selected pages, as a conversion does for a streamed
/// one; a selection past its last page is an error.
pub fn selected(name: &str, doc: &mut Document, sel: &PageSelection) -> Result<()> {
    if let Some(e) = pages_past_end(name, sel, doc.pages.iter().map(|p| p.number)) {
        bail!("{e}");
    }
    sel.retain_in(doc);
    Ok(())
}

/// The library options, from arguments clap has already checked.
pub fn options(args: &TablesArgs) -> TableOptions {
    let mut o = TableOptions::default();
    o.delimiter = args.delimiter;
    o.format = match args.format {
        FormatArg::Csv => TableFormat::Csv,
        FormatArg::Jsonl => TableFormat::Jsonl,
    };
    o.header_rows = args.header_rows;
    o.normalize_numbers = args.normalize_numbers;
    o.percent = match args.percent {
        PercentArg::Keep => Percent::Keep,
        PercentArg::Fraction => Percent::Fraction,
    };
    o.stitch = args.stitch;
    o.pad_rows = args.pad;
    o.source = args.table_source.to_option();
    o.cells = args.cells.to_option();
    o
}

enum Report {
    Written {
        name: String,
        dir: PathBuf,
        tables: usize,
        skipped: usize,
        warnings: Vec<String>,
    },
    Failed(anyhow::Error),
    /// Read, but its tables could not be written.
    Unwritable(anyhow::Error),
}

fn convert(
    name: &str,
    input: InputResult,
    dir: &Path,
    args: &TablesArgs,
    opts: &TableOptions,
    sel: &PageSelection,
    sync: &SyncGroup,
) -> Report {
    let result = document(name, input).and_then(|mut doc| {
        selected(name, &mut doc, sel)?;
        let mut out = extract(&doc, opts);
        if let Some(id) = &args.table {
            keep_only(&mut out, id).with_context(|| name.to_owned())?;
        }
        Ok(out)
    });
    // An output that cannot be written is fatal (exit 2), as in every command; an input that
    // cannot be read is not.
    let result = match result {
        Ok(out) => match write_all(&out, dir, args, opts, sync) {
            Ok(()) => Ok(out),
            Err(e) => {
                return Report::Unwritable(
                    e.context(format!("{name}: cannot write to {}", dir.display())),
                );
            }
        },
        Err(e) => Err(e),
    };
    match result {
        Ok(out) => Report::Written {
            name: name.to_owned(),
            dir: dir.to_owned(),
            tables: out.tables.len(),
            skipped: out.index.skipped.len(),
            warnings: out.warnings.iter().map(ToString::to_string).collect(),
        },
        Err(e) => Report::Failed(e),
    }
}

/// The tables of the file `f`, converted page by page into `out` (or its subfolder `sub`);
/// `None` when its shape is read whole.
fn streamed(
    f: &Path,
    sub: Option<&str>,
    out: &Path,
    opts: &TableOptions,
    sel: &PageSelection,
    sync: &SyncGroup,
) -> Option<Report> {
    let mut dir = out.to_owned();
    if let Some(sub) = sub {
        dir.push(sub);
    }
    let name = f.display().to_string();
    let mut c = ConvertOptions::default();
    c.outputs = Outputs::none();
    c.outputs.tables = true;
    c.tables = opts.clone();
    c.markdown.pages.selection = sel.clone();
    let r = convert_file(f, &name, &c, DirSink::new(dir.clone(), sync))?;
    let done = r.and_then(|(stats, sink)| match sink.finish() {
        Ok(()) => Ok(stats),
        Err(e) => Err(Failed::Output(e)),
    });
    Some(match done {
        Ok(stats) => Report::Written {
            name,
            dir,
            tables: stats.tables,
            skipped: stats.skipped_tables,
            warnings: stats
                .table_warnings
                .iter()
                .map(ToString::to_string)
                .collect(),
        },
        Err(Failed::Input(e)) => Report::Failed(anyhow::anyhow!("{e}")),
        Err(Failed::Output(e)) => Report::Unwritable(
            anyhow::Error::new(e).context(format!("{name}: cannot write to {}", dir.display())),
        ),
    })
}

/// Tables written into a folder as a conversion hands them over: a few hundred table files
/// at a time, in parallel, the index appended to a temporary file put in place at the end.
struct DirSink<'a> {
    dir: PathBuf,
    tables: Vec<(String, Vec<u8>)>,
    index: Option<tempfile::NamedTempFile>,
    sync: &'a SyncGroup,
}

impl<'a> DirSink<'a> {
    fn new(dir: PathBuf, sync: &'a SyncGroup) -> Self {
        DirSink {
            dir,
            tables: Vec::new(),
            index: None,
            sync,
        }
    }

    /// Writes the tables held.
    fn flush(&mut self) -> std::io::Result<()> {
        let tables = std::mem::take(&mut self.tables);
        tables.par_iter().try_for_each(|(name, bytes)| {
            let name = safe_name(name).map_err(std::io::Error::other)?;
            let path = self.dir.join(name);
            self.sync.write(&path, bytes).map_err(|e| {
                std::io::Error::new(e.kind(), format!("cannot write {}: {e}", path.display()))
            })
        })
    }

    /// Puts the index in place.
    fn finish(mut self) -> std::io::Result<()> {
        self.flush()?;
        if let Some(index) = self.index {
            let path = self.dir.join("tables.json");
            self.sync.persist(index, &path).map_err(|e| {
                std::io::Error::new(e.kind(), format!("cannot write {}: {e}", path.display()))
            })?;
        }
        Ok(())
    }
}

impl Sink for DirSink<'_> {
    fn write(&mut self, file: &OutFile, bytes: &[u8]) -> std::io::Result<()> {
        match file {
            OutFile::Table(name) => {
                self.tables.push((name.clone(), bytes.to_vec()));
                Ok(())
            }
            OutFile::TablesIndex => {
                // Enough files at once for the syncs to overlap; few enough bytes to stay
                // small beside a batch.
                let held: usize = self.tables.iter().map(|t| t.1.len()).sum();
                if self.tables.len() >= 256 || held >= 4 << 20 {
                    self.flush()?;
                }
                let index = match &mut self.index {
                    Some(f) => f,
                    None => self
                        .index
                        .insert(temp_beside(&self.dir.join("tables.json"))?),
                };
                index.write_all(bytes)
            }
            _ => Ok(()),
        }
    }
}

/// Keeps only the table `id`, explaining ids that name a stub or a stitched part.
fn keep_only(out: &mut TablesOutput, id: &str) -> Result<()> {
    if let Some(i) = out.tables.iter().position(|t| t.id == id) {
        out.tables = vec![out.tables.swap_remove(i)];
        out.index.tables = vec![out.index.tables.swap_remove(i)];
        // Other tables' warnings are not about what the user asked for.
        out.warnings.retain(|w| w.path.is_empty() || w.path == *id);
        out.index.warnings = out.warnings.iter().map(ToString::to_string).collect();
        return Ok(());
    }
    if let Some(s) = out.index.skipped.iter().find(|s| s.id == id) {
        match &s.merged_into {
            Some(m) => bail!("table {id} is an empty stub of the merged table {m}; ask for {m}"),
            None => bail!("table {id} is not written ({})", s.reason),
        }
    }
    if let Some(t) = out.index.tables.iter().find(|t| {
        t.stitched
            .as_ref()
            .is_some_and(|s| s.parts.iter().any(|p| p.id == id))
    }) {
        bail!("table {id} was stitched into {}; ask for {}", t.id, t.id);
    }
    let ids: Vec<&str> = out.tables.iter().map(|t| t.id.as_str()).collect();
    bail!(
        "no table {id}; the tables are: {}",
        if ids.is_empty() {
            "(none)".to_owned()
        } else {
            ids.join(", ")
        }
    )
}

fn write_all(
    out: &TablesOutput,
    dir: &Path,
    args: &TablesArgs,
    opts: &TableOptions,
    sync: &SyncGroup,
) -> Result<()> {
    std::fs::create_dir_all(dir).context("cannot create the directory")?;
    out.tables.par_iter().try_for_each(|t| -> Result<()> {
        let path = dir.join(safe_name(&t.file_name)?);
        sync.write(&path, &render_table(t, opts))
            .with_context(|| format!("cannot write {}", path.display()))
    })?;
    if matches!(args.index, IndexArg::Json | IndexArg::Both) {
        let mut json = serde_json::to_vec_pretty(&out.index)?;
        json.push(b'\n');
        let path = dir.join("tables.json");
        sync.write(&path, &json)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    if matches!(args.index, IndexArg::Csv | IndexArg::Both) {
        let path = dir.join("tables.csv");
        sync.write(
            &path,
            index_csv(&out.index, opts.delimiter.as_byte()).as_bytes(),
        )
        .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

/// The library names files from table ids only; still, never join anything but one plain
/// file name onto the output directory.
fn safe_name(name: &str) -> Result<&str> {
    let plain = !name.is_empty()
        && name != "."
        && name != ".."
        && !name.contains(['/', '\\', ':', '\0'])
        && Path::new(name).components().count() == 1;
    if !plain {
        bail!("refusing unsafe output file name {name:?}");
    }
    Ok(name)
}

/// The subfolder of each input: none for a single input, else its file stem made safe
/// (`report`, `stdin`), with `-2`, `-3` added when two inputs share a stem.
fn input_dirs(files: &[PathBuf]) -> Vec<Option<String>> {
    if files.len() < 2 {
        return vec![None; files.len()];
    }
    let mut used: BTreeMap<String, usize> = BTreeMap::new();
    files
        .iter()
        .map(|f| {
            let stem = if f.as_os_str() == "-" {
                "stdin".to_owned()
            } else {
                safe_stem(f)
            };
            let n = used.entry(stem.clone()).or_insert(0);
            *n += 1;
            Some(if *n == 1 { stem } else { format!("{stem}-{n}") })
        })
        .collect()
}

/// A file stem reduced to `[A-Za-z0-9._-]`, never empty and never starting with a dot.
fn safe_stem(path: &Path) -> String {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut s: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() || s.starts_with('.') {
        s.insert(0, '_');
    }
    s
}

/// `--stdout`: exactly one table of exactly one document.
fn to_stdout(args: &TablesArgs, opts: &TableOptions) -> Result<Outcome> {
    let [file] = args.files.as_slice() else {
        bail!("--stdout takes exactly one input file");
    };
    let mut docs = read_input(file);
    if docs.len() != 1 {
        bail!(
            "{} holds {} documents; --stdout writes one table of one document",
            file.display(),
            docs.len()
        );
    }
    let (name, input) = docs.remove(0);
    // An input that cannot be read is a failed input (exit 1), as in every command; only
    // usage errors and output that cannot be written exit 2.
    let mut doc = match document(&name, input) {
        Ok(doc) => doc,
        Err(e) => {
            eprintln!("error: {e:#}");
            return Ok(Outcome::Partial);
        }
    };
    selected(&name, &mut doc, &selection(args.range.pages.as_deref())?)?;
    let mut out = extract(&doc, opts);
    match &args.table {
        Some(id) => keep_only(&mut out, id).with_context(|| name.clone())?,
        None if out.tables.len() == 1 => {}
        None if out.tables.is_empty() => bail!("{name}: no tables"),
        None => bail!(
            "{name}: {} tables; pick one with --table ID ({})",
            out.tables.len(),
            out.tables
                .iter()
                .map(|t| t.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
    for w in &out.warnings {
        eprintln!("warning: {name}: {w}");
    }
    let mut o = std::io::stdout().lock();
    o.write_all(&render_table(&out.tables[0], opts))?;
    o.flush()?;
    Ok(Outcome::Ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_are_safe_and_unique() {
        let files: Vec<PathBuf> = [
            "a/report.json",
            "b/report.json",
            "-",
            "../..",
            "x/.hidden.json",
            "we ird/é.json",
            "a b.v2.json",
        ]
        .iter()
        .map(PathBuf::from)
        .collect();
        let dirs: Vec<String> = input_dirs(&files).into_iter().map(Option::unwrap).collect();
        assert_eq!(
            dirs,
            [
                "report", "report-2", "stdin", "_", "_.hidden", "_-2", "a_b.v2"
            ]
        );
        assert_eq!(input_dirs(&files[..1]), [None]);
    }

    #[test]
    fn only_plain_names() {
        assert!(safe_name("p003-t01.csv").is_ok());
        for bad in ["", ".", "..", "../x.csv", "a/b", "a\\b", "c:x"] {
            assert!(safe_name(bad).is_err(), "{bad}");
        }
    }
}
