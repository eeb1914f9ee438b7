//! Reading any saved shape: detect it, parse it with located errors, normalise it.

use std::fmt;
use std::path::Path;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use crate::document::{Document, Format};
use crate::error::{ErrorKind, LoadError};
use crate::jobs::{BatchResults, ExtractJob, JobList};
use crate::mapped::{Held, Shared};
use crate::page::ItemsResult;
use crate::reader::{ReadOptions, read_held};
use crate::response::ParseResponse;
use crate::shape::{self, FirstPage, V2_KEYS, pages_rooted, root_pages_are_v1};
use crate::v1::V1Response;
use crate::wire::{self, Projection, WireValue};

/// One response read from an input. More kinds of response may be added: a `match` on it
/// needs a `_` arm.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Loaded {
    /// A parse result (any v1 or v2 shape).
    Document(Box<Document>),
    /// A job listing.
    JobList(Box<JobList>),
    /// An extract job.
    ExtractJob(Box<ExtractJob>),
    /// Batch item processing results.
    BatchResults(Box<BatchResults>),
}

impl Loaded {
    /// The detected shape.
    pub fn format(&self) -> Format {
        match self {
            Loaded::Document(d) => d.format.unwrap_or(Format::V2),
            Loaded::JobList(_) => Format::JobList,
            Loaded::ExtractJob(_) => Format::ExtractJob,
            Loaded::BatchResults(_) => Format::BatchResults,
        }
    }
}

/// Reads exactly one parse result from a file (the first of a v1 array): [`load_document`]
/// for a path, named by that path in messages.
///
/// # Errors
///
/// The file cannot be read ([`ErrorKind::Io`]), or as [`load_document`]'s.
pub fn load_file(path: impl AsRef<Path>) -> Result<Document, LoadError> {
    let path = path.as_ref();
    let name = path.display().to_string();
    match std::fs::read(path) {
        Ok(bytes) => first_document(
            load_held(owned(bytes), Some(&name), ReadOptions::default()),
            Some(&name),
        ),
        Err(e) => Err(LoadError::io(&name, &e)),
    }
}

/// Reads every response in a file (a v1 array or a JSON Lines file give several; a broken
/// JSON Lines line is one error among the results): [`load_all`] for a path. Never panics.
pub fn load_all_file(path: impl AsRef<Path>) -> Vec<Result<Loaded, LoadError>> {
    let path = path.as_ref();
    let name = path.display().to_string();
    match std::fs::read(path) {
        Ok(bytes) => load_held(owned(bytes), Some(&name), ReadOptions::default()),
        Err(e) => vec![Err(LoadError::io(&name, &e))],
    }
}

/// [`load_all_file`], leaving out what `options` say (see [`ReadOptions`]): for writers that
/// never look at what is skipped.
///
/// ```no_run
/// use pagetree_model::{ReadOptions, load_all_file_with};
///
/// for result in load_all_file_with("report.json", ReadOptions::default().skip_boxes(true)) {
///     println!("{:?}", result.map(|loaded| loaded.format()));
/// }
/// ```
pub fn load_all_file_with(
    path: impl AsRef<Path>,
    options: ReadOptions,
) -> Vec<Result<Loaded, LoadError>> {
    let path = path.as_ref();
    let name = path.display().to_string();
    match std::fs::read(path) {
        Ok(bytes) => load_held(owned(bytes), Some(&name), options),
        Err(e) => vec![Err(LoadError::io(&name, &e))],
    }
}

/// [`load_all`], leaving out what `options` say (see [`ReadOptions`]).
///
/// ```
/// use pagetree_model::{Loaded, ReadOptions, load_all_with};
///
/// let json = br#"{"items": {"pages": [{"page_number": 1, "items": [{"type": "text", "md": "a", "bbox": [{"x": 1}]}]}]}}"#;
/// let all = load_all_with(json, None, ReadOptions::default().skip_boxes(true));
/// let Ok(Loaded::Document(doc)) = &all[0] else { panic!() };
/// assert!(doc.pages().next().unwrap().items()[0].bbox.is_none());
/// ```
pub fn load_all_with(
    bytes: &[u8],
    source: Option<&str>,
    options: ReadOptions,
) -> Vec<Result<Loaded, LoadError>> {
    load_held(copied(bytes), source, options)
}

/// Reads exactly one parse result from bytes (the first of a v1 array).
pub fn load_document(bytes: &[u8], source: Option<&str>) -> Result<Document, LoadError> {
    first_document(load_all(bytes, source), source)
}

/// The first parse result of `all`, the responses read from an input named `source`.
fn first_document(
    all: Vec<Result<Loaded, LoadError>>,
    source: Option<&str>,
) -> Result<Document, LoadError> {
    match all.into_iter().next() {
        Some(Ok(Loaded::Document(d))) => Ok(*d),
        Some(Ok(other)) => Err(LoadError::new(
            ErrorKind::Shape,
            format!(
                "this is {} body, not a parse result",
                other.format().with_article()
            ),
        )
        .at(1, 1)
        .with_source(source)),
        Some(Err(e)) => Err(e),
        None => Err(LoadError::new(ErrorKind::Eof, "no response in the input").with_source(source)),
    }
}

/// Reads every response in bytes. JSON Lines (one response per line) is recognised by the
/// source name (`.jsonl`, `.ndjson`) or by a second JSON value starting on a new line.
pub fn load_all(bytes: &[u8], source: Option<&str>) -> Vec<Result<Loaded, LoadError>> {
    load_held(copied(bytes), source, ReadOptions::default())
}

/// Bytes handed over, held without a copy.
fn owned(bytes: Vec<u8>) -> Shared {
    Shared::new(Held::Owned(bytes))
}

/// Bytes borrowed, held as a copy (the reader's index and pieces share what they read).
fn copied(bytes: &[u8]) -> Shared {
    Shared::new(Held::Heap(bytes.into()))
}

/// [`load_all`] for an input held in memory, under `options`.
fn load_held(
    held: Shared,
    source: Option<&str>,
    options: ReadOptions,
) -> Vec<Result<Loaded, LoadError>> {
    if let Some(e) = foreign_file(&held) {
        return vec![Err(e.with_source(source))];
    }
    let held = match decode(held) {
        Ok(t) => t,
        Err(e) => return vec![Err(e.with_source(source))],
    };
    let text = held.text().unwrap_or_default();
    if named_json_lines(source) {
        return load_lines(&held, source, options);
    }
    // JSON Lines under another name fail as one value (a second value follows the first), so
    // the check for them, which reads the first value whole, waits for that failure instead
    // of costing every input an extra pass.
    load_text(&held, source, options).unwrap_or_else(|e| {
        if looks_like_jsonl(text) {
            load_lines(&held, source, options)
        } else {
            vec![Err(e.with_source(source))]
        }
    })
}

/// Whether an input's name says it is JSON Lines (`.jsonl`, `.ndjson`).
pub(crate) fn named_json_lines(source: Option<&str>) -> bool {
    source.is_some_and(|s| s.ends_with(".jsonl") || s.ends_with(".ndjson"))
}

/// Drops a byte-order mark and checks UTF-8 (locating the first bad byte), once for the
/// whole input: the pieces cut from it are not checked again.
fn decode(held: Shared) -> Result<Shared, LoadError> {
    const BOM: &[u8] = b"\xEF\xBB\xBF";
    let held = if held.starts_with(BOM) {
        held.slice(BOM.len()..held.len())
    } else {
        held
    };
    let bytes = held.clone();
    held.checked_utf8().map_err(|e| {
        let at = e.valid_up_to();
        let (line, column) = line_column(&bytes, at);
        bad_utf8(bytes[at], at as u64).at(line, column)
    })
}

/// A document given where its parse result was meant (a PDF, an image, an office file or a
/// ZIP archive), known by its first bytes: said as such, not as invalid UTF-8 or broken JSON.
pub(crate) fn foreign_file(head: &[u8]) -> Option<LoadError> {
    const KINDS: [(&[u8], &str); 9] = [
        (b"%PDF-", "a PDF file"),
        (b"\x89PNG", "a PNG image"),
        (b"\xFF\xD8\xFF", "a JPEG image"),
        (b"GIF8", "a GIF image"),
        (b"II*\0", "a TIFF image"),
        (b"MM\0*", "a TIFF image"),
        (
            b"PK\x03\x04",
            "an office file or a ZIP archive (docx, xlsx, pptx, zip...)",
        ),
        (
            b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1",
            "an office file (doc, xls, ppt)",
        ),
        (b"{\\rtf", "an RTF document"),
    ];
    let what = KINDS.iter().find(|(magic, _)| head.starts_with(magic))?.1;
    Some(
        LoadError::new(
            ErrorKind::Shape,
            format!(
                "this is {what}, not JSON; pagetree reads the saved JSON result of a parse \
                 (see README: saving a response)"
            ),
        )
        .at(1, 1),
    )
}

/// Invalid UTF-8: `byte` at `offset` of the input (after any byte-order mark).
pub(crate) fn bad_utf8(byte: u8, offset: u64) -> LoadError {
    LoadError::new(
        ErrorKind::Encoding,
        format!("invalid UTF-8 (byte 0x{byte:02X} at offset {offset}); save the file as UTF-8"),
    )
}

/// A [`bad_utf8`] error found in a part of the input that starts `by` bytes in, moved to
/// count from the start of the input.
pub(crate) fn shift_utf8_offset(mut e: LoadError, by: u64) -> LoadError {
    const AT: &str = " at offset ";
    if let Some(i) = e.message.find(AT) {
        let start = i + AT.len();
        let end = e.message[start..]
            .find(|c: char| !c.is_ascii_digit())
            .map_or(e.message.len(), |n| start + n);
        if let Ok(n) = e.message[start..end].parse::<u64>() {
            e.message.replace_range(start..end, &(n + by).to_string());
        }
    }
    e
}

/// 1-based line and byte column of an offset.
pub(crate) fn line_column(bytes: &[u8], offset: usize) -> (usize, usize) {
    let before = &bytes[..offset.min(bytes.len())];
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let col = before.iter().rev().take_while(|b| **b != b'\n').count() + 1;
    (line, col)
}

pub(crate) fn looks_like_jsonl(text: &str) -> bool {
    // A JSON Lines file is a complete value followed by another value on a later line. Only
    // objects qualify, so "[1] [2]" stays a syntax error.
    // The first value must also be on one line: a pretty-printed response followed by
    // another value is one broken JSON document (trailing characters), not JSON Lines.
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<de::IgnoredAny>();
    let first_ok = text.trim_start().starts_with('{') && matches!(stream.next(), Some(Ok(_)));
    if !first_ok || text[..stream.byte_offset()].trim().contains('\n') {
        return false;
    }
    let rest = &text[stream.byte_offset()..];
    let gap = &rest[..rest.len() - rest.trim_start().len()];
    gap.contains('\n') && rest.trim_start().starts_with('{')
}

fn load_lines(
    held: &Shared,
    source: Option<&str>,
    options: ReadOptions,
) -> Vec<Result<Loaded, LoadError>> {
    let text = held.text().unwrap_or_default();
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        // The line in place: no copy, and not checked for UTF-8 again.
        let at = line.as_ptr() as usize - text.as_ptr() as usize;
        out.extend(load_held_line(
            i + 1,
            &held.slice(at..at + line.len()),
            source,
            options,
        ));
    }
    if out.is_empty() {
        out.push(Err(empty_input(source)));
    }
    out
}

/// The responses on line `number` (1-based) of a JSON Lines input, held and checked to be
/// UTF-8; errors are located in the whole input. The one reading of a line: [`load_all`] and
/// [`crate::JsonLines`] share it.
pub(crate) fn load_held_line(
    number: usize,
    line: &Shared,
    source: Option<&str>,
    options: ReadOptions,
) -> Vec<Result<Loaded, LoadError>> {
    let name = line_name(source, number);
    match load_text(line, Some(&name), options) {
        Ok(v) => v,
        Err(e) => vec![Err(line_error(number, source, e))],
    }
}

/// The name a JSON Lines input's line `number` gives its responses in messages.
pub(crate) fn line_name(source: Option<&str>, number: usize) -> String {
    format!("{}:{}", source.unwrap_or("<input>"), number)
}

/// An error within line `number` of a JSON Lines input (located in the line), located in the
/// whole input: the line's number, the input's name, and which line in the message.
pub(crate) fn line_error(number: usize, source: Option<&str>, mut e: LoadError) -> LoadError {
    e.line = Some(number);
    e.source = source.map(str::to_owned);
    e.message = format!("line {number} of JSON Lines: {}", e.message);
    e
}

/// For `bytes`, the start of an input or line: the length of its valid UTF-8 (it may end inside
/// a character) when that is whitespace only (`str::trim`, as a whole read judges blank input),
/// or `None` when it holds anything else, invalid UTF-8 included.
pub(crate) fn blank_prefix(bytes: &[u8]) -> Option<usize> {
    let valid = match std::str::from_utf8(bytes) {
        Ok(_) => bytes.len(),
        Err(e) if e.error_len().is_none() => e.valid_up_to(),
        Err(_) => return None,
    };
    let text = std::str::from_utf8(&bytes[..valid]).ok()?;
    text.trim().is_empty().then_some(valid)
}

/// The error for an input without a single value (blank, or a JSON Lines input of blank lines).
pub(crate) fn empty_input(source: Option<&str>) -> LoadError {
    LoadError::new(ErrorKind::Eof, "empty input: no JSON value")
        .at(1, 1)
        .with_source(source)
}

/// The top level of an input, with values left unparsed (borrowed slices of the input).
enum Sniff<'a> {
    Object(Vec<(String, &'a RawValue)>),
    Array(Vec<&'a RawValue>),
    Scalar(&'static str),
}

impl<'de> de::Deserialize<'de> for Sniff<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Sniff<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, &'de RawValue>()? {
                    out.push((k, v));
                }
                Ok(Sniff::Object(out))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(v) = seq.next_element::<&'de RawValue>()? {
                    out.push(v);
                }
                Ok(Sniff::Array(out))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
                Ok(Sniff::Scalar("a boolean"))
            }
            fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
                Ok(Sniff::Scalar("a number"))
            }
            fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
                Ok(Sniff::Scalar("a number"))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
                Ok(Sniff::Scalar("a number"))
            }
            fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
                Ok(Sniff::Scalar("a string"))
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(Sniff::Scalar("null"))
            }
        }
        d.deserialize_any(V)
    }
}

/// What a raw JSON value is, for messages.
fn describe(raw: &RawValue) -> &'static str {
    match raw.get().as_bytes().first() {
        Some(b'{') => "an object",
        Some(b'[') => "an array",
        Some(b'"') => "a string",
        Some(b't' | b'f') => "a boolean",
        Some(b'n') => "null",
        _ => "a number",
    }
}

fn keys_of(raw: &RawValue) -> Vec<String> {
    match serde_json::from_str::<Sniff>(raw.get()) {
        Ok(Sniff::Object(kv)) => kv.into_iter().map(|(k, _)| k).collect(),
        _ => Vec::new(),
    }
}

fn offset_in(text: &str, raw: &RawValue) -> usize {
    (raw.get().as_ptr() as usize).saturating_sub(text.as_ptr() as usize)
}

/// The document of an items object read alone (an SDK dump when no page has the API's page
/// fields).
fn items_only(items: ItemsResult, source: Option<String>) -> Document {
    let format = if is_sdk_dump(&items) {
        Format::V2Sdk
    } else {
        Format::V2Items
    };
    let response = ParseResponse {
        items: Some(items),
        ..ParseResponse::default()
    };
    let mut d = Document::new(response, Some(format), source);
    d.items_only = true;
    d
}

/// The format of a v2 response: an SDK dump, with its job, or without.
fn v2_format(r: &ParseResponse) -> Format {
    if r.items.as_ref().is_some_and(is_sdk_dump) {
        Format::V2Sdk
    } else if r.job.is_some() {
        Format::V2
    } else {
        Format::V2NoJob
    }
}

fn parse<T: WireValue>(text: &str, p: Projection) -> Result<T, LoadError> {
    // Tracking the JSON path costs about a third of the parse: only a failure pays for it.
    if let Ok(v) = wire::from_str(text, p) {
        return Ok(v);
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let value = wire::read_tracked::<T, _>(&mut de, p)
        .map_err(|e| LoadError::from_json(e.inner(), e.path().to_string()))?;
    de.end()
        .map_err(|e| LoadError::from_json(&e, String::new()))?;
    Ok(value)
}

/// Reads one JSON text (an input, or a line of JSON Lines), held and checked to be UTF-8.
///
/// A parse result with page lists (a v2 response, the `items` object alone, a client-library
/// dump, a v1 result) is read as the [`Reader`](crate::Reader) reads it, at one batch of
/// everything: the index finds its shape (by the rules of [`crate::shape`]) and where each
/// page is, the pages are parsed and joined. What the index says is not such an input (a
/// [`ErrorKind::Shape`] error: a job listing, an extract job, batch results, an array of v1
/// results, JSON Lines, a response without page lists, a scalar) is read as one value by
/// [`load_sniffed`], which also gives those inputs' located errors.
fn load_text(
    held: &Shared,
    source: Option<&str>,
    options: ReadOptions,
) -> Result<Vec<Result<Loaded, LoadError>>, LoadError> {
    let text = held.text().unwrap_or_default();
    if text.trim().is_empty() {
        return Err(empty_input(None));
    }
    match read_held(held.clone(), source, options) {
        Ok(doc) => Ok(vec![Ok(Loaded::Document(Box::new(doc)))]),
        Err(e) if e.kind == ErrorKind::Shape => load_sniffed(text, source, options.projection()),
        // Named by the caller, as the whole-value read's errors are.
        Err(e) => Err(e.with_source(None)),
    }
}

/// The whole-value read of what is not a parse result with page lists (see [`load_text`]):
/// the shape sniffed from the top-level keys, then the typed parse. A v2 response or an
/// `items` object that reaches it (without page lists, keys of other shapes beside its
/// own, fields of the wrong type) is read or located here, as one value.
fn load_sniffed(
    text: &str,
    source: Option<&str>,
    p: Projection,
) -> Result<Vec<Result<Loaded, LoadError>>, LoadError> {
    let sniff: Sniff = serde_json::from_str(text).map_err(|e| {
        let mut err = LoadError::from_json(&e, String::new());
        if text.trim_start().starts_with('<') {
            err.message
                .push_str(" (this looks like HTML or XML, perhaps a saved error page)");
        }
        err
    })?;
    let src = source.map(str::to_owned);
    let doc = |response: ParseResponse, format: Format| {
        Ok(Loaded::Document(Box::new(Document::new(
            response,
            Some(format),
            src.clone(),
        ))))
    };
    match sniff {
        Sniff::Scalar(what) => Err(LoadError::new(
            ErrorKind::Shape,
            format!("expected a parse response (a JSON object), found {what}"),
        )
        .at(1, 1)),
        Sniff::Array(elems) => {
            if elems.is_empty() {
                return Err(LoadError::new(
                    ErrorKind::Shape,
                    "empty JSON array: no response in it",
                )
                .at(1, 1));
            }
            if let Some((i, bad)) = elems
                .iter()
                .enumerate()
                .find(|(_, e)| !keys_of(e).iter().any(|k| k == "pages"))
            {
                let (line, column) = line_column(text.as_bytes(), offset_in(text, bad));
                let mut e = LoadError::new(
                    ErrorKind::Shape,
                    format!(
                        "expected a v1 result (an object with `pages`) in this array, found {}",
                        describe(bad)
                    ),
                )
                .at(line, column);
                e.path = format!("[{i}]");
                return Err(e);
            }
            let results: Vec<V1Response> = parse(text, p)?;
            let n = results.len();
            Ok(results
                .into_iter()
                .enumerate()
                .map(|(i, r)| {
                    let name = if n == 1 {
                        src.clone()
                    } else {
                        Some(format!("{}#{i}", source.unwrap_or("<input>")))
                    };
                    Ok(Loaded::Document(Box::new(Document::new(
                        r.into_response(),
                        Some(Format::V1List),
                        name,
                    ))))
                })
                .collect())
        }
        Sniff::Object(kv) => {
            let has = |k: &str| kv.iter().any(|(key, _)| key == k);
            let raw = |k: &str| kv.iter().find(|(key, _)| key == k).map(|(_, v)| *v);
            let loaded = if has("processing_results") || (has("item_id") && has("item_name")) {
                Loaded::BatchResults(Box::new(parse(text, p)?))
            } else if has("extract_result") || has("extract_metadata") {
                Loaded::ExtractJob(Box::new(parse(text, p)?))
            } else if raw("items").is_some_and(|v| v.get().starts_with('[')) {
                Loaded::JobList(Box::new(parse(text, p)?))
            } else if pages_rooted(has) {
                let pages = raw("pages").expect("checked above");
                if is_v1_pages(pages, has("job_metadata")) {
                    let r: V1Response = parse(text, p)?;
                    return Ok(vec![doc(r.into_response(), Format::V1)]);
                }
                let items: ItemsResult = parse(text, p)?;
                let d = items_only(items, src.clone());
                return Ok(vec![Ok(Loaded::Document(Box::new(d)))]);
            } else if V2_KEYS.iter().any(|k| has(k)) {
                let r: ParseResponse = parse(text, p)?;
                let format = v2_format(&r);
                return Ok(vec![doc(r, format)]);
            } else {
                let keys: Vec<&str> = kv.iter().map(|(k, _)| k.as_str()).take(12).collect();
                return Err(LoadError::new(
                    ErrorKind::Shape,
                    format!(
                        "not a shape pagetree reads (top-level keys: {}); expected a v2 parse \
                         response (`items`, `markdown`, `text`...), a v1 result (`pages`), a job \
                         listing, an extract job or batch results",
                        if keys.is_empty() {
                            "none".to_owned()
                        } else {
                            keys.join(", ")
                        }
                    ),
                )
                .at(1, 1));
            };
            Ok(vec![Ok(loaded)])
        }
    }
}

/// Whether a root `pages` array holds v1 pages (`page`, `md`) rather than v2 items pages
/// (`page_number`). An empty list is v1 only when `job_metadata` says so.
fn is_v1_pages(pages: &RawValue, has_job_metadata: bool) -> bool {
    let first = match serde_json::from_str::<Sniff>(pages.get()) {
        Ok(Sniff::Array(elems)) => elems.first().map(|e| keys_of(e)),
        _ => None,
    };
    let first = first.map(|keys| FirstPage::from_keys(keys.iter().map(String::as_str)));
    root_pages_are_v1(first, has_job_metadata)
}

/// A client-library dump: pages keep only `page_number` and `items` (no size, no `success`).
fn is_sdk_dump(items: &ItemsResult) -> bool {
    let pages = items.pages.as_deref().unwrap_or(&[]);
    shape::is_sdk_dump(pages.iter().map(|p| {
        p.page_width.is_some()
            || p.page_height.is_some()
            || p.success.is_some()
            || p.error.is_some()
    }))
}

impl Document {
    /// The response written back in the shape it was read from (a v2 `items` object alone
    /// stays alone). For v2 inputs this equals the input as JSON values.
    pub fn to_json_value(&self) -> serde_json::Value {
        let result = if self.items_only {
            serde_json::to_value(&self.response.items)
        } else {
            serde_json::to_value(&self.response)
        };
        // Serialising plain data into a Value cannot fail (all map keys are strings).
        result.unwrap_or(serde_json::Value::Null)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn held(text: &str) -> Shared {
        Shared::new(Held::Owned(text.as_bytes().to_vec()))
            .checked_utf8()
            .expect("a str is UTF-8")
    }

    /// A read of `text` agrees with the whole-value typed parse of it (which the reader's
    /// index and page pieces must match, field for field); whether it was read in batches.
    fn same_both_ways(text: &str, what: &str) -> bool {
        let sniffed = load_sniffed(text, Some("in.json"), Projection::default());
        let read = load_text(&held(text), Some("in.json"), ReadOptions::default());
        if read != sniffed {
            let (a, b) = (format!("{read:#?}"), format!("{sniffed:#?}"));
            let diff: Vec<String> = a
                .lines()
                .zip(b.lines())
                .enumerate()
                .filter(|(_, (x, y))| x != y)
                .take(6)
                .map(|(i, (x, y))| format!("line {i}: batched {x} / whole {y}"))
                .collect();
            panic!("{what}: {}", diff.join("\n"));
        }
        read_held(held(text), Some("in.json"), ReadOptions::default()).is_ok()
    }

    #[test]
    fn batched_reads_read_what_the_sniffing_path_reads() {
        let mut texts: Vec<(String, String)> = Vec::new();
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
        for dir in [
            format!("{root}/testdata"),
            format!("{root}/testdata/invalid"),
            format!("{root}/../shared/realdata"),
        ] {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for e in entries.flatten() {
                let path = e.path();
                if path.extension().is_some_and(|x| x == "json")
                    && let Ok(text) = std::fs::read_to_string(&path)
                {
                    texts.push((path.display().to_string(), text));
                }
            }
        }
        // Shapes next to the usual ones: keys of other shapes beside v2 keys, v1 markers,
        // nulls, empty and odd values.
        let page = r#"{"page_number": 1, "items": [{"type": "text", "md": "x"}]}"#;
        for (k, t) in [
            format!(r#"{{"items": {{"pages": [{page}]}}}}"#),
            format!(r#"{{"items": {{"pages": [{page}]}}, "pages": []}}"#),
            format!(r#"{{"items": {{"pages": [{page}]}}, "extract_result": {{}}}}"#),
            format!(r#"{{"items": {{"pages": [{page}]}}, "item_id": "a", "item_name": "b"}}"#),
            format!(r#"{{"items": [{page}]}}"#),
            r#"{"job": null}"#.to_owned(),
            r#"{"zzz": 1}"#.to_owned(),
            "{}".to_owned(),
            format!(r#"{{"pages": [{page}]}}"#),
            format!(r#"{{"pages": [{page}], "job_metadata": {{}}}}"#),
            format!(r#"{{"pages": [{page}], "text": {{"pages": []}}}}"#),
            format!(r#"{{"pages": [{page}], "processing_results": []}}"#),
            r##"{"pages": [{"page": 1, "md": "# A", "items": []}]}"##.to_owned(),
            r#"{"pages": [{"items": []}], "job_metadata": {}}"#.to_owned(),
            r#"{"pages": [], "job_metadata": {}}"#.to_owned(),
            r#"{"pages": []}"#.to_owned(),
            r#"{"pages": null}"#.to_owned(),
            r#"{"pages": [{"page_number": null, "md": "x"}]}"#.to_owned(),
            r#"{"pa\u0067es": []}"#.to_owned(),
            format!(r#"{{"pages": [{page}]"#),
        ]
        .into_iter()
        .enumerate()
        {
            texts.push((format!("variant {k}"), t));
        }
        // JSON Lines under a `.json` name, and near misses.
        let line = format!(r#"{{"pages": [{page}]}}"#);
        for (k, t) in [
            format!("{line}\n{line}\n"),
            format!("{line}\n\n  {line}"),
            format!("{line} {line}"),
            format!("{line}\n[1]"),
            format!("{line}\nnot json"),
            format!("{line}\n{{\"pages\": ["),
            format!("[1]\n{line}"),
        ]
        .into_iter()
        .enumerate()
        {
            texts.push((format!("lines {k}"), t));
        }
        // `load_all` as it was, deciding JSON Lines before anything else.
        for (what, text) in &texts {
            let text = text.strip_prefix('\u{feff}').unwrap_or(text);
            let before = if looks_like_jsonl(text) {
                load_lines(&held(text), Some("in.json"), ReadOptions::default())
            } else {
                load_text(&held(text), Some("in.json"), ReadOptions::default())
                    .unwrap_or_else(|e| vec![Err(e.with_source(Some("in.json")))])
            };
            assert_eq!(load_all(text.as_bytes(), Some("in.json")), before, "{what}");
        }
        let mut fast = 0;
        for (what, text) in &texts {
            let text = text.strip_prefix('\u{feff}').unwrap_or(text);
            if text.trim().is_empty() {
                continue;
            }
            fast += usize::from(same_both_ways(text, what));
        }
        assert!(fast >= 15, "only {fast} of {} read in batches", texts.len());
    }
}
