use rayon::prelude::*;
use std::time::Instant;
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let f = std::fs::File::open(&path).unwrap();
    let lazy =
        pagetree_model::LazyDocument::index(std::io::BufReader::with_capacity(1 << 20, f), None)
            .unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let raw = lazy
        .read_batch(&mut std::io::Cursor::new(&bytes), 0..lazy.pages.len())
        .unwrap();
    let p = pagetree_model::Projection { skip: &["bbox"] };
    let pieces: Vec<_> = raw
        .par_iter()
        .map(|r| p.with(|| (r.index, r.parse_fast(None).unwrap())))
        .collect();
    let doc = lazy.assemble(pieces);
    for _ in 0..5 {
        let t = Instant::now();
        let md = pagetree_convert::markdown(&doc, &Default::default());
        eprintln!("markdown: {:?} {} bytes", t.elapsed(), md.output.len());
    }
}
