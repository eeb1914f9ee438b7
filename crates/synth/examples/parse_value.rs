//! The benchmark baseline: read a file and parse it into a `serde_json::Value`, nothing else.
//! With an output path, also write the value back there (compact), which is the least a
//! converter that writes as much as it reads has to do: a reference for `pagetree convert`.
//!
//! `cargo run --release -p pagetree-synth --example parse_value -- FILE [OUT]`
//!
//! `scripts/bench.sh` times this whole process (read, parse, drop) next to the Python peer and
//! the `pagetree` commands, so that ratios compare like with like on the same machine.
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: parse_value FILE [OUT]");
        return ExitCode::from(2);
    };
    let out = args.next();
    let parsed = std::fs::read(&path)
        .map_err(|e| e.to_string())
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).map_err(|e| e.to_string()));
    match parsed {
        Ok(v) => {
            // Touch the result so the parse cannot be optimised away, and say what was read.
            let pages = v["items"]["pages"].as_array().map_or(0, Vec::len);
            eprintln!("{path}: {pages} pages");
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
