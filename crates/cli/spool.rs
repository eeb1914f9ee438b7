//! Standard input with bounded memory. A file is indexed and read back by offset, page by
//! page; a pipe can be read only once, in order. So standard input is kept in memory while it
//! is small, and once it reaches the streaming threshold it is copied to a temporary file (its
//! hash taken on the way), which is then converted like any large file: `curl ... | pagetree
//! convert - -o out` holds one batch of pages, not the whole response.

use std::io::{self, Read, Write};
use std::path::Path;

use tempfile::NamedTempFile;
use xxhash_rust::xxh3::Xxh3;

use crate::args::StreamArg;
use crate::render::STREAM_THRESHOLD;

/// Standard input, read.
pub enum Stdin {
    /// Smaller than the threshold: the bytes.
    Bytes(Vec<u8>),
    /// The threshold or more: a temporary copy, removed when this is dropped.
    Spooled(NamedTempFile),
}

/// Standard input with its xxh3-128 hash (as the manifest writes it).
pub struct Taken {
    /// The input.
    pub input: Stdin,
    /// Its hash, in hex.
    pub hash: String,
    /// Its length in bytes.
    pub len: u64,
}

/// Where `--stream` puts the spooling threshold: the streaming threshold (`auto`), at once
/// (`always`) or never.
pub fn spool_at(stream: StreamArg) -> Option<u64> {
    match stream {
        StreamArg::Never => None,
        StreamArg::Always => Some(0),
        StreamArg::Auto => Some(STREAM_THRESHOLD),
    }
}

/// The longest JSON Lines line held in memory under `--stream`: longer lines are streamed
/// from the file in place (all of them with `always`, none with `never`).
pub fn hold_lines(stream: StreamArg) -> usize {
    spool_at(stream).map_or(usize::MAX, |n| usize::try_from(n).unwrap_or(usize::MAX))
}

/// Reads `reader` whole. Up to `spool_at` bytes stay in memory; an input that reaches it is
/// written to a temporary file in `dir` instead (`Some(0)`: always; `None`: never).
pub fn take(mut reader: impl Read, spool_at: Option<u64>, dir: &Path) -> io::Result<Taken> {
    let mut hasher = Xxh3::new();
    let mut head = Vec::new();
    let Some(limit) = spool_at else {
        reader.read_to_end(&mut head)?;
        hasher.update(&head);
        let len = head.len() as u64;
        return Ok(taken(Stdin::Bytes(head), &hasher, len));
    };
    (&mut reader).take(limit).read_to_end(&mut head)?;
    hasher.update(&head);
    let mut len = head.len() as u64;
    if len < limit {
        return Ok(taken(Stdin::Bytes(head), &hasher, len));
    }
    // Named after this process, so that a later run can tell a copy left by a killed run.
    let prefix = format!(".pagetree-stdin-{}-", std::process::id());
    let mut file = tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(".json")
        .tempfile_in(dir)?;
    file.write_all(&head)?;
    drop(head);
    let mut buf = vec![0; 1 << 20];
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(&buf[..n]);
        file.write_all(&buf[..n])?;
        len += n as u64;
    }
    file.flush()?;
    Ok(taken(Stdin::Spooled(file), &hasher, len))
}

fn taken(input: Stdin, hasher: &Xxh3, len: u64) -> Taken {
    Taken {
        input,
        hash: format!("{:032x}", hasher.digest128()),
        len,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::hash_hex;

    #[test]
    fn small_input_stays_in_memory_and_large_input_is_spooled_whole() {
        let dir = tempfile::tempdir().unwrap();
        let data: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();

        let small = take(&data[..1000], Some(1001), dir.path()).unwrap();
        assert_eq!(small.hash, hash_hex(&data[..1000]));
        assert!(matches!(&small.input, Stdin::Bytes(b) if b[..] == data[..1000]));

        // At the threshold exactly, and well past it (more than one copy buffer).
        for (len, limit) in [(1000, Some(1000)), (data.len(), Some(4096)), (10, Some(0))] {
            let t = take(&data[..len], limit, dir.path()).unwrap();
            assert_eq!(t.hash, hash_hex(&data[..len]));
            let Stdin::Spooled(file) = &t.input else {
                panic!("{len} bytes at {limit:?} were not spooled");
            };
            assert_eq!(std::fs::read(file.path()).unwrap(), data[..len]);
            assert!(file.path().starts_with(dir.path()));
        }

        let never = take(&data[..], None, dir.path()).unwrap();
        assert!(matches!(&never.input, Stdin::Bytes(b) if b.len() == data.len()));
    }

    #[test]
    fn the_temporary_copy_goes_with_the_input() {
        let dir = tempfile::tempdir().unwrap();
        let t = take(&b"{\"pages\": []}"[..], Some(0), dir.path()).unwrap();
        let Stdin::Spooled(file) = t.input else {
            panic!("not spooled");
        };
        let path = file.path().to_owned();
        assert!(path.exists());
        drop(file);
        assert!(!path.exists());
    }
}
