//! A floor for the benchmark: read a v2 response and parse every field `pagetree convert`
//! reads into plain derived structs whose strings borrow from the input (no copy unless a
//! string holds an escape), on one thread, nothing else.
//!
//! `cargo run --release -p pagetree-synth --example parse_typed -- FILE` (a v2 API response,
//! as `synth` writes; other shapes read as empty)
//!
//! No converter that reads this input with serde_json can spend less CPU than this on reading
//! it: there is no tree of `Value`s, no owned strings, no error locations, no checks. Next to
//! the baseline (`parse_value`, a `Value` tree) in `scripts/bench.sh`, it shows how much of
//! the `convert` target's budget parsing alone takes, before a byte of output is built.
// The fields are there to be parsed: most are never read again.
#![allow(dead_code)]

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::process::ExitCode;

/// A string of the input: borrowed unless it holds an escape.
type Text<'a> = Option<Cow<'a, str>>;

#[derive(Deserialize)]
struct Response<'a> {
    #[serde(borrow)]
    items: Option<List<ItemsPage<'a>>>,
    #[serde(borrow)]
    markdown: Option<List<ServerPage<'a>>>,
    #[serde(borrow)]
    text: Option<List<ServerPage<'a>>>,
}

#[derive(Deserialize)]
struct List<T> {
    pages: Dropped<T>,
}

/// A page list read one page at a time, each page dropped once parsed, as a converter that
/// streams would: memory stays at the input's size, so the floor's time is parsing, not the
/// kernel handing out pages for a tree of the whole document.
struct Dropped<T> {
    len: usize,
    page: std::marker::PhantomData<T>,
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Dropped<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for V<T> {
            type Value = Dropped<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list of pages")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Self::Value, A::Error> {
                let mut len = 0;
                while seq.next_element::<T>()?.is_some() {
                    len += 1;
                }
                Ok(Dropped {
                    len,
                    page: std::marker::PhantomData,
                })
            }
        }
        d.deserialize_seq(V(std::marker::PhantomData))
    }
}

#[derive(Deserialize)]
struct ServerPage<'a> {
    page_number: Option<u32>,
    #[serde(borrow)]
    markdown: Text<'a>,
    #[serde(borrow)]
    text: Text<'a>,
    #[serde(borrow)]
    header: Text<'a>,
    #[serde(borrow)]
    footer: Text<'a>,
    success: Option<bool>,
    #[serde(borrow)]
    error: Text<'a>,
}

#[derive(Deserialize)]
struct ItemsPage<'a> {
    page_number: Option<u32>,
    page_width: Option<f64>,
    page_height: Option<f64>,
    success: Option<bool>,
    #[serde(borrow)]
    error: Text<'a>,
    #[serde(borrow)]
    items: Option<Vec<Item<'a>>>,
}

#[derive(Deserialize)]
struct Item<'a> {
    #[serde(borrow, rename = "type")]
    kind: Text<'a>,
    #[serde(borrow)]
    md: Text<'a>,
    #[serde(borrow)]
    value: Text<'a>,
    level: Option<u32>,
    ordered: Option<bool>,
    #[serde(borrow)]
    items: Option<Vec<Item<'a>>>,
    #[serde(borrow)]
    bbox: Option<Vec<BBox<'a>>>,
    /// Cells kept as their raw JSON text, the cheapest form that keeps numbers exact.
    #[serde(borrow)]
    rows: Option<Vec<Vec<&'a RawValue>>>,
    #[serde(borrow)]
    html: Text<'a>,
    #[serde(borrow)]
    csv: Text<'a>,
    #[serde(borrow)]
    url: Text<'a>,
    #[serde(borrow)]
    text: Text<'a>,
    #[serde(borrow)]
    caption: Text<'a>,
    #[serde(borrow)]
    language: Text<'a>,
    merged_into_page: Option<u32>,
    merged_from_pages: Option<Vec<u32>>,
    parse_concerns: Option<IgnoredAny>,
}

#[derive(Deserialize)]
struct BBox<'a> {
    x: Option<f64>,
    y: Option<f64>,
    w: Option<f64>,
    h: Option<f64>,
    confidence: Option<f64>,
    #[serde(borrow)]
    label: Text<'a>,
    start_index: Option<u64>,
    end_index: Option<u64>,
}

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: parse_typed FILE");
        return ExitCode::from(2);
    };
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: {path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    match serde_json::from_slice::<Response>(&bytes) {
        Ok(r) => {
            eprintln!(
                "{path}: {} items pages, {} markdown pages, {} text pages",
                r.items.map_or(0, |l| l.pages.len),
                r.markdown.map_or(0, |l| l.pages.len),
                r.text.map_or(0, |l| l.pages.len)
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {path}: {e}");
            ExitCode::FAILURE
        }
    }
}
