"""Every real response loads, and the package's markdown, text, tables, elements and chunks
equal the CLI's output byte for byte."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import pagetree
from conftest import REALDATA, realdata_files, rel, run_cli

FILES = realdata_files() or [REALDATA / "missing.json"]


@pytest.fixture(params=FILES, ids=lambda p: p.name)
def real(request, realdata) -> str:
    return rel(request.param)


def _single(path: str) -> pagetree.Document:
    try:
        docs = pagetree.load_all(path)
    except pagetree.LoadError as e:
        # A fragment that is no parse response (a lone v1 `links` list) fails as the CLI fails.
        assert e.kind == "shape", e
        cli = run_cli("elements", path, check=False)
        assert cli.returncode == 1 and f"error: {e}" in cli.stderr.decode()
        pytest.skip(f"{path} is not a parse response; it fails as the CLI does")
    assert docs, path
    if len(docs) > 1:
        pytest.skip(f"{path} holds {len(docs)} responses (compared in test_multi_document)")
    return docs[0]


def test_loads(real):
    for doc in [_single(real)]:
        assert len(doc) == len(doc.pages)
        for p in doc.pages:
            assert p.number >= 1
            assert isinstance(p.items, list)
            if p.failed:
                assert p in doc.failed_pages


@pytest.mark.filterwarnings("ignore::pagetree.PagetreeWarning")
def test_markdown_and_text_equal_the_cli(real):
    doc = _single(real)
    assert doc.markdown().encode() == run_cli("markdown", real).stdout
    assert doc.text().encode() == run_cli("text", real).stdout
    opts = dict(headers="hide", footers="hide", page_separator="\n\n<!-- {pageNumber} -->\n\n")
    cli = run_cli("markdown", real, "--headers", "hide", "--footers", "hide",
                  "--page-separator", "\\n\\n<!-- {pageNumber} -->\\n\\n").stdout
    assert doc.markdown(**opts).encode() == cli


@pytest.mark.filterwarnings("ignore::pagetree.PagetreeWarning")
def test_chunks_equal_the_cli(real):
    doc = _single(real)
    assert doc.chunks_jsonl() == run_cli("chunks", real).stdout
    cli = run_cli("chunks", real, "--max-tokens", "256", "--overlap", "32").stdout
    assert doc.chunks_jsonl(max_tokens=256, overlap=32) == cli
    assert [c["id"] for c in doc.chunks(max_tokens=256, overlap=32)] == [
        json.loads(l)["id"] for l in cli.splitlines()
    ]


@pytest.mark.filterwarnings("ignore::pagetree.PagetreeWarning")
def test_tables_and_elements_equal_the_cli(real, tmp_path):
    doc = _single(real)
    run_cli("tables", real, "-o", str(tmp_path))
    tables = doc.tables()
    written = sorted(p.name for p in tmp_path.iterdir() if p.name != "tables.json")
    assert sorted(t.file_name for t in tables) == written
    for t in tables:
        assert t.to_csv().encode() == (tmp_path / t.file_name).read_bytes()
        assert t.pages, t.id
    index = (tmp_path / "tables.json").read_bytes()
    assert json.loads(index) == doc.tables_index()
    assert json.loads(run_cli("elements", real).stdout) == doc.elements()


def test_quality_equals_the_cli(real):
    doc = _single(real)
    cli = run_cli("quality", real, "--format", "json").stdout.decode()
    assert doc.quality() == json.loads(cli.splitlines()[0])
