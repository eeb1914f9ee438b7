//! Typed, lenient and located reader for saved LlamaParse parse responses.
//!
//! Every shape users keep on disk (v2 with or without `job`, the `items` object alone,
//! client-library dumps, v1 page lists and the v1 array form, JSON Lines of any of these, plus
//! job listings, extract jobs and batch results) is detected and read into one [`Document`]:
//! the v2 response kept exactly as written (so writing it back is lossless), with its page lists
//! joined by page number. Errors say which file, JSON path, line and column.
//!
//! One call for each job:
//!
//! | you have | one parse result | every response in it |
//! |---|---|---|
//! | bytes | [`load_document`] | [`load_all`] |
//! | a file | [`load_file`] | [`load_all_file`] |
//! | a file too large to hold | [`Reader`] (pages in batches) | |
//!
//! They are one reader: a whole read is [`Reader::batches`] at one batch of everything (plus
//! `markdown_full` and `text_full`), so whole and batched reads cannot disagree. Only what is
//! not one parse result with page lists (job listings, extract jobs, batch results, a v1
//! array, JSON Lines) is read as one value.
//!
//! ```
//! use pagetree_model::{ErrorKind, Format, ItemKind, load_document};
//!
//! let json = br##"{"pages": [{"page_number": 1, "page_width": 612, "page_height": 792,
//!     "success": true, "items": [{"type": "heading", "level": 1, "md": "# Hi", "value": "Hi"}]}]}"##;
//! let doc = load_document(json, Some("hi.json")).unwrap();
//! assert_eq!(doc.format, Some(Format::V2Items));
//! let page = doc.pages().next().unwrap();
//! assert_eq!(page.items()[0].kind(), ItemKind::Heading);
//!
//! let err = load_document(b"{\"items\": {\"pages\": [{\"page_number\": \"x\"}]}}", Some("bad.json"))
//!     .unwrap_err();
//! assert_eq!(err.kind, ErrorKind::Data);
//! assert_eq!(err.to_string(),
//!     "bad.json: items.pages[0].page_number: invalid type: string \"x\", expected u32 at line 1 column 40");
//! ```
//!
//! Enums that will grow ([`ErrorKind`], [`Format`], [`ItemKind`], [`Loaded`]...) are
//! `#[non_exhaustive]`: a `match` on one needs a `_` arm.
#![warn(missing_docs)]

mod bbox;
mod document;
mod edges;
mod entries;
mod error;
#[cfg(test)]
mod index_tests;
mod item;
mod jobs;
mod jsonl;
mod lazy;
mod load;
mod mapped;
mod page;
mod reader;
mod response;
mod scan;
mod shape;
mod span;
mod stream;
mod v1;
mod wire;

pub use bbox::{BBox, BoxProblem, NEAR_FULL_PAGE_AREA, PAGE_EDGE_TOLERANCE};
pub use document::{Document, Format, ItemRef, Page, PageIndex, Warning};
pub use error::{ErrorKind, LoadError};
pub use item::{Cell, ConcernObject, Item, ItemKind, ParseConcern};
pub use jobs::{
    BatchResults, ExtractJob, ExtractMetadata, ExtractUsage, JobConfig, JobList, ProcessingResult,
    RawJson,
};
pub use load::{
    Loaded, load_all, load_all_file, load_all_file_with, load_all_with, load_document, load_file,
};
pub use page::{
    ItemsPage, ItemsResult, MarkdownPage, MarkdownResult, MetadataPage, MetadataResult, TextPage,
    TextResult,
};
pub use reader::{Batches, ReadOptions, Reader};
pub use response::{Job, JobStatus, ParseResponse};

pub use jsonl::{JsonLines, Line, file_is_json_lines, is_json_lines};
pub use wire::WireMeta;
