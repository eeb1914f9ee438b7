//! Writing elements as they are produced: one JSON document with one element per line, or
//! JSON Lines records. Both forms can be written batch by batch and are byte-identical to
//! writing the whole [`Elements`] at once.

use std::io::{self, Write};

use serde::Serialize;

use super::json::write_element;
use super::schema::{Element, Elements, PageInfo, SCHEMA, Summary, VERSION};

/// The two output forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
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
            ElementsFormat::Jsonl => record(&mut w, "document", &head)?,
        }
        Ok(ElementsWriter {
            w,
            format,
            first: true,
        })
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
        use rayon::prelude::*;
        // A buffer per run of elements rather than per element: a batch has tens of thousands.
        const RUN: usize = 256;
        let format = self.format;
        let first = self.first;
        let runs: Vec<Vec<u8>> = es
            .par_chunks(RUN)
            .enumerate()
            .map(|(k, run)| -> io::Result<Vec<u8>> {
                let mut buf = Vec::with_capacity(run.len() * 1024);
                let mut json = Vec::new();
                for (i, e) in run.iter().enumerate() {
                    match format {
                        ElementsFormat::Json => {
                            let very_first = first && k == 0 && i == 0;
                            buf.extend_from_slice(if very_first { b"\n" } else { b",\n" });
                            write_element(&mut buf, e);
                        }
                        ElementsFormat::Jsonl => {
                            json.clear();
                            write_element(&mut json, e);
                            record(&mut buf, "element", &json)?;
                        }
                    }
                }
                Ok(buf)
            })
            .collect::<Result<_, _>>()?;
        for run in runs {
            self.w.write_all(&run)?;
        }
        self.first &= es.is_empty();
        Ok(())
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
                    record(&mut self.w, "page", &serde_json::to_vec(p)?)?;
                }
                record(&mut self.w, "summary", &serde_json::to_vec(summary)?)?;
            }
        }
        Ok(self.w)
    }
}

/// Writes `{"record":"<name>",<fields of json>}` and a newline.
fn record<W: Write>(w: &mut W, name: &str, json: &[u8]) -> io::Result<()> {
    write!(w, "{{\"record\":\"{name}\"")?;
    if json.len() > 2 {
        w.write_all(b",")?;
        w.write_all(&json[1..json.len() - 1])?;
    }
    w.write_all(b"}\n")
}

/// Writes a whole [`Elements`] in one of the two forms.
pub fn write_elements<W: Write>(els: &Elements, format: ElementsFormat, w: W) -> io::Result<W> {
    let mut out = ElementsWriter::new(w, format, &els.source, &els.format)?;
    out.elements(&els.elements)?;
    out.finish(&els.pages, &els.summary)
}
