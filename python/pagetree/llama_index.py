"""LlamaIndex adapter: chunks as ``TextNode`` objects whose ``id_`` is the chunk id, linked
PREVIOUS/NEXT within a document and to their SOURCE document, with the machine-only metadata
(boxes, element ids, ranges) kept out of embeddings and prompts. Needs ``llama-index-core``
(``pip install pagetree[llama-index]``), imported only when this module is.

>>> from pagetree.llama_index import nodes               # doctest: +SKIP
>>> index = VectorStoreIndex(nodes("responses/", max_tokens=512))  # doctest: +SKIP
"""

from __future__ import annotations

import os
from typing import Any, Iterable, Iterator, List, Optional, Union

try:
    from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode
except ImportError as e:  # pragma: no cover - depends on the environment
    raise ImportError(
        "pagetree.llama_index needs llama-index-core: pip install 'pagetree[llama-index]'"
    ) from e

from . import Document, iter_chunks
from ._meta import excluded, shaped

__all__ = ["iter_nodes", "nodes"]

Paths = Union[str, "os.PathLike[str]", Iterable[Union[str, "os.PathLike[str]"]]]


def _source_id(chunk: dict) -> str:
    meta = chunk.get("metadata") or {}
    source = meta.get("source") or "<input>"
    doc = meta.get("document")
    return f"{source}#{doc}" if doc else str(source)


def _node(chunk: dict, flat_metadata: bool) -> TextNode:
    meta = shaped(chunk, flat_metadata)
    node = TextNode(
        id_=chunk["id"],
        text=chunk["text"],
        metadata=meta,
        excluded_embed_metadata_keys=excluded(meta, for_llm=False),
        excluded_llm_metadata_keys=excluded(meta, for_llm=True),
    )
    node.relationships[NodeRelationship.SOURCE] = RelatedNodeInfo(node_id=_source_id(chunk))
    return node


def iter_nodes(
    source: Union[Document, Paths], *, flat_metadata: bool = False, **chunk_options: Any
) -> Iterator[TextNode]:
    """:func:`nodes`, lazily (one node of look-ahead, to link NEXT)."""
    chunks = (
        source.iter_chunks(**chunk_options)
        if isinstance(source, Document)
        else iter_chunks(source, **chunk_options)
    )
    prev: Optional[TextNode] = None
    for chunk in chunks:
        node = _node(chunk, flat_metadata)
        if prev is not None:
            same = (
                prev.relationships[NodeRelationship.SOURCE].node_id
                == node.relationships[NodeRelationship.SOURCE].node_id
            )
            if same:
                prev.relationships[NodeRelationship.NEXT] = RelatedNodeInfo(node_id=node.node_id)
                node.relationships[NodeRelationship.PREVIOUS] = RelatedNodeInfo(
                    node_id=prev.node_id
                )
            yield prev
        prev = node
    if prev is not None:
        yield prev


def nodes(
    source: Union[Document, Paths], *, flat_metadata: bool = False, **chunk_options: Any
) -> List[TextNode]:
    """LlamaIndex ``TextNode`` objects, one per chunk, from a loaded
    :class:`pagetree.Document` or from files, folders and glob patterns. `chunk_options` are
    those of :meth:`pagetree.Document.chunks`; ``flat_metadata=True`` keeps only scalar
    metadata values (Chroma, Pinecone)."""
    return list(iter_nodes(source, flat_metadata=flat_metadata, **chunk_options))
