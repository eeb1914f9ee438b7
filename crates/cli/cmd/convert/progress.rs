//! The progress bar's reader: a large input moves the bar as its pages or lines are read.

use std::io::{self, Read};
use std::sync::atomic::{AtomicU64, Ordering};

use indicatif::ProgressBar;

use super::Ctx;
use crate::inputs::Input;

/// A reader that moves the progress bar by the bytes read, up to the input's size (a page
/// read twice, after a wrong cut, counts once at most in all).
pub(super) struct Counted<'a, R> {
    inner: R,
    bar: &'a ProgressBar,
    done: &'a AtomicU64,
    size: u64,
}

impl<'a, R> Counted<'a, R> {
    pub(super) fn new(inner: R, ctx: &'a Ctx<'_>, input: &Input, done: &'a AtomicU64) -> Self {
        Counted {
            inner,
            bar: &ctx.progress,
            done,
            size: input.size,
        }
    }

    fn count(&self, n: usize) {
        let before = self.done.load(Ordering::Relaxed);
        let add = (n as u64).min(self.size.saturating_sub(before));
        if add > 0 {
            self.done.fetch_add(add, Ordering::Relaxed);
            self.bar.inc(add);
        }
    }
}

impl<R: Read> Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count(n);
        Ok(n)
    }

    fn read_vectored(&mut self, bufs: &mut [io::IoSliceMut<'_>]) -> io::Result<usize> {
        let n = self.inner.read_vectored(bufs)?;
        self.count(n);
        Ok(n)
    }
}

impl<R: io::Seek> io::Seek for Counted<'_, R> {
    fn seek(&mut self, pos: io::SeekFrom) -> io::Result<u64> {
        self.inner.seek(pos)
    }
}

#[cfg(test)]
mod tests {
    use std::io::{IoSliceMut, Read, Seek, SeekFrom};

    use indicatif::{ProgressBar, ProgressDrawTarget};

    use super::*;

    #[test]
    fn reading_moves_the_bar_up_to_the_input_size() {
        let bar = ProgressBar::with_draw_target(Some(100), ProgressDrawTarget::hidden());
        let done = AtomicU64::new(0);
        let data: Vec<u8> = (0..64).collect();
        let mut r = Counted {
            inner: io::Cursor::new(&data[..]),
            bar: &bar,
            done: &done,
            size: 40,
        };
        let mut buf = [0u8; 16];
        r.read_exact(&mut buf).unwrap();
        assert_eq!((bar.position(), done.load(Ordering::Relaxed)), (16, 16));
        let (mut a, mut b) = ([0u8; 8], [0u8; 8]);
        let n = r
            .read_vectored(&mut [IoSliceMut::new(&mut a), IoSliceMut::new(&mut b)])
            .unwrap();
        assert_eq!((n, a[0], b[0]), (16, 16, 24));
        assert_eq!(bar.position(), 32);
        // Read again from the start (a page read twice): counts stop at the size.
        r.seek(SeekFrom::Start(0)).unwrap();
        let mut all = Vec::new();
        r.read_to_end(&mut all).unwrap();
        assert_eq!(all, data);
        assert_eq!((bar.position(), done.load(Ordering::Relaxed)), (40, 40));
    }
}
