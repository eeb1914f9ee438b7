//! Loads files and checks that writing each back gives the input (as JSON values).
//!
//! `cargo run -p pagetree-model --example roundtrip -- FILE...`
fn main() {
    for path in std::env::args().skip(1) {
        let bytes = std::fs::read(&path).expect("readable file");
        for loaded in pagetree_model::load_all(&bytes, Some(&path)) {
            match loaded {
                Ok(pagetree_model::Loaded::Document(doc)) => {
                    let input: serde_json::Value =
                        serde_json::from_slice(&bytes).unwrap_or_default();
                    let same =
                        doc.format.is_some_and(|f| !f.is_v1()) && doc.to_json_value() == input;
                    println!(
                        "{path}: {} pages={} items={} lossless={same} warnings={}",
                        doc.format.map_or("?", |f| f.as_str()),
                        doc.pages.len(),
                        doc.walk().len(),
                        doc.warnings.len()
                    );
                }
                Ok(other) => println!("{path}: {}", other.format()),
                Err(e) => println!("{e}"),
            }
        }
    }
}
