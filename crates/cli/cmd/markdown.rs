//! `pagetree markdown`: markdown from each input, with the LlamaParse markdown options.

use anyhow::Result;
use pagetree_convert::markdown::{ImageStyle, LinkStyle, TableFormat, TableStyle};
use pagetree_convert::pages::PageOptions;
use pagetree_convert::{ConvertOptions, OutFile, Outputs};
use pagetree_convert::{MarkdownOptions, Rendered, Warning};
use pagetree_model::Document;
use serde_json::{Map, Value};

use crate::Outcome;
use crate::args::{ImagesArg, LinksArg, MarkdownArgs, MarkdownStyleArgs, TableStyleArg, TablesArg};
use crate::render::{self, Writer, unescape};

/// The markdown writer, for the shared driver (and for commands that need markdown ranges).
pub struct Markdown;

impl Writer for Markdown {
    type Options = MarkdownOptions;
    const EXT: &'static str = "md";

    fn apply_parameters(opts: &mut MarkdownOptions, params: &Map<String, Value>) -> Vec<Warning> {
        opts.apply_parameters(params)
    }

    fn pages(opts: &mut MarkdownOptions) -> &mut PageOptions {
        &mut opts.pages
    }

    const OUT: OutFile = OutFile::Markdown;

    fn convert_options(opts: MarkdownOptions) -> ConvertOptions {
        let mut c = ConvertOptions::default();
        c.outputs = Outputs::none();
        c.outputs.markdown = true;
        c.markdown = opts;
        c
    }

    fn render(doc: &Document, opts: &MarkdownOptions) -> Rendered {
        pagetree_convert::markdown::render(doc, opts)
    }
}

/// Runs the command.
pub fn run(args: &MarkdownArgs) -> Result<Outcome> {
    render::run::<Markdown>(&args.render, flags(&args.style))
}

/// The markdown-only flags, boxed, for commands that keep them in a struct.
pub type BoxedFlags<'a> = Box<dyn Fn(&mut MarkdownOptions) + Sync + 'a>;

/// The markdown-only flags of `args`, applied over the layered options.
pub fn flags(args: &MarkdownStyleArgs) -> impl Fn(&mut MarkdownOptions) + Sync + '_ {
    let line_break = args.cell_line_break.as_deref().map(unescape);
    move |o: &mut MarkdownOptions| {
        if let Some(t) = args.tables {
            o.tables = match t {
                TablesArg::Markdown => TableFormat::Markdown,
                TablesArg::Html => TableFormat::Html,
            };
        }
        if let Some(s) = args.table_style {
            o.table_style = match s {
                TableStyleArg::Padded => TableStyle::Padded,
                TableStyleArg::Aligned => TableStyle::Aligned,
                TableStyleArg::Compact => TableStyle::Compact,
            };
        }
        if let Some(b) = &line_break {
            o.cell_line_break = b.clone();
        }
        if let Some(m) = args.merge_tables {
            o.merge_tables = m;
        }
        if let Some(l) = args.links {
            o.links = match l {
                LinksArg::Text => LinkStyle::Text,
                LinksArg::Annotate => LinkStyle::Annotate,
            };
        }
        if let Some(t) = args.table_source {
            o.table_source = t.to_option();
        }
        if let Some(i) = args.images {
            o.images = match i {
                ImagesArg::Inline => ImageStyle::Inline,
                ImagesArg::Omit => ImageStyle::Omit,
            };
        }
    }
}
