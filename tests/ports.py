"""Ports for the servers the tests start (an Airflow cluster's components, the emulator, Redis, S3).

A port from ``bind(0)`` is an ephemeral one (32768-60999 on Linux): a server that binds it seconds later
can find it taken by some outgoing connection of the machine in between ("address already in use"),
and a server stopped and started again on its port (a Redis outage) has the same gap. Ports here come
from below that range, where the kernel never hands out client ports, in a block of their own per
pytest-xdist worker, each handed out once per session.
"""

from __future__ import annotations

import itertools
import os
import socket

FIRST, BLOCK = 20000, 1200  # ten blocks: 20000-31999


def _block() -> range:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")  # "gw3"; empty without xdist
    index = int(worker[2:]) + 1 if worker.startswith("gw") and worker[2:].isdigit() else 0
    start = FIRST + (index % 10) * BLOCK  # 20000-31999: below the kernel's ephemeral range
    return range(start, start + BLOCK)


_candidates = itertools.cycle(_block())


def is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def free_port() -> int:
    """A port of this worker's block that nothing listens on now, not handed out before in this session."""
    for _ in range(BLOCK):
        port = next(_candidates)
        if is_free(port):
            return port
    raise RuntimeError(f"no free port in {_block()}")


def free_port_run(count: int) -> int:
    """A free port ``p`` such that ``p + 1`` … ``p + count`` are free too (worker i serves its logs on ``p + i``)."""
    for _ in range(BLOCK):
        base = free_port()
        if base + count < _block().stop and all(is_free(p) for p in range(base + 1, base + count + 1)):
            for _ in range(count):  # not handed out again
                next(_candidates)
            return base
    raise RuntimeError(f"no {count + 1} consecutive free ports in {_block()}")
