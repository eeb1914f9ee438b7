"""`iter_chunks` is lazy: memory is bounded by one response, not by the collection."""

from __future__ import annotations

import json
import tracemalloc

import pagetree
from conftest import generated_response


def test_iter_chunks_over_a_folder_and_glob(tmp_path):
    for i in range(5):
        (tmp_path / f"r{i}.json").write_text(json.dumps(generated_response(i)), encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "r9.json").write_text(json.dumps(generated_response(9)), encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a response")
    chunks = list(pagetree.iter_chunks(tmp_path, max_chars=500))
    sources = sorted({c["metadata"]["source"] for c in chunks})
    assert len(sources) == 6
    expected = []
    for s in sources:
        expected += pagetree.load(s).chunks(max_chars=500)
    assert [c["id"] for c in chunks] == [c["id"] for c in expected]
    assert len(list(pagetree.iter_chunks(str(tmp_path / "*.json"), max_chars=500))) < len(chunks)
    (tmp_path / "broken.json").write_text("{\"items\": ")
    import pytest

    with pytest.raises(pagetree.LoadError):
        list(pagetree.iter_chunks(tmp_path))
    with pytest.warns(pagetree.PagetreeWarning, match="broken.json"):
        assert len(list(pagetree.iter_chunks(tmp_path, errors="warn", max_chars=500))) == len(chunks)


def test_iterator_memory_is_bounded_on_a_large_response(tmp_path):
    big = tmp_path / "big.json"
    big.write_text(json.dumps(generated_response(1, pages=1200)), encoding="utf-8")
    size = big.stat().st_size
    assert size > 4_000_000

    tracemalloc.start()
    n = 0
    for chunk in pagetree.iter_chunks(big, max_chars=800):
        n += 1
    _, iter_peak = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    held = list(pagetree.iter_chunks(big, max_chars=800))
    _, list_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(held) == n > 1000
    # Iterating holds the response's chunk bytes and one parsed chunk, far less than the
    # chunks as Python objects.
    assert iter_peak < list_peak / 2, (iter_peak, list_peak)


def test_iterator_memory_does_not_grow_with_the_collection(tmp_path):
    for i in range(40):
        (tmp_path / f"r{i:02d}.json").write_text(json.dumps(generated_response(i, pages=40)), encoding="utf-8")
    tracemalloc.start()
    peaks = []
    for k, _ in enumerate(pagetree.iter_chunks(tmp_path, max_chars=800)):
        if k % 50 == 0:
            peaks.append(tracemalloc.get_traced_memory()[1])
    tracemalloc.stop()
    # The peak after the whole folder is about the peak after the first files.
    assert peaks[-1] < peaks[len(peaks) // 4] * 1.5 + 1_000_000, peaks
