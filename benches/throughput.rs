//! In-process throughput of the read paths on a generated response (200 pages, about 3 MB).
//!
//! `cargo bench --bench throughput` (add `-- --sample-count 20` for a quicker run).
//! Every bench reports bytes per second over the same input, so they compare directly with the
//! first one, the `serde_json::Value` baseline of issue 8. `scripts/bench.sh` measures whole
//! processes on 30 MB and 300 MB files, with peak memory and the Python peer.
//!
//! divan rather than criterion: it builds cleanly on Rust 1.95 with a fraction of criterion's
//! dependencies (no plotters or tinytemplate), and reports throughput from one counter line.

use std::sync::{Arc, LazyLock};

use divan::Bencher;
use divan::counter::BytesCount;
use pagetree_model::{ReadOptions, Reader};

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

/// Indexing alone: the sequential part of a batched read (where each page sits, the small
/// fields, the shape), an upper bound on its speed.
#[divan::bench]
fn reader_index_only(bencher: Bencher) {
    let bytes: Arc<[u8]> = RESPONSE.as_slice().into();
    bencher
        .counter(BytesCount::of_slice(&bytes[..]))
        .bench(|| Reader::from_bytes(divan::black_box(bytes.clone()), None).unwrap());
}

/// Index, then read every page in batches of 1 MiB (parsed in parallel, in order): everything
/// kept, as elements and tables read.
#[divan::bench]
fn reader_batches_lossless(bencher: Bencher) {
    read_all(bencher, ReadOptions::default());
}

/// The same, reading what markdown alone needs (no boxes, no values it does not render, no
/// server page markdown where an items page stands in).
#[divan::bench]
fn reader_batches_markdown(bencher: Bencher) {
    read_all(
        bencher,
        ReadOptions::default()
            .skip_boxes(true)
            .markdown_only(true)
            .skip_server_pages(true),
    );
}

/// A whole batched markdown conversion, as `pagetree markdown` runs it on a large file.
#[divan::bench]
fn convert_markdown_batches(bencher: Bencher) {
    let bytes: Arc<[u8]> = RESPONSE.as_slice().into();
    let mut opts = pagetree_convert::ConvertOptions::default();
    opts.outputs = pagetree_convert::Outputs::none();
    opts.outputs.markdown = true;
    bencher.counter(BytesCount::of_slice(&bytes[..])).bench(|| {
        let mut reader = Reader::from_bytes(divan::black_box(bytes.clone()), None).unwrap();
        let mut sink = Discard(0);
        pagetree_convert::convert_reader(&mut reader, &opts, &mut sink).unwrap();
        sink.0
    });
}

fn read_all(bencher: Bencher, options: ReadOptions) {
    let bytes: Arc<[u8]> = RESPONSE.as_slice().into();
    bencher.counter(BytesCount::of_slice(&bytes[..])).bench(|| {
        let mut reader = Reader::from_bytes(divan::black_box(bytes.clone()), None)
            .unwrap()
            .with_options(options);
        reader
            .batches(1 << 20)
            .map(|b| b.unwrap().pages().count())
            .sum::<usize>()
    });
}

/// Counts what a conversion writes.
struct Discard(usize);

impl pagetree_convert::Sink for Discard {
    fn write(&mut self, _: &pagetree_convert::OutFile, bytes: &[u8]) -> std::io::Result<()> {
        self.0 += bytes.len();
        Ok(())
    }
}
