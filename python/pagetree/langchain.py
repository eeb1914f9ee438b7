"""LangChain adapter: chunks as ``langchain_core.documents.Document`` objects, and a
``BaseLoader`` for folders. Needs ``langchain-core`` (``pip install pagetree[langchain]``),
imported only when this module is.

>>> from pagetree.langchain import PagetreeLoader          # doctest: +SKIP
>>> docs = PagetreeLoader("responses/", max_tokens=512).load()  # doctest: +SKIP
"""

from __future__ import annotations

import os
from typing import Any, Iterable, Iterator, List, Union

try:
    from langchain_core.document_loaders import BaseLoader
    from langchain_core.documents import Document as LCDocument
except ImportError as e:  # pragma: no cover - depends on the environment
    raise ImportError(
        "pagetree.langchain needs langchain-core: pip install 'pagetree[langchain]'"
    ) from e

from . import Document, iter_chunks
from ._meta import shaped

__all__ = ["PagetreeLoader", "documents", "to_document"]

Paths = Union[str, "os.PathLike[str]", Iterable[Union[str, "os.PathLike[str]"]]]


def to_document(chunk: dict, *, flat_metadata: bool = False) -> LCDocument:
    """One chunk (a dict from :meth:`pagetree.Document.chunks`) as a LangChain document, its
    id the chunk id."""
    return LCDocument(
        page_content=chunk["page_content"],
        metadata=shaped(chunk, flat_metadata),
        id=chunk["id"],
    )


def _chunks(source: Union[Document, Paths], opts: dict) -> Iterator[dict]:
    if isinstance(source, Document):
        return source.iter_chunks(**opts)
    return iter_chunks(source, **opts)


def documents(
    source: Union[Document, Paths], *, flat_metadata: bool = False, **chunk_options: Any
) -> List[LCDocument]:
    """LangChain documents, one per chunk, from a loaded :class:`pagetree.Document` or from
    files, folders and glob patterns. `chunk_options` are those of
    :meth:`pagetree.Document.chunks` (``max_tokens``, ``max_chars``, ``overlap``,
    ``tokenizer``...); ``flat_metadata=True`` keeps only scalar metadata values, for vector
    stores such as Chroma and Pinecone."""
    return [to_document(c, flat_metadata=flat_metadata) for c in _chunks(source, chunk_options)]


class PagetreeLoader(BaseLoader):
    """Loads saved LlamaParse responses (files, folders, glob patterns) as chunked LangChain
    documents, lazily: one response in memory at a time."""

    def __init__(self, paths: Paths, *, flat_metadata: bool = False, **chunk_options: Any) -> None:
        if isinstance(paths, (str, os.PathLike)):
            paths = [paths]
        self.paths = [os.fspath(p) for p in paths]
        self.flat_metadata = flat_metadata
        self.chunk_options = chunk_options

    def lazy_load(self) -> Iterator[LCDocument]:
        for chunk in iter_chunks(self.paths, **self.chunk_options):
            yield to_document(chunk, flat_metadata=self.flat_metadata)
