//! The page index against whole reads, on every fixture and real response: batches, the index
//! split across two threads, a false page boundary and its exact index, JSON Lines lines
//! indexed in place. Unit tests, as the index is internal; `tests/model_reader.rs` checks the
//! public [`Reader`](crate::Reader) on the same files.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::wire::Projection;

/// The repository root.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `testdata/*.json` and `*.jsonl`, then `testdata/regressions/*.json`, sorted.
fn fixtures() -> Vec<PathBuf> {
    let mut v = json_files(&root().join("testdata"));
    v.extend(json_files(&root().join("testdata/regressions")));
    v
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.map(|e| e.expect("dir entry").path()).collect())
        .unwrap_or_default();
    v.retain(|p| p.extension().is_some_and(|e| e == "json" || e == "jsonl"));
    v.sort();
    v
}

/// The real responses, as every crate's tests find them (`CI=true` fails when they are missing).
fn realdata() -> Option<Vec<PathBuf>> {
    pagetree_synth::realdata_files(&root(), "real-data index checks")
}

fn name(p: &Path) -> String {
    p.file_name()
        .expect("file name")
        .to_string_lossy()
        .into_owned()
}

/// Indexing for random access and loading pages in batches gives the same pages, items,
/// format and join warnings as loading the whole document.
#[test]
fn lazy_batches_equal_the_whole_document() {
    use crate::lazy::LazyDocument;
    use crate::stream::RawPiece;
    let mut files = fixtures();
    files.extend(realdata().unwrap_or_default());
    let mut checked = 0;
    for path in files
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
    {
        let bytes = std::fs::read(path).expect("readable");
        let file = name(path);
        let Ok(whole) = crate::load_document(&bytes, Some(&file)) else {
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
                    .map(|r: &RawPiece| {
                        (
                            r.index,
                            r.parse(Some(&file), Projection::default()).expect("parse"),
                        )
                    })
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
    use crate::lazy::LazyDocument;
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
            if jumps && file == "v2_nested_page_number.json" {
                // Its false boundary is checked on its own (jumps_take_a_nested_page_key...).
                continue;
            }
            // Read from the file, and held in memory (mapped) and read in place.
            let two = LazyDocument::index_file_split(path, Some(&file), 0, jumps);
            let held = std::fs::File::open(path)
                .and_then(|f| crate::mapped::Held::open_with(&f, None, 0))
                .expect("mapped")
                .expect("a regular file");
            let held = crate::mapped::Shared::new(held);
            let in_place = LazyDocument::index_held_split(&held, Some(&file), 0, jumps);
            match (&two, in_place) {
                (Ok(two), Ok(in_place)) => assert_eq!(format!("{two:?}"), format!("{in_place:?}")),
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{file}"),
                (a, b) => panic!("{file} (jumps: {jumps}): {a:?} against {b:?} held"),
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
/// pieces it cut do not parse, and the exact index has the real pages. The reader then indexes
/// exactly and goes on (tested in `model_reader`).
#[test]
fn jumps_take_a_nested_page_key_for_a_page_and_the_exact_index_does_not() {
    use crate::lazy::LazyDocument;
    use crate::stream::PieceKind;
    let path = &root().join("testdata/v2_nested_page_number.json");
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
        .filter(|r| r.parse_fast(None, Projection::default()).is_err())
        .map(|r| (r.kind.clone(), r.index))
        .collect();
    let pages = PieceKind::Page(crate::scan::ArrayPath::RootPages);
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
    use crate::JsonLines;
    use crate::lazy::LazyDocument;
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

/// A file mapped into memory and read in place, the same file read with `read(2)`, and the
/// reader's own choice give the same pages, warnings and errors, in batches of every size and
/// under every projection: on every fixture, real response and a generated response.
#[test]
fn mapped_and_read_files_give_the_same_batches() {
    use crate::{ReadOptions, Reader};
    let dir = tempfile::tempdir().expect("temp dir");
    let mut files = fixtures();
    // Broken inputs too: their errors, found on the way, must come out the same.
    files.extend(json_files(&root().join("testdata/invalid")));
    files.extend(realdata().unwrap_or_default());
    let opts = pagetree_synth::SynthOptions {
        pages: 40,
        failed_every: 7,
        ..Default::default()
    };
    let mut bytes = Vec::new();
    pagetree_synth::write_response(&opts, &mut bytes).expect("generated");
    let generated = dir.path().join("synth.json");
    std::fs::write(&generated, bytes).expect("written");
    files.push(generated);
    let options = [
        ReadOptions::lossless(),
        ReadOptions::default()
            .skip_boxes(true)
            .markdown_only(true)
            .skip_server_pages(true),
        ReadOptions::default().edges_only(true).skip_boxes(true),
    ];
    let mut checked = 0;
    for path in files
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
    {
        let file = name(path);
        for options in options {
            for batch in [1, 64 << 10, u64::MAX] {
                let read = |map: Option<bool>| {
                    let mut reader = match Reader::open_mapped(path, map) {
                        Ok(r) => r.with_options(options),
                        Err(e) => return Err(e.to_string()),
                    };
                    let mut out = Vec::new();
                    for b in reader.batches(batch) {
                        match b {
                            Ok(doc) => out.push(format!("{doc:?}")),
                            Err(e) => out.push(e.to_string()),
                        }
                    }
                    out.push(format!("{:?}", reader.warnings()));
                    Ok(out)
                };
                let by_read = read(Some(false));
                assert!(
                    read(Some(true)) == by_read,
                    "{file}: mapped, {options:?}, batches of {batch}"
                );
                assert!(
                    read(None) == by_read,
                    "{file}: as chosen, {options:?}, batches of {batch}"
                );
            }
        }
        checked += 1;
    }
    assert!(checked >= 15, "checked {checked}");
}
