#!/usr/bin/env python3
"""Benchmarks of the Python package against what a Python user would write without it.

1. Markdown of the generated response (2,000 pages, ~31 MB): ``pagetree.load(p).markdown()``
   against the pure-Python peer ``../shared/bench/py_md.py`` (``json.load`` + join every
   item's ``md``), both in this process, median of --runs.
2. Chunking a folder of saved responses (``../shared/realdata``): ``pagetree.iter_chunks`` on
   the server markdown (``from_="server"``) and on the item tree, against LangChain's
   ``MarkdownHeaderTextSplitter`` + ``RecursiveCharacterTextSplitter`` on the server markdown
   (``json.load`` + join the pages' ``markdown``), 1,500 characters per chunk.

Run from the repository root inside the environment scripts/python-test.sh builds:
``target/python-venv/bin/python scripts/bench_python.py [--pages 2000] [--runs 3]``.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# `../shared` beside the repository; PAGETREE_SHARED points elsewhere (a worktree).
SHARED = Path(os.environ.get("PAGETREE_SHARED", ROOT.parent / "shared"))


CPU: dict = {}


def median_time(fn, runs: int) -> tuple[float, object]:
    """Median wall time (and, in CPU[fn], median CPU time of all threads: on a shared machine
    the wall time of multi-threaded code suffers most from other load)."""
    times, cpus, out = [], [], None
    for _ in range(runs):
        gc.collect()
        t, c = time.perf_counter(), time.process_time()
        out = fn()
        times.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
    CPU[fn] = statistics.median(cpus)
    return statistics.median(times), out


def bench_markdown(pages: int, runs: int) -> None:
    import pagetree

    work = ROOT / "target" / "bench-python"
    work.mkdir(parents=True, exist_ok=True)
    src = work / f"gen-{pages}.json"
    if not src.exists():
        subprocess.run(
            [sys.executable, str(SHARED / "bench" / "gen_llamaparse.py"), str(pages), str(src)],
            check=True,
        )
    spec = importlib.util.spec_from_file_location("py_md", SHARED / "bench" / "py_md.py")
    py_md = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(py_md)

    def peer():
        with open(src, encoding="utf-8") as f:
            return py_md.render(json.load(f))

    def ours():
        return pagetree.load(src).markdown()

    mb = src.stat().st_size / 1e6
    t_peer, md_peer = median_time(peer, runs)
    t_ours, md_ours = median_time(ours, runs)
    print(f"markdown, {pages} pages, {mb:.1f} MB, median of {runs}:")
    print(f"  py_md (json.load + join)    {t_peer:7.3f} s  {mb / t_peer:7.1f} MB/s  {len(md_peer):>11,} chars")
    print(f"  pagetree.load().markdown()  {t_ours:7.3f} s  {mb / t_ours:7.1f} MB/s  {len(md_ours):>11,} chars")
    print(f"  speed-up                    {t_peer / t_ours:7.1f}x wall, "
          f"{CPU[peer] / CPU[ours]:.1f}x CPU ({CPU[peer]:.3f} s against {CPU[ours]:.3f} s)")


def bench_chunks(runs: int) -> None:
    import pagetree
    from langchain_text_splitters import MarkdownHeaderTextSplitter, RecursiveCharacterTextSplitter

    folder = SHARED / "realdata"
    files = sorted(p for p in folder.glob("*.json"))
    with_md = []
    for p in files:
        d = json.loads(p.read_text(encoding="utf-8"))
        if isinstance(d, dict) and isinstance(d.get("markdown"), dict) and d["markdown"].get("pages"):
            with_md.append(p)
    mb = sum(p.stat().st_size for p in with_md) / 1e6

    headers = [("#", "h1"), ("##", "h2"), ("###", "h3"), ("####", "h4")]

    def langchain():
        md_split = MarkdownHeaderTextSplitter(headers, strip_headers=False)
        rec = RecursiveCharacterTextSplitter(chunk_size=1500, chunk_overlap=0)
        out = []
        for p in with_md:
            with open(p, encoding="utf-8") as f:
                d = json.load(f)
            md = "\n\n".join(pg.get("markdown") or "" for pg in d["markdown"]["pages"])
            out.extend(rec.split_documents(md_split.split_text(md)))
        return out

    def ours_server():
        return list(pagetree.iter_chunks(with_md, max_chars=1500, from_="server"))

    def ours_items():
        return list(pagetree.iter_chunks(with_md, max_chars=1500))

    import warnings

    warnings.simplefilter("ignore", pagetree.PagetreeWarning)
    t_lc, lc = median_time(langchain, runs)
    t_s, s = median_time(ours_server, runs)
    t_i, i = median_time(ours_items, runs)
    print(f"chunks of {len(with_md)} real responses with server markdown ({mb:.1f} MB), "
          f"1500 chars, median of {runs}:")
    print(f"  LangChain header + recursive splitters  {t_lc:7.3f} s  {len(lc):>6} chunks")
    print(f"  pagetree.iter_chunks(from_='server')    {t_s:7.3f} s  {len(s):>6} chunks  {t_lc / t_s:5.1f}x")
    print(f"  pagetree.iter_chunks() (item tree)      {t_i:7.3f} s  {len(i):>6} chunks  {t_lc / t_i:5.1f}x"
          "  (with pages, boxes, element ids)")
    print(f"  CPU: LangChain {CPU[langchain]:.3f} s, pagetree server {CPU[ours_server]:.3f} s, "
          f"items {CPU[ours_items]:.3f} s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pages", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--only", choices=["markdown", "chunks"])
    a = ap.parse_args()
    if not (SHARED / "bench").is_dir() or not (SHARED / "realdata").is_dir():
        sys.exit("needs ../shared/bench and ../shared/realdata beside the repository")
    if a.only in (None, "markdown"):
        bench_markdown(a.pages, a.runs)
    if a.only in (None, "chunks"):
        bench_chunks(a.runs)


if __name__ == "__main__":
    main()
