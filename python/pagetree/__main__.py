"""``python -m pagetree``: the command line."""

from ._cli import main

main()
