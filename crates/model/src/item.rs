//! Page items: the nine kinds of the v2 `items` tree (plus unknown kinds, kept verbatim), table
//! cells and parse concerns.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Number, Value};

use crate::bbox::BBox;
use crate::wire::{Projection, wire_object};

wire_object! {
    /// One item of a page. The API's items are a tagged union; real data sometimes omits the
    /// tag and carries kinds we do not know, so the item is one struct of optional fields and
    /// [`Item::kind`] says what it is (from `type`, else inferred from the fields present).
    pub struct Item [skip_if markdown_only_skip] {
        /// The `type` tag as written (`text`, `heading`, `list`, `code`, `table`, `image`,
        /// `link`, `header`, `footer`, or anything else).
        type_name: String => "type",
        /// Markdown of the item, as the server rendered it.
        md: String => "md",
        /// Plain text (text, heading, code items).
        value: String => "value",
        /// Heading level, 1-6 (v1 wrote `lvl`).
        level: i64 => "level" | "lvl",
        /// Children: list entries (text and nested lists) or header/footer contents.
        items: Vec<Item> => "items",
        /// Whether a list is ordered.
        ordered: bool => "ordered",
        /// Code language.
        language: String => "language",
        /// Table cells, row by row.
        rows: Vec<Vec<Cell>> => "rows",
        /// Table as CSV text.
        csv: String => "csv",
        /// Table as HTML.
        html: String => "html",
        /// Pages whose tables the server merged into this one (on the table's first page).
        merged_from_pages: Vec<u32> => "merged_from_pages",
        /// On an empty stub table: the page where the merged table begins.
        merged_into_page: u32 => "merged_into_page",
        /// The server's quality concerns about a table.
        parse_concerns: Vec<ParseConcern> => "parse_concerns",
        /// v1 only: whether the server considered the table perfectly extracted.
        is_perfect_table: bool => "isPerfectTable",
        /// Image caption.
        caption: String => "caption",
        /// Image or link URL.
        url: String => "url",
        /// Link display text.
        text: String => "text",
        /// The item's boxes (segments); early v2 wrote `bBox`.
        bbox: Vec<BBox> => "bbox" | "bBox",
    }
}

/// Under [`Projection::edges_only`], every field but `type` and `md` once `type` is read.
/// Under [`Projection::markdown_only`]: whether field `i` of an item being read can be stepped
/// over because rendering markdown from the item tree would not read it, given the fields read
/// so far. A text item's `value` is read only when its `md` is empty or may start with a list
/// marker (the renderer then compares the two); a table's `csv` only when it has no cells
/// (its `html` and `md` are read: the renderer picks the most complete of `rows`, `html` and
/// `md`, and `csv` is never more than `rows`). Whatever was not read first is kept: with keys
/// in another order (client-library dumps write `type` last) nothing is skipped.
fn markdown_only_skip(item: &Item, i: usize, p: Projection) -> bool {
    // Field indexes in `Item::FIELDS` (checked by a test).
    const TYPE: usize = 0;
    const MD: usize = 1;
    const VALUE: usize = 2;
    const CSV: usize = 8;
    // Under `edges_only`: once `type` fixes the kind, only `md` is read.
    if p.edges_only && item.type_name.is_some() {
        return !matches!(i, TYPE | MD);
    }
    if !matches!(i, VALUE | CSV) || !p.markdown_only {
        return false;
    }
    match item.type_name.as_deref() {
        Some("text") if i == VALUE => item.md.as_deref().is_some_and(|md| {
            let marker = |c: char| matches!(c, '-' | '*' | '+') || c.is_ascii_digit();
            !md.is_empty() && !md.trim_start().starts_with(marker)
        }),
        Some("table") if i == CSV => item
            .rows
            .as_ref()
            .is_some_and(|rows| rows.iter().any(|r| !r.is_empty())),
        _ => false,
    }
}

/// What an item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum ItemKind {
    /// A paragraph.
    Text,
    /// A heading with a level.
    Heading,
    /// A list of text entries and nested lists.
    List,
    /// A code block.
    Code,
    /// A table.
    Table,
    /// An image.
    Image,
    /// A link.
    Link,
    /// A page-header container ("furniture").
    Header,
    /// A page-footer container ("furniture").
    Footer,
    /// A kind this version does not know; the item is kept verbatim.
    Unknown,
}

impl ItemKind {
    /// Every kind, in report order.
    pub const ALL: [ItemKind; 10] = [
        ItemKind::Text,
        ItemKind::Heading,
        ItemKind::List,
        ItemKind::Code,
        ItemKind::Table,
        ItemKind::Image,
        ItemKind::Link,
        ItemKind::Header,
        ItemKind::Footer,
        ItemKind::Unknown,
    ];

    /// The API's name of the kind (`unknown` for unknown kinds).
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Text => "text",
            ItemKind::Heading => "heading",
            ItemKind::List => "list",
            ItemKind::Code => "code",
            ItemKind::Table => "table",
            ItemKind::Image => "image",
            ItemKind::Link => "link",
            ItemKind::Header => "header",
            ItemKind::Footer => "footer",
            ItemKind::Unknown => "unknown",
        }
    }

    /// The kind named by a `type` tag, if it is one we know.
    pub fn from_tag(tag: &str) -> Option<ItemKind> {
        // Byte patterns compile to a length check and byte compares, where string patterns
        // call memcmp per candidate; writers ask for an item's kind many times.
        Some(match tag.as_bytes() {
            [b't', b'e', b'x', b't'] => ItemKind::Text,
            [b'h', b'e', b'a', b'd', b'i', b'n', b'g'] => ItemKind::Heading,
            [b'l', b'i', b's', b't'] => ItemKind::List,
            [b'c', b'o', b'd', b'e'] => ItemKind::Code,
            [b't', b'a', b'b', b'l', b'e'] => ItemKind::Table,
            [b'i', b'm', b'a', b'g', b'e'] => ItemKind::Image,
            [b'l', b'i', b'n', b'k'] => ItemKind::Link,
            [b'h', b'e', b'a', b'd', b'e', b'r'] => ItemKind::Header,
            [b'f', b'o', b'o', b't', b'e', b'r'] => ItemKind::Footer,
            _ => return None,
        })
    }

    /// Whether this is a header or footer container.
    pub fn is_furniture(self) -> bool {
        matches!(self, ItemKind::Header | ItemKind::Footer)
    }
}

impl fmt::Display for ItemKind {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Item {
    /// The item's kind: its `type` tag when present, else inferred from the fields present
    /// (`level` → heading, `rows`/`csv` → table, `ordered` → list, `language` → code,
    /// `caption`+`url` → image, `text`+`url` → link, otherwise text).
    pub fn kind(&self) -> ItemKind {
        match &self.type_name {
            Some(t) => ItemKind::from_tag(t).unwrap_or(ItemKind::Unknown),
            None => self.inferred_kind(),
        }
    }

    /// Whether the kind was inferred because the item has no `type` tag.
    pub fn kind_is_inferred(&self) -> bool {
        self.type_name.is_none()
    }

    fn inferred_kind(&self) -> ItemKind {
        if self.level.is_some() {
            ItemKind::Heading
        } else if self.rows.is_some() || self.csv.is_some() || self.html.is_some() {
            ItemKind::Table
        } else if self.ordered.is_some() {
            ItemKind::List
        } else if self.language.is_some() {
            ItemKind::Code
        } else if self.caption.is_some() && self.url.is_some() {
            ItemKind::Image
        } else if self.text.is_some() && self.url.is_some() {
            ItemKind::Link
        } else {
            ItemKind::Text
        }
    }

    /// The `type` tag when it names a kind we do not know.
    pub fn unknown_type(&self) -> Option<&str> {
        self.type_name
            .as_deref()
            .filter(|t| ItemKind::from_tag(t).is_none())
    }

    /// The item's markdown, or `""`.
    pub fn md(&self) -> &str {
        self.md.as_deref().unwrap_or("")
    }

    /// The item's plain text: `value`, else a link's `text`, else an image's `caption`,
    /// else the markdown.
    pub fn plain_text(&self) -> &str {
        self.value
            .as_deref()
            .or(self.text.as_deref())
            .or(self.caption.as_deref())
            .or(self.md.as_deref())
            .unwrap_or("")
    }

    /// The item's boxes (empty when missing or `null`).
    pub fn boxes(&self) -> &[BBox] {
        self.bbox.as_deref().unwrap_or(&[])
    }

    /// The children (list entries, header/footer contents); empty for other kinds.
    pub fn children(&self) -> &[Item] {
        self.items.as_deref().unwrap_or(&[])
    }

    /// The heading level clamped to 1..=6 (missing or junk levels become 1).
    pub fn heading_level(&self) -> u8 {
        self.level.unwrap_or(1).clamp(1, 6) as u8
    }

    /// The table rows (empty when missing).
    pub fn table_rows(&self) -> &[Vec<Cell>] {
        self.rows.as_deref().unwrap_or(&[])
    }

    /// Whether this table is an empty stub left behind by a cross-page merge.
    pub fn is_merged_stub(&self) -> bool {
        self.merged_into_page.is_some()
    }

    /// Whether this table is the full table of a cross-page merge.
    pub fn is_merged_table(&self) -> bool {
        self.merged_from_pages.as_ref().is_some_and(|p| p.len() > 1)
    }

    /// The parse concerns (empty when missing).
    pub fn concerns(&self) -> &[ParseConcern] {
        self.parse_concerns.as_deref().unwrap_or(&[])
    }
}

/// One table cell: the API allows strings, numbers and `null`; anything else is kept as JSON.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// An empty (`null`) cell.
    Null,
    /// A text cell.
    Text(String),
    /// A number cell, with its JSON number kept exactly.
    Number(Number),
    /// A boolean cell.
    Bool(bool),
    /// Anything else (arrays, objects), kept verbatim.
    Other(Value),
}

impl Cell {
    /// The cell as text: numbers keep their JSON text, `null` is empty.
    pub fn as_text(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Cell::Null => "".into(),
            Cell::Text(s) => s.as_str().into(),
            Cell::Number(n) => n.to_string().into(),
            Cell::Bool(b) => b.to_string().into(),
            Cell::Other(v) => v.to_string().into(),
        }
    }

    /// Whether the cell is null or only whitespace.
    pub fn is_blank(&self) -> bool {
        match self {
            Cell::Null => true,
            Cell::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }
}

impl<'de> Deserialize<'de> for Cell {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Cell;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a table cell (string, number or null)")
            }
            fn visit_unit<E>(self) -> Result<Cell, E> {
                Ok(Cell::Null)
            }
            fn visit_none<E>(self) -> Result<Cell, E> {
                Ok(Cell::Null)
            }
            fn visit_bool<E>(self, v: bool) -> Result<Cell, E> {
                Ok(Cell::Bool(v))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Cell, E> {
                Ok(Cell::Number(v.into()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Cell, E> {
                Ok(Cell::Number(v.into()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Cell, E> {
                Ok(Number::from_f64(v).map_or(Cell::Null, Cell::Number))
            }
            fn visit_str<E>(self, v: &str) -> Result<Cell, E> {
                Ok(Cell::Text(v.to_owned()))
            }
            fn visit_string<E>(self, v: String) -> Result<Cell, E> {
                Ok(Cell::Text(v))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Cell, A::Error> {
                Value::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(Cell::Other)
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Cell, A::Error> {
                Value::deserialize(de::value::MapAccessDeserializer::new(map)).map(Cell::Other)
            }
        }
        d.deserialize_any(V)
    }
}

impl Serialize for Cell {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Cell::Null => s.serialize_unit(),
            Cell::Text(t) => s.serialize_str(t),
            Cell::Number(n) => n.serialize(s),
            Cell::Bool(b) => s.serialize_bool(*b),
            Cell::Other(v) => v.serialize(s),
        }
    }
}

wire_object! {
    /// A parse concern written as an object `{type, details}`.
    pub struct ConcernObject {
        /// The concern type (an open set of strings).
        kind: String => "type",
        /// Human-readable details.
        details: String => "details",
    }
}

/// A server quality concern about a table: `{type, details}` objects, or plain strings in
/// responses saved in early March 2026.
#[derive(Debug, Clone, PartialEq)]
pub enum ParseConcern {
    /// The object form.
    Object(ConcernObject),
    /// The plain-string form: the string is the type.
    Plain(String),
}

impl ParseConcern {
    /// The concern type (`header_value_type_mismatch`, ...; `unspecified` when missing).
    pub fn kind(&self) -> &str {
        match self {
            ParseConcern::Object(o) => o.kind.as_deref().unwrap_or("unspecified"),
            ParseConcern::Plain(s) => s,
        }
    }

    /// The details, when given.
    pub fn details(&self) -> Option<&str> {
        match self {
            ParseConcern::Object(o) => o.details.as_deref(),
            ParseConcern::Plain(_) => None,
        }
    }
}

impl<'de> Deserialize<'de> for ParseConcern {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ParseConcern;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a parse concern (an object {type, details} or a string)")
            }
            fn visit_str<E>(self, v: &str) -> Result<ParseConcern, E> {
                Ok(ParseConcern::Plain(v.to_owned()))
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<ParseConcern, A::Error> {
                ConcernObject::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(ParseConcern::Object)
            }
        }
        d.deserialize_any(V)
    }
}

impl Serialize for ParseConcern {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            ParseConcern::Object(o) => o.serialize(s),
            ParseConcern::Plain(p) => s.serialize_str(p),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn item(v: Value) -> Item {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn tags_name_their_kinds() {
        for kind in ItemKind::ALL {
            let expected = (kind != ItemKind::Unknown).then_some(kind);
            assert_eq!(ItemKind::from_tag(kind.as_str()), expected, "{kind}");
        }
        for other in ["", "Text", "texts", "tex", "chart", "heading "] {
            assert_eq!(ItemKind::from_tag(other), None, "{other:?}");
        }
    }

    #[test]
    fn edges_only_reading_keeps_type_and_md_and_what_infers_a_kind() {
        let edges = Projection {
            edges_only: true,
            ..Projection::default()
        };
        let read = |json: &str| crate::wire::from_str::<Item>(json, edges).unwrap();
        let t = read(
            r#"{"type": "table", "md": "|a|", "rows": [["a"]], "items": [{"md": "x"}], "extra": 1, "value": "v"}"#,
        );
        assert_eq!((t.kind(), t.md()), (ItemKind::Table, "|a|"));
        assert!(t.rows.is_none() && t.items.is_none() && t.value.is_none() && t.unknown.is_empty());
        // Without `type` first, what infers the kind is kept.
        let h = read(r##"{"md": "# H", "level": 1, "type": "heading"}"##);
        assert_eq!((h.kind(), h.level), (ItemKind::Heading, Some(1)));
        let inferred = read(r#"{"md": "|a|", "rows": [["a"]]}"#);
        assert_eq!(inferred.kind(), ItemKind::Table);
    }

    #[test]
    fn markdown_only_reading_skips_what_markdown_does_not_read() {
        assert_eq!([Item::FIELDS[2].0, Item::FIELDS[8].0], ["value", "csv"]);
        let lean = Projection {
            skip: &[],
            markdown_only: true,
            edges_only: false,
        };
        let read = |json: &str| crate::wire::from_str::<Item>(json, lean).unwrap();
        // API order: the value of a plain paragraph is not needed.
        let text = read(r#"{"type": "text", "md": "A **b**", "value": "A b"}"#);
        assert_eq!((text.md.as_deref(), text.value), (Some("A **b**"), None));
        // Kept where the renderer reads it: an empty md, a possible list marker, other kinds,
        // and whenever `type`/`md` come after it.
        for json in [
            r#"{"type": "text", "md": "", "value": "v"}"#,
            r#"{"type": "text", "md": " 1. x", "value": "v"}"#,
            r#"{"type": "text", "md": "- x", "value": "v"}"#,
            r##"{"type": "heading", "md": "# v", "value": "v"}"##,
            r#"{"value": "v", "md": "x", "type": "text"}"#,
        ] {
            assert_eq!(read(json).value.as_deref(), Some("v"), "{json}");
        }
        // A table with cells loses its csv (its html may be the most complete rendering),
        // a table without cells keeps both.
        let t =
            read(r#"{"type": "table", "md": "|a|", "rows": [["a"]], "html": "<t>", "csv": "a"}"#);
        assert_eq!(
            (t.html.as_deref(), t.csv, t.rows.map(|r| r.len())),
            (Some("<t>"), None, Some(1))
        );
        let stub = read(r#"{"type": "table", "rows": [], "html": "<t>", "csv": "a"}"#);
        assert_eq!(
            (stub.html.as_deref(), stub.csv.as_deref()),
            (Some("<t>"), Some("a"))
        );
        // Without the projection everything is read.
        let all: Item =
            serde_json::from_str(r#"{"type": "text", "md": "x", "value": "v"}"#).unwrap();
        assert_eq!(all.value.as_deref(), Some("v"));
    }

    #[test]
    fn kinds_are_inferred_when_the_tag_is_missing() {
        assert_eq!(
            item(json!({"md": "# A", "level": 1})).kind(),
            ItemKind::Heading
        );
        assert_eq!(item(json!({"rows": []})).kind(), ItemKind::Table);
        assert_eq!(
            item(json!({"ordered": true, "items": []})).kind(),
            ItemKind::List
        );
        assert_eq!(
            item(json!({"language": "py", "value": ""})).kind(),
            ItemKind::Code
        );
        assert_eq!(
            item(json!({"caption": "c", "url": "u"})).kind(),
            ItemKind::Image
        );
        assert_eq!(
            item(json!({"text": "t", "url": "u"})).kind(),
            ItemKind::Link
        );
        assert_eq!(
            item(json!({"md": "x", "value": "x"})).kind(),
            ItemKind::Text
        );
        let chart = item(json!({"type": "chart", "series": [1, 2]}));
        assert_eq!(chart.kind(), ItemKind::Unknown);
        assert_eq!(chart.unknown_type(), Some("chart"));
        assert_eq!(chart.unknown["series"], json!([1, 2]));
    }

    #[test]
    fn cells_and_concerns_round_trip() {
        let v = json!({"type": "table", "rows": [["a", 1, 2.5, null, true, [1]]],
            "parse_concerns": ["multi_table_page", {"type": "x", "details": "d", "extra": 1}]});
        let it = item(v.clone());
        assert_eq!(serde_json::to_value(&it).unwrap(), v);
        let texts: Vec<_> = it.table_rows()[0]
            .iter()
            .map(|c| c.as_text().into_owned())
            .collect();
        assert_eq!(texts, ["a", "1", "2.5", "", "true", "[1]"]);
        assert_eq!(it.concerns()[0].kind(), "multi_table_page");
        assert_eq!(it.concerns()[1].details(), Some("d"));
    }

    #[test]
    fn v1_and_legacy_spellings() {
        let v = json!({"type": "heading", "lvl": 2, "bBox": [{"x": 1, "startIndex": 0}]});
        let it = item(v.clone());
        assert_eq!(it.heading_level(), 2);
        assert_eq!(it.boxes()[0].start_index, Some(0));
        assert_eq!(serde_json::to_value(&it).unwrap(), v);
    }
}
