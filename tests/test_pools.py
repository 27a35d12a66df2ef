"""Pools: generated from the catalog, committed in include/pools/, accepted by `airflow pools import`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from metastudio_provider.catalog import REGIONS, all_apis, pool_name
from metastudio_provider.operators.api import API_OPERATORS

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("region", REGIONS)
def test_committed_pool_files_match_the_catalog(region):
    committed = json.loads((ROOT / "include" / "pools" / f"{region}.json").read_text())
    assert len(committed) == 66
    for api in all_apis().values():
        pool = committed[pool_name(api, region)]
        assert pool["slots"] == api.limit(region)
        assert pool["include_deferred"] is False
        assert api.name in pool["description"] and f"{api.limit(region)} request(s)/second" in pool["description"]


def test_cli_prints_what_is_committed():
    out = subprocess.run([sys.executable, "-m", "metastudio_provider.cli.commands", "pools", "--region", "cn-east-3"],
                         capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == json.loads((ROOT / "include" / "pools" / "cn-east-3.json").read_text())


def test_operators_default_to_their_api_pool_without_reading_a_connection(monkeypatch):
    monkeypatch.delenv("AIRFLOW_CONN_METASTUDIO_DEFAULT", raising=False)  # parse time: no connection at all
    monkeypatch.setenv("AIRFLOW__METASTUDIO__DEFAULT_REGION", "cn-east-3")
    for name, cls in API_OPERATORS.items():
        assert cls(task_id="t").pool == f"metastudio_cn-east-3_{name}"
    singapore = API_OPERATORS["ListAssets"](task_id="t", region="ap-southeast-3")
    assert singapore.pool == "metastudio_ap-southeast-3_ListAssets"
    assert API_OPERATORS["ListAssets"](task_id="t", pool="mine").pool == "mine"
