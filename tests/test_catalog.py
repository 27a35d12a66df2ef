"""Tests for ``metastudio_provider.catalog`` against the throttling table it was built from.

The table (``tests/reference/metastudio-api-throttling.txt``, vendored: see tests/reference/README.md) is parsed
here, independently of the catalog:
it is a sequence of category lines and API title lines, each title followed by three limit
lines for CN North-Beijing4, CN East-Shanghai1 and AP-Singapore.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from metastudio_provider import catalog
from metastudio_provider.catalog import REGIONS, Api, all_apis, get_api, pool_name

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"  # vendored; tests read nothing outside the repo
THROTTLING_TXT = REFERENCE_DIR / "metastudio-api-throttling.txt"
REFERENCE_CATALOG = REFERENCE_DIR / "metastudio-api-catalog.json"

# Column order of the table, as region ids.
TABLE_REGIONS = {
    "CN North-Beijing4": "cn-north-4",
    "CN East-Shanghai1": "cn-east-3",
    "AP-Singapore": "ap-southeast-3",
}
_TIMES = re.compile(r"^(\d+) times?/second$")
_WORDS = {"Once per second": 1, "Twice per second": 2}
_PLACEHOLDER = re.compile(r"{(\w+)}")


def _limit(line: str) -> int | None:
    """Requests per second for a limit line; None if the line is not a limit."""
    if line in _WORDS:
        return _WORDS[line]
    match = _TIMES.match(line)
    return int(match.group(1)) if match else None


def _read_reference(path: Path) -> str:
    if not path.is_file():
        pytest.fail(f"reference file missing: {path} (the catalog tests need it; they do not skip)", pytrace=False)
    return path.read_text("utf-8")


def parse_throttling_table(text: str) -> list[dict]:
    """[{category, title, limits: {region: int}}] in table order."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    # The header names the three columns; the rows start after the last one.
    columns = [re.fullmatch(r"\((.+)\)", line) for line in lines]
    column_idx = [i for i, m in enumerate(columns) if m and m.group(1) in TABLE_REGIONS]
    assert [columns[i].group(1) for i in column_idx] == list(TABLE_REGIONS), "table header changed"
    assert [TABLE_REGIONS[columns[i].group(1)] for i in column_idx] == list(REGIONS)
    rows: list[dict] = []
    category = None
    i = column_idx[-1] + 1
    while i < len(lines):
        line = lines[i]
        assert _limit(line) is None, f"limit line {line!r} without an API title before it (line {i})"
        if i + 1 < len(lines) and _limit(lines[i + 1]) is not None:
            limits = [_limit(x) for x in lines[i + 1 : i + 4]]
            assert len(limits) == 3 and None not in limits, f"{line!r}: expected three limit lines, got {limits}"
            assert category is not None, f"API {line!r} before any category"
            rows.append({"category": category, "title": line, "limits": dict(zip(REGIONS, limits, strict=True))})
            i += 4
        else:
            category = line
            i += 1
    return rows


@pytest.fixture(scope="module")
def table() -> list[dict]:
    return parse_throttling_table(_read_reference(THROTTLING_TXT))


@pytest.fixture(scope="module")
def apis() -> list[Api]:
    return list(all_apis().values())


# --------------------------------------------------------------------------------------------
# The parser itself (so a silent mis-parse cannot make the comparison vacuous)
# --------------------------------------------------------------------------------------------


def test_parser_on_a_small_table():
    text = """Intro
Table 1 API request throttling
API Category
API Name
Single Tenant
(CN North-Beijing4)
Single Tenant
(CN East-Shanghai1)
Single Tenant
(AP-Singapore)
Cat A

Api one
10 times/second
5 times/second
Once per second
Api two
Once per second
Once per second
2 times/second
Cat B
Api three
20 times/second
10 times/second
10 times/second
"""
    assert parse_throttling_table(text) == [
        {"category": "Cat A", "title": "Api one", "limits": {"cn-north-4": 10, "cn-east-3": 5, "ap-southeast-3": 1}},
        {"category": "Cat A", "title": "Api two", "limits": {"cn-north-4": 1, "cn-east-3": 1, "ap-southeast-3": 2}},
        {
            "category": "Cat B",
            "title": "Api three",
            "limits": {"cn-north-4": 20, "cn-east-3": 10, "ap-southeast-3": 10},
        },
    ]
    with pytest.raises(AssertionError):
        parse_throttling_table(text.replace("2 times/second\nCat B", "Cat B"))


def test_table_shape(table):
    assert len(table) == 66
    categories = list(dict.fromkeys(row["category"] for row in table))
    assert len(categories) == 11
    assert categories[0] == "Digital Asset Management" and categories[-1] == "TTS Management"
    assert table[6] == {
        "category": "Digital Asset Management",
        "title": "Batch Asset Operations",
        "limits": {"cn-north-4": 1, "cn-east-3": 1, "ap-southeast-3": 1},
    }


# --------------------------------------------------------------------------------------------
# Catalog vs table
# --------------------------------------------------------------------------------------------


def test_catalog_has_exactly_66_apis(apis):
    assert len(apis) == 66
    assert len(all_apis()) == 66


def test_titles_and_categories_match_table_in_order(apis, table):
    assert [(a.title, a.category) for a in apis] == [(r["title"], r["category"]) for r in table]


def test_all_198_limits_match_table(apis, table):
    assert len(apis) == len(table)
    compared = 0
    mismatches = []
    for api, row in zip(apis, table, strict=True):
        assert set(api.limits) == set(REGIONS), api.name
        for region in REGIONS:
            compared += 1
            if api.limit(region) != row["limits"][region] or api.limits[region] != row["limits"][region]:
                mismatches.append((api.name, region, api.limit(region), row["limits"][region]))
    assert mismatches == []
    assert compared == 198


def test_limits_are_positive_ints(apis):
    for api in apis:
        for region in REGIONS:
            value = api.limit(region)
            assert isinstance(value, int) and not isinstance(value, bool) and value >= 1, (api.name, region)


def test_limit_rejects_unknown_region():
    with pytest.raises(ValueError, match="eu-west-0"):
        get_api("ListAssets").limit("eu-west-0")


def test_catalog_matches_reference_catalog_json(apis):
    """Method, URI template and parameters agree with the vendored SDK-derived catalog."""
    reference = json.loads(_read_reference(REFERENCE_CATALOG))["apis"]
    assert len(reference) == 66
    for api, ref in zip(apis, reference, strict=True):
        assert (api.name, api.title, api.category) == (ref["sdk_method"], ref["seed_name"], ref["category"])
        assert api.method == ref["http_method"], api.name
        assert api.path == ref["path"], api.name
        assert list(api.path_params) == ref["path_params"], api.name
        assert list(api.query_params) == ref["query_params"], api.name
        assert api.body_model == ref["body_model"], api.name
        assert dict(api.limits) == ref["limits"], api.name


# --------------------------------------------------------------------------------------------
# Structure
# --------------------------------------------------------------------------------------------


def test_names_unique():
    raw = json.loads((Path(catalog.__file__).parent / "apis.json").read_text("utf-8"))
    names = [item["name"] for item in raw]
    assert len(names) == len(set(names)) == 66
    assert list(all_apis()) == names  # table order kept, nothing dropped by the dict
    titles = [item["title"] for item in raw]
    assert len(set(titles)) == 66


def test_path_placeholders_are_path_params(apis):
    for api in apis:
        placeholders = _PLACEHOLDER.findall(api.path)
        assert placeholders, api.name
        assert set(placeholders) <= set(api.path_params), api.name
        assert sorted(placeholders) == sorted(api.path_params), f"{api.name}: path_params not in path"
        assert placeholders[0] == "project_id" and api.path.startswith("/v1/{project_id}"), api.name
        assert api.resource_params == tuple(p for p in api.path_params if p != "project_id")


def test_methods_are_http_methods(apis):
    assert {a.method for a in apis} <= {"GET", "POST", "PUT", "DELETE", "PATCH"}


def test_format_path_fills_and_escapes():
    api = get_api("ShowSmartLive")
    assert api.format_path("p1", {"room_id": "r 1/é", "job_id": "j%+~:?"}) == (
        "/v1/p1/smart-live-rooms/r%201%2F%C3%A9/smart-live-jobs/j%25%2B~%3A%3F"
    )
    assert get_api("ListAssets").format_path("0123") == "/v1/0123/digital-assets"
    assert get_api("ListAssets").format_path("a/b") == "/v1/a%2Fb/digital-assets"
    assert get_api("ShowAsset").format_path("p", {"asset_id": 42}) == "/v1/p/digital-assets/42"


def test_format_path_every_api_leaves_no_placeholder(apis):
    for api in apis:
        values = {p: f"v {p}/" for p in api.resource_params}
        path = api.format_path("proj", values)
        assert "{" not in path and "}" not in path, api.name
        for p in api.resource_params:
            assert f"v%20{p}%2F" in path, (api.name, p)


@pytest.mark.parametrize(
    "given", [{}, {"room_id": "r"}, {"job_id": "j"}, {"room_id": "", "job_id": "j"}, {"room_id": None, "job_id": "j"}]
)
def test_format_path_missing_param_raises_naming_it(given):
    api = get_api("ShowSmartLive")
    missing = [p for p in ("room_id", "job_id") if not given.get(p)]
    with pytest.raises(ValueError) as excinfo:
        api.format_path("p", given)
    message = str(excinfo.value)
    assert "ShowSmartLive" in message
    for name in missing:
        assert name in message
    for name in {"room_id", "job_id"} - set(missing):
        assert name not in message


def test_format_path_missing_project_id_raises():
    with pytest.raises(ValueError, match="project_id"):
        get_api("ListAssets").format_path("")


def test_pool_name_unique_and_deterministic(apis):
    names = {}
    for api in apis:
        for region in REGIONS:
            name = pool_name(api, region)
            assert name == pool_name(api.name, region) == pool_name(get_api(api.name), region)
            assert name not in names, (name, names.get(name), (api.name, region))
            names[name] = (api.name, region)
    assert len(names) == 66 * 3
    assert pool_name("ListAssets", "cn-north-4") == pool_name("ListAssets", "cn-north-4")
    assert pool_name("ListAssets", "cn-north-4") != pool_name("ListAssets", "cn-east-3")
    # Airflow pool names: keep them to a safe charset.
    assert all(re.fullmatch(r"[A-Za-z0-9_.-]+", n) for n in names)


def test_pool_name_unknown_api_raises():
    with pytest.raises(KeyError, match="NoSuchApi"):
        pool_name("NoSuchApi", "cn-north-4")


def test_get_api_known_and_unknown():
    assert get_api("CreateDigitalAsset").title == "Creating an Asset"
    assert get_api("CreateDigitalAsset") is all_apis()["CreateDigitalAsset"]
    with pytest.raises(KeyError) as excinfo:
        get_api("CreateDigitalAssets")
    assert "CreateDigitalAssets" in str(excinfo.value)
    with pytest.raises(KeyError, match="listassets"):
        get_api("listassets")  # names are case-sensitive


def test_dedupe_points_at_list_api_with_those_query_keys(apis):
    with_dedupe = [a for a in apis if a.dedupe is not None]
    assert with_dedupe, "no API declares dedupe"
    for api in with_dedupe:
        d = api.dedupe
        assert d.list in all_apis(), f"{api.name}: dedupe.list {d.list!r} is not an API"
        lister = get_api(d.list)
        assert lister.method == "GET" and lister.name.startswith("List"), f"{api.name}: {d.list} is not a list API"
        assert d.query, api.name
        missing = set(d.query) - set(lister.query_params)
        assert not missing, f"{api.name}: {d.list} has no query param(s) {sorted(missing)}"
        assert api.method == "POST" and not api.is_read_only, api.name
        assert d.items and d.match, api.name
        # Non-literal sources are body fields the create requires or may send.
        for key, source in d.query.items():
            assert source.startswith("=") or re.fullmatch(r"\w+(\.\w+)*", source), (api.name, key, source)


def test_limit_and_catalog_are_read_only():
    api = get_api("ListAssets")
    with pytest.raises(TypeError):
        api.limits["cn-north-4"] = 999  # type: ignore[index]
    with pytest.raises(TypeError):
        all_apis()["X"] = api  # type: ignore[index]
    assert api.limit("cn-north-4") == 20
