//! JSON Lines read a line at a time, so that a file of thousands of responses is never held
//! whole. Each line reads exactly as [`crate::load_all`] reads it in the whole file: the same
//! names, the same located errors (line numbers and offsets in the whole input).

use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::Path;

use crate::error::LoadError;
use crate::load::{Loaded, bad_utf8, load_line, looks_like_jsonl, named_json_lines, no_lines};

/// A JSON Lines input read line by line; see the module docs.
///
/// ```
/// use pagetree_model::{JsonLines, Loaded};
///
/// let input = b"{\"pages\": [{\"page_number\": 1, \"items\": []}]}\n\n{\"pages\": []}\nnot json\n";
/// let mut lines = JsonLines::new(&input[..], Some("many.jsonl"));
/// let mut read = Vec::new();
/// while let Some(line) = lines.next_line().unwrap() {
///     read.push((line.number, line.load()));
/// }
/// assert_eq!(read.iter().map(|(n, _)| *n).collect::<Vec<_>>(), [1, 3, 4]);
/// assert!(matches!(read[0].1[0], Ok(Loaded::Document(_))));
/// let err = read[2].1[0].as_ref().unwrap_err();
/// assert_eq!(err.line, Some(4));
/// assert!(lines.finish().is_none());
/// ```
pub struct JsonLines<R> {
    reader: R,
    source: Option<String>,
    /// Lines read so far.
    number: usize,
    /// Bytes read so far (after a byte-order mark).
    offset: u64,
    /// Non-blank lines handed out so far.
    given: usize,
}

/// One non-blank line of a JSON Lines input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// Its 1-based line number.
    pub number: usize,
    /// Its byte offset in the input (after a byte-order mark).
    pub offset: u64,
    /// Its bytes, without the line break.
    pub bytes: Vec<u8>,
    source: Option<String>,
}

impl<R: BufRead> JsonLines<R> {
    /// Reads `reader`; `source` names it in messages.
    pub fn new(reader: R, source: Option<&str>) -> Self {
        JsonLines {
            reader,
            source: source.map(str::to_owned),
            number: 0,
            offset: 0,
            given: 0,
        }
    }

    /// The next line that is not blank, `None` at the end.
    pub fn next_line(&mut self) -> io::Result<Option<Line>> {
        loop {
            let mut bytes = Vec::new();
            let n = self.reader.read_until(b'\n', &mut bytes)?;
            if n == 0 {
                return Ok(None);
            }
            self.number += 1;
            let offset = self.offset;
            // Offsets count from after a byte-order mark, as the whole-input reader's do.
            if self.number == 1 && bytes.starts_with(b"\xEF\xBB\xBF") {
                bytes.drain(..3);
            }
            self.offset += bytes.len() as u64;
            // As `str::lines` ends a line: at `\n`, and a `\r` before it goes too.
            if bytes.last() == Some(&b'\n') {
                bytes.pop();
                if bytes.last() == Some(&b'\r') {
                    bytes.pop();
                }
            }
            if std::str::from_utf8(&bytes).is_ok_and(|t| t.trim().is_empty()) {
                continue;
            }
            self.given += 1;
            return Ok(Some(Line {
                number: self.number,
                offset,
                bytes,
                source: self.source.clone(),
            }));
        }
    }

    /// The next lines that are not blank, together at most `max_bytes` (one line, whatever
    /// its size, at the least) and `max_lines`: a chunk to convert at once. Also whether the
    /// input ended within it. An empty chunk: nothing is left.
    pub fn chunk(&mut self, max_bytes: usize, max_lines: usize) -> io::Result<(Vec<Line>, bool)> {
        let (mut lines, mut bytes) = (Vec::new(), 0);
        while bytes < max_bytes && lines.len() < max_lines {
            match self.next_line()? {
                Some(line) => {
                    bytes += line.bytes.len();
                    lines.push(line);
                }
                None => return Ok((lines, true)),
            }
        }
        Ok((lines, false))
    }

    /// What the input as a whole comes to once every line is read: the error of an input
    /// without a single non-blank line, as [`crate::load_all`] gives it.
    pub fn finish(self) -> Option<LoadError> {
        (self.given == 0).then(|| no_lines(self.source.as_deref()))
    }
}

impl Line {
    /// The responses on the line (a v1 array gives several), or its located error.
    pub fn load(&self) -> Vec<Result<Loaded, LoadError>> {
        let source = self.source.as_deref();
        match std::str::from_utf8(&self.bytes) {
            Ok(text) => load_line(self.number, text, source),
            Err(e) => {
                let at = e.valid_up_to();
                let error = bad_utf8(self.bytes[at], self.offset + at as u64)
                    .at(self.number, at + 1)
                    .with_source(source);
                vec![Err(error)]
            }
        }
    }
}

/// Whether an input starting with `head` is JSON Lines as [`crate::load_all`] would judge the
/// whole input: a complete object, then another object starting on a later line. `head` must
/// hold the first line whole and the first byte of the next value, else the answer is no. A
/// `source` name ending `.jsonl` or `.ndjson` says yes by itself.
pub fn is_json_lines(head: &[u8], source: Option<&str>) -> bool {
    if named_json_lines(source) {
        return true;
    }
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    // The head may end inside a character: judge the valid part.
    let valid = match std::str::from_utf8(head) {
        Ok(text) => text,
        Err(e) => std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or_default(),
    };
    looks_like_jsonl(valid)
}

/// [`is_json_lines`] for a file: reads its first line and the start of the next value (past
/// at most 64 KiB of blank lines).
pub fn file_is_json_lines(path: &Path, source: Option<&str>) -> io::Result<bool> {
    if is_json_lines(&[], source) {
        return Ok(true);
    }
    let mut reader = BufReader::new(File::open(path)?);
    let mut head = Vec::new();
    reader.read_until(b'\n', &mut head)?;
    for _ in 0..1 << 16 {
        let Some(&b) = reader.fill_buf()?.first() else {
            break;
        };
        head.push(b);
        reader.consume(1);
        if !b.is_ascii_whitespace() {
            break;
        }
    }
    Ok(is_json_lines(&head, None))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load_all;

    /// Every line's results, as `load_all` gives them for the whole input.
    fn streamed(input: &[u8], source: &str) -> Vec<Result<Loaded, LoadError>> {
        let mut lines = JsonLines::new(input, Some(source));
        let mut out = Vec::new();
        while let Some(line) = lines.next_line().unwrap() {
            out.extend(line.load());
        }
        out.extend(lines.finish().map(Err));
        out
    }

    #[test]
    fn reads_each_line_as_the_whole_input_reads_it() {
        let good = r#"{"pages": [{"page_number": 1, "items": [{"type": "text", "md": "é"}]}]}"#;
        let v1 = r#"[{"pages": [{"page": 1, "md": "x", "items": []}], "job_id": "j"}]"#;
        let cases: Vec<Vec<u8>> = vec![
            format!("{good}\n{good}\n").into(),
            format!("\u{feff}{good}\r\n\r\n  \n{v1}\n{good}").into(),
            format!("{good}\n{{\"pages\": [\n{good}\n").into(),
            format!("{good}\n{{\"pages\": 3}}\n").into(),
            b"\n  \n".to_vec(),
            Vec::new(),
            [good.as_bytes(), b"\n{\"pages\": [], \"x\": \"\xFF\"}\n"].concat(),
            [b"\xEF\xBB\xBF", good.as_bytes(), b"\n\xC3\n"].concat(),
        ];
        for (k, input) in cases.iter().enumerate() {
            let whole = load_all(input, Some("in.jsonl"));
            let lines = streamed(input, "in.jsonl");
            // A file with bad UTF-8 is one error read whole; line by line the good lines before
            // it still read, and its error is the same.
            if std::str::from_utf8(input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input)).is_err() {
                assert_eq!(whole.len(), 1, "case {k}");
                assert_eq!(lines.last(), whole.last(), "case {k}");
                assert!(
                    lines[..lines.len() - 1].iter().all(Result::is_ok),
                    "case {k}"
                );
            } else {
                assert_eq!(lines, whole, "case {k}");
            }
        }
    }

    #[test]
    fn chunks_hold_whole_lines_up_to_their_limits() {
        let input = b"{\"a\": 1}\n\n{\"b\": 22}\n{\"c\": 333}\n{}\n";
        let mut lines = JsonLines::new(&input[..], None);
        let numbers = |c: &[Line]| c.iter().map(|l| l.number).collect::<Vec<_>>();
        let (c, end) = lines.chunk(9, 10).unwrap();
        assert_eq!((numbers(&c), end), (vec![1, 3], false));
        let (c, end) = lines.chunk(1000, 1).unwrap();
        assert_eq!((numbers(&c), end), (vec![4], false));
        let (c, end) = lines.chunk(1000, 10).unwrap();
        assert_eq!((numbers(&c), end), (vec![5], true));
        let (c, end) = lines.chunk(1000, 10).unwrap();
        assert!(c.is_empty() && end);
    }

    #[test]
    fn tells_json_lines_from_its_first_lines() {
        let one = br#"{"pages": []}"#;
        assert!(is_json_lines(&[one, &b"\n{\"pa"[..]].concat(), None));
        assert!(is_json_lines(&[one, &b"\n  \n {"[..]].concat(), None));
        assert!(!is_json_lines(&[one, &b"\n"[..]].concat(), None));
        assert!(!is_json_lines(b"{\n  \"pages\": []\n}\n", None));
        assert!(!is_json_lines(b"{\"pages\": [{\"page_number\": 1}, ", None));
        assert!(!is_json_lines(b"[1]\n[2]\n", None));
        assert!(is_json_lines(b"", Some("x.ndjson")));

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.json");
        for (text, yes) in [
            (&[one, &b"\n\n\n{\"pages\": []}\n"[..]].concat(), true),
            (&[one, &b"\n"[..]].concat(), false),
            (&b"{\n}\n{}"[..].to_vec(), false),
        ] {
            std::fs::write(&path, text).unwrap();
            assert_eq!(file_is_json_lines(&path, None).unwrap(), yes);
        }
    }
}
