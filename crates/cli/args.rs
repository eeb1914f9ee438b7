//! Every command-line argument type, validated into library option structs by the commands.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use pagetree_convert::audit::Issue;
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
    #[arg(
        long,
        short = 'j',
        global = true,
        value_name = "N",
        help_heading = "Performance"
    )]
    pub jobs: Option<usize>,

    /// When to colour: `auto` colours on a terminal, unless `NO_COLOR` is set (non-empty);
    /// `CLICOLOR_FORCE` colours when not on one. Applies to help, usage and the `error:`,
    /// `warning:`, `note:` labels on standard error; data is never coloured.
    #[arg(
        long,
        global = true,
        value_enum,
        value_name = "WHEN",
        default_value_t = ColorArg::Auto,
        help_heading = "Output"
    )]
    pub color: ColorArg,

    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    /// On a terminal, unless `NO_COLOR` says otherwise (or `CLICOLOR_FORCE` forces it).
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
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
    /// Every element (item) with its page, place in the tree, heading path, boxes (points and
    /// normalised 0..1) with each box's span of the item's markdown, and the element's range in
    /// the document markdown that `pagetree markdown` renders with the same options.
    ///
    /// Output: one JSON document per input (schema `pagetree.elements`, version 1), or JSON
    /// Lines with --jsonl (one record per line: `document`, `page`, `element`, `summary`).
    /// To standard output, to `-o FILE`, or with several inputs to `-o DIR` as
    /// `DIR/<name>.elements.json`. Every markdown option is accepted and moves `md_range`
    /// exactly as it moves the markdown.
    Elements(ElementsArgs),
    /// Convert many responses at once (the main job): files, directories (searched
    /// recursively), glob patterns, JSON Lines files and `-`, into one folder per document
    /// under OUT with the outputs asked for (`document.md`, `document.txt`, `tables/`,
    /// `elements.json`).
    ///
    /// Inputs are converted in parallel (and the pages of each document too); the output is
    /// byte-identical for any --jobs. A broken input is reported with its located error and
    /// never leaves partial output: each document is written into a temporary folder that
    /// replaces its output folder only when complete. A manifest in OUT
    /// (`pagetree-manifest.json`) records each input's hash, the options and the version, so
    /// a re-run skips unchanged inputs (unless --force). Responses of 8 MiB or more are
    /// converted page by page with bounded memory (--stream).
    ///
    /// Exit codes: 0 every input converted (or unchanged), 1 some inputs failed, 2 usage error.
    Convert(ConvertArgs),
    /// Render markdown from saved responses, with the LlamaParse markdown options (page
    /// separators, headers and footers, failed pages, HTML or compact tables, table merging,
    /// links, images), offline.
    ///
    /// Options are layered: defaults, then the response's `raw_parameters`
    /// (--options-from-response), then --options-from FILE, then explicit flags. String
    /// options understand `\n`, `\t` and `\\`. Warnings (failed pages, missing sources) go to
    /// standard error and do not change the exit code.
    Markdown(MarkdownArgs),
    /// RAG chunks with provenance, as JSON Lines (one chunk per line): structure-aware
    /// (chunks break at headings; small neighbouring sections that share a heading path are
    /// merged), sized in characters or cl100k_base tokens, tables kept whole or split by rows
    /// with the header repeated, headers and footers left out, failed pages never bridged.
    ///
    /// Each line is `{"schema", "version", "id", "text", "page_content", "metadata"}`:
    /// `text` and `page_content` are the same, so a line loads as a LlamaIndex `TextNode` or a
    /// LangChain `Document`. The metadata gives the heading path, pages, the union box and the
    /// boxes per page (points and normalised), element ids (as `pagetree elements` names them),
    /// table ids and row ranges, and `md_range`/`md_parts` in the markdown `pagetree markdown`
    /// prints with the same options and `--headers hide --footers hide` (unless --furniture).
    /// To standard output, to `-o FILE`, or with several inputs to `-o DIR` as
    /// `DIR/<name>.chunks.jsonl`.
    Chunks(ChunksArgs),
    /// One self-contained HTML file per document to look at a parse: every page drawn at its
    /// size with its items' boxes (coloured by kind, numbered in reading order, headers and
    /// footers shaded, junk boxes marked) beside its markdown; pointing at a box highlights
    /// its markdown and the other way round. Modes: elements, chunks (a chunk's boxes light up
    /// on every page) and tables (outlined by quality status, with findings and the parsed
    /// grid).
    ///
    /// The file needs no network: data is embedded once as JSON and pages are drawn as they
    /// scroll into view. To `-o FILE`, standard output, or with several inputs to `-o DIR` as
    /// `DIR/<name>.view.html`. Every markdown option is accepted and changes the markdown shown.
    View(ViewArgs),
    /// Render plain text from saved responses, with the same page options as `markdown`.
    ///
    /// Options are layered as for `markdown`. From items: headings, paragraphs and code as
    /// text, lists with `•`/`1.` markers, table rows with tab-separated cells, links as their
    /// text, no images.
    Text(TextArgs),
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
    /// Extract jobs (`GET /api/v2/extract/{job_id}`) as one CSV or JSON Lines table.
    ///
    /// One row per document, page or table row (the shape of `extract_result`), nested fields
    /// as dotted columns (`buyer.address.city`), source columns first (`source.file`,
    /// `source.job_id`, `source.value`, `source.record`). Jobs that are not COMPLETED are
    /// reported on standard error and skipped; usage is summed there too. Exit code 1 when an
    /// input failed or a job was skipped.
    Extract(ExtractArgs),
    /// Job listings (`GET /api/v2/parse`, any number of pages) and batch item processing
    /// results as one table of jobs, with counts by status, the batch parse parameters that
    /// differ between items, and a retry list (--retry).
    Jobs(JobsArgs),
    /// What came back failed, empty, as placeholder text, nearly empty, with unusable tables
    /// or useless boxes, per document and in total, and the pages worth parsing again as the
    /// API's zero-based `target_pages` string.
    ///
    /// Exit code 1 when an input failed or a --fail-on condition holds.
    Audit(AuditArgs),
    /// Print a shell completion script: `pagetree completions bash > ~/.local/share/bash-completion/completions/pagetree`.
    Completions(CompletionsArgs),
    /// Print the manual page (roff): `pagetree man > pagetree.1`, one command's page
    /// (`pagetree man convert > pagetree-convert.1`), or write every page into a folder
    /// (`pagetree man --dir ~/.local/share/man/man1`).
    Man(ManArgs),
}

/// `pagetree man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// The command whose page to print (`convert` prints `pagetree-convert.1`); without it,
    /// the page of `pagetree` itself.
    #[arg(value_name = "COMMAND")]
    pub command: Option<String>,
    /// Write the pages into this folder instead of printing one: `pagetree.1` and one
    /// `pagetree-COMMAND.1` per command (only COMMAND's page when one is named).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// `pagetree completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

impl Command {
    /// The inputs of a command that reads them, to default to standard input.
    fn inputs_mut(&mut self) -> Option<&mut Vec<PathBuf>> {
        match self {
            Command::Inspect(a) => Some(&mut a.files),
            Command::Tables(a) => Some(&mut a.files),
            Command::Quality(a) => Some(&mut a.files),
            Command::Markdown(a) => Some(&mut a.render.files),
            Command::Text(a) => Some(&mut a.render.files),
            Command::Elements(a) => Some(&mut a.markdown.render.files),
            Command::Chunks(a) => Some(&mut a.markdown.render.files),
            Command::View(a) => Some(&mut a.markdown.render.files),
            // These read their own inputs (job listings, extract jobs, folders).
            Command::Convert(_)
            | Command::Extract(_)
            | Command::Jobs(_)
            | Command::Audit(_)
            | Command::Completions(_)
            | Command::Man(_) => None,
        }
    }

    /// With no input named: standard input when something is piped in (as `jq` and `rg`
    /// read it), else `Err` with the command's name, for its short usage (nothing to wait for
    /// on a terminal).
    pub fn default_to_stdin(&mut self, no_stdin: bool) -> Result<(), String> {
        let empty = match self {
            Command::Convert(a) => a.inputs.is_empty(),
            _ => self.inputs_mut().is_some_and(|f| f.is_empty()),
        };
        if !empty {
            return Ok(());
        }
        if no_stdin {
            let name = match self {
                Command::Inspect(_) => "inspect",
                Command::Tables(_) => "tables",
                Command::Quality(_) => "quality",
                Command::Markdown(_) => "markdown",
                Command::Text(_) => "text",
                Command::Elements(_) => "elements",
                Command::Chunks(_) => "chunks",
                Command::View(_) => "view",
                _ => "convert",
            };
            return Err(name.to_owned());
        }
        match self {
            Command::Convert(a) => a.inputs.push("-".into()),
            _ => {
                if let Some(f) = self.inputs_mut() {
                    f.push(PathBuf::from("-"));
                }
            }
        }
        Ok(())
    }
}

/// `pagetree inspect`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// Input files (`-` reads standard input; with none, piped standard input is read).
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Print one JSON object per input (JSON Lines) instead of text.
    #[arg(long)]
    pub json: bool,

    /// Read page by page with bounded memory: inputs of 8 MiB or more (auto), every input
    /// that can be (always), or none (never). The report is the same either way.
    #[arg(long, value_enum, default_value_t = StreamArg::Auto, value_name = "WHEN")]
    pub stream: StreamArg,
}

/// Options shared by `markdown` and `text`. String options understand `\n`, `\t` and `\\`
/// escapes, so `--page-separator '\n===\n'` works from a shell; `render::unescape` applies
/// them during validation.
#[derive(Debug, Args)]
#[command(next_help_heading = "Input and output")]
pub struct RenderArgs {
    /// Input files (`-` reads standard input; with none, piped standard input is read).
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Write to this file instead of standard output; a directory (one file per input
    /// document) with --per-page, several FILEs, an existing directory or a trailing `/`.
    #[arg(long, short = 'o', value_name = "PATH")]
    pub output: Option<PathBuf>,

    /// One file per page, `<name>.page-<N>.<ext>`, in the -o directory.
    #[arg(long, requires = "output")]
    pub per_page: bool,

    /// Render page by page with bounded memory: inputs of 8 MiB or more (auto), every input
    /// that can be (always), or none (never). The output is the same either way.
    #[arg(long, value_enum, default_value_t = StreamArg::Auto, value_name = "WHEN", help_heading = "Performance")]
    pub stream: StreamArg,

    /// Page and furniture options.
    #[command(flatten)]
    pub pages: PageArgs,
}

/// Page options shared by every command that renders markdown or text: source, page
/// selection, separators, headers and footers, failed pages, and the response's own options.
/// String options understand `\n`, `\t` and `\\` escapes.
#[derive(Debug, Args)]
#[command(next_help_heading = "Pages and furniture")]
pub struct PageArgs {
    /// Render from the item tree or use the server's pages (default: items when present).
    #[arg(long, value_enum, value_name = "SOURCE")]
    pub from: Option<FromArg>,

    /// Pages to render, e.g. `3-7,10` or `5-` (default: all).
    #[arg(long, value_name = "RANGES")]
    pub pages: Option<String>,

    /// Between pages; `{pageNumber}` is the next page's number (default: `\n---\n`).
    #[arg(long, value_name = "STR")]
    pub page_separator: Option<String>,

    /// Before each page; `{pageNumber}` is the page's number.
    #[arg(long, value_name = "STR")]
    pub page_prefix: Option<String>,

    /// After each page; `{pageNumber}` is the page's number.
    #[arg(long, value_name = "STR")]
    pub page_suffix: Option<String>,

    /// Page headers: keep or hide (default: keep).
    #[arg(long, value_enum, value_name = "MODE")]
    pub headers: Option<FurnitureArg>,

    /// Page footers: keep or hide (default: keep).
    #[arg(long, value_enum, value_name = "MODE")]
    pub footers: Option<FurnitureArg>,

    /// Find running heads and feet the server typed as text (lines repeated at the top or
    /// bottom of many pages) and treat them as headers and footers (default: on).
    #[arg(long, value_enum, value_name = "WHEN")]
    pub detect_furniture: Option<DetectArg>,

    /// Written before each kept page header.
    #[arg(long, value_name = "STR")]
    pub header_prefix: Option<String>,

    /// Written after each kept page header.
    #[arg(long, value_name = "STR")]
    pub header_suffix: Option<String>,

    /// Written before each kept page footer.
    #[arg(long, value_name = "STR")]
    pub footer_prefix: Option<String>,

    /// Written after each kept page footer.
    #[arg(long, value_name = "STR")]
    pub footer_suffix: Option<String>,

    /// What replaces a failed page (default: raw-text; a warning always names the page).
    #[arg(long, value_enum, value_name = "MODE")]
    pub failed_pages: Option<FailedArg>,

    /// Written before a failed page's error message.
    #[arg(long, value_name = "STR")]
    pub failed_page_prefix: Option<String>,

    /// Written after a failed page's error message.
    #[arg(long, value_name = "STR")]
    pub failed_page_suffix: Option<String>,

    /// Take defaults from each response's `raw_parameters` (the API's option names);
    /// explicit flags win.
    #[arg(long)]
    pub options_from_response: bool,

    /// Take defaults from this JSON file: a batch-results body (its parse job's
    /// `parameters`), a response with `raw_parameters`, or an object of API options;
    /// explicit flags win.
    #[arg(long, value_name = "FILE")]
    pub options_from: Option<PathBuf>,
}

/// `pagetree markdown`.
#[derive(Debug, Args)]
pub struct MarkdownArgs {
    /// Options shared with `text`.
    #[command(flatten)]
    pub render: RenderArgs,

    /// Markdown styling.
    #[command(flatten)]
    pub style: MarkdownStyleArgs,
}

/// Markdown-only styling options (tables, links, images).
#[derive(Debug, Args)]
#[command(next_help_heading = "Rendering")]
pub struct MarkdownStyleArgs {
    /// Tables as GFM pipe tables or HTML (default: markdown).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub tables: Option<TablesArg>,

    /// GFM table layout: `| a | b |`, columns padded to width, or `|a|b|` (default: padded).
    #[arg(long, value_enum, value_name = "STYLE")]
    pub table_style: Option<TableStyleArg>,

    /// What a line break inside a table cell becomes (default: `<br/>`).
    #[arg(long, value_name = "STR")]
    pub cell_line_break: Option<String>,

    /// Also merge tables the server left split across a page break (default: false).
    #[arg(long, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true")]
    pub merge_tables: Option<bool>,

    /// Links as their text or annotated `[text](url)` (default: text).
    #[arg(long, value_enum, value_name = "STYLE")]
    pub links: Option<LinksArg>,

    /// Images as `![caption](url)` or left out (default: inline).
    #[arg(long, value_enum, value_name = "STYLE")]
    pub images: Option<ImagesArg>,

    /// Which representation of each table to render: the most complete of rows, html and md
    /// plus what only md holds (best), or one of them (default: best).
    #[arg(long, value_enum, value_name = "SOURCE")]
    pub table_source: Option<TableSourceArg>,
}

/// `pagetree text`.
#[derive(Debug, Args)]
pub struct TextArgs {
    /// Options shared with `markdown`.
    #[command(flatten)]
    pub render: RenderArgs,
}

/// `--from`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FromArg {
    /// The item tree (`items.pages`).
    Items,
    /// The server's page markdown or text.
    Server,
}

/// `--headers`, `--footers`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FurnitureArg {
    /// Keep them where they are (wrapped when a prefix or suffix is given).
    Keep,
    /// Leave them out.
    Hide,
}

/// `--detect-furniture`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DetectArg {
    /// Look for running heads and feet.
    On,
    /// Only what the server typed as header and footer is furniture.
    Off,
}

/// `--failed-pages`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailedArg {
    /// The page's text from `text.pages` (the error message when there is none).
    RawText,
    /// Nothing.
    Blank,
    /// The error message, between the failed-page prefix and suffix.
    ErrorMessage,
}

/// `--tables`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TablesArg {
    /// GFM pipe tables from `rows`.
    Markdown,
    /// HTML: the table's `html`, else generated from `rows`.
    Html,
}

/// `--table-style`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TableStyleArg {
    /// `| a | b |`.
    Padded,
    /// Columns padded to their widest cell.
    Aligned,
    /// `|a|b|`.
    Compact,
}

/// `--table-source`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TableSourceArg {
    /// The most complete of `rows`, `html` and `md`, plus what only `md` holds outside the
    /// table.
    Best,
    /// The server's `rows`, exactly.
    Rows,
    /// The table's `html` (else `rows`).
    Html,
    /// The table's `md` (else `rows`).
    Md,
}

impl TableSourceArg {
    /// The library's option.
    pub fn to_option(self) -> pagetree_convert::tables::TableSource {
        use pagetree_convert::tables::TableSource;
        match self {
            TableSourceArg::Best => TableSource::Best,
            TableSourceArg::Rows => TableSource::Rows,
            TableSourceArg::Html => TableSource::Html,
            TableSourceArg::Md => TableSource::Md,
        }
    }
}

/// `--cells`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CellsArg {
    /// Plain text: line breaks for `<br>`, emphasis and tags removed, entities decoded.
    Text,
    /// Inline markdown as the cell holds it (literal asterisks escaped).
    Markdown,
    /// Exactly as the representation holds it (byte for byte `rows` with --table-source rows).
    Raw,
}

impl CellsArg {
    /// The library's option.
    pub fn to_option(self) -> pagetree_convert::tables::CellText {
        use pagetree_convert::tables::CellText;
        match self {
            CellsArg::Text => CellText::Text,
            CellsArg::Markdown => CellText::Markdown,
            CellsArg::Raw => CellText::Raw,
        }
    }
}

/// `--links`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LinksArg {
    /// The link text.
    Text,
    /// `[text](url)`.
    Annotate,
}

/// `--images`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImagesArg {
    /// `![caption](url)`.
    Inline,
    /// Left out.
    Omit,
}

/// `pagetree tables`.
#[derive(Debug, Args)]
pub struct TablesArgs {
    /// Input files (`-` reads standard input; with none, piped standard input is read).
    #[arg(value_name = "FILE")]
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

    /// Which representation of each table to read: the most complete of rows, html and md
    /// (best), or one of them. tables.json names the one used.
    #[arg(long, value_enum, default_value_t = TableSourceArg::Best, value_name = "SOURCE")]
    pub table_source: TableSourceArg,

    /// How cells are written: plain text, inline markdown, or raw (exactly as the source holds
    /// them).
    #[arg(long, value_enum, default_value_t = CellsArg::Text, value_name = "MODE")]
    pub cells: CellsArg,

    /// Read page by page with bounded memory: inputs of 8 MiB or more (auto), every input
    /// that can be (always), or none (never). The files are the same either way (`--table`
    /// and `--index csv|both` read whole).
    #[arg(
        long,
        value_enum,
        default_value_t = StreamArg::Auto,
        value_name = "WHEN",
        help_heading = "Performance"
    )]
    pub stream: StreamArg,

    /// `--pages`.
    #[command(flatten)]
    pub range: PageRangeArgs,
}

/// `--pages` of the commands that read a response's tables (`tables`, `quality`); the
/// commands that render pages take it with the other page options ([`PageArgs`]).
#[derive(Debug, Args)]
pub struct PageRangeArgs {
    /// Pages to read, e.g. `3-7,10` or `5-` (default: all). A range that starts past the
    /// last page is an error.
    #[arg(long, value_name = "RANGES", help_heading = "Input and output")]
    pub pages: Option<String>,
}

/// `pagetree quality`.
#[derive(Debug, Args)]
pub struct QualityArgs {
    /// Input files (`-` reads standard input; with none, piped standard input is read).
    #[arg(value_name = "FILE")]
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

    /// Read page by page with bounded memory: inputs of 8 MiB or more (auto), every input
    /// that can be (always), or none (never). The report is the same either way.
    #[arg(
        long,
        value_enum,
        default_value_t = StreamArg::Auto,
        value_name = "WHEN",
        help_heading = "Performance"
    )]
    pub stream: StreamArg,

    /// `--pages`.
    #[command(flatten)]
    pub range: PageRangeArgs,
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

/// `pagetree elements`. `--per-page` is rejected here, so not shown.
#[derive(Debug, Args)]
#[command(mut_arg("per_page", |a| a.hide(true)))]
pub struct ElementsArgs {
    /// Inputs, output and the markdown options the `md_range` values refer to.
    #[command(flatten)]
    pub markdown: MarkdownArgs,

    /// JSON Lines: one record per line instead of one JSON document.
    #[arg(long, help_heading = "Input and output")]
    pub jsonl: bool,

    /// Leave page headers and footers (and their contents) out.
    #[arg(long, help_heading = "Pages and furniture")]
    pub no_furniture: bool,
}

/// `pagetree convert`.
#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// Files, directories (searched recursively for .json, .jsonl and .ndjson), glob patterns
    /// (quote them: `'responses/**/*.json'`), or `-` for standard input.
    /// With none, piped standard input is read.
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<String>,

    /// Output folder (created when missing): `OUT/<input path without extension>/`, with one
    /// numbered subfolder per document for inputs holding several (JSON Lines, v1 lists).
    #[arg(short, long, value_name = "OUT", help_heading = "Output")]
    pub output: PathBuf,

    /// Outputs to write, comma-separated.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        value_name = "LIST",
        default_value = "markdown,tables,elements",
        help_heading = "Output"
    )]
    pub to: Vec<OutputArg>,

    /// Convert inputs even when the manifest says they are unchanged.
    #[arg(long, help_heading = "Output")]
    pub force: bool,

    /// Convert only shard I of N (1 ≤ I ≤ N): a stable share of the inputs, chosen by a hash
    /// of each input's key, so N machines running shards 1/N .. N/N convert every input once.
    #[arg(long, value_name = "I/N", value_parser = parse_shard, help_heading = "Performance")]
    pub shard: Option<(u64, u64)>,

    /// Also write the summary as JSON to FILE.
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub report: Option<PathBuf>,

    /// No progress bar and no summary (errors are still printed).
    #[arg(long, short, help_heading = "Output")]
    pub quiet: bool,

    /// When another run is writing OUT, wait for it to finish instead of failing.
    #[arg(long, help_heading = "Output")]
    pub wait: bool,

    /// Convert page by page with bounded memory: for inputs of 8 MiB or more (auto), always,
    /// or never. The output is the same either way.
    #[arg(long, value_enum, default_value_t = StreamArg::Auto, value_name = "WHEN", help_heading = "Performance")]
    pub stream: StreamArg,

    /// Write elements as JSON Lines (`elements.jsonl`).
    #[arg(long, help_heading = "Output")]
    pub elements_jsonl: bool,

    /// Join continuation tables the server did not merge (as `tables --stitch`).
    #[arg(long, help_heading = "Tables")]
    pub stitch: bool,

    /// CSV field delimiter for tables: `,` `;` or `tab`.
    #[arg(long, value_name = "CHAR", default_value = ",", value_parser = parse_delimiter, help_heading = "Tables")]
    pub delimiter: Delimiter,

    /// How table cells are written: plain text, inline markdown, or raw.
    #[arg(long, value_enum, default_value_t = CellsArg::Text, value_name = "MODE")]
    pub cells: CellsArg,

    /// Page options for markdown and text.
    #[command(flatten)]
    pub pages: PageArgs,

    /// Markdown styling.
    #[command(flatten)]
    pub style: MarkdownStyleArgs,

    /// Chunk options (with `--to chunks`), as `pagetree chunks` spells them.
    #[command(flatten)]
    pub chunk: ChunkArgs,
}

/// An output of `convert`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub enum OutputArg {
    /// `document.md`.
    Markdown,
    /// `document.txt`.
    Text,
    /// `tables/*.csv` and `tables/tables.json`.
    Tables,
    /// `elements.json`.
    Elements,
    /// `view.html` (see `pagetree view`); inputs are then loaded whole, never streamed.
    View,
    /// `quality.json`: the table-quality report, as `pagetree quality --format json` prints it.
    Quality,
    /// `chunks.jsonl`: RAG chunks, as `pagetree chunks` writes them (options under "Chunks").
    /// Last: the manifest's fingerprint lists outputs in this order.
    Chunks,
}

/// `--stream`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StreamArg {
    /// Inputs of 8 MiB or more.
    Auto,
    /// Every input that can be (object-rooted responses).
    Always,
    /// Load every input whole.
    Never,
}

fn parse_shard(s: &str) -> Result<(u64, u64), String> {
    let (i, n) = s.split_once('/').ok_or("expected I/N, e.g. 2/8")?;
    let i: u64 = i
        .trim()
        .parse()
        .map_err(|_| format!("`{i}` is not a number"))?;
    let n: u64 = n
        .trim()
        .parse()
        .map_err(|_| format!("`{n}` is not a number"))?;
    if n == 0 || i == 0 || i > n {
        return Err(format!("shard {i}/{n}: need 1 ≤ I ≤ N"));
    }
    Ok((i, n))
}

/// `pagetree chunks`. `--per-page` is rejected here, so not shown.
#[derive(Debug, Args)]
#[command(mut_arg("per_page", |a| a.hide(true)))]
pub struct ChunksArgs {
    /// Inputs, output and the markdown options chunks are rendered with.
    #[command(flatten)]
    pub markdown: MarkdownArgs,

    /// Chunk sizes and what chunks hold.
    #[command(flatten)]
    pub chunk: ChunkArgs,
}

/// The chunk options, spelled alike by `pagetree chunks` and `convert --to chunks`.
#[derive(Debug, Clone, Args)]
pub struct ChunkArgs {
    /// Largest chunk in characters (default: 1500 when no size is given).
    #[arg(
        long,
        value_name = "N",
        conflicts_with = "max_tokens",
        help_heading = "Chunks"
    )]
    pub max_chars: Option<usize>,

    /// Largest chunk in cl100k_base tokens (GPT-4, text-embedding-3), counted offline.
    #[arg(long, value_name = "N", help_heading = "Chunks")]
    pub max_tokens: Option<usize>,

    /// Soft minimum, in the same unit: smaller chunks are merged with a neighbour when they
    /// can be (default: a fifth of the maximum).
    #[arg(long, value_name = "N", help_heading = "Chunks")]
    pub min: Option<usize>,

    /// Start each chunk with up to N units from the end of the previous one, when both are
    /// text of the same section.
    #[arg(long, value_name = "N", default_value_t = 0, help_heading = "Chunks")]
    pub overlap: usize,

    /// Do not start chunks with their heading path (`Report > Results`).
    #[arg(long, help_heading = "Chunks")]
    pub no_breadcrumb: bool,

    /// How tables are written inside chunks (default: html with `--tables html`, else
    /// markdown).
    #[arg(long, value_enum, value_name = "FORMAT", help_heading = "Chunks")]
    pub table_text: Option<TableTextArg>,

    /// Keep page headers and footers (as --headers/--footers say); by default they are left
    /// out.
    #[arg(long, help_heading = "Chunks")]
    pub furniture: bool,
}

/// `--table-text`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TableTextArg {
    /// GFM pipe tables.
    Markdown,
    /// HTML tables.
    Html,
    /// CSV.
    Csv,
}

/// `pagetree view`.
#[derive(Debug, Args)]
pub struct ViewArgs {
    /// Inputs, output and the markdown options of the markdown shown beside each page.
    #[command(flatten)]
    pub markdown: MarkdownArgs,

    /// Draw page images from DIR under the boxes: files whose name ends in the page number
    /// (`page_1.png`, `page-001.jpg`; png, jpg, webp or gif), linked relative to the output.
    /// (`--images` is the markdown's image style, as in every markdown command.)
    #[arg(long, value_name = "DIR")]
    pub page_images: Option<PathBuf>,

    /// Embed the page images in the HTML (base64) instead of linking them.
    #[arg(long, requires = "page_images")]
    pub embed_images: bool,

    /// Largest chunk in the chunks mode, in characters (default: 1500).
    #[arg(long, value_name = "N", conflicts_with = "max_tokens")]
    pub max_chars: Option<usize>,

    /// Largest chunk in the chunks mode, in cl100k_base tokens.
    #[arg(long, value_name = "N")]
    pub max_tokens: Option<usize>,
}

/// `pagetree extract`.
#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// Extract job files, directories (searched recursively for .json, .jsonl, .ndjson),
    /// glob patterns, or `-` for standard input.
    #[arg(required = true, value_name = "FILE_OR_DIR")]
    pub inputs: Vec<String>,

    /// Write the table to FILE (replaced atomically): CSV, or JSON Lines when FILE ends in
    /// `.jsonl`/`.ndjson` (see --format). Standard output when absent.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Table format (default: from the output's extension, else csv).
    #[arg(long, value_enum)]
    pub format: Option<RowsFormat>,

    /// Arrays of objects: one row per element, or one JSON cell.
    #[arg(long, value_enum, default_value_t = ArraysArg::Explode)]
    pub arrays: ArraysArg,

    /// Join each field's metadata (confidence, citation, cited pages, reasoning...) as
    /// `FIELD__confidence`, `FIELD__citation`, `FIELD__page` columns.
    #[arg(long)]
    pub with_metadata: bool,

    /// Column order: a file with one column name a line (`#` starts a comment), or a JSON
    /// array of names. Columns not listed follow, with a warning.
    #[arg(long, value_name = "FILE")]
    pub schema: Option<PathBuf>,
}

/// `extract --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RowsFormat {
    /// CSV with a header row.
    Csv,
    /// JSON Lines, one object per row, values typed.
    Jsonl,
}

/// `extract --arrays`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ArraysArg {
    /// One row per element (the first array of objects of a record).
    Explode,
    /// The array as one JSON cell.
    Json,
}

/// `pagetree jobs`.
#[derive(Debug, Args)]
pub struct JobsArgs {
    /// Job listing pages and batch results: files, directories, glob patterns, or `-`.
    #[arg(required = true, value_name = "FILE")]
    pub inputs: Vec<String>,

    /// Keep only jobs with these statuses (comma-separated, any case), e.g. `FAILED,CANCELLED`.
    #[arg(long, value_name = "STATUS,...", value_delimiter = ',')]
    pub status: Vec<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = JobsFormat::Text)]
    pub format: JobsFormat,

    /// Print only what to submit again, one a line: the ids of failed and cancelled jobs
    /// (a batch item by its file name); with --status, of the jobs it keeps.
    #[arg(long)]
    pub retry: bool,

    /// Write to FILE (replaced atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// `jobs --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum JobsFormat {
    /// A readable table, counts and differing parameters.
    Text,
    /// One CSV row per job.
    Csv,
    /// One `pagetree.jobs` JSON object.
    Json,
}

/// `pagetree audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Parse responses: files, directories (searched recursively), glob patterns, or `-`.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<String>,

    /// Report format: text, JSON Lines (one `pagetree.audit` object per document, then the
    /// totals) or CSV (one row per issue, one `plan` row per document).
    #[arg(long, value_enum, default_value_t = AuditFormat::Text)]
    pub format: AuditFormat,

    /// Write the report to FILE (replaced atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Exit with 1 when any document has one of these issues (comma-separated):
    /// failed-pages, empty-pages, placeholders, low-text, unusable-tables, bad-boxes.
    #[arg(long, value_name = "ISSUE,...", value_delimiter = ',', value_parser = parse_issue)]
    pub fail_on: Vec<Issue>,

    /// The issues that put a page in the re-parse plan (comma-separated; default every
    /// issue but bad-boxes).
    #[arg(long, value_name = "ISSUE,...", value_delimiter = ',', value_parser = parse_issue)]
    pub plan_for: Vec<Issue>,

    /// A page with less than this share of the median page's text is `low_text`.
    #[arg(long, value_name = "RATIO", default_value_t = 0.1)]
    pub low_text: f64,
}

/// `audit --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuditFormat {
    /// Readable, per document and in total.
    Text,
    /// JSON Lines.
    Json,
    /// CSV, one row per issue.
    Csv,
}

fn parse_issue(s: &str) -> Result<Issue, String> {
    Issue::from_name(s).ok_or_else(|| {
        let known: Vec<&str> = Issue::ALL.iter().map(|i| i.as_str()).collect();
        format!("unknown issue {s:?}; known: {}", known.join(", "))
    })
}
