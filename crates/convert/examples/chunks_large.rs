//! RAG chunks from a response too large to load whole, in bounded memory: the input is
//! indexed once, then read, parsed and chunked a batch of pages at a time, and each batch is
//! dropped before the next is read. Chunks go to standard output as JSON Lines.
//!
//! `cargo run -p pagetree-convert --example chunks_large -- FILE [MAX_CHARS]`
//!
//! Memory is bounded by the batch (about `BATCH_BYTES` of input) and the index, not by the
//! file. What this simple loop gives up, compared with `chunks::split` on the whole document:
//! a chunk never spans two batches, and each chunk's `md_range` refers to its batch's
//! markdown. The batches come from `pagetree_model::Reader`, the model's one reader: it
//! detects the shape, reads pages in parallel and takes a false page boundary back by itself.
//! (`pagetree_convert::convert_reader` is the batched conversion that carries what crosses
//! pages from batch to batch.)

use std::io::Write;

use pagetree_convert::chunks::{self, ChunkOptions};
use pagetree_model::Reader;

/// Input bytes per batch of pages.
const BATCH_BYTES: u64 = 4 << 20;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: chunks_large FILE [MAX_CHARS]")?;
    let max = match args.next() {
        Some(n) => n.parse()?,
        None => 1500,
    };
    // Checked here, once: a maximum that cannot work is an error, not a surprise later.
    let opts = ChunkOptions::chars(max)?;

    let mut reader = Reader::open(&path)?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut written = 0;
    for batch in reader.batches(BATCH_BYTES) {
        let result = chunks::split(&batch?, &opts);
        for w in &result.warnings {
            eprintln!("warning: {path}: {w}");
        }
        for c in &result.chunks {
            serde_json::to_writer(&mut out, c)?;
            out.write_all(b"\n")?;
        }
        written += result.chunks.len();
    }
    out.flush()?;
    // Page-list notes are final once the pages were read.
    for w in reader.warnings() {
        eprintln!("warning: {path}: {w}");
    }
    let pages = reader.page_count();
    eprintln!("{path}: {written} chunks from {pages} pages");
    Ok(())
}
