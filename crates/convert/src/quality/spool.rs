//! Table reports waiting for the end of the document: the summary comes first in every
//! format, and merge findings (known at the end) change scores. Each report is encoded
//! compactly into a spool (in memory while small, a temporary file past that) and read back
//! by its index, so memory holds an offset per table instead of its report.

use std::io::{self, Read, Seek, SeekFrom, Write};

use tempfile::SpooledTempFile;

use super::checks::{Check, Severity};
use super::layout::ColumnKind;
use super::report::{CellRef, Confirmation, Finding, ServerConcern, Status, TableReport};
use super::score;
use crate::tables::Source;

/// Bytes held in memory before the spool moves to a temporary file. The report of a
/// thousand-page response is about 1 MB encoded.
pub(super) const IN_MEMORY: usize = 1 << 20;

/// Encoded table reports, each with whether it is a merge stub, in the order pushed.
#[derive(Debug)]
pub(super) struct Spool {
    file: SpooledTempFile,
    /// Where each record starts, and the end of the last.
    at: Vec<u64>,
    buf: Vec<u8>,
}

impl Spool {
    /// A spool kept in memory up to `in_memory` bytes.
    pub fn new(in_memory: usize) -> Self {
        Spool {
            file: SpooledTempFile::new(in_memory),
            at: vec![0],
            buf: Vec::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.at.len() - 1
    }

    pub fn push(&mut self, stub: bool, t: &TableReport) -> io::Result<()> {
        self.buf.clear();
        encode(&mut self.buf, stub, t);
        let end = self.at[self.at.len() - 1];
        self.file.seek(SeekFrom::Start(end))?;
        self.file.write_all(&self.buf)?;
        self.at.push(end + self.buf.len() as u64);
        Ok(())
    }

    /// The `i`th report and whether it is a stub.
    pub fn get(&mut self, i: usize) -> io::Result<(bool, TableReport)> {
        let (start, end) = (self.at[i], self.at[i + 1]);
        self.buf.resize((end - start) as usize, 0);
        self.file.seek(SeekFrom::Start(start))?;
        self.file.read_exact(&mut self.buf)?;
        let mut d = Decoder(&self.buf);
        let stub = d.bool()?;
        let t = d.table()?;
        Ok((stub, t))
    }
}

fn uint(out: &mut Vec<u8>, mut n: u64) {
    // LEB128: most numbers here (rows, pages, lengths) fit one byte.
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn string(out: &mut Vec<u8>, s: &str) {
    uint(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

/// An optional number as `n + 1`, `0` for none.
fn opt(out: &mut Vec<u8>, n: Option<u64>) {
    uint(out, n.map_or(0, |n| n + 1));
}

fn opt_string(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => {
            out.push(1);
            string(out, s);
        }
        None => out.push(0),
    }
}

fn source(s: Option<Source>) -> Option<u64> {
    s.and_then(|s| Source::ALL.iter().position(|&x| x == s))
        .map(|i| i as u64)
}

fn index_of<T: PartialEq>(all: &[T], x: &T) -> u64 {
    all.iter().position(|a| a == x).unwrap_or(all.len()) as u64
}

const SEVERITIES: [Severity; 3] = [Severity::Error, Severity::Warning, Severity::Info];
const CONFIRMATIONS: [Confirmation; 3] = [
    Confirmation::Confirmed,
    Confirmation::NotConfirmed,
    Confirmation::Unchecked,
];

fn encode(out: &mut Vec<u8>, stub: bool, t: &TableReport) {
    out.push(u8::from(stub));
    string(out, &t.id);
    uint(out, u64::from(t.page));
    string(out, &t.path);
    out.push(u8::from(t.furniture));
    opt(out, source(t.source));
    uint(out, t.shape[0] as u64);
    uint(out, t.shape[1] as u64);
    uint(out, t.header_rows as u64);
    let kinds = ColumnKind::ALL.map(ColumnKind::as_str);
    uint(out, t.column_types.len() as u64);
    for k in &t.column_types {
        uint(out, index_of(&kinds, k));
    }
    // The grade follows from the score.
    opt(out, t.score.map(u64::from));
    uint(out, index_of(&Status::ALL, &t.status));
    uint(out, t.findings.len() as u64);
    for f in &t.findings {
        uint(out, index_of(Check::ALL, &f.check));
        uint(out, index_of(&SEVERITIES, &f.severity));
        opt(out, f.row.map(|r| r as u64));
        opt(out, f.column.map(|c| c as u64));
        opt(out, source(f.source));
        string(out, &f.message);
        uint(out, f.cells.len() as u64);
        for c in &f.cells {
            uint(out, c.row as u64);
            uint(out, c.column as u64);
            string(out, &c.text);
        }
    }
    uint(out, t.parse_concerns.len() as u64);
    for c in &t.parse_concerns {
        string(out, &c.kind);
        opt_string(out, c.details.as_deref());
        uint(out, index_of(&CONFIRMATIONS, &c.confirmation));
        opt_string(out, c.evidence.as_deref());
    }
}

/// Reads what [`encode`] wrote.
struct Decoder<'b>(&'b [u8]);

fn corrupt() -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        "quality report spool is corrupt",
    )
}

impl Decoder<'_> {
    fn byte(&mut self) -> io::Result<u8> {
        let (&b, rest) = self.0.split_first().ok_or_else(corrupt)?;
        self.0 = rest;
        Ok(b)
    }

    fn bool(&mut self) -> io::Result<bool> {
        Ok(self.byte()? != 0)
    }

    fn uint(&mut self) -> io::Result<u64> {
        let mut n = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            n |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Ok(n);
            }
        }
        Err(corrupt())
    }

    fn usize(&mut self) -> io::Result<usize> {
        usize::try_from(self.uint()?).map_err(|_| corrupt())
    }

    fn string(&mut self) -> io::Result<String> {
        let n = self.usize()?;
        if n > self.0.len() {
            return Err(corrupt());
        }
        let (s, rest) = self.0.split_at(n);
        self.0 = rest;
        String::from_utf8(s.to_vec()).map_err(|_| corrupt())
    }

    fn opt(&mut self) -> io::Result<Option<u64>> {
        Ok(self.uint()?.checked_sub(1))
    }

    fn opt_usize(&mut self) -> io::Result<Option<usize>> {
        self.opt()?
            .map(|n| usize::try_from(n).map_err(|_| corrupt()))
            .transpose()
    }

    fn opt_string(&mut self) -> io::Result<Option<String>> {
        if self.bool()? {
            self.string().map(Some)
        } else {
            Ok(None)
        }
    }

    fn pick<T: Copy>(&mut self, all: &[T]) -> io::Result<T> {
        all.get(self.usize()?).copied().ok_or_else(corrupt)
    }

    fn source(&mut self) -> io::Result<Option<Source>> {
        self.opt()?
            .map(|i| {
                usize::try_from(i)
                    .ok()
                    .and_then(|i| Source::ALL.get(i).copied())
                    .ok_or_else(corrupt)
            })
            .transpose()
    }

    fn table(&mut self) -> io::Result<TableReport> {
        let id = self.string()?;
        let page = u32::try_from(self.uint()?).map_err(|_| corrupt())?;
        let path = self.string()?;
        let furniture = self.bool()?;
        let source = self.source()?;
        let shape = [self.usize()?, self.usize()?];
        let header_rows = self.usize()?;
        let kinds = ColumnKind::ALL.map(ColumnKind::as_str);
        let column_types = (0..self.usize()?)
            .map(|_| self.pick(&kinds))
            .collect::<io::Result<_>>()?;
        let score = self
            .opt()?
            .map(|s| u8::try_from(s).map_err(|_| corrupt()))
            .transpose()?;
        let status = self.pick(&Status::ALL)?;
        let findings = (0..self.usize()?)
            .map(|_| {
                Ok(Finding {
                    check: self.pick(Check::ALL)?,
                    severity: self.pick(&SEVERITIES)?,
                    row: self.opt_usize()?,
                    column: self.opt_usize()?,
                    source: self.source()?,
                    message: self.string()?,
                    cells: (0..self.usize()?)
                        .map(|_| {
                            Ok(CellRef {
                                row: self.usize()?,
                                column: self.usize()?,
                                text: self.string()?,
                            })
                        })
                        .collect::<io::Result<_>>()?,
                })
            })
            .collect::<io::Result<_>>()?;
        let parse_concerns = (0..self.usize()?)
            .map(|_| {
                Ok(ServerConcern {
                    kind: self.string()?,
                    details: self.opt_string()?,
                    confirmation: self.pick(&CONFIRMATIONS)?,
                    evidence: self.opt_string()?,
                })
            })
            .collect::<io::Result<_>>()?;
        Ok(TableReport {
            id,
            page,
            path,
            furniture,
            source,
            shape,
            header_rows,
            column_types,
            score,
            grade: score.map(score::grade),
            status,
            findings,
            parse_concerns,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(n: usize) -> TableReport {
        TableReport {
            id: format!("p{n:03}-t01"),
            page: n as u32,
            path: format!("items.pages[{n}].items[2]"),
            furniture: n % 2 == 1,
            source: Source::ALL.get(n % 5).copied(),
            shape: [n * 300, 7],
            header_rows: 1,
            column_types: ColumnKind::ALL.iter().map(|k| k.as_str()).collect(),
            score: (!n.is_multiple_of(3)).then_some((n * 37 % 101) as u8),
            grade: (!n.is_multiple_of(3)).then(|| score::grade((n * 37 % 101) as u8)),
            status: Status::ALL[n % 4],
            findings: Check::ALL
                .iter()
                .take(n % 7)
                .map(|&check| Finding {
                    check,
                    severity: check.severity(),
                    row: Some(n * 1000),
                    column: n.is_multiple_of(2).then_some(3),
                    source: Some(Source::Html),
                    message: format!("“{n}” ✓ cells\n"),
                    cells: vec![CellRef::new(n, 1, "1 234,5 €")],
                })
                .collect(),
            parse_concerns: vec![ServerConcern {
                kind: "possible_merged_columns".into(),
                details: n.is_multiple_of(2).then(|| "columns 2 and 3".into()),
                confirmation: CONFIRMATIONS[n % 3],
                evidence: None,
            }],
        }
    }

    #[test]
    fn reports_read_back_as_written_from_memory_and_from_a_file() {
        // 0: on disk from the first byte; the default: in memory.
        for in_memory in [0, IN_MEMORY] {
            let mut spool = Spool::new(in_memory);
            let reports: Vec<TableReport> = (0..40).map(report).collect();
            for (i, r) in reports.iter().enumerate() {
                spool.push(i % 5 == 0, r).expect("written");
            }
            assert_eq!(spool.len(), 40);
            // Out of order, as the overview reads them.
            for i in (0..40).rev() {
                assert_eq!(
                    spool.get(i).expect("read"),
                    (i % 5 == 0, reports[i].clone())
                );
            }
        }
    }
}
