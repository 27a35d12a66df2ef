"""Can this deployment read the secrets in Airflow's database? (``metastudio check-secrets``)

Airflow encrypts connections' passwords and extras, and variables' values, with ``[core] fernet_key``.
A database kept from an earlier deployment whose key is gone (a new clone, ``make clean``, a new
compose ``FERNET_KEY``) still holds its rows, but nothing can read them: every task then fails with
"no connection", while ``airflow connections add`` says the connection exists. ``make cluster`` and
docker compose's ``airflow-init`` run this check before starting anything, and stop with the fix.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

FIX = ("Either give this deployment the Fernet key the database was written with ([core] fernet_key, "
       "AIRFLOW__CORE__FERNET_KEY; compose: FERNET_KEY in .env), or start the database anew, losing its DAG runs, "
       "task history, connections and variables: `make cluster-reset` (make cluster), "
       "`docker compose down -v` (compose).")


@dataclass
class SecretsReport:
    """What the database holds encrypted, and which of it the current key cannot read."""

    checked: int = 0
    unreadable: list[str] = field(default_factory=list)  # "connection metastudio_default", "variable x"

    def message(self, database: str) -> str:
        names = ", ".join(self.unreadable[:10]) + (f" and {len(self.unreadable) - 10} more"
                                                     if len(self.unreadable) > 10 else "")
        return (f"{database} was written with a Fernet key this deployment does not have: "
                f"{len(self.unreadable)} of {self.checked} encrypted secret(s) cannot be read ({names}). "
                "Tasks would fail with 'no connection'. " + FIX)


def check_secrets(engine: Any, fernet: Any) -> SecretsReport:
    """Try to decrypt every encrypted connection field and variable value with ``fernet``.

    Plain SQL over the tables' stable columns (not Airflow's models), so that it also reads a database
    of an older Airflow before ``airflow db migrate``; tables that do not exist yet hold nothing.
    """
    import sqlalchemy as sa

    report = SecretsReport()
    tables = set(sa.inspect(engine).get_table_names())
    queries = []
    if "connection" in tables:
        queries.append(("connection", "SELECT conn_id, password, is_encrypted, extra, is_extra_encrypted "
                                      "FROM connection"))
    if "variable" in tables:
        queries.append(("variable", "SELECT key, val, is_encrypted, NULL, false FROM variable"))
    with engine.connect() as conn:
        for kind, query in queries:
            for name, value, encrypted, extra, extra_encrypted in conn.execute(sa.text(query)):
                secrets = [v for v, enc in ((value, encrypted), (extra, extra_encrypted)) if v and enc]
                report.checked += len(secrets)
                if any(not _readable(fernet, secret) for secret in secrets):
                    report.unreadable.append(f"{kind} {name}")
    return report


def _readable(fernet: Any, secret: str) -> bool:
    try:
        fernet.decrypt(secret.encode("utf-8"))
    except Exception:  # cryptography's InvalidToken, or no key at all (Airflow's null Fernet raises ValueError)
        return False
    return True


def check_airflow_database() -> tuple[str, SecretsReport]:
    """The check against this Airflow's configured database and key: (database shown without password, report).

    The key is the one Airflow's commands will use: in a new AIRFLOW_HOME they write ``airflow.cfg`` with a
    new key on their first run, so this writes it now, as they would.
    """
    import sqlalchemy as sa
    from airflow.configuration import conf, write_default_airflow_configuration_if_needed
    from airflow.models.crypto import get_fernet

    write_default_airflow_configuration_if_needed()
    from metastudio_provider.client.redact import redact_uri

    url = conf.get("database", "sql_alchemy_conn")
    engine = sa.create_engine(url)
    try:
        return redact_uri(url), check_secrets(engine, get_fernet())
    finally:
        engine.dispose()
