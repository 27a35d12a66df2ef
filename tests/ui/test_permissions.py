"""The MetaStudio view's app through Airflow's own auth (``ui/app.py``): refused without a valid token, and
showing only the DAGs the user's auth manager lets them read, from records in a real Airflow metadata DB.

SimpleAuthManager lets every role read every DAG, so ``OnlyAllowedDags`` (a SimpleAuthManager) answers
``is_authorized_dag`` for one DAG only; Airflow's base ``get_authorized_dag_ids`` (what ``app.py`` calls)
reads the DAGs from the database and asks it about each. Two DAGs have the same records (a finished show,
a show killed while live, a show live now, a rendered video); the user sees the first DAG's alone.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest

ALLOWED = "ms_allowed_dag"
SECRET = "ms_secret_dag"
BUNDLE = "ui-permissions"


def _only_allowed_dags_manager() -> Any:
    from airflow.api_fastapi.auth.managers.simple.simple_auth_manager import SimpleAuthManager

    class OnlyAllowedDags(SimpleAuthManager):
        """A SimpleAuthManager whose users may read one DAG (``ALLOWED``) and no other."""

        def is_authorized_dag(self, *, method: Any, user: Any, access_entity: Any = None,
                              details: Any = None) -> bool:
            return details is not None and details.id == ALLOWED and super().is_authorized_dag(
                method=method, user=user, access_entity=access_entity, details=details)

    return OnlyAllowedDags()


@pytest.fixture(scope="module")
def metadata_db() -> datetime:
    """The metadata tables, and the records of both DAGs; returns the time they were written."""
    from airflow.utils import db

    db.initdb()
    now = datetime.now(UTC)
    for dag_id in (ALLOWED, SECRET):
        write_dag(dag_id, now)
    return now


def write_dag(dag_id: str, now: datetime) -> None:
    """A DAG with three show tasks and a video, as the provider's tasks leave them in the database."""
    from airflow.models.asset import AssetEvent, AssetModel
    from airflow.models.dag import DagModel
    from airflow.models.dagbundle import DagBundleModel
    from airflow.models.dagrun import DagRun
    from airflow.models.taskinstance import TaskInstance as TI
    from airflow.models.xcom import XComModel
    from airflow.sdk.serde import serialize
    from airflow.utils.session import create_session
    from sqlalchemy import insert, select

    def ti(run_id: str, task_id: str, state: str, end: datetime | None, next_kwargs: Any = None) -> None:
        session.execute(insert(TI.__table__).values(
            id=uuid.uuid4(), dag_id=dag_id, run_id=run_id, task_id=task_id, map_index=-1, state=state,
            operator="LivestreamShowOperator", start_date=now - timedelta(hours=2), end_date=end, try_number=1,
            max_tries=0, pool="default_pool", pool_slots=1, priority_weight=1, queue="default", hostname="",
            unixname="airflow", executor_config=b"", next_method="watched" if next_kwargs else None,
            next_kwargs=serialize(next_kwargs) if next_kwargs else None))

    def xcom(run_id: str, task_id: str, key: str, value: Any) -> None:
        XComModel.set(key, value, dag_id=dag_id, task_id=task_id, run_id=run_id, session=session)

    plan = {"room_id": f"room-{dag_id}", "starts_at": (now - timedelta(hours=2)).isoformat(), "duration": 3600.0,
            "missed_grace": 600.0, "max_restarts": 2, "live_within": 600.0, "clock_skew": 2.0}
    with create_session() as session:
        if session.scalar(select(DagBundleModel).where(DagBundleModel.name == BUNDLE)) is None:
            session.add(DagBundleModel(name=BUNDLE))
            session.flush()
        session.add(DagModel(dag_id=dag_id, bundle_name=BUNDLE))
        session.flush()
        for run_id, state in (("finished", "failed"), ("killed", "failed"), ("live", "running")):
            session.execute(insert(DagRun.__table__).values(dag_id=dag_id, run_id=run_id, state=state,
                                                            run_type="manual", run_after=now, logical_date=None))
        # a show that ran 10 minutes and wrote its outcome
        ti("finished", "show", "success", now - timedelta(minutes=50))
        xcom("finished", "show", "outcome", {"status": "success", "went_live": True,
                                              "live_since": (now - timedelta(hours=1)).isoformat(),
                                              "ended_at": (now - timedelta(minutes=50)).isoformat()})
        # a show marked failed 20 min after its StartSmartLive (MetaStudio's clock 2 s ahead), during its first
        # live stint: its deferral's state has no live_since yet, and it never wrote an outcome
        sent = (now - timedelta(minutes=40)).timestamp() + 2.0
        attempts = [{"at": sent, "job_id": f"job-killed-{dag_id}"}]
        ti("killed", "show", "failed", now - timedelta(minutes=20), {"state": {
            "plan": plan, "restarts": 0, "history": [], "live_since": None, "job_ids": [f"job-killed-{dag_id}"],
            "start_attempts": attempts}})
        xcom("killed", "show", "start_attempts", attempts)
        xcom("killed", "show", "job_id", f"job-killed-{dag_id}")
        # a show live now (deferred on its watch)
        live_since = (now - timedelta(minutes=5)).timestamp()
        ti("live", "show", "deferred", None, {"state": {
            "plan": plan, "restarts": 0, "history": [], "live_since": live_since, "job_ids": [f"job-live-{dag_id}"],
            "start_attempts": [{"at": live_since, "job_id": f"job-live-{dag_id}"}]}})
        xcom("live", "show", "job_id", f"job-live-{dag_id}")
        # a 90-s video announced as an asset event
        asset = AssetModel(uri=f"metastudio://video/{dag_id}", name=f"video-{dag_id}", group="asset")
        session.add(asset)
        session.flush()
        session.add(AssetEvent(asset_id=asset.id, source_dag_id=dag_id, source_task_id="render",
                               source_run_id="finished", source_map_index=-1, timestamp=now,
                               extra={"duration": 90.0}))


@pytest.fixture
def auth(metadata_db: datetime, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Airflow's auth manager, for the app's ``get_user`` dependency and ``get_authorized_dag_ids``."""
    from airflow.api_fastapi import app as airflow_app

    from metastudio_provider.ui import sources

    manager = _only_allowed_dags_manager()
    monkeypatch.setattr(airflow_app._AuthManagerState, "instance", manager)
    monkeypatch.delenv("AIRFLOW_CONN_METASTUDIO_DEFAULT", raising=False)  # no MetaStudio: the records alone
    sources.LISTINGS.clear()
    sources.LIMITS.clear()
    return manager


@pytest.fixture
def client(auth: Any) -> Any:
    """The view mounted at /metastudio, as the api-server mounts a plugin's FastAPI app."""
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from metastudio_provider.ui import URL_PREFIX
    from metastudio_provider.ui.app import create_app

    outer = FastAPI()
    outer.mount(URL_PREFIX, create_app())
    with TestClient(outer) as test_client:
        yield test_client


def token(auth: Any, role: str = "viewer", seconds: int = 600) -> str:
    from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser

    return auth.generate_jwt(SimpleAuthManagerUser(username="vera", role=role), expiration_time_in_seconds=seconds)


def bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


PATHS = ("/metastudio/", "/metastudio/api/summary")


@pytest.mark.parametrize("path", PATHS)
def test_no_token_is_refused_with_401(client: Any, path: str) -> None:
    answer = client.get(path)
    assert answer.status_code == 401, answer.text
    assert ALLOWED not in answer.text and SECRET not in answer.text


@pytest.mark.parametrize("path", PATHS)
def test_a_forged_token_is_refused_with_403(client: Any, auth: Any, path: str) -> None:
    """Signed with another key, claiming the admin role."""
    claims = jwt.decode(token(auth), options={"verify_signature": False})
    forged = jwt.encode({**claims, "role": "admin"}, "not-the-api-servers-secret-key-at-all-0123456789",
                        algorithm=jwt.get_unverified_header(token(auth))["alg"])
    for answer in (client.get(path, headers=bearer(forged)), client.get(path, cookies={"_token": forged})):
        assert answer.status_code == 403, answer.text
        assert ALLOWED not in answer.text and SECRET not in answer.text


@pytest.mark.parametrize("path", PATHS)
def test_an_expired_token_is_refused_with_401(client: Any, auth: Any, path: str) -> None:
    """Airflow's ``resolve_user_from_token`` answers an expired (well-signed) token 401 "Token Expired"."""
    answer = client.get(path, headers=bearer(token(auth, seconds=-3600)))
    assert answer.status_code == 401 and "Expired" in answer.text, answer.text


@pytest.mark.parametrize("path", PATHS)
def test_a_valid_token_or_the_ui_cookie_is_let_in(client: Any, auth: Any, path: str) -> None:
    for answer in (client.get(path, headers=bearer(token(auth))), client.get(path, cookies={"_token": token(auth)})):
        assert answer.status_code == 200, answer.text
        assert SECRET not in answer.text


def test_the_page_is_a_shell_that_reads_the_same_api(client: Any, auth: Any) -> None:
    """The page embeds no figures: it fetches /metastudio/api/summary with the user's own cookie."""
    page = client.get("/metastudio/", cookies={"_token": token(auth)}).text
    assert "/metastudio/api/summary" in page
    assert '<script src="/metastudio/static/chart.umd.min.js?v=' in page  # the app's own copy, under its root path
    assert ALLOWED not in page and SECRET not in page and "job-" not in page


def test_the_summary_shows_only_the_dags_the_user_may_read(client: Any, auth: Any, metadata_db: datetime) -> None:
    answer = client.get("/metastudio/api/summary", headers=bearer(token(auth)))
    assert answer.status_code == 200, answer.text
    summary = answer.json()
    assert SECRET not in answer.text, "the summary names a DAG the user may not read"
    assert f"room-{SECRET}" not in answer.text and f"job-live-{SECRET}" not in answer.text
    assert summary["user"] == "vera"

    (room,) = summary["live"]["rooms"]
    assert room["dag_id"] == ALLOWED and room["job_id"] == f"job-live-{ALLOWED}"
    usage = summary["usage"]
    assert list(usage["dags"]) == [ALLOWED]
    assert usage["video_minutes"] == 1.5  # one 90-s video: the other DAG's is not counted
    # 10 min finished + 20 min killed (the other DAG has the same again); the show live now adds its minutes
    # only once MetaStudio's listing says it is on air, and there is no MetaStudio here
    assert usage["live_minutes"] == 30.0, usage
    assert [k["dag_id"] for k in usage["killed_shows"]] == [ALLOWED]


def test_a_user_allowed_both_dags_sees_both(client: Any, auth: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same records, read with both DAGs allowed: the filter above is what hid the other DAG. (Other
    tests of the same process may have left DAGs of their own in the database: not these two.)"""
    monkeypatch.setattr(type(auth), "is_authorized_dag", lambda self, *, details=None, **kwargs:
                        details is not None and details.id in (ALLOWED, SECRET))
    summary = client.get("/metastudio/api/summary", headers=bearer(token(auth))).json()
    assert sorted(summary["usage"]["dags"]) == [ALLOWED, SECRET]
    assert sorted(r["dag_id"] for r in summary["live"]["rooms"]) == [ALLOWED, SECRET]
    assert summary["usage"]["live_minutes"] == 60.0


def test_a_user_allowed_no_dag_sees_empty_panels(client: Any, auth: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(type(auth), "is_authorized_dag", lambda self, **kwargs: False)
    answer = client.get("/metastudio/api/summary", headers=bearer(token(auth)))
    assert answer.status_code == 200 and ALLOWED not in answer.text and SECRET not in answer.text
    summary = answer.json()
    assert summary["live"]["rooms"] == [] and summary["usage"]["dags"] == {}


def test_killed_show_minutes_run_from_its_first_start_to_the_task_end(metadata_db: datetime) -> None:
    """The killed show: its StartSmartLive was sent 40 min ago (MetaStudio's clock, 2 s ahead), the task was
    marked failed 20 min ago: 20 minutes, in Airflow's clock."""
    from airflow.utils.session import create_session

    from metastudio_provider.ui import records

    with create_session() as session:
        found = records.read_records(session, {ALLOWED}, datetime.now(UTC))
    assert [(k.run_id, k.task_id) for k in found.killed_shows] == [("killed", "show")]
    spans = sorted(round((ended - went) / 60, 2) for dag_id, went, ended in found.live_spans)
    assert spans == [10.0, 20.0], spans
    went = min(w for _, w, e in found.live_spans if round((e - w) / 60, 2) == 20.0)
    assert abs(went - (metadata_db - timedelta(minutes=40)).timestamp()) < 0.01


def test_killed_span_prefers_the_state_s_live_since_and_needs_a_started_job() -> None:
    from metastudio_provider.ui.records import killed_span

    end = datetime.fromtimestamp(2000.0, UTC)
    plan = {"clock_skew": 5.0}
    attempts = [{"at": 1005.0, "job_id": None}, {"at": 1105.0, "job_id": "j1"}, {"at": 1505.0, "job_id": "j2"}]
    assert killed_span({"plan": plan, "live_since": 1200.0}, attempts, end) == (1200.0, 2000.0)
    assert killed_span({"plan": plan, "live_since": None}, attempts, end) == (1100.0, 2000.0)
    assert killed_span({"plan": plan, "start_attempts": attempts}, None, end) == (1100.0, 2000.0)
    assert killed_span(None, [{"at": 1000.0, "job_id": None}], end) is None  # never started a livestream
    assert killed_span({"plan": plan, "live_since": 1200.0}, attempts, None) is None
    assert json.dumps(killed_span(None, attempts[1:], end)) == "[1105.0, 2000.0]"  # no state: no skew known


def test_a_running_batch_counts_the_rows_its_unfinished_chunks_hold(metadata_db: datetime) -> None:
    """A backfill run of three chunks (2, 2 and 1 rows): the first done, the second running, the third not yet
    scheduled. The view counts the rows of the two open chunks, from the manifest they map over."""
    from airflow.models.dagrun import DagRun
    from airflow.models.taskinstance import TaskInstance as TI
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session
    from sqlalchemy import insert

    from metastudio_provider.ui import records

    dag_id, run_id, now = ALLOWED, "batch", datetime.now(UTC)
    chunks = [[{"id": "a", "script": "A."}, {"id": "b", "script": "B."}],
              [{"id": "c", "script": "C."}, {"id": "d", "script": "D."}], [{"id": "e", "script": "E."}]]
    with create_session() as session:
        session.execute(insert(DagRun.__table__).values(dag_id=dag_id, run_id=run_id, state="running",
                                                        run_type="manual", run_after=now, logical_date=None))
        for task_id, map_index, state in (("load_manifest", -1, "success"), ("submit_chunk", 0, "success"),
                                          ("submit_chunk", 1, "running"), ("submit_chunk", 2, None)):
            session.execute(insert(TI.__table__).values(
                id=uuid.uuid4(), dag_id=dag_id, run_id=run_id, task_id=task_id, map_index=map_index, state=state,
                operator="_PythonDecoratedOperator", try_number=1, max_tries=0, pool="default_pool", pool_slots=1,
                priority_weight=1, queue="default", hostname="", unixname="airflow", executor_config=b""))
        XComModel.set("return_value", chunks, dag_id=dag_id, task_id="load_manifest", run_id=run_id, session=session)
        XComModel.set("rows", [{"row": "a", "status": "submitted", "job_id": "job-a"},
                               {"row": "b", "status": "submitted", "job_id": "job-b"}],
                      dag_id=dag_id, task_id="submit_chunk", run_id=run_id, map_index=0, session=session)
    with create_session() as session:
        found = records.read_records(session, {ALLOWED}, now)
        hidden = records.read_records(session, {SECRET}, now)
    assert found.to_submit == [records.RowsToSubmit(dag_id, run_id, "running", rows=3, chunks=2)]
    assert sorted(j.job_id for j in found.video_jobs if j.task.run_id == run_id) == ["job-a", "job-b"]
    assert hidden.to_submit == []  # another DAG's batch is not read
