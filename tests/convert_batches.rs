//! Converting in batches of pages (bounded memory) writes exactly the files converting the
//! whole document writes, for every fixture and real file and several option sets.

use std::collections::BTreeMap;
use std::io;

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
    vec![
        ("all", all),
        ("markdown", md_only),
        ("markdown-html", md_html),
        ("server", server),
        ("hidden", hidden),
        ("merged", merged),
        ("jsonl", jsonl),
    ]
}

#[test]
fn batches_write_the_same_files_as_the_whole_document() {
    let mut files = fixtures();
    files.extend(realdata().unwrap_or_default());
    let mut checked = 0;
    let mut multi_batch = 0;
    for path in files
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
    {
        let bytes = std::fs::read(path).expect("readable");
        let file = name(path);
        let Ok(doc) = pagetree_model::load_document(&bytes, Some(&file)) else {
            continue;
        };
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
                    (stats.pages, stats.tables, stats.elements),
                    (bstats.pages, bstats.tables, bstats.elements)
                );
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
        multi_batch >= 4 * 12,
        "only {multi_batch} runs used several batches"
    );
}
