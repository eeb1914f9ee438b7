//! Writers from a pagetree [`Document`](pagetree_model::Document) to what people use.
#![warn(missing_docs)]
