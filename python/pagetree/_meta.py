"""Chunk metadata shaped for the places chunks go: flat scalars for vector stores that take
nothing else (Chroma, Pinecone), and the keys a model should not read."""

from __future__ import annotations

import json
from typing import Any, Dict, List

# Keys that locate a chunk for software (boxes, element ids, byte ranges, counters): kept in
# the metadata for citations and highlighting, but noise in an embedding or a prompt.
MACHINE_KEYS: List[str] = [
    "index",
    "body_offset",
    "origin",
    "kinds",
    "chars",
    "tokens",
    "oversize",
    "md_range",
    "md_parts",
    "tables",
    "elements",
    "page_boxes",
    "adjacent_failed_pages",
    "chunk_id",
    "document",
    # The flat forms of the same.
    "md_start",
    "md_end",
    "body_offset_chars",
]

# What an LLM may read beside the text (where the passage comes from).
LLM_KEYS = frozenset({"source", "heading_path", "pages", "page_start", "page_end"})


def flat(meta: Dict[str, Any]) -> Dict[str, Any]:
    """Metadata with scalar values only (str, int, float, bool; no None): pages as
    ``page_start``/``page_end``, the heading path joined with `` > ``, ``md_range`` as
    ``md_start``/``md_end`` (characters), and every other list or object (boxes, element
    ids, tables) as a JSON string."""
    out: Dict[str, Any] = {}
    for key, value in meta.items():
        if value is None:
            continue
        if key == "pages" and isinstance(value, list) and len(value) == 2:
            out["page_start"], out["page_end"] = value
        elif key == "heading_path" and isinstance(value, list):
            out[key] = " > ".join(str(v) for v in value)
        elif key == "md_range" and isinstance(value, dict) and "chars" in value:
            out["md_start"], out["md_end"] = value["chars"]
        elif key == "body_offset" and isinstance(value, dict) and "chars" in value:
            out["body_offset_chars"] = value["chars"]
        elif key == "kinds" and isinstance(value, list):
            out[key] = ",".join(str(v) for v in value)
        elif isinstance(value, (dict, list, tuple)):
            out[key] = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        else:
            out[key] = value
    return out


def shaped(chunk: Dict[str, Any], flat_metadata: bool) -> Dict[str, Any]:
    """The chunk's metadata with its id, flattened when asked."""
    meta = dict(chunk.get("metadata") or {})
    meta["chunk_id"] = chunk["id"]
    return flat(meta) if flat_metadata else meta


def excluded(meta: Dict[str, Any], for_llm: bool) -> List[str]:
    """The keys of `meta` that an embedding (or, with `for_llm`, a prompt) should not see."""
    if for_llm:
        return [k for k in meta if k not in LLM_KEYS]
    return [k for k in meta if k != "heading_path"]
