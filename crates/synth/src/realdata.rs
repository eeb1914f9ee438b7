//! Where the real saved responses are, for the tests of every crate in the workspace (the
//! model's and the converter's unit tests, the integration tests): one rule for finding them
//! and one rule for their absence.

use std::path::{Path, PathBuf};

/// The real responses' `.json` files, sorted: `PAGETREE_REALDATA` when set, else
/// `../shared/realdata` beside the repository root `repo`. `None`, with a notice naming
/// `what` was skipped, when the folder is absent or holds none.
///
/// # Panics
///
/// Under `CI=true` (or `CI=1`) a missing or empty folder panics instead: a CI run must not pass
/// by skipping every real-data check without anyone noticing.
///
/// ```
/// let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
/// if let Some(files) = pagetree_synth::realdata_files(&repo, "the example") {
///     assert!(files.iter().all(|p| p.extension().is_some_and(|e| e == "json")));
/// }
/// ```
pub fn realdata_files(repo: &Path, what: &str) -> Option<Vec<PathBuf>> {
    // `PAGETREE_REALDATA` points elsewhere (a checkout whose `../shared` is not beside it).
    let dir = std::env::var_os("PAGETREE_REALDATA")
        .map_or_else(|| repo.join("../shared/realdata"), PathBuf::from);
    let files = std::fs::read_dir(&dir).ok().map(|entries| {
        let mut v: Vec<PathBuf> = entries
            .map(|e| e.expect("dir entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        v.sort();
        v
    });
    match files {
        Some(v) if !v.is_empty() => Some(v),
        _ => {
            let why = format!("{} not found or holds no JSON files", dir.display());
            assert!(!on_ci(), "{why}; CI=true requires the real responses");
            eprintln!("notice: {why}; {what} skipped");
            None
        }
    }
}

/// Every file under the repository's `testdata/` (sub-folders included: invalid inputs,
/// regressions, audits...) whose extension is one of `exts`, sorted: the fixtures a check
/// that must hold for any input runs over.
///
/// ```
/// let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
/// let files = pagetree_synth::testdata_files(&repo, &["json"]);
/// assert!(files.iter().any(|p| p.ends_with("invalid/truncated.json")));
/// ```
pub fn testdata_files(repo: &Path, exts: &[&str]) -> Vec<PathBuf> {
    fn walk(dir: &Path, exts: &[&str], out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("testdata") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                walk(&path, exts, out);
            } else if path
                .extension()
                .is_some_and(|e| exts.iter().any(|x| e == *x))
            {
                out.push(path);
            }
        }
    }
    let mut v = Vec::new();
    walk(&repo.join("testdata"), exts, &mut v);
    v.sort();
    v
}

/// Whether the environment says this is a CI run (`CI=true`, as CI services set it).
fn on_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
}
