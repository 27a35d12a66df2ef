"""Unsigned HTML pages: ``GET /`` says what this server is; ``/_emulator/ui/{kind}/{id}`` shows one resource.

``mount_docs`` serves the API docs (Swagger UI) with its JS, CSS and favicon from this server, not a CDN,
so the page works with no internet.

A resource page shows what the Show API returns for it (state, ids, error_info), so the
provider's "MetaStudio console" extra link can open it when the connection points here.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from metastudio_provider.catalog import all_apis, get_api

from .errors import ApiError
from .runtime import EmulatorState
from .store import Store

RECENT = 20
"""Resources of each kind listed on the root page (newest first)."""


@dataclass(frozen=True)
class Page:
    """One kind of resource page: its title, Show API, id parameter and where its records live."""

    title: str
    show_api: str
    id_param: str
    records: Callable[[Store], dict[str, Any]]

    def path_params(self, record: Any, ident: str) -> dict[str, str]:
        params = {self.id_param: ident}
        if self.show_api == "ShowSmartLive":
            params["room_id"] = record.room_id
        return params


PAGES: dict[str, Page] = {
    "assets": Page("Asset", "ShowAsset", "asset_id", lambda s: s.assets),
    "video-jobs": Page("Video job", "Show2DDigitalHumanVideo", "job_id", lambda s: s.video_jobs),
    "rooms": Page("Live room", "ShowSmartLiveRoom", "room_id", lambda s: s.rooms),
    "live-jobs": Page("Livestream job", "ShowSmartLive", "job_id", lambda s: s.live_jobs),
    "avatar-training-jobs": Page("Avatar training job", "Show2dModelTrainingJob", "job_id", lambda s: s.avatar_jobs),
    "voice-training-jobs": Page("Voice training job", "ShowVoiceTrainingJob", "job_id", lambda s: s.voice_jobs),
    "tts-jobs": Page("TTS audition", "ShowTtsAuditionFile", "job_id", lambda s: s.tts_jobs),
}
STATE_FIELDS = ("state", "asset_state", "room_state", "is_file_complete")
LINKED_IDS = {"asset_id": "assets", "room_id": "rooms"}
STYLE = ("body{font-family:system-ui,sans-serif;margin:2rem;max-width:60rem}pre{background:#f4f4f4;padding:1rem;"
         "overflow:auto}td,th{padding:.2rem .8rem;text-align:left}code{background:#f4f4f4}")


DOCS_ASSETS = "/_emulator/docs-assets"
"""Where Swagger UI's files are served: those the package fastapi-offline ships (Swagger UI 5, as FastAPI's CDN)."""


def mount_docs(app: FastAPI, docs_url: str) -> None:
    """FastAPI's Swagger UI page at ``docs_url``, loading its files from ``DOCS_ASSETS`` on this server."""
    app.mount(DOCS_ASSETS, StaticFiles(packages=[("fastapi_offline", "static")]), name="docs-assets")
    openapi_url = app.openapi_url or ""

    @app.get(docs_url, include_in_schema=False)
    def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(
            openapi_url=f"{root}{openapi_url}", title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{root}{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{root}{DOCS_ASSETS}/favicon.png",
            # No badge image from validator.swagger.io (Swagger UI's default validator): nothing leaves this host.
            swagger_ui_parameters={"validatorUrl": None})


def _document(title: str, body: str) -> str:
    return (f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{html.escape(title)}</title>"
            f"<style>{STYLE}</style></head><body>{body}</body></html>")


def _link(href: str, text: str) -> str:
    return f'<a href="{html.escape(href)}">{html.escape(text)}</a>'


def _created(record: Any) -> float:
    return record["_created"] if isinstance(record, dict) else record.created


def _name(record: Any) -> str:
    if isinstance(record, dict):
        return str(record.get("room_name") or "")
    body = getattr(record, "body", None) or {}
    return str(getattr(record, "asset_name", "") or (body.get("output_asset_config") or {}).get("asset_name")
               or body.get("name") or body.get("voice_name") or body.get("text") or "")


def _related(view: dict[str, Any], own_id: str) -> list[str]:
    """Links to the pages of resources this one names (the video's output asset, the job's room)."""
    found = {**view, **(view.get("output_asset_config") or {})}
    return [_link(f"/_emulator/ui/{kind}/{found[key]}", f"{key} {found[key]}")
            for key, kind in LINKED_IDS.items() if key != own_id and isinstance(found.get(key), str)]


def build_router(state: EmulatorState) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/", response_class=HTMLResponse)
    def root() -> HTMLResponse:
        """What this server is, its settings and docs, and the newest resources of each kind."""
        config = state.config
        sections = []
        with state.store.lock:
            for kind, page in PAGES.items():
                records = sorted(page.records(state.store).items(), key=lambda item: _created(item[1]),
                                 reverse=True)
                rows = "".join(f"<li>{_link(f'/_emulator/ui/{kind}/{ident}', ident)} {html.escape(_name(r))}</li>"
                               for ident, r in records[:RECENT])
                sections.append(f"<h3>{html.escape(page.title)}s ({len(records)})</h3><ul>{rows}</ul>")
        admin = "".join(f"<li>{_link(path, path)}</li>" for path in (
            "/_emulator/health", "/_emulator/config", "/_emulator/stats", "/_emulator/faults", "/_emulator/end-next"))
        body = (
            "<h1>MetaStudio emulator</h1>"
            "<p>A local stand-in for Huawei Cloud MetaStudio (Airflow provider <code>metastudio_provider</code>): "
            f"{len(all_apis())} signed APIs under <code>/v1/{{project_id}}/</code>.</p>"
            f"<table><tr><th>Region</th><td>{html.escape(config.region)}</td></tr>"
            f"<tr><th>Project id</th><td><code>{html.escape(config.project_id)}</code></td></tr>"
            f"<tr><th>Access key</th><td><code>{html.escape(config.ak)}</code></td></tr></table>"
            f"<h2>Docs</h2><ul><li>{_link('/_emulator/docs', 'API docs (OpenAPI, /_emulator/docs)')}</li>"
            f"<li>{_link('/_emulator/openapi.json', 'OpenAPI schema')}</li></ul>"
            f"<h2>Admin API (unsigned)</h2><ul>{admin}</ul>"
            "<p>Faults and job endings: <code>POST /_emulator/faults</code>, "
            "<code>POST /_emulator/video-jobs/{job_id}/end</code>, <code>POST /_emulator/live-jobs/end-next</code>, "
            "... (docs/emulator.md).</p>"
            f"<h2>Resources</h2>{''.join(sections)}"
        )
        return HTMLResponse(_document("MetaStudio emulator", body))

    @router.get("/docs")
    def docs() -> RedirectResponse:
        """FastAPI's usual docs address, for people who try it."""
        return RedirectResponse("/_emulator/docs")

    @router.get("/_emulator/ui/{kind}/{ident}", response_class=HTMLResponse)
    def resource(kind: str, ident: str, request: Request) -> HTMLResponse:
        """One resource as its Show API returns it now."""
        page = PAGES.get(kind)
        if page is None:
            return HTMLResponse(_document("Not found", f"<h1>No page for {html.escape(kind)}</h1>"), status_code=404)
        title = f"{page.title} {ident}"
        with state.store.lock:
            record = page.records(state.store).get(ident)
        if record is None:
            return HTMLResponse(_document(title, f"<h1>No {html.escape(page.title.lower())} {html.escape(ident)}"
                                                 f"</h1><p>{_link('/', 'MetaStudio emulator')}</p>"), status_code=404)
        api = get_api(page.show_api)
        try:
            view = state.run(api, path=page.path_params(record, ident), query=[], body={},
                             base_url=state.config.public_url or str(request.base_url)).body or {}
        except ApiError as err:
            view = err.body("")
        current = next((f"{f}: {view[f]}" for f in STATE_FIELDS if f in view), "")
        related = _related(view, page.id_param)
        body = (f"<p>{_link('/', 'MetaStudio emulator')} / {html.escape(page.title)}s</p>"
                f"<h1>{html.escape(title)}</h1><p><strong>{html.escape(current)}</strong></p>"
                + (f"<p>Related: {', '.join(related)}</p>" if related else "")
                + f"<p>As <code>{html.escape(api.name)}</code> returns it now:</p>"
                f"<pre>{html.escape(json.dumps(view, indent=2, ensure_ascii=False))}</pre>")
        return HTMLResponse(_document(title, body))

    return router
