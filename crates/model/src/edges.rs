//! The page-edge read behind [`ReadOptions::edges_only`](crate::ReadOptions::edges_only): an
//! `items.pages` entry of which only the items at each end of the page are parsed.
//!
//! Finding running heads and feet (`pagetree-convert`'s `furniture` module) looks at a page's
//! first and last [`EDGE`] items that are not header/footer containers, after the runs of
//! items that spell out the page's header or footer text (when the page has no containers);
//! the kind of every other item matters only as "is it a container", and nothing else about
//! it is read. So a page whose middle items are all plainly not containers gives the detector
//! exactly what it gets from the whole page when those items are left out: this module finds
//! the top-level items of the page's `items` array with a byte-level walk (strings by
//! `memchr`-like word scans, brackets counted, no value built), keeps from each end the
//! shortest run that holds [`EDGE`] + `words` items typed as something other than a
//! container, and parses the page with the middle cut out, under the same projection as a
//! full read.
//!
//! The walk checks the JSON it steps over at least as strictly as `serde_json` does when it
//! ignores a value (strings, escapes, numbers, literals, commas, colons, nesting), and the
//! middle items at least as strictly as the `edges_only` projection reads them (a string
//! `type` written first and unescaped, `md` a string or null, keys unescaped). Anything else
//! (broken JSON, a page whose `items` is missing, repeated or not an array, an item whose
//! `type` is not its first key, a container in the middle) gives `None`: the caller reads
//! the page as before, so errors and warnings are those of a full read.

use rayon::prelude::*;

use crate::error::LoadError;
use crate::item::{Item, ItemKind};
use crate::lazy::LazyDocument;
use crate::page::ItemsPage;
use crate::scan::ArrayPath;
use crate::stream::{Piece, PieceKind, RawPiece};
use crate::wire::{self, Projection};

/// How many items at each end of a page, containers aside, can be a running head or foot
/// (`pagetree-convert`'s `furniture::EDGE`; the tests there check the two agree).
pub(crate) const EDGE: usize = 2;

/// Nesting the walk follows inside an item before it gives up (serde_json stops at 128 levels
/// from the page; an item sits 2 below it).
const MAX_DEPTH: u32 = 64;

/// The page `text` (one `items.pages` entry, valid UTF-8) read under `p` with only its edge
/// items, when that is sure to give the detector what the whole page gives it; `words` is the
/// most words a header or footer text of the batch has (the runs of items that spell one out
/// are taken before the edge items). `None`: read the page whole.
pub(crate) fn read_page(text: &str, p: Projection, words: usize) -> Option<ItemsPage> {
    let mut w = Walk {
        b: text.as_bytes(),
        i: 0,
    };
    let Items { items, start, end } = w.page()?;
    let n = items.len();
    let need = EDGE
        + if items.iter().any(|i| i.container) {
            // A page with containers matches no header text to items.
            0
        } else {
            words
        };
    let body = |i: &Info| i.simple && !i.container;
    // The shortest runs from each end that hold `need` body items.
    let mut seen = 0;
    let front = items.iter().position(|i| {
        seen += usize::from(body(i));
        seen == need
    })? + 1;
    seen = 0;
    let back =
        n - items.iter().rev().position(|i| {
            seen += usize::from(body(i));
            seen == need
        })? - 1;
    if back <= front || !items[front..back].iter().all(body) {
        return None;
    }
    // The page's other fields, read as a full read reads them; then the kept items, built
    // from what the walk saw when they are plain, parsed on their own otherwise (the
    // projection is the same wherever an item sits).
    let mut rest = String::with_capacity(start + 2 + text.len() - end);
    rest.push_str(&text[..start]);
    rest.push_str("[]");
    rest.push_str(&text[end..]);
    let mut page = wire::from_str::<ItemsPage>(&rest, p).ok()?;
    let kept = items[..front].iter().chain(&items[back..]);
    page.items = Some(kept.map(|i| i.build(text, p)).collect::<Option<_>>()?);
    Some(page)
}

/// Where an item's last `md` was, and what it was.
#[derive(Debug, Clone, Copy)]
enum Md {
    Absent,
    Null,
    /// The string's contents, and whether they hold an escape.
    Text(usize, usize, bool),
}

/// What the walk saw of one top-level item.
#[derive(Debug, Clone, Copy)]
struct Info {
    start: usize,
    end: usize,
    /// An object whose first key is `type` with a plain string value, every later `type` a
    /// plain string too, every `md` a string or null, no key escaped: its edges-only read
    /// cannot fail, gives its last `type` and `md` and nothing else.
    simple: bool,
    /// A simple item whose kind is a header or footer container.
    container: bool,
    /// A simple item's last `type` (contents of the string).
    tag: (usize, usize),
    md: Md,
}

impl Info {
    /// The item as the `edges_only` projection reads it.
    fn build(&self, text: &str, p: Projection) -> Option<Item> {
        if !self.simple {
            return wire::from_str::<Item>(&text[self.start..self.end], p).ok();
        }
        let mut item = Item {
            type_name: Some(text[self.tag.0..self.tag.1].to_owned()),
            ..Item::default()
        };
        match self.md {
            Md::Absent => {}
            Md::Null => item.wire.set_null(MD, true),
            Md::Text(start, end, false) => item.md = Some(text[start..end].to_owned()),
            // With its quotes.
            Md::Text(start, end, true) => {
                item.md = Some(serde_json::from_str(&text[start - 1..end + 1]).ok()?);
            }
        }
        Some(item)
    }
}

/// The index of `md` in [`Item::FIELDS`] (checked by a test).
const MD: usize = 1;

/// The top-level items of a page, and where its `items` array is.
struct Items {
    items: Vec<Info>,
    start: usize,
    end: usize,
}

struct Walk<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Walk<'a> {
    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.b.get(self.i) {
            self.i += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        self.ws();
        (self.peek()? == c).then(|| self.i += 1)
    }

    /// Steps over what follows a member or element: `Some(true)` after a comma (another
    /// follows), `Some(false)` after `close`, `None` on anything else.
    fn more(&mut self, close: u8) -> Option<bool> {
        self.ws();
        let c = self.peek()?;
        self.i += 1;
        match c {
            b',' => Some(true),
            c if c == close => Some(false),
            _ => None,
        }
    }

    /// The page object: where its `items` array's items are.
    fn page(&mut self) -> Option<Items> {
        self.eat(b'{')?;
        let mut found = None;
        self.ws();
        if self.peek()? == b'}' {
            return None;
        }
        loop {
            self.ws();
            let (key, escaped) = self.string()?;
            self.eat(b':')?;
            self.ws();
            if escaped {
                return None;
            }
            if key == b"items" {
                if found.is_some() {
                    return None;
                }
                let start = self.i;
                let items = self.items()?;
                found = Some(Items {
                    items,
                    start,
                    end: self.i,
                });
            } else {
                self.value()?;
            }
            if !self.more(b'}')? {
                break;
            }
        }
        self.ws();
        (self.i == self.b.len()).then_some(())?;
        found
    }

    /// The `items` array.
    fn items(&mut self) -> Option<Vec<Info>> {
        self.eat(b'[')?;
        let mut items = Vec::new();
        self.ws();
        if self.peek()? == b']' {
            self.i += 1;
            return Some(items);
        }
        loop {
            self.ws();
            items.push(self.item()?);
            if !self.more(b']')? {
                return Some(items);
            }
        }
    }

    /// One item, stepped over; its kind when it is written the plain way.
    fn item(&mut self) -> Option<Info> {
        let start = self.i;
        let mut info = Info {
            start,
            end: start,
            simple: true,
            container: false,
            tag: (0, 0),
            md: Md::Absent,
        };
        if self.peek()? != b'{' {
            self.value()?;
            info.simple = false;
            info.end = self.i;
            return Some(info);
        }
        self.i += 1;
        self.ws();
        if self.peek()? == b'}' {
            // No `type`: its kind is inferred.
            self.i += 1;
            info.simple = false;
            info.end = self.i;
            return Some(info);
        }
        let mut first = true;
        loop {
            self.ws();
            let (key, escaped) = self.string()?;
            self.eat(b':')?;
            self.ws();
            let is_type = key == b"type";
            if escaped || (first && !is_type) {
                info.simple = false;
                self.value()?;
            } else if is_type {
                if self.peek()? == b'"' {
                    let from = self.i + 1;
                    let (tag, escaped) = self.string()?;
                    info.simple &= !escaped;
                    info.tag = (from, self.i - 1);
                    let kind = std::str::from_utf8(tag).ok().and_then(ItemKind::from_tag);
                    info.container = matches!(kind, Some(ItemKind::Header | ItemKind::Footer));
                } else {
                    info.simple = false;
                    self.value()?;
                }
            } else if key == b"md" {
                match self.peek()? {
                    b'"' => {
                        let from = self.i + 1;
                        let (md, escaped) = self.string()?;
                        // A lone surrogate escape is an error when `md` is built.
                        info.simple &= !(escaped && has_lone_surrogate(md));
                        info.md = Md::Text(from, self.i - 1, escaped);
                    }
                    b'n' => {
                        self.literal(b"null")?;
                        info.md = Md::Null;
                    }
                    _ => {
                        info.simple = false;
                        self.value()?;
                    }
                }
            } else {
                self.value()?;
            }
            first = false;
            if !self.more(b'}')? {
                break;
            }
        }
        info.container &= info.simple;
        info.end = self.i;
        Some(info)
    }

    /// A string at the cursor: its raw contents, and whether they hold an escape.
    fn string(&mut self) -> Option<(&'a [u8], bool)> {
        if self.peek()? != b'"' {
            return None;
        }
        let start = self.i + 1;
        let (end, escaped) = string(self.b, start)?;
        self.i = end;
        Some((&self.b[start..end - 1], escaped))
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        (self.b.get(self.i..self.i + word.len())? == word).then(|| self.i += word.len())
    }

    /// Steps over one value (whitespace before it already stepped over), checking it.
    fn value(&mut self) -> Option<()> {
        self.i = value(self.b, self.i)?;
        Some(())
    }
}

/// Steps over the JSON whitespace at `i`.
#[inline(always)]
fn ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r') {
        i += 1;
    }
    i
}

/// Steps over the rest of a string whose contents start at `i`, checking its escapes and
/// that it holds no control character: the index after its closing quote, and whether it
/// holds an escape.
#[inline(always)]
fn string(b: &[u8], mut i: usize) -> Option<(usize, bool)> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let zero = |v: u64| v.wrapping_sub(ONES) & !v;
    let mut escaped = false;
    loop {
        // Two words at a time (the test of `find_string_special`): most keys and short
        // values end there. Past them, `memchr2` (vector code) finds the next quote or
        // backslash, and the bytes it passed are checked for control characters by their
        // minimum, a loop without early exit that the compiler vectorises too.
        let mut words = 0;
        let mut found = false;
        while let Some(word) = b.get(i..i + 8) {
            let w = u64::from_le_bytes(word.try_into().expect("eight bytes"));
            let hits = (zero(w ^ (ONES * u64::from(b'"')))
                | zero(w ^ (ONES * u64::from(b'\\')))
                | (w.wrapping_sub(ONES * 0x20) & !w))
                & HIGHS;
            if hits != 0 {
                i += (hits.trailing_zeros() / 8) as usize;
                found = true;
                break;
            }
            i += 8;
            words += 1;
            if words == 2 {
                let k = memchr::memchr2(b'"', b'\\', &b[i..])?;
                if b[i..i + k].iter().fold(u8::MAX, |m, &c| m.min(c)) >= 0x20 {
                    i += k;
                    found = true;
                    break;
                }
                // A control character before it: found by the words.
                words = 0;
            }
        }
        // The last few bytes.
        while !found && i < b.len() && !matches!(b[i], b'"' | b'\\' | 0..0x20) {
            i += 1;
        }
        match *b.get(i)? {
            b'"' => return Some((i + 1, escaped)),
            b'\\' => {
                escaped = true;
                match *b.get(i + 1)? {
                    b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => i += 2,
                    b'u' => {
                        if !b.get(i + 2..i + 6)?.iter().all(u8::is_ascii_hexdigit) {
                            return None;
                        }
                        i += 6;
                    }
                    _ => return None,
                }
            }
            // A control character.
            _ => return None,
        }
    }
}

/// Steps over a number as JSON writes one, starting at `i`.
#[inline(always)]
fn number(b: &[u8], mut i: usize) -> Option<usize> {
    let digits = |mut i: usize| {
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        (i > start).then_some(i)
    };
    if b[i] == b'-' {
        i += 1;
    }
    i = match b.get(i)? {
        b'0' => i + 1,
        _ => digits(i)?,
    };
    if b.get(i) == Some(&b'.') {
        i = digits(i + 1)?;
    }
    if let Some(b'e' | b'E') = b.get(i) {
        i += 1;
        if let Some(b'+' | b'-') = b.get(i) {
            i += 1;
        }
        i = digits(i)?;
    }
    Some(i)
}

/// Steps over an object key at `i`, its colon and the whitespace after: where its value is.
#[inline(always)]
fn key(b: &[u8], i: usize) -> Option<usize> {
    if *b.get(i)? != b'"' {
        return None;
    }
    let i = ws(b, string(b, i + 1)?.0);
    (*b.get(i)? == b':').then(|| ws(b, i + 1))
}

/// Steps over one value at `i` (whitespace before it stepped over), checking it at least as
/// strictly as serde_json does when it ignores one, without recursion: `open` holds, bit by
/// bit, whether each open container is an object. The index after it.
fn value(b: &[u8], mut i: usize) -> Option<usize> {
    let (mut open, mut depth) = (0u64, 0u32);
    loop {
        match *b.get(i)? {
            b'"' => i = string(b, i + 1)?.0,
            c @ (b'{' | b'[') => {
                i = ws(b, i + 1);
                let object = c == b'{';
                if *b.get(i)? == if object { b'}' } else { b']' } {
                    i += 1;
                } else {
                    depth += 1;
                    if depth > MAX_DEPTH {
                        return None;
                    }
                    open = open << 1 | u64::from(object);
                    if object {
                        i = key(b, i)?;
                    }
                    continue;
                }
            }
            b'-' | b'0'..=b'9' => i = number(b, i)?,
            c @ (b't' | b'f' | b'n') => {
                let word: &[u8] = match c {
                    b't' => b"true",
                    b'f' => b"false",
                    _ => b"null",
                };
                if b.get(i..i + word.len())? != word {
                    return None;
                }
                i += word.len();
            }
            _ => return None,
        }
        // What follows a value: closing brackets, then a comma or the end.
        loop {
            if depth == 0 {
                return Some(i);
            }
            let mut c = *b.get(i)?;
            if c <= b' ' {
                i = ws(b, i);
                c = *b.get(i)?;
            }
            let object = open & 1 == 1;
            if c == b',' {
                i = ws(b, i + 1);
                if object {
                    i = key(b, i)?;
                }
                break;
            }
            if c != if object { b'}' } else { b']' } {
                return None;
            }
            i += 1;
            open >>= 1;
            depth -= 1;
        }
    }
}

/// Whether a string's raw contents (escapes already checked) escape a UTF-16 surrogate that
/// is not half of a pair, which serde_json refuses when it builds the string.
fn has_lone_surrogate(raw: &[u8]) -> bool {
    let hex = |at: usize| {
        raw.get(at..at + 4)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u16::from_str_radix(h, 16).ok())
    };
    let mut i = 0;
    while let Some(k) = memchr::memchr(b'\\', &raw[i..]) {
        i += k;
        if raw.get(i + 1) != Some(&b'u') {
            i += 2;
            continue;
        }
        match hex(i + 2) {
            Some(0xD800..=0xDBFF) => {
                let low = (raw.get(i + 6..i + 8) == Some(b"\\u"))
                    .then(|| hex(i + 8))
                    .flatten();
                if !matches!(low, Some(0xDC00..=0xDFFF)) {
                    return true;
                }
                i += 12;
            }
            Some(0xDC00..=0xDFFF) | None => return true,
            Some(_) => i += 6,
        }
    }
    false
}

/// Parses a batch's raw pieces under an `edges_only` projection, in parallel, in order:
/// `items.pages` entries with [`read_page`] where it can, everything else (and the pages it
/// leaves) with `whole`. The markdown pages go first: their header and footer texts bound the
/// runs of items that can spell one out.
pub(crate) fn parse_pieces<F>(
    lazy: &LazyDocument,
    raw: &[RawPiece],
    p: Projection,
    whole: F,
) -> Vec<Result<(usize, Piece), LoadError>>
where
    F: Fn(&RawPiece) -> Result<(usize, Piece), LoadError> + Sync,
{
    let is_page = |r: &RawPiece| r.kind == PieceKind::Page(ArrayPath::ItemsPages);
    let others: Vec<Option<Result<(usize, Piece), LoadError>>> = raw
        .par_iter()
        .map(|r| (!is_page(r)).then(|| whole(r)))
        .collect();
    // Markdown pages in the skeleton are joined into every batch.
    let skeleton = lazy
        .skeleton
        .markdown
        .as_ref()
        .and_then(|m| m.pages.as_ref());
    let words = others
        .iter()
        .filter_map(|r| match r {
            Some(Ok((_, Piece::Markdown(m)))) => Some(m),
            _ => None,
        })
        .chain(skeleton.into_iter().flatten())
        .map(|m| {
            let count =
                |t: &Option<String>| t.as_deref().map_or(0, |t| t.split_whitespace().count());
            count(&m.header).max(count(&m.footer))
        })
        .max()
        .unwrap_or(0);
    let pages: Vec<Option<Result<(usize, Piece), LoadError>>> = raw
        .par_iter()
        .map(|r| {
            is_page(r).then(|| {
                std::str::from_utf8(&r.bytes)
                    .ok()
                    .and_then(|text| read_page(text, p, words))
                    .map_or_else(|| whole(r), |page| Ok((r.index, Piece::Items(page))))
            })
        })
        .collect();
    others
        .into_iter()
        .zip(pages)
        .map(|(a, b)| a.or(b).expect("every piece is parsed once"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn md_is_the_field_the_index_says() {
        assert_eq!(Item::FIELDS[MD].0, "md");
    }

    /// The projection of the detection pass.
    const P: Projection = Projection {
        skip: &["bbox", "bBox"],
        markdown_only: true,
        edges_only: true,
    };

    fn text(md: &str) -> String {
        let md = serde_json::Value::from(md).to_string();
        format!(r#"{{"type": "text", "md": {md}, "value": {md}, "bbox": [{{"x": 1, "y": 2}}]}}"#)
    }

    fn page(items: &[String]) -> String {
        format!(
            r#"{{"page_number": 3, "page_width": 612.0, "items": [{}], "success": true}}"#,
            items.join(", ")
        )
    }

    fn lines(n: usize) -> Vec<String> {
        (0..n).map(|i| text(&format!("line {i}"))).collect()
    }

    /// The edge read of `json`, checked against the full read under the same projection: it
    /// may be `None`, but when it is not, the full read succeeds and the edge read's items
    /// are a run from the start of the full read's and a run from its end, all else equal.
    fn edge_read(json: &str, words: usize) -> Option<Vec<Item>> {
        let cut = read_page(json, P, words)?;
        let full = wire::from_str::<ItemsPage>(json, P)
            .unwrap_or_else(|e| panic!("the edge read took what a full read refuses: {e}\n{json}"));
        let (mut a, mut b) = (cut.clone(), full.clone());
        let (kept, all) = (a.items.take().unwrap(), b.items.take().unwrap());
        assert_eq!(a, b, "{json}");
        assert!(kept.len() < all.len(), "{json}");
        let split = (0..=kept.len())
            .any(|s| kept[..s] == all[..s] && kept[s..] == all[all.len() - (kept.len() - s)..]);
        assert!(split, "not the edges of the page: {json}");
        Some(kept)
    }

    fn mds(items: &[Item]) -> Vec<&str> {
        items.iter().map(Item::md).collect()
    }

    #[test]
    fn keeps_two_body_items_at_each_end_and_one_more_per_header_word() {
        let json = page(&lines(10));
        let kept = edge_read(&json, 0).unwrap();
        assert_eq!(mds(&kept), ["line 0", "line 1", "line 8", "line 9"]);
        let kept = edge_read(&json, 2).unwrap();
        assert_eq!(mds(&kept).len(), 8);
        // Nothing left to cut.
        assert!(read_page(&json, P, 3).is_none());
    }

    #[test]
    fn containers_at_the_edges_are_kept_and_not_counted() {
        let mut items = lines(8);
        items.insert(
            0,
            r#"{"type": "header", "md": "Head", "items": [{"type": "text", "md": "Head"}]}"#.into(),
        );
        items.push(r#"{"type": "footer", "md": "Foot"}"#.into());
        // Header text is not matched on a page with containers.
        let kept = edge_read(&page(&items), 5).unwrap();
        assert_eq!(
            mds(&kept),
            ["Head", "line 0", "line 1", "line 6", "line 7", "Foot"]
        );
    }

    #[test]
    fn a_container_or_an_unusual_item_in_the_middle_reads_the_page_whole() {
        for odd in [
            r#"{"type": "header", "md": "x"}"#,
            r#"{"type": "footer"}"#,
            r#"{"md": "type later", "type": "text"}"#,
            r#"{"md": "no type"}"#,
            r#"{}"#,
            r#"{"type": "text", "md": 5}"#,
            r#"{"type": "text", "md": ["a"]}"#,
            r#"{"type": "te\u0078t", "md": "escaped type"}"#,
            r#"{"type": null, "md": "null type"}"#,
            r#"{"type": "text", "type": 7}"#,
            r#"{"type": "text", "m\u0064": "escaped key"}"#,
            r#"{"type": "text", "md": "lone \ud800 surrogate"}"#,
            r#"{"type": "text", "md": "lone \ud800\u0041 surrogate"}"#,
            r#"{"type": "text", "md": "lone \udc00 trailing"}"#,
            r#"{"type": "text", "md": "lone at the end \ud83d"}"#,
            r#""a string""#,
            r#"[1, 2]"#,
        ] {
            let mut items = lines(8);
            items.insert(4, odd.into());
            let json = page(&items);
            assert!(read_page(&json, P, 0).is_none(), "{json}");
        }
    }

    #[test]
    fn unusual_items_at_the_edges_are_parsed_and_the_run_grows_past_them() {
        let mut items = lines(8);
        items.insert(0, r#"{"md": "type later", "type": "text"}"#.into());
        items.insert(1, r#"{"md": "no type"}"#.into());
        let kept = edge_read(&page(&items), 0).unwrap();
        assert_eq!(
            mds(&kept),
            [
                "type later",
                "no type",
                "line 0",
                "line 1",
                "line 6",
                "line 7"
            ]
        );
    }

    #[test]
    fn strings_escapes_nesting_and_key_order_in_the_middle_are_stepped_over() {
        let middle = [
            text(r#"brackets ] } [ { and "quotes" and \ backslashes"#),
            text("escapes \u{1} \t \n \u{e9} \u{1F600}"),
            r#"{"type": "list", "md": "- a", "items": [{"type": "text", "md": "a", "items": [[[{}]]]}], "ordered": false}"#.into(),
            r#"{"type": "table", "md": "|a|", "rows": [[{"md": "}"}]], "n": -1.5e+3, "z": [true, false, null, 0, 0.25, 1E2]}"#.into(),
            r#"{"type": "text", "md": "surrogate pair \ud83d\ude00 and \u00e9 and \/"}"#.into(),
            r#"{"type": "text", "md": null}"#.into(),
            r#"{"type": "text"}"#.into(),
            r#"{"type": "mystery", "md": "unknown kind", "type": "text"}"#.into(),
            " {\n\t\"type\" :\r\n \"code\" , \"md\" : \"x\" } ".into(),
        ];
        let mut items = lines(4);
        items.splice(2..2, middle.iter().cloned());
        // `items` neither first nor last among the page's keys.
        let json = page(&items);
        let kept = edge_read(&json, 0).unwrap();
        assert_eq!(mds(&kept), ["line 0", "line 1", "line 2", "line 3"]);
        // Items first, whitespace around everything.
        let json = format!(
            " {{ \"items\" : [ {} ] , \"page_number\" : 1 }} ",
            items.join(" ,\n")
        );
        assert_eq!(edge_read(&json, 0).map(|k| k.len()), Some(4));
    }

    #[test]
    fn plain_edge_items_are_built_as_the_full_read_builds_them() {
        for odd in [
            r#"{"type": "text", "md": null}"#,
            r#"{"type": "text"}"#,
            r#"{"type": "text", "md": "a", "md": null}"#,
            r#"{"type": "text", "md": null, "md": "b"}"#,
            r#"{"type": "heading", "md": "x", "type": "text", "level": 2}"#,
            r#"{"type": "text", "md": "esc \" \\ \/ \b \f \n \r \t \u00e9 \ud83d\ude00"}"#,
            r#"{"type": "mystery", "md": "unknown", "extra": {"a": [1]}}"#,
            r#"{"type": "list", "md": "- a", "items": [{"type": "text", "md": "a"}]}"#,
            r#"{"type": "header", "md": "h", "items": [{"type": "text", "md": "h"}]}"#,
            r#"{"type": "", "md": ""}"#,
        ] {
            let mut items = lines(8);
            items.insert(0, odd.into());
            items.push(odd.into());
            let json = page(&items);
            let kept = edge_read(&json, 0).unwrap_or_else(|| panic!("{json}"));
            assert!(kept.len() >= 4, "{json}");
        }
    }

    #[test]
    fn small_empty_and_odd_pages_are_read_whole() {
        for json in [
            page(&[]),
            page(&lines(1)),
            page(&lines(4)),
            r#"{"page_number": 1}"#.into(),
            r#"{"page_number": 1, "items": null}"#.into(),
            r#"{"page_number": 1, "items": {}}"#.into(),
            format!(r#"{{"items": [{}], "items": []}}"#, lines(9).join(",")),
            format!(r#"{{"it\u0065ms": [{}]}}"#, lines(9).join(",")),
            format!(r#"{{"items": [{}]}} x"#, lines(9).join(",")),
            format!(r#"[{}]"#, lines(9).join(",")),
        ] {
            assert!(read_page(&json, P, 0).is_none(), "{json}");
        }
    }

    #[test]
    fn a_control_character_anywhere_in_a_long_string_is_refused() {
        let long = "x".repeat(70);
        for at in [0, 3, 8, 15, 16, 17, 40, 69] {
            let (a, b) = long.split_at(at);
            for odd in [
                format!("{{\"type\": \"text\", \"md\": \"{a}\u{1}{b}\"}}"),
                format!("{{\"type\": \"text\", \"value\": \"{a}\n{b}\"}}"),
                format!("{{\"type\": \"text\", \"{a}\t{b}\": 1}}"),
            ] {
                let mut items = lines(8);
                items.insert(4, odd);
                assert!(read_page(&page(&items), P, 0).is_none(), "{at}");
            }
            // Escaped, it is fine.
            let mut items = lines(8);
            items.insert(
                4,
                format!("{{\"type\": \"text\", \"md\": \"{a}\\n\\u0001{b}\"}}"),
            );
            assert!(edge_read(&page(&items), 0).is_some(), "{at}");
        }
    }

    #[test]
    fn deep_nesting_in_the_middle_is_left_to_the_full_read() {
        let deep = format!(
            r#"{{"type": "text", "md": "d", "x": {}{}}}"#,
            "[".repeat(200),
            "]".repeat(200)
        );
        let mut items = lines(8);
        items.insert(4, deep);
        assert!(read_page(&page(&items), P, 0).is_none());
        let mut items = lines(8);
        items.insert(
            4,
            format!(
                r#"{{"type": "text", "x": {}{}}}"#,
                "[".repeat(40),
                "]".repeat(40)
            ),
        );
        assert!(edge_read(&page(&items), 0).is_some());
    }

    /// Broken JSON anywhere is never taken: thousands of pages with one byte changed, removed
    /// or doubled are each either refused by the edge read or read whole without an error,
    /// with the same edges.
    #[test]
    fn a_changed_byte_never_passes_unless_a_full_read_takes_it() {
        let mut items = lines(3);
        items.push(text(r#"a "quoted" \ line ] }"#));
        items.push(r#"{"type": "list", "md": "- a", "items": [{"type": "text", "md": "a"}], "ordered": false, "n": [-0.5e-3, 12, true, null]}"#.into());
        items.extend(lines(3));
        let base = page(&items);
        let swaps = b"\"\\{}[],: 0-.eE+tfnu9aA/\t\n\x01";
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        let (mut taken, mut refused) = (0, 0);
        for _ in 0..20_000 {
            let mut b = base.clone().into_bytes();
            let at = next(b.len());
            match next(3) {
                0 => b[at] = swaps[next(swaps.len())],
                1 => {
                    b.remove(at);
                }
                _ => b.insert(at, b[at]),
            }
            let json = String::from_utf8(b).expect("ASCII");
            match edge_read(&json, 0) {
                Some(_) => taken += 1,
                None => refused += 1,
            }
        }
        assert!(
            taken > 1000 && refused > 1000,
            "{taken} taken, {refused} refused"
        );
    }
}
