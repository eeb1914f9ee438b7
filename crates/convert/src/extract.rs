//! Extract jobs (`GET /api/v2/extract/{job_id}`) as one table across inputs: a row per
//! document, per page or per table row (the shape of `extract_result`), nested fields
//! flattened to dotted columns, optionally with each field's metadata beside it.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};

use pagetree_model::{ExtractJob, JobStatus};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::Warning;

/// Schema name of the JSON summary.
pub const EXTRACT_SCHEMA: &str = "pagetree.extract";
/// Version of the JSON summary schema.
pub const EXTRACT_SCHEMA_VERSION: u32 = 1;

/// The columns every row starts with, naming where the row came from.
pub const SOURCE_COLUMNS: [&str; 4] = [
    "source.file",
    "source.job_id",
    "source.value",
    "source.record",
];

/// What to do with an array of objects inside a result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ArrayMode {
    /// One row per element, the record's other fields repeated (the default). Only the first
    /// array of objects met in a record is exploded; further ones are kept as JSON with a
    /// warning, since exploding two would multiply unrelated rows.
    #[default]
    Explode,
    /// The array as one JSON cell.
    Json,
}

/// Options of [`tabulate`].
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ExtractOptions {
    /// Arrays of objects: exploded to rows or kept as JSON. Default: [`ArrayMode::Explode`].
    pub arrays: ArrayMode,
    /// Join `extract_metadata.field_metadata` per field as `field__confidence`,
    /// `field__citation`, `field__page` (and `field__<key>` for any other key). Default: off.
    pub with_metadata: bool,
    /// Column order to follow (after the source columns); columns met but not listed follow
    /// in first-seen order, with a warning. Default: none (first-seen order).
    pub columns: Option<Vec<String>>,
}

/// One input to [`tabulate`]: a job and the name of the file it came from.
#[derive(Debug, Clone, Copy)]
pub struct ExtractInput<'a> {
    /// The file (or `file#i` for one of several responses in a file).
    pub file: &'a str,
    /// The job.
    pub job: &'a ExtractJob,
}

/// The table built from extract jobs.
#[derive(Debug, Clone, PartialEq)]
pub struct ExtractTable {
    /// Column names: [`SOURCE_COLUMNS`] then the fields.
    pub columns: Vec<String>,
    /// Rows, one value per column (`Null` where the row has no such field).
    pub rows: Vec<Vec<Value>>,
    /// Counts, skipped jobs and usage.
    pub summary: ExtractSummary,
}

/// What was read, what was skipped, and what it cost.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExtractSummary {
    /// `pagetree.extract`.
    pub schema: &'static str,
    /// [`EXTRACT_SCHEMA_VERSION`].
    pub version: u32,
    /// Jobs read.
    pub jobs: usize,
    /// Completed jobs written.
    pub completed: usize,
    /// Rows written.
    pub rows: usize,
    /// Columns written.
    pub columns: usize,
    /// Jobs not written because they are not `COMPLETED`.
    pub skipped: Vec<SkippedJob>,
    /// Usage summed over the completed jobs.
    pub usage: UsageTotals,
    /// What could not be put in the table as asked, and why (serialised as their messages).
    #[serde(serialize_with = "messages")]
    pub warnings: Vec<Warning>,
}

/// A job that was not written.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SkippedJob {
    /// The file it came from.
    pub file: String,
    /// Job id.
    pub job_id: Option<String>,
    /// Status, upper case (`MISSING` when the job has none).
    pub status: String,
    /// The job's error message.
    pub error_message: Option<String>,
}

/// Usage figures summed over jobs.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct UsageTotals {
    /// Completed jobs (documents).
    pub documents: usize,
    /// Jobs that reported usage.
    pub with_usage: usize,
    /// `num_pages_extracted`, summed.
    pub pages_extracted: f64,
    /// `num_document_tokens`, summed.
    pub document_tokens: f64,
    /// `num_output_tokens`, summed.
    pub output_tokens: f64,
}

/// Warnings in a report's JSON: their messages (the table and page they name are in them).
pub(crate) fn messages<S: serde::Serializer>(w: &[Warning], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(w.iter().map(ToString::to_string))
}

/// Builds one table from every completed job, in input order.
pub fn tabulate(inputs: &[ExtractInput<'_>], opts: &ExtractOptions) -> ExtractTable {
    let mut cols = Columns::default();
    for c in SOURCE_COLUMNS {
        cols.index(c);
    }
    let mut sparse: Vec<Vec<(usize, Value)>> = Vec::new();
    let mut summary = ExtractSummary {
        schema: EXTRACT_SCHEMA,
        version: EXTRACT_SCHEMA_VERSION,
        jobs: inputs.len(),
        completed: 0,
        rows: 0,
        columns: 0,
        skipped: Vec::new(),
        usage: UsageTotals::default(),
        warnings: Vec::new(),
    };
    for input in inputs {
        let job = input.job;
        let status = job.status.as_deref().map(JobStatus::parse);
        if status != Some(JobStatus::Completed) {
            summary.skipped.push(SkippedJob {
                file: input.file.to_owned(),
                job_id: job.id.clone(),
                status: job
                    .status
                    .as_deref()
                    .map_or("MISSING".to_owned(), |s| s.trim().to_ascii_uppercase()),
                error_message: job.error_message.clone(),
            });
            continue;
        }
        summary.completed += 1;
        add_usage(&mut summary.usage, job);
        let mut warn = |code: &'static str, w: String| {
            summary
                .warnings
                .push(Warning::doc(code, format!("{}: {w}", input.file)));
        };
        let records = records_of(job, opts, &mut warn);
        for (record, value, meta) in records {
            let mut base: Vec<(String, Value)> = vec![
                ("source.file".into(), Value::String(input.file.to_owned())),
                ("source.job_id".into(), opt_string(&job.id)),
                ("source.value".into(), opt_string(&job.value)),
                (
                    "source.record".into(),
                    record.map_or(Value::Null, |i| Value::from(i as u64)),
                ),
            ];
            let mut ctx = Flatten {
                opts,
                warn: &mut warn,
                exploded: false,
            };
            for row in ctx.rows("", &value, meta, true) {
                let mut r: Vec<(usize, Value)> = Vec::with_capacity(base.len() + row.len());
                for (k, v) in base.iter().cloned().chain(row) {
                    r.push((cols.index(&k), v));
                }
                sparse.push(r);
            }
            base.clear();
        }
    }
    let order = column_order(&cols.names, opts.columns.as_deref(), &mut summary.warnings);
    let mut position = vec![usize::MAX; cols.names.len()];
    for (i, c) in order.iter().enumerate() {
        if let Col::Seen(c) = c {
            position[*c] = i;
        }
    }
    let rows: Vec<Vec<Value>> = sparse
        .into_iter()
        .map(|r| {
            let mut row = vec![Value::Null; order.len()];
            for (c, v) in r {
                row[position[c]] = v;
            }
            row
        })
        .collect();
    let columns: Vec<String> = order
        .into_iter()
        .map(|c| match c {
            Col::Seen(i) => cols.names[i].clone(),
            Col::Listed(n) => n,
        })
        .collect();
    // The same warning for every record of a job says nothing more than once.
    let mut seen = BTreeSet::new();
    summary.warnings.retain(|w| seen.insert(w.clone()));
    summary.rows = rows.len();
    summary.columns = columns.len();
    ExtractTable {
        columns,
        rows,
        summary,
    }
}

fn opt_string(s: &Option<String>) -> Value {
    s.clone().map_or(Value::Null, Value::String)
}

fn add_usage(u: &mut UsageTotals, job: &ExtractJob) {
    u.documents += 1;
    let Some(usage) = job.extract_metadata.as_ref().and_then(|m| m.usage.as_ref()) else {
        return;
    };
    u.with_usage += 1;
    u.pages_extracted += usage.num_pages_extracted.unwrap_or(0.0);
    u.document_tokens += usage.num_document_tokens.unwrap_or(0.0);
    u.output_tokens += usage.num_output_tokens.unwrap_or(0.0);
}

/// The records of a job: `(index in an array result, value, its metadata)`. An object result
/// is one record (the document); an array result one per element (page or table row, by the
/// job's `extraction_target`).
fn records_of(
    job: &ExtractJob,
    opts: &ExtractOptions,
    warn: &mut dyn FnMut(&'static str, String),
) -> Vec<(Option<usize>, Node, Option<Value>)> {
    let fm = job
        .extract_metadata
        .as_ref()
        .and_then(|m| m.field_metadata.as_ref());
    let list = |key: &str| {
        fm.and_then(|f| f.get(key))
            .and_then(Value::as_array)
            .filter(|a| !a.is_empty())
    };
    let result = match job
        .extract_result
        .as_ref()
        .map(|r| serde_json::from_str(r.get()))
    {
        Some(Ok(n)) => Some(n),
        // The loader read this JSON already; it cannot fail to parse again.
        Some(Err(_)) | None => None,
    };
    match result {
        None | Some(Node::Scalar(Value::Null)) => {
            warn(
                "no_extract_result",
                "completed job has no extract_result; no row written".into(),
            );
            Vec::new()
        }
        Some(Node::Array(items)) => {
            // Per-page results carry page metadata, per-row results row metadata; the
            // target says which, else whichever list is there.
            let target = extraction_target(job);
            let prefer: [&str; 2] = if target.as_deref() == Some("per_page") {
                ["page_metadata", "row_metadata"]
            } else {
                ["row_metadata", "page_metadata"]
            };
            let metas = if opts.with_metadata {
                prefer.iter().find_map(|k| list(k).map(|l| (*k, l)))
            } else {
                None
            };
            if let Some((key, l)) = metas
                && l.len() != items.len()
            {
                warn(
                    "metadata_length_mismatch",
                    format!(
                        "{key} has {} entries for {} records; joined by position",
                        l.len(),
                        items.len()
                    ),
                );
            }
            items
                .into_iter()
                .enumerate()
                .map(|(i, v)| (Some(i), v, metas.and_then(|(_, l)| l.get(i)).cloned()))
                .collect()
        }
        Some(v) => {
            let mut meta = None;
            if opts.with_metadata {
                let mut m = fm
                    .and_then(|f| f.get("document_metadata"))
                    .cloned()
                    .unwrap_or(Value::Null);
                // A document result has no page or table-row records to join these to: kept
                // whole, as JSON, so nothing the job returned is dropped.
                for key in ["page_metadata", "row_metadata"] {
                    if let Some(l) = list(key) {
                        if !m.is_object() {
                            m = Value::Object(Map::new());
                        }
                        if let Value::Object(o) = &mut m {
                            o.insert(format!("__{key}"), Value::Array(l.clone()));
                        }
                    }
                }
                meta = Some(m);
            }
            vec![(None, v, meta)]
        }
    }
}

/// `extraction_target` from the job's parameters, wherever the job kept it.
fn extraction_target(job: &ExtractJob) -> Option<String> {
    let p = job.parameters.as_ref()?;
    let found = p
        .pointer("/extract_options/extraction_target")
        .or_else(|| p.pointer("/config/extraction_target"))
        .or_else(|| p.get("extraction_target"))?;
    found.as_str().map(str::to_ascii_lowercase)
}

/// Column names by first appearance.
#[derive(Default)]
struct Columns {
    names: Vec<String>,
    // Lookup only; never iterated, so output order stays the `names` order.
    at: std::collections::HashMap<String, usize>,
}

impl Columns {
    fn index(&mut self, name: &str) -> usize {
        if let Some(&i) = self.at.get(name) {
            return i;
        }
        self.names.push(name.to_owned());
        self.at.insert(name.to_owned(), self.names.len() - 1);
        self.names.len() - 1
    }
}

/// A column of the final order: one met in the rows, or one the schema lists that no row has.
enum Col {
    Seen(usize),
    Listed(String),
}

/// The final column order: source columns, then the listed ones (each followed by its
/// metadata columns unless those are listed too), then the rest in first-seen order.
fn column_order(
    names: &[String],
    listed: Option<&[String]>,
    warnings: &mut Vec<Warning>,
) -> Vec<Col> {
    let Some(listed) = listed else {
        return (0..names.len()).map(Col::Seen).collect();
    };
    let mut order: Vec<Col> = (0..SOURCE_COLUMNS.len()).map(Col::Seen).collect();
    let mut taken: BTreeSet<usize> = (0..SOURCE_COLUMNS.len()).collect();
    let listed_set: BTreeSet<&str> = listed.iter().map(String::as_str).collect();
    let mut missing = Vec::new();
    for name in listed {
        if SOURCE_COLUMNS.contains(&name.as_str()) {
            continue;
        }
        let Some(i) = names.iter().position(|x| x == name) else {
            missing.push(name.clone());
            order.push(Col::Listed(name.clone()));
            continue;
        };
        if taken.insert(i) {
            order.push(Col::Seen(i));
        }
        for (j, n) in names.iter().enumerate() {
            if n.strip_prefix(name.as_str())
                .is_some_and(|r| r.starts_with("__"))
                && !listed_set.contains(n.as_str())
                && taken.insert(j)
            {
                order.push(Col::Seen(j));
            }
        }
    }
    let mut extra = Vec::new();
    for (i, n) in names.iter().enumerate() {
        if taken.insert(i) {
            order.push(Col::Seen(i));
            extra.push(n.as_str());
        }
    }
    if !missing.is_empty() {
        warnings.push(Warning::doc(
            "schema_column_missing",
            format!(
                "schema columns no job returned (written empty): {}",
                missing.join(", ")
            ),
        ));
    }
    if !extra.is_empty() {
        warnings.push(Warning::doc(
            "column_not_in_schema",
            format!(
                "columns not in the schema (written after it): {}",
                extra.join(", ")
            ),
        ));
    }
    order
}

/// A JSON value with object keys in the order written (`serde_json::Value` sorts them), so
/// columns follow the job's field order, which is its extraction schema's.
#[derive(Debug, Clone, PartialEq)]
enum Node {
    Scalar(Value),
    Array(Vec<Node>),
    Object(Vec<(String, Node)>),
}

impl Node {
    /// The value as `serde_json` holds it, for cells.
    fn to_value(&self) -> Value {
        match self {
            Node::Scalar(v) => v.clone(),
            Node::Array(a) => Value::Array(a.iter().map(Node::to_value).collect()),
            Node::Object(o) => {
                Value::Object(o.iter().map(|(k, v)| (k.clone(), v.to_value())).collect())
            }
        }
    }
}

impl<'de> serde::Deserialize<'de> for Node {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::{MapAccess, SeqAccess, Visitor};
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Node;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
                Ok(Node::Scalar(Value::Bool(v)))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
                Ok(Node::Scalar(Value::from(v)))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
                Ok(Node::Scalar(Value::from(v)))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
                Ok(Node::Scalar(Value::from(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Node, E> {
                Ok(Node::Scalar(Value::String(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Node, E> {
                Ok(Node::Scalar(Value::String(v)))
            }
            fn visit_unit<E>(self) -> Result<Node, E> {
                Ok(Node::Scalar(Value::Null))
            }
            fn visit_none<E>(self) -> Result<Node, E> {
                Ok(Node::Scalar(Value::Null))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Node, A::Error> {
                let mut v = Vec::new();
                while let Some(n) = a.next_element()? {
                    v.push(n);
                }
                Ok(Node::Array(v))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Node, A::Error> {
                let mut v: Vec<(String, Node)> = Vec::new();
                while let Some((k, n)) = m.next_entry::<String, Node>()? {
                    // A repeated key: the last one wins, as in serde_json.
                    match v.iter_mut().find(|(key, _)| *key == k) {
                        Some(slot) => slot.1 = n,
                        None => v.push((k, n)),
                    }
                }
                Ok(Node::Object(v))
            }
        }
        d.deserialize_any(V)
    }
}

/// Flattening state for one record.
struct Flatten<'o, 'w> {
    opts: &'o ExtractOptions,
    warn: &'w mut dyn FnMut(&'static str, String),
    exploded: bool,
}

type Row = Vec<(String, Value)>;

/// The array of objects a record explodes: its column prefix, elements, per-element metadata,
/// and where its columns go among the record's.
struct Target<'v> {
    at: String,
    items: &'v [Node],
    meta: Option<Value>,
    pos: usize,
}

impl Flatten<'_, '_> {
    /// The rows of one value at `prefix`: one, unless an array of objects inside explodes.
    fn rows(&mut self, prefix: &str, value: &Node, meta: Option<Value>, record: bool) -> Vec<Row> {
        let mut base = Row::new();
        let mut target: Option<Target<'_>> = None;
        self.fields(prefix, value, meta, record, &mut base, &mut target);
        let Some(Target {
            at,
            items,
            meta,
            pos,
        }) = target
        else {
            return vec![base];
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let m = meta
                .as_ref()
                .and_then(|m| m.as_array())
                .and_then(|a| a.get(i))
                .cloned();
            // The element's columns go where the array stood, so columns keep field order.
            for sub in self.rows(&at, item, m, false) {
                let mut row = Row::with_capacity(base.len() + sub.len());
                row.extend_from_slice(&base[..pos]);
                row.extend(sub);
                row.extend_from_slice(&base[pos..]);
                out.push(row);
            }
        }
        out
    }

    fn fields<'v>(
        &mut self,
        prefix: &str,
        value: &'v Node,
        meta: Option<Value>,
        record: bool,
        out: &mut Row,
        target: &mut Option<Target<'v>>,
    ) {
        let name = |k: &str| {
            if prefix.is_empty() {
                k.to_owned()
            } else {
                format!("{prefix}.{k}")
            }
        };
        match value {
            Node::Object(obj) => {
                // Metadata that mirrors the object's fields is joined field by field; any
                // other keys describe the object (or the whole record) itself.
                let (mirrored, own) = split_meta(obj, meta);
                if let Some(own) = own {
                    let at = if prefix.is_empty() && record {
                        ""
                    } else {
                        prefix
                    };
                    push_meta(at, &own, out);
                }
                if obj.is_empty() && !prefix.is_empty() {
                    out.push((prefix.to_owned(), Value::Object(Map::new())));
                }
                for (k, v) in obj {
                    let m = mirrored.as_ref().and_then(|m| m.get(k.as_str())).cloned();
                    self.fields(&name(k), v, m, false, out, target);
                }
            }
            Node::Array(items)
                if !items.is_empty() && items.iter().all(|i| matches!(i, Node::Object(_))) =>
            {
                let key = if prefix.is_empty() { "value" } else { prefix };
                if self.opts.arrays == ArrayMode::Explode && !self.exploded && target.is_none() {
                    self.exploded = true;
                    let (per_item, own) = match meta {
                        Some(Value::Array(a)) => (Some(Value::Array(a)), None),
                        other => (None, other),
                    };
                    if let Some(own) = own {
                        push_meta(key, &own, out);
                    }
                    *target = Some(Target {
                        at: key.to_owned(),
                        items,
                        meta: per_item,
                        pos: out.len(),
                    });
                } else {
                    if self.opts.arrays == ArrayMode::Explode {
                        (self.warn)(
                            "array_kept_as_json",
                            format!(
                                "`{key}` is a second array of objects in one record; kept as JSON \
                             (only the first array explodes)"
                            ),
                        );
                    }
                    out.push((key.to_owned(), value.to_value()));
                    if let Some(m) = meta {
                        push_meta(key, &m, out);
                    }
                }
            }
            _ => {
                let key = if prefix.is_empty() { "value" } else { prefix };
                out.push((key.to_owned(), value.to_value()));
                if let Some(m) = meta {
                    push_meta(key, &m, out);
                }
            }
        }
    }
}

/// Splits an object's metadata into the part keyed by the object's own fields and the rest.
fn split_meta(
    obj: &[(String, Node)],
    meta: Option<Value>,
) -> (Option<Map<String, Value>>, Option<Value>) {
    match meta {
        Some(Value::Object(m)) => {
            let mut mirrored = Map::new();
            let mut own = Map::new();
            for (k, v) in m {
                if obj.iter().any(|(name, _)| *name == k) {
                    mirrored.insert(k, v);
                } else {
                    own.insert(k, v);
                }
            }
            (
                Some(mirrored),
                (!own.is_empty()).then_some(Value::Object(own)),
            )
        }
        Some(Value::Null) | None => (None, None),
        Some(other) => (None, Some(other)),
    }
}

/// Metadata of one field as `field__key` columns: `citation` gives `__citation` (the cited
/// text) and `__page` (the cited pages); every other key its own column.
fn push_meta(field: &str, meta: &Value, out: &mut Row) {
    let col = |k: &str| format!("{field}__{k}");
    match meta {
        Value::Object(m) => {
            for (k, v) in m {
                if k == "citation" || k == "citations" {
                    let (texts, pages) = citations(v);
                    out.push((col("citation"), texts));
                    if !m.contains_key("page") {
                        out.push((col("page"), pages));
                    }
                } else {
                    let k = k.strip_prefix("__").unwrap_or(k);
                    out.push((col(k), v.clone()));
                }
            }
        }
        Value::Null => {}
        other => out.push((col("metadata"), other.clone())),
    }
}

/// The cited texts joined with ` | ` and the cited pages (deduplicated, in order) joined
/// with `,`; a citation of another shape is kept as JSON.
fn citations(v: &Value) -> (Value, Value) {
    let list: Vec<&Value> = match v {
        Value::Array(a) => a.iter().collect(),
        Value::Null => return (Value::Null, Value::Null),
        other => vec![other],
    };
    let mut texts = Vec::new();
    let mut pages: Vec<String> = Vec::new();
    for c in &list {
        match c {
            Value::Object(o) => {
                let text = ["matching_text", "text", "reference_text"]
                    .iter()
                    .find_map(|k| o.get(*k).and_then(Value::as_str));
                match text {
                    Some(t) => texts.push(t.to_owned()),
                    None => texts.push(Value::Object(o.clone()).to_string()),
                }
                if let Some(p) = o.get("page").or_else(|| o.get("page_number")) {
                    let p = match p {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    if !pages.contains(&p) {
                        pages.push(p);
                    }
                }
            }
            Value::String(s) => texts.push(s.clone()),
            other => texts.push(other.to_string()),
        }
    }
    let texts = if texts.is_empty() {
        Value::Null
    } else {
        Value::String(texts.join(" | "))
    };
    let pages = if pages.is_empty() {
        Value::Null
    } else {
        Value::String(pages.join(","))
    };
    (texts, pages)
}

/// A cell as CSV text: strings as they are, `null` empty, other values as JSON.
fn cell_text(v: &Value) -> std::borrow::Cow<'_, str> {
    match v {
        Value::Null => "".into(),
        Value::String(s) => s.as_str().into(),
        other => other.to_string().into(),
    }
}

/// Writes the table as CSV with a header row.
pub fn write_csv<W: Write>(table: &ExtractTable, out: W) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(&table.columns).map_err(io::Error::other)?;
    for row in &table.rows {
        w.write_record(row.iter().map(|v| cell_text(v).into_owned()))
            .map_err(io::Error::other)?;
    }
    w.flush()
}

/// Writes the table as JSON Lines: one object per row, keys in column order, values typed as
/// the job returned them (`null` where the row has no such field).
pub fn write_jsonl<W: Write>(table: &ExtractTable, mut out: W) -> io::Result<()> {
    for row in &table.rows {
        out.write_all(b"{")?;
        for (i, (c, v)) in table.columns.iter().zip(row).enumerate() {
            if i > 0 {
                out.write_all(b",")?;
            }
            serde_json::to_writer(&mut out, c)?;
            out.write_all(b":")?;
            serde_json::to_writer(&mut out, v)?;
        }
        out.write_all(b"}\n")?;
    }
    out.flush()
}

/// The summary as the lines `extract` prints to standard error.
pub fn render_summary(s: &ExtractSummary) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: {} completed, {} skipped; {}, {}",
        crate::counted(s.jobs, "extract job", "extract jobs"),
        s.completed,
        s.skipped.len(),
        crate::counted(s.rows, "row", "rows"),
        crate::counted(s.columns, "column", "columns")
    );
    let u = &s.usage;
    let _ = writeln!(
        out,
        "usage: {} ({} with usage), {} {} extracted, {} document {}, {} output {}",
        crate::counted(u.documents, "document", "documents"),
        u.with_usage,
        number(u.pages_extracted),
        if u.pages_extracted == 1.0 {
            "page"
        } else {
            "pages"
        },
        number(u.document_tokens),
        if u.document_tokens == 1.0 {
            "token"
        } else {
            "tokens"
        },
        number(u.output_tokens),
        if u.output_tokens == 1.0 {
            "token"
        } else {
            "tokens"
        }
    );
    let mut by: BTreeMap<&str, usize> = BTreeMap::new();
    for j in &s.skipped {
        *by.entry(j.status.as_str()).or_default() += 1;
    }
    for j in &s.skipped {
        let _ = writeln!(
            out,
            "skipped: {} (job {}): {}{}",
            j.file,
            j.job_id.as_deref().unwrap_or("?"),
            j.status,
            j.error_message
                .as_deref()
                .map(|e| format!(": {e}"))
                .unwrap_or_default()
        );
    }
    for w in &s.warnings {
        let _ = writeln!(out, "warning: {w}");
    }
    out
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(json: &str) -> ExtractJob {
        serde_json::from_str(json).unwrap()
    }

    /// The table of one job read from `file`.
    fn tabulate_one(file: &str, job: &ExtractJob, opts: &ExtractOptions) -> ExtractTable {
        tabulate(&[ExtractInput { file, job }], opts)
    }

    #[test]
    fn nested_objects_flatten_to_dotted_columns() {
        let j = job(r#"{"id": "e1", "status": "COMPLETED", "value": "doc.pdf",
            "extract_result": {"buyer": {"name": "Ada", "address": {"city": "Oslo"}}, "total": 3}}"#);
        let t = tabulate_one("a.json", &j, &ExtractOptions::default());
        assert_eq!(
            t.columns[4..],
            ["buyer.name", "buyer.address.city", "total"]
        );
        assert_eq!(t.rows.len(), 1);
        assert_eq!(t.rows[0][5], Value::from("Oslo"));
    }

    #[test]
    fn first_array_of_objects_explodes_the_second_stays_json() {
        let j = job(r#"{"id": "e1", "status": "completed",
            "extract_result": {"n": 1, "a": [{"x": 1}, {"x": 2}], "b": [{"y": 1}]}}"#);
        let t = tabulate_one("a.json", &j, &ExtractOptions::default());
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.columns[4..], ["n", "a.x", "b"]);
        assert_eq!(t.rows[1][5], Value::from(2));
        assert_eq!(t.summary.warnings.len(), 1, "{:?}", t.summary.warnings);
        let o = ExtractOptions {
            arrays: ArrayMode::Json,
            ..Default::default()
        };
        let t = tabulate_one("a.json", &j, &o);
        assert_eq!(t.rows.len(), 1);
        assert_eq!(t.rows[0][5], serde_json::json!([{"x": 1}, {"x": 2}]));
    }

    #[test]
    fn schema_orders_columns_and_keeps_unlisted_ones() {
        let j = job(r#"{"status": "COMPLETED", "extract_result": {"a": 1, "b": 2, "c": 3}}"#);
        let o = ExtractOptions {
            columns: Some(vec!["c".into(), "z".into(), "a".into()]),
            ..Default::default()
        };
        let t = tabulate_one("a.json", &j, &o);
        assert_eq!(t.columns[4..], ["c", "z", "a", "b"]);
        assert_eq!(
            t.rows[0][4..],
            [Value::from(3), Value::Null, Value::from(1), Value::from(2)]
        );
        assert_eq!(t.summary.warnings.len(), 2);
    }

    #[test]
    fn unfinished_jobs_are_skipped_not_written() {
        let j = job(r#"{"id": "e9", "status": "FAILED", "error_message": "boom"}"#);
        let t = tabulate_one("f.json", &j, &ExtractOptions::default());
        assert!(t.rows.is_empty());
        assert_eq!(t.summary.skipped[0].status, "FAILED");
        assert_eq!(t.summary.skipped[0].error_message.as_deref(), Some("boom"));
    }
}
