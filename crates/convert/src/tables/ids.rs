//! Stable table ids (`p003-t01`), shared by every writer that names a table.

use pagetree_model::{Document, ItemKind, ItemRef};

/// The id of the `n`-th table (1-based) on a page: `p003-t01`. Numbers wider than the padding
/// simply grow (`p1204-t100`).
pub fn table_id(page: u32, n: usize) -> String {
    format!("p{page:03}-t{n:02}")
}

/// The id of every table item, as `(walk index, id)` in walk order ([`Document::walk`]).
///
/// Tables are numbered per page in reading order, nested tables included, and every table
/// item counts, merge stubs too: so ids do not move when a merge or stitch changes, and a
/// stub can be named in reports. A table merged across pages keeps the id of its first part.
///
/// ```
/// let doc = pagetree_model::load_document(br#"{"pages": [
///   {"page_number": 3, "items": [{"type": "text", "md": "x"}, {"type": "table", "rows": [["a"]]},
///                                {"type": "table", "rows": [["b"]]}]}]}"#, None).unwrap();
/// assert_eq!(pagetree_convert::tables::table_ids(&doc),
///     [(1, "p003-t01".to_string()), (2, "p003-t02".to_string())]);
/// ```
pub fn table_ids(doc: &Document) -> Vec<(usize, String)> {
    ids_of(&doc.walk())
}

/// [`table_ids`] over an existing walk (saves walking twice).
pub(crate) fn ids_of(walk: &[ItemRef<'_>]) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut page = None;
    let mut n = 0;
    for r in walk.iter().filter(|r| r.item.kind() == ItemKind::Table) {
        if page != Some(r.page) {
            page = Some(r.page);
            n = 0;
        }
        n += 1;
        out.push((r.index, table_id(r.page, n)));
    }
    out
}
