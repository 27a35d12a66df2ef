"""Bad request bodies get a 400 with MetaStudio's error body on every POST/PUT route, never a 500."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from metastudio_emulator.body_checks import MAX_DEPTH
from metastudio_emulator.body_models import MODELS
from metastudio_emulator.testing import RunningEmulator
from metastudio_provider.catalog import Api, all_apis

from .helpers import call, call_raw

WRITE_APIS = [api for api in all_apis().values() if api.method in ("POST", "PUT")]
DEEP = b'{"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
BAD_BODIES: dict[str, tuple[bytes, str]] = {
    "string instead of object": (b'"a string"', "application/json"),
    "array instead of object": (b"[1, 2]", "application/json"),
    "invalid JSON": (b'{"asset_name": ', "application/json"),
    "NaN is not JSON": (b'{"x": NaN}', "application/json"),
    "not UTF-8": (b'{"x": "\xff\xfe"}', "application/json"),
    "deeper than the parser": (DEEP, "application/json"),
    "deeper than allowed": (b'{"x": ' + b"[" * 40 + b"]" * 40 + b"}", "application/json"),
    "text/plain": (b"{}", "text/plain"),
    "form encoded": (b"asset_name=x", "application/x-www-form-urlencoded"),
}


def _wrong(type_name: str) -> Any:
    """A JSON value that does not fit the SDK type ``type_name`` (None: anything fits)."""
    if type_name == "object":
        return None
    if type_name.startswith("list["):
        return "not an array"
    if type_name in ("str", "datetime", "date"):
        return {"not": "a string"}
    if type_name in ("int", "float"):
        return "12"
    if type_name == "bool":
        return "true"
    return 1 if not MODELS.get(type_name) else "a string where an object belongs"


def _inner_model(type_name: str) -> tuple[str, bool] | None:
    """(model, in a list) when ``type_name`` is a model with fields or a list of one."""
    inner = type_name[5:-1] if type_name.startswith("list[") else type_name
    return (inner, inner != type_name) if MODELS.get(inner) else None


def wrong_bodies(model: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """(path the error must name, body) per top-level field, plus one nested field per object field."""
    for name, type_name in MODELS[model].items():
        value = _wrong(type_name)
        if value is not None:
            yield name, {name: value}
        if nested := _inner_model(type_name):
            inner, in_list = nested
            sub, sub_type = next((k, t) for k, t in MODELS[inner].items() if _wrong(t) is not None)
            item = {sub: _wrong(sub_type)}
            yield (f"{name}[0].{sub}", {name: [item]}) if in_list else (f"{name}.{sub}", {name: item})


def _send(emu: RunningEmulator, client: httpx.Client, api: Api, body: bytes, content_type: str) -> httpx.Response:
    path = api.format_path(emu.project_id, {p: "0" * 32 for p in api.resource_params})
    headers = emu.signed_headers(api.method, path, [], body, headers={"Content-Type": content_type})
    return client.request(api.method, f"{emu.base_url}{path}", content=body, headers=headers)


@pytest.mark.parametrize("api", WRITE_APIS, ids=[api.name for api in WRITE_APIS])
def test_bad_bodies_get_400_never_500(emu: RunningEmulator, api: Api) -> None:
    import json

    with httpx.Client(timeout=30) as client:
        cases = [(label, raw, ctype, None) for label, (raw, ctype) in BAD_BODIES.items()]
        if api.body_model:
            cases += [(f"wrong type at {where}", json.dumps(body).encode(), "application/json", where)
                      for where, body in wrong_bodies(api.body_model)]
        bodyless = _send(emu, client, api, b"", "application/json")
        for label, raw, ctype, where in cases:
            resp = _send(emu, client, api, raw, ctype)
            assert resp.status_code != 500, f"{api.name} {label}: {resp.text}"
            error = resp.json()
            assert set(error) == {"error_code", "error_msg", "request_id"}, f"{api.name} {label}: {error}"
            assert resp.headers["X-Request-Id"] == error["request_id"]
            if not api.has_body:  # the SDK sends no body: any body is ignored, as if none was sent
                assert resp.status_code == bodyless.status_code, f"{api.name} {label}"
                assert resp.status_code in (400, 404), f"{api.name} {label}"
                assert error["error_code"] == bodyless.json()["error_code"]
                continue
            assert (resp.status_code, error["error_code"]) == (400, "MSS.00000001"), f"{api.name} {label}: {error}"
            if where is not None:
                assert f"'{where}'" in error["error_msg"], f"{api.name} {label}: {error}"


def test_messages_say_what_is_wrong(emu: RunningEmulator) -> None:
    api = all_apis()["CreateDigitalAsset"]
    with httpx.Client(timeout=30) as client:
        def msg(label: str) -> str:
            return _send(emu, client, api, *BAD_BODIES[label]).json()["error_msg"]

        assert msg("string instead of object") == "request body must be a JSON object"
        assert msg("deeper than the parser") == msg("deeper than allowed") == (
            f"request body is nested deeper than {MAX_DEPTH} levels")
        assert msg("text/plain") == "Content-Type must be application/json, not 'text/plain'"
        assert msg("invalid JSON") == msg("NaN is not JSON") == "request body is not valid JSON"
    nested = call(emu, "CreateSmartLiveRoom", json={"room_name": "r", "scene_scripts": [{"voice_config": "x"}]},
                  expect=400)
    assert nested["error_msg"] == "parameter 'scene_scripts[0].voice_config' must be an object"


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"asset_name": "extra", "asset_type": "IMAGE", "no_such_field": {"deep": [1]}}, "no_such_field"),
        ({"asset_name": "extra", "asset_type": "IMAGE", "shared_config": {"shared_typo": "PRIVATE"}},
         "shared_config.shared_typo"),
    ],
)
def test_unknown_fields_are_refused_and_nothing_is_made(emu: RunningEmulator, body: dict, where: str) -> None:
    """A misspelt field is a 400 naming it, not silently dropped (docs/emulator.md, "Bad input")."""
    before = call(emu, "ListAssets", query={"asset_name": "extra"})["count"]
    response = call_raw(emu, "CreateDigitalAsset", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["error_code"] == "MSS.00000001"
    assert f"'{where}' is not a field of" in response.json()["error_msg"]
    assert call(emu, "ListAssets", query={"asset_name": "extra"})["count"] == before


def test_vendored_body_models_match_the_sdk() -> None:
    pytest.importorskip("huaweicloudsdkmetastudio")
    from metastudio_emulator import body_models
    from metastudio_emulator.body_models_codegen import generate_source

    with open(body_models.__file__, encoding="utf-8") as vendored:
        assert vendored.read() == generate_source()
