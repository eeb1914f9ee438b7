"""Keyword options to command-line flags: every option is the CLI flag of the same name
(``page_separator="..."`` is ``--page-separator``), parsed and validated by the command line's
own parser, so an option means exactly what the flag means."""

from __future__ import annotations

from typing import Any, Iterable, List

# String options the command line unescapes (`\n`, `\t`, `\\`); Python strings are already
# what the user means, so their backslashes are escaped on the way in.
_UNESCAPED = frozenset(
    {
        "page_separator",
        "page_prefix",
        "page_suffix",
        "header_prefix",
        "header_suffix",
        "footer_prefix",
        "footer_suffix",
        "failed_page_prefix",
        "failed_page_suffix",
        "cell_line_break",
    }
)

# Options whose flag takes `true`/`false` rather than being a switch.
_VALUED_BOOLS = frozenset({"merge_tables"})


def _pages(v: Any) -> str:
    """`pages=` as the CLI writes it: `"3-7,10"`, an int, a range or a list of ints."""
    if isinstance(v, str):
        return v
    if isinstance(v, int):
        return str(v)
    if isinstance(v, range) and v.step == 1 and len(v) > 0:
        return f"{v.start}-{v.stop - 1}"
    if isinstance(v, Iterable):
        return ",".join(str(int(p)) for p in v)
    raise TypeError(f"pages must be a string, an int, a range or a list of ints, not {v!r}")


def to_flags(opts: dict) -> List[str]:
    """The flags for `opts`; `None` means "not given" and `False` leaves a switch off."""
    flags: List[str] = []
    for key, value in opts.items():
        if value is None:
            continue
        flag = "--" + key.replace("_", "-")
        if key in _VALUED_BOOLS:
            flags.append(f"{flag}={'true' if value else 'false'}")
        elif value is True:
            flags.append(flag)
        elif value is False:
            continue
        elif key == "pages":
            flags.append(f"{flag}={_pages(value)}")
        elif isinstance(value, (list, tuple)):
            flags.append(f"{flag}={','.join(str(v) for v in value)}")
        else:
            s = str(value)
            if key in _UNESCAPED:
                s = s.replace("\\", "\\\\")
            flags.append(f"{flag}={s}")
    return flags
