"""Shared fixtures: the repository's paths, the CLI binary to compare against, the real
responses (required under CI=true), and generated responses (invented content)."""

from __future__ import annotations

import copy
import json
import os
import subprocess
from pathlib import Path
from typing import List

import pytest

ROOT = Path(__file__).resolve().parents[2]
TESTDATA = ROOT / "testdata"
# `../shared/realdata` beside the repository; PAGETREE_REALDATA points elsewhere (a worktree).
REALDATA = Path(os.environ.get("PAGETREE_REALDATA", ROOT.parent / "shared" / "realdata"))


def cli_path() -> Path:
    p = Path(os.environ.get("PAGETREE_BIN", ROOT / "target" / "debug" / "pagetree"))
    if not p.exists():
        pytest.fail(f"the pagetree binary is not built at {p} (cargo build --bin pagetree), or set PAGETREE_BIN")
    return p


def run_cli(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Runs the CLI binary; output as bytes."""
    r = subprocess.run([str(cli_path()), *args], capture_output=True, cwd=ROOT)
    if check and r.returncode not in (0, 1):
        raise AssertionError(f"pagetree {' '.join(args)} exited {r.returncode}: {r.stderr.decode()}")
    return r


def realdata_files() -> List[Path]:
    """The real saved responses; the tests that use them fail under CI=true when the folder
    is missing, and are skipped with a notice otherwise."""
    if not REALDATA.is_dir():
        return []
    return sorted(p for p in REALDATA.iterdir() if p.suffix == ".json")


@pytest.fixture(scope="session")
def realdata() -> Path:
    if not REALDATA.is_dir():
        msg = f"real responses not found at ../shared/realdata ({REALDATA})"
        if os.environ.get("CI") == "true":
            pytest.fail(msg + "; CI needs them")
        print(f"\nnotice: skipping: {msg}")
        pytest.skip(msg)
    return REALDATA


def rel(p: Path) -> str:
    """A path as the tests pass it to both the CLI and the package (relative to the root, so
    names in outputs agree)."""
    return os.path.relpath(p, ROOT)


def fixture(name: str) -> dict:
    return json.loads((TESTDATA / name).read_text(encoding="utf-8"))


def generated_response(i: int, pages: int = 4) -> dict:
    """An invented v2 response, different for each `i`: `v2_full.json`'s pages repeated to
    `pages` pages, every text item numbered."""
    base = fixture("v2_full.json")
    src = base["items"]["pages"]
    out_pages = []
    for n in range(pages):
        p = copy.deepcopy(src[n % len(src)])
        p["page_number"] = n + 1
        for item in p.get("items", []):
            if item.get("type") == "text" and isinstance(item.get("md"), str):
                item["md"] = f"{item['md']} (copy {i}, page {n + 1})"
                if isinstance(item.get("value"), str):
                    item["value"] = f"{item['value']} (copy {i}, page {n + 1})"
        out_pages.append(p)
    doc = {"job": dict(base.get("job") or {}, id=f"job-{i:05d}"), "items": {"pages": out_pages}}
    return doc


@pytest.fixture(autouse=True)
def _root_cwd(monkeypatch):
    # Relative paths mean the same to the CLI (run from the root) and to the package.
    monkeypatch.chdir(ROOT)
