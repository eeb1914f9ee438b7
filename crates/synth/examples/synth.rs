//! Writes a synthetic response to a file.
//!
//! `cargo run --release -p pagetree-synth --example synth -- PAGES OUT.json [--seed N] [--markdown] [--text]`
//!
//! 2,000 pages make about 30 MB, 20,000 about 300 MB; `--markdown` and `--text` add the
//! `markdown.pages` and `text.pages` lists.
use std::io::BufWriter;
use std::process::ExitCode;

const USAGE: &str = "usage: synth PAGES OUT.json [--seed N] [--markdown] [--text]";

fn main() -> ExitCode {
    let mut opts = pagetree_synth::SynthOptions::default();
    let mut positional = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--markdown" => opts.with_markdown = true,
            "--text" => opts.with_text = true,
            "--seed" => match args.next().and_then(|s| s.parse().ok()) {
                Some(seed) => opts.seed = seed,
                None => return usage("--seed needs a number"),
            },
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            s if s.starts_with('-') => return usage(&format!("unknown option {s}")),
            _ => positional.push(a),
        }
    }
    let [pages, out] = &positional[..] else {
        return usage("expected PAGES and OUT.json");
    };
    let Ok(pages) = pages.parse() else {
        return usage("PAGES must be a number");
    };
    opts.pages = pages;
    let written = std::fs::File::create(out)
        .and_then(|f| pagetree_synth::write_response(&opts, BufWriter::new(f)));
    match written {
        Ok(n) => {
            eprintln!("{out}: {pages} pages, {n} bytes");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {out}: {e}");
            ExitCode::FAILURE
        }
    }
}

fn usage(msg: &str) -> ExitCode {
    eprintln!("error: {msg}\n{USAGE}");
    ExitCode::from(2)
}
