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
    /// The name used in messages (escaped: see [`escape`]).
    pub fn display(&self) -> String {
        self.path
            .as_ref()
            .map_or_else(|| "<stdin>".to_owned(), |p| escape(&p.to_string_lossy()))
    }
}

/// File endings read from directories and glob patterns.
const EXTENSIONS: [&str; 3] = ["json", "jsonl", "ndjson"];

/// An entry met while searching a directory or matching a pattern that is not converted, and
/// why: said once each (or counted, with `--quiet`), and listed in the report.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Skipped {
    /// The entry, as found (escaped for printing).
    pub path: String,
    /// Why it was not read.
    pub reason: String,
}

/// What the arguments expand to.
#[derive(Debug, Default)]
pub struct Expanded {
    /// The inputs, sorted by key.
    pub inputs: Vec<Input>,
    /// Arguments that name nothing, with the reason (failed inputs; the others still convert).
    pub errors: Vec<(String, String)>,
    /// Entries found and left out, in the order found.
    pub skipped: Vec<Skipped>,
}

/// Expands the arguments, in a deterministic order (by key). Arguments that name nothing are
/// returned as errors (they count as failed inputs; the others still convert). Directories
/// and patterns never yield files inside `out` (the output folder): `convert . -o out` run
/// twice must not read its own outputs as inputs; a file named there explicitly still counts.
///
/// A directory's files are keyed by their path relative to it (`DIR/a/x.json` → `a/x`), as
/// `cp -r DIR/. OUT` would place them; a pattern's by their path below its literal prefix.
pub fn expand(args: &[String], out: &Path) -> Expanded {
    let out = out.canonicalize().ok();
    let inside_out = |p: &Path| {
        out.as_ref()
            .is_some_and(|out| p.canonicalize().is_ok_and(|c| c.starts_with(out)))
    };
    let mut x = Expanded::default();
    let mut seen = BTreeSet::new();
    for arg in args {
        if arg == "-" {
            if seen.insert(PathBuf::from("-")) {
                x.inputs.push(Input {
                    path: None,
                    key: "stdin".into(),
                    size: 0,
                });
            }
            continue;
        }
        let path = Path::new(arg);
        let shown = escape(arg);
        if path.is_dir() {
            if inside_out(path) {
                x.errors.push((
                    shown,
                    "this directory is (inside) the output folder: its files are outputs".into(),
                ));
                continue;
            }
            let before = x.inputs.len();
            let walk = Walk {
                root: path,
                hidden: false,
                max_depth: None,
                inside_out: &inside_out,
            };
            for f in walk.files(&mut x.skipped) {
                let rel = f.strip_prefix(path).unwrap_or(&f);
                let key = key_of(rel);
                add(&mut x.inputs, &mut seen, f, key);
            }
            if x.inputs.len() == before {
                x.errors.push((
                    shown,
                    "no .json, .jsonl or .ndjson files in this directory".into(),
                ));
            }
        } else if path.is_file() || path.exists() && !is_pattern(arg) {
            // A file, or a pipe or device named as one (`<(gunzip -c x.json.gz)`): read once.
            add(
                &mut x.inputs,
                &mut seen,
                path.to_path_buf(),
                key_of(Path::new(path.file_name().unwrap_or_default())),
            );
        } else if is_pattern(arg) {
            match matches(arg, &inside_out, &mut x.skipped) {
                Ok((prefix, paths)) => {
                    let mut n = 0;
                    for p in paths {
                        let rel = p.strip_prefix(&prefix).unwrap_or(&p).to_path_buf();
                        add(&mut x.inputs, &mut seen, p, key_of(&rel));
                        n += 1;
                    }
                    if n == 0 {
                        x.errors.push((
                            shown,
                            "the pattern matches no .json, .jsonl or .ndjson file".into(),
                        ));
                    }
                }
                Err(e) => x.errors.push((shown, format!("invalid pattern: {e}"))),
            }
        } else if path.is_symlink() {
            x.errors.push((
                shown,
                "a symbolic link to nothing (its target is missing)".into(),
            ));
        } else {
            x.errors.push((shown, "no such file or directory".into()));
        }
    }
    // Two inputs with one key (`a/x.json` and `b/x.json` given as files) get `-2`, `-3`...
    // in argument order, so keys stay unique and stable for the same command line.
    let mut used = BTreeSet::new();
    for input in &mut x.inputs {
        let mut key = input.key.clone();
        let mut n = 1;
        while !used.insert(key.clone()) {
            n += 1;
            key = format!("{}-{n}", input.key);
        }
        input.key = key;
    }
    x.inputs.sort_by(|a, b| a.key.cmp(&b.key));
    x
}

fn is_pattern(arg: &str) -> bool {
    arg.contains(['*', '?', '[', '{'])
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

/// A walk of a directory for input files.
struct Walk<'a> {
    root: &'a Path,
    /// Read hidden entries too (as a glob pattern reads them); otherwise they are skipped,
    /// and said to be when they could have been inputs.
    hidden: bool,
    /// How many levels a pattern without `**` can reach.
    max_depth: Option<usize>,
    /// Folders inside the output folder hold outputs, never inputs.
    inside_out: &'a dyn Fn(&Path) -> bool,
}

impl Walk<'_> {
    /// Every regular file with an input extension below the root, sorted by name at each
    /// level. Symbolic links are followed; walkdir refuses a link back up the tree (`up ->
    /// ..`), which would otherwise be walked forever. What is left out that could have been
    /// an input (dangling links, loops, FIFOs and other special files, unreadable folders,
    /// hidden `.json` files) goes to `skipped`, with the reason.
    fn files(&self, skipped: &mut Vec<Skipped>) -> Vec<PathBuf> {
        let mut walker = walkdir::WalkDir::new(self.root)
            .follow_links(true)
            .sort_by_file_name();
        if let Some(d) = self.max_depth {
            walker = walker.max_depth(d);
        }
        let mut found = Vec::new();
        let mut skip = |p: &Path, reason: &str| {
            skipped.push(Skipped {
                path: escape(&p.to_string_lossy()),
                reason: reason.into(),
            })
        };
        let mut it = walker.into_iter();
        while let Some(entry) = it.next() {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    let p = e.path().unwrap_or(self.root).to_path_buf();
                    if e.loop_ancestor().is_some() {
                        skip(&p, "a symbolic link to a folder that contains it (a loop)");
                    } else if p.is_symlink() && !p.exists() {
                        skip(&p, "a symbolic link to nothing (its target is missing)");
                    } else {
                        let why = e
                            .io_error()
                            .map_or_else(|| e.to_string(), crate::output::reason);
                        skip(&p, &format!("cannot read: {why}"));
                    }
                    continue;
                }
            };
            let p = entry.path();
            let is_root = entry.depth() == 0;
            let dot = !is_root
                && entry
                    .file_name()
                    .to_str()
                    .is_some_and(|n| n.starts_with('.'));
            let ft = entry.file_type();
            if ft.is_dir() {
                if !is_root && (self.inside_out)(p) {
                    it.skip_current_dir();
                } else if dot && !self.hidden {
                    skip(
                        p,
                        "a hidden folder, not searched (name it to convert its files)",
                    );
                    it.skip_current_dir();
                }
                continue;
            }
            if !has_extension(p) {
                continue;
            }
            if dot && !self.hidden {
                skip(p, "a hidden file (name it to convert it)");
            } else if !ft.is_file() {
                skip(
                    p,
                    "not a regular file (a FIFO, socket or device); name it to read it",
                );
            } else {
                found.push(p.to_path_buf());
            }
        }
        found
    }
}

/// The files a glob pattern matches, and the literal prefix their keys are relative to. The
/// directory before the first wildcard is walked (as deep as the pattern reaches; all the way
/// with `**`) and each file's path matched; `*` and `?` do not cross `/`.
fn matches(
    pattern: &str,
    inside_out: &dyn Fn(&Path) -> bool,
    skipped: &mut Vec<Skipped>,
) -> Result<(PathBuf, Vec<PathBuf>), globset::Error> {
    let compiled = globset::GlobBuilder::new(pattern)
        .literal_separator(true)
        .backslash_escape(true)
        .build()?
        .compile_matcher();
    let prefix = literal_prefix(pattern);
    let (root, strip) = if prefix.as_os_str().is_empty() {
        (PathBuf::from("."), true)
    } else {
        (prefix.clone(), false)
    };
    let levels = Path::new(pattern).components().count() - prefix.components().count();
    let walk = Walk {
        root: &root,
        hidden: true,
        max_depth: (!pattern.contains("**")).then_some(levels),
        inside_out,
    };
    if !root.is_dir() {
        return Ok((prefix, Vec::new()));
    }
    let mut here = Vec::new();
    let found = walk
        .files(&mut here)
        .into_iter()
        .map(|p| match p.strip_prefix(".") {
            Ok(rel) if strip => rel.to_path_buf(),
            _ => p,
        })
        .filter(|p| compiled.is_match(p))
        .collect();
    // What was skipped counts only where the pattern would have taken it.
    skipped.extend(here.into_iter().filter(|s| {
        let p = Path::new(&s.path);
        let p = if strip {
            p.strip_prefix(".").unwrap_or(p)
        } else {
            p
        };
        compiled.is_match(p)
    }));
    Ok((prefix, found))
}

/// The directories of a pattern before its first wildcard (`docs/2024/*.json` → `docs/2024`).
fn literal_prefix(pattern: &str) -> PathBuf {
    let mut prefix = PathBuf::new();
    let components: Vec<_> = Path::new(pattern).components().collect();
    for (i, c) in components.iter().enumerate() {
        if is_pattern(&c.as_os_str().to_string_lossy()) || i + 1 == components.len() {
            break;
        }
        prefix.push(c);
    }
    prefix
}

/// A file name made safe to print: control characters (newlines, terminal escapes) are
/// written as escapes (`\n`, `\u{1b}`), so a name cannot forge lines or drive the terminal.
pub fn escape(name: &str) -> String {
    if !name.chars().any(char::is_control) {
        return name.to_owned();
    }
    name.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
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
            let x = expand(&[arg.to_str().unwrap().to_owned()], &out);
            assert!(x.errors.is_empty(), "{:?}", x.errors);
            x.inputs.into_iter().map(|i| i.key).collect::<Vec<_>>()
        };
        // Each file once, keyed by its path below the folder; the links back up are loops.
        assert_eq!(keys(&d), ["a", "sub/b"]);
        assert_eq!(keys(&d.join("**/*.json*")), ["a", "sub/b"]);
    }
}
