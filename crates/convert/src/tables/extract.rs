//! The extraction pipeline behind [`tables`](super::tables): read every table item's
//! representations, set merge stubs and empty tables aside, stitch, then finish each table
//! (header, numbers) and describe it for the index.

use std::collections::BTreeSet;

use pagetree_model::{Document, ItemRef};
use rayon::prelude::*;

use super::agree::{Agreement, Representations};
use super::grid::{Grid, Source};
use super::ids::ids_of;
use super::index::{
    Concern, IndexOptions, Merged, PageBox, SkippedTable, Stitched, StitchedPart, TABLES_SCHEMA,
    TABLES_SCHEMA_VERSION, TableEntry, TablesIndex,
};
use super::numbers::normalize_number;
use super::source::{choose, export_grid};
use super::stitch::{append, joins};
use super::{Table, TableFormat, TableOptions, TablesOutput};
use crate::warning::Warning;

/// One table item with everything read from it.
struct Found<'w, 'd> {
    /// The item's JSON path.
    path: String,
    r: &'w ItemRef<'d>,
    id: String,
    agreement: Agreement,
    /// The grid to write (see [`export_grid`]).
    grid: Option<Grid>,
    /// Why the table is not `rows` alone, when it is not.
    note: Option<String>,
}

/// A table on its way out: its first item, what was joined to it and its cells so far.
struct Unit {
    /// Index into the found items of the table's own (first) item.
    head: usize,
    /// Found items stitched after it: (index, rows contributed, header rows dropped).
    stitched: Vec<(usize, usize, usize)>,
    /// Found items that are merge stubs of it.
    stubs: Vec<usize>,
    grid: Grid,
    /// Header rows of the first part, as the source says or as the options say.
    header_rows: usize,
}

pub(super) fn run(doc: &Document, opts: &TableOptions) -> TablesOutput {
    let walk = doc.walk();
    let ids = ids_of(&walk);
    let mut warnings = Vec::new();
    for p in doc.failed_pages() {
        warnings.push(Warning::page(
            p.number(),
            "failed_page",
            format!(
                "failed ({}); any table on it is missing",
                p.error().unwrap_or("no message")
            ),
        ));
    }
    // Reading the representations is the expensive part: in parallel, in order.
    let found: Vec<Found<'_, '_>> = ids
        .par_iter()
        .map(|(index, id)| {
            let r = &walk[*index];
            let reps = Representations::of(r.item);
            let agreement = Agreement::of(&reps);
            let grid = export_grid(r.item, &reps, opts.source, opts.cells);
            let note = choose(r.item, opts.source).and_then(|c| {
                let mut c = c;
                // The CSV holds cells only: text around the table is for markdown.
                c.before.clear();
                c.after.clear();
                c.note()
            });
            Found {
                path: r.path(&walk),
                r,
                id: id.clone(),
                agreement,
                grid,
                note,
            }
        })
        .collect();

    let mut units: Vec<Unit> = Vec::new();
    let mut skipped = Vec::new();
    let mut stub_list = Vec::new();
    for (i, f) in found.iter().enumerate() {
        if f.r.item.is_merged_stub() {
            stub_list.push(i);
            continue;
        }
        if let Some(note) = &f.note {
            warnings.push(Warning::table(
                f.r.page,
                &f.id,
                "table_source",
                note.clone(),
            ));
        }
        let Some(grid) = f.grid.as_ref() else {
            warnings.push(Warning::table(
                f.r.page,
                &f.id,
                "empty_table",
                "no cells in rows, html, csv or md; not written",
            ));
            skipped.push(skip(f, "empty", None));
            continue;
        };
        let header_rows = opts.header_rows.unwrap_or(grid.header_rows);
        units.push(Unit {
            head: i,
            stitched: Vec::new(),
            stubs: Vec::new(),
            grid: grid.clone(),
            header_rows,
        });
    }
    attach_stubs(&found, &stub_list, &mut units, &mut skipped, &mut warnings);
    if opts.stitch {
        units = stitch_units(doc, &walk, &found, units, opts);
    }

    let finished: Vec<(Table, TableEntry, Option<Warning>)> = units
        .into_par_iter()
        .map(|u| finish(&found, u, opts))
        .collect();
    let mut tables = Vec::with_capacity(finished.len());
    let mut entries = Vec::with_capacity(finished.len());
    for (t, e, w) in finished {
        tables.push(t);
        entries.push(e);
        warnings.extend(w);
    }
    skipped.sort_by(|a, b| (a.page, &a.id).cmp(&(b.page, &b.id)));
    // By page (stable), so converting a document in batches of pages lists them alike.
    warnings.sort_by_key(|w| w.page);
    let index = TablesIndex {
        schema: TABLES_SCHEMA,
        version: TABLES_SCHEMA_VERSION,
        input: doc.name().to_owned(),
        options: IndexOptions {
            format: opts.format.extension(),
            delimiter: (opts.delimiter.as_byte() as char).to_string(),
            header_rows: opts.header_rows,
            normalize_numbers: opts.normalize_numbers,
            percent: opts.percent,
            stitch: opts.stitch,
            pad_rows: opts.pad_rows,
            table_source: opts.source.as_str(),
            cells: opts.cells.as_str(),
        },
        failed_pages: doc.failed_pages().map(|p| p.number()).collect(),
        tables: entries,
        skipped,
        warnings: warnings.iter().map(ToString::to_string).collect(),
    };
    TablesOutput {
        tables,
        index,
        warnings,
    }
}

fn skip(f: &Found<'_, '_>, reason: &'static str, merged_into: Option<String>) -> SkippedTable {
    SkippedTable {
        id: f.id.clone(),
        page: f.r.page,
        reason,
        merged_into_page: f.r.item.merged_into_page,
        merged_into,
        path: f.path.clone(),
    }
}

/// Gives each merge stub to the merged table on the page it names: the one whose
/// `merged_from_pages` lists the stub's page, else the first on that page that lists any.
fn attach_stubs(
    found: &[Found<'_, '_>],
    stubs: &[usize],
    units: &mut [Unit],
    skipped: &mut Vec<SkippedTable>,
    warnings: &mut Vec<Warning>,
) {
    for &s in stubs {
        let stub = &found[s];
        let target = stub.r.item.merged_into_page;
        let merged_from = |u: &Unit| {
            let h = &found[u.head];
            h.r.item
                .merged_from_pages
                .as_deref()
                .filter(|p| Some(h.r.page) == target && !p.is_empty())
        };
        let unit = units
            .iter()
            .position(|u| merged_from(u).is_some_and(|p| p.contains(&stub.r.page)))
            .or_else(|| units.iter().position(|u| merged_from(u).is_some()));
        match unit {
            Some(u) => {
                units[u].stubs.push(s);
                skipped.push(skip(
                    stub,
                    "merged_stub",
                    Some(found[units[u].head].id.clone()),
                ));
            }
            None => {
                warnings.push(Warning::table(
stub.r.page,
&stub.id,
"orphan_stub",
format!(
                        "merge stub pointing at page {} where no merged table was found; not written",
                        target.map_or("?".into(), |p| p.to_string())
                    ),
                ));
                skipped.push(skip(stub, "merged_stub", None));
            }
        }
    }
}

/// Joins each table to the one before it when it continues it on the next page (see
/// [`joins`], shared with markdown's `--merge-tables`).
fn stitch_units(
    doc: &Document,
    walk: &[ItemRef<'_>],
    found: &[Found<'_, '_>],
    units: Vec<Unit>,
    opts: &TableOptions,
) -> Vec<Unit> {
    let mut out: Vec<Unit> = Vec::with_capacity(units.len());
    for u in units {
        let head = &found[u.head];
        let server_merged = !u.stubs.is_empty();
        if let Some(prev) = out.last_mut().filter(|_| !server_merged) {
            // The part of `prev` that ends it: its last stitched part, else its last stub,
            // else its own item.
            let tail = prev
                .stitched
                .last()
                .map(|s| s.0)
                .or_else(|| prev.stubs.last().copied())
                .unwrap_or(prev.head);
            let join = joins(
                doc,
                walk,
                found[prev.head].r.index,
                found[tail].r.index,
                head.r.index,
                opts.source,
                Some(prev.header_rows),
                None,
            );
            if let Some(join) = join {
                let keep = prev.grid.rows().saturating_sub(join.trim_tail);
                prev.grid.cells.truncate(keep);
                prev.grid.spans.retain(|s| s.row < keep);
                append(&mut prev.grid, &u.grid, join.skip);
                prev.stitched
                    .push((u.head, u.grid.rows().saturating_sub(join.skip), join.skip));
                continue;
            }
        }
        out.push(u);
    }
    out
}

/// Finishes one table: header flattening, number normalisation, and its index entry.
fn finish(
    found: &[Found<'_, '_>],
    u: Unit,
    opts: &TableOptions,
) -> (Table, TableEntry, Option<Warning>) {
    let head = &found[u.head];
    let item = head.r.item;
    let mut grid = u.grid;
    let source = grid.source.unwrap_or(Source::Rows);
    let spans = grid.spans.len();
    let ragged_rows = grid.ragged_rows();
    let mut warning = None;
    let header_rows = if u.header_rows > grid.rows() {
        warning = Some(Warning::table(
            head.r.page,
            &head.id,
            "header_rows_exceed_table",
            format!(
                "{} header rows asked for but the table has {} rows; all are header",
                u.header_rows,
                grid.rows()
            ),
        ));
        grid.rows()
    } else {
        u.header_rows
    };
    let header = grid.flattened_header(header_rows);
    grid.header_rows = header_rows;
    if opts.header_rows.is_some() && header_rows >= 2 {
        grid.flatten_header(header_rows);
    }
    let mut normalized_cells = 0;
    if opts.normalize_numbers {
        let body_start = grid.header_rows;
        for cell in grid.cells.iter_mut().skip(body_start).flatten() {
            if let Some(n) = normalize_number(cell, opts.percent)
                && n != *cell
            {
                *cell = n;
                normalized_cells += 1;
            }
        }
    }

    // Every item the table is made of, in reading order, for its pages and boxes.
    let mut parts: Vec<usize> = std::iter::once(u.head)
        .chain(u.stubs.iter().copied())
        .chain(u.stitched.iter().map(|s| s.0))
        .collect();
    parts.sort_by_key(|&i| found[i].r.index);
    let mut pages: BTreeSet<u32> = parts.iter().map(|&i| found[i].r.page).collect();
    if let Some(from) = &item.merged_from_pages {
        pages.extend(from.iter().copied());
    }
    let bbox = parts
        .iter()
        .flat_map(|&i| {
            let r = found[i].r;
            r.item.boxes().iter().map(move |b| PageBox {
                page: r.page,
                x: b.x,
                y: b.y,
                w: b.w,
                h: b.h,
                label: b.label.clone(),
            })
        })
        .collect();
    let merged = item
        .merged_from_pages
        .as_ref()
        .filter(|p| !p.is_empty())
        .map(|from| Merged {
            from_pages: from.clone(),
            stubs: u.stubs.iter().map(|&s| found[s].id.clone()).collect(),
        });
    let stitched = (!u.stitched.is_empty()).then(|| Stitched {
        parts: std::iter::once(StitchedPart {
            id: head.id.clone(),
            page: head.r.page,
            rows: head.grid.as_ref().map_or(0, Grid::rows),
            dropped_header_rows: 0,
            source,
            agreement: head.agreement.clone(),
        })
        .chain(u.stitched.iter().map(|&(i, rows, dropped)| {
            let f = &found[i];
            StitchedPart {
                id: f.id.clone(),
                page: f.r.page,
                rows,
                dropped_header_rows: dropped,
                source: f
                    .grid
                    .as_ref()
                    .and_then(|g| g.source)
                    .unwrap_or(Source::Rows),
                agreement: f.agreement.clone(),
            }
        }))
        .collect(),
    });
    let file_name = format!("{}.{}", head.id, opts.format.extension());
    let rows = match opts.format {
        TableFormat::Csv => grid.rows(),
        TableFormat::Jsonl => grid.rows() - grid.header_rows.min(grid.rows()),
    };
    let entry = TableEntry {
        id: head.id.clone(),
        file: file_name.clone(),
        pages: pages.into_iter().collect(),
        bbox,
        rows,
        columns: grid.columns(),
        ragged_rows,
        header_rows,
        header,
        source,
        spans,
        caption: grid.caption.clone(),
        parse_concerns: item
            .concerns()
            .iter()
            .map(|c| Concern {
                kind: c.kind().to_owned(),
                details: c.details().map(str::to_owned),
            })
            .collect(),
        is_perfect_table: item.is_perfect_table,
        normalized_cells,
        merged,
        stitched,
        agreement: head.agreement.clone(),
        path: head.path.clone(),
        furniture: head.r.furniture,
    };
    let table = Table {
        id: head.id.clone(),
        file_name,
        grid,
    };
    (table, entry, warning)
}
