"""API-gateway authentication: 401 APIGW.0301 for anything not signed by the tenant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from metastudio_provider import signing

PATH = "/v1/{project_id}/digital-assets"


def _assert_401(resp: httpx.Response, fragment: str, sk: str) -> None:
    assert resp.status_code == 401, resp.text
    body = resp.json()
    assert body["error_code"] == "APIGW.0301"
    assert body["error_msg"].startswith("Incorrect IAM authentication information: ")
    assert fragment in body["error_msg"]
    assert body["request_id"] == resp.headers["X-Request-Id"]
    assert sk not in resp.text


def _signed(emu, *, ak=None, sk=None, now=None, headers=None, host=None) -> dict[str, str]:
    path = PATH.format(project_id=emu.project_id)
    return signing.sign(ak=ak or emu.ak, sk=sk or emu.sk, method="GET", host=host or emu.host, path=path,
                        headers={"Content-Type": "application/json", **(headers or {})}, now=now)


def test_valid_signature_is_accepted(emu) -> None:
    resp = httpx.get(emu.base_url + PATH.format(project_id=emu.project_id), headers=_signed(emu))
    assert resp.status_code == 200, resp.text


@pytest.mark.parametrize("case,fragment", [
    ("missing", "missing"),
    ("malformed", "malformed"),
    ("wrong_sig", "signature does not match"),
    ("unknown_ak", "unknown access key"),
    ("skewed", "15 minutes"),
    ("no_date", "X-Sdk-Date"),
    ("host_unsigned", "host"),
    ("tampered_query", "signature does not match"),
])
def test_rejections(emu, case: str, fragment: str) -> None:
    url = emu.base_url + PATH.format(project_id=emu.project_id)
    headers = _signed(emu)
    if case == "missing":
        headers.pop("Authorization")
    elif case == "malformed":
        headers["Authorization"] = "Bearer abc"
    elif case == "wrong_sig":
        headers = _signed(emu, sk="not-the-secret")
    elif case == "unknown_ak":
        headers = _signed(emu, ak="SOMEOTHERAK000000000")
    elif case == "skewed":
        headers = _signed(emu, now=datetime.now(UTC) - timedelta(minutes=16))
    elif case == "no_date":
        headers.pop("X-Sdk-Date")
    elif case == "host_unsigned":
        auth = headers["Authorization"].replace("host;", "")
        headers["Authorization"] = auth
    elif case == "tampered_query":
        url += "?limit=5"
    _assert_401(httpx.get(url, headers=headers), fragment, emu.sk)


def test_project_mismatch_is_forbidden(emu) -> None:
    path = "/v1/ffffffffffffffffffffffffffffffff/digital-assets"
    headers = signing.sign(ak=emu.ak, sk=emu.sk, method="GET", host=emu.host, path=path)
    resp = httpx.get(emu.base_url + path, headers=headers)
    assert resp.status_code == 403 and resp.json()["error_code"] == "MSS.00000003"
