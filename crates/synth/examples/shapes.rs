//! Writes a response of one extreme shape, for the chunking cost bench.
//!
//! `cargo run --release -p pagetree-synth --example shapes -- rows N OUT.json` writes one page
//! with one table of N rows; `... paragraph KB OUT.json` one page with one paragraph of KB
//! kilobytes of sentences. The content is invented and deterministic.
use std::fmt::Write as _;
use std::process::ExitCode;

const USAGE: &str = "usage: shapes (rows N | paragraph KB) OUT.json";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [shape, n, out] = &args[..] else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let Ok(n) = n.parse::<usize>() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let item = match shape.as_str() {
        "rows" => table(n),
        "paragraph" => paragraph(n * 1000),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let json = format!(
        "{{\"items\": {{\"pages\": [{{\"page_number\": 1, \"page_width\": 612, \"page_height\": 792, \
         \"success\": true, \"items\": [{{\"type\": \"heading\", \"level\": 1, \"md\": \"# Ledger\", \
         \"value\": \"Ledger\"}}, {item}]}}]}}}}"
    );
    match std::fs::write(out, json) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{out}: {e}");
            ExitCode::FAILURE
        }
    }
}

/// A table of `n` body rows (ids, a short name, an amount), with its `md` and `rows`.
fn table(n: usize) -> String {
    let mut md = String::from("| Id | Name | Amount |\\n| --- | --- | --- |");
    let mut rows = String::from("[[\"Id\", \"Name\", \"Amount\"]");
    for i in 1..=n {
        let name = ["alder", "birch", "cedar", "douglas", "elm"][i % 5];
        let amount = (i * 7919) % 100_000;
        let _ = write!(md, "\\n| {i} | {name} {i} | {amount} |");
        let _ = write!(rows, ", [{i}, \"{name} {i}\", {amount}]");
    }
    rows.push(']');
    format!("{{\"type\": \"table\", \"md\": \"{md}\", \"rows\": {rows}}}")
}

/// One paragraph of about `bytes` bytes of varied sentences.
fn paragraph(bytes: usize) -> String {
    let words = [
        "the", "survey", "crew", "measured", "every", "culvert", "along", "river", "before",
        "spring", "floods", "and", "recorded", "silt", "depth", "at", "each", "joint",
    ];
    let mut s = String::new();
    let mut i = 0usize;
    while s.len() < bytes {
        let len = 8 + i % 13;
        for k in 0..len {
            let w = words[(i * 7 + k * 3) % words.len()];
            if k == 0 {
                let mut c = w.chars();
                let first = c.next().map(|c| c.to_ascii_uppercase()).unwrap_or('T');
                s.push(first);
                s.push_str(c.as_str());
            } else {
                s.push(' ');
                s.push_str(w);
            }
        }
        let _ = write!(s, " {i}. ");
        i += 1;
    }
    let s = s.trim_end();
    format!("{{\"type\": \"text\", \"md\": \"{s}\", \"value\": \"{s}\"}}")
}
