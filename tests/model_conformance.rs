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

/// Whether a root `job_metadata` follows root `pages`: a bare [`pagetree_model::PageStream`]
/// has judged the pages before it sees it (documented there); the lazy index reads the whole
/// input first, and `stream_parity` checks that path on these files.
fn late_job_metadata(bytes: &[u8]) -> bool {
    let at = |key: &[u8]| bytes.windows(key.len()).position(|w| w == key);
    matches!(
        (at(b"\"pages\""), at(b"\"job_metadata\"")),
        (Some(p), Some(j)) if j > p
    )
}

/// Streaming page by page gives the same pages as loading the whole document.
#[test]
fn streamed_pages_equal_loaded_pages() {
    use pagetree_model::{PageStream, Piece};
    let mut files = fixtures();
    files.extend(realdata().unwrap_or_default());
    for path in files
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
    {
        let bytes = std::fs::read(path).expect("readable");
        let Ok(doc) = pagetree_model::load_document(&bytes, None) else {
            continue;
        };
        if doc.format == Some(pagetree_model::Format::V1List)
            || bytes.trim_ascii_start().first() != Some(&b'{')
            || late_job_metadata(&bytes)
        {
            continue;
        }
        let mut items = Vec::new();
        let mut markdown = Vec::new();
        for piece in PageStream::new(&bytes[..], None) {
            match piece.unwrap_or_else(|e| panic!("{}: {e}", name(path))) {
                Piece::Items(p) => items.push(p),
                Piece::Markdown(p) => markdown.push(p),
                Piece::V1(parts) => {
                    items.push(parts.items);
                    markdown.push(parts.markdown);
                }
                _ => {}
            }
        }
        let r = &doc.response;
        let want_items = r
            .items
            .as_ref()
            .and_then(|l| l.pages.clone())
            .unwrap_or_default();
        let want_md = r
            .markdown
            .as_ref()
            .and_then(|l| l.pages.clone())
            .unwrap_or_default();
        assert!(
            items == want_items,
            "{}: streamed items pages differ",
            name(path)
        );
        assert!(
            markdown == want_md,
            "{}: streamed markdown pages differ",
            name(path)
        );
    }
}

/// Indexing for random access and loading pages in batches gives the same pages, items,
/// format and join warnings as loading the whole document.
#[test]
fn lazy_batches_equal_the_whole_document() {
    use pagetree_model::{LazyDocument, RawPiece};
    let mut files = fixtures();
    files.extend(realdata().unwrap_or_default());
    let mut checked = 0;
    for path in files
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
    {
        let bytes = std::fs::read(path).expect("readable");
        let file = name(path);
        let Ok(whole) = pagetree_model::load_document(&bytes, Some(&file)) else {
            continue;
        };
        let Ok(lazy) = LazyDocument::index(std::io::Cursor::new(&bytes), Some(&file)) else {
            assert!(
                bytes.trim_ascii_start().starts_with(b"["),
                "{file}: object inputs index"
            );
            continue;
        };
        assert_eq!(Some(lazy.format), whole.format, "{file}: format");
        assert_eq!(lazy.warnings, whole.warnings, "{file}: join warnings");
        assert_eq!(lazy.pages.len(), whole.pages.len(), "{file}: pages");
        // Batches of 1, 2 and all pages.
        for size in [1, 2, lazy.pages.len().max(1)] {
            let mut items = Vec::new();
            let mut numbers = Vec::new();
            for start in (0..lazy.pages.len()).step_by(size) {
                let end = (start + size).min(lazy.pages.len());
                let raw = lazy
                    .read_batch(&mut std::io::Cursor::new(&bytes), start..end)
                    .expect("read");
                let pieces = raw
                    .iter()
                    .map(|r: &RawPiece| (r.index, r.parse(Some(&file)).expect("parse")))
                    .collect();
                let doc = lazy.assemble(pieces);
                numbers.extend(
                    doc.pages()
                        .map(|p| (p.number(), p.is_failed(), p.text().map(str::to_owned))),
                );
                items.extend(doc.walk().into_iter().map(|r| (r.page, r.item.clone())));
            }
            let want_numbers: Vec<_> = whole
                .pages()
                .map(|p| (p.number(), p.is_failed(), p.text().map(str::to_owned)))
                .collect();
            assert_eq!(numbers, want_numbers, "{file}: batch size {size}: pages");
            let want_items: Vec<_> = whole
                .walk()
                .into_iter()
                .map(|r| (r.page, r.item.clone()))
                .collect();
            assert!(
                items == want_items,
                "{file}: batch size {size}: items differ"
            );
        }
        checked += 1;
    }
    assert!(checked >= 15, "checked {checked}");
}

/// A file indexed by two threads (split at an `items.pages` element found by its bytes) gives
/// exactly the index one thread gives: same lists, offsets, lines and columns, join, skeleton.
#[test]
fn split_index_equals_the_sequential_index() {
    use pagetree_model::LazyDocument;
    let dir = tempfile::tempdir().expect("temp dir");
    let mut files = fixtures();
    let real = realdata().unwrap_or_default();
    let with_real = !real.is_empty();
    files.extend(real);
    // Generated responses: with every list, and with items only; pretty-printed as well (lines
    // and columns then differ between the halves).
    for (k, (markdown, text, pretty)) in [
        (true, true, false),
        (false, false, false),
        (true, true, true),
    ]
    .into_iter()
    .enumerate()
    {
        let opts = pagetree_synth::SynthOptions {
            pages: 60,
            with_markdown: markdown,
            with_text: text,
            failed_every: 7,
            ..Default::default()
        };
        let mut bytes = Vec::new();
        pagetree_synth::write_response(&opts, &mut bytes).expect("generated");
        if pretty {
            let v: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
            bytes = serde_json::to_vec_pretty(&v).expect("pretty");
        }
        let path = dir.path().join(format!("synth-{k}.json"));
        std::fs::write(&path, bytes).expect("written");
        files.push(path);
    }
    let (mut checked, mut split, mut jumped) = (0, 0, 0);
    for path in files
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
    {
        let file = name(path);
        let bytes = std::fs::read(path).expect("readable");
        let one = LazyDocument::index(std::io::Cursor::new(&bytes), Some(&file));
        // Two threads, every boundary walked; then two threads with page boundaries found by
        // searching for the next page's key (the index the CLI uses).
        for jumps in [false, true] {
            let two = LazyDocument::index_file_split(path, Some(&file), 0, jumps);
            if jumps && file == "v2_nested_page_number.json" {
                // Its false boundary is checked on its own (jumps_take_a_nested_page_key...).
                continue;
            }
            match (&one, two) {
                (Ok(one), Ok((two, held))) => {
                    jumped += usize::from(two.jumped());
                    let two = format!("{two:?}").replace("jumped: true", "jumped: false");
                    assert_eq!(format!("{one:?}"), two, "{file} (jumps: {jumps})");
                    split += usize::from(held);
                }
                (Err(one), Err(two)) => assert_eq!(one.to_string(), two.to_string(), "{file}"),
                (one, two) => panic!("{file} (jumps: {jumps}): {one:?} against {two:?}"),
            }
        }
        checked += 1;
    }
    eprintln!(
        "split index: the split held {split} times over {checked} files (twice each); \
         {jumped} indexes found boundaries by search"
    );
    assert!(checked >= 18, "checked {checked}");
    // The generated files, most fixtures and most real v2 responses really were split, and
    // searched. (Without ../shared/realdata, as on a machine that has only the repository,
    // the fixtures and generated files alone give 16.)
    let least = if with_real { 20 } else { 16 };
    assert!(split >= least, "only {split} splits held");
    assert!(jumped >= 10, "only {jumped} indexes searched");
}

/// An object nested in a page whose first key is `page_number`, after a comma, looks like the
/// next page to the search: the searched index cuts there (and says so with `jumped`), the
/// pieces it cut do not parse, and the exact index has the real pages. The CLI then indexes
/// exactly and converts again (tested in `cli_markdown`).
#[test]
fn jumps_take_a_nested_page_key_for_a_page_and_the_exact_index_does_not() {
    use pagetree_model::{LazyDocument, PieceKind};
    let path = std::path::Path::new("testdata/v2_nested_page_number.json");
    let numbers = |lazy: &LazyDocument| lazy.pages.iter().map(|p| p.number).collect::<Vec<_>>();
    let searched = LazyDocument::index_file(path, None).expect("indexed");
    assert!(searched.jumped());
    assert!(searched.warnings.is_empty(), "{:?}", searched.warnings);
    assert_eq!(numbers(&searched), [1, 2, 3, 4]);
    let raw = searched
        .read_batch(&mut std::fs::File::open(path).unwrap(), 0..4)
        .expect("read");
    let failed: Vec<_> = raw
        .iter()
        .filter(|r| r.parse_fast(None).is_err())
        .map(|r| (r.kind.clone(), r.index))
        .collect();
    let pages = PieceKind::Page(pagetree_model::scan::ArrayPath::RootPages);
    assert_eq!(
        failed,
        [(pages.clone(), 0), (pages, 1)],
        "both cut pieces fail"
    );
    let exact = LazyDocument::index_file_exact(path, None).expect("indexed");
    assert!(!exact.jumped());
    assert_eq!(numbers(&exact), [1, 3, 4]);
    assert_eq!(format!("{exact:?}"), {
        let bytes = std::fs::read(path).unwrap();
        format!(
            "{:?}",
            LazyDocument::index(std::io::Cursor::new(bytes), None).unwrap()
        )
    });
}

/// A JSON Lines line too long to hold is indexed in place, as a range of the file: the index
/// equals the index of the line's bytes alone, on every fixture and real response written as
/// one line of a JSON Lines file (after a byte-order mark and between other lines), split
/// across two threads or not.
#[test]
fn a_line_indexed_in_place_equals_the_line_indexed_alone() {
    use pagetree_model::{JsonLines, LazyDocument};
    let dir = tempfile::tempdir().expect("temp dir");
    let mut sources = fixtures();
    sources.extend(realdata().unwrap_or_default());
    let (mut checked, mut split) = (0, 0);
    for path in sources
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
    {
        let bytes = std::fs::read(path).unwrap();
        if serde_json::from_slice::<Value>(&bytes).is_err() {
            continue;
        }
        // One line, keys in their order: raw line breaks in JSON are whitespace.
        let line: Vec<u8> = bytes
            .iter()
            .map(|&b| if b == b'\n' || b == b'\r' { b' ' } else { b })
            .collect();
        let mut jsonl = b"\xEF\xBB\xBF{\"pages\": []}\r\n\n".to_vec();
        jsonl.extend_from_slice(&line);
        jsonl.extend_from_slice(b"\n{\"pages\": []}\n");
        let file = dir.path().join("in.jsonl");
        std::fs::write(&file, &jsonl).unwrap();
        let reader = std::io::BufReader::new(std::fs::File::open(&file).unwrap());
        let mut lines = JsonLines::new(reader, Some("in.jsonl")).hold_at_most(0);
        while let Some(l) = lines.next_line().unwrap() {
            assert!(!l.is_held());
            let bytes = &jsonl[l.range().start as usize..l.range().end as usize];
            let alone = LazyDocument::index(std::io::Cursor::new(bytes), Some(&l.name()));
            let alone = alone
                .as_ref()
                .map(|d| format!("{d:?}"))
                .map_err(|e| e.to_string());
            let named = name(path);
            // Jumps take a nested `page_number` for a page there (see the test above).
            let jumps = named != "v2_nested_page_number.json";
            let ways = [
                LazyDocument::index_file_range_exact(&file, l.range(), Some(&l.name())),
                if jumps {
                    LazyDocument::index_file_range(&file, l.range(), Some(&l.name()))
                } else {
                    LazyDocument::index_file_range_exact(&file, l.range(), Some(&l.name()))
                },
            ];
            // Split across two threads however small.
            let halves =
                LazyDocument::index_file_range_split(&file, l.range(), Some(&l.name()), 0, jumps)
                    .map(|(d, held)| {
                        split += usize::from(held);
                        d
                    });
            for in_place in ways.into_iter().chain([halves]) {
                let in_place = in_place
                    .map(|d| format!("{d:?}").replace("jumped: true", "jumped: false"))
                    .map_err(|e| e.to_string());
                assert_eq!(in_place, alone, "{named}");
            }
        }
        checked += 1;
    }
    assert!(
        checked >= 10 && split >= 5,
        "checked {checked}, split {split}"
    );
}
