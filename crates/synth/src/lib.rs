//! Deterministic generator of large synthetic LlamaParse v2 parse responses, for benchmarks
//! and tests.
//!
//! [`write_response`] streams a compact v2 response page by page (memory stays bounded however
//! many pages are asked for). The content imitates real saved responses: header and footer
//! containers, headings, ~400-character paragraphs with quotes, hard line breaks and non-ASCII
//! text, nested lists, 20×6 tables whose `rows`, `csv`, `html` and `md` agree (numbers, nulls,
//! percentages), tables merged across pages (the full table with `merged_from_pages`, an empty
//! stub with `merged_into_page` on the next page), `parse_concerns` in both written forms, code,
//! images, links, a failed page every 500th, and boxes whose `start_index`/`end_index` cover the
//! item's `md` (inclusive end, Unicode scalar values). A page averages about 15 KB, so 2,000
//! pages make about 30 MB and 20,000 about 300 MB.
//!
//! The same options always give the same bytes: the random stream is this crate's own, and
//! each page draws from a stream seeded by `(seed, page_number)`.
//!
//! ```
//! let opts = pagetree_synth::SynthOptions { pages: 3, with_markdown: true, ..Default::default() };
//! let mut out = Vec::new();
//! let written = pagetree_synth::write_response(&opts, &mut out).unwrap();
//! assert_eq!(written, out.len() as u64);
//! assert!(out.starts_with(br#"{"job":{"id":"#));
//! ```
#![warn(missing_docs)]

mod content;
mod json;
mod realdata;
mod render;
mod rng;

use std::io::{self, Write};

use content::{Plan, generate};
use json::Json;
pub use realdata::{realdata_files, testdata_files};

/// What to generate. Every field states its default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthOptions {
    /// Number of pages (numbered from 1). Default: 100.
    pub pages: u32,
    /// Seed of the random stream; the same seed gives the same bytes. Default: 42.
    pub seed: u64,
    /// Write the `job` object first, as a full `GET /api/v2/parse/{id}` response has.
    /// Default: `true`.
    pub with_job: bool,
    /// Also write `markdown.pages` (page markdown with `header`/`footer`), about a third more
    /// bytes. Default: `false`.
    pub with_markdown: bool,
    /// Also write `text.pages`. Default: `false`.
    pub with_text: bool,
    /// Every page whose number is a multiple of this fails (`{page_number, success: false,
    /// error}`); 0 for none. Default: 500.
    pub failed_every: u32,
}

impl Default for SynthOptions {
    fn default() -> Self {
        SynthOptions {
            pages: 100,
            seed: 42,
            with_job: true,
            with_markdown: false,
            with_text: false,
            failed_every: 500,
        }
    }
}

/// Writes a whole response to `out`, one page at a time, and returns the number of bytes
/// written. `out` gets one `write_all` per page (about 15 KB), so wrapping a file in a
/// `BufWriter` is not needed.
pub fn write_response<W: Write>(opts: &SynthOptions, mut out: W) -> io::Result<u64> {
    let plan = Plan {
        pages: opts.pages,
        failed_every: opts.failed_every,
    };
    let mut j = Json::default();
    let mut written = 0u64;
    let mut emit = |j: &mut Json, out: &mut W| -> io::Result<()> {
        out.write_all(j.buf.as_bytes())?;
        written += j.buf.len() as u64;
        j.clear();
        Ok(())
    };

    j.buf.push('{');
    if opts.with_job {
        job(&mut j, opts);
        j.buf.push(',');
    }
    // Pages are regenerated for each list rather than kept: the lists come one after another
    // in the file, and holding every page until the last list would defeat streaming.
    type PageWriter = fn(&mut Json, &content::PageContent);
    let mut lists: Vec<(&str, PageWriter)> = vec![("items", render::items_page)];
    if opts.with_markdown {
        lists.push(("markdown", render::markdown_page));
    }
    if opts.with_text {
        lists.push(("text", render::text_page));
    }
    for (n, (name, write_page)) in lists.into_iter().enumerate() {
        if n > 0 {
            j.buf.push(',');
        }
        json::escape_into(&mut j.buf, name);
        j.buf.push_str(":{\"pages\":[");
        emit(&mut j, &mut out)?;
        for p in 1..=opts.pages {
            if p > 1 {
                j.buf.push(',');
            }
            write_page(&mut j, &generate(plan, opts.seed, p));
            emit(&mut j, &mut out)?;
        }
        j.buf.push_str("]}");
    }
    j.buf.push('}');
    emit(&mut j, &mut out)?;
    out.flush()?;
    Ok(written)
}

fn job(j: &mut Json, opts: &SynthOptions) {
    j.key("job").begin_object();
    let id = format!(
        "pjb-{:08x}-5b1d-4c77-9a1e-{:012x}",
        opts.seed as u32,
        u64::from(opts.pages)
    );
    j.key_str("id", &id);
    j.key_str("project_id", "prj-7e1c9a44-0b2f-4d3e-8a61-5c2d9f0e1b37");
    j.key_str("name", "annual_report_2024.pdf");
    j.key_str("status", "COMPLETED");
    j.key_str("tier", "agentic");
    j.key_str("created_at", "2026-02-11T09:30:00.000000Z");
    j.key_str("updated_at", "2026-02-11T09:44:03.512000Z");
    j.end_object();
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn generate(opts: &SynthOptions) -> Vec<u8> {
        let mut out = Vec::new();
        let n = write_response(opts, &mut out).unwrap();
        assert_eq!(n, out.len() as u64);
        out
    }

    fn opts(pages: u32) -> SynthOptions {
        SynthOptions {
            pages,
            with_markdown: true,
            with_text: true,
            ..Default::default()
        }
    }

    #[test]
    fn same_seed_same_bytes() {
        let a = generate(&opts(40));
        assert_eq!(a, generate(&opts(40)));
        let other = SynthOptions {
            seed: 7,
            ..opts(40)
        };
        assert_ne!(a, generate(&other));
    }

    #[test]
    fn pages_do_not_depend_on_the_others() {
        // Page 5 of a 10-page and a 40-page file differ only in the footer's page total.
        let page5 = |n| {
            let v: Value = serde_json::from_slice(&generate(&opts(n))).unwrap();
            let mut p = v["items"]["pages"][4].clone();
            p["items"].as_array_mut().unwrap().pop();
            p
        };
        assert_eq!(page5(10), page5(40));
    }

    #[test]
    fn loads_with_the_model_and_has_every_feature() {
        let bytes = generate(&SynthOptions {
            pages: 501,
            ..opts(0)
        });
        let v: Value = serde_json::from_slice(&bytes).unwrap();
        for list in ["items", "markdown", "text"] {
            assert_eq!(v[list]["pages"].as_array().unwrap().len(), 501, "{list}");
        }
        let doc = pagetree_model::load_document(&bytes, Some("synth.json")).unwrap();
        assert_eq!(doc.format, Some(pagetree_model::Format::V2));
        assert_eq!(doc.pages.len(), 501);
        assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
        assert!(doc.response.unknown.is_empty());

        let failed: Vec<u32> = doc.failed_pages().map(|p| p.number()).collect();
        assert_eq!(failed, [500]);
        assert!(doc.page(500).unwrap().error().unwrap().contains("Page 500"));

        let merged = doc.page(15).unwrap();
        let table = merged.items().iter().find(|i| i.is_merged_table()).unwrap();
        assert_eq!(table.merged_from_pages.as_deref(), Some(&[15, 16][..]));
        let stub = doc.page(16).unwrap();
        let stub = stub.items().iter().find(|i| i.is_merged_stub()).unwrap();
        assert_eq!(stub.merged_into_page, Some(15));
        assert!(stub.table_rows().is_empty());

        let tables = doc.tables();
        assert!(tables.iter().any(|t| !t.item.concerns().is_empty()));
        let kinds: std::collections::BTreeSet<_> =
            doc.walk().iter().map(|i| i.item.kind()).collect();
        use pagetree_model::ItemKind::*;
        for k in [
            Text, Heading, List, Code, Table, Image, Link, Header, Footer,
        ] {
            assert!(kinds.contains(&k), "{k} missing");
        }
        for p in doc.pages() {
            assert!(p.items().iter().all(|i| i.unknown.is_empty()));
            if let Some(footer) = p.items().last().filter(|i| i.kind() == Footer) {
                let [_, y, _, h] = footer.boxes()[0].rect().unwrap();
                assert!(
                    y > 740.0 && y + h < 792.0,
                    "footer at {y} on page {}",
                    p.number()
                );
            }
        }
    }

    #[test]
    fn boxes_cover_the_md_in_characters() {
        let bytes = generate(&opts(30));
        let doc = pagetree_model::load_document(&bytes, None).unwrap();
        let mut multi = 0;
        let mut non_ascii = 0;
        for it in doc.walk() {
            let md = it.item.md();
            let chars = md.chars().count() as i64;
            if md.len() as i64 != chars {
                non_ascii += 1;
            }
            let boxes = it.item.boxes();
            let spans: Vec<_> = boxes
                .iter()
                .filter_map(|b| Some((b.start_index?, b.end_index?)))
                .collect();
            if it.item.is_merged_stub() {
                assert!(spans.is_empty());
                continue;
            }
            assert_eq!(spans.len(), boxes.len(), "{md}");
            // Contiguous, inclusive, covering every character.
            assert_eq!(spans[0].0, 0);
            assert_eq!(spans.last().unwrap().1, chars - 1, "{md}");
            for w in spans.windows(2) {
                assert_eq!(w[1].0, w[0].1 + 1);
            }
            multi += usize::from(spans.len() > 1);
            for b in boxes {
                let [x, y, w, h] = b.rect().unwrap();
                assert!(
                    x >= 0.0 && y >= 0.0 && x + w <= 612.0 && y + h <= 792.0,
                    "{b:?}"
                );
            }
        }
        assert!(multi > 10 && non_ascii > 10, "{multi} {non_ascii}");
    }

    #[test]
    fn tables_agree_with_themselves() {
        let bytes = generate(&opts(9));
        let doc = pagetree_model::load_document(&bytes, None).unwrap();
        let tables = doc.tables();
        assert_eq!(tables.len(), 3);
        for t in tables {
            let rows = t.item.table_rows();
            assert_eq!((rows.len(), rows[0].len()), (20, 6));
            let md = t.item.md();
            assert_eq!(md.lines().count(), 21);
            let csv = t.item.csv.as_deref().unwrap();
            for (row, line) in rows.iter().zip(csv.lines()) {
                let from_rows: Vec<String> = row
                    .iter()
                    .map(|c| match c {
                        pagetree_model::Cell::Null => String::new(),
                        c => format!("\"{}\"", c.as_text().replace('"', "\"\"")),
                    })
                    .collect();
                // Cells never hold commas inside numbers, but labels may: compare whole lines.
                assert_eq!(from_rows.join(","), line);
            }
            let html = t.item.html.as_deref().unwrap();
            assert_eq!(html.matches("<tr>").count(), 20);
        }
    }

    #[test]
    fn size_is_about_15_kb_a_page() {
        let n = generate(&SynthOptions {
            pages: 300,
            ..Default::default()
        })
        .len();
        let per_page = n / 300;
        assert!(
            (13_000..17_000).contains(&per_page),
            "{per_page} bytes a page"
        );
    }
}
