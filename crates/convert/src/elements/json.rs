//! One element as JSON, written by hand: the bytes serde_json writes for the derived
//! `Serialize` of [`Element`] (a test holds the two together), faster. Elements are mostly
//! strings (text, markdown, heading paths, ids), and serde_json looks up every byte of a
//! string in an escape table; here eight bytes are checked at a time and runs that need no
//! escape are copied whole. On the 310 MB bench input string escaping was ~8% of `convert`.

use super::schema::{Element, ElementBox, TableInfo};
use super::spans::TextRange;

/// An [`Element`] whose strings are borrowed: from the item it describes, the batch's ids and
/// heading paths, or an owned [`Element`]. `convert` writes elements from views, so the text,
/// markdown and heading path of ~480,000 elements (the 310 MB bench input) are not copied
/// into owned values only to be written out and freed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ElementView<'a> {
    pub id: &'a str,
    pub page: u32,
    pub kind: &'static str,
    pub unknown_type: Option<&'a str>,
    pub kind_inferred: bool,
    pub parent: Option<&'a str>,
    pub order: usize,
    pub depth: usize,
    pub level: Option<u8>,
    pub heading_path: &'a [String],
    pub furniture: Option<&'static str>,
    pub text: &'a str,
    pub md: &'a str,
    pub md_range: Option<TextRange>,
    pub table: Option<&'a TableInfo>,
    pub boxes: &'a [ElementBox],
    pub path: &'a str,
}

impl Element {
    /// This element as a view.
    pub(crate) fn view(&self) -> ElementView<'_> {
        ElementView {
            id: &self.id,
            page: self.page,
            kind: self.kind,
            unknown_type: self.unknown_type.as_deref(),
            kind_inferred: self.kind_inferred,
            parent: self.parent.as_deref(),
            order: self.order,
            depth: self.depth,
            level: self.level,
            heading_path: &self.heading_path,
            furniture: self.furniture,
            text: &self.text,
            md: &self.md,
            md_range: self.md_range,
            table: self.table.as_ref(),
            boxes: &self.boxes,
            path: &self.path,
        }
    }
}

impl ElementView<'_> {
    /// The owned element.
    pub(crate) fn to_element(self) -> Element {
        Element {
            id: self.id.to_owned(),
            page: self.page,
            kind: self.kind,
            unknown_type: self.unknown_type.map(str::to_owned),
            kind_inferred: self.kind_inferred,
            parent: self.parent.map(str::to_owned),
            order: self.order,
            depth: self.depth,
            level: self.level,
            heading_path: self.heading_path.to_vec(),
            furniture: self.furniture,
            text: self.text.to_owned(),
            md: self.md.to_owned(),
            md_range: self.md_range,
            table: self.table.cloned(),
            boxes: self.boxes.to_vec(),
            path: self.path.to_owned(),
        }
    }
}

/// Appends `e` as compact JSON, fields in declaration order.
pub(crate) fn write_element(out: &mut Vec<u8>, e: &ElementView<'_>) {
    out.extend_from_slice(b"{\"id\":");
    string(out, e.id);
    out.extend_from_slice(b",\"page\":");
    int(out, e.page as u64);
    out.extend_from_slice(b",\"kind\":");
    string(out, e.kind);
    if let Some(t) = e.unknown_type {
        out.extend_from_slice(b",\"unknown_type\":");
        string(out, t);
    }
    out.extend_from_slice(b",\"kind_inferred\":");
    out.extend_from_slice(if e.kind_inferred { b"true" } else { b"false" });
    out.extend_from_slice(b",\"parent\":");
    opt_string(out, e.parent);
    out.extend_from_slice(b",\"order\":");
    int(out, e.order as u64);
    out.extend_from_slice(b",\"depth\":");
    int(out, e.depth as u64);
    out.extend_from_slice(b",\"level\":");
    match e.level {
        Some(l) => int(out, l.into()),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"heading_path\":");
    list(out, e.heading_path, |out, h| string(out, h));
    out.extend_from_slice(b",\"furniture\":");
    opt_string(out, e.furniture);
    out.extend_from_slice(b",\"text\":");
    string(out, e.text);
    out.extend_from_slice(b",\"md\":");
    string(out, e.md);
    out.extend_from_slice(b",\"md_range\":");
    opt_range(out, e.md_range.as_ref());
    if let Some(t) = e.table {
        out.extend_from_slice(b",\"table\":");
        table(out, t);
    }
    out.extend_from_slice(b",\"boxes\":");
    list(out, e.boxes, element_box);
    out.extend_from_slice(b",\"path\":");
    string(out, e.path);
    out.push(b'}');
}

fn table(out: &mut Vec<u8>, t: &TableInfo) {
    out.extend_from_slice(b"{\"id\":");
    string(out, &t.id);
    out.extend_from_slice(b",\"rows\":");
    int(out, t.rows as u64);
    out.extend_from_slice(b",\"columns\":");
    int(out, t.columns as u64);
    out.extend_from_slice(b",\"merged_from_pages\":");
    match &t.merged_from_pages {
        Some(pages) => list(out, pages, |out, p| int(out, (*p).into())),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"merged_into_page\":");
    match t.merged_into_page {
        Some(p) => int(out, p.into()),
        None => out.extend_from_slice(b"null"),
    }
    out.push(b'}');
}

fn element_box(out: &mut Vec<u8>, b: &ElementBox) {
    for (name, v) in [
        (&b"{\"x\":"[..], b.x),
        (b",\"y\":", b.y),
        (b",\"w\":", b.w),
        (b",\"h\":", b.h),
    ] {
        out.extend_from_slice(name);
        opt_float(out, v);
    }
    out.extend_from_slice(b",\"normalized\":");
    match &b.normalized {
        Some(n) => list(out, n, |out, v| float(out, *v)),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"label\":");
    opt_string(out, b.label.as_deref());
    out.extend_from_slice(b",\"confidence\":");
    opt_float(out, b.confidence);
    out.extend_from_slice(b",\"span\":");
    opt_range(out, b.span.as_ref());
    out.extend_from_slice(b",\"problems\":");
    list(out, &b.problems, |out, p| string(out, p));
    out.push(b'}');
}

/// A JSON array of `items`, each written by `each`.
fn list<T>(out: &mut Vec<u8>, items: &[T], mut each: impl FnMut(&mut Vec<u8>, &T)) {
    out.push(b'[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        each(out, item);
    }
    out.push(b']');
}

fn opt_range(out: &mut Vec<u8>, r: Option<&TextRange>) {
    let Some(r) = r else {
        out.extend_from_slice(b"null");
        return;
    };
    out.extend_from_slice(b"{\"chars\":[");
    int(out, r.chars[0] as u64);
    out.push(b',');
    int(out, r.chars[1] as u64);
    out.extend_from_slice(b"],\"bytes\":[");
    int(out, r.bytes[0] as u64);
    out.push(b',');
    int(out, r.bytes[1] as u64);
    out.extend_from_slice(b"]}");
}

fn int(out: &mut Vec<u8>, n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    let mut n = n;
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

/// A float exactly as serde_json writes it (shortest round-trip form, `null` when not finite).
fn float(out: &mut Vec<u8>, v: f64) {
    serde_json::to_writer(out, &v).expect("writing to a Vec cannot fail");
}

fn opt_float(out: &mut Vec<u8>, v: Option<f64>) {
    match v {
        Some(v) => float(out, v),
        None => out.extend_from_slice(b"null"),
    }
}

fn opt_string(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => string(out, s),
        None => out.extend_from_slice(b"null"),
    }
}

/// `s` as a JSON string, escaped as serde_json escapes: `"` and `\`, the short forms `\b \f \n
/// \r \t`, other control bytes as `\u00XX` (lowercase hex); nothing else.
pub(crate) fn string(out: &mut Vec<u8>, s: &str) {
    let b = s.as_bytes();
    out.reserve(b.len() + 2);
    out.push(b'"');
    let mut from = 0;
    while let Some(k) = find_string_special(&b[from..], true) {
        let at = from + k;
        out.extend_from_slice(&b[from..at]);
        let c = b[at];
        match c {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.push(HEX[(c >> 4) as usize]);
                out.push(HEX[(c & 0xf) as usize]);
            }
        }
        from = at + 1;
    }
    out.extend_from_slice(&b[from..]);
    out.push(b'"');
}

/// Index of the first `"` or `\` in `s`, and with `control` the first byte below 0x20 too
/// (the bytes a JSON string must escape). Scans eight bytes at a time with the classic "has a
/// zero byte" and "has a byte below n" bit tricks; each is exact for the lowest byte it flags,
/// so the lowest flag of all is the first match.
#[inline]
fn find_string_special(s: &[u8], control: bool) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let zero = |v: u64| v.wrapping_sub(ONES) & !v;
    let mut i = 0;
    while i + 8 <= s.len() {
        let mut word = [0u8; 8];
        word.copy_from_slice(&s[i..i + 8]);
        let w = u64::from_le_bytes(word);
        let mut hits = zero(w ^ (ONES * u64::from(b'"'))) | zero(w ^ (ONES * u64::from(b'\\')));
        if control {
            hits |= w.wrapping_sub(ONES * 0x20) & !w;
        }
        hits &= HIGHS;
        if hits != 0 {
            return Some(i + (hits.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    s[i..]
        .iter()
        .position(|&c| c == b'"' || c == b'\\' || control && c < 0x20)
        .map(|k| i + k)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(text: &str) -> Element {
        let range = TextRange {
            chars: [3, 17],
            bytes: [3, 19],
        };
        Element {
            id: "p1-e2".into(),
            page: 1,
            kind: "table",
            unknown_type: Some("figure\"x".into()),
            kind_inferred: true,
            parent: Some("p1-e1".into()),
            order: 12_345_678_901,
            depth: 2,
            level: Some(6),
            heading_path: vec!["Scope \\ here".into(), text.into()],
            furniture: Some("header"),
            text: text.into(),
            md: format!("| {text} |"),
            md_range: Some(range),
            table: Some(TableInfo {
                id: "p001-t01".into(),
                rows: 3,
                columns: 0,
                merged_from_pages: Some(vec![1, 2, u32::MAX]),
                merged_into_page: None,
            }),
            boxes: vec![
                ElementBox {
                    x: Some(73.62),
                    y: Some(-0.0),
                    w: Some(1e21),
                    h: Some(f64::NAN),
                    normalized: Some([0.12029411764705883, 1.0, 5e-324, f64::INFINITY]),
                    label: Some("page-header".into()),
                    confidence: Some(0.86),
                    span: Some(range),
                    problems: vec!["negative", "outside_page"],
                },
                ElementBox {
                    x: None,
                    y: None,
                    w: None,
                    h: None,
                    normalized: None,
                    label: None,
                    confidence: None,
                    span: None,
                    problems: vec![],
                },
            ],
            path: "items.pages[0].items[3]".into(),
        }
    }

    /// Every byte value that needs an escape, at every offset within a word, among multi-byte
    /// characters and DEL (which is not escaped).
    fn texts() -> Vec<String> {
        let mut v = vec![String::new(), "plain".into(), "日本語 🍋 \u{7f}".into()];
        for c in (0u8..0x20).chain([b'"', b'\\']) {
            for at in 0..10 {
                let mut s = "é".repeat(at % 3) + &"a".repeat(at);
                s.push(char::from(c));
                s.push_str("tail ü");
                v.push(s);
            }
        }
        v
    }

    #[test]
    fn the_bytes_are_serde_jsons() {
        for t in texts() {
            let mut e = sample(&t);
            // Compared as debug text: the sample holds a NaN, which equals nothing.
            assert_eq!(format!("{:?}", e.view().to_element()), format!("{e:?}"));
            let mut out = Vec::new();
            write_element(&mut out, &e.view());
            assert_eq!(
                String::from_utf8(out).unwrap(),
                serde_json::to_string(&e).unwrap()
            );
            // The other arm of every optional field.
            e.unknown_type = None;
            e.parent = None;
            e.level = None;
            e.furniture = None;
            e.md_range = None;
            e.table.as_mut().unwrap().merged_from_pages = None;
            e.table.as_mut().unwrap().merged_into_page = Some(0);
            let mut out = Vec::new();
            write_element(&mut out, &e.view());
            assert_eq!(out, serde_json::to_vec(&e).unwrap());
            e.table = None;
            e.heading_path.clear();
            e.boxes.clear();
            let mut out = Vec::new();
            write_element(&mut out, &e.view());
            assert_eq!(out, serde_json::to_vec(&e).unwrap());
        }
    }
}
