"""The provider's ``[metastudio]`` options have one reader, ``utils.options.option``, over Airflow's config."""

from __future__ import annotations

import re
from pathlib import Path

from metastudio_provider.utils.options import option

PROVIDER = Path(__file__).resolve().parent.parent / "plugins" / "metastudio_provider"


def test_an_environment_variable_set_at_run_time_is_seen(monkeypatch):
    monkeypatch.setenv("AIRFLOW__METASTUDIO__DEFAULT_REGION", "cn-east-3")
    assert option("default_region", "cn-north-4") == "cn-east-3"
    monkeypatch.setenv("AIRFLOW__METASTUDIO__DEFAULT_REGION", "ap-southeast-3")
    assert option("default_region", "cn-north-4") == "ap-southeast-3"


def test_unset_or_empty_gives_the_fallback_and_declared_defaults_count(monkeypatch):
    monkeypatch.setenv("AIRFLOW__METASTUDIO__DELIVERY_URI", "")
    assert option("delivery_uri", "file:///tmp/out") == "file:///tmp/out"
    assert option("delivery_uri") is None
    assert option("no_such_option", "fallback") == "fallback"
    monkeypatch.delenv("AIRFLOW__METASTUDIO__RATE_LIMIT_STORAGE", raising=False)
    assert option("rate_limit_storage") == "memory://"  # the provider's declared default (get_provider_info)


def test_no_other_module_reads_the_options():
    readers = re.compile(r"AIRFLOW__METASTUDIO__|conf\.get\w*\(\s*[\"']metastudio[\"']")
    found = [f"{path.relative_to(PROVIDER)}:{n}" for path in sorted(PROVIDER.rglob("*.py"))
             for n, line in enumerate(path.read_text().splitlines(), 1)
             if readers.search(line) and path.name != "options.py"]
    assert found == []
