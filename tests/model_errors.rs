//! Error messages for broken inputs say where: file, JSON path, line and column.

use crate::common::name;

#[test]
fn invalid_inputs_give_located_errors() {
    insta::glob!("../testdata/invalid", "*.*", |path| {
        let bytes = std::fs::read(path).expect("readable");
        let results = pagetree_model::load_all(&bytes, Some(&name(path)));
        let messages: Vec<String> = results
            .iter()
            .map(|r| match r {
                Ok(l) => format!("unexpectedly loaded as {}", l.format()),
                Err(e) => e.to_string(),
            })
            .collect();
        insta::assert_snapshot!(messages.join("\n"));
    });
}

#[test]
fn errors_carry_path_line_and_column() {
    let json = b"{\n  \"items\": {\"pages\": [\n    {\"page_number\": 1, \"items\": [{\"type\": \"text\", \"bbox\": [{\"x\": \"12\"}]}]}\n  ]}\n}";
    let e = pagetree_model::load_document(json, Some("report.json")).unwrap_err();
    assert_eq!(e.path, "items.pages[0].items[0].bbox[0].x");
    assert_eq!((e.line, e.column), (Some(3), Some(69)));
    assert_eq!(e.kind, pagetree_model::ErrorKind::Data);
    assert_eq!(
        e.to_string(),
        "report.json: items.pages[0].items[0].bbox[0].x: invalid type: string \"12\", expected a number at line 3 column 69"
    );
}

#[test]
fn hostile_inputs_never_panic() {
    // Every prefix of a real-looking fixture is either a document or a clean error.
    let full = std::fs::read(crate::common::testdata().join("v2_full.json")).expect("fixture");
    // A strict prefix of one JSON object is never a whole value, so every cut must fail, and
    // fail with a message that says where.
    let end = full.trim_ascii_end().len();
    for cut in (0..end).step_by(37) {
        let results = pagetree_model::load_all(&full[..cut], Some("cut.json"));
        assert!(!results.is_empty(), "cut at {cut}: no result at all");
        for r in results {
            let e = r.expect_err(&format!("a cut at byte {cut} of {end} loaded"));
            assert!(e.to_string().starts_with("cut.json"), "cut at {cut}: {e}");
        }
    }
    let deep = "[".repeat(200_000);
    assert!(pagetree_model::load_all(deep.as_bytes(), None)[0].is_err());
    let deep_obj = "{\"items\":".repeat(100_000);
    assert!(pagetree_model::load_all(deep_obj.as_bytes(), None)[0].is_err());
}
