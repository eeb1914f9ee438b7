//! The `inspect` report: what a user wants to know about an input before converting it.

use std::collections::BTreeMap;

use pagetree_model::{
    BoxProblem, Document, ItemKind, LoadError, Loaded, ReadOptions, Reader, Warning,
};

use crate::furniture::{DetectedBuilder, page_furniture};
use serde::Serialize;

/// Version of the [`InspectReport`] JSON schema.
pub const INSPECT_SCHEMA_VERSION: u32 = 1;

/// A summary of one input, serialisable as the `inspect --json` line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InspectReport {
    /// Schema name, `pagetree.inspect`.
    pub schema: &'static str,
    /// Schema version.
    pub version: u32,
    /// The input's name.
    pub file: String,
    /// Detected shape (`v2`, `v2-nojob`, `v2-items`, `v2-sdk`, `v1`, `v1-list`, `job-list`,
    /// `extract-job`, `batch-results`).
    pub format: String,
    /// Job id, when known.
    pub job_id: Option<String>,
    /// Job status, upper case, when known.
    pub job_status: Option<String>,
    /// Number of pages.
    pub pages: usize,
    /// Numbers of the failed pages.
    pub failed_pages: Vec<u32>,
    /// Failure message per failed page.
    pub page_errors: BTreeMap<u32, String>,
    /// Which page lists the input has.
    pub lists: Lists,
    /// Whether page sizes are known (client-library dumps drop them).
    pub page_sizes_known: bool,
    /// Item counts by kind, nested items included.
    pub items: BTreeMap<&'static str, usize>,
    /// Items whose kind was inferred because `type` was missing.
    pub inferred_kinds: usize,
    /// Number of tables (stubs included).
    pub tables: usize,
    /// Tables that hold a cross-page merge (`merged_from_pages` with 2+ pages).
    pub merged_tables: usize,
    /// Empty stub tables left by a merge (`merged_into_page`).
    pub stub_tables: usize,
    /// v1 tables the server did not consider perfect (`isPerfectTable: false`).
    pub imperfect_tables: usize,
    /// Parse concerns by type.
    pub parse_concerns: BTreeMap<String, usize>,
    /// Unknown item types and how often they occur.
    pub unknown_item_types: BTreeMap<String, usize>,
    /// Unknown fields on items, by name.
    pub unknown_item_fields: BTreeMap<String, usize>,
    /// Page headers and footers: those the server typed and those found.
    pub furniture: FurnitureCounts,
    /// Number of boxes.
    pub boxes: usize,
    /// Box problems by name (`null_coordinate`, `negative`, `zero_size`, `outside_page`,
    /// `near_full_page`, `duplicate`: the same box as an unrelated item's on the page).
    pub bbox_problems: BTreeMap<&'static str, usize>,
    /// For job listings, extract jobs and batch results: a one-line summary.
    pub summary: Option<String>,
    /// What the loader noticed (sorted as printed; written as their lines in JSON).
    #[serde(serialize_with = "as_lines")]
    pub warnings: Vec<Warning>,
}

/// Page furniture counts (see [`crate::furniture`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct FurnitureCounts {
    /// Top-level items the server typed as header or footer (containers, or the v1 items
    /// spelling out the page's header/footer text).
    pub typed: usize,
    /// Running heads and feet found among text items (`--detect-furniture`).
    pub detected_lines: usize,
    /// The pages those are on.
    pub detected_pages: usize,
}

/// Which page lists a response carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Lists {
    /// `items.pages`.
    pub items: bool,
    /// `markdown.pages`.
    pub markdown: bool,
    /// `text.pages`.
    pub text: bool,
    /// `metadata.pages`.
    pub metadata: bool,
}

impl InspectReport {
    fn empty(file: &str, format: &str) -> Self {
        InspectReport {
            schema: "pagetree.inspect",
            version: INSPECT_SCHEMA_VERSION,
            file: file.to_owned(),
            format: format.to_owned(),
            job_id: None,
            job_status: None,
            pages: 0,
            failed_pages: Vec::new(),
            page_errors: BTreeMap::new(),
            lists: Lists::default(),
            page_sizes_known: false,
            furniture: FurnitureCounts::default(),
            items: BTreeMap::new(),
            inferred_kinds: 0,
            tables: 0,
            merged_tables: 0,
            stub_tables: 0,
            imperfect_tables: 0,
            parse_concerns: BTreeMap::new(),
            unknown_item_types: BTreeMap::new(),
            unknown_item_fields: BTreeMap::new(),
            boxes: 0,
            bbox_problems: BTreeMap::new(),
            summary: None,
            warnings: Vec::new(),
        }
    }
}

/// Builds the report for one loaded input.
pub fn summarize(loaded: &Loaded, file: &str) -> InspectReport {
    let mut r = InspectReport::empty(file, loaded.format().as_str());
    match loaded {
        Loaded::Document(doc) => fill_document(&mut r, doc),
        Loaded::JobList(list) => {
            let jobs = list.items.as_deref().unwrap_or(&[]);
            let mut by: BTreeMap<&str, usize> = BTreeMap::new();
            for j in jobs {
                *by.entry(j.status().map_or("UNKNOWN", |s| s.as_str()))
                    .or_default() += 1;
            }
            let parts: Vec<String> = by.iter().map(|(s, n)| format!("{s} {n}")).collect();
            let more = if list.next_page_token.is_some() {
                "; more pages follow"
            } else {
                ""
            };
            r.summary = Some(format!("{} jobs ({}){more}", jobs.len(), parts.join(", ")));
        }
        Loaded::ExtractJob(job) => {
            r.job_id = job.id.clone();
            r.job_status = job
                .status
                .as_deref()
                .map(|s| pagetree_model::JobStatus::parse(s).as_str().to_owned());
            let fields = match job.extract_result.as_ref().map(|r| r.to_value()) {
                Some(serde_json::Value::Object(m)) => format!("{} fields", m.len()),
                Some(serde_json::Value::Array(a)) => format!("{} records", a.len()),
                _ => "no result".to_owned(),
            };
            r.summary = Some(format!("extract job: {fields}"));
        }
        Loaded::BatchResults(b) => {
            let n = b.processing_results.as_deref().map_or(0, <[_]>::len);
            let params = b.parse_parameters().map_or(0, |p| p.len());
            r.summary = Some(format!(
                "batch item {}: {n} processing results; parse parameters: {params}",
                b.item_name
                    .as_deref()
                    .or(b.item_id.as_deref())
                    .unwrap_or("?")
            ));
        }
        // A shape added to the model later: the report names its format, nothing more.
        _ => {}
    }
    r
}

fn fill_document(r: &mut InspectReport, doc: &Document) {
    fill_head(r, doc);
    let mut tally = Tally::default();
    add_pages(r, doc, &mut tally);
    finish(r, tally, &doc.warnings);
}

/// Inspects a response batch by batch from its [`Reader`]: the same report as [`summarize`]
/// of the whole document, in memory bounded by a batch. Every count adds up over pages (box
/// duplicates are looked for within a page).
///
/// ```
/// let json = br#"{"items": {"pages": [{"page_number": 1, "items": [{"type": "text", "md": "a"}]}]}}"#;
/// let mut reader = pagetree_model::Reader::from_bytes(json.to_vec(), Some("a.json")).unwrap();
/// let report = pagetree_convert::inspect::summarize_reader(&mut reader, "a.json").unwrap();
/// let whole = pagetree_model::load_document(json, Some("a.json")).unwrap();
/// let loaded = pagetree_model::Loaded::Document(Box::new(whole));
/// assert_eq!(report, pagetree_convert::inspect::summarize(&loaded, "a.json"));
/// ```
///
/// # Errors
///
/// A page that cannot be read, located as a whole read locates it.
pub fn summarize_reader(reader: &mut Reader, file: &str) -> Result<InspectReport, LoadError> {
    let mut r = InspectReport::empty(file, reader.format().as_str());
    let head = reader.outline();
    fill_head(&mut r, &head);
    let mut tally = Tally::default();
    reader.set_options(ReadOptions::default());
    for batch in reader.batches(1 << 20) {
        add_pages(&mut r, &batch?, &mut tally);
    }
    // Read after the pages: final even when the index had to be taken again.
    finish(&mut r, tally, reader.warnings());
    Ok(r)
}

/// What is gathered over pages and known only once every page was added: whether page sizes
/// are known, and the running heads and feet.
#[derive(Debug)]
struct Tally {
    /// Every page with an items page has a size.
    all_items_pages: bool,
    /// Some page has a size.
    any: bool,
    /// Every page's edge lines.
    detect: DetectedBuilder,
}

impl Default for Tally {
    fn default() -> Self {
        Tally {
            all_items_pages: true,
            any: false,
            detect: DetectedBuilder::default(),
        }
    }
}

/// The document-level facts: job, page lists, and every count at zero.
fn fill_head(r: &mut InspectReport, doc: &Document) {
    let resp = &doc.response;
    r.job_id = resp.job.as_ref().and_then(|j| j.id.clone());
    r.job_status = resp
        .job
        .as_ref()
        .and_then(|j| j.status())
        .map(|s| s.as_str().to_owned());
    r.lists = Lists {
        items: resp.items.as_ref().is_some_and(|l| l.pages.is_some()),
        markdown: resp.markdown.as_ref().is_some_and(|l| l.pages.is_some()),
        text: resp.text.as_ref().is_some_and(|l| l.pages.is_some()),
        metadata: resp.metadata.as_ref().is_some_and(|l| l.pages.is_some()),
    };
    for kind in ItemKind::ALL {
        r.items.insert(kind.as_str(), 0);
    }
    for p in BoxProblem::ALL {
        r.bbox_problems.insert(p.as_str(), 0);
    }
    r.bbox_problems.insert(DUPLICATE, 0);
}

/// Adds the pages of `doc` (the whole document, or a batch of its pages) to the counts.
fn add_pages(r: &mut InspectReport, doc: &Document, tally: &mut Tally) {
    r.pages += doc.pages.len();
    for p in doc.failed_pages() {
        r.failed_pages.push(p.number());
        r.page_errors
            .insert(p.number(), p.error().unwrap_or_default().to_owned());
    }
    tally.all_items_pages &= doc
        .pages()
        .filter(|p| p.items_page().is_some())
        .all(|p| p.size().is_some());
    tally.any |= doc.pages().any(|p| p.size().is_some());

    let walk = doc.walk();
    let duplicates = crate::boxes::duplicate_boxes(&walk);
    for w in &walk {
        let item = w.item;
        let kind = item.kind();
        *r.items.entry(kind.as_str()).or_default() += 1;
        if item.kind_is_inferred() {
            r.inferred_kinds += 1;
        }
        if let Some(t) = item.unknown_type() {
            *r.unknown_item_types.entry(t.to_owned()).or_default() += 1;
        }
        // v1's outer `bBox` is a known v1 fact the model keeps beside the segment boxes.
        let v1 = doc.format.is_some_and(|f| f.is_v1());
        for k in item
            .unknown
            .keys()
            .filter(|k| !(v1 && k.as_str() == "bBox"))
        {
            *r.unknown_item_fields.entry(k.clone()).or_default() += 1;
        }
        if kind == ItemKind::Table {
            r.tables += 1;
            r.merged_tables += usize::from(item.is_merged_table());
            r.stub_tables += usize::from(item.is_merged_stub());
            r.imperfect_tables += usize::from(item.is_perfect_table == Some(false));
            for c in item.concerns() {
                *r.parse_concerns.entry(c.kind().to_owned()).or_default() += 1;
            }
        }
        let size = doc.page(w.page).and_then(|p| p.size());
        for b in item.boxes() {
            r.boxes += 1;
            for problem in b.problems(size) {
                *r.bbox_problems.entry(problem.as_str()).or_default() += 1;
            }
        }
    }
    *r.bbox_problems.entry(DUPLICATE).or_default() += duplicates.len();
    for p in doc.pages() {
        r.furniture.typed += page_furniture(&p, None).iter().flatten().count();
        // Running heads are a document-level fact: edge lines are gathered here and decided
        // in `finish`, so a batch counts what the whole document shows.
        tally.detect.add_page(&p);
    }
}

/// The facts known once every page was added.
fn finish(r: &mut InspectReport, tally: Tally, warnings: &[Warning]) {
    r.page_sizes_known = tally.all_items_pages && tally.any;
    let detected = tally.detect.finish();
    r.furniture.detected_lines = detected.lines();
    r.furniture.detected_pages = detected.pages();
    r.warnings = warnings.to_vec();
    r.warnings.sort_by_cached_key(ToString::to_string);
}

const DUPLICATE: &str = "duplicate";

/// Renders the report as the human-readable block `inspect` prints.
pub fn render_text(r: &InspectReport) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = writeln!(s, "{}", r.file);
    let mut fmt_line = r.format.clone();
    let job: Vec<&str> = [r.job_id.as_deref(), r.job_status.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    if !job.is_empty() {
        let _ = write!(fmt_line, " (job {})", job.join(", "));
    }
    let row = |s: &mut String, k: &str, v: &str| {
        let _ = writeln!(s, "  {k:<10} {v}");
    };
    row(&mut s, "format", &fmt_line);
    if let Some(summary) = &r.summary {
        row(&mut s, "summary", summary);
        return s;
    }
    let lists: Vec<&str> = [
        (r.lists.items, "items"),
        (r.lists.markdown, "markdown"),
        (r.lists.text, "text"),
        (r.lists.metadata, "metadata"),
    ]
    .into_iter()
    .filter_map(|(on, n)| on.then_some(n))
    .collect();
    row(
        &mut s,
        "pages",
        &format!(
            "{} ({} ok, {} failed); lists: {}; page sizes {}",
            r.pages,
            r.pages - r.failed_pages.len(),
            r.failed_pages.len(),
            lists.join(", "),
            if r.page_sizes_known {
                "known"
            } else {
                "unknown"
            }
        ),
    );
    for (page, err) in &r.page_errors {
        row(&mut s, "failed", &format!("page {page}: {err}"));
    }
    row(
        &mut s,
        "items",
        &counts(r.items.iter().map(|(k, v)| (*k, *v))),
    );
    if r.inferred_kinds > 0 {
        row(
            &mut s,
            "inferred",
            &format!(
                "{} items had no `type`; kind inferred from fields",
                r.inferred_kinds
            ),
        );
    }
    row(
        &mut s,
        "tables",
        &format!(
            "{} ({} merged across pages, {} stubs{})",
            r.tables,
            r.merged_tables,
            r.stub_tables,
            if r.imperfect_tables > 0 {
                format!(", {} not perfect (v1)", r.imperfect_tables)
            } else {
                String::new()
            }
        ),
    );
    row(
        &mut s,
        "furniture",
        &format!(
            "typed: {} items; detected: {} lines on {} pages",
            r.furniture.typed, r.furniture.detected_lines, r.furniture.detected_pages
        ),
    );
    row(
        &mut s,
        "concerns",
        &counts(r.parse_concerns.iter().map(|(k, v)| (k.as_str(), *v))),
    );
    row(&mut s, "unknown", &{
        let kinds = counts(r.unknown_item_types.iter().map(|(k, v)| (k.as_str(), *v)));
        let fields = counts(r.unknown_item_fields.iter().map(|(k, v)| (k.as_str(), *v)));
        format!("item types: {kinds}; item fields: {fields}")
    });
    row(
        &mut s,
        "boxes",
        &format!(
            "{}; problems: {}",
            r.boxes,
            counts(r.bbox_problems.iter().map(|(k, v)| (*k, *v)))
        ),
    );
    for w in &r.warnings {
        row(&mut s, "warning", &w.to_string());
    }
    s
}

fn counts<'a>(it: impl Iterator<Item = (&'a str, usize)>) -> String {
    let parts: Vec<String> = it
        .filter(|(_, n)| *n > 0)
        .map(|(k, n)| format!("{k} {n}"))
        .collect();
    if parts.is_empty() {
        "none".to_owned()
    } else {
        parts.join(", ")
    }
}

/// Warnings as the lines the CLI prints.
fn as_lines<S: serde::Serializer>(warnings: &[Warning], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(warnings.iter().map(ToString::to_string))
}
