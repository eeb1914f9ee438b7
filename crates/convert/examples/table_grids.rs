//! Shows how the table readers see each table of a saved response: the grid read from every
//! representation (`rows`, `html`, `csv`, `md`) and where they first disagree.
//!
//! `cargo run -p pagetree-convert --example table_grids -- FILE [TABLE_ID]`

use pagetree_convert::tables::{Agreement, Representations, Source, table_ids};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: table_grids FILE [TABLE_ID]")?;
    let only = args.next();
    let doc = pagetree_model::load_document(&std::fs::read(&path)?, Some(&path))?;
    let walk = doc.walk();
    for (index, id) in table_ids(&doc) {
        if only.as_ref().is_some_and(|o| *o != id) {
            continue;
        }
        let reps = Representations::of(walk[index].item);
        println!("{id} ({})", walk[index].path(&walk));
        for source in Source::ALL {
            if let Some(g) = reps.get(source) {
                println!(
                    "  {source}: {} rows × {} columns, {} header rows, {} spans",
                    g.rows(),
                    g.columns(),
                    g.header_rows,
                    g.spans.len()
                );
                for row in g.cells.iter().take(3) {
                    println!("    {row:?}");
                }
            }
        }
        let agreement = Agreement::of(&reps);
        for c in &agreement.compared {
            match &c.first_difference {
                None => println!("  {} agrees with {:?}", c.source, agreement.reference),
                Some(d) => println!(
                    "  {} differs at row {} column {}: {:?} vs {:?}",
                    c.source, d.row, d.column, d.reference, d.other
                ),
            }
        }
    }
    Ok(())
}
