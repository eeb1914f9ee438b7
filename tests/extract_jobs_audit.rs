//! `extract`, `jobs` and `audit`: snapshots of every output over the fixtures in
//! `testdata/{extract,jobs,audit}`, the audit's re-parse plan on a fixture whose broken pages
//! are known, CLI exit codes and files, and the audit over every real saved response.

use std::path::Path;

use pagetree_convert::QualityOptions;
use pagetree_convert::audit::{AuditOptions, Issue, examine, render_text, target_pages, totals};
use pagetree_convert::extract::{
    ArrayMode, ExtractInput, ExtractOptions, render_summary, tabulate, write_csv, write_jsonl,
};
use pagetree_convert::jobs::{JobsInput, JobsOptions, collect, retry_list};
use pagetree_convert::quality::assess;
use pagetree_model::{Document, Loaded, load_all};

use crate::common::{name, pagetree, realdata, stderr, stdout, testdata};

fn loaded(path: &Path) -> Vec<Loaded> {
    let bytes = std::fs::read(path).expect("readable");
    load_all(&bytes, Some(&name(path)))
        .into_iter()
        .map(|r| r.expect("fixture loads"))
        .collect()
}

fn extract_output(path: &Path, opts: &ExtractOptions, jsonl: bool) -> String {
    let file = name(path);
    let jobs: Vec<_> = loaded(path)
        .into_iter()
        .map(|l| match l {
            Loaded::ExtractJob(j) => j,
            other => panic!("{file}: not an extract job: {}", other.format()),
        })
        .collect();
    let inputs: Vec<ExtractInput<'_>> = jobs
        .iter()
        .map(|j| ExtractInput {
            file: &file,
            job: j,
        })
        .collect();
    let t = tabulate(&inputs, opts);
    let mut out = Vec::new();
    if jsonl {
        write_jsonl(&t, &mut out).unwrap();
    } else {
        write_csv(&t, &mut out).unwrap();
    }
    format!(
        "{}\n--- summary\n{}",
        String::from_utf8(out).unwrap(),
        render_summary(&t.summary)
    )
}

#[test]
fn extract_snapshots() {
    insta::glob!("../testdata/extract", "*.{json,jsonl}", |path| {
        insta::assert_snapshot!(
            "csv",
            extract_output(path, &ExtractOptions::default(), false)
        );
        let mut o = ExtractOptions::default();
        o.with_metadata = true;
        o.arrays = ArrayMode::Json;
        insta::assert_snapshot!("jsonl_metadata_arrays_json", extract_output(path, &o, true));
    });
}

#[test]
fn extract_metadata_joins_per_field_and_per_record() {
    let mut o = ExtractOptions::default();
    o.with_metadata = true;
    let path = testdata().join("extract/invoice_per_doc.json");
    let Loaded::ExtractJob(job) = loaded(&path).remove(0) else {
        panic!("extract job")
    };
    let t = tabulate(
        &[ExtractInput {
            file: "f",
            job: &job,
        }],
        &o,
    );
    let col = |n: &str| {
        t.columns
            .iter()
            .position(|c| c == n)
            .unwrap_or_else(|| panic!("no column {n}: {:?}", t.columns))
    };
    // One row per line item; the document's fields repeat.
    assert_eq!(t.rows.len(), 2);
    let r = &t.rows[1];
    assert_eq!(r[col("buyer.address.city")], "Dunmere");
    assert_eq!(r[col("buyer.address.city__confidence")], 0.81);
    assert_eq!(r[col("line_items.description__page")], "2");
    assert_eq!(r[col("total__page")], "2,1");
    assert_eq!(r[col("total__citation")], "Total due 472.50 | 472.50");
    assert_eq!(t.summary.usage.pages_extracted, 2.0);
}

#[test]
fn jobs_snapshots() {
    let dir = testdata().join("jobs");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let all: Vec<(String, Loaded)> = files
        .iter()
        .flat_map(|p| loaded(p).into_iter().map(move |l| (name(p), l)))
        .collect();
    let inputs: Vec<JobsInput<'_>> = all
        .iter()
        .map(|(n, l)| match l {
            Loaded::JobList(list) => JobsInput::List(n, list),
            Loaded::BatchResults(b) => JobsInput::Batch(n, b),
            other => panic!("{n}: {}", other.format()),
        })
        .collect();
    let report = collect(&inputs, &JobsOptions::default());
    insta::assert_snapshot!("jobs_text", pagetree_convert::jobs::render_text(&report));
    let mut csv = Vec::new();
    pagetree_convert::jobs::write_csv(&report, &mut csv).unwrap();
    insta::assert_snapshot!("jobs_csv", String::from_utf8(csv).unwrap());
    insta::assert_json_snapshot!("jobs_json", report);
    // Page 2 of the listing repeats a job of page 1: read once.
    assert_eq!(report.total, 8);
    assert_eq!(
        report.differing_parameters,
        ["hide_headers", "target_pages", "tier"]
    );
    assert_eq!(
        retry_list(&report),
        "ferry-timetable.pdf\npjb-11111111-aaaa-4bbb-8ccc-000000000002\n\
         pjb-11111111-aaaa-4bbb-8ccc-000000000004\n"
    );
    let mut o = JobsOptions::default();
    o.statuses = vec!["CANCELLED".into()];
    let only = collect(&inputs, &o);
    assert_eq!(only.jobs.len(), 1);
    assert_eq!(
        only.counts.values().sum::<usize>(),
        8,
        "counts cover every job"
    );
}

fn audit_file(path: &Path, opts: &AuditOptions) -> Vec<pagetree_convert::audit::DocumentAudit> {
    loaded(path)
        .into_iter()
        .filter_map(|l| match l {
            Loaded::Document(d) => Some(*d),
            _ => None,
        })
        .map(|d: Document| examine(&d, &assess(&d, &QualityOptions::default()), opts))
        .collect()
}

#[test]
fn audit_snapshots() {
    insta::glob!("../testdata/audit", "*.json", |path| {
        let audits = audit_file(path, &AuditOptions::default());
        let text: String = audits.iter().map(render_text).collect();
        insta::assert_snapshot!("audit_text", text);
        insta::assert_json_snapshot!("audit_json", audits);
        let mut csv = Vec::new();
        pagetree_convert::audit::write_csv(&audits, &mut csv).unwrap();
        insta::assert_snapshot!("audit_csv", String::from_utf8(csv).unwrap());
    });
}

#[test]
fn audit_plan_is_exactly_the_broken_pages() {
    let a = audit_file(
        &testdata().join("audit/broken_pages.json"),
        &AuditOptions::default(),
    )
    .remove(0);
    // 2 failed, 4 empty, 5 NO_CONTENT_HERE, 7 "the provided input is empty", 9 nearly no
    // text, 11 an empty table; 12 has only full-page boxes (not planned by default).
    assert_eq!(a.plan.pages, [2, 4, 5, 7, 9, 11]);
    assert_eq!(a.plan.target_pages, "1,3-4,6,8,10");
    assert_eq!(a.plan.share, 0.5);
    let kinds: Vec<(u32, Issue)> = a.issues.iter().map(|i| (i.page, i.issue)).collect();
    assert_eq!(
        kinds,
        [
            (2, Issue::FailedPage),
            (4, Issue::EmptyPage),
            (5, Issue::Placeholder),
            (7, Issue::Placeholder),
            (9, Issue::LowText),
            (11, Issue::UnusableTable),
            (12, Issue::BadBoxes),
        ]
    );
    let mut o = AuditOptions::default();
    o.plan = vec![Issue::BadBoxes, Issue::FailedPage];
    let a = audit_file(&testdata().join("audit/broken_pages.json"), &o).remove(0);
    assert_eq!(a.plan.target_pages, "1,11");
    assert_eq!(target_pages(&[1, 2, 3, 5]), "0-2,4");
}

#[test]
fn cli_exit_codes_and_output_files() {
    let dir = tempfile::tempdir().unwrap();
    let rows = dir.path().join("rows.jsonl");
    let o = pagetree(&[
        "extract",
        "testdata/extract/invoice_per_doc.json",
        "-o",
        rows.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = std::fs::read_to_string(&rows).unwrap();
    let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(first["buyer.name"], "Kestrel Joinery Ltd");
    assert!(
        stderr(&o).contains("1 completed, 0 skipped"),
        "{}",
        stderr(&o)
    );

    // A job that is not COMPLETED is reported and skipped: exit 1, no empty row.
    let o = pagetree(&["extract", "testdata/extract/pending.json"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o).lines().count(), 1, "header only");
    assert!(stderr(&o).contains(": PENDING"), "{}", stderr(&o));

    // Listing pages saved as JSON Lines, one page a line, read like separate files.
    let lines = dir.path().join("listing.jsonl");
    let mut text = String::new();
    for page in ["listing_page1.json", "listing_page2.json"] {
        let v: serde_json::Value =
            serde_json::from_slice(&std::fs::read(testdata().join("jobs").join(page)).unwrap())
                .unwrap();
        text.push_str(&v.to_string());
        text.push('\n');
    }
    std::fs::write(&lines, text).unwrap();
    let o = pagetree(&["jobs", "--format", "json", lines.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let report: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(report["total"], 5, "the job on both pages is read once");
    assert_eq!(report["counts"]["FAILED"], 1);

    let o = pagetree(&["jobs", "--retry", "--status", "failed", "testdata/jobs"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "ferry-timetable.pdf\npjb-11111111-aaaa-4bbb-8ccc-000000000002\n"
    );

    let o = pagetree(&["audit", "testdata/audit", "--fail-on", "failed-pages"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("1 failed_page (--fail-on)"),
        "{}",
        stderr(&o)
    );
    let o = pagetree(&[
        "audit",
        "testdata/v2_full.json",
        "--fail-on",
        "failed-pages,empty-pages,unusable-tables",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = pagetree(&["audit", "testdata/audit", "--fail-on", "nonsense"]);
    assert_eq!(o.status.code(), Some(2));

    // Wrong kinds of input are located errors, the rest still runs.
    let o = pagetree(&[
        "audit",
        "testdata/job_list.json",
        "testdata/audit/broken_pages.json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("job_list.json: this is a job-list body, not a parse result"),
        "{}",
        stderr(&o)
    );
    assert!(
        stdout(&o).contains("target_pages=\"1,3-4,6,8,10\""),
        "{}",
        stdout(&o)
    );
}

#[test]
fn audit_over_real_responses() {
    let Some(files) = realdata() else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "../shared/realdata is missing under CI=true"
        );
        return;
    };
    let mut audits = Vec::new();
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        for r in load_all(&bytes, Some(&name(f))) {
            let Ok(Loaded::Document(d)) = r else { continue };
            let a = examine(
                &d,
                &assess(&d, &QualityOptions::default()),
                &AuditOptions::default(),
            );
            for i in &a.issues {
                assert!(
                    d.page(i.page).is_some(),
                    "{}: issue on page {} that does not exist",
                    a.input,
                    i.page
                );
            }
            // The plan never asks for most of a real document.
            assert!(a.plan.share <= 0.25, "{}", render_text(&a));
            audits.push(a);
        }
    }
    assert!(audits.len() >= 10, "every real parse response is audited");
    let t = totals(&audits);
    assert_eq!(t.pages, audits.iter().map(|a| a.pages).sum::<usize>());
}
