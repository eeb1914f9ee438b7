//! Snapshot of the `inspect` report for every fixture: shapes, counts, concerns, box problems.

#[test]
fn inspect_reports() {
    insta::glob!("../testdata", "*.{json,jsonl}", |path| {
        let bytes = std::fs::read(path).expect("readable");
        let file = crate::common::name(path);
        let text: Vec<String> = pagetree_model::load_all(&bytes, Some(&file))
            .iter()
            .map(|r| match r {
                Ok(l) => pagetree_convert::inspect::render_text(
                    &pagetree_convert::inspect::summarize(l, &file),
                ),
                Err(e) => format!("error: {e}\n"),
            })
            .collect();
        insta::assert_snapshot!(text.join("\n"));
    });
}
