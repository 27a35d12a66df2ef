"""The ``metastudio`` command. Subcommands live in ``SUBCOMMANDS`` (name → Subcommand)."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from metastudio_provider.catalog import REGIONS


@dataclass(frozen=True)
class Subcommand:
    """One ``metastudio <name>``: its help line, how to add its options, and what it runs."""

    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


def _pools_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--region", choices=REGIONS, required=True, help="region whose limits size the pools")


def _run_pools(args: argparse.Namespace) -> int:
    import json

    from metastudio_provider.pools import pools

    print(json.dumps(pools(args.region), indent=2, sort_keys=True))
    return 0


def _limits_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--conn-id", default="metastudio_default",
                        help="connection whose project id, region and rate_limit_storage to use")
    parser.add_argument("--storage", help="limiter storage URI (redis://host:6379/0) instead of the connection's")
    parser.add_argument("--project-id", help="tenant (project id) instead of the connection's")
    parser.add_argument("--region", choices=REGIONS, help="region instead of the connection's")
    parser.add_argument("--all", action="store_true", help="every API, also those the store knows nothing of")
    parser.add_argument("--json", action="store_true", help="JSON instead of a table")


def _run_limits(args: argparse.Namespace) -> int:
    import json
    import sys

    from metastudio_provider.client.errors import MetaStudioConfigError
    from metastudio_provider.client.limiter import RateLimiter
    from metastudio_provider.client.limits_view import format_rows, limit_rows
    from metastudio_provider.client.redact import redact_uri

    storage, project_id, region = args.storage, args.project_id, args.region
    endpoint: str | None = None
    try:
        if not (storage and project_id and region):
            from metastudio_provider.hooks.metastudio import MetaStudioHook

            settings = MetaStudioHook(args.conn_id).settings
            storage = storage or settings.rate_limit_storage
            project_id = project_id or settings.credentials.project_id
            region = region or settings.region
            endpoint = settings.endpoint
        limiter = RateLimiter(storage)
    except MetaStudioConfigError as exc:  # also the hook's MetaStudioConfigFailure: one line, no traceback
        print(f"metastudio limits: {exc}", file=sys.stderr)
        return 1
    if not limiter.uses_redis:
        print(_memory_storage_note(redact_uri(storage), endpoint), file=sys.stderr)
    rows = limit_rows(limiter, project_id, region, every_api=args.all)
    if args.json:
        print(json.dumps({"storage": redact_uri(storage), "project_id": project_id, "region": region, "apis": rows},
                         indent=2))
        return 0
    print(f"MetaStudio limits of project {project_id} in {region}, from {redact_uri(storage)}")
    if rows:
        print(format_rows(rows))
    elif limiter.uses_redis:
        print("no API called in the last day (--all lists the table's limits)")
    else:
        print("none kept in this process (--all lists the table's limits)")
    return 0


def _memory_storage_note(storage: str, endpoint: str | None) -> str:
    """Where the figures are when the limiter is per process (``make demo``'s ``memory://``).

    Each task's process learns alone and is gone when it ends, so nothing is left to read. Against the
    emulator, its ``/_emulator/stats`` has counted every call per API (requests, 429s, most in any second):
    right there, nothing to change. The learned limits need a shared store: a redis:// rate_limit_storage.
    """
    from metastudio_provider.links import is_huawei_cloud

    if endpoint and not is_huawei_cloud(endpoint):
        where = f"the calls and 429s per API are at the emulator's {endpoint.rstrip('/')}/_emulator/stats"
    else:
        where = "the emulator counts calls and 429s per API at <its URL>/_emulator/stats"
    return (f"{storage} keeps the limiter in each process: nothing shared to show; {where}. For the learned "
            "limits here, give the connection a shared rate_limit_storage (e.g. this machine's Redis, "
            "redis://127.0.0.1:6379/0) or pass --storage redis://...")


def _run_check_secrets(args: argparse.Namespace) -> int:
    import sys

    from metastudio_provider.cli.fernet_check import check_airflow_database

    database, report = check_airflow_database()
    if report.unreadable:
        print(f"metastudio check-secrets: {report.message(database)}", file=sys.stderr)
        return 1
    print(f"{database}: {report.checked} encrypted secret(s), all readable with this deployment's Fernet key")
    return 0


SUBCOMMANDS: dict[str, Subcommand] = {
    "pools": Subcommand("print the Airflow pools (JSON for `airflow pools import`)", _pools_arguments, _run_pools),
    "limits": Subcommand("per API: the table's limit, the learned limit, recent 429s and calls in the last minute",
                         _limits_arguments, _run_limits),
    "check-secrets": Subcommand("check that this deployment's Fernet key reads every connection and variable "
                                "in Airflow's database", lambda parser: None, _run_check_secrets),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="metastudio", description="Tools of the MetaStudio Airflow provider.")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, sub in SUBCOMMANDS.items():
        sub.add_arguments(subparsers.add_parser(name, help=sub.help, description=sub.help,
                                                formatter_class=argparse.ArgumentDefaultsHelpFormatter))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return SUBCOMMANDS[args.command].run(args)


if __name__ == "__main__":
    raise SystemExit(main())
