//! Input held in memory for the reader: a file mapped read-only, or bytes already in memory.
//!
//! Reading a large response with `read(2)` copied every byte from the page cache into our
//! buffers three times (the index, the running-head pass, the pages), about a quarter of a
//! markdown conversion. A file mapped into memory is read in place: the index scans the
//! mapped bytes and the pages are parsed straight from them. The pages a read has passed are
//! released behind it ([`Held::release`]), so peak memory stays bounded by a batch, not by
//! the file.
//!
//! The one risk of a mapped file: another process truncating it while it is read makes the
//! next touch of a page past the new end fault (`SIGBUS`, the process ends). A copy read with
//! `read(2)` would see a short file instead. Files are mapped only when they are regular
//! files; pipes, terminals and special files are read as before, and `PAGETREE_NO_MMAP=1` in
//! the environment turns mapping off (for files on network file systems that others rewrite).
//!
//! This is the one module where `unsafe` is allowed (the workspace denies it elsewhere).
#![allow(unsafe_code)]

use std::fs::File;
use std::io;
use std::ops::{Deref, Range};
use std::sync::Arc;

#[cfg(unix)]
use memmap2::UncheckedAdvice;
use memmap2::{Mmap, MmapOptions};

/// Below this size a file is read into memory in one `read` rather than mapped: setting up
/// and tearing down a map costs about what copying a few hundred kilobytes does.
const MAP_MIN: u64 = 1 << 20;

/// The environment variable that turns mapping off.
const NO_MMAP: &str = "PAGETREE_NO_MMAP";

/// The bytes of one input, shared by the index and the batches.
#[derive(Debug)]
pub(crate) enum Held {
    /// A file (or a range of one) mapped read-only.
    Map(Mmap),
    /// Bytes in memory, shared with the caller that gave them.
    Heap(Arc<[u8]>),
    /// Bytes in memory, owned (a small file read whole, or a buffer handed over): no copy
    /// into an `Arc<[u8]>`, which cost a whole read a copy of its input.
    Owned(Vec<u8>),
}

impl Held {
    /// The bytes `range` of the file at `file` (all of it when `None`), mapped or read into
    /// memory; `None` when the file should be read with `read(2)` instead (not a regular file,
    /// or mapping turned off).
    pub(crate) fn open(file: &File, range: Option<Range<u64>>) -> io::Result<Option<Held>> {
        Held::open_with(file, range, MAP_MIN)
    }

    /// [`open`](Self::open), mapping inputs of `map_min` bytes or more.
    pub(crate) fn open_with(
        file: &File,
        range: Option<Range<u64>>,
        map_min: u64,
    ) -> io::Result<Option<Held>> {
        let meta = file.metadata()?;
        if !meta.is_file() || std::env::var_os(NO_MMAP).is_some_and(|v| !v.is_empty() && v != "0") {
            return Ok(None);
        }
        let range = range.unwrap_or(0..meta.len());
        // Never past the file's end (a map there would fault).
        let len = range.end.min(meta.len()).saturating_sub(range.start);
        if len < map_min || len == 0 {
            // Small: one positioned read of the whole input.
            let mut bytes = vec![0; len as usize];
            read_exact_at(file, &mut bytes, range.start)?;
            return Ok(Some(Held::Owned(bytes)));
        }
        if cfg!(not(unix)) {
            // Mapped pages could not be given back behind the read (see `release`): memory
            // would grow with the file. Read it instead.
            return Ok(None);
        }
        // SAFETY: the map is read-only (`PROT_READ`, shared), so nothing in this process
        // writes through it and slices of it are never aliased mutably. What Rust cannot rule
        // out is another process changing the file: rewritten bytes are seen as they are (they
        // are only ever parsed, and a parse fails cleanly on anything), and a file truncated
        // under us faults on the next page past its end (`SIGBUS`). That risk is the one the
        // module docs and docs/design.md state; `PAGETREE_NO_MMAP=1` avoids it.
        let map = unsafe {
            MmapOptions::new()
                .offset(range.start)
                .len(len as usize)
                .map(file)?
        };
        Ok(Some(Held::Map(map)))
    }

    /// The bytes.
    pub(crate) fn bytes(&self) -> &[u8] {
        match self {
            Held::Map(m) => m,
            Held::Heap(b) => b,
            Held::Owned(v) => v,
        }
    }

    /// Gives back to the system the mapped pages that `range` touches (rounded out to whole
    /// pages): a read that has passed them keeps its peak memory to what it still holds. The
    /// bytes stay readable (a later touch reads them from the page cache again). Nothing
    /// happens for bytes in memory.
    #[cfg(unix)]
    pub(crate) fn release(&self, range: Range<usize>) {
        let Held::Map(map) = self else {
            return;
        };
        let end = range.end.min(map.len());
        if range.start >= end {
            return;
        }
        // SAFETY: `MADV_DONTNEED` on a read-only, shared file mapping only drops this
        // process's page table entries: the next access faults the same file bytes back in
        // from the page cache, so borrowed slices keep their contents (unlike on private or
        // anonymous memory, where the pages would come back zeroed). The range lies within
        // the map (checked above; memmap2 rounds the start down to a page).
        let released = unsafe {
            map.unchecked_advise_range(UncheckedAdvice::DontNeed, range.start, end - range.start)
        };
        // Only a hint to keep memory low: a refusal changes nothing that is read.
        drop(released);
    }

    /// Maps the pages of `range` in one call ahead of a read that goes through them all (a
    /// window of the index, a batch), instead of one fault per few pages as they are touched.
    /// Nothing happens for bytes in memory, or where the system has no such call.
    pub(crate) fn prefetch(&self, range: Range<usize>) {
        #[cfg(target_os = "linux")]
        if let Held::Map(map) = self {
            let end = range.end.min(map.len());
            if range.start < end {
                // A hint: a refusal (a kernel before 5.14) only leaves the faults to happen.
                let populated = map.advise_range(
                    memmap2::Advice::PopulateRead,
                    range.start,
                    end - range.start,
                );
                drop(populated);
            }
        }
        #[cfg(not(target_os = "linux"))]
        drop(range);
    }

    /// Elsewhere memmap2 has no such call, and files are not mapped (see [`Held::open`]).
    #[cfg(not(unix))]
    pub(crate) fn release(&self, _range: Range<usize>) {}
}

/// Reads `buf.len()` bytes of `file` from `offset`.
fn read_exact_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    #[cfg(unix)]
    {
        std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
    }
    #[cfg(not(unix))]
    {
        use std::io::{Read, Seek, SeekFrom};
        let mut f = file;
        f.seek(SeekFrom::Start(offset))?;
        f.read_exact(buf)
    }
}

/// A range of held bytes, shared: what a page entry read from a held input is, and what the
/// index reads again from.
#[derive(Debug, Clone)]
pub(crate) struct Shared {
    held: Arc<Held>,
    range: Range<usize>,
    /// The bytes of `held` in this range (and so any slice of them) were checked to be UTF-8
    /// once, as a whole: see [`text`](Self::text).
    utf8: bool,
}

impl Shared {
    /// All of `held`.
    pub(crate) fn new(held: Held) -> Shared {
        let len = held.bytes().len();
        Shared {
            held: Arc::new(held),
            range: 0..len,
            utf8: false,
        }
    }

    /// These bytes, checked to be UTF-8 as a whole: a whole read checks its input once, and
    /// the pieces cut from it are then read as text without checking each again (that check
    /// was about a tenth of parsing a piece).
    ///
    /// # Errors
    ///
    /// The bytes are not UTF-8 (where, as [`std::str::from_utf8`] says).
    pub(crate) fn checked_utf8(mut self) -> Result<Shared, std::str::Utf8Error> {
        // The SIMD check first (about a tenth of std's instructions on a response); std's
        // only to say where a bad byte is.
        if simdutf8::basic::from_utf8(&self).is_err() {
            std::str::from_utf8(&self)?;
        }
        self.utf8 = true;
        Ok(self)
    }

    /// These bytes as text: without a second check when they are a slice of bytes checked
    /// as a whole ([`checked_utf8`](Self::checked_utf8)) that starts and ends between
    /// characters; else checked now. `None` when they are not UTF-8.
    pub(crate) fn text(&self) -> Option<&str> {
        let bytes: &[u8] = self;
        // A UTF-8 continuation byte (0b10xx_xxxx) never starts a character.
        let starts_char = |at: usize| bytes.get(at).is_none_or(|b| (b & 0xC0) != 0x80);
        if self.utf8 && starts_char(0) && self.ends_between_characters() {
            // SAFETY: the whole range checked by `checked_utf8` is UTF-8, and this range lies
            // within it (slices are clamped to their parent's range) starting and ending on
            // character boundaries, so it is UTF-8 too.
            return Some(unsafe { std::str::from_utf8_unchecked(bytes) });
        }
        std::str::from_utf8(bytes).ok()
    }

    /// Whether the byte after this range (in the held bytes) starts a character or there is
    /// none.
    fn ends_between_characters(&self) -> bool {
        self.held
            .bytes()
            .get(self.range.end)
            .is_none_or(|b| (b & 0xC0) != 0x80)
    }

    /// Bytes `range` of these (relative to their start).
    pub(crate) fn slice(&self, range: Range<usize>) -> Shared {
        let start = (self.range.start + range.start).min(self.range.end);
        let end = (self.range.start + range.end).clamp(start, self.range.end);
        Shared {
            held: self.held.clone(),
            range: start..end,
            utf8: self.utf8,
        }
    }

    /// Maps the pages of bytes `range` of these ahead of a read (see [`Held::prefetch`]).
    pub(crate) fn prefetch(&self, range: Range<usize>) {
        let start = (self.range.start + range.start).min(self.range.end);
        let end = (self.range.start + range.end).clamp(start, self.range.end);
        self.held.prefetch(start..end);
    }

    /// Releases the pages of bytes `range` of these (see [`Held::release`]).
    pub(crate) fn release(&self, range: Range<usize>) {
        let start = (self.range.start + range.start).min(self.range.end);
        let end = (self.range.start + range.end).clamp(start, self.range.end);
        self.held.release(start..end);
    }
}

impl Deref for Shared {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.held.bytes()[self.range.clone()]
    }
}

impl AsRef<[u8]> for Shared {
    fn as_ref(&self) -> &[u8] {
        self
    }
}

/// Bytes read past before a [`HeldCursor`] gives their pages back.
const RELEASE_STEP: usize = 4 << 20;

/// A cursor over held bytes that gives back the pages it has read past: a whole pass over a
/// mapped input (looking for its first broken JSON, say) stays in bounded memory.
#[derive(Debug, Clone)]
pub(crate) struct HeldCursor {
    bytes: Shared,
    pos: usize,
    /// Where the pages not given back start.
    kept: usize,
}

impl HeldCursor {
    pub(crate) fn new(bytes: Shared) -> HeldCursor {
        HeldCursor {
            bytes,
            pos: 0,
            kept: 0,
        }
    }

    /// The bytes.
    pub(crate) fn get_ref(&self) -> &Shared {
        &self.bytes
    }
}

impl io::Read for HeldCursor {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let rest = self.bytes.get(self.pos..).unwrap_or_default();
        let n = rest.len().min(buf.len());
        buf[..n].copy_from_slice(&rest[..n]);
        self.pos += n;
        if self.pos - self.kept.min(self.pos) >= RELEASE_STEP {
            self.bytes.release(self.kept..self.pos);
            self.kept = self.pos;
        }
        Ok(n)
    }
}

impl io::Seek for HeldCursor {
    fn seek(&mut self, to: io::SeekFrom) -> io::Result<u64> {
        let len = self.bytes.len() as u64;
        let target = match to {
            io::SeekFrom::Start(n) => Some(n),
            io::SeekFrom::Current(d) => (self.pos as u64).checked_add_signed(d),
            io::SeekFrom::End(d) => len.checked_add_signed(d),
        };
        let Some(target) = target else {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "seek before the start",
            ));
        };
        self.pos = usize::try_from(target).unwrap_or(usize::MAX);
        self.kept = self.pos;
        Ok(target)
    }
}

/// The bytes of one page entry: read into a buffer of its own, or a slice of held input.
#[derive(Debug, Clone)]
pub(crate) enum PieceBytes {
    /// Read (or copied) into a buffer.
    Owned(Vec<u8>),
    /// In place in a held input.
    Shared(Shared),
}

impl Deref for PieceBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            PieceBytes::Owned(v) => v,
            PieceBytes::Shared(s) => s,
        }
    }
}

impl PieceBytes {
    /// The bytes as text, `None` when they are not UTF-8 (see [`Shared::text`]: a slice of
    /// an input checked as a whole is not checked again).
    pub(crate) fn text(&self) -> Option<&str> {
        match self {
            PieceBytes::Owned(v) => std::str::from_utf8(v).ok(),
            PieceBytes::Shared(s) => s.text(),
        }
    }
}

impl PartialEq for PieceBytes {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl From<Vec<u8>> for PieceBytes {
    fn from(v: Vec<u8>) -> Self {
        PieceBytes::Owned(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mapped_and_read_inputs_hold_the_same_bytes_and_survive_release() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        let big: Vec<u8> = (0..(3 << 20)).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &big).unwrap();
        let file = File::open(&path).unwrap();
        let whole = Shared::new(Held::open(&file, None).unwrap().unwrap());
        assert!(matches!(*whole.held, Held::Map(_)));
        assert_eq!(&whole[..], &big[..]);
        // A range starting off a page boundary.
        let part = Held::open(&file, Some(5000..(2 << 20) + 7))
            .unwrap()
            .unwrap();
        assert_eq!(part.bytes(), &big[5000..(2 << 20) + 7]);
        // Released pages read the same again.
        let slice = whole.slice(4096 * 3 + 5..(1 << 20));
        whole.release(0..(2 << 20));
        assert_eq!(&slice[..], &big[4096 * 3 + 5..(1 << 20)]);
        // A cursor reads it all, gives back what it passed, and seeks.
        let mut cursor = HeldCursor::new(whole.clone());
        let mut all = Vec::new();
        io::Read::read_to_end(&mut cursor, &mut all).unwrap();
        assert_eq!(all, big);
        io::Seek::seek(&mut cursor, io::SeekFrom::End(-3)).unwrap();
        let mut tail = Vec::new();
        io::Read::read_to_end(&mut cursor, &mut tail).unwrap();
        assert_eq!(tail, &big[big.len() - 3..]);
        assert!(
            io::Seek::seek(&mut cursor, io::SeekFrom::Current(-(big.len() as i64) - 1)).is_err()
        );
        // Small ranges are read into memory.
        let small = Held::open(&file, Some(10..20)).unwrap().unwrap();
        assert!(matches!(small, Held::Owned(_)));
        assert_eq!(small.bytes(), &big[10..20]);
    }
}
