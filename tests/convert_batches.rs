//! Converting in batches of pages (bounded memory) writes exactly the files converting the
//! whole document writes, for every fixture and real file and several option sets.

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use pagetree_convert::{ConvertOptions, OutFile, Sink, convert_document, convert_reader};
use pagetree_model::Reader;

use crate::common::{fixtures, name, realdata};

#[derive(Default)]
struct Mem(BTreeMap<OutFile, Vec<u8>>);

impl Sink for Mem {
    fn write(&mut self, file: &OutFile, bytes: &[u8]) -> io::Result<()> {
        self.0
            .entry(file.clone())
            .or_default()
            .extend_from_slice(bytes);
        Ok(())
    }
}

fn option_sets() -> Vec<(&'static str, ConvertOptions)> {
    let mut all = ConvertOptions::default();
    all.outputs.text = true;
    all.outputs.quality = true;
    let mut hidden = all.clone();
    hidden.markdown.pages.headers = pagetree_convert::FurnitureMode::Hide;
    hidden.markdown.pages.separator = "\n\n<<{pageNumber}>>\n\n".into();
    hidden.markdown.pages.selection = "2-3,5-".parse().expect("selection");
    let mut merged = all.clone();
    merged.markdown.merge_tables = true;
    merged.tables.stitch = true;
    let mut jsonl = all.clone();
    jsonl.elements_format = pagetree_convert::elements::ElementsFormat::Jsonl;
    // The server's pages as the source: a batch read then needs the page strings that it skips
    // where items pages stand in (as it does for failed pages' raw text, the default).
    let mut server = all.clone();
    server.markdown.pages.source = pagetree_convert::Source::Server;
    server.text.pages.source = pagetree_convert::Source::Server;
    // Markdown alone reads items leaner (no values of plain paragraphs, no html/csv of tables
    // with cells); with HTML tables it reads their html again.
    let mut md_only = ConvertOptions::default();
    md_only.outputs = pagetree_convert::Outputs::none();
    md_only.outputs.markdown = true;
    let mut md_html = md_only.clone();
    md_html.markdown.tables = pagetree_convert::markdown::TableFormat::Html;
    // Chunks beside the markdown (their own pass over the pages), and alone.
    let mut chunks = md_only.clone();
    chunks.outputs.chunks = true;
    chunks.chunks = pagetree_convert::chunks::ChunkOptions::chars(300)
        .and_then(|o| o.with_overlap(40))
        .expect("valid");
    let mut chunks_only = ConvertOptions::default();
    chunks_only.outputs = pagetree_convert::Outputs::none();
    chunks_only.outputs.chunks = true;
    chunks_only.chunks = pagetree_convert::chunks::ChunkOptions::tokens(200).expect("valid");
    chunks_only.chunks.tables = pagetree_convert::chunks::TableText::Csv;
    vec![
        ("chunks", chunks),
        ("chunks-only", chunks_only),
        ("all", all),
        ("markdown", md_only),
        ("markdown-html", md_html),
        ("server", server),
        ("hidden", hidden),
        ("merged", merged),
        ("jsonl", jsonl),
    ]
}

/// Every fixture and real response that reads as one parse result: its name, bytes and the
/// whole document.
fn parse_results() -> Vec<(String, Vec<u8>, pagetree_model::Document)> {
    let mut files = fixtures();
    files.extend(realdata().unwrap_or_default());
    files
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .filter_map(|path| {
            let bytes = std::fs::read(path).expect("readable");
            let file = name(path);
            let doc = pagetree_model::load_document(&bytes, Some(&file)).ok()?;
            Some((file, bytes, doc))
        })
        .collect()
}

#[test]
fn batches_write_the_same_files_as_the_whole_document() {
    let mut checked = 0;
    let mut multi_batch = 0;
    for (file, bytes, doc) in parse_results() {
        let Ok(mut reader) = Reader::from_bytes(bytes.clone(), Some(&file)) else {
            continue;
        };
        for (label, opts) in option_sets() {
            let mut whole = Mem::default();
            let stats = convert_document(&doc, &opts, &mut whole).expect("whole");
            for batch_bytes in [1, 5_000] {
                let mut small = opts.clone();
                small.batch_bytes = batch_bytes;
                let mut batched = Mem::default();
                let bstats = convert_reader(&mut reader, &small, &mut batched)
                    .unwrap_or_else(|e| panic!("{file}: {e}"));
                assert_eq!(
                    whole.0.keys().collect::<Vec<_>>(),
                    batched.0.keys().collect::<Vec<_>>(),
                    "{file} [{label}, {batch_bytes}]: files"
                );
                for (k, v) in &whole.0 {
                    let b = &batched.0[k];
                    if v != b {
                        let at = v
                            .iter()
                            .zip(b)
                            .position(|(x, y)| x != y)
                            .unwrap_or(v.len().min(b.len()));
                        let show = |x: &[u8]| {
                            String::from_utf8_lossy(
                                &x[at.saturating_sub(80)..(at + 80).min(x.len())],
                            )
                            .into_owned()
                        };
                        panic!(
                            "{file} [{label}, batches of {batch_bytes} B]: {} differs at byte {at}:\nwhole:   {:?}\nbatched: {:?}",
                            k.path(),
                            show(v),
                            show(b)
                        );
                    }
                }
                assert_eq!(
                    (stats.pages, stats.tables, stats.elements, stats.chunks),
                    (bstats.pages, bstats.tables, bstats.elements, bstats.chunks)
                );
                let show = |ws: &[pagetree_convert::Warning]| {
                    ws.iter().map(ToString::to_string).collect::<Vec<_>>()
                };
                // The chunks' warnings (with other outputs, the markdown's batched warnings still
                // differ in order and count from a whole read's: not compared here).
                if label == "chunks-only" {
                    assert_eq!(
                        show(&stats.warnings),
                        show(&bstats.warnings),
                        "{file} [{label}, {batch_bytes}]: warnings"
                    );
                }
                if batch_bytes == 1 && bstats.batches > 1 {
                    multi_batch += 1;
                }
            }
        }
        checked += 1;
    }
    assert!(checked >= 15, "checked {checked}");
    // Most documents must really have been split (a batch grows only across merged tables).
    assert!(
        multi_batch >= 4 * 14,
        "only {multi_batch} runs used several batches"
    );
}

/// The chunks `split_reader` hands out (as JSON), each with the bytes `reader` had read when
/// it came out: how early chunks settle.
fn chunks_as_read(
    mut reader: Reader,
    opts: &pagetree_convert::chunks::ChunkOptions,
) -> Vec<(String, u64)> {
    let read = Arc::new(AtomicU64::new(0));
    let seen = Arc::clone(&read);
    reader.on_progress(move |n| {
        seen.fetch_add(n, Ordering::Relaxed);
    });
    let mut got = Vec::new();
    pagetree_convert::chunks::split_reader(&mut reader, opts, 1, &mut |c| {
        got.push((
            serde_json::to_string(&c).expect("json"),
            read.load(Ordering::Relaxed),
        ));
        Ok(())
    })
    .expect("chunks");
    got
}

fn chunk_option_sets() -> Vec<(&'static str, pagetree_convert::chunks::ChunkOptions)> {
    use pagetree_convert::chunks::{ChunkOptions, TableText};
    let small = ChunkOptions::chars(300)
        .and_then(|o| o.with_overlap(40))
        .expect("valid");
    let tokens = ChunkOptions::tokens(200).expect("valid");
    let mut csv = ChunkOptions::default();
    csv.tables = TableText::Csv;
    let mut furniture = small.clone();
    furniture.include_furniture = true;
    furniture.breadcrumb = false;
    let mut pages = ChunkOptions::chars(200).expect("valid");
    pages.markdown.pages.selection = "2-3,5-".parse().expect("selection");
    pages.markdown.merge_tables = true;
    vec![
        ("default", ChunkOptions::default()),
        ("max-chars 300 overlap 40", small),
        ("max-tokens 200", tokens),
        ("table-text csv", csv),
        ("furniture, no breadcrumb", furniture),
        ("pages 2-3,5-, merged tables", pages),
    ]
}

#[test]
fn chunks_in_batches_are_the_chunks_of_the_whole_document() {
    let mut checked = 0;
    let mut settled_early = 0;
    for (file, bytes, doc) in parse_results() {
        // Shapes read whole only (arrays at the top...).
        if Reader::from_bytes(bytes.clone(), Some(&file)).is_err() {
            continue;
        }
        for (label, opts) in chunk_option_sets() {
            let whole = pagetree_convert::chunks::split(&doc, &opts);
            let whole_json: Vec<String> = whole
                .chunks
                .iter()
                .map(|c| serde_json::to_string(c).expect("json"))
                .collect();
            for batch_bytes in [1, 20_000] {
                let mut reader = Reader::from_bytes(bytes.clone(), Some(&file)).expect("reads");
                // How far reading was when each chunk came out: chunks that come out at
                // several points were settled before the rest was read (streaming is real).
                let read = Arc::new(AtomicU64::new(0));
                let seen = Arc::clone(&read);
                reader.on_progress(move |n| {
                    seen.fetch_add(n, Ordering::Relaxed);
                });
                let mut got = Vec::new();
                let mut points = BTreeSet::new();
                let warnings = pagetree_convert::chunks::split_reader(
                    &mut reader,
                    &opts,
                    batch_bytes,
                    &mut |c| {
                        got.push(serde_json::to_string(&c).expect("json"));
                        points.insert(read.load(Ordering::Relaxed));
                        Ok(())
                    },
                )
                .unwrap_or_else(|e| panic!("{file}: {e}"));
                if batch_bytes == 1 && points.len() > 1 {
                    settled_early += 1;
                }
                for (i, (w, b)) in whole_json.iter().zip(&got).enumerate() {
                    assert_eq!(
                        w, b,
                        "{file} [{label}, batches of {batch_bytes} B]: chunk {i}"
                    );
                }
                assert_eq!(
                    whole_json.len(),
                    got.len(),
                    "{file} [{label}, batches of {batch_bytes} B]: chunk count"
                );
                let show = |ws: &[pagetree_convert::Warning]| {
                    ws.iter().map(ToString::to_string).collect::<Vec<_>>()
                };
                assert_eq!(
                    show(&whole.warnings),
                    show(&warnings),
                    "{file} [{label}, batches of {batch_bytes} B]: warnings"
                );
            }
        }
        checked += 1;
    }
    assert!(checked >= 15, "checked {checked}");
    // Many documents (most fixtures are a page or two) have headings on later pages, where
    // chunks settle before the rest is read.
    assert!(
        settled_early >= checked,
        "chunks settled early in only {settled_early} runs of {checked} files"
    );
}

/// Documents without headings, or with only small sections, settle chunks as they are read:
/// a chunk the pages after cannot change is settled whatever opens the next one (with no
/// heading to wait for, the whole document used to be held).
#[test]
fn chunks_without_headings_settle_before_the_end() {
    for slug in ["chunks-without-headings", "chunks-tiny-sections"] {
        let path = crate::common::testdata().join(format!("regressions/{slug}.json"));
        let bytes = std::fs::read(&path).expect("fixture");
        let doc = pagetree_model::load_document(&bytes, Some(slug)).expect("valid");
        let total = bytes.len() as u64;
        for (label, opts) in chunk_option_sets() {
            let whole = pagetree_convert::chunks::split(&doc, &opts);
            let reader = Reader::from_bytes(bytes.clone(), Some(slug)).expect("reads");
            let (got, at): (Vec<String>, Vec<u64>) =
                chunks_as_read(reader, &opts).into_iter().unzip();
            let want: Vec<String> = whole
                .chunks
                .iter()
                .map(|c| serde_json::to_string(c).expect("json"))
                .collect();
            assert_eq!(want, got, "{slug} [{label}]");
            // Reading counts pages (and the detection pass) as it goes; half the chunks must
            // have come out before the last page was read.
            let early = at.iter().filter(|&&n| n < at[at.len() - 1]).count();
            assert!(
                got.len() >= 4 && early * 2 >= got.len(),
                "{slug} [{label}]: {early} of {} chunks before the end ({at:?}, {total} B)",
                got.len()
            );
        }
    }
}

/// Generated documents (a fixed-seed mix of paragraphs long and short, lists, tables that
/// end pages, code, few or no headings, failed pages): chunks settled batch by batch, at
/// closed chunks rather than headings, are the chunks of the whole document.
#[test]
fn chunks_of_generated_documents_settle_as_the_whole_document() {
    let mut rng = Lcg(0x5eed_0019);
    let mut early = 0;
    for d in 0..24 {
        let json = generated_document(&mut rng, d % 3 == 0);
        let doc = pagetree_model::load_document(json.as_bytes(), Some("generated")).expect("valid");
        for (label, opts) in chunk_option_sets() {
            let whole: Vec<String> = pagetree_convert::chunks::split(&doc, &opts)
                .chunks
                .iter()
                .map(|c| serde_json::to_string(c).expect("json"))
                .collect();
            let reader =
                Reader::from_bytes(json.clone().into_bytes(), Some("generated")).expect("reads");
            let (got, at): (Vec<String>, Vec<u64>) =
                chunks_as_read(reader, &opts).into_iter().unzip();
            let points: BTreeSet<u64> = at.into_iter().collect();
            assert_eq!(whole, got, "document {d} [{label}]:\n{json}");
            early += usize::from(points.len() > 1);
        }
    }
    assert!(early >= 24 * 4, "settled early in only {early} runs");
}

/// A small linear congruential generator: the same documents on every run.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

fn generated_document(rng: &mut Lcg, headings: bool) -> String {
    const WORDS: &[&str] = &[
        "the", "pump", "station", "reported", "a", "pressure", "drop", "near", "valve", "seven",
        "crews", "replaced", "filters", "before", "winter", "audit", "billing", "meters", "north",
        "district", "water", "quality", "samples", "passed", "every", "test",
    ];
    let sentence = |rng: &mut Lcg| {
        let n = 4 + rng.below(14) as usize;
        let words: Vec<&str> = (0..n)
            .map(|_| WORDS[rng.below(WORDS.len() as u64) as usize])
            .collect();
        let mut s = words.join(" ");
        s[..1].make_ascii_uppercase();
        s + "."
    };
    let mut pages = Vec::new();
    let count = 6 + rng.below(9);
    for n in 1..=count {
        if n > 1 && rng.below(12) == 0 {
            pages.push(serde_json::json!({"page_number": n, "success": false,
                "error": "Page processing failed: layout model timed out"}));
            continue;
        }
        let mut items = Vec::new();
        for _ in 0..1 + rng.below(6) {
            let item = match rng.below(10) {
                0 if headings => {
                    let level = 1 + rng.below(3) as usize;
                    let title = sentence(rng);
                    serde_json::json!({"type": "heading", "level": level,
                        "md": format!("{} {title}", "#".repeat(level)), "value": title})
                }
                1 => {
                    let md: Vec<String> = (0..2 + rng.below(7))
                        .map(|_| format!("- {}", sentence(rng)))
                        .collect();
                    let md = md.join("\n");
                    serde_json::json!({"type": "list", "md": md, "value": md, "items": []})
                }
                2 | 3 => {
                    let rows: Vec<Vec<String>> =
                        std::iter::once(vec!["Site".into(), "Litres".into()])
                            .chain((0..1 + rng.below(40)).map(|i| {
                                vec![format!("S{n}-{i}"), (rng.below(90_000) + 100).to_string()]
                            }))
                            .collect();
                    let md = std::iter::once("| Site | Litres |\n| --- | --- |".to_owned())
                        .chain(rows[1..].iter().map(|r| format!("| {} | {} |", r[0], r[1])))
                        .collect::<Vec<_>>()
                        .join("\n");
                    serde_json::json!({"type": "table", "md": md, "rows": rows})
                }
                4 => {
                    let lines: Vec<String> = (0..2 + rng.below(30))
                        .map(|i| format!("let x{i} = {};", rng.below(999)))
                        .collect();
                    serde_json::json!({"type": "code", "md": format!("```rust\n{}\n```", lines.join("\n"))})
                }
                _ => {
                    let text: Vec<String> = (0..1 + rng.below(16)).map(|_| sentence(rng)).collect();
                    let md = text.join(" ");
                    serde_json::json!({"type": "text", "md": md, "value": md})
                }
            };
            items.push(item);
        }
        pages.push(
            serde_json::json!({"page_number": n, "page_width": 600, "page_height": 800,
            "success": true, "items": items}),
        );
    }
    serde_json::json!({"items": {"pages": pages}}).to_string()
}
