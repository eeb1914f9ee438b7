//! Writers from a pagetree [`Document`](pagetree_model::Document) to what people use:
//! an inspection report, markdown and text, CSV tables, bbox-annotated elements, a table-quality
//! report and RAG chunks. Every writer takes the document and an options struct and returns its
//! output plus warnings; none touches the file system.
#![warn(missing_docs)]

pub mod inspect;
pub mod tables;

pub use inspect::{InspectReport, inspect, render_text as render_inspect_text};
pub use tables::{TableOptions, TablesOutput, tables};
