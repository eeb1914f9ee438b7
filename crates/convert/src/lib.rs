//! Writers from a pagetree [`Document`](pagetree_model::Document) to what people use:
//! an inspection report, markdown and text, CSV tables, bbox-annotated elements, a table-quality
//! report and RAG chunks. Every writer takes the document and an options struct and returns its
//! output plus warnings; none touches the file system.
//!
//! ```
//! use pagetree_convert::{FurnitureMode, MarkdownOptions, markdown};
//!
//! let json = br##"{"items": {"pages": [{"page_number": 1, "items": [
//!     {"type": "header", "items": [{"type": "text", "md": "ACME report"}]},
//!     {"type": "heading", "level": 1, "md": "# Results"},
//!     {"type": "text", "md": "Revenue **rose**."}]}]}}"##;
//! let doc = pagetree_model::load_document(json, Some("acme.json")).unwrap();
//! let mut opts = MarkdownOptions::default();
//! opts.pages.headers = FurnitureMode::Hide;
//! let out = markdown::render(&doc, &opts);
//! assert_eq!(out.output, "# Results\n\nRevenue **rose**.\n");
//! assert!(out.warnings.is_empty());
//! ```
#![warn(missing_docs)]

pub mod audit;
pub mod batch;
pub mod boxes;
pub mod chunks;
pub mod elements;
pub mod extract;
mod fence;
pub mod furniture;
pub mod inspect;
pub mod jobs;
mod layout;
pub mod markdown;
pub mod numbers;
pub mod pages;
mod params;
pub mod quality;
pub mod tables;
pub mod text;
pub mod view;
mod warning;
mod writer;

pub use audit::AuditOptions;
pub use batch::{
    ConvertError, ConvertOptions, ConvertStats, OutFile, Outputs, Sink, convert_document,
    convert_reader, read_options,
};
pub use chunks::{ChunkOptions, Chunks};
pub use elements::{ElementOptions, Elements};
pub use extract::ExtractOptions;
pub use furniture::{Furniture, FurnitureMode};
pub use inspect::InspectReport;
pub use jobs::JobsOptions;
pub use markdown::MarkdownOptions;
pub use pages::{
    FailedPageMode, ItemSpan, PageKind, PageOptions, PageSelection, Rendered, RenderedPage, Source,
};
pub use quality::{QualityOptions, QualityReport};
pub use tables::{TableOptions, TablesOutput};
pub use text::TextOptions;
pub use warning::Warning;

/// `1 page`, `2 pages`: a count with its noun, singular for one (messages read "1 row", never
/// "1 row(s)").
pub(crate) fn counted(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
