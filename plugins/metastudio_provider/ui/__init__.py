"""The MetaStudio view inside Airflow's UI: what is live, rendering, throttled and spent (docs/ui.md).

``app`` is the FastAPI app (page and JSON), ``summary`` computes the figures, ``records`` reads Airflow's
database, ``sources`` the cached MetaStudio listings and the limiter's state, ``page`` the HTML. ``ASGI_APP``
builds the FastAPI app on its first request, so that importing the plugin costs the scheduler, workers and
triggerer nothing.
"""

from __future__ import annotations

from typing import Any

URL_PREFIX = "/metastudio"


class LazyApp:
    """An ASGI app that builds ``app.create_app()`` when the api-server first sends it a request."""

    def __init__(self) -> None:
        self._app: Any = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if self._app is None:
            from metastudio_provider.ui.app import create_app

            self._app = create_app()
        await self._app(scope, receive, send)


ASGI_APP = LazyApp()
FASTAPI_APP = {"app": ASGI_APP, "url_prefix": URL_PREFIX, "name": "MetaStudio view"}
EXTERNAL_VIEW = {
    "name": "MetaStudio",
    "href": f"{URL_PREFIX}/",
    "url_route": "metastudio",
    "destination": "nav",
    "nav_top_level": True,
    "icon": f"{URL_PREFIX}/icon.svg",
}
