//! Running heads and feet the server typed as text: found, hidden or flagged in every output,
//! never body text, and `--detect-furniture off` restores the server's furniture alone.

use pagetree_convert::chunks::{self, ChunkOptions};
use pagetree_convert::furniture::{Detected, Detection};
use pagetree_convert::{ElementOptions, FurnitureMode, MarkdownOptions, elements, markdown};
use pagetree_model::{Document, ItemKind};

use crate::common::{name, pagetree, realdata, stderr, stdout, testdata};

fn load(path: &std::path::Path) -> Vec<Document> {
    let bytes = std::fs::read(path).expect("readable");
    pagetree_model::load_all(&bytes, Some(&name(path)))
        .into_iter()
        .filter_map(|l| match l {
            Ok(pagetree_model::Loaded::Document(d)) => Some(*d),
            _ => None,
        })
        .collect()
}

fn heads() -> Document {
    load(&testdata().join("regressions/running-heads-as-text.json")).remove(0)
}

fn hidden() -> MarkdownOptions {
    let mut o = MarkdownOptions::default();
    o.pages.headers = FurnitureMode::Hide;
    o.pages.footers = FurnitureMode::Hide;
    o
}

const FURNITURE: [&str; 4] = [
    "Annals of Invented Limnology",
    "Okafor and Lindqvist",
    "Volume 3",
    "invented-limnology.test",
];
const BODY: [&str; 5] = [
    "# Pond Survey",
    "## Results",
    "Figure 2",
    "See the appendix.",
    "The basin was quiet.",
];

#[test]
fn running_heads_and_feet_typed_as_text_are_hidden_and_body_text_is_not() {
    let doc = heads();
    let md = markdown::render(&doc, &hidden());
    for f in FURNITURE {
        assert!(!md.output.contains(f), "{f} still in:\n{}", md.output);
    }
    for b in BODY {
        assert!(md.output.contains(b), "{b} lost:\n{}", md.output);
    }
    assert!(md.warnings.iter().all(|w| w.code != "no_furniture"));
    let found = Detected::scan(&doc);
    // Head and foot lines on each of 6 pages, plus the link beside each foot.
    assert_eq!((found.lines(), found.pages()), (18, 6));
}

#[test]
fn detection_off_keeps_them_and_warns_that_nothing_can_be_hidden() {
    let doc = heads();
    let mut o = hidden();
    o.pages.detect = Detection::Off;
    let md = markdown::render(&doc, &o);
    for f in FURNITURE {
        assert!(md.output.contains(f), "{f} hidden with detection off");
    }
    let w: Vec<String> = md
        .warnings
        .iter()
        .filter(|w| w.code == "no_furniture")
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        w,
        [
            "headers and footers are to be hidden, but the document has no page headers or \
          footers: the server typed none (detection is off)"
        ]
    );
}

#[test]
fn elements_flag_them_and_chunks_leave_them_out() {
    let doc = heads();
    let md = markdown::render(&doc, &MarkdownOptions::default());
    let els = elements::collect(&doc, &ElementOptions::default(), Some(&md));
    for e in &els.elements {
        let is_furniture = FURNITURE.iter().any(|f| e.md.contains(f));
        assert_eq!(
            e.furniture.is_some(),
            is_furniture,
            "{} {:?} flagged {:?}",
            e.id,
            e.md,
            e.furniture
        );
    }
    let heads_first = els
        .elements
        .iter()
        .find(|e| e.md.starts_with("Annals"))
        .expect("head");
    assert_eq!(heads_first.furniture, Some("header"));
    let foot = els
        .elements
        .iter()
        .find(|e| e.md.contains("Volume 3"))
        .expect("foot");
    assert_eq!(foot.furniture, Some("footer"));
    let out = chunks::split(&doc, &ChunkOptions::chars(400).expect("valid"));
    for c in &out.chunks {
        for f in FURNITURE {
            assert!(!c.text.contains(f), "chunk {} holds {f}", c.metadata.index);
        }
    }
}

#[test]
fn cli_flag_and_inspect_line() {
    let file = "testdata/regressions/running-heads-as-text.json";
    let o = pagetree(&["inspect", file]);
    assert!(
        stdout(&o).contains("furniture  typed: 0 items; detected: 18 lines on 6 pages"),
        "{}",
        stdout(&o)
    );
    let on = pagetree(&["markdown", "--headers", "hide", "--footers", "hide", file]);
    assert!(!stdout(&on).contains("Okafor"));
    let off = pagetree(&[
        "markdown",
        "--headers",
        "hide",
        "--detect-furniture",
        "off",
        file,
    ]);
    assert!(stdout(&off).contains("Okafor"));
    assert!(
        stderr(&off).contains("no page headers or footers"),
        "{}",
        stderr(&off)
    );
}

/// On every real response: print what is found (run with `--nocapture` to review it), and
/// check that only short text and link lines at page edges are taken, that what hiding
/// removes from the markdown is exactly those lines, and that some files have them.
#[test]
fn real_responses_detected_lines_are_short_edge_lines() {
    let Some(files) = realdata() else { return };
    let mut with_lines = 0;
    for path in files {
        for doc in load(&path) {
            let on = markdown::render(&doc, &MarkdownOptions::default());
            let els = elements::collect(&doc, &ElementOptions::default(), Some(&on));
            let mut off_opts = ElementOptions::default();
            off_opts.detect = Detection::Off;
            let off = elements::collect(&doc, &off_opts, Some(&on));
            let mut found = 0;
            for (a, b) in els.elements.iter().zip(&off.elements) {
                assert_eq!(a.id, b.id);
                if a.furniture.is_some() && b.furniture.is_none() {
                    found += 1;
                    println!("{}: p{} {:?} {:?}", name(&path), a.page, a.furniture, a.md);
                    assert!(
                        a.kind == ItemKind::Text.as_str() || a.kind == ItemKind::Link.as_str(),
                        "{}: {} is a {}",
                        name(&path),
                        a.id,
                        a.kind
                    );
                    assert!(a.md.split_whitespace().collect::<Vec<_>>().join(" ").len() <= 150);
                    assert_eq!(a.depth, 0);
                }
            }
            with_lines += usize::from(found > 0);
        }
    }
    assert!(
        with_lines >= 4,
        "only {with_lines} real files have running heads found"
    );
}
