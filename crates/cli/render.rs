//! What `markdown` and `text` share: validating the page arguments into option structs,
//! layering the API's parameters under explicit flags, rendering inputs in parallel, and
//! writing to standard output, a file or a directory.

mod dispatch;
mod lines;
mod options;
mod output;

use pagetree_convert::pages::PageOptions;
use pagetree_convert::{ConvertOptions, OutFile, Rendered, Warning};
use pagetree_model::Document;
use serde_json::{Map, Value};

pub use dispatch::{STREAM_THRESHOLD, per_document, run};
pub use options::{OptionLayers, unescape};

/// A writer the shared driver can run.
pub trait Writer {
    /// Its options.
    type Options: Default + Sync;
    /// The output files' extension.
    const EXT: &'static str;
    /// What an input that is not a parse result lacks, for its error.
    const NONE: &'static str = "nothing to render";
    /// Applies API parameters (see `MarkdownOptions::apply_parameters`).
    fn apply_parameters(opts: &mut Self::Options, params: &Map<String, Value>) -> Vec<Warning>;
    /// The page options inside its options.
    fn pages(opts: &mut Self::Options) -> &mut PageOptions;
    /// Renders one document.
    fn render(doc: &Document, opts: &Self::Options) -> Rendered;
    /// The file a page-by-page conversion writes for this writer.
    const OUT: OutFile;
    /// Conversion options that write only this writer's output, with these options.
    fn convert_options(opts: Self::Options) -> ConvertOptions;
}

/// Inputs rendered at once: enough to keep every core busy, few enough to bound memory.
const BATCH: usize = 64;
