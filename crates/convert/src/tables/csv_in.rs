//! Reading a table item's `csv` text (RFC 4180, any row lengths) into a grid.

use super::grid::{Grid, Source};

/// Reads CSV text into a grid with the `csv` crate: comma-separated, `"` quoting with `""`
/// escapes, newlines inside quotes kept, rows of any length kept as written (the server's
/// `csv` is ragged where its `rows` are), no header handling (the first row is a row like
/// any other, and [`Grid::header_rows`] is 1). Blank lines are skipped, as the csv crate does.
/// A record the reader cannot read (it stops at the first) ends the grid there.
///
/// ```
/// let g = pagetree_convert::tables::grid_from_csv("\"a\",\"b, c\"\n\"say \"\"hi\"\"\",\"x\ny\",z\n");
/// assert_eq!(g.cells, [vec!["a", "b, c"], vec!["say \"hi\"", "x\ny", "z"]]);
/// ```
pub fn grid_from_csv(text: &str) -> Grid {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let cells = reader
        .records()
        .map_while(Result::ok)
        .map(|r| r.iter().map(str::to_owned).collect())
        .collect();
    Grid::new(cells, Some(Source::Csv))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ragged_and_empty_fields() {
        let g = grid_from_csv("\"A\",\"B\",,\n,\"x\"\n\"note only\"");
        assert_eq!(
            g.cells,
            [vec!["A", "B", "", ""], vec!["", "x"], vec!["note only"]]
        );
        assert!(grid_from_csv("").is_empty());
    }

    #[test]
    fn crlf_and_unquoted() {
        assert_eq!(
            grid_from_csv("a,b\r\n1,2\r\n").cells,
            [["a", "b"], ["1", "2"]]
        );
    }
}
