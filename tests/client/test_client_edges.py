"""Edge cases no server produces on demand, with HTTP stubbed by respx."""

from __future__ import annotations

import time

import httpx
import pytest
import respx

from metastudio_provider.client import (
    ClientSettings,
    Credentials,
    MetaStudioAPIError,
    MetaStudioClient,
    MetaStudioOutcomeUnknownError,
    RateLimiter,
)

BASE = "https://metastudio.cn-north-4.myhuaweicloud.com"
PROJECT = "p" * 32
SK = "stub-secret-key-0123456789"


@pytest.fixture
def client():
    # outage_seconds=0: max_attempts alone bounds the tries (riding out an outage: tests/client/test_outage.py)
    settings = ClientSettings(Credentials("AKSTUB", SK, PROJECT), max_attempts=4, max_backoff=0.5, outage_seconds=0)
    with MetaStudioClient(settings, limiter=RateLimiter()) as c:
        yield c


@respx.mock
def test_retry_after_is_honoured(client):
    route = respx.get(f"{BASE}/v1/{PROJECT}/digital-assets").mock(
        side_effect=[
            httpx.Response(429, headers={"Retry-After": "0.3"}, json={"error_code": "APIGW.0308", "error_msg": "slow"}),
            httpx.Response(200, json={"count": 0, "assets": []}),
        ]
    )
    started = time.monotonic()
    assert client.call("ListAssets") == {"count": 0, "assets": []}
    assert route.call_count == 2
    assert time.monotonic() - started >= 0.3


@respx.mock
def test_throttled_error_code_without_429_status_is_retried(client):
    route = respx.get(f"{BASE}/v1/{PROJECT}/digital-assets").mock(
        side_effect=[
            httpx.Response(400, json={"error_code": "APIGW.0308", "error_msg": "over ratelimit"}),
            httpx.Response(200, json={"count": 1}),
        ]
    )
    assert client.call("ListAssets")["count"] == 1
    assert route.call_count == 2


@respx.mock
def test_connect_error_on_create_is_resent_because_it_never_left(client):
    route = respx.post(f"{BASE}/v1/{PROJECT}/files").mock(
        side_effect=[httpx.ConnectError("refused"), httpx.Response(200, json={"file_id": "f1", "upload_url": "u"})]
    )
    body = {"file_name": "a.png", "file_md5": "x", "file_size": 1, "file_type": "png", "asset_id": "a",
            "asset_file_category": "MAIN"}
    assert client.call("CreateFile", body=body)["file_id"] == "f1"
    assert route.call_count == 2


@respx.mock
def test_lost_response_of_a_create_without_lookup_is_not_resent(client):
    route = respx.post(f"{BASE}/v1/{PROJECT}/files").mock(side_effect=httpx.ReadTimeout("lost"))
    body = {"file_name": "a.png", "file_md5": "x", "file_size": 1, "file_type": "png", "asset_id": "a",
            "asset_file_category": "MAIN"}
    with pytest.raises(MetaStudioOutcomeUnknownError, match="CreateFile"):
        client.call("CreateFile", body=body)
    assert route.call_count == 1


@respx.mock
def test_server_errors_on_reads_are_retried_then_surface_typed(client):
    route = respx.get(f"{BASE}/v1/{PROJECT}/digital-assets/a1").mock(
        return_value=httpx.Response(
            503, headers={"X-Request-Id": "req-9"}, json={"error_code": "MSS.5000", "error_msg": "down"}
        )
    )
    with pytest.raises(MetaStudioAPIError) as info:
        client.call("ShowAsset", {"asset_id": "a1"})
    assert route.call_count == 4
    assert (info.value.status_code, info.value.error_code, info.value.request_id) == (503, "MSS.5000", "req-9")


@respx.mock
def test_non_json_and_nested_error_bodies(client):
    respx.get(f"{BASE}/v1/{PROJECT}/digital-assets/a1").mock(return_value=httpx.Response(404, text="<html>nope</html>"))
    respx.get(f"{BASE}/v1/{PROJECT}/digital-assets/a2").mock(
        return_value=httpx.Response(400, json={"error": {"error_code": "MSS.1", "error_msg": "inner"}})
    )
    with pytest.raises(MetaStudioAPIError) as first:
        client.call("ShowAsset", {"asset_id": "a1"})
    assert (first.value.error_code, first.value.error_msg) == ("404", "<html>nope</html>")
    with pytest.raises(MetaStudioAPIError) as second:
        client.call("ShowAsset", {"asset_id": "a2"})
    assert (second.value.error_code, second.value.error_msg) == ("MSS.1", "inner")


def test_bad_input_names_the_item_at_fault(client):
    with pytest.raises(ValueError, match="CreateDigitalAsset: missing required body field.*asset_type"):
        client.call("CreateDigitalAsset", body={"asset_name": "x"})
    with pytest.raises(ValueError, match="ListAssets: unknown query parameter.*colour"):
        client.call("ListAssets", query={"colour": "red"})
    with pytest.raises(ValueError, match="ShowAsset: missing path parameter.*asset_id"):
        client.call("ShowAsset")
    with pytest.raises(KeyError, match="NoSuchApi"):
        client.call("NoSuchApi")


@respx.mock
def test_query_is_sent_exactly_as_signed(client):
    route = respx.get(url__startswith=f"{BASE}/v1/{PROJECT}/digital-human-videos").mock(
        return_value=httpx.Response(200, json={"count": 0, "jobs": []})
    )
    client.call("ListDigitalHumanVideo", query={"job_ids": ["j2", "j1"], "state": "WAITING,PROCESSING"})
    sent = route.calls.last.request
    assert sent.url.query.decode() == "job_ids=j1&job_ids=j2&state=WAITING%2CPROCESSING"
    assert sent.headers["Authorization"].startswith("SDK-HMAC-SHA256 Access=AKSTUB, SignedHeaders=")
    assert sent.headers["X-Project-Id"] == PROJECT
