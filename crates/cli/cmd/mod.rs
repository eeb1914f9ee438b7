//! One module per subcommand.

pub mod chunks;
pub mod elements;
pub mod inspect;
pub mod markdown;
pub mod tables;
pub mod text;
