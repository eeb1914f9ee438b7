//! Whether a table item's representations (`rows`, `html`, `csv`, `md`) hold the same cell
//! grid, and where they first part. The table-quality report builds on this.

use pagetree_model::Item;
use serde::Serialize;

use super::csv_in::grid_from_csv;
use super::grid::{Grid, Source, grid_from_rows};
use super::html::grid_from_html;
use super::md::grid_from_md;

/// The grids of every representation a table item carries. A representation is present when
/// its field is there and not empty (`rows: []` and `html: ""` count as absent); a present one
/// that holds no table (an `md` that is plain text) gives an empty grid.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Representations {
    /// From `rows`.
    pub rows: Option<Grid>,
    /// From `html`.
    pub html: Option<Grid>,
    /// From `csv`.
    pub csv: Option<Grid>,
    /// From `md`.
    pub md: Option<Grid>,
}

impl Representations {
    /// Reads every present representation of a table item.
    pub fn of(item: &Item) -> Self {
        Representations {
            rows: Some(item.table_rows())
                .filter(|r| !r.is_empty())
                .map(grid_from_rows),
            html: non_blank(&item.html).map(grid_from_html),
            csv: non_blank(&item.csv).map(grid_from_csv),
            md: non_blank(&item.md).map(grid_from_md),
        }
    }

    /// The grid read from one representation.
    pub fn get(&self, source: Source) -> Option<&Grid> {
        match source {
            Source::Rows => self.rows.as_ref(),
            Source::Html => self.html.as_ref(),
            Source::Csv => self.csv.as_ref(),
            Source::Md => self.md.as_ref(),
        }
    }

    /// The grid to export: the first non-empty one in the order `rows`, `html`, `csv`, `md`.
    pub fn preferred(&self) -> Option<&Grid> {
        Source::ALL
            .into_iter()
            .filter_map(|s| self.get(s))
            .find(|g| !g.is_empty())
    }
}

fn non_blank(s: &Option<String>) -> Option<&str> {
    s.as_deref().filter(|s| !s.trim().is_empty())
}

/// The first slot where two grids differ. `None` on a side means the grid has no such slot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    /// Row (0-based).
    pub row: usize,
    /// Column (0-based).
    pub column: usize,
    /// The reference grid's text there.
    pub reference: Option<String>,
    /// The other grid's text there.
    pub other: Option<String>,
}

/// How one representation compares with the reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Comparison {
    /// The representation compared.
    pub source: Source,
    /// Its `[rows, columns]`.
    pub shape: [usize; 2],
    /// Whether every slot matches (see [`compare`]).
    pub agrees: bool,
    /// The first slot that does not, in row-major order.
    pub first_difference: Option<Difference>,
}

/// Whether a table's representations agree with each other.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Agreement {
    /// The representation the others are compared with: `rows` when present, else the first
    /// non-empty one; `None` when the item has no table at all.
    pub reference: Option<Source>,
    /// The reference's `[rows, columns]`.
    pub shape: [usize; 2],
    /// Whether every other present representation agrees with the reference.
    pub all_agree: bool,
    /// One comparison per other present representation, in the order `rows`, `html`, `csv`,
    /// `md`.
    pub compared: Vec<Comparison>,
}

impl Agreement {
    /// Compares every present representation with the reference.
    pub fn of(reps: &Representations) -> Self {
        let reference = reps
            .rows
            .as_ref()
            .filter(|g| !g.is_empty())
            .or_else(|| reps.preferred());
        let Some(reference) = reference else {
            return Agreement {
                reference: None,
                shape: [0, 0],
                all_agree: true,
                compared: Vec::new(),
            };
        };
        let compared: Vec<Comparison> = Source::ALL
            .into_iter()
            .filter(|s| Some(*s) != reference.source)
            .filter_map(|s| reps.get(s))
            .map(|g| {
                let first_difference = compare(reference, g);
                Comparison {
                    source: g.source.unwrap_or(Source::Rows),
                    shape: [g.rows(), g.columns()],
                    agrees: first_difference.is_none(),
                    first_difference,
                }
            })
            .collect();
        Agreement {
            reference: reference.source,
            shape: [reference.rows(), reference.columns()],
            all_agree: compared.iter().all(|c| c.agrees),
            compared,
        }
    }
}

/// The first slot (row-major) where two grids differ, or `None` when they hold the same cells.
///
/// Two grids agree when they have the same rows, each of the same length, and every pair of
/// cells has the same text up to presentation: whitespace is ignored (the representations
/// break lines differently: `<br>` in HTML, `\n` or nothing in `rows`) and so are HTML tags
/// written as text (`rows` may keep `<sup>1</sup>` or `<br/>` where `html` and `md` render
/// them). A slot
/// covered by a spanning cell matches either `""` or the spanning cell's text, since the server
/// writes both (span text repeated in `rows`, only in the top-left cell in `html`). A missing
/// slot (a shorter row) differs from an empty cell.
///
/// ```
/// use pagetree_convert::tables::{compare, grid_from_html, grid_from_md};
/// let html = grid_from_html("<table><tr><th colspan=2>A</th></tr><tr><td>x<br>y</td><td>1</td></tr></table>");
/// let md = grid_from_md("|A|A|\n|-|-|\n|x y|1|");
/// assert_eq!(compare(&md, &html), None);
/// let d = compare(&md, &grid_from_md("|A|A|\n|-|-|\n|x y|")).unwrap();
/// assert_eq!((d.row, d.column, d.other), (1, 1, None));
/// ```
pub fn compare(reference: &Grid, other: &Grid) -> Option<Difference> {
    let rows = reference.rows().max(other.rows());
    for r in 0..rows {
        let ra = reference.cells.get(r).map_or(0, Vec::len);
        let rb = other.cells.get(r).map_or(0, Vec::len);
        for c in 0..ra.max(rb) {
            if !slot_matches(reference, other, r, c) {
                let text = |g: &Grid| g.cells.get(r).and_then(|row| row.get(c)).cloned();
                return Some(Difference {
                    row: r,
                    column: c,
                    reference: text(reference),
                    other: text(other),
                });
            }
        }
    }
    None
}

fn slot_matches(a: &Grid, b: &Grid, r: usize, c: usize) -> bool {
    let (Some(ta), Some(tb)) = (slot(a, r, c), slot(b, r, c)) else {
        return slot(a, r, c).is_none() && slot(b, r, c).is_none();
    };
    // The same text normalises the same: most slots, and nothing to compare further.
    if ta == tb {
        return true;
    }
    // A covered slot may also hold its spanning cell's text.
    let ca = [Some(ta), a.covered_by(r, c).map(|_| a.spread_text(r, c))];
    let cb = [Some(tb), b.covered_by(r, c).map(|_| b.spread_text(r, c))];
    ca.iter().flatten().any(|x| {
        cb.iter()
            .flatten()
            .any(|y| normalized_chars(x).eq(normalized_chars(y)))
    })
}

fn slot(g: &Grid, r: usize, c: usize) -> Option<&str> {
    g.cells.get(r)?.get(c).map(String::as_str)
}

/// Cell text up to presentation, for comparisons: HTML tags written as text (`<br/>`,
/// `<sup>`) and all whitespace removed.
#[cfg(test)]
fn normalize(s: &str) -> String {
    normalized_chars(s).collect()
}

/// The characters of [`normalize`]d text, one by one: comparing these builds no strings
/// (comparing every slot of every table's representations was a sixth of `tables`).
fn normalized_chars(s: &str) -> impl Iterator<Item = char> + '_ {
    let mut rest = s;
    std::iter::from_fn(move || {
        loop {
            let c = rest.chars().next()?;
            if c == '<'
                && let Some(n) = tag_len(rest)
            {
                rest = &rest[n..];
                continue;
            }
            rest = &rest[c.len_utf8()..];
            if !c.is_whitespace() {
                return Some(c);
            }
        }
    })
}

/// The length of the HTML tag at the start of `s` (`<br/>`, `</sup>`, `<td class="x">`), if
/// it is one. Shared with the quality checks' markup-residue detection.
pub(crate) fn tag_len(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let name_at = if b.get(1) == Some(&b'/') { 2 } else { 1 };
    if !b.get(name_at).is_some_and(u8::is_ascii_alphabetic) {
        return None;
    }
    let end = s.find('>')?;
    // A `<` before the `>` means this was not a tag ("<a <b>" is text, then a tag).
    (!s[1..end].contains('<')).then_some(end + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(rows: &[&[&str]]) -> Grid {
        crate::tables::grid_of(rows, Some(Source::Rows))
    }

    #[test]
    fn normalization() {
        assert_eq!(normalize(" eat-4<br/>Threshold "), "eat-4Threshold");
        assert_eq!(normalize("a\n b<BR >c"), "abc");
        assert_eq!(normalize("<sup>1</sup> All"), "1All");
        assert_eq!(normalize("1 < 2 and 3 > 2"), "1<2and3>2");
        assert_eq!(normalize("x<2 and y>1"), "x<2andy>1");
        assert_eq!(normalize("<a <b>c</b> d"), "<ac d".replace(' ', ""));
        assert_eq!(normalize("tail <"), "tail<");
    }

    #[test]
    fn shapes_and_first_difference() {
        let a = g(&[&["h1", "h2"], &["1", "2"]]);
        assert_eq!(compare(&a, &a.clone()), None);
        let d = compare(&a, &g(&[&["h1", "h2"], &["1", "3"]])).unwrap();
        assert_eq!(
            d,
            Difference {
                row: 1,
                column: 1,
                reference: Some("2".into()),
                other: Some("3".into())
            }
        );
        let d = compare(&a, &g(&[&["h1", "h2"], &["1", "2"], &["x"]])).unwrap();
        assert_eq!(
            (d.row, d.column, d.reference, d.other),
            (2, 0, None, Some("x".into()))
        );
        // A missing slot is not an empty cell.
        assert!(compare(&g(&[&["a", ""]]), &g(&[&["a"]])).is_some());
    }

    #[test]
    fn agreement_of_an_item() {
        let item: Item = serde_json::from_str(
            r#"{"type":"table","rows":[["a","b"],["1",2]],"csv":"a,b\n1,2",
                "html":"<table><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2</td></tr></table>",
                "md":"|a|b|\n|-|-|\n|1|3|"}"#,
        )
        .unwrap();
        let agreement = Agreement::of(&Representations::of(&item));
        assert_eq!(agreement.reference, Some(Source::Rows));
        assert_eq!(agreement.shape, [2, 2]);
        assert!(!agreement.all_agree);
        let by: Vec<(Source, bool)> = agreement
            .compared
            .iter()
            .map(|c| (c.source, c.agrees))
            .collect();
        assert_eq!(
            by,
            [
                (Source::Html, true),
                (Source::Csv, true),
                (Source::Md, false)
            ]
        );
    }

    #[test]
    fn empty_representations_are_absent() {
        let item: Item =
            serde_json::from_str(r#"{"type":"table","rows":[],"md":"","html":"","csv":""}"#)
                .unwrap();
        let reps = Representations::of(&item);
        assert_eq!(reps, Representations::default());
        let a = Agreement::of(&reps);
        assert_eq!((a.reference, a.all_agree), (None, true));
    }
}
