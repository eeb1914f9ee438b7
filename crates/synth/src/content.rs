//! What one synthetic page holds: its blocks of prose, lists, tables and furniture, with their
//! boxes. Generated from the page's own random stream, so any page can be rebuilt on its own.

use crate::rng::Rng;

/// Page size in points (US Letter), the size most real responses report.
pub(crate) const PAGE_WIDTH: f64 = 612.0;
pub(crate) const PAGE_HEIGHT: f64 = 792.0;
/// The body sits between the header and footer bands.
const BODY_TOP: f64 = 60.0;
const BODY_BOTTOM: f64 = 750.0;

// Kept as rows of words: rustfmt would put each on its own line.
#[rustfmt::skip]
const WORDS: &[&str] = &[
    "the", "of", "and", "to", "in", "is", "for", "that", "with", "as", "on", "by", "this", "are",
    "be", "from", "at", "or", "an", "which", "revenue", "quarter", "fiscal", "operating", "margin",
    "segment", "customer", "growth", "increase", "decrease", "compared", "prior", "year", "million",
    "billion", "net", "income", "total", "expenses", "research", "development", "capital",
    "liquidity", "cash", "flows", "assets", "liabilities", "equity", "shareholders", "interest",
    "rate", "risk", "market", "demand", "supply", "contract", "agreement", "pursuant", "section",
    "clause", "party", "obligations", "indemnity", "patient", "clinical", "trial", "dosage",
    "adverse", "events", "cohort", "baseline", "endpoint", "model", "training", "dataset",
    "evaluation", "accuracy", "latency", "throughput", "benchmark", "inventory", "logistics",
    "warehouse", "regional", "subsidiary", "impairment", "goodwill", "amortization",
];

/// Non-ASCII fragments that real documents are full of (and that make byte and character
/// offsets differ, which the box indices must get right).
#[rustfmt::skip]
const NON_ASCII: &[&str] = &[
    "café", "naïve", "€1,200", "São Paulo", "Müller", "über", "résumé", "Zürich", "±0.5%", "—",
    "“quoted”", "≥ 95%", "12 µs", "Ångström", "façade", "Œuvre",
];

const ROW_LABELS: &[&str] = &[
    "Revenue",
    "Cost of sales",
    "Gross margin",
    "Research & development",
    "Selling, general and administrative",
    "Operating income (loss)",
    "Interest expense",
    "Net income",
    "Cash \"restricted\"",
    "Müller GmbH share",
    "Segment | EMEA",
    "Deferred tax <net>",
    "Capital expenditure",
    "Free cash flow",
    "Headcount",
    "Inventory turns",
];

const CODE_SNIPPETS: &[(&str, &str)] = &[
    (
        "python",
        "def total(rows):\n    \"\"\"Sum the amount column.\"\"\"\n    return sum(r[\"amount\"] for r in rows)  # doubled below\n",
    ),
    (
        "sql",
        "SELECT segment, SUM(revenue) AS total\nFROM results\nWHERE fiscal_year >= 2021\nGROUP BY segment;\n",
    ),
    (
        "json",
        "{\n  \"pattern\": \"\\\\d+(\\\\.\\\\d+)?%\",\n  \"currency\": \"€\"\n}\n",
    ),
];

/// One box, in layout units: `y` and `h` are scaled into the page body when written.
#[derive(Debug, Clone)]
pub(crate) struct Geom {
    pub(crate) x: f64,
    pub(crate) y: f64,
    pub(crate) w: f64,
    pub(crate) h: f64,
    pub(crate) confidence: f64,
    pub(crate) label: &'static str,
}

/// A table cell as written in `rows`; numbers keep the exact text shown in csv, html and md.
#[derive(Debug, Clone)]
pub(crate) enum Cell {
    Null,
    Text(String),
    Number(String),
}

impl Cell {
    pub(crate) fn text(&self) -> &str {
        match self {
            Cell::Null => "",
            Cell::Text(s) | Cell::Number(s) => s,
        }
    }
}

/// The `parse_concerns` of a table, in one of the two forms seen in real responses.
#[derive(Debug, Clone)]
pub(crate) enum Concerns {
    None,
    Objects(Vec<(&'static str, String)>),
    /// Responses saved in early March 2026 wrote plain strings.
    Plain(Vec<&'static str>),
}

#[derive(Debug, Clone)]
pub(crate) struct Table {
    pub(crate) rows: Vec<Vec<Cell>>,
    /// `[first, last]` page of a table the server merged across pages.
    pub(crate) merged_from: Option<[u32; 2]>,
    pub(crate) concerns: Concerns,
    pub(crate) geom: Geom,
}

#[derive(Debug, Clone)]
pub(crate) enum Block {
    /// `header` or `footer` container holding one text item.
    Furniture {
        footer: bool,
        text: String,
        outer: Geom,
        inner: Geom,
    },
    Heading {
        level: u8,
        text: String,
        geom: Geom,
    },
    /// `md` may carry emphasis that `value` does not; `boxes[i]` covers md characters
    /// `starts[i]..starts[i + 1]` (the last one to the end).
    Paragraph {
        md: String,
        value: String,
        boxes: Vec<Geom>,
        starts: Vec<usize>,
    },
    /// `nested` follows entry `nested_after`.
    List {
        ordered: bool,
        entries: Vec<(String, Geom)>,
        nested_after: usize,
        nested: Vec<(String, Geom)>,
        geom: Geom,
    },
    Table(Box<Table>),
    /// The empty stub a cross-page merge leaves on the later page.
    Stub {
        into: u32,
        geom: Geom,
    },
    Code {
        language: &'static str,
        code: &'static str,
        geom: Geom,
    },
    Image {
        caption: String,
        file: String,
        geom: Geom,
    },
    Link {
        text: String,
        url: String,
        geom: Geom,
    },
}

#[derive(Debug, Clone)]
pub(crate) enum PageContent {
    Failed {
        number: u32,
        error: String,
    },
    Parsed {
        number: u32,
        /// Factor that fits the laid-out body between `BODY_TOP` and `BODY_BOTTOM`.
        y_scale: f64,
        blocks: Vec<Block>,
    },
}

/// The page-level plan shared by every page list, so that a merged table and its stub agree.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Plan {
    pub(crate) pages: u32,
    pub(crate) failed_every: u32,
}

impl Plan {
    pub(crate) fn is_failed(self, p: u32) -> bool {
        self.failed_every > 0 && p.is_multiple_of(self.failed_every)
    }

    fn has_table(self, p: u32) -> bool {
        p.is_multiple_of(3) && !self.is_failed(p)
    }

    /// Every fifth table continues onto the next page (when that page exists and parsed).
    pub(crate) fn merges_into_next(self, p: u32) -> bool {
        self.has_table(p) && p.is_multiple_of(15) && p < self.pages && !self.is_failed(p + 1)
    }
}

impl Geom {
    /// Maps the layout `y`/`h` into the page body.
    pub(crate) fn placed(&self, y_scale: f64) -> (f64, f64) {
        if self.y < BODY_TOP {
            return (self.y, self.h);
        }
        (BODY_TOP + (self.y - BODY_TOP) * y_scale, self.h * y_scale)
    }
}

/// Lays blocks out top to bottom.
struct Layout<'r> {
    rng: &'r mut Rng,
    y: f64,
}

impl Layout<'_> {
    fn boxed(&mut self, h: f64, label: &'static str) -> Geom {
        let x = self.rng.uniform(50.0, 80.0);
        let right = self.rng.uniform(50.0, 80.0);
        let g = Geom {
            x,
            y: self.y,
            w: PAGE_WIDTH - x - right,
            h,
            confidence: self.rng.uniform(0.85, 0.999),
            label,
        };
        self.y += h + 6.0;
        g
    }
}

pub(crate) fn generate(plan: Plan, seed: u64, number: u32) -> PageContent {
    let mut rng = Rng::for_page(seed, number);
    if plan.is_failed(number) {
        let error = match rng.below(3) {
            0 => format!("Page {number}: layout model timed out after 120s"),
            1 => format!("Page {number}: could not render page image (corrupt XObject)"),
            _ => format!("Page {number}: OCR returned no text; page skipped"),
        };
        return PageContent::Failed { number, error };
    }
    let mut blocks = Vec::with_capacity(20);
    let header_text = format!("ACME Corp. Annual Report 2024 — page {number}");
    blocks.push(furniture(&mut rng, false, header_text, 20.0));

    let mut lay = Layout {
        rng: &mut rng,
        y: BODY_TOP,
    };
    if number > 1 && plan.merges_into_next(number - 1) {
        // The continuation sits at the top of the page; its rows live in the first page's table.
        let h = 12.0 * 10.0;
        let geom = lay.boxed(h, "table");
        blocks.push(Block::Stub {
            into: number - 1,
            geom,
        });
    }
    let level = if number % 10 == 1 { 1 } else { 2 };
    blocks.push(heading(&mut lay, level));
    for _ in 0..4 {
        blocks.push(paragraph(&mut lay));
    }
    if plan.has_table(number) {
        blocks.push(Block::Table(Box::new(table(&mut lay, plan, number))));
    }
    blocks.push(heading(&mut lay, 3));
    for _ in 0..4 {
        blocks.push(paragraph(&mut lay));
    }
    blocks.push(list(&mut lay));
    if number.is_multiple_of(7) {
        let (language, code) = lay.rng.pick(CODE_SNIPPETS);
        let h = 11.0 * code.lines().count() as f64;
        let geom = lay.boxed(h, "code");
        blocks.push(Block::Code {
            language,
            code,
            geom,
        });
    }
    if number.is_multiple_of(5) {
        let caption = format!("Figure {number}: {}", words(lay.rng, 6));
        let h = lay.rng.uniform(120.0, 220.0);
        let geom = lay.boxed(h, "image");
        blocks.push(Block::Image {
            caption,
            file: format!("page_{number}_image_1.jpg"),
            geom,
        });
    }
    if number.is_multiple_of(4) {
        let geom = lay.boxed(11.0, "text");
        blocks.push(Block::Link {
            text: format!("see note {number}"),
            url: format!(
                "https://example.invalid/notes/{number}#section-{}",
                number % 13
            ),
            geom,
        });
    }
    let y_scale = ((BODY_BOTTOM - BODY_TOP) / (lay.y - BODY_TOP)).min(1.0);
    let footer_text = format!("Confidential — {number} / {}", plan.pages);
    blocks.push(furniture(&mut rng, true, footer_text, PAGE_HEIGHT - 32.0));
    PageContent::Parsed {
        number,
        y_scale,
        blocks,
    }
}

fn furniture(rng: &mut Rng, footer: bool, text: String, y: f64) -> Block {
    let x = rng.uniform(50.0, 80.0);
    let w = rng.uniform(200.0, 320.0);
    let label = if footer { "page-footer" } else { "page-header" };
    let inner = Geom {
        x,
        y,
        w,
        h: 9.5,
        confidence: rng.uniform(0.85, 0.999),
        label,
    };
    let outer = Geom {
        x: x - 1.0,
        y: y - 1.0,
        w: w + 2.0,
        h: 11.5,
        confidence: rng.uniform(0.85, 0.999),
        label,
    };
    Block::Furniture {
        footer,
        text,
        outer,
        inner,
    }
}

fn words(rng: &mut Rng, n: usize) -> String {
    let mut s = String::new();
    for i in 0..n {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(rng.pick(WORDS));
    }
    s
}

fn title_case(s: &str) -> String {
    s.split(' ').map(capitalise).collect::<Vec<_>>().join(" ")
}

fn capitalise(w: &str) -> String {
    let mut c = w.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn sentence(rng: &mut Rng) -> String {
    sentence_of(rng, 8, 18)
}

fn sentence_of(rng: &mut Rng, min_words: usize, max_words: usize) -> String {
    let n = rng.range(min_words, max_words);
    let mut s = capitalise(&words(rng, n));
    if rng.chance(0.2) {
        // Figures: the digits and punctuation that fill financial prose.
        let fig = match rng.below(3) {
            0 => format!(" by {:.1}%", rng.uniform(0.1, 40.0)),
            1 => format!(" to ${},{:03} million", rng.range(1, 999), rng.below(1000)),
            _ => format!(" in fiscal {}", rng.range(2015, 2025)),
        };
        s.push_str(&fig);
    }
    s.push('.');
    s
}

fn heading(lay: &mut Layout, level: u8) -> Block {
    let n = lay.rng.range(3, 7);
    let text = title_case(&words(lay.rng, n));
    // The layout model's class disagrees with the item type now and then, as in real data.
    let label = if lay.rng.chance(0.05) {
        "text"
    } else {
        "paragraph_title"
    };
    let geom = lay.boxed(if level == 1 { 22.0 } else { 16.0 }, label);
    Block::Heading { level, text, geom }
}

/// About 400 characters; one in six carries quotes, a hard line break and non-ASCII text, and
/// one in eight bold emphasis in its markdown.
fn paragraph(lay: &mut Layout) -> Block {
    let rng = &mut *lay.rng;
    let mut sentences = Vec::new();
    let mut len = 0;
    // Sentences run ~100 characters, so stopping at 360 lands near 400 on average.
    while len < 360 {
        let s = sentence(rng);
        len += s.len() + 1;
        sentences.push(s);
    }
    if rng.chance(1.0 / 6.0) {
        let k = rng.below(sentences.len());
        let s = &mut sentences[k];
        s.pop();
        let extra = format!(" \"{}\" {}.", rng.pick(NON_ASCII), rng.pick(NON_ASCII));
        s.push_str(&extra);
        let mid = sentences.len() / 2;
        sentences[mid].push('\n');
    }
    let mut value = String::with_capacity(len + 32);
    for s in &sentences {
        if !value.is_empty() && !value.ends_with('\n') {
            value.push(' ');
        }
        value.push_str(s);
    }
    let md = if rng.chance(1.0 / 8.0) {
        // Embolden the first word of a later sentence: same text, two more `*` pairs in md.
        match value.find(". ") {
            Some(i) => {
                let start = i + 2;
                let end = value[start..].find(' ').map_or(value.len(), |j| start + j);
                format!(
                    "{}**{}**{}",
                    &value[..start],
                    &value[start..end],
                    &value[end..]
                )
            }
            None => value.clone(),
        }
    } else {
        value.clone()
    };
    let chars = md.chars().count();
    let nb = rng.range(1, 3);
    let mut starts = vec![0];
    for i in 1..nb {
        // Cut points spread over the text, strictly increasing.
        starts.push(chars * i / nb + rng.below(10));
    }
    let lines = (chars as f64 / 95.0).ceil();
    let boxes = (0..nb)
        .map(|_| lay.boxed(9.5 * lines / nb as f64, "text"))
        .collect();
    Block::Paragraph {
        md,
        value,
        boxes,
        starts,
    }
}

fn list(lay: &mut Layout) -> Block {
    let ordered = lay.rng.chance(0.4);
    let top = lay.y;
    let entries: Vec<(String, Geom)> = (0..5)
        .map(|_| {
            // List entries are shorter than prose sentences.
            let s = sentence_of(lay.rng, 4, 10);
            (s, lay.boxed(11.0, "text"))
        })
        .collect();
    let nested = (0..2)
        .map(|_| {
            // List entries are shorter than prose sentences.
            let s = sentence_of(lay.rng, 4, 10);
            (s, lay.boxed(11.0, "text"))
        })
        .collect();
    let geom = Geom {
        x: entries[0].1.x,
        y: top,
        w: PAGE_WIDTH - 2.0 * entries[0].1.x,
        h: lay.y - top,
        confidence: lay.rng.uniform(0.85, 0.999),
        label: "list",
    };
    Block::List {
        ordered,
        entries,
        nested_after: 2,
        nested,
        geom,
    }
}

fn cell(rng: &mut Rng) -> Cell {
    let k = rng.unit();
    if k < 0.55 {
        let cents = rng.below(25_500_000) as i64 - 500_000;
        // The shortest text that reads back as the same f64, as a JSON parser prints it.
        Cell::Number(format!("{}", cents as f64 / 100.0))
    } else if k < 0.65 {
        Cell::Number(rng.below(100_000).to_string())
    } else if k < 0.72 {
        Cell::Null
    } else {
        Cell::Text(format!("{:.1}%", rng.uniform(0.0, 100.0)))
    }
}

fn table(lay: &mut Layout, plan: Plan, number: u32) -> Table {
    let merged = plan.merges_into_next(number);
    let n_rows = if merged { 32 } else { 20 };
    let first_year = lay.rng.range(2015, 2020);
    let mut rows = Vec::with_capacity(n_rows);
    let mut header = vec![Cell::Text("Item".into())];
    header.extend((0..5).map(|c| Cell::Text(format!("FY{}", first_year + c))));
    rows.push(header);
    for _ in 1..n_rows {
        let mut row = vec![Cell::Text(lay.rng.pick(ROW_LABELS).to_owned())];
        row.extend((0..5).map(|_| cell(lay.rng)));
        rows.push(row);
    }
    let concerns = if number.is_multiple_of(90) {
        Concerns::Plain(vec![
            "header_value_type_mismatch",
            "possible_merged_columns",
        ])
    } else if number.is_multiple_of(9) {
        let col = lay.rng.range(1, 5);
        let row = lay.rng.range(1, n_rows - 1);
        Concerns::Objects(vec![
            (
                "header_value_type_mismatch",
                format!(
                    "col {col} '{}' expects numeric, got '{}' in row {row}",
                    rows[0][col].text(),
                    rows[row][col].text()
                ),
            ),
            (
                "layout_lvm_disagreement",
                "layout detected [text, table, paragraph_title] but table boundaries differ"
                    .to_owned(),
            ),
        ])
    } else {
        Concerns::None
    };
    // The page shows only its own rows; the merged table's later rows sit on the next page.
    let geom = lay.boxed(10.0 * n_rows.min(20) as f64, "table");
    Table {
        rows,
        merged_from: merged.then_some([number, number + 1]),
        concerns,
        geom,
    }
}
