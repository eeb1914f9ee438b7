"""The `pagetree` command installed with the package: the same command line as the Rust
binary, run in this process by the extension."""

from __future__ import annotations

import signal
import sys
from typing import List, Optional


def main(argv: Optional[List[str]] = None) -> None:
    """Runs ``pagetree`` with `argv` (default: ``sys.argv``) and exits with its code."""
    from . import _native

    # Behave as the binary does: Ctrl-C stops at once (Rust code runs without returning to
    # Python's signal handler) and a closed pipe ends quietly.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    args = list(sys.argv if argv is None else argv)
    if not args:
        args = ["pagetree"]
    args[0] = "pagetree"
    sys.stdout.flush()
    sys.exit(_native.main(args))


if __name__ == "__main__":
    main()
