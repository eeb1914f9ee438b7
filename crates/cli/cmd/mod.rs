//! One module per subcommand.

pub mod inspect;
pub mod quality;
pub mod tables;
