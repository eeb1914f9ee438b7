//! What a writer noticed and worked around: failed pages, missing sources, options it could not
//! apply. Warnings never stop the work; the CLI prints them to standard error. Reading and
//! writing report with one type, the model's [`Warning`](pagetree_model::Warning).

pub use pagetree_model::Warning;
