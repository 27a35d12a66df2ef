"""A 60-s MetaStudio outage in the middle of a video, a batch of videos and a live show, side by side through
Airflow's real scheduler, executor and triggerer (tests/scheduler_dags/ms_outage.py).

Their connection, ``metastudio_outage``, goes through tests/faulty_proxy.py, taken down (every call 503 or reset)
once the show is live; 15 s into the outage the emulator ends the live job (as MetaStudio would end a show during
its own incident). The outage costs time, not work:

* the run succeeds, and no task was retried (every try_number is 1: the client rode the outage out);
* the video and each batch row were created once, and SUCCEED;
* the show, whose job ended during the outage, was restarted when MetaStudio answered again (one restart,
  its window still open) and ran to its end.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import httpx
import pytest

from metastudio_provider.catalog import get_api
from tests.faulty_proxy import FaultyProxy

from .airflow_cluster import wait_until
from .fixtures import cluster_connection

pytestmark = pytest.mark.airflow_integration

DAG_ID = "ms_outage"
ROOM = "outage_rooms/outage.yaml"
ROOM_NAME = "ms-live-outage"
OUTAGE_SECONDS = 60.0
SHOW_MINUTES = 1.6  # 96 s live: the outage, the restart a few seconds after it, and some more


def _call(emu: Any, api_name: str, path_params: dict[str, str] | None = None, query: dict | None = None) -> dict:
    """A call straight to the emulator (not through the proxy), signed by its testing client."""
    api = get_api(api_name)
    resp = emu.request(api.method, api.format_path(emu.project_id, path_params), query=query)
    assert resp.status_code < 300, f"{api_name}: {resp.status_code} {resp.text}"
    return resp.json()


def _live_jobs(emu: Any) -> list[dict]:
    rooms = [r for r in _call(emu, "ListSmartLiveRooms", query={"limit": 100})["smart_live_rooms"]
             if r["room_name"] == ROOM_NAME]
    return [j for r in rooms for j in _call(emu, "ListSmartLive", {"room_id": r["room_id"]},
                                             query={"limit": 100})["smart_live_jobs"]]


def test_a_60_s_outage_costs_a_video_a_batch_and_a_show_time_not_work(airflow_cluster, cluster_emulator) -> None:
    emu, client = cluster_emulator, airflow_cluster.client
    figures: dict[str, Any] = {}
    with FaultyProxy(emu.base_url) as proxy:
        connection = cluster_connection(emu)
        extra = {**json.loads(connection["extra"]), "endpoint": proxy.url, "max_backoff": 5}
        client.request("POST", "/api/v2/connections", ok=(409,),
                       json={**connection, "connection_id": "metastudio_outage", "extra": json.dumps(extra)})
        run_id = client.trigger(DAG_ID, conf={"room_definitions": [ROOM], "duration_minutes": SHOW_MINUTES})
        began = time.monotonic()
        (first,) = wait_until(lambda: [j for j in _live_jobs(emu) if j["state"] == "PROCESSING"] or None, 120,
                              interval=0.5, what="the show live")
        proxy.down = True
        figures["outage began (s after the trigger)"] = round(time.monotonic() - began, 1)
        threading.Timer(15, lambda: httpx.post(f"{emu.base_url}/_emulator/live-jobs/{first['job_id']}/end",
                                               json={"state": "FAILED"}).raise_for_status()).start()
        time.sleep(OUTAGE_SECONDS)
        proxy.down = False
        figures["calls refused during the outage"] = proxy.counts["reset"] + proxy.counts["error_before"]
        state = client.wait_for_run(DAG_ID, run_id, timeout=300)
        figures["run ended (s after the trigger)"] = round(time.monotonic() - began, 1)
    print(f"\noutage figures: {figures}")
    assert figures["calls refused during the outage"] >= 5, "the outage met no call"
    assert state == "success", client.ti_state_history(DAG_ID, run_id)

    tries = {f"{ti['task_id']}[{ti['map_index']}]": ti["try_number"] for ti in client.task_instances(DAG_ID, run_id)}
    assert set(tries.values()) == {1}, tries  # no Airflow retry spent on the outage

    video = client.xcom(DAG_ID, run_id, "video")
    assert video["state"] == "SUCCEED"
    rows = client.xcom(DAG_ID, run_id, "batch")
    assert len(rows) == 3 and len({r["job_id"] for r in rows}) == 3
    jobs = _call(emu, "ListDigitalHumanVideo", query={"limit": 100})["jobs"]
    made = [j for j in jobs if (j.get("output_asset_config") or {}).get("asset_name", "").startswith(
        f"ms_outage-{run_id}")]
    assert sorted(j["job_id"] for j in made) == sorted(r["job_id"] for r in rows), made  # each row made once
    assert all(j["state"] == "SUCCEED" for j in made)

    (room,) = client.xcom(DAG_ID, run_id, "record_outcome", key="outcome")["rooms"]
    assert room["status"] == "success" and room["restarts"] == 1, room
    jobs = _live_jobs(emu)
    assert len(jobs) == 2 and {j["job_id"] for j in jobs} == set(room["job_ids"]), jobs  # the one ended, the restart
