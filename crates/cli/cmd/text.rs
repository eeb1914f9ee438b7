//! `pagetree text`: plain text from each input, with the same page options as `markdown`.

use anyhow::Result;
use pagetree_convert::pages::PageOptions;
use pagetree_convert::{ConvertOptions, OutFile, Outputs};
use pagetree_convert::{Rendered, TextOptions, Warning};
use pagetree_model::Document;
use serde_json::{Map, Value};

use crate::Outcome;
use crate::args::TextArgs;
use crate::render::{self, Writer};

/// The text writer, for the shared driver (and `convert`).
pub struct Text;

impl Writer for Text {
    type Options = TextOptions;
    const EXT: &'static str = "txt";

    fn apply_parameters(opts: &mut TextOptions, params: &Map<String, Value>) -> Vec<Warning> {
        opts.apply_parameters(params)
    }

    fn pages(opts: &mut TextOptions) -> &mut PageOptions {
        &mut opts.pages
    }

    const OUT: OutFile = OutFile::Text;

    fn convert_options(opts: TextOptions) -> ConvertOptions {
        let mut c = ConvertOptions::default();
        c.outputs = Outputs::none();
        c.outputs.text = true;
        c.text = opts;
        c
    }

    fn render(doc: &Document, opts: &TextOptions) -> Rendered {
        pagetree_convert::text::render(doc, opts)
    }
}

/// Runs the command.
pub fn run(args: &TextArgs) -> Result<Outcome> {
    render::run::<Text>(&args.render, |_| {})
}
