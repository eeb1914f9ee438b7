//! Every real saved response loads; page and item counts match an independent count made with
//! `serde_json::Value`; v2 responses write back equal to their input.

use serde_json::Value;

use crate::common::{fixtures, name, realdata};
use pagetree_model::{Loaded, load_all};

/// Counts pages (distinct page numbers over every page list) and items (nested included)
/// straight from the JSON, without pagetree's model.
fn independent_counts(doc: &Value) -> (usize, usize) {
    fn count_items(items: &Value) -> usize {
        items
            .as_array()
            .map_or(0, |a| a.iter().map(|i| 1 + count_items(&i["items"])).sum())
    }
    let mut pages = std::collections::BTreeSet::new();
    let mut items = 0;
    if let Some(v1_pages) = doc["pages"]
        .as_array()
        .filter(|p| p.first().is_some_and(|p| p.get("page_number").is_none()))
    {
        for (i, p) in v1_pages.iter().enumerate() {
            pages.insert(p["page"].as_u64().unwrap_or(i as u64 + 1));
            items += count_items(&p["items"]);
        }
        return (pages.len(), items);
    }
    let root_items = if doc.get("pages").is_some() {
        doc
    } else {
        &doc["items"]
    };
    for p in root_items["pages"].as_array().into_iter().flatten() {
        pages.insert(p["page_number"].as_u64().expect("page_number"));
        items += count_items(&p["items"]);
    }
    for list in ["markdown", "text", "metadata"] {
        for p in doc[list]["pages"].as_array().into_iter().flatten() {
            pages.insert(p["page_number"].as_u64().expect("page_number"));
        }
    }
    (pages.len(), items)
}

fn check_file(path: &std::path::Path) -> Vec<String> {
    let bytes = std::fs::read(path).expect("readable");
    let file = name(path);
    let mut report = Vec::new();
    let results = load_all(&bytes, Some(&file));
    // JSON Lines and v1 arrays hold several responses: compare each with its own JSON.
    let values: Vec<Value> = if file.ends_with(".jsonl") {
        bytes
            .split(|b| *b == b'\n')
            .filter(|l| !l.is_empty())
            .map(|l| serde_json::from_slice(l).expect("json line"))
            .collect()
    } else {
        match serde_json::from_slice(&bytes).expect("valid JSON") {
            Value::Array(a) => a,
            v => vec![v],
        }
    };
    assert_eq!(
        results.len(),
        values.len(),
        "{file}: one result per response"
    );
    for (result, value) in results.into_iter().zip(&values) {
        let loaded = result.unwrap_or_else(|e| panic!("{file}: {e}"));
        let Loaded::Document(doc) = loaded else {
            report.push(format!("{file}: {}", loaded.format()));
            continue;
        };
        let (pages, items) = independent_counts(value);
        assert_eq!(doc.pages.len(), pages, "{file}: page count");
        assert_eq!(doc.walk().len(), items, "{file}: item count");
        let format = doc.format.expect("format");
        if !format.is_v1() {
            assert!(
                doc.to_json_value() == *value,
                "{file}: v2 written back differs from the input"
            );
        }
        report.push(format!("{file}: {format} pages={pages} items={items}"));
    }
    report
}

#[test]
fn realdata_loads_with_independent_counts_and_v2_round_trips() {
    let Some(files) = realdata() else { return };
    let mut checked = 0;
    for path in &files {
        let bytes = std::fs::read(path).expect("readable");
        let v: Value = serde_json::from_slice(&bytes).expect("real data is JSON");
        // Fragments that are not parse responses (a lone v1 `links` list) must fail cleanly.
        let is_response = v.is_array()
            || ["pages", "items", "markdown", "text"]
                .iter()
                .any(|k| v.get(k).is_some());
        if !is_response {
            let r = load_all(&bytes, Some(&name(path)));
            let err = r[0].as_ref().expect_err("not a response");
            assert!(
                err.to_string().contains("not a shape pagetree reads"),
                "{err}"
            );
            continue;
        }
        for line in check_file(path) {
            eprintln!("{line}");
        }
        checked += 1;
    }
    assert!(
        checked >= 10,
        "expected the real-data folder to hold at least 10 responses"
    );
}

#[test]
fn fixtures_load_with_independent_counts_and_v2_round_trips() {
    for path in fixtures() {
        check_file(&path);
    }
}
