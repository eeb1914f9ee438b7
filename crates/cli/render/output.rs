//! Where rendered bytes go: standard output, an -o file replaced atomically, or a directory
//! of files named after the inputs.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use pagetree_convert::Rendered;
use pagetree_convert::{OutFile, Sink};

use crate::args::RenderArgs;
use crate::output::SyncGroup;

use super::Writer;

/// Where output goes.
#[derive(Debug)]
pub(super) enum Dest {
    Stdout,
    File(PathBuf),
    /// A folder of files, made durable a group at a time.
    Dir(PathBuf, SyncGroup),
}

impl Dest {
    pub(super) fn new(a: &RenderArgs) -> Result<Self> {
        let Some(path) = &a.output else {
            return Ok(Dest::Stdout);
        };
        let trailing = path.as_os_str().to_string_lossy().ends_with(['/', '\\']);
        if a.per_page || a.files.len() > 1 || path.is_dir() || trailing {
            std::fs::create_dir_all(path)
                .with_context(|| format!("cannot create directory {}", path.display()))?;
            Ok(Dest::Dir(path.clone(), SyncGroup::new()))
        } else {
            Ok(Dest::File(path.clone()))
        }
    }
}

impl Dest {
    /// Starts making the files written into a folder so far durable, on a thread of its own.
    pub(super) fn commit_in_background(&self) -> Result<()> {
        self.sync_with(SyncGroup::commit_in_background)
    }

    /// Makes every file written into a folder durable (before the command ends).
    pub(super) fn commit(&self) -> Result<()> {
        self.sync_with(SyncGroup::commit)
    }

    /// Runs `sync` on a folder's group (nothing for a file or standard output).
    fn sync_with(&self, sync: impl FnOnce(&SyncGroup) -> std::io::Result<()>) -> Result<()> {
        match self {
            Dest::Dir(dir, group) => sync(group)
                .with_context(|| format!("cannot sync the files written in {}", dir.display())),
            _ => Ok(()),
        }
    }
}

/// Where rendered output goes while the command runs: standard output, or a temporary file
/// that replaces the -o file at the end (only when something was rendered into it).
pub(super) enum Out {
    /// Standard output.
    Stdout,
    File {
        tmp: PathBuf,
        path: PathBuf,
        w: BufWriter<File>,
    },
    Dir,
}

impl Out {
    pub(super) fn new(dest: &Dest) -> Result<Self> {
        Ok(match dest {
            Dest::Stdout => Out::Stdout,
            Dest::Dir(..) => Out::Dir,
            Dest::File(path) => {
                let tmp = temp_beside(path);
                let f = File::create(&tmp)
                    .with_context(|| format!("cannot write {}", tmp.display()))?;
                Out::File {
                    tmp,
                    path: path.clone(),
                    w: BufWriter::with_capacity(1 << 20, f),
                }
            }
        })
    }

    pub(super) fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        match self {
            Out::Stdout => io::stdout().lock().write_all(bytes),
            Out::File { w, .. } => w.write_all(bytes),
            Out::Dir => Ok(()),
        }
    }

    /// Puts the file in place when something was rendered, else removes it (a file is never
    /// left empty, or half written, by failures).
    pub(super) fn finish(self, rendered_any: bool) -> Result<()> {
        match self {
            Out::Stdout => io::stdout().lock().flush()?,
            Out::Dir => {}
            Out::File { tmp, path, mut w } => {
                let done = if rendered_any {
                    w.flush()
                        .and_then(|()| crate::output::rename_into_place(w.get_ref(), &tmp, &path))
                } else {
                    Ok(())
                };
                drop(w);
                if !rendered_any || done.is_err() {
                    discard(&tmp, &path);
                }
                done.with_context(|| format!("cannot write {}", path.display()))?;
            }
        }
        Ok(())
    }
}

/// A temporary name in the same folder as `path` (so the final rename stays on one file
/// system).
/// The target itself when it is a device, FIFO or socket (see [`discard`]): those are
/// written in place, a rename would replace them with a regular file.
pub(super) fn temp_beside(path: &Path) -> PathBuf {
    if crate::output::is_special(path) {
        return path.to_path_buf();
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
}

/// Removes a temporary file that will not be put in place, unless it is the target itself
/// (a device or FIFO written in place).
pub(super) fn discard(tmp: &Path, target: &Path) {
    if tmp != target {
        let _ = std::fs::remove_file(tmp);
    }
}

/// Passes one writer's file of a conversion on to a byte sink.
pub(super) struct OneFile<'a> {
    pub(super) want: OutFile,
    pub(super) w: &'a mut (dyn Write + Send),
}

impl Sink for OneFile<'_> {
    fn write(&mut self, file: &OutFile, bytes: &[u8]) -> io::Result<()> {
        if *file == self.want {
            self.w.write_all(bytes)
        } else {
            Ok(())
        }
    }
}

/// `Write` over the command's output.
pub(super) struct OutWriter<'a> {
    pub(super) out: &'a mut Out,
    /// Bytes written through it.
    pub(super) wrote: u64,
}

impl Write for OutWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.out.write(buf)?;
        self.wrote += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Writes one document into the output directory: one file, or one per page.
pub(super) fn write_dir<W: Writer>(
    dir: &Path,
    sync: &SyncGroup,
    base: &str,
    r: &Rendered,
    per_page: bool,
) -> Result<()> {
    let write = |name: String, text: &str| {
        let path = dir.join(name);
        sync.write(&path, text.as_bytes())
            .with_context(|| format!("cannot write {}", path.display()))
    };
    if !per_page {
        return write(format!("{base}.{}", W::EXT), &r.output);
    }
    let width = r
        .pages
        .iter()
        .map(|p| p.number.to_string().len())
        .max()
        .unwrap_or(1)
        .max(3);
    for p in &r.pages {
        write(
            format!("{base}.page-{:0width$}.{}", p.number, W::EXT),
            r.page_text(p),
        )?;
    }
    Ok(())
}

/// Output base names, unique across inputs.
#[derive(Default)]
pub struct Names {
    pub(super) used: BTreeSet<String>,
}

impl Names {
    /// `<input stem>` (`-<k>` for the k-th document of a multi-document input), made unique
    /// with `-2`, `-3`... when two inputs share a stem.
    /// A unique output base name for `input` (and its `k`-th document, when it holds several).
    pub fn take(&mut self, input: &Path, k: Option<usize>) -> String {
        let stem = match input.file_stem().map(|s| s.to_string_lossy()) {
            Some(s) if s != "-" => s.into_owned(),
            _ => "stdin".to_owned(),
        };
        let base = match k {
            Some(k) => format!("{stem}-{k}"),
            None => stem,
        };
        let mut name = base.clone();
        let mut n = 1;
        while !self.used.insert(name.clone()) {
            n += 1;
            name = format!("{base}-{n}");
        }
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_names_are_unique() {
        let mut n = Names::default();
        assert_eq!(n.take(Path::new("a/report.json"), None), "report");
        assert_eq!(n.take(Path::new("b/report.json"), None), "report-2");
        assert_eq!(n.take(Path::new("many.jsonl"), Some(1)), "many-1");
        assert_eq!(n.take(Path::new("-"), None), "stdin");
    }
}
