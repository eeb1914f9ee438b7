//! Box checks: a table with no usable box, a full-page fallback box, a box outside the page,
//! and boxes the layout model labelled as something other than a table. The geometry is the
//! model's ([`BBox::problems`]); page sizes are unknown in client-library dumps, and then only
//! the checks that need no page size run.

use pagetree_model::{BBox, BoxProblem, Item};

use super::{Check, Findings, Severity};

pub(crate) fn check(item: &Item, page_size: Option<(f64, f64)>, out: &mut Findings) {
    let boxes = item.boxes();
    let usable = boxes
        .iter()
        .filter_map(BBox::rect)
        .any(|[_, _, w, h]| w != 0.0 && h != 0.0);
    if !usable {
        out.add(
            Check::MissingBox,
            if boxes.is_empty() {
                "no bounding box".to_owned()
            } else {
                format!(
                    "none of its {} box(es) has four coordinates and a non-zero size",
                    boxes.len()
                )
            },
        );
    }
    let mut full = Vec::new();
    let mut outside = Vec::new();
    for (i, b) in boxes.iter().enumerate() {
        let problems = b.problems(page_size);
        if problems.contains(&BoxProblem::NearFullPage) {
            full.push(i);
        }
        if problems.contains(&BoxProblem::OutsidePage) || problems.contains(&BoxProblem::Negative) {
            outside.push(i);
        }
    }
    if let Some(&i) = full.first() {
        out.add(
            Check::FullPageBox,
            format!(
                "box {i} covers {:.0}% of the page: a layout fallback, not the table's location",
                area_share(&boxes[i], page_size) * 100.0
            ),
        );
    }
    if let Some(&i) = outside.first() {
        let [x, y, w, h] = boxes[i].rect().unwrap_or_default();
        let page = page_size.map_or("unknown".into(), |(pw, ph)| format!("{pw}×{ph}"));
        out.add(
            Check::BoxOutsidePage,
            format!("box {i} (x {x}, y {y}, w {w}, h {h}) is not inside the page ({page})"),
        );
    }
    let labels: Vec<&str> = boxes.iter().filter_map(|b| b.label.as_deref()).collect();
    if !labels.is_empty()
        && !labels
            .iter()
            .any(|l| l.to_ascii_lowercase().contains("table"))
    {
        let mut distinct: Vec<&str> = Vec::new();
        for l in labels {
            if !distinct.contains(&l) {
                distinct.push(l);
            }
        }
        out.add(
            Check::LayoutNotTable,
            format!(
                "the layout model labelled its box(es) {}, not table",
                distinct
                    .iter()
                    .map(|l| format!("`{l}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }
}

fn area_share(b: &BBox, page_size: Option<(f64, f64)>) -> f64 {
    match (b.rect(), page_size) {
        (Some([_, _, w, h]), Some((pw, ph))) => (w * h).abs() / (pw * ph),
        _ => 0.0,
    }
}

/// A form or checklist the layout model labelled `form`/`checkbox` is a table of another
/// kind, not a broken one: when its grid is sound, its `layout_not_table` finding drops to
/// info. Runs after the structure and agreement checks, whose findings say whether the grid is
/// sound.
pub(crate) fn soften_form(item: &Item, out: &mut Findings) {
    let form = item
        .boxes()
        .iter()
        .filter_map(|b| b.label.as_deref())
        .any(|l| {
            let l = l.to_ascii_lowercase();
            l.contains("form") || l.contains("checkbox")
        });
    const UNSOUND: &[Check] = &[
        Check::RaggedRows,
        Check::ShapeDisagreement,
        Check::EmptyColumns,
        Check::ShiftedRow,
        Check::EmptyTable,
    ];
    if !form || UNSOUND.iter().any(|&c| out.has(c)) {
        return;
    }
    for f in out
        .list
        .iter_mut()
        .filter(|f| f.check == Check::LayoutNotTable)
    {
        f.severity = Severity::Info;
        f.message.push_str(
            "; a form or checklist with a sound grid (rows of one length, representations agree), so info only",
        );
    }
}
