//! The report for people: a text overview (a table of tables, worst first, then the findings of
//! each table in reading order), and the same as markdown.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io;

use super::checks::Check;
use super::report::{
    Finding, QUALITY_SCHEMA, QUALITY_SCHEMA_VERSION, QualityReport, Status, Summary, TableReport,
};
use super::spool::Spool;

/// A finished report whose tables wait in a spool (in memory while small, a temporary file
/// past 1 MiB): what [`QualityStream::finish`](super::QualityStream::finish) returns. It writes
/// the report in any format, reading the tables back one at a time, so a document of
/// thousands of tables is reported in bounded memory; each writer's bytes equal those of the
/// whole [`QualityReport`] ([`into_report`](Self::into_report)) serialised or rendered.
///
/// ```
/// use pagetree_convert::quality::{self, QualityOptions, QualityStream};
/// let doc = pagetree_model::load_document(br#"{"pages": [{"page_number": 1,
///     "items": [{"type": "table", "rows": [["Item", "Cost"], ["Fee", "12"], ["Tax", "n/a"]]}]}]}"#,
///     Some("fees.json")).unwrap();
/// let mut stream = QualityStream::new(&doc, &QualityOptions::default());
/// stream.push(&doc)?;
/// let mut report = stream.finish()?;
/// assert_eq!(report.summary().tables, 1);
/// let mut text = Vec::new();
/// report.write_text(&mut text)?;
/// let whole = quality::assess(&doc, &QualityOptions::default());
/// assert_eq!(String::from_utf8(text).unwrap(), quality::render_text(&whole));
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct FinishedReport {
    pub(super) input: String,
    pub(super) summary: Summary,
    pub(super) failed_pages: Vec<u32>,
    pub(super) spool: Spool,
    /// Findings added to spooled tables at the end (merges) or by a later batch (splits).
    pub(super) extra: BTreeMap<usize, Vec<Finding>>,
    /// Each table's score, for the overview's order.
    pub(super) scores: Vec<Option<u8>>,
    pub(super) max_cells: usize,
}

impl FinishedReport {
    /// The input's name.
    pub fn input(&self) -> &str {
        &self.input
    }

    /// Per-document figures.
    pub fn summary(&self) -> &Summary {
        &self.summary
    }

    /// Failed pages: any table on them is missing from the report.
    pub fn failed_pages(&self) -> &[u32] {
        &self.failed_pages
    }

    /// Every table's report, in reading order, read back from the spool.
    pub fn tables(&mut self) -> impl Iterator<Item = io::Result<TableReport>> + '_ {
        (0..self.scores.len()).map(|i| self.table(i))
    }

    /// Writes the report as `pagetree quality --format json` prints it: one JSON object (no
    /// newline after it), as `serde_json` writes the whole [`QualityReport`].
    ///
    /// # Errors
    ///
    /// Writing `out`, or reading the spool, failed.
    pub fn write_json(&mut self, out: &mut dyn io::Write) -> io::Result<()> {
        let head = (
            QUALITY_SCHEMA,
            QUALITY_SCHEMA_VERSION,
            &self.input,
            &self.summary,
        );
        let json = |e: serde_json::Error| io::Error::from(e);
        out.write_all(b"{\"schema\":")?;
        serde_json::to_writer(&mut *out, head.0).map_err(json)?;
        write!(out, ",\"version\":{},\"input\":", head.1)?;
        serde_json::to_writer(&mut *out, head.2).map_err(json)?;
        out.write_all(b",\"summary\":")?;
        serde_json::to_writer(&mut *out, head.3).map_err(json)?;
        out.write_all(b",\"tables\":[")?;
        for i in 0..self.scores.len() {
            if i > 0 {
                out.write_all(b",")?;
            }
            serde_json::to_writer(&mut *out, &self.table(i)?).map_err(json)?;
        }
        out.write_all(b"],\"failed_pages\":")?;
        serde_json::to_writer(&mut *out, &self.failed_pages).map_err(json)?;
        out.write_all(b"}")
    }

    /// Writes the report as [`render_text`] renders it.
    ///
    /// # Errors
    ///
    /// Writing `out`, or reading the spool, failed.
    pub fn write_text(&mut self, out: &mut dyn io::Write) -> io::Result<()> {
        let (head, mut tables) = self.parts();
        text(&head, &mut tables, &mut |s| out.write_all(s.as_bytes()))
    }

    /// Writes the report as [`render_markdown`] renders it.
    ///
    /// # Errors
    ///
    /// Writing `out`, or reading the spool, failed.
    pub fn write_markdown(&mut self, out: &mut dyn io::Write) -> io::Result<()> {
        let (head, mut tables) = self.parts();
        markdown(&head, &mut tables, &mut |s| out.write_all(s.as_bytes()))
    }

    /// The whole report in memory.
    ///
    /// # Errors
    ///
    /// Reading the spool failed.
    pub fn into_report(mut self) -> io::Result<QualityReport> {
        let tables = self.tables().collect::<io::Result<Vec<_>>>()?;
        Ok(QualityReport {
            schema: QUALITY_SCHEMA,
            version: QUALITY_SCHEMA_VERSION,
            input: self.input,
            summary: self.summary,
            tables,
            failed_pages: self.failed_pages,
        })
    }

    fn table(&mut self, i: usize) -> io::Result<TableReport> {
        super::settled(&mut self.spool, &self.extra, i, self.max_cells)
    }

    fn parts(&mut self) -> (Head<'_>, Spooled<'_>) {
        (
            Head {
                input: &self.input,
                summary: &self.summary,
                failed_pages: &self.failed_pages,
            },
            Spooled {
                spool: &mut self.spool,
                extra: &self.extra,
                scores: &self.scores,
                max_cells: self.max_cells,
            },
        )
    }
}

/// What the report says before its tables.
struct Head<'r> {
    input: &'r str,
    summary: &'r Summary,
    failed_pages: &'r [u32],
}

impl<'r> Head<'r> {
    fn of(r: &'r QualityReport) -> Self {
        Head {
            input: &r.input,
            summary: &r.summary,
            failed_pages: &r.failed_pages,
        }
    }
}

/// The tables of a report, held or spooled, by index in reading order.
trait Tables {
    fn count(&self) -> usize;
    fn score(&self, i: usize) -> Option<u8>;
    fn get(&mut self, i: usize) -> io::Result<Cow<'_, TableReport>>;
}

struct Held<'r>(&'r [TableReport]);

impl Tables for Held<'_> {
    fn count(&self) -> usize {
        self.0.len()
    }

    fn score(&self, i: usize) -> Option<u8> {
        self.0[i].score
    }

    fn get(&mut self, i: usize) -> io::Result<Cow<'_, TableReport>> {
        Ok(Cow::Borrowed(&self.0[i]))
    }
}

struct Spooled<'r> {
    spool: &'r mut Spool,
    extra: &'r BTreeMap<usize, Vec<Finding>>,
    scores: &'r [Option<u8>],
    max_cells: usize,
}

impl Tables for Spooled<'_> {
    fn count(&self) -> usize {
        self.scores.len()
    }

    fn score(&self, i: usize) -> Option<u8> {
        self.scores[i]
    }

    fn get(&mut self, i: usize) -> io::Result<Cow<'_, TableReport>> {
        super::settled(self.spool, self.extra, i, self.max_cells).map(Cow::Owned)
    }
}

/// Where a writer puts its output, piece by piece.
type Out<'o> = dyn FnMut(&str) -> io::Result<()> + 'o;

/// Renders into a string: nothing can fail.
fn rendered(
    r: &QualityReport,
    how: fn(&Head<'_>, &mut dyn Tables, &mut Out<'_>) -> io::Result<()>,
) -> String {
    let mut o = String::new();
    how(&Head::of(r), &mut Held(&r.tables), &mut |s| {
        o.push_str(s);
        Ok(())
    })
    .expect("rendering a report in memory does not fail");
    o
}

/// The report as plain text.
pub fn render_text(report: &QualityReport) -> String {
    rendered(report, text)
}

/// The report as markdown.
pub fn render_markdown(report: &QualityReport) -> String {
    rendered(report, markdown)
}

/// The text report, piece by piece into `out`.
fn text(r: &Head<'_>, tables: &mut dyn Tables, out: &mut Out<'_>) -> io::Result<()> {
    let mut o = String::new();
    let s = r.summary;
    let _ = writeln!(o, "{}", r.input);
    let _ = writeln!(o, "  tables    {}", headline(s));
    let _ = writeln!(o, "  status    {}", statuses(s));
    let _ = writeln!(o, "  grades    {}", grades(s));
    if !s.checks.is_empty() {
        let _ = writeln!(o, "  checks    {}", checks_fired(s, |id| id.to_owned()));
    }
    if !s.parse_concerns.is_empty() {
        let _ = writeln!(o, "  concerns  {}", concerns(s, |k| k.to_owned()));
    }
    if !r.failed_pages.is_empty() {
        let _ = writeln!(
            o,
            "  failed    pages {} (their tables are missing)",
            join_pages(r.failed_pages)
        );
    }
    if tables.count() == 0 {
        return out(&o);
    }
    let _ = writeln!(o);
    out(&o)?;
    let row = |t: &TableReport| -> [String; 6] {
        [
            t.id.clone(),
            t.page.to_string(),
            shape(t),
            score(t),
            t.status.as_str().to_owned(),
            top_finding(t, 72),
        ]
    };
    let head = ["table", "page", "shape", "score", "status", "top finding"].map(String::from);
    // The widths of every row first (the last column is not padded), then the rows.
    let mut widths = [0usize; 6];
    let mut widen = |row: &[String; 6]| {
        for (w, cell) in widths.iter_mut().zip(&row[..5]) {
            *w = (*w).max(cell.chars().count());
        }
    };
    widen(&head);
    for i in 0..tables.count() {
        let t = tables.get(i)?;
        widen(&row(&t));
    }
    let line = |row: &[String; 6]| {
        let mut line = String::from("  ");
        for (i, (cell, w)) in row.iter().zip(widths).enumerate() {
            if i == 5 {
                line.push_str(cell);
            } else {
                let pad = w - cell.chars().count();
                line.push_str(cell);
                line.push_str(&" ".repeat(pad + 2));
            }
        }
        let mut line = line.trim_end().to_owned();
        line.push('\n');
        line
    };
    out(&line(&head))?;
    for i in overview(tables) {
        let t = tables.get(i)?;
        out(&line(&row(&t)))?;
    }
    for i in 0..tables.count() {
        let t = tables.get(i)?;
        if t.findings.is_empty() {
            continue;
        }
        let mut o = String::new();
        let _ = writeln!(o);
        let _ = writeln!(o, "{}", table_title(&t));
        let locs: Vec<String> = t.findings.iter().map(location).collect();
        let wc = t
            .findings
            .iter()
            .map(|f| f.check.id().len())
            .max()
            .unwrap_or(0);
        let wl = locs.iter().map(|l| l.chars().count()).max().unwrap_or(0);
        for (f, loc) in t.findings.iter().zip(&locs) {
            let line = format!(
                "  {:<7}  {:<wc$}  {:<wl$}  {}",
                f.severity.as_str(),
                f.check.id(),
                loc,
                f.message
            );
            let _ = writeln!(o, "{}", line.trim_end());
        }
        out(&o)?;
    }
    Ok(())
}

/// The markdown report, piece by piece into `out`.
fn markdown(r: &Head<'_>, tables: &mut dyn Tables, out: &mut Out<'_>) -> io::Result<()> {
    let mut o = String::new();
    let s = r.summary;
    let _ = writeln!(o, "## Table quality: `{}`", r.input);
    let _ = writeln!(o);
    let _ = writeln!(o, "- **Tables:** {}", headline(s));
    let _ = writeln!(o, "- **Status:** {}", statuses(s));
    let _ = writeln!(o, "- **Grades:** {}", grades(s));
    if !s.checks.is_empty() {
        let _ = writeln!(
            o,
            "- **Checks fired** (tables): {}",
            checks_fired(s, |id| format!("`{id}`"))
        );
    }
    if !s.parse_concerns.is_empty() {
        let _ = writeln!(
            o,
            "- **Server concerns** (confirmed/total): {}",
            concerns(s, |k| format!("`{k}`"))
        );
    }
    if !r.failed_pages.is_empty() {
        let _ = writeln!(
            o,
            "- **Failed pages:** {} (their tables are missing)",
            join_pages(r.failed_pages)
        );
    }
    if tables.count() == 0 {
        return out(&o);
    }
    let _ = writeln!(o);
    let _ = writeln!(o, "| table | page | shape | score | status | top finding |");
    let _ = writeln!(o, "|---|---:|---|---:|---|---|");
    out(&o)?;
    for i in overview(tables) {
        let t = tables.get(i)?;
        out(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            t.id,
            t.page,
            shape(&t),
            score(&t),
            t.status.as_str(),
            md_cell(&top_finding(&t, 100))
        ))?;
    }
    for i in 0..tables.count() {
        let t = tables.get(i)?;
        if t.findings.is_empty() {
            continue;
        }
        let mut o = String::new();
        let _ = writeln!(o);
        let _ = writeln!(o, "### {}", table_title(&t));
        let _ = writeln!(o);
        let _ = writeln!(o, "| severity | check | where | message |");
        let _ = writeln!(o, "|---|---|---|---|");
        for f in &t.findings {
            let _ = writeln!(
                o,
                "| {} | `{}` | {} | {} |",
                f.severity.as_str(),
                f.check.id(),
                location(f),
                md_cell(&f.message)
            );
        }
        out(&o)?;
    }
    Ok(())
}

fn headline(s: &Summary) -> String {
    let mut line = format!("{} ({} scored)", s.tables, s.scored);
    if let (Some(mean), Some(min)) = (s.mean_score, s.min_score) {
        let _ = write!(line, ", mean score {mean}, lowest {min}");
    }
    line
}

/// Tables per status in report order; `merged_stub` only when there are stubs.
fn statuses(summary: &Summary) -> String {
    Status::ALL
        .iter()
        .map(|s| (s, summary.statuses.get(s.as_str()).copied().unwrap_or(0)))
        .filter(|&(s, n)| n > 0 || *s != Status::MergedStub)
        .map(|(s, n)| format!("{} {n}", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn grades(s: &Summary) -> String {
    s.grades
        .iter()
        .map(|(k, n)| format!("{k} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Checks that fired with their table counts, in report order (by family).
fn checks_fired(s: &Summary, name: impl Fn(&str) -> String) -> String {
    Check::ALL
        .iter()
        .filter_map(|c| {
            s.checks
                .get(c.id())
                .map(|n| format!("{} {}", name(c.id()), n.tables))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn concerns(s: &Summary, name: impl Fn(&str) -> String) -> String {
    s.parse_concerns
        .iter()
        .map(|(k, t)| {
            let mut s = format!("{} {}/{} confirmed", name(k), t.confirmed, t.total);
            if t.unchecked > 0 {
                let _ = write!(s, " ({} unchecked)", t.unchecked);
            }
            s
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Scored tables worst first (reading order among equals), then merge stubs: their indices.
fn overview(tables: &dyn Tables) -> Vec<usize> {
    let mut v: Vec<usize> = (0..tables.count()).collect();
    v.sort_by_key(|&i| tables.score(i).map_or(u16::MAX, u16::from));
    v
}

fn shape(t: &TableReport) -> String {
    format!("{}×{}", t.shape[0], t.shape[1])
}

fn score(t: &TableReport) -> String {
    match (t.score, t.grade) {
        (Some(s), Some(g)) => format!("{s} {g}"),
        _ => "-".into(),
    }
}

fn top_finding(t: &TableReport, max: usize) -> String {
    t.findings.first().map_or("-".into(), |f| {
        shorten(&format!("{}: {}", f.check, f.message), max)
    })
}

fn table_title(t: &TableReport) -> String {
    let mut s = format!("{}  page {}", t.id, t.page);
    if let Some(src) = t.source {
        let _ = write!(s, ", {} from {src}", shape(t));
    }
    match (t.score, t.grade) {
        (Some(sc), Some(g)) => {
            let _ = write!(s, ", score {sc} ({g}), {}", t.status.as_str());
        }
        _ => {
            let _ = write!(s, ", {}", t.status.as_str());
        }
    }
    if t.furniture {
        s.push_str(", in a page header/footer");
    }
    s
}

/// `html r3 c1`, `r3`, `c1` or `-`.
fn location(f: &Finding) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(s) = f.source {
        parts.push(s.to_string());
    }
    if let Some(r) = f.row {
        parts.push(format!("r{r}"));
    }
    if let Some(c) = f.column {
        parts.push(format!("c{c}"));
    }
    if parts.is_empty() {
        "-".into()
    } else {
        parts.join(" ")
    }
}

fn join_pages(pages: &[u32]) -> String {
    pages
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// One line, at most `max` characters.
fn shorten(s: &str, max: usize) -> String {
    let one_line: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= max {
        return one_line;
    }
    let mut out: String = one_line.chars().take(max - 1).collect();
    out.push('…');
    out
}

/// Text safe inside a markdown table cell.
fn md_cell(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('<', "&lt;")
}
