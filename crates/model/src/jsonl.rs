//! JSON Lines read a line at a time, so that a file of thousands of responses is never held
//! whole. Each line reads exactly as [`crate::load_all`] reads it in the whole file: the same
//! names, the same located errors (line numbers and offsets in the whole input).

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::ops::Range;
use std::path::Path;

use crate::error::{ErrorKind, LoadError};
use crate::load::{
    Loaded, bad_utf8, blank_prefix, empty_input, line_error, line_name, load_held_line,
    looks_like_jsonl, named_json_lines,
};
use crate::mapped::{Held, Shared};

/// The UTF-8 byte-order mark, which a first line may start with.
const BOM: &[u8] = b"\xEF\xBB\xBF";

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
    /// Lines longer than this are not held ([`JsonLines::hold_at_most`]).
    hold: usize,
    /// Bytes of a byte-order mark at the start of the input (0 or 3).
    bom: u64,
}

/// One non-blank line of a JSON Lines input.
#[derive(Debug, Clone)]
pub struct Line {
    /// Its 1-based line number.
    pub number: usize,
    /// Its byte offset in the input (after a byte-order mark).
    pub offset: u64,
    /// Its bytes, without the line break ([`Line::bytes`]): held so that reading the line
    /// shares them rather than copying them (a copy was 3.6% of `markdown` of a JSON Lines
    /// file of small responses).
    bytes: Shared,
    /// Its length in bytes, without the line break.
    pub len: u64,
    /// Its byte offset in the input counting a byte-order mark (where a file read of it
    /// starts).
    start: u64,
    held: bool,
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
            hold: usize::MAX,
            bom: 0,
        }
    }

    /// Lines of more than `bytes` bytes are not held: [`next_line`](Self::next_line) reads
    /// past them keeping only where they are ([`Line::range`]), so that one response of
    /// hundreds of MB on a line can be streamed from the file rather than read into memory.
    /// (A line that is blank so far is held on until it is not.)
    pub fn hold_at_most(mut self, bytes: usize) -> Self {
        self.hold = bytes;
        self
    }

    /// The next line that is not blank, `None` at the end.
    pub fn next_line(&mut self) -> io::Result<Option<Line>> {
        loop {
            let mut bytes = Vec::new();
            // Bytes read of the line, its break included; its last two bytes; whether it is
            // still held, and at what length to look again whether it is blank so far.
            let (mut raw, mut tail, mut held, mut look_at) = (0u64, [0u8; 2], true, self.hold);
            let first = self.number == 0;
            loop {
                let buf = self.reader.fill_buf()?;
                if buf.is_empty() {
                    break;
                }
                let (take, ends) = match memchr::memchr(b'\n', buf) {
                    Some(i) => (i + 1, true),
                    None => (buf.len(), false),
                };
                let part = &buf[..take];
                tail = match part {
                    [.., a, b] => [*a, *b],
                    [b] => [tail[1], *b],
                    [] => tail,
                };
                if held {
                    bytes.extend_from_slice(part);
                    if bytes.len() > look_at {
                        let text = if first {
                            bytes.strip_prefix(BOM).unwrap_or(&bytes)
                        } else {
                            &bytes
                        };
                        if blank_prefix(text).is_some() {
                            look_at = look_at.saturating_mul(2);
                        } else {
                            if first && bytes.starts_with(BOM) {
                                self.bom = BOM.len() as u64;
                            }
                            held = false;
                            bytes = Vec::new();
                        }
                    }
                }
                raw += take as u64;
                self.reader.consume(take);
                if ends {
                    break;
                }
            }
            if raw == 0 {
                return Ok(None);
            }
            self.number += 1;
            let offset = self.offset;
            // Offsets count from after a byte-order mark, as the whole-input reader's do.
            if held && first && bytes.starts_with(BOM) {
                bytes.drain(..BOM.len());
                self.bom = BOM.len() as u64;
            }
            let bom = if first { self.bom } else { 0 };
            self.offset += raw - bom;
            // As `str::lines` ends a line: at `\n`, and a `\r` before it goes too.
            let mut len = raw - bom;
            if tail[1] == b'\n' {
                len -= 1;
                if tail[0] == b'\r' && len > 0 {
                    len -= 1;
                }
            }
            if held {
                bytes.truncate(len as usize);
                if std::str::from_utf8(&bytes).is_ok_and(|t| t.trim().is_empty()) {
                    continue;
                }
            }
            self.given += 1;
            return Ok(Some(Line {
                number: self.number,
                offset,
                bytes: Shared::new(Held::Owned(bytes)),
                len,
                start: offset + self.bom,
                held,
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
                    bytes += usize::try_from(line.len).unwrap_or(usize::MAX);
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
        (self.given == 0).then(|| empty_input(self.source.as_deref()))
    }
}

impl Line {
    /// [`load`](Self::load), leaving out what `options` say (see [`ReadOptions`](crate::ReadOptions)).
    pub fn load_with(&self, options: crate::ReadOptions) -> Vec<Result<Loaded, LoadError>> {
        self.load_projected(options)
    }

    /// The responses on the line (a v1 array gives several), or its located error. A line
    /// not held ([`Line::is_held`]) is an error here: read its [`range`](Self::range) of the
    /// file instead.
    pub fn load(&self) -> Vec<Result<Loaded, LoadError>> {
        self.load_projected(crate::ReadOptions::default())
    }

    fn load_projected(&self, options: crate::ReadOptions) -> Vec<Result<Loaded, LoadError>> {
        let source = self.source.as_deref();
        if !self.held {
            let e = LoadError::new(
                ErrorKind::Io,
                format!("a line of {} bytes is not held in memory", self.len),
            );
            return vec![Err(self.locate(e))];
        }
        match self.bytes.clone().checked_utf8() {
            Ok(text) => load_held_line(self.number, &text, source, options),
            Err(e) => {
                let at = e.valid_up_to();
                let error = bad_utf8(self.bytes()[at], self.offset + at as u64)
                    .at(self.number, at + 1)
                    .with_source(source);
                vec![Err(error)]
            }
        }
    }
}

impl PartialEq for Line {
    fn eq(&self, other: &Line) -> bool {
        self.number == other.number
            && self.offset == other.offset
            && self.bytes() == other.bytes()
            && self.len == other.len
            && self.start == other.start
            && self.held == other.held
            && self.source == other.source
    }
}

impl Eq for Line {}

impl Line {
    /// Its bytes, without the line break; empty when the line was too long to hold
    /// ([`Line::is_held`]).
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Whether the line's bytes were kept (see [`JsonLines::hold_at_most`]).
    pub fn is_held(&self) -> bool {
        self.held
    }

    /// Where the line's bytes sit in the input, byte-order mark counted: what a
    /// [`Reader::open_range`](crate::Reader::open_range) of the file reads.
    pub fn range(&self) -> Range<u64> {
        self.start..self.start + self.len
    }

    /// Reads the bytes of a line that was not held from `input` (the input it came from, read
    /// again), so that it can be [`load`](Self::load)ed whole after all: for shapes that
    /// cannot be streamed.
    pub fn hold_from<R: Read + Seek>(&mut self, input: &mut R) -> io::Result<()> {
        if self.held {
            return Ok(());
        }
        input.seek(SeekFrom::Start(self.start))?;
        let mut bytes = Vec::new();
        input.take(self.len).read_to_end(&mut bytes)?;
        if bytes.len() as u64 != self.len {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        self.bytes = Shared::new(Held::Owned(bytes));
        self.held = true;
        Ok(())
    }

    /// The name of the line's response in messages (`file.jsonl:3`), as a whole read names it.
    pub fn name(&self) -> String {
        line_name(self.source.as_deref(), self.number)
    }

    /// An error met reading the line on its own (positions within the line), located in the
    /// whole input as a whole read locates it.
    pub fn locate(&self, e: LoadError) -> LoadError {
        if e.kind == ErrorKind::Encoding {
            // As a held line (and a whole read) reports it: the offset in the whole input
            // (after a byte-order mark), the line's number, no other change.
            let mut e = crate::load::shift_utf8_offset(e, self.offset);
            e.line = Some(self.number);
            e.source = self.source.clone();
            return e;
        }
        line_error(self.number, self.source.as_deref(), e)
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
/// at most 64 KiB of blank lines), in bounded memory. A first line longer than 1 MiB (a whole
/// response written on one line) is not held: it is stepped over, and only when another
/// object starts on a later line is it read again, a byte at a time, to check that it is one
/// complete value.
pub fn file_is_json_lines(path: &Path, source: Option<&str>) -> io::Result<bool> {
    const HELD: u64 = 1 << 20;
    if is_json_lines(&[], source) {
        return Ok(true);
    }
    let mut reader = BufReader::new(File::open(path)?);
    let mut head = Vec::new();
    (&mut reader).take(HELD).read_until(b'\n', &mut head)?;
    let long = !head.ends_with(b"\n") && head.len() as u64 == HELD;
    if long {
        let text = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&head);
        if text.trim_ascii_start().first() != Some(&b'{') {
            return Ok(false);
        }
        // Past the rest of the line, keeping nothing of it.
        let mut line_len = head.len() as u64;
        loop {
            let buf = reader.fill_buf()?;
            if buf.is_empty() {
                return Ok(false);
            }
            if let Some(at) = memchr::memchr(b'\n', buf) {
                reader.consume(at + 1);
                line_len += at as u64;
                break;
            }
            let n = buf.len();
            line_len += n as u64;
            reader.consume(n);
        }
        if next_value_start(&mut reader)? != Some(b'{') {
            return Ok(false);
        }
        return first_line_is_one_object(path, line_len);
    }
    head.extend(next_value_start(&mut reader)?);
    Ok(is_json_lines(&head, None))
}

/// The first byte that is not white space, past at most 64 KiB of it.
fn next_value_start(reader: &mut impl BufRead) -> io::Result<Option<u8>> {
    for _ in 0..1 << 16 {
        let Some(&b) = reader.fill_buf()?.first() else {
            return Ok(None);
        };
        reader.consume(1);
        if !b.is_ascii_whitespace() {
            return Ok(Some(b));
        }
    }
    Ok(None)
}

/// Whether the first `len` bytes of the file (a line without a newline) are one object and
/// white space, as [`is_json_lines`] judges a first line.
fn first_line_is_one_object(path: &Path, len: u64) -> io::Result<bool> {
    let mut line = BufReader::new(File::open(path)?).take(len);
    let mut bom = [0u8; 3];
    let n = line.read(&mut bom)?;
    let start: &[u8] = if bom[..n] == *b"\xEF\xBB\xBF" {
        &[]
    } else {
        &bom[..n]
    };
    let input = start.chain(line);
    let mut values =
        serde_json::Deserializer::from_reader(input).into_iter::<serde::de::IgnoredAny>();
    let one = matches!(values.next(), Some(Ok(_)));
    // Anything but white space after it on the line is a second value or a syntax error.
    Ok(one && values.next().is_none())
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
    fn long_lines_are_not_held_but_located() {
        let good = r#"{"pages": [{"page_number": 1, "items": []}]}"#;
        let inputs: Vec<Vec<u8>> = vec![
            format!("{good}\n\n{good}\r\n  \n{good}").into(),
            [BOM, format!("{good}\r\n{good}\n").as_bytes()].concat(),
            // Blank lines longer than the limit are still blank.
            format!("{}\n{good}\n{}\n", " ".repeat(100), "\u{3000}".repeat(40)).into(),
            [good.as_bytes(), b"\xFF\n"].concat(),
        ];
        for (k, input) in inputs.iter().enumerate() {
            let mut all = JsonLines::new(&input[..], Some("in.jsonl"));
            let mut long = JsonLines::new(&input[..], Some("in.jsonl")).hold_at_most(8);
            loop {
                let (a, b) = (all.next_line().unwrap(), long.next_line().unwrap());
                let (Some(a), Some(b)) = (a, b) else {
                    break;
                };
                assert!(a.is_held() && !b.is_held(), "case {k}");
                assert!(b.bytes().is_empty(), "case {k}");
                assert_eq!((a.number, a.offset, a.len), (b.number, b.offset, b.len));
                assert_eq!(a.len, a.bytes().len() as u64, "case {k}");
                let range = b.range();
                let in_file = &input[range.start as usize..range.end as usize];
                assert_eq!(in_file, a.bytes(), "case {k}");
                assert_eq!(b.name(), format!("in.jsonl:{}", b.number));
                let err = b.load().remove(0).unwrap_err();
                assert_eq!(err.line, Some(b.number), "case {k}");
                let mut b = b;
                b.hold_from(&mut io::Cursor::new(input)).unwrap();
                assert_eq!((b.is_held(), b.load()), (true, a.load()), "case {k}");
            }
            assert!(all.next_line().unwrap().is_none() && long.next_line().unwrap().is_none());
        }
    }

    #[test]
    fn errors_of_a_line_read_in_place_are_located_in_the_whole_input() {
        let good = r#"{"pages": [{"page_number": 1, "items": []}]}"#;
        let cut =
            r#"{"items": {"pages": [{"page_number": 1, "items": [{"type": "text", "md": "no end"#;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("in.jsonl");
        std::fs::write(&path, format!("{good}\n{cut}\n")).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        let mut lines = JsonLines::new(&bytes[..], Some("in.jsonl")).hold_at_most(0);
        lines.next_line().unwrap();
        let line = lines.next_line().unwrap().unwrap();
        let e = crate::lazy::LazyDocument::index_file_range_exact(&path, line.range(), Some("x"))
            .unwrap_err();
        let e = line.locate(e).to_string();
        // The message a whole read of the line gives, word for word.
        let mut held = line.clone();
        held.hold_from(&mut io::Cursor::new(&bytes)).unwrap();
        let whole = held.load().remove(0).unwrap_err().to_string();
        assert_eq!(e, whole);
        assert!(e.starts_with("in.jsonl: line 2 of JSON Lines: "), "{e}");
        assert!(
            e.ends_with(&format!("at line 2 column {}", cut.len())),
            "{e}"
        );
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
        // One object on a line of 3 MiB.
        let long = format!("{{\"md\": \"{}\"}}", "x".repeat(3 << 20)).into_bytes();
        for (text, yes) in [
            (&[one, &b"\n\n\n{\"pages\": []}\n"[..]].concat(), true),
            (&[one, &b"\n"[..]].concat(), false),
            (&b"{\n}\n{}"[..].to_vec(), false),
            // A first line longer than what is held: judged alike.
            (&[&long[..], &b"\n{}"[..]].concat(), true),
            (&[&long[..], &b"\n"[..]].concat(), false),
            (&long.clone(), false),
            (&[&long[..], &b" x\n{}"[..]].concat(), false),
            (&[&long[..long.len() - 1], &b"\n{}"[..]].concat(), false),
            (&[&b" ["[..], &long[..], &b"]\n{}"[..]].concat(), false),
            (
                &[&b"\xEF\xBB\xBF"[..], &long[..], &b"\n\n  {}"[..]].concat(),
                true,
            ),
        ] {
            std::fs::write(&path, text).unwrap();
            assert_eq!(file_is_json_lines(&path, None).unwrap(), yes);
        }
    }
}
