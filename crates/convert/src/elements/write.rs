//! Writing elements as they are produced: one JSON document with one element per line, or
//! JSON Lines records. Both forms can be written batch by batch and are byte-identical to
//! writing the whole [`Elements`] at once.

use std::io::{self, Write};

use serde::Serialize;

use super::json::write_element;
use super::schema::{Element, Elements, PageInfo, SCHEMA, Summary, VERSION};

/// The two output forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
#[non_exhaustive]
pub enum ElementsFormat {
    /// One JSON document: header fields, `elements` (one per line), `pages`, `summary`.
    #[default]
    Json,
    /// JSON Lines: a `document` record, one `element` record per element, one `page` record
    /// per page, then a `summary` record; `record` is each line's first field.
    Jsonl,
}

/// Writes elements to `w` as they come.
pub struct ElementsWriter<W: Write> {
    w: W,
    format: ElementsFormat,
    first: bool,
    /// `"source":"<source>",` when every JSON Lines record repeats the source, else empty.
    tag: Vec<u8>,
    /// The document's source, for [`ElementsWriter::source_on_records`].
    source: Option<String>,
}

#[derive(Serialize)]
struct Head<'a> {
    schema: &'a str,
    version: u32,
    source: &'a Option<String>,
    format: &'a Option<String>,
}

impl<W: Write> ElementsWriter<W> {
    /// Starts the output (writes the header).
    pub fn new(
        mut w: W,
        format: ElementsFormat,
        source: &Option<String>,
        input_format: &Option<String>,
    ) -> io::Result<Self> {
        let head = Head {
            schema: SCHEMA,
            version: VERSION,
            source,
            format: input_format,
        };
        let head = serde_json::to_vec(&head)?;
        match format {
            ElementsFormat::Json => {
                // `{...head fields,"elements":[` with the head object's closing brace dropped.
                w.write_all(&head[..head.len() - 1])?;
                w.write_all(b",\"elements\":[")?;
            }
            // The document record holds the source already: never tagged.
            ElementsFormat::Jsonl => record(&mut w, "document", &[], &head)?,
        }
        Ok(ElementsWriter {
            w,
            format,
            first: true,
            tag: Vec::new(),
            source: source.clone(),
        })
    }

    /// With `yes`, every JSON Lines record after the `document` one repeats the document's
    /// `source` as its second field (`{"record":"element","source":"a.json",...}`), so that
    /// the elements of several documents in one stream can be told apart line by line. The
    /// JSON form is unchanged (its `source` is at the top).
    pub fn source_on_records(mut self, yes: bool) -> io::Result<Self> {
        self.tag.clear();
        if yes && self.format == ElementsFormat::Jsonl {
            self.tag.extend_from_slice(b"\"source\":");
            serde_json::to_writer(&mut self.tag, &self.source)?;
            self.tag.push(b',');
        }
        Ok(self)
    }

    /// The underlying writer (to drain a buffer between batches).
    pub fn get_mut(&mut self) -> &mut W {
        &mut self.w
    }

    /// Writes one element.
    pub fn element(&mut self, e: &Element) -> io::Result<()> {
        self.elements(std::slice::from_ref(e))
    }

    /// Writes many elements, serialised in parallel (the bytes are the same as one by one).
    pub fn elements(&mut self, es: &[Element]) -> io::Result<()> {
        self.write_each(es, |e, out, _: &mut ()| {
            write_element(out, &e.view());
            true
        })
        .map(drop)
    }

    /// Writes the elements `each` makes of `items`, in order, serialised in parallel runs.
    /// `each` appends an element's JSON to its buffer and says whether it wrote one; it also
    /// gets the accumulator of its run, and the accumulators come back in run order.
    pub(crate) fn write_each<T: Sync, A: Default + Send>(
        &mut self,
        items: &[T],
        each: impl Fn(&T, &mut Vec<u8>, &mut A) -> bool + Sync,
    ) -> io::Result<Vec<A>> {
        use rayon::prelude::*;
        // A buffer per run of elements rather than per element: a batch has tens of thousands.
        const RUN: usize = 256;
        let format = self.format;
        let tag = &self.tag;
        let runs: Vec<(Vec<u8>, A)> = items
            .par_chunks(RUN)
            .map(|run| -> io::Result<(Vec<u8>, A)> {
                let mut buf = Vec::with_capacity(run.len() * 1024);
                let mut acc = A::default();
                let mut json = Vec::new();
                for item in run {
                    match format {
                        ElementsFormat::Json => {
                            // Every element after a comma; the document's first one loses it
                            // below, since which run holds it is only known then.
                            let mark = buf.len();
                            buf.extend_from_slice(b",\n");
                            if !each(item, &mut buf, &mut acc) {
                                buf.truncate(mark);
                            }
                        }
                        ElementsFormat::Jsonl => {
                            json.clear();
                            if each(item, &mut json, &mut acc) {
                                record(&mut buf, "element", tag, &json)?;
                            }
                        }
                    }
                }
                Ok((buf, acc))
            })
            .collect::<Result<_, _>>()?;
        let mut accs = Vec::with_capacity(runs.len());
        for (run, acc) in runs {
            let skip = usize::from(self.first && format == ElementsFormat::Json && !run.is_empty());
            self.w.write_all(&run[skip..])?;
            self.first &= run.is_empty();
            accs.push(acc);
        }
        Ok(accs)
    }

    /// Writes the pages and the summary, and returns the writer.
    pub fn finish(mut self, pages: &[PageInfo], summary: &Summary) -> io::Result<W> {
        match self.format {
            ElementsFormat::Json => {
                self.w.write_all(if self.first {
                    b"],\n\"pages\":"
                } else {
                    b"\n],\n\"pages\":"
                })?;
                serde_json::to_writer(&mut self.w, pages)?;
                self.w.write_all(b",\n\"summary\":")?;
                serde_json::to_writer(&mut self.w, summary)?;
                self.w.write_all(b"}\n")?;
            }
            ElementsFormat::Jsonl => {
                for p in pages {
                    record(&mut self.w, "page", &self.tag, &serde_json::to_vec(p)?)?;
                }
                record(
                    &mut self.w,
                    "summary",
                    &self.tag,
                    &serde_json::to_vec(summary)?,
                )?;
            }
        }
        Ok(self.w)
    }
}

/// Writes `{"record":"<name>",<tag><fields of json>}` and a newline (`tag`: empty, or
/// fields ending in a comma).
fn record<W: Write>(w: &mut W, name: &str, tag: &[u8], json: &[u8]) -> io::Result<()> {
    write!(w, "{{\"record\":\"{name}\"")?;
    if json.len() > 2 {
        w.write_all(b",")?;
        w.write_all(tag)?;
        w.write_all(&json[1..json.len() - 1])?;
    } else if let Some(fields) = tag.strip_suffix(b",") {
        w.write_all(b",")?;
        w.write_all(fields)?;
    }
    w.write_all(b"}\n")
}

/// Writes a whole [`Elements`] in one of the two forms.
pub fn write_elements<W: Write>(els: &Elements, format: ElementsFormat, w: W) -> io::Result<W> {
    let mut out = ElementsWriter::new(w, format, &els.source, &els.format)?;
    out.elements(&els.elements)?;
    out.finish(&els.pages, &els.summary)
}
