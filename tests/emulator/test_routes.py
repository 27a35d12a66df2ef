"""Every catalog API is routed to a handler, over HTTP too, and answers in the SDK's shape."""

from __future__ import annotations

from fastapi.routing import APIRoute

from metastudio_emulator import create_app
from metastudio_emulator.handlers import HANDLERS
from metastudio_provider.catalog import all_apis

from .helpers import call_raw
from .sdk_shapes import response_model


def test_every_catalog_api_has_a_route_and_a_handler() -> None:
    app = create_app()
    routes = {r.name: r for r in app.routes if isinstance(r, APIRoute)}
    assert len(all_apis()) == 66
    for name, api in all_apis().items():
        assert name in HANDLERS, name
        route = routes[name]
        assert route.path == api.path and route.methods == {api.method}, name
        response_model(name)  # the SDK knows the response model


def test_every_api_answers_over_http(emu) -> None:
    """No call gets the gateway's 'no such API'; fake ids give MetaStudio 404s or 400s, never 500s."""
    dummy = {p: "0" * 32 for api in all_apis().values() for p in api.resource_params}
    for name, api in all_apis().items():
        resp = call_raw(emu, name, {p: dummy[p] for p in api.resource_params})
        assert resp.headers.get("X-Request-Id"), name
        assert resp.status_code < 500, (name, resp.status_code, resp.text)
        if resp.status_code >= 400:
            assert resp.json()["error_code"].startswith("MSS."), (name, resp.text)


def test_unknown_path_is_an_apigw_error(emu) -> None:
    resp = emu.request("GET", f"/v1/{emu.project_id}/no-such-thing")
    assert resp.status_code == 404
    assert resp.json()["error_code"] == "APIGW.0101"
    assert resp.headers.get("X-Request-Id")


def test_admin_health_and_config(emu) -> None:
    import httpx

    assert httpx.get(f"{emu.base_url}/_emulator/health").json()["status"] == "ok"
    cfg = httpx.get(f"{emu.base_url}/_emulator/config").json()
    assert cfg["project_id"] == emu.project_id and emu.sk not in str(cfg)
