"""The connection form: every setting the hook reads is a labelled field of Airflow 3.3's ``conn-fields``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from metastudio_provider import CONN_FIELDS, get_provider_info
from metastudio_provider.catalog import REGIONS
from metastudio_provider.hooks import metastudio as hook_module


@pytest.fixture(scope="module")
def conn_type() -> dict:
    (entry,) = get_provider_info()["connection-types"]
    return entry


def hook_extras() -> set[str]:
    """The connection extras ``MetaStudioHook`` reads (``extra("name")`` in its source)."""
    names = set(re.findall(r"""\bextra\(\s*["'](\w+)["']\s*\)""", Path(hook_module.__file__).read_text("utf-8")))
    assert {"region", "project_id", "endpoint"} <= names, "the scan no longer finds the hook's extras"
    return names


def test_every_extra_the_hook_reads_is_a_labelled_optional_form_field(conn_type):
    fields = conn_type["conn-fields"]
    assert fields is CONN_FIELDS
    assert hook_extras() <= set(fields), f"not in the connection form: {hook_extras() - set(fields)}"
    placeholders = conn_type["ui-field-behaviour"]["placeholders"]
    for name, spec in fields.items():
        assert spec["label"] and spec["description"], name
        assert spec["schema"]["type"][-1] == "null", f"{name}: optional fields must accept null"
        assert placeholders.get(name), f"{name}: no placeholder"
        assert set(spec) <= {"label", "description", "schema"}, f"{name}: keys Airflow's schema refuses"


def test_region_is_a_list_and_secrets_are_sensitive(conn_type):
    fields = conn_type["conn-fields"]
    assert fields["region"]["schema"]["enum"] == list(REGIONS)
    assert set(fields["region"]["schema"]["values_display"]) == set(REGIONS)
    assert fields["rate_limit_storage"]["schema"]["format"] == "password"  # redis://:password@host may hold one
    behaviour = conn_type["ui-field-behaviour"]
    assert behaviour["relabeling"] == {"login": "Access Key ID (AK)", "password": "Secret Access Key (SK)"}
    assert {"login", "password"} <= set(behaviour["placeholders"])
    assert "host" in behaviour["hidden-fields"] and "login" not in behaviour["hidden-fields"]


def test_airflow_serves_the_form_to_its_ui():
    """What the React UI gets from ``GET /ui/connections/hook_meta``, computed by Airflow itself."""
    from airflow.api_fastapi.core_api.services.ui.connections import HookMetaService

    (meta,) = [m for m in HookMetaService.hook_meta_data() if m.connection_type == "metastudio"]
    extra = meta.extra_fields
    assert set(extra) == set(CONN_FIELDS)
    assert extra["app_user_id"]["schema"]["title"] == "App user ID (X-App-UserId)"
    assert extra["rate_limit_storage"]["schema"]["format"] == "password"
    assert extra["region"]["value"] == REGIONS[0]
    standard = meta.standard_fields
    assert standard.login.title == "Access Key ID (AK)" and standard.login.placeholder
    assert standard.password.title == "Secret Access Key (SK)" and standard.password.placeholder
    assert standard.host.hidden and standard.port.hidden


def test_the_metastudio_asset_uri_scheme_is_registered_with_airflow():
    """``metastudio://<region>/<project_id>/assets/<asset_id>``: Airflow normalizes it with the provider's
    handler (region lower-cased), refuses other shapes, and builds it with the provider's factory."""
    from airflow.sdk import Asset
    from airflow.sdk.providers_manager_runtime import ProvidersManagerTaskRuntime

    from metastudio_provider.assets.videos import create_asset, sanitize_uri

    (entry,) = get_provider_info()["asset-uris"]
    assert entry["schemes"] == ["metastudio"]
    runtime = ProvidersManagerTaskRuntime()
    assert runtime.asset_uri_handlers["metastudio"] is sanitize_uri
    assert runtime.asset_factories["metastudio"] is create_asset
    project = "0123456789abcdef0123456789abcdef"
    assert Asset(uri=f"metastudio://CN-North-4/{project}/assets/a1b2/").uri == f"metastudio://cn-north-4/{project}/assets/a1b2"
    for bad in (f"metastudio://cn-north-4/{project}/a1b2", f"metastudio://cn-north-4/{project}/assets/a/b",
                f"metastudio:///{project}/assets/a1b2"):
        with pytest.raises(ValueError, match="expected metastudio://<region>/<project_id>/assets/<asset_id>"):
            Asset(uri=bad)
    made = create_asset(region="cn-north-4", project_id=project, asset_id="a1b2", extra={"title": "t"})
    assert made.uri == made.name == f"metastudio://cn-north-4/{project}/assets/a1b2" and made.extra == {"title": "t"}


def test_a_metastudio_connection_saved_without_a_port_stores_port_0():
    """What the Test button needs on Airflow 3.3.2: it posts ``port: Number(port)`` (0 for none), and the
    API refuses a port that differs from the stored one. The provider stores 0 on a ``metastudio``
    connection saved without a port (insert or update); any other connection type is left alone."""
    from airflow.api_fastapi.core_api.routes.public.connections import _same_endpoint
    from airflow.models.connection import Connection
    from sqlalchemy import create_engine, select
    from sqlalchemy.orm import Session

    get_provider_info()  # Airflow calls it when it discovers the providers: that installs the listener
    engine = create_engine("sqlite://")
    Connection.__table__.create(engine)
    with Session(engine) as session:
        session.add_all([Connection(conn_id="ms", conn_type="metastudio", login="AK", password="SK"),
                         Connection(conn_id="ms_port", conn_type="metastudio", port=8765),
                         Connection(conn_id="other", conn_type="generic", host="example.com")])
        session.commit()
        ports = dict(session.execute(select(Connection.conn_id, Connection.port)).all())
        assert ports == {"ms": 0, "ms_port": 8765, "other": None}
        assert _same_endpoint(0, ports["ms"]) and not _same_endpoint(0, ports["other"])  # Airflow's own check
        edited = session.scalar(select(Connection).where(Connection.conn_id == "ms_port"))
        edited.port = None
        session.commit()
        assert session.scalar(select(Connection.port).where(Connection.conn_id == "ms_port")) == 0
