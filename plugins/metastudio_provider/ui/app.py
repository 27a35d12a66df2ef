"""The MetaStudio view's FastAPI app, mounted by the Airflow api-server at ``/metastudio``.

``GET /metastudio/`` is the page (shown inside Airflow's UI as an external view), ``GET /metastudio/api/summary``
its JSON. Both need a signed-in Airflow user: Airflow's own ``get_user`` dependency reads the UI's JWT (the
``_token`` cookie, which the same-origin iframe sends) or an ``Authorization: Bearer`` token, and refuses
without one (401), with a bad one (403) or an expired one (401). Figures cover only the DAGs the user may read
(the auth manager's ``get_authorized_dag_ids``). ``GET /metastudio/static/<file>`` serves the chart library the
page loads (``ui/static``, vendored by ``make ui-vendor``), public like the icon.
"""

# No ``from __future__ import annotations``: FastAPI must see ``GetUserDep`` itself, imported in ``create_app``.
import hashlib
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from metastudio_provider.ui import records, sources, summary
from metastudio_provider.ui.page import page_html, refused_html
from metastudio_provider.utils.options import option

ICON = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" fill="none" stroke="#0ea5e9" stroke-width="2">'
        '<rect x="2" y="5" width="15" height="14" rx="2"/><path d="M17 10l5-3v10l-5-3z"/>'
        '<circle cx="9.5" cy="11" r="2.5"/>'
        '</svg>')

# The page's vendored libraries (`make ui-vendor` copies them from frontend/node_modules; committed, package data).
STATIC = Path(__file__).parent / "static"
CHART_JS = "chart.umd.min.js"
MEDIA_TYPES = {".js": "text/javascript; charset=utf-8", ".md": "text/markdown; charset=utf-8"}
# The URLs carry the file's hash (?v=...), so a browser may keep a file a year: an upgrade changes the URL.
STATIC_CACHE = "public, max-age=31536000, immutable"


def static_files() -> dict[str, bytes]:
    """Every file of ``ui/static`` by its name: the only names ``/static/<name>`` serves."""
    return {path.name: path.read_bytes() for path in sorted(STATIC.iterdir()) if path.is_file()}


def readable_dag_ids(user: Any) -> set[str]:
    """The DAGs ``user`` may read, as Airflow's auth manager says."""
    from airflow.api_fastapi.app import get_auth_manager

    return set(get_auth_manager().get_authorized_dag_ids(user=user, method="GET"))


def price_per_minute() -> float | None:
    """``[metastudio] price_per_minute``; None when empty or not a number."""
    value = option("price_per_minute", "")
    try:
        return float(value) if value.strip() else None
    except ValueError:
        return None


def conn_id() -> str:
    return option("ui_conn_id", "metastudio_default")


def compute_summary(user: Any, dag_ids: set[str], now: float | None = None) -> dict[str, Any]:
    """The summary for a user allowed ``dag_ids``: records from the database, cached MetaStudio listings."""
    from airflow.utils.session import create_session

    now = now if now is not None else time.time()
    with create_session() as session:
        found = records.read_records(session, dag_ids, datetime.fromtimestamp(now, UTC))
    cid = conn_id()
    try:
        tenant: sources.Tenant | None = sources.tenant(cid)
        states, counts = sources.limiter_state(tenant, now) if tenant else ({}, {})
    except Exception:  # noqa: BLE001 - no such connection: the other panels still show
        tenant, states, counts = None, {}, {}
    live_jobs = sources.listing(cid, "ListSmartLiveJobs", "smart_live_jobs") if found.shows else sources.Listing()
    rendering = found.video_jobs or found.to_submit
    video_jobs = sources.listing(cid, "ListDigitalHumanVideo", "jobs") if rendering else sources.Listing()
    name = getattr(user, "get_name", lambda: None)()
    return summary.build_summary(found, live_jobs=live_jobs, video_jobs=video_jobs, tenant=tenant, states=states,
                                 counts=counts, now=now, price_per_minute=price_per_minute(), user=name)


def create_app() -> FastAPI:
    from airflow.api_fastapi.core_api.security import GetUserDep

    app = FastAPI(title="MetaStudio view", docs_url=None, redoc_url=None, openapi_url=None)
    files = static_files()
    chart_version = hashlib.sha256(files[CHART_JS]).hexdigest()[:12]

    @app.exception_handler(HTTPException)
    async def refused(request: Request, exc: HTTPException) -> Response:
        """The page refuses in HTML, the API in JSON; both keep the status (401, 403)."""
        if request.url.path.rstrip("/").endswith("/api/summary"):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        return HTMLResponse(refused_html(exc.status_code, str(exc.detail)), status_code=exc.status_code)

    @app.get("/icon.svg")
    def icon() -> Response:
        """The navigation's icon: public, like Airflow's own static files."""
        return Response(ICON, media_type="image/svg+xml", headers={"Cache-Control": "max-age=86400"})

    @app.get("/static/{name}")
    def static(name: str) -> Response:
        """A file of ``ui/static`` by its exact name (nothing else: no path, no ``..``). Public, like the icon
        and Airflow's own static files: it is a published open-source library (Chart.js), no data of anyone's."""
        content = files.get(name)
        if content is None:
            return Response("Not Found", status_code=404, media_type="text/plain")
        return Response(content, media_type=MEDIA_TYPES.get(Path(name).suffix, "application/octet-stream"),
                        headers={"Cache-Control": STATIC_CACHE, "X-Content-Type-Options": "nosniff"})

    @app.get("/", response_class=HTMLResponse)
    def page(request: Request, user: GetUserDep) -> HTMLResponse:
        root = request.scope.get("root_path", "").rstrip("/")
        return HTMLResponse(page_html(f"{root}/api/summary", f"{root}/static/{CHART_JS}?v={chart_version}"),
                            headers={"Cache-Control": "no-store"})

    @app.get("/api/summary")
    def api_summary(user: GetUserDep) -> JSONResponse:
        return JSONResponse(compute_summary(user, readable_dag_ids(user)), headers={"Cache-Control": "no-store"})

    return app
