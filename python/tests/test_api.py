"""The Python API on our own fixtures: documents, pages, options, tables, tokenizers,
located errors, the command line and `convert`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import pagetree
from conftest import ROOT, TESTDATA, run_cli

FULL = "testdata/v2_full.json"


def test_document_fields_and_pages():
    doc = pagetree.load(FULL)
    assert doc.source == FULL
    assert doc.format and doc.job_id
    assert len(doc) == 4 and [p.number for p in doc.pages] == [1, 2, 3, 4]
    p1 = doc.pages[0]
    assert p1.size is not None and p1.width > 0 and not p1.failed
    assert {i["type"] for i in p1.items} >= {"heading", "text"}


def test_failed_pages_are_values_and_warn():
    doc = pagetree.load("testdata/v2_failed_pages.json")
    assert [p.number for p in doc.failed_pages] == [2, 4]
    assert all(p.error for p in doc.failed_pages)
    with pytest.warns(pagetree.PagetreeWarning, match="page 2"):
        md = doc.markdown()
    assert md.encode() == run_cli("markdown", "testdata/v2_failed_pages.json").stdout


def test_bytes_and_json_lines():
    data = (TESTDATA / "v2_full.json").read_bytes()
    assert pagetree.load(data, name=FULL).markdown() == pagetree.load(FULL).markdown()
    docs = pagetree.load_all("testdata/many.jsonl")
    assert len(docs) > 1
    with pytest.raises(pagetree.LoadError, match="load_all"):
        pagetree.load("testdata/many.jsonl")


def test_options_are_the_cli_flags():
    doc = pagetree.load(FULL)
    # A backslash in a Python string is a backslash in the output (not an escape).
    sep = "\n\\page {pageNumber}\n"
    cli = run_cli("markdown", FULL, "--page-separator", "\\n\\\\page {pageNumber}\\n",
                  "--tables", "html", "--pages", "2-3", "--from", "items").stdout
    assert doc.markdown(page_separator=sep, tables="html", pages=range(2, 4), from_="items").encode() == cli
    assert doc.markdown(pages=[2, 3], tables="html", page_separator=sep).encode() == cli
    cli = run_cli("markdown", FULL, "--merge-tables", "false", "--headers", "hide").stdout
    assert doc.markdown(merge_tables=False, headers="hide").encode() == cli
    with pytest.raises(ValueError, match="invalid value"):
        doc.markdown(headers="sometimes")
    with pytest.raises(ValueError, match="unexpected argument"):
        doc.markdown(no_such_option=1)


def test_detect_furniture_keyword_is_the_flag():
    running = TESTDATA / "regressions" / "running-heads-as-text.json"
    doc = pagetree.load(running)
    for when in ("on", "off"):
        cli = run_cli("markdown", running, "--headers", "hide", "--detect-furniture", when).stdout
        assert doc.markdown(headers="hide", detect_furniture=when).encode() == cli
    assert doc.markdown(headers="hide", detect_furniture="on") != doc.markdown(
        headers="hide", detect_furniture="off"
    )
    with pytest.raises(ValueError, match="invalid value"):
        doc.markdown(detect_furniture="sometimes")


def test_tables_rows_csv_and_pandas():
    doc = pagetree.load(FULL)
    tables = doc.tables()
    assert tables
    t = tables[0]
    assert t.id.startswith("p") and t.pages and t.rows
    assert t.bbox is not None
    text = t.to_csv()
    assert text.count("\n") >= len(t.rows)
    df = t.to_pandas()
    assert df.shape == (len(t.rows) - t.header_rows, len(t.rows[0]))
    semi = doc.tables(delimiter=";")[0].to_csv()
    assert ";" in semi


def test_tokenizer_callable_counts():
    doc = pagetree.load(FULL)
    calls = []

    def words(s: str) -> int:
        calls.append(1)
        return len(s.split())

    chunks = doc.chunks(max_tokens=40, tokenizer=words)
    assert calls and chunks
    for c in chunks:
        assert c["metadata"]["tokens"] == len(c["text"].split())
        assert c["metadata"]["tokens"] <= 40 or c["metadata"]["oversize"]
    # The built-in one is cl100k_base, as --max-tokens counts.
    assert doc.chunks_jsonl(max_tokens=64, tokenizer="cl100k_base") == run_cli(
        "chunks", FULL, "--max-tokens", "64").stdout

    def broken(s: str) -> int:
        raise RuntimeError("tokenizer exploded")

    with pytest.raises(RuntimeError, match="tokenizer exploded"):
        doc.chunks(max_tokens=40, tokenizer=broken)
    with pytest.raises(ValueError, match="unknown tokenizer"):
        doc.chunks(max_tokens=40, tokenizer="gpt2")
    with pytest.raises(ValueError, match="max_tokens"):
        doc.chunks(tokenizer=words)


def test_quality_and_elements_are_dicts():
    doc = pagetree.load(FULL)
    q = doc.quality()
    assert q["schema"] == "pagetree.quality" and q["tables"]
    e = doc.elements()
    assert e["schema"] == "pagetree.elements"


@pytest.mark.parametrize("name", sorted(p.name for p in (TESTDATA / "invalid").iterdir()))
def test_errors_carry_their_location(name):
    path = f"testdata/invalid/{name}"
    # `elements` reads every field (markdown skips boxes), as the package's loader does.
    cli = run_cli("elements", path, check=False)
    assert cli.returncode != 0
    with pytest.raises(pagetree.LoadError) as info:
        pagetree.load_all(path)
    e = info.value
    # The same message the command prints.
    assert f"error: {e}" in cli.stderr.decode()
    assert e.file == path
    assert e.kind in {"io", "encoding", "eof", "syntax", "data", "shape"}
    if e.line is not None:
        assert e.line >= 1 and e.column >= 1
        assert f"line {e.line} column {e.column}" in str(e)


def test_data_error_names_the_json_path():
    path = "testdata/invalid/wrong_type_page_number.json"
    with pytest.raises(pagetree.LoadError) as info:
        pagetree.load_all(path)
    e = info.value
    # `load` indexes a file and each output reads what it needs: the error comes from the
    # output that reads the page, located the same.
    with pytest.raises(pagetree.LoadError) as lazily:
        pagetree.load(path).markdown()
    assert (lazily.value.path, lazily.value.line, lazily.value.column) == (e.path, e.line, e.column)
    assert e.path.startswith("items.pages[") and e.path.endswith("page_number")
    assert e.line >= 1 and e.column >= 1 and e.kind == "data"
    import pickle

    again = pickle.loads(pickle.dumps(e))
    assert (again.file, again.path, again.line, again.column) == (e.file, e.path, e.line, e.column)


def test_not_a_parse_result():
    with pytest.raises(pagetree.LoadError, match="not a parse result") as info:
        pagetree.load("testdata/job_list.json")
    assert info.value.kind == "shape"


def test_command_line_is_installed(tmp_path):
    r = subprocess.run([sys.executable, "-m", "pagetree", "markdown", FULL], capture_output=True, cwd=ROOT)
    assert r.returncode == 0 and r.stdout == run_cli("markdown", FULL).stdout
    exe = Path(sys.executable).parent / "pagetree"
    if exe.exists():
        r = subprocess.run([str(exe), "chunks", FULL, "--max-chars", "400"], capture_output=True, cwd=ROOT)
        assert r.stdout == run_cli("chunks", FULL, "--max-chars", "400").stdout
    r = subprocess.run([sys.executable, "-m", "pagetree", "markdown", "nope.json"], capture_output=True, cwd=ROOT)
    assert r.returncode == 2 or r.returncode == 1


def _tree(root: Path) -> dict:
    # The lock file holds the pid of the run that took it last: not an output.
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != ".pagetree-lock"
    }


def test_convert_is_the_cli(tmp_path):
    inputs = ["testdata/v2_full.json", "testdata/v2_failed_pages.json", "testdata/invalid/truncated.json",
              "testdata/many.jsonl"]
    cli_out, py_out = tmp_path / "cli", tmp_path / "py"
    r = run_cli("convert", *inputs, "-o", str(cli_out), "--to", "markdown,text,tables,elements,quality", "-q")
    summary = pagetree.convert(inputs, py_out, to=["markdown", "text", "tables", "elements", "quality"], jobs=2,
                               progress=False)
    assert summary["exit_code"] == r.returncode == 1
    assert _tree(cli_out) == _tree(py_out)
    assert summary["schema"] == "pagetree.convert-report"
    assert [f["input"] for f in summary["failed_inputs"]] == ["testdata/invalid/truncated.json"]
    assert summary["converted_inputs"] == 3
    again = pagetree.convert(inputs, py_out, to=["markdown", "text", "tables", "elements", "quality"],
                             progress=False)
    assert again["unchanged_inputs"] == 3 and again["converted_inputs"] == 0
    with pytest.raises(pagetree.ConvertError):
        pagetree.convert(inputs, py_out, to=["nothing"], progress=False)
