//! Integration tests, compiled as one binary (ripgrep's layout): one module per area.

mod common;

mod chunks;
mod cli_batch;
mod cli_convert;
mod cli_errors;
mod cli_inspect;
mod cli_markdown;
mod cli_quality;
mod cli_streams;
mod cli_tables;
mod cli_usage;
mod convert_batches;
mod elements;
mod extract_jobs_audit;
mod furniture;
mod markdown;
mod markdown_conformance;
mod model_conformance;
mod model_errors;
mod model_fixtures;
mod model_reader;
mod pages;
mod quality;
mod recall;
mod stream_parity;
mod table_sources;
mod tables;
mod view;
