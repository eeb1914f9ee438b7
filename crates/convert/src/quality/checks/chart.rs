//! Tables transcribed from charts. A chart read as a table often yields several "tables" on one
//! page that all carry the chart's one or two boxes; the server may flag a
//! `layout_lvm_disagreement` (the layout model saw a chart, the language model wrote a table);
//! a `Figure 3` caption sits next to it; the layout model labelled its box `chart`. Sharing a
//! box with another table is strong enough alone; the weaker signals count only in pairs, so
//! a real table beside a figure caption stays `ok`.

use super::counted;
use std::collections::BTreeMap;

use pagetree_model::{Item, ItemKind, ItemRef};

use super::{Check, Findings};

/// How many walk positions before and after a table a caption may sit.
const CAPTION_REACH: usize = 2;
/// Two boxes are the same when every coordinate is this close (points).
const SAME_BOX: f64 = 1.0;

/// Per table (in the order of `tables`), its `chart_transcription` finding if any. `walk` is
/// the document walk the references come from.
pub(crate) fn transcriptions(walk: &[ItemRef<'_>], tables: &[&ItemRef<'_>]) -> Vec<Findings> {
    let mut out: Vec<Findings> = tables.iter().map(|_| Findings::default()).collect();
    let mut by_page: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
    for (i, t) in tables.iter().enumerate() {
        if !t.item.is_merged_stub() {
            by_page.entry(t.page).or_default().push(i);
        }
    }
    for members in by_page.values() {
        for &i in members {
            let t = tables[i];
            let mut strong: Vec<String> = Vec::new();
            let mut weak: Vec<String> = Vec::new();
            let sharing = members
                .iter()
                .filter(|&&j| j != i && shares_box(t.item, tables[j].item))
                .count();
            if sharing > 0 {
                strong.push(format!(
                    "shares its box with {} on page {}",
                    counted(sharing, "other table", "other tables"),
                    t.page
                ));
            }
            if t.item
                .concerns()
                .iter()
                .any(|c| c.kind() == "layout_lvm_disagreement")
            {
                weak.push("the server's `layout_lvm_disagreement` concern".to_owned());
            }
            if let Some(caption) = nearby_caption(walk, t) {
                weak.push(format!("the figure caption \"{caption}\" nearby"));
            }
            let labels = chart_labels(t.item);
            if !labels.is_empty() {
                weak.push(format!("its box labelled {labels}"));
            }
            if strong.is_empty() && weak.len() < 2 {
                continue;
            }
            let signals: Vec<String> = strong.into_iter().chain(weak).collect();
            out[i].add(
                Check::ChartTranscription,
                format!(
                    "looks transcribed from a chart: {}; check its values against the figure",
                    signals.join("; ")
                ),
            );
        }
    }
    out
}

/// Whether two tables have a box in common (usable boxes only: zero-size boxes are missing
/// locations, not shared ones). A shared box the layout model labelled as something other
/// than a picture (`table`, `code`, `text`) is one block holding several tables, such as a
/// receipt's item list read as two tables, not a chart: it does not count.
fn shares_box(a: &Item, b: &Item) -> bool {
    let rects = |item: &Item| -> Vec<([f64; 4], Option<String>)> {
        item.boxes()
            .iter()
            .filter_map(|b| b.rect().map(|r| (r, b.label.clone())))
            .filter(|([_, _, w, h], _)| *w != 0.0 && *h != 0.0)
            .collect()
    };
    let rb = rects(b);
    rects(a).iter().any(|(ra, la)| {
        rb.iter().any(|(rb, lb)| {
            let chart_like = [la, lb].iter().all(|l| l.as_deref().is_none_or(pictorial));
            chart_like && ra.iter().zip(rb).all(|(x, y)| (x - y).abs() <= SAME_BOX)
        })
    })
}

/// Whether a layout label names a picture (`chart`, `figure`, `image`).
fn pictorial(label: &str) -> bool {
    let low = label.to_ascii_lowercase();
    ["chart", "figure", "image", "picture"]
        .iter()
        .any(|p| low.contains(p))
}

/// The first `Figure N` / `Fig. N` caption among the items within [`CAPTION_REACH`] walk
/// positions of the table on its page, shortened for the message.
fn nearby_caption(walk: &[ItemRef<'_>], t: &ItemRef<'_>) -> Option<String> {
    let lo = t.index.saturating_sub(CAPTION_REACH);
    let hi = (t.index + CAPTION_REACH).min(walk.len().saturating_sub(1));
    (lo..=hi)
        .filter(|&j| j != t.index)
        .filter_map(|j| walk.get(j))
        .filter(|r| r.page == t.page && r.item.kind() != ItemKind::Table)
        .find_map(|r| figure_caption(r.item.plain_text()))
}

/// `Figure 3` / `Fig. 2` / `FIGURE S1` at the start of a text (markdown emphasis and heading
/// marks skipped), returned as its first few words.
fn figure_caption(text: &str) -> Option<String> {
    let t = text.trim_start_matches(|c: char| c.is_whitespace() || "#*_>".contains(c));
    let lower = t.to_lowercase();
    let rest = ["figure", "fig."]
        .iter()
        .find_map(|p| lower.strip_prefix(p))?;
    let rest = rest.trim_start();
    let rest = rest.strip_prefix('s').unwrap_or(rest);
    if !rest.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let words: Vec<&str> = t.split_whitespace().take(2).collect();
    Some(
        words
            .join(" ")
            .trim_end_matches([':', '.', '|', '*', '_'])
            .to_owned(),
    )
}

/// The table's box labels naming a picture (`chart`, `figure`, `image`), quoted and joined.
fn chart_labels(item: &Item) -> String {
    let mut found: Vec<&str> = Vec::new();
    for l in item.boxes().iter().filter_map(|b| b.label.as_deref()) {
        if pictorial(l) && !found.contains(&l) {
            found.push(l);
        }
    }
    found
        .iter()
        .map(|l| format!("`{l}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captions() {
        for (t, want) in [
            ("Figure 3. Growth by month", Some("Figure 3")),
            ("**Fig. 2**: counts", Some("Fig. 2")),
            ("FIGURE S1 | Supplementary", Some("FIGURE S1")),
            ("## Figure 12", Some("Figure 12")),
        ] {
            assert_eq!(figure_caption(t).as_deref(), want, "{t}");
        }
        for t in [
            "Figures show the counts",
            "Fig leaves were sampled",
            "Table 1",
            "See Figure 3",
        ] {
            assert_eq!(figure_caption(t), None, "{t}");
        }
    }
}
