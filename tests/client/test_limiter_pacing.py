"""How a batch is cut for pacing: few chunks, all submitting at once through the limiter."""

from __future__ import annotations

from metastudio_provider.batches.submission import MAX_CHUNKS, chunked


def _rows(n: int) -> list[dict]:
    return [{"id": f"r{i}"} for i in range(n)]


def test_small_batches_keep_the_chunk_size():
    assert [len(c) for c in chunked(_rows(120), 50)] == [50, 50, 20]
    assert chunked([], 50) == []


def test_big_batches_get_bigger_chunks_not_more_of_them():
    chunks = chunked(_rows(1000), 50)
    assert MAX_CHUNKS == 4 and [len(c) for c in chunks] == [250, 250, 250, 250]
    assert [r["id"] for c in chunks for r in c] == [f"r{i}" for i in range(1000)]  # row order kept
    assert [len(c) for c in chunked(_rows(301), 50)] == [76, 76, 76, 73]
    assert len(chunked(_rows(1000), 50, max_chunks=None)) == 20  # no cap when asked
