"""The test servers' ports: below the kernel's ephemeral range, never handed out twice, never one in use."""

from __future__ import annotations

import socket
from pathlib import Path

from tests import ports


def test_ports_are_below_the_ephemeral_range_and_handed_out_once() -> None:
    low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    picked = [ports.free_port() for _ in range(50)]
    assert len(set(picked)) == 50 and max(picked) < low, (low, picked)


def test_a_port_something_listens_on_is_skipped(monkeypatch) -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", ports.free_port()))
        server.listen()
        taken = server.getsockname()[1]
        monkeypatch.setattr(ports, "_candidates", iter(range(taken, ports._block().stop)))  # next: the taken one
        assert ports.free_port() == taken + 1


def test_a_run_of_ports_is_free_and_not_handed_out_again() -> None:
    base = ports.free_port_run(8)
    assert all(ports.is_free(p) for p in range(base, base + 9))
    assert ports.free_port() > base + 8
