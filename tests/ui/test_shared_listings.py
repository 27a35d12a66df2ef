"""The view's MetaStudio listings shared by every api-server (``ui/sources.shared_listing``): with the limiter's
store in Redis, processes that each show the view make one list call per 10 s among them, not one each."""

from __future__ import annotations

import multiprocessing
import os

import pytest

from metastudio_provider.ui import sources
from tests.conftest import connection_json

API, KEY = "ListDigitalHumanVideo", "jobs"


@pytest.fixture(scope="module")
def emu():
    from metastudio_emulator.testing import running_emulator

    with running_emulator() as running:
        yield running


def _requests(emu) -> int:
    return emu.stats()["apis"].get(API, {}).get("requests", 0)


def _view_lists(conn: str, ready: multiprocessing.Queue, start: multiprocessing.synchronize.Event,
                out: multiprocessing.Queue) -> None:
    """One api-server process: its own cache, the view's listing once everyone is ready."""
    os.environ["AIRFLOW_CONN_METASTUDIO_DEFAULT"] = conn
    sources.tenant("metastudio_default")  # Airflow and the hook imported: all three list at once after start
    ready.put(os.getpid())
    start.wait(120)
    listing = sources.listing("metastudio_default", API, KEY)
    out.put((os.getpid(), listing.error, len(listing.items)))


def test_api_servers_sharing_the_limiters_redis_make_one_list_call_among_them(emu, redis_url):
    import redis

    shared = redis.Redis.from_url(redis_url)
    for key in shared.scan_iter(match=f"metastudio:view:{{{emu.project_id}:*"):  # an earlier run's listing
        shared.delete(key)
    conn = connection_json(emu, rate_limit_storage=redis_url)
    spawn = multiprocessing.get_context("spawn")
    ready, start, out = spawn.Queue(), spawn.Event(), spawn.Queue()
    before = _requests(emu)
    servers = [spawn.Process(target=_view_lists, args=(conn, ready, start, out)) for _ in range(3)]
    for server in servers:
        server.start()
    for _ in servers:
        ready.get(timeout=120)  # a slow import must not make a process late for the shared turn (10 s)
    start.set()
    answers = [out.get(timeout=60) for _ in servers]
    for server in servers:
        server.join(30)
    assert len({pid for pid, _, _ in answers}) == 3
    assert [error for _, error, _ in answers] == [None, None, None], answers  # each shows the listing
    assert _requests(emu) - before == 1, answers  # one call among the three processes


def test_a_redis_that_does_not_answer_leaves_each_process_its_own_call(emu, monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_METASTUDIO_DEFAULT",
                       connection_json(emu, rate_limit_storage="redis://127.0.0.1:1/0"))
    sources.LISTINGS.clear()
    before = _requests(emu)
    listing = sources.listing("metastudio_default", API, KEY)
    assert listing.error is None and _requests(emu) - before == 1  # the view still lists, by itself
    sources.LISTINGS.clear()
