//! Writes a one-page response holding one large table (`rows`, `md`, `csv` and `html`, all
//! agreeing), for the table-size shapes of `scripts/bench.sh`: the cost of `quality` must grow
//! linearly with the rows and with the columns.
//!
//! `cargo run --release -p pagetree-synth --example big_table -- ROWS COLS OUT.json`
use std::fmt::Write as _;
use std::io::{BufWriter, Write};
use std::process::ExitCode;

const USAGE: &str = "usage: big_table ROWS COLS OUT.json";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [rows, cols, out] = &args[..] else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let (Ok(rows), Ok(cols)) = (rows.parse::<usize>(), cols.parse::<usize>()) else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let cols = cols.max(2);
    let written = std::fs::File::create(out).and_then(|f| {
        let mut w = BufWriter::new(f);
        w.write_all(response(rows, cols).as_bytes())?;
        w.flush()
    });
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {out}: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Cell `c` of body row `r`: a label in the first column, numbers elsewhere (distinct enough
/// that no two rows repeat).
fn cell(r: usize, c: usize) -> String {
    if c == 0 {
        format!("Item {r}")
    } else {
        format!("{}.{}", (r * 7 + c * 13) % 100_000, (r + c) % 10)
    }
}

fn response(rows: usize, cols: usize) -> String {
    let header: Vec<String> = (0..cols)
        .map(|c| {
            if c == 0 {
                "Name".into()
            } else {
                format!("Col {c}")
            }
        })
        .collect();
    let body: Vec<Vec<String>> = (0..rows)
        .map(|r| (0..cols).map(|c| cell(r, c)).collect())
        .collect();
    let all = || std::iter::once(&header).chain(body.iter());
    let mut md = String::new();
    let mut csv = String::new();
    let mut html = String::from("<table>");
    for (i, row) in all().enumerate() {
        let _ = writeln!(md, "|{}|", row.join("|"));
        if i == 0 {
            let _ = writeln!(md, "|{}|", vec!["-"; cols].join("|"));
        }
        let quoted: Vec<String> = row.iter().map(|v| format!("\"{v}\"")).collect();
        let _ = writeln!(csv, "{}", quoted.join(","));
        let tag = if i == 0 { "th" } else { "td" };
        html.push_str("<tr>");
        for v in row {
            let _ = write!(html, "<{tag}>{v}</{tag}>");
        }
        html.push_str("</tr>");
    }
    html.push_str("</table>");
    let rows_json: Vec<String> = all()
        .map(|row| {
            let cells: Vec<String> = row.iter().map(|v| format!("\"{v}\"")).collect();
            format!("[{}]", cells.join(","))
        })
        .collect();
    format!(
        "{{\"items\":{{\"pages\":[{{\"page_number\":1,\"page_width\":612,\"page_height\":792,\
         \"items\":[{{\"type\":\"table\",\"md\":{},\"rows\":[{}],\"csv\":{},\"html\":{},\
         \"bbox\":[{{\"x\":36,\"y\":36,\"w\":540,\"h\":720}}]}}]}}]}}}}\n",
        json_string(md.trim_end()),
        rows_json.join(","),
        json_string(csv.trim_end()),
        json_string(&html),
    )
}

/// A JSON string literal (the text holds no control characters but newlines).
fn json_string(s: &str) -> String {
    let escaped = s
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n");
    format!("\"{escaped}\"")
}
