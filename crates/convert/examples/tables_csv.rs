//! Every table of a saved response as a CSV file, plus the `tables.json` index: what
//! `pagetree tables FILE -o DIR` does, from the library.
//!
//! `cargo run -p pagetree-convert --example tables_csv -- FILE DIR`
//!
//! `tables::extract` touches no file system: it returns the grids, safe file names and the
//! index, and the caller decides where the bytes go.

use pagetree_convert::TableOptions;
use pagetree_convert::tables;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(path), Some(dir)) = (args.next(), args.next()) else {
        return Err("usage: tables_csv FILE DIR".into());
    };
    let doc = pagetree_model::load_document(&std::fs::read(&path)?, Some(&path))?;

    let mut opts = TableOptions::default();
    // Join tables the server left split across a page break.
    opts.stitch = true;
    let out = tables::extract(&doc, &opts);

    let dir = std::path::Path::new(&dir);
    std::fs::create_dir_all(dir)?;
    for table in &out.tables {
        // `file_name` is made of the table id only (`p003-t01.csv`), never of input text.
        let file = std::fs::File::create(dir.join(&table.file_name))?;
        tables::write_table(std::io::BufWriter::new(file), table, &opts)?;
    }
    let index = serde_json::to_vec_pretty(&out.index)?;
    std::fs::write(dir.join("tables.json"), index)?;
    for w in &out.warnings {
        eprintln!("warning: {path}: {w}");
    }
    eprintln!("{}: {} tables → {}", path, out.tables.len(), dir.display());
    Ok(())
}
