//! A byte range of a file read as a file of its own: one line of a JSON Lines input, indexed
//! and read page by page like any large response without being held in memory.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::ops::Range;
use std::path::Path;

/// Bytes `range` of a file, read and sought as if they were the whole file: position 0 is
/// `range.start`, and reads end at `range.end`.
#[derive(Debug)]
pub struct FileSpan {
    file: File,
    start: u64,
    len: u64,
    /// Position within the span.
    pos: u64,
}

impl FileSpan {
    /// Opens bytes `range` of the file at `path`.
    pub fn open(path: &Path, range: Range<u64>) -> io::Result<Self> {
        let mut file = File::open(path)?;
        file.seek(SeekFrom::Start(range.start))?;
        Ok(FileSpan {
            file,
            start: range.start,
            len: range.end.saturating_sub(range.start),
            pos: 0,
        })
    }

    /// Opens the whole file at `path` (its length when opened).
    pub fn whole(path: &Path) -> io::Result<Self> {
        let file = File::open(path)?;
        let len = file.metadata()?.len();
        Ok(FileSpan {
            file,
            start: 0,
            len,
            pos: 0,
        })
    }

    /// The span's length in bytes.
    pub fn len(&self) -> u64 {
        self.len
    }
}

impl Read for FileSpan {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.len.saturating_sub(self.pos);
        let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        if want == 0 {
            return Ok(0);
        }
        let n = self.file.read(&mut buf[..want])?;
        self.pos += n as u64;
        Ok(n)
    }

    fn read_vectored(&mut self, bufs: &mut [io::IoSliceMut<'_>]) -> io::Result<usize> {
        // Batches of pages are read with one `readv` (see `LazyDocument::read_lists`); keep
        // that one call unless the run would cross the span's end.
        let total: usize = bufs.iter().map(|b| b.len()).sum();
        if (total as u64) <= self.len.saturating_sub(self.pos) {
            let n = self.file.read_vectored(bufs)?;
            self.pos += n as u64;
            return Ok(n);
        }
        match bufs.iter_mut().find(|b| !b.is_empty()) {
            Some(b) => self.read(b),
            None => Ok(0),
        }
    }
}

impl Seek for FileSpan {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let target = match to {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
            SeekFrom::End(d) => self.len.checked_add_signed(d),
        };
        let Some(target) = target else {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "seek before the start of the span",
            ));
        };
        self.file.seek(SeekFrom::Start(self.start + target))?;
        self.pos = target;
        Ok(target)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_seeks_within_its_range_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"0123456789").unwrap();
        let mut s = FileSpan::open(&path, 2..7).unwrap();
        assert_eq!(s.len(), 5);
        let mut all = Vec::new();
        s.read_to_end(&mut all).unwrap();
        assert_eq!(all, b"23456");
        assert_eq!(s.seek(SeekFrom::End(-2)).unwrap(), 3);
        let mut rest = Vec::new();
        s.read_to_end(&mut rest).unwrap();
        assert_eq!(rest, b"56");
        assert!(s.seek(SeekFrom::Current(-10)).is_err());
        // A vectored read across the end stops at the end.
        s.seek(SeekFrom::Start(3)).unwrap();
        let (mut a, mut b) = ([0u8; 1], [0u8; 4]);
        let mut bufs = [io::IoSliceMut::new(&mut a), io::IoSliceMut::new(&mut b)];
        let n = s.read_vectored(&mut bufs).unwrap();
        assert_eq!((n, a), (1, *b"5"));
        let mut whole = FileSpan::whole(&path).unwrap();
        let mut text = String::new();
        whole.read_to_string(&mut text).unwrap();
        assert_eq!(text, "0123456789");
        assert_eq!(FileSpan::open(&path, 4..4).unwrap().len(), 0);
    }
}
