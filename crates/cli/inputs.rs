//! Expanding `convert`'s inputs: files, directories (recursively), glob patterns and `-`, each
//! with a stable key that names its output folder, its manifest entry and its shard.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

/// One input to convert.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Input {
    /// The file, or `None` for standard input.
    pub path: Option<PathBuf>,
    /// Stable relative name without extension (`reports/q3`), `/`-separated: the output folder
    /// below OUT, the manifest key and what `--shard` hashes.
    pub key: String,
    /// Size in bytes (0 for standard input).
    pub size: u64,
}

impl Input {
    /// The name used in messages.
    pub fn display(&self) -> String {
        self.path
            .as_ref()
            .map_or_else(|| "<stdin>".to_owned(), |p| p.display().to_string())
    }
}

/// File endings read from directories and glob patterns.
const EXTENSIONS: [&str; 3] = ["json", "jsonl", "ndjson"];

/// Expands the arguments, in a deterministic order (by key). Arguments that name nothing are
/// returned as errors (they count as failed inputs; the others still convert). Directories
/// and patterns never yield files inside `out` (the output folder): `convert . -o out` run
/// twice must not read its own outputs as inputs; a file named there explicitly still counts.
pub fn expand(args: &[String], out: &Path) -> (Vec<Input>, Vec<(String, String)>) {
    let out = out.canonicalize().ok();
    // Asked per directory (a file: of its parent), each directory resolved once.
    let known = std::cell::RefCell::new(std::collections::HashMap::new());
    let dir_inside_out = |dir: &Path| -> bool {
        let Some(out) = &out else {
            return false;
        };
        *known
            .borrow_mut()
            .entry(dir.to_path_buf())
            .or_insert_with(|| dir.canonicalize().is_ok_and(|c| c.starts_with(out)))
    };
    let inside_out = |file: &Path| dir_inside_out(file.parent().unwrap_or(Path::new(".")));
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    let mut seen = BTreeSet::new();
    for arg in args {
        if arg == "-" {
            if seen.insert(PathBuf::from("-")) {
                inputs.push(Input {
                    path: None,
                    key: "stdin".into(),
                    size: 0,
                });
            }
            continue;
        }
        let path = Path::new(arg);
        if path.is_dir() {
            let mut found = Vec::new();
            walk(path, &mut found, &dir_inside_out, &mut BTreeSet::new());
            if found.is_empty() {
                let why = if dir_inside_out(path) {
                    "this directory is (inside) the output folder: its files are outputs"
                } else {
                    "no .json, .jsonl or .ndjson files in this directory"
                };
                errors.push((arg.clone(), why.into()));
            }
            let base = path.file_name().map(|n| n.to_string_lossy().into_owned());
            for f in found {
                let rel = f.strip_prefix(path).unwrap_or(&f);
                let key = match &base {
                    Some(b) => format!("{b}/{}", key_of(rel)),
                    None => key_of(rel),
                };
                add(&mut inputs, &mut seen, f, key);
            }
        } else if path.is_file() || path.exists() && !arg.contains(['*', '?', '[']) {
            // A file, or a pipe or device named as one (`<(gunzip -c x.json.gz)`): read once.
            add(
                &mut inputs,
                &mut seen,
                path.to_path_buf(),
                key_of(Path::new(path.file_name().unwrap_or_default())),
            );
        } else if arg.contains(['*', '?', '[']) {
            match matches(arg) {
                Ok(paths) => {
                    let prefix = literal_prefix(arg);
                    let mut n = 0;
                    let found = paths
                        .into_iter()
                        .filter(|p| p.is_file() && has_extension(p) && !inside_out(p));
                    for p in found {
                        let rel = p.strip_prefix(&prefix).unwrap_or(&p).to_path_buf();
                        add(&mut inputs, &mut seen, p, key_of(&rel));
                        n += 1;
                    }
                    if n == 0 {
                        errors.push((
                            arg.clone(),
                            "the pattern matches no .json, .jsonl or .ndjson file".into(),
                        ));
                    }
                }
                Err(e) => errors.push((arg.clone(), format!("invalid pattern: {e}"))),
            }
        } else {
            errors.push((arg.clone(), "no such file or directory".into()));
        }
    }
    // Two inputs with one key (`a/x.json` and `b/x.json` given as files) get `-2`, `-3`...
    // in argument order, so keys stay unique and stable for the same command line.
    let mut used = BTreeSet::new();
    for input in &mut inputs {
        let mut key = input.key.clone();
        let mut n = 1;
        while !used.insert(key.clone()) {
            n += 1;
            key = format!("{}-{n}", input.key);
        }
        input.key = key;
    }
    inputs.sort_by(|a, b| a.key.cmp(&b.key));
    (inputs, errors)
}

fn add(inputs: &mut Vec<Input>, seen: &mut BTreeSet<PathBuf>, path: PathBuf, key: String) {
    let canonical = path.canonicalize().unwrap_or_else(|_| path.clone());
    if seen.insert(canonical) {
        let size = path.metadata().map_or(0, |m| m.len());
        inputs.push(Input {
            path: Some(path),
            key,
            size,
        });
    }
}

fn has_extension(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// Every matching file below `dir`, sorted; hidden entries (`.git`...) and the folders `skip`
/// says yes to are skipped.
///
/// Symbolic links are followed, each directory entered once (by its real path): a link back
/// up the tree (`up -> ..`) would otherwise be walked forever.
fn walk(
    dir: &Path,
    out: &mut Vec<PathBuf>,
    skip: &dyn Fn(&Path) -> bool,
    entered: &mut BTreeSet<PathBuf>,
) {
    walk_all(dir, out, skip, entered, false);
}

/// [`walk`], with hidden entries too when `hidden` (as a glob pattern reads them).
fn walk_all(
    dir: &Path,
    out: &mut Vec<PathBuf>,
    skip: &dyn Fn(&Path) -> bool,
    entered: &mut BTreeSet<PathBuf>,
    hidden: bool,
) {
    let real = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    if skip(dir) || !entered.insert(real) {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        let dot = p
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'));
        if dot && !hidden {
            continue;
        }
        if p.is_dir() {
            walk_all(&p, out, skip, entered, hidden);
        } else if p.is_file() && has_extension(&p) {
            out.push(p);
        }
    }
}

/// The paths a glob pattern matches. `**` is matched over a walk of the directory before the
/// first wildcard that enters each directory once: the `glob` crate follows a symbolic link
/// back up the tree (`up -> ..`) forever. Other patterns go to `glob`, which reads only as
/// many levels as the pattern has.
fn matches(pattern: &str) -> Result<Vec<PathBuf>, glob::PatternError> {
    if !pattern.contains("**") {
        return Ok(glob::glob(pattern)?.flatten().collect());
    }
    let compiled = glob::Pattern::new(pattern)?;
    let prefix = literal_prefix(pattern);
    let (root, strip) = if prefix.as_os_str().is_empty() {
        (PathBuf::from("."), true)
    } else {
        (prefix, false)
    };
    let mut found = Vec::new();
    let everything = |_: &Path| false;
    walk_all(&root, &mut found, &everything, &mut BTreeSet::new(), true);
    Ok(found
        .into_iter()
        .map(|p| match p.strip_prefix(".") {
            Ok(rel) if strip => rel.to_path_buf(),
            _ => p,
        })
        .filter(|p| compiled.matches_path(p))
        .collect())
}

/// The directories of a pattern before its first wildcard (`docs/2024/*.json` → `docs/2024`).
fn literal_prefix(pattern: &str) -> PathBuf {
    let mut prefix = PathBuf::new();
    for c in Path::new(pattern).components() {
        if c.as_os_str().to_string_lossy().contains(['*', '?', '[']) {
            break;
        }
        prefix.push(c);
    }
    prefix
}

/// A safe relative key from a relative path: extension dropped, `/`-separated, every
/// component made of letters, digits, `.`, `-` and `_` (others become `_`), never `.`, `..`
/// or empty, so nothing can escape the output folder.
pub fn key_of(rel: &Path) -> String {
    let without_ext = rel.with_extension("");
    let parts: Vec<String> = without_ext
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(sanitize(&s.to_string_lossy())),
            _ => None,
        })
        .collect();
    if parts.is_empty() {
        "_".into()
    } else {
        parts.join("/")
    }
}

/// One safe path component.
pub fn sanitize(s: &str) -> String {
    let clean: String = s
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    match clean.trim_matches('.') {
        "" => "_".into(),
        _ if clean.starts_with('.') => format!("_{}", clean.trim_start_matches('.')),
        _ => clean,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_safe_and_relative() {
        assert_eq!(key_of(Path::new("a/b c/report.json")), "a/b_c/report");
        assert_eq!(key_of(Path::new("../../etc/passwd.json")), "etc/passwd");
        assert_eq!(key_of(Path::new("/abs/x.jsonl")), "abs/x");
        assert_eq!(sanitize(".."), "_");
        assert_eq!(sanitize(".hidden"), "_hidden");
        assert_eq!(
            literal_prefix("docs/2024/*.json"),
            PathBuf::from("docs/2024")
        );
    }

    #[cfg(unix)]
    #[test]
    fn symbolic_links_back_up_the_tree_are_entered_once() {
        use std::os::unix::fs::symlink;
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path().join("top/d");
        std::fs::create_dir_all(d.join("sub")).unwrap();
        std::fs::write(d.join("a.json"), "{}").unwrap();
        std::fs::write(d.join("sub/b.jsonl"), "{}").unwrap();
        symlink("..", d.join("up")).unwrap();
        symlink("../d", d.join("again")).unwrap();
        symlink("..", d.join("sub/back")).unwrap();
        let out = tmp.path().join("out");
        let keys = |arg: &Path| {
            let (inputs, errors) = expand(&[arg.to_str().unwrap().to_owned()], &out);
            assert!(errors.is_empty(), "{errors:?}");
            inputs.into_iter().map(|i| i.key).collect::<Vec<_>>()
        };
        // Each file once, by the first path that reaches it.
        assert_eq!(keys(&d), ["d/a", "d/sub/b"]);
        assert_eq!(keys(&d.join("**/*.json*")), ["a", "sub/b"]);
    }
}
