"""A folder of a few hundred generated responses plus broken ones, converted on a Dask
LocalCluster (2 worker processes): output byte-identical to `pagetree convert`, every
failure reported, reruns skip what is done."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import generated_response, run_cli

BROKEN = {
    "bad/truncated.json": '{"items": {"pages": [{"page_number": 1, "items": [',
    "bad/wrong_type.json": '{"items": {"pages": [{"page_number": "one"}]}}',
    "bad/not_json.json": "this is not JSON",
    "bad/job_list.json": None,  # a job listing: not a parse result
}


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("dask") / "responses"
    for i in range(300):
        sub = root / f"batch{i % 7}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"r{i:04d}.json").write_text(json.dumps(generated_response(i, pages=2 + i % 5)))
    lines = "\n".join(json.dumps(generated_response(1000 + k, pages=2)) for k in range(3))
    (root / "batch0" / "several.jsonl").write_text(lines + "\n")
    for name, text in BROKEN.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        if text is None:
            text = (Path(__file__).resolve().parents[2] / "testdata" / "job_list.json").read_text()
        p.write_text(text)
    return root


@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster, distributed.Client(cluster) as c:
        yield c


def _tree(root: Path) -> dict:
    # The lock file holds the pid of the run that took it last: not an output.
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != ".pagetree-lock"
    }


def test_dask_equals_the_cli(folder, client, tmp_path):
    from pagetree.dask import convert

    cli_out, dask_out = tmp_path / "cli", tmp_path / "dask"
    to = "markdown,tables,elements,quality"
    cli = run_cli("convert", str(folder), "-o", str(cli_out), "--to", to, "-q",
                  "--report", str(tmp_path / "cli-report.json"))
    summary = convert(folder, dask_out, client=client, to=to.split(","), progress=False)
    assert summary["exit_code"] == cli.returncode == 1

    cli_tree, dask_tree = _tree(cli_out), _tree(dask_out)
    assert sorted(cli_tree) == sorted(dask_tree)
    for name in cli_tree:
        assert cli_tree[name] == dask_tree[name], name
    assert (dask_out / "pagetree-manifest.json").exists()

    cli_report = json.loads((tmp_path / "cli-report.json").read_text())
    for key in ("inputs", "converted_inputs", "unchanged_inputs", "documents", "pages",
                "tables", "elements", "failed_inputs", "failed_pages", "input_bytes"):
        assert summary[key] == cli_report[key], key
    assert summary["inputs"] == 301 + len(BROKEN)
    failed = sorted(Path(f["input"]).name for f in summary["failed_inputs"])
    assert failed == sorted(Path(n).name for n in BROKEN)
    # Each failure is located as the CLI locates it.
    wrong = next(f for f in summary["failed_inputs"] if "wrong_type" in f["input"])
    assert "page_number" in wrong["error"] and "line 1 column" in wrong["error"]

    # A rerun converts nothing; a changed input converts alone.
    again = convert(folder, dask_out, client=client, to=to.split(","), progress=False)
    assert again["unchanged_inputs"] == 301 and again["converted_inputs"] == 0
    changed = folder / "batch3" / "r0003.json"
    original = changed.read_text()
    try:
        changed.write_text(json.dumps(generated_response(99999, pages=3)))
        third = convert(folder, dask_out, client=client, to=to.split(","), progress=False)
        assert third["converted_inputs"] == 1 and third["unchanged_inputs"] == 300
    finally:
        changed.write_text(original)


def test_dask_bag_without_a_client(folder, tmp_path):
    import dask

    from pagetree.dask import convert

    sub = folder / "batch5"
    cli_out, bag_out = tmp_path / "cli", tmp_path / "bag"
    run_cli("convert", str(sub), "-o", str(cli_out), "-q")
    with dask.config.set(scheduler="threads"):
        summary = convert(sub, bag_out, progress=False)
    assert summary["exit_code"] == 0 and summary["failed_inputs"] == []
    assert _tree(cli_out) == _tree(bag_out)


def test_a_lost_worker_is_a_failed_input(folder, tmp_path, monkeypatch):
    import pagetree.dask as pd

    def explode(args, task):
        raise MemoryError("worker out of memory")

    # convert_task never raises: what a worker raises becomes that input's failure.
    monkeypatch.setattr(pd._native, "convert_task", explode)
    with pytest.MonkeyPatch.context():
        import dask

        with dask.config.set(scheduler="sync"):
            s = pd.convert(folder / "batch6", tmp_path / "out", progress=False)
    assert s["exit_code"] == 1
    assert len(s["failed_inputs"]) == s["inputs"] > 0
    assert all("MemoryError" in f["error"] for f in s["failed_inputs"])


class _Stop(BaseException):
    """The driver interrupted (as Ctrl-C would) between two results."""


@pytest.mark.parametrize("with_client", [False, True])
def test_an_interrupted_driver_resumes(folder, tmp_path, monkeypatch, request, with_client):
    """Each result is journaled as the driver gets it, not at the end: a driver stopped after
    some results leaves them recorded, and the rerun skips them as a `pagetree convert` rerun
    would."""
    import dask

    import pagetree.dask as pd

    sub, out = folder / "batch4", tmp_path / "out"
    client = request.getfixturevalue("client") if with_client else None
    record = pd._native.convert_record
    journaled: list = []

    def stop_after_five(args, result):
        record(args, result)
        journaled.append(json.loads(result)["input"]["path"])
        if len(journaled) == 5:
            raise _Stop()

    monkeypatch.setattr(pd._native, "convert_record", stop_after_five)
    with dask.config.set(scheduler="sync"), pytest.raises(_Stop):
        pd.convert(sub, out, client=client, progress=False)
    monkeypatch.undo()
    assert len(journaled) == 5
    assert (out / "pagetree-manifest.journal").exists()
    assert not (out / "pagetree-manifest.json").exists(), "the run never finished"

    again = pd.convert(sub, out, client=client, progress=False)
    assert again["exit_code"] == 0
    assert again["unchanged_inputs"] == 5
    assert again["converted_inputs"] == again["inputs"] - 5
    # Nothing left to do, and the output is what one uninterrupted run writes.
    cli_out = tmp_path / "cli"
    run_cli("convert", str(sub), "-o", str(cli_out), "-q")
    assert _tree(cli_out).keys() == _tree(out).keys()
