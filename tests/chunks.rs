//! `pagetree chunks`: snapshots of a few fixtures, and on every fixture and real file, under
//! several sizes, units and overlaps, the invariants: every chunk within the limit (unless a
//! single word or row is larger, then flagged), no body word lost, ranges that slice the
//! markdown as documented, no chunk across a failed page, ids unique and output deterministic.

use std::collections::{BTreeMap, BTreeSet};

use pagetree_convert::chunks::{self, ChunkOptions, Chunks, TableText};
use pagetree_convert::{ElementOptions, PageKind, elements, markdown};
use pagetree_model::{Document, Loaded};

use crate::common::{fixtures, listing, name, pagetree, realdata, stderr, stdout, testdata};

fn load(path: &std::path::Path) -> Vec<Document> {
    let bytes = std::fs::read(path).expect("readable");
    pagetree_model::load_all(&bytes, Some(&name(path)))
        .into_iter()
        .flatten()
        .filter_map(|l| match l {
            Loaded::Document(d) => Some(*d),
            _ => None,
        })
        .collect()
}

fn count(opts: &ChunkOptions, s: &str) -> usize {
    match opts.unit() {
        pagetree_convert::chunks::SizeUnit::Chars => s.chars().count(),
        pagetree_convert::chunks::SizeUnit::Tokens => pagetree_convert::chunks::count_tokens(s),
        other => panic!("no count for {other:?}"),
    }
}

/// Words as runs of letters and digits, lower case: escaping, table pipes and HTML tags change
/// what surrounds words, never the words.
fn words(s: &str) -> Vec<String> {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .map(String::from)
        .collect()
}

/// The fence left open at the end of `text` (CommonMark's rules for fence lines), if any.
fn open_fence(text: &str) -> Option<(char, usize)> {
    let mut open: Option<(char, usize)> = None;
    for line in text.lines() {
        let t = line.trim_start_matches(' ');
        if line.len() - t.len() > 3 {
            continue;
        }
        let Some(ch) = t.chars().next().filter(|c| *c == '`' || *c == '~') else {
            continue;
        };
        let n = t.len() - t.trim_start_matches(ch).len();
        if n < 3 {
            continue;
        }
        let info = t[n..].trim();
        match open {
            None if !(ch == '`' && info.contains('`')) => open = Some((ch, n)),
            Some((c, m)) if c == ch && n >= m && info.is_empty() => open = None,
            _ => {}
        }
    }
    open
}

/// The option sets every document is chunked with.
fn option_sets() -> Vec<(String, ChunkOptions)> {
    let mut v = Vec::new();
    for max in [200, 500, 1500] {
        for overlap in [0, max / 10] {
            let o = ChunkOptions::chars(max).and_then(|o| o.with_overlap(overlap));
            v.push((format!("chars {max} overlap {overlap}"), o.unwrap()));
        }
    }
    for max in [128, 512] {
        for overlap in [0, max / 8] {
            let o = ChunkOptions::tokens(max).and_then(|o| o.with_overlap(overlap));
            v.push((format!("tokens {max} overlap {overlap}"), o.unwrap()));
        }
    }
    let mut o = ChunkOptions::chars(400).unwrap();
    o.tables = TableText::Csv;
    o.breadcrumb = false;
    v.push(("chars 400 csv tables, no breadcrumb".into(), o));
    let mut o = ChunkOptions::chars(600).unwrap();
    o.tables = TableText::Html;
    o.include_furniture = true;
    o.markdown.tables = pagetree_convert::markdown::TableFormat::Html;
    o.markdown.merge_tables = true;
    v.push(("chars 600 html, furniture, merged tables".into(), o));
    v
}

/// Checks every invariant of one document's chunks; returns them.
fn check(doc: &Document, opts: &ChunkOptions, what: &str) -> Chunks {
    let out = chunks::split(doc, opts);
    let again = chunks::split(doc, opts);
    assert_eq!(out, again, "{what}: not deterministic");
    let md = markdown::render(doc, &opts.markdown_options());
    let text = &md.output;
    let els = elements::collect(doc, &ElementOptions::default(), Some(&md));
    let element_ids: BTreeSet<&str> = els.elements.iter().map(|e| e.id.as_str()).collect();
    let failed: BTreeSet<u32> = md
        .pages
        .iter()
        .filter(|p| p.kind == PageKind::Failed)
        .map(|p| p.number)
        .collect();
    let mut ids = BTreeSet::new();
    let mut last_end = 0;
    for c in &out.chunks {
        let m = &c.metadata;
        let at = format!("{what}: chunk {}", m.index);
        assert!(ids.insert(c.id.clone()), "{at}: duplicate id");
        assert_eq!(c.id.len(), 16, "{at}");

        // Size: within the limit, or flagged and a single unit.
        let size = count(opts, &c.text);
        assert_eq!(
            m.oversize,
            size > opts.max(),
            "{at}: oversize flag, size {size}"
        );
        assert_eq!(m.chars, c.text.chars().count(), "{at}");
        // The limit is hard: only one HTML table row (markup that cannot be cut) may exceed it.
        if m.oversize {
            let single_row = m.tables.len() == 1 && m.tables[0].rows[1] - m.tables[0].rows[0] <= 1;
            assert!(
                single_row && opts.tables == TableText::Html,
                "{at}: oversize ({size}): {:?}",
                c.text
            );
        }
        // No chunk of headings alone; one that opens with a heading names a section.
        let body = c.body();
        // (A heading larger than the limit is cut like text: its pieces are not small.)
        if m.kinds.iter().all(|k| *k == "heading") && m.tables.is_empty() && body.starts_with('#') {
            assert!(size >= opts.min(), "{at}: headings alone: {body:?}");
        }
        if m.kinds.first() == Some(&"heading") && body.starts_with('#') {
            assert!(
                !m.heading_path.is_empty(),
                "{at}: empty heading path: {body:?}"
            );
        }
        // Valid markdown on its own: every fence it opens, it closes.
        assert_eq!(
            open_fence(&c.text),
            None,
            "{at}: unclosed fence in {:?}",
            c.text
        );

        // Body and prefix.
        let off = m.body_offset;
        assert_eq!(c.text[..off.bytes].chars().count(), off.chars, "{at}");
        // Breadcrumb and overlap each end with a blank line (a long breadcrumb is dropped).
        assert!(
            off.bytes == 0 || c.text[..off.bytes].ends_with("\n\n"),
            "{at}"
        );
        if !opts.breadcrumb && off.bytes > 0 {
            assert!(
                opts.overlap() > 0,
                "{at}: a prefix without breadcrumb or overlap"
            );
        }

        // Ranges: inside the markdown, on boundaries, char counts right, parts in order.
        let [b0, b1] = m.md_range.bytes;
        assert!(
            b0 <= b1 && b1 <= text.len(),
            "{at}: md_range {:?}",
            m.md_range
        );
        assert!(
            text.is_char_boundary(b0) && text.is_char_boundary(b1),
            "{at}"
        );
        assert_eq!(text[..b0].chars().count(), m.md_range.chars[0], "{at}");
        assert_eq!(text[..b1].chars().count(), m.md_range.chars[1], "{at}");
        assert!(!m.md_parts.is_empty(), "{at}: no parts");
        assert_eq!(m.md_parts[0].range.bytes[0], b0, "{at}");
        assert_eq!(m.md_parts.last().expect("part").range.bytes[1], b1, "{at}");
        let mut prev = b0;
        for p in &m.md_parts {
            let [p0, p1] = p.range.bytes;
            assert!(prev <= p0 && p0 <= p1, "{at}: parts out of order");
            assert_eq!(text[..p0].chars().count(), p.range.chars[0], "{at}");
            prev = p1;
        }
        // Chunks come in markdown order; only whole-table parts may repeat a range (a table
        // the document writes as the server's HTML, split into several pieces).
        if m.md_parts.iter().all(|p| p.kind != "table") {
            assert!(
                b0 >= last_end,
                "{at}: starts before the previous chunk ends"
            );
        }
        last_end = last_end.max(b1);
        // The body is the parts joined by blank lines: text parts verbatim, code parts
        // between fences, table parts as rows (verbatim when both are GFM).
        let body = c.body();
        let mut cursor = 0;
        for (k, p) in m.md_parts.iter().enumerate() {
            let slice = &text[p.range.bytes[0]..p.range.bytes[1]];
            if k > 0 {
                assert!(
                    body[cursor..].starts_with("\n\n"),
                    "{at}: parts not joined by a blank line"
                );
                cursor += 2;
            }
            match p.kind {
                "text" => {
                    // A piece inside a fenced code block reopens and closes the fence.
                    let rest = &body[cursor..];
                    if !rest.starts_with(slice) && rest.starts_with(['`', '~']) {
                        cursor += rest.find('\n').expect("fence line") + 1;
                    }
                    assert!(
                        body[cursor..].starts_with(slice),
                        "{at}: part {k} is not verbatim:\n{slice:?}\nin\n{:?}",
                        &body[cursor..]
                    );
                    cursor += slice.len();
                    let rest = &body[cursor..];
                    if let Some(line) = rest.strip_prefix('\n') {
                        let line = line.split('\n').next().unwrap_or("");
                        if !line.is_empty() && line.chars().all(|c| c == '`' || c == '~') {
                            cursor += 1 + line.len();
                        }
                    }
                }
                "code" => {
                    let rest = &body[cursor..];
                    let open = rest.find('\n').expect("fence line");
                    assert!(rest[open + 1..].starts_with(slice), "{at}: code part {k}");
                    let after = open + 1 + slice.len() + 1;
                    let close = rest[after..].find("\n\n").map_or(rest.len(), |i| after + i);
                    assert!(
                        rest.starts_with(['`', '~']),
                        "{at}: code part {k} is not fenced"
                    );
                    cursor += close;
                }
                "table" => {
                    // The part ends with its slice's last line (a table may be followed by
                    // text its item's md holds, after a blank line).
                    let rest = &body[cursor..];
                    let last = slice.lines().last().unwrap_or("");
                    let end = match rest.find(last).filter(|_| slice.contains("\n\n")) {
                        Some(i) => i + last.len(),
                        // A table alone has no blank line.
                        None => rest.find("\n\n").unwrap_or(rest.len()),
                    };
                    let piece = &rest[..end];
                    let gfm = opts.tables == TableText::Markdown
                        && opts.markdown.tables
                            == pagetree_convert::markdown::TableFormat::Markdown;
                    if gfm {
                        let rows = slice.lines().filter(|l| !l.starts_with("| ---"));
                        // A row larger than the limit is cut into pieces of its own.
                        let cut_row = m.tables.iter().any(|t| t.rows[1] - t.rows[0] <= 1)
                            && piece
                                .lines()
                                .last()
                                .is_some_and(|l| slice.contains(l.trim()));
                        for line in rows {
                            assert!(
                                piece.contains(line) || cut_row,
                                "{at}: table row {line:?} missing"
                            );
                        }
                    }
                    cursor += end;
                }
                other => panic!("{at}: unknown part kind {other}"),
            }
        }
        assert_eq!(cursor, body.len(), "{at}: body longer than its parts");

        // Pages: never across a failed page; failed-page text alone.
        let [p0, p1] = m.pages;
        if m.origin == "failed_page" {
            assert!(p0 == p1 && failed.contains(&p0), "{at}: {:?}", m.pages);
        } else {
            assert!(
                !failed.iter().any(|f| (p0..=p1).contains(f)),
                "{at}: pages {:?} span a failed page",
                m.pages
            );
        }
        for f in &m.adjacent_failed_pages {
            assert!(failed.contains(f), "{at}");
        }

        // Provenance: element ids are the elements', boxes normalised.
        for e in &m.elements {
            assert!(
                element_ids.contains(e.as_str()),
                "{at}: unknown element {e}"
            );
        }
        for pb in &m.page_boxes {
            for n in pb
                .bbox_normalized
                .iter()
                .chain(pb.boxes.iter().filter_map(|b| b.normalized.as_ref()))
            {
                assert!(n.iter().all(|v| (0.0..=1.0).contains(v)), "{at}: {n:?}");
            }
        }
    }

    // Nothing lost: every word of every page's content is in some chunk body (as a
    // multiset; characters, since a word larger than the limit is cut between graphemes).
    // Failed pages count when the markdown writes their raw text.
    if opts.tables == TableText::Markdown {
        let mut have: BTreeMap<String, isize> = BTreeMap::new();
        for c in &out.chunks {
            for w in words(c.body()) {
                *have.entry(w).or_default() += 1;
            }
        }
        for p in &md.pages {
            let raw = doc
                .page(p.number)
                .and_then(|x| x.text())
                .is_some_and(|t| !t.trim().is_empty());
            if p.kind == PageKind::Failed && !raw {
                continue;
            }
            for w in words(md.page_text(p)) {
                let n = have.entry(w.clone()).or_default();
                *n -= 1;
                assert!(
                    *n >= 0,
                    "{what}: the word {w:?} of page {} is in no chunk",
                    p.number
                );
            }
        }
    }
    out
}

#[test]
fn invariants_hold_on_every_fixture_and_real_file() {
    let mut files = fixtures();
    let real = realdata().unwrap_or_default();
    files.extend(real.iter().cloned());
    let sets = option_sets();
    for path in &files {
        for doc in load(path) {
            for (label, opts) in &sets {
                check(&doc, opts, &format!("{} [{label}]", doc.name()));
            }
        }
    }
    // Real data at the defaults, for the record (`cargo test -- --nocapture` shows it).
    for path in &real {
        for doc in load(path) {
            let out = check(&doc, &ChunkOptions::default(), doc.name());
            let sizes: Vec<usize> = out.chunks.iter().map(|c| c.metadata.chars).collect();
            eprintln!(
                "{}: {} chunks, largest {} chars",
                name(path),
                sizes.len(),
                sizes.iter().max().unwrap_or(&0)
            );
        }
    }
}

/// One line per chunk with its provenance, then its text indented: reviewable snapshots.
fn summary(out: &Chunks) -> String {
    let mut s = String::new();
    for c in &out.chunks {
        let m = &c.metadata;
        let tables: Vec<String> = m
            .tables
            .iter()
            .map(|t| {
                format!(
                    "{} rows {}..{} of {}{}",
                    t.id,
                    t.rows[0],
                    t.rows[1],
                    t.of,
                    if t.header_repeated {
                        " (header repeated)"
                    } else {
                        ""
                    }
                )
            })
            .collect();
        let parts: Vec<String> = m
            .md_parts
            .iter()
            .map(|p| format!("{}@{}..{}", p.kind, p.range.bytes[0], p.range.bytes[1]))
            .collect();
        s.push_str(&format!(
            "## {} id={} pages={}-{} {} chars={}{} path={:?} kinds={:?} parts=[{}] tables=[{}] \
             elements={} failed_adjacent={:?}\n",
            m.index,
            c.id,
            m.pages[0],
            m.pages[1],
            m.origin,
            m.chars,
            if m.oversize { " OVERSIZE" } else { "" },
            m.heading_path,
            m.kinds,
            parts.join(", "),
            tables.join(", "),
            m.elements.join(","),
            m.adjacent_failed_pages,
        ));
        for line in c.text.lines() {
            s.push_str("    ");
            s.push_str(line);
            s.push('\n');
        }
    }
    for w in &out.warnings {
        s.push_str(&format!("warning: {w}\n"));
    }
    s
}

#[test]
fn snapshots() {
    let cases: [(&str, ChunkOptions); 4] = [
        ("v2_big_table.json", ChunkOptions::chars(500).unwrap()),
        ("v2_failed_pages.json", ChunkOptions::chars(200).unwrap()),
        ("v2_full.json", ChunkOptions::default()),
        ("v2_merged_tables.json", {
            ChunkOptions::tokens(160)
                .and_then(|o| o.with_overlap(20))
                .unwrap()
        }),
    ];
    for (file, opts) in cases {
        let doc = &load(&testdata().join(file))[0];
        let out = chunks::split(doc, &opts);
        insta::assert_snapshot!(file, summary(&out));
    }
}

#[test]
fn big_tables_split_by_rows_with_the_header_repeated() {
    let doc = &load(&testdata().join("v2_big_table.json"))[0];
    let opts = ChunkOptions::chars(500).unwrap();
    let out = chunks::split(doc, &opts);
    let pieces: Vec<_> = out
        .chunks
        .iter()
        .filter(|c| !c.metadata.tables.is_empty())
        .collect();
    assert!(pieces.len() > 3, "the 40-row table is split");
    let header = "| Cost category | 2021 | 2022 | 2023 | 2024 |\n| --- | --- | --- | --- | --- |\n";
    let mut next = 1;
    for c in &pieces {
        let t = &c.metadata.tables[0];
        assert_eq!(t.id, "p001-t01");
        assert_eq!(t.of, 40);
        assert_eq!(t.rows[0], next, "row ranges are contiguous");
        assert_eq!(t.header_repeated, next > 1);
        assert!(c.body().starts_with(header), "{:?}", c.body());
        assert_eq!(c.body().lines().count(), 2 + t.rows[1] - t.rows[0]);
        next = t.rows[1];
    }
    assert_eq!(next, 40, "every row is in a piece");
    // A piece's md_range holds exactly its rows (the first from the table's start).
    let md = markdown::render(doc, &opts.markdown_options());
    let second = &pieces[1].metadata;
    let [a, b] = second.md_range.bytes;
    assert_eq!(
        format!("{header}{}", &md.output[a..b]),
        pieces[1].body(),
        "a later piece is the header and its rows' lines"
    );
    let [a, b] = pieces[0].metadata.md_range.bytes;
    assert_eq!(&md.output[a..b], pieces[0].body());

    // In CSV, the header row is repeated too.
    let mut csv = ChunkOptions::chars(500).unwrap();
    csv.tables = TableText::Csv;
    let out = chunks::split(doc, &csv);
    let piece = out
        .chunks
        .iter()
        .find(|c| c.metadata.tables.first().is_some_and(|t| t.header_repeated))
        .expect("a repeated header");
    assert!(
        piece
            .body()
            .starts_with("Cost category,2021,2022,2023,2024\n")
    );
}

#[test]
fn sections_paragraphs_and_code_are_cut_at_their_boundaries() {
    let doc = &load(&testdata().join("v2_big_table.json"))[0];
    let out = chunks::split(doc, &ChunkOptions::chars(500).unwrap());
    for c in &out.chunks {
        let m = &c.metadata;
        // One section per chunk here (the sections are large): the path names it.
        if m.kinds.contains(&"text") && !m.kinds.contains(&"heading") {
            assert!(m.heading_path.len() == 2, "{:?}", m.heading_path);
            // Split paragraphs end at sentence ends.
            assert!(
                c.body().ends_with(['.', '?', '!', ':']),
                "{:?} does not end a sentence",
                c.body()
            );
        }
        if m.md_parts.iter().any(|p| p.kind == "code") {
            let body = c.body();
            let code = &body[body.find("```").expect("fence")..];
            assert!(
                code.starts_with("```python\n") && code.ends_with("\n```"),
                "{code:?}"
            );
        }
    }
    // The breadcrumb names the section and leaves out headings the chunk opens.
    let risk = out
        .chunks
        .iter()
        .find(|c| c.body().starts_with("## Risk factors"))
        .expect("a chunk opens the section");
    assert!(
        risk.text
            .starts_with("Brightwater Analytics — Cost Review 2021–2024\n\n## Risk")
    );
    let next = &out.chunks[risk.metadata.index + 1];
    assert!(
        next.text
            .starts_with("Brightwater Analytics — Cost Review 2021–2024 > Risk factors\n\n")
    );
}

#[test]
fn failed_pages_are_never_bridged_and_are_named_by_their_neighbours() {
    let doc = &load(&testdata().join("v2_failed_pages.json"))[0];
    let out = chunks::split(doc, &ChunkOptions::default());
    let by_pages: Vec<([u32; 2], &str, Vec<u32>)> = out
        .chunks
        .iter()
        .map(|c| {
            (
                c.metadata.pages,
                c.metadata.origin,
                c.metadata.adjacent_failed_pages.clone(),
            )
        })
        .collect();
    assert_eq!(
        by_pages,
        [
            ([1, 1], "items", vec![2]),
            ([2, 2], "failed_page", vec![]),
            ([3, 3], "items", vec![2, 4]),
            ([4, 4], "failed_page", vec![]),
        ]
    );
    // Even when everything would fit in one chunk.
    let out = chunks::split(doc, &ChunkOptions::chars(100_000).unwrap());
    assert_eq!(out.chunks.len(), 4);
}

#[test]
fn headers_and_footers_are_left_out_unless_asked_for() {
    let doc = &load(&testdata().join("v2_full.json"))[0];
    let all = |o: &ChunkOptions| -> String {
        chunks::split(doc, o)
            .chunks
            .iter()
            .map(|c| c.text.clone())
            .collect::<Vec<_>>()
            .join("\n")
    };
    let els = elements::collect(doc, &ElementOptions::default(), None);
    let furniture: Vec<&str> = els
        .elements
        .iter()
        .filter(|e| e.furniture.is_some() && e.kind == "text")
        .map(|e| e.text.as_str())
        .collect();
    assert!(!furniture.is_empty());
    let without = all(&ChunkOptions::default());
    let mut keep = ChunkOptions::default();
    keep.include_furniture = true;
    let with = all(&keep);
    for f in furniture {
        assert!(!without.contains(f), "{f:?} is furniture");
        assert!(with.contains(f), "{f:?} is kept on request");
    }
}

#[test]
fn cli_writes_json_lines_that_load_as_documents_and_nodes() {
    let run = |jobs| {
        pagetree(&[
            "-j",
            jobs,
            "chunks",
            "--max-tokens",
            "200",
            "--overlap",
            "20",
            "testdata/v2_full.json",
            "testdata/v2_big_table.json",
        ])
    };
    let (one, two) = (run("1"), run("2"));
    assert!(one.status.success(), "{}", stderr(&one));
    assert_eq!(one.stdout, two.stdout, "thread count changes nothing");
    let lines: Vec<serde_json::Value> = stdout(&one)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert!(lines.len() > 10);
    for l in &lines {
        assert_eq!(l["schema"], "pagetree.chunks");
        assert_eq!(l["version"], 1);
        assert_eq!(l["text"], l["page_content"]);
        assert!(l["metadata"]["tokens"].as_u64().expect("tokens") <= 200);
        assert!(l["id"].is_string() && l["metadata"]["heading_path"].is_array());
    }

    // Several inputs into a directory; a non-document fails alone.
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().to_str().expect("utf8");
    let o = pagetree(&[
        "chunks",
        "testdata/v2_full.json",
        "testdata/job_list.json",
        "testdata/many.jsonl",
        "-o",
        out,
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("has no chunks"));
    let names = listing(dir.path());
    assert_eq!(
        names,
        [
            "many-1.chunks.jsonl",
            "many-2.chunks.jsonl",
            "many-3.chunks.jsonl",
            "v2_full.chunks.jsonl"
        ]
    );

    // Loaded from Python the way the README's RAG recipe shows, when Python is there.
    let file = dir.path().join("v2_full.chunks.jsonl");
    let script = "import json, sys\n\
        rows = [json.loads(l) for l in open(sys.argv[1], encoding='utf-8')]\n\
        assert rows and all(set(r) == {'schema', 'version', 'id', 'text', 'page_content', 'metadata'} for r in rows)\n\
        docs = [dict(page_content=r['page_content'], metadata=r['metadata'], id=r['id']) for r in rows]\n\
        nodes = [dict(id_=r['id'], text=r['text'], metadata=r['metadata']) for r in rows]\n\
        assert all(isinstance(d['metadata']['pages'], list) for d in docs)\n\
        print(len(nodes))\n";
    match std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&file)
        .output()
    {
        Ok(p) => assert!(p.status.success(), "{}", String::from_utf8_lossy(&p.stderr)),
        Err(_) => eprintln!("notice: python3 not found; loader check skipped"),
    }

    // Bad sizes are usage errors, before any work.
    let o = pagetree(&[
        "chunks",
        "--max-chars",
        "100",
        "--overlap",
        "80",
        "testdata/v2_full.json",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("overlap"), "{}", stderr(&o));
}

#[test]
fn ids_are_stable() {
    // The id hashes the source name and ranges only: pinned here so a change is deliberate.
    let doc = &load(&testdata().join("v2_full.json"))[0];
    let out = chunks::split(doc, &ChunkOptions::default());
    let ids: Vec<&str> = out.chunks.iter().map(|c| c.id.as_str()).collect();
    insta::assert_snapshot!(ids.join("\n"));
}

#[test]
fn overlap_repeats_the_end_of_the_previous_chunk_of_the_same_section() {
    let doc = &load(&testdata().join("v2_big_table.json"))[0];
    let opts = ChunkOptions::chars(500)
        .and_then(|o| o.with_overlap(60))
        .unwrap();
    let out = chunks::split(doc, &opts);
    let mut overlapped = 0;
    for w in out.chunks.windows(2) {
        let (a, b) = (&w[0], &w[1]);
        let prefix = &b.text[..b.metadata.body_offset.bytes];
        let crumb = b.metadata.heading_path.join(" > ");
        let Some(overlap) = prefix
            .strip_prefix(crumb.as_str())
            .and_then(|p| p.strip_prefix("\n\n"))
            .and_then(|p| p.strip_suffix("\n\n"))
        else {
            continue;
        };
        assert!(a.body().ends_with(overlap), "{overlap:?}");
        assert!(overlap.chars().count() <= 60 && !overlap.starts_with(' '));
        assert_eq!(a.metadata.heading_path, b.metadata.heading_path);
        overlapped += 1;
    }
    assert!(overlapped > 5, "prose chunks of one section overlap");
}

fn regression(slug: &str) -> Document {
    load(&testdata().join(format!("regressions/{slug}.json"))).remove(0)
}

#[test]
fn a_heading_inside_a_fenced_block_is_code() {
    let doc = regression("heading-inside-code-fence");
    let md = markdown::render(&doc, &pagetree_convert::MarkdownOptions::default());
    let els = elements::collect(&doc, &ElementOptions::default(), Some(&md));
    for e in &els.elements {
        assert!(
            !e.heading_path.iter().any(|h| h == "Create a cell"),
            "{}: {:?}",
            e.id,
            e.heading_path
        );
    }
    let saving = els
        .elements
        .iter()
        .find(|e| e.md.starts_with("Save"))
        .expect("text");
    assert_eq!(saving.heading_path, ["Notebook Guide", "Saving"]);
    for max in [60, 90, 200, 1500] {
        let out = chunks::split(&doc, &ChunkOptions::chars(max).expect("valid"));
        for c in &out.chunks {
            assert!(!c.metadata.heading_path.iter().any(|h| h == "Create a cell"));
            assert_eq!(open_fence(&c.text), None, "{max}: {:?}", c.text);
            assert!(!c.metadata.oversize);
        }
        // The code line is kept, inside a fence.
        assert!(
            out.chunks
                .iter()
                .any(|c| c.text.contains("```python\n# Create a cell")
                    || c.text.contains("\n\n# Create a cell\n\ncell")),
            "{max}"
        );
    }
}

#[test]
fn oversize_rows_and_text_without_spaces_are_cut_within_the_limit() {
    let doc = regression("oversize-row-and-cjk");
    let mut sets = vec![
        ChunkOptions::chars(120).expect("valid"),
        ChunkOptions::chars(300).expect("valid"),
    ];
    sets.push(ChunkOptions::tokens(60).expect("valid"));
    for opts in sets {
        let out = chunks::split(&doc, &opts);
        assert!(out.warnings.iter().all(|w| w.code != "oversize_chunk"));
        let mut pond = 0;
        let mut row_pieces = 0;
        for c in &out.chunks {
            assert!(!c.metadata.oversize, "{:?}", c.text);
            pond += c.body().matches('池').count();
            if c.metadata.tables.first().is_some_and(|t| t.rows == [1, 2]) {
                row_pieces += 1;
                // Every piece of the cut row keeps the header row above it.
                assert!(
                    c.body().contains("| Site | Finding | Grade |\n| --- |"),
                    "{:?}",
                    c.text
                );
            }
        }
        assert_eq!(pond, 80);
        assert!(row_pieces > 3, "{row_pieces}");
    }
}

#[test]
fn a_heading_is_never_left_alone_before_a_table_that_fills_a_chunk() {
    let doc = regression("lone-heading-before-table");
    for max in [300, 400, 600] {
        let out = chunks::split(&doc, &ChunkOptions::chars(max).expect("valid"));
        let first = &out.chunks[0];
        assert!(
            first.text.starts_with("# Article\n\n| Clause"),
            "{max}: {:?}",
            first.text
        );
        assert_eq!(first.metadata.heading_path, ["Article"]);
    }
}
