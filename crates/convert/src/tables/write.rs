//! Writing one extracted table as CSV or JSON Lines.

use std::io;

use super::{Table, TableFormat, TableOptions};

/// Writes a table in the format of `opts` (CSV with `opts.delimiter`, or JSON Lines).
///
/// CSV is written with the `csv` crate: fields holding the delimiter, `"`, CR or LF are
/// quoted and `"` doubled (RFC 4180); records end with `\n`; rows keep their lengths unless
/// [`TableOptions::pad_rows`]; a row with no cells is written as one empty field (`""`), the
/// only way CSV can hold it.
///
/// JSON Lines has one object per body row, keyed by the header flattened into one name per
/// column (blank names become `column_N`, repeated ones get `_2`, `_3`...; cells beyond the
/// header are `column_N` too), with cell text as strings, keys in column order; cells a short
/// row lacks are left out.
pub fn write_table<W: io::Write>(w: W, table: &Table, opts: &TableOptions) -> io::Result<()> {
    match opts.format {
        TableFormat::Csv => write_csv(w, table, opts),
        TableFormat::Jsonl => write_jsonl(w, table),
    }
}

/// [`write_table`] into a byte vector.
pub fn render_table(table: &Table, opts: &TableOptions) -> Vec<u8> {
    let mut out = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = write_table(&mut out, table, opts);
    out
}

fn write_csv<W: io::Write>(w: W, table: &Table, opts: &TableOptions) -> io::Result<()> {
    let mut writer = csv::WriterBuilder::new()
        .delimiter(opts.delimiter.as_byte())
        .flexible(true)
        .from_writer(w);
    let width = table.grid.columns();
    let pad = [String::new()];
    for row in &table.grid.cells {
        let fill = if opts.pad_rows {
            width.saturating_sub(row.len())
        } else {
            0
        };
        writer
            .write_record(row.iter().chain(pad.iter().cycle().take(fill)))
            .map_err(into_io)?;
    }
    writer.flush()
}

fn write_jsonl<W: io::Write>(mut w: W, table: &Table) -> io::Result<()> {
    let g = &table.grid;
    let header_rows = g.header_rows.min(g.rows());
    let header = g.flattened_header(header_rows);
    let mut keys = unique_keys(&header);
    let body = &g.cells[header_rows..];
    let width = body.iter().map(Vec::len).max().unwrap_or(0);
    while keys.len() < width {
        let k = format!("column_{}", keys.len() + 1);
        keys.push(k);
    }
    let mut line = String::new();
    for row in body {
        line.clear();
        line.push('{');
        for (i, cell) in row.iter().enumerate() {
            if i > 0 {
                line.push(',');
            }
            // Strings always serialize.
            line.push_str(&serde_json::to_string(&keys[i]).unwrap_or_default());
            line.push(':');
            line.push_str(&serde_json::to_string(cell).unwrap_or_default());
        }
        line.push_str("}\n");
        w.write_all(line.as_bytes())?;
    }
    w.flush()
}

/// Column keys: blank names become `column_N`, repeats get `_2`, `_3`...
fn unique_keys(header: &[String]) -> Vec<String> {
    let mut seen = std::collections::BTreeSet::new();
    header
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let base = if h.trim().is_empty() {
                format!("column_{}", i + 1)
            } else {
                h.trim().to_owned()
            };
            let mut key = base.clone();
            let mut n = 1;
            while !seen.insert(key.clone()) {
                n += 1;
                key = format!("{base}_{n}");
            }
            key
        })
        .collect()
}

fn into_io(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Delimiter, Grid};
    use super::*;

    fn table(rows: &[&[&str]], header_rows: usize) -> Table {
        let mut grid = Grid::new(
            rows.iter()
                .map(|r| r.iter().map(|s| s.to_string()).collect())
                .collect(),
            None,
        );
        grid.header_rows = header_rows;
        Table {
            id: "p001-t01".into(),
            file_name: "p001-t01.csv".into(),
            grid,
        }
    }

    fn text(t: &Table, opts: &TableOptions) -> String {
        String::from_utf8(render_table(t, opts)).unwrap()
    }

    #[test]
    fn csv_quoting_ragged_rows_and_padding() {
        let t = table(
            &[&["a", "say \"hi\""], &["x\ny", "1;2", "c,d"], &[], &[""]],
            1,
        );
        let opts = TableOptions::default();
        assert_eq!(
            text(&t, &opts),
            "a,\"say \"\"hi\"\"\"\n\"x\ny\",1;2,\"c,d\"\n\"\"\n\"\"\n"
        );
        let opts = TableOptions {
            delimiter: Delimiter::Semicolon,
            pad_rows: true,
            ..TableOptions::default()
        };
        assert_eq!(
            text(&t, &opts),
            "a;\"say \"\"hi\"\"\";\n\"x\ny\";\"1;2\";c,d\n;;\n;;\n"
        );
        let opts = TableOptions {
            delimiter: Delimiter::Tab,
            ..TableOptions::default()
        };
        assert!(text(&t, &opts).starts_with("a\t\"say \"\"hi\"\"\"\n"));
    }

    #[test]
    fn jsonl_keys() {
        let t = table(
            &[&["Name", "", "Name"], &["a", "1", "2", "extra"], &["b"]],
            1,
        );
        let opts = TableOptions {
            format: TableFormat::Jsonl,
            ..TableOptions::default()
        };
        assert_eq!(
            text(&t, &opts),
            "{\"Name\":\"a\",\"column_2\":\"1\",\"Name_2\":\"2\",\"column_4\":\"extra\"}\n{\"Name\":\"b\"}\n"
        );
        let t = table(&[&["a", "b"]], 0);
        assert_eq!(text(&t, &opts), "{\"column_1\":\"a\",\"column_2\":\"b\"}\n");
    }
}
