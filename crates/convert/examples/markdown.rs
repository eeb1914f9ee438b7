//! A whole saved response to markdown: what `pagetree markdown FILE` does, from the library.
//!
//! `cargo run -p pagetree-convert --example markdown -- FILE [--clean]`
//!
//! `--clean` leaves page headers and footers out and writes links as links. Warnings (failed
//! pages, missing sources) go to standard error; nothing is dropped without one.

use pagetree_convert::markdown::{self, LinkStyle};
use pagetree_convert::{FurnitureMode, MarkdownOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: markdown FILE [--clean]")?;
    let clean = args.next().as_deref() == Some("--clean");

    // A located error (file, JSON path, line, column) when the input is broken.
    let doc = pagetree_model::load_document(&std::fs::read(&path)?, Some(&path))?;

    let mut opts = MarkdownOptions::default();
    if clean {
        opts.pages.headers = FurnitureMode::Hide;
        opts.pages.footers = FurnitureMode::Hide;
        opts.links = LinkStyle::Annotate;
    }
    let out = markdown::render(&doc, &opts);
    for w in &out.warnings {
        eprintln!("warning: {path}: {w}");
    }
    print!("{}", out.output);
    Ok(())
}
