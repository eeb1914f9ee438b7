//! Every command-line argument type, validated into library option structs by the commands.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use pagetree_convert::quality::Check;
use pagetree_convert::tables::Delimiter;

/// Turn saved LlamaParse responses into markdown, CSV tables, bbox JSON, quality reports and
/// RAG chunks, offline.
///
/// Exit codes: 0 all inputs processed; 1 some inputs failed (each error is printed with its
/// file, JSON path, line and column) or a check failed; 2 usage error or fatal error.
#[derive(Debug, Parser)]
#[command(name = "pagetree", version, about, long_about)]
pub struct Cli {
    /// Worker threads (default: one per core). Output is identical for any value.
    #[arg(long, short = 'j', global = true, value_name = "N")]
    pub jobs: Option<usize>,

    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show what an input holds before converting it: shape, pages, failed pages, item counts,
    /// tables, parse concerns, unknown kinds and bounding-box problems.
    Inspect(InspectArgs),
    /// Write every table as a CSV (or JSON Lines) file, with an index `tables.json` saying
    /// where each came from and whether its representations agree.
    ///
    /// Cells come from the table's `rows`; when those are missing, from its `html` (rowspan and
    /// colspan expanded: text in the top-left cell, the rest empty), else its `csv` or `md`.
    /// Files are named `p003-t01.csv` (page 3, first table on the page). Tables the server
    /// merged across pages are one file named after their first page; their empty stubs are not
    /// written. With one input holding one document, files go straight into DIR; otherwise each
    /// input gets a subfolder named after its file stem (`DIR/report/`), and each document of a
    /// multi-document input (JSON Lines, v1 lists) a numbered one (`DIR/report/2/`).
    Tables(TablesArgs),
    /// Judge every table: which to trust, which to check, and why.
    ///
    /// Runs structure, header, value, cross-representation (`rows`/`csv`/`html`/`md`),
    /// arithmetic (totals), page-split, box and server-signal checks on each table, from the
    /// saved response alone, and gives each table a 0-100 score, a grade and a status (`ok`,
    /// `review`, `unusable`, `merged_stub`). Text output is an overview (worst tables first)
    /// followed by the findings of each table; `--format json` prints one `pagetree.quality`
    /// object per document (JSON Lines). Exit code 1 when an input failed or a `--fail-under` /
    /// `--fail-on` condition holds.
    Quality(QualityArgs),
}

/// `pagetree inspect`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// Input files (`-` reads standard input).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Print one JSON object per input (JSON Lines) instead of text.
    #[arg(long)]
    pub json: bool,
}

/// `pagetree tables`.
#[derive(Debug, Args)]
pub struct TablesArgs {
    /// Input files (`-` reads standard input).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Directory to write into (created when missing; existing files of the same name are
    /// replaced atomically).
    #[arg(
        short,
        long,
        value_name = "DIR",
        required_unless_present = "stdout",
        conflicts_with = "stdout"
    )]
    pub output: Option<PathBuf>,

    /// Write one table to standard output instead (one input; the input must hold exactly one
    /// table, or pick one with --table).
    #[arg(long)]
    pub stdout: bool,

    /// Only this table, by id (`p003-t01`, as listed in tables.json).
    #[arg(long, value_name = "ID")]
    pub table: Option<String>,

    /// Also join continuation tables the server did not merge: same column count, the first
    /// last on its page and the second first on the next, header repeated (dropped) or absent.
    #[arg(long)]
    pub stitch: bool,

    /// CSV field delimiter: `,` `;` or `tab`.
    #[arg(long, value_name = "CHAR", default_value = ",", value_parser = parse_delimiter)]
    pub delimiter: Delimiter,

    /// The first N rows are the header; N ≥ 2 flattens them into one row (`Revenue / 2023`),
    /// 0 means no header. Default: as the source says (HTML header rows, else 1), unflattened.
    #[arg(long, value_name = "N")]
    pub header_rows: Option<usize>,

    /// Rewrite numbers in body cells: `1,234.5` → `1234.5`, `(12)` and `−12` → `-12`.
    /// Currency symbols, `k`/`M` suffixes and decimal commas are left as written.
    #[arg(long)]
    pub normalize_numbers: bool,

    /// With --normalize-numbers: keep percentages (`12%`) or write fractions (`0.12`).
    #[arg(long, value_enum, default_value_t = PercentArg::Keep, requires = "normalize_numbers")]
    pub percent: PercentArg,

    /// File format of each table.
    #[arg(long, value_enum, default_value_t = FormatArg::Csv)]
    pub format: FormatArg,

    /// Index to write beside the tables: tables.json, tables.csv, or both.
    #[arg(long, value_enum, default_value_t = IndexArg::Json)]
    pub index: IndexArg,

    /// Pad short rows with empty cells so every record has the same number of fields.
    #[arg(long)]
    pub pad: bool,
}

/// `pagetree quality`.
#[derive(Debug, Args)]
pub struct QualityArgs {
    /// Input files (`-` reads standard input).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Report format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,

    /// Write the report to FILE (replaced atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Exit with 1 when any table scores under SCORE (0-100; merge stubs have no score).
    #[arg(long, value_name = "SCORE", value_parser = clap::value_parser!(u8).range(0..=100))]
    pub fail_under: Option<u8>,

    /// Exit with 1 when check CHECK fires on any table (repeatable), e.g. `total_mismatch`.
    /// An unknown id is a usage error that lists the known ones.
    #[arg(long, value_name = "CHECK", value_parser = parse_check)]
    pub fail_on: Vec<Check>,
}

/// `quality --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Readable overview and findings.
    Text,
    /// One `pagetree.quality` JSON object per document, one per line.
    Json,
    /// Markdown (tables of tables and findings).
    Markdown,
}

fn parse_check(s: &str) -> Result<Check, String> {
    Check::from_id(s).ok_or_else(|| {
        let known: Vec<&str> = Check::ALL.iter().map(|c| c.id()).collect();
        format!("unknown check id {s:?}; known ids: {}", known.join(", "))
    })
}

/// `--percent`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PercentArg {
    /// `12%` stays `12%`.
    Keep,
    /// `12%` becomes `0.12`.
    Fraction,
}

/// `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// CSV.
    Csv,
    /// JSON Lines, one object per body row keyed by the header.
    Jsonl,
}

/// `--index`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum IndexArg {
    /// tables.json.
    Json,
    /// tables.csv.
    Csv,
    /// Both.
    Both,
}

fn parse_delimiter(s: &str) -> Result<Delimiter, String> {
    match s {
        "," | "comma" => Ok(Delimiter::Comma),
        ";" | "semicolon" => Ok(Delimiter::Semicolon),
        "\t" | "\\t" | "tab" => Ok(Delimiter::Tab),
        other => Err(format!("expected `,`, `;` or `tab`, got {other:?}")),
    }
}
