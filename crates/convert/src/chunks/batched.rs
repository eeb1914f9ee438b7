//! Chunks of a response read batch by batch from its [`Reader`], in bounded memory.
//!
//! The chunker runs over a batch of pages and settles the chunks up to the last place where
//! the pages after cannot change them (see `run`); the pages from there are read again at the
//! start of the next batch. A batch with no such place grows (doubling, so the work stays
//! linear) until it has one or the document ends. The chunks and warnings are those
//! [`split`](super::split) gives for the whole document: it is the same run, once.

use std::io;
use std::sync::Arc;

use pagetree_model::{ReadOptions, Reader};

use super::{Chunk, ChunkOptions, Settle, Start, resolved, run};
use crate::batch::{ConvertError, detect};
use crate::furniture::Detection;
use crate::warning::Warning;

/// Cuts the response `reader` reads into chunks, batch by batch (about `batch_bytes` of input
/// each), handing each chunk to `emit` as soon as it is settled; returns the warnings. The
/// chunks, in order, and the warnings are those [`split`](super::split) gives for the whole
/// document. Memory holds a batch and the pages back to the last chunk the pages after cannot
/// change (a closed chunk that starts a block, or a heading after a chunk that is not small),
/// so a document without headings streams too.
///
/// ```
/// use pagetree_convert::chunks::{self, ChunkOptions};
///
/// let json = br##"{"items": {"pages": [
///   {"page_number": 1, "items": [{"type": "heading", "level": 1, "md": "# One", "value": "One"},
///     {"type": "text", "md": "First page."}]},
///   {"page_number": 2, "items": [{"type": "heading", "level": 1, "md": "# Two", "value": "Two"},
///     {"type": "text", "md": "Second page."}]}]}}"##;
/// let opts = ChunkOptions::default().with_min(1).unwrap();
/// let mut reader = pagetree_model::Reader::from_bytes(json.to_vec(), None).unwrap();
/// let mut out = Vec::new();
/// let warnings = chunks::split_reader(&mut reader, &opts, 1, &mut |c| {
///     out.push(c);
///     Ok(())
/// })
/// .unwrap();
/// let doc = pagetree_model::load_document(json, None).unwrap();
/// let whole = chunks::split(&doc, &opts);
/// assert_eq!(out.len(), 2);
/// assert_eq!(serde_json::to_string(&out).unwrap(), serde_json::to_string(&whole.chunks).unwrap());
/// assert_eq!(warnings, whole.warnings);
/// ```
///
/// # Errors
///
/// A page that cannot be read ([`ConvertError::Load`], located as a whole read locates it),
/// or `emit` failed ([`ConvertError::Io`]). What was emitted before is to be discarded.
pub fn split_reader(
    reader: &mut Reader,
    opts: &ChunkOptions,
    batch_bytes: u64,
    emit: &mut dyn FnMut(Chunk) -> io::Result<()>,
) -> Result<Vec<Warning>, ConvertError> {
    let mut md_opts = resolved(opts, reader.has_items_pages());
    if md_opts.pages.detect == Detection::Auto {
        // Running heads and feet are found over the whole document first, as a whole read
        // finds them.
        md_opts.pages.detect = Detection::Found(Arc::new(detect(reader, batch_bytes)?));
    }
    reader.set_options(ReadOptions::default());
    let mut settle = Settle::default();
    let mut start = Start::default();
    let mut batches = reader.batches(batch_bytes);
    while let Some(doc) = batches.next() {
        let mut doc = doc?;
        loop {
            let last = batches.pending().next().is_none();
            let r = run(&doc, opts, &md_opts, &start, last, &settle.item_pages);
            let Some((q, next)) = r.next.clone() else {
                if last {
                    settle.commit(r, emit)?;
                    break;
                }
                // Nothing settles yet: twice the pages (the work of every try stays linear).
                let more = doc.pages.len().max(1);
                batches.extend(&mut doc, more)?;
                continue;
            };
            settle.commit(r, emit)?;
            batches.rewind(doc.pages.len() - q);
            start = next;
            break;
        }
    }
    drop(batches);
    // From the page list as read to the end (an index taken on trust may hold a false page
    // until the reader takes it back).
    let missing = crate::pages::missing_pages(reader.page_numbers(), &md_opts.pages.selection);
    Ok(settle.finish(missing, opts, &md_opts, emit)?)
}
