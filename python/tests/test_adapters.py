"""The LangChain and LlamaIndex adapters: their objects validate in their own libraries."""

from __future__ import annotations

import json

import pytest

import pagetree
from conftest import TESTDATA

FULL = "testdata/v2_full.json"
FILES = ["testdata/v2_full.json", "testdata/v2_nojob.json"]


def test_langchain_documents_validate():
    from langchain_core.documents import Document as LCDocument

    import pagetree.langchain as pl

    doc = pagetree.load(FULL)
    chunks = doc.chunks(max_chars=600)
    docs = pl.documents(doc, max_chars=600)
    assert len(docs) == len(chunks)
    for d, c in zip(docs, chunks):
        assert isinstance(d, LCDocument)
        assert d.id == c["id"] and d.page_content == c["page_content"]
        assert d.metadata["pages"] == c["metadata"]["pages"]
        # Round trip through LangChain's own model validation.
        assert LCDocument.model_validate(d.model_dump()) == d


def test_langchain_loader_is_lazy_and_covers_every_file():
    from langchain_core.document_loaders import BaseLoader

    from pagetree.langchain import PagetreeLoader

    loader = PagetreeLoader(FILES, max_tokens=200)
    assert isinstance(loader, BaseLoader)
    it = loader.lazy_load()
    first = next(it)
    assert first.metadata["source"] == FILES[0]
    rest = list(it)
    assert {d.metadata["source"] for d in [first, *rest]} == set(FILES)
    assert len(loader.load()) == 1 + len(rest)


def test_flat_metadata_is_scalars_only():
    import pagetree.langchain as pl

    for d in pl.documents(FILES, flat_metadata=True, max_chars=500):
        m = d.metadata
        assert all(isinstance(v, (str, int, float, bool)) for v in m.values()), m
        assert m["page_start"] <= m["page_end"]
        assert isinstance(m["heading_path"], str)
        boxes = json.loads(m["page_boxes"])
        assert isinstance(boxes, list)
        assert "pages" not in m


def test_llama_index_nodes():
    from llama_index.core.schema import MetadataMode, NodeRelationship, TextNode

    from pagetree.llama_index import nodes

    ns = nodes(FILES, max_chars=500)
    assert len(ns) > 2
    by_source = {}
    for n in ns:
        assert isinstance(n, TextNode)
        by_source.setdefault(n.relationships[NodeRelationship.SOURCE].node_id, []).append(n)
        assert TextNode.model_validate(n.model_dump()).id_ == n.id_
        embed = n.get_content(metadata_mode=MetadataMode.EMBED)
        llm = n.get_content(metadata_mode=MetadataMode.LLM)
        for machine in ("page_boxes", "elements", "md_range"):
            assert machine in n.metadata
            assert machine not in embed and machine not in llm
        assert "source" in llm
    assert set(by_source) == set(FILES)
    for group in by_source.values():
        assert NodeRelationship.PREVIOUS not in group[0].relationships
        assert NodeRelationship.NEXT not in group[-1].relationships
        for a, b in zip(group, group[1:]):
            assert a.relationships[NodeRelationship.NEXT].node_id == b.id_
            assert b.relationships[NodeRelationship.PREVIOUS].node_id == a.id_
    ids = [n.id_ for n in nodes(pagetree.load(FULL), max_chars=500)]
    assert ids == [c["id"] for c in pagetree.load(FULL).chunks(max_chars=500)]


def test_llama_index_flat_metadata():
    from pagetree.llama_index import nodes

    for n in nodes(FULL, flat_metadata=True):
        assert all(isinstance(v, (str, int, float, bool)) for v in n.metadata.values())
        assert "page_boxes" in n.excluded_embed_metadata_keys
