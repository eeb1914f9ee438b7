//! `tables.json` written batch by batch: the entries of each batch as they come, the small
//! lists (failed pages, skipped tables, warnings) at the end. The bytes are those of
//! `serde_json::to_vec_pretty` of the whole [`TablesIndex`] plus a newline (a test checks),
//! but memory holds one batch's entries, not the document's: on a 310 MB response the index
//! alone was 35 MiB of a conversion's peak.

use serde::Serialize;

use super::index::{IndexOptions, SkippedTable, TablesIndex};

/// Writes a [`TablesIndex`] in pieces; see the module docs.
#[derive(Debug, Default)]
pub struct TablesIndexWriter {
    started: bool,
    entries: usize,
    failed_pages: Vec<u32>,
    skipped: Vec<SkippedTable>,
    warnings: Vec<String>,
}

/// The fields before `tables`, in the index's order.
#[derive(Serialize)]
struct Head<'a> {
    schema: &'static str,
    version: u32,
    input: &'a str,
    options: &'a IndexOptions,
}

/// The fields after `tables`, in the index's order.
#[derive(Serialize)]
struct Tail<'a> {
    failed_pages: &'a [u32],
    skipped: &'a [SkippedTable],
    warnings: &'a [String],
}

impl TablesIndexWriter {
    /// Appends to `out` the bytes for one batch's index: its entries now, the rest kept for
    /// [`finish`](Self::finish).
    pub fn batch(&mut self, index: TablesIndex, out: &mut Vec<u8>) -> serde_json::Result<()> {
        if !self.started {
            let head = pretty(&Head {
                schema: index.schema,
                version: index.version,
                input: &index.input,
                options: &index.options,
            })?;
            // `{ ... }` without its closing line, then the open `tables` array.
            out.extend_from_slice(head.strip_suffix(b"\n}").unwrap_or(&head));
            out.extend_from_slice(b",\n  \"tables\": [");
            self.started = true;
        }
        for entry in &index.tables {
            out.extend_from_slice(if self.entries == 0 {
                b"\n    "
            } else {
                b",\n    "
            });
            // The entry sits two levels deep: every line after its first moves in by four.
            // JSON strings hold no raw line breaks, so every `\n` is the formatter's.
            for (k, line) in pretty(entry)?.split(|&b| b == b'\n').enumerate() {
                if k > 0 {
                    out.extend_from_slice(b"\n    ");
                }
                out.extend_from_slice(line);
            }
            self.entries += 1;
        }
        self.failed_pages.extend(index.failed_pages);
        self.skipped.extend(index.skipped);
        self.warnings.extend(index.warnings);
        Ok(())
    }

    /// The closing bytes, or nothing when no batch came.
    pub fn finish(self) -> serde_json::Result<Vec<u8>> {
        if !self.started {
            return Ok(Vec::new());
        }
        let mut out: Vec<u8> = if self.entries == 0 {
            b"]".to_vec()
        } else {
            b"\n  ]".to_vec()
        };
        let tail = pretty(&Tail {
            failed_pages: &self.failed_pages,
            skipped: &self.skipped,
            warnings: &self.warnings,
        })?;
        // `{` dropped: the tail's fields continue the index's object.
        out.push(b',');
        out.extend_from_slice(tail.strip_prefix(b"{").unwrap_or(&tail));
        out.push(b'\n');
        Ok(out)
    }
}

fn pretty<T: Serialize>(v: &T) -> serde_json::Result<Vec<u8>> {
    serde_json::to_vec_pretty(v)
}

#[cfg(test)]
mod tests {
    use pagetree_model::load_document;

    use super::*;
    use crate::tables::TableOptions;

    /// The writer's bytes for `index` cut into batches after the given numbers of entries.
    fn written(index: &TablesIndex, cuts: &[usize]) -> Vec<u8> {
        let mut w = TablesIndexWriter::default();
        let mut out = Vec::new();
        let mut at = 0;
        for (k, &cut) in cuts.iter().chain([&index.tables.len()]).enumerate() {
            let mut part = index.clone();
            part.tables = index.tables[at..cut.max(at)].to_vec();
            // The small lists arrive in pieces too.
            let n = cuts.len() + 1;
            let share = |v: usize| (v * k / n)..(v * (k + 1) / n);
            part.failed_pages = index.failed_pages[share(index.failed_pages.len())].to_vec();
            part.skipped = index.skipped[share(index.skipped.len())].to_vec();
            part.warnings = index.warnings[share(index.warnings.len())].to_vec();
            w.batch(part, &mut out).unwrap();
            at = cut.max(at);
        }
        out.extend(w.finish().unwrap());
        out
    }

    #[test]
    fn the_bytes_are_the_whole_index_pretty_printed() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata");
        let mut checked = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let Ok(doc) = load_document(&std::fs::read(&path).unwrap(), Some("in.json")) else {
                continue;
            };
            let index = crate::tables::extract(&doc, &TableOptions::default()).index;
            let mut whole = serde_json::to_vec_pretty(&index).unwrap();
            whole.push(b'\n');
            let n = index.tables.len();
            for cuts in [vec![], vec![0], vec![1], vec![n / 2, n / 2], vec![0, 1, n]] {
                let cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(n)).collect();
                assert_eq!(
                    String::from_utf8(written(&index, &cuts)).unwrap(),
                    String::from_utf8(whole.clone()).unwrap(),
                    "{} cut at {cuts:?}",
                    path.display()
                );
            }
            checked += 1;
        }
        assert!(checked > 10, "{checked}");
        assert!(TablesIndexWriter::default().finish().unwrap().is_empty());
    }
}
