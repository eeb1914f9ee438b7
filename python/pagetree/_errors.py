"""Exceptions and warnings of the pagetree package."""

from __future__ import annotations

from typing import Optional


class PagetreeError(Exception):
    """Base class of pagetree's errors."""


class LoadError(PagetreeError, ValueError):
    """An input that could not be read, with where the problem is.

    ``str(err)`` is the message the command line prints
    (``file.json: items.pages[3].page_number: invalid type ... at line 12 column 9``).
    """

    #: The input's name (file path, ``file.jsonl:3``...), when known.
    file: Optional[str]
    #: JSON path of the offending value (``items.pages[3].items[7].bbox[0].x``); empty when the
    #: error is not inside a value.
    path: str
    #: 1-based line, when known.
    line: Optional[int]
    #: 1-based column (in bytes), when known.
    column: Optional[int]
    #: ``io``, ``encoding``, ``eof``, ``syntax``, ``data`` or ``shape``.
    kind: str
    #: What is wrong, without the location.
    message: str

    def __init__(
        self,
        text: str,
        file: Optional[str] = None,
        path: str = "",
        line: Optional[int] = None,
        column: Optional[int] = None,
        kind: str = "data",
        message: str = "",
    ) -> None:
        super().__init__(text)
        self.file = file
        self.path = path
        self.line = line
        self.column = column
        self.kind = kind
        self.message = message or text

    def __reduce__(self):  # pickles across processes (Dask workers)
        return (
            type(self),
            (str(self), self.file, self.path, self.line, self.column, self.kind, self.message),
        )


class ConvertError(PagetreeError):
    """``convert`` could not run at all (bad options, unwritable output folder)."""


class PagetreeWarning(UserWarning):
    """Something a writer noticed (a failed page, a table stub...); the output is still made."""
