//! One module per subcommand.

pub mod chunks;
pub mod completions;
pub mod convert;
pub mod elements;
pub mod inspect;
pub mod markdown;
pub mod quality;
pub mod tables;
pub mod text;
pub mod view;
