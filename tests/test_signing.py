"""Tests for ``metastudio_provider.signing`` (SDK-HMAC-SHA256).

Three kinds of evidence:

* the two fixed vectors of ``metastudio-wire.md`` §5.3 (Authorization, canonical request and
  string to sign, byte for byte);
* a few hundred generated requests, each signed by our module and by huaweicloudsdkcore's own
  ``BasicCredentials.sign_request`` — one test id per request;
* round trips through ``parse_authorization`` and ``verify``, including tampering.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import random
import string
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.sdk_request import SdkRequest

from metastudio_provider import signing

# --------------------------------------------------------------------------------------------
# §5.3 test vectors
# --------------------------------------------------------------------------------------------

AK = "AKEXAMPLE1234567890"
SK = "SKexample0123456789abcdefghijklmnopqrstuv"
PROJECT_ID = "0123456789abcdef0123456789abcdef"
HOST = "metastudio.cn-north-4.myhuaweicloud.com"
SDK_DATE = "20240101T000000Z"
SIGNED = "content-type;host;x-project-id;x-sdk-date"

CREATE_FILE_BODY = (
    b'{"file_name": "a.png", "file_md5": "1B2M2Y8AsgTpgAmY7PhCfg==", "file_size": 0, "file_type": "png", '
    b'"asset_id": "asset-1", "asset_file_category": "MAIN"}'
)


@dataclasses.dataclass(frozen=True)
class Vector:
    name: str
    method: str
    path: str
    query: dict
    body: bytes
    uri: str
    canonical_request: str
    string_to_sign: str
    authorization: str


VECTORS = [
    Vector(
        name="CreateFile",
        method="POST",
        path=f"/v1/{PROJECT_ID}/files",
        query={},
        body=CREATE_FILE_BODY,
        uri=f"/v1/{PROJECT_ID}/files",
        canonical_request=(
            "POST\n"
            "/v1/0123456789abcdef0123456789abcdef/files/\n"
            "\n"
            "content-type:application/json\n"
            "host:metastudio.cn-north-4.myhuaweicloud.com\n"
            "x-project-id:0123456789abcdef0123456789abcdef\n"
            "x-sdk-date:20240101T000000Z\n"
            "\n"
            "content-type;host;x-project-id;x-sdk-date\n"
            "ff7237baffdf2462b12bfed8bbc769f2ff6dac6b83657760b5794162456696e9"
        ),
        string_to_sign=(
            "SDK-HMAC-SHA256\n20240101T000000Z\n8d7f832e340cbb4cb5346e32709e3d54b9623c3d284addb3755a4a320dc60f68"
        ),
        authorization=(
            "SDK-HMAC-SHA256 Access=AKEXAMPLE1234567890, SignedHeaders=content-type;host;x-project-id;x-sdk-date, "
            "Signature=17ce1fbeeec760d6b72aaa75086fa7104a9ec8a5f57a7699ff75ac2f49033926"
        ),
    ),
    Vector(
        name="ListAssets",
        method="GET",
        path=f"/v1/{PROJECT_ID}/digital-assets",
        # Deliberately unsorted and with ints: query_pairs must stringify, canonical_query must sort.
        query={"offset": 0, "name": "my asset", "limit": 10, "asset_type": "IMAGE,VIDEO"},
        body=b"",
        uri=f"/v1/{PROJECT_ID}/digital-assets?asset_type=IMAGE%2CVIDEO&limit=10&name=my%20asset&offset=0",
        canonical_request=(
            "GET\n"
            "/v1/0123456789abcdef0123456789abcdef/digital-assets/\n"
            "asset_type=IMAGE%2CVIDEO&limit=10&name=my%20asset&offset=0\n"
            "content-type:application/json\n"
            "host:metastudio.cn-north-4.myhuaweicloud.com\n"
            "x-project-id:0123456789abcdef0123456789abcdef\n"
            "x-sdk-date:20240101T000000Z\n"
            "\n"
            "content-type;host;x-project-id;x-sdk-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        ),
        string_to_sign=(
            "SDK-HMAC-SHA256\n20240101T000000Z\n32db3c09321af0d82432c4f17dc2ef8064674ffe7a007cfb3be11d70be80c436"
        ),
        authorization=(
            "SDK-HMAC-SHA256 Access=AKEXAMPLE1234567890, SignedHeaders=content-type;host;x-project-id;x-sdk-date, "
            "Signature=66582fa4fa5b93a5fec5a7cfac4ebf279fccc0f01ee90024adc2f218c45075cb"
        ),
    ),
]


def _vector_headers() -> dict[str, str]:
    return {"Content-Type": "application/json", "X-Sdk-Date": SDK_DATE, "X-Project-Id": PROJECT_ID}


def test_create_file_body_is_the_documented_152_bytes():
    assert len(CREATE_FILE_BODY) == 152
    assert hashlib.sha256(CREATE_FILE_BODY).hexdigest() == (
        "ff7237baffdf2462b12bfed8bbc769f2ff6dac6b83657760b5794162456696e9"
    )


@pytest.mark.parametrize("vector", VECTORS, ids=lambda v: v.name)
def test_vector_authorization(vector: Vector):
    out = signing.sign(
        ak=AK,
        sk=SK,
        method=vector.method,
        host=HOST,
        path=vector.path,
        pairs=signing.query_pairs(vector.query),
        headers=_vector_headers(),
        body=vector.body,
    )
    assert out["Authorization"] == vector.authorization
    # The doc's "headers sent by the SDK after signing".
    assert out == {**_vector_headers(), "Host": HOST, "Authorization": vector.authorization}


@pytest.mark.parametrize("vector", VECTORS, ids=lambda v: v.name)
def test_vector_canonical_request_and_string_to_sign(vector: Vector):
    pairs = signing.query_pairs(vector.query)
    headers = {**_vector_headers(), "Host": HOST}
    signed = signing.signed_header_names(headers)
    assert ";".join(signed) == SIGNED

    canonical = signing.canonical_request(vector.method, vector.path, pairs, headers, signed, vector.body)
    assert canonical == vector.canonical_request

    to_sign = signing.string_to_sign(canonical, SDK_DATE)
    assert to_sign == vector.string_to_sign
    assert vector.authorization.endswith("Signature=" + signing.signature(SK, to_sign))

    # The query string that is sent is the canonical one.
    query = signing.canonical_query(pairs)
    assert vector.path + (f"?{query}" if query else "") == vector.uri


@pytest.mark.parametrize("vector", VECTORS, ids=lambda v: v.name)
def test_vector_sdk_agrees_with_doc(vector: Vector):
    """Guard the vectors themselves: the installed SDK still produces the documented output."""
    request = SdkRequest(
        method=vector.method,
        schema="https",
        host=HOST,
        resource_path=vector.path,
        query_params=signing.query_pairs(vector.query),
        header_params={"Content-Type": "application/json", "X-Sdk-Date": SDK_DATE},
        body=vector.body,
    )
    request = BasicCredentials(AK, SK, PROJECT_ID).sign_request(request)
    assert request.header_params["Authorization"] == vector.authorization
    assert request.uri == vector.uri


def test_sign_sets_date_from_now_when_absent():
    now = datetime(2031, 2, 3, 4, 5, 6, tzinfo=UTC)
    out = signing.sign(ak=AK, sk=SK, method="get", host=HOST, path="/v1/p/x", now=now)
    assert out["X-Sdk-Date"] == "20310203T040506Z"
    assert out["Host"] == HOST
    assert "SignedHeaders=host;x-sdk-date," in out["Authorization"]


def test_sign_keeps_given_date_and_host_case_insensitively():
    out = signing.sign(
        ak=AK,
        sk=SK,
        method="GET",
        host="ignored.example",
        path="/v1/p/x",
        headers={"x-sdk-date": SDK_DATE, "host": "given.example:8443"},
        now=datetime(2031, 1, 1, tzinfo=UTC),
    )
    assert "X-Sdk-Date" not in out and "Host" not in out
    assert out["x-sdk-date"] == SDK_DATE and out["host"] == "given.example:8443"


def test_query_pairs_flattens_lists_bools_and_drops_none():
    assert signing.query_pairs(None) == []
    assert signing.query_pairs({"a": None, "b": True, "c": False, "d": ["x", 2], "e": 0}) == [
        ("b", "true"),
        ("c", "false"),
        ("d", "x"),
        ("d", "2"),
        ("e", "0"),
    ]
    assert signing.query_pairs([("k", "v"), ("k", ("w", None)), ("n", None)]) == [("k", "v"), ("k", "w")]


def test_canonical_uri_and_query_encoding():
    assert signing.canonical_uri("/v1/p/a%20b") == "/v1/p/a%20b/"
    assert signing.canonical_uri("/v1/p/x/") == "/v1/p/x/"
    assert signing.canonical_uri("/v1/p/~a:b+c") == "/v1/p/~a%3Ab%2Bc/"
    assert signing.canonical_query([]) == ""
    assert signing.canonical_query([("b", "2"), ("a", "z"), ("a", "y ,/~")]) == "a=y%20%2C%2F~&a=z&b=2"


# --------------------------------------------------------------------------------------------
# Generated requests, cross-checked against huaweicloudsdkcore's signer
# --------------------------------------------------------------------------------------------

GENERATED = 250
METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")
HOSTS = (
    "metastudio.cn-north-4.myhuaweicloud.com",
    "metastudio.cn-east-3.myhuaweicloud.com",
    "metastudio.ap-southeast-3.myhuaweicloud.com",
    "metastudio.cn-north-4.myhuaweicloud.com:443",
    "127.0.0.1:18080",
    "localhost:8443",
    "emulator.internal:80",
)
# Characters a path value, query value or header value may contain, weighted towards the tricky ones.
TRICKY = " %+~:/?#&=,;@!$'()*[]\"<>|\\^`{}" + "éüß中文字幕デジタル😀\u00a0" + "%2F%20%25"
PLAIN = string.ascii_letters + string.digits + "-_."
QUERY_KEYS = ("limit", "offset", "name", "asset_type", "job_ids", "asset_id", "state", "tag", "sort_key", "名前", "a b")
BASE_DATE = datetime(2020, 1, 1, tzinfo=UTC)


def _text(rng: random.Random, lo: int = 1, hi: int = 12) -> str:
    n = rng.randint(lo, hi)
    return "".join(rng.choice(TRICKY) if rng.random() < 0.35 else rng.choice(PLAIN) for _ in range(n))


def _json_value(rng: random.Random, depth: int = 0):
    kind = rng.randrange(6 if depth < 2 else 4)
    if kind == 0:
        return _text(rng, 0, 10)
    if kind == 1:
        return rng.randint(-(10**6), 10**6)
    if kind == 2:
        return rng.choice([True, False, None])
    if kind == 3:
        return rng.random()
    if kind == 4:
        return [_json_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {_text(rng, 1, 6): _json_value(rng, depth + 1) for _ in range(rng.randint(0, 4))}


@dataclasses.dataclass
class Case:
    ak: str
    sk: str
    project_id: str
    method: str
    host: str
    resource_path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]  # without X-Project-Id, which BasicCredentials adds
    body: bytes


def _make_case(seed: int) -> Case:
    rng = random.Random(seed)
    method = METHODS[seed % len(METHODS)]  # every method, evenly
    project_id = "".join(rng.choice("0123456789abcdef") for _ in range(32))
    ak = "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(20))
    sk = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(40))
    if rng.random() < 0.1:
        sk += "é密"  # non-ASCII secret: both sides key HMAC with UTF-8 bytes

    # Path: fixed prefix, then literal segments and path values escaped as the client does.
    segments = ["v1", quote(project_id, safe="")]
    for _ in range(rng.randint(1, 4)):
        if rng.random() < 0.5:
            segments.append(rng.choice(["digital-assets", "files", "smart-live-rooms", "smart-live-jobs", "command"]))
        else:
            segments.append(quote(_text(rng), safe=""))
    resource_path = "/" + "/".join(segments)
    if rng.random() < 0.05:
        resource_path += "/"

    # Query: repeated keys, empty values, unicode values; sometimes none at all.
    query: list[tuple[str, str]] = []
    if rng.random() < 0.8:
        for _ in range(rng.randint(1, 7)):
            key = rng.choice(QUERY_KEYS)
            value = rng.choice([_text(rng, 0, 10), str(rng.randint(0, 500)), rng.choice(["true", "false", "a,b"])])
            query.append((key, value))
        if query and rng.random() < 0.3:
            query.append(rng.choice(query))  # an exact duplicate pair
        rng.shuffle(query)

    date = (BASE_DATE + timedelta(seconds=rng.randint(0, 20 * 365 * 86400))).strftime(signing.DATE_FORMAT)
    headers: dict[str, str] = {"X-Sdk-Date": date}
    if not (method == "GET" and rng.random() < 0.3):  # ignore_content_type_for_get_request
        headers["Content-Type"] = rng.choice(["application/json", "application/json;charset=UTF-8"])
    if rng.random() < 0.7:
        headers["User-Agent"] = "huaweicloud-usdk-python/3.0; " + _text(rng, 0, 8).replace("\n", "")
    if rng.random() < 0.5:
        # Unicode header value with surrounding blanks: both sides strip() and sign the UTF-8 text.
        headers["X-App-UserId"] = rng.choice(["", " ", "  "]) + _text(rng) + rng.choice(["", " ", "\t"])
    if rng.random() < 0.3:
        headers["X_Request_Trace"] = _text(rng)  # '_' in the name: never signed
    if rng.random() < 0.2:
        headers["X-Custom-" + rng.choice(["A", "b", "Zz"])] = _text(rng)
    if rng.random() < 0.1:
        headers["X-Security-Token"] = _text(rng, 20, 40)

    body = b""
    if method != "GET" or rng.random() < 0.1:
        if rng.random() < 0.75:
            payload = {_text(rng, 1, 8): _json_value(rng) for _ in range(rng.randint(1, 5))}
            body = json.dumps(payload, ensure_ascii=rng.random() < 0.3).encode("utf-8")

    return Case(ak, sk, project_id, method, rng.choice(HOSTS), resource_path, query, headers, body)


def _sdk_sign(case: Case) -> SdkRequest:
    request = SdkRequest(
        method=case.method,
        schema="https",
        host=case.host,
        resource_path=case.resource_path,
        query_params=list(case.query),
        header_params=dict(case.headers),
        body=case.body,
    )
    return BasicCredentials(case.ak, case.sk, case.project_id).sign_request(request)


def _our_sign(case: Case) -> dict[str, str]:
    return signing.sign(
        ak=case.ak,
        sk=case.sk,
        method=case.method,
        host=case.host,
        path=case.resource_path,
        pairs=signing.query_pairs(list(case.query)),
        headers={**case.headers, "X-Project-Id": case.project_id},
        body=case.body,
    )


def test_generated_cases_cover_the_brief():
    """The generator really produces what the cross-check claims to cover."""
    cases = [_make_case(i) for i in range(GENERATED)]
    assert len(cases) >= 200
    assert {c.method for c in cases} == set(METHODS)
    assert any(":" in c.host for c in cases) and any(":" not in c.host for c in cases)
    escaped = "".join(c.resource_path for c in cases)
    for needle in ("%20", "%25", "%2B", "~", "%3A", "%2F", "%C3%A9", "%E4%B8%AD"):
        assert needle in escaped, needle
    assert any(len({k for k, _ in c.query}) < len(c.query) for c in cases), "no repeated query keys"
    assert any(any(not v.isascii() for _, v in c.query) for c in cases), "no unicode query values"
    assert any(not c.headers.get("X-App-UserId", "a").isascii() for c in cases), "no unicode header values"
    assert any(c.body == b"" for c in cases) and any(not c.body.isascii() for c in cases)
    assert any(not c.query for c in cases)


@pytest.mark.parametrize("seed", range(GENERATED), ids=lambda s: f"seed{s:03d}-{METHODS[s % len(METHODS)]}")
def test_matches_sdk_signer(seed: int):
    case = _make_case(seed)
    sdk = _sdk_sign(case)
    ours = _our_sign(case)

    assert ours["Authorization"] == sdk.header_params["Authorization"]
    assert ours["Host"] == case.host
    assert {k.lower() for k in ours} == {k.lower() for k in sdk.header_params}

    # The query string that is sent is the SDK's, as it sets request.uri = resource_path?canonical_query.
    pairs = signing.query_pairs(list(case.query))
    query = signing.canonical_query(pairs)
    assert sdk.uri == (f"{case.resource_path}?{query}" if query else case.resource_path)

    # And the same request verifies.
    auth = signing.parse_authorization(ours["Authorization"])
    assert auth is not None and auth.ak == case.ak
    assert signing.verify(
        sk=case.sk, method=case.method, path=case.resource_path, pairs=pairs, headers=ours, body=case.body, auth=auth
    )


def test_non_json_content_type_matches_sdk():
    case = Case(
        AK,
        SK,
        PROJECT_ID,
        "PUT",
        HOST,
        f"/v1/{PROJECT_ID}/x",
        [],
        {"Content-Type": "text/plain", "X-Sdk-Date": SDK_DATE},
        b"abc",
    )
    assert _our_sign(case)["Authorization"] == _sdk_sign(case).header_params["Authorization"]


# --------------------------------------------------------------------------------------------
# verify / parse_authorization round trips
# --------------------------------------------------------------------------------------------

RT_PATH = f"/v1/{PROJECT_ID}/digital-assets/{quote('资产 1/%', safe='')}"
RT_PAIRS = signing.query_pairs([("asset_id", "b"), ("asset_id", "a"), ("name", "my asset é")])
RT_BODY = json.dumps({"asset_name": "名字", "asset_type": "IMAGE"}, ensure_ascii=False).encode()


def _rt_headers() -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "X-Project-Id": PROJECT_ID,
        "X-App-UserId": "用户-42",
        "X-Sdk-Date": SDK_DATE,
        "X_Not_Signed": "anything",
    }


@pytest.fixture
def signed_request():
    headers = signing.sign(
        ak=AK,
        sk=SK,
        method="POST",
        host="127.0.0.1:18080",
        path=RT_PATH,
        pairs=RT_PAIRS,
        headers=_rt_headers(),
        body=RT_BODY,
    )
    auth = signing.parse_authorization(headers["Authorization"])
    assert auth is not None
    return headers, auth


def _verify(headers, auth, **overrides) -> bool:
    kwargs = dict(sk=SK, method="POST", path=RT_PATH, pairs=RT_PAIRS, headers=headers, body=RT_BODY, auth=auth)
    kwargs.update(overrides)
    return signing.verify(**kwargs)


def test_parse_authorization_fields(signed_request):
    headers, auth = signed_request
    assert auth.ak == AK
    assert auth.signed_headers == ("content-type", "host", "x-app-userid", "x-project-id", "x-sdk-date")
    assert len(auth.signature) == 64
    assert headers["Authorization"].endswith(auth.signature)


def test_verify_accepts_what_sign_produced(signed_request):
    headers, auth = signed_request
    assert _verify(headers, auth)
    # Header names arrive in any case from an HTTP server.
    assert _verify({k.lower(): v for k, v in headers.items()}, auth)
    # Query order on the wire does not matter: it is canonicalised.
    assert _verify(headers, auth, pairs=list(reversed(RT_PAIRS)))
    # Headers that were not signed may change.
    assert _verify({**headers, "X_Not_Signed": "changed", "Accept": "*/*"}, auth)


def test_verify_rejects_changed_body(signed_request):
    headers, auth = signed_request
    assert not _verify(headers, auth, body=RT_BODY + b" ")
    assert not _verify(headers, auth, body=b"")


def test_verify_rejects_changed_query(signed_request):
    headers, auth = signed_request
    assert not _verify(headers, auth, pairs=[*RT_PAIRS[:-1], ("name", "my asset e")])
    assert not _verify(headers, auth, pairs=[*RT_PAIRS, ("limit", "1")])
    assert not _verify(headers, auth, pairs=RT_PAIRS[1:])


@pytest.mark.parametrize("header", ["X-App-UserId", "X-Project-Id", "Host", "Content-Type", "X-Sdk-Date"])
def test_verify_rejects_changed_signed_header(signed_request, header):
    headers, auth = signed_request
    assert not _verify({**headers, header: headers[header] + "x"}, auth)


def test_verify_rejects_dropped_signed_header(signed_request):
    headers, auth = signed_request
    assert not _verify({k: v for k, v in headers.items() if k != "X-App-UserId"}, auth)


def test_verify_rejects_wrong_sk_method_or_path(signed_request):
    headers, auth = signed_request
    assert not _verify(headers, auth, sk=SK + "x")
    assert not _verify(headers, auth, sk=SK.upper())
    assert not _verify(headers, auth, method="PUT")
    assert not _verify(headers, auth, path=RT_PATH + "x")


def test_verify_rejects_tampered_signature_or_signed_list(signed_request):
    headers, auth = signed_request
    flipped = ("0" if auth.signature[0] != "0" else "1") + auth.signature[1:]
    assert not _verify(headers, dataclasses.replace(auth, signature=flipped))
    fewer = tuple(h for h in auth.signed_headers if h != "x-app-userid")
    assert not _verify(headers, dataclasses.replace(auth, signed_headers=fewer))


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "   ",
        "garbage",
        "Bearer abc.def.ghi",
        "Basic QUs6U0s=",
        "SDK-HMAC-SHA256",
        "SDK-HMAC-SHA256 Access=AK",
        "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;x-sdk-date",
        "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;x-sdk-date, Signature=",
        "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;x-sdk-date, Signature=xyz123",
        "SDK-HMAC-SHA256 Access=, SignedHeaders=host, Signature=abcdef",
        "SDK-HMAC-SHA256 Access=AK, SignedHeaders=, Signature=abcdef",
        "SDK-HMAC-SM3 Access=AK, SignedHeaders=host;x-sdk-date, Signature=abcdef",
        "V11-HMAC-SHA256 Credential=AK/20240101/cn-north-4/metastudio, SignedHeaders=host, Signature=abcdef",
        "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=abcdef, Extra=1",
        "xSDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=abcdef",
    ],
)
def test_parse_authorization_rejects_garbage(value):
    assert signing.parse_authorization(value) is None
