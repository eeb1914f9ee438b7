//! The benchmark baseline: read a file and parse it into a `serde_json::Value`, nothing else.
//!
//! `cargo run --release -p pagetree-synth --example parse_value -- FILE`
//!
//! `scripts/bench.sh` times this whole process (read, parse, drop) next to the Python peer and
//! the `pagetree` commands, so that ratios compare like with like on the same machine.
use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: parse_value FILE");
        return ExitCode::from(2);
    };
    let parsed = std::fs::read(&path)
        .map_err(|e| e.to_string())
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).map_err(|e| e.to_string()));
    match parsed {
        Ok(v) => {
            // Touch the result so the parse cannot be optimised away, and say what was read.
            let pages = v["items"]["pages"].as_array().map_or(0, Vec::len);
            eprintln!("{path}: {pages} pages");
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
