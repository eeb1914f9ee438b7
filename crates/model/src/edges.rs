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
use crate::item::ItemKind;
use crate::lazy::LazyDocument;
use crate::page::ItemsPage;
use crate::scan::{ArrayPath, find_string_special};
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
    let array = w.page()?;
    let n = array.items.len();
    let need = EDGE + if array.items.iter().any(|i| i.container) {
        // A page with containers matches no header text to items.
        0
    } else {
        words
    };
    let body = |i: &Info| i.simple && !i.container;
    // The shortest runs from each end that hold `need` body items.
    let mut seen = 0;
    let front = array.items.iter().position(|i| {
        seen += usize::from(body(i));
        seen == need
    })? + 1;
    seen = 0;
    let back = n - array.items.iter().rev().position(|i| {
        seen += usize::from(body(i));
        seen == need
    })? - 1;
    if back <= front || !array.items[front..back].iter().all(body) {
        return None;
    }
    let (first, last) = (&array.items[front - 1], &array.items[back]);
    let mut cut = String::with_capacity(first.end + (text.len() - last.start) + 1);
    cut.push_str(&text[..first.end]);
    cut.push(',');
    cut.push_str(&text[last.start..]);
    wire::from_str::<ItemsPage>(&cut, p).ok()
}

/// What the walk saw of one top-level item.
#[derive(Debug, Clone, Copy)]
struct Info {
    start: usize,
    end: usize,
    /// An object whose first key is `type` with a plain string value, every later `type` a
    /// plain string too, every `md` a string or null, no key escaped: its edges-only read
    /// cannot fail and its kind is its last `type`.
    simple: bool,
    /// A simple item whose kind is a header or footer container.
    container: bool,
}

struct Items {
    items: Vec<Info>,
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
                found = Some(self.items()?);
            } else {
                self.value()?;
            }
            self.ws();
            match self.peek()? {
                b',' => self.i += 1,
                b'}' => {
                    self.i += 1;
                    break;
                }
                _ => return None,
            }
        }
        self.ws();
        (self.i == self.b.len()).then_some(())?;
        found
    }

    /// The `items` array.
    fn items(&mut self) -> Option<Items> {
        self.eat(b'[')?;
        let mut items = Vec::new();
        self.ws();
        if self.peek()? == b']' {
            self.i += 1;
            return Some(Items { items });
        }
        loop {
            self.ws();
            items.push(self.item()?);
            self.ws();
            match self.peek()? {
                b',' => self.i += 1,
                b']' => {
                    self.i += 1;
                    return Some(Items { items });
                }
                _ => return None,
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
                    let (tag, escaped) = self.string()?;
                    info.simple &= !escaped;
                    let kind = std::str::from_utf8(tag).ok().and_then(ItemKind::from_tag);
                    info.container = matches!(kind, Some(ItemKind::Header | ItemKind::Footer));
                } else {
                    info.simple = false;
                    self.value()?;
                }
            } else if key == b"md" {
                match self.peek()? {
                    b'"' => {
                        let (md, escaped) = self.string()?;
                        // A lone surrogate escape is an error when `md` is built.
                        info.simple &= !(escaped && has_surrogate_escape(md));
                    }
                    b'n' => self.literal(b"null")?,
                    _ => {
                        info.simple = false;
                        self.value()?;
                    }
                }
            } else {
                self.value()?;
            }
            first = false;
            self.ws();
            match self.peek()? {
                b',' => self.i += 1,
                b'}' => {
                    self.i += 1;
                    break;
                }
                _ => return None,
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
        self.i += 1;
        let start = self.i;
        let mut escaped = false;
        loop {
            self.i += find_string_special(&self.b[self.i..], true)?;
            match self.b[self.i] {
                b'"' => {
                    self.i += 1;
                    return Some((&self.b[start..self.i - 1], escaped));
                }
                b'\\' => {
                    escaped = true;
                    match *self.b.get(self.i + 1)? {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => self.i += 2,
                        b'u' => {
                            let hex = self.b.get(self.i + 2..self.i + 6)?;
                            if !hex.iter().all(u8::is_ascii_hexdigit) {
                                return None;
                            }
                            self.i += 6;
                        }
                        _ => return None,
                    }
                }
                // A control character.
                _ => return None,
            }
        }
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        (self.b.get(self.i..self.i + word.len())? == word).then(|| self.i += word.len())
    }

    /// A number as JSON writes one.
    fn number(&mut self) -> Option<()> {
        let digits = |w: &mut Self| {
            let start = w.i;
            while w.peek().is_some_and(|c| c.is_ascii_digit()) {
                w.i += 1;
            }
            (w.i > start).then_some(())
        };
        if self.peek()? == b'-' {
            self.i += 1;
        }
        if self.peek()? == b'0' {
            self.i += 1;
        } else {
            digits(self)?;
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            digits(self)?;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.i += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.i += 1;
            }
            digits(self)?;
        }
        Some(())
    }

    /// Steps over one value (whitespace before it already stepped over), checking it, without
    /// recursion: `open` holds, bit by bit, whether each open container is an object.
    fn value(&mut self) -> Option<()> {
        let (mut open, mut depth) = (0u64, 0u32);
        loop {
            // A value.
            match self.peek()? {
                b'"' => {
                    self.string()?;
                }
                c @ (b'{' | b'[') => {
                    self.i += 1;
                    self.ws();
                    let close = if c == b'{' { b'}' } else { b']' };
                    if self.peek()? == close {
                        self.i += 1;
                    } else {
                        depth += 1;
                        if depth > MAX_DEPTH {
                            return None;
                        }
                        open = open << 1 | u64::from(c == b'{');
                        if c == b'{' {
                            self.key()?;
                        }
                        self.ws();
                        continue;
                    }
                }
                b't' => self.literal(b"true")?,
                b'f' => self.literal(b"false")?,
                b'n' => self.literal(b"null")?,
                b'-' | b'0'..=b'9' => self.number()?,
                _ => return None,
            }
            // What follows it: closing brackets, then a comma or the end.
            loop {
                if depth == 0 {
                    return Some(());
                }
                self.ws();
                let object = open & 1 == 1;
                match self.peek()? {
                    b',' => {
                        self.i += 1;
                        self.ws();
                        if object {
                            self.key()?;
                            self.ws();
                        }
                        break;
                    }
                    b'}' if object => {}
                    b']' if !object => {}
                    _ => return None,
                }
                self.i += 1;
                open >>= 1;
                depth -= 1;
            }
        }
    }

    /// An object key and its colon.
    fn key(&mut self) -> Option<()> {
        self.ws();
        self.string()?;
        self.eat(b':')
    }
}

/// Whether a string's raw contents escape a UTF-16 surrogate (`\uD800`-`\uDFFF`).
fn has_surrogate_escape(raw: &[u8]) -> bool {
    let mut i = 0;
    while let Some(k) = memchr::memchr(b'\\', &raw[i..]) {
        i += k;
        match raw.get(i + 1) {
            Some(b'u') => {
                if let [d, h, ..] = raw[i + 2..] {
                    if matches!(d, b'd' | b'D') && !matches!(h, b'0'..=b'7') {
                        return true;
                    }
                }
                i += 6;
            }
            _ => i += 2,
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
    let skeleton = lazy.skeleton.markdown.as_ref().and_then(|m| m.pages.as_ref());
    let words = others
        .iter()
        .filter_map(|r| match r {
            Some(Ok((_, Piece::Markdown(m)))) => Some(m),
            _ => None,
        })
        .chain(skeleton.into_iter().flatten())
        .map(|m| {
            let count = |t: &Option<String>| t.as_deref().map_or(0, |t| t.split_whitespace().count());
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
