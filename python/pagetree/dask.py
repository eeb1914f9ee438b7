"""Converting collections larger than one machine on a Dask cluster.

:func:`convert` is ``pagetree convert`` with the inputs handed out by Dask: the driver
expands the inputs and reads the manifest (the command's own code), each worker converts one
file into the shared output folder with the Rust core (atomically, as the command does), the
driver records each result in the output folder's journal as it arrives (so an interrupted
run resumes like an interrupted ``pagetree convert``: the rerun skips what finished), and
takes every result, in input order, into the same manifest, summary and report a single
``pagetree convert`` run writes. The output folder must be visible to the workers at
the same path (a shared file system). Needs ``dask[distributed]`` (``pip install
pagetree[dask]``).

>>> from distributed import Client                     # doctest: +SKIP
>>> from pagetree.dask import convert                  # doctest: +SKIP
>>> summary = convert("responses/", "out/", client=Client("scheduler:8786"))  # doctest: +SKIP
"""

from __future__ import annotations

import json
import os
from typing import Any, Dict, Iterable, List, NamedTuple, Optional, Sequence, Union

try:
    import dask.bag as db
    from dask.callbacks import Callback
except ImportError as e:  # pragma: no cover - depends on the environment
    raise ImportError("pagetree.dask needs dask: pip install 'pagetree[dask]'") from e

from . import _native
from ._errors import ConvertError
from ._options import to_flags

__all__ = ["convert", "convert_task"]

Paths = Union[str, "os.PathLike[str]", Iterable[Union[str, "os.PathLike[str]"]]]


def convert_task(args: List[str], task: str) -> str:
    """Converts one input of a plan (runs on a worker). Never raises: an error becomes the
    input's failure, so no input is lost from the summary."""
    try:
        return _native.convert_task(args, task)
    except BaseException as e:  # noqa: BLE001 - reported as this input's failure
        return _failed(task, f"worker error: {type(e).__name__}: {e}")


class _Result(NamedTuple):
    """A task's result with its place in the plan, as the bag's tasks return it (so the
    driver can tell results from the other values its scheduler hands back)."""

    index: int
    result: str


def _convert_indexed(args: List[str], item: "tuple[int, str]") -> _Result:
    return _Result(item[0], convert_task(args, item[1]))


class _Journal(Callback):
    """Records each result in the output folder's journal as the local scheduler finishes
    the task that made it (a bag task returns a partition's results; the same partition is
    handed back again by the tasks after it, so each index is recorded once)."""

    def __init__(self, args: List[str]) -> None:
        super().__init__()
        self.args = args
        self.done: set = set()

    def _posttask(self, key, result, dsk, state, worker_id) -> None:  # noqa: ANN001
        if isinstance(result, list):
            for r in result:
                if isinstance(r, _Result) and r.index not in self.done:
                    self.done.add(r.index)
                    _native.convert_record(self.args, r.result)


def _failed(task: str, error: str) -> str:
    input_ = json.loads(task)["input"]
    name = input_.get("path") or "<stdin>"
    return json.dumps({"input": input_, "outcome": {"Err": f"{name}: {error}"}})


def convert(
    inputs: Paths,
    out: Union[str, "os.PathLike[str]"],
    client: Any = None,
    *,
    to: Optional[Sequence[str]] = None,
    force: bool = False,
    progress: bool = True,
    npartitions: Optional[int] = None,
    **options: Any,
) -> Dict[str, Any]:
    """Converts files, folders and glob patterns into `out` on a Dask cluster, with the
    output, manifest and summary of ``pagetree convert`` on the same inputs and options.

    With a `client` (``distributed.Client``), each input is one ``client.map`` task;
    without, the inputs are a Dask bag computed on the default scheduler (a client created
    earlier in the process, else Dask's local one), in `npartitions` partitions.
    Options are those of :func:`pagetree.convert` (``to``, ``force``, ``progress=False`` for
    ``--quiet``, and the command's flags). Returns the summary with ``exit_code`` (0, or 1
    when some inputs failed); inputs that fail, even by a worker crashing, are listed in
    ``failed_inputs``, and reruns skip what converted.
    """
    if isinstance(inputs, (str, os.PathLike)):
        inputs = [inputs]
    args = [os.fspath(i) for i in inputs] + ["--output", os.fspath(out)]
    if to is not None:
        args.append("--to=" + ",".join(to))
    if force:
        args.append("--force")
    if not progress:
        args.append("--quiet")
    args.extend(to_flags({("from" if k == "from_" else k): v for k, v in options.items()}))
    try:
        plan, tasks = _native.convert_plan(args)
    except ValueError as e:
        raise ConvertError(str(e)) from None

    if not tasks:
        results: List[str] = []
    elif client is not None:
        from distributed import as_completed

        futures = client.map(convert_task, [args] * len(tasks), tasks, pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        got: List[Optional[str]] = [None] * len(tasks)
        # Each result is journaled as it arrives, whatever the order, and placed by index.
        for f in as_completed(futures):
            i = index[f.key]
            try:
                r = f.result()
            except Exception as e:  # noqa: BLE001 - a lost worker: this input failed
                r = _failed(tasks[i], f"worker lost: {type(e).__name__}: {e}")
            _native.convert_record(args, r)
            got[i] = r
        results = [r for r in got if r is not None]
    else:
        n = npartitions or min(len(tasks), max(1, (os.cpu_count() or 1) * 4))
        bag = db.from_sequence(list(enumerate(tasks)), npartitions=n).map(
            lambda item: _convert_indexed(args, item)
        )
        # The local schedulers call back as each partition finishes; on a distributed
        # default scheduler they do not, and `convert_finish` journals what is left.
        with _Journal(args):
            indexed = bag.compute()
        results = [r.result for r in sorted(indexed, key=lambda r: r.index)]

    try:
        code, report = _native.convert_finish(args, plan, list(results))
    except ValueError as e:
        raise ConvertError(str(e)) from None
    summary = json.loads(report)
    summary["exit_code"] = code
    return summary
