//! In-process throughput of the read paths on a generated response (200 pages, about 3 MB).
//!
//! `cargo bench --bench throughput` (add `-- --sample-count 20` for a quicker run).
//! Every bench reports bytes per second over the same input, so they compare directly with the
//! first one, the `serde_json::Value` baseline of issue 8. `scripts/bench.sh` measures whole
//! processes on 30 MB and 300 MB files, with peak memory and the Python peer.
//!
//! divan rather than criterion: it builds cleanly on Rust 1.95 with a fraction of criterion's
//! dependencies (no plotters or tinytemplate), and reports throughput from one counter line.

use std::sync::LazyLock;

use divan::Bencher;
use divan::counter::BytesCount;
use pagetree_model::{ItemsPage, PageStream, Piece, RawPiece};
use rayon::prelude::*;
use serde::de::IgnoredAny;

fn main() {
    divan::main();
}

/// The input, generated once per run. 200 pages keep a sample under ~50 ms while holding every
/// kind of content (tables every third page, a merged table, code, images, links).
static RESPONSE: LazyLock<Vec<u8>> = LazyLock::new(|| {
    let opts = pagetree_synth::SynthOptions {
        pages: 200,
        ..Default::default()
    };
    let mut out = Vec::new();
    pagetree_synth::write_response(&opts, &mut out).expect("writing to memory cannot fail");
    out
});

/// The baseline: the whole file into an untyped `Value`.
#[divan::bench]
fn baseline_serde_json_value(bencher: Bencher) {
    let bytes = RESPONSE.as_slice();
    bencher
        .counter(BytesCount::of_slice(bytes))
        .bench(|| serde_json::from_slice::<serde_json::Value>(divan::black_box(bytes)).unwrap());
}

/// The whole-file typed loader (shape detection, page join).
#[divan::bench]
fn model_load_document(bencher: Bencher) {
    let bytes = RESPONSE.as_slice();
    bencher
        .counter(BytesCount::of_slice(bytes))
        .bench(|| pagetree_model::load_document(divan::black_box(bytes), None).unwrap());
}

/// Splitting alone: the sequential part of the streaming path, an upper bound on its speed.
#[divan::bench]
fn stream_split_only(bencher: Bencher) {
    let bytes = RESPONSE.as_slice();
    bencher
        .counter(BytesCount::of_slice(bytes))
        .bench(|| split(divan::black_box(bytes)));
}

/// Split, then parse every page on this thread.
#[divan::bench]
fn stream_parse_sequential(bencher: Bencher) {
    let bytes = RESPONSE.as_slice();
    bencher.counter(BytesCount::of_slice(bytes)).bench(|| {
        split(divan::black_box(bytes))
            .iter()
            .map(|p| p.parse(None).unwrap())
            .collect::<Vec<Piece>>()
    });
}

/// Split, then parse the pages in parallel on rayon's pool (ordered collect, as writers do).
#[divan::bench]
fn stream_parse_rayon(bencher: Bencher) {
    let bytes = RESPONSE.as_slice();
    bencher.counter(BytesCount::of_slice(bytes)).bench(|| {
        split(divan::black_box(bytes))
            .par_iter()
            .map(|p| p.parse(None).unwrap())
            .collect::<Vec<Piece>>()
    });
}

/// The same typed parse without `serde_path_to_error`: what locating errors costs on the happy
/// path (a parser can parse plainly and re-parse a page with paths only when it fails).
#[divan::bench]
fn stream_parse_rayon_unlocated(bencher: Bencher) {
    let bytes = RESPONSE.as_slice();
    bencher.counter(BytesCount::of_slice(bytes)).bench(|| {
        split(divan::black_box(bytes))
            .par_iter()
            .map(|p| serde_json::from_slice::<ItemsPage>(&p.bytes).ok())
            .collect::<Vec<Option<ItemsPage>>>()
    });
}

/// Split, then only tokenise each page (`IgnoredAny`): the ceiling for any per-page parse.
#[divan::bench]
fn stream_tokenise_rayon(bencher: Bencher) {
    let bytes = RESPONSE.as_slice();
    bencher.counter(BytesCount::of_slice(bytes)).bench(|| {
        split(divan::black_box(bytes))
            .par_iter()
            .map(|p| serde_json::from_slice::<IgnoredAny>(&p.bytes).is_ok())
            .filter(|ok| *ok)
            .count()
    });
}

// ---------------------------------------------------------------------------------------------
// Markdown conversion goes here once `pagetree_convert`'s markdown writer lands: a
// `markdown_rayon` bench with the same counter (split, parse and render pages in parallel,
// write in page order), so its ratio to `baseline_serde_json_value` reads off directly.
// ---------------------------------------------------------------------------------------------

fn split(bytes: &[u8]) -> Vec<RawPiece> {
    let mut stream = PageStream::new(bytes, None);
    let mut pieces = Vec::new();
    while let Some(p) = stream.next_raw().unwrap() {
        pieces.push(p);
    }
    pieces
}
