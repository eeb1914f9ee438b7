//! One module per subcommand.

pub mod audit;
pub mod chunks;
pub mod completions;
pub mod convert;
pub mod elements;
pub mod extract;
pub mod inspect;
pub mod jobs;
pub mod markdown;
pub mod quality;
pub mod tables;
pub mod text;
pub mod view;
