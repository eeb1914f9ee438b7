//! Writing output: every file and folder is put in place atomically, here and only here, so a
//! reader (or a crash) never sees half a file or a folder that mixes two runs.

use std::fs;
use std::io::{self, Write};
use std::path::Path;

/// Writes `bytes` to `path` atomically: into a temporary file in the same directory (so the
/// rename never crosses file systems), synced, then renamed over `path`, and the directory
/// synced so the rename itself survives a crash. The temporary file is removed when anything
/// fails.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    if is_special(path) {
        // A device, FIFO or socket (`-o /dev/null`) is written to, never replaced: a rename
        // over it would put a regular file in its place (as root, in place of /dev/null).
        return fs::OpenOptions::new()
            .write(true)
            .open(path)?
            .write_all(bytes);
    }
    let mut tmp = temp_beside(path)?;
    tmp.write_all(bytes)?;
    persist_atomic(tmp, path)
}

/// Writes a command's whole output: to `path` atomically (`-o FILE`), else to standard output.
pub fn emit(path: Option<&Path>, bytes: &[u8]) -> anyhow::Result<()> {
    use anyhow::Context;
    match path {
        Some(path) => {
            write_atomic(path, bytes).with_context(|| format!("cannot write {}", path.display()))
        }
        None => {
            let mut o = io::stdout().lock();
            o.write_all(bytes)?;
            Ok(o.flush()?)
        }
    }
}

/// A temporary file beside `path`, for output written in pieces and then put in place with
/// [`persist_atomic`] (as [`write_atomic`] does for output held whole).
pub fn temp_beside(path: &Path) -> io::Result<tempfile::NamedTempFile> {
    let dir = parent(path);
    // Callers name files inside output folders that may not exist yet.
    fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no file name"))?;
    let prefix = format!(".{}.", name.to_string_lossy());
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    // tempfile makes files only their owner can read; outputs get the usual mode (umask
    // applies), as `File::create` gives.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    builder.tempfile_in(dir)
}

/// Puts a file made by [`temp_beside`] in place: synced, renamed over `path`, the directory
/// synced.
pub fn persist_atomic(tmp: tempfile::NamedTempFile, path: &Path) -> io::Result<()> {
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    sync_dir(parent(path))
}

/// Puts a temporary file written in pieces (`file`, at `tmp` beside `path`) in place as
/// [`persist_atomic`] does: synced, renamed over `path`, the directory synced. A device, FIFO
/// or socket written in place (`tmp == path`) is only flushed by its writer.
pub fn rename_into_place(file: &fs::File, tmp: &Path, path: &Path) -> io::Result<()> {
    if tmp == path {
        return Ok(());
    }
    file.sync_all()?;
    fs::rename(tmp, path)?;
    sync_dir(parent(path))
}

/// Whether `path` exists and is neither a regular file nor a folder (a character or block
/// device, a FIFO, a socket): written to in place, never renamed over or removed.
pub fn is_special(path: &Path) -> bool {
    fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

/// Puts the folder `new` where `dst` is: the old folder is moved aside first and removed
/// last, so `dst` is never a mix of the two; the parent directory is synced after.
pub fn replace_dir(new: &Path, dst: &Path) -> io::Result<()> {
    if dst.exists() {
        let aside = new.with_extension("old");
        fs::rename(dst, &aside)?;
        fs::rename(new, dst)?;
        sync_dir(parent(dst))?;
        fs::remove_dir_all(&aside)
    } else {
        fs::rename(new, dst)?;
        sync_dir(parent(dst))
    }
}

/// Whether an error says the disk (or the user's quota) is full: nothing more can be written,
/// so a batch stops instead of failing every input left.
pub fn is_disk_full(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded
    )
}

/// An I/O error's reason without Rust's ` (os error N)` tail: `No space left on device`.
pub fn reason(e: &io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_owned(),
        None => s,
    }
}

fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// Syncs a directory's entries (a rename is durable only then). Where directories cannot be
/// opened for it (not Unix), there is nothing to do.
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    fs::File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_file_and_leaves_no_temporary() {
        let dir = std::env::temp_dir().join(format!("pagetree-atomic-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("out.md");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        let names: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["out.md"]);
        // Missing parent folders are created.
        write_atomic(&dir.join("missing/out.md"), b"x").unwrap();
        assert_eq!(fs::read(dir.join("missing/out.md")).unwrap(), b"x");
        fs::remove_dir_all(&dir).unwrap();
    }
}
