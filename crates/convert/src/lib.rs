//! Writers from a pagetree [`Document`](pagetree_model::Document) to what people use:
//! an inspection report, markdown and text, CSV tables, bbox-annotated elements, a table-quality
//! report and RAG chunks. Every writer takes the document and an options struct and returns its
//! output plus warnings; none touches the file system.
//!
//! ```
//! let json = br#"{"pages": [{"page_number": 1, "page_width": 600, "page_height": 800,
//!     "items": [{"type": "table", "rows": [["a", 1]], "parse_concerns": ["multi_table_page"]}]}]}"#;
//! let loaded = pagetree_model::load_all(json, Some("t.json")).remove(0).unwrap();
//! let report = pagetree_convert::inspect(&loaded, "t.json");
//! assert_eq!((report.tables, report.parse_concerns["multi_table_page"]), (1, 1));
//! ```
#![warn(missing_docs)]

pub mod inspect;
pub mod numbers;
pub mod quality;
pub mod tables;

pub use inspect::{InspectReport, inspect, render_text as render_inspect_text};
pub use quality::{QualityOptions, QualityReport, quality};
pub use tables::{TableOptions, TablesOutput, tables};
