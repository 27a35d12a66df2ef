"""The Python steps of ``make cluster`` (scripts/cluster_start.sh); settings from scripts/cluster_env.sh.

    python scripts/cluster_setup.py check            # before anything starts
    python scripts/cluster_setup.py connection       # once the api-server answers
    python scripts/cluster_setup.py show-connection  # the connection it would create, SK masked
    python scripts/cluster_setup.py reset [--yes]    # `make cluster-reset`: drop the cluster's database

``check``, each failure with the fix in its message (exit status 1):

1. the Celery deployment's packages are installed: psycopg2 (metadata database), asyncpg (Airflow 3's
   async engine), psycopg 3 (Celery's ``db+postgresql://`` result backend: SQLAlchemy 2.1 maps
   ``postgresql://`` to psycopg 3), redis, and a Celery the Celery provider can import;
2. PostgreSQL answers; the cluster's database is created if it is missing;
3. Redis answers (broker and limiter URLs);
4. a database that was found can be read with this cluster's Fernet key: a database kept from an earlier
   cluster whose key is gone (a new clone, ``make clean``) holds connections no worker could decrypt, so
   the start stops there, naming them and the fix (``make cluster-reset``), instead of reporting the
   connection as kept while every task fails with "no connection".

``reset`` says what the cluster's database holds (DAG runs, task instances, connections, variables),
asks to go on (or ``--yes``), and drops it; the next ``make cluster`` creates it anew.

``connection`` creates ``metastudio_default`` in Airflow's database over the REST API, pointing at the
cluster's emulator and sharing the Redis limiter (extra ``rate_limit_storage``), unless it exists: a
connection edited in the UI (e.g. to the real MetaStudio) survives restarts. Like ``make demo``'s, it
has every extra the UI form offers (the edit form shows only the extras a connection has) and port 0, the
port Airflow 3.3.2's Test button sends for a connection without one: the provider stores 0 on any
``metastudio`` connection saved without a port anyway (``metastudio_provider._store_port_zero``), so this
only says it explicitly, as ``make demo``'s ``--conn-port 0`` does.

Passwords and the SK are never printed.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

INSTALL = "run `make venv` (or `pip install -c constraints.txt 'airflow-provider-metastudio[celery]'`)"
DRIVERS = {
    "psycopg2": "psycopg2-binary: the metadata database (postgresql+psycopg2://)",
    "asyncpg": "asyncpg: Airflow 3's async database engine",
    "psycopg": "psycopg[binary] (psycopg 3): Celery's db+postgresql:// result backend",
    "redis": "redis: the Celery broker and the shared MetaStudio limiter",
    "airflow.providers.celery.executors.celery_executor": "apache-airflow-providers-celery with a celery it supports",
}


class CheckFailed(SystemExit):
    def __init__(self, message: str) -> None:
        super().__init__(f"make cluster: {message}")


def redact(url: str) -> str:
    """``url`` without its password."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{netloc}"))


def check_packages() -> None:
    problems = []
    for module, what in DRIVERS.items():
        try:
            importlib.import_module(module)
        except Exception as exc:  # an ImportError, or a broken Celery raising something else on import
            problems.append(f"  {what}: cannot import {module} ({type(exc).__name__}: {exc})")
    if problems:
        raise CheckFailed("the Celery deployment's packages are missing or broken:\n" + "\n".join(problems)
                          + f"\nFix: {INSTALL}.")


def ensure_database(sqlalchemy_url: str) -> str:
    """Connect to the server of ``sqlalchemy_url`` and create its database if missing; say what was done."""
    import psycopg
    from psycopg import sql

    dbname, kwargs = _database_kwargs(sqlalchemy_url)
    if not dbname:
        raise CheckFailed(f"no database name in {redact(sqlalchemy_url)}")
    where = f"PostgreSQL at {kwargs['host']}:{kwargs['port']} (user {kwargs['user'] or 'default'})"
    try:
        with psycopg.connect(dbname=dbname, **kwargs):
            return f"{where}, database {dbname}: found"
    except psycopg.OperationalError as exc:
        if f'"{dbname}" does not exist' not in str(exc):
            raise CheckFailed(f"{where} is not reachable: {exc}\nStart PostgreSQL, or point the cluster at "
                              "yours: METASTUDIO_CLUSTER_DB=postgresql://user[:password]@host:port/dbname") from None
    try:
        with psycopg.connect(dbname="postgres", autocommit=True, **kwargs) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
    except psycopg.Error as exc:
        raise CheckFailed(f"{where}: cannot create database {dbname}: {exc}\nCreate it yourself "
                          f"(createdb {dbname}) or give the user CREATEDB.") from None
    return f"{where}, database {dbname}: created"


def check_secrets() -> str:
    """Every encrypted connection and variable of the database reads with this cluster's Fernet key."""
    from metastudio_provider.cli.fernet_check import check_airflow_database

    database, report = check_airflow_database()
    if report.unreadable:
        raise CheckFailed(report.message(database.rsplit("/", 1)[-1]).replace(
            "Either give", "Nothing was started. Either give"))
    return f"Secrets in the database: {report.checked} encrypted, all readable with this cluster's Fernet key"


def _database_kwargs(sqlalchemy_url: str) -> tuple[str, dict[str, Any]]:
    parts = urlsplit(sqlalchemy_url)
    return parts.path.lstrip("/"), {"host": parts.hostname or "127.0.0.1", "port": parts.port or 5432,
                                    "user": parts.username, "password": parts.password, "connect_timeout": 5}


def reset_database(sqlalchemy_url: str, assume_yes: bool) -> str:
    """Drop the cluster's database after saying what it holds; the next start creates it anew."""
    import psycopg
    from psycopg import sql

    dbname, kwargs = _database_kwargs(sqlalchemy_url)
    try:
        with psycopg.connect(dbname=dbname, **kwargs) as conn:
            held = []
            for table, what in (("dag_run", "DAG run(s)"), ("task_instance", "task instance(s)"),
                                ("connection", "connection(s)"), ("variable", "variable(s)")):
                if conn.execute("SELECT to_regclass(%s)", (table,)).fetchone()[0] is not None:
                    (count,) = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))).fetchone()
                    held.append(f"{count} {what}")
    except psycopg.OperationalError as exc:
        if f'"{dbname}" does not exist' in str(exc):
            return f"database {dbname}: does not exist, nothing to reset"
        raise CheckFailed(f"cannot reach {redact(sqlalchemy_url)}: {exc}") from None
    print(f"make cluster-reset drops database {dbname} ({redact(sqlalchemy_url)}), which holds "
          + (", ".join(held) or "no Airflow tables") + "; all of it is lost.")
    if not assume_yes:
        if not sys.stdin.isatty():
            raise CheckFailed("not dropped: confirm with `make cluster-reset CONFIRM=yes`")
        if input(f"Type the database name ({dbname}) to drop it: ").strip() != dbname:
            raise CheckFailed("not dropped")
    with psycopg.connect(dbname="postgres", autocommit=True, **kwargs) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname)))
    return f"database {dbname}: dropped; `make cluster` creates it anew"


def check_redis(*urls: str) -> str:
    import redis

    for url in urls:
        try:
            redis.Redis.from_url(url, socket_connect_timeout=5).ping()
        except redis.RedisError as exc:
            raise CheckFailed(f"Redis at {redact(url)} is not reachable: {exc}\nStart Redis, or point the cluster "
                              "at yours: METASTUDIO_CLUSTER_REDIS=redis://[:password@]host:port") from None
    return "Redis: " + ", ".join(redact(u) for u in urls)


def emulator_connection(env: Mapping[str, str] = os.environ) -> dict[str, Any]:
    """The REST body of ``metastudio_default`` for the cluster's emulator, with the shared Redis limiter."""
    from metastudio_emulator.config import DEFAULT_AK, DEFAULT_PROJECT_ID, DEFAULT_SK

    extra = {"region": env["METASTUDIO_REGION"], "project_id": DEFAULT_PROJECT_ID,
             "endpoint": env["METASTUDIO_EMULATOR_URL"], "app_user_id": None,
             "rate_limit_storage": env["AIRFLOW__METASTUDIO__RATE_LIMIT_STORAGE"]}
    return {"connection_id": "metastudio_default", "conn_type": "metastudio", "login": DEFAULT_AK,
            "password": DEFAULT_SK, "port": 0, "extra": json.dumps(extra)}


def ensure_connection(env: Mapping[str, str] = os.environ) -> str:
    import httpx

    with httpx.Client(base_url=env["AIRFLOW_URL"], timeout=30) as http:
        login = http.post("/auth/token", json={"username": env["AIRFLOW_ADMIN_USER"],
                                               "password": env["AIRFLOW_ADMIN_PASSWORD"]})
        if login.status_code >= 300:
            raise CheckFailed(f"cannot log in to {env['AIRFLOW_URL']} as {env['AIRFLOW_ADMIN_USER']}: "
                              f"HTTP {login.status_code}")
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        created = http.post("/api/v2/connections", json=emulator_connection(env), headers=headers)
    if created.status_code == 409:
        return "Connection metastudio_default: exists, kept (edit it in Admin > Connections)"
    if created.status_code >= 300:
        raise CheckFailed(f"creating the connection metastudio_default: HTTP {created.status_code} "
                          f"{created.text[:300]}")
    return (f"Connection metastudio_default: created (emulator {env['METASTUDIO_EMULATOR_URL']}, "
            f"limiter {redact(env['AIRFLOW__METASTUDIO__RATE_LIMIT_STORAGE'])})")


def main(argv: list[str]) -> int:
    env = os.environ
    command = argv[1] if len(argv) > 1 else "check"
    if command == "check":
        check_packages()
        database = ensure_database(env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"])
        print(database)
        if database.endswith(": found"):
            print(check_secrets())
        print(check_redis(env["AIRFLOW__CELERY__BROKER_URL"], env["AIRFLOW__METASTUDIO__RATE_LIMIT_STORAGE"]))
    elif command == "connection":
        print(ensure_connection())
    elif command == "reset":
        print(reset_database(env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"], assume_yes="--yes" in argv[2:]))
    elif command == "show-connection":
        print(json.dumps({**emulator_connection(), "password": "***"}))
    else:
        raise SystemExit(f"usage: {argv[0]} check|connection|show-connection|reset [--yes]")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
