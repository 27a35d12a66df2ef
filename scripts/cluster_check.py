"""What ``make cluster`` checks before it starts anything, each failure with the fix in its message.

    python scripts/cluster_check.py          # settings from the environment (scripts/cluster_env.sh)

1. The Celery deployment's packages are installed: psycopg2 (metadata database), asyncpg (Airflow 3's
   async engine), psycopg 3 (Celery's ``db+postgresql://`` result backend: SQLAlchemy 2.1 maps
   ``postgresql://`` to psycopg 3), redis, and a Celery the Celery provider can import.
2. PostgreSQL answers; the cluster's database is created if it is missing.
3. Redis answers (broker and limiter URLs).

Passwords in URLs are never printed. Exit status 1 on the first failed step.
"""

from __future__ import annotations

import importlib
import os
import sys
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

    parts = urlsplit(sqlalchemy_url)
    dbname = parts.path.lstrip("/")
    if not dbname:
        raise CheckFailed(f"no database name in {redact(sqlalchemy_url)}")
    kwargs = {"host": parts.hostname or "127.0.0.1", "port": parts.port or 5432, "user": parts.username,
              "password": parts.password, "connect_timeout": 5}
    where = f"PostgreSQL at {kwargs['host']}:{kwargs['port']} (user {parts.username or 'default'})"
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


def check_redis(*urls: str) -> str:
    import redis

    for url in urls:
        try:
            redis.Redis.from_url(url, socket_connect_timeout=5).ping()
        except redis.RedisError as exc:
            raise CheckFailed(f"Redis at {redact(url)} is not reachable: {exc}\nStart Redis, or point the cluster "
                              "at yours: METASTUDIO_CLUSTER_REDIS=redis://[:password@]host:port") from None
    return "Redis: " + ", ".join(redact(u) for u in urls)


def main() -> int:
    env = os.environ
    check_packages()
    print(ensure_database(env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]))
    print(check_redis(env["AIRFLOW__CELERY__BROKER_URL"], env["AIRFLOW__METASTUDIO__RATE_LIMIT_STORAGE"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
