//! The model's public reading API: `load_file`/`load_all_file` against their byte forms, and
//! `Reader`'s page batches against a whole read.

use std::path::Path;

use pagetree_model::{Document, ErrorKind, Loaded, Reader};

use crate::common::{fixtures, name, realdata, testdata};

/// What a document's pages say, page by page: enough to see a page lost, doubled, reordered
/// or read differently.
fn pages_of(doc: &Document) -> Vec<(u32, bool, Option<String>, Vec<pagetree_model::Item>)> {
    doc.pages()
        .map(|p| {
            (
                p.number(),
                p.is_failed(),
                p.text().map(str::to_owned),
                p.items().to_vec(),
            )
        })
        .collect()
}

/// Batches of one page, of about 64 KiB, and of everything give the pages of a whole read (the
/// same reader at one batch of everything, which `load.rs` checks against a whole-value typed
/// parse and `model_conformance` against the input's JSON), in order, with the whole read's
/// warnings on the first batch; `document()` is `load_file`.
#[test]
fn reader_batches_equal_the_whole_document() {
    let mut files = fixtures();
    files.extend(
        testdata()
            .join("regressions")
            .read_dir()
            .expect("regressions")
            .map(|e| e.expect("dir entry").path()),
    );
    files.extend(realdata().unwrap_or_default());
    let mut checked = 0;
    for path in files
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
    {
        let file = name(path);
        let Ok(whole) = pagetree_model::load_file(path) else {
            continue;
        };
        let mut reader = match Reader::open(path) {
            Ok(r) => r,
            Err(e) => {
                // Only what is not one object at the top is left to whole reads.
                let bytes = std::fs::read(path).expect("readable");
                assert_eq!(e.kind, ErrorKind::Shape, "{file}: {e}");
                assert!(bytes.trim_ascii_start().starts_with(b"["), "{file}: {e}");
                continue;
            }
        };
        assert_eq!(Some(reader.format()), whole.format, "{file}: format");
        let numbers: Vec<u32> = whole.pages().map(|p| p.number()).collect();
        assert!(
            reader.document().expect("whole") == whole,
            "{file}: document()"
        );
        let want = pages_of(&whole);
        // Pages without `page_number` are numbered by their position in the input, in
        // every batch size (a batch of one page included).
        let sizes: &[u64] = &[1, 64 << 10, u64::MAX];
        for &max in sizes {
            let mut got = Vec::new();
            for (i, batch) in reader.batches(max).enumerate() {
                let batch = batch.unwrap_or_else(|e| panic!("{file}: batch {i}: {e}"));
                let warnings = if i == 0 { &whole.warnings[..] } else { &[] };
                assert_eq!(batch.warnings, warnings, "{file}: batch {i} warnings");
                assert_eq!(batch.format, whole.format, "{file}: batch {i} format");
                got.extend(pages_of(&batch));
            }
            assert!(got == want, "{file}: batches of {max} bytes differ");
            // Final once the pages were read (the index may have been taken again).
            assert_eq!(reader.warnings(), whole.warnings, "{file}: warnings");
            assert_eq!(reader.page_numbers().collect::<Vec<_>>(), numbers, "{file}");
        }
        checked += 1;
    }
    assert!(checked >= 20, "checked {checked}");
}

/// A page boundary the fast index took on trust and got wrong is corrected by the reader
/// itself (an exact index, the batch read again), not reported as an error.
#[test]
fn reader_recovers_from_a_false_page_boundary() {
    let path = testdata().join("v2_nested_page_number.json");
    let whole = pagetree_model::load_file(&path).expect("valid");
    let mut reader = Reader::open(&path).expect("indexed");
    let got: Vec<_> = reader
        .batches(1)
        .flat_map(|b| pages_of(&b.expect("batch")))
        .collect();
    assert!(got == pages_of(&whole));
}

/// A broken input fails the reader with the error a whole read gives, word for word: when
/// indexing or at the batch that meets it.
#[test]
fn reader_errors_are_the_whole_read_errors() {
    let dir = testdata().join("invalid");
    let mut checked = 0;
    for entry in dir.read_dir().expect("invalid fixtures") {
        let path = entry.expect("dir entry").path();
        let whole = pagetree_model::load_file(&path).expect_err("invalid");
        let got = Reader::open(&path).and_then(|mut r| {
            for batch in r.batches(1) {
                batch?;
            }
            Ok(())
        });
        let Err(e) = got else {
            panic!("{}: the reader read an invalid input", name(&path));
        };
        if e.kind == ErrorKind::Shape {
            // Not one object at the top: the reader refuses it before reading it as JSON
            // (a whole read may find it broken, or another shape).
            continue;
        }
        assert_eq!(e.to_string(), whole.to_string(), "{}", name(&path));
        checked += 1;
    }
    assert!(checked >= 6, "checked {checked}");
}

/// `load_file` is `load_document` for a path and `load_all_file` is `load_all`; both name
/// the file in errors, and neither reads a job listing as a parse result.
#[test]
fn file_loaders_match_the_byte_loaders() {
    for file in [
        "v2_full.json",
        "v1_list.json",
        "many.jsonl",
        "job_list.json",
    ] {
        let path = testdata().join(file);
        let bytes = std::fs::read(&path).expect("readable");
        let source = path.display().to_string();
        assert_eq!(
            pagetree_model::load_file(&path),
            pagetree_model::load_document(&bytes, Some(&source)),
            "{file}"
        );
        assert_eq!(
            pagetree_model::load_all_file(&path),
            pagetree_model::load_all(&bytes, Some(&source)),
            "{file}"
        );
    }
    let listing = pagetree_model::load_file(testdata().join("job_list.json")).unwrap_err();
    assert_eq!(listing.kind, ErrorKind::Shape);
    assert!(matches!(
        pagetree_model::load_all_file(testdata().join("job_list.json"))[..],
        [Ok(Loaded::JobList(_))]
    ));

    let missing = Path::new("no/such/file.json");
    let e = pagetree_model::load_file(missing).unwrap_err();
    assert_eq!(
        (e.kind, e.source.as_deref()),
        (ErrorKind::Io, Some("no/such/file.json"))
    );
    assert!(
        e.to_string()
            .starts_with("no/such/file.json: cannot read: "),
        "{e}"
    );
    let all = pagetree_model::load_all_file(missing);
    assert!(matches!(&all[..], [Err(e)] if e.kind == ErrorKind::Io));
    assert!(matches!(
        Reader::open(missing),
        Err(e) if e.kind == ErrorKind::Io && e.source.as_deref() == Some("no/such/file.json")
    ));
}

/// A fast index takes a false page boundary in `v2_nested_page_number.json` (an object nested
/// in page 1 whose first key is `page_number`): the reader notices when the page cut there
/// fails to parse, indexes again checking every boundary, and goes on. Callers see the pages,
/// page numbers and warnings of a whole read, at every batch size, and no error.
#[test]
fn reader_takes_a_false_page_boundary_back() {
    let path = testdata().join("v2_nested_page_number.json");
    let whole = pagetree_model::load_file(&path).expect("whole");
    for max in [1, 64 << 10, u64::MAX] {
        let mut reader = Reader::open(&path).expect("open");
        let mut got = Vec::new();
        for batch in reader.batches(max) {
            got.extend(pages_of(&batch.expect("no error reaches the caller")));
        }
        assert!(got == pages_of(&whole), "batches of {max} bytes");
        assert_eq!(reader.warnings(), whole.warnings);
        let numbers: Vec<u32> = whole.pages().map(|p| p.number()).collect();
        assert_eq!(reader.page_numbers().collect::<Vec<_>>(), numbers);
    }
    // The same document converted whole and from the reader.
    let opts = pagetree_convert::ConvertOptions::default();
    let mut reader = Reader::open(&path).expect("open");
    let mut sink = Files::default();
    pagetree_convert::convert_reader(&mut reader, &opts, &mut sink).expect("converted");
    let mut whole_sink = Files::default();
    pagetree_convert::convert_document(&whole, &opts, &mut whole_sink).expect("whole");
    assert!(sink.0 == whole_sink.0);
}

/// `{"pages":[{"items":[...]}]}`: root pages without `page_number` and without v1 markers
/// are one shape, whole and streamed: the same format, warnings and pages.
#[test]
fn shape_without_page_numbers_is_the_same_whole_and_streamed() {
    let json = br#"{"pages": [{"items": [{"type": "text", "md": "one"}]},
        {"items": [{"type": "text", "md": "two"}]}]}"#;
    let whole = pagetree_model::load_document(json, Some("p.json")).expect("whole");
    let mut reader = Reader::from_bytes(json.to_vec(), Some("p.json")).expect("open");
    assert_eq!(Some(reader.format()), whole.format);
    for max in [1, u64::MAX] {
        let mut got = Vec::new();
        for (i, batch) in reader.batches(max).enumerate() {
            let batch = batch.expect("batch");
            let warnings = if i == 0 { &whole.warnings[..] } else { &[] };
            assert_eq!(batch.warnings, warnings);
            got.extend(pages_of(&batch));
        }
        assert!(got == pages_of(&whole), "batches of {max} bytes");
    }
    assert_eq!(reader.warnings(), whole.warnings);
}

/// The files a conversion writes, by name.
#[derive(Default)]
struct Files(std::collections::BTreeMap<pagetree_convert::OutFile, Vec<u8>>);

impl pagetree_convert::Sink for Files {
    fn write(&mut self, file: &pagetree_convert::OutFile, bytes: &[u8]) -> std::io::Result<()> {
        self.0
            .entry(file.clone())
            .or_default()
            .extend_from_slice(bytes);
        Ok(())
    }
}

/// `--pages` naming a page that is missing from the input is said once, in the whole read's
/// place, even when the searched index held a false page of that number until the reader
/// took it back: pages 1, 2, 3 and 5, with an object nested in page 3 whose first key is
/// `"page_number": 4` (the searched index then sees pages 1 to 5, with no gap to warn of).
#[test]
fn a_missing_selected_page_is_judged_on_the_pages_as_read() {
    let page = |n: u32, extra: &str| {
        format!(
            r#"{{"page_number": {n}, "page_width": 612, "page_height": 792, "success": true, "items": [{{"type": "text", "md": "page {n}"{extra}}}]}}"#
        )
    };
    let nested = r#", "refs": [{"why": "fares"}, {"page_number": 4, "why": "the night crossing"}]"#;
    let pages = [page(1, ""), page(2, ""), page(3, nested), page(5, "")];
    let json = format!(
        r#"{{"job": {{"id": "j"}}, "items": {{"pages": [{}]}}}}"#,
        pages.join(", ")
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("gap.json");
    std::fs::write(&path, &json).expect("written");

    let whole = pagetree_model::load_file(&path).expect("whole");
    let mut opts = pagetree_convert::ConvertOptions::default();
    opts.markdown.pages.selection = "3-4".parse().expect("selection");
    opts.batch_bytes = 1;
    // No pass over the pages before the conversion (running heads are looked for first,
    // which would take the false page back before anything is judged).
    use pagetree_convert::furniture::Detection;
    opts.markdown.pages.detect = Detection::Off;
    opts.text.pages.detect = Detection::Off;
    opts.elements.detect = Detection::Off;
    let mut whole_sink = Files::default();
    let want = pagetree_convert::convert_document(&whole, &opts, &mut whole_sink).expect("whole");
    assert!(
        want.warnings.iter().any(|w| w.code == "pages_not_found"),
        "{:?}",
        want.warnings
    );
    let mut reader = Reader::open(&path).expect("open");
    let mut sink = Files::default();
    let got = pagetree_convert::convert_reader(&mut reader, &opts, &mut sink).expect("read");
    assert_eq!(got.warnings, want.warnings);
    assert!(sink.0 == whole_sink.0);
}
