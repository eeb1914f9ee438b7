//! The benchmark baseline: read a file and parse it into a `serde_json::Value`, nothing else.
//! With an output path, also write the value back there (compact), which is the least a
//! converter that writes as much as it reads has to do: a reference for `pagetree convert`.
//! Given a directory, it parses every `.json` file in it, one after the other, in one process.
//!
//! `cargo run --release -p pagetree-synth --example parse_value -- FILE|DIR [OUT]`
//!
//! `scripts/bench.sh` times this whole process (read, parse, drop) next to the Python peer and
//! the `pagetree` commands, so that ratios compare like with like on the same machine.
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: parse_value FILE|DIR [OUT]");
        return ExitCode::from(2);
    };
    let out = args.next();
    if Path::new(&path).is_dir() {
        if out.is_some() {
            eprintln!("error: OUT is for a single FILE");
            return ExitCode::from(2);
        }
        return parse_dir(Path::new(&path));
    }
    let parsed = parse(Path::new(&path));
    match parsed {
        Ok(v) => {
            // Touch the result so the parse cannot be optimised away, and say what was read.
            eprintln!("{path}: {} pages", pages(&v));
            if let Some(out) = out {
                let written = std::fs::File::create(&out).and_then(|f| {
                    let mut w = std::io::BufWriter::with_capacity(1 << 20, f);
                    serde_json::to_writer(&mut w, &v)?;
                    w.flush()
                });
                if let Err(e) = written {
                    eprintln!("error: {out}: {e}");
                    return ExitCode::FAILURE;
                }
            }
            // The baseline is the parse. Freeing millions of small nodes one by one adds nearly
            // half the parse time again (measured on the 30 MB input), work the process exit
            // does at once, so the stricter baseline leaves it to the exit.
            std::mem::forget(v);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {path}: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Parses every `.json` file of `dir` in name order. Each value is dropped before the next
/// file is read, as any program going through a folder would (leaving thousands of trees to
/// the exit would hold the whole folder's trees in memory).
fn parse_dir(dir: &Path) -> ExitCode {
    let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect(),
        Err(e) => {
            eprintln!("error: {}: {e}", dir.display());
            return ExitCode::FAILURE;
        }
    };
    files.sort();
    let mut total = 0;
    for f in &files {
        match parse(f) {
            Ok(v) => total += pages(&v),
            Err(e) => {
                eprintln!("error: {}: {e}", f.display());
                return ExitCode::FAILURE;
            }
        }
    }
    eprintln!("{}: {} files, {total} pages", dir.display(), files.len());
    ExitCode::SUCCESS
}

fn parse(path: &Path) -> Result<serde_json::Value, String> {
    std::fs::read(path)
        .map_err(|e| e.to_string())
        .and_then(|b| serde_json::from_slice(&b).map_err(|e| e.to_string()))
}

fn pages(v: &serde_json::Value) -> usize {
    v["items"]["pages"].as_array().map_or(0, Vec::len)
}
