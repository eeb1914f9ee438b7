//! `pagetree view`: the HTML file and the data it embeds, without a browser (the browser
//! checks are `scripts/browser-test.sh`). The embedded data must agree with the elements,
//! chunks and quality writers it is built from, on our fixtures and the real responses.

use std::path::{Path, PathBuf};

use pagetree_convert::view::{PageImage, ViewOptions, render};
use pagetree_convert::{ElementOptions, MarkdownOptions};
use serde_json::Value;

use crate::common::{fixtures, name, pagetree, realdata, stderr, testdata};

/// The JSON between the data script's tags.
fn embedded(html: &str) -> Value {
    let open = r#"<script type="application/json" id="pagetree-data">"#;
    let start = html.find(open).expect("data script") + open.len();
    let end = start + html[start..].find("</script>").expect("data script end");
    serde_json::from_str(&html[start..end]).expect("embedded data is JSON")
}

/// Every `data-a`/`data-b` pair in a page's markdown HTML.
fn ranges(md_html: &str) -> Vec<(u64, u64)> {
    let mut out = Vec::new();
    let mut rest = md_html;
    while let Some(i) = rest.find("data-a=\"") {
        rest = &rest[i + 8..];
        let a: u64 = rest[..rest.find('"').unwrap()].parse().unwrap();
        let j = rest.find("data-b=\"").unwrap();
        rest = &rest[j + 8..];
        let b: u64 = rest[..rest.find('"').unwrap()].parse().unwrap();
        out.push((a, b));
    }
    out
}

fn views_of(files: &[PathBuf]) {
    for f in files {
        let bytes = std::fs::read(f).unwrap();
        let Ok(doc) = pagetree_model::load_document(&bytes, Some(&name(f))) else {
            continue; // not a parse result: every command rejects it alike
        };
        let view = render(&doc, &ViewOptions::default());
        let data = embedded(&view.html);
        let md = pagetree_convert::markdown::render(&doc, &MarkdownOptions::default());
        let els = pagetree_convert::elements::collect(&doc, &ElementOptions::default(), Some(&md));
        let n = name(f);
        assert_eq!(data["schema"], "pagetree.view", "{n}");
        assert_eq!(
            data["pages"].as_array().unwrap().len(),
            els.pages.len(),
            "{n}"
        );
        let drawn: Vec<&Value> = data["elements"].as_array().unwrap().iter().collect();
        assert_eq!(
            drawn.len(),
            els.elements.len(),
            "{n}: every element is in the view"
        );
        // Every box is drawn or counted as not drawable; none is dropped.
        for (d, e) in drawn.iter().zip(&els.elements) {
            let boxes = d["boxes"].as_array().unwrap().len() as u64;
            assert_eq!(
                boxes + d["undrawn"].as_u64().unwrap_or(0),
                e.boxes.len() as u64,
                "{n}: {}",
                e.id
            );
        }
        // Every element with a markdown range finds a markdown block holding it on its page
        // (a table continued from another page by merging is found on the page it joins).
        for e in &els.elements {
            let Some(r) = e.md_range else { continue };
            let [a, b] = r.bytes.map(|x| x as u64);
            let found = data["pages"].as_array().unwrap().iter().any(|p| {
                ranges(p["md_html"].as_str().unwrap())
                    .iter()
                    .any(|&(x, y)| x <= a && b <= y)
            });
            assert!(found, "{n}: {} ({a}..{b}) has no markdown block", e.id);
        }
        let tables = data["tables"].as_array().unwrap();
        let quality = pagetree_convert::quality::assess(&doc, &Default::default());
        assert_eq!(tables.len(), quality.tables.len(), "{n}");
        // The file stays self-contained: our two scripts and nothing fetched.
        assert_eq!(view.html.matches("<script").count(), 2, "{n}");
        assert!(!view.html.contains("<img"), "{n}");
        assert!(!view.html.contains("src=\"http"), "{n}");
    }
}

#[test]
fn fixtures_view_matches_the_writers() {
    let mut files = fixtures();
    files.push(testdata().join("regressions/view-hostile-text.json"));
    views_of(&files);
}

#[test]
fn realdata_view_matches_the_writers() {
    // Fails under CI=true when the folder is missing (see `realdata`).
    if let Some(files) = realdata() {
        views_of(&files);
    }
}

#[test]
fn hostile_text_stays_text() {
    let doc = fixture("regressions/view-hostile-text.json");
    let view = render(&doc, &ViewOptions::default());
    let html = &view.html;
    assert_eq!(html.matches("</script>").count(), 2);
    assert!(!html.contains('\u{2028}'));
    assert!(!html.contains("onerror=alert(2)>"), "raw tag survived");
    assert!(!html.contains("onclick"));
    assert!(!html.contains("javascript:alert(3)\""));
    let data = embedded(html);
    let page = &data["pages"][0];
    let md = page["md_html"].as_str().unwrap();
    assert!(
        md.contains("&lt;/script>&lt;script>alert(1)&lt;/script>"),
        "{md}"
    );
    assert!(md.contains("&lt;img src=x onerror=alert(2)>"), "{md}");
    assert!(md.contains("[image: Tracker pixel]"), "{md}");
    // The placeholder-looking cell is data, not a second copy of the data.
    assert!(md.contains("Ada {{DATA}}"), "{md}");
    // Text the markdown holds is read from it; the data has it only for elements left out.
    assert_eq!(data["elements"][0]["text"], Value::Null);
    assert_eq!(data["elements"][0]["md"], serde_json::json!([0, 41]));
    // No page size: drawn at the extent of its boxes, and said so.
    assert_eq!(page["size_from"], "boxes");
    assert_eq!(page["w"], 460.0);
    assert_eq!(page["h"], 260.0);
    // The failed page is there with its error.
    assert_eq!(data["pages"][1]["status"], "failed");
    assert_eq!(data["pages"][1]["error"], "render timeout <b>&amp;</b>");
    assert!(view.warnings.iter().any(|w| w.code == "failed_page"));

    // Annotated links keep web links only.
    let mut opts = ViewOptions::default();
    opts.markdown.links = pagetree_convert::markdown::LinkStyle::Annotate;
    let data = embedded(&render(&doc, &opts).html);
    let md = data["pages"][0]["md_html"].as_str().unwrap();
    assert!(
        md.contains("<span class=\"link\" title=\"javascript:alert%283%29\">click me</span>"),
        "{md}"
    );
}

#[test]
fn page_images_are_drawn_under_the_boxes() {
    let doc = fixture("v2_full.json");
    let mut opts = ViewOptions::default();
    opts.images = vec![PageImage::new(2, "img/page-002.png")];
    let data = embedded(&render(&doc, &opts).html);
    assert_eq!(data["pages"][1]["image"], "img/page-002.png");
    assert_eq!(data["pages"][0]["image"], Value::Null);
}

/// A 1×1 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xff, 0xff, 0x3f,
    0x00, 0x05, 0xfe, 0x02, 0xfe, 0xa7, 0x35, 0x81, 0x84, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e,
    0x44, 0xae, 0x42, 0x60, 0x82,
];

/// A fixture of `testdata/`, loaded.
fn fixture(name: &str) -> pagetree_model::Document {
    let bytes = std::fs::read(testdata().join(name)).unwrap();
    pagetree_model::load_document(&bytes, Some(name)).unwrap()
}

/// The data embedded in a view file.
fn view_file(path: &Path) -> Value {
    embedded(&std::fs::read_to_string(path).unwrap())
}

/// Runs `pagetree`, which must succeed; its standard error.
fn cli_view(args: &[&str]) -> String {
    let o = pagetree(args);
    assert!(o.status.success(), "{}", stderr(&o));
    stderr(&o)
}

#[test]
fn cli_writes_the_view_with_linked_or_embedded_images() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let imgs = tmp.path().join("scans");
    std::fs::create_dir(&imgs).unwrap();
    std::fs::write(imgs.join("page_1.png"), PNG).unwrap();
    std::fs::write(imgs.join("page-003.png"), PNG).unwrap();
    std::fs::write(imgs.join("cover.png"), PNG).unwrap();
    let out = tmp.path().join("out/report.html");
    std::fs::create_dir(tmp.path().join("out")).unwrap();
    let p = |p: &Path| p.to_str().unwrap().to_owned();
    let err = cli_view(&[
        "view",
        "testdata/v2_full.json",
        "-o",
        &p(&out),
        "--page-images",
        &p(&imgs),
    ]);
    assert!(err.contains("cover.png: no page number"), "{err}");
    let data = view_file(&out);
    assert_eq!(data["pages"][0]["image"], "../scans/page_1.png");
    assert_eq!(data["pages"][2]["image"], "../scans/page-003.png");
    cli_view(&[
        "view",
        "testdata/v2_full.json",
        "-o",
        &p(&out),
        "--page-images",
        &p(&imgs),
        "--embed-images",
    ]);
    let data = view_file(&out);
    let src = data["pages"][0]["image"].as_str().unwrap();
    assert!(
        src.starts_with("data:image/png;base64,iVBORw0KGgo"),
        "{src}"
    );
}

#[test]
fn convert_writes_the_view_beside_the_other_outputs() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("out");
    let o = pagetree(&[
        "convert",
        "testdata/v2_full.json",
        "-o",
        out.to_str().unwrap(),
        "--to",
        "markdown,view",
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let data = view_file(&out.join("v2_full/view.html"));
    assert_eq!(data["pages"].as_array().unwrap().len(), 4);
    assert!(out.join("v2_full/document.md").is_file());
}

#[test]
fn elements_left_out_of_the_markdown_keep_their_text() {
    let doc = fixture("v2_full.json");
    let mut opts = ViewOptions::default();
    opts.markdown.pages.headers = pagetree_convert::FurnitureMode::Hide;
    let data = embedded(&render(&doc, &opts).html);
    let header_text = data["elements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["furniture"] == "header" && e["kind"] == "text")
        .expect("a header's text element");
    assert_eq!(header_text["md"], Value::Null);
    assert!(!header_text["text"].as_str().unwrap().is_empty());
}

#[test]
fn several_documents_need_a_folder() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let file = tmp.path().join("many.html");
    let o = pagetree(&["view", "testdata/many.jsonl", "-o", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("give -o DIR"), "{}", stderr(&o));
    let html = std::fs::read_to_string(&file).unwrap();
    assert_eq!(html.matches("<!DOCTYPE html>").count(), 1);
    let dir = tmp.path().join("views/");
    std::fs::create_dir(&dir).unwrap();
    let o = pagetree(&["view", "testdata/many.jsonl", "-o", dir.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 3);
}

#[test]
fn the_view_is_the_same_for_any_thread_count() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut outs = Vec::new();
    for jobs in ["1", "3"] {
        let out = tmp.path().join(format!("j{jobs}.html"));
        let o = pagetree(&[
            "--jobs",
            jobs,
            "view",
            "testdata/v2_merged_tables.json",
            "-o",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        outs.push(std::fs::read(&out).unwrap());
    }
    assert!(
        outs[0] == outs[1],
        "the view differs between --jobs 1 and 3"
    );
}
