//! Reading a table item's `csv` text (RFC 4180, any row lengths) into a grid.

use std::cell::RefCell;

use csv_core::ReadRecordResult;

use super::grid::{Grid, Source};

thread_local! {
    /// The parser, one per thread, reset for each table: the `csv` crate builds its parser's
    /// state machine for every reader, which was a fifth of reading a table's CSV and ~5% of
    /// `convert --to tables`.
    static PARSER: RefCell<csv_core::Reader> = RefCell::new(csv_core::Reader::new());
}

/// Reads CSV text into a grid as the `csv` crate reads it (whose parser, `csv_core`, this
/// drives): comma-separated, `"` quoting with `""` escapes, newlines inside quotes kept, rows
/// of any length kept as written (the server's `csv` is ragged where its `rows` are), no
/// header handling (the first row is a row like any other, and [`Grid::header_rows`] is 1).
/// Blank lines are skipped.
///
/// ```
/// let g = pagetree_convert::tables::grid_from_csv("\"a\",\"b, c\"\n\"say \"\"hi\"\"\",\"x\ny\",z\n");
/// assert_eq!(g.cells, [vec!["a", "b, c"], vec!["say \"hi\"", "x\ny", "z"]]);
/// ```
pub fn grid_from_csv(text: &str) -> Grid {
    let cells = PARSER.with_borrow_mut(|parser| {
        parser.reset();
        let mut input = text.as_bytes();
        // A record's unescaped fields are never longer than the text.
        let mut out = vec![0u8; text.len()];
        let mut ends = vec![0usize; 16];
        let (mut used, mut fields) = (0, 0);
        let mut cells: Vec<Vec<String>> = Vec::new();
        loop {
            let (result, read, wrote, ended) =
                parser.read_record(input, &mut out[used..], &mut ends[fields..]);
            input = &input[read..];
            used += wrote;
            fields += ended;
            match result {
                // Called again with no input, the parser ends the last record.
                ReadRecordResult::InputEmpty => {}
                ReadRecordResult::OutputFull => out.resize(out.len() * 2 + 1, 0),
                ReadRecordResult::OutputEndsFull => ends.resize(ends.len() * 2, 0),
                ReadRecordResult::Record => {
                    let mut start = 0;
                    let row = ends[..fields]
                        .iter()
                        .map(|&end| {
                            let cell = String::from_utf8_lossy(&out[start..end]).into_owned();
                            start = end;
                            cell
                        })
                        .collect();
                    cells.push(row);
                    (used, fields) = (0, 0);
                }
                ReadRecordResult::End => break,
            }
        }
        cells
    });
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

    /// The same grid as the `csv` crate reads (ragged rows, no headers), on text of every
    /// kind a server writes and some it should not.
    #[test]
    fn reads_as_the_csv_crate_reads() {
        fn by_csv_crate(text: &str) -> Vec<Vec<String>> {
            csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_reader(text.as_bytes())
                .records()
                .map_while(Result::ok)
                .map(|r| r.iter().map(str::to_owned).collect())
                .collect()
        }
        let long = format!("\"{}\",x\n", "y\"\"z ".repeat(500));
        for text in [
            "",
            "\n",
            "a",
            "a,b\n1,2",
            "a,b\r\n1,2\r\n",
            "a,,\n\n\n,b\r\r\n\"\"\n",
            "\"q,\"\"x\"\"\nnext\",2\n3",
            "\"unterminated,1\n2",
            "a\"b,c\"d\"\n",
            "é,日本語,\"🍋\n🍋\"\n",
            " spaced , \"quoted\" \n",
            &long,
        ] {
            assert_eq!(grid_from_csv(text).cells, by_csv_crate(text), "{text:?}");
        }
    }

    #[test]
    fn crlf_and_unquoted() {
        assert_eq!(
            grid_from_csv("a,b\r\n1,2\r\n").cells,
            [["a", "b"], ["1", "2"]]
        );
    }
}
