//! RAG chunks from a response too large to load whole, in bounded memory: the input is
//! indexed once, then read, parsed and chunked a batch of pages at a time, and each batch is
//! dropped before the next is read. Chunks go to standard output as JSON Lines.
//!
//! `cargo run -p pagetree-convert --example chunks_large -- FILE [MAX_CHARS]`
//!
//! Memory is bounded by the batch (about `BATCH_BYTES` of input) and the index, not by the
//! file. What this simple loop gives up, compared with `chunks::split` on the whole document:
//! a chunk never spans two batches, and each chunk's `md_range` refers to its batch's
//! markdown. It uses `LazyDocument`'s batch reading as it stands; the model's streaming reader
//! is being reworked, and this example will move to it.

use std::io::Write;

use pagetree_convert::chunks::{self, ChunkOptions};
use pagetree_model::LazyDocument;

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

    let lazy = LazyDocument::index_file(std::path::Path::new(&path), Some(&path))?;
    let mut reader = std::io::BufReader::new(std::fs::File::open(&path)?);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let (mut start, mut written) = (0, 0);
    while start < lazy.pages.len() {
        // Pages up to about BATCH_BYTES of input, and at least one.
        let mut end = start;
        let mut bytes = 0;
        while end < lazy.pages.len() && (end == start || bytes < BATCH_BYTES) {
            bytes += lazy.page_bytes(end);
            end += 1;
        }
        let pieces = lazy
            .read_batch(&mut reader, start..end)?
            .into_iter()
            .map(|raw| Ok((raw.index, raw.parse(lazy.source.as_deref())?)))
            .collect::<Result<Vec<_>, pagetree_model::LoadError>>()?;
        let batch = lazy.assemble(pieces);
        let result = chunks::split(&batch, &opts);
        for w in &result.warnings {
            eprintln!("warning: {path}: {w}");
        }
        for c in &result.chunks {
            serde_json::to_writer(&mut out, c)?;
            out.write_all(b"\n")?;
        }
        written += result.chunks.len();
        start = end;
    }
    out.flush()?;
    eprintln!("{path}: {written} chunks from {} pages", lazy.pages.len());
    Ok(())
}
