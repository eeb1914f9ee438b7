//! Input hashes for the manifest: read in chunks, or taken on a thread of their own while a
//! large input converts.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// xxh3-128 of a file, read in chunks.
pub(super) fn hash_file(path: &Path) -> io::Result<String> {
    hash_file_unless(path, &AtomicBool::new(false))
}

/// [`hash_file`], given up (an error) once `stop` is set.
fn hash_file_unless(path: &Path, stop: &AtomicBool) -> io::Result<String> {
    let mut file = File::open(path)?;
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    let mut buf = vec![0; 1 << 20];
    loop {
        if stop.load(Ordering::Relaxed) {
            return Err(io::Error::other("hashing given up"));
        }
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(format!("{:032x}", hasher.digest128()))
}

/// A file being hashed on a thread of its own while it converts. Dropped unfinished (the input
/// failed), the thread stops at its next chunk and is waited for, so failing inputs do not
/// leave threads reading files behind them.
pub(super) struct PendingHash {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<io::Result<String>>>,
}

impl PendingHash {
    pub(super) fn start(path: PathBuf) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::spawn(move || hash_file_unless(&path, &flag));
        PendingHash {
            stop,
            thread: Some(thread),
        }
    }

    /// The hash, once the thread has read the whole file.
    pub(super) fn finish(mut self) -> io::Result<String> {
        match self.thread.take().map(std::thread::JoinHandle::join) {
            Some(Ok(hash)) => hash,
            _ => Err(io::Error::other("the hashing thread failed")),
        }
    }
}

impl Drop for PendingHash {
    fn drop(&mut self) {
        if let Some(t) = self.thread.take() {
            self.stop.store(true, Ordering::Relaxed);
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::hash_hex;

    #[test]
    fn a_hash_taken_aside_is_the_hash_and_can_be_given_up() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("in.json");
        std::fs::write(&path, vec![b'x'; 3 << 20]).expect("write");
        let want = hash_file(&path).expect("hash");
        assert_eq!(want, hash_hex(&std::fs::read(&path).expect("read")));
        assert_eq!(
            PendingHash::start(path.clone()).finish().expect("hash"),
            want
        );
        // Given up: the thread stops before the next chunk.
        let stop = AtomicBool::new(true);
        assert!(hash_file_unless(&path, &stop).is_err());
        drop(PendingHash::start(path));
    }
}
