"""pagetree: saved LlamaParse responses to markdown, text, CSV tables, bbox-annotated
elements, table-quality reports and RAG chunks, offline, from Rust.

>>> import pagetree
>>> doc = pagetree.load("report.json")            # doctest: +SKIP
>>> md = doc.markdown(headers="hide")             # doctest: +SKIP
>>> for chunk in doc.chunks(max_tokens=512):      # doctest: +SKIP
...     print(chunk["id"], chunk["metadata"]["pages"])

Every output equals what the ``pagetree`` command prints with the same options, byte for
byte: keyword options are the command's flags (``page_separator=`` is ``--page-separator``).
Writers' warnings (failed pages, table stubs) are issued as :class:`PagetreeWarning`.
"""

from __future__ import annotations

import csv
import glob as _glob
import io
import json
import os
import tempfile
import warnings as _warnings
from typing import (
    Any,
    Callable,
    Dict,
    Iterable,
    Iterator,
    List,
    Optional,
    Sequence,
    Tuple,
    Union,
)

from . import _native
from ._errors import ConvertError, LoadError, PagetreeError, PagetreeWarning
from ._options import to_flags

__all__ = [
    "ConvertError",
    "Document",
    "LoadError",
    "Page",
    "PagetreeError",
    "PagetreeWarning",
    "Table",
    "convert",
    "expand",
    "iter_chunks",
    "load",
    "load_all",
]

__version__: str = _native.version()

PathLike = Union[str, "os.PathLike[str]"]
Source = Union[PathLike, bytes, bytearray, memoryview]
Tokenizer = Union[str, Callable[[str], int]]


def _warn(name: Optional[str], messages: Sequence[str], stacklevel: int = 3) -> None:
    for m in messages:
        _warnings.warn(
            f"{name}: {m}" if name else m, PagetreeWarning, stacklevel=stacklevel
        )


def _load(source: Source, name: Optional[str]) -> List["Document"]:
    if isinstance(source, (bytes, bytearray, memoryview)):
        natives = _native.load(data=bytes(source), name=name)
    else:
        natives = _native.load(path=os.fspath(source))
    return [Document(n) for n in natives]


def load(source: Source, *, name: Optional[str] = None) -> "Document":
    """Loads one saved response from a file path or from bytes.

    Every shape LlamaParse responses are saved in is read (v2 with or without ``job``, the
    ``items`` object alone, client-library dumps, v1 page lists). `name` names bytes in error
    messages. Raises :class:`LoadError` (with ``.file``, ``.path``, ``.line``, ``.column``)
    when the input cannot be read, is not a parse result, or holds several responses (use
    :func:`load_all`).

    A file is read as the command reads it: its structure is indexed now, and each output
    reads what it needs (markdown and text read pages one batch at a time, without boxes);
    the first output that needs the whole tree (pages, tables, chunks...) loads it. An error
    inside a page is raised by the output that reads it, as :class:`LoadError`.
    """
    if not isinstance(source, (bytes, bytearray, memoryview)):
        path = os.fspath(source)
        info = _native.probe(path)
        if info is not None:
            return Document(None, path=path, info=json.loads(info))
    docs = _load(source, name)
    if len(docs) != 1:
        label = name if isinstance(source, (bytes, bytearray, memoryview)) else os.fspath(source)
        raise LoadError(
            f"{label}: holds {len(docs)} responses; use pagetree.load_all",
            file=label,
            kind="shape",
            message=f"holds {len(docs)} responses; use pagetree.load_all",
        )
    return docs[0]


def load_all(source: Source, *, name: Optional[str] = None) -> List["Document"]:
    """Loads every response in a file or bytes: JSON Lines (one response per line), v1 lists,
    or a single response (a list of one). Raises :class:`LoadError` at the first that cannot
    be read, located in the whole input."""
    return _load(source, name)


class Page:
    """One page: its number, size in points (``None`` when the response gives none), failed
    state and error, the server's markdown and text, and its items as the response wrote
    them (dicts: ``type``, ``md``, ``value``, ``bbox``...)."""

    __slots__ = ("number", "width", "height", "failed", "error", "markdown", "text", "items")

    def __init__(self, d: Dict[str, Any]) -> None:
        self.number: int = d["number"]
        self.width: Optional[float] = d["width"]
        self.height: Optional[float] = d["height"]
        self.failed: bool = d["failed"]
        self.error: Optional[str] = d["error"]
        self.markdown: Optional[str] = d["markdown"]
        self.text: Optional[str] = d["text"]
        self.items: List[Dict[str, Any]] = d["items"]

    @property
    def size(self) -> Optional[Tuple[float, float]]:
        """``(width, height)`` in points, when known."""
        if self.width is None or self.height is None:
            return None
        return (self.width, self.height)

    def __repr__(self) -> str:
        state = " failed" if self.failed else ""
        return f"<Page {self.number}{state}: {len(self.items)} items>"


class Table:
    """One table as ``pagetree tables`` writes it."""

    __slots__ = ("id", "file_name", "rows", "info", "_bytes", "_delimiter")

    def __init__(
        self, id: str, file_name: str, data: bytes, rows: List[List[str]], info: Dict[str, Any], delimiter: str
    ) -> None:
        #: Stable id, ``p003-t01`` (page 3, first table on the page).
        self.id = id
        #: The file ``pagetree tables`` writes it to.
        self.file_name = file_name
        #: The cells, row by row (the header rows first).
        self.rows = rows
        #: Its entry in ``tables.json``: pages, boxes, source, agreement, merges.
        self.info = info
        self._bytes = data
        self._delimiter = delimiter

    @property
    def pages(self) -> List[int]:
        """The pages the table is on."""
        return list(self.info.get("pages") or [])

    @property
    def bbox(self) -> Any:
        """The table's boxes, as ``tables.json`` gives them."""
        for key in ("bbox", "boxes", "bboxes"):
            if key in self.info:
                return self.info[key]
        return None

    @property
    def header_rows(self) -> int:
        """How many leading rows are header rows."""
        return int(self.info.get("header_rows", 1 if self.rows else 0))

    def to_csv(self) -> str:
        """The file's text, exactly as ``pagetree tables`` writes it."""
        return self._bytes.decode("utf-8")

    def to_pandas(self) -> "Any":
        """A ``pandas.DataFrame``: the first row as column names when the table has a header
        row, all cells as strings. Needs pandas (``pip install pagetree[pandas]``)."""
        try:
            import pandas as pd
        except ImportError as e:  # pragma: no cover - depends on the environment
            raise ImportError("Table.to_pandas needs pandas: pip install pandas") from e
        rows = self.rows
        width = max((len(r) for r in rows), default=0)
        padded = [list(r) + [""] * (width - len(r)) for r in rows]
        if self.header_rows >= 1 and padded:
            header = padded[0]
            # Duplicate or empty names would collide as DataFrame columns.
            seen: Dict[str, int] = {}
            cols = []
            for i, h in enumerate(header):
                h = h or f"column_{i + 1}"
                n = seen.get(h, 0)
                seen[h] = n + 1
                cols.append(h if n == 0 else f"{h}.{n}")
            return pd.DataFrame(padded[1:], columns=cols, dtype=str)
        return pd.DataFrame(padded, dtype=str)

    def __repr__(self) -> str:
        return f"<Table {self.id}: {len(self.rows)} rows, pages {self.pages}>"


class Document:
    """A loaded response. Outputs are computed on request, the GIL released while Rust works;
    the document itself is immutable and can be shared between threads."""

    __slots__ = ("_loaded", "_path", "_info", "_pages")

    def __init__(self, native: Any, *, path: Optional[str] = None, info: Optional[Dict[str, Any]] = None) -> None:
        self._loaded = native
        self._path = path
        self._info: Dict[str, Any] = info if info is not None else json.loads(native.info())
        self._pages: Optional[List[Page]] = None

    @property
    def _native(self) -> Any:
        """The whole document, loaded on first use when only its index was read."""
        if self._loaded is None:
            docs = _native.load(path=self._path)
            if len(docs) != 1:  # pragma: no cover - the index found one response
                raise LoadError(f"{self._path}: holds {len(docs)} responses", file=self._path, kind="shape")
            self._loaded = docs[0]
        return self._loaded

    def _streamed(self, write: Callable[..., Any], flags: List[str]) -> Optional[Tuple[bytes, List[str]]]:
        """Markdown or text read page by page from the file, while the whole tree is not
        loaded (what the command does for large files; the output is the same)."""
        if self._loaded is not None or self._path is None:
            return None
        return write(self._path, flags)

    @property
    def source(self) -> Optional[str]:
        """The input's name, as messages name it."""
        return self._info["source"]

    @property
    def format(self) -> Optional[str]:
        """The shape it was read from: ``v2``, ``v2_items``, ``v1``..."""
        return self._info["format"]

    @property
    def job_id(self) -> Optional[str]:
        """The parse job's id, when the response has one."""
        return self._info["job_id"]

    @property
    def job_status(self) -> Optional[str]:
        """The parse job's status as written, when the response has one."""
        return self._info["job_status"]

    @property
    def load_warnings(self) -> List[str]:
        """What the loader noticed (duplicate pages, guessed page numbers...)."""
        return list(self._info["warnings"])

    @property
    def pages(self) -> List[Page]:
        """The pages in page-number order."""
        if self._pages is None:
            self._pages = [Page(p) for p in json.loads(self._native.pages())]
        return self._pages

    @property
    def failed_pages(self) -> List[Page]:
        """The pages the server failed to parse."""
        return [p for p in self.pages if p.failed]

    def __len__(self) -> int:
        return int(self._info["pages"])

    def __repr__(self) -> str:
        return f"<Document {self.source or '<bytes>'}: {self.format}, {len(self)} pages>"

    def markdown(self, **options: Any) -> str:
        """Markdown, as ``pagetree markdown`` prints it. Options are its flags: ``from_``
        (``"items"``/``"server"``), ``pages``, ``page_separator``, ``page_prefix``,
        ``page_suffix``, ``headers``/``footers`` (``"keep"``/``"hide"``), their prefixes and
        suffixes, ``detect_furniture`` (``"on"``/``"off"``: running heads typed as text count
        as headers and footers), ``failed_pages``, ``tables`` (``"markdown"``/``"html"``), ``table_style``,
        ``cell_line_break``, ``merge_tables``, ``links``, ``images``,
        ``options_from_response``, ``options_from``."""
        flags = _flags(options)
        r = self._streamed(_native.markdown_file, flags)
        out, warns = r if r is not None else self._native.markdown(flags)
        _warn(self.source, warns)
        return out.decode("utf-8")

    def text(self, **options: Any) -> str:
        """Plain text, as ``pagetree text`` prints it (the page options of :meth:`markdown`)."""
        flags = _flags(options)
        r = self._streamed(_native.text_file, flags)
        out, warns = r if r is not None else self._native.text(flags)
        _warn(self.source, warns)
        return out.decode("utf-8")

    def elements(self, **options: Any) -> Dict[str, Any]:
        """The bbox-annotated elements (schema ``pagetree.elements``), as ``pagetree
        elements`` prints them, parsed. Options: the markdown options (they move
        ``md_range``) and ``no_furniture``."""
        options.pop("jsonl", None)
        out, warns = self._native.elements(_flags(options))
        _warn(self.source, warns)
        return json.loads(out)

    def quality(self) -> Dict[str, Any]:
        """The table-quality report (schema ``pagetree.quality``), as ``pagetree quality
        --format json`` prints it, parsed."""
        return json.loads(self._native.quality())

    def tables(self, **options: Any) -> List[Table]:
        """Every table, as ``pagetree tables`` writes them. Options are its flags:
        ``stitch``, ``delimiter`` (``","``, ``";"``, ``"tab"``), ``header_rows``,
        ``normalize_numbers``, ``percent``, ``format`` (``"csv"``/``"jsonl"``), ``pad``."""
        delimiter = {"tab": "\t"}.get(options.get("delimiter") or ",", options.get("delimiter") or ",")
        files, index, warns = self._native.tables(_flags(options))
        _warn(self.source, warns)
        infos = json.loads(index).get("tables", [])
        by_id = {i.get("id"): i for i in infos}
        return [
            Table(tid, fname, data, rows, by_id.get(tid, {}), delimiter)
            for tid, fname, data, rows in files
        ]

    def tables_index(self, **options: Any) -> Dict[str, Any]:
        """``tables.json`` as ``pagetree tables`` writes it (tables, skipped stubs, warnings)."""
        _, index, _ = self._native.tables(_flags(options))
        return json.loads(index)

    def chunks(
        self,
        *,
        max_tokens: Optional[int] = None,
        max_chars: Optional[int] = None,
        overlap: Optional[int] = None,
        tokenizer: Optional[Tokenizer] = None,
        **options: Any,
    ) -> List[Dict[str, Any]]:
        """RAG chunks with provenance, as ``pagetree chunks`` prints them (one dict per line:
        ``id``, ``text``, ``page_content``, ``metadata``).

        Sizes are in characters (``max_chars``, default 1500) or tokens (``max_tokens``).
        ``tokenizer`` is ``"cl100k_base"`` (built in, offline; the default for
        ``max_tokens``) or any callable ``str -> int`` counting tokens, such as
        ``lambda s: len(hf_tokenizer.encode(s))`` or ``lambda s: len(enc.encode(s))``.
        Other options are the command's flags: ``min``, ``no_breadcrumb``, ``table_text``,
        ``furniture`` and the markdown options.
        """
        return list(self.iter_chunks(max_tokens=max_tokens, max_chars=max_chars,
                                     overlap=overlap, tokenizer=tokenizer, **options))

    def iter_chunks(
        self,
        *,
        max_tokens: Optional[int] = None,
        max_chars: Optional[int] = None,
        overlap: Optional[int] = None,
        tokenizer: Optional[Tokenizer] = None,
        **options: Any,
    ) -> Iterator[Dict[str, Any]]:
        """:meth:`chunks`, one dict at a time (each parsed as it is reached)."""
        data = self.chunks_jsonl(max_tokens=max_tokens, max_chars=max_chars, overlap=overlap,
                                 tokenizer=tokenizer, **options)
        return _lines(data)

    def chunks_jsonl(
        self,
        *,
        max_tokens: Optional[int] = None,
        max_chars: Optional[int] = None,
        overlap: Optional[int] = None,
        tokenizer: Optional[Tokenizer] = None,
        **options: Any,
    ) -> bytes:
        """:meth:`chunks` as the JSON Lines bytes ``pagetree chunks`` prints."""
        counter = None
        if tokenizer is not None and not isinstance(tokenizer, str):
            if not callable(tokenizer):
                raise TypeError("tokenizer must be 'cl100k_base' or a callable str -> int")
            counter = tokenizer
            if max_tokens is None:
                raise ValueError("a tokenizer counts tokens: give max_tokens")
        elif tokenizer not in (None, "cl100k_base"):
            raise ValueError(
                f"unknown tokenizer {tokenizer!r}: the built-in one is 'cl100k_base'; "
                "pass a callable str -> int for any other"
            )
        elif tokenizer == "cl100k_base" and max_tokens is None:
            raise ValueError("a tokenizer counts tokens: give max_tokens")
        options.update(max_tokens=max_tokens, max_chars=max_chars, overlap=overlap)
        if counter is None:
            out, warns = self._native.chunks(_flags(options))
        else:
            out, warns = self._native.chunks(_flags(options), counter)
        _warn(self.source, warns, stacklevel=4)
        return out


def _flags(options: Dict[str, Any]) -> List[str]:
    # `from` is a Python keyword: `from_="server"`.
    if "from_" in options:
        options["from"] = options.pop("from_")
    return to_flags(options)


def _lines(data: bytes) -> Iterator[Dict[str, Any]]:
    start = 0
    n = len(data)
    while start < n:
        end = data.find(b"\n", start)
        if end < 0:
            end = n
        if end > start:
            yield json.loads(data[start:end])
        start = end + 1


_EXTENSIONS = (".json", ".jsonl", ".ndjson")


def expand(paths: Union[PathLike, Iterable[PathLike]]) -> List[str]:
    """The files `paths` name, in a stable order: files as given, directories searched
    recursively for ``.json``, ``.jsonl`` and ``.ndjson`` files (sorted), glob patterns
    (``**`` recursive) matched and sorted. A path that names nothing raises
    ``FileNotFoundError``."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    out: List[str] = []
    for p in paths:
        p = os.fspath(p)
        if os.path.isdir(p):
            found = []
            for root, dirs, files in os.walk(p):
                dirs.sort()
                found.extend(os.path.join(root, f) for f in files if f.endswith(_EXTENSIONS))
            out.extend(sorted(found))
        elif os.path.exists(p):
            out.append(p)
        elif _glob.has_magic(p):
            matched = sorted(
                m for m in _glob.glob(p, recursive=True)
                if os.path.isfile(m) and m.endswith(_EXTENSIONS)
            )
            if not matched:
                raise FileNotFoundError(f"{p}: the pattern matches no .json, .jsonl or .ndjson file")
            out.extend(matched)
        else:
            raise FileNotFoundError(f"{p}: no such file or directory")
    return out


def iter_chunks(
    paths: Union[PathLike, Iterable[PathLike]],
    *,
    errors: str = "raise",
    **options: Any,
) -> Iterator[Dict[str, Any]]:
    """Chunks of every response in a folder, a glob pattern or a list of files, lazily: one
    file is loaded at a time and its chunks are parsed as they are reached, so a pipeline
    never holds the collection in memory. Each chunk's metadata gains ``source`` (the file)
    and, for files holding several responses, ``document`` (1-based).

    Options are those of :meth:`Document.chunks`. `errors` is ``"raise"`` (the first
    :class:`LoadError` stops the iteration) or ``"warn"`` (a :class:`PagetreeWarning` names
    the file and the iteration goes on).
    """
    if errors not in ("raise", "warn"):
        raise ValueError("errors must be 'raise' or 'warn'")
    for path in expand(paths):
        try:
            docs = load_all(path)
        except LoadError as e:
            if errors == "raise":
                raise
            _warnings.warn(f"skipped: {e}", PagetreeWarning, stacklevel=2)
            continue
        many = len(docs) > 1
        for i, doc in enumerate(docs):
            data = doc.chunks_jsonl(**options)
            del doc
            for chunk in _lines(data):
                meta = chunk.setdefault("metadata", {})
                meta.setdefault("source", path)
                if many:
                    meta.setdefault("document", i + 1)
                yield chunk
        del docs


def convert(
    inputs: Union[PathLike, Iterable[PathLike]],
    out: PathLike,
    *,
    to: Optional[Sequence[str]] = None,
    jobs: Optional[int] = None,
    progress: bool = True,
    force: bool = False,
    **options: Any,
) -> Dict[str, Any]:
    """Converts files, folders and glob patterns into one folder per document under `out`,
    exactly as ``pagetree convert`` does (it is the command's code, run in this process):
    in parallel, atomically, with the manifest that makes reruns skip unchanged inputs.

    `to` lists the outputs (``"markdown"``, ``"text"``, ``"tables"``, ``"elements"``,
    ``"quality"``, ``"chunks"``;
    default markdown, tables and elements); `jobs` the worker threads (default: one per
    core); `progress=False` is ``--quiet``. Other options are the command's flags
    (``stitch``, ``delimiter``, ``shard="1/4"``, ``elements_jsonl``, the markdown options,
    and with ``"chunks"`` the chunk options as :func:`chunks` takes them: ``max_chars``,
    ``max_tokens``, ``min``, ``overlap``, ``table_text``, ``no_breadcrumb``, ``furniture``).

    Returns the summary (schema ``pagetree.convert-report``: inputs, converted, unchanged,
    documents, pages, failed pages, tables, elements, ``failed_inputs`` with their located
    errors...) plus ``exit_code`` (0, or 1 when some inputs failed). Raises
    :class:`ConvertError` when the command cannot run at all (exit code 2).
    """
    if isinstance(inputs, (str, os.PathLike)):
        inputs = [inputs]
    args = [os.fspath(i) for i in inputs]
    fd, report = tempfile.mkstemp(prefix="pagetree-report-", suffix=".json")
    os.close(fd)
    try:
        argv = ["pagetree", "convert", *args, "--output", os.fspath(out), "--report", report]
        if to is not None:
            argv.append("--to=" + ",".join(to))
        if jobs is not None:
            argv.append(f"--jobs={int(jobs)}")
        if not progress:
            argv.append("--quiet")
        if force:
            argv.append("--force")
        argv.extend(_flags(options))
        code = _native.main(argv)
        if code == 2:
            raise ConvertError(
                "pagetree convert could not run (exit code 2); its message is on standard error"
            )
        with open(report, encoding="utf-8") as f:
            summary = json.load(f)
    finally:
        try:
            os.unlink(report)
        except OSError:
            pass
    summary["exit_code"] = code
    return summary
