//! Shared helpers: fixture and real-data locations, running the built binary.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use pagetree_model::{Document, Loaded, load_all};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Our own fixtures.
pub fn testdata() -> PathBuf {
    root().join("testdata")
}

/// The valid fixtures (`testdata/*.json` and `*.jsonl`, then `testdata/regressions/*.json`),
/// sorted.
pub fn fixtures() -> Vec<PathBuf> {
    let mut v = json_files(&testdata());
    v.extend(regressions());
    v
}

/// The regression fixtures (`testdata/regressions/<slug>.json`), sorted.
pub fn regressions() -> Vec<PathBuf> {
    json_files(&testdata().join("regressions"))
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.map(|e| e.expect("dir entry").path()).collect())
        .unwrap_or_default();
    v.retain(|p| p.extension().is_some_and(|e| e == "json" || e == "jsonl"));
    v.sort();
    v
}

/// `../shared/realdata` JSON files, or `None` (with a printed notice) when the folder is absent
/// or holds none. Under `CI=true` that is a failure instead: a CI run must not pass by skipping
/// every real-data check without anyone noticing.
pub fn realdata() -> Option<Vec<PathBuf>> {
    pagetree_synth::realdata_files(&root(), "real-data conformance")
}

/// Every document in a file (the parse results of a batch or JSON Lines file; other bodies
/// and broken ones are left out).
pub fn documents(path: &Path) -> Vec<Document> {
    let bytes = std::fs::read(path).expect("readable");
    load_all(&bytes, Some(&name(path)))
        .into_iter()
        .filter_map(|r| match r {
            Ok(Loaded::Document(d)) => Some(*d),
            _ => None,
        })
        .collect()
}

/// The file name, for stable snapshot names and messages.
pub fn name(p: &Path) -> String {
    p.file_name()
        .expect("file name")
        .to_string_lossy()
        .into_owned()
}

/// Runs the built `pagetree` binary.
pub fn pagetree(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pagetree"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("pagetree runs")
}

/// The names of the files and folders in `dir`, sorted.
pub fn listing(dir: impl AsRef<Path>) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// Runs `pagetree convert INPUT -o OUT` with `extra` arguments after them, as most batch
/// tests do.
pub fn convert_into(input: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "convert",
        input.to_str().expect("UTF-8 path"),
        "-o",
        out.to_str().expect("UTF-8 path"),
    ];
    args.extend_from_slice(extra);
    pagetree(&args)
}

/// Standard output as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Standard error as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Every file below `dir` with its bytes (paths relative, `/`-separated), but the lock file
/// (it holds the pid of the last run): an output tree to compare with another.
pub fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).expect("dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(base, &p, out);
            } else if e.file_name() != ".pagetree-lock" {
                let rel = p
                    .strip_prefix(base)
                    .expect("below")
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, std::fs::read(&p).expect("file"));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}
