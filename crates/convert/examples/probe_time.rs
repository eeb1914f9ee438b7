use std::time::Instant;
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let t = Instant::now();
    let f = std::fs::File::open(&path).unwrap();
    let lazy =
        pagetree_model::LazyDocument::index(std::io::BufReader::with_capacity(1 << 20, f), None)
            .unwrap();
    eprintln!("index: {:?} pages={}", t.elapsed(), lazy.pages.len());
    let bytes = std::fs::read(&path).unwrap();
    let t = Instant::now();
    let mut r = std::io::Cursor::new(&bytes);
    let raw = lazy.read_batch(&mut r, 0..lazy.pages.len()).unwrap();
    eprintln!("read all: {:?}", t.elapsed());
    use rayon::prelude::*;
    let t = Instant::now();
    let pieces: Vec<_> = raw
        .par_iter()
        .map(|p| (p.index, p.parse_fast(None).unwrap()))
        .collect();
    eprintln!("parse par: {:?}", t.elapsed());
    for skip in [
        &["bbox"][..],
        &["bbox", "csv", "html"],
        &["bbox", "csv", "html", "value"],
    ] {
        let t = Instant::now();
        let p = pagetree_model::Projection { skip };
        let n: usize = raw
            .par_iter()
            .map(|r| {
                p.with(|| {
                    let _ = r.parse_fast(None).unwrap();
                    1
                })
            })
            .sum();
        eprintln!("parse par skipping {skip:?}: {:?} {n}", t.elapsed());
    }
    let t = Instant::now();
    let _: Vec<serde_json::Value> = raw
        .par_iter()
        .map(|r| serde_json::from_slice(&r.bytes).unwrap())
        .collect();
    eprintln!("Value par: {:?}", t.elapsed());
    let t = Instant::now();
    let _: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    eprintln!("Value whole (baseline): {:?}", t.elapsed());
    let t = Instant::now();
    let doc = lazy.assemble(pieces);
    eprintln!("assemble: {:?}", t.elapsed());
    let t = Instant::now();
    let md = pagetree_convert::markdown(&doc, &Default::default());
    eprintln!("markdown: {:?} {} bytes", t.elapsed(), md.output.len());
    let t = Instant::now();
    let els = pagetree_convert::elements(&doc, &Default::default(), Some(&md));
    eprintln!("elements: {:?} {}", t.elapsed(), els.elements.len());
    let t = Instant::now();
    let _ =
        pagetree_convert::elements::write_elements(&els, Default::default(), Vec::new()).unwrap();
    eprintln!("elements json: {:?}", t.elapsed());
    let t = Instant::now();
    let tb = pagetree_convert::tables(&doc, &Default::default());
    eprintln!("tables: {:?} {}", t.elapsed(), tb.tables.len());
    let t = Instant::now();
    drop(doc);
    eprintln!("drop: {:?}", t.elapsed());
}
