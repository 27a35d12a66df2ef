"""Batch manifests (metastudio_provider.batches.manifest): YAML, CSV and JSON Lines, read from a local folder or
a bucket of a real S3-compatible server over HTTP (moto's), with the same checks for every format."""

from __future__ import annotations

import json
import os

import pytest
from airflow.sdk import ObjectStoragePath

from metastudio_provider.batches.manifest import batches_folder, find_manifest, parse_manifest, read_manifest
from metastudio_provider.checks.manifests import ManifestError
from tests.s3_server import s3_server

ROWS = [{"id": "intro", "title": "Introduction", "script": "Welcome, friends."},
        {"id": "7", "title": "Row seven", "script": "Line one, with a comma.\nLine two.", "avatar": "a1",
         "background": "bg1"}]
CSV = ('id,title,script,avatar,voice,background\r\n'
       'intro,Introduction,"Welcome, friends.",,,\r\n'
       '7,Row seven,"Line one, with a comma.\nLine two.",a1,,bg1\r\n'
       ',,,,,\r\n')  # a spreadsheet's empty row: ignored


def expected(rows=ROWS) -> list[dict]:
    return [{**row, "_number": number} for number, row in enumerate(rows, start=1)]


def test_yaml_csv_and_jsonl_give_the_same_rows(tmp_path) -> None:
    (tmp_path / "a.yaml").write_text(
        "- {id: intro, title: Introduction, script: 'Welcome, friends.'}\n"
        "- {id: 7, title: Row seven, script: \"Line one, with a comma.\\nLine two.\", avatar: a1, background: bg1}\n")
    (tmp_path / "b.csv").write_bytes(b"\xef\xbb\xbf" + CSV.encode())  # Excel's UTF-8 export starts with a BOM
    (tmp_path / "c.jsonl").write_text("\n".join(json.dumps(row) for row in ROWS) + "\n\n")
    for name in ("a.yaml", "b.csv", "c.jsonl"):
        assert read_manifest(tmp_path / name) == expected(), name


def test_csv_cells_keep_their_text_and_empty_cells_are_absent() -> None:
    rows = parse_manifest("id,script,voice\n a1 , Hello ,\n", "m.csv")
    assert rows == [{"id": "a1", "script": " Hello "}]  # the id is trimmed, the script is what was written


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("title,script\nHello,Hi.\n", "m.csv: the header row ['title', 'script']: no 'id' column"),
        ("id,title,scrpit\na,A,Hi.\n", "unknown column(s) 'scrpit'; no 'script' column"),
        ("id,script,id\na,Hi.,b\n", "column(s) 'id' given twice"),
        ("id,script\nintro,Hello.\nintro,Again.\noutro,Bye.\n", "rows 1, 2 share the id 'intro'"),
        ("id,title,script\nintro,Intro,Hello.\n,No id here,Hi.\n,,Hi again.\n",
         "row 2 (title 'No id here') has no id; row 3 has no id"),
        ("id,script\na,Hi.,extra cell\n", "row 1 has 3 cells, the header 2"),
        ('id,script\na,"never closed\n', "m.csv: not valid CSV"),
    ],
)
def test_bad_csv_is_refused_naming_every_problem(tmp_path, text: str, message: str) -> None:
    (tmp_path / "m.csv").write_text(text)
    with pytest.raises(ManifestError) as err:
        read_manifest(tmp_path / "m.csv")
    assert message in str(err.value)


def test_bad_jsonl_and_yaml_name_the_file_and_line(tmp_path) -> None:
    (tmp_path / "m.jsonl").write_text('{"id": "a", "script": "Hi."}\n{"id": "b", script}\n')
    with pytest.raises(ManifestError, match="m.jsonl: line 2 is not valid JSON"):
        read_manifest(tmp_path / "m.jsonl")
    (tmp_path / "n.jsonl").write_text('{"id": "a", "script": "Hi."}\n["b"]\n')
    with pytest.raises(ManifestError, match=r"row 2 is not a mapping \(\['b'\]\)"):
        read_manifest(tmp_path / "n.jsonl")
    (tmp_path / "bad.yml").write_text("- id: a\n  script: [unclosed\n")
    with pytest.raises(ManifestError, match="bad.yml: not valid YAML"):
        read_manifest(tmp_path / "bad.yml")


def test_a_date_has_one_manifest_or_none(tmp_path) -> None:
    folder = ObjectStoragePath(f"file://{tmp_path}")
    assert find_manifest(folder, "2026-11-20") is None
    (tmp_path / "2026-11-20.csv").write_text("id,script\na,Hi.\n")
    (tmp_path / "2026-11-21.yml").write_text("- {id: a, script: Hi.}\n")
    assert find_manifest(folder, "2026-11-20").name == "2026-11-20.csv"
    assert find_manifest(folder, "2026-11-21").name == "2026-11-21.yml"
    (tmp_path / "2026-11-20.yaml").write_text("- {id: a, script: Hi.}\n")
    with pytest.raises(ManifestError, match=r"2 manifests for 2026-11-20: 2026-11-20.yaml, 2026-11-20.csv"):
        find_manifest(folder, "2026-11-20")


def test_the_folder_setting_env_then_variable_then_default(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("METASTUDIO_BATCHES_DIR", raising=False)
    assert batches_folder(tmp_path / "default").path.endswith("/default")
    monkeypatch.setenv("AIRFLOW_VAR_METASTUDIO_BATCHES_URI", "s3://some-bucket/batches")
    monkeypatch.setenv("AIRFLOW_VAR_METASTUDIO_BATCHES_CONN_ID", "batches_store")
    folder = batches_folder(tmp_path / "default")
    assert folder.protocol == "s3" and folder.path == "some-bucket/batches" and folder.conn_id == "batches_store"
    monkeypatch.setenv("METASTUDIO_BATCHES_DIR", str(tmp_path / "env"))  # the tests' override wins
    folder = batches_folder(tmp_path / "default")
    assert folder.path.endswith("/env") and folder.conn_id is None


def test_a_manifest_in_a_bucket(tmp_path, monkeypatch) -> None:
    with s3_server() as s3:
        bucket = f"batches-{os.getpid()}"
        s3.client().create_bucket(Bucket=bucket)
        s3.client().put_object(Bucket=bucket, Key="daily/2026-11-20.csv", Body=CSV.encode())
        monkeypatch.delenv("METASTUDIO_BATCHES_DIR", raising=False)
        monkeypatch.setenv("AIRFLOW_CONN_BATCHES_S3", s3.connection_json())
        monkeypatch.setenv("AIRFLOW_VAR_METASTUDIO_BATCHES_URI", f"s3://{bucket}/daily")
        monkeypatch.setenv("AIRFLOW_VAR_METASTUDIO_BATCHES_CONN_ID", "batches_s3")
        folder = batches_folder(tmp_path)
        assert find_manifest(folder, "2026-11-21") is None
        path = find_manifest(folder, "2026-11-20")
        assert path is not None and read_manifest(path) == expected()
        s3.client().put_object(Bucket=bucket, Key="daily/2026-11-20.jsonl", Body=b'{"id": "x", "script": "Hi."}\n')
        with pytest.raises(ManifestError, match="2026-11-20.csv, 2026-11-20.jsonl"):
            find_manifest(folder, "2026-11-20")
